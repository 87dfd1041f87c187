// fuzz_oid4vp_request: oid4vp::VerifyRequestObject and ParseRequestUri on arbitrary bytes.
//
// The input is tried as a Request Object (compact JWS) from client_id
// "x509_san_dns:verifier.example.gov.uk" at a fixed time (the seeds' iat, 2026-11-26T12:00:00Z),
// and as a Wallet invocation URL. No chain validation runs here, so a seed whose x5c leaf signed
// it reaches every check behind the signature.
// Invariants: failures carry one of the codes request.h documents; a verified request has the
// expected client_id, a URL-safe nonce within the length bounds, an https response_uri, a parsed
// DCQL query that validates, an encryption key with kid and a 32-byte thumbprint exactly when the
// mode is direct_post.jwt, and an enc it implements; a parsed invocation has a client_id and
// exactly one of request_uri and request, and rebuilds into a URL that parses back equal.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_common.h"
#include "base/clock.h"
#include "oid4vp/request.h"

namespace {

using bonafide::StatusCode;
using bonafide::fuzz::Check;
namespace oid4vp = bonafide::oid4vp;

constexpr char kClientId[] = "x509_san_dns:verifier.example.gov.uk";

bool RequestCodeAllowed(StatusCode c) {
  switch (c) {
    case StatusCode::kLimitExceeded:
    case StatusCode::kMalformed:
    case StatusCode::kInvalidType:
    case StatusCode::kUnsupportedAlgorithm:
    case StatusCode::kAlgorithmMismatch:
    case StatusCode::kUnknownCritical:
    case StatusCode::kUntrustedIssuer:
    case StatusCode::kInvalidCertificate:
    case StatusCode::kInvalidKey:
    case StatusCode::kInvalidSignature:
    case StatusCode::kAudienceMismatch:
    case StatusCode::kExpired:
    case StatusCode::kNotYetValid:
    case StatusCode::kInvalidClaims:
      return true;
    default:
      return false;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bonafide::FixedClock clock(1795694400);
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  oid4vp::RequestVerifyOptions options;
  options.clock = &clock;
  auto verified = oid4vp::VerifyRequestObject(text, kClientId, options);
  if (!verified.ok()) {
    Check(RequestCodeAllowed(verified.status().code()), "VerifyRequestObject fails with a documented code");
  } else {
    const oid4vp::VerifiedRequest& r = *verified;
    Check(r.client_id() == kClientId, "client_id is the expected one");
    Check(r.nonce().size() >= oid4vp::kMinNonceLength && r.nonce().size() <= oid4vp::kMaxNonceLength,
          "nonce length within bounds");
    Check(r.response_uri().rfind("https://", 0) == 0, "response_uri is https");
    Check(oid4vp::ValidateDcqlQuery(r.dcql_query()).ok(), "dcql_query validates");
    Check(!r.x5c().empty(), "x5c kept");
    const bool jwt = r.response_mode() == oid4vp::ResponseMode::kDirectPostJwt;
    Check(r.encryption_key().has_value() == jwt, "encryption key exactly for direct_post.jwt");
    if (jwt) {
      Check(!r.encryption_kid().empty(), "encryption kid set");
      Check(r.encryption_jwk_thumbprint() && r.encryption_jwk_thumbprint()->size() == 32, "thumbprint is 32 bytes");
      Check(r.enc() == "A256GCM" || r.enc() == "A128GCM", "enc implemented");
    }
  }

  auto invocation = oid4vp::ParseRequestUri(text);
  if (!invocation.ok()) {
    const StatusCode c = invocation.status().code();
    Check(c == StatusCode::kMalformed || c == StatusCode::kLimitExceeded, "ParseRequestUri fails with a documented code");
  } else {
    Check(!invocation->client_id.empty(), "client_id set");
    Check(invocation->request_uri.has_value() != invocation->request.has_value(), "one of request_uri and request");
    auto rebuilt = oid4vp::BuildRequestUri("openid4vp://", *invocation);
    Check(rebuilt.ok(), "a parsed invocation rebuilds");
    auto again = oid4vp::ParseRequestUri(*rebuilt);
    Check(again.ok() && again->client_id == invocation->client_id && again->request_uri == invocation->request_uri &&
              again->request == invocation->request && again->request_uri_method == invocation->request_uri_method,
          "rebuilt invocation parses back equal");
  }
  return 0;
}
