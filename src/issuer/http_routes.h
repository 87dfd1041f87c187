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
//   GET  /admin/citizens?after=ID&limit=N        one page of citizens in id order (limit
//                                                1..1000, default 1000) -> {citizens: [{id,
//                                                configurations, created_at, updated_at}],
//                                                next_after?}; next_after (the last id) is
//                                                present when the page is full
//   POST /admin/import                           one batch of CSV rows (docs/credentials.md,
//                                                "CSV import"): {header: [names],
//                                                rows: [{line, fields: [cells]}]} (a batch is
//                                                bounded by the 1 MiB JSON limit) -> {imported,
//                                                bad_rows: [{line, error, message}]}. The header
//                                                is checked against the catalogue (an error fails
//                                                the whole request, message "header: ..."); rows
//                                                that do not map (or lack a field) are reported,
//                                                the others upserted in one transaction (row by
//                                                row if the store refuses one); audit actor
//                                                "admin". rows: [] only checks the header.
//   POST /admin/offers                           {citizen_id, credential_configuration_id,
//                                                tx_code: bool} -> {offer_id, offer_uri,
//                                                tx_code?, expires_at, qr_png, qr_svg}: the
//                                                offer URI as a QR code (src/qr, level M, quiet
//                                                zone 4), qr_png base64 (RFC 4648 section 4,
//                                                padded), qr_svg the SVG text; when the URI does
//                                                not fit a QR symbol, qr_error (a code name)
//                                                instead of both
//   POST /admin/revoke                           {credential_id | citizen_id +
//                                                credential_configuration_id, action: revoke |
//                                                suspend | reinstate} -> {action, changed: [ids]}
//   GET  /admin/citizens/{id}/credentials        {citizen_id, credentials: [records]}
//   GET  /admin/audit/verify                     checks the audit chain -> {valid: true}, or
//                                                {valid: false, error, message} naming the first
//                                                broken record (still 200: the check ran)
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
