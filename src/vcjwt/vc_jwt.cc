#include "vcjwt/vc_jwt.h"

#include <algorithm>
#include <limits>

#include "jose/did.h"
#include "jose/jws.h"
#include "jose/jwt.h"
#include "vcjwt/date_time.h"
#include "vcjwt/internal/common.h"

namespace bonafide::vcjwt {
namespace {

// A VC-JWT carrying a photo is tens of kilobytes; these bounds leave ample room while keeping
// an attacker from making us decode and parse arbitrarily large input.
constexpr size_t kMaxCompactBytes = 2 << 20;
constexpr JsonLimits kPayloadLimits{1 << 20, 32};
constexpr int64_t kMaxSkewSeconds = 300;
// The longest validity IssueVcJwt accepts (100 years); keeps now + validity far from overflow.
constexpr int64_t kMaxValiditySeconds = int64_t{100} * 366 * 86400;

Status InvalidArgument(std::string message) {
  return Error(StatusCode::kInvalidArgument, std::move(message));
}

// ResolveKid returns the full DID URL for the request's kid (a DID URL, "#fragment" or
// "fragment") under `issuer`.
Result<std::string> ResolveKid(const std::string& issuer, const std::string& kid) {
  if (kid.empty()) return InvalidArgument("kid is empty");
  std::string full = kid;
  if (kid.find('#') == std::string::npos) {
    full = issuer + "#" + kid;
  } else if (kid[0] == '#') {
    full = issuer + kid;
  }
  auto did = internal::DidOfDidUrl(full);
  if (!did.ok() || *did != issuer) return InvalidArgument("kid " + kid + " is not a key of " + issuer);
  return full;
}

Status ValidateStatusEntry(const BitstringStatusListEntry& e) {
  if (e.status_purpose != "revocation" && e.status_purpose != "suspension" && e.status_purpose != "refresh" &&
      e.status_purpose != "message") {
    return InvalidArgument("statusPurpose must be revocation, suspension, refresh or message");
  }
  if (e.status_list_credential.empty()) return InvalidArgument("status entry has no statusListCredential");
  return OkStatus();
}

bool IsDecimal(const std::string& s) {
  // statusListIndex is an arbitrary-size non-negative integer in base 10; 20 digits covers uint64.
  return !s.empty() && s.size() <= 20 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// CheckStatusEntry validates the shape of one credentialStatus entry. Entries of other types are
// left to the status callback, which knows what it supports.
Status CheckStatusEntry(const Json& entry) {
  if (!entry.is_object()) return Error(StatusCode::kInvalidClaims, "credentialStatus entry is not an object");
  ASSIGN_OR_RETURN(std::string type, GetString(entry, "type"));
  RETURN_IF_ERROR(GetOptionalString(entry, "id"));
  if (type != kBitstringStatusListEntryType) return OkStatus();
  RETURN_IF_ERROR(GetString(entry, "statusPurpose"));
  RETURN_IF_ERROR(GetString(entry, "statusListCredential"));
  ASSIGN_OR_RETURN(std::string index, GetString(entry, "statusListIndex"));
  if (!IsDecimal(index)) {
    return Error(StatusCode::kInvalidClaims, "statusListIndex is not a base-10 integer string");
  }
  return OkStatus();
}

// IssuerId returns the VCDM `issuer`: a URL string or an object with a string `id`.
Result<std::string> IssuerId(const Json& payload) {
  const Json* issuer = Find(payload, "issuer");
  if (issuer == nullptr) return Error(StatusCode::kInvalidClaims, "missing \"issuer\"");
  if (issuer->is_string()) return issuer->get<std::string>();
  if (issuer->is_object()) return GetString(*issuer, "id");
  return Error(StatusCode::kInvalidClaims, "\"issuer\" is not a string or an object");
}

// FindTrustedDocument returns the trusted DID document whose id is `did`, or nullptr.
const Json* FindTrustedDocument(const std::vector<Json>& docs, const std::string& did) {
  for (const Json& doc : docs) {
    const Json* id = Find(doc, "id");
    if (id != nullptr && id->is_string() && id->get_ref<const std::string&>() == did) return &doc;
  }
  return nullptr;
}

}  // namespace

Json BitstringStatusListEntry::ToJson() const {
  Json out = Json::object();
  if (!id.empty()) out["id"] = id;
  out["type"] = std::string(kBitstringStatusListEntryType);
  out["statusPurpose"] = status_purpose;
  out["statusListIndex"] = std::to_string(status_list_index);
  out["statusListCredential"] = status_list_credential;
  return out;
}

Result<std::string> IssueVcJwt(const VcJwtIssueRequest& request, const crypto::Signer& signer,
                               const Clock& clock) {
  if (!request.issuer.starts_with("did:web:") || request.issuer.size() == 8 ||
      request.issuer.find('#') != std::string::npos) {
    return InvalidArgument("issuer must be a did:web DID");
  }
  ASSIGN_OR_RETURN(std::string kid, ResolveKid(request.issuer, request.kid));
  if (request.type.empty() || request.type == kVerifiableCredential) {
    return InvalidArgument("type must name the specific credential type");
  }
  if (!request.subject_claims.is_object()) return InvalidArgument("subject claims must be a JSON object");
  if (!request.holder_key) return InvalidArgument("holder key is required");
  if (request.validity_seconds <= 0 || request.validity_seconds > kMaxValiditySeconds) {
    return InvalidArgument("validity must be between 1 second and 100 years");
  }
  if (request.status) RETURN_IF_ERROR(ValidateStatusEntry(*request.status));
  ASSIGN_OR_RETURN(std::string holder_did, jose::DidKeyFromPublicKey(*request.holder_key));

  Json subject = request.subject_claims;
  if (const Json* id = Find(subject, "id"); id != nullptr && !(id->is_string() && *id == holder_did)) {
    return InvalidArgument("subject claims carry an id other than the holder's DID");
  }
  subject["id"] = holder_did;

  const int64_t now = clock.NowSeconds();
  const int64_t until = now + request.validity_seconds;
  ASSIGN_OR_RETURN(std::string valid_from, FormatDateTime(now));
  ASSIGN_OR_RETURN(std::string valid_until, FormatDateTime(until));

  Json context = Json::array({std::string(kCredentialsV2Context)});
  for (const auto& c : request.extra_contexts) {
    if (c.empty() || c == kCredentialsV2Context) return InvalidArgument("extra context must be another URL");
    context.push_back(c);
  }

  Json payload = Json::object();
  payload["iss"] = request.issuer;
  payload["sub"] = holder_did;
  payload["iat"] = now;
  payload["nbf"] = now;
  payload["exp"] = until;
  payload["@context"] = std::move(context);
  payload["type"] = Json::array({std::string(kVerifiableCredential), request.type});
  payload["issuer"] = request.issuer;
  if (!request.name.empty()) payload["name"] = request.name;
  if (!request.description.empty()) payload["description"] = request.description;
  payload["validFrom"] = valid_from;
  payload["validUntil"] = valid_until;
  payload["credentialSubject"] = std::move(subject);
  if (request.status) payload["credentialStatus"] = request.status->ToJson();
  if (request.expected_update_seconds) {
    if (*request.expected_update_seconds < 0 || *request.expected_update_seconds > kMaxValiditySeconds) {
      return InvalidArgument("expected update must be between now and 100 years");
    }
    ASSIGN_OR_RETURN(std::string expected, FormatDateTime(now + *request.expected_update_seconds));
    payload["expectedUpdate"] = expected;
  }

  Json header = {{"typ", std::string(kVcJwtType)}, {"cty", std::string(kVcJwtContentType)}, {"kid", kid}};
  // Refuse to sign what VerifyVcJwt would refuse to parse.
  if (JsonDepth(payload) > kPayloadLimits.max_depth) {
    return Error(StatusCode::kLimitExceeded, "subject claims nested too deeply");
  }
  return jose::SignJwt(header, payload, signer);
}

Result<VerifiedVcJwt> VerifyVcJwt(std::string_view compact, const VerifyOptions& options,
                                  const Clock& clock) {
  if (compact.size() > kMaxCompactBytes) return Error(StatusCode::kLimitExceeded, "VC-JWT too large");
  ASSIGN_OR_RETURN(jose::UnverifiedJws jws, jose::UnverifiedJws::Parse(compact));
  if (jws.typ() != kVcJwtType) {
    return Error(StatusCode::kInvalidType, "typ is \"" + jws.typ() + "\", expected vc+jwt");
  }
  if (!crypto::ParseJwsAlg(jws.alg())) {
    return Error(StatusCode::kUnsupportedAlgorithm, "JWS alg \"" + jws.alg() + "\" is not allowed");
  }
  const Json* kid_json = Find(jws.unverified_header(), "kid");
  if (kid_json == nullptr || !kid_json->is_string()) {
    return Error(StatusCode::kMalformed, "VC-JWT header has no string kid");
  }
  const std::string& kid = kid_json->get_ref<const std::string&>();
  ASSIGN_OR_RETURN(std::string kid_did, internal::DidOfDidUrl(kid));
  if (!kid_did.starts_with("did:web:")) return Error(StatusCode::kMalformed, "kid is not a did:web DID URL");

  // The key comes only from a document the verifier trusts; nothing in the token is believed yet.
  const Json* doc = FindTrustedDocument(options.trusted_issuers, kid_did);
  if (doc == nullptr) return Error(StatusCode::kUntrustedIssuer, kid_did + " is not a trusted issuer");
  auto key = jose::ResolveDidWebKey(*doc, kid);
  if (!key.ok()) {
    // A key the issuer does not publish (never, or no longer) is not a trusted key.
    if (key.status().code() == StatusCode::kNotFound) {
      return Error(StatusCode::kUntrustedIssuer, key.status().message());
    }
    return key.status();
  }
  ASSIGN_OR_RETURN(jose::VerifiedJws verified, jose::VerifyJws(jws, *key));

  auto parsed = ParseJsonObject(AsStringView(verified.payload()), kPayloadLimits);
  if (!parsed.ok()) return Error(parsed.status().code(), "VC-JWT payload: " + parsed.status().message());
  Json payload = std::move(*parsed);

  // Issuer: iss, issuer and the kid's DID name the same party.
  ASSIGN_OR_RETURN(std::string iss, GetString(payload, "iss"));
  if (iss != kid_did) return Error(StatusCode::kUntrustedIssuer, "iss " + iss + " is not the signer " + kid_did);
  ASSIGN_OR_RETURN(std::string issuer, IssuerId(payload));
  if (issuer != iss) return Error(StatusCode::kUntrustedIssuer, "issuer " + issuer + " differs from iss " + iss);

  // Data model: context and type.
  RETURN_IF_ERROR(internal::CheckBaseContext(payload));
  ASSIGN_OR_RETURN(std::vector<std::string> types, internal::GetTypes(payload, kVerifiableCredential));
  std::string type;
  if (!options.expected_type.empty()) {
    if (!internal::HasType(types, options.expected_type)) {
      return Error(StatusCode::kInvalidType, "credential is not a " + options.expected_type);
    }
    type = options.expected_type;
  } else {
    for (const auto& t : types) {
      if (t != kVerifiableCredential) {
        type = t;
        break;
      }
    }
  }

  // Subject: sub names the holder that credentialSubject describes.
  ASSIGN_OR_RETURN(const Json* subject, GetObject(payload, "credentialSubject"));
  ASSIGN_OR_RETURN(std::string subject_id, GetString(*subject, "id"));
  ASSIGN_OR_RETURN(std::string sub, GetString(payload, "sub"));
  if (sub != subject_id) {
    return Error(StatusCode::kInvalidClaims, "sub differs from credentialSubject.id");
  }

  // Validity: the JWT claims and the VCDM dates must all hold.
  const int64_t skew = std::clamp<int64_t>(options.max_skew_seconds, 0, kMaxSkewSeconds);
  RETURN_IF_ERROR(jose::JwtTimeValidator(clock, skew).RequireIssuedAt().Validate(payload));
  ASSIGN_OR_RETURN(std::string valid_from_text, GetString(payload, "validFrom"));
  ASSIGN_OR_RETURN(std::string valid_until_text, GetString(payload, "validUntil"));
  ASSIGN_OR_RETURN(int64_t valid_from, ParseDateTime(valid_from_text, DateTimeRounding::kCeiling));
  ASSIGN_OR_RETURN(int64_t valid_until, ParseDateTime(valid_until_text, DateTimeRounding::kFloor));
  if (valid_until < valid_from) return Error(StatusCode::kInvalidClaims, "validUntil is before validFrom");
  const int64_t now = clock.NowSeconds();
  if (now - skew >= valid_until) return Error(StatusCode::kExpired, "credential expired at " + valid_until_text);
  if (now + skew < valid_from) {
    return Error(StatusCode::kNotYetValid, "credential not valid before " + valid_from_text);
  }
  std::optional<int64_t> expected_update;
  ASSIGN_OR_RETURN(std::optional<std::string> expected_update_text, GetOptionalString(payload, "expectedUpdate"));
  if (expected_update_text) {
    ASSIGN_OR_RETURN(expected_update, ParseDateTime(*expected_update_text));
  }

  // Status, last: only a credential that is otherwise valid is worth a status-list fetch.
  bool has_status = false;
  bool status_checked = false;
  if (const Json* status = Find(payload, "credentialStatus"); status != nullptr) {
    has_status = true;
    std::vector<const Json*> entries;
    if (status->is_array()) {
      if (status->empty()) return Error(StatusCode::kInvalidClaims, "credentialStatus is an empty array");
      for (const Json& e : *status) entries.push_back(&e);
    } else {
      entries.push_back(status);
    }
    for (const Json* e : entries) RETURN_IF_ERROR(CheckStatusEntry(*e));
    if (options.check_status) {
      for (const Json* e : entries) RETURN_IF_ERROR(options.check_status(*e));
      status_checked = true;
    } else if (!options.allow_unchecked_status()) {
      return Error(StatusCode::kStatusUnavailable, "credential has credentialStatus but no status check is configured");
    }
  }

  VerifiedVcJwt out;
  out.header_ = verified.header();
  out.credential_ = std::move(payload);
  out.issuer_ = std::move(iss);
  out.subject_ = std::move(sub);
  out.type_ = std::move(type);
  out.types_ = std::move(types);
  out.valid_from_ = valid_from;
  out.valid_until_ = valid_until;
  out.expected_update_ = expected_update;
  out.has_status_ = has_status;
  out.status_checked_ = status_checked;
  return out;
}

}  // namespace bonafide::vcjwt
