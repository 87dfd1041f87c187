// verifier/config.h: the verifier's data directory and config.json (`bonafide verifier init`).
//
// Data directory:
//   config.json         VerifierConfig (below), version 1
//   access_key.pem      the relying party's access-certificate key (0600): signs Request Objects
//   access_cert.pem     its access certificate (SAN dNSName = the client_id host), sent as x5c
//   registry_root.pem   the trust registry's root: pins the trust list
//   registration.jwt    the registration JWT, sent as verifier_info (OpenID4VP section 5.1)
//   result_key.pem      the verifier's own ES256 key for check records (0600). Decision: a key of
//                       its own, not the access key: check records are evidence kept for years
//                       (employment plus two years), while the access certificate is renewed
//                       yearly and only authenticates requests; GET /check-record-key publishes
//                       the public JWK.
//   trust_list.jwt      the last good trust list (registry::TrustListCache's cache file)
//   status-cache/       the last good copy of each status list (one file per URI)
//   verifier.db         the SQLite session database (when db is "sqlite")
//
// URLs. `url` is the base of request_uri (url + "/request/{id}") and response_uri
// (url + "/response/{id}"). OpenID4VP 5.9.3 (through 8.2) requires the response_uri host to be the
// x509_san_dns client_id host, and oid4vp::CreateRequestObject enforces it: `url` must be https on
// the access certificate's SAN host, or, for loopback tests and demos only, http://localhost[:PORT]
// with a certificate naming "localhost" (the code base's usual loopback exception). A loopback
// url with port 0 follows the port `verifier serve` binds (FollowBoundPort).
//
// Thread safety: values and functions over files; no shared state.
#ifndef BONAFIDE_VERIFIER_CONFIG_H_
#define BONAFIDE_VERIFIER_CONFIG_H_

#include <cstdint>
#include <optional>
#include <string>

#include "base/clock.h"
#include "base/json.h"
#include "base/status.h"

namespace bonafide::verifier {

inline constexpr char kConfigFile[] = "config.json";
inline constexpr char kAccessKeyFile[] = "access_key.pem";
inline constexpr char kAccessCertFile[] = "access_cert.pem";
inline constexpr char kRegistryRootFile[] = "registry_root.pem";
inline constexpr char kRegistrationFile[] = "registration.jwt";
inline constexpr char kResultKeyFile[] = "result_key.pem";
inline constexpr char kTrustListCacheFile[] = "trust_list.jwt";
inline constexpr char kStatusCacheDir[] = "status-cache";
inline constexpr char kSqliteFile[] = "verifier.db";
inline constexpr int64_t kDefaultSessionTtlSeconds = 600;

// VerifierConfig is config.json. File members are relative to the data directory.
struct VerifierConfig {
  std::string data_dir{};  // not stored: where the config was loaded from
  std::string url{};        // base URL, no trailing slash
  std::string host{};       // the access certificate's SAN dNSName
  std::string client_id{};  // "x509_san_dns:" + host
  std::string name{};       // legal name (access certificate subject O, else the host)
  std::string listen = "127.0.0.1:0";
  std::string db = "sqlite";  // "sqlite" or a postgresql:// URL
  std::string trust_list{};   // a file path or an http(s) URL of the published trust list
  int64_t session_ttl_seconds = kDefaultSessionTtlSeconds;
  // Sessions stay readable (results) this long after they expire, then are purged.
  int64_t result_retention_seconds = 3600;

  // Path returns data_dir + "/" + name.
  std::string Path(const std::string& file) const;
  Json ToJson() const;
};

// VerifierConfigFromJson reads config.json's content; kInvalidClaims for a missing or mistyped
// member, kInvalidArgument for a value out of range (ttl 60 s .. 1 hour, the OpenID4VP request
// lifetime limit; retention 0 .. 30 days) or a url that breaks the rule above.
Result<VerifierConfig> VerifierConfigFromJson(const Json& json);

// InitOptions are the arguments of `verifier init`.
struct InitOptions {
  std::string data_dir{};
  std::string rp_dir{};      // `registry add-rp --out-dir`: access_key.pem, access_cert.pem, ...
  std::string trust_list{};  // file or URL
  std::optional<std::string> url{};  // default "https://" + host
  std::optional<std::string> listen{};
  std::optional<std::string> db{};
  std::optional<int64_t> session_ttl_seconds{};
};

// InitDataDir creates the data directory: copies the relying party's files, makes the result key,
// writes config.json. kInvalidArgument when config.json exists already, the rp_dir lacks a file,
// the key is not the certificate's, the certificate has no dNSName, the url breaks the rule
// above, or a value is out of range; kIoError when a file cannot be read or written; kMalformed /
// kInvalidKey for files that do not parse.
Result<VerifierConfig> InitDataDir(const InitOptions& options);

// LoadConfig reads DIR/config.json. kNotFound without it; VerifierConfigFromJson's errors.
Result<VerifierConfig> LoadConfig(const std::string& data_dir);

// FollowBoundPort replaces port 0 of a loopback http(s) url with `port`; returns whether it did.
bool FollowBoundPort(VerifierConfig& config, uint16_t port);

// CheckVerifierUrl checks `url` against `host` (the rule in the file comment). kInvalidArgument.
Status CheckVerifierUrl(const std::string& url, const std::string& host);

}  // namespace bonafide::verifier

#endif  // BONAFIDE_VERIFIER_CONFIG_H_
