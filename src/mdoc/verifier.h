// mdoc/verifier.h: verifying mdoc presentations (ISO/IEC 18013-5:2021 clause 9.3: mdoc
// authentication) and issued mdocs on receipt.
//
// DeviceResponseVerifier::Verify checks every document of a DeviceResponse, in this order, and
// fails the whole response on the first error:
//  1. structure (DeviceResponse, Document, IssuerSigned, DeviceSigned)          -> kMalformed
//  2. issuerAuth's x5chain against the IACA trust store at the verifier's clock
//     (mdoc/iaca.h: Annex B profile, chain, validity)                            -> its codes
//  3. issuerAuth signature with the document signer key (alg in the protected
//     header, matching the key)                                                  -> kInvalidSignature, ...
//  4. the MSO (#6.24 in the payload; mdoc/mdoc.h)                                -> kMalformed, ...
//  5. docType of the Document equals the MSO's                                   -> kInvalidType
//  6. validity: validFrom <= now <= validUntil                                   -> kNotYetValid / kExpired
//     and `signed` inside the document signer certificate's validity             -> kInvalidCertificate
//  7. every returned IssuerSignedItemBytes: digest over the tag-24 item as
//     received equals valueDigests[ns][digestID]                                 -> kDigestMismatch
//     no digestID or element returned twice in a namespace                       -> kDuplicateDisclosure
//     element values of known doctypes well typed (mdoc/doctypes.h)              -> kInvalidClaims
//     issuing_country, when returned, equals the document signer's country       -> kInvalidClaims
//  8. device authentication over DeviceAuthenticationBytes built from the caller's
//     SessionTranscript: deviceSignature with the MSO device key, or deviceMac
//     with EMacKey from the reader's ephemeral key                               -> kInvalidSignature, ...
//     device-signed elements allowed by keyAuthorizations                        -> kInvalidClaims
//  9. status: the MSO's status list entry through the configured check           -> kRevoked / kSuspended /
//                                                                                   kStatusUnavailable
// A response whose status is not 0, or with no documents, is kNotFound.
//
// Thread safety: a configured verifier may be used from many threads at once (the trust store
// and the status check must allow that). The trust store, clock and reader key must outlive it.
#ifndef BONAFIDE_MDOC_VERIFIER_H_
#define BONAFIDE_MDOC_VERIFIER_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/status.h"
#include "cbor/cbor.h"
#include "crypto/keys.h"
#include "mdoc/iaca.h"
#include "mdoc/mdoc.h"
#include "status/status_list_token.h"

namespace bonafide::mdoc {

// DeviceAuthKind says how the device authenticated a document.
enum class DeviceAuthKind { kNone, kSignature, kMac };

// VerifiedDocument is one document that passed every check.
class VerifiedDocument {
 public:
  const std::string& doc_type() const { return doc_type_; }
  // issuer_signed returns the verified issuer-signed elements, per namespace, in received order.
  const NameSpaces& issuer_signed() const { return issuer_signed_; }
  // device_signed returns the elements the device signed itself (allowed by keyAuthorizations).
  const NameSpaces& device_signed() const { return device_signed_; }
  const ValidityInfo& validity() const { return validity_; }
  const std::optional<status::StatusReference>& status_reference() const { return status_; }
  // issuer returns the document signer certificate facts (country, names, validity).
  const ValidatedSigner& issuer() const { return *issuer_; }
  DeviceAuthKind device_auth() const { return device_auth_; }
  // Find returns an issuer-signed element's value, nullptr if it was not returned.
  const cbor::Value* Find(std::string_view name_space, std::string_view element) const;

 private:
  friend class DeviceResponseVerifier;
  VerifiedDocument() = default;
  std::string doc_type_;
  NameSpaces issuer_signed_;
  NameSpaces device_signed_;
  ValidityInfo validity_;
  std::optional<status::StatusReference> status_;
  std::optional<ValidatedSigner> issuer_;  // set by every successful verification
  DeviceAuthKind device_auth_ = DeviceAuthKind::kNone;
};

// DeviceResponseVerifier verifies DeviceResponses and IssuerSigned structures.
class DeviceResponseVerifier {
 public:
  // StatusCheck returns OK for a valid entry, or kRevoked / kSuspended / kStatusUnavailable.
  using StatusCheck = std::function<Status(const status::StatusReference&)>;

  DeviceResponseVerifier(const IacaTrustStore& trust, const Clock& clock) : trust_(&trust), clock_(&clock) {}

  // WithStatusCheck sets how a status list reference is checked.
  DeviceResponseVerifier& WithStatusCheck(StatusCheck check);
  // SkipStatusCheck accepts mdocs whose MSO names a status list without checking it. Without a
  // status check or this relaxation such an mdoc is kStatusUnavailable.
  DeviceResponseVerifier& SkipStatusCheck();
  // WithReaderKey sets the reader's ephemeral private key (EReaderKey), needed to verify deviceMac.
  DeviceResponseVerifier& WithReaderKey(const crypto::PrivateKey& e_reader_key);
  // ExpectDocType requires every document to be of `doc_type` (kInvalidType otherwise).
  DeviceResponseVerifier& ExpectDocType(std::string doc_type);

  // Verify checks the encoded DeviceResponse `device_response` against `session_transcript` (the
  // encoded SessionTranscript, untagged) as described at the top of this file.
  Result<std::vector<VerifiedDocument>> Verify(ByteView device_response, ByteView session_transcript) const;
  // VerifyDocument checks one decoded Document.
  Result<VerifiedDocument> VerifyDocument(const cbor::Value& document, ByteView session_transcript) const;
  // VerifyIssuerSigned checks an issued mdoc (steps 2-7 and 9 on every element it holds), as a
  // wallet does on receipt. device_auth() of the result is kNone.
  Result<VerifiedDocument> VerifyIssuerSigned(const cbor::Value& issuer_signed) const;

 private:
  // VerifyIssuerPart runs steps 2-7 and 9 on `issuer_signed`, filling `out` and returning the MSO.
  Result<MobileSecurityObject> VerifyIssuerPart(const cbor::Value& issuer_signed,
                                                std::optional<std::string_view> doc_type,
                                                VerifiedDocument& out) const;

  const IacaTrustStore* trust_;
  const Clock* clock_;
  StatusCheck status_check_;
  bool skip_status_ = false;
  const crypto::PrivateKey* reader_key_ = nullptr;
  std::optional<std::string> expected_doc_type_;
};

}  // namespace bonafide::mdoc

#endif  // BONAFIDE_MDOC_VERIFIER_H_
