// web/front_end.h: what every bonafide front end does the same way: per-request page state, the
// page layout with its navigation and its signed-in footer action, standard message pages, and
// (for the staff front ends) signing in and out with accounts from a web::UserFile.
//
// A FrontEnd owns its browser sessions. Its words come from the front end's own Catalogue first,
// then from CommonWords() (sign-in, "form expired", "not found", "unavailable", yes/no, sign out),
// so those are written once in both languages. The issuer console and the employer portal use
// RegisterStaffSignIn; the web wallet signs in with its PIN and uses the rest.
//
// Thread safety: a FrontEnd is safe for concurrent use once made (its SessionStore is).
#ifndef BONAFIDE_WEB_FRONT_END_H_
#define BONAFIDE_WEB_FRONT_END_H_

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/random.h"
#include "base/status.h"
#include "http/server.h"
#include "web/html.h"
#include "web/i18n.h"
#include "web/page.h"
#include "web/session.h"

namespace bonafide::web {

// CommonWords returns the messages every front end shares (keys: sign_in.user, sign_in.password,
// sign_in.button, sign_in.title, sign_in.wrong, sign_in.missing_user, sign_in.missing_password,
// sign_in.locked, nav.sign_out, signed_in_as, form_expired(.body), not_found(.body),
// unavailable(.body), yes, no).
const Catalogue& CommonWords();

// FrontEndPage is the state of one page request.
struct FrontEndPage {
  PageRequest request{};
  Translator t;
  std::string path{};     // RequestTarget: where the language switch returns
  std::string user{};     // the staff member signed in (session value "user"), or empty
  bool signed_in = false;  // shows the navigation and the footer action
};

// NavLink is one navigation item: its path, the key of its label and the id Render's
// `nav_current` selects it by.
struct NavLink {
  std::string href{};
  std::string label_key{};
  std::string id{};
};

// FrontEndOptions describe a front end.
struct FrontEndOptions {
  const Catalogue* words = nullptr;  // required; must hold "service" (the service name)
  std::string home = "/";            // the service name's link
  std::vector<NavLink> nav{};        // shown to signed-in pages
  std::string footer_action{};       // POST path of the signed-in footer button (sign out, lock)
  std::string footer_action_key = "nav.sign_out";
  SessionOptions sessions{};
};

// FrontEnd renders a front end's pages.
class FrontEnd {
 public:
  FrontEnd(FrontEndOptions options, const Clock& clock, Random& random);

  // Begin starts a page: language, browser session (started if none), user = session "user",
  // signed_in = a user is present. A front end with another notion of signing in sets signed_in.
  FrontEndPage Begin(const http::Request& request);
  // Render lays `body` out as a page titled `title` (its <title> gets "Error: " with has_errors)
  // and sets the cookies Begin decided on.
  http::Response Render(const FrontEndPage& page, int status, std::string_view title, const Html& body,
                        bool has_errors = false, std::string_view nav_current = {});
  // Message renders a page with the heading of `title_key` and the paragraph of `body_key`.
  http::Response Message(const FrontEndPage& page, int status, std::string_view title_key, std::string_view body_key);
  // FormExpired (403), NotFound (404) and Unavailable (503) are the common message pages.
  http::Response FormExpired(const FrontEndPage& page) { return Message(page, 403, "form_expired", "form_expired.body"); }
  http::Response NotFound(const FrontEndPage& page) { return Message(page, 404, "not_found", "not_found.body"); }
  http::Response Unavailable(const FrontEndPage& page) { return Message(page, 503, "unavailable", "unavailable.body"); }
  // Redirect answers 303 to `location` (a path on this site), with Begin's cookies.
  http::Response Redirect(const FrontEndPage& page, std::string_view location);

  SessionStore& sessions() { return sessions_; }
  const FrontEndOptions& options() const { return options_; }

 private:
  FrontEndOptions options_;
  SessionStore sessions_;
};

// StaffSignInOptions configure RegisterStaffSignIn.
struct StaffSignInOptions {
  std::filesystem::path users_file{};  // re-read at each sign-in: new accounts work at once
  std::string sign_in_path{};          // e.g. "/console/sign-in"
  std::string sign_out_path{};         // e.g. "/console/sign-out"
  std::string home_path{};             // where a signed-in member of staff goes
};

// RegisterStaffSignIn serves GET/POST sign_in_path and POST sign_out_path for `front_end`:
// GOV.UK sign-in form (400 for a missing field, 401 for a wrong name or password, 429 with
// Retry-After once LoginThrottle locks the name or the address), the session rotated and
// cleared of what it held before on success, the session ended on sign-out. Errors: those of
// Server::Handle; kInvalidArgument for an empty path.
Status RegisterStaffSignIn(http::Server& server, std::shared_ptr<FrontEnd> front_end, StaffSignInOptions options,
                           const Clock& clock);

// StaffPageHandler serves one page of a signed-in member of staff (page.user is set).
using StaffPageHandler = std::function<http::Response(FrontEndPage& page, const http::Request& request)>;

// StaffOnly makes the route handler of a staff page: it begins the page and calls `handler`
// when someone is signed in; anyone else is sent to `sign_in_path` (303), or, with `json` (a
// route that page scripts poll), answered 401 {"error":"unauthorized"}.
http::Handler StaffOnly(std::shared_ptr<FrontEnd> front_end, std::string sign_in_path, StaffPageHandler handler,
                        bool json = false);

}  // namespace bonafide::web

#endif  // BONAFIDE_WEB_FRONT_END_H_
