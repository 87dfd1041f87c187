// fuzz_oid4vp_response: oid4vp::ParseAuthorizationResponse on arbitrary bytes, then the vp_token
// structure checks of VerifyPresentations.
//
// The first input byte picks the expected Response Mode (even: direct_post, odd:
// direct_post.jwt); the rest is the POST body. direct_post.jwt responses are decrypted with a fixed
// P-256 key (kid "enc-1", generated for this target only), the one the seeds were encrypted to.
// Invariants: failures carry one of the codes response.h documents; a parsed response has exactly
// one of vp_token (a JSON object) and error; an encrypted one only in direct_post.jwt mode; the
// vp_token checks of VerifyPresentations (no trust configured, so no presentation verifies)
// fail only with documented codes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_common.h"
#include "base/clock.h"
#include "oid4vp/presentation.h"
#include "oid4vp/response.h"

namespace {

using bonafide::Json;
using bonafide::StatusCode;
using bonafide::fuzz::Check;
namespace oid4vp = bonafide::oid4vp;

const bonafide::crypto::PrivateKey& DecryptionKey() {
  static const bonafide::crypto::PrivateKey key = [] {
    auto k = bonafide::crypto::PrivateKey::FromJwk(Json{{"kty", "EC"},
                                                        {"crv", "P-256"},
                                                        {"x", "22l2w4XXq3vf-iQE3d-q6NEyMqgY7SAga__k65toJTw"},
                                                        {"y", "CNF9GNKmXGvYRNClVmz8fLjNlindqfNEXaGjFp4UXDs"},
                                                        {"d", "3NeNhA63tKwVUAuN6bsQZ1wI4xheeJTIBng4crhY26Q"}});
    Check(k.ok(), "fixed decryption key loads");
    return *k;
  }();
  return key;
}

const oid4vp::DcqlQuery& Query() {
  static const oid4vp::DcqlQuery query = [] {
    auto q = oid4vp::ParseDcqlQueryText(R"({"credentials": [
      {"id": "pid", "format": "dc+sd-jwt", "meta": {"vct_values": ["https://credentials.gov.uk/digital-id"]},
       "claims": [{"path": ["given_name"]}]},
      {"id": "mdl", "format": "mso_mdoc", "multiple": true, "meta": {"doctype_value": "org.iso.18013.5.1.mDL"}}],
      "credential_sets": [{"options": [["pid"], ["mdl"]]}]})");
    Check(q.ok(), "fixed query parses");
    return *q;
  }();
  return query;
}

bool ParseCodeAllowed(StatusCode c) {
  switch (c) {
    case StatusCode::kLimitExceeded:
    case StatusCode::kMalformed:
    case StatusCode::kInvalidType:
    case StatusCode::kInvalidKey:
    case StatusCode::kInvalidSignature:
    case StatusCode::kUnsupportedAlgorithm:
    case StatusCode::kUnknownCritical:
    case StatusCode::kNonceMismatch:
      return true;
    default:
      return false;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const bonafide::FixedClock clock(1795694400);
  const bool jwt = (data[0] & 1) != 0;
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);

  oid4vp::ResponseParseOptions options;
  options.expected_mode = jwt ? oid4vp::ResponseMode::kDirectPostJwt : oid4vp::ResponseMode::kDirectPost;
  options.decryption_key = &DecryptionKey();
  options.expected_kid = "enc-1";
  auto parsed = oid4vp::ParseAuthorizationResponse(body, oid4vp::kFormContentType, options);
  if (!parsed.ok()) {
    Check(ParseCodeAllowed(parsed.status().code()), "ParseAuthorizationResponse fails with a documented code");
    return 0;
  }
  Check(parsed->vp_token.has_value() != parsed->error.has_value(), "exactly one of vp_token and error");
  Check(!parsed->encrypted || jwt, "encrypted only in direct_post.jwt mode");
  if (!parsed->vp_token) return 0;
  Check(parsed->vp_token->is_object(), "vp_token is an object");

  oid4vp::VerificationContext context;
  context.binding = {.client_id = "x509_san_dns:verifier.example.gov.uk",
                     .nonce = "Zt4qX7cV1bN9mL2kP8sD3f",
                     .response_uri = "https://verifier.example.gov.uk/oid4vp/response",
                     .encryption_jwk_thumbprint = std::nullopt};
  context.clock = &clock;
  auto verified = oid4vp::VerifyPresentations(*parsed->vp_token, Query(), context);
  Check(!verified.ok(), "nothing verifies without trust");
  const StatusCode c = verified.status().code();
  Check(c == StatusCode::kMalformed || c == StatusCode::kNotFound || c == StatusCode::kInvalidArgument,
        "vp_token checks fail with a documented code");
  return 0;
}
