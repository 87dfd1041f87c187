// issuer/http_routes.h: the issuer's HTTP edge. RegisterIssuerRoutes maps every endpoint of
// issue 4 section 1 onto an IssuerService (issuer/service.h) served by an http::Server
// (http/server.h). This is the only place where Status codes and OID4VCI errors become HTTP
// statuses and bodies.
//
// Routes:
//   GET  /.well-known/openid-credential-issuer   Credential Issuer Metadata (OID4VCI 1.0 12.2)
//   GET  /.well-known/oauth-authorization-server Authorization Server Metadata (RFC 8414)
//   GET  /.well-known/jwt-vc-issuer              JWT VC Issuer Metadata (SD-JWT VC section 5)
//   GET  /.well-known/did.json                   did:web document of the jwt_vc_json keys
//   GET  /iacas                                  IACA roots, one PEM bundle (application/x-pem-file)
//   POST /token                                  Token Endpoint (form body), OID4VCI 6 / RFC 6749
//   POST /nonce                                  Nonce Endpoint (section 7)
//   POST /credential                             Credential Endpoint (Bearer), section 8
//   POST /notification                           Notification Endpoint (Bearer) -> 204, section 11
//   GET  /status/{list}                          hosted status list with ETag, Cache-Control
//                                                max-age (the list's ttl); 304 on If-None-Match
//   POST /admin/citizens                         upsert one citizen record (JSON) -> 200
//   POST /admin/offers                           {citizen_id, credential_configuration_id,
//                                                tx_code: bool} -> {offer_id, offer_uri,
//                                                tx_code?, expires_at}
//   POST /admin/revoke                           {credential_id | citizen_id +
//                                                credential_configuration_id, action: revoke |
//                                                suspend | reinstate} -> {action, changed: [ids]}
//   GET  /admin/citizens/{id}/credentials        {citizen_id, credentials: [records]}
//
// Errors: token / credential / notification failures are OID4VCI ErrorResponse bodies
// ({"error", "error_description"}) with the status HttpStatusFor gives (401 + WWW-Authenticate:
// Bearer for invalid_token / invalid_client, else 400). Admin routes need
// `Authorization: Bearer <admin token>` (compared in constant time by the service); otherwise
// 401 {"error":"invalid_token"} with WWW-Authenticate. Admin failures are
// {"error": <StatusCodeName>, "message"} with 400 (bad input), 404 (kNotFound); kIoError and
// kInternal (and any store failure) are 500 {"error":"internal"} without details. Token, nonce
// and credential responses carry Cache-Control: no-store. Successful Credential Responses count
// into the counter credentials_issued_total{format}. Readiness (/readyz): the store answers.
//
// Thread safety: handlers run concurrently; the service is thread-safe (service.h).
// Ownership: the service (or the resolver's target) must outlive the server's Stop().
#ifndef BONAFIDE_ISSUER_HTTP_ROUTES_H_
#define BONAFIDE_ISSUER_HTTP_ROUTES_H_

#include <functional>

#include "base/status.h"
#include "http/server.h"
#include "issuer/service.h"

namespace bonafide::issuer {

// ServiceResolver returns the service to use for a request, or nullptr while it does not exist
// yet (requests then get 503 {"error":"temporarily_unavailable"} and /readyz says not ready).
// It lets `issuer serve` register routes before Start() and create the service only once the
// bound port is known (an issuer URL that follows the port; see src/cli/issuer_commands.cc).
using ServiceResolver = std::function<IssuerService*()>;

// RegisterIssuerRoutes registers every route above on `server` for `service`, the readiness
// check, and the credentials_issued_total counter in server.metrics(). kInvalidArgument when
// called after Start() or when a route or the counter is already registered.
Status RegisterIssuerRoutes(http::Server& server, IssuerService& service);

// RegisterIssuerRoutes is the same over a resolver (must be thread-safe and non-empty).
Status RegisterIssuerRoutes(http::Server& server, ServiceResolver resolve);

}  // namespace bonafide::issuer

#endif  // BONAFIDE_ISSUER_HTTP_ROUTES_H_
