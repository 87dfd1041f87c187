// registry/registry.h: the registrar's side of the trust registry (`bonafide registry ...`): a
// data directory holding the registrar's CA and the register of trusted issuers and relying
// parties, and the operations that change it: init, add an issuer, register a relying party
// (issuing its access certificate and registration JWT), suspend / reinstate it, and publish the
// signed trust list (registry/trust_list.h).
//
// Data directory:
//   registry.json    the state: {"version": 1, "id", "name", "trust_list_ttl_seconds",
//                    "sequence", "created_at", "issuers": [...], "relying_parties": [...]}
//   root.pem         the registry root CA certificate (self-signed, CA, keyCertSign + cRLSign,
//                    10 years); root.key.pem its ES256 key (0600)
//   signer.pem       the trust-list signer certificate (issued by the root, digitalSignature,
//                    3 years); signer.key.pem its ES256 key (0600)
//   registry.lock    the advisory lock every change holds
// Storage: the state is one JSON file replaced atomically (temp file, fsync, rename, fsync of the
// directory) under an exclusive flock, re-read inside the lock before each change, so concurrent
// CLI invocations serialise and a crash leaves the old or the new state. This suits a registrar's
// hundreds to thousands of entries; it is not a database.
//
// Relying-party credentials (AddRelyingParty with an out_dir) are written as
//   access_key.pem     the access certificate's fresh ES256 private key (PKCS#8, 0600)
//   access_cert.pem    the access certificate alone (leaf, issued directly by the root)
//   registry_root.pem  the registry root, separately (what verifiers chain the leaf to)
//   registration.jwt   the registration JWT
//
// Thread safety: a Registry object is not thread-safe; use one per thread. Changes by other
// processes are serialised by the lock. Ownership: the Registry holds the registrar's keys.
#ifndef BONAFIDE_REGISTRY_REGISTRY_H_
#define BONAFIDE_REGISTRY_REGISTRY_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/json.h"
#include "base/status.h"
#include "crypto/keys.h"
#include "crypto/x509.h"
#include "registry/purposes.h"
#include "registry/trust_list.h"

namespace bonafide::registry {

inline constexpr std::string_view kStateFileName = "registry.json";
inline constexpr int64_t kDay = 86400;
inline constexpr int64_t kRootValiditySeconds = 3653 * kDay;        // 10 years
inline constexpr int64_t kSignerValiditySeconds = 1096 * kDay;      // 3 years
inline constexpr int64_t kAccessCertValiditySeconds = 365 * kDay;   // 1 year
inline constexpr int64_t kRegistrationValiditySeconds = 365 * kDay; // 1 year

// InitOptions are the arguments of `registry init`.
struct InitOptions {
  std::string name = "bonafide trust registry";  // the registrar's name (certificate O, list name)
  std::string id = "urn:uk:gov:bonafide:trust-registry";  // the list's iss
  int64_t trust_list_ttl_seconds = 24 * 3600;  // next_update - iat, 1 hour .. 31 days
};

// RpRequest is a relying party's application.
struct RpRequest {
  std::string name;                 // legal name
  std::string client_id;            // client_id host
  std::string registration_number;  // optional, printable ASCII, at most 64 characters
  std::vector<std::string> purposes;
  // allow_localhost permits client_id "localhost" (a verifier on the wallet's own machine: local
  // demos and tests). Off, "localhost" is refused like any other single-label name.
  bool allow_localhost = false;
};

// RpCredentials is what registering a relying party produced.
struct RpCredentials {
  RelyingParty entry;
  crypto::Certificate access_certificate;
  crypto::PrivateKey access_key;
  std::string registration_jwt;
};

class Registry {
 public:
  // Init creates `dir` (if absent) with a fresh root CA, trust-list signer and empty state.
  // kInvalidArgument when registry.json already exists, for an empty name or id, or a ttl out of
  // range; kIoError when a file cannot be written.
  static Result<Registry> Init(const std::string& dir, const InitOptions& options, const Clock& clock);
  // Open loads a data directory: kNotFound without registry.json, kIoError, kMalformed /
  // kInvalidClaims for a damaged state file, kInvalidKey / kMalformed for damaged key material.
  static Result<Registry> Open(const std::string& dir);

  const std::string& dir() const { return dir_; }
  const std::string& id() const { return id_; }
  const std::string& name() const { return name_; }
  int64_t trust_list_ttl_seconds() const { return ttl_; }
  int64_t sequence() const { return sequence_; }
  const crypto::Certificate& root_certificate() const { return root_cert_; }
  const crypto::Certificate& signer_certificate() const { return signer_cert_; }
  const std::vector<TrustedIssuer>& issuers() const { return issuers_; }
  const std::vector<RelyingParty>& relying_parties() const { return relying_parties_; }

  // AddIssuer adds a trusted issuer (added_at = now). ValidateTrustedIssuer's errors;
  // kInvalidArgument when an issuer with the same id is already registered. Nothing changes on
  // error.
  Status AddIssuer(TrustedIssuer issuer, const Clock& clock);

  // AddRelyingParty registers a relying party: issues its access certificate (subject O = legal
  // name, CN = host; SAN dNSName = host; digitalSignature; 1 year; signed by the root) for a fresh
  // ES256 key and signs its registration JWT (file comment). With a non-empty `out_dir` (created
  // if absent) the credentials are written there before the state is saved (and removed again if
  // saving fails). kInvalidArgument for a bad host (ValidateHost), an empty name, a bad
  // registration number, an unknown, repeated or missing purpose, a client_id already registered,
  // or an out_dir that already holds access_key.pem; kIoError. Nothing changes on error.
  Result<RpCredentials> AddRelyingParty(const RpRequest& request, const std::string& out_dir, const Clock& clock);

  // SetRelyingPartyStatus suspends or reinstates `client_id`. kNotFound for an unknown client_id,
  // kInvalidArgument when it already has that status; kIoError.
  Status SetRelyingPartyStatus(std::string_view client_id, RpStatus status);

  // Publish signs the trust list (trust_list.h) with sequence = the previous one + 1 (persisted
  // before the list is returned, so no two lists share a sequence), iat = now and next_update =
  // now + the ttl. kIoError when the state cannot be saved.
  Result<std::string> Publish(const Clock& clock);

  // Summary returns {"id", "name", "sequence", "trust_list_ttl_seconds", "root_sha256",
  // "issuers": [{"id", "name", "credentials": ["format:type", ...]}], "relying_parties": [...]}
  // for `registry list`.
  Json Summary() const;

 private:
  Registry(std::string dir, crypto::PrivateKey root_key, crypto::Certificate root_cert, crypto::PrivateKey signer_key,
           crypto::Certificate signer_cert)
      : dir_(std::move(dir)),
        root_key_(std::move(root_key)),
        root_cert_(std::move(root_cert)),
        signer_key_(std::move(signer_key)),
        signer_cert_(std::move(signer_cert)) {}
  std::string Path(std::string_view name) const;
  Status LoadState();
  Status SaveState() const;
  Json StateJson() const;

  std::string dir_;
  crypto::PrivateKey root_key_;
  crypto::Certificate root_cert_;
  crypto::PrivateKey signer_key_;
  crypto::Certificate signer_cert_;
  std::string id_;
  std::string name_;
  int64_t ttl_ = 24 * 3600;
  int64_t sequence_ = 0;
  int64_t created_at_ = 0;
  std::vector<TrustedIssuer> issuers_;
  std::vector<RelyingParty> relying_parties_;
};

}  // namespace bonafide::registry

#endif  // BONAFIDE_REGISTRY_REGISTRY_H_
