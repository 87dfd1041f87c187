// `bonafide wallet ...`: the holder's wallet (issue 4, section 3) over the wallet core
// (wallet/wallet.h): init, receive, list, show, delete, history.
//
// The PIN comes from the terminal without echo (/dev/tty), or, with --pin-stdin, from the first
// line of stdin (for scripts and tests). `init` asks twice on a terminal. A wrong PIN fails with
// invalid_signature and says how many attempts remain before a lockout; a locked-out wallet fails
// with limit_exceeded and says how long to wait.
//
// `wallet receive` sends its requests through wallet::HttpClientTransport (one http::Client per
// origin; https verified against the system store, or --ca-file). --insecure-http-loopback allows
// http://localhost issuers (tests, local demos). Every credential's issuer signature is verified
// before it is stored (wallet/issuer_trust.h); mdocs chain to the --trust-iaca roots when given,
// else to the issuer's /iacas. `wallet delete` sends credential_deleted through the same kind of
// transport when the issuer asked for notifications (best effort: "notification": "sent",
// "failed" (with a note on stderr) or "none" in its output).
// When the offer needs a tx_code and --tx-code is not given, it is asked for on the terminal (or
// read from the next stdin line with --pin-stdin).
// `wallet trust` stores where the trust registry's list comes from and the pinned registry root;
// `wallet present` answers an OpenID4VP request after consent (wallet/present.h, docs/wallet.md).
// `wallet ui` serves the web wallet (wallet/ui.h) on a loopback address only.
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <map>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "cli/commands.h"
#include "cli/io.h"
#include "http/client.h"
#include "crypto/random.h"
#include "crypto/x509.h"
#include "oid4vp/request.h"
#include "wallet/http_client_transport.h"
#include "wallet/present.h"
#include "wallet/ui.h"
#include "wallet/wallet.h"

namespace bonafide::cli {
namespace {

// ReadStdinLine returns the next line of stdin without its line ending; kInvalidArgument at EOF.
Result<std::string> ReadStdinLine(std::string_view what) {
  std::string line;
  if (!std::getline(std::cin, line)) {
    return Error(StatusCode::kInvalidArgument, "expected the " + std::string(what) + " on stdin");
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

// ReadTerminalSecret prints `prompt` on the terminal and reads a line with echo off.
Result<std::string> ReadTerminalSecret(const std::string& prompt, bool echo) {
  FILE* tty = std::fopen("/dev/tty", "r+");
  if (tty == nullptr) {
    return Error(StatusCode::kInvalidArgument, "no terminal to ask on: use --pin-stdin");
  }
  const int fd = fileno(tty);
  termios saved{};
  const bool have_termios = tcgetattr(fd, &saved) == 0;
  if (have_termios && !echo) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(fd, TCSAFLUSH, &quiet);
  }
  std::fputs(prompt.c_str(), tty);
  std::fflush(tty);
  std::string line;
  int c = 0;
  while ((c = std::fgetc(tty)) != EOF && c != '\n') line.push_back(static_cast<char>(c));
  if (have_termios && !echo) {
    tcsetattr(fd, TCSAFLUSH, &saved);
    std::fputs("\n", tty);
  }
  std::fclose(tty);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

Result<std::string> ReadPin(bool pin_stdin, const std::string& prompt) {
  if (pin_stdin) return ReadStdinLine("PIN");
  return ReadTerminalSecret(prompt, /*echo=*/false);
}

// DescribeUnlockFailure adds the wrong-PIN counter to an Unlock error.
Status DescribeUnlockFailure(const wallet::Wallet& w, const Status& status) {
  Result<wallet::PinState> state = w.GetPinState();
  if (!state.ok()) return status;
  const int64_t now = SystemClock::Default().NowSeconds();
  if (status.code() == StatusCode::kLimitExceeded || state->locked_until > now) {
    const int64_t wait = state->locked_until > now ? state->locked_until - now : 0;
    return Error(StatusCode::kLimitExceeded, "wallet locked after " + std::to_string(state->failed_attempts) +
                                                 " wrong PINs; try again in " + std::to_string(wait) + " s");
  }
  if (status.code() == StatusCode::kInvalidSignature) {
    const int left_before_wipe = wallet::kPinFailuresBeforeWipe - state->failed_attempts;
    std::string message = "wrong PIN (" + std::to_string(state->failed_attempts) + " consecutive)";
    if (state->failed_attempts < wallet::kPinFailuresBeforeLockout) {
      message += "; " + std::to_string(wallet::kPinFailuresBeforeLockout - state->failed_attempts) +
                 " more before a lockout";
    }
    message += "; the wallet erases itself after " + std::to_string(left_before_wipe) + " more";
    return Error(StatusCode::kInvalidSignature, message);
  }
  if (status.code() == StatusCode::kNotFound) {
    return Error(StatusCode::kNotFound, "the wallet erased itself after too many wrong PINs");
  }
  return status;
}

// OpenUnlocked opens the wallet in `dir` and unlocks it with the PIN.
Result<std::unique_ptr<wallet::Wallet>> OpenUnlocked(const std::string& dir, bool pin_stdin) {
  ASSIGN_OR_RETURN(std::unique_ptr<wallet::Wallet> w, wallet::Wallet::Open(dir));
  ASSIGN_OR_RETURN(std::string pin, ReadPin(pin_stdin, "Wallet PIN: "));
  Status unlocked = w->Unlock(pin);
  if (!unlocked.ok()) return DescribeUnlockFailure(*w, unlocked);
  return w;
}

struct CommonArgs {
  std::string dir;
  bool pin_stdin = false;
};

int WalletInit(const CommonArgs& a) {
  auto pin = ReadPin(a.pin_stdin, "New wallet PIN (6 or more digits): ");
  if (!pin.ok()) return ReportError(pin.status());
  if (!a.pin_stdin) {
    auto again = ReadPin(false, "Repeat the PIN: ");
    if (!again.ok()) return ReportError(again.status());
    if (*again != *pin) return ReportError(Error(StatusCode::kInvalidArgument, "the PINs differ"));
  }
  auto w = wallet::Wallet::Init(a.dir, *pin);
  if (!w.ok()) return ReportError(w.status());
  return PrintJson(Json{{"dir", a.dir}, {"initialised", true}});
}

struct ReceiveArgs {
  CommonArgs common;
  std::string offer;
  std::optional<std::string> tx_code;
  std::string ca_file;
  bool insecure_http_loopback = false;
  size_t max_copies = 5;
  std::vector<std::string> trust_iaca;  // PEM files of IACA roots the wallet trusts for mdocs
};

int WalletReceive(const ReceiveArgs& a) {
  if (a.max_copies < 1 || a.max_copies > wallet::kMaxCopies) {
    return ReportError(Error(StatusCode::kInvalidArgument,
                             "--max-copies must be between 1 and " + std::to_string(wallet::kMaxCopies)));
  }
  wallet::WalletOptions options;
  options.receive.max_copies = a.max_copies;
  options.receive.insecure_allow_http_loopback = a.insecure_http_loopback;
  for (const std::string& file : a.trust_iaca) {
    auto pem = ReadFile(file);
    if (!pem.ok()) return ReportError(pem.status());
    auto certs = crypto::Certificate::AllFromPem(*pem);
    if (!certs.ok()) return ReportError(Error(certs.status().code(), file + ": " + certs.status().message()));
    for (auto& c : *certs) options.receive.iaca_anchors.push_back(std::move(c));
  }
  auto opened = wallet::Wallet::Open(a.common.dir, options);
  if (!opened.ok()) return ReportError(opened.status());
  auto pin = ReadPin(a.common.pin_stdin, "Wallet PIN: ");
  if (!pin.ok()) return ReportError(pin.status());
  Status unlocked = (*opened)->Unlock(*pin);
  if (!unlocked.ok()) return ReportError(DescribeUnlockFailure(**opened, unlocked));
  const bool pin_stdin = a.common.pin_stdin;
  const std::optional<std::string> given = a.tx_code;
  wallet::TxCodeProvider provider = [pin_stdin, given](const oid4vci::TxCode& tx) -> Result<std::string> {
    if (given.has_value()) return *given;
    if (pin_stdin) return ReadStdinLine("transaction code");
    std::string prompt = tx.description.value_or("Transaction code");
    if (tx.length.has_value()) prompt += " (" + std::to_string(*tx.length) + " characters)";
    return ReadTerminalSecret(prompt + ": ", /*echo=*/true);
  };
  http::ClientOptions client_options;
  client_options.ca_file = a.ca_file;
  wallet::HttpClientTransport transport(client_options);
  auto ids = (*opened)->Receive(a.offer, provider, transport);
  if (!ids.ok()) return ReportError(ids.status());
  auto list = (*opened)->List();
  if (!list.ok()) return ReportError(list.status());
  Json out = Json::array();
  for (const auto& s : *list) {
    if (std::find(ids->begin(), ids->end(), s.id) != ids->end()) out.push_back(s.ToJson());
  }
  return PrintJson(Json{{"received", out}});
}

struct ListArgs {
  CommonArgs common;
  bool json = false;
};

int WalletList(const ListArgs& a) {
  auto w = OpenUnlocked(a.common.dir, a.common.pin_stdin);
  if (!w.ok()) return ReportError(w.status());
  auto list = (*w)->List();
  if (!list.ok()) return ReportError(list.status());
  if (a.json) {
    Json out = Json::array();
    for (const auto& s : *list) out.push_back(s.ToJson());
    return PrintJson(out);
  }
  if (list->empty()) {
    std::cout << "The wallet is empty." << std::endl;
    return 0;
  }
  for (const auto& s : *list) {
    std::string name = s.display_name_en.empty() ? s.type : s.display_name_en;
    if (!s.display_name_cy.empty()) name += " / " + s.display_name_cy;
    std::cout << s.id << "  " << name << "  (" << s.format << ", " << s.issuer << ")  " << s.unused_copies << " of "
              << s.copies << " copies unused" << std::endl;
  }
  return 0;
}

// FormatUtc renders Unix seconds as "YYYY-MM-DD HH:MM:SS UTC".
std::string FormatUtc(int64_t seconds) {
  const std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

int WalletHistory(const ListArgs& a) {
  auto w = OpenUnlocked(a.common.dir, a.common.pin_stdin);
  if (!w.ok()) return ReportError(w.status());
  auto history = (*w)->History();
  if (!history.ok()) return ReportError(history.status());
  if (a.json) {
    Json out = Json::array();
    for (const auto& r : *history) out.push_back(r.ToJson());
    return PrintJson(out);
  }
  if (history->empty()) {
    std::cout << "Nothing has been shared from this wallet." << std::endl;
    return 0;
  }
  for (const auto& r : *history) {
    std::string who = r.relying_party.empty() ? r.client_id + " (not registered)" : r.relying_party;
    std::cout << FormatUtc(r.at) << "  " << wallet::PresentationOutcomeName(r.outcome) << "  " << who;
    if (!r.purpose.empty()) std::cout << "  for " << r.purpose;
    std::cout << std::endl;
    if (!r.attributes.empty()) {
      std::cout << "    attributes:";
      for (const std::string& name : r.attributes) std::cout << " " << name;
      std::cout << std::endl;
    }
    if (!r.reason.empty()) std::cout << "    reason: " << r.reason << std::endl;
  }
  return 0;
}

struct IdArgs {
  CommonArgs common;
  std::string id;
};

int WalletShow(const IdArgs& a) {
  auto w = OpenUnlocked(a.common.dir, a.common.pin_stdin);
  if (!w.ok()) return ReportError(w.status());
  auto shown = (*w)->Show(a.id);
  if (!shown.ok()) return ReportError(shown.status());
  return PrintJson(*shown);
}

struct DeleteArgs {
  IdArgs id;
  std::string ca_file;
};

int WalletDelete(const DeleteArgs& a) {
  auto w = OpenUnlocked(a.id.common.dir, a.id.common.pin_stdin);
  if (!w.ok()) return ReportError(w.status());
  http::ClientOptions client_options;
  client_options.ca_file = a.ca_file;
  wallet::HttpClientTransport transport(client_options);
  std::optional<Status> notification;
  Status deleted = (*w)->Delete(a.id.id, &transport, &notification);
  if (!deleted.ok()) return ReportError(deleted);
  // Best effort: the credential is gone whatever the issuer answers.
  Json out = {{"deleted", a.id.id}};
  if (!notification.has_value()) {
    out["notification"] = "none";
  } else if (notification->ok()) {
    out["notification"] = "sent";
  } else {
    out["notification"] = "failed";
    std::cerr << "note: the credential was deleted, but the issuer was not told (credential_deleted): "
              << notification->ToString() << std::endl;
  }
  return PrintJson(out);
}

// ---- wallet trust / wallet present (issue 5 part 3; docs/wallet.md) ----

struct TrustArgs {
  std::string dir;
  std::string trust_list;
  std::string registry_root;
  std::string ca_file;
};

// TrustConfigFromFlags builds a TrustConfig from --trust-list / --registry-root / --ca-file.
Result<wallet::TrustConfig> TrustConfigFromFlags(const std::string& trust_list, const std::string& registry_root,
                                                 const std::string& ca_file) {
  ASSIGN_OR_RETURN(std::string root_pem, ReadFile(registry_root));
  return wallet::TrustConfig{.trust_list = trust_list, .registry_root_pem = root_pem, .ca_file = ca_file};
}

// LoadTrustList opens the trust-list cache for `config` in the wallet dir and refreshes it.
Result<registry::TrustListSnapshot> RefreshTrustList(const std::string& dir, const wallet::TrustConfig& config,
                                                     std::unique_ptr<registry::TrustListCache>* cache_out) {
  const int64_t now = SystemClock::Default().NowSeconds();
  ASSIGN_OR_RETURN(std::unique_ptr<registry::TrustListCache> cache, wallet::OpenTrustListCache(dir, config, now));
  ASSIGN_OR_RETURN(registry::TrustListSnapshot snapshot, cache->Refresh(now));
  if (cache_out != nullptr) *cache_out = std::move(cache);
  return snapshot;
}

int WalletTrust(const TrustArgs& a) {
  // The directory must hold a wallet (no PIN needed: the trust configuration is public data).
  auto opened = wallet::Wallet::Open(a.dir);
  if (!opened.ok()) return ReportError(opened.status());
  auto config = TrustConfigFromFlags(a.trust_list, a.registry_root, a.ca_file);
  if (!config.ok()) return ReportError(config.status());
  // Check the list loads and verifies against the root before keeping the configuration.
  auto snapshot = RefreshTrustList(a.dir, *config, nullptr);
  if (!snapshot.ok()) return ReportError(snapshot.status());
  Status saved = wallet::SaveTrustConfig(a.dir, *config);
  if (!saved.ok()) return ReportError(saved);
  const registry::TrustList& list = *snapshot->list;
  return PrintJson(Json{{"dir", a.dir},
                        {"trust_list", a.trust_list},
                        {"registry", list.registry_id()},
                        {"registry_name", list.name()},
                        {"sequence", list.sequence()},
                        {"relying_parties", list.relying_parties().size()},
                        {"stale", list.stale()}});
}

struct PresentArgs {
  CommonArgs common;
  std::string request_uri;
  bool yes = false;
  std::string trust_list;
  std::string registry_root;
  std::string ca_file;
  bool insecure_http_loopback = false;
};

// PrintConsent writes the consent summary for a person to read on stderr.
void PrintConsent(const wallet::ConsentSummary& s, const Status& refusal) {
  std::ostream& out = std::cerr;
  out << "Presentation request" << std::endl;
  if (s.registered) {
    out << "  From:     " << (s.relying_party.empty() ? s.host : s.relying_party);
    if (!s.registration_number.empty()) out << " (registration " << s.registration_number << ")";
    out << ", " << s.host << std::endl;
  } else {
    out << "  From:     " << (s.host.empty() ? s.client_id : s.host) << "  NOT REGISTERED in the trust registry"
        << std::endl;
  }
  if (!s.purposes.empty()) out << "  Purpose:  " << s.purpose() << std::endl;
  if (!s.attributes.empty()) {
    out << "  Shares:" << std::endl;
    for (const auto& a : s.attributes) out << "    - " << a.claim << "  (" << a.credential_name << ")" << std::endl;
    for (const auto& c : s.credentials) {
      if (c.whole_credential) out << "    (the whole " << c.credential_name << " is revealed)" << std::endl;
    }
  } else if (!s.requested.empty()) {
    out << "  Asks for:";
    for (const auto& r : s.requested) out << " " << r;
    out << std::endl;
  }
  if (s.suspended) out << "  FLAG: the relying party is SUSPENDED" << std::endl;
  if (!s.over_asking.empty()) {
    out << "  FLAG: over-asking: claims beyond the registration:";
    for (const auto& c : s.over_asking) out << " " << c;
    out << std::endl;
  }
  if (s.stale_trust_list) out << "  note: the trust list is past its next update" << std::endl;
  if (!refusal.ok()) out << "Refused: " << refusal.ToString() << std::endl;
}

// AskShare asks "Share? [y/N]" on the terminal, or reads the answer from the next stdin line
// (end of input is no answer, and no answer is "no").
Result<bool> AskShare(bool from_stdin) {
  std::string answer;
  if (from_stdin) {
    std::cerr << "Share? [y/N] (answer read from stdin)" << std::endl;
    auto line = ReadStdinLine("answer to Share? [y/N]");
    if (!line.ok()) return false;
    answer = *line;
  } else {
    ASSIGN_OR_RETURN(answer, ReadTerminalSecret("Share? [y/N] ", /*echo=*/true));
  }
  for (char& c : answer) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return answer == "y" || answer == "yes";
}

int WalletPresent(const PresentArgs& a) {
  // Trust configuration: the flags, else what `wallet trust` stored.
  if (a.trust_list.empty() != a.registry_root.empty()) {
    return ReportError(Error(StatusCode::kInvalidArgument, "--trust-list and --registry-root go together"));
  }
  Result<wallet::TrustConfig> config = Error(StatusCode::kNotFound, "");
  if (!a.trust_list.empty()) {
    config = TrustConfigFromFlags(a.trust_list, a.registry_root, a.ca_file);
  } else {
    config = wallet::LoadTrustConfig(a.common.dir);
    if (!config.ok() && config.status().code() == StatusCode::kNotFound) {
      config = Error(StatusCode::kNotFound,
                     "no trust configuration: run `bonafide wallet trust` or give --trust-list and --registry-root");
    }
  }
  if (!config.ok()) return ReportError(config.status());
  auto cache = wallet::OpenTrustListCache(a.common.dir, *config, SystemClock::Default().NowSeconds());
  if (!cache.ok()) return ReportError(cache.status());

  auto w = OpenUnlocked(a.common.dir, a.common.pin_stdin);
  if (!w.ok()) return ReportError(w.status());

  http::ClientOptions client_options;
  client_options.ca_file = a.ca_file;
  wallet::HttpClientTransport client(client_options);
  wallet::HttpTransport* transport = &client;
  std::unique_ptr<wallet::InsecureLoopbackTransport> loopback;
  if (a.insecure_http_loopback) {
    // A verifier on this machine: requests for its client_id host go to the request_uri's
    // loopback origin over plain http (tests and local demos only).
    oid4vp::RequestUriOptions uri_options;
    uri_options.insecure_allow_http_loopback = true;
    auto invocation = oid4vp::ParseRequestUri(a.request_uri, uri_options);
    if (!invocation.ok()) return ReportError(invocation.status());
    const std::string prefix = std::string(oid4vp::kX509SanDnsPrefix) + ":";
    if (invocation->request_uri && invocation->request_uri->rfind("http://", 0) == 0 &&
        invocation->client_id.rfind(prefix, 0) == 0) {
      const std::string& uri = *invocation->request_uri;
      const size_t end = uri.find_first_of("/?#", 7);
      auto made = wallet::InsecureLoopbackTransport::Create(client, invocation->client_id.substr(prefix.size()),
                                                            uri.substr(0, end));
      if (!made.ok()) return ReportError(made.status());
      loopback = std::move(*made);
      transport = loopback.get();
    }
  }
  wallet::PresentOptions options;
  options.transport = transport;
  options.trust_list = cache->get();
  options.insecure_allow_http_loopback = a.insecure_http_loopback;

  auto request = wallet::PreparePresentation(**w, a.request_uri, options);
  if (!request.ok()) return ReportError(request.status());
  const wallet::ConsentSummary& summary = request->summary();
  // The consent summary goes to stderr before asking; a refusal is reported only as the error
  // JSON (the CLI convention for failures), with who asked in its message.
  if (!request->refused()) PrintConsent(summary, request->refusal());

  wallet::Decision decision = wallet::Decision::kDecline;
  if (!request->refused()) {
    bool share = a.yes;
    if (!share) {
      auto answer = AskShare(a.common.pin_stdin);
      if (!answer.ok()) return ReportError(answer.status());
      share = *answer;
    }
    decision = share ? wallet::Decision::kApprove : wallet::Decision::kDecline;
  }
  auto outcome = wallet::Respond(**w, *request, decision, options);
  if (!outcome.ok()) {
    if (!request->refused()) return ReportError(outcome.status());
    std::string who = summary.registered && !summary.relying_party.empty() ? summary.relying_party + " (" +
                                                                                  summary.host + ")"
                                                                            : summary.client_id;
    return ReportError(Error(outcome.status().code(), "refused " + who + ": " + outcome.status().message()));
  }
  Json out = {{"outcome", wallet::PresentationOutcomeName(outcome->outcome)},
              {"relying_party", summary.relying_party},
              {"client_id", summary.client_id},
              {"purpose", summary.purpose()},
              {"attributes", outcome->attributes}};
  if (outcome->redirect_uri) out["redirect_uri"] = *outcome->redirect_uri;
  if (outcome->outcome == wallet::PresentationOutcome::kDeclined) out["response_sent"] = outcome->response_sent;
  return PrintJson(out);
}

// ---- wallet ui (issue 6 part 2; wallet/ui.h) ----

struct UiArgs {
  std::string dir;
  std::string listen = "127.0.0.1:0";
  std::string ca_file;
  bool insecure_http_loopback = false;
};

// WalletUi serves the web wallet on a loopback address until SIGINT / SIGTERM. It prints one JSON
// line {"url", "pid"} (flushed) once listening, as `verifier serve` does.
int WalletUi(const UiArgs& a) {
  Result<http::HostPort> listen = http::ParseHostPort(a.listen);
  if (!listen.ok()) return ReportError(listen.status());
  // Refused before anything listens: the wallet is for this machine only.
  Status loopback = wallet::CheckLoopbackHost(listen->host);
  if (!loopback.ok()) return ReportError(loopback);
  Result<StopSignals> stop_signals = BlockStopSignals();
  if (!stop_signals.ok()) return ReportError(stop_signals.status());

  http::ServerOptions options;
  options.host = listen->host == "localhost" ? "127.0.0.1" : listen->host;
  options.port = listen->port;
  options.service_name = "bonafide-wallet-ui";
  options.worker_threads = 2;
  options.blocking_threads = 2;
  Result<std::unique_ptr<http::Server>> server = http::Server::Create(options);
  if (!server.ok()) return ReportError(server.status());
  wallet::WalletUiOptions ui;
  ui.dir = a.dir;
  ui.listen_host = listen->host;
  ui.clock = &SystemClock::Default();
  ui.random = &crypto::SystemRandom();
  ui.ca_file = a.ca_file;
  ui.insecure_http_loopback = a.insecure_http_loopback;
  Status routes = wallet::RegisterWalletUiRoutes(**server, ui);
  if (!routes.ok()) return ReportError(routes);
  Status started = (*server)->Start();
  if (!started.ok()) return ReportError(started);
  const std::string host = options.host.find(':') != std::string::npos ? "[" + options.host + "]" : options.host;
  std::cout << DumpJson(Json{{"url", "http://" + host + ":" + std::to_string((*server)->port())},
                             {"pid", static_cast<int64_t>(::getpid())}})
            << std::endl;  // flushes: a parent reads this line to learn the port
  const int signal_number = WaitForStopSignal(*stop_signals);
  (*server)->Stop();
  (*server)->logger().Info("shutdown", Json{{"signal", signal_number}});
  return 0;
}

void AddCommon(CLI::App* cmd, CommonArgs& c) {
  cmd->add_option("--dir", c.dir, "Wallet directory")->required();
  cmd->add_flag("--pin-stdin", c.pin_stdin, "Read the PIN from the first line of stdin instead of the terminal");
}

}  // namespace

void RegisterWalletCommands(CLI::App& app, int& exit_code) {
  CLI::App* wl = app.add_subcommand("wallet", "The holder's wallet: receive and keep credentials (OpenID4VCI)");
  wl->require_subcommand(1);

  auto ia = std::make_shared<CommonArgs>();
  CLI::App* init = wl->add_subcommand("init", "Create an encrypted wallet protected by a PIN");
  AddCommon(init, *ia);
  init->callback([&exit_code, ia] { exit_code = WalletInit(*ia); });

  auto ra = std::make_shared<ReceiveArgs>();
  CLI::App* receive = wl->add_subcommand("receive", "Receive the credentials of an openid-credential-offer:// URI");
  AddCommon(receive, ra->common);
  receive->add_option("offer", ra->offer, "The credential offer URI")->required();
  receive->add_option("--tx-code", ra->tx_code, "The transaction code (asked for when needed and not given)");
  receive->add_option("--ca-file", ra->ca_file, "PEM roots to verify the issuer's TLS certificate (default: system)");
  receive->add_option("--max-copies", ra->max_copies, "Most batch copies to ask for (1..20)")->capture_default_str();
  receive->add_option("--trust-iaca", ra->trust_iaca,
                      "PEM file of IACA roots mdocs must chain to (repeatable; default: the issuer's /iacas)");
  receive->add_flag("--insecure-http-loopback", ra->insecure_http_loopback,
                    "Allow http://localhost issuers (tests and local demos only)");
  receive->callback([&exit_code, ra] { exit_code = WalletReceive(*ra); });

  auto la = std::make_shared<ListArgs>();
  CLI::App* list = wl->add_subcommand("list", "List the credentials in the wallet");
  AddCommon(list, la->common);
  list->add_flag("--json", la->json, "Print JSON");
  list->callback([&exit_code, la] { exit_code = WalletList(*la); });

  auto ha = std::make_shared<ListArgs>();
  CLI::App* history = wl->add_subcommand(
      "history", "What was shared from this wallet, with whom and for what (attribute names, never values)");
  AddCommon(history, ha->common);
  history->add_flag("--json", ha->json, "Print JSON (an export of the transaction log)");
  history->callback([&exit_code, ha] { exit_code = WalletHistory(*ha); });

  auto sa = std::make_shared<IdArgs>();
  CLI::App* show = wl->add_subcommand("show", "Show a credential's claims as JSON");
  AddCommon(show, sa->common);
  show->add_option("id", sa->id, "Credential id (from wallet list)")->required();
  show->callback([&exit_code, sa] { exit_code = WalletShow(*sa); });

  auto da = std::make_shared<DeleteArgs>();
  CLI::App* del = wl->add_subcommand("delete", "Delete a credential, all its copies and device keys, and tell the issuer");
  AddCommon(del, da->id.common);
  del->add_option("id", da->id.id, "Credential id (from wallet list)")->required();
  del->add_option("--ca-file", da->ca_file, "PEM roots to verify the issuer's TLS certificate (default: system)");
  del->callback([&exit_code, da] { exit_code = WalletDelete(*da); });
  auto ta = std::make_shared<TrustArgs>();
  CLI::App* trust = wl->add_subcommand(
      "trust", "Configure where the wallet gets the trust registry's list and which registry root it pins");
  trust->add_option("--dir", ta->dir, "Wallet directory")->required();
  trust->add_option("--trust-list", ta->trust_list, "The published trust list: a file or an http(s) URL")->required();
  trust->add_option("--registry-root", ta->registry_root, "PEM file of the registry root to pin")->required();
  trust->add_option("--ca-file", ta->ca_file, "PEM roots to verify an https trust-list URL (default: system)");
  trust->callback([&exit_code, ta] { exit_code = WalletTrust(*ta); });

  auto pa = std::make_shared<PresentArgs>();
  CLI::App* present = wl->add_subcommand(
      "present", "Answer an OpenID4VP request (openid4vp://...) from a registered verifier, after consent");
  AddCommon(present, pa->common);
  present->add_option("request_uri", pa->request_uri, "The Wallet invocation URL (openid4vp://, https://)")->required();
  present->add_flag("--yes", pa->yes, "Approve without asking (refusals still refuse)");
  present->add_option("--trust-list", pa->trust_list, "Trust list file or URL (default: from `wallet trust`)");
  present->add_option("--registry-root", pa->registry_root, "PEM file of the registry root (with --trust-list)");
  present->add_option("--ca-file", pa->ca_file, "PEM roots for the verifier's and trust list's TLS (default: system)");
  present->add_flag("--insecure-http-loopback", pa->insecure_http_loopback,
                    "Reach a verifier on this machine over http (tests and local demos only)");
  present->callback([&exit_code, pa] { exit_code = WalletPresent(*pa); });

  auto ua = std::make_shared<UiArgs>();
  CLI::App* ui = wl->add_subcommand("ui", "Serve the web wallet on this machine (a loopback address only)");
  ui->add_option("--dir", ua->dir, "Wallet directory")->required();
  ui->add_option("--listen", ua->listen, "Loopback address to listen on (127.0.0.0/8, [::1] or localhost)")
      ->capture_default_str();
  ui->add_option("--ca-file", ua->ca_file, "PEM roots for issuers' and verifiers' TLS (default: system)");
  ui->add_flag("--insecure-http-loopback", ua->insecure_http_loopback,
               "Reach issuers and verifiers on this machine over http (tests and local demos only)");
  ui->callback([&exit_code, ua] { exit_code = WalletUi(*ua); });
}

}  // namespace bonafide::cli
