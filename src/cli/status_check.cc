#include "cli/status_check.h"

#include "base/encoding.h"
#include "jose/jws.h"
#include "status/status_check.h"
#include "status/status_list_token.h"

namespace bonafide::cli {
namespace {

// KeyFromX5c validates the token's own x5c chain against `anchors`.
Result<crypto::PublicKey> KeyFromX5c(const std::string& token, const std::vector<crypto::Certificate>& anchors,
                                     const Clock& clock) {
  ASSIGN_OR_RETURN(jose::UnverifiedJws jws, jose::UnverifiedJws::Parse(token));
  ASSIGN_OR_RETURN(std::vector<crypto::Certificate> chain, jose::ParseX5c(jws.unverified_header()));
  if (chain.empty() || anchors.empty()) {
    return Error(StatusCode::kInvalidArgument, "no key to verify the status list (give --status-key)");
  }
  return crypto::VerifyChain(chain, anchors, clock.NowSeconds());
}

}  // namespace

std::function<Status(const Json&)> TokenStatusChecker(std::string token, std::optional<crypto::PublicKey> key,
                                                      std::vector<crypto::Certificate> anchors,
                                                      const Clock& clock) {
  return [token = std::move(token), key = std::move(key), anchors = std::move(anchors),
          &clock](const Json& status_claim) -> Status {
    auto ref = status::StatusReference::FromStatusClaim(status_claim);
    if (!ref.ok()) return Status(StatusCode::kMalformed, "status claim: " + ref.status().message());
    Result<crypto::PublicKey> verify_key = key ? Result<crypto::PublicKey>(*key) : KeyFromX5c(token, anchors, clock);
    if (!verify_key.ok()) return verify_key.status();
    return status::CheckStatusWithToken(AsBytes(token), *verify_key, clock, *ref);
  };
}

}  // namespace bonafide::cli
