// issuer/http_routes.cc: see http_routes.h.
#include "issuer/http_routes.h"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "base/encoding.h"
#include "base/json.h"
#include "issuer/csv.h"
#include "oid4vci/errors.h"
#include "oid4vci/metadata.h"
#include "qr/qr.h"

namespace bonafide::issuer {
namespace {

constexpr char kNoStore[] = "no-store";
// Metadata documents change only when the operator edits the config: let clients cache briefly.
constexpr char kMetadataCache[] = "public, max-age=300";
constexpr char kAdminChallenge[] = "Bearer realm=\"bonafide-admin\", error=\"invalid_token\"";

http::Response WithHeader(http::Response r, std::string name, std::string value) {
  r.headers.emplace_back(std::move(name), std::move(value));
  return r;
}

http::Response Unavailable() {
  return WithHeader(http::Response::JsonError(503, "temporarily_unavailable"), "Retry-After", "1");
}

// OAuthError is the response for an OID4VCI / OAuth error; 401s carry the Bearer challenge
// (RFC 6750 section 3) and every one carries no-store (RFC 6749 5.2 responses are not cached).
http::Response OAuthError(const oid4vci::ErrorResponse& error) {
  http::Response r = http::Response::JsonBody(error.http_status(), error.ToJson());
  if (error.http_status() == 401) r.headers.emplace_back("WWW-Authenticate", error.BearerChallenge());
  r.headers.emplace_back("Cache-Control", kNoStore);
  return r;
}

// StatusResponse maps an admin (or nonce / status) failure to HTTP: 404 for kNotFound, 500
// without details for storage and internal failures, 400 with the code and message otherwise.
http::Response StatusResponse(const Status& status) {
  switch (status.code()) {
    case StatusCode::kNotFound:
      return http::Response::JsonBody(404, Json{{"error", "not_found"}, {"message", status.message()}});
    case StatusCode::kIoError:
    case StatusCode::kInternal:
    case StatusCode::kOk:  // an OK status here is a bug
      return http::Response::JsonError(500, "internal");
    default:
      return http::Response::JsonBody(
          400, Json{{"error", std::string(StatusCodeName(status.code()))}, {"message", status.message()}});
  }
}

// BearerToken returns the token of an `Authorization: Bearer <token>` value (scheme compared
// case-insensitively, RFC 7235 section 2.1), or nullopt.
std::optional<std::string_view> BearerToken(std::string_view value) {
  constexpr std::string_view kScheme = "Bearer";
  if (value.size() <= kScheme.size() || !http::EqualsIgnoreCase(value.substr(0, kScheme.size()), kScheme) ||
      value[kScheme.size()] != ' ') {
    return std::nullopt;
  }
  std::string_view token = value.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  if (token.empty()) return std::nullopt;
  return token;
}

bool AdminAuthorized(const IssuerService& service, const http::Request& req) {
  std::optional<std::string> header = req.Header("Authorization");
  if (!header.has_value()) return false;
  std::optional<std::string_view> token = BearerToken(*header);
  return token.has_value() && service.CheckAdminToken(*token);
}

http::Response AdminUnauthorized() {
  return WithHeader(http::Response::JsonError(401, "invalid_token"), "WWW-Authenticate", kAdminChallenge);
}

std::string_view CredentialStatusName(store::CredentialStatus s) {
  switch (s) {
    case store::CredentialStatus::kValid:
      return "valid";
    case store::CredentialStatus::kRevoked:
      return "revoked";
    case store::CredentialStatus::kSuspended:
      return "suspended";
  }
  return "unknown";
}

std::string_view NotificationStateName(store::NotificationState s) {
  switch (s) {
    case store::NotificationState::kNone:
      return "none";
    case store::NotificationState::kAccepted:
      return "accepted";
    case store::NotificationState::kFailure:
      return "failure";
    case store::NotificationState::kDeleted:
      return "deleted";
  }
  return "unknown";
}

Json IssuedJson(const IssuerService& service, const store::IssuedCredential& c) {
  return Json{{"id", c.id},
              {"citizen_id", c.citizen_id},
              {"credential_configuration_id", c.credential_configuration_id},
              {"format", c.format},
              {"batch_group_id", c.batch_group_id},
              {"status_list_id", c.status_list_id},
              {"status_list_uri", service.StatusListUri(c.status_list_id)},
              {"status_index", c.status_index},
              {"issued_at", c.issued_at},
              {"expires_at", c.expires_at},
              {"status", std::string(CredentialStatusName(c.status))},
              {"notification", std::string(NotificationStateName(c.notification))}};
}

// EtagMatches says whether an If-None-Match value (RFC 9110 13.1.2: "*" or a list of entity
// tags, compared weakly) names `etag`.
bool EtagMatches(std::string_view if_none_match, std::string_view etag) {
  auto strip_weak = [](std::string_view t) {
    if (t.starts_with("W/")) t.remove_prefix(2);
    return t;
  };
  const std::string_view want = strip_weak(etag);
  size_t pos = 0;
  while (pos <= if_none_match.size()) {
    size_t comma = if_none_match.find(',', pos);
    std::string_view item =
        if_none_match.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (item == "*" || (!item.empty() && strip_weak(item) == want)) return true;
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return false;
}

// ConfigurationFormat returns the format name of the configuration a Credential Request body
// names (for the metric label; a fixed set of values), or "unknown".
std::string ConfigurationFormat(const IssuerService& service, std::string_view body) {
  Result<Json> doc = ParseJsonObject(body);
  if (!doc.ok()) return "unknown";
  const Json* id = Find(*doc, "credential_configuration_id");
  if (id == nullptr || !id->is_string()) return "unknown";
  const auto& catalogue = service.config().catalogue;
  auto it = catalogue.find(id->get<std::string>());
  if (it == catalogue.end()) return "unknown";
  return std::string(oid4vci::CredentialFormatName(it->second.format()));
}

Result<std::optional<std::string>> OptionalString(const Json& obj, std::string_view key) {
  return GetOptionalString(obj, key);
}

// Handler builders: each resolves the service first (503 while it does not exist).
using ServiceHandler = std::function<http::Response(IssuerService&, const http::Request&)>;

http::Handler Bind(const ServiceResolver& resolve, ServiceHandler fn) {
  return [resolve, fn = std::move(fn)](const http::Request& req) -> http::Response {
    IssuerService* service = resolve();
    if (service == nullptr) return Unavailable();
    return fn(*service, req);
  };
}

http::Handler BindAdmin(const ServiceResolver& resolve, ServiceHandler fn) {
  return Bind(resolve, [fn = std::move(fn)](IssuerService& service, const http::Request& req) {
    if (!AdminAuthorized(service, req)) return AdminUnauthorized();
    return fn(service, req);
  });
}

http::Response MetadataResponse(const Json& doc) {
  return WithHeader(http::Response::JsonBody(200, doc), "Cache-Control", kMetadataCache);
}

http::Response AdminOffer(IssuerService& service, const http::Request& req) {
  Result<Json> doc = ParseJsonObject(req.body);
  if (!doc.ok()) return StatusResponse(doc.status());
  Result<std::string> citizen = GetString(*doc, "citizen_id");
  if (!citizen.ok()) return StatusResponse(citizen.status());
  Result<std::string> configuration = GetString(*doc, "credential_configuration_id");
  if (!configuration.ok()) return StatusResponse(configuration.status());
  bool with_tx_code = false;
  if (const Json* tx = Find(*doc, "tx_code"); tx != nullptr) {
    if (!tx->is_boolean()) return StatusResponse(Error(StatusCode::kInvalidClaims, "tx_code must be a boolean"));
    with_tx_code = tx->get<bool>();
  }
  Result<OfferResult> offer = service.CreateOffer(*citizen, *configuration, with_tx_code);
  if (!offer.ok()) return StatusResponse(offer.status());
  Json out = {{"offer_id", offer->offer_id}, {"offer_uri", offer->offer_uri}, {"expires_at", offer->expires_at}};
  if (offer->tx_code.has_value()) out["tx_code"] = *offer->tx_code;
  // The offer exists once CreateOffer returned, so a QR failure (an offer URI longer than a QR
  // symbol holds) must not hide its URI: the response names the failure instead of the images.
  Result<Bytes> png = qr::QrPng(offer->offer_uri);
  Result<std::string> svg = qr::QrSvg(offer->offer_uri);
  if (png.ok() && svg.ok()) {
    out["qr_png"] = Base64Encode(*png);
    out["qr_svg"] = std::move(*svg);
  } else {
    out["qr_error"] = std::string(StatusCodeName(png.ok() ? svg.status().code() : png.status().code()));
  }
  return WithHeader(http::Response::JsonBody(200, out), "Cache-Control", kNoStore);
}

// CitizenConfigurations returns the configuration ids a citizen record has claims for (the keys
// of its "claims" object), or an empty array for a record without one.
Json CitizenConfigurations(std::string_view data_json) {
  Json configurations = Json::array();
  Result<Json> data = ParseJsonObject(data_json);
  if (!data.ok()) return configurations;
  const Json* claims = Find(*data, "claims");
  if (claims == nullptr || !claims->is_object()) return configurations;
  for (auto it = claims->begin(); it != claims->end(); ++it) configurations.push_back(it.key());
  return configurations;
}

http::Response AdminListCitizens(IssuerService& service, const http::Request& req) {
  const std::string after = req.QueryParam("after").value_or("");
  size_t limit = store::kMaxListPage;
  if (std::optional<std::string> text = req.QueryParam("limit"); text.has_value()) {
    Result<Json> n = ParseJson(*text);
    std::optional<int64_t> value = n.ok() ? AsInt(*n) : std::nullopt;
    if (!value.has_value() || *value < 1 || *value > static_cast<int64_t>(store::kMaxListPage)) {
      return StatusResponse(Error(StatusCode::kInvalidArgument,
                                  "limit must be an integer 1.." + std::to_string(store::kMaxListPage)));
    }
    limit = static_cast<size_t>(*value);
  }
  Result<std::vector<store::Citizen>> page = service.store().ListCitizens(after, limit);
  if (!page.ok()) return StatusResponse(page.status());
  Json citizens = Json::array();
  for (const store::Citizen& c : *page) {
    citizens.push_back(Json{{"id", c.id},
                            {"configurations", CitizenConfigurations(c.data_json)},
                            {"created_at", c.created_at},
                            {"updated_at", c.updated_at}});
  }
  Json out = {{"citizens", std::move(citizens)}};
  // A full page may have a successor; the client asks again with after = next_after.
  if (page->size() == limit) out["next_after"] = page->back().id;
  return http::Response::JsonBody(200, out);
}

// ImportRow is one row of an import batch as the client sent it.
struct ImportRow {
  int64_t line = 0;
  std::vector<std::string> fields;
};

Result<std::vector<std::string>> StringArray(const Json& obj, std::string_view key) {
  ASSIGN_OR_RETURN(const Json* array, GetArray(obj, key));
  std::vector<std::string> out;
  out.reserve(array->size());
  for (const Json& v : *array) {
    if (!v.is_string()) return Error(StatusCode::kInvalidClaims, std::string(key) + " must hold strings only");
    out.push_back(v.get<std::string>());
  }
  return out;
}

Result<std::vector<ImportRow>> ImportRows(const Json& doc) {
  ASSIGN_OR_RETURN(const Json* rows, GetArray(doc, "rows"));
  std::vector<ImportRow> out;
  out.reserve(rows->size());
  for (const Json& row : *rows) {
    if (!row.is_object()) return Error(StatusCode::kInvalidClaims, "rows must hold objects");
    ImportRow r;
    ASSIGN_OR_RETURN(r.line, GetInt(row, "line"));
    if (r.line < 1) return Error(StatusCode::kInvalidClaims, "a row's line must be >= 1");
    ASSIGN_OR_RETURN(r.fields, StringArray(row, "fields"));
    out.push_back(std::move(r));
  }
  return out;
}

Json BadRow(int64_t line, const Status& status) {
  return Json{{"line", line}, {"error", std::string(StatusCodeName(status.code()))}, {"message", status.message()}};
}

http::Response AdminImport(IssuerService& service, const http::Request& req) {
  Result<Json> doc = ParseJsonObject(req.body);
  if (!doc.ok()) return StatusResponse(doc.status());
  Result<std::vector<std::string>> header = StringArray(*doc, "header");
  if (!header.ok()) return StatusResponse(header.status());
  Result<std::vector<ImportRow>> rows = ImportRows(*doc);
  if (!rows.ok()) return StatusResponse(rows.status());
  Result<CitizenCsvMapping> mapping = CitizenCsvMapping::FromHeader(*header, &service.config().catalogue);
  if (!mapping.ok()) {
    return StatusResponse(Error(mapping.status().code(), "header: " + mapping.status().message()));
  }
  // Rows that do not map are reported and left out; the others are upserted in one transaction.
  Json bad = Json::array();
  std::vector<std::string> records;
  std::vector<int64_t> lines;
  records.reserve(rows->size());
  for (const ImportRow& row : *rows) {
    if (row.fields.size() != header->size()) {
      bad.push_back(BadRow(row.line, Error(StatusCode::kMalformed, "line " + std::to_string(row.line) + ": " +
                                                                       std::to_string(row.fields.size()) +
                                                                       " fields, the header has " +
                                                                       std::to_string(header->size()))));
      continue;
    }
    Result<store::CitizenInput> citizen = mapping->ToCitizen(row.fields);
    if (!citizen.ok()) {
      bad.push_back(BadRow(row.line, Error(citizen.status().code(), "line " + std::to_string(row.line) + ": " +
                                                                        citizen.status().message())));
      continue;
    }
    records.push_back(std::move(citizen->data_json));
    lines.push_back(row.line);
  }
  int64_t imported = 0;
  if (!records.empty()) {
    Status all = service.ImportCitizens(records);
    if (all.ok()) {
      imported = static_cast<int64_t>(records.size());
    } else if (all.code() == StatusCode::kIoError || all.code() == StatusCode::kInternal) {
      return StatusResponse(all);
    } else {
      // The store refused a row the mapping accepted: retry one by one so only that row is lost.
      for (size_t i = 0; i < records.size(); ++i) {
        Status one = service.UpsertCitizen(records[i]);
        if (one.ok()) {
          ++imported;
        } else if (one.code() == StatusCode::kIoError || one.code() == StatusCode::kInternal) {
          return StatusResponse(one);
        } else {
          bad.push_back(BadRow(lines[i], Error(one.code(), "line " + std::to_string(lines[i]) + ": " + one.message())));
        }
      }
    }
  }
  return http::Response::JsonBody(200, Json{{"imported", imported}, {"bad_rows", std::move(bad)}});
}

http::Response AdminAuditVerify(IssuerService& service, const http::Request&) {
  Status verified = service.store().VerifyAuditChain();
  if (verified.ok()) return http::Response::JsonBody(200, Json{{"valid", true}});
  if (verified.code() == StatusCode::kIoError || verified.code() == StatusCode::kInternal) {
    return StatusResponse(verified);
  }
  return http::Response::JsonBody(200, Json{{"valid", false},
                                            {"error", std::string(StatusCodeName(verified.code()))},
                                            {"message", verified.message()}});
}

http::Response AdminRevoke(IssuerService& service, const http::Request& req) {
  Result<Json> doc = ParseJsonObject(req.body);
  if (!doc.ok()) return StatusResponse(doc.status());
  AdminTarget target;
  Result<std::optional<std::string>> credential = OptionalString(*doc, "credential_id");
  if (!credential.ok()) return StatusResponse(credential.status());
  Result<std::optional<std::string>> citizen = OptionalString(*doc, "citizen_id");
  if (!citizen.ok()) return StatusResponse(citizen.status());
  Result<std::optional<std::string>> configuration = OptionalString(*doc, "credential_configuration_id");
  if (!configuration.ok()) return StatusResponse(configuration.status());
  Result<std::optional<std::string>> action = OptionalString(*doc, "action");
  if (!action.ok()) return StatusResponse(action.status());
  if (credential->has_value() == (citizen->has_value() || configuration->has_value()) ||
      citizen->has_value() != configuration->has_value()) {
    return StatusResponse(Error(StatusCode::kInvalidArgument,
                                "give credential_id, or citizen_id with credential_configuration_id"));
  }
  target.credential_id = std::move(*credential);
  target.citizen_id = std::move(*citizen);
  target.configuration_id = std::move(*configuration);
  const std::string verb = action->value_or("revoke");
  Result<std::vector<std::string>> changed = Error(StatusCode::kInternal, "unset");
  if (verb == "revoke") {
    changed = service.Revoke(target);
  } else if (verb == "suspend") {
    changed = service.Suspend(target);
  } else if (verb == "reinstate") {
    changed = service.Reinstate(target);
  } else {
    return StatusResponse(Error(StatusCode::kInvalidArgument, "action must be revoke, suspend or reinstate"));
  }
  if (!changed.ok()) return StatusResponse(changed.status());
  return http::Response::JsonBody(200, Json{{"action", verb}, {"changed", *changed}});
}

http::Response AdminListCredentials(IssuerService& service, const http::Request& req) {
  const std::string citizen = req.PathParam("id").value_or("");
  Result<std::vector<store::IssuedCredential>> issued = service.ListIssued(citizen);
  if (!issued.ok()) return StatusResponse(issued.status());
  Json list = Json::array();
  for (const store::IssuedCredential& c : *issued) list.push_back(IssuedJson(service, c));
  return http::Response::JsonBody(200, Json{{"citizen_id", citizen}, {"credentials", std::move(list)}});
}

// TokenHttpResponse is the Token Endpoint's answer: the token (no-store, RFC 6749 5.1) or the
// OAuth error.
http::Response TokenHttpResponse(const TokenOutcome& out) {
  if (auto* err = std::get_if<oid4vci::ErrorResponse>(&out)) return OAuthError(*err);
  http::Response r = http::Response::JsonBody(200, std::get<oid4vci::TokenResponse>(out).ToJson());
  r.headers.emplace_back("Cache-Control", kNoStore);
  r.headers.emplace_back("Pragma", "no-cache");
  return r;
}

http::Response StatusList(IssuerService& service, const http::Request& req) {
  Result<PublishedStatusList> list = service.StatusListToken(req.PathParam("list").value_or(""));
  if (!list.ok()) return StatusResponse(list.status());
  const std::string cache = "public, max-age=" + std::to_string(list->max_age);
  std::optional<std::string> if_none_match = req.Header("If-None-Match");
  http::Response r;
  if (if_none_match.has_value() && EtagMatches(*if_none_match, list->etag)) {
    r.status = 304;  // RFC 9110 15.4.5: no body, same validators
    r.content_type.clear();
  } else {
    r.status = 200;
    r.content_type = list->content_type;
    r.body = list->body;
  }
  r.headers.emplace_back("ETag", list->etag);
  r.headers.emplace_back("Cache-Control", cache);
  return r;
}

}  // namespace

Status RegisterIssuerRoutes(http::Server& server, IssuerService& service) {
  IssuerService* ptr = &service;
  return RegisterIssuerRoutes(server, [ptr] { return ptr; });
}

Status RegisterIssuerRoutes(http::Server& server, ServiceResolver resolve) {
  if (!resolve) return Error(StatusCode::kInvalidArgument, "empty service resolver");
  ASSIGN_OR_RETURN(http::Counter * issued,
                   server.metrics().AddCounter("credentials_issued_total", "Credentials issued.", {"format"}));

  RETURN_IF_ERROR(server.Get("/.well-known/openid-credential-issuer",
                             Bind(resolve, [](IssuerService& s, const http::Request&) {
                               return MetadataResponse(s.CredentialIssuerMetadata());
                             })));
  RETURN_IF_ERROR(server.Get("/.well-known/oauth-authorization-server",
                             Bind(resolve, [](IssuerService& s, const http::Request&) {
                               return MetadataResponse(s.AuthorizationServerMetadata());
                             })));
  RETURN_IF_ERROR(server.Get("/.well-known/jwt-vc-issuer", Bind(resolve, [](IssuerService& s, const http::Request&) {
                               return MetadataResponse(s.JwtVcIssuerMetadata());
                             })));
  RETURN_IF_ERROR(server.Get("/.well-known/did.json", Bind(resolve, [](IssuerService& s, const http::Request&) {
                               http::Response r = MetadataResponse(s.DidDocument());
                               r.content_type = "application/did+json";
                               return r;
                             })));
  RETURN_IF_ERROR(server.Get("/iacas", Bind(resolve, [](IssuerService& s, const http::Request&) {
                               http::Response r;
                               r.content_type = "application/x-pem-file";
                               for (const std::string& pem : s.Iacas()) {
                                 r.body += pem;
                                 if (!r.body.empty() && r.body.back() != '\n') r.body += '\n';
                               }
                               r.headers.emplace_back("Cache-Control", kMetadataCache);
                               return r;
                             })));

  // /token and /credential wait for a durable commit: that wait runs on the server's blocking
  // pool (http::Server::Offload), so the worker threads only ever do CPU work. /token is all
  // store work (a peek and the redeeming write): the network thread hands it to the blocking
  // pool, which answers. /credential verifies its proofs on a worker, commits on the blocking
  // pool, and signs on a worker again.
  http::Server* srv = &server;
  RETURN_IF_ERROR(server.HandleAsyncOnNetworkThread(
      "POST", "/token", [srv, resolve](http::Request req, http::Responder responder) {
        IssuerService* s = resolve();
        if (s == nullptr) return responder.Send(Unavailable());
        auto body = std::make_shared<std::string>(std::move(req.body));
        srv->Offload([s, body, responder] { responder.Send(TokenHttpResponse(s->Token(*body))); }, nullptr);
      }));
  // A c_nonce is stateless (random bytes, an expiry and an HMAC; no store): answered on the
  // network thread.
  RETURN_IF_ERROR(server.HandleOnNetworkThread(
      "POST", "/nonce", Bind(resolve, [](IssuerService& s, const http::Request&) {
        Result<oid4vci::NonceResponse> n = s.Nonce();
        if (!n.ok()) return StatusResponse(n.status());
        return WithHeader(http::Response::JsonBody(200, n->ToJson()), "Cache-Control", kNoStore);
      })));
  RETURN_IF_ERROR(server.HandleAsync("POST", "/credential", [srv, resolve, issued](http::Request req,
                                                                                   http::Responder responder) {
    IssuerService* s = resolve();
    if (s == nullptr) return responder.Send(Unavailable());
    PreparedCredential prepared = s->PrepareCredential(req.Header("Authorization").value_or(""), req.body);
    if (auto* err = std::get_if<oid4vci::ErrorResponse>(&prepared)) return responder.Send(OAuthError(*err));
    std::shared_ptr<PendingIssuance> pending = std::get<std::shared_ptr<PendingIssuance>>(std::move(prepared));
    auto failure = std::make_shared<std::optional<oid4vci::ErrorResponse>>();
    std::string format = ConfigurationFormat(*s, req.body);
    srv->Offload([s, pending, failure] { *failure = s->CommitCredential(*pending); },
                 [s, pending, failure, responder, issued, format = std::move(format)] {
                   if (failure->has_value()) return responder.Send(OAuthError(**failure));
                   CredentialOutcome out = s->FinishCredential(*pending);
                   if (auto* err = std::get_if<oid4vci::ErrorResponse>(&out)) return responder.Send(OAuthError(*err));
                   const auto& response = std::get<oid4vci::CredentialResponse>(out);
                   issued->Increment({format}, response.credentials.size());
                   http::Response ok;
                   ok.body = response.ToJsonText();
                   responder.Send(WithHeader(std::move(ok), "Cache-Control", kNoStore));
                 });
  }));
  RETURN_IF_ERROR(server.Post("/notification", Bind(resolve, [](IssuerService& s, const http::Request& req) {
                                NotificationOutcome out =
                                    s.Notification(req.Header("Authorization").value_or(""), req.body);
                                if (auto* err = std::get_if<oid4vci::ErrorResponse>(&out)) return OAuthError(*err);
                                http::Response r;
                                r.status = 204;
                                r.content_type.clear();
                                r.headers.emplace_back("Cache-Control", kNoStore);
                                return r;
                              })));
  RETURN_IF_ERROR(server.Get("/status/{list}", Bind(resolve, StatusList)));

  RETURN_IF_ERROR(server.Post("/admin/citizens", BindAdmin(resolve, [](IssuerService& s, const http::Request& req) {
                                Status st = s.UpsertCitizen(req.body);
                                if (!st.ok()) return StatusResponse(st);
                                return http::Response::JsonBody(200, Json{{"upserted", true}});
                              })));
  RETURN_IF_ERROR(server.Post("/admin/offers", BindAdmin(resolve, AdminOffer)));
  RETURN_IF_ERROR(server.Post("/admin/revoke", BindAdmin(resolve, AdminRevoke)));
  RETURN_IF_ERROR(server.Get("/admin/citizens/{id}/credentials", BindAdmin(resolve, AdminListCredentials)));
  RETURN_IF_ERROR(server.Get("/admin/citizens", BindAdmin(resolve, AdminListCitizens)));
  RETURN_IF_ERROR(server.Post("/admin/import", BindAdmin(resolve, AdminImport)));
  RETURN_IF_ERROR(server.Get("/admin/audit/verify", BindAdmin(resolve, AdminAuditVerify)));

  server.SetReadinessCheck([resolve]() -> Status {
    IssuerService* s = resolve();
    if (s == nullptr) return Error(StatusCode::kInternal, "issuer service not created yet");
    Result<std::vector<std::string>> lists = s->store().ListStatusListIds();
    return lists.ok() ? Status() : lists.status();
  });
  return Status();
}

}  // namespace bonafide::issuer
