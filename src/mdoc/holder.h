// mdoc/holder.h: the mdoc holder's side of presentation (ISO/IEC 18013-5:2021 clause 8.3.2.1.2.2
// and 9.1.3): selecting elements of a stored IssuerSigned, authenticating the response with the
// device key over the SessionTranscript, and building the DeviceResponse.
//
// The stored IssuerSigned is kept as decoded (cbor::Value), so every IssuerSignedItemBytes and
// the issuerAuth go out byte for byte as the issuer wrote them; only the selected items are sent.
// DeviceAuthentication = ["DeviceAuthentication", SessionTranscript, DocType,
// DeviceNameSpacesBytes] is authenticated either by a detached COSE_Sign1 with the device key
// (deviceSignature) or by a detached COSE_Mac0 with EMacKey = HKDF-SHA-256(ECDH(device key,
// EReaderKey), salt = SHA-256(SessionTranscriptBytes), info "EMacKey") (deviceMac, clause
// 9.1.3.5).
//
// Thread safety: pure functions.
#ifndef BONAFIDE_MDOC_HOLDER_H_
#define BONAFIDE_MDOC_HOLDER_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "cbor/cbor.h"
#include "crypto/keys.h"

namespace bonafide::mdoc {

// Disclosure lists, per namespace, the element identifiers to release.
using Disclosure = std::vector<std::pair<std::string, std::vector<std::string>>>;

// DeviceAuthentication says how the device key authenticates the response.
struct DeviceAuthOptions {
  // The device key: signs for deviceSignature; for deviceMac it must be a P-256 private key.
  const crypto::PrivateKey* device_key = nullptr;
  // Or, for deviceSignature only, a signer whose key is kept elsewhere (a wallet key store that
  // never hands out the private key). Used when device_key is null.
  const crypto::Signer* device_signer = nullptr;
  // Set for deviceMac: the reader's ephemeral public key (EReaderKey). Unset: deviceSignature.
  std::optional<crypto::PublicKey> reader_ephemeral_key{};
  // Elements the device signs itself ({} for none); must be allowed by the MSO's
  // keyAuthorizations or the verifier refuses them.
  cbor::Value device_name_spaces = cbor::Value::MakeMap();
};

// DeviceAuthenticationBytes returns #6.24(bstr .cbor ["DeviceAuthentication", SessionTranscript,
// doc_type, DeviceNameSpacesBytes]), with `session_transcript` the encoded SessionTranscript
// (untagged) and `device_name_spaces_bytes` the tag-24 item as sent.
Bytes DeviceAuthenticationBytes(ByteView session_transcript, std::string_view doc_type,
                                const cbor::Value& device_name_spaces_bytes);

// DeriveEMacKey returns EMacKey = HKDF-SHA-256(ECDH(mine, theirs), salt = SHA-256(
// SessionTranscriptBytes), info "EMacKey", 32 bytes), where SessionTranscriptBytes is
// #6.24(bstr .cbor SessionTranscript) built from `session_transcript`. kInvalidKey unless both
// keys are P-256.
Result<SecretBytes> DeriveEMacKey(const crypto::PrivateKey& mine, const crypto::PublicKey& theirs,
                                  ByteView session_transcript);

// HeldMdoc is a stored IssuerSigned, parsed once so that each presentation only selects items
// and authenticates. Its MSO is read without verifying issuerAuth (the wallet verified the
// credential when it received it).
class HeldMdoc {
 public:
  // FromIssuerSigned takes a decoded IssuerSigned. kMalformed if it is not one (structure, items,
  // MSO), kInvalidKey for an unusable device key in the MSO.
  static Result<HeldMdoc> FromIssuerSigned(cbor::Value issuer_signed);
  // Decode decodes and takes an encoded IssuerSigned; errors as FromIssuerSigned.
  static Result<HeldMdoc> Decode(ByteView issuer_signed);

  const std::string& doc_type() const { return doc_type_; }
  const crypto::PublicKey& device_key() const { return device_key_; }
  const cbor::Value& issuer_signed() const { return issuer_signed_; }
  // element_names returns, per namespace, the element identifiers the mdoc holds.
  std::vector<std::pair<std::string, std::vector<std::string>>> element_names() const;

  // Present returns a Document releasing `disclose` over `session_transcript`; see
  // PresentDocument.
  Result<cbor::Value> Present(const Disclosure& disclose, ByteView session_transcript,
                              const DeviceAuthOptions& auth) const;

 private:
  struct Element {
    std::string name;
    size_t index;  // into the namespace's item array
  };
  explicit HeldMdoc(crypto::PublicKey device_key) : device_key_(std::move(device_key)) {}
  cbor::Value issuer_signed_;
  std::string doc_type_;
  crypto::PublicKey device_key_;  // from the MSO
  std::vector<std::pair<std::string, std::vector<Element>>> elements_;
};

// PresentDocument returns a Document {docType, issuerSigned, deviceSigned} releasing the
// `disclose` elements of the stored `issuer_signed` (a decoded IssuerSigned), authenticated over
// `session_transcript` (the encoded SessionTranscript). kMalformed if the stored structure is not
// an IssuerSigned; kNotFound if an element is not in it; kInvalidArgument for an empty disclosure
// or a missing device key; kInvalidKey if the device key is not the one in the MSO.
Result<cbor::Value> PresentDocument(const cbor::Value& issuer_signed, const Disclosure& disclose,
                                    ByteView session_transcript, const DeviceAuthOptions& auth);

// BuildDeviceResponse returns the encoded DeviceResponse {"version": "1.0", "documents": [...],
// "status": 0} for the given documents.
Bytes BuildDeviceResponse(std::vector<cbor::Value> documents);

}  // namespace bonafide::mdoc

#endif  // BONAFIDE_MDOC_HOLDER_H_
