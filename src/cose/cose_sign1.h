// cose/cose_sign1.h: COSE_Sign1, the single-signer signed message of RFC 9052 (sections 4.2 and
// 4.4), with ES256, ES384 and EdDSA keys from src/crypto.
//
// VerifySign1 accepts `COSE_Sign1 = [protected: bstr, unprotected: map, payload: bstr / nil,
// signature: bstr]`, optionally wrapped in tag 18 (COSE_Sign1) and, outside that, tag 61 (CWT,
// RFC 8392 section 6). The rules, in order:
//   - input decodes as strict CBOR (cose/cbor.h: bounded size and depth, definite lengths, no
//     duplicate keys) -> kMalformed / kLimitExceeded;
//   - the protected bstr is empty or a CBOR map; unprotected is a map -> kMalformed;
//   - a label appearing in both buckets -> kMalformed (RFC 9052 section 3);
//   - alg (label 1) must be in the protected bucket: absent there -> kUnsupportedAlgorithm (the
//     key cannot be matched to an unstated algorithm, as for a JWS without alg); not an integer,
//     or not ES256/ES384/EdDSA -> kUnsupportedAlgorithm; not the key's algorithm ->
//     kAlgorithmMismatch;
//   - content type (label 3) and typ (label 16), if present in the protected bucket, are a text
//     string or a uint -> kMalformed otherwise; outside the protected bucket they are ignored;
//   - crit (label 2) present with any content -> kUnknownCritical (we process no extension);
//     present but not a non-empty array -> kMalformed;
//   - payload nil (detached) needs `detached_payload`, else kMalformed; a payload inside the
//     message together with `detached_payload` is kInvalidArgument;
//   - the signature is checked over Sig_structure = ["Signature1", protected bstr as received,
//     external_aad, payload] -> kInvalidSignature.
// Only VerifySign1 builds a VerifiedSign1.
//
// Thread safety: pure functions. Ownership: results own copies of the bytes they return.
#ifndef BONAFIDE_COSE_COSE_SIGN1_H_
#define BONAFIDE_COSE_COSE_SIGN1_H_

#include <cstdint>
#include <optional>
#include <string>

#include "base/bytes.h"
#include "base/status.h"
#include "cose/cbor.h"
#include "crypto/keys.h"

namespace bonafide::cose {

// Header labels of RFC 9052 section 3.1.
inline constexpr int64_t kHeaderAlg = 1;
inline constexpr int64_t kHeaderCrit = 2;
inline constexpr int64_t kHeaderContentType = 3;
inline constexpr int64_t kHeaderKid = 4;
// typ (RFC 9596 section 2): the media type of the whole COSE object.
inline constexpr int64_t kHeaderTyp = 16;
// CBOR tags: COSE_Sign1 (RFC 9052 section 2) and CWT (RFC 8392 section 6).
inline constexpr uint64_t kTagCoseSign1 = 18;
inline constexpr uint64_t kTagCwt = 61;

// VerifiedSign1 is a COSE_Sign1 whose signature verified. Only VerifySign1 constructs it.
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
  // payload returns the signed payload (the detached one if the message carried nil).
  const Bytes& payload() const { return payload_; }

 private:
  friend Result<VerifiedSign1> VerifySign1(ByteView, const crypto::PublicKey&, ByteView, std::optional<ByteView>);
  VerifiedSign1() = default;
  Bytes protected_header_;
  crypto::SignatureAlg alg_ = crypto::SignatureAlg::kES256;
  std::optional<std::string> content_type_;
  std::optional<uint64_t> content_format_;
  std::optional<std::string> typ_;
  std::optional<uint64_t> typ_format_;
  std::optional<Bytes> kid_;
  Bytes payload_;
};

// VerifySign1 verifies the COSE_Sign1 `cose` with `key`, as described above; errors as listed
// there.
Result<VerifiedSign1> VerifySign1(ByteView cose, const crypto::PublicKey& key, ByteView external_aad = {},
                                  std::optional<ByteView> detached_payload = std::nullopt);

// Sign1Headers are the header parameters SignSign1 writes besides alg.
struct Sign1Headers {
  std::optional<std::string> content_type;  // protected label 3, as a text string
  std::optional<std::string> typ;           // protected label 16, as a text string
  std::optional<Bytes> kid;                 // unprotected label 4
};

// SignSign1 returns a tag-18 COSE_Sign1 of `payload` whose protected bucket is the deterministic
// map {1: alg of `signer`, 3?: content_type,
// 16?: typ}. kInternal if encoding or signing fails.
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
