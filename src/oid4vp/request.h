// oid4vp/request.h: the OpenID4VP 1.0 (final) Authorization Request as bonafide uses it: a signed
// Request Object (RFC 9101 JAR; OpenID4VP section 5) from a verifier identified by the
// `x509_san_dns` Client Identifier Prefix (section 5.9.3), passed by reference (`request_uri`,
// section 5.10 `request_uri_method`) or by value (`request`) in an `openid4vp://`,
// `mdoc-openid4vp://` or https Wallet invocation URL (section 9), asking for a `vp_token`
// (DCQL, section 6) with Response Mode `direct_post` or `direct_post.jwt` (sections 8.2, 8.3).
//
// Verifier side: CreateRequestObject signs a Request Object with the verifier's access
// certificate key; BuildRequestUri makes the invocation URL for a QR code or a link.
// Wallet side: ParseRequestUri reads the invocation URL; VerifyRequestObject checks the Request
// Object and yields a VerifiedRequest, which only it constructs.
//
// What VerifyRequestObject checks, and the code of each failure:
//   kLimitExceeded        the JWS is longer than RequestVerifyOptions::max_bytes.
//   kMalformed            not a compact JWS; payload not a JSON object; x5c not an array of
//                         base64 DER certificates; the expected client_id is not
//                         "x509_san_dns:<DNS name>"; dcql_query breaks DCQL (ParseDcqlQuery).
//   kInvalidType          JOSE typ is not "oauth-authz-req+jwt" (RFC 9101 section 10.8).
//   kUnsupportedAlgorithm alg is not on the allow-list (none, HS256, ...); no enc value offered
//                         for direct_post.jwt is one we implement.
//   kAlgorithmMismatch    alg differs from the leaf key's algorithm.
//   kUnknownCritical      a crit header (we process no JWS extensions).
//   kUntrustedIssuer      the client_id uses a prefix other than x509_san_dns (section 5.9.1:
//                         a Wallet may refuse unsupported prefixes; we support only this one).
//   kInvalidCertificate   no x5c; the leaf has no dNSName SAN equal to the client_id host.
//   kInvalidKey           the leaf key is unusable; direct_post.jwt without a usable encryption
//                         key in client_metadata.jwks (P-256, alg ECDH-ES, a kid, use enc or
//                         absent, no private members).
//   kInvalidSignature     the signature does not verify with the leaf key.
//   kAudienceMismatch     aud is not "https://self-issued.me/v2" (section 5.8, static discovery).
//   kExpired / kNotYetValid  exp passed / iat in the future (beyond the skew).
//   kInvalidClaims        client_id differs from the invocation URL's; iss present and not the
//                         client_id; exp or iat missing; response_type not vp_token;
//                         response_mode not direct_post / direct_post.jwt; redirect_uri present;
//                         response_uri missing, not https, or its host not the client_id host
//                         (5.9.3 via 8.2: response_uri must be a permitted redirect_uri, whose
//                         FQDN must match the x509_san_dns client identifier); nonce missing,
//                         shorter than kMinNonceLength, longer than kMaxNonceLength or not URL
//                         safe (5.3); state not URL safe; scope or transaction_data present (not
//                         supported: section 5.1 requires an error); client_metadata or
//                         verifier_info of the wrong shape.
//   any Status from RequestVerifyOptions::check_chain (the trust registry's chain validation).
//
// Thread safety: pure functions; VerifiedRequest is an immutable value.
#ifndef BONAFIDE_OID4VP_REQUEST_H_
#define BONAFIDE_OID4VP_REQUEST_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/json.h"
#include "base/random.h"
#include "base/status.h"
#include "crypto/keys.h"
#include "oid4vp/dcql.h"
#include "oid4vp/presentation.h"

namespace bonafide::oid4vp {

// kRequestObjectTyp is the JOSE typ of a Request Object (RFC 9101 section 10.8).
inline constexpr std::string_view kRequestObjectTyp = "oauth-authz-req+jwt";
// kSelfIssuedAudience is the Request Object `aud` under static discovery (section 5.8).
inline constexpr std::string_view kSelfIssuedAudience = "https://self-issued.me/v2";
// kX509SanDnsPrefix is the one Client Identifier Prefix supported (section 5.9.3).
inline constexpr std::string_view kX509SanDnsPrefix = "x509_san_dns";
// Nonce length bounds the wallet enforces. 16 URL-safe characters carry 96 bits when drawn at
// random as base64url; NewNonce makes 22 (128 bits). The upper bound keeps transcripts small.
inline constexpr size_t kMinNonceLength = 16;
inline constexpr size_t kMaxNonceLength = 256;

// ResponseMode is the Response Mode of the request (sections 8.2 and 8.3).
enum class ResponseMode { kDirectPost, kDirectPostJwt };

// ResponseModeName returns "direct_post" or "direct_post.jwt".
std::string_view ResponseModeName(ResponseMode mode);

// VerifierInfo is one `verifier_info` entry (section 5.1): an attestation about the verifier,
// e.g. {format "jwt", data "<registration JWT from the trust registry>"}. `data` is a string or
// an object; credential_ids, when set, are DCQL Credential Query ids.
struct VerifierInfo {
  std::string format{};
  Json data{};
  std::optional<std::vector<std::string>> credential_ids{};
};

// NewNonce returns a fresh nonce: 16 random bytes as base64url (22 URL-safe characters).
std::string NewNonce(Random& random);

// RequestParams is what a verifier puts in one Request Object.
struct RequestParams {
  std::string host{};  // the access certificate's dNSName; client_id is "x509_san_dns:" + host
  ResponseMode response_mode = ResponseMode::kDirectPostJwt;
  std::string response_uri{};  // https, on `host`
  std::string nonce{};         // NewNonce(); URL-safe, kMinNonceLength..kMaxNonceLength
  std::optional<std::string> state{};  // URL-safe when set
  DcqlQuery dcql_query{};
  // direct_post.jwt only: the ephemeral P-256 public key for response encryption and its kid.
  std::optional<crypto::PublicKey> encryption_key{};
  std::string encryption_kid{};
  // encrypted_response_enc_values_supported (direct_post.jwt only).
  std::vector<std::string> enc_values = {"A256GCM", "A128GCM"};
  // vp_formats_supported; when null, ES256 entries for every format the query names.
  Json vp_formats_supported{};
  std::vector<VerifierInfo> verifier_info{};  // left out when empty
  int64_t lifetime_seconds = 300;             // exp = iat + lifetime; 1 s .. 1 hour
};

// CreateRequestObject returns the compact JWS Request Object for `params`, signed by
// `access_key` whose certificate chain (DER, leaf first) is `x5c_der`, with iat = now. Header
// {alg, typ oauth-authz-req+jwt, x5c}; claims client_id, response_type vp_token, response_mode,
// response_uri, nonce, state, dcql_query, client_metadata {jwks (direct_post.jwt),
// encrypted_response_enc_values_supported (direct_post.jwt), vp_formats_supported},
// verifier_info, aud, iat, exp. kInvalidArgument when a parameter breaks a rule above (host not
// a DNS name, response_uri not https on host, bad nonce or state, invalid DCQL query, missing
// encryption key or kid for direct_post.jwt, empty chain, the leaf not naming `host` or not
// holding `access_key`'s public key); the signer's error otherwise.
Result<std::string> CreateRequestObject(const RequestParams& params, const crypto::Signer& access_key,
                                        const std::vector<Bytes>& x5c_der, const Clock& clock);

// AccessChain is an access certificate chain (DER, leaf first) whose leaf has been parsed and
// matched to the access key once, by CheckAccessChain: a verifier signs a Request Object per
// session, and parsing the chain again each time costs more than the signature. Immutable; safe
// to share across threads.
class AccessChain {
 public:
  const std::vector<Bytes>& der() const { return der_; }
  // x5c is the chain as a JWS x5c header value (standard base64 of each DER), encoded once.
  const Json& x5c() const { return x5c_; }
  // dns_names are the leaf's subjectAltName dNSName entries.
  const std::vector<std::string>& dns_names() const { return dns_names_; }
  // key is the leaf's public key (equal to the access key's).
  const crypto::PublicKey& key() const { return key_; }

 private:
  friend Result<AccessChain> CheckAccessChain(std::vector<Bytes> x5c_der, const crypto::PublicKey& access_key);
  AccessChain(std::vector<Bytes> der, Json x5c, std::vector<std::string> dns_names, crypto::PublicKey key)
      : der_(std::move(der)), x5c_(std::move(x5c)), dns_names_(std::move(dns_names)), key_(std::move(key)) {}
  std::vector<Bytes> der_;
  Json x5c_;
  std::vector<std::string> dns_names_;
  crypto::PublicKey key_;
};

// CheckAccessChain parses the leaf of `x5c_der` and checks it holds `access_key`.
// kInvalidArgument for an empty chain, a leaf that does not parse, or another key.
Result<AccessChain> CheckAccessChain(std::vector<Bytes> x5c_der, const crypto::PublicKey& access_key);

// CreateRequestObject (checked chain) is CreateRequestObject above with the chain checked once by
// CheckAccessChain: the same Request Object and the same errors (kInvalidArgument when the
// leaf does not name `host`, or `access_key` is not the chain's key).
Result<std::string> CreateRequestObject(const RequestParams& params, const crypto::Signer& access_key,
                                        const AccessChain& chain, const Clock& clock);

// RequestUriMethod is `request_uri_method` (section 5.1).
enum class RequestUriMethod { kGet, kPost };

// WalletInvocation is the content of a Wallet invocation URL: client_id and either request_uri
// (with an optional request_uri_method) or a by-value `request` JWT.
struct WalletInvocation {
  std::string client_id{};
  std::optional<std::string> request_uri{};
  std::optional<RequestUriMethod> request_uri_method{};
  std::optional<std::string> request{};
};

// BuildRequestUri returns `base` + "?client_id=...&request_uri=...[&request_uri_method=post]"
// (or "&request=..."), every value percent-encoded. `base` is "openid4vp://",
// "mdoc-openid4vp://" or an https URL without query or fragment (a Wallet's universal link).
// kInvalidArgument for another base, an empty client_id, or not exactly one of request_uri and
// request, or a method without request_uri.
Result<std::string> BuildRequestUri(std::string_view base, const WalletInvocation& invocation);

// RequestUriOptions bounds ParseRequestUri.
struct RequestUriOptions {
  size_t max_bytes = 64 * 1024;  // kLimitExceeded above
  // Accept http request_uri values on localhost / 127.0.0.1 / [::1]. Tests only.
  bool insecure_allow_http_loopback = false;
};

// ParseRequestUri reads a Wallet invocation URL with scheme openid4vp, mdoc-openid4vp or https.
// kLimitExceeded over options.max_bytes; kMalformed for another scheme, a fragment, a malformed
// or repeated query parameter, a missing client_id, both or neither of request and request_uri,
// a request_uri_method without request_uri or other than "get" / "post" (section 5.1
// invalid_request_uri_method), a request_uri that is not https, and for an unsigned request
// (request parameters such as response_type or dcql_query in the URL itself): an x509_san_dns
// client can only be authenticated by a signed Request Object (section 5.9.3), so parameters
// outside one are refused rather than ignored.
Result<WalletInvocation> ParseRequestUri(std::string_view text, const RequestUriOptions& options = {});

// RequestVerifyOptions configures VerifyRequestObject.
struct RequestVerifyOptions {
  const Clock* clock = nullptr;  // required (kInvalidArgument without)
  std::vector<crypto::SignatureAlg> allowed_algs = {crypto::SignatureAlg::kES256, crypto::SignatureAlg::kES384};
  int64_t max_skew_seconds = 60;
  size_t max_bytes = 256 * 1024;
  DcqlLimits dcql_limits{};
  // check_chain, when set, is called with the x5c chain (DER, leaf first) and the client_id host
  // after the signature verified; any error it returns is returned. Chain validation to a trust
  // anchor is the trust registry's (src/registry) job: without this hook the chain is NOT
  // validated here, and the caller must validate VerifiedRequest::x5c() itself.
  std::function<Status(const std::vector<Bytes>& x5c_der, std::string_view host)> check_chain{};
  // Accept http response_uri values on localhost / 127.0.0.1 / [::1]. Tests only.
  bool insecure_allow_http_loopback = false;
};

// VerifiedRequest is a Request Object that passed VerifyRequestObject. Only VerifyRequestObject
// constructs it.
class VerifiedRequest {
 public:
  const std::string& client_id() const { return client_id_; }  // "x509_san_dns:<host>"
  const std::string& host() const { return host_; }
  ResponseMode response_mode() const { return response_mode_; }
  const std::string& response_uri() const { return response_uri_; }
  const std::string& nonce() const { return nonce_; }
  const std::optional<std::string>& state() const { return state_; }
  const DcqlQuery& dcql_query() const { return dcql_query_; }
  // encryption_key / encryption_kid / encryption_jwk_thumbprint: the key chosen from
  // client_metadata.jwks for direct_post.jwt (nullopt / empty for direct_post).
  const std::optional<crypto::PublicKey>& encryption_key() const { return encryption_key_; }
  const std::string& encryption_kid() const { return encryption_kid_; }
  // encryption_jwk_thumbprint: RFC 7638 SHA-256 thumbprint, raw 32 bytes (B.2.6.1 handover).
  const std::optional<Bytes>& encryption_jwk_thumbprint() const { return encryption_jwk_thumbprint_; }
  // accepted_enc: encrypted_response_enc_values_supported (default ["A128GCM"], section 8.3);
  // enc: the one EncryptResponse uses (A256GCM if offered, else A128GCM).
  const std::vector<std::string>& accepted_enc() const { return accepted_enc_; }
  const std::string& enc() const { return enc_; }
  const Json& vp_formats_supported() const { return vp_formats_supported_; }  // null if absent
  const std::vector<VerifierInfo>& verifier_info() const { return verifier_info_; }
  const Bytes& leaf_certificate() const { return x5c_.front(); }
  const std::vector<Bytes>& x5c() const { return x5c_; }  // DER, leaf first, not validated here
  int64_t issued_at() const { return issued_at_; }
  int64_t expires_at() const { return expires_at_; }
  const Json& claims() const { return claims_; }  // the whole verified payload

  // binding returns what every presentation of the response must be bound to.
  PresentationBinding binding() const;

 private:
  friend Result<VerifiedRequest> VerifyRequestObject(std::string_view, std::string_view,
                                                     const RequestVerifyOptions&);
  VerifiedRequest() = default;
  std::string client_id_;
  std::string host_;
  ResponseMode response_mode_ = ResponseMode::kDirectPost;
  std::string response_uri_;
  std::string nonce_;
  std::optional<std::string> state_;
  DcqlQuery dcql_query_;
  std::optional<crypto::PublicKey> encryption_key_;
  std::string encryption_kid_;
  std::optional<Bytes> encryption_jwk_thumbprint_;
  std::vector<std::string> accepted_enc_;
  std::string enc_;
  Json vp_formats_supported_;
  std::vector<VerifierInfo> verifier_info_;
  std::vector<Bytes> x5c_;
  int64_t issued_at_ = 0;
  int64_t expires_at_ = 0;
  Json claims_;
};

// VerifyRequestObject verifies the compact JWS Request Object `jws` fetched from (or carried by)
// the invocation URL whose client_id was `expected_client_id`. The checks and error codes are
// listed at the top of this file.
Result<VerifiedRequest> VerifyRequestObject(std::string_view jws, std::string_view expected_client_id,
                                            const RequestVerifyOptions& options);

}  // namespace bonafide::oid4vp

#endif  // BONAFIDE_OID4VP_REQUEST_H_
