// SD-JWT issuance (RFC 9901 sections 4 and 5).
#include <algorithm>
#include <array>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/encoding.h"
#include "jose/jws.h"
#include "sdjwt/internal/sdjwt_internal.h"
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
  const Json::object_t* extra_top_level = nullptr;  // members added to the top-level object
  // Worked out once per credential from the options (Index): the top-level names kept clear
  // (options.never_disclosable and the caller's forced_clear), sorted; the one-component paths
  // as (member name, entry in options.disclosable), sorted by name; and the entries of the
  // longer paths.
  std::vector<std::string_view> clear;
  std::vector<std::pair<std::string_view, size_t>> top;
  std::vector<size_t> deep;
  std::vector<std::string> numbers;  // the names of one-component paths given as a number
};

void Index(IssueCtx& ctx, std::span<const char* const> forced_clear) {
  for (const std::string& n : ctx.options.never_disclosable) ctx.clear.emplace_back(n);
  for (const char* n : forced_clear) ctx.clear.emplace_back(n);
  std::sort(ctx.clear.begin(), ctx.clear.end());
  ctx.numbers.reserve(ctx.options.disclosable.size());  // never reallocated: `top` views them
  for (size_t i = 0; i < ctx.options.disclosable.size(); ++i) {
    const auto& want = ctx.options.disclosable[i].components();
    if (want.size() != 1) {
      ctx.deep.push_back(i);
    } else if (const auto* name = std::get_if<std::string>(&want[0])) {
      ctx.top.emplace_back(*name, i);
    } else {
      // A number matches the member of that name ("0").
      ctx.numbers.push_back(std::to_string(std::get<size_t>(want[0])));
      ctx.top.emplace_back(ctx.numbers.back(), i);
    }
  }
  std::sort(ctx.top.begin(), ctx.top.end());
}

bool IsClear(const IssueCtx& ctx, std::string_view top_level_name) {
  return std::binary_search(ctx.clear.begin(), ctx.clear.end(), top_level_name);
}

// Step is one component of the path being built: a member name or an array index.
struct Step {
  const std::string* name;  // nullptr for an array element
  size_t index;
};

bool StepMatches(const ClaimPath::Component& want, const Step& step) {
  if (step.name != nullptr) {
    if (const auto* n = std::get_if<std::string>(&want)) return *n == *step.name;
    return std::to_string(std::get<size_t>(want)) == *step.name;  // "0" written for a member
  }
  if (const auto* i = std::get_if<size_t>(&want)) return *i == step.index;
  return false;
}

bool Disclosable(const std::vector<Step>& path, IssueCtx& ctx) {
  // Claims that must stay visible stay visible whole: nothing inside cnf or status is hidden.
  if (!path.empty() && path[0].name != nullptr && IsClear(ctx, *path[0].name)) return false;
  bool hit = false;
  if (path.size() == 1 && path[0].name != nullptr) {
    const std::string_view name = *path[0].name;
    auto it = std::lower_bound(ctx.top.begin(), ctx.top.end(), name,
                               [](const std::pair<std::string_view, size_t>& e, std::string_view n) { return e.first < n; });
    for (; it != ctx.top.end() && it->first == name; ++it) {
      ctx.matched[it->second] = true;
      hit = true;
    }
    return hit || ctx.options.all_disclosable;
  }
  for (size_t i : ctx.deep) {
    const auto& want = ctx.options.disclosable[i].components();
    if (want.size() != path.size()) continue;
    bool equal = true;
    for (size_t k = 0; k < want.size() && equal; ++k) equal = StepMatches(want[k], path[k]);
    if (equal) {
      ctx.matched[i] = true;
      hit = true;
    }
  }
  return hit || ctx.options.all_disclosable;
}

// DigestString returns base64url(hash(text)).
std::string DigestString(crypto::HashAlg alg, std::string_view text) {
  std::array<uint8_t, crypto::kMaxDigestSize> digest;
  size_t n = crypto::DigestInto(alg, AsBytes(text), digest);
  std::string out;
  Base64UrlAppend(out, ByteView(digest.data(), n));
  return out;
}

void AddDecoys(std::vector<std::string>& sd, IssueCtx& ctx) {
  uint64_t n = ctx.random.Uniform(ctx.options.max_decoys + 1);
  for (uint64_t i = 0; i < n; ++i) {
    std::array<uint8_t, 16> salt;
    ctx.random.Fill(salt);
    std::string encoded;
    Base64UrlAppend(encoded, salt);
    sd.push_back(DigestString(ctx.options.hash_alg, encoded));
  }
}

// AddDisclosure encodes a disclosure for (name, value as JSON text), keeps it for output and
// returns its digest.
std::string AddDisclosure(const std::string* name, std::string_view value_json, IssueCtx& ctx) {
  std::array<uint8_t, 16> salt;
  ctx.random.Fill(salt);
  std::string encoded = internal::EncodeDisclosureText(salt, name, value_json);
  std::string digest = DigestString(ctx.options.hash_alg, encoded);
  ctx.disclosures.push_back(std::move(encoded));
  return digest;
}

// Build appends to `out` the JSON text of `value` with its disclosable parts replaced by digests
// (the issuer-signed payload is written directly, never built as a JSON value first). `path` is
// the location of `value`, kept as a stack of steps (no copies per node).
Status Build(const Json& value, std::vector<Step>& path, IssueCtx& ctx, std::string& out) {
  if (!value.is_object() && !value.is_array()) {
    AppendJson(out, value);
    return OkStatus();
  }
  // Verifiers parse payloads and disclosures with a nesting limit of 32 (JsonLimits); an `_sd`
  // array adds one level below its object, so containers stop at 31 to keep every credential
  // bonafide issues verifiable by bonafide.
  if (path.size() >= 31) return Error(StatusCode::kLimitExceeded, "claims nested too deeply (more than 30 levels)");
  if (value.is_object()) {
    std::vector<std::string> sd;
    bool first = true;
    auto add_member = [&](const std::string& name, const Json& member) -> Status {
      if (name == "_sd" || name == "..." || name == "_sd_alg") {
        return Error(StatusCode::kInvalidArgument, "claim name \"" + name + "\" is reserved by SD-JWT");
      }
      path.push_back(Step{&name, 0});
      if (Disclosable(path, ctx)) {
        std::string member_json;
        RETURN_IF_ERROR(Build(member, path, ctx, member_json));
        sd.push_back(AddDisclosure(&name, member_json, ctx));
      } else {
        out.push_back(first ? '{' : ',');
        first = false;
        AppendJsonString(out, name);
        out.push_back(':');
        RETURN_IF_ERROR(Build(member, path, ctx, out));
      }
      path.pop_back();
      return OkStatus();
    };
    for (const auto& [name, member] : value.get_ref<const Json::object_t&>()) RETURN_IF_ERROR(add_member(name, member));
    const bool top = path.empty();
    if (top && ctx.extra_top_level != nullptr) {
      for (const auto& [name, member] : *ctx.extra_top_level) {
        if (value.contains(name)) return Error(StatusCode::kInvalidArgument, "claim \"" + name + "\" is set by the issuer");
        RETURN_IF_ERROR(add_member(name, member));
      }
    }
    if (!sd.empty()) {
      AddDecoys(sd, ctx);
      // Sorted, so the order of digests reveals nothing about the order of claims.
      std::sort(sd.begin(), sd.end());
      out += first ? "{\"_sd\":[" : ",\"_sd\":[";
      first = false;
      for (size_t i = 0; i < sd.size(); ++i) {
        if (i > 0) out.push_back(',');
        out.push_back('"');
        out += sd[i];  // base64url: nothing to escape
        out.push_back('"');
      }
      out.push_back(']');
    }
    if (top) {
      out += first ? "{\"_sd_alg\":" : ",\"_sd_alg\":";
      first = false;
      AppendJsonString(out, crypto::HashAlgName(ctx.options.hash_alg));
    }
    out += first ? "{}" : "}";
    return OkStatus();
  }
  out.push_back('[');
  const auto& elements = value.get_ref<const Json::array_t&>();
  for (size_t i = 0; i < elements.size(); ++i) {
    if (i > 0) out.push_back(',');
    path.push_back(Step{nullptr, i});
    if (Disclosable(path, ctx)) {
      std::string element_json;
      RETURN_IF_ERROR(Build(elements[i], path, ctx, element_json));
      out += "{\"...\":\"";
      out += AddDisclosure(nullptr, element_json, ctx);
      out += "\"}";
    } else {
      RETURN_IF_ERROR(Build(elements[i], path, ctx, out));
    }
    path.pop_back();
  }
  out.push_back(']');
  return OkStatus();
}

}  // namespace

Result<std::string> IssueSdJwt(const Json& claims, const Json& header, const IssueOptions& options,
                               const crypto::Signer& signer, Random& random) {
  return internal::IssueSdJwtWith(claims, nullptr, {}, header, options, signer, random);
}

namespace internal {

Result<std::string> IssueSdJwtWith(const Json& claims, const Json* extra_top_level,
                                   std::span<const char* const> forced_clear, const Json& header,
                                   const IssueOptions& options, const crypto::Signer& signer, Random& random) {
  if (!claims.is_object()) return Error(StatusCode::kInvalidArgument, "claims must be a JSON object");
  if (extra_top_level != nullptr && !extra_top_level->is_object()) {
    return Error(StatusCode::kInvalidArgument, "extra claims must be a JSON object");
  }
  SaltSource salts(random);
  IssueCtx ctx{options, salts, std::vector<bool>(options.disclosable.size(), false), {},
               extra_top_level != nullptr ? &extra_top_level->get_ref<const Json::object_t&>() : nullptr,
               {}, {}, {}, {}};
  Index(ctx, forced_clear);
  for (const ClaimPath& p : options.disclosable) {
    const auto& comps = p.components();
    if (comps.size() == 1 && std::holds_alternative<std::string>(comps[0])) {
      const std::string& first = std::get<std::string>(comps[0]);
      if (IsClear(ctx, first)) {
        return Error(StatusCode::kInvalidArgument, "claim \"" + first + "\" must not be selectively disclosable");
      }
    }
  }
  std::vector<Step> path;
  std::string payload;
  payload.reserve(1024);
  RETURN_IF_ERROR(Build(claims, path, ctx, payload));
  for (size_t i = 0; i < ctx.matched.size(); ++i) {
    if (!ctx.matched[i]) {
      return Error(StatusCode::kInvalidArgument,
                   "disclosable path \"" + options.disclosable[i].ToString() + "\" is not in the claims");
    }
  }
  ASSIGN_OR_RETURN(std::string jwt, jose::SignJws(header, AsBytes(payload), signer));
  size_t total = jwt.size() + 1;
  for (const std::string& d : ctx.disclosures) total += d.size() + 1;
  std::string out;
  out.reserve(total);
  out += jwt;
  out.push_back('~');
  for (const std::string& d : ctx.disclosures) {
    out += d;
    out.push_back('~');
  }
  return out;
}

}  // namespace internal

}  // namespace bonafide::sdjwt
