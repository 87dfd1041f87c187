// `bonafide verifier init|serve|check|result`: setting up and running the OpenID4VP verifier
// service (issue 5, part 2; docs/verifier.md).
//
// `verifier init --data-dir DIR --rp-dir DIR --trust-list FILE_OR_URL [--url URL]
// [--listen HOST:PORT] [--db postgresql://...] [--session-ttl SECONDS]` copies the relying party's
// files (from `registry add-rp --out-dir`) into DIR, makes the check-record key and writes
// DIR/config.json (verifier/config.h); prints the config as JSON.
//
// `verifier serve --data-dir DIR [--listen HOST:PORT]` opens the session store, loads the trust
// list, binds, prints one JSON line on stdout {"url": "http(s)://HOST:PORT", "verifier_url",
// "client_id", "pid"} and serves until SIGINT or SIGTERM, then lets in-flight requests finish and
// exits 0. A loopback verifier url with port 0 follows the bound port (as `issuer serve` does).
// Expired sessions are purged once at start and then every minute. Logs go to stderr.
//
// The employer portal (verifier/portal.h) is served by `verifier serve` at the same address: web
// pages at /, /sign-in and /checks for the accounts `verifier portal-user` adds.
//
// `verifier portal-user --data-dir DIR --user NAME` adds a portal account to DIR/portal_users.json;
// the password (12 to 256 characters) is the first line of stdin. Prints {"user", "users_file"}.
//
// `verifier check --url URL --check CHECK [--qr FILE.png] [--same-device] [--webhook URL]
// [--response-mode direct_post|direct_post.jwt] [--ca-file F]` creates a session on a running
// verifier and prints {"session_id", "request_uri", "expires_at"} (plus "qr_file").
//
// `verifier result --url URL SESSION_ID [--wait SECONDS] [--response-code CODE] [--ca-file F]`
// prints the result JSON. With --wait it polls until the status is completed, failed or expired;
// when the time runs out first it exits 1 with {"error": "limit_exceeded"} on stderr.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "base/clock.h"
#include "base/json.h"
#include "cli/commands.h"
#include "cli/io.h"
#include "crypto/random.h"
#include "http/client.h"
#include "http/server.h"
#include "verifier/config.h"
#include "verifier/http_routes.h"
#include "verifier/portal.h"
#include "verifier/portal_store.h"
#include "verifier/service.h"

namespace bonafide::cli {
namespace {

struct InitArgs {
  verifier::InitOptions options;
  std::optional<int64_t> ttl;
};

int VerifierInit(InitArgs& a) {
  a.options.session_ttl_seconds = a.ttl;
  Result<verifier::VerifierConfig> config = verifier::InitDataDir(a.options);
  if (!config.ok()) return ReportError(config.status());
  Json out = config->ToJson();
  out["data_dir"] = config->data_dir;
  out["config_file"] = config->Path(verifier::kConfigFile);
  return PrintJson(out);
}

struct ServeArgs {
  std::string data_dir;
  std::optional<std::string> listen;
};

int VerifierServe(const ServeArgs& a) {
  Result<verifier::VerifierConfig> config = verifier::LoadConfig(a.data_dir);
  if (!config.ok()) return ReportError(config.status());
  Result<http::HostPort> listen = http::ParseHostPort(a.listen.value_or(config->listen));
  if (!listen.ok()) return ReportError(listen.status());

  // Before any thread starts: only WaitForStopSignal below takes SIGINT / SIGTERM.
  Result<StopSignals> stop_signals = BlockStopSignals();
  if (!stop_signals.ok()) return ReportError(stop_signals.status());

  http::ServerOptions options;
  options.host = listen->host;
  options.port = listen->port;
  options.service_name = "bonafide-verifier";
  options.worker_threads = static_cast<int>(std::max(2u, std::thread::hardware_concurrency()));
  Result<std::unique_ptr<http::Server>> server = http::Server::Create(options);
  if (!server.ok()) return ReportError(server.status());
  std::atomic<verifier::VerifierService*> current{nullptr};
  Status routes = verifier::RegisterVerifierRoutes(**server, [&current] { return current.load(); });
  if (!routes.ok()) return ReportError(routes);
  Result<std::unique_ptr<verifier::PortalCheckStore>> portal_checks =
      config->db == "sqlite" ? verifier::PortalCheckStore::OpenSqlite(config->Path(verifier::kSqliteFile))
                             : verifier::PortalCheckStore::OpenPostgres(config->db);
  if (!portal_checks.ok()) return ReportError(portal_checks.status());
  verifier::PortalOptions portal;
  portal.users_file = config->Path(verifier::kPortalUsersFile);
  portal.checks = std::move(*portal_checks);
  portal.clock = &SystemClock::Default();
  portal.random = &crypto::SystemRandom();
  // Secure cookies when the portal is reached over https (TLS here, or a TLS proxy in front of a
  // verifier whose public url is https); browsers refuse them from plain http://127.0.0.1.
  portal.secure_cookie = (*server)->is_tls() || config->url.rfind("https://", 0) == 0;
  Status portal_routes = verifier::RegisterPortalRoutes(**server, [&current] { return current.load(); }, portal);
  if (!portal_routes.ok()) return ReportError(portal_routes);
  Status started = (*server)->Start();
  if (!started.ok()) return ReportError(started);
  const uint16_t port = (*server)->port();
  verifier::FollowBoundPort(*config, port);
  const std::string verifier_url = config->url;
  const std::string client_id = config->client_id;

  Result<std::unique_ptr<verifier::VerifierService>> service = verifier::VerifierService::Open(
      std::move(*config), SystemClock::Default(), crypto::SystemRandom(), &(*server)->logger());
  if (!service.ok()) return ReportError(service.status());
  (void)(*service)->RefreshTrustList();  // logged on failure; retried on use
  current.store(service->get());

  // Purge expired sessions now and every minute until shutdown.
  std::mutex purge_mu;
  std::condition_variable purge_cv;
  bool stopping = false;
  http::Server* srv = server->get();
  verifier::VerifierService* svc = service->get();
  std::thread purger([&] {
    std::unique_lock<std::mutex> lock(purge_mu);
    do {
      Result<int64_t> purged = svc->PurgeExpired();
      if (!purged.ok()) {
        srv->logger().Error("purge", Json{{"error", std::string(StatusCodeName(purged.status().code()))}});
      } else if (*purged > 0) {
        srv->logger().Info("purge", Json{{"deleted", *purged}});
      }
    } while (!purge_cv.wait_for(lock, std::chrono::minutes(1), [&] { return stopping; }));
  });

  const std::string host = listen->host.find(':') != std::string::npos ? "[" + listen->host + "]" : listen->host;
  const std::string scheme = (*server)->is_tls() ? "https" : "http";
  std::cout << DumpJson(Json{{"url", scheme + "://" + host + ":" + std::to_string(port)},
                             {"verifier_url", verifier_url},
                             {"client_id", client_id},
                             {"pid", static_cast<int64_t>(::getpid())}})
            << std::endl;  // flushes: a parent reads this line to learn the port

  const int signal_number = WaitForStopSignal(*stop_signals);
  {
    std::lock_guard<std::mutex> lock(purge_mu);
    stopping = true;
  }
  purge_cv.notify_all();
  purger.join();
  (*server)->Stop();
  current.store(nullptr);
  (*server)->logger().Info("shutdown", Json{{"signal", signal_number}});
  return 0;
}

struct PortalUserArgs {
  std::string data_dir;
  std::string user;
};

int VerifierPortalUser(const PortalUserArgs& a) {
  Result<verifier::VerifierConfig> config = verifier::LoadConfig(a.data_dir);
  if (!config.ok()) return ReportError(config.status());
  return AddStaffAccount(config->Path(verifier::kPortalUsersFile), a.user);
}

// Connect returns a client for the origin of `url` (a path is not allowed: the verifier's routes
// are at its root).
Result<std::unique_ptr<http::Client>> Connect(const std::string& url, const std::string& ca_file) {
  std::string origin = url;
  while (origin.ends_with("/")) origin.pop_back();
  http::ClientOptions options;
  options.ca_file = ca_file;
  return http::Client::Create(origin, options);
}

Result<Json> JsonAnswer(const http::ClientResponse& r, int expected) {
  Result<Json> body = ParseJsonObject(r.body);
  if (r.status != expected) {
    std::string code = "io_error";
    if (body.ok()) {
      if (const Json* e = Find(*body, "error"); e != nullptr && e->is_string()) code = e->get<std::string>();
    }
    StatusCode sc = StatusCode::kIoError;
    for (int i = 0; i <= static_cast<int>(StatusCode::kPermissionDenied); ++i) {
      if (StatusCodeName(static_cast<StatusCode>(i)) == code) sc = static_cast<StatusCode>(i);
    }
    if (sc == StatusCode::kOk) sc = StatusCode::kIoError;
    return Error(sc, "verifier answered HTTP " + std::to_string(r.status) + " " + code);
  }
  if (!body.ok()) return Error(StatusCode::kMalformed, "verifier answer is not a JSON object");
  return body;
}

struct CheckArgs {
  std::string url;
  std::string check;
  std::string qr;
  bool same_device = false;
  std::string webhook;
  std::string response_mode;
  std::string ca_file;
};

int VerifierCheck(const CheckArgs& a) {
  Result<std::unique_ptr<http::Client>> client = Connect(a.url, a.ca_file);
  if (!client.ok()) return ReportError(client.status());
  Json request = {{"check", a.check}, {"same_device", a.same_device}};
  if (!a.webhook.empty()) request["webhook_url"] = a.webhook;
  if (!a.response_mode.empty()) request["response_mode"] = a.response_mode;
  Result<http::ClientResponse> r = (*client)->Post("/sessions", DumpJson(request), "application/json");
  if (!r.ok()) return ReportError(r.status());
  Result<Json> created = JsonAnswer(*r, 201);
  if (!created.ok()) return ReportError(created.status());
  if (!a.qr.empty()) {
    auto id = GetString(*created, "session_id");
    if (!id.ok()) return ReportError(id.status());
    Result<http::ClientResponse> png = (*client)->Get("/sessions/" + *id + "/qr.png");
    if (!png.ok()) return ReportError(png.status());
    if (png->status != 200) return ReportError(Error(StatusCode::kIoError, "QR code: HTTP " + std::to_string(png->status)));
    Status written = WriteFile(a.qr, png->body);
    if (!written.ok()) return ReportError(written);
    (*created)["qr_file"] = a.qr;
  }
  return PrintJson(*created);
}

struct ResultArgs {
  std::string url;
  std::string session_id;
  std::optional<double> wait;
  std::string response_code;
  std::string ca_file;
};

int VerifierResult(const ResultArgs& a) {
  Result<std::unique_ptr<http::Client>> client = Connect(a.url, a.ca_file);
  if (!client.ok()) return ReportError(client.status());
  if (a.session_id.empty() || a.session_id.find_first_of("/?#%") != std::string::npos) {
    return ReportError(Error(StatusCode::kInvalidArgument, "bad session id"));
  }
  std::string target = "/sessions/" + a.session_id;
  if (!a.response_code.empty()) target += "?response_code=" + a.response_code;
  if (a.wait && (*a.wait < 0 || *a.wait > 3600)) {
    return ReportError(Error(StatusCode::kInvalidArgument, "--wait must be 0 .. 3600 seconds"));
  }
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(static_cast<int64_t>(a.wait.value_or(0) * 1000));
  while (true) {
    Result<http::ClientResponse> r = (*client)->Get(target);
    if (!r.ok()) return ReportError(r.status());
    Result<Json> result = JsonAnswer(*r, 200);
    if (!result.ok()) return ReportError(result.status());
    const Json* status = Find(*result, "status");
    const bool done = status != nullptr && (*status == "completed" || *status == "failed" || *status == "expired");
    if (!a.wait || done) return PrintJson(*result);
    if (std::chrono::steady_clock::now() >= deadline) {
      return ReportError(Error(StatusCode::kLimitExceeded,
                               "no result within the wait (status " + (status != nullptr && status->is_string()
                                                                           ? status->get<std::string>()
                                                                           : std::string("unknown")) +
                                   ")"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

}  // namespace

void RegisterVerifierCommands(CLI::App& app, int& exit_code) {
  CLI::App* group = app.add_subcommand("verifier", "Run an OpenID4VP verifier (named checks) and query it");
  group->require_subcommand(1);

  auto ia = std::make_shared<InitArgs>();
  CLI::App* init = group->add_subcommand("init", "Create a verifier data directory from a registered relying party");
  init->add_option("--data-dir", ia->options.data_dir, "Data directory to create")->required();
  init->add_option("--rp-dir", ia->options.rp_dir, "`registry add-rp --out-dir` directory")->required();
  init->add_option("--trust-list", ia->options.trust_list, "Trust list file or http(s) URL")->required();
  init->add_option("--url", ia->options.url,
                   "Verifier base URL (https on the certificate's host; http://localhost:0 follows the bound port)");
  init->add_option("--listen", ia->options.listen, "HOST:PORT to listen on (default 127.0.0.1:0)");
  init->add_option("--db", ia->options.db, "\"sqlite\" (default, DIR/verifier.db) or a postgresql:// URL");
  init->add_option("--session-ttl", ia->ttl, "Session lifetime in seconds (60..3600, default 600)");
  init->callback([&exit_code, ia] { exit_code = VerifierInit(*ia); });

  auto sa = std::make_shared<ServeArgs>();
  CLI::App* serve = group->add_subcommand("serve", "Serve the verifier over HTTP until SIGINT/SIGTERM");
  serve->add_option("--data-dir", sa->data_dir, "Data directory made by `verifier init`")->required();
  serve->add_option("--listen", sa->listen, "HOST:PORT to listen on (default: the config's)");
  serve->callback([&exit_code, sa] { exit_code = VerifierServe(*sa); });

  auto pa = std::make_shared<PortalUserArgs>();
  CLI::App* portal_user =
      group->add_subcommand("portal-user", "Add an employer portal account (password: first line of stdin)");
  portal_user->add_option("--data-dir", pa->data_dir, "Data directory made by `verifier init`")->required();
  portal_user->add_option("--user", pa->user, "User name (A-Z a-z 0-9 . _ @ -)")->required();
  portal_user->callback([&exit_code, pa] { exit_code = VerifierPortalUser(*pa); });

  auto ca = std::make_shared<CheckArgs>();
  CLI::App* check = group->add_subcommand("check", "Start a check session on a running verifier");
  check->add_option("--url", ca->url, "The verifier's URL (http://127.0.0.1:PORT)")->required();
  check->add_option("--check", ca->check, "right_to_work, right_to_rent, age_over_18, ...")->required();
  check->add_option("--qr", ca->qr, "Write the request_uri as a QR code PNG to this file");
  check->add_flag("--same-device", ca->same_device, "Same-device flow (redirect_uri with a response_code)");
  check->add_option("--webhook", ca->webhook, "POST the result to this URL when the session ends");
  check->add_option("--response-mode", ca->response_mode, "direct_post.jwt (default) or direct_post");
  check->add_option("--ca-file", ca->ca_file, "PEM roots for an https verifier");
  check->callback([&exit_code, ca] { exit_code = VerifierCheck(*ca); });

  auto ra = std::make_shared<ResultArgs>();
  CLI::App* result = group->add_subcommand("result", "Print a session's result");
  result->add_option("--url", ra->url, "The verifier's URL")->required();
  result->add_option("session_id", ra->session_id, "The session id `verifier check` printed")->required();
  result->add_option("--wait", ra->wait, "Wait up to SECONDS for the session to finish");
  result->add_option("--response-code", ra->response_code, "Same-device sessions: the response_code");
  result->add_option("--ca-file", ra->ca_file, "PEM roots for an https verifier");
  result->callback([&exit_code, ra] { exit_code = VerifierResult(*ra); });
}

}  // namespace bonafide::cli
