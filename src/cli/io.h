// cli/io.h: file and terminal plumbing for the bonafide CLI: bounded file reads, key loading,
// private-file writes, and the JSON result/error conventions every command follows.
//
// Conventions: a command that succeeds prints its result on stdout and exits 0; a failure prints
// {"error": "<code>", "message": "..."} on stderr and exits 1, except verify commands, whose
// {"valid": false, "error": ...} result goes to stdout; usage errors exit 2. Nothing ever prints
// a stack trace.
#ifndef BONAFIDE_CLI_IO_H_
#define BONAFIDE_CLI_IO_H_

#include <string>
#include <vector>

#include "base/json.h"
#include "base/status.h"
#include "crypto/keys.h"
#include "crypto/x509.h"

namespace bonafide::cli {

inline constexpr size_t kMaxInputFile = 16 << 20;  // 16 MiB

// ReadFile returns a file's contents; "-" reads stdin. kIoError / kLimitExceeded.
Result<std::string> ReadFile(const std::string& path);
// ReadTrimmedFile is ReadFile with surrounding whitespace removed (for tokens in files).
Result<std::string> ReadTrimmedFile(const std::string& path);
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
// Prints `value` as pretty JSON on stdout and returns 0.
int PrintJson(const Json& value);

}  // namespace bonafide::cli

#endif  // BONAFIDE_CLI_IO_H_
