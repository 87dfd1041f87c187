#include "sdjwt/sdjwt.h"

#include <algorithm>
#include <charconv>
#include <deque>
#include <unordered_map>
#include <unordered_set>

#include "base/encoding.h"
#include "jose/jws.h"
#include "jose/jwt.h"
#include "sdjwt/internal/sdjwt_internal.h"

namespace bonafide::sdjwt {
namespace {

constexpr size_t kMaxNesting = 64;        // payload + disclosure nesting during processing
constexpr size_t kMaxDisclosureBytes = 64 * 1024;

bool IsReservedName(std::string_view name) { return name == "_sd" || name == "..." || name == "_sd_alg"; }

struct ProcessCtx {
  std::vector<Disclosure> disclosures;
  // Views into disclosures[i].digest and into the payload's digest strings; `kept` holds the
  // `_sd` arrays and rebuilt arrays that were taken out of the payload, so the views stay valid.
  std::unordered_map<std::string_view, size_t> by_digest;
  std::vector<bool> used;
  std::vector<std::string_view> seen_digests;  // every digest met; checked for repeats at the end
  std::deque<Json> kept;  // a deque: elements never move, so iteration over one stays valid
  std::vector<std::string> top_level_disclosed;  // names revealed by disclosures at the top level
};

Status ProcessValue(Json& value, ProcessCtx& ctx, size_t depth);

// Resolves one digest: OK with nullopt for a decoy / undisclosed digest, the disclosure index
// otherwise. Each digest may occur once in the whole SD-JWT and each disclosure be used once.
Result<std::optional<size_t>> Resolve(const Json& digest, ProcessCtx& ctx) {
  if (!digest.is_string()) return Error(StatusCode::kMalformed, "digest is not a string");
  const std::string& d = digest.get_ref<const std::string&>();
  // Repeats among digests that match no disclosure (decoys) are found by one sort at the end;
  // a repeat that names a disclosure is caught here, before its value is used twice.
  ctx.seen_digests.push_back(d);
  auto it = ctx.by_digest.find(d);
  if (it == ctx.by_digest.end()) return std::optional<size_t>();
  if (ctx.used[it->second]) return Error(StatusCode::kDuplicateDisclosure, "digest " + d + " appears more than once");
  ctx.used[it->second] = true;
  return std::optional<size_t>(it->second);
}

Status ProcessObject(Json& obj, ProcessCtx& ctx, size_t depth) {
  Json::object_t& members = obj.get_ref<Json::object_t&>();
  std::optional<Json> sd;
  if (auto it = members.find("_sd"); it != members.end()) {
    sd = std::move(it->second);
    members.erase(it);
    if (!sd->is_array()) return Error(StatusCode::kMalformed, "_sd is not an array");
  }
  for (auto& [name, value] : members) RETURN_IF_ERROR(ProcessValue(value, ctx, depth + 1));
  if (!sd) return OkStatus();
  ctx.kept.push_back(std::move(*sd));
  const Json::array_t& digests = ctx.kept.back().get_ref<const Json::array_t&>();
  for (const Json& digest : digests) {
    ASSIGN_OR_RETURN(std::optional<size_t> index, Resolve(digest, ctx));
    if (!index) continue;
    Disclosure& disclosure = ctx.disclosures[*index];
    if (!disclosure.name) {
      return Error(StatusCode::kMalformed, "array-element disclosure referenced from an object _sd");
    }
    if (members.count(*disclosure.name) != 0) {
      return Error(StatusCode::kMalformed, "disclosed claim \"" + *disclosure.name + "\" already present");
    }
    Json value = std::move(disclosure.value);
    RETURN_IF_ERROR(ProcessValue(value, ctx, depth + 1));
    if (depth == 0) ctx.top_level_disclosed.push_back(*disclosure.name);
    members.emplace(*disclosure.name, std::move(value));
  }
  return OkStatus();
}

Status ProcessArray(Json& arr, ProcessCtx& ctx, size_t depth) {
  Json out = Json::array();
  for (Json& element : arr) {
    if (element.is_object() && element.size() == 1 && element.contains("...")) {
      ASSIGN_OR_RETURN(std::optional<size_t> index, Resolve(element["..."], ctx));
      if (!index) continue;  // undisclosed element or decoy: dropped
      Disclosure& disclosure = ctx.disclosures[*index];
      if (disclosure.name) {
        return Error(StatusCode::kMalformed, "object-property disclosure referenced from an array");
      }
      Json value = std::move(disclosure.value);
      RETURN_IF_ERROR(ProcessValue(value, ctx, depth + 1));
      out.push_back(std::move(value));
    } else {
      RETURN_IF_ERROR(ProcessValue(element, ctx, depth + 1));
      out.push_back(std::move(element));
    }
  }
  // The old array still owns digest strings that seen_digests points at.
  ctx.kept.push_back(std::move(arr));
  arr = std::move(out);
  return OkStatus();
}

Status ProcessValue(Json& value, ProcessCtx& ctx, size_t depth) {
  if (depth > kMaxNesting) return Error(StatusCode::kLimitExceeded, "SD-JWT nested too deeply");
  if (value.is_object()) return ProcessObject(value, ctx, depth);
  if (value.is_array()) return ProcessArray(value, ctx, depth);
  return OkStatus();
}


struct Processed {
  Json claims;
  std::vector<std::string> top_level_disclosed;
};

Result<Processed> ProcessWithAlg(Json payload, const std::vector<std::string>& disclosures,
                                 crypto::HashAlg alg, size_t max_disclosures) {
  if (disclosures.size() > max_disclosures) {
    return Error(StatusCode::kLimitExceeded, "too many disclosures");
  }
  ProcessCtx ctx;
  ctx.disclosures.reserve(disclosures.size());
  ctx.by_digest.reserve(disclosures.size());
  std::unordered_set<std::string_view> seen_encoded;
  for (const std::string& encoded : disclosures) {
    if (!seen_encoded.insert(encoded).second) {
      return Error(StatusCode::kDuplicateDisclosure, "the same disclosure is included twice");
    }
    ASSIGN_OR_RETURN(Disclosure d, ParseDisclosure(encoded, alg));
    ctx.disclosures.push_back(std::move(d));
  }
  // Indexed only now that the vector no longer grows (the keys view its strings).
  for (size_t i = 0; i < ctx.disclosures.size(); ++i) ctx.by_digest.emplace(ctx.disclosures[i].digest, i);
  ctx.used.assign(ctx.disclosures.size(), false);
  Json out = std::move(payload);
  if (!out.is_object()) return Error(StatusCode::kMalformed, "SD-JWT payload is not an object");
  out.erase("_sd_alg");
  RETURN_IF_ERROR(ProcessValue(out, ctx, 0));
  std::sort(ctx.seen_digests.begin(), ctx.seen_digests.end());
  if (auto dup = std::adjacent_find(ctx.seen_digests.begin(), ctx.seen_digests.end()); dup != ctx.seen_digests.end()) {
    return Error(StatusCode::kDuplicateDisclosure, "digest " + std::string(*dup) + " appears more than once");
  }
  for (size_t i = 0; i < ctx.used.size(); ++i) {
    if (!ctx.used[i]) {
      return Error(StatusCode::kUnreferencedDisclosure,
                   "disclosure " + std::to_string(i + 1) + " is not referenced by the issuer-signed JWT");
    }
  }
  return Processed{std::move(out), std::move(ctx.top_level_disclosed)};
}

Status VerifyKeyBinding(const UnverifiedSdJwt& sdjwt, const Json& claims, crypto::HashAlg alg,
                        const VerifyOptions& options) {
  const Json* cnf = Find(claims, "cnf");
  const auto& kb = sdjwt.kb_jwt();
  if (!kb) {
    if (cnf != nullptr && !options.allow_missing_kb()) {
      return Error(StatusCode::kMissingKeyBinding, "credential has cnf but no Key Binding JWT was presented");
    }
    if (options.require_kb()) return Error(StatusCode::kMissingKeyBinding, "verifier requires a Key Binding JWT");
    return OkStatus();
  }
  if (cnf == nullptr) return Error(StatusCode::kMalformed, "Key Binding JWT present but the credential has no cnf");
  if (!options.nonce() || !options.audience()) {
    return Error(StatusCode::kInvalidArgument, "verifier did not set the expected nonce and audience");
  }
  const Json* jwk = Find(*cnf, "jwk");
  if (jwk == nullptr) return Error(StatusCode::kInvalidKey, "cnf has no jwk (other methods are not supported)");
  ASSIGN_OR_RETURN(crypto::PublicKey holder_key, crypto::PublicKey::FromJwk(*jwk));
  ASSIGN_OR_RETURN(jose::UnverifiedJws kb_jws, jose::UnverifiedJws::Parse(*kb));
  if (kb_jws.typ() != "kb+jwt") return Error(StatusCode::kInvalidType, "Key Binding JWT typ must be kb+jwt");
  ASSIGN_OR_RETURN(jose::VerifiedJws verified, jose::VerifyJws(kb_jws, holder_key));
  auto payload = ParseJsonObject(AsStringView(verified.payload()), JsonLimits{64 * 1024, 8});
  if (!payload.ok()) return Error(StatusCode::kMalformed, "Key Binding JWT payload: " + payload.status().message());
  ASSIGN_OR_RETURN(int64_t iat, GetInt(*payload, "iat"));
  const int64_t now = options.clock().NowSeconds();
  if (iat > now + options.skew()) return Error(StatusCode::kNotYetValid, "Key Binding JWT issued in the future");
  if (now - iat > options.kb_max_age() + options.skew()) {
    return Error(StatusCode::kStaleKeyBinding, "Key Binding JWT is older than " + std::to_string(options.kb_max_age()) + " s");
  }
  const Json* nonce = Find(*payload, "nonce");
  if (nonce == nullptr || !nonce->is_string() || nonce->get_ref<const std::string&>() != *options.nonce()) {
    return Error(StatusCode::kNonceMismatch, "Key Binding JWT nonce does not match");
  }
  const Json* aud = Find(*payload, "aud");
  if (aud == nullptr || !aud->is_string() || aud->get_ref<const std::string&>() != *options.audience()) {
    return Error(StatusCode::kAudienceMismatch, "Key Binding JWT audience does not match");
  }
  ASSIGN_OR_RETURN(std::string sd_hash, GetString(*payload, "sd_hash"));
  std::string expected = Base64UrlEncode(crypto::Digest(alg, AsBytes(sdjwt.SdHashInput())));
  if (sd_hash != expected) {
    return Error(StatusCode::kDigestMismatch, "Key Binding JWT sd_hash does not match the presented disclosures");
  }
  return OkStatus();
}

}  // namespace

// ---- ClaimPath ----

Result<ClaimPath> ClaimPath::Parse(std::string_view dotted) {
  if (dotted.empty()) return Error(StatusCode::kInvalidArgument, "empty claim path");
  std::vector<Component> parts;
  size_t start = 0;
  while (true) {
    size_t dot = dotted.find('.', start);
    std::string_view part = dotted.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (part.empty()) return Error(StatusCode::kInvalidArgument, "empty component in claim path \"" + std::string(dotted) + "\"");
    size_t index = 0;
    auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), index);
    if (ec == std::errc() && ptr == part.data() + part.size() && (part.size() == 1 || part[0] != '0')) {
      parts.emplace_back(index);
    } else {
      parts.emplace_back(std::string(part));
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return ClaimPath(std::move(parts));
}

Result<std::vector<ClaimPath>> ClaimPath::ParseList(std::string_view csv) {
  std::vector<ClaimPath> out;
  size_t start = 0;
  while (start <= csv.size()) {
    size_t comma = csv.find(',', start);
    std::string_view item = csv.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) {
      ASSIGN_OR_RETURN(ClaimPath p, Parse(item));
      out.push_back(std::move(p));
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

ClaimPath ClaimPath::Child(Component c) const {
  ClaimPath out = *this;
  out.components_.push_back(std::move(c));
  return out;
}

std::string ClaimPath::ToString() const {
  std::string out;
  for (const auto& c : components_) {
    if (!out.empty()) out.push_back('.');
    if (std::holds_alternative<size_t>(c)) {
      out += std::to_string(std::get<size_t>(c));
    } else {
      out += std::get<std::string>(c);
    }
  }
  return out;
}

// ---- Disclosure ----

Result<Disclosure> ParseDisclosure(std::string_view encoded, crypto::HashAlg alg) {
  if (encoded.size() > kMaxDisclosureBytes) return Error(StatusCode::kLimitExceeded, "disclosure too large");
  auto raw = Base64UrlDecode(encoded);
  if (!raw.ok()) return Error(StatusCode::kMalformed, "disclosure: " + raw.status().message());
  auto arr = ParseJson(AsStringView(*raw), JsonLimits{kMaxDisclosureBytes, 32});
  if (!arr.ok()) return Error(StatusCode::kMalformed, "disclosure: " + arr.status().message());
  if (!arr->is_array() || (arr->size() != 2 && arr->size() != 3)) {
    return Error(StatusCode::kMalformed, "disclosure is not a JSON array of 2 or 3 elements");
  }
  Disclosure d;
  if (!(*arr)[0].is_string()) return Error(StatusCode::kMalformed, "disclosure salt is not a string");
  d.salt = (*arr)[0].get<std::string>();
  if (arr->size() == 3) {
    if (!(*arr)[1].is_string()) return Error(StatusCode::kMalformed, "disclosure claim name is not a string");
    d.name = (*arr)[1].get<std::string>();
    if (IsReservedName(*d.name)) {
      return Error(StatusCode::kReservedClaimName, "disclosure uses reserved claim name \"" + *d.name + "\"");
    }
    d.value = std::move((*arr)[2]);
  } else {
    d.value = std::move((*arr)[1]);
  }
  d.encoded = std::string(encoded);
  d.digest = Base64UrlEncode(crypto::Digest(alg, AsBytes(encoded)));
  return d;
}

namespace internal {

Result<crypto::HashAlg> SdAlg(const Json& payload) {
  const Json* alg = Find(payload, "_sd_alg");
  if (alg == nullptr) return crypto::HashAlg::kSha256;
  if (!alg->is_string()) return Error(StatusCode::kMalformed, "_sd_alg is not a string");
  auto parsed = crypto::ParseHashAlgName(alg->get_ref<const std::string&>());
  if (!parsed || alg->get_ref<const std::string&>() != crypto::HashAlgName(*parsed)) {
    return Error(StatusCode::kUnsupportedAlgorithm, "unsupported _sd_alg " + alg->get<std::string>());
  }
  return *parsed;
}

std::string EncodeDisclosureText(ByteView salt, const std::string* name, std::string_view value_json) {
  // The JSON array written directly into a per-thread scratch buffer (it keeps its capacity):
  // the salt is base64url (nothing to escape), the name is escaped, the value is JSON already.
  thread_local std::string json;
  json.clear();
  json += "[\"";
  Base64UrlAppend(json, salt);
  json += "\",";
  if (name != nullptr) {
    AppendJsonString(json, *name);
    json.push_back(',');
  }
  json += value_json;
  json.push_back(']');
  return Base64UrlEncode(json);
}

}  // namespace internal

// ---- UnverifiedSdJwt ----

Result<UnverifiedSdJwt> UnverifiedSdJwt::Parse(std::string_view text) {
  size_t first = text.find('~');
  if (first == std::string_view::npos) return Error(StatusCode::kMalformed, "SD-JWT has no '~' separator");
  UnverifiedSdJwt out;
  out.issuer_jwt_ = std::string(text.substr(0, first));
  if (out.issuer_jwt_.empty()) return Error(StatusCode::kMalformed, "SD-JWT has an empty issuer JWT");
  size_t last = text.rfind('~');
  std::string_view tail = text.substr(last + 1);
  if (!tail.empty()) out.kb_jwt_ = std::string(tail);
  std::string_view middle = text.substr(first + 1, last - first);  // "d1~d2~...~" or ""
  size_t start = 0;
  while (start < middle.size()) {
    size_t tilde = middle.find('~', start);
    std::string_view d = middle.substr(start, tilde - start);
    if (d.empty()) return Error(StatusCode::kMalformed, "SD-JWT has an empty disclosure");
    if (out.disclosures_.size() >= 4096) return Error(StatusCode::kLimitExceeded, "too many disclosures");
    out.disclosures_.emplace_back(d);
    start = tilde + 1;
  }
  return out;
}

namespace {
// IsTokenText is true when `s` is non-empty and uses only base64url characters (and '.' when
// `dots` is set): the alphabet of JWS parts, disclosures and KB-JWTs. Anything else, '~' above
// all, would change meaning when the parts are joined into the compact form.
bool IsTokenText(std::string_view s, bool dots) {
  if (s.empty()) return false;
  for (char c : s) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
              (dots && c == '.');
    if (!ok) return false;
  }
  return true;
}
}  // namespace

Result<UnverifiedSdJwt> UnverifiedSdJwt::ParseJsonSerialization(std::string_view text) {
  ASSIGN_OR_RETURN(Json j, ParseJsonObject(text));
  ASSIGN_OR_RETURN(std::string payload, GetString(j, "payload"));
  std::string protected_b64, signature;
  const Json* unprotected = nullptr;
  std::vector<std::pair<std::string, std::string>> extra;
  if (const Json* sigs = Find(j, "signatures"); sigs != nullptr) {
    if (!sigs->is_array() || sigs->empty()) return Error(StatusCode::kMalformed, "signatures must be a non-empty array");
    for (size_t i = 0; i < sigs->size(); ++i) {
      const Json& s = (*sigs)[i];
      ASSIGN_OR_RETURN(std::string p, GetString(s, "protected"));
      ASSIGN_OR_RETURN(std::string sig, GetString(s, "signature"));
      if (i == 0) {
        protected_b64 = p;
        signature = sig;
        unprotected = Find(s, "header");
      } else {
        extra.emplace_back(p, sig);
      }
      // Disclosures and the KB-JWT live in the first signature's unprotected header (8.1).
    }
  } else {
    ASSIGN_OR_RETURN(protected_b64, GetString(j, "protected"));
    ASSIGN_OR_RETURN(signature, GetString(j, "signature"));
    unprotected = Find(j, "header");
  }
  if (!IsTokenText(protected_b64, false) || !IsTokenText(payload, false) || !IsTokenText(signature, false)) {
    return Error(StatusCode::kMalformed, "JWS JSON members must be base64url");
  }
  for (const auto& [p, sig] : extra) {
    if (!IsTokenText(p, false) || !IsTokenText(sig, false)) return Error(StatusCode::kMalformed, "JWS JSON members must be base64url");
  }
  UnverifiedSdJwt out;
  out.issuer_jwt_ = protected_b64 + "." + payload + "." + signature;
  out.extra_sigs_ = std::move(extra);
  if (unprotected != nullptr) {
    if (!unprotected->is_object()) return Error(StatusCode::kMalformed, "unprotected header is not an object");
    if (const Json* ds = Find(*unprotected, "disclosures"); ds != nullptr) {
      if (!ds->is_array()) return Error(StatusCode::kMalformed, "disclosures is not an array");
      for (const Json& d : *ds) {
        if (!d.is_string() || !IsTokenText(d.get_ref<const std::string&>(), false)) {
          return Error(StatusCode::kMalformed, "disclosure is not a non-empty base64url string");
        }
        out.disclosures_.push_back(d.get<std::string>());
      }
    }
    ASSIGN_OR_RETURN(auto kb, GetOptionalString(*unprotected, "kb_jwt"));
    if (kb && !IsTokenText(*kb, true)) return Error(StatusCode::kMalformed, "kb_jwt is not a compact JWS");
    out.kb_jwt_ = std::move(kb);
  }
  return out;
}

std::string UnverifiedSdJwt::SdHashInput() const {
  std::string out = issuer_jwt_;
  out.push_back('~');
  for (const auto& d : disclosures_) {
    out += d;
    out.push_back('~');
  }
  return out;
}

std::string UnverifiedSdJwt::Serialize() const {
  std::string out = SdHashInput();
  if (kb_jwt_) out += *kb_jwt_;
  return out;
}

// ---- Verification ----

Result<Json> ProcessPayload(const Json& payload, const std::vector<std::string>& disclosures,
                            size_t max_disclosures) {
  ASSIGN_OR_RETURN(crypto::HashAlg alg, internal::SdAlg(payload));
  ASSIGN_OR_RETURN(Processed processed, ProcessWithAlg(payload, disclosures, alg, max_disclosures));
  return std::move(processed.claims);
}

Result<VerifiedSdJwt> VerifySdJwt(const UnverifiedSdJwt& sdjwt, const crypto::PublicKey& issuer_key,
                                  const VerifyOptions& options) {
  ASSIGN_OR_RETURN(jose::UnverifiedJws jws, jose::UnverifiedJws::Parse(sdjwt.issuer_jwt()));
  if (!options.typs().empty() &&
      std::find(options.typs().begin(), options.typs().end(), jws.typ()) == options.typs().end()) {
    return Error(StatusCode::kInvalidType, "issuer JWT typ \"" + jws.typ() + "\" is not accepted");
  }
  ASSIGN_OR_RETURN(jose::VerifiedJws verified, jose::VerifyJws(jws, issuer_key));
  auto payload = ParseJsonObject(AsStringView(verified.payload()));
  if (!payload.ok()) return Error(StatusCode::kMalformed, "issuer JWT payload: " + payload.status().message());
  ASSIGN_OR_RETURN(crypto::HashAlg alg, internal::SdAlg(*payload));
  ASSIGN_OR_RETURN(Processed processed,
                   ProcessWithAlg(std::move(*payload), sdjwt.disclosures(), alg, options.max_disclosures()));
  Json& claims = processed.claims;

  jose::JwtTimeValidator time(options.clock(), options.skew());
  if (options.allow_missing_exp()) time.AllowMissingExpiry();
  RETURN_IF_ERROR(time.Validate(claims));
  RETURN_IF_ERROR(VerifyKeyBinding(sdjwt, claims, alg, options));

  if (const Json* status = Find(claims, "status"); status != nullptr) {
    if (options.status_checker()) {
      RETURN_IF_ERROR(options.status_checker()(*status));
    } else if (!options.allow_unchecked_status()) {
      return Error(StatusCode::kStatusUnavailable, "credential has a status reference but no status list was given");
    }
  }
  return VerifiedSdJwt(verified.header(), std::move(claims), std::move(processed.top_level_disclosed),
                       sdjwt.kb_jwt().has_value());
}

}  // namespace bonafide::sdjwt
