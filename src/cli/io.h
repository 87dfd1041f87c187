// cli/io.h: file and terminal plumbing for the bonafide CLI: bounded file reads, key loading,
// private-file writes, and the JSON result/error conventions every command follows.
//
// Conventions: a command that succeeds prints its result on stdout and exits 0; a failure prints
// {"error": "<code>", "message": "..."} on stderr and exits 1, except verify commands, whose
// {"valid": false, "error": ...} result goes to stdout; usage errors exit 2. Nothing ever prints
// a stack trace.
#ifndef BONAFIDE_CLI_IO_H_
#define BONAFIDE_CLI_IO_H_

#include <optional>
#include <string>
#include <vector>

#include "base/json.h"
#include "base/status.h"
#include "crypto/keys.h"
#include "crypto/x509.h"

namespace bonafide::cli {

inline constexpr size_t kMaxInputFile = 16 << 20;  // 16 MiB
// kMaxIndex bounds status-list indices on the command line: 2^53 - 1, the largest integer every
// JSON implementation represents exactly.
inline constexpr int64_t kMaxIndex = (int64_t{1} << 53) - 1;
// kMaxUnixTime is 9999-12-31T23:59:59Z; --at values outside [0, kMaxUnixTime] are refused.
inline constexpr int64_t kMaxUnixTime = 253402300799;

// ResolveTime returns `at` (the --at option) or the current time; kInvalidArgument when `at` is
// outside [0, kMaxUnixTime], so no later time arithmetic can overflow.
Result<int64_t> ResolveTime(const std::optional<int64_t>& at);

// ReadFile returns a file's contents; "-" reads stdin. kIoError / kLimitExceeded.
Result<std::string> ReadFile(const std::string& path);
// ReadTrimmedFile is ReadFile with surrounding whitespace removed (for tokens in files).
Result<std::string> ReadTrimmedFile(const std::string& path);
// ReadBinaryOrTextFile returns a file's bytes for formats that travel as binary or as text: content
// that is, once surrounding whitespace is trimmed, all base64url characters is decoded (an mdoc or
// a CWT written as text; kMalformed if it does not decode); other printable ASCII text is returned
// trimmed (a JWT); anything else is returned as is (raw CBOR). "-" reads stdin.
Result<Bytes> ReadBinaryOrTextFile(const std::string& path);
// ReadJsonFile parses a file strictly.
Result<Json> ReadJsonFile(const std::string& path);
// WriteFile writes atomically (temp file + rename); `secret` files get mode 0600.
Status WriteFile(const std::string& path, const std::string& contents, bool secret = false);

// LoadPrivateKey reads a private JWK or PEM file.
Result<crypto::PrivateKey> LoadPrivateKey(const std::string& path);
// LoadPublicKey reads a public (or private: the public half is used) JWK or PEM file, or a
// did:key / did:jwk given inline.
Result<crypto::PublicKey> LoadPublicKey(const std::string& path_or_did);
// LoadCertificates reads a PEM bundle.
Result<std::vector<crypto::Certificate>> LoadCertificates(const std::string& path);

// ReportError prints the error JSON for `status` (stdout with valid:false when `verify`, else
// stderr) and returns 1.
int ReportError(const Status& status, bool verify = false);
// Output writes `text` to the file `out` (with a final newline), or to stdout when `out` is empty;
// returns the exit code (0, or ReportError's 1).
int Output(const std::string& text, const std::string& out);

// Prints `value` as pretty JSON on stdout and returns 0.
int PrintJson(const Json& value);

// AddStaffAccount adds `user` to the staff accounts file `users_file` (web/password.h) with the
// password on the first line of stdin, prints {"user", "users_file"} and returns 0; on failure
// it reports the error and returns 1. `issuer console-user` and `verifier portal-user` use it.
int AddStaffAccount(const std::string& users_file, const std::string& user);

// StopSignals is SIGINT + SIGTERM blocked in the calling thread (and so in every thread it starts
// afterwards), for a server that waits for them with WaitForStopSignal. Block them before any
// thread starts so that only the waiting thread takes them.
struct StopSignals {
  sigset_t set{};
};
// BlockStopSignals blocks SIGINT and SIGTERM; kInternal when the mask cannot be set.
Result<StopSignals> BlockStopSignals();
// WaitForStopSignal returns the signal number once SIGINT or SIGTERM arrives.
int WaitForStopSignal(const StopSignals& signals);

}  // namespace bonafide::cli

#endif  // BONAFIDE_CLI_IO_H_
