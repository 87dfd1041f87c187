// issuer/console.h: the issuer console (issue 6, part 4), web pages served by the issuer itself
// for the officers who issue credentials.
//
// An officer signs in (accounts in DATA_DIR/console_users.json, web/password.h; sign-in attempts
// throttled per user name and per address, the session rotated on sign-in), finds or adds a
// citizen, issues a credential offer (QR code, offer link and, when asked for, the transaction
// code, which is shown once: it lives in the browser session until the offer page first renders
// and is erased then), sees what was issued to a citizen and revokes, suspends or reinstates it,
// imports citizens from CSV (docs/credentials.md, "CSV import") as a background job whose progress
// the page shows, and browses and verifies the hash-chained audit log. Every change goes through
// IssuerService (issuer/service.h) with the signed-in officer's user name as the audit actor.
//
// Routes (HTML unless noted), all under /console:
//   GET  /console                          to /console/citizens, or /console/sign-in
//   GET|POST /console/sign-in, POST /console/sign-out
//   GET  /console/citizens?q=TEXT&after=ID find (id prefix or name) / list citizens, 25 a page
//   GET|POST /console/citizens/new         add a citizen (id + claims JSON)
//   GET  /console/citizens/{id}            the citizen, what was issued, status buttons
//   POST /console/citizens/{id}/status     revoke | suspend | reinstate one credential
//   GET|POST /console/citizens/{id}/issue  choose a configuration, require a tx_code or not
//   GET  /console/offers/{offer_id}        the offer: QR, link, tx_code once
//   GET|POST /console/import               paste CSV
//   GET  /console/import/{job}             progress (data-poll-url) or the result
//   GET  /console/import/{job}/status      JSON {status, label, done, next} for app.js
//   GET  /console/audit?before=SEQ         the audit log, newest first, 25 a page
//   POST /console/audit/verify             checks the hash chain and shows the result
// plus GET /assets/{name} (web/assets.h). Pages are in English and Welsh, every form carries a
// CSRF token (403 "form expired" page, nothing changed, on a missing or wrong one), every POST
// answers with a 303 redirect or a page, and every page carries the headers of web/page.h.
//
// Thread safety: the routes run concurrently; the console's state (sessions, throttle, import
// jobs) is mutex-guarded. Import jobs run on the server's blocking pool (http::Server::Offload),
// so Server::Stop() waits for them: the service must outlive Stop(), as for the issuer routes.
#ifndef BONAFIDE_ISSUER_CONSOLE_H_
#define BONAFIDE_ISSUER_CONSOLE_H_

#include <filesystem>
#include <functional>

#include "base/clock.h"
#include "base/random.h"
#include "base/status.h"
#include "http/server.h"
#include "issuer/service.h"

namespace bonafide::issuer {

// kConsoleUsersFile is the accounts file in the issuer's data directory.
inline constexpr char kConsoleUsersFile[] = "console_users.json";

// ConsoleOptions configure the console.
struct ConsoleOptions {
  std::filesystem::path users_file{};  // re-read at each sign-in, so new accounts work at once
  const Clock* clock = nullptr;        // required
  Random* random = nullptr;            // required
  // secure_cookie: mark cookies Secure. Set it whenever officers reach the console over https;
  // browsers drop Secure cookies sent over plain http (a loopback demo).
  bool secure_cookie = true;
  // import_chunk_rows: rows per IssuerService::ImportCitizens call of an import job (progress is
  // reported after each chunk). 1..1000.
  int import_chunk_rows = 20;
};

// RegisterConsoleRoutes puts the console on `server` (before Start()). `resolve` returns the
// running service (null while it starts: pages answer 503). kInvalidArgument for missing or
// out-of-range options; Server::Handle's errors (e.g. a route already registered).
Status RegisterConsoleRoutes(http::Server& server, std::function<IssuerService*()> resolve, ConsoleOptions options);

}  // namespace bonafide::issuer

#endif  // BONAFIDE_ISSUER_CONSOLE_H_
