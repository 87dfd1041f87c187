// `bonafide up`: the whole system on this machine, for trying it out (issue 6, part 5).
//
// `bonafide up [--data-dir DIR] [--issuer-port P] [--verifier-port P] [--wallet-port P]` starts,
// on 127.0.0.1, an issuer (with the issuer console), a trust registry's signed trust list, a
// verifier (with the employer portal) and a web wallet, each a child process of this one running
// the ordinary commands (`issuer serve`, `verifier serve`, `wallet ui`), all on embedded SQLite
// under DIR (default ./bonafide-up). The first run sets everything up:
//   issuer init --demo (three demo citizens), registry init, add-issuer, add-rp for "Demo Employer
//   Ltd" (client_id localhost, all six checks), publish, verifier init, a console account and a
//   portal account with random passwords, a wallet with a random PIN that trusts the registry.
// Later runs reuse DIR (the accounts, PIN and ports are in DIR/up.json, mode 0600).
//
// It prints one JSON line on stdout {"issuer_url", "console_url", "portal_url", "wallet_url",
// "console_user", "console_password", "portal_user", "portal_password", "wallet_pin", "data_dir"}
// (flushed: a parent may read it), then a readable summary on stderr, and stays up until SIGINT or
// SIGTERM, when it stops the children (SIGTERM, then SIGKILL after 10 s) and exits 0. If a child
// dies, the others are stopped and `up` exits 1 naming it; its log is in DIR/logs/. Children get
// SIGTERM if `up` itself is killed (PR_SET_PDEATHSIG).
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "base/json.h"
#include "cli/commands.h"
#include "cli/io.h"
#include "crypto/random.h"
#include "http/client.h"

namespace bonafide::cli {
namespace {

namespace fs = std::filesystem;

struct UpArgs {
  std::string data_dir = "bonafide-up";
  int issuer_port = 8400;
  int verifier_port = 8401;
  int wallet_port = 8402;
};

std::string SelfPath() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("bonafide") : self.string();
}

// Spawn starts `bonafide args...` with stdin from `input` (through a pipe), stdout to `out_file`
// and stderr to `err_file`, with the stop signals unblocked and SIGTERM on parent death.
Result<pid_t> Spawn(const std::vector<std::string>& args, const std::string& input, const std::string& out_file,
                    const std::string& err_file) {
  int in_pipe[2];
  if (::pipe(in_pipe) != 0) return Status(StatusCode::kIoError, "pipe failed");
  const int out_fd = ::open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  const int err_fd = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (out_fd < 0 || err_fd < 0) {
    ::close(in_pipe[0]);
    ::close(in_pipe[1]);
    if (out_fd >= 0) ::close(out_fd);
    if (err_fd >= 0) ::close(err_fd);
    return Status(StatusCode::kIoError, "cannot open " + out_file + " or " + err_file);
  }
  const std::string self = SelfPath();
  std::vector<std::string> argv_storage = {self};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) return Status(StatusCode::kIoError, "fork failed");
  if (pid == 0) {
    // Child: only async-signal-safe calls until exec.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(127);
    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::dup2(in_pipe[0], 0);
    ::dup2(out_fd, 1);
    ::dup2(err_fd, 2);
    ::close(in_pipe[1]);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(in_pipe[0]);
  ::close(out_fd);
  ::close(err_fd);
  if (!input.empty()) {
    const char* p = input.data();
    size_t left = input.size();
    while (left > 0) {
      const ssize_t n = ::write(in_pipe[1], p, left);
      if (n <= 0) break;
      p += n;
      left -= static_cast<size_t>(n);
    }
  }
  ::close(in_pipe[1]);
  return pid;
}

// RunStep runs a setup command to completion; kIoError naming it (and its log) if it fails.
Result<std::string> RunStep(const fs::path& logs, const std::string& name, const std::vector<std::string>& args,
                            const std::string& input = "") {
  const std::string out = (logs / (name + ".out")).string();
  const std::string err = (logs / (name + ".log")).string();
  ASSIGN_OR_RETURN(pid_t pid, Spawn(args, input, out, err));
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return Status(StatusCode::kIoError, "setup step '" + name + "' failed; see " + err);
  }
  return ReadFile(out);
}

// Service is one running child server.
struct Service {
  std::string name;
  pid_t pid = -1;
  std::string out_file;
};

// WaitForLine waits (up to 30 s) for the first stdout line of `service` and returns it parsed.
Result<Json> WaitForLine(const Service& service) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in(service.out_file);
    std::string line;
    if (std::getline(in, line) && !in.eof()) return ParseJsonObject(line);
    int status = 0;
    if (::waitpid(service.pid, &status, WNOHANG) == service.pid) {
      return Status(StatusCode::kIoError, service.name + " exited while starting");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return Status(StatusCode::kIoError, service.name + " did not start within 30 s");
}

Result<Service> StartService(const fs::path& logs, const std::string& name, const std::vector<std::string>& args) {
  Service service{name, -1, (logs / (name + ".out")).string()};
  ASSIGN_OR_RETURN(service.pid, Spawn(args, "", service.out_file, (logs / (name + ".log")).string()));
  RETURN_IF_ERROR(WaitForLine(service).status());
  return service;
}

void StopAll(std::vector<Service>& services) {
  for (const Service& s : services) {
    if (s.pid > 0) ::kill(s.pid, SIGTERM);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (Service& s : services) {
    while (s.pid > 0) {
      int status = 0;
      const pid_t r = ::waitpid(s.pid, &status, WNOHANG);
      if (r == s.pid || (r < 0 && errno != EINTR)) {
        s.pid = -1;
        break;
      }
      if (std::chrono::steady_clock::now() > deadline) ::kill(s.pid, SIGKILL);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
}

std::string RandomDigits(Random& random, size_t n) {
  std::string out;
  while (out.size() < n) {
    uint8_t b[1];
    random.Fill(b);
    if (b[0] < 250) out += static_cast<char>('0' + b[0] % 10);
  }
  return out;
}

// Setup makes everything `up` serves under `dir` and returns the state kept in up.json.
Result<Json> Setup(const fs::path& dir, const UpArgs& a, const fs::path& logs) {
  Random& random = crypto::SystemRandom();
  const std::string issuer_url = "http://127.0.0.1:" + std::to_string(a.issuer_port);
  Json state = {{"issuer_port", a.issuer_port},
                {"verifier_port", a.verifier_port},
                {"wallet_port", a.wallet_port},
                {"console_user", "officer"},
                {"console_password", random.Identifier(15)},
                {"portal_user", "employer"},
                {"portal_password", random.Identifier(15)},
                {"wallet_pin", RandomDigits(random, 6)}};
  const std::string issuer_dir = (dir / "issuer").string();
  RETURN_IF_ERROR(RunStep(logs, "issuer-init", {"issuer", "init", "--data-dir", issuer_dir, "--issuer-url", issuer_url,
                                                "--demo"})
                      .status());
  RETURN_IF_ERROR(RunStep(logs, "console-user",
                          {"issuer", "console-user", "--data-dir", issuer_dir, "--user", "officer"},
                          state["console_password"].get<std::string>() + "\n")
                      .status());
  // The registry needs the issuer's metadata: serve it for the setup.
  std::vector<Service> setup_services;
  auto issuer = StartService(logs, "issuer-setup",
                             {"issuer", "serve", "--data-dir", issuer_dir, "--listen",
                              "127.0.0.1:" + std::to_string(a.issuer_port)});
  if (!issuer.ok()) return issuer.status();
  setup_services.push_back(*issuer);
  const std::string registry_dir = (dir / "registry").string();
  const std::string rp_dir = (dir / "employer-rp").string();
  const std::string trust_list = (dir / "trust.jwt").string();
  Status steps = [&]() -> Status {
    RETURN_IF_ERROR(RunStep(logs, "registry-init", {"registry", "init", "--data-dir", registry_dir}).status());
    RETURN_IF_ERROR(RunStep(logs, "registry-add-issuer",
                            {"registry", "add-issuer", "--data-dir", registry_dir, "--metadata-url", issuer_url})
                        .status());
    return OkStatus();
  }();
  StopAll(setup_services);
  RETURN_IF_ERROR(steps);
  RETURN_IF_ERROR(RunStep(logs, "registry-add-rp",
                          {"registry", "add-rp", "--data-dir", registry_dir, "--name", "Demo Employer Ltd",
                           "--registration-number", "01234567", "--client-id", "localhost", "--allow-localhost",
                           "--purpose",
                           "right_to_work,right_to_rent,age_over_18,veteran_status,driving_entitlement,dbs_basic",
                           "--out-dir", rp_dir})
                      .status());
  RETURN_IF_ERROR(
      RunStep(logs, "registry-publish", {"registry", "publish", "--data-dir", registry_dir, "--out", trust_list})
          .status());
  const std::string verifier_dir = (dir / "verifier").string();
  RETURN_IF_ERROR(RunStep(logs, "verifier-init",
                          {"verifier", "init", "--data-dir", verifier_dir, "--rp-dir", rp_dir, "--trust-list",
                           trust_list, "--url", "http://localhost:" + std::to_string(a.verifier_port), "--listen",
                           "127.0.0.1:" + std::to_string(a.verifier_port)})
                      .status());
  RETURN_IF_ERROR(RunStep(logs, "portal-user",
                          {"verifier", "portal-user", "--data-dir", verifier_dir, "--user", "employer"},
                          state["portal_password"].get<std::string>() + "\n")
                      .status());
  const std::string wallet_dir = (dir / "wallet").string();
  RETURN_IF_ERROR(RunStep(logs, "wallet-init", {"wallet", "init", "--dir", wallet_dir, "--pin-stdin"},
                          state["wallet_pin"].get<std::string>() + "\n")
                      .status());
  RETURN_IF_ERROR(RunStep(logs, "wallet-trust",
                          {"wallet", "trust", "--dir", wallet_dir, "--trust-list", trust_list, "--registry-root",
                           (fs::path(rp_dir) / "registry_root.pem").string()})
                      .status());
  return state;
}

int Up(const UpArgs& a) {
  const fs::path dir = fs::absolute(a.data_dir);
  const fs::path logs = dir / "logs";
  std::error_code ec;
  fs::create_directories(logs, ec);
  if (ec) return ReportError(Status(StatusCode::kIoError, "cannot create " + logs.string() + ": " + ec.message()));
  ::chmod(dir.c_str(), 0700);

  // Before any thread or child starts: only the wait below takes SIGINT / SIGTERM.
  Result<StopSignals> stop_signals = BlockStopSignals();
  if (!stop_signals.ok()) return ReportError(stop_signals.status());

  const fs::path state_file = dir / "up.json";
  Json state;
  if (fs::exists(state_file)) {
    Result<Json> loaded = ReadJsonFile(state_file.string());
    if (!loaded.ok()) return ReportError(loaded.status());
    state = *loaded;
  } else {
    Result<Json> made = Setup(dir, a, logs);
    if (!made.ok()) return ReportError(made.status());
    state = *made;
    Status written = WriteFile(state_file.string(), DumpJson(state) + "\n", /*secret=*/true);
    if (!written.ok()) return ReportError(written);
  }
  const auto port = [&](const char* name) { return std::to_string(state.value(name, 0)); };

  std::vector<Service> services;
  auto start = [&](const std::string& name, const std::vector<std::string>& args) -> Status {
    ASSIGN_OR_RETURN(Service s, StartService(logs, name, args));
    services.push_back(s);
    return OkStatus();
  };
  Status started = start("issuer", {"issuer", "serve", "--data-dir", (dir / "issuer").string(), "--listen",
                                    "127.0.0.1:" + port("issuer_port")});
  if (started.ok()) {
    started = start("verifier", {"verifier", "serve", "--data-dir", (dir / "verifier").string()});
  }
  if (started.ok()) {
    started = start("wallet", {"wallet", "ui", "--dir", (dir / "wallet").string(), "--listen",
                               "127.0.0.1:" + port("wallet_port"), "--insecure-http-loopback"});
  }
  if (!started.ok()) {
    StopAll(services);
    return ReportError(started);
  }

  const std::string issuer_url = "http://127.0.0.1:" + port("issuer_port");
  const std::string portal_url = "http://localhost:" + port("verifier_port");
  const std::string wallet_url = "http://127.0.0.1:" + port("wallet_port");
  Json out = {{"issuer_url", issuer_url},
              {"console_url", issuer_url + "/console"},
              {"portal_url", portal_url},
              {"wallet_url", wallet_url},
              {"console_user", state.value("console_user", "")},
              {"console_password", state.value("console_password", "")},
              {"portal_user", state.value("portal_user", "")},
              {"portal_password", state.value("portal_password", "")},
              {"wallet_pin", state.value("wallet_pin", "")},
              {"data_dir", dir.string()}};
  std::cout << DumpJson(out) << std::endl;
  std::cerr << "bonafide is up (Ctrl-C stops it):\n"
            << "  Issuer console   " << issuer_url << "/console   user " << state.value("console_user", "")
            << ", password " << state.value("console_password", "") << "\n"
            << "  Employer portal  " << portal_url << "   user " << state.value("portal_user", "") << ", password "
            << state.value("portal_password", "") << "\n"
            << "  Web wallet       " << wallet_url << "   PIN " << state.value("wallet_pin", "") << "\n"
            << "  Data and logs    " << dir.string() << "\n";

  // Wait for a stop signal, checking every second that every child is still running.
  int exit_code = 0;
  while (true) {
    timespec second{1, 0};
    const int sig = ::sigtimedwait(&stop_signals->set, nullptr, &second);
    if (sig == SIGINT || sig == SIGTERM) break;
    bool died = false;
    for (Service& s : services) {
      int status = 0;
      if (::waitpid(s.pid, &status, WNOHANG) == s.pid) {
        std::cerr << "bonafide up: " << s.name << " stopped; see " << (logs / (s.name + ".log")).string() << "\n";
        s.pid = -1;
        died = true;
      }
    }
    if (died) {
      exit_code = 1;
      break;
    }
  }
  StopAll(services);
  return exit_code;
}

}  // namespace

void RegisterUpCommand(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<UpArgs>();
  CLI::App* up = app.add_subcommand(
      "up", "Run an issuer (with console), a verifier (with employer portal) and a web wallet on this machine");
  up->add_option("--data-dir", a->data_dir, "Where everything is kept (default ./bonafide-up)");
  up->add_option("--issuer-port", a->issuer_port, "Issuer port on 127.0.0.1 (default 8400; first run only)");
  up->add_option("--verifier-port", a->verifier_port, "Verifier and portal port (default 8401; first run only)");
  up->add_option("--wallet-port", a->wallet_port, "Web wallet port (default 8402; first run only)");
  up->callback([&exit_code, a] { exit_code = Up(*a); });
}

}  // namespace bonafide::cli
