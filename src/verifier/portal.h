// verifier/portal.h: the employer / checker portal (issue 6, part 3), web pages served by the
// verifier itself.
//
// A member of staff signs in (accounts in DATA_DIR/portal_users.json, web/password.h; sign-in
// attempts throttled per user name and per address), starts one of the six checks, shows the
// person the QR code (or the same-device link), watches the status change while the person
// responds (app.js polls; without JavaScript a "Check again" link), sees the result (photo,
// decision, conditions, end date, follow-up date) and downloads the signed check record as a PDF
// (check_record_pdf.h) to keep as evidence. Past checks are listed from the portal's own table
// (portal_store.h), which outlives the verifier's session retention.
//
// Routes (HTML unless noted): GET / (to /checks or /sign-in), GET|POST /sign-in, POST /sign-out,
// GET /checks, GET|POST /checks/new, GET /checks/{id}, GET /checks/{id}/status (JSON),
// GET /checks/{id}/record.pdf, GET /assets/{name}. Every page is in English and Welsh, every form
// carries a CSRF token (web/session.h), and pages carry the security headers of web/page.h.
//
// Thread safety: the routes run concurrently; Portal's members are thread-safe.
#ifndef BONAFIDE_VERIFIER_PORTAL_H_
#define BONAFIDE_VERIFIER_PORTAL_H_

#include <filesystem>
#include <functional>
#include <memory>

#include "base/clock.h"
#include "base/random.h"
#include "base/status.h"
#include "http/server.h"
#include "verifier/portal_store.h"
#include "verifier/service.h"

namespace bonafide::verifier {

// kPortalUsersFile is the accounts file in the verifier's data directory.
inline constexpr char kPortalUsersFile[] = "portal_users.json";

// PortalOptions configure the portal.
struct PortalOptions {
  std::filesystem::path users_file{};         // re-read at each sign-in, so new accounts work at once
  std::shared_ptr<PortalCheckStore> checks{};  // required
  const Clock* clock = nullptr;                // required
  Random* random = nullptr;                    // required
  // secure_cookie: mark cookies Secure. Set it whenever people reach the portal over https;
  // browsers drop Secure cookies sent over plain http (a loopback demo).
  bool secure_cookie = true;
};

// RegisterPortalRoutes puts the portal on `server`. `resolve` returns the running service (null
// while it starts: pages answer 503). kInvalidArgument for missing options; Server::Handle's errors.
Status RegisterPortalRoutes(http::Server& server, std::function<VerifierService*()> resolve, PortalOptions options);

}  // namespace bonafide::verifier

#endif  // BONAFIDE_VERIFIER_PORTAL_H_
