#include "web/session.h"

#include <algorithm>

#include "crypto/constant_time.h"

namespace bonafide::web {

namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// CookieOctet reports whether `c` may appear in a cookie value (RFC 6265 section 4.1.1).
bool CookieOctet(char c) {
  const auto b = static_cast<unsigned char>(c);
  return b == 0x21 || (b >= 0x23 && b <= 0x2B) || (b >= 0x2D && b <= 0x3A) || (b >= 0x3C && b <= 0x5B) ||
         (b >= 0x5D && b <= 0x7E);
}

std::string CookieSafe(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (CookieOctet(c)) out += c;
  }
  return out;
}

// OriginOfHost returns the origins a request to `host` may carry ("http://host", "https://host").
bool OriginMatchesHost(std::string_view origin, std::string_view host) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (origin.substr(0, scheme.size()) == scheme && origin.substr(scheme.size()) == host) return true;
  }
  return false;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> ParseCookieHeader(std::string_view header) {
  std::vector<std::pair<std::string, std::string>> cookies;
  while (!header.empty()) {
    const size_t end = header.find(';');
    std::string_view pair = Trim(header.substr(0, end));
    header = end == std::string_view::npos ? std::string_view() : header.substr(end + 1);
    const size_t eq = pair.find('=');
    if (eq == std::string_view::npos || eq == 0) continue;
    std::string_view value = Trim(pair.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    cookies.emplace_back(std::string(Trim(pair.substr(0, eq))), std::string(value));
  }
  return cookies;
}

std::optional<std::string> FindCookie(const http::Request& request, std::string_view name) {
  for (const auto& [field, value] : request.headers) {
    if (field.size() != 6 || !std::equal(field.begin(), field.end(), "cookie", [](char a, char b) {
          return static_cast<char>(std::tolower(static_cast<unsigned char>(a))) == b;
        })) {
      continue;
    }
    for (auto& [cookie, cookie_value] : ParseCookieHeader(value)) {
      if (cookie == name) return cookie_value;
    }
  }
  return std::nullopt;
}

std::string SetCookieValue(std::string_view name, std::string_view value, const CookieOptions& options) {
  std::string out = CookieSafe(name) + "=" + CookieSafe(value) + "; Path=" + CookieSafe(options.path);
  if (options.max_age) out += "; Max-Age=" + std::to_string(*options.max_age);
  if (options.secure) out += "; Secure";
  if (options.http_only) out += "; HttpOnly";
  if (!options.same_site.empty()) out += "; SameSite=" + CookieSafe(options.same_site);
  return out;
}

std::optional<std::string> BrowserSession::Value(std::string_view name) const {
  auto it = values.find(name);
  if (it == values.end()) return std::nullopt;
  return it->second;
}

SessionStore::SessionStore(SessionOptions options, const Clock& clock, Random& random)
    : options_(std::move(options)), clock_(clock), random_(random) {}

bool SessionStore::Live(const BrowserSession& session, int64_t now) const {
  return now - session.last_seen < options_.idle_timeout_seconds &&
         now - session.created_at < options_.absolute_timeout_seconds;
}

void SessionStore::Touch(
    std::unordered_map<std::string, std::pair<BrowserSession, std::list<std::string>::iterator>>::iterator it,
    int64_t now) {
  it->second.first.last_seen = now;
  recency_.splice(recency_.begin(), recency_, it->second.second);
}

std::optional<BrowserSession> SessionStore::Find(const http::Request& request) {
  auto id = FindCookie(request, options_.cookie_name);
  if (!id || id->empty()) return std::nullopt;
  const int64_t now = clock_.NowSeconds();
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(*id);
  if (it == sessions_.end()) return std::nullopt;
  if (!Live(it->second.first, now)) {
    recency_.erase(it->second.second);
    sessions_.erase(it);
    return std::nullopt;
  }
  Touch(it, now);
  return it->second.first;
}

BrowserSession SessionStore::MakeLocked(int64_t now) {
  BrowserSession session;
  session.id = random_.Identifier(16);
  session.csrf_token = random_.Identifier(16);
  session.created_at = now;
  session.last_seen = now;
  while (sessions_.size() >= options_.max_sessions && !recency_.empty()) {
    sessions_.erase(recency_.back());
    recency_.pop_back();
  }
  recency_.push_front(session.id);
  sessions_.emplace(session.id, std::make_pair(session, recency_.begin()));
  return session;
}

BrowserSession SessionStore::Start() {
  const int64_t now = clock_.NowSeconds();
  std::lock_guard lock(mutex_);
  return MakeLocked(now);
}

Status SessionStore::Save(const BrowserSession& session) {
  const int64_t now = clock_.NowSeconds();
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(session.id);
  if (it == sessions_.end() || !Live(it->second.first, now)) {
    return Status(StatusCode::kNotFound, "the session has ended");
  }
  it->second.first.values = session.values;
  Touch(it, now);
  return OkStatus();
}

Result<BrowserSession> SessionStore::Rotate(const BrowserSession& session) {
  const int64_t now = clock_.NowSeconds();
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(session.id);
  if (it == sessions_.end() || !Live(it->second.first, now)) {
    return Status(StatusCode::kNotFound, "the session has ended");
  }
  auto values = session.values;
  recency_.erase(it->second.second);
  sessions_.erase(it);
  BrowserSession fresh = MakeLocked(now);
  fresh.values = std::move(values);
  sessions_.find(fresh.id)->second.first.values = fresh.values;
  return fresh;
}

void SessionStore::End(std::string_view id) {
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(std::string(id));
  if (it == sessions_.end()) return;
  recency_.erase(it->second.second);
  sessions_.erase(it);
}

std::string SessionStore::CookieFor(const BrowserSession& session) const {
  return SetCookieValue(options_.cookie_name, session.id, CookieOptions{.secure = options_.secure_cookie});
}

std::string SessionStore::ExpiredCookie() const {
  return SetCookieValue(options_.cookie_name, "", CookieOptions{.secure = options_.secure_cookie, .max_age = 0});
}

size_t SessionStore::size() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

Status CheckCsrf(const http::Request& request, const BrowserSession& session, std::string_view form_token) {
  if (session.csrf_token.empty() || !crypto::ConstantTimeEquals(form_token, session.csrf_token)) {
    return Status(StatusCode::kPermissionDenied, "the form's CSRF token does not match the session");
  }
  if (auto origin = request.Header("Origin")) {
    auto host = request.Header("Host");
    if (!host || !OriginMatchesHost(*origin, *host)) {
      return Status(StatusCode::kPermissionDenied, "the form was posted from another site");
    }
  }
  return OkStatus();
}

LoginThrottle::LoginThrottle(const Clock& clock, int max_failures, int64_t window_seconds,
                             int64_t lockout_seconds, size_t max_keys)
    : clock_(clock),
      max_failures_(max_failures),
      window_seconds_(window_seconds),
      lockout_seconds_(lockout_seconds),
      max_keys_(max_keys) {}

int64_t LoginThrottle::RetryAfter(std::string_view key) const {
  const int64_t now = clock_.NowSeconds();
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.locked_until <= now) return 0;
  return it->second.locked_until - now;
}

void LoginThrottle::RecordFailure(std::string_view key) {
  const int64_t now = clock_.NowSeconds();
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    if (entries_.size() >= max_keys_) {
      // Full: forget entries that neither lock nor count any more; if none, the oldest window.
      std::erase_if(entries_, [&](const auto& entry) {
        return entry.second.locked_until <= now && now - entry.second.first_failure >= window_seconds_;
      });
      if (entries_.size() >= max_keys_) entries_.erase(entries_.begin());
    }
    it = entries_.emplace(std::string(key), Entry{}).first;
  }
  Entry& entry = it->second;
  if (entry.failures == 0 || now - entry.first_failure >= window_seconds_) {
    entry.failures = 0;
    entry.first_failure = now;
  }
  ++entry.failures;
  if (entry.failures >= max_failures_) {
    entry.locked_until = now + lockout_seconds_;
    entry.failures = 0;
  }
}

void LoginThrottle::RecordSuccess(std::string_view key) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it != entries_.end()) entries_.erase(it);
}

}  // namespace bonafide::web
