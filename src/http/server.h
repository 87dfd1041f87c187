// http/server.h: the HTTP/1.1 server every bonafide service runs behind (issue 4, section 1).
//
// Server is an event-driven HTTP/1.1 server (Boost.Beast over Boost.Asio; TLS 1.2+ through
// OpenSSL when a certificate and key are configured) behind plain types: handlers take an
// http::Request and return an http::Response (http/message.h), and no Boost or OpenSSL type
// appears in this header.
//
// Threads. `io_threads` run the network: accepting, reading and parsing requests, writing
// responses, TLS. Connections are kept alive between requests without holding any thread, so
// thousands of idle clients cost memory only. Handlers run on `worker_threads`, the threads that
// do a service's work (signing, verifying). A handler that must wait on a disk or a database
// (a durable commit) registers with HandleAsync and moves that wait to the `blocking_threads`
// pool with Offload, so a worker never sits idle in fsync; it answers through its Responder.
//
// Every server has:
//   - routing on patterns with {name} segments ("/status/{list}"); a literal segment beats a
//     parameter; unknown path -> 404 {"error":"not_found"}; known path, other method -> 405
//     {"error":"method_not_allowed"} with an Allow header (both decided before the body is read);
//   - a body limit: a Content-Length above max_body_bytes -> 413 {"error":"payload_too_large"}
//     before any of the body is read; chunked request bodies -> 411 {"error":"length_required"};
//     a malformed request or Content-Length -> 400; request headers above 16 KiB -> 431. After
//     a refusal whose body was not read, the connection is closed;
//   - a read timeout (request headers and body), a write timeout, and a keep-alive timeout for
//     an idle connection between requests;
//   - exceptions thrown by handlers caught at the edge -> 500 {"error":"internal"};
//   - GET /healthz (200 {"status":"ok"}), GET /readyz (200 {"status":"ready"} or 503
//     {"status":"not_ready"} from the readiness check), GET /metrics (Prometheus text);
//   - metrics http_requests_total{method,route,code}, http_request_duration_seconds{route}
//     (histogram), http_requests_in_flight;
//   - one JSON log line per request (event "http_request": method, route pattern, status,
//     duration_ms, request_id, remote_addr; never the raw path, query, body or headers);
//   - an X-Request-Id response header (128 random bits, hex), X-Content-Type-Options: nosniff,
//     and Cache-Control: no-store on JSON responses unless the handler set Cache-Control.
// Error bodies the server makes itself are {"error": code}; 4xx/5xx responses a handler returns
// with an empty body get one too. The metrics and the log line of a request are recorded before
// its response is written.
//
// Thread safety: register routes before Start(); Start/Stop from one thread, never from a
// handler. Handlers run concurrently and must be thread-safe. Stop() (and the destructor) stop
// accepting, close idle connections, let in-flight requests finish (including offloaded work),
// and join every thread.
#ifndef BONAFIDE_HTTP_SERVER_H_
#define BONAFIDE_HTTP_SERVER_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "base/random.h"
#include "base/status.h"
#include "http/logger.h"
#include "http/message.h"
#include "http/metrics.h"

namespace bonafide::http {

// Handler serves one route. It may throw; the server turns that into a 500.
using Handler = std::function<Response(const Request&)>;

// Responder answers one request of an AsyncHandler. Send may be called from any thread; only
// the first call counts. When the last copy is destroyed without a Send, the request is
// answered 500 {"error":"internal"}, so a request is never left without an answer.
class Responder {
 public:
  void Send(Response response) const;
  // sent reports whether Send was called.
  bool sent() const;

  // State is the server's side of a Responder (defined in server.cc; only the server makes one).
  struct State;
  explicit Responder(std::shared_ptr<State> state) : state_(std::move(state)) {}

 private:
  std::shared_ptr<State> state_;
};

// AsyncHandler serves one route and answers through `responder`, now or later (typically
// after Server::Offload). It runs on a worker thread and may throw before it answers (-> 500).
using AsyncHandler = std::function<void(Request request, Responder responder)>;

// ReadinessCheck returns OK when the service can take traffic (e.g. the database answers).
using ReadinessCheck = std::function<Status()>;

// HostPort is a listening or connecting address.
struct HostPort {
  std::string host;
  uint16_t port = 0;
};

// ParseHostPort parses "host:port", "[v6addr]:port" or ":port" (host "0.0.0.0").
// kInvalidArgument for a missing or non-numeric port, a port above 65535, or an empty input.
Result<HostPort> ParseHostPort(std::string_view text);

// ServerOptions configures a Server.
struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;  // 0: an ephemeral port, reported by Server::port() after Start()
  int worker_threads = 8;    // handlers (CPU work)
  int io_threads = 1;        // network I/O, parsing, TLS
  int blocking_threads = 32;  // Offload()ed work that waits on disks or databases
  size_t max_body_bytes = 1 << 20;  // 1 MiB
  std::chrono::milliseconds read_timeout{5000};
  std::chrono::milliseconds write_timeout{5000};
  std::chrono::seconds keep_alive_timeout{5};
  // PEM files; both set: HTTPS, both empty: plain HTTP, one only: kInvalidArgument.
  std::string tls_cert_file;  // leaf first, then intermediates
  std::string tls_key_file;
  std::string service_name = "bonafide";
  LogSink log_sink;  // empty: standard error
  std::shared_ptr<Metrics> metrics;  // empty: the server makes its own
  ReadinessCheck readiness;  // empty: always ready
  Random* random = nullptr;  // request ids; null: crypto::SystemRandom()
};

// Server is one listening HTTP(S) server.
class Server {
 public:
  // Create validates `options` and prepares a server (not yet listening). kInvalidArgument for
  // worker_threads, io_threads or blocking_threads < 1, max_body_bytes == 0, a zero timeout, or half a TLS configuration;
  // kInvalidCertificate when the certificate or key files cannot be loaded.
  static Result<std::unique_ptr<Server>> Create(ServerOptions options);
  ~Server();  // Stop()s
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Handle registers `handler` for `method` (upper-case token) on `pattern`. A pattern starts
  // with '/', its segments are literals or "{name}" (one non-empty segment). kInvalidArgument
  // for a malformed pattern or method, a duplicate (method, pattern), or a call after Start().
  Status Handle(std::string_view method, std::string_view pattern, Handler handler);
  Status Get(std::string_view pattern, Handler handler) { return Handle("GET", pattern, std::move(handler)); }
  Status Post(std::string_view pattern, Handler handler) { return Handle("POST", pattern, std::move(handler)); }
  Status Put(std::string_view pattern, Handler handler) { return Handle("PUT", pattern, std::move(handler)); }
  Status Delete(std::string_view pattern, Handler handler) { return Handle("DELETE", pattern, std::move(handler)); }
  // HandleAsync registers an AsyncHandler; same rules as Handle.
  Status HandleAsync(std::string_view method, std::string_view pattern, AsyncHandler handler);
  // HandleOnNetworkThread registers a handler that runs on the network thread that read the
  // request, skipping the hand-off to a worker and back. Only for handlers that never block
  // (no store, no outbound I/O, no waiting) and take microseconds (an HMAC, a small JSON
  // answer): while one runs, that network thread serves no other connection. Same rules as
  // Handle; a throwing handler answers 500.
  Status HandleOnNetworkThread(std::string_view method, std::string_view pattern, Handler handler);
  // HandleAsyncOnNetworkThread registers an AsyncHandler that runs on the network thread: for
  // handlers whose only work is to Offload (below) a blocking job that answers the Responder
  // itself, so the request goes network thread -> blocking pool -> network thread without a
  // worker in between. The same limits as HandleOnNetworkThread; same rules as Handle.
  Status HandleAsyncOnNetworkThread(std::string_view method, std::string_view pattern, AsyncHandler handler);

  // Offload runs `blocking` on the blocking pool, then `then` (if not empty) on a worker thread.
  // For handlers that wait on I/O: call it from an AsyncHandler (between Start() and the end of
  // Stop()), capturing the Responder; when nothing CPU-heavy follows the wait, `blocking` may
  // answer the Responder itself and `then` be empty. An exception from either function is
  // logged and dropped (an unanswered Responder then answers 500).
  void Offload(std::function<void()> blocking, std::function<void()> then);

  // SetReadinessCheck replaces the readiness check (before Start()).
  void SetReadinessCheck(ReadinessCheck check);

  // Start binds, listens and serves on a background thread; it returns once the socket is
  // listening. kIoError when the address cannot be bound; kInvalidArgument when already started.
  Status Start();
  // Stop stops accepting, waits for in-flight requests, and joins the threads. Idempotent.
  void Stop();

  // port returns the bound port (after Start()), or 0.
  uint16_t port() const;
  bool is_tls() const;
  Metrics& metrics();
  const Logger& logger() const;

  // Impl is the implementation, defined in server.cc.
  struct Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace bonafide::http

#endif  // BONAFIDE_HTTP_SERVER_H_
