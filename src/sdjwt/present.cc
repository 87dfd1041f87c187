// SD-JWT holder side (RFC 9901 section 4.3 and 4.3.1): choosing disclosures and Key Binding.
#include <algorithm>

#include "base/encoding.h"
#include "jose/jws.h"
#include "sdjwt/internal/sdjwt_internal.h"
#include "sdjwt/sdjwt.h"

namespace bonafide::sdjwt {
namespace internal {

bool ComponentsEqual(const ClaimPath::Component& a, const ClaimPath::Component& b) {
  if (a.index() == b.index()) return a == b;
  const size_t* idx = std::get_if<size_t>(&a);
  const std::string* name = std::get_if<std::string>(&b);
  if (idx == nullptr) {
    idx = std::get_if<size_t>(&b);
    name = std::get_if<std::string>(&a);
  }
  return std::to_string(*idx) == *name;
}

bool PathIsPrefix(const ClaimPath& prefix, const ClaimPath& path) {
  const auto& p = prefix.components();
  const auto& q = path.components();
  if (p.size() > q.size()) return false;
  for (size_t i = 0; i < p.size(); ++i) {
    if (!ComponentsEqual(p[i], q[i])) return false;
  }
  return true;
}

bool PathsEqual(const ClaimPath& a, const ClaimPath& b) {
  return a.components().size() == b.components().size() && PathIsPrefix(a, b);
}

}  // namespace internal

namespace {

struct MapCtx {
  std::vector<Disclosure> disclosures;
  std::vector<DisclosedClaim> out;
  std::vector<bool> placed;
};

Status Walk(const Json& value, const ClaimPath& path, std::optional<size_t> parent, MapCtx& ctx, size_t depth);

std::optional<size_t> FindDigest(const MapCtx& ctx, const Json& digest) {
  if (!digest.is_string()) return std::nullopt;
  for (size_t i = 0; i < ctx.disclosures.size(); ++i) {
    if (ctx.disclosures[i].digest == digest.get_ref<const std::string&>()) return i;
  }
  return std::nullopt;
}

Status Place(size_t index, const ClaimPath& path, std::optional<size_t> parent, MapCtx& ctx, size_t depth) {
  if (ctx.placed[index]) return Error(StatusCode::kDuplicateDisclosure, "disclosure referenced twice");
  ctx.placed[index] = true;
  ctx.out.push_back(DisclosedClaim{path, index, parent});
  return Walk(ctx.disclosures[index].value, path, index, ctx, depth + 1);
}

Status Walk(const Json& value, const ClaimPath& path, std::optional<size_t> parent, MapCtx& ctx, size_t depth) {
  if (depth > 64) return Error(StatusCode::kLimitExceeded, "SD-JWT nested too deeply");
  if (value.is_object()) {
    for (const auto& [name, member] : value.items()) {
      if (name == "_sd" && member.is_array()) {
        for (const Json& digest : member) {
          auto index = FindDigest(ctx, digest);
          if (!index) continue;
          const auto& name_of = ctx.disclosures[*index].name;
          if (!name_of) return Error(StatusCode::kMalformed, "array-element disclosure in an object _sd");
          RETURN_IF_ERROR(Place(*index, path.Child(*name_of), parent, ctx, depth));
        }
      } else if (name != "_sd_alg") {
        RETURN_IF_ERROR(Walk(member, path.Child(name), parent, ctx, depth + 1));
      }
    }
  } else if (value.is_array()) {
    for (size_t i = 0; i < value.size(); ++i) {
      const Json& element = value[i];
      if (element.is_object() && element.size() == 1 && element.contains("...")) {
        auto index = FindDigest(ctx, element["..."]);
        if (!index) continue;
        if (ctx.disclosures[*index].name) return Error(StatusCode::kMalformed, "object disclosure in an array");
        RETURN_IF_ERROR(Place(*index, path.Child(i), parent, ctx, depth));
      } else {
        RETURN_IF_ERROR(Walk(element, path.Child(i), parent, ctx, depth + 1));
      }
    }
  }
  return OkStatus();
}

Result<Json> UnverifiedPayload(const UnverifiedSdJwt& sdjwt) {
  ASSIGN_OR_RETURN(jose::UnverifiedJws jws, jose::UnverifiedJws::Parse(sdjwt.issuer_jwt()));
  return ParseJsonObject(AsStringView(jws.unverified_payload()));
}

// PathExists reports whether `path` names a value in `claims` (fully disclosed form).
bool PathExists(const Json& claims, const ClaimPath& path) {
  const Json* cur = &claims;
  for (const auto& c : path.components()) {
    if (cur->is_object()) {
      std::string key = std::holds_alternative<size_t>(c) ? std::to_string(std::get<size_t>(c)) : std::get<std::string>(c);
      const Json* next = Find(*cur, key);
      if (next == nullptr) return false;
      cur = next;
    } else if (cur->is_array() && std::holds_alternative<size_t>(c)) {
      size_t i = std::get<size_t>(c);
      if (i >= cur->size()) return false;
      cur = &(*cur)[i];
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace

namespace {

// SameJwk compares the key members of a cnf JWK with a public key (no key import needed).
bool SameJwk(const Json& jwk, const crypto::PublicKey& key) {
  Json mine = key.ToJwk();
  for (const auto& [name, value] : mine.items()) {
    const Json* theirs = Find(jwk, name);
    if (theirs == nullptr || *theirs != value) return false;
  }
  return true;
}

}  // namespace

Result<HeldSdJwt> HeldSdJwt::FromIssuance(std::string_view text) {
  ASSIGN_OR_RETURN(UnverifiedSdJwt sdjwt, UnverifiedSdJwt::Parse(text));
  if (sdjwt.kb_jwt()) return Error(StatusCode::kMalformed, "a held credential has no Key Binding JWT");
  return Hold(std::move(sdjwt));
}

Result<HeldSdJwt> HeldSdJwt::Hold(UnverifiedSdJwt sdjwt) {
  HeldSdJwt out;
  ASSIGN_OR_RETURN(out.payload_, UnverifiedPayload(sdjwt));
  ASSIGN_OR_RETURN(out.alg_, internal::SdAlg(out.payload_));
  MapCtx ctx;
  for (const auto& encoded : sdjwt.disclosures()) {
    ASSIGN_OR_RETURN(Disclosure d, ParseDisclosure(encoded, out.alg_));
    ctx.disclosures.push_back(std::move(d));
  }
  ctx.placed.assign(ctx.disclosures.size(), false);
  RETURN_IF_ERROR(Walk(out.payload_, ClaimPath(), std::nullopt, ctx, 0));
  for (size_t i = 0; i < ctx.placed.size(); ++i) {
    if (!ctx.placed[i]) return Error(StatusCode::kUnreferencedDisclosure, "a disclosure belongs nowhere in the credential");
  }
  out.map_ = std::move(ctx.out);
  out.sdjwt_ = std::move(sdjwt);
  return out;
}

Result<std::string> HeldSdJwt::Present(const std::vector<ClaimPath>& reveal,
                                       const std::optional<KeyBindingRequest>& kb) const {
  const auto& disclosures = sdjwt_.disclosures();
  std::vector<bool> chosen(disclosures.size(), false);
  std::optional<Json> all_claims;  // computed only for paths that need no disclosure
  for (const ClaimPath& want : reveal) {
    bool found = false;
    for (const DisclosedClaim& c : map_) {
      // The subtree under `want`, and every disclosure enclosing it.
      if (internal::PathIsPrefix(want, c.path) || internal::PathIsPrefix(c.path, want)) {
        chosen[c.disclosure_index] = true;
        found = found || internal::PathIsPrefix(want, c.path);
      }
    }
    if (!found) {
      if (!all_claims) {
        ASSIGN_OR_RETURN(Json processed, ProcessPayload(payload_, disclosures));
        all_claims = std::move(processed);
      }
      if (!PathExists(*all_claims, want)) {
        return Error(StatusCode::kNotFound, "the credential has no claim \"" + want.ToString() + "\"");
      }
    }
  }
  std::string out = sdjwt_.issuer_jwt();
  out.push_back('~');
  for (size_t i = 0; i < chosen.size(); ++i) {
    if (!chosen[i]) continue;
    out += disclosures[i];
    out.push_back('~');
  }
  if (!kb) return out;
  if (kb->holder == nullptr) return Error(StatusCode::kInvalidArgument, "key binding needs a holder key");
  const Json* cnf = Find(payload_, "cnf");
  const Json* jwk = cnf != nullptr ? Find(*cnf, "jwk") : nullptr;
  if (jwk == nullptr) return Error(StatusCode::kInvalidArgument, "credential is not bound to a key (no cnf.jwk)");
  if (!SameJwk(*jwk, kb->holder->public_key())) {
    return Error(StatusCode::kInvalidKey, "holder key does not match the credential's cnf.jwk");
  }
  Json kb_claims = {{"iat", kb->issued_at},
                    {"aud", kb->audience},
                    {"nonce", kb->nonce},
                    {"sd_hash", Base64UrlEncode(crypto::Digest(alg_, AsBytes(out)))}};
  ASSIGN_OR_RETURN(std::string kb_jwt, jose::SignJwt(Json{{"typ", "kb+jwt"}}, kb_claims, *kb->holder));
  out += kb_jwt;
  return out;
}

Result<std::vector<DisclosedClaim>> MapDisclosures(const UnverifiedSdJwt& sdjwt) {
  ASSIGN_OR_RETURN(HeldSdJwt held, HeldSdJwt::Hold(sdjwt));
  return held.disclosures();
}

Result<std::string> Present(const UnverifiedSdJwt& issued, const std::vector<ClaimPath>& reveal,
                            const std::optional<KeyBindingRequest>& kb) {
  // A KB-JWT on `issued` is ignored: Present only reads the issuer JWT and the disclosures.
  ASSIGN_OR_RETURN(HeldSdJwt held, HeldSdJwt::Hold(issued));
  return held.Present(reveal, kb);
}

}  // namespace bonafide::sdjwt
