// SD-JWT issuance (RFC 9901 sections 4 and 5).
#include <algorithm>

#include "base/encoding.h"
#include "jose/jws.h"
#include "sdjwt/internal.h"
#include "sdjwt/sdjwt.h"

namespace bonafide::sdjwt {
namespace {

struct IssueCtx {
  const IssueOptions& options;
  Random& random;
  std::vector<bool> matched;  // per options.disclosable entry
  std::vector<Disclosure> disclosures;
};

bool Disclosable(const ClaimPath& path, IssueCtx& ctx) {
  // Claims that must stay visible stay visible whole: nothing inside cnf or status is hidden.
  const auto& comps = path.components();
  if (!comps.empty() && std::holds_alternative<std::string>(comps[0])) {
    const std::string& name = std::get<std::string>(comps[0]);
    for (const auto& n : ctx.options.never_disclosable) if (n == name) return false;
  }
  bool hit = false;
  for (size_t i = 0; i < ctx.options.disclosable.size(); ++i) {
    if (internal::PathsEqual(ctx.options.disclosable[i], path)) {
      ctx.matched[i] = true;
      hit = true;
    }
  }
  return hit || ctx.options.all_disclosable;
}

void AddDecoys(Json& sd, IssueCtx& ctx) {
  uint64_t n = ctx.random.Uniform(ctx.options.max_decoys + 1);
  for (uint64_t i = 0; i < n; ++i) {
    std::string salt = Base64UrlEncode(ctx.random.Generate(16));
    sd.push_back(Base64UrlEncode(crypto::Digest(ctx.options.hash_alg, AsBytes(salt))));
  }
}

Result<Json> Build(const Json& value, const ClaimPath& path, IssueCtx& ctx) {
  if (value.is_object()) {
    Json out = Json::object();
    Json sd = Json::array();
    for (const auto& [name, member] : value.items()) {
      if (name == "_sd" || name == "..." || name == "_sd_alg") {
        return Error(StatusCode::kInvalidArgument, "claim name \"" + name + "\" is reserved by SD-JWT");
      }
      ClaimPath child = path.Child(name);
      ASSIGN_OR_RETURN(Json built, Build(member, child, ctx));
      if (Disclosable(child, ctx)) {
        Disclosure d = MakeDisclosure(ctx.random, name, built, ctx.options.hash_alg);
        sd.push_back(d.digest);
        ctx.disclosures.push_back(std::move(d));
      } else {
        out[name] = std::move(built);
      }
    }
    if (!sd.empty()) {
      AddDecoys(sd, ctx);
      // Sorted, so the order of digests reveals nothing about the order of claims.
      std::sort(sd.begin(), sd.end());
      out["_sd"] = std::move(sd);
    }
    return out;
  }
  if (value.is_array()) {
    Json out = Json::array();
    for (size_t i = 0; i < value.size(); ++i) {
      ClaimPath child = path.Child(i);
      ASSIGN_OR_RETURN(Json built, Build(value[i], child, ctx));
      if (Disclosable(child, ctx)) {
        Disclosure d = MakeDisclosure(ctx.random, std::nullopt, built, ctx.options.hash_alg);
        out.push_back(Json{{"...", d.digest}});
        ctx.disclosures.push_back(std::move(d));
      } else {
        out.push_back(std::move(built));
      }
    }
    return out;
  }
  return value;
}

}  // namespace

Result<std::string> IssueSdJwt(const Json& claims, const Json& header, const IssueOptions& options,
                               const crypto::Signer& signer, Random& random) {
  if (!claims.is_object()) return Error(StatusCode::kInvalidArgument, "claims must be a JSON object");
  for (const ClaimPath& p : options.disclosable) {
    const auto& comps = p.components();
    if (comps.size() == 1 && std::holds_alternative<std::string>(comps[0])) {
      for (const auto& n : options.never_disclosable) {
        if (n == std::get<std::string>(comps[0])) {
          return Error(StatusCode::kInvalidArgument, "claim \"" + n + "\" must not be selectively disclosable");
        }
      }
    }
  }
  IssueCtx ctx{options, random, std::vector<bool>(options.disclosable.size(), false), {}};
  ASSIGN_OR_RETURN(Json payload, Build(claims, ClaimPath(), ctx));
  for (size_t i = 0; i < ctx.matched.size(); ++i) {
    if (!ctx.matched[i]) {
      return Error(StatusCode::kInvalidArgument,
                   "disclosable path \"" + options.disclosable[i].ToString() + "\" is not in the claims");
    }
  }
  payload["_sd_alg"] = std::string(crypto::HashAlgName(options.hash_alg));
  ASSIGN_OR_RETURN(std::string jwt, jose::SignJwt(header, payload, signer));
  std::string out = std::move(jwt);
  out.push_back('~');
  for (const Disclosure& d : ctx.disclosures) {
    out += d.encoded;
    out.push_back('~');
  }
  return out;
}

}  // namespace bonafide::sdjwt
