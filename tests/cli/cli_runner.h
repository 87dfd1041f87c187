// tests/cli/cli_runner.h: running the `bonafide` executable from GoogleTest and checking the
// CLI's conventions (see src/cli/io.h): success prints the result on stdout and exits 0; a
// failure exits 1 with {"error": "<code>", "message": "..."} on stderr, except verify commands,
// which print {"valid": false, "error": ...} on stdout; usage errors exit 2; nothing ever dies
// of a signal or prints a crash report.
//
// Each test gets its own temporary directory (CliTest), removed afterwards. Thread safety: the
// helpers are meant for the single GoogleTest thread.
#ifndef BONAFIDE_TESTS_CLI_CLI_RUNNER_H_
#define BONAFIDE_TESTS_CLI_CLI_RUNNER_H_

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "base/json.h"

namespace bonafide::clitest {

// RunResult is how one child process ended and what it printed.
struct RunResult {
  std::string spawn_error;  // non-empty when the process could not be started
  bool timed_out = false;   // killed by the runner after the deadline
  bool signaled = false;    // WIFSIGNALED
  int signal = 0;           // WTERMSIG when signaled
  int exit_code = -1;       // WEXITSTATUS when it exited
  std::string out;          // everything written to stdout
  std::string err;          // everything written to stderr

  // Describe summarises the result for assertion messages (output truncated).
  std::string Describe() const;
};

// RunProcess runs argv[0] (a path, or a name looked up in PATH when `search_path`) with
// `input` on stdin, collects stdout and stderr, and waits for it (killing it after 60 s).
// The child starts with SIGPIPE at its default disposition.
RunResult RunProcess(const std::vector<std::string>& argv, const std::string& input = {},
                     bool search_path = false);

// CliPath is the bonafide executable under test.
std::string CliPath();

// FindInPath returns the absolute path of `name` in $PATH, or "" when absent.
std::string FindInPath(const std::string& name);

// WellBehaved: started, not killed by a signal or the deadline, exit code 0, 1 or 2, no crash
// text (uncaught exception, sanitizer report, abort) on either stream, and when the exit code
// is 1 a JSON error object on the channel the convention names (`verify`: stdout with
// "valid": false; else stderr with stdout empty) whose code is not "internal".
::testing::AssertionResult WellBehaved(const RunResult& r, bool verify);

// Succeeds: WellBehaved and exit code 0.
::testing::AssertionResult Succeeds(const RunResult& r);

// FailsWith: WellBehaved, exit code 1, and the error code is `code`.
::testing::AssertionResult FailsWith(const RunResult& r, bool verify, std::string_view code);
// VerifyFailsWith / CommandFailsWith are FailsWith for verify and non-verify commands.
::testing::AssertionResult VerifyFailsWith(const RunResult& r, std::string_view code);
::testing::AssertionResult CommandFailsWith(const RunResult& r, std::string_view code);

// FailsWithOneOf: WellBehaved, exit code 1, and the error code is one of `codes`.
::testing::AssertionResult FailsWithOneOf(const RunResult& r, bool verify,
                                          const std::set<std::string>& codes);

// Rejected: a usage error (exit 2) or a non-verify failure with invalid_argument.
::testing::AssertionResult Rejected(const RunResult& r);

// UsageError: WellBehaved and exit code 2.
::testing::AssertionResult UsageError(const RunResult& r);

// StdoutJson parses stdout as one JSON value (empty object, with a test failure, when it does
// not parse).
Json StdoutJson(const RunResult& r);

// CliTest gives each test a fresh temporary directory and a runner for the CLI.
class CliTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Path returns the absolute path of `name` in the test's directory.
  std::string Path(std::string_view name) const;
  // WriteFile writes `contents` to Path(name) (test failure on error).
  void WriteFile(std::string_view name, std::string_view contents) const;
  // ReadFile returns the contents of Path(name) ("" with a test failure on error).
  std::string ReadFile(std::string_view name) const;
  // Cli runs the bonafide executable with `args` and `input` on stdin.
  RunResult Cli(const std::vector<std::string>& args, const std::string& input = {}) const;
  // GenerateKey runs `key generate --alg alg --out Path(name)` and checks it succeeded.
  void GenerateKey(std::string_view name, std::string_view alg) const;

  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
};

}  // namespace bonafide::clitest

#endif  // BONAFIDE_TESTS_CLI_CLI_RUNNER_H_
