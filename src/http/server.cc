// The server runs on Boost.Beast / Boost.Asio; only this file includes their headers (and,
// through asio's TLS support, OpenSSL's): no public header of this module exposes them.
#include "http/server.h"

#include <pthread.h>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "crypto/random.h"
#include "http/internal/text.h"
#include "http/internal/url.h"

namespace bonafide::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using internal::HasCtl;
using tcp = boost::asio::ip::tcp;

namespace {

// NameThread gives the calling thread a name once (shown by top -H, perf and gdb): the pools'
// threads are started by Asio, so each names itself when it first runs one of our tasks.
void NameThread(const char* name) {
  thread_local bool named = false;
  if (named) return;
  named = true;
  pthread_setname_np(pthread_self(), name);
}

constexpr size_t kHeaderLimit = 16 * 1024;
constexpr std::chrono::seconds kLingerTime{2};
constexpr size_t kLingerBytes = 16 << 20;

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
    case 417: return "expectation_failed";
    case 429: return "too_many_requests";
    case 431: return "request_header_fields_too_large";
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
  AsyncHandler handler;
  Handler network_thread_handler;  // set instead of `handler` by HandleOnNetworkThread
  bool async_on_network_thread = false;  // HandleAsyncOnNetworkThread: `handler` runs in place
};

// Outgoing is a response on its way to the network, with what the log line needs.
struct Outgoing {
  Response response;
  bool close = false;  // close the connection after writing (the request body was not read)
};

class ConnectionBase;

}  // namespace

struct Responder::State {
  std::function<void(Response)> send;
  std::atomic<bool> done{false};
  ~State() {
    if (!done.exchange(true) && send) send(Response::JsonError(500, "internal"));
  }
};

void Responder::Send(Response response) const {
  if (!state_ || state_->done.exchange(true)) return;
  state_->send(std::move(response));
}

bool Responder::sent() const { return state_ && state_->done.load(); }

struct Server::Impl {
  ServerOptions options;
  std::shared_ptr<Metrics> metrics;
  std::unique_ptr<Logger> logger;
  Random* random = nullptr;
  std::vector<Route> routes;
  Counter* requests_total = nullptr;
  Counter* connections_total = nullptr;
  Histogram* request_duration = nullptr;
  Gauge* in_flight = nullptr;
  std::mutex mu;  // guards readiness
  ReadinessCheck readiness;

  // Live connections, so Stop() can close idle ones and wait for the rest.
  // Declared before the io_context: handlers it still holds may release connections.
  std::mutex conn_mu;
  std::condition_variable conn_cv;
  std::unordered_map<ConnectionBase*, std::weak_ptr<ConnectionBase>> connections;

  std::unique_ptr<asio::ssl::context> tls;
  asio::io_context ioc;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::unique_ptr<asio::thread_pool> workers;
  std::unique_ptr<asio::thread_pool> blocking;
  std::vector<std::thread> io_threads;
  std::atomic<bool> started{false};
  std::atomic<bool> stopping{false};
  bool running = false;
  std::atomic<int> bound_port{0};

  std::string NewRequestId() {
    Bytes b = random->Generate(16);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(32);
    for (uint8_t x : b) {
      out.push_back(kHex[x >> 4]);
      out.push_back(kHex[x & 15]);
    }
    return out;
  }

  // Match finds the best route for (method, path): a literal segment beats a parameter at the
  // first position where candidates differ. Sets *path_matched when any route's pattern fits.
  int Match(std::string_view method, const std::vector<std::string>& segs, bool* path_matched,
            std::string* allow, std::vector<std::pair<std::string, std::string>>* params,
            std::string* route) const {
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
      *route = routes[static_cast<size_t>(best_any)].pattern;
    }
    return best;
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

  void Accept();
};

namespace {

// ConnectionBase is one client connection; Connection<Stream> is it over plain TCP or TLS. All of
// a connection's network operations run on its strand, one request at a time: read the header,
// route, check the length, read the body, hand the request to a worker, write the answer, then
// wait for the next request (keep-alive) or close.
class ConnectionBase : public std::enable_shared_from_this<ConnectionBase> {
 public:
  virtual ~ConnectionBase() = default;
  // Shutdown is called (on any thread) when the server stops: an idle connection closes now, a
  // busy one after its answer.
  virtual void Shutdown() = 0;
};

template <class Stream>
class Connection final : public ConnectionBase {
 public:
  Connection(Server::Impl& server, Stream stream, std::string remote_addr)
      : server_(server), stream_(std::move(stream)), remote_addr_(std::move(remote_addr)) {}

  ~Connection() override {
    std::lock_guard<std::mutex> lock(server_.conn_mu);
    server_.connections.erase(this);
    server_.conn_cv.notify_all();
  }

  void Begin() {
    {
      std::lock_guard<std::mutex> lock(server_.conn_mu);
      server_.connections.emplace(this, weak_from_this());
    }
    asio::dispatch(stream_.get_executor(), [self = Self()] {
      if constexpr (kTls) {
        self->Lowest().expires_after(self->server_.options.read_timeout);
        self->stream_.async_handshake(asio::ssl::stream_base::server,
                                      [self](beast::error_code ec) {
                                        if (ec) return self->Close();
                                        self->ReadHeader();
                                      });
      } else {
        self->ReadHeader();
      }
    });
  }

  void Shutdown() override {
    asio::post(stream_.get_executor(), [self = Self()] {
      self->closing_ = true;
      if (!self->busy_) self->Close();  // a pending read ends with operation_aborted
    });
  }

 private:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  std::shared_ptr<Connection> Self() { return std::static_pointer_cast<Connection>(shared_from_this()); }

  beast::tcp_stream& Lowest() { return beast::get_lowest_layer(stream_); }

  void ReadHeader() {
    if (closing_ || server_.stopping) return Close();
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    // The length is checked against max_body_bytes once the route is known (OnHeader), so a
    // 413 is counted under its route; chunked bodies are refused there.
    parser_->body_limit(boost::none);
    if (requests_ == 0) {
      Lowest().expires_after(server_.options.read_timeout);
    } else {
      Lowest().expires_after(server_.options.keep_alive_timeout);
    }
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = Self()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::operation_aborted ||
        ec == asio::error::connection_reset || ec == asio::error::eof) {
      return Close();
    }
    busy_ = true;
    ++requests_;
    start_ = std::chrono::steady_clock::now();
    request_id_ = server_.NewRequestId();
    route_ = "unmatched";
    method_ = "OTHER";
    server_.in_flight->Add(1);
    if (ec) {
      if (ec == bhttp::error::header_limit) {
        ec_before_body_ = true;
        return Finish(Refusal(431, "request_header_fields_too_large"));
      }
      // Bytes were received but they are not an HTTP/1.1 request.
      if (buffer_.size() == 0 && !parser_->got_some()) {
        server_.in_flight->Add(-1);
        busy_ = false;
        return Close();
      }
      ec_before_body_ = true;
      return Finish(Refusal(400, "bad_request"));
    }
    const auto& header = parser_->get();
    const std::string method(header.method_string());
    method_ = IsKnownMethod(method) || method == "HEAD" ? method : "OTHER";
    head_ = method == "HEAD";
    keep_alive_ = parser_->keep_alive();
    const std::string_view target(header.target().data(), header.target().size());
    if (target.empty() || target.front() != '/') return Finish(Refusal(400, "bad_request"));
    const size_t q = target.find('?');
    request_.emplace();
    request_->method = method;
    request_->path = internal::PercentDecode(target.substr(0, q), false);
    if (q != std::string_view::npos) request_->query = internal::ParseQuery(target.substr(q + 1));

    bool path_matched = false;
    std::string allow;
    std::string route_name = "unmatched";
    const int idx = server_.Match(head_ ? "GET" : method, SplitPath(request_->path), &path_matched, &allow,
                                  &request_->path_params, &route_name);
    const bool has_body = parser_->chunked() || parser_->content_length().value_or(0) > 0;
    if (idx < 0) {
      route_ = route_name;
      Outgoing out;
      out.response = path_matched ? Response::JsonError(405, "method_not_allowed") : Response::JsonError(404, "not_found");
      if (path_matched) out.response.headers.emplace_back("Allow", allow);
      out.close = has_body;
      return Finish(std::move(out));
    }
    route_ = server_.routes[static_cast<size_t>(idx)].pattern;
    route_index_ = idx;
    // Chunked request bodies are refused (RFC 9110 section 15.5.12): every client we serve
    // sends Content-Length, and a length known up front is checked before reading.
    if (parser_->chunked()) return Finish(Refusal(411, "length_required"));
    if (parser_->content_length().value_or(0) > server_.options.max_body_bytes) {
      return Finish(Refusal(413, "payload_too_large"));
    }
    if (parser_->is_done()) return Dispatch();
    if (const auto expect = header.find(bhttp::field::expect); expect != header.end()) {
      if (!beast::iequals(expect->value(), "100-continue")) return Finish(Refusal(417, "expectation_failed"));
      auto cont = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_, 11);
      Lowest().expires_after(server_.options.write_timeout);
      return bhttp::async_write(stream_, *cont, [self = Self(), cont](beast::error_code wec, size_t) {
        if (wec) return self->Abandon();
        self->ReadBody();
      });
    }
    ReadBody();
  }

  void ReadBody() {
    parser_->body_limit(server_.options.max_body_bytes);
    Lowest().expires_after(server_.options.read_timeout);
    bhttp::async_read(stream_, buffer_, *parser_, [self = Self()](beast::error_code ec, size_t) {
      if (ec == bhttp::error::body_limit) return self->Finish(self->Refusal(413, "payload_too_large"));
      if (ec) return self->Abandon();
      self->Dispatch();
    });
  }

  // Abandon ends a request the client went away from (or that timed out) without an answer.
  void Abandon() {
    Record(408);
    busy_ = false;
    Close();
  }

  Outgoing Refusal(int status, std::string_view code) {
    Outgoing out;
    out.response = Response::JsonError(status, code);
    out.close = true;
    return out;
  }

  void Dispatch() {
    auto message = parser_->release();
    Request& r = *request_;
    for (const auto& field : message) {
      r.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    r.body = std::move(message.body());
    r.remote_addr = remote_addr_;
    r.request_id = request_id_;
    const Route& route = server_.routes[static_cast<size_t>(route_index_)];
    if (route.network_thread_handler) {
      // A handler that neither blocks nor computes for long answers here, on the connection's
      // strand: no hand-off to a worker and back.
      Outgoing out;
      try {
        out.response = route.network_thread_handler(r);
      } catch (...) {
        server_.logger->Error("handler_exception", {{"route", route.pattern}, {"request_id", request_id_}});
        out.response = Response::JsonError(500, "internal");
      }
      request_.reset();
      return Finish(std::move(out));
    }
    auto self = Self();
    auto state = std::make_shared<Responder::State>();
    state->send = [self](Response response) {
      asio::post(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
        Outgoing out;
        out.response = std::move(response);
        self->Finish(std::move(out));
      });
    };
    Responder responder(std::move(state));
    if (route.async_on_network_thread) {
      // The handler only hands its work on (Offload) or answers at once: call it in place.
      try {
        route.handler(std::move(*request_), responder);
      } catch (...) {
        server_.logger->Error("handler_exception", {{"route", route.pattern}, {"request_id", request_id_}});
        responder.Send(Response::JsonError(500, "internal"));
      }
      request_.reset();
      return;
    }
    // The worker touches no connection state: once the handler answers, the connection may
    // already be reading its next request on a network thread.
    asio::post(*server_.workers, [logger = server_.logger.get(), &route, request_id = request_id_,
                                  request = std::move(*request_), responder = std::move(responder)]() mutable {
      NameThread("bf-worker");
      try {
        route.handler(std::move(request), responder);
      } catch (...) {
        logger->Error("handler_exception", {{"route", route.pattern}, {"request_id", request_id}});
        responder.Send(Response::JsonError(500, "internal"));
      }
    });
    request_.reset();
  }

  // Finish writes `out` (on the strand), after recording the request's metrics and log line.
  void Finish(Outgoing out) {
    Response& r = out.response;
    if (r.status < 100 || r.status > 599 || HasCtl(r.content_type)) r = Response::JsonError(500, "internal");
    if (r.status >= 400 && r.body.empty()) {
      Response e = Response::JsonError(r.status, ErrorCodeForStatus(r.status));
      r.content_type = std::move(e.content_type);
      r.body = std::move(e.body);
    }
    Record(r.status);
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>(static_cast<bhttp::status>(r.status), 11);
    bool has_cache_control = false;
    for (const auto& [k, v] : r.headers) {
      if (k.empty() || HasCtl(k) || HasCtl(v) || EqualsIgnoreCase(k, "Content-Type") ||
          EqualsIgnoreCase(k, "Content-Length") || EqualsIgnoreCase(k, "Connection") ||
          EqualsIgnoreCase(k, "Transfer-Encoding")) {
        continue;
      }
      has_cache_control = has_cache_control || EqualsIgnoreCase(k, "Cache-Control");
      res->insert(k, v);
    }
    // 1xx, 204 and 304 carry no content (RFC 9110 sections 6.4.1, 8.6).
    const bool no_content = r.status < 200 || r.status == 204 || r.status == 304;
    if (!no_content && (!r.body.empty() || !r.content_type.empty())) {
      res->set(bhttp::field::content_type, r.content_type);
    }
    res->set("X-Request-Id", request_id_);
    res->set("X-Content-Type-Options", "nosniff");
    if (!has_cache_control && IsJsonContentType(r.content_type)) res->set(bhttp::field::cache_control, "no-store");
    if (!no_content) {
      // A HEAD answer has the GET answer's Content-Length and no body.
      const size_t length = r.body.size();
      if (!head_) res->body() = std::move(r.body);
      res->content_length(length);
    }
    const bool keep = keep_alive_ && !out.close && !closing_ && !server_.stopping;
    res->keep_alive(keep);
    Lowest().expires_after(server_.options.write_timeout);
    const bool linger = out.close && !ec_before_body_;
    bhttp::async_write(stream_, *res, [self = Self(), res, keep, linger](beast::error_code ec, size_t) {
      self->busy_ = false;
      if (!ec && linger) return self->Linger();
      if (ec || !keep) return self->Close();
      self->ReadHeader();
    });
  }

  // Linger closes a connection whose request body was refused unread without cutting the
  // client off mid-upload (RFC 9112 section 9.6): stop sending, then read and discard what
  // still arrives, for at most kLingerTime or kLingerBytes, so the client gets to read the
  // refusal instead of a connection reset.
  void Linger() {
    beast::error_code ignored;
    Lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
    Lowest().expires_after(kLingerTime);
    DrainSome();
  }
  void DrainSome() {
    if (drained_ >= kLingerBytes || closing_) return Close();
    scratch_.resize(64 * 1024);
    Lowest().async_read_some(asio::buffer(scratch_), [self = Self()](beast::error_code ec, size_t n) {
      self->drained_ += n;
      if (ec) return self->Close();
      self->DrainSome();
    });
  }

  // Record counts the request in the metrics and writes its log line.
  void Record(int status) {
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    server_.in_flight->Add(-1);
    server_.requests_total->Increment({method_, route_, std::to_string(status)});
    server_.request_duration->Observe(seconds, {route_});
    Json fields = {{"method", method_},
                   {"route", route_},
                   {"status", status},
                   {"duration_ms", seconds * 1000.0},
                   {"request_id", request_id_},
                   {"remote_addr", remote_addr_}};
    server_.logger->Log(status >= 500 ? LogLevel::kError : LogLevel::kInfo, "http_request", fields);
  }

  // Close ends the connection. Over TLS no close_notify is sent (waiting for the peer's would
  // hold the connection open); every answer is framed by Content-Length, so a client still
  // tells a complete answer from a cut one.
  void Close() {
    if (closed_) return;
    closed_ = true;
    beast::error_code ignored;
    Lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
    Lowest().socket().close(ignored);
  }

  Server::Impl& server_;
  Stream stream_;
  std::string remote_addr_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::optional<Request> request_;
  std::chrono::steady_clock::time_point start_;
  std::string request_id_;
  std::string route_ = "unmatched";
  std::string method_ = "OTHER";
  int route_index_ = -1;
  uint64_t requests_ = 0;
  bool head_ = false;
  bool keep_alive_ = false;
  bool busy_ = false;     // a request is between its header and its answer
  bool closing_ = false;  // the server is stopping
  bool closed_ = false;
  bool ec_before_body_ = false;  // the request did not parse: nothing sensible to drain
  size_t drained_ = 0;
  std::vector<char> scratch_;
};

}  // namespace

void Server::Impl::Accept() {
  acceptor->async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor->is_open()) return;
      // Out of file descriptors and the like: try again shortly rather than spin.
      logger->Warn("http_accept_failed", {{"error", ec.message()}});
      auto timer = std::make_shared<asio::steady_timer>(ioc, std::chrono::milliseconds(50));
      timer->async_wait([this, timer](beast::error_code) {
        if (!stopping) Accept();
      });
      return;
    }
    connections_total->Increment();
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    const tcp::endpoint peer = socket.remote_endpoint(ignored);
    std::string remote = ignored ? "" : peer.address().to_string();
    if (tls) {
      auto c = std::make_shared<Connection<beast::ssl_stream<beast::tcp_stream>>>(
          *this, beast::ssl_stream<beast::tcp_stream>(std::move(socket), *tls), std::move(remote));
      c->Begin();
    } else {
      auto c = std::make_shared<Connection<beast::tcp_stream>>(*this, beast::tcp_stream(std::move(socket)),
                                                               std::move(remote));
      c->Begin();
    }
    Accept();
  });
}

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
  if (options.worker_threads < 1 || options.io_threads < 1 || options.blocking_threads < 1) {
    return Error(StatusCode::kInvalidArgument, "worker_threads, io_threads and blocking_threads must be >= 1");
  }
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
    auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    beast::error_code ec;
    ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                         asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                         asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use,
                     ec);
    if (!ec) ctx->use_certificate_chain_file(options.tls_cert_file, ec);
    if (!ec) ctx->use_private_key_file(options.tls_key_file, asio::ssl::context::pem, ec);
    if (ec || SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
      return Error(StatusCode::kInvalidCertificate, "cannot load the TLS certificate or key, or they do not match");
    }
    impl->tls = std::move(ctx);
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
  ASSIGN_OR_RETURN(impl->connections_total,
                   impl->metrics->AddCounter("http_connections_total", "TCP connections accepted.", {}));
  ASSIGN_OR_RETURN(impl->in_flight,
                   impl->metrics->AddGauge("http_requests_in_flight", "HTTP requests being served."));
  impl->in_flight->Set(0);
  impl->options = std::move(options);

  Impl* p = impl.get();
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
  if (!handler) return Error(StatusCode::kInvalidArgument, "empty handler");
  return HandleAsync(method, pattern, [h = std::move(handler)](Request request, Responder responder) {
    responder.Send(h(request));
  });
}

Status Server::HandleOnNetworkThread(std::string_view method, std::string_view pattern, Handler handler) {
  if (!handler) return Error(StatusCode::kInvalidArgument, "empty handler");
  // Registered like any route (same checks), then marked: Dispatch calls it in place.
  RETURN_IF_ERROR(HandleAsync(method, pattern, [](Request, Responder responder) {
    responder.Send(Response::JsonError(500, "internal"));
  }));
  impl_->routes.back().network_thread_handler = std::move(handler);
  return OkStatus();
}

Status Server::HandleAsyncOnNetworkThread(std::string_view method, std::string_view pattern,
                                          AsyncHandler handler) {
  RETURN_IF_ERROR(HandleAsync(method, pattern, std::move(handler)));
  impl_->routes.back().async_on_network_thread = true;
  return OkStatus();
}

Status Server::HandleAsync(std::string_view method, std::string_view pattern, AsyncHandler handler) {
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


void Server::Offload(std::function<void()> blocking, std::function<void()> then) {
  Impl* p = impl_.get();
  asio::post(*p->blocking, [p, blocking = std::move(blocking), then = std::move(then)]() mutable {
    NameThread("bf-blocking");
    try {
      blocking();
    } catch (...) {
      p->logger->Error("offload_exception", {});
    }
    if (!then) return;  // the blocking function answered itself
    asio::post(*p->workers, [p, then = std::move(then)] {
      try {
        then();
      } catch (...) {
        p->logger->Error("offload_exception", {});
      }
    });
  });
}

Status Server::Start() {
  if (impl_->started.exchange(true)) return Error(StatusCode::kInvalidArgument, "already started");
  Impl& s = *impl_;
  beast::error_code ec;
  const asio::ip::address address = asio::ip::make_address(s.options.host, ec);
  if (ec) return Error(StatusCode::kIoError, "cannot bind " + s.options.host + ": not an IP address");
  const tcp::endpoint endpoint(address, s.options.port);
  auto acceptor = std::make_unique<tcp::acceptor>(s.ioc);
  acceptor->open(endpoint.protocol(), ec);
  // SO_REUSEADDR (a restart may bind while old connections are in TIME_WAIT); not SO_REUSEPORT,
  // which would let a second process bind the same port and take a share of the connections.
  if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor->bind(endpoint, ec);
  if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Error(StatusCode::kIoError,
                 "cannot bind " + s.options.host + ":" + std::to_string(s.options.port) + ": " + ec.message());
  }
  s.bound_port = acceptor->local_endpoint().port();
  s.acceptor = std::move(acceptor);
  s.workers = std::make_unique<asio::thread_pool>(static_cast<size_t>(s.options.worker_threads));
  s.blocking = std::make_unique<asio::thread_pool>(static_cast<size_t>(s.options.blocking_threads));
  s.work.emplace(s.ioc.get_executor());
  s.Accept();
  for (int i = 0; i < s.options.io_threads; ++i) {
    s.io_threads.emplace_back([&s] {
      NameThread("bf-net");
      s.ioc.run();
    });
  }
  s.running = true;
  s.logger->Info("http_listening", {{"host", s.options.host}, {"port", s.bound_port.load()}, {"tls", is_tls()}});
  return OkStatus();
}

void Server::Stop() {
  if (!impl_ || !impl_->running) return;
  Impl& s = *impl_;
  s.running = false;
  s.stopping = true;
  asio::post(s.ioc, [&s] {
    beast::error_code ignored;
    s.acceptor->close(ignored);
  });
  // Idle connections close now, busy ones after their answer; wait until all are gone.
  std::vector<std::shared_ptr<ConnectionBase>> live;
  {
    std::lock_guard<std::mutex> lock(s.conn_mu);
    for (auto& [raw, weak] : s.connections) {
      if (auto c = weak.lock()) live.push_back(std::move(c));
    }
  }
  for (auto& c : live) c->Shutdown();
  live.clear();
  {
    std::unique_lock<std::mutex> lock(s.conn_mu);
    s.conn_cv.wait(lock, [&s] { return s.connections.empty(); });
  }
  s.workers->join();
  s.blocking->join();
  s.work.reset();
  s.ioc.stop();
  for (std::thread& t : s.io_threads) t.join();
  s.io_threads.clear();
}

uint16_t Server::port() const { return static_cast<uint16_t>(impl_->bound_port.load()); }
bool Server::is_tls() const { return impl_->tls != nullptr; }
Metrics& Server::metrics() { return *impl_->metrics; }
const Logger& Server::logger() const { return *impl_->logger; }

}  // namespace bonafide::http
