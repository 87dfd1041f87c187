// Only src/http/*.cc includes httplib.h (which includes OpenSSL headers for its TLS support);
// no public header of this module exposes cpp-httplib or OpenSSL types.
#include "http/server.h"

#include <httplib.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <filesystem>
#include <system_error>
#include <chrono>
#include <exception>
#include <thread>

#include <sys/socket.h>
#include <vector>

#include "crypto/random.h"
#include "http/internal/url.h"

namespace bonafide::http {

namespace {

constexpr const char* kMethods[] = {"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"};

bool IsKnownMethod(std::string_view m) {
  return std::find(std::begin(kMethods), std::end(kMethods), m) != std::end(kMethods);
}

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> out;
  size_t i = 1;  // skip the leading '/'
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.emplace_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

bool HasCtl(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

std::string ErrorCodeForStatus(int status) {
  switch (status) {
    case 400: return "bad_request";
    case 401: return "unauthorized";
    case 403: return "forbidden";
    case 404: return "not_found";
    case 405: return "method_not_allowed";
    case 408: return "request_timeout";
    case 411: return "length_required";
    case 413: return "payload_too_large";
    case 414: return "uri_too_long";
    case 415: return "unsupported_media_type";
    case 429: return "too_many_requests";
    case 503: return "unavailable";
    default: return status >= 500 ? "internal" : "error";
  }
}

bool IsJsonContentType(std::string_view ct) {
  const size_t semi = ct.find(';');
  std::string_view base = ct.substr(0, semi);
  while (!base.empty() && base.back() == ' ') base.remove_suffix(1);
  return EqualsIgnoreCase(base, "application/json") ||
         (base.size() > 5 && EqualsIgnoreCase(base.substr(base.size() - 5), "+json"));
}

struct Route {
  std::string method;
  std::string pattern;
  std::vector<std::string> segments;  // "{name}" for parameters
  Handler handler;
};

// PerRequest is the state of the request being served on this worker thread. cpp-httplib runs
// a connection's requests one after another on one thread, so pre-routing, the handler, the
// error and post-routing hooks and the logger of one request all see the same instance.
struct PerRequest {
  bool active = false;
  const void* owner = nullptr;  // the Server::Impl that started it
  std::chrono::steady_clock::time_point start;
  std::string request_id;
  std::string route = "unmatched";
  int route_index = -1;
  std::vector<std::pair<std::string, std::string>> path_params;
};
thread_local PerRequest t_request;

}  // namespace

struct Server::Impl {
  ServerOptions options;
  std::unique_ptr<httplib::Server> svr;
  std::shared_ptr<Metrics> metrics;
  std::unique_ptr<Logger> logger;
  Random* random = nullptr;
  std::vector<Route> routes;
  Counter* requests_total = nullptr;
  Histogram* request_duration = nullptr;
  Gauge* in_flight = nullptr;
  std::thread thread;
  std::atomic<bool> started{false};
  std::atomic<bool> thread_done{false};
  std::atomic<int> bound_port{0};
  std::mutex mu;  // guards readiness
  ReadinessCheck readiness;

  std::string NewRequestId() {
    Bytes b = random->Generate(16);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (uint8_t x : b) {
      out.push_back(kHex[x >> 4]);
      out.push_back(kHex[x & 15]);
    }
    return out;
  }

  // Match finds the best route for (method, path): a literal segment beats a parameter at the
  // first position where candidates differ. Sets *path_matched when any route's pattern fits.
  int Match(std::string_view method, const std::vector<std::string>& segs, bool* path_matched,
            std::string* allow, std::vector<std::pair<std::string, std::string>>* params) const {
    int best = -1;
    int best_any = -1;
    std::vector<int> best_score, best_any_score;
    std::vector<std::string> allowed;
    for (size_t i = 0; i < routes.size(); ++i) {
      const Route& r = routes[i];
      if (r.segments.size() != segs.size()) continue;
      std::vector<int> score;
      bool ok = true;
      for (size_t k = 0; k < segs.size() && ok; ++k) {
        const std::string& s = r.segments[k];
        if (s.size() >= 2 && s.front() == '{') {
          ok = !segs[k].empty();
          score.push_back(0);
        } else {
          ok = s == segs[k];
          score.push_back(1);
        }
      }
      if (!ok) continue;
      if (best_any < 0 || score > best_any_score) {
        best_any = static_cast<int>(i);
        best_any_score = score;
      }
      allowed.push_back(r.method);
      if (r.method == method && (best < 0 || score > best_score)) {
        best = static_cast<int>(i);
        best_score = score;
      }
    }
    *path_matched = best_any >= 0;
    if (best >= 0) {
      const Route& r = routes[static_cast<size_t>(best)];
      for (size_t k = 0; k < segs.size(); ++k) {
        const std::string& s = r.segments[k];
        if (s.size() >= 2 && s.front() == '{') params->emplace_back(s.substr(1, s.size() - 2), segs[k]);
      }
    } else if (best_any >= 0) {
      if (std::find(allowed.begin(), allowed.end(), "GET") != allowed.end()) allowed.push_back("HEAD");
      std::sort(allowed.begin(), allowed.end());
      allowed.erase(std::unique(allowed.begin(), allowed.end()), allowed.end());
      for (size_t k = 0; k < allowed.size(); ++k) {
        if (k > 0) *allow += ", ";
        *allow += allowed[k];
      }
      t_request.route = routes[static_cast<size_t>(best_any)].pattern;
    }
    return best;
  }

  static void SetJson(httplib::Response& res, int status, std::string_view code) {
    res.status = status;
    Response r = Response::JsonError(status, code);
    res.set_content(r.body, r.content_type.c_str());
  }

  void FinishStale() {
    if (t_request.active && t_request.owner == this) in_flight->Add(-1);
    t_request.active = false;
  }

  httplib::Server::HandlerResponse PreRouting(const httplib::Request& req, httplib::Response& res) {
    FinishStale();
    t_request = PerRequest{};
    t_request.active = true;
    t_request.owner = this;
    t_request.start = std::chrono::steady_clock::now();
    t_request.request_id = NewRequestId();
    in_flight->Add(1);

    const std::string method = req.method == "HEAD" ? "GET" : req.method;
    bool path_matched = false;
    std::string allow;
    std::vector<std::pair<std::string, std::string>> params;
    const int idx = (!req.path.empty() && req.path[0] == '/')
                        ? Match(method, SplitPath(req.path), &path_matched, &allow, &params)
                        : -1;
    if (idx >= 0) {
      // cpp-httplib 0.11 enforces payload_max_length only on Content-Length bodies, and only
      // after reading (skipping) them; a chunked body would be read without bound. So: no
      // chunked request bodies (411, RFC 9110 section 15.5.12), and an oversized
      // Content-Length is refused here, before a byte of the body is read.
      if (req.has_header("Transfer-Encoding")) {
        t_request.route = routes[static_cast<size_t>(idx)].pattern;
        SetJson(res, 411, "length_required");
        return httplib::Server::HandlerResponse::Handled;
      }
      if (req.has_header("Content-Length")) {
        const std::string cl = req.get_header_value("Content-Length");
        bool too_big = cl.empty() || cl.size() > 19 ||
                       cl.find_first_not_of("0123456789") != std::string::npos;
        if (!too_big) too_big = std::stoull(cl) > options.max_body_bytes;
        if (too_big) {
          t_request.route = routes[static_cast<size_t>(idx)].pattern;
          SetJson(res, cl.find_first_not_of("0123456789") == std::string::npos && !cl.empty() ? 413 : 400,
                  cl.find_first_not_of("0123456789") == std::string::npos && !cl.empty()
                      ? "payload_too_large"
                      : "bad_request");
          return httplib::Server::HandlerResponse::Handled;
        }
      }
      t_request.route_index = idx;
      t_request.route = routes[static_cast<size_t>(idx)].pattern;
      t_request.path_params = std::move(params);
      return httplib::Server::HandlerResponse::Unhandled;
    }
    if (path_matched) {
      res.set_header("Allow", allow);
      SetJson(res, 405, "method_not_allowed");
    } else {
      SetJson(res, 404, "not_found");
    }
    return httplib::Server::HandlerResponse::Handled;
  }

  void Dispatch(const httplib::Request& req, httplib::Response& res) {
    if (!t_request.active || t_request.owner != this || t_request.route_index < 0) {
      SetJson(res, 404, "not_found");
      return;
    }
    const Route& route = routes[static_cast<size_t>(t_request.route_index)];
    Request r;
    r.method = req.method;
    r.path = req.path;
    r.path_params = t_request.path_params;
    const size_t q = req.target.find('?');
    if (q != std::string::npos) r.query = internal::ParseQuery(std::string_view(req.target).substr(q + 1));
    for (const auto& [k, v] : req.headers) {
      // cpp-httplib adds these pseudo-headers itself; they did not come from the client.
      if (k == "REMOTE_ADDR" || k == "REMOTE_PORT" || k == "LOCAL_ADDR" || k == "LOCAL_PORT") continue;
      r.headers.emplace_back(k, v);
    }
    r.body = req.body;
    r.remote_addr = req.remote_addr;
    r.request_id = t_request.request_id;
    Response out;
    try {
      out = route.handler(r);
    } catch (...) {
      logger->Error("handler_exception", {{"route", route.pattern}, {"request_id", r.request_id}});
      SetJson(res, 500, "internal");
      return;
    }
    if (out.status < 100 || out.status > 599 || HasCtl(out.content_type)) {
      SetJson(res, 500, "internal");
      return;
    }
    res.status = out.status;
    for (const auto& [k, v] : out.headers) {
      if (k.empty() || HasCtl(k) || HasCtl(v) || EqualsIgnoreCase(k, "Content-Type") ||
          EqualsIgnoreCase(k, "Content-Length")) {
        continue;
      }
      res.set_header(k, v);
    }
    if (!out.body.empty() || !out.content_type.empty()) {
      res.set_content(out.body, out.content_type.c_str());
    }
  }

  httplib::Server::HandlerResponse OnError(const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    SetJson(res, res.status, ErrorCodeForStatus(res.status));
    return httplib::Server::HandlerResponse::Handled;
  }

  // PostRouting runs just before the response is written, for every response (also 400/413/414
  // made by cpp-httplib): it adds the security headers, then records metrics and the log line,
  // so both are complete by the time the client sees the response.
  void PostRouting(const httplib::Request& req, httplib::Response& res) {
    const bool ours = t_request.active && t_request.owner == this;
    const std::string request_id = ours ? t_request.request_id : NewRequestId();
    res.set_header("X-Request-Id", request_id);
    res.set_header("X-Content-Type-Options", "nosniff");
    if (!res.has_header("Cache-Control") && IsJsonContentType(res.get_header_value("Content-Type"))) {
      res.set_header("Cache-Control", "no-store");
    }
    double seconds = 0;
    if (ours) {
      seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_request.start).count();
      in_flight->Add(-1);
    }
    const std::string route = ours ? t_request.route : "unmatched";
    const std::string method = IsKnownMethod(req.method) || req.method == "HEAD" ? req.method : "OTHER";
    requests_total->Increment({method, route, std::to_string(res.status)});
    request_duration->Observe(seconds, {route});
    Json fields = {{"method", method},
                   {"route", route},
                   {"status", res.status},
                   {"duration_ms", seconds * 1000.0},
                   {"request_id", request_id},
                   {"remote_addr", req.remote_addr}};
    logger->Log(res.status >= 500 ? LogLevel::kError : LogLevel::kInfo, "http_request", fields);
    t_request.active = false;
  }

  Response Ready() {
    ReadinessCheck check;
    {
      std::lock_guard<std::mutex> lock(mu);
      check = readiness;
    }
    bool ready = true;
    if (check) {
      try {
        ready = check().ok();
      } catch (...) {
        ready = false;
      }
    }
    return ready ? Response::JsonBody(200, {{"status", "ready"}})
                 : Response::JsonBody(503, {{"status", "not_ready"}});
  }
};

Result<HostPort> ParseHostPort(std::string_view text) {
  if (text.empty()) return Error(StatusCode::kInvalidArgument, "empty address");
  std::string_view host, port;
  if (text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return Error(StatusCode::kInvalidArgument, "bad [v6]:port address");
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return Error(StatusCode::kInvalidArgument, "missing port");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) {
      return Error(StatusCode::kInvalidArgument, "IPv6 hosts need brackets");
    }
  }
  if (port.empty() || port.size() > 5) return Error(StatusCode::kInvalidArgument, "bad port");
  uint32_t p = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return Error(StatusCode::kInvalidArgument, "bad port");
    p = p * 10 + static_cast<uint32_t>(c - '0');
  }
  if (p > 65535) return Error(StatusCode::kInvalidArgument, "port out of range");
  HostPort out;
  out.host = host.empty() ? "0.0.0.0" : std::string(host);
  out.port = static_cast<uint16_t>(p);
  return out;
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() { Stop(); }

Result<std::unique_ptr<Server>> Server::Create(ServerOptions options) {
  if (options.worker_threads < 1) return Error(StatusCode::kInvalidArgument, "worker_threads < 1");
  if (options.max_body_bytes == 0) return Error(StatusCode::kInvalidArgument, "max_body_bytes is 0");
  if (options.read_timeout.count() <= 0 || options.write_timeout.count() <= 0 ||
      options.keep_alive_timeout.count() <= 0) {
    return Error(StatusCode::kInvalidArgument, "timeouts must be positive");
  }
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    return Error(StatusCode::kInvalidArgument, "TLS needs both a certificate and a key file");
  }
  auto impl = std::make_unique<Impl>();
  if (!options.tls_cert_file.empty()) {
    auto ssl = std::make_unique<httplib::SSLServer>(options.tls_cert_file.c_str(),
                                                    options.tls_key_file.c_str());
    if (!ssl->is_valid()) {
      return Error(StatusCode::kInvalidCertificate, "cannot load the TLS certificate or key");
    }
    impl->svr = std::move(ssl);
  } else {
    impl->svr = std::make_unique<httplib::Server>();
  }
  impl->metrics = options.metrics ? options.metrics : std::make_shared<Metrics>();
  impl->logger = std::make_unique<Logger>(options.service_name, options.log_sink);
  impl->random = options.random ? options.random : &crypto::SystemRandom();
  impl->readiness = options.readiness;
  ASSIGN_OR_RETURN(impl->requests_total,
                   impl->metrics->AddCounter("http_requests_total", "HTTP requests by route and status code.",
                                             {"method", "route", "code"}));
  ASSIGN_OR_RETURN(impl->request_duration,
                   impl->metrics->AddHistogram("http_request_duration_seconds",
                                               "HTTP request duration in seconds by route.", {"route"},
                                               DefaultDurationBuckets()));
  ASSIGN_OR_RETURN(impl->in_flight,
                   impl->metrics->AddGauge("http_requests_in_flight", "HTTP requests being served."));
  impl->in_flight->Set(0);

  Impl* p = impl.get();
  httplib::Server& svr = *impl->svr;
  const size_t threads = static_cast<size_t>(options.worker_threads);
  svr.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  svr.set_payload_max_length(options.max_body_bytes);
  svr.set_read_timeout(options.read_timeout);
  svr.set_write_timeout(options.write_timeout);
  svr.set_keep_alive_timeout(static_cast<time_t>(options.keep_alive_timeout.count()));
  svr.set_pre_routing_handler([p](const httplib::Request& req, httplib::Response& res) {
    return p->PreRouting(req, res);
  });
  svr.set_error_handler(httplib::Server::HandlerWithResponse(
      [p](const httplib::Request& req, httplib::Response& res) { return p->OnError(req, res); }));
  svr.set_post_routing_handler([p](const httplib::Request& req, httplib::Response& res) {
    p->PostRouting(req, res);
  });
  // SO_REUSEADDR only: cpp-httplib's default also sets SO_REUSEPORT, which would let a second
  // process bind the same port and take a share of the connections.
  svr.set_socket_options([](int sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  svr.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    Impl::SetJson(res, 500, "internal");
  });
  auto dispatch = [p](const httplib::Request& req, httplib::Response& res) { p->Dispatch(req, res); };
  svr.Get(".*", dispatch);
  svr.Post(".*", dispatch);
  svr.Put(".*", dispatch);
  svr.Delete(".*", dispatch);
  svr.Patch(".*", dispatch);
  svr.Options(".*", dispatch);
  impl->options = std::move(options);

  std::unique_ptr<Server> server(new Server(std::move(impl)));
  RETURN_IF_ERROR(server->Get("/healthz", [](const Request&) {
    return Response::JsonBody(200, {{"status", "ok"}});
  }));
  RETURN_IF_ERROR(server->Get("/readyz", [p](const Request&) { return p->Ready(); }));
  RETURN_IF_ERROR(server->Get("/metrics", [p](const Request&) {
    Response r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = p->metrics->Render();
    return r;
  }));
  return server;
}

Status Server::Handle(std::string_view method, std::string_view pattern, Handler handler) {
  if (impl_->started) return Error(StatusCode::kInvalidArgument, "routes must be added before Start()");
  if (!IsKnownMethod(method)) return Error(StatusCode::kInvalidArgument, "unsupported method");
  if (!handler) return Error(StatusCode::kInvalidArgument, "empty handler");
  if (pattern.empty() || pattern[0] != '/' || HasCtl(pattern) || pattern.find('?') != std::string_view::npos) {
    return Error(StatusCode::kInvalidArgument, "pattern must start with /");
  }
  Route r;
  r.method = std::string(method);
  r.pattern = std::string(pattern);
  r.segments = SplitPath(pattern);
  std::vector<std::string> names;
  for (const auto& s : r.segments) {
    const bool open = s.find('{') != std::string::npos, close = s.find('}') != std::string::npos;
    if (!open && !close) continue;
    if (s.size() < 3 || s.front() != '{' || s.back() != '}' ||
        s.find_first_of("{}/", 1) != s.size() - 1) {
      return Error(StatusCode::kInvalidArgument, "a parameter must be a whole segment: {name}");
    }
    std::string name = s.substr(1, s.size() - 2);
    if (std::find(names.begin(), names.end(), name) != names.end()) {
      return Error(StatusCode::kInvalidArgument, "duplicate parameter name");
    }
    names.push_back(std::move(name));
  }
  for (const auto& existing : impl_->routes) {
    if (existing.method == r.method && existing.segments.size() == r.segments.size()) {
      bool same = true;
      for (size_t k = 0; k < r.segments.size() && same; ++k) {
        const bool a = existing.segments[k].front() == '{' && existing.segments[k].size() >= 2;
        const bool b = !r.segments[k].empty() && r.segments[k].front() == '{';
        same = (a && b) || (!a && !b && existing.segments[k] == r.segments[k]);
      }
      if (same) return Error(StatusCode::kInvalidArgument, "route already registered: " + r.pattern);
    }
  }
  r.handler = std::move(handler);
  impl_->routes.push_back(std::move(r));
  return OkStatus();
}

void Server::SetReadinessCheck(ReadinessCheck check) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->readiness = std::move(check);
}

namespace {

// WidenListenBacklog raises the listen backlog of this process's listening socket on `port` to
// SOMAXCONN. Debian's cpp-httplib is a compiled library whose listen() uses a backlog of 5: with
// more simultaneous connection attempts than that (every HTTP/1.1 client without keep-alive
// reconnects per request), the kernel drops SYNs and each dropped client retries after one
// second, which showed as p99 latencies of about 1 s in bench/http_issuance_bench.cc. Linux lets
// listen() be called again on a listening socket to change its backlog; the socket is found
// among /proc/self/fd by being a listening socket bound to `port`. Returns false when none was
// found (the server still works, with the small backlog).
bool WidenListenBacklog(int port) {
  std::error_code ec;
  bool widened = false;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd", ec)) {
    int fd = -1;
    const std::string name = entry.path().filename().string();
    if (std::from_chars(name.data(), name.data() + name.size(), fd).ec != std::errc() || fd < 0) continue;
    int listening = 0;
    socklen_t len = sizeof(listening);
    if (::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 || listening == 0) continue;
    sockaddr_storage addr{};
    socklen_t addr_len = sizeof(addr);
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &addr_len) != 0) continue;
    int bound = -1;
    if (addr.ss_family == AF_INET) bound = ntohs(reinterpret_cast<const sockaddr_in*>(&addr)->sin_port);
    if (addr.ss_family == AF_INET6) bound = ntohs(reinterpret_cast<const sockaddr_in6*>(&addr)->sin6_port);
    if (bound == port && ::listen(fd, SOMAXCONN) == 0) widened = true;
  }
  return widened;
}

}  // namespace

Status Server::Start() {
  if (impl_->started.exchange(true)) return Error(StatusCode::kInvalidArgument, "already started");
  httplib::Server& svr = *impl_->svr;
  int port = 0;
  if (impl_->options.port == 0) {
    port = svr.bind_to_any_port(impl_->options.host);
    if (port <= 0) return Error(StatusCode::kIoError, "cannot bind " + impl_->options.host);
  } else {
    if (!svr.bind_to_port(impl_->options.host, impl_->options.port)) {
      return Error(StatusCode::kIoError, "cannot bind " + impl_->options.host + ":" +
                                             std::to_string(impl_->options.port));
    }
    port = impl_->options.port;
  }
  impl_->bound_port = port;
  if (!WidenListenBacklog(port)) impl_->logger->Info("http_backlog_unchanged", {{"port", port}});
  Impl* p = impl_.get();
  impl_->thread = std::thread([p] {
    p->svr->listen_after_bind();
    p->thread_done = true;
  });
  // Stop() only works once the accept loop runs, so wait for it.
  while (!svr.is_running() && !impl_->thread_done) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  if (impl_->thread_done) {
    impl_->thread.join();
    return Error(StatusCode::kIoError, "listen failed");
  }
  impl_->logger->Info("http_listening", {{"host", impl_->options.host}, {"port", port},
                                         {"tls", is_tls()}});
  return OkStatus();
}

void Server::Stop() {
  if (!impl_ || !impl_->thread.joinable()) return;
  impl_->svr->stop();
  impl_->thread.join();
}

uint16_t Server::port() const { return static_cast<uint16_t>(impl_->bound_port.load()); }
bool Server::is_tls() const { return !impl_->options.tls_cert_file.empty(); }
Metrics& Server::metrics() { return *impl_->metrics; }
const Logger& Server::logger() const { return *impl_->logger; }

}  // namespace bonafide::http
