#include "cli_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

extern char** environ;

namespace bonafide::clitest {
namespace {

constexpr auto kDeadline = std::chrono::seconds(60);

// Text that only a crash, an uncaught exception or a sanitizer prints.
constexpr std::string_view kCrashMarkers[] = {
    "terminate called", "what():",       "Segmentation fault", "Aborted (core dumped)",
    "AddressSanitizer", "LeakSanitizer", "runtime error:",     "Stack trace",
    "stack trace",      "Assertion `",   "core dumped",
};

std::string Truncated(const std::string& s, size_t n = 600) {
  if (s.size() <= n) return s;
  return s.substr(0, n) + "...(" + std::to_string(s.size()) + " bytes)";
}

// ReadSome appends what is available on `fd`; returns false at EOF or on a hard error.
bool ReadSome(int fd, std::string& sink) {
  char buf[65536];
  ssize_t n = read(fd, buf, sizeof buf);
  if (n > 0) {
    sink.append(buf, static_cast<size_t>(n));
    return true;
  }
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
  return false;
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// ErrorCode checks the failure convention of an exit-1 result and extracts the error code.
::testing::AssertionResult ErrorCode(const RunResult& r, bool verify, std::string* code) {
  const std::string& channel = verify ? r.out : r.err;
  auto parsed = ParseJsonObject(Trim(channel));
  if (!parsed.ok()) {
    return ::testing::AssertionFailure() << "no JSON error object on " << (verify ? "stdout" : "stderr")
                                         << ": " << parsed.status().message() << "\n"
                                         << r.Describe();
  }
  const Json& j = *parsed;
  const Json* error = Find(j, "error");
  const Json* message = Find(j, "message");
  if (error == nullptr || !error->is_string() || error->get<std::string>().empty()) {
    return ::testing::AssertionFailure() << "error JSON lacks a non-empty \"error\" string\n" << r.Describe();
  }
  if (message == nullptr || !message->is_string()) {
    return ::testing::AssertionFailure() << "error JSON lacks a \"message\" string\n" << r.Describe();
  }
  if (verify) {
    const Json* valid = Find(j, "valid");
    if (valid == nullptr || !valid->is_boolean() || valid->get<bool>()) {
      return ::testing::AssertionFailure() << "verify failure lacks \"valid\": false\n" << r.Describe();
    }
  } else if (!r.out.empty()) {
    return ::testing::AssertionFailure() << "failing command printed on stdout\n" << r.Describe();
  }
  *code = error->get<std::string>();
  if (*code == "internal") {
    return ::testing::AssertionFailure() << "error code \"internal\" (a bug, never user input)\n"
                                         << r.Describe();
  }
  return ::testing::AssertionSuccess();
}

}  // namespace

std::string RunResult::Describe() const {
  std::ostringstream s;
  if (!spawn_error.empty()) s << "spawn error: " << spawn_error << "\n";
  if (timed_out) s << "timed out\n";
  if (signaled) {
    s << "killed by signal " << signal << " (" << strsignal(signal) << ")\n";
  } else {
    s << "exit code " << exit_code << "\n";
  }
  s << "stdout: " << Truncated(out) << "\nstderr: " << Truncated(err);
  return s.str();
}

RunResult RunProcess(const std::vector<std::string>& argv, const std::string& input, bool search_path) {
  // Writing to a child that already exited must not kill the test process.
  static const bool kSigpipeIgnored = [] {
    signal(SIGPIPE, SIG_IGN);
    return true;
  }();
  (void)kSigpipeIgnored;

  RunResult r;
  int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
    r.spawn_error = std::string("pipe: ") + std::strerror(errno);
    for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]}) {
      if (fd >= 0) close(fd);
    }
    return r;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);

  std::vector<char*> cargv;
  cargv.reserve(argv.size() + 1);
  for (const std::string& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  pid_t pid = -1;
  int rc = search_path ? posix_spawnp(&pid, cargv[0], &actions, &attr, cargv.data(), environ)
                       : posix_spawn(&pid, cargv[0], &actions, &attr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  close(in[0]);
  close(out[1]);
  close(err[1]);
  if (rc != 0) {
    r.spawn_error = std::string("posix_spawn ") + argv[0] + ": " + std::strerror(rc);
    close(in[1]);
    close(out[0]);
    close(err[0]);
    return r;
  }

  int in_fd = in[1];
  int out_fd = out[0];
  int err_fd = err[0];
  size_t written = 0;
  if (input.empty()) {
    close(in_fd);
    in_fd = -1;
  } else {
    fcntl(in_fd, F_SETFL, fcntl(in_fd, F_GETFL) | O_NONBLOCK);
  }
  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  while (out_fd >= 0 || err_fd >= 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);  // only the child this call started
      r.timed_out = true;
      break;
    }
    pollfd fds[3];
    nfds_t n = 0;
    int* owners[3];
    for (int* fd : {&in_fd, &out_fd, &err_fd}) {
      if (*fd < 0) continue;
      fds[n].fd = *fd;
      fds[n].events = (fd == &in_fd) ? POLLOUT : POLLIN;
      fds[n].revents = 0;
      owners[n] = fd;
      ++n;
    }
    int ready = poll(fds, n, 200);
    if (ready < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (nfds_t i = 0; i < n; ++i) {
      if (fds[i].revents == 0) continue;
      int* fd = owners[i];
      bool keep = true;
      if (fd == &in_fd) {
        if ((fds[i].revents & POLLOUT) != 0) {
          ssize_t w = write(in_fd, input.data() + written, input.size() - written);
          if (w > 0) {
            written += static_cast<size_t>(w);
          } else if (w < 0 && errno != EAGAIN && errno != EINTR) {
            keep = false;  // EPIPE: the child stopped reading
          }
          if (written == input.size()) keep = false;
        } else {
          keep = false;
        }
      } else {
        keep = ReadSome(*fd, fd == &out_fd ? r.out : r.err);
      }
      if (!keep) {
        close(*fd);
        *fd = -1;
      }
    }
  }
  for (int fd : {in_fd, out_fd, err_fd}) {
    if (fd >= 0) close(fd);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      r.spawn_error = std::string("waitpid: ") + std::strerror(errno);
      return r;
    }
  }
  if (WIFSIGNALED(status)) {
    r.signaled = true;
    r.signal = WTERMSIG(status);
  } else if (WIFEXITED(status)) {
    r.exit_code = WEXITSTATUS(status);
  }
  return r;
}

std::string CliPath() { return BONAFIDE_CLI; }

std::string FindInPath(const std::string& name) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return "";
  std::stringstream dirs(path);
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (dir.empty()) continue;
    std::string candidate = dir + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

::testing::AssertionResult WellBehaved(const RunResult& r, bool verify) {
  if (!r.spawn_error.empty() || r.timed_out) return ::testing::AssertionFailure() << r.Describe();
  if (r.signaled) return ::testing::AssertionFailure() << "the CLI died of a signal\n" << r.Describe();
  if (r.exit_code < 0 || r.exit_code > 2) {
    return ::testing::AssertionFailure() << "exit code outside {0, 1, 2}\n" << r.Describe();
  }
  for (std::string_view marker : kCrashMarkers) {
    if (r.out.find(marker) != std::string::npos || r.err.find(marker) != std::string::npos) {
      return ::testing::AssertionFailure() << "crash text \"" << marker << "\" in the output\n"
                                           << r.Describe();
    }
  }
  if (r.exit_code == 1) {
    std::string code;
    return ErrorCode(r, verify, &code);
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult Succeeds(const RunResult& r) {
  if (r.spawn_error.empty() && !r.timed_out && !r.signaled && r.exit_code != 0) {
    return ::testing::AssertionFailure() << "expected exit code 0\n" << r.Describe();
  }
  return WellBehaved(r, false);
}

::testing::AssertionResult Rejected(const RunResult& r) {
  if (r.exit_code == 2) return UsageError(r);
  return CommandFailsWith(r, "invalid_argument");
}

::testing::AssertionResult FailsWithOneOf(const RunResult& r, bool verify,
                                          const std::set<std::string>& codes) {
  auto ok = WellBehaved(r, verify);
  if (!ok) return ok;
  if (r.exit_code != 1) return ::testing::AssertionFailure() << "expected exit code 1\n" << r.Describe();
  std::string code;
  auto parsed = ErrorCode(r, verify, &code);
  if (!parsed) return parsed;
  if (codes.count(code) == 0) {
    std::string want;
    for (const std::string& c : codes) want += (want.empty() ? "" : ", ") + c;
    return ::testing::AssertionFailure() << "error \"" << code << "\", expected one of {" << want << "}\n"
                                         << r.Describe();
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult FailsWith(const RunResult& r, bool verify, std::string_view code) {
  return FailsWithOneOf(r, verify, {std::string(code)});
}

::testing::AssertionResult VerifyFailsWith(const RunResult& r, std::string_view code) {
  return FailsWith(r, true, code);
}

::testing::AssertionResult CommandFailsWith(const RunResult& r, std::string_view code) {
  return FailsWith(r, false, code);
}

::testing::AssertionResult UsageError(const RunResult& r) {
  auto ok = WellBehaved(r, false);
  if (!ok) return ok;
  if (r.exit_code != 2)
    return ::testing::AssertionFailure() << "expected usage error (exit 2)\n" << r.Describe();
  return ::testing::AssertionSuccess();
}

Json StdoutJson(const RunResult& r) {
  auto parsed = ParseJson(Trim(r.out));
  if (!parsed.ok()) {
    ADD_FAILURE() << "stdout is not JSON: " << parsed.status().message() << "\n" << r.Describe();
    return Json::object();
  }
  return *parsed;
}

void CliTest::SetUp() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern =
      std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/bonafide-cli-test-XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  ASSERT_NE(mkdtemp(buf.data()), nullptr) << std::strerror(errno);
  dir_ = buf.data();
}

void CliTest::TearDown() {
  if (dir_.empty()) return;
  std::error_code ec;
  // Directories a test made unreadable would stop remove_all.
  std::filesystem::permissions(dir_, std::filesystem::perms::owner_all, std::filesystem::perm_options::add,
                               ec);
  std::filesystem::remove_all(dir_, ec);
  EXPECT_FALSE(ec) << "cannot remove " << dir_ << ": " << ec.message();
}

std::string CliTest::Path(std::string_view name) const { return dir_ + "/" + std::string(name); }

void CliTest::WriteFile(std::string_view name, std::string_view contents) const {
  std::ofstream f(Path(name), std::ios::binary | std::ios::trunc);
  f.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  f.close();
  ASSERT_TRUE(f.good()) << "cannot write " << Path(name);
}

std::string CliTest::ReadFile(std::string_view name) const {
  std::ifstream f(Path(name), std::ios::binary);
  if (!f) {
    ADD_FAILURE() << "cannot read " << Path(name);
    return "";
  }
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

RunResult CliTest::Cli(const std::vector<std::string>& args, const std::string& input) const {
  std::vector<std::string> argv = {CliPath()};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProcess(argv, input);
}

void CliTest::GenerateKey(std::string_view name, std::string_view alg) const {
  RunResult r = Cli({"key", "generate", "--alg", std::string(alg), "--out", Path(name)});
  ASSERT_TRUE(Succeeds(r));
}

}  // namespace bonafide::clitest
