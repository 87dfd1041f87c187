// issuer/config.h: the issuer's configuration (DATA_DIR/issuer.json), its signing keys, and
// `bonafide issuer init` (InitDataDir): keys, IACA + document signer, status lists, config,
// admin token and server secret, optionally demo citizens.
//
// issuer.json (every relative file name is relative to the data directory):
//   {"issuer_url": "https://issuer.example.gov.uk", "listen": "127.0.0.1:8443",
//    "tls": {"cert_file": "tls/cert.pem", "key_file": "tls/key.pem"},  // optional: serve HTTPS
//    "db": "sqlite" | "postgresql://...",            // sqlite: DATA_DIR/issuer.db
//    "admin_token_file": "admin-token", "server_secret_file": "server-secret",
//    "keys": {"sd_jwt": [KEY, ...],                  // JWK or PKCS#8 PEM private keys
//             "vc_jwt": {"did": "did:web:...", "keys": [KEY, ...]},
//             "mdoc": [{"kid", "key_file", "chain_file", "active"}],  // DS key + chain PEM (DS first)
//             "iaca": ["iaca.pem" | {"file", "retired_at"?, "not_after"?}, ...]},
//    "status_lists": [{"id", "kind": "token_status_list" | "bitstring", "format"?: "jwt" | "cwt",
//                      "bits", "size"}],
//    "status_ttl_seconds": 43200, "batch_size": 3, "offer_seconds", "code_seconds",
//    "token_seconds", "nonce_seconds", "tx_code_attempts": 3, "tx_code_length": 6,
//    "display": [{"locale": "en", "name": ...}, {"locale": "cy", "name": ...}],
//    "credential_configurations": {...}}              // absent: the embedded UK catalogue
// where KEY is {"kid", "file", "active"?, "retired_at"?, "not_after"?}.
//
// TLS: with "tls", `issuer serve` speaks HTTPS only (cert_file: PEM chain, leaf first; key_file:
// PEM private key); both members are required, and the issuer_url must then be https. Without
// it the server speaks plain HTTP (for a TLS-terminating proxy in front, or loopback demos).
// `issuer init --tls` makes a throwaway local CA (tls/ca.pem, its key discarded) and a server
// certificate for 127.0.0.1, ::1 and localhost (tls/cert.pem, tls/key.pem); clients trust
// tls/ca.pem (`--ca-file`, curl --cacert).
//
// Status lists: a token_status_list is published as a Token Status List JWT
// (application/statuslist+jwt, "format": "jwt", the default) or CWT (application/statuslist+cwt,
// a COSE_Sign1, "format": "cwt"); both are signed by the active sd_jwt key (kid in the header).
// jwt_vc_json configurations must use a bitstring list, dc+sd-jwt ones a JWT token list, and
// mso_mdoc ones a token list of either format (`issuer init --mdoc-status-cwt` points them at a
// CWT list "cwt-1"; by default they share the JWT list "token-1").
//
// Keys and rotation: each key list (sd_jwt, vc_jwt.keys, mdoc) has exactly one active key, the
// one that signs. The others are retired (or staged) keys whose public keys are still published
// (sd_jwt: /.well-known/jwt-vc-issuer; vc_jwt: /.well-known/did.json; iaca: /iacas) so that what
// they signed keeps verifying. A retired key is published while now <= until, where until is its
// "not_after" when given, else "retired_at" + the longest validity of anything it could have
// signed (sd_jwt: the dc+sd-jwt configurations' valid_days and status list tokens' 2 x
// status_ttl_seconds; vc_jwt: the jwt_vc_json configurations' valid_days and 2 x
// status_ttl_seconds; iaca: the mso_mdoc configurations' valid_days); a non-active key with
// neither stays published. retired_at / not_after are Unix seconds and only allowed on non-active
// keys; every IACA without them counts as current.
//
// Thread safety: IssuerConfig and IssuerKeys are values, immutable once loaded.
#ifndef BONAFIDE_ISSUER_CONFIG_H_
#define BONAFIDE_ISSUER_CONFIG_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/json.h"
#include "base/secret.h"
#include "base/status.h"
#include "crypto/keys.h"
#include "crypto/x509.h"
#include "issuer/catalogue.h"
#include "store/store.h"

namespace bonafide::issuer {

// kConfigFileName is the configuration file inside the data directory.
inline constexpr std::string_view kConfigFileName = "issuer.json";

// KeyRef names one signing key file. retired_at / not_after (non-active keys only) bound how
// long its public key stays published (file comment, "Keys and rotation").
struct KeyRef {
  std::string kid;
  std::string file;
  bool active = false;
  std::optional<int64_t> retired_at;
  std::optional<int64_t> not_after;
};

// IacaRef names one IACA root certificate file (PEM, one or more certificates), with the same
// retirement bounds as KeyRef.
struct IacaRef {
  std::string file;
  std::optional<int64_t> retired_at;
  std::optional<int64_t> not_after;
};

// MdocSignerRef names a document signer key and its certificate chain (PEM, DS first).
struct MdocSignerRef {
  std::string kid;
  std::string key_file;
  std::string chain_file;
  bool active = false;
};

// StatusListKind is how a hosted list is published: IETF Token Status List JWT
// (draft-ietf-oauth-status-list) or W3C Bitstring Status List credential (1 bit, revocation).
enum class StatusListKind { kTokenStatusList, kBitstring };

// StatusListFormat is how a Token Status List is signed: a JWT (statuslist+jwt) or a CWT
// (COSE_Sign1, application/statuslist+cwt), draft-ietf-oauth-status-list sections 5.1 / 5.2.
enum class StatusListFormat { kJwt, kCwt };

// StatusListSpec is one hosted status list.
struct StatusListSpec {
  std::string id;
  StatusListKind kind = StatusListKind::kTokenStatusList;
  StatusListFormat format = StatusListFormat::kJwt;  // token_status_list only
  int bits = 2;
  int64_t size = 100000;
};

// IssuerConfig is the parsed, validated issuer.json.
struct IssuerConfig {
  std::string data_dir;
  std::string issuer_url;  // Credential Issuer Identifier: https (http only on loopback)
  std::string listen = "127.0.0.1:8443";
  std::string tls_cert_file;  // both set: serve HTTPS; both empty: plain HTTP
  std::string tls_key_file;
  std::string db = "sqlite";
  std::string admin_token_file = "admin-token";
  std::string server_secret_file = "server-secret";
  std::vector<KeyRef> sd_jwt_keys;
  std::string vc_did;  // did:web of the jwt_vc_json issuer
  std::vector<KeyRef> vc_jwt_keys;
  std::vector<MdocSignerRef> mdoc_signers;
  std::vector<IacaRef> iaca_files;
  std::vector<StatusListSpec> status_lists;
  int64_t status_ttl_seconds = 43200;
  int64_t batch_size = 3;          // 1..100 (1: no batch issuance)
  int64_t offer_seconds = 7 * 86400;
  int64_t code_seconds = 7 * 86400;
  int64_t token_seconds = 600;
  int64_t nonce_seconds = 300;
  int64_t tx_code_attempts = 3;    // 1..10
  int64_t tx_code_length = 6;      // 4..12 digits
  Json display = Json::array();    // issuer display entries (en, cy)
  Json credential_configurations;  // the catalogue object (see catalogue.h)
  Catalogue catalogue;             // parsed from credential_configurations

  // Path returns `file` resolved against data_dir (absolute paths unchanged).
  std::string Path(std::string_view file) const;
  // SqlitePath returns DATA_DIR/issuer.db.
  std::string SqlitePath() const;
  // has_tls says the config names a TLS certificate and key.
  bool has_tls() const { return !tls_cert_file.empty(); }
  // LongestValiditySeconds returns the longest validity of anything a key of `purpose` signs
  // ("sd_jwt", "vc_jwt" or "iaca"; see the file comment), 0 for another purpose.
  int64_t LongestValiditySeconds(std::string_view purpose) const;
  // ToJson returns issuer.json's content.
  Json ToJson() const;
  // FromJson validates `doc`. kInvalidArgument (naming the member) for a missing or mistyped
  // member, an issuer_url that is not https (http passes on loopback only, and not with tls),
  // half a tls object, a key list without exactly one active key or with repeated kids,
  // retired_at / not_after on an active key or negative, a vc did that is not did:web, a status
  // list the catalogue names but the config does not define or whose kind / format does not fit
  // the configuration's format, a "format" on a bitstring list, a bound out of range; the
  // catalogue's errors (catalogue.h).
  static Result<IssuerConfig> FromJson(const Json& doc, std::string data_dir);
};

// LoadIssuerConfig reads and validates DATA_DIR/issuer.json: kIoError when unreadable, kMalformed
// for bad JSON, and FromJson's errors.
Result<IssuerConfig> LoadIssuerConfig(const std::string& data_dir);

// SigningKey is a loaded signing key and its kid. publish_until (retired keys only): the last
// second its public key is published; nullopt: always.
struct SigningKey {
  std::string kid;
  crypto::PrivateKey key;
  bool active = false;
  std::optional<int64_t> publish_until;

  // PublishedAt says whether the public key is published at `now`.
  bool PublishedAt(int64_t now) const { return !publish_until.has_value() || now <= *publish_until; }
};

// IacaRoot is a loaded IACA root certificate with its publication bound (as SigningKey).
struct IacaRoot {
  crypto::Certificate certificate;
  std::optional<int64_t> publish_until;

  bool PublishedAt(int64_t now) const { return !publish_until.has_value() || now <= *publish_until; }
};

// DocumentSigner is a loaded mdoc document signer: key, chain (DS first) and DER chain.
struct DocumentSigner {
  std::string kid;
  crypto::PrivateKey key;
  std::vector<crypto::Certificate> chain;
  std::vector<Bytes> chain_der;
  bool active = false;
};

// IssuerKeys are the keys and secrets a running issuer holds.
struct IssuerKeys {
  std::vector<SigningKey> sd_jwt;
  std::vector<SigningKey> vc_jwt;
  std::vector<DocumentSigner> mdoc;
  std::vector<IacaRoot> iacas;
  SecretBytes server_secret;  // HMAC key for codes, tx_codes and access tokens (>= 32 bytes)
  SecretBytes admin_token;    // the admin API bearer token (text bytes)

  const SigningKey& active_sd_jwt() const;
  const SigningKey& active_vc_jwt() const;
  const DocumentSigner& active_mdoc() const;
};

// LoadIssuerKeys reads every key file of `config` and works out each retired key's
// publish_until (file comment, "Keys and rotation"): kIoError when a file is unreadable,
// kInvalidKey for a key that does not parse, kMalformed for a chain or IACA that does not parse,
// kInvalidArgument for a server secret shorter than 32 bytes or an empty admin token.
Result<IssuerKeys> LoadIssuerKeys(const IssuerConfig& config);

// OpenIssuerStore opens the configured database (SQLite file or PostgreSQL URL); the store's
// errors (kIoError, kInvalidArgument).
Result<std::unique_ptr<store::IssuerStore>> OpenIssuerStore(const IssuerConfig& config);

// EnsureStatusLists creates the config's status lists that the store does not have yet.
Status EnsureStatusLists(const IssuerConfig& config, store::IssuerStore& store, int64_t now);

// InitOptions are the arguments of `bonafide issuer init`.
struct InitOptions {
  std::string issuer_url = "https://issuer.example.gov.uk";
  std::string db = "sqlite";
  bool demo = false;  // seed the demo citizens of DemoCitizens()
  // tls: make a throwaway local CA and a server certificate for 127.0.0.1 / localhost (and the
  // issuer URL's host name) under DIR/tls, and configure "tls"; needs an https issuer_url.
  bool tls = false;
  // mdoc_status_cwt: add the CWT Token Status List "cwt-1" and point the mso_mdoc
  // configurations at it (default: they use the JWT list "token-1").
  bool mdoc_status_cwt = false;
};

// InitDataDir creates `dir` (if absent) with fresh ES256 keys for SD-JWT VC and VC-JWT, an IACA
// root and a document signer (mdoc/iaca.h), a server secret, an admin token (0600 files),
// issuer.json with the embedded UK catalogue, the database with the status lists "token-1"
// (Token Status List, 2 bits, 100000 entries) and "bitstring-1" (Bitstring, 1 bit, 131072
// entries), and with `demo` the demo citizens; `tls` and `mdoc_status_cwt` as InitOptions says.
// kInvalidArgument when issuer.json already exists or an option is bad (tls with an http
// issuer_url); kIoError when a file cannot be written; the store's errors.
Result<IssuerConfig> InitDataDir(const std::string& dir, const InitOptions& options, const Clock& clock);

// DemoCitizens returns the fictional demo citizen records (docs/credentials.md, "Citizen
// records"): {"id": ..., "claims": {configuration id: claims in that format's shape}}.
std::vector<Json> DemoCitizens();


}  // namespace bonafide::issuer

#endif  // BONAFIDE_ISSUER_CONFIG_H_
