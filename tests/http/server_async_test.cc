// Tests for the event-driven parts of http::Server: keep-alive connections that hold no thread,
// asynchronous handlers (HandleAsync, Responder, Offload), Stop() with idle and busy connections,
// and the protocol details a hand-made client sees (100-continue, header limit, HEAD, 204).
// Real loopback sockets on ephemeral ports; nothing is timed except as a hang detector.
#include <arpa/inet.h>
#include <pthread.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/json.h"
#include "http/client.h"
#include "http/server.h"

namespace bonafide::http {
namespace {

using namespace std::chrono_literals;

std::unique_ptr<Server> MakeServer(ServerOptions options) {
  options.host = "127.0.0.1";
  options.port = 0;
  options.log_sink = [](std::string_view) {};
  auto server = Server::Create(std::move(options));
  EXPECT_TRUE(server.ok()) << server.status().ToString();
  return std::move(server).value();
}

std::unique_ptr<Client> MakeClient(const Server& server, std::chrono::milliseconds read_timeout = 10s) {
  ClientOptions options;
  options.read_timeout = read_timeout;
  auto client = Client::Create("http://127.0.0.1:" + std::to_string(server.port()), options);
  EXPECT_TRUE(client.ok());
  return std::move(client).value();
}

// RawConnection is one client socket that sends bytes and reads whole responses (framed by
// Content-Length), so a test sees exactly what travels on one connection.
class RawConnection {
 public:
  explicit RawConnection(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    timeval tv{10, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  }
  ~RawConnection() { ::close(fd_); }
  bool connected() const { return connected_; }

  bool Send(const std::string& bytes) {
    size_t sent = 0;
    while (sent < bytes.size()) {
      const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<size_t>(n);
    }
    return true;
  }

  // ReadHead returns the next status line and headers (up to the blank line), or "" at EOF.
  std::string ReadHead() {
    for (;;) {
      const size_t end = buffer_.find("\r\n\r\n");
      if (end != std::string::npos) {
        std::string head = buffer_.substr(0, end + 4);
        buffer_.erase(0, end + 4);
        return head;
      }
      if (!Fill()) return "";
    }
  }

  // ReadResponse returns the next response head plus its Content-Length body (none for HEAD).
  std::string ReadResponse(bool head_request = false) {
    std::string head = ReadHead();
    if (head.empty()) return "";
    size_t length = 0;
    const size_t cl = Lower(head).find("\r\ncontent-length: ");
    if (cl != std::string::npos && !head_request) length = std::stoul(head.substr(cl + 18));
    while (buffer_.size() < length) {
      if (!Fill()) break;
    }
    const size_t take = std::min(length, buffer_.size());
    std::string body = buffer_.substr(0, take);
    buffer_.erase(0, take);
    return head + body;
  }

  // AtEof reports whether the server closed the connection (no bytes left, EOF read).
  bool AtEof() { return buffer_.empty() && !Fill(); }

 private:
  static std::string Lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }
  bool Fill() {
    char buf[4096];
    const ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n <= 0) return false;
    buffer_.append(buf, static_cast<size_t>(n));
    return true;
  }
  int fd_ = -1;
  bool connected_ = false;
  std::string buffer_;
};

std::string Get(std::string_view path, bool close = false) {
  return "GET " + std::string(path) + " HTTP/1.1\r\nHost: x\r\n" + (close ? "Connection: close\r\n" : "") + "\r\n";
}

// Latch lets a test hold handlers until it releases them.
struct Latch {
  std::mutex mu;
  std::condition_variable cv;
  int arrived = 0;
  bool open = false;
  void Arrive() {
    std::unique_lock<std::mutex> lock(mu);
    ++arrived;
    cv.notify_all();
    cv.wait(lock, [this] { return open; });
  }
  bool WaitArrived(int n) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, 10s, [&] { return arrived >= n; });
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mu);
    open = true;
    cv.notify_all();
  }
};

TEST(ServerKeepAlive, ManyRequestsOnOneConnectionThenClose) {
  auto server = MakeServer({});
  std::atomic<int> calls{0};
  ASSERT_TRUE(server->Get("/n", [&](const Request&) { return Response::JsonBody(200, {{"n", ++calls}}); }).ok());
  ASSERT_TRUE(server->Start().ok());
  RawConnection c(server->port());
  ASSERT_TRUE(c.connected());
  for (int i = 1; i <= 3; ++i) {
    ASSERT_TRUE(c.Send(Get("/n")));
    const std::string r = c.ReadResponse();
    EXPECT_EQ(r.rfind("HTTP/1.1 200 ", 0), 0u) << r;
    EXPECT_NE(r.find("{\"n\":" + std::to_string(i) + "}"), std::string::npos) << r;
    EXPECT_EQ(r.find("Connection: close"), std::string::npos) << r;
  }
  // Connection: close is honoured: the answer says so and the server closes.
  ASSERT_TRUE(c.Send(Get("/n", true)));
  const std::string last = c.ReadResponse();
  EXPECT_NE(last.find("{\"n\":4}"), std::string::npos) << last;
  EXPECT_NE(last.find("Connection: close"), std::string::npos) << last;
  EXPECT_TRUE(c.AtEof());
  // A refusal whose body was never read closes the connection too (the unread body would be
  // taken for the next request otherwise).
  RawConnection d(server->port());
  ASSERT_TRUE(d.Send("POST /nowhere HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nabcde"));
  const std::string refused = d.ReadResponse();
  EXPECT_EQ(refused.rfind("HTTP/1.1 404 ", 0), 0u) << refused;
  EXPECT_TRUE(d.AtEof());
}

TEST(ServerKeepAlive, IdleConnectionsHoldNoWorker) {
  // One worker and twenty clients that keep their connections open after a request: a server
  // with a thread per connection would have nothing left for the next client until the
  // keep-alive timeout (60 s here; the client gives up after 5 s).
  ServerOptions options;
  options.worker_threads = 1;
  options.keep_alive_timeout = 60s;
  auto server = MakeServer(options);
  ASSERT_TRUE(server->Start().ok());
  std::vector<std::unique_ptr<RawConnection>> idle;
  for (int i = 0; i < 20; ++i) {
    idle.push_back(std::make_unique<RawConnection>(server->port()));
    ASSERT_TRUE(idle.back()->Send(Get("/healthz")));
    EXPECT_EQ(idle.back()->ReadResponse().rfind("HTTP/1.1 200 ", 0), 0u);
  }
  auto client = MakeClient(*server, 5s);
  auto r = client->Get("/healthz");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  // The idle connections still work.
  ASSERT_TRUE(idle[7]->Send(Get("/healthz")));
  EXPECT_EQ(idle[7]->ReadResponse().rfind("HTTP/1.1 200 ", 0), 0u);
}

TEST(ServerAsync, OffloadedWaitsLeaveTheWorkerFree) {
  ServerOptions options;
  options.worker_threads = 1;
  options.blocking_threads = 4;
  auto server = MakeServer(options);
  Server* s = server.get();
  Latch latch;
  std::atomic<int> then_ran{0};
  ASSERT_TRUE(server
                  ->HandleAsync("POST", "/slow",
                                [s, &latch, &then_ran](Request request, Responder responder) {
                                  auto result = std::make_shared<std::string>();
                                  s->Offload(
                                      [&latch, result, body = request.body] {
                                        latch.Arrive();  // a durable commit would wait here
                                        *result = "done:" + body;
                                      },
                                      [result, responder, &then_ran] {
                                        ++then_ran;
                                        responder.Send(Response::Text(200, *result));
                                      });
                                })
                  .ok());
  ASSERT_TRUE(server->Start().ok());
  std::vector<std::thread> callers;
  std::vector<Result<ClientResponse>> results(4, Error(StatusCode::kInternal, "not run"));
  for (int i = 0; i < 4; ++i) {
    callers.emplace_back([&, i] { results[static_cast<size_t>(i)] = MakeClient(*s)->Post("/slow", std::to_string(i), "text/plain"); });
  }
  ASSERT_TRUE(latch.WaitArrived(4));
  // Four requests are waiting in the blocking pool; the only worker still answers.
  auto health = MakeClient(*server, 5s)->Get("/healthz");
  ASSERT_TRUE(health.ok()) << health.status().ToString();
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(then_ran.load(), 0);
  latch.Open();
  for (auto& t : callers) t.join();
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(results[static_cast<size_t>(i)].ok()) << results[static_cast<size_t>(i)].status().ToString();
    EXPECT_EQ(results[static_cast<size_t>(i)]->status, 200);
    EXPECT_EQ(results[static_cast<size_t>(i)]->body, "done:" + std::to_string(i));
  }
  EXPECT_EQ(then_ran.load(), 4);
}

// ThreadName is the calling thread's name (the server names its threads bf-net, bf-worker and
// bf-blocking).
std::string ThreadName() {
  char name[16] = {};
  pthread_getname_np(pthread_self(), name, sizeof name);
  return name;
}

// A handler registered with HandleAsyncOnNetworkThread runs on the network thread and hands its
// work to the blocking pool, which answers (Offload with no `then`): no worker takes part, even
// when the only worker is busy. A blocking job that throws or never answers gets a 500.
TEST(ServerAsync, NetworkThreadHandOffAnswersFromTheBlockingPool) {
  ServerOptions options;
  options.worker_threads = 1;
  auto server = MakeServer(options);
  Server* s = server.get();
  Latch worker_busy;
  ASSERT_TRUE(server->Get("/occupy", [&worker_busy](const Request&) {
                  worker_busy.Arrive();
                  return Response::Text(200, "freed");
                }).ok());
  ASSERT_TRUE(server
                  ->HandleAsyncOnNetworkThread(
                      "POST", "/store",
                      [s](Request request, Responder responder) {
                        const std::string handler_thread = ThreadName();
                        s->Offload(
                            [responder, handler_thread, body = request.body] {
                              if (body == "throw") throw 3;
                              if (body == "drop") return;
                              responder.Send(Response::Text(200, handler_thread + "|" + ThreadName() + "|" + body));
                            },
                            nullptr);
                      })
                  .ok());
  ASSERT_TRUE(server->Start().ok());
  std::thread occupier([&] { (void)MakeClient(*s)->Get("/occupy"); });
  ASSERT_TRUE(worker_busy.WaitArrived(1));  // the only worker now waits in /occupy
  auto client = MakeClient(*server, 5s);
  for (int i = 0; i < 3; ++i) {
    auto r = client->Post("/store", "b" + std::to_string(i), "text/plain");
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "bf-net|bf-blocking|b" + std::to_string(i));
  }
  for (const char* body : {"throw", "drop"}) {
    auto r = client->Post("/store", body, "text/plain");
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->status, 500) << body;
  }
  worker_busy.Open();
  occupier.join();
}

TEST(ServerAsync, UnansweredOrThrowingHandlersGet500AndOnlyTheFirstSendCounts) {
  auto server = MakeServer({});
  ASSERT_TRUE(server->HandleAsync("GET", "/dropped", [](Request, Responder) {}).ok());
  ASSERT_TRUE(server->HandleAsync("GET", "/throws", [](Request, Responder) { throw 1; }).ok());
  ASSERT_TRUE(server
                  ->HandleAsync("GET", "/twice",
                                [](Request, Responder responder) {
                                  EXPECT_FALSE(responder.sent());
                                  responder.Send(Response::Text(200, "first"));
                                  EXPECT_TRUE(responder.sent());
                                  responder.Send(Response::Text(201, "second"));
                                })
                  .ok());
  ASSERT_TRUE(server
                  ->HandleAsync("GET", "/throws-after",
                                [](Request, Responder responder) {
                                  responder.Send(Response::Text(200, "answered"));
                                  throw 2;
                                })
                  .ok());
  ASSERT_TRUE(server->Start().ok());
  auto client = MakeClient(*server);
  auto dropped = client->Get("/dropped");
  ASSERT_TRUE(dropped.ok());
  EXPECT_EQ(dropped->status, 500);
  EXPECT_EQ(dropped->body, "{\"error\":\"internal\"}");
  auto throws = client->Get("/throws");
  ASSERT_TRUE(throws.ok());
  EXPECT_EQ(throws->status, 500);
  auto twice = client->Get("/twice");
  ASSERT_TRUE(twice.ok());
  EXPECT_EQ(twice->status, 200);
  EXPECT_EQ(twice->body, "first");
  auto after = client->Get("/throws-after");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->status, 200);
  EXPECT_EQ(after->body, "answered");
}

TEST(ServerLifecycleAsync, StopClosesIdleConnectionsAndWaitsForOffloadedWork) {
  ServerOptions options;
  options.keep_alive_timeout = 60s;
  auto server = MakeServer(options);
  Server* s = server.get();
  Latch latch;
  std::atomic<bool> finished{false};
  ASSERT_TRUE(server
                  ->HandleAsync("GET", "/slow",
                                [s, &latch, &finished](Request, Responder responder) {
                                  s->Offload([&latch] { latch.Arrive(); },
                                             [responder, &finished] {
                                               finished = true;
                                               responder.Send(Response::Text(200, "late"));
                                             });
                                })
                  .ok());
  ASSERT_TRUE(server->Start().ok());
  RawConnection idle(server->port());
  ASSERT_TRUE(idle.Send(Get("/healthz")));
  ASSERT_EQ(idle.ReadResponse().rfind("HTTP/1.1 200 ", 0), 0u);
  Result<ClientResponse> slow = Error(StatusCode::kInternal, "not run");
  std::thread caller([&] { slow = MakeClient(*s)->Get("/slow"); });
  ASSERT_TRUE(latch.WaitArrived(1));
  std::thread releaser([&] {
    std::this_thread::sleep_for(100ms);
    latch.Open();
  });
  server->Stop();  // returns once the offloaded request is answered
  EXPECT_TRUE(finished.load());
  releaser.join();
  caller.join();
  ASSERT_TRUE(slow.ok()) << slow.status().ToString();
  EXPECT_EQ(slow->status, 200);
  EXPECT_EQ(slow->body, "late");
  EXPECT_TRUE(idle.AtEof());  // closed by Stop, not by the 60 s keep-alive timeout
}

TEST(ServerProtocol, ContinueHeaderLimitHeadAndNoContent) {
  ServerOptions options;
  options.max_body_bytes = 64;
  auto server = MakeServer(options);
  ASSERT_TRUE(server->Post("/echo", [](const Request& r) { return Response::Text(200, r.body); }).ok());
  ASSERT_TRUE(server->Get("/none", [](const Request&) {
                Response r;
                r.status = 204;
                return r;
              }).ok());
  ASSERT_TRUE(server->Start().ok());

  // Expect: 100-continue: the interim answer comes before the body is sent.
  RawConnection c(server->port());
  ASSERT_TRUE(c.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"));
  EXPECT_EQ(c.ReadHead().rfind("HTTP/1.1 100 ", 0), 0u);
  ASSERT_TRUE(c.Send("hello"));
  const std::string echoed = c.ReadResponse();
  EXPECT_EQ(echoed.rfind("HTTP/1.1 200 ", 0), 0u) << echoed;
  EXPECT_EQ(echoed.substr(echoed.size() - 5), "hello");
  // An over-limit body with Expect gets its 413 without being asked for the body.
  ASSERT_TRUE(c.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 65\r\nExpect: 100-continue\r\n\r\n"));
  EXPECT_EQ(c.ReadResponse().rfind("HTTP/1.1 413 ", 0), 0u);
  // A client that sends an over-limit body without waiting still reads the 413: the server
  // drains what arrives after refusing (a lingering close) instead of resetting the upload.
  auto uploader = MakeClient(*server);
  auto refused = uploader->Post("/echo", std::string(512 * 1024, 'u'), "application/octet-stream");
  ASSERT_TRUE(refused.ok()) << refused.status().ToString();
  EXPECT_EQ(refused->status, 413);
  // An expectation other than 100-continue -> 417.
  RawConnection e(server->port());
  ASSERT_TRUE(e.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: something\r\n\r\n"));
  EXPECT_EQ(e.ReadResponse().rfind("HTTP/1.1 417 ", 0), 0u);

  // Headers: 16 KiB is the limit (boundary served, beyond it 431).
  RawConnection h(server->port());
  const std::string base = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: ";
  ASSERT_TRUE(h.Send(base + std::string(15000, 'a') + "\r\n\r\n"));
  EXPECT_EQ(h.ReadResponse().rfind("HTTP/1.1 200 ", 0), 0u);
  ASSERT_TRUE(h.Send(base + std::string(17000, 'a') + "\r\n\r\n"));
  const std::string big = h.ReadResponse();
  EXPECT_EQ(big.rfind("HTTP/1.1 431 ", 0), 0u) << big.substr(0, 200);
  EXPECT_NE(big.find("request_header_fields_too_large"), std::string::npos);

  // HEAD: the GET answer's Content-Length, no body; 204: neither.
  RawConnection g(server->port());
  ASSERT_TRUE(g.Send("HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  const std::string head = g.ReadResponse(true);
  EXPECT_NE(head.find("Content-Length: 15\r\n"), std::string::npos) << head;  // {"status":"ok"}
  ASSERT_TRUE(g.Send(Get("/none")));
  const std::string none = g.ReadHead();
  EXPECT_EQ(none.rfind("HTTP/1.1 204 ", 0), 0u) << none;
  EXPECT_EQ(none.find("\r\nContent-Length:"), std::string::npos) << none;
  EXPECT_EQ(none.find("\r\nContent-Type:"), std::string::npos) << none;
  // The connection still works after both (no stray body bytes).
  ASSERT_TRUE(g.Send(Get("/healthz")));
  EXPECT_EQ(g.ReadResponse().rfind("HTTP/1.1 200 ", 0), 0u);
}

TEST(ServerCreate, RejectsZeroIoOrBlockingThreads) {
  ServerOptions a;
  a.io_threads = 0;
  auto ra = Server::Create(a);
  ASSERT_FALSE(ra.ok());
  EXPECT_EQ(ra.status().code(), StatusCode::kInvalidArgument);
  ServerOptions b;
  b.blocking_threads = 0;
  auto rb = Server::Create(b);
  ASSERT_FALSE(rb.ok());
  EXPECT_EQ(rb.status().code(), StatusCode::kInvalidArgument);
  ServerOptions c;
  c.io_threads = 2;  // boundary: more than one network thread works
  c.log_sink = [](std::string_view) {};
  auto rc = Server::Create(c);
  ASSERT_TRUE(rc.ok());
  ASSERT_TRUE((*rc)->Start().ok());
  auto r = MakeClient(**rc)->Get("/healthz");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
}

}  // namespace
}  // namespace bonafide::http
