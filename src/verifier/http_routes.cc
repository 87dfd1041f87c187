// verifier/http_routes.cc: the verifier's HTTP routes (see http_routes.h).
#include "verifier/http_routes.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "base/json.h"
#include "qr/qr.h"

namespace bonafide::verifier {
namespace {

constexpr char kNoStore[] = "no-store";

http::Response Unavailable() { return http::Response::JsonError(503, "unavailable"); }

http::Response StatusResponse(const Status& status) {
  int code = 400;
  switch (status.code()) {
    case StatusCode::kNotFound:
      code = 404;
      break;
    case StatusCode::kExpired:
      code = 410;
      break;
    case StatusCode::kNonceMismatch:
      return http::Response::JsonBody(403, Json{{"error", "invalid_response_code"}});
    case StatusCode::kIoError:
    case StatusCode::kInternal:
    case StatusCode::kStatusUnavailable:
      code = 503;
      break;
    default:
      break;
  }
  return http::Response::JsonBody(
      code, Json{{"error", std::string(StatusCodeName(status.code()))}, {"message", status.message()}});
}

http::Response NoStore(http::Response r) {
  r.headers.emplace_back("Cache-Control", kNoStore);
  return r;
}

// CreateSession answers POST /sessions.
http::Response CreateSession(VerifierService& s, const std::string& body_text) {
  Result<Json> body = ParseJsonObject(body_text);
  if (!body.ok()) return StatusResponse(body.status());
  Result<SessionRequest> request = SessionRequestFromJson(*body);
  if (!request.ok()) return StatusResponse(request.status());
  Result<CreatedSession> created = s.CreateSession(*request);
  if (!created.ok()) return StatusResponse(created.status());
  return NoStore(http::Response::JsonBody(201, created->ToJson()));
}

http::Response RequestObjectResponse(const Result<std::string>& jws) {
  if (!jws.ok()) return StatusResponse(jws.status());
  http::Response r;
  r.content_type = "application/oauth-authz-req+jwt";
  r.body = *jws;
  return NoStore(std::move(r));
}

http::Response ResultResponse(const Result<Json>& result) {
  if (!result.ok()) return StatusResponse(result.status());
  return NoStore(http::Response::JsonBody(200, *result));
}

// AnswerFromMemoryOrStore registers a GET that runs on the network thread: `recent` answers from
// the service's memory when it can (never waiting), else `stored`, which may read the store,
// runs on the blocking pool.
template <typename T>
Status AnswerFromMemoryOrStore(
    http::Server& server, std::string_view pattern, std::function<VerifierService*()> resolve,
    std::function<std::optional<Result<T>>(VerifierService&, const http::Request&)> recent,
    std::function<Result<T>(VerifierService&, const http::Request&)> stored,
    http::Response (*respond)(const Result<T>&)) {
  http::Server* srv = &server;
  return server.HandleAsyncOnNetworkThread(
      "GET", pattern, [srv, resolve, recent, stored, respond](http::Request req, http::Responder responder) {
        VerifierService* s = resolve();
        if (s == nullptr) return responder.Send(Unavailable());
        if (std::optional<Result<T>> answer = recent(*s, req)) return responder.Send(respond(*answer));
        auto request = std::make_shared<http::Request>(std::move(req));
        srv->Offload([s, request, responder, stored, respond] { responder.Send(respond(stored(*s, *request))); },
                     nullptr);
      });
}

}  // namespace

Status RegisterVerifierRoutes(http::Server& server, std::function<VerifierService*()> resolve) {
  // Session creation ends in a durable insert (a commit that waits for the disk): like the
  // response endpoint below, it runs on the blocking pool so the workers never sit in fsync.
  http::Server* srv = &server;
  // The network thread hands the request straight to the blocking pool, which answers.
  RETURN_IF_ERROR(server.HandleAsyncOnNetworkThread(
      "POST", "/sessions", [srv, resolve](http::Request req, http::Responder responder) {
        VerifierService* s = resolve();
        if (s == nullptr) return responder.Send(Unavailable());
        auto request = std::make_shared<http::Request>(std::move(req));
        srv->Offload([s, request, responder] { responder.Send(CreateSession(*s, request->body)); }, nullptr);
      }));

  // The Request Object and the result: from memory on the network thread when this process
  // holds them (a session it opened or finished recently), else read from the store.
  RETURN_IF_ERROR(AnswerFromMemoryOrStore<std::string>(
      server, "/request/{id}", resolve,
      [](VerifierService& s, const http::Request& req) { return s.RecentRequestObject(req.PathParam("id").value_or("")); },
      [](VerifierService& s, const http::Request& req) { return s.RequestObject(req.PathParam("id").value_or("")); },
      RequestObjectResponse));

  // The response endpoint: parsing, decryption and signature checks are CPU work, but the
  // single-use claim and the result are durable writes, so the whole handler runs on the
  // blocking pool and the worker is free at once.
  RETURN_IF_ERROR(server.HandleAsyncOnNetworkThread(
      "POST", "/response/{id}", [srv, resolve](http::Request req, http::Responder responder) {
        VerifierService* s = resolve();
        if (s == nullptr) return responder.Send(Unavailable());
        auto request = std::make_shared<http::Request>(std::move(req));
        srv->Offload(
            [s, request, responder] {
              ResponseOutcome out = s->HandleResponse(request->PathParam("id").value_or(""), request->body,
                                                      request->Header("Content-Type").value_or(""));
              responder.Send(NoStore(http::Response::JsonBody(out.http_status, out.body)));
            },
            nullptr);
      }));

  RETURN_IF_ERROR(AnswerFromMemoryOrStore<Json>(
      server, "/sessions/{id}", resolve,
      [](VerifierService& s, const http::Request& req) {
        return s.RecentResult(req.PathParam("id").value_or(""), req.QueryParam("response_code"));
      },
      [](VerifierService& s, const http::Request& req) {
        return s.GetResult(req.PathParam("id").value_or(""), req.QueryParam("response_code"));
      },
      ResultResponse));

  RETURN_IF_ERROR(server.Get("/sessions/{id}/qr.png", [resolve](const http::Request& req) {
    VerifierService* s = resolve();
    if (s == nullptr) return Unavailable();
    Result<Json> result = s->GetResult(req.PathParam("id").value_or(""), std::nullopt);
    if (!result.ok()) return StatusResponse(result.status());
    // The QR code carries the public request_uri; it is recomputed from the stored session.
    const Json* uri = Find(*result, "request_uri");
    if (uri == nullptr || !uri->is_string()) return http::Response::JsonError(404, "not_found");
    Result<Bytes> png = qr::QrPng(uri->get<std::string>());
    if (!png.ok()) return StatusResponse(png.status());
    http::Response r;
    r.content_type = "image/png";
    r.body.assign(png->begin(), png->end());
    return NoStore(std::move(r));
  }));

  RETURN_IF_ERROR(server.Get("/check-record-key", [resolve](const http::Request&) {
    VerifierService* s = resolve();
    if (s == nullptr) return Unavailable();
    return http::Response::JsonBody(200, Json{{"keys", Json::array({s->CheckRecordKey()})}});
  }));

  RETURN_IF_ERROR(server.Get("/done", [](const http::Request&) {
    return http::Response::Text(200, "The presentation has been received. You can return to the page that asked for it.\n");
  }));
  return OkStatus();
}

}  // namespace bonafide::verifier
