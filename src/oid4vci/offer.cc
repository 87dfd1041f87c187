#include "oid4vci/offer.h"

#include "oid4vci/internal/url.h"

namespace bonafide::oid4vci {
namespace {

using internal::CheckUrl;
using internal::GetNonEmptyString;
using internal::GetOptionalNonEmptyString;

constexpr std::string_view kOfferParam = "credential_offer";
constexpr std::string_view kOfferUriParam = "credential_offer_uri";

// CountCodePoints counts UTF-8 code points (every byte that is not a continuation byte).
size_t CountCodePoints(std::string_view text) {
  size_t n = 0;
  for (char ch : text) {
    if ((static_cast<unsigned char>(ch) & 0xC0) != 0x80) ++n;
  }
  return n;
}

Result<TxCode> ParseTxCode(const Json& obj) {
  if (!obj.is_object()) return Error(StatusCode::kInvalidClaims, "tx_code must be an object");
  TxCode tx;
  // Read through the Json value, not an optional<string>: GCC 12 reports a false
  // -Wmaybe-uninitialized on comparing the optional's string at -O3.
  if (const Json* mode = Find(obj, "input_mode"); mode != nullptr) {
    if (!mode->is_string()) return Error(StatusCode::kInvalidClaims, "tx_code.input_mode must be a string");
    const std::string& value = mode->get_ref<const std::string&>();
    if (value == "numeric") {
      tx.input_mode = TxCodeInputMode::kNumeric;
    } else if (value == "text") {
      tx.input_mode = TxCodeInputMode::kText;
    } else {
      return Error(StatusCode::kInvalidClaims, "tx_code.input_mode must be numeric or text");
    }
  }
  ASSIGN_OR_RETURN(tx.length, GetOptionalInt(obj, "length"));
  if (tx.length.has_value() && *tx.length <= 0) {
    return Error(StatusCode::kInvalidClaims, "tx_code.length must be positive");
  }
  ASSIGN_OR_RETURN(tx.description, GetOptionalString(obj, "description"));
  if (tx.description.has_value() && CountCodePoints(*tx.description) > kMaxTxCodeDescription) {
    return Error(StatusCode::kInvalidClaims, "tx_code.description is longer than 300 characters");
  }
  return tx;
}

Json TxCodeToJson(const TxCode& tx) {
  Json obj = Json::object();
  if (tx.input_mode.has_value()) {
    obj["input_mode"] = *tx.input_mode == TxCodeInputMode::kText ? "text" : "numeric";
  }
  if (tx.length.has_value()) obj["length"] = *tx.length;
  if (tx.description.has_value()) obj["description"] = *tx.description;
  return obj;
}

}  // namespace

Json CredentialOffer::ToJson() const {
  Json obj = Json::object();
  obj["credential_issuer"] = credential_issuer;
  obj["credential_configuration_ids"] = credential_configuration_ids;
  if (pre_authorized_code.has_value()) {
    Json grant = Json::object();
    grant["pre-authorized_code"] = pre_authorized_code->pre_authorized_code;
    if (pre_authorized_code->tx_code.has_value()) grant["tx_code"] = TxCodeToJson(*pre_authorized_code->tx_code);
    if (pre_authorized_code->authorization_server.has_value()) {
      grant["authorization_server"] = *pre_authorized_code->authorization_server;
    }
    obj["grants"] = Json::object({{std::string(kPreAuthorizedCodeGrantType), std::move(grant)}});
  }
  return obj;
}

Result<CredentialOffer> CredentialOffer::FromJson(const Json& offer, bool insecure_allow_http_loopback) {
  if (!offer.is_object()) return Error(StatusCode::kInvalidClaims, "credential offer must be a JSON object");
  CredentialOffer out;
  ASSIGN_OR_RETURN(out.credential_issuer, GetNonEmptyString(offer, "credential_issuer"));
  RETURN_IF_ERROR(CheckUrl(out.credential_issuer, "credential_issuer", /*allow_query=*/false,
                           insecure_allow_http_loopback));
  ASSIGN_OR_RETURN(out.credential_configuration_ids,
                   internal::GetStringArray(offer, "credential_configuration_ids", true, true));
  if (const Json* grants = Find(offer, "grants"); grants != nullptr) {
    if (!grants->is_object()) return Error(StatusCode::kInvalidClaims, "grants must be an object");
    if (const Json* pre = Find(*grants, kPreAuthorizedCodeGrantType); pre != nullptr) {
      if (!pre->is_object()) return Error(StatusCode::kInvalidClaims, "pre-authorized_code grant must be an object");
      PreAuthorizedCodeGrant grant;
      ASSIGN_OR_RETURN(grant.pre_authorized_code, GetNonEmptyString(*pre, "pre-authorized_code"));
      if (const Json* tx = Find(*pre, "tx_code"); tx != nullptr) {
        ASSIGN_OR_RETURN(grant.tx_code, ParseTxCode(*tx));
      }
      ASSIGN_OR_RETURN(grant.authorization_server, GetOptionalNonEmptyString(*pre, "authorization_server"));
      out.pre_authorized_code = std::move(grant);
    }
  }
  return out;
}

Result<CredentialOffer> CredentialOffer::Parse(std::string_view json, bool insecure_allow_http_loopback) {
  ASSIGN_OR_RETURN(Json obj, ParseJsonObject(json, JsonLimits{kMaxOfferUriBytes, 16}));
  return FromJson(obj, insecure_allow_http_loopback);
}

std::string BuildCredentialOfferUri(const CredentialOffer& offer) {
  std::string uri(kCredentialOfferScheme);
  uri += "?";
  uri += kOfferParam;
  uri += "=";
  uri += internal::PercentEncode(DumpJson(offer.ToJson()));
  return uri;
}

Result<std::string> BuildCredentialOfferReferenceUri(std::string_view offer_url,
                                                     bool insecure_allow_http_loopback) {
  Status ok = CheckUrl(offer_url, "credential_offer_uri", /*allow_query=*/true, insecure_allow_http_loopback);
  if (!ok.ok()) return Error(StatusCode::kInvalidArgument, ok.message());
  std::string uri(kCredentialOfferScheme);
  uri += "?";
  uri += kOfferUriParam;
  uri += "=";
  uri += internal::PercentEncode(offer_url);
  return uri;
}

Result<CredentialOfferLink> ParseCredentialOfferUri(std::string_view uri, bool insecure_allow_http_loopback) {
  if (uri.size() > kMaxOfferUriBytes) return Error(StatusCode::kLimitExceeded, "credential offer URI too long");
  if (!uri.starts_with(kCredentialOfferScheme)) {
    return Error(StatusCode::kMalformed, "not an openid-credential-offer:// URI");
  }
  std::string_view rest = uri.substr(kCredentialOfferScheme.size());
  if (rest.empty() || rest.front() != '?') {
    return Error(StatusCode::kMalformed, "credential offer URI must have an empty authority and path");
  }
  rest.remove_prefix(1);
  if (rest.find('#') != std::string_view::npos) {
    return Error(StatusCode::kMalformed, "credential offer URI must not have a fragment");
  }
  // Two parameters are enough to report "both forms"; more is a malformed offer anyway.
  ASSIGN_OR_RETURN(internal::QueryParams params, internal::ParseQuery(rest, 4));
  const std::string* offer_json = nullptr;
  const std::string* offer_uri = nullptr;
  for (const auto& [name, value] : params) {
    if (name == kOfferParam) {
      offer_json = &value;
    } else if (name == kOfferUriParam) {
      offer_uri = &value;
    } else {
      return Error(StatusCode::kMalformed, "unexpected credential offer URI parameter");
    }
  }
  if (offer_json != nullptr && offer_uri != nullptr) {
    return Error(StatusCode::kMalformed, "credential_offer and credential_offer_uri are both present");
  }
  if (offer_json == nullptr && offer_uri == nullptr) {
    return Error(StatusCode::kMalformed, "neither credential_offer nor credential_offer_uri is present");
  }
  if (offer_json != nullptr) {
    if (offer_json->empty()) return Error(StatusCode::kMalformed, "credential_offer is empty");
    ASSIGN_OR_RETURN(CredentialOffer offer, CredentialOffer::Parse(*offer_json, insecure_allow_http_loopback));
    return CredentialOfferLink(std::move(offer));
  }
  if (offer_uri->empty()) return Error(StatusCode::kMalformed, "credential_offer_uri is empty");
  RETURN_IF_ERROR(CheckUrl(*offer_uri, "credential_offer_uri", /*allow_query=*/true, insecure_allow_http_loopback));
  return CredentialOfferLink(CredentialOfferReference{*offer_uri});
}

}  // namespace bonafide::oid4vci
