// tests/wallet/loopback_issuer.h: the in-memory FakeIssuer (fake_issuer.h) served over real HTTP on
// 127.0.0.1 (an ephemeral port) by bonafide::http::Server, for tests of the wallet's real
// transport: the C API and the `bonafide wallet` CLI. Its issuer identifier is
// http://127.0.0.1:<port>, so wallets need insecure_allow_http_loopback; it issues on the system
// clock (the CLI and C API wallets use it).
//
// Thread safety: the server's worker threads reach the FakeIssuer under a mutex; the test thread
// uses it through With(), which takes the same mutex.
#ifndef BONAFIDE_TESTS_WALLET_LOOPBACK_ISSUER_H_
#define BONAFIDE_TESTS_WALLET_LOOPBACK_ISSUER_H_

#include <memory>
#include <mutex>
#include <string>

#include <gtest/gtest.h>

#include "base/clock.h"
#include "fake_issuer.h"
#include "http/server.h"

namespace bonafide::wallet::testing {

class LoopbackIssuer {
 public:
  // Start serves a new FakeIssuer (batches of `batch_size`); nullptr (with a test failure) when
  // the server cannot start.
  static std::unique_ptr<LoopbackIssuer> Start(int64_t batch_size = 3) {
    std::unique_ptr<LoopbackIssuer> out(new LoopbackIssuer());
    http::ServerOptions options;
    options.worker_threads = 2;
    options.log_sink = [](std::string_view) {};
    auto server = http::Server::Create(options);
    EXPECT_TRUE(server.ok()) << server.status().ToString();
    if (!server.ok()) return nullptr;
    out->server_ = std::move(*server);
    LoopbackIssuer* self = out.get();
    for (const char* path : {"/.well-known/openid-credential-issuer", "/.well-known/oauth-authorization-server",
                             "/.well-known/jwt-vc-issuer", "/.well-known/did.json", "/iacas", "/offers/{code}"}) {
      EXPECT_TRUE(out->server_->Get(path, [self](const http::Request& r) { return self->Route(r); }).ok());
    }
    for (const char* path : {"/token", "/nonce", "/credential", "/notification"}) {
      EXPECT_TRUE(out->server_->Post(path, [self](const http::Request& r) { return self->Route(r); }).ok());
    }
    Status started = out->server_->Start();
    EXPECT_TRUE(started.ok()) << started.ToString();
    if (!started.ok()) return nullptr;
    std::lock_guard<std::mutex> lock(out->mu_);
    out->issuer_ = std::make_unique<FakeIssuer>(batch_size, out->url(), SystemClock::Default().NowSeconds(),
                                                 /*live_clock=*/true);
    return out;
  }

  ~LoopbackIssuer() {
    if (server_ != nullptr) server_->Stop();
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }

  // With runs `f(FakeIssuer&)` under the issuer's mutex and returns its result.
  template <typename F>
  auto With(F&& f) {
    std::lock_guard<std::mutex> lock(mu_);
    return f(*issuer_);
  }

 private:
  LoopbackIssuer() = default;

  http::Response Route(const http::Request& request) {
    std::string method = request.method;
    if (method == "POST") {
      const std::string type = request.Header("Content-Type").value_or("");
      method = type.rfind("application/json", 0) == 0 ? "POST_JSON" : "POST_FORM";
    }
    HttpHeaders headers;
    if (auto auth = request.Header("Authorization")) headers["authorization"] = *auth;
    std::lock_guard<std::mutex> lock(mu_);
    if (issuer_ == nullptr) return http::Response::JsonError(503, "temporarily_unavailable");
    HttpResponse answer = issuer_->Handle(method, url() + request.path, headers, request.body);
    http::Response out;
    out.status = answer.status;
    auto type = answer.headers.find("content-type");
    out.content_type = type != answer.headers.end() ? type->second : "text/plain";
    out.body = std::move(answer.body);
    return out;
  }

  std::mutex mu_;
  std::unique_ptr<http::Server> server_;
  std::unique_ptr<FakeIssuer> issuer_;
};

}  // namespace bonafide::wallet::testing

#endif  // BONAFIDE_TESTS_WALLET_LOOPBACK_ISSUER_H_
