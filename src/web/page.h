// web/page.h: the page layout every bonafide front end shares, and the responses that carry it.
//
// RenderPage lays a page out in the GOV.UK template's structure (skip link, header with the
// service name, a phase banner, navigation, a language switch, main, footer) without the crown
// logo or the GDS Transport typeface, which are for gov.uk domains only. Pages load
// /assets/bonafide.css and, as a module, /assets/app.js; nothing inline, so the
// Content-Security-Policy forbids inline scripts and styles.
//
// Every HTML response carries: Content-Security-Policy (default-src 'none'; scripts, styles,
// fetches and form posts to this origin only; images also as data: URIs; no framing, no <base>),
// X-Frame-Options: DENY, Referrer-Policy: same-origin (no-referrer would make browsers send
// "Origin: null" with form posts, defeating the Origin check), Cache-Control: no-store (pages hold
// personal data), Permissions-Policy that turns off camera, microphone and geolocation.
//
// Thread safety: pure functions.
#ifndef BONAFIDE_WEB_PAGE_H_
#define BONAFIDE_WEB_PAGE_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.h"
#include "web/html.h"
#include "web/i18n.h"
#include "web/session.h"

namespace bonafide::web {

// NavItem is one link of the service navigation.
struct NavItem {
  std::string href{};
  std::string label{};
  bool current = false;
};

// PageOptions is what RenderPage lays out.
struct PageOptions {
  Lang lang = Lang::kEnglish;
  std::string title{};         // the page's h1 text; the <title> is "title - service_name"
  bool has_errors = false;     // prefixes the <title> with "Error: " (GOV.UK pattern)
  std::string service_name{};  // e.g. "Check a digital ID"
  std::string service_href = "/";
  std::vector<NavItem> nav{};
  // The path (and query, without lang) the language switch links back to.
  std::string path = "/";
  std::optional<std::string> phase{};  // e.g. "Beta": a phase banner
  Html body{};                         // the content of <main>
};

// RenderPage returns the whole HTML document.
Html RenderPage(const PageOptions& options);

// HtmlPage returns a response with `html`, status `status`, and the security headers above.
http::Response HtmlPage(int status, const Html& html);

// SeeOther returns a 303 redirect to `location`, which must be a path on this site ("/..."; any
// other value redirects to "/").
http::Response SeeOther(std::string_view location);

// PageRequest is the per-request state of a page handler: its language and browser session.
struct PageRequest {
  Lang lang = Lang::kEnglish;
  BrowserSession session{};
  bool new_session = false;            // the response must set the session cookie
  std::optional<Lang> chosen_lang{};   // the response must set the language cookie
};

// BeginPage reads the language and finds the request's browser session, starting one if there is
// none (so every form can carry a CSRF token).
PageRequest BeginPage(const http::Request& request, SessionStore& sessions);

// FinishPage adds the cookies BeginPage decided on to `response` and returns it.
http::Response FinishPage(const PageRequest& page, const SessionStore& sessions, http::Response response);

// RequestTarget returns the request's path and query, without any `lang` parameter (the path a
// language switch link returns to).
std::string RequestTarget(const http::Request& request);

// FormFields are the decoded fields of a posted form.
using FormFields = std::map<std::string, std::string, std::less<>>;

// ReadForm parses a posted application/x-www-form-urlencoded body (at most 64 KiB and 64 fields)
// and checks its CSRF token against `session` (CheckCsrf). kMalformed for another content type or
// a body that does not parse, kLimitExceeded beyond the bounds, kPermissionDenied for a missing or
// wrong token or a foreign Origin.
Result<FormFields> ReadForm(const http::Request& request, const BrowserSession& session);

// Field returns fields[name], or "" when absent.
std::string Field(const FormFields& fields, std::string_view name);

// CsrfField returns the hidden input carrying `session`'s CSRF token.
Html CsrfField(const BrowserSession& session);

}  // namespace bonafide::web

#endif  // BONAFIDE_WEB_PAGE_H_
