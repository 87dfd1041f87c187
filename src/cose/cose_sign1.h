// cose/cose_sign1.h: COSE_Sign1, the single-signer signed message of RFC 9052 (sections 4.2 and
// 4.4), with ES256, ES384 and EdDSA (Ed25519) keys from src/crypto, attached or detached payloads
// and the x5chain header of RFC 9360 (label 33).
//
// A COSE_Sign1 is `[protected: bstr, unprotected: map, payload: bstr / nil, signature: bstr]`,
// optionally wrapped in tag 18 and, outside that, tag 61 (CWT, RFC 8392 section 6); 18013-5 sends
// it untagged. UnverifiedSign1::Parse checks, in order:
//   - strict CBOR (cbor/cbor.h) -> kMalformed / kLimitExceeded; another outer tag -> kMalformed;
//   - the protected bstr is empty or a CBOR map; unprotected is a map; labels are ints or text;
//     a label in both buckets -> kMalformed (RFC 9052 section 3);
//   - alg (label 1) is in the protected bucket as an integer -> kUnsupportedAlgorithm otherwise;
//   - crit (label 2) present and well formed -> kUnknownCritical (we process no extension);
//     malformed or unprotected -> kMalformed;
//   - content type (3) and typ (16) in the protected bucket are text or uint; kid (4) is a bstr;
//     x5chain (33, either bucket) is a non-empty bstr or an array of two or more bstrs -> kMalformed.
// UnverifiedSign1::Verify then checks: alg is ES256/ES384/EdDSA -> kUnsupportedAlgorithm; alg is
// the key's -> kAlgorithmMismatch; a nil payload needs `detached_payload` -> kMalformed, an
// attached one must not get one -> kInvalidArgument; the signature over Sig_structure
// ["Signature1", protected bstr as received, external_aad, payload] -> kInvalidSignature.
// Only a verification builds a VerifiedSign1.
//
// Thread safety: values and pure functions. Ownership: results own copies of their bytes.
#ifndef BONAFIDE_COSE_COSE_SIGN1_H_
#define BONAFIDE_COSE_COSE_SIGN1_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "cbor/cbor.h"
#include "crypto/keys.h"

namespace bonafide::cose {

// Header labels of RFC 9052 section 3.1.
inline constexpr int64_t kHeaderAlg = 1;
inline constexpr int64_t kHeaderCrit = 2;
inline constexpr int64_t kHeaderContentType = 3;
inline constexpr int64_t kHeaderKid = 4;
// typ (RFC 9596 section 2): the media type of the whole COSE object.
inline constexpr int64_t kHeaderTyp = 16;
// x5chain (RFC 9360 section 2): the signer's certificate, then the certificates up the chain.
inline constexpr int64_t kHeaderX5Chain = 33;
// CBOR tags: COSE_Sign1 and COSE_Mac0 (RFC 9052 section 2) and CWT (RFC 8392 section 6).
inline constexpr uint64_t kTagCoseSign1 = 18;
inline constexpr uint64_t kTagCoseMac0 = 17;
inline constexpr uint64_t kTagCwt = 61;

// VerifiedSign1 is a COSE_Sign1 whose signature verified.
class VerifiedSign1 {
 public:
  // protected_header returns the serialized protected header bucket exactly as received.
  const Bytes& protected_header() const { return protected_header_; }
  crypto::SignatureAlg alg() const { return alg_; }
  // content_type is label 3 when it is a text string; content_format when it is a uint (a CoAP
  // Content-Format number). Read from the protected bucket only.
  const std::optional<std::string>& content_type() const { return content_type_; }
  const std::optional<uint64_t>& content_format() const { return content_format_; }
  // typ is label 16 when it is a text string; typ_format when it is a uint. Protected bucket only.
  const std::optional<std::string>& typ() const { return typ_; }
  const std::optional<uint64_t>& typ_format() const { return typ_format_; }
  // kid is label 4 from either bucket (it is not integrity-relevant: the key was chosen already).
  const std::optional<Bytes>& kid() const { return kid_; }
  // x5chain is label 33 (DER certificates, signer first), empty when absent.
  const std::vector<Bytes>& x5chain() const { return x5chain_; }
  // payload returns the signed payload (the detached one if the message carried nil).
  const Bytes& payload() const { return payload_; }

 private:
  friend class UnverifiedSign1;
  VerifiedSign1() = default;
  Bytes protected_header_;
  crypto::SignatureAlg alg_ = crypto::SignatureAlg::kES256;
  std::optional<std::string> content_type_;
  std::optional<uint64_t> content_format_;
  std::optional<std::string> typ_;
  std::optional<uint64_t> typ_format_;
  std::optional<Bytes> kid_;
  std::vector<Bytes> x5chain_;
  Bytes payload_;
};

// UnverifiedSign1 is a structurally checked COSE_Sign1 whose signature has not been checked.
// Its header values are for choosing a key (x5chain, kid) only.
class UnverifiedSign1 {
 public:
  // Parse decodes and checks `cose` as described at the top of this file.
  static Result<UnverifiedSign1> Parse(ByteView cose, const cbor::DecodeLimits& limits = {});
  // FromValue checks an already decoded COSE_Sign1 item (tags allowed as for Parse).
  static Result<UnverifiedSign1> FromValue(const cbor::Value& message);

  // alg_id is the protected alg label's value; alg is it as a supported algorithm, if it is one.
  int64_t alg_id() const { return alg_id_; }
  std::optional<crypto::SignatureAlg> alg() const;
  // x5chain returns the DER certificates of label 33 (signer first); empty when absent.
  const std::vector<Bytes>& unverified_x5chain() const { return x5chain_; }
  const std::optional<Bytes>& unverified_kid() const { return kid_; }
  // detached says the payload is nil; unverified_payload is the attached payload otherwise.
  bool detached() const { return !payload_.has_value(); }
  ByteView unverified_payload() const { return payload_ ? ByteView(*payload_) : ByteView(); }

  // Verify checks the signature with `key`; errors as listed at the top of this file.
  Result<VerifiedSign1> Verify(const crypto::PublicKey& key, ByteView external_aad = {},
                               std::optional<ByteView> detached_payload = std::nullopt) const;

 private:
  UnverifiedSign1() = default;
  Bytes protected_bytes_;
  int64_t alg_id_ = 0;
  std::optional<std::string> content_type_;
  std::optional<uint64_t> content_format_;
  std::optional<std::string> typ_;
  std::optional<uint64_t> typ_format_;
  std::optional<Bytes> kid_;
  std::vector<Bytes> x5chain_;
  std::optional<Bytes> payload_;
  Bytes signature_;
};

// VerifySign1 parses and verifies `cose` with `key` in one step; errors as listed above.
Result<VerifiedSign1> VerifySign1(ByteView cose, const crypto::PublicKey& key, ByteView external_aad = {},
                                  std::optional<ByteView> detached_payload = std::nullopt);

// Sign1Headers are the header parameters a signer writes besides alg.
struct Sign1Headers {
  std::optional<std::string> content_type;  // protected label 3, as a text string
  std::optional<std::string> typ;           // protected label 16, as a text string
  std::optional<Bytes> kid;                 // unprotected label 4
  std::vector<Bytes> x5chain;               // unprotected label 33 (one bstr, or an array if several)
};

// Sign1Form says how the message is laid out.
struct Sign1Form {
  bool tagged = true;     // wrap in tag 18 (18013-5 structures are untagged)
  bool detached = false;  // write nil for the payload (the verifier supplies it)
};

// SignSign1Value signs `payload` and returns the COSE_Sign1 item. The protected bucket is the
// deterministic map {1: alg of `signer`, 3?: content_type, 16?: typ}. kInternal if signing fails.
Result<cbor::Value> SignSign1Value(const Sign1Headers& headers, ByteView payload, const crypto::Signer& signer,
                                   ByteView external_aad = {}, Sign1Form form = {});

// SignSign1 returns SignSign1Value encoded (tag 18, attached payload).
Result<Bytes> SignSign1(const Sign1Headers& headers, ByteView payload, const crypto::Signer& signer,
                        ByteView external_aad = {});

// InsecureSignSign1WithRawProtected returns a tag-18 COSE_Sign1 whose protected bucket is
// `protected_header` taken verbatim (not checked in any way; its alg need not match the signer)
// and whose unprotected bucket is `unprotected_header` verbatim (an encoded CBOR map; empty
// means {}). For tests and interop fixtures that need malformed or unusual headers only.
Result<Bytes> InsecureSignSign1WithRawProtected(ByteView protected_header, ByteView unprotected_header,
                                                ByteView payload, const crypto::Signer& signer);

}  // namespace bonafide::cose

#endif  // BONAFIDE_COSE_COSE_SIGN1_H_
