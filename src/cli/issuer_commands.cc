// `bonafide issuer init|serve`: setting up and running the OpenID4VCI issuer (issue 4, sections 1
// and 4). The admin subcommands (citizen, import, offer, revoke, audit) live in
// issuer_admin_commands.cc and join the same group through IssuerGroup().
//
// `issuer init --data-dir DIR [--issuer-url URL] [--db URL] [--demo] [--tls] [--mdoc-status-cwt]`
// runs issuer::InitDataDir and prints what it made as JSON (config file, admin token file,
// status lists, demo citizens; with --tls the CA file clients should trust). --tls makes a
// throwaway local CA and a server certificate for 127.0.0.1 / localhost (issuer/config.h) and
// needs an https issuer URL (e.g. https://127.0.0.1:0); --mdoc-status-cwt publishes the mdoc
// credentials' status in a CWT Token Status List.
//
// `issuer serve --data-dir DIR [--listen HOST:PORT]` loads DIR/issuer.json, opens the store,
// binds (--listen, else the config's "listen"; port 0 picks a free port), then prints one JSON
// line on stdout: {"url": "http(s)://HOST:PORT", "issuer_url": ..., "pid": ...}. It serves
// HTTPS only when the config has "tls" (certificate chain and key files). It purges expired
// codes, spent nonces and offers once before serving and then every minute on a
// background thread (a "purge" log line when something went or a purge failed). It serves until
// SIGINT or SIGTERM, then stops the purger, stops accepting, lets in-flight requests finish and
// exits 0. Logs (one JSON line per request) go to stderr.
//
// The issuer console (issuer/console.h) is served by `issuer serve` at the same address: web pages
// under /console for the accounts `issuer console-user` adds.
// `issuer console-user --data-dir DIR --user NAME` adds a console account to
// DIR/console_users.json; the password is the first line of stdin (never an argument, which
// other users could see in the process list).
//
// Issuer URL that follows the bound port: when the configured issuer_url is a loopback http(s)
// URL whose port is 0 (e.g. `init --issuer-url http://127.0.0.1:0`), serve replaces that port with
// the port it bound, for the issuer identifier and for the did:web of the jwt_vc_json keys when
// that DID was derived from the URL. This is for tests and local demos, where the port is chosen
// at run time; every other issuer_url is used as configured. Credentials issued by one run name
// that run's URL, so such a data directory is not meant to outlive the process's port.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "base/clock.h"
#include "cli/commands.h"
#include "cli/io.h"
#include "crypto/random.h"
#include "http/server.h"
#include "jose/did.h"
#include "issuer/config.h"
#include "issuer/console.h"
#include "issuer/http_routes.h"
#include "issuer/service.h"

namespace bonafide::cli {
namespace {

struct InitArgs {
  std::string data_dir;
  std::optional<std::string> issuer_url;
  std::optional<std::string> db;
  bool demo = false;
  bool tls = false;
  bool mdoc_status_cwt = false;
};

int IssuerInit(const InitArgs& a) {
  issuer::InitOptions options;
  if (a.issuer_url.has_value()) options.issuer_url = *a.issuer_url;
  if (a.db.has_value()) options.db = *a.db;
  options.demo = a.demo;
  options.tls = a.tls;
  options.mdoc_status_cwt = a.mdoc_status_cwt;
  Result<issuer::IssuerConfig> config = issuer::InitDataDir(a.data_dir, options, SystemClock::Default());
  if (!config.ok()) return ReportError(config.status());
  Json lists = Json::array();
  for (const issuer::StatusListSpec& s : config->status_lists) lists.push_back(s.id);
  Json configurations = Json::array();
  for (const auto& [id, entry] : config->catalogue) configurations.push_back(id);
  const std::string data_dir = std::filesystem::absolute(config->data_dir).string();
  Json out = {{"data_dir", data_dir},
              {"config", config->Path(issuer::kConfigFileName)},
              {"issuer_url", config->issuer_url},
              {"db", config->db == "sqlite" ? config->SqlitePath() : std::string("postgresql (URL in config)")},
              {"admin_token_file", config->Path(config->admin_token_file)},
              {"status_lists", lists},
              {"credential_configurations", configurations},
              {"demo_citizens", a.demo ? issuer::DemoCitizens().size() : 0}};
  if (config->has_tls()) {
    out["tls"] = {{"cert_file", config->Path(config->tls_cert_file)},
                  {"key_file", config->Path(config->tls_key_file)},
                  {"ca_file", config->Path("tls/ca.pem")}};
  }
  return PrintJson(out);
}

// FollowBoundPort applies the rule of the file comment: a loopback http issuer_url with port 0
// takes `port`. Returns whether it changed anything.
bool FollowBoundPort(issuer::IssuerConfig& config, uint16_t port) {
  const std::string& url = config.issuer_url;
  const bool https = url.starts_with("https://");
  if (!https && !url.starts_with("http://")) return false;
  const std::string scheme = https ? "https://" : "http://";
  const size_t host_start = scheme.size();
  const size_t slash = url.find('/', host_start);
  const std::string authority = url.substr(host_start, slash == std::string::npos ? std::string::npos : slash - host_start);
  if (!authority.ends_with(":0")) return false;
  const std::string host = authority.substr(0, authority.size() - 2);
  if (host != "127.0.0.1" && host != "localhost" && host != "[::1]") return false;
  const std::string path = slash == std::string::npos ? "" : url.substr(slash);
  const std::string followed = scheme + host + ":" + std::to_string(port) + path;
  Result<std::string> old_did = jose::DidWebFromUrl(url);
  if (old_did.ok() && *old_did == config.vc_did) {
    Result<std::string> new_did = jose::DidWebFromUrl(followed);
    if (new_did.ok()) config.vc_did = *new_did;
  }
  config.issuer_url = followed;
  return true;
}

struct ServeArgs {
  std::string data_dir;
  std::optional<std::string> listen;
};

int IssuerServe(const ServeArgs& a) {
  Result<issuer::IssuerConfig> config = issuer::LoadIssuerConfig(a.data_dir);
  if (!config.ok()) return ReportError(config.status());
  Result<http::HostPort> listen = http::ParseHostPort(a.listen.value_or(config->listen));
  if (!listen.ok()) return ReportError(listen.status());

  // Before any thread starts: only WaitForStopSignal below takes SIGINT / SIGTERM.
  Result<StopSignals> stop_signals = BlockStopSignals();
  if (!stop_signals.ok()) return ReportError(stop_signals.status());

  http::ServerOptions options;
  options.host = listen->host;
  options.port = listen->port;
  options.service_name = "bonafide-issuer";
  // Workers do CPU work only (durable waits go to the blocking pool): one per core.
  options.worker_threads = static_cast<int>(std::max(2u, std::thread::hardware_concurrency()));
  if (config->has_tls()) {
    options.tls_cert_file = config->Path(config->tls_cert_file);
    options.tls_key_file = config->Path(config->tls_key_file);
  }
  Result<std::unique_ptr<http::Server>> server = http::Server::Create(options);
  if (!server.ok()) return ReportError(server.status());

  // Routes go in before Start(); the service is created once the port is known.
  std::atomic<issuer::IssuerService*> current{nullptr};
  Status routes = issuer::RegisterIssuerRoutes(**server, [&current] { return current.load(); });
  if (!routes.ok()) return ReportError(routes);
  issuer::ConsoleOptions console;
  console.users_file = config->Path(issuer::kConsoleUsersFile);
  console.clock = &SystemClock::Default();
  console.random = &crypto::SystemRandom();
  // Secure cookies when the console is reached over https (TLS here, or a TLS proxy in front of an
  // issuer whose public URL is https); browsers refuse them from plain http://127.0.0.1.
  console.secure_cookie = (*server)->is_tls() || config->issuer_url.rfind("https://", 0) == 0;
  Status console_routes = issuer::RegisterConsoleRoutes(**server, [&current] { return current.load(); }, console);
  if (!console_routes.ok()) return ReportError(console_routes);
  Status started = (*server)->Start();
  if (!started.ok()) return ReportError(started);
  const uint16_t port = (*server)->port();
  FollowBoundPort(*config, port);

  Result<std::unique_ptr<store::IssuerStore>> st = issuer::OpenIssuerStore(*config);
  if (!st.ok()) return ReportError(st.status());
  Status ensured = issuer::EnsureStatusLists(*config, **st, SystemClock::Default().NowSeconds());
  if (!ensured.ok()) return ReportError(ensured);
  const std::string issuer_url = config->issuer_url;
  Result<std::unique_ptr<issuer::IssuerService>> service =
      issuer::IssuerService::Create(std::move(*config), std::move(*st), SystemClock::Default(), crypto::SystemRandom());
  if (!service.ok()) return ReportError(service.status());
  current.store(service->get());

  // Expired single-use rows go once now and then every minute, until shutdown.
  http::Server* srv = server->get();
  issuer::ExpiryPurger purger(**service, std::chrono::minutes(1), [srv](const Result<int64_t>& purged) {
    if (!purged.ok()) {
      srv->logger().Error("purge", Json{{"error", std::string(StatusCodeName(purged.status().code()))}});
    } else if (*purged > 0) {
      srv->logger().Info("purge", Json{{"deleted", *purged}});
    }
  });
  (void)purger.Start();  // a failed first purge is logged; serving goes on

  const std::string host = listen->host.find(':') != std::string::npos ? "[" + listen->host + "]" : listen->host;
  const std::string scheme = (*server)->is_tls() ? "https" : "http";
  std::cout << DumpJson(Json{{"url", scheme + "://" + host + ":" + std::to_string(port)},
                             {"issuer_url", issuer_url},
                             {"pid", static_cast<int64_t>(::getpid())}})
            << std::endl;  // flushes: a parent reads this line to learn the port

  const int signal_number = WaitForStopSignal(*stop_signals);
  purger.Stop();
  (*server)->Stop();
  current.store(nullptr);
  (*server)->logger().Info("shutdown", Json{{"signal", signal_number}});
  return 0;
}

struct ConsoleUserArgs {
  std::string data_dir;
  std::string user;
};

int IssuerConsoleUser(const ConsoleUserArgs& a) {
  Result<issuer::IssuerConfig> config = issuer::LoadIssuerConfig(a.data_dir);
  if (!config.ok()) return ReportError(config.status());
  return AddStaffAccount(config->Path(issuer::kConsoleUsersFile), a.user);
}

}  // namespace

CLI::App* IssuerGroup(CLI::App& app) {
  std::vector<CLI::App*> found = app.get_subcommands([](CLI::App* sub) { return sub->get_name() == "issuer"; });
  if (!found.empty()) return found.front();
  CLI::App* group = app.add_subcommand("issuer", "Run an OpenID4VCI credential issuer and administer it");
  group->require_subcommand(1);
  return group;
}

void RegisterIssuerCommands(CLI::App& app, int& exit_code) {
  CLI::App* group = IssuerGroup(app);

  auto ia = std::make_shared<InitArgs>();
  CLI::App* init = group->add_subcommand(
      "init", "Create a data directory: keys, IACA + document signer, status lists, config, admin token");
  init->add_option("--data-dir", ia->data_dir, "Data directory to create")->required();
  init->add_option("--issuer-url", ia->issuer_url,
                   "Credential Issuer Identifier (https; http://127.0.0.1:0 follows the port `serve` binds)");
  init->add_option("--db", ia->db, "\"sqlite\" (default, DIR/issuer.db) or a postgresql:// URL");
  init->add_flag("--demo", ia->demo, "Seed the documented demo citizens");
  init->add_flag("--tls", ia->tls,
                 "Serve HTTPS with a new local CA (DIR/tls/ca.pem) and a certificate for 127.0.0.1/localhost");
  init->add_flag("--mdoc-status-cwt", ia->mdoc_status_cwt,
                 "Publish the mdoc credentials' status in a CWT Token Status List (\"cwt-1\")");
  init->callback([&exit_code, ia] { exit_code = IssuerInit(*ia); });

  auto sa = std::make_shared<ServeArgs>();
  CLI::App* serve = group->add_subcommand("serve", "Serve the issuer over HTTP(S) until SIGINT/SIGTERM");
  serve->add_option("--data-dir", sa->data_dir, "Data directory made by `issuer init`")->required();
  serve->add_option("--listen", sa->listen, "HOST:PORT to listen on (default: the config's; port 0: any free port)");
  serve->callback([&exit_code, sa] { exit_code = IssuerServe(*sa); });

  auto ca = std::make_shared<ConsoleUserArgs>();
  CLI::App* console_user =
      group->add_subcommand("console-user", "Add an issuer console account (password: first line of stdin)");
  console_user->add_option("--data-dir", ca->data_dir, "Data directory made by `issuer init`")->required();
  console_user->add_option("--user", ca->user, "User name (A-Z a-z 0-9 . _ @ -)")->required();
  console_user->callback([&exit_code, ca] { exit_code = IssuerConsoleUser(*ca); });
}

}  // namespace bonafide::cli
