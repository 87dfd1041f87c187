#include "status/status_list_cwt.h"

#include <limits>
#include <string>
#include <utility>

#include "base/json.h"
#include "cbor/cbor.h"
#include "cose/cose_sign1.h"
#include "jose/jwt.h"

namespace bonafide::status {
namespace {


Status BadClaim(int64_t key, const char* what) {
  return Error(StatusCode::kInvalidClaims, "CWT claim " + std::to_string(key) + " " + what);
}

// OptionalText reads a text claim; kInvalidClaims if present with another type.
Result<std::optional<std::string>> OptionalText(const cbor::Value& claims, int64_t key) {
  const cbor::Value* v = claims.Find(key);
  if (v == nullptr) return std::optional<std::string>();
  if (!v->is_text()) return BadClaim(key, "is not a text string");
  return std::optional<std::string>(std::string(v->text()));
}

// OptionalTime reads a uint claim that must fit in int64; kInvalidClaims otherwise.
Result<std::optional<int64_t>> OptionalTime(const cbor::Value& claims, int64_t key) {
  const cbor::Value* v = claims.Find(key);
  if (v == nullptr) return std::optional<int64_t>();
  if (!v->is_uint()) return BadClaim(key, "is not an unsigned integer");
  const uint64_t n = v->uint_value();
  if (n > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return BadClaim(key, "is too large");
  return std::optional<int64_t>(static_cast<int64_t>(n));
}

}  // namespace

Result<Bytes> IssueStatusListCwt(const StatusListTokenParams& params, const StatusList& list,
                                 const crypto::Signer& signer) {
  if (params.sub.empty()) return Error(StatusCode::kInvalidArgument, "status list token needs a sub (list URI)");
  if (params.iat < 0) return Error(StatusCode::kInvalidArgument, "iat must not be negative");
  if (params.ttl && *params.ttl <= 0) return Error(StatusCode::kInvalidArgument, "ttl must be positive");
  if (params.exp && *params.exp <= params.iat) return Error(StatusCode::kInvalidArgument, "exp must be after iat");

  ASSIGN_OR_RETURN(Bytes lst, list.Compress());
  cbor::Value status_list = cbor::Value::MakeMap();
  status_list.Insert("bits", cbor::Value::Uint(static_cast<uint64_t>(list.bits())));
  status_list.Insert("lst", cbor::Value::ByteString(std::move(lst)));
  if (params.aggregation_uri) status_list.Insert("aggregation_uri", cbor::Value::Text(*params.aggregation_uri));

  // Times are CWT NumericDate as unsigned integers (the verifier reads them as uint).
  cbor::Value claims = cbor::Value::MakeMap();
  claims.Insert(kCwtClaimSub, cbor::Value::Text(params.sub));
  claims.Insert(kCwtClaimIat, cbor::Value::Uint(static_cast<uint64_t>(params.iat)));
  if (params.exp) claims.Insert(kCwtClaimExp, cbor::Value::Uint(static_cast<uint64_t>(*params.exp)));
  if (params.ttl) claims.Insert(kCwtClaimTtl, cbor::Value::Uint(static_cast<uint64_t>(*params.ttl)));
  if (params.iss) claims.Insert(kCwtClaimIss, cbor::Value::Text(*params.iss));
  claims.Insert(kCwtClaimStatusList, std::move(status_list));

  cose::Sign1Headers headers;
  headers.typ = std::string(kStatusListCwtType);
  if (params.kid) headers.kid = ToBytes(*params.kid);
  return cose::SignSign1(headers, cbor::EncodeDeterministic(claims), signer);
}

Result<VerifiedStatusListToken> StatusListCwtVerifier::Verify(ByteView cose) const {
  if (!subject_configured_) {
    return Error(StatusCode::kInvalidArgument, "no expected status list URI: call ExpectSubject or AllowAnySubject");
  }
  // A status list token is small next to mdoc structures: 1 MiB and 16 levels bound it (the
  // list inside is then inflated under limits_).
  cbor::DecodeLimits limits;
  limits.max_bytes = size_t{1} << 20;
  limits.max_depth = 16;
  ASSIGN_OR_RETURN(cose::UnverifiedSign1 message, cose::UnverifiedSign1::Parse(cose, limits));
  ASSIGN_OR_RETURN(cose::VerifiedSign1 sign1, message.Verify(key_));

  // The draft's registered media type; compared case-insensitively like JOSE typ, with no
  // parameters and no omission of "application/".
  const std::optional<std::string>& typ = sign1.typ();
  auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
  bool typ_ok = typ.has_value() && typ->size() == kStatusListCwtType.size();
  for (size_t i = 0; typ_ok && i < typ->size(); ++i) typ_ok = lower((*typ)[i]) == kStatusListCwtType[i];
  if (!typ_ok) return Error(StatusCode::kInvalidType, "COSE typ (16) is not application/statuslist+cwt");

  ASSIGN_OR_RETURN(cbor::Value claims, cbor::Decode(sign1.payload()));
  if (!claims.is_map()) return Error(StatusCode::kMalformed, "CWT payload is not a CBOR map");

  ASSIGN_OR_RETURN(std::optional<std::string> sub, OptionalText(claims, kCwtClaimSub));
  if (!sub) return BadClaim(kCwtClaimSub, "(sub) is missing");
  ASSIGN_OR_RETURN(std::optional<int64_t> iat, OptionalTime(claims, kCwtClaimIat));
  if (!iat) return BadClaim(kCwtClaimIat, "(iat) is missing");
  ASSIGN_OR_RETURN(std::optional<int64_t> exp, OptionalTime(claims, kCwtClaimExp));
  ASSIGN_OR_RETURN(std::optional<int64_t> ttl, OptionalTime(claims, kCwtClaimTtl));
  if (ttl && *ttl <= 0) return BadClaim(kCwtClaimTtl, "(ttl) must be positive");
  ASSIGN_OR_RETURN(std::optional<std::string> iss, OptionalText(claims, kCwtClaimIss));
  const cbor::Value* status_list = claims.Find(kCwtClaimStatusList);
  if (status_list == nullptr || !status_list->is_map()) return BadClaim(kCwtClaimStatusList, "(status_list) is not a map");

  if (expected_sub_ && *sub != *expected_sub_) {
    return Error(StatusCode::kStatusUnavailable, "status list token sub \"" + *sub + "\" is not the expected URI \"" +
                                                     *expected_sub_ + "\"");
  }

  // The same exp / iat rules as the JWT form, applied to the CWT values.
  Json times = Json::object();
  times["iat"] = *iat;
  if (exp) times["exp"] = *exp;
  jose::JwtTimeValidator time(clock_, skew_);
  time.AllowMissingExpiry().RequireIssuedAt();
  RETURN_IF_ERROR(time.Validate(times));

  // status_list {"bits": uint, "lst": bstr, "aggregation_uri"?: text} (draft-20 section 4.3).
  const cbor::Value* bits_item = status_list->Find("bits");
  if (bits_item == nullptr || !bits_item->is_uint()) {
    return Error(StatusCode::kMalformed, "status_list bits is not a uint");
  }
  const uint64_t bits = bits_item->uint_value();
  if (!IsValidStatusBits(bits > 8 ? 0 : static_cast<int64_t>(bits))) {
    return Error(StatusCode::kMalformed, "status_list bits is not 1, 2, 4 or 8");
  }
  const cbor::Value* lst_item = status_list->Find("lst");
  if (lst_item == nullptr || !lst_item->is_bytes()) {
    return Error(StatusCode::kMalformed, "status_list lst is not a bstr");
  }
  ByteView lst = lst_item->bytes();
  std::optional<std::string> aggregation_uri;
  if (const cbor::Value* agg_item = status_list->Find("aggregation_uri")) {
    if (!agg_item->is_text()) return Error(StatusCode::kMalformed, "status_list aggregation_uri is not text");
    aggregation_uri = std::string(agg_item->text());
  }
  ASSIGN_OR_RETURN(StatusList list, StatusList::Decompress(static_cast<int>(bits), lst, limits_));
  return VerifiedStatusListToken(std::move(*sub), *iat, exp, ttl, std::move(iss), std::move(aggregation_uri),
                                 std::move(list));
}

Result<StatusReference> StatusReferenceFromCwtClaims(ByteView cwt_claims) {
  ASSIGN_OR_RETURN(cbor::Value claims, cbor::Decode(cwt_claims));
  if (!claims.is_map()) return Error(StatusCode::kMalformed, "CWT claims are not a CBOR map");
  const cbor::Value* status = claims.Find(kCwtClaimStatus);
  if (status == nullptr) return Error(StatusCode::kNotFound, "CWT has no status claim (65535)");
  return StatusReferenceFromStatusMap(*status);
}

Result<StatusReference> StatusReferenceFromStatusMap(const cbor::Value& status) {
  if (!status.is_map()) return Error(StatusCode::kMalformed, "status claim is not a map");
  const cbor::Value* status_list = status.Find("status_list");
  if (status_list == nullptr) return Error(StatusCode::kNotFound, "status claim has no status_list");
  if (!status_list->is_map()) return Error(StatusCode::kMalformed, "status_list reference is not a map");
  const cbor::Value* idx = status_list->Find("idx");
  if (idx == nullptr || !idx->is_uint()) return Error(StatusCode::kMalformed, "status_list.idx missing or not a uint");
  const cbor::Value* uri = status_list->Find("uri");
  if (uri == nullptr || !uri->is_text()) return Error(StatusCode::kMalformed, "status_list.uri missing or not text");
  if (uri->text().empty()) return Error(StatusCode::kMalformed, "status_list.uri is empty");
  StatusReference ref;
  ref.idx = idx->uint_value();
  ref.uri = std::string(uri->text());
  return ref;
}

}  // namespace bonafide::status
