#include "status/bitstring_status_list.h"

#include <string>
#include <utility>

#include "base/encoding.h"
#include "jose/jws.h"
#include "jose/jwt.h"
#include "status/internal/compression.h"
#include "status/internal/datetime.h"
#include "status/internal/media_type.h"

namespace bonafide::status {
namespace {

constexpr std::string_view kVcJwtType = "vc+jwt";
constexpr std::string_view kCredentialsV2Context = "https://www.w3.org/ns/credentials/v2";
constexpr uint64_t kMinBitstringBytes = kMinBitstringBits / 8;

bool ValidStatusSize(unsigned status_size) { return status_size >= 1 && status_size <= kMaxBitstringStatusSize; }

Status BadStatusSize() {
  return Error(StatusCode::kInvalidArgument, "statusSize must be between 1 and " +
                                                 std::to_string(kMaxBitstringStatusSize));
}

// ArrayContainsString is true if `v` is an array holding the string `s` (or is that string).
bool ContainsString(const Json& v, std::string_view s) {
  if (v.is_string()) return v.get_ref<const std::string&>() == s;
  if (!v.is_array()) return false;
  for (const Json& e : v) {
    if (e.is_string() && e.get_ref<const std::string&>() == s) return true;
  }
  return false;
}

// LooksLikeUrl is true for "scheme:rest" with an RFC 3986 scheme and a non-empty rest.
bool LooksLikeUrl(std::string_view s) {
  const size_t colon = s.find(':');
  if (colon == 0 || colon == std::string_view::npos || colon + 1 >= s.size()) return false;
  for (size_t i = 0; i < colon; ++i) {
    const char c = s[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    const bool ok = alpha || (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'));
    if (!ok) return false;
  }
  for (char c : s) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return false;
  }
  return true;
}

// ParseIndex parses a canonical base-10 unsigned integer ("0" or no leading zero) fitting uint64.
std::optional<uint64_t> ParseIndex(std::string_view s) {
  if (s.empty() || s.size() > 20 || (s.size() > 1 && s[0] == '0')) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    const uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

}  // namespace

std::string_view StatusPurposeName(StatusPurpose purpose) {
  switch (purpose) {
    case StatusPurpose::kRevocation: return "revocation";
    case StatusPurpose::kSuspension: return "suspension";
    case StatusPurpose::kMessage: return "message";
  }
  return "revocation";
}

std::optional<StatusPurpose> ParseStatusPurpose(std::string_view name) {
  if (name == "revocation") return StatusPurpose::kRevocation;
  if (name == "suspension") return StatusPurpose::kSuspension;
  if (name == "message") return StatusPurpose::kMessage;
  return std::nullopt;
}

// ---- BitstringStatusList ----

Result<BitstringStatusList> BitstringStatusList::Create(uint64_t num_bits) {
  if (num_bits < kMinBitstringBits) {
    return Error(StatusCode::kInvalidArgument, "bitstring must have at least 131072 bits (16 KiB)");
  }
  const uint64_t num_bytes = num_bits / 8 + (num_bits % 8 != 0 ? 1 : 0);
  if (num_bytes > kMaxBytes) {
    return Error(StatusCode::kInvalidArgument, "bitstring larger than " + std::to_string(kMaxBytes) + " bytes");
  }
  return BitstringStatusList(Bytes(static_cast<size_t>(num_bytes), 0));
}

Result<BitstringStatusList> BitstringStatusList::DecodeEncodedList(std::string_view encoded_list,
                                                                   const DecodeLimits& limits) {
  if (encoded_list.empty() || encoded_list.front() != 'u') {
    return Error(StatusCode::kMalformed, "encodedList is not multibase base64url ('u' prefix)");
  }
  ASSIGN_OR_RETURN(Bytes compressed, Base64UrlDecode(encoded_list.substr(1)));
  ASSIGN_OR_RETURN(Bytes bytes,
                   internal::Inflate(compressed, internal::Container::kGzip, limits.max_decompressed_bytes));
  if (bytes.size() < kMinBitstringBytes) {
    return Error(StatusCode::kMalformed, "bitstring shorter than 16 KiB (" + std::to_string(bytes.size()) + " bytes)");
  }
  return BitstringStatusList(std::move(bytes));
}

Result<std::string> BitstringStatusList::EncodeEncodedList() const {
  ASSIGN_OR_RETURN(Bytes compressed, internal::Deflate(bytes_, internal::Container::kGzip));
  return "u" + Base64UrlEncode(compressed);
}

Result<uint32_t> BitstringStatusList::Get(uint64_t index, unsigned status_size) const {
  if (!ValidStatusSize(status_size)) return BadStatusSize();
  if (!EntryInRange(index, status_size)) {
    return Error(StatusCode::kStatusUnavailable, "statusListIndex " + std::to_string(index) + " outside the bitstring");
  }
  const uint64_t first = index * status_size;
  uint32_t value = 0;
  for (uint64_t bit = first; bit < first + status_size; ++bit) {
    const uint8_t byte = bytes_[static_cast<size_t>(bit >> 3)];
    value = (value << 1) | ((byte >> (7 - (bit & 7))) & 1u);  // MSB first
  }
  return value;
}

Status BitstringStatusList::Set(uint64_t index, uint32_t value, unsigned status_size) {
  if (!ValidStatusSize(status_size)) return BadStatusSize();
  if (!EntryInRange(index, status_size)) {
    return Error(StatusCode::kInvalidArgument, "statusListIndex " + std::to_string(index) + " outside the bitstring");
  }
  if (value >> status_size != 0) {
    return Error(StatusCode::kInvalidArgument, "status value does not fit in statusSize bits");
  }
  const uint64_t first = index * status_size;
  for (unsigned k = 0; k < status_size; ++k) {
    const uint64_t bit = first + k;
    const uint8_t mask = static_cast<uint8_t>(0x80u >> (bit & 7));
    uint8_t& byte = bytes_[static_cast<size_t>(bit >> 3)];
    const bool on = ((value >> (status_size - 1 - k)) & 1u) != 0;
    byte = static_cast<uint8_t>(on ? (byte | mask) : (byte & ~mask));
  }
  return OkStatus();
}

// ---- Credential ----

Result<std::string> IssueBitstringStatusListCredential(const BitstringStatusListCredentialParams& params,
                                                       const BitstringStatusList& list,
                                                       const crypto::Signer& signer) {
  if (params.id.empty()) return Error(StatusCode::kInvalidArgument, "status list credential needs an id");
  if (params.issuer.empty()) return Error(StatusCode::kInvalidArgument, "status list credential needs an issuer");
  if (params.valid_until && *params.valid_until <= params.valid_from) {
    return Error(StatusCode::kInvalidArgument, "validUntil must be after validFrom");
  }
  ASSIGN_OR_RETURN(std::string valid_from, internal::FormatDateTimeStamp(params.valid_from));
  ASSIGN_OR_RETURN(std::string encoded_list, list.EncodeEncodedList());

  Json subject = Json::object();
  subject["id"] = params.subject_id ? *params.subject_id : params.id + "#list";
  subject["type"] = "BitstringStatusList";
  subject["statusPurpose"] = std::string(StatusPurposeName(params.purpose));
  subject["encodedList"] = std::move(encoded_list);

  Json vc = Json::object();
  vc["@context"] = Json::array({std::string(kCredentialsV2Context)});
  vc["id"] = params.id;
  vc["type"] = Json::array({"VerifiableCredential", "BitstringStatusListCredential"});
  vc["issuer"] = params.issuer;
  vc["validFrom"] = std::move(valid_from);
  if (params.valid_until) {
    ASSIGN_OR_RETURN(std::string valid_until, internal::FormatDateTimeStamp(*params.valid_until));
    vc["validUntil"] = std::move(valid_until);
  }
  vc["credentialSubject"] = std::move(subject);

  Json header = Json::object();
  header["typ"] = std::string(kVcJwtType);
  if (params.kid) header["kid"] = *params.kid;
  return jose::SignJwt(header, vc, signer);
}

Result<VerifiedBitstringStatusListCredential> BitstringStatusListCredentialVerifier::Verify(
    std::string_view compact) const {
  if (!purpose_) return Error(StatusCode::kInvalidArgument, "no expected statusPurpose: call ExpectPurpose");
  if (!id_configured_) return Error(StatusCode::kInvalidArgument, "no expected id: call ExpectId or AllowAnyId");

  ASSIGN_OR_RETURN(jose::UnverifiedJws unverified, jose::UnverifiedJws::Parse(compact));
  ASSIGN_OR_RETURN(jose::VerifiedJws jws, jose::VerifyJws(unverified, key_));
  const Json* typ = Find(jws.header(), "typ");
  if (typ == nullptr || !typ->is_string() ||
      !internal::MediaTypeMatches(typ->get_ref<const std::string&>(), kVcJwtType)) {
    return Error(StatusCode::kInvalidType, "JWT typ is not vc+jwt");
  }
  ASSIGN_OR_RETURN(Json vc, ParseJsonObject(AsStringView(jws.payload())));

  // @context: an array whose first item is the VCDM 2.0 context (VCDM 2.0 section 4.3).
  const Json* context = Find(vc, "@context");
  if (context == nullptr || !context->is_array() || context->empty() || !(*context)[0].is_string() ||
      (*context)[0].get_ref<const std::string&>() != kCredentialsV2Context) {
    return Error(StatusCode::kInvalidClaims, "@context must start with " + std::string(kCredentialsV2Context));
  }
  const Json* type = Find(vc, "type");
  if (type == nullptr || !ContainsString(*type, "VerifiableCredential") ||
      !ContainsString(*type, "BitstringStatusListCredential")) {
    return Error(StatusCode::kInvalidType, "type must include VerifiableCredential and BitstringStatusListCredential");
  }
  ASSIGN_OR_RETURN(std::optional<std::string> id, GetOptionalString(vc, "id"));
  if (expected_id_ && (!id || *id != *expected_id_)) {
    return Error(StatusCode::kStatusUnavailable, "status list credential id is not \"" + *expected_id_ + "\"");
  }

  std::string issuer;
  const Json* issuer_json = Find(vc, "issuer");
  if (issuer_json != nullptr && issuer_json->is_string()) {
    issuer = issuer_json->get<std::string>();
  } else if (issuer_json != nullptr && issuer_json->is_object()) {
    ASSIGN_OR_RETURN(issuer, GetString(*issuer_json, "id"));
  }
  if (issuer.empty()) return Error(StatusCode::kInvalidClaims, "issuer must be a URL or an object with an id");

  ASSIGN_OR_RETURN(std::string valid_from_text, GetString(vc, "validFrom"));
  ASSIGN_OR_RETURN(int64_t valid_from, internal::ParseDateTimeStamp(valid_from_text));
  ASSIGN_OR_RETURN(std::optional<std::string> valid_until_text, GetOptionalString(vc, "validUntil"));
  std::optional<int64_t> valid_until;
  if (valid_until_text) {
    ASSIGN_OR_RETURN(valid_until, internal::ParseDateTimeStamp(*valid_until_text));
  }

  ASSIGN_OR_RETURN(const Json* subject, GetObject(vc, "credentialSubject"));
  const Json* subject_type = Find(*subject, "type");
  if (subject_type == nullptr || !ContainsString(*subject_type, "BitstringStatusList")) {
    return Error(StatusCode::kInvalidType, "credentialSubject type must be BitstringStatusList");
  }
  // statusPurpose is one or more strings; unknown purposes are kept out of the typed list.
  const Json* purpose_json = Find(*subject, "statusPurpose");
  std::vector<StatusPurpose> purposes;
  if (purpose_json != nullptr && purpose_json->is_string()) {
    if (auto p = ParseStatusPurpose(purpose_json->get_ref<const std::string&>())) purposes.push_back(*p);
  } else if (purpose_json != nullptr && purpose_json->is_array() && !purpose_json->empty()) {
    for (const Json& e : *purpose_json) {
      if (!e.is_string()) return Error(StatusCode::kInvalidClaims, "statusPurpose entries must be strings");
      if (auto p = ParseStatusPurpose(e.get_ref<const std::string&>())) purposes.push_back(*p);
    }
  } else {
    return Error(StatusCode::kInvalidClaims, "statusPurpose must be a string or a non-empty array of strings");
  }
  bool purpose_found = false;
  for (StatusPurpose p : purposes) purpose_found = purpose_found || p == *purpose_;
  if (!purpose_found) {
    return Error(StatusCode::kStatusUnavailable,
                 "status list purpose does not include " + std::string(StatusPurposeName(*purpose_)));
  }
  ASSIGN_OR_RETURN(std::string encoded_list, GetString(*subject, "encodedList"));

  // Validity period: validFrom / validUntil, plus any JWT time claims present.
  const int64_t now = clock_.NowSeconds();
  jose::JwtTimeValidator time(clock_, skew_);
  time.AllowMissingExpiry();
  const int64_t skew = time.skew();
  if (now + skew < valid_from) return Error(StatusCode::kNotYetValid, "status list credential not valid yet");
  if (valid_until && now - skew >= *valid_until) {
    return Error(StatusCode::kExpired, "status list credential expired at " + *valid_until_text);
  }
  RETURN_IF_ERROR(time.Validate(vc));

  ASSIGN_OR_RETURN(BitstringStatusList list, BitstringStatusList::DecodeEncodedList(encoded_list, limits_));
  return VerifiedBitstringStatusListCredential(std::move(id), std::move(issuer), valid_from, valid_until,
                                               std::move(purposes), std::move(list));
}

// ---- Entry ----

Result<BitstringStatusEntry> BitstringStatusEntry::FromJson(const Json& json) {
  if (!json.is_object()) return Error(StatusCode::kMalformed, "credentialStatus entry is not a JSON object");
  const Json* type = Find(json, "type");
  if (type == nullptr || !type->is_string() || type->get_ref<const std::string&>() != "BitstringStatusListEntry") {
    return Error(StatusCode::kInvalidType, "credentialStatus type is not BitstringStatusListEntry");
  }
  BitstringStatusEntry entry;

  const Json* purpose = Find(json, "statusPurpose");
  std::optional<StatusPurpose> parsed_purpose;
  if (purpose != nullptr && purpose->is_string()) parsed_purpose = ParseStatusPurpose(purpose->get<std::string>());
  if (!parsed_purpose) {
    return Error(StatusCode::kMalformed, "statusPurpose must be revocation, suspension or message");
  }
  entry.purpose = *parsed_purpose;

  const Json* index = Find(json, "statusListIndex");
  std::optional<uint64_t> parsed_index;
  if (index != nullptr && index->is_string()) parsed_index = ParseIndex(index->get_ref<const std::string&>());
  if (!parsed_index) {
    return Error(StatusCode::kMalformed, "statusListIndex must be a base-10 string of a 64-bit unsigned integer");
  }
  entry.index = *parsed_index;

  const Json* url = Find(json, "statusListCredential");
  if (url == nullptr || !url->is_string() || !LooksLikeUrl(url->get_ref<const std::string&>())) {
    return Error(StatusCode::kMalformed, "statusListCredential must be a URL");
  }
  entry.status_list_credential = url->get<std::string>();

  if (const Json* id = Find(json, "id"); id != nullptr) {
    if (!id->is_string()) return Error(StatusCode::kMalformed, "credentialStatus id is not a string");
    if (id->get_ref<const std::string&>() == entry.status_list_credential) {
      return Error(StatusCode::kMalformed, "credentialStatus id must not be the status list URL");
    }
    entry.id = id->get<std::string>();
  }

  if (const Json* size = Find(json, "statusSize"); size != nullptr) {
    const std::optional<int64_t> s = size->is_number_integer() ? AsInt(*size) : std::nullopt;
    if (!s || *s < 1 || *s > static_cast<int64_t>(kMaxBitstringStatusSize)) {
      return Error(StatusCode::kMalformed, "statusSize must be an integer between 1 and 8");
    }
    entry.status_size = static_cast<unsigned>(*s);
  }
  if (entry.status_size > 1) {
    const Json* messages = Find(json, "statusMessage");
    if (messages == nullptr || !messages->is_array() || messages->size() != (size_t{1} << entry.status_size)) {
      return Error(StatusCode::kMalformed, "statusSize > 1 requires a statusMessage array of 2^statusSize entries");
    }
  }
  return entry;
}

Status CheckBitstringStatus(const VerifiedBitstringStatusListCredential& credential,
                            const BitstringStatusEntry& entry) {
  bool purpose_found = false;
  for (StatusPurpose p : credential.purposes()) purpose_found = purpose_found || p == entry.purpose;
  if (!purpose_found) {
    return Error(StatusCode::kStatusUnavailable, "status list has no " +
                                                     std::string(StatusPurposeName(entry.purpose)) + " purpose");
  }
  if (entry.purpose == StatusPurpose::kMessage) {
    return Error(StatusCode::kInvalidArgument, "message purpose has no revoked/suspended meaning; read the value");
  }
  ASSIGN_OR_RETURN(uint32_t value, credential.status_list().Get(entry.index, entry.status_size));
  if (value == 0) return OkStatus();
  if (entry.purpose == StatusPurpose::kSuspension) {
    return Error(StatusCode::kSuspended, "statusListIndex " + std::to_string(entry.index) + " is suspended");
  }
  return Error(StatusCode::kRevoked, "statusListIndex " + std::to_string(entry.index) + " is revoked");
}

}  // namespace bonafide::status
