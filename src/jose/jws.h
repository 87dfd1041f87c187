// jose/jws.h: JWS compact serialization (RFC 7515) with the key deciding the algorithm.
//
// Parsing yields an UnverifiedJws whose header and payload must not be trusted. VerifyJws checks
// it against a key and yields a VerifiedJws, which only the verifier can construct. Rules:
// `alg` must be present, on the allow-list (ES256, ES384, EdDSA; never `none` or HMAC) and equal
// to the key's own algorithm; a `crit` header naming anything not in the caller's understood set
// is rejected (RFC 7515 section 4.1.11); the header must be a JSON object without duplicate keys.
//
// Thread safety: pure functions; types are values.
#ifndef BONAFIDE_JOSE_JWS_H_
#define BONAFIDE_JOSE_JWS_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/json.h"
#include "base/status.h"
#include "crypto/keys.h"
#include "crypto/x509.h"

namespace bonafide::jose {

// UnverifiedJws is a parsed, unverified compact JWS. It owns copies of everything it needs, so
// the parsed string may go away.
class UnverifiedJws {
 public:
  // Parse splits and decodes `compact` (three base64url parts, strict). kMalformed on any
  // structural problem; the header must be a JSON object with a string `alg`.
  static Result<UnverifiedJws> Parse(std::string_view compact);

  const Json& unverified_header() const { return header_; }
  const Bytes& unverified_payload() const { return payload_; }
  std::string_view signing_input() const { return signing_input_; }  // header.payload as received
  const Bytes& signature() const { return signature_; }
  const std::string& alg() const { return alg_; }
  // typ returns the header typ or "" when absent.
  std::string typ() const;

 private:
  Json header_;
  Bytes payload_;
  std::string signing_input_;
  Bytes signature_;
  std::string alg_;
};

// VerifiedJws holds a header and payload whose signature has been checked.
class VerifiedJws {
 public:
  const Json& header() const { return header_; }
  const Bytes& payload() const { return payload_; }

 private:
  friend Result<VerifiedJws> VerifyJws(const UnverifiedJws&, const crypto::PublicKey&,
                                       const std::vector<std::string>&);
  VerifiedJws(Json header, Bytes payload) : header_(std::move(header)), payload_(std::move(payload)) {}
  Json header_;
  Bytes payload_;
};

// CheckAlgForKey returns OK if the JWS header alg is allowed and matches `key`:
// kUnsupportedAlgorithm for none/HMAC/unknown, kAlgorithmMismatch for a different allowed alg.
Status CheckAlgForKey(std::string_view alg, const crypto::PublicKey& key);

// VerifyJws verifies `jws` with `key`. `understood_crit` lists the header parameters the caller
// processes and may appear in `crit`. Returns kUnsupportedAlgorithm, kAlgorithmMismatch,
// kUnknownCritical, kMalformed or kInvalidSignature on failure.
Result<VerifiedJws> VerifyJws(const UnverifiedJws& jws, const crypto::PublicKey& key,
                              const std::vector<std::string>& understood_crit = {});

// ParseX5c reads the `x5c` header (RFC 7515 section 4.1.6: standard base64 DER certificates,
// the signer's first). Returns an empty chain when the header has no x5c, kMalformed when it is
// not a non-empty array of at most `max_chain` certificates.
Result<std::vector<crypto::Certificate>> ParseX5c(const Json& header, size_t max_chain = 8);

// SignJws returns a compact JWS over `payload`. `header` supplies extra members (typ, kid, x5c,
// ...); `alg` is always set from `signer` and overrides any value given.
Result<std::string> SignJws(Json header, ByteView payload, const crypto::Signer& signer);

// SignJwt is SignJws over the compact JSON serialisation of `claims`.
Result<std::string> SignJwt(Json header, const Json& claims, const crypto::Signer& signer);

}  // namespace bonafide::jose

#endif  // BONAFIDE_JOSE_JWS_H_
