// issuer/config.h: the issuer's configuration (DATA_DIR/issuer.json), its signing keys, and
// `bonafide issuer init` (InitDataDir): keys, IACA + document signer, status lists, config,
// admin token and server secret, optionally demo citizens.
//
// issuer.json (every relative file name is relative to the data directory):
//   {"issuer_url": "https://issuer.example.gov.uk", "listen": "127.0.0.1:8443",
//    "db": "sqlite" | "postgresql://...",            // sqlite: DATA_DIR/issuer.db
//    "admin_token_file": "admin-token", "server_secret_file": "server-secret",
//    "keys": {"sd_jwt": [{"kid", "file", "active"}],   // JWK or PKCS#8 PEM private keys
//             "vc_jwt": {"did": "did:web:...", "keys": [{"kid", "file", "active"}]},
//             "mdoc": [{"kid", "key_file", "chain_file", "active"}],  // DS key + chain PEM (DS first)
//             "iaca": ["iaca.pem", ...]},
//    "status_lists": [{"id", "kind": "token_status_list" | "bitstring", "bits", "size"}],
//    "status_ttl_seconds": 43200, "batch_size": 3, "offer_seconds", "code_seconds",
//    "token_seconds", "nonce_seconds", "tx_code_attempts": 3, "tx_code_length": 6,
//    "display": [{"locale": "en", "name": ...}, {"locale": "cy", "name": ...}],
//    "credential_configurations": {...}}              // absent: the embedded UK catalogue
// Each key list has exactly one active key; retired keys stay listed so that their public keys
// are still published (JWT VC issuer metadata, did.json, IACA list) until what they signed expires.
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

// KeyRef names one signing key file.
struct KeyRef {
  std::string kid;
  std::string file;
  bool active = false;
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

// StatusListSpec is one hosted status list.
struct StatusListSpec {
  std::string id;
  StatusListKind kind = StatusListKind::kTokenStatusList;
  int bits = 2;
  int64_t size = 100000;
};

// IssuerConfig is the parsed, validated issuer.json.
struct IssuerConfig {
  std::string data_dir;
  std::string issuer_url;  // Credential Issuer Identifier: https (http only on loopback)
  std::string listen = "127.0.0.1:8443";
  std::string db = "sqlite";
  std::string admin_token_file = "admin-token";
  std::string server_secret_file = "server-secret";
  std::vector<KeyRef> sd_jwt_keys;
  std::string vc_did;  // did:web of the jwt_vc_json issuer
  std::vector<KeyRef> vc_jwt_keys;
  std::vector<MdocSignerRef> mdoc_signers;
  std::vector<std::string> iaca_files;
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
  // ToJson returns issuer.json's content.
  Json ToJson() const;
  // FromJson validates `doc`. kInvalidArgument (naming the member) for a missing or mistyped
  // member, an issuer_url that is not https (http passes on loopback only), a key list without
  // exactly one active key or with repeated kids, a vc did that is not did:web, a status list
  // the catalogue names but the config does not define, a bound out of range; the catalogue's
  // errors (catalogue.h).
  static Result<IssuerConfig> FromJson(const Json& doc, std::string data_dir);
};

// LoadIssuerConfig reads and validates DATA_DIR/issuer.json: kIoError when unreadable, kMalformed
// for bad JSON, and FromJson's errors.
Result<IssuerConfig> LoadIssuerConfig(const std::string& data_dir);

// SigningKey is a loaded signing key and its kid.
struct SigningKey {
  std::string kid;
  crypto::PrivateKey key;
  bool active = false;
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
  std::vector<crypto::Certificate> iacas;
  SecretBytes server_secret;  // HMAC key for codes, tx_codes and access tokens (>= 32 bytes)
  SecretBytes admin_token;    // the admin API bearer token (text bytes)

  const SigningKey& active_sd_jwt() const;
  const SigningKey& active_vc_jwt() const;
  const DocumentSigner& active_mdoc() const;
};

// LoadIssuerKeys reads every key file of `config`: kIoError when a file is unreadable,
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
};

// InitDataDir creates `dir` (if absent) with fresh ES256 keys for SD-JWT VC and VC-JWT, an IACA
// root and a document signer (mdoc/iaca.h), a server secret, an admin token (0600 files),
// issuer.json with the embedded UK catalogue, the database with the status lists "token-1"
// (Token Status List, 2 bits, 100000 entries) and "bitstring-1" (Bitstring, 1 bit, 131072
// entries), and with `demo` the demo citizens. kInvalidArgument when issuer.json already exists
// or an option is bad; kIoError when a file cannot be written; the store's errors.
Result<IssuerConfig> InitDataDir(const std::string& dir, const InitOptions& options, const Clock& clock);

// DemoCitizens returns the fictional demo citizen records (docs/credentials.md, "Citizen
// records"): {"id": ..., "claims": {configuration id: claims in that format's shape}}.
std::vector<Json> DemoCitizens();

// DidWebFromUrl returns the did:web DID of an https URL's host (port encoded as %3A, path
// segments as ':'); kInvalidArgument when `url` has no host.
Result<std::string> DidWebFromUrl(std::string_view url);

}  // namespace bonafide::issuer

#endif  // BONAFIDE_ISSUER_CONFIG_H_
