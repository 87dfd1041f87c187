// web/session.h: browser sessions, cookies, CSRF tokens and login throttling for the front ends.
//
// A browser session is server-side state (SessionStore, in memory) named by a random cookie. Its
// cookie is HttpOnly, SameSite=Strict and, when the service is reached over https, Secure (a
// plain-http loopback demo cannot use Secure cookies), with Path=/, and lasts for the browser
// session only. Sessions end after an idle timeout (15 minutes by default, the GOV.UK
// pattern) and an absolute one, and the store is bounded: when full, the session idle longest is
// dropped. A service restart ends every session (state a person must not lose lives in the
// service's database, never in a browser session).
//
// CSRF: every session has its own random token, put in every form as the hidden field
// "csrf_token"; CheckCsrf refuses a POST whose token does not match (constant-time) or whose
// Origin header names another site.
//
// Thread safety: SessionStore and LoginThrottle are safe for concurrent use. Ownership: they
// borrow the Clock and Random, which must outlive them.
#ifndef BONAFIDE_WEB_SESSION_H_
#define BONAFIDE_WEB_SESSION_H_

#include <cstddef>
#include <cstdint>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/random.h"
#include "base/status.h"
#include "http/message.h"

namespace bonafide::web {

// ParseCookieHeader returns the name=value pairs of a Cookie header in order; pairs without '='
// are skipped and surrounding spaces trimmed.
std::vector<std::pair<std::string, std::string>> ParseCookieHeader(std::string_view header);

// FindCookie returns the value of the first cookie named `name` in `request`, or nullopt.
std::optional<std::string> FindCookie(const http::Request& request, std::string_view name);

// CookieOptions are the attributes of a Set-Cookie.
struct CookieOptions {
  bool secure = true;
  bool http_only = true;
  std::string same_site = "Strict";
  std::string path = "/";
  std::optional<int64_t> max_age{};  // none: a browser-session cookie
};

// SetCookieValue returns a Set-Cookie header value. Names and values must be cookie-safe
// (RFC 6265 cookie-octets); anything else is dropped from the value.
std::string SetCookieValue(std::string_view name, std::string_view value, const CookieOptions& options);

// BrowserSession is one browser's server-side session.
struct BrowserSession {
  std::string id{};          // the cookie value: 128 random bits, base64url
  std::string csrf_token{};  // 128 random bits, base64url
  int64_t created_at = 0;
  int64_t last_seen = 0;
  std::map<std::string, std::string, std::less<>> values{};

  // Value returns values[name], or nullopt.
  std::optional<std::string> Value(std::string_view name) const;
};

// SessionOptions configures a SessionStore.
struct SessionOptions {
  std::string cookie_name = "bonafide_session";
  int64_t idle_timeout_seconds = 15 * 60;
  int64_t absolute_timeout_seconds = 8 * 60 * 60;
  size_t max_sessions = 10000;
  bool secure_cookie = true;
};

// SessionStore keeps browser sessions in memory.
class SessionStore {
 public:
  SessionStore(SessionOptions options, const Clock& clock, Random& random);

  // Find returns the live session named by the request's cookie (and marks it seen), or nullopt.
  std::optional<BrowserSession> Find(const http::Request& request);
  // Start creates a session and returns it.
  BrowserSession Start();
  // Save stores `session`'s values. kNotFound when it has ended (expired, evicted or ended).
  Status Save(const BrowserSession& session);
  // Rotate gives `session` a new id and CSRF token, keeping its values, and ends the old id (call
  // on login, against session fixation). kNotFound when it has ended.
  Result<BrowserSession> Rotate(const BrowserSession& session);
  // End forgets the session `id` (logout, lock); unknown ids are ignored.
  void End(std::string_view id);

  // CookieFor returns the Set-Cookie value naming `session`; ExpiredCookie one that deletes it.
  std::string CookieFor(const BrowserSession& session) const;
  std::string ExpiredCookie() const;

  size_t size() const;
  const SessionOptions& options() const { return options_; }

 private:
  bool Live(const BrowserSession& session, int64_t now) const;
  void Touch(std::unordered_map<std::string, std::pair<BrowserSession, std::list<std::string>::iterator>>::iterator it,
             int64_t now);
  BrowserSession MakeLocked(int64_t now);

  const SessionOptions options_;
  const Clock& clock_;
  Random& random_;
  mutable std::mutex mutex_;
  // id -> (session, position in recency_); recency_ front = most recently seen.
  std::unordered_map<std::string, std::pair<BrowserSession, std::list<std::string>::iterator>> sessions_;
  std::list<std::string> recency_;
};

// kCsrfField is the name of the hidden form field carrying the CSRF token.
inline constexpr std::string_view kCsrfField = "csrf_token";

// CheckCsrf returns OK when `form_token` equals `session`'s CSRF token and the request's Origin
// header, if present, is the origin of its Host header. kPermissionDenied otherwise.
Status CheckCsrf(const http::Request& request, const BrowserSession& session, std::string_view form_token);

// LoginThrottle limits password guessing: after `max_failures` failed logins for one key (a user
// name, a remote address) within `window_seconds`, that key is refused for `lockout_seconds`.
class LoginThrottle {
 public:
  LoginThrottle(const Clock& clock, int max_failures = 5, int64_t window_seconds = 15 * 60,
                int64_t lockout_seconds = 15 * 60, size_t max_keys = 100000);

  // RetryAfter returns how many seconds `key` must wait before another attempt (0: may try now).
  int64_t RetryAfter(std::string_view key) const;
  // RecordFailure counts a failed attempt for `key`; RecordSuccess clears it.
  void RecordFailure(std::string_view key);
  void RecordSuccess(std::string_view key);

 private:
  struct Entry {
    int failures = 0;
    int64_t first_failure = 0;
    int64_t locked_until = 0;
  };
  const Clock& clock_;
  const int max_failures_;
  const int64_t window_seconds_;
  const int64_t lockout_seconds_;
  const size_t max_keys_;
  mutable std::mutex mutex_;
  std::map<std::string, Entry, std::less<>> entries_;
};

}  // namespace bonafide::web

#endif  // BONAFIDE_WEB_SESSION_H_
