#include "cli/status_check.h"

#include "base/encoding.h"
#include "jose/jws.h"
#include "status/status_list_token.h"

namespace bonafide::cli {
namespace {

// KeyFromX5c validates the token's own x5c chain against `anchors`.
Result<crypto::PublicKey> KeyFromX5c(const std::string& token, const std::vector<crypto::Certificate>& anchors,
                                     const Clock& clock) {
  ASSIGN_OR_RETURN(jose::UnverifiedJws jws, jose::UnverifiedJws::Parse(token));
  const Json* x5c = Find(jws.unverified_header(), "x5c");
  if (x5c == nullptr || !x5c->is_array() || x5c->empty() || anchors.empty()) {
    return Error(StatusCode::kInvalidArgument, "no key to verify the status list (give --status-key)");
  }
  std::vector<crypto::Certificate> chain;
  for (const Json& c : *x5c) {
    if (!c.is_string()) return Error(StatusCode::kMalformed, "x5c entry is not a string");
    auto der = Base64Decode(c.get_ref<const std::string&>());
    if (!der.ok()) return Error(StatusCode::kMalformed, "x5c entry is not base64");
    ASSIGN_OR_RETURN(crypto::Certificate cert, crypto::Certificate::FromDer(*der));
    chain.push_back(std::move(cert));
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
    status::StatusListTokenVerifier verifier(*verify_key, clock);
    verifier.ExpectSubject(ref->uri);
    auto list = verifier.Verify(token);
    if (!list.ok()) return Status(list.status().code(), "status list token: " + list.status().message());
    return status::CheckStatus(list->status_list(), ref->idx);
  };
}

}  // namespace bonafide::cli
