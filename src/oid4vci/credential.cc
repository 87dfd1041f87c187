#include "oid4vci/credential.h"

#include "oid4vci/internal/url.h"

namespace bonafide::oid4vci {
namespace {

Status Invalid(std::string message) { return Error(StatusCode::kInvalidClaims, std::move(message)); }

}  // namespace

Json CredentialRequest::ToJson() const {
  Json body = Json::object();
  if (credential_configuration_id.has_value()) body["credential_configuration_id"] = *credential_configuration_id;
  if (credential_identifier.has_value()) body["credential_identifier"] = *credential_identifier;
  if (!unverified_jwt_proofs.empty()) body["proofs"] = Json::object({{"jwt", unverified_jwt_proofs}});
  return body;
}

Result<CredentialRequest> CredentialRequest::FromJson(const Json& body) {
  if (!body.is_object()) return Invalid("credential request must be a JSON object");
  CredentialRequest request;
  ASSIGN_OR_RETURN(request.credential_configuration_id,
                   internal::GetOptionalNonEmptyString(body, "credential_configuration_id"));
  ASSIGN_OR_RETURN(request.credential_identifier, internal::GetOptionalNonEmptyString(body, "credential_identifier"));
  if (request.credential_configuration_id.has_value() == request.credential_identifier.has_value()) {
    return Invalid("exactly one of credential_configuration_id and credential_identifier must be present");
  }
  if (Find(body, "proof") != nullptr) {
    return Invalid("the pre-1.0 `proof` member is not accepted; send `proofs`");
  }
  if (Find(body, "credential_response_encryption") != nullptr) {
    return Error(StatusCode::kUnsupportedAlgorithm, "credential response encryption is not supported");
  }
  if (const Json* proofs = Find(body, "proofs"); proofs != nullptr) {
    if (!proofs->is_object() || proofs->size() != 1) {
      return Invalid("proofs must be an object with exactly one proof type");
    }
    const auto entry = proofs->begin();
    if (entry.key() != "jwt") return Error(StatusCode::kInvalidType, "unsupported proof type: " + entry.key());
    const Json& jwts = entry.value();
    if (!jwts.is_array() || jwts.empty()) return Invalid("proofs.jwt must be a non-empty array");
    if (jwts.size() > kMaxProofsPerRequest) return Error(StatusCode::kLimitExceeded, "too many proofs");
    for (const Json& jwt : jwts) {
      if (!jwt.is_string() || jwt.get_ref<const std::string&>().empty()) {
        return Invalid("proofs.jwt must hold non-empty strings");
      }
      request.unverified_jwt_proofs.push_back(jwt.get<std::string>());
    }
  }
  return request;
}

Result<CredentialRequest> CredentialRequest::Parse(std::string_view json) {
  ASSIGN_OR_RETURN(Json body, ParseJsonObject(json, JsonLimits{kMaxCredentialRequestBytes, 16}));
  return FromJson(body);
}

Json CredentialResponse::ToJson() const {
  Json body = Json::object();
  Json array = Json::array();
  for (const IssuedCredential& c : credentials) array.push_back(Json::object({{"credential", c.credential}}));
  body["credentials"] = std::move(array);
  if (notification_id.has_value()) body["notification_id"] = *notification_id;
  return body;
}

std::string CredentialResponse::ToJsonText() const {
  size_t size = 64;
  for (const IssuedCredential& c : credentials) size += 20 + (c.credential.is_string() ? c.credential.get_ref<const std::string&>().size() : 256);
  std::string out;
  out.reserve(size);
  out += "{\"credentials\":[";
  for (size_t i = 0; i < credentials.size(); ++i) {
    out += i == 0 ? "{\"credential\":" : ",{\"credential\":";
    AppendJson(out, credentials[i].credential);
    out.push_back('}');
  }
  out.push_back(']');
  if (notification_id.has_value()) {
    out += ",\"notification_id\":";
    AppendJsonString(out, *notification_id);
  }
  out.push_back('}');
  return out;
}

Result<CredentialResponse> CredentialResponse::FromJson(const Json& body) {
  if (!body.is_object()) return Invalid("credential response must be a JSON object");
  if (Find(body, "transaction_id") != nullptr || Find(body, "interval") != nullptr) {
    return Invalid("deferred credential responses are not supported");
  }
  CredentialResponse response;
  ASSIGN_OR_RETURN(const Json* credentials, GetArray(body, "credentials"));
  if (credentials->empty()) return Invalid("credentials must not be empty");
  for (const Json& item : *credentials) {
    if (!item.is_object()) return Invalid("credentials must hold objects");
    const Json* credential = Find(item, "credential");
    if (credential == nullptr) return Invalid("credentials entry without credential");
    const bool ok_string = credential->is_string() && !credential->get_ref<const std::string&>().empty();
    if (!ok_string && !credential->is_object()) {
      return Invalid("credential must be a non-empty string or an object");
    }
    response.credentials.push_back(IssuedCredential{*credential});
  }
  ASSIGN_OR_RETURN(response.notification_id, internal::GetOptionalNonEmptyString(body, "notification_id"));
  return response;
}

std::string_view NotificationEventName(NotificationEvent event) {
  switch (event) {
    case NotificationEvent::kCredentialAccepted:
      return "credential_accepted";
    case NotificationEvent::kCredentialFailure:
      return "credential_failure";
    case NotificationEvent::kCredentialDeleted:
      return "credential_deleted";
  }
  return "credential_failure";
}

Result<Json> NotificationRequest::ToJson() const {
  if (notification_id.empty()) return Error(StatusCode::kInvalidArgument, "notification_id is empty");
  if (event_description.has_value() && !internal::IsErrorDescriptionText(*event_description)) {
    return Error(StatusCode::kInvalidArgument, "event_description holds characters it may not carry");
  }
  Json body = Json::object();
  body["notification_id"] = notification_id;
  body["event"] = std::string(NotificationEventName(event));
  if (event_description.has_value()) body["event_description"] = *event_description;
  return body;
}

Result<NotificationRequest> NotificationRequest::FromJson(const Json& body) {
  if (!body.is_object()) return Invalid("notification request must be a JSON object");
  NotificationRequest request;
  ASSIGN_OR_RETURN(request.notification_id, internal::GetNonEmptyString(body, "notification_id"));
  ASSIGN_OR_RETURN(std::string event, GetString(body, "event"));
  if (event == "credential_accepted") {
    request.event = NotificationEvent::kCredentialAccepted;
  } else if (event == "credential_failure") {
    request.event = NotificationEvent::kCredentialFailure;
  } else if (event == "credential_deleted") {
    request.event = NotificationEvent::kCredentialDeleted;
  } else {
    return Invalid("unknown notification event");
  }
  ASSIGN_OR_RETURN(request.event_description, GetOptionalString(body, "event_description"));
  if (request.event_description.has_value() && !internal::IsErrorDescriptionText(*request.event_description)) {
    return Invalid("event_description holds characters it may not carry");
  }
  return request;
}

Result<NotificationRequest> NotificationRequest::Parse(std::string_view json) {
  ASSIGN_OR_RETURN(Json body, ParseJsonObject(json, JsonLimits{16 * 1024, 8}));
  return FromJson(body);
}

}  // namespace bonafide::oid4vci
