// Tests for http::Server and http::Client over real loopback sockets (127.0.0.1, ephemeral
// ports). Each test starts and stops its own servers.
#include "http/server.h"

#include <pthread.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "base/json.h"
#include "crypto/keys.h"
#include "crypto/x509_builder.h"
#include "http/client.h"

#include <arpa/inet.h>
#include <poll.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace bonafide::http {
namespace {

using namespace std::chrono_literals;

// LogCapture is a thread-safe sink that keeps every line.
struct LogCapture {
  std::mutex mu;
  std::vector<std::string> lines;
  LogSink Sink() {
    return [this](std::string_view line) {
      std::lock_guard<std::mutex> lock(mu);
      lines.emplace_back(line);
    };
  }
  // WaitForEvent returns the parsed lines with "event" == event, waiting up to 3 s for `count`.
  std::vector<Json> WaitForEvent(const std::string& event, size_t count) {
    std::vector<Json> out;
    for (int i = 0; i < 300; ++i) {
      out.clear();
      {
        std::lock_guard<std::mutex> lock(mu);
        for (const auto& l : lines) {
          auto j = ParseJsonObject(l);
          if (j.ok() && (*j)["event"] == event) out.push_back(*j);
        }
      }
      if (out.size() >= count) break;
      std::this_thread::sleep_for(10ms);
    }
    return out;
  }
};

std::unique_ptr<Server> MakeServer(ServerOptions options, LogCapture* logs) {
  options.host = "127.0.0.1";
  options.port = 0;
  options.service_name = "test-svc";
  options.log_sink = logs->Sink();
  auto server = Server::Create(std::move(options));
  EXPECT_TRUE(server.ok()) << server.status().ToString();
  return std::move(server).value();
}

std::unique_ptr<Client> MakeClient(const Server& server, ClientOptions options = {}) {
  const std::string scheme = server.is_tls() ? "https" : "http";
  auto client = Client::Create(scheme + "://127.0.0.1:" + std::to_string(server.port()), options);
  EXPECT_TRUE(client.ok()) << client.status().ToString();
  return std::move(client).value();
}

// ThreadName is the calling thread's name (the server names its threads bf-net, bf-worker and
// bf-blocking).
std::string ThreadName() {
  char name[16] = {};
  pthread_getname_np(pthread_self(), name, sizeof name);
  return name;
}

Json BodyJson(const ClientResponse& r) {
  auto j = ParseJson(r.body);
  EXPECT_TRUE(j.ok()) << r.body;
  return j.ok() ? *j : Json();
}

// ParseMetrics maps each sample line "name{labels} value" to its value.
std::map<std::string, double> ParseMetrics(const std::string& text) {
  std::map<std::string, double> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const size_t sp = line.rfind(' ');
    out[line.substr(0, sp)] = std::strtod(line.c_str() + sp + 1, nullptr);
  }
  return out;
}


// RawExchange sends `request` bytes on a fresh loopback connection and returns everything the
// server answers until it closes (requests should say Connection: close) (for requests the Client cannot produce).
std::string RawExchange(uint16_t port, const std::string& request) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  EXPECT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  size_t sent = 0;
  while (sent < request.size()) {
    ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = MakeServer({}, &logs_);
    ASSERT_TRUE(server_
                    ->Get("/items/{id}",
                          [](const Request& r) {
                            Json j = {{"id", r.PathParam("id").value_or("")},
                                      {"q", r.QueryParam("q").value_or("")},
                                      {"request_id", r.request_id}};
                            return Response::JsonBody(200, j);
                          })
                    .ok());
    ASSERT_TRUE(server_->Get("/items/special", [](const Request&) {
                  return Response::JsonBody(200, {{"special", true}});
                }).ok());
    ASSERT_TRUE(server_->Post("/echo", [](const Request& r) {
                  Response out = Response::Text(201, r.body);
                  out.headers.emplace_back("X-Ct", r.Header("content-type").value_or(""));
                  return out;
                }).ok());
    ASSERT_TRUE(server_->Get("/throw", [](const Request&) -> Response {
                  throw std::runtime_error("boom");
                }).ok());
    ASSERT_TRUE(server_->Get("/throw-int", [](const Request&) -> Response { throw 7; }).ok());
    // Answered on the network thread: reports the name of the thread it ran on.
    ASSERT_TRUE(server_->HandleOnNetworkThread("POST", "/here/{what}", [](const Request& r) {
                  return Response::JsonBody(200, {{"thread", ThreadName()},
                                                  {"what", r.PathParam("what").value_or("")},
                                                  {"body", r.body}});
                }).ok());
    ASSERT_TRUE(server_->HandleOnNetworkThread("GET", "/here-throw", [](const Request&) -> Response {
                  throw std::runtime_error("boom");
                }).ok());
    ASSERT_TRUE(server_->Get("/where", [](const Request&) {
                  return Response::JsonBody(200, {{"thread", ThreadName()}});
                }).ok());
    ASSERT_TRUE(server_->Get("/cached", [](const Request&) {
                  Response r = Response::JsonBody(200, Json::object());
                  r.headers.emplace_back("Cache-Control", "max-age=60");
                  return r;
                }).ok());
    ASSERT_TRUE(server_->Get("/forbidden", [](const Request&) {
                  Response r;
                  r.status = 403;
                  r.content_type.clear();
                  return r;
                }).ok());
    ASSERT_TRUE(server_->Get("/split", [](const Request&) {
                  Response r = Response::JsonBody(200, Json::object());
                  r.headers.emplace_back("X-Evil", "a\r\nSet-Cookie: x=1");
                  return r;
                }).ok());
    ASSERT_TRUE(server_->Start().ok());
    client_ = MakeClient(*server_);
  }
  void TearDown() override { server_->Stop(); }

  LogCapture logs_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<Client> client_;
};

TEST_F(ServerTest, RoutesPathParamsAndQuery) {
  EXPECT_NE(server_->port(), 0);
  auto r = client_->Get("/items/abc?q=hello%20world&x=1");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  Json j = BodyJson(*r);
  EXPECT_EQ(j["id"], "abc");
  EXPECT_EQ(j["q"], "hello world");
  EXPECT_EQ(r->Header("content-type").value_or(""), "application/json");
  // A literal segment beats a parameter.
  auto s = client_->Get("/items/special");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(BodyJson(*s)["special"], true);
}

TEST_F(ServerTest, PostBodyAndHeaders) {
  auto r = client_->Post("/echo", "payload", "text/plain");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->body, "payload");
  EXPECT_EQ(r->Header("X-CT").value_or(""), "text/plain");
  // Text responses do not get no-store added.
  EXPECT_FALSE(r->Header("Cache-Control").has_value());
}

TEST_F(ServerTest, UnknownPathIs404Json) {
  for (const char* path : {"/nope", "/items", "/items/a/b", "/items/"}) {
    auto r = client_->Get(path);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 404) << path;
    EXPECT_EQ(BodyJson(*r)["error"], "not_found");
    EXPECT_EQ(r->Header("Cache-Control").value_or(""), "no-store");
    EXPECT_EQ(r->Header("X-Content-Type-Options").value_or(""), "nosniff");
  }
}

TEST_F(ServerTest, WrongMethodIs405WithAllow) {
  auto r = client_->Post("/healthz", "{}", "application/json");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(BodyJson(*r)["error"], "method_not_allowed");
  EXPECT_EQ(r->Header("Allow").value_or(""), "GET, HEAD");
  auto g = client_->Get("/echo");
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->status, 405);
  EXPECT_EQ(g->Header("Allow").value_or(""), "POST");
}

TEST_F(ServerTest, HandlerExceptionIs500Internal) {
  for (const char* path : {"/throw", "/throw-int"}) {
    auto r = client_->Get(path);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 500) << path;
    EXPECT_EQ(BodyJson(*r)["error"], "internal");
    EXPECT_EQ(r->body.find("boom"), std::string::npos);
  }
  // The server is still serving.
  auto h = client_->Get("/healthz");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->status, 200);
}

// A route registered with HandleOnNetworkThread runs where the request was read; an ordinary
// route runs on a worker. Both answer the same way, with path parameters, bodies and errors.
TEST_F(ServerTest, NetworkThreadRoutesAnswerInPlace) {
  for (int i = 0; i < 3; ++i) {  // several requests on one keep-alive connection
    auto r = client_->Post("/here/x" + std::to_string(i), "body" + std::to_string(i), "text/plain");
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->status, 200);
    Json j = BodyJson(*r);
    EXPECT_EQ(j["thread"], "bf-net");
    EXPECT_EQ(j["what"], "x" + std::to_string(i));
    EXPECT_EQ(j["body"], "body" + std::to_string(i));
    EXPECT_EQ(r->Header("Cache-Control").value_or(""), "no-store");
  }
  auto w = client_->Get("/where");
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(BodyJson(*w)["thread"], "bf-worker");
  auto t = client_->Get("/here-throw");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->status, 500);
  EXPECT_EQ(BodyJson(*t)["error"], "internal");
  auto m = client_->Get("/here/x");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->status, 405);
  EXPECT_EQ(m->Header("Allow").value_or(""), "POST");
  EXPECT_FALSE(server_->HandleOnNetworkThread("GET", "/late", [](const Request&) { return Response{}; }).ok());
  auto h = client_->Get("/healthz");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->status, 200);
}

TEST_F(ServerTest, SecurityHeaders) {
  auto r = client_->Get("/cached");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->Header("Cache-Control").value_or(""), "max-age=60");
  EXPECT_EQ(r->Header("X-Content-Type-Options").value_or(""), "nosniff");
  // An empty 4xx body from a handler becomes a JSON error.
  auto f = client_->Get("/forbidden");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->status, 403);
  EXPECT_EQ(BodyJson(*f)["error"], "forbidden");
  // Header values with CR/LF are dropped (no response splitting).
  auto s = client_->Get("/split");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->status, 200);
  EXPECT_FALSE(s->Header("X-Evil").has_value());
  EXPECT_FALSE(s->Header("Set-Cookie").has_value());
}

TEST_F(ServerTest, HealthzAndReadyz) {
  auto h = client_->Get("/healthz");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->status, 200);
  EXPECT_EQ(BodyJson(*h)["status"], "ok");
  auto r = client_->Get("/readyz");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(BodyJson(*r)["status"], "ready");
}

TEST(ServerReadiness, NotReadyIs503AndRecovers) {
  LogCapture logs;
  std::atomic<bool> db_up{false};
  ServerOptions options;
  options.readiness = [&db_up]() {
    return db_up ? OkStatus() : Error(StatusCode::kIoError, "db down: secret-dsn");
  };
  auto server = MakeServer(options, &logs);
  ASSERT_TRUE(server->Start().ok());
  auto client = MakeClient(*server);
  auto r = client->Get("/readyz");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(BodyJson(*r)["status"], "not_ready");
  EXPECT_EQ(r->body.find("secret-dsn"), std::string::npos);
  db_up = true;
  r = client->Get("/readyz");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  server->Stop();
}

TEST(ServerReadiness, ThrowingCheckIsNotReady) {
  LogCapture logs;
  auto server = MakeServer({}, &logs);
  server->SetReadinessCheck([]() -> Status { throw std::runtime_error("x"); });
  ASSERT_TRUE(server->Start().ok());
  auto r = MakeClient(*server)->Get("/readyz");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 503);
}

TEST(ServerBodyLimit, OverLimitIs413AtLimitIsServed) {
  LogCapture logs;
  ServerOptions options;
  options.max_body_bytes = 1024;
  auto server = MakeServer(options, &logs);
  ASSERT_TRUE(server->Post("/echo", [](const Request& r) {
                return Response::JsonBody(200, {{"size", r.body.size()}});
              }).ok());
  ASSERT_TRUE(server->Start().ok());
  auto client = MakeClient(*server);
  auto ok = client->Post("/echo", std::string(1024, 'a'), "application/octet-stream");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(BodyJson(*ok)["size"], 1024);
  auto big = client->Post("/echo", std::string(1025, 'a'), "application/octet-stream");
  ASSERT_TRUE(big.ok()) << big.status().ToString();
  EXPECT_EQ(big->status, 413);
  EXPECT_EQ(BodyJson(*big)["error"], "payload_too_large");
  EXPECT_EQ(big->Header("X-Content-Type-Options").value_or(""), "nosniff");
  // The 413 is counted under the route.
  auto m = client->Get("/metrics");
  ASSERT_TRUE(m.ok());
  auto values = ParseMetrics(m->body);
  EXPECT_EQ(values["http_requests_total{method=\"POST\",route=\"/echo\",code=\"413\"}"], 1);
  EXPECT_EQ(values["http_requests_total{method=\"POST\",route=\"/echo\",code=\"200\"}"], 1);
}


TEST(ServerBodyLimit, HugeContentLengthIsRejectedWithoutTheBody) {
  LogCapture logs;
  ServerOptions options;
  options.max_body_bytes = 1024;
  auto server = MakeServer(options, &logs);
  std::atomic<int> calls{0};
  ASSERT_TRUE(server->Post("/echo", [&](const Request&) {
                ++calls;
                return Response::JsonBody(200, Json::object());
              }).ok());
  ASSERT_TRUE(server->Start().ok());
  const auto start = std::chrono::steady_clock::now();
  std::string reply = RawExchange(server->port(),
                                  "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000000\r\nConnection: close\r\n"
                                  "Content-Type: application/octet-stream\r\n\r\nabc");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_EQ(reply.rfind("HTTP/1.1 413 ", 0), 0u) << reply;
  EXPECT_NE(reply.find("{\"error\":\"payload_too_large\"}"), std::string::npos) << reply;
  EXPECT_EQ(calls.load(), 0);
}

TEST(ServerBodyLimit, ChunkedBodiesAreRefusedWith411) {
  LogCapture logs;
  ServerOptions options;
  options.max_body_bytes = 16;
  auto server = MakeServer(options, &logs);
  std::atomic<int> calls{0};
  ASSERT_TRUE(server->Post("/echo", [&](const Request& r) {
                ++calls;
                return Response::JsonBody(200, {{"size", r.body.size()}});
              }).ok());
  ASSERT_TRUE(server->Start().ok());
  const std::string head = "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
  std::string small = RawExchange(server->port(), head + "1\r\na\r\n0\r\n\r\n");
  EXPECT_EQ(small.rfind("HTTP/1.1 411 ", 0), 0u) << small;
  std::string over = RawExchange(server->port(), head + "11\r\n" + std::string(17, 'a') + "\r\n0\r\n\r\n");
  EXPECT_EQ(over.rfind("HTTP/1.1 411 ", 0), 0u) << over;
  EXPECT_NE(over.find("{\"error\":\"length_required\"}"), std::string::npos) << over;
  EXPECT_EQ(calls.load(), 0);
  // Content-Length at the limit is served (boundary), a malformed one is 400.
  std::string at_limit = RawExchange(server->port(), "POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                                                     "Content-Length: 16\r\n\r\n" + std::string(16, 'a'));
  EXPECT_EQ(at_limit.rfind("HTTP/1.1 200 ", 0), 0u) << at_limit;
  EXPECT_EQ(calls.load(), 1);
  std::string bad = RawExchange(server->port(), "POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                                                "Content-Length: 1x\r\n\r\n");
  EXPECT_EQ(bad.rfind("HTTP/1.1 400 ", 0), 0u) << bad;
}

TEST(ServerRouting, HeadReachesGetHandlerWithoutBody) {
  LogCapture logs;
  ServerOptions options;
  options.read_timeout = 500ms;
  options.keep_alive_timeout = 1s;
  auto server = MakeServer(options, &logs);
  ASSERT_TRUE(server->Start().ok());
  std::string reply = RawExchange(server->port(), "HEAD /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(reply.rfind("HTTP/1.1 200 ", 0), 0u) << reply;
  EXPECT_EQ(reply.find("\"status\""), std::string::npos) << reply;
  std::string other = RawExchange(server->port(), "TRACE /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(other.rfind("HTTP/1.1 405 ", 0), 0u) << other;
  std::string garbage = RawExchange(server->port(), "NOT HTTP AT ALL\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(garbage.rfind("HTTP/1.1 400 ", 0), 0u) << garbage;
  EXPECT_NE(garbage.find("X-Request-Id: "), std::string::npos) << garbage;
}

TEST_F(ServerTest, MetricsCountRequestsAndDurations) {
  ASSERT_TRUE(client_->Get("/items/a").ok());
  ASSERT_TRUE(client_->Get("/items/b").ok());
  ASSERT_TRUE(client_->Get("/items/c").ok());
  ASSERT_TRUE(client_->Get("/missing/1").ok());
  ASSERT_TRUE(client_->Get("/throw").ok());
  auto m = client_->Get("/metrics");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->status, 200);
  EXPECT_EQ(m->Header("Content-Type").value_or(""), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(m->body.find("# TYPE http_requests_total counter\n"), std::string::npos);
  EXPECT_NE(m->body.find("# TYPE http_request_duration_seconds histogram\n"), std::string::npos);
  EXPECT_NE(m->body.find("# TYPE http_requests_in_flight gauge\n"), std::string::npos);
  auto v = ParseMetrics(m->body);
  EXPECT_EQ(v["http_requests_total{method=\"GET\",route=\"/items/{id}\",code=\"200\"}"], 3);
  EXPECT_EQ(v["http_requests_total{method=\"GET\",route=\"unmatched\",code=\"404\"}"], 1);
  EXPECT_EQ(v["http_requests_total{method=\"GET\",route=\"/throw\",code=\"500\"}"], 1);
  EXPECT_EQ(v["http_request_duration_seconds_count{route=\"/items/{id}\"}"], 3);
  EXPECT_EQ(v["http_request_duration_seconds_bucket{route=\"/items/{id}\",le=\"+Inf\"}"], 3);
  EXPECT_EQ(v["http_request_duration_seconds_bucket{route=\"/items/{id}\",le=\"10\"}"], 3);
  EXPECT_GE(v["http_request_duration_seconds_sum{route=\"/items/{id}\"}"], 0);
  EXPECT_LT(v["http_request_duration_seconds_sum{route=\"/items/{id}\"}"], 10);
  // The /metrics request itself is the one in flight.
  EXPECT_EQ(v["http_requests_in_flight"], 1);
  // One connection per request (this client does not keep them alive), the /metrics one included.
  EXPECT_NE(m->body.find("# TYPE http_connections_total counter\n"), std::string::npos);
  EXPECT_EQ(v["http_connections_total"], 6);
  // Raw paths never become label values.
  EXPECT_EQ(m->body.find("/items/a"), std::string::npos);
  EXPECT_EQ(m->body.find("/missing"), std::string::npos);
}

TEST(ServerMetrics, ServiceCountersAppear) {
  LogCapture logs;
  auto metrics = std::make_shared<Metrics>();
  auto issued = metrics->AddCounter("credentials_issued_total", "Credentials issued.", {"format"});
  ASSERT_TRUE(issued.ok());
  ServerOptions options;
  options.metrics = metrics;
  auto server = MakeServer(options, &logs);
  ASSERT_TRUE(server->Post("/credential", [c = *issued](const Request&) {
                c->Increment({"dc+sd-jwt"});
                return Response::JsonBody(200, Json::object());
              }).ok());
  ASSERT_TRUE(server->Start().ok());
  auto client = MakeClient(*server);
  ASSERT_TRUE(client->Post("/credential", "{}", "application/json").ok());
  ASSERT_TRUE(client->Post("/credential", "{}", "application/json").ok());
  auto m = client->Get("/metrics");
  ASSERT_TRUE(m.ok());
  auto v = ParseMetrics(m->body);
  EXPECT_EQ(v["credentials_issued_total{format=\"dc+sd-jwt\"}"], 2);
  EXPECT_EQ(&server->metrics(), metrics.get());
}

TEST_F(ServerTest, RequestIdHeaderIsRandomHexAndSeenByHandler) {
  auto a = client_->Get("/items/x");
  auto b = client_->Get("/items/x");
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  const std::string ida = a->Header("X-Request-Id").value_or("");
  const std::string idb = b->Header("X-Request-Id").value_or("");
  EXPECT_TRUE(std::regex_match(ida, std::regex("[0-9a-f]{32}"))) << ida;
  EXPECT_NE(ida, idb);
  EXPECT_EQ(BodyJson(*a)["request_id"], ida);
  // Errors made by the server carry one too.
  auto n = client_->Get("/nope");
  ASSERT_TRUE(n.ok());
  EXPECT_TRUE(std::regex_match(n->Header("X-Request-Id").value_or(""), std::regex("[0-9a-f]{32}")));
}

TEST_F(ServerTest, OneJsonLogLinePerRequestWithoutSecrets) {
  auto r = client_->Post("/echo", "body-secret-value", "text/plain",
                         {{"Authorization", "Bearer token-secret-value"}});
  ASSERT_TRUE(r.ok());
  auto g = client_->Get("/items/citizen-4711?q=query-secret");
  ASSERT_TRUE(g.ok());
  auto lines = logs_.WaitForEvent("http_request", 2);
  ASSERT_EQ(lines.size(), 2u);
  const Json& post = lines[0];
  EXPECT_TRUE(std::regex_match(post["time"].get<std::string>(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));
  EXPECT_EQ(post["level"], "info");
  EXPECT_EQ(post["service"], "test-svc");
  EXPECT_EQ(post["method"], "POST");
  EXPECT_EQ(post["route"], "/echo");
  EXPECT_EQ(post["status"], 201);
  EXPECT_TRUE(post["duration_ms"].is_number());
  EXPECT_GE(post["duration_ms"].get<double>(), 0);
  EXPECT_EQ(post["request_id"], r->Header("X-Request-Id").value_or("?"));
  EXPECT_EQ(post["remote_addr"], "127.0.0.1");
  EXPECT_EQ(lines[1]["route"], "/items/{id}");
  std::lock_guard<std::mutex> lock(logs_.mu);
  for (const auto& line : logs_.lines) {
    EXPECT_EQ(line.find("secret"), std::string::npos) << line;
    EXPECT_EQ(line.find("citizen-4711"), std::string::npos) << line;
    EXPECT_EQ(line.find("Bearer"), std::string::npos) << line;
    EXPECT_EQ(line.find('\n'), std::string::npos);
  }
}

TEST_F(ServerTest, ServerErrorsLogAtErrorLevel) {
  ASSERT_TRUE(client_->Get("/throw").ok());
  auto lines = logs_.WaitForEvent("http_request", 1);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["level"], "error");
  EXPECT_EQ(lines[0]["status"], 500);
  EXPECT_EQ(logs_.WaitForEvent("handler_exception", 1).size(), 1u);
}

TEST_F(ServerTest, ConcurrentRequestsFromSeveralThreads) {
  constexpr int kThreads = 6, kEach = 15;
  std::atomic<int> ok_count{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto client = MakeClient(*server_);
      for (int i = 0; i < kEach; ++i) {
        const std::string id = std::to_string(t) + "-" + std::to_string(i);
        auto r = client->Get("/items/" + id);
        if (r.ok() && r->status == 200 && BodyJson(*r)["id"] == id) ++ok_count;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok_count.load(), kThreads * kEach);
  auto m = client_->Get("/metrics");
  ASSERT_TRUE(m.ok());
  auto v = ParseMetrics(m->body);
  EXPECT_EQ(v["http_requests_total{method=\"GET\",route=\"/items/{id}\",code=\"200\"}"], kThreads * kEach);
}

TEST(ServerLifecycle, StopWaitsForInFlightRequests) {
  LogCapture logs;
  auto server = MakeServer({}, &logs);
  std::mutex mu;
  std::condition_variable cv;
  bool entered = false;
  std::atomic<bool> finished{false};
  ASSERT_TRUE(server->Get("/slow", [&](const Request&) {
                {
                  std::lock_guard<std::mutex> lock(mu);
                  entered = true;
                }
                cv.notify_all();
                std::this_thread::sleep_for(300ms);
                finished = true;
                return Response::JsonBody(200, {{"done", true}});
              }).ok());
  ASSERT_TRUE(server->Start().ok());
  const uint16_t port = server->port();
  Result<ClientResponse> result = Error(StatusCode::kInternal, "not run");
  std::thread caller([&] { result = MakeClient(*server)->Get("/slow"); });
  {
    std::unique_lock<std::mutex> lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, 5s, [&] { return entered; }));
  }
  server->Stop();
  EXPECT_TRUE(finished.load());  // Stop returned only after the handler finished
  caller.join();
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->status, 200);
  // Nothing listens any more.
  auto after = Client::Create("http://127.0.0.1:" + std::to_string(port));
  ASSERT_TRUE(after.ok());
  auto r = (*after)->Get("/healthz");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kIoError);
  server->Stop();  // idempotent
}

TEST(ServerLifecycle, StartTwiceAndRoutesAfterStartFail) {
  LogCapture logs;
  auto server = MakeServer({}, &logs);
  ASSERT_TRUE(server->Start().ok());
  EXPECT_EQ(server->Start().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(server->Get("/late", [](const Request&) { return Response(); }).code(),
            StatusCode::kInvalidArgument);
}

TEST(ServerLifecycle, PortInUseIsIoError) {
  LogCapture logs;
  auto first = MakeServer({}, &logs);
  ASSERT_TRUE(first->Start().ok());
  ServerOptions options;
  options.host = "127.0.0.1";
  options.port = first->port();
  options.log_sink = logs.Sink();
  auto second = Server::Create(options);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ((*second)->Start().code(), StatusCode::kIoError);
}

TEST(ServerCreate, RejectsBadOptions) {
  ServerOptions o;
  o.worker_threads = 0;
  EXPECT_EQ(Server::Create(o).status().code(), StatusCode::kInvalidArgument);
  o = ServerOptions{};
  o.worker_threads = 1;  // boundary: accepted
  EXPECT_TRUE(Server::Create(o).ok());
  o.max_body_bytes = 0;
  EXPECT_EQ(Server::Create(o).status().code(), StatusCode::kInvalidArgument);
  o = ServerOptions{};
  o.read_timeout = 0ms;
  EXPECT_EQ(Server::Create(o).status().code(), StatusCode::kInvalidArgument);
  o = ServerOptions{};
  o.tls_cert_file = "/nonexistent/cert.pem";
  EXPECT_EQ(Server::Create(o).status().code(), StatusCode::kInvalidArgument);
  o.tls_key_file = "/nonexistent/key.pem";
  EXPECT_EQ(Server::Create(o).status().code(), StatusCode::kInvalidCertificate);
  auto shared = std::make_shared<Metrics>();
  ASSERT_TRUE(shared->AddCounter("http_requests_total", "taken").ok());
  o = ServerOptions{};
  o.metrics = shared;
  EXPECT_EQ(Server::Create(o).status().code(), StatusCode::kInvalidArgument);
}

TEST(ServerRoutes, RejectsBadPatternsAndDuplicates) {
  auto server = Server::Create({});
  ASSERT_TRUE(server.ok());
  Server& s = **server;
  auto h = [](const Request&) { return Response(); };
  EXPECT_EQ(s.Get("", h).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.Get("items", h).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.Get("/a/{x", h).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.Get("/a/x{y}", h).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.Get("/a/{}", h).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.Get("/a/{x}/{x}", h).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.Get("/a?b", h).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.Handle("TRACE", "/a", h).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.Get("/a", nullptr).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(s.Get("/a/{x}", h).ok());
  EXPECT_EQ(s.Get("/a/{y}", h).code(), StatusCode::kInvalidArgument);  // same shape
  EXPECT_TRUE(s.Post("/a/{y}", h).ok());                                 // other method
  EXPECT_EQ(s.Get("/healthz", h).code(), StatusCode::kInvalidArgument);  // built-in
  EXPECT_TRUE(s.Get("/", h).ok());
}

TEST(ParseHostPortTest, Forms) {
  auto a = ParseHostPort("127.0.0.1:8443");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 8443);
  auto b = ParseHostPort("[::1]:65535");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->host, "::1");
  EXPECT_EQ(b->port, 65535);
  auto c = ParseHostPort(":0");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->host, "0.0.0.0");
  EXPECT_EQ(c->port, 0);
  for (const char* bad : {"", "host", "host:", "host:65536", "host:-1", "host:8a", "::1:80", "[::1]80",
                          "host:123456"}) {
    EXPECT_EQ(ParseHostPort(bad).status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(ClientTest, ConnectionRefusedIsIoError) {
  LogCapture logs;
  auto server = MakeServer({}, &logs);
  ASSERT_TRUE(server->Start().ok());
  const uint16_t port = server->port();
  server->Stop();
  ClientOptions options;
  options.connect_timeout = 500ms;
  auto client = Client::Create("http://127.0.0.1:" + std::to_string(port), options);
  ASSERT_TRUE(client.ok());
  EXPECT_EQ((*client)->Get("/healthz").status().code(), StatusCode::kIoError);
  EXPECT_EQ((*client)->Post("/x", "", "text/plain").status().code(), StatusCode::kIoError);
}

TEST(ClientTest, ResponseLimit) {
  LogCapture logs;
  auto server = MakeServer({}, &logs);
  ASSERT_TRUE(server->Get("/big", [](const Request&) { return Response::Text(200, std::string(2000, 'x')); }).ok());
  ASSERT_TRUE(server->Start().ok());
  ClientOptions options;
  options.max_response_bytes = 2000;
  auto exact = MakeClient(*server, options)->Get("/big");
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(exact->body.size(), 2000u);
  options.max_response_bytes = 1999;
  EXPECT_EQ(MakeClient(*server, options)->Get("/big").status().code(), StatusCode::kLimitExceeded);
}

TEST(ClientTest, AKeptAliveConnectionTheServerClosedIsReplacedAndTheRequestSentOnce) {
  LogCapture logs;
  ServerOptions so;
  so.keep_alive_timeout = std::chrono::seconds(1);
  auto server = MakeServer(so, &logs);
  std::atomic<int> posts{0};
  ASSERT_TRUE(server->Post("/count", [&](const Request&) {
    return Response::Text(200, std::to_string(++posts));
  }).ok());
  ASSERT_TRUE(server->Start().ok());
  ClientOptions co;
  co.keep_alive = true;
  auto client = MakeClient(*server, co);
  auto first = client->Post("/count", "", "text/plain");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->body, "1");
  // The server closes the idle connection; the next request notices and reconnects.
  std::this_thread::sleep_for(1500ms);
  auto second = client->Post("/count", "", "text/plain");
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->body, "2");
  EXPECT_EQ(posts.load(), 2);
}

TEST(ClientTest, LargeBodiesOneAfterAnotherOnOneConnection) {
  LogCapture logs;
  auto server = MakeServer({}, &logs);
  std::string big;
  for (int i = 0; i < 300000; ++i) big.push_back(static_cast<char>('a' + i % 26));
  ASSERT_TRUE(server->Get("/big", [&](const Request&) { return Response::Text(200, big); }).ok());
  ASSERT_TRUE(server->Get("/small", [](const Request&) { return Response::Text(200, "s"); }).ok());
  ASSERT_TRUE(server->Start().ok());
  ClientOptions co;
  co.keep_alive = true;
  auto client = MakeClient(*server, co);
  for (const char* path : {"/big", "/small", "/big", "/big", "/small"}) {
    auto r = client->Get(path);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->body, std::string(path) == "/big" ? big : "s") << path;
    EXPECT_EQ(r->Header("content-length").value_or(""), std::to_string(r->body.size()));
  }
}

TEST(ClientTest, TargetsAndHeadersThatWouldSplitTheRequestAreRefused) {
  LogCapture logs;
  auto server = MakeServer({}, &logs);
  ASSERT_TRUE(server->Start().ok());
  auto client = MakeClient(*server);
  EXPECT_EQ(client->Get("/a\r\nX-Injected: 1").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(client->Get("/a b").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(client->Get("healthz").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(client->Get("/healthz", {{"X-A", "1\r\nX-Injected: 1"}}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(client->Get("/healthz", {{"X-A: b", "1"}}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(client->Post("/healthz", "", "text/plain\nX-Injected: 1").status().code(), StatusCode::kInvalidArgument);
  // The client still works afterwards.
  auto ok = client->Get("/healthz");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->status, 200);
}

// RawServer answers each loopback connection it accepts with the next of `answers`, byte for
// byte, after reading the request head; then it closes its side and drains the client's.
class RawServer {
 public:
  explicit RawServer(std::vector<std::string> answers) : answers_(std::move(answers)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(listener_, 8), 0);
    socklen_t len = sizeof addr;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Loop(); });
  }
  ~RawServer() {
    stop_ = true;
    thread_.join();
    ::close(listener_);
  }
  uint16_t port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  void Loop() {
    for (size_t next = 0; !stop_;) {
      pollfd p{listener_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const int fd = ::accept(listener_, nullptr, nullptr);
      if (fd < 0) continue;
      timeval tv{5, 0};
      ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      std::string head;
      char buf[4096];
      while (head.find("\r\n\r\n") == std::string::npos) {
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        head.append(buf, static_cast<size_t>(n));
      }
      const std::string& answer = next < answers_.size() ? answers_[next++] : answers_.back();
      for (size_t sent = 0; sent < answer.size();) {
        const ssize_t n = ::send(fd, answer.data() + sent, answer.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) break;
        sent += static_cast<size_t>(n);
      }
      ::shutdown(fd, SHUT_WR);
      while (::recv(fd, buf, sizeof buf, 0) > 0) {
      }
      ::close(fd);
    }
  }

  std::vector<std::string> answers_;
  int listener_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

Result<ClientResponse> GetFrom(const RawServer& server, ClientOptions options = {}) {
  options.read_timeout = 3s;
  auto client = Client::Create(server.url(), options);
  if (!client.ok()) return client.status();
  return (*client)->Get("/x");
}

TEST(ClientTest, WellFormedResponsesInEveryFraming) {
  struct Case {
    std::string answer, body;
  };
  const std::vector<Case> cases = {
      {"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", "hello"},
      {"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end", "until the end"},  // read to EOF
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", "hello world"},
      {"HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nold", "old"},
      // Interim responses before the final one are skipped.
      {"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
       "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
       "ok"},
  };
  for (const Case& c : cases) {
    RawServer server({c.answer});
    auto r = GetFrom(server);
    ASSERT_TRUE(r.ok()) << c.answer << ": " << r.status().ToString();
    EXPECT_EQ(r->status, 200) << c.answer;
    EXPECT_EQ(r->body, c.body) << c.answer;
  }
}

TEST(ClientTest, MalformedResponsesAreErrorsNotAnswers) {
  const std::vector<std::string> io_errors = {
      "",                                                                   // closed at once
      "hello world\r\n\r\n",                                                 // not HTTP
      "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc",                     // body cut short
      "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",  // two lengths
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",           // bad chunk size
      "HTTP/1.1 200 OK\r\nBad Header\r\n\r\n",                                // no colon
      "HTTP/1.1 20 OK\r\nContent-Length: 0\r\n\r\n",                          // two-digit status
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n",              // never asked for
      [] {
        std::string many;
        for (int i = 0; i < 10; ++i) many += "HTTP/1.1 100 Continue\r\n\r\n";
        return many + "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
      }(),
  };
  for (const std::string& answer : io_errors) {
    RawServer server({answer});
    EXPECT_EQ(GetFrom(server).status().code(), StatusCode::kIoError) << answer;
  }
  // Over the limits: a 70 KB header, a chunked body past max_response_bytes.
  ClientOptions small;
  small.max_response_bytes = 100;
  RawServer big_header({"HTTP/1.1 200 OK\r\nX-Big: " + std::string(70000, 'a') + "\r\nContent-Length: 0\r\n\r\n"});
  EXPECT_EQ(GetFrom(big_header).status().code(), StatusCode::kLimitExceeded);
  RawServer big_chunks({"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n64\r\n" + std::string(100, 'b') +
                        "\r\n64\r\n" + std::string(100, 'b') + "\r\n0\r\n\r\n"});
  EXPECT_EQ(GetFrom(big_chunks, small).status().code(), StatusCode::kLimitExceeded);
}

TEST(ClientTest, BytesAfterAResponseAreNeverTakenForTheNextOne) {
  // The first connection answers once and then sends an answer nobody asked for; the client
  // must not keep that connection, so the second request goes to a new one.
  RawServer server({"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirstHTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nevil",
                    "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecond"});
  ClientOptions co;
  co.keep_alive = true;
  auto client = Client::Create(server.url(), co);
  ASSERT_TRUE(client.ok());
  auto first = (*client)->Get("/x");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->body, "first");
  auto second = (*client)->Get("/x");
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->body, "second");
}

TEST(ClientTest, RejectsBadUrls) {
  for (const char* bad : {"ftp://h", "127.0.0.1:80", "http://", "http://h/path", "http://h?x", "http://u@h",
                          "http://h:99999", "http://h:", "http://h:8x", "http://[::1", "http://[::1]x", "http://:80"}) {
    EXPECT_EQ(Client::Create(bad).status().code(), StatusCode::kInvalidArgument) << bad;
  }
  ClientOptions insecure;
  insecure.insecure_skip_verify_loopback = true;
  EXPECT_EQ(Client::Create("https://example.org", insecure).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Client::Create("https://127.0.0.1:1", insecure).ok());
  ClientOptions missing_ca;
  missing_ca.ca_file = "/nonexistent/ca.pem";
  EXPECT_EQ(Client::Create("https://127.0.0.1:1", missing_ca).status().code(), StatusCode::kIoError);
}

// TLS: a test CA issues a server certificate for 127.0.0.1 / localhost (subjectAltName iPAddress
// and dNSName), and one that names 127.0.0.1 only in its common name.
class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("bonafide-http-tls-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    const int64_t now = static_cast<int64_t>(std::time(nullptr));
    auto ca_key = crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256);
    ASSERT_TRUE(ca_key.ok());
    crypto::CertificateTemplate ca;
    ca.subject = {{"CN", "bonafide test CA"}};
    ca.not_before = now - 60;
    ca.not_after = now + 3600;
    ca.is_ca = true;
    ca.key_usage.key_cert_sign = true;
    ca.key_usage.crl_sign = true;
    auto ca_cert = crypto::CreateSelfSignedCertificate(ca, *ca_key);
    ASSERT_TRUE(ca_cert.ok()) << ca_cert.status().ToString();
    auto leaf_key = crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256);
    ASSERT_TRUE(leaf_key.ok());
    crypto::CertificateTemplate leaf;
    leaf.subject = {{"CN", "127.0.0.1"}};
    leaf.not_before = now - 60;
    leaf.not_after = now + 3600;
    leaf.key_usage.digital_signature = true;
    leaf.dns_names = {"localhost"};
    leaf.extended_key_usages = {"1.3.6.1.5.5.7.3.1"};  // id-kp-serverAuth
    // cn-only-cert.pem names 127.0.0.1 only in its common name, which does not count (RFC 9525
    // section 6.3: the subjectAltName decides).
    auto cn_only = crypto::IssueCertificate(leaf, leaf_key->public_key(), *ca_cert, *ca_key);
    ASSERT_TRUE(cn_only.ok()) << cn_only.status().ToString();
    leaf.ip_addresses = {"127.0.0.1"};
    auto leaf_cert = crypto::IssueCertificate(leaf, leaf_key->public_key(), *ca_cert, *ca_key);
    ASSERT_TRUE(leaf_cert.ok()) << leaf_cert.status().ToString();
    Write("ca.pem", ca_cert->ToPem());
    Write("cert.pem", leaf_cert->ToPem());
    Write("cn-only-cert.pem", cn_only->ToPem());
    SecretBytes key_pem = leaf_key->ExportPem();
    Write("key.pem", std::string(key_pem.view().begin(), key_pem.view().end()));
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void Write(const std::string& name, const std::string& data) {
    std::ofstream f(dir_ / name, std::ios::binary);
    f << data;
  }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }
  // TlsServer is a server on `cert_file` (key.pem's certificate), not yet started.
  std::unique_ptr<Server> TlsServer(LogCapture* logs, const std::string& cert_file = "cert.pem") const {
    ServerOptions options;
    options.tls_cert_file = Path(cert_file);
    options.tls_key_file = Path("key.pem");
    return MakeServer(options, logs);
  }
  // TrustingTestCa is client options that trust the test CA only.
  ClientOptions TrustingTestCa() const {
    ClientOptions co;
    co.ca_file = Path("ca.pem");
    return co;
  }

  std::filesystem::path dir_;
};

TEST_F(TlsTest, HttpsHealthzWithTestCa) {
  LogCapture logs;
  auto server = TlsServer(&logs);
  ASSERT_TRUE(server->is_tls());
  ASSERT_TRUE(server->Start().ok());
  const ClientOptions co = TrustingTestCa();
  auto r = MakeClient(*server, co)->Get("/healthz");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(BodyJson(*r)["status"], "ok");
  // Without the test CA the system store does not trust the server: kIoError.
  auto untrusted = MakeClient(*server)->Get("/healthz");
  EXPECT_EQ(untrusted.status().code(), StatusCode::kIoError);
  // Loopback-only insecure mode connects without verification.
  ClientOptions insecure;
  insecure.insecure_skip_verify_loopback = true;
  auto skipped = MakeClient(*server, insecure)->Get("/healthz");
  ASSERT_TRUE(skipped.ok()) << skipped.status().ToString();
  EXPECT_EQ(skipped->status, 200);
  // Plain HTTP to the TLS port fails: the TLS handshake fails and the connection closes.
  auto plain = Client::Create("http://127.0.0.1:" + std::to_string(server->port()));
  ASSERT_TRUE(plain.ok());
  auto pr = (*plain)->Get("/healthz");
  EXPECT_EQ(pr.status().code(), StatusCode::kIoError) << (pr.ok() ? pr->body : pr.status().ToString());
  // The server is still there for TLS clients afterwards.
  auto again = MakeClient(*server, co)->Get("/healthz");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->status, 200);
}

TEST_F(TlsTest, TheCertificateMustNameTheHostInItsSubjectAltName) {
  LogCapture logs;
  auto server = TlsServer(&logs, "cn-only-cert.pem");
  ASSERT_TRUE(server->Start().ok());
  const ClientOptions co = TrustingTestCa();
  // Trusted chain, but 127.0.0.1 is only the common name: refused.
  auto by_ip = MakeClient(*server, co)->Get("/healthz");
  EXPECT_EQ(by_ip.status().code(), StatusCode::kIoError);
  EXPECT_NE(by_ip.status().message().find("certificate verify failed"), std::string::npos) << by_ip.status().ToString();
  // The same server by the name in its dNSName entry: accepted.
  auto by_name = Client::Create("https://localhost:" + std::to_string(server->port()), co);
  ASSERT_TRUE(by_name.ok()) << by_name.status().ToString();
  auto r = (*by_name)->Get("/healthz");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
}

TEST_F(TlsTest, BinaryBodiesTravelUnchangedOverHttps) {
  LogCapture logs;
  auto server = TlsServer(&logs);
  // Every byte value, NULs included (a CWT or other CBOR body is binary).
  std::string binary;
  for (int i = 0; i < 512; ++i) binary.push_back(static_cast<char>(i % 256));
  ASSERT_TRUE(server->Get("/bin", [&](const Request&) {
    Response r;
    r.content_type = "application/statuslist+cwt";
    r.body = binary;
    return r;
  }).ok());
  ASSERT_TRUE(server->Post("/echo", [](const Request& req) {
    Response r;
    r.content_type = "application/octet-stream";
    r.body = req.body;
    return r;
  }).ok());
  ASSERT_TRUE(server->Start().ok());
  auto client = MakeClient(*server, TrustingTestCa());
  auto got = client->Get("/bin");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->Header("Content-Type").value_or(""), "application/statuslist+cwt");
  EXPECT_EQ(got->body, binary);
  auto echoed = client->Post("/echo", binary, "application/octet-stream");
  ASSERT_TRUE(echoed.ok()) << echoed.status().ToString();
  EXPECT_EQ(echoed->body, binary);
}

TEST_F(TlsTest, KeyNotMatchingCertificateIsRejected) {
  auto other = crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256);
  ASSERT_TRUE(other.ok());
  SecretBytes pem = other->ExportPem();
  Write("other.pem", std::string(pem.view().begin(), pem.view().end()));
  ServerOptions options;
  options.tls_cert_file = Path("cert.pem");
  options.tls_key_file = Path("other.pem");
  EXPECT_EQ(Server::Create(options).status().code(), StatusCode::kInvalidCertificate);
}

}  // namespace
}  // namespace bonafide::http
