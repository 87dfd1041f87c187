// verifier/http_routes.h: the verifier's HTTP edge. RegisterVerifierRoutes maps the verifier
// service (verifier/service.h) onto an http::Server; this is the only place where Status codes
// become HTTP statuses and bodies.
//
// Routes (docs/verifier.md):
//   POST /sessions                 {"check" | "dcql_query", "response_mode"?, "same_device"?,
//                                  "webhook_url"?} -> 201 {session_id, request_uri, expires_at}
//   GET  /request/{request_id}     the signed Request Object, application/oauth-authz-req+jwt
//                                  (OpenID4VP 5.10: request_uri_method get)
//   POST /response/{request_id}    the response_uri (form body; sections 8.2 / 8.3) -> 200 {} or
//                                  {"redirect_uri"}; 400 {"error": "invalid_request", ...}. The
//                                  durable single-use claim runs on the server's blocking pool
//                                  (HandleAsync + Offload), never on a worker thread.
//   GET  /sessions/{session_id}    the result JSON (?response_code= for same-device sessions)
//   GET  /sessions/{session_id}/qr.png  the request_uri as a QR code (PNG)
//   GET  /check-record-key         the public JWK check records are signed with
//   GET  /done                     the same-device landing page (the response_code is in the
//                                  fragment, for the verifier's front end)
// healthz, readyz and metrics come from http::Server.
//
// Thread safety: the handlers are thread-safe; `resolve` must be.
#ifndef BONAFIDE_VERIFIER_HTTP_ROUTES_H_
#define BONAFIDE_VERIFIER_HTTP_ROUTES_H_

#include <functional>

#include "base/status.h"
#include "http/server.h"
#include "verifier/service.h"

namespace bonafide::verifier {

// RegisterVerifierRoutes registers the routes above on `server` (before Start()). `resolve`
// returns the service, or null while it is not ready (-> 503). Handle's errors.
Status RegisterVerifierRoutes(http::Server& server, std::function<VerifierService*()> resolve);

}  // namespace bonafide::verifier

#endif  // BONAFIDE_VERIFIER_HTTP_ROUTES_H_
