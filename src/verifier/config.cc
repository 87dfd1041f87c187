// verifier/config.cc: the verifier's data directory (see config.h).
#include "verifier/config.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "crypto/keys.h"
#include "crypto/x509.h"

namespace bonafide::verifier {
namespace {

namespace fs = std::filesystem;

Result<std::string> ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(StatusCode::kIoError, "cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  if (in.bad()) return Error(StatusCode::kIoError, "cannot read " + path);
  return s.str();
}

Status WriteText(const std::string& path, std::string_view text, bool secret) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return Error(StatusCode::kIoError, "cannot write " + tmp);
    if (secret) ::chmod(tmp.c_str(), 0600);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out.flush();
    if (!out) return Error(StatusCode::kIoError, "cannot write " + tmp);
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return Error(StatusCode::kIoError, "cannot rename " + tmp + ": " + ec.message());
  return OkStatus();
}

// UrlHostPort splits "scheme://host[:port]" (no path) into host and port text.
bool SplitUrl(const std::string& url, std::string& scheme, std::string& host, std::string& port) {
  const size_t sep = url.find("://");
  if (sep == std::string::npos) return false;
  scheme = url.substr(0, sep);
  const std::string authority = url.substr(sep + 3);
  if (authority.empty() || authority.find_first_of("/?#@[]") != std::string::npos) return false;
  const size_t colon = authority.find(':');
  host = authority.substr(0, colon);
  port = colon == std::string::npos ? "" : authority.substr(colon + 1);
  if (colon != std::string::npos) {
    if (port.empty() || port.size() > 5) return false;
    for (char c : port) {
      if (c < '0' || c > '9') return false;
    }
    if (std::stoi(port) > 65535) return false;
  }
  return !host.empty();
}

}  // namespace

std::string VerifierConfig::Path(const std::string& file) const { return data_dir + "/" + file; }

Json VerifierConfig::ToJson() const {
  return Json{{"version", 1},
              {"url", url},
              {"host", host},
              {"client_id", client_id},
              {"name", name},
              {"listen", listen},
              {"db", db},
              {"trust_list", trust_list},
              {"session_ttl_seconds", session_ttl_seconds},
              {"result_retention_seconds", result_retention_seconds},
              {"files",
               {{"access_key", kAccessKeyFile},
                {"access_certificate", kAccessCertFile},
                {"registry_root", kRegistryRootFile},
                {"registration", kRegistrationFile},
                {"result_key", kResultKeyFile},
                {"trust_list_cache", kTrustListCacheFile},
                {"status_cache_dir", kStatusCacheDir}}}};
}

Status CheckVerifierUrl(const std::string& url, const std::string& host) {
  std::string scheme, url_host, port;
  if (!SplitUrl(url, scheme, url_host, port)) {
    return Error(StatusCode::kInvalidArgument, "verifier url must be scheme://host[:port] without a path: " + url);
  }
  if (scheme == "http") {
    if (url_host != "localhost") {
      return Error(StatusCode::kInvalidArgument, "http is allowed only for http://localhost (tests, demos)");
    }
  } else if (scheme != "https") {
    return Error(StatusCode::kInvalidArgument, "verifier url must be https");
  }
  if (url_host != host) {
    return Error(StatusCode::kInvalidArgument, "verifier url host " + url_host +
                                                   " is not the access certificate's host " + host +
                                                   " (OpenID4VP 5.9.3: response_uri on the client_id host)");
  }
  return OkStatus();
}

Result<VerifierConfig> VerifierConfigFromJson(const Json& json) {
  if (!json.is_object()) return Error(StatusCode::kInvalidClaims, "config is not an object");
  ASSIGN_OR_RETURN(int64_t version, GetInt(json, "version"));
  if (version != 1) return Error(StatusCode::kInvalidArgument, "config version " + std::to_string(version));
  VerifierConfig c;
  ASSIGN_OR_RETURN(c.url, GetString(json, "url"));
  ASSIGN_OR_RETURN(c.host, GetString(json, "host"));
  ASSIGN_OR_RETURN(c.client_id, GetString(json, "client_id"));
  ASSIGN_OR_RETURN(c.name, GetString(json, "name"));
  ASSIGN_OR_RETURN(c.listen, GetString(json, "listen"));
  ASSIGN_OR_RETURN(c.db, GetString(json, "db"));
  ASSIGN_OR_RETURN(c.trust_list, GetString(json, "trust_list"));
  ASSIGN_OR_RETURN(c.session_ttl_seconds, GetInt(json, "session_ttl_seconds"));
  ASSIGN_OR_RETURN(c.result_retention_seconds, GetInt(json, "result_retention_seconds"));
  if (c.client_id != "x509_san_dns:" + c.host) return Error(StatusCode::kInvalidArgument, "client_id is not x509_san_dns:host");
  if (c.session_ttl_seconds < 60 || c.session_ttl_seconds > 3600) {
    return Error(StatusCode::kInvalidArgument, "session_ttl_seconds must be 60 .. 3600");
  }
  if (c.result_retention_seconds < 0 || c.result_retention_seconds > 30 * 86400) {
    return Error(StatusCode::kInvalidArgument, "result_retention_seconds must be 0 .. 30 days");
  }
  if (c.trust_list.empty()) return Error(StatusCode::kInvalidArgument, "no trust list source");
  if (c.db != "sqlite" && !c.db.starts_with("postgresql://") && !c.db.starts_with("postgres://")) {
    return Error(StatusCode::kInvalidArgument, "db must be \"sqlite\" or a postgresql:// URL");
  }
  RETURN_IF_ERROR(CheckVerifierUrl(c.url, c.host));
  return c;
}

Result<VerifierConfig> LoadConfig(const std::string& data_dir) {
  const std::string path = data_dir + "/" + kConfigFile;
  if (!fs::exists(path)) return Error(StatusCode::kNotFound, "no " + path + " (run `verifier init`)");
  ASSIGN_OR_RETURN(std::string text, ReadText(path));
  ASSIGN_OR_RETURN(Json json, ParseJsonObject(text));
  ASSIGN_OR_RETURN(VerifierConfig c, VerifierConfigFromJson(json));
  c.data_dir = data_dir;
  return c;
}

Result<VerifierConfig> InitDataDir(const InitOptions& o) {
  if (o.data_dir.empty() || o.rp_dir.empty() || o.trust_list.empty()) {
    return Error(StatusCode::kInvalidArgument, "data dir, rp dir and trust list are required");
  }
  if (fs::exists(o.data_dir + "/" + kConfigFile)) {
    return Error(StatusCode::kInvalidArgument, o.data_dir + " already holds a verifier config");
  }
  auto rp = [&](const char* name) { return o.rp_dir + "/" + name; };
  for (const char* name : {kAccessKeyFile, kAccessCertFile, kRegistryRootFile, kRegistrationFile}) {
    if (!fs::exists(rp(name))) return Error(StatusCode::kInvalidArgument, "rp dir lacks " + std::string(name));
  }
  ASSIGN_OR_RETURN(std::string key_pem, ReadText(rp(kAccessKeyFile)));
  ASSIGN_OR_RETURN(std::string cert_pem, ReadText(rp(kAccessCertFile)));
  ASSIGN_OR_RETURN(std::string root_pem, ReadText(rp(kRegistryRootFile)));
  ASSIGN_OR_RETURN(std::string registration, ReadText(rp(kRegistrationFile)));
  ASSIGN_OR_RETURN(crypto::PrivateKey key, crypto::PrivateKey::FromPem(key_pem));
  ASSIGN_OR_RETURN(crypto::Certificate cert, crypto::Certificate::FromPem(cert_pem));
  ASSIGN_OR_RETURN(crypto::Certificate root, crypto::Certificate::FromPem(root_pem));
  (void)root;
  ASSIGN_OR_RETURN(crypto::PublicKey cert_key, cert.public_key());
  if (!cert_key.Equals(key.public_key())) {
    return Error(StatusCode::kInvalidArgument, "access_key.pem is not the key of access_cert.pem");
  }
  const std::vector<std::string> names = cert.dns_names();
  if (names.empty()) return Error(StatusCode::kInvalidArgument, "the access certificate has no dNSName");

  VerifierConfig c;
  c.data_dir = o.data_dir;
  c.host = names.front();
  c.client_id = "x509_san_dns:" + c.host;
  const std::vector<std::string> org = cert.subject_attributes("O");
  c.name = org.empty() ? c.host : org.front();
  c.url = o.url.value_or("https://" + c.host);
  while (c.url.ends_with("/")) c.url.pop_back();
  if (o.listen) c.listen = *o.listen;
  if (o.db) c.db = *o.db;
  if (o.session_ttl_seconds) c.session_ttl_seconds = *o.session_ttl_seconds;
  c.trust_list = o.trust_list;
  if (!c.trust_list.starts_with("http://") && !c.trust_list.starts_with("https://")) {
    std::error_code ec;
    const fs::path abs = fs::absolute(c.trust_list, ec);
    if (!ec) c.trust_list = abs.string();
  }
  // Validate before writing anything.
  ASSIGN_OR_RETURN(VerifierConfig checked, VerifierConfigFromJson(c.ToJson()));
  (void)checked;

  std::error_code ec;
  fs::create_directories(o.data_dir + "/" + kStatusCacheDir, ec);
  if (ec) return Error(StatusCode::kIoError, "cannot create " + o.data_dir + ": " + ec.message());
  ASSIGN_OR_RETURN(crypto::PrivateKey result_key, crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256));
  const SecretBytes result_pem = result_key.ExportPem();
  RETURN_IF_ERROR(WriteText(c.Path(kResultKeyFile), AsStringView(result_pem.view()), true));
  RETURN_IF_ERROR(WriteText(c.Path(kAccessKeyFile), key_pem, true));
  RETURN_IF_ERROR(WriteText(c.Path(kAccessCertFile), cert_pem, false));
  RETURN_IF_ERROR(WriteText(c.Path(kRegistryRootFile), root_pem, false));
  RETURN_IF_ERROR(WriteText(c.Path(kRegistrationFile), registration, false));
  RETURN_IF_ERROR(WriteText(c.Path(kConfigFile), DumpJson(c.ToJson()) + "\n", false));
  return c;
}

bool FollowBoundPort(VerifierConfig& config, uint16_t port) {
  std::string scheme, host, p;
  if (!SplitUrl(config.url, scheme, host, p) || p != "0") return false;
  if (host != "localhost" && host != "127.0.0.1") return false;
  config.url = scheme + "://" + host + ":" + std::to_string(port);
  return true;
}

}  // namespace bonafide::verifier
