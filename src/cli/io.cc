#include "cli/io.h"

#include <pthread.h>
#include <signal.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "base/clock.h"
#include "base/encoding.h"
#include "jose/did.h"
#include "web/password.h"

namespace bonafide::cli {

Result<int64_t> ResolveTime(const std::optional<int64_t>& at) {
  if (!at) return SystemClock::Default().NowSeconds();
  if (*at < 0 || *at > kMaxUnixTime) {
    return Error(StatusCode::kInvalidArgument, "--at must be a Unix time between 0 and 253402300799 (year 9999)");
  }
  return *at;
}

Result<std::string> ReadFile(const std::string& path) {
  std::string out;
  if (path == "-") {
    char buf[65536];
    size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, stdin)) > 0) {
      out.append(buf, n);
      if (out.size() > kMaxInputFile) return Error(StatusCode::kLimitExceeded, "standard input larger than 16 MiB");
    }
    return out;
  }
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return Error(StatusCode::kIoError, "cannot read " + path + ": no such file");
  if (!S_ISREG(st.st_mode)) return Error(StatusCode::kIoError, path + " is not a regular file");
  if (static_cast<uint64_t>(st.st_size) > kMaxInputFile) {
    return Error(StatusCode::kLimitExceeded, path + " is larger than 16 MiB");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(StatusCode::kIoError, "cannot open " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

namespace {

std::string_view TrimWhitespace(std::string_view s) {
  const size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  const size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

bool AllOf(std::string_view s, bool (*pred)(char)) {
  for (char c : s) {
    if (!pred(c)) return false;
  }
  return !s.empty();
}

}  // namespace

Result<std::string> ReadTrimmedFile(const std::string& path) {
  ASSIGN_OR_RETURN(std::string s, ReadFile(path));
  return std::string(TrimWhitespace(s));
}

Result<Bytes> ReadBinaryOrTextFile(const std::string& path) {
  ASSIGN_OR_RETURN(std::string contents, ReadFile(path));
  const std::string_view text = TrimWhitespace(contents);
  auto base64url = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  };
  if (AllOf(text, base64url)) {
    Result<Bytes> decoded = Base64UrlDecode(text);
    if (!decoded.ok()) return Status(StatusCode::kMalformed, path + ": not valid base64url: " + decoded.status().message());
    return *decoded;
  }
  if (AllOf(text, [](char c) { return c > ' ' && c < 0x7f; })) return ToBytes(text);
  return ToBytes(contents);
}

Result<Json> ReadJsonFile(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  auto j = ParseJson(text, JsonLimits{kMaxInputFile, 64});
  if (!j.ok()) return Status(j.status().code(), path + ": " + j.status().message());
  return j;
}

Status WriteFile(const std::string& path, const std::string& contents, bool secret) {
  std::string tmp = path + ".tmp." + std::to_string(getpid());
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, secret ? 0600 : 0644);
  if (fd < 0) return Error(StatusCode::kIoError, "cannot write " + path);
  size_t done = 0;
  while (done < contents.size()) {
    ssize_t n = write(fd, contents.data() + done, contents.size() - done);
    if (n <= 0) {
      close(fd);
      unlink(tmp.c_str());
      return Error(StatusCode::kIoError, "cannot write " + path);
    }
    done += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp.c_str(), path.c_str()) != 0) {
    unlink(tmp.c_str());
    return Error(StatusCode::kIoError, "cannot write " + path);
  }
  return OkStatus();
}

Result<crypto::PrivateKey> LoadPrivateKey(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  if (text.find("-----BEGIN") != std::string::npos) return crypto::PrivateKey::FromPem(text);
  auto jwk = ParseJsonObject(text);
  if (!jwk.ok()) return Error(StatusCode::kInvalidKey, path + " is neither a JWK nor a PEM key");
  return crypto::PrivateKey::FromJwk(*jwk);
}

Result<crypto::PublicKey> LoadPublicKey(const std::string& path_or_did) {
  if (path_or_did.rfind("did:", 0) == 0) return jose::ResolveDidKey(path_or_did);
  ASSIGN_OR_RETURN(std::string text, ReadFile(path_or_did));
  if (text.find("-----BEGIN") != std::string::npos) {
    if (text.find("PRIVATE KEY") != std::string::npos) {
      ASSIGN_OR_RETURN(crypto::PrivateKey key, crypto::PrivateKey::FromPem(text));
      return key.public_key();
    }
    if (text.find("CERTIFICATE") != std::string::npos) {
      ASSIGN_OR_RETURN(crypto::Certificate cert, crypto::Certificate::FromPem(text));
      return cert.public_key();
    }
    return crypto::PublicKey::FromPem(text);
  }
  auto jwk = ParseJsonObject(text);
  if (!jwk.ok()) return Error(StatusCode::kInvalidKey, path_or_did + " is neither a JWK nor a PEM key");
  return crypto::PublicKey::FromJwk(*jwk);
}

Result<std::vector<crypto::Certificate>> LoadCertificates(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  return crypto::Certificate::AllFromPem(text);
}

int ReportError(const Status& status, bool verify) {
  Json out = Json::object();
  if (verify) out["valid"] = false;
  out["error"] = std::string(StatusCodeName(status.code()));
  out["message"] = status.message();
  // Verification results are the command's output (stdout); other failures are diagnostics.
  (verify ? std::cout : std::cerr) << DumpJson(out) << std::endl;
  return 1;
}

int Output(const std::string& text, const std::string& out) {
  if (out.empty()) {
    std::cout << text << std::endl;
    return 0;
  }
  Status s = WriteFile(out, text + "\n");
  return s.ok() ? 0 : ReportError(s);
}

int PrintJson(const Json& value) {
  std::cout << value.dump(2, ' ', false, Json::error_handler_t::replace) << std::endl;
  return 0;
}

Result<StopSignals> BlockStopSignals() {
  StopSignals s;
  sigemptyset(&s.set);
  sigaddset(&s.set, SIGINT);
  sigaddset(&s.set, SIGTERM);
  if (pthread_sigmask(SIG_BLOCK, &s.set, nullptr) != 0) {
    return Error(StatusCode::kInternal, "cannot block SIGINT/SIGTERM");
  }
  return s;
}

int WaitForStopSignal(const StopSignals& signals) {
  int signal_number = 0;
  while (sigwait(&signals.set, &signal_number) != 0) {
  }
  return signal_number;
}

int AddStaffAccount(const std::string& users_file, const std::string& user) {
  std::string password;
  if (!std::getline(std::cin, password)) {
    return ReportError(Error(StatusCode::kInvalidArgument, "expected the password on stdin"));
  }
  if (!password.empty() && password.back() == '\r') password.pop_back();
  Result<web::UserFile> users = web::UserFile::Load(users_file);
  if (!users.ok()) return ReportError(users.status());
  Status added = users->Add(user, password, SystemClock::Default().NowSeconds());
  if (!added.ok()) return ReportError(added);
  Status saved = users->Save(users_file);
  if (!saved.ok()) return ReportError(saved);
  return PrintJson(Json{{"user", user}, {"users_file", users_file}});
}

}  // namespace bonafide::cli
