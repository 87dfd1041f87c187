// SD-JWT issuance (RFC 9901 sections 4 and 5).
#include <algorithm>
#include <array>

#include "base/encoding.h"
#include "jose/jws.h"
#include "sdjwt/internal.h"
#include "sdjwt/sdjwt.h"

namespace bonafide::sdjwt {
namespace {

// SaltSource hands out 16-byte salts from one bulk draw of the CSPRNG (one RAND_bytes call per
// credential instead of one per disclosure).
class SaltSource final : public Random {
 public:
  explicit SaltSource(Random& upstream) : upstream_(upstream) {}
  void Fill(std::span<uint8_t> out) override {
    if (out.size() > pool_.size()) {
      upstream_.Fill(out);
      return;
    }
    if (out.size() > pool_.size() - used_) {
      upstream_.Fill(pool_);
      used_ = 0;
    }
    std::copy_n(pool_.begin() + static_cast<std::ptrdiff_t>(used_), out.size(), out.begin());
    // Each byte is handed out once; wipe it from the pool as it leaves.
    std::fill_n(pool_.begin() + static_cast<std::ptrdiff_t>(used_), out.size(), uint8_t{0});
    used_ += out.size();
  }

 private:
  Random& upstream_;
  std::array<uint8_t, 512> pool_{};
  size_t used_ = 512;
};

struct IssueCtx {
  const IssueOptions& options;
  Random& random;
  std::vector<bool> matched;  // per options.disclosable entry
  std::vector<std::string> disclosures;  // encoded, in creation order
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

// AddDisclosure encodes a disclosure for (name, value), keeps it for output and returns its digest.
std::string AddDisclosure(const std::string* name, const Json& value, IssueCtx& ctx) {
  std::array<uint8_t, 16> salt;
  ctx.random.Fill(salt);
  std::string encoded = internal::EncodeDisclosure(Base64UrlEncode(salt), name, value);
  std::string digest = Base64UrlEncode(crypto::Digest(ctx.options.hash_alg, AsBytes(encoded)));
  ctx.disclosures.push_back(std::move(encoded));
  return digest;
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
        sd.push_back(AddDisclosure(&name, built, ctx));
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
        out.push_back(Json{{"...", AddDisclosure(nullptr, built, ctx)}});
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
  SaltSource salts(random);
  IssueCtx ctx{options, salts, std::vector<bool>(options.disclosable.size(), false), {}};
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
  for (const std::string& d : ctx.disclosures) {
    out += d;
    out.push_back('~');
  }
  return out;
}

}  // namespace bonafide::sdjwt
