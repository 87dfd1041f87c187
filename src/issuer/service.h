// issuer/service.h: the OpenID4VCI 1.0 Credential Issuer with its built-in authorisation server
// (Pre-Authorized Code Flow), its admin operations and its hosted status lists, transport-free:
// the HTTP layer (src/http) passes bodies and headers in and writes out what comes back.
//
// Endpoints (OID4VCI 1.0): metadata (12.2), Token (6, RFC 6749), Nonce (7), Credential (8) with
// `jwt` proofs (Appendix F) and batch issuance (one credential per proof key, up to batch_size),
// Notification (11). Every failure is an oid4vci::ErrorResponse with the exact error code.
// Secrets (pre-authorized codes, tx_codes) are stored only as HMAC-SHA256(server secret,
// purpose || value); access tokens are not stored at all (they are sealed, see Token).
// Everything one Credential Request writes (nonce consumption, status indices, issued-credential
// records, the audit entry) happens in one store transaction, so a failure leaves nothing
// half-written.
//
// Thread safety: every method may be called concurrently from many threads; the store,
// keys and config are shared read-only, the published status-list cache is mutex-guarded.
// Ownership: the service owns its store; the Clock and Random passed to Create must outlive it.
#ifndef BONAFIDE_ISSUER_SERVICE_H_
#define BONAFIDE_ISSUER_SERVICE_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <variant>
#include <vector>

#include "base/clock.h"
#include "base/json.h"
#include "base/random.h"
#include "base/status.h"
#include "issuer/config.h"
#include "oid4vci/credential.h"
#include "oid4vci/errors.h"
#include "oid4vci/token.h"
#include "store/store.h"

namespace bonafide::issuer {

// OfferResult is what CreateOffer returns; the code and tx_code are shown only here.
struct OfferResult {
  std::string offer_id;
  std::string offer_uri;            // openid-credential-offer://?credential_offer=... (by value)
  std::string pre_authorized_code;  // secret: hand it to the citizen only
  std::optional<std::string> tx_code;  // secret, shown once, sent out of band
  int64_t expires_at = 0;
};

// TokenOutcome / NonceOutcome / CredentialOutcome / NotificationOutcome are an endpoint's
// success body or its OID4VCI error.
using TokenOutcome = std::variant<oid4vci::TokenResponse, oid4vci::ErrorResponse>;
using CredentialOutcome = std::variant<oid4vci::CredentialResponse, oid4vci::ErrorResponse>;
// NotificationAccepted is the empty success of the Notification Endpoint (HTTP 204).
struct NotificationAccepted {};
using NotificationOutcome = std::variant<NotificationAccepted, oid4vci::ErrorResponse>;

// PendingIssuance is a Credential Request between the steps of PrepareCredential /
// CommitCredential / FinishCredential (defined in service.cc).
struct PendingIssuance;
// PreparedCredential is PrepareCredential's result: the pending issuance or the error to answer.
using PreparedCredential = std::variant<std::shared_ptr<PendingIssuance>, oid4vci::ErrorResponse>;

// PublishedStatusList is a hosted status list ready to serve.
struct PublishedStatusList {
  // application/statuslist+jwt, application/statuslist+cwt or application/vc+jwt
  std::string content_type;
  std::string body;          // the compact JWT, or the CWT's bytes (binary)
  std::string etag;          // quoted, changes with the list's version
  int64_t max_age = 0;       // Cache-Control max-age (the list's ttl)
  int64_t version = 0;       // the store's list version it shows
  int64_t signed_at = 0;     // when it was signed (reused while younger than max_age / 2)
};

// AdminTarget selects credentials for Revoke / Suspend / Reinstate: one credential by id, or
// every credential (every batch copy) of a citizen and configuration.
struct AdminTarget {
  std::optional<std::string> credential_id;
  std::optional<std::string> citizen_id;
  std::optional<std::string> configuration_id;
};

// PublishedJwtVcIssuerMetadata / PublishedDidDocument / PublishedIacas build what
// IssuerService::JwtVcIssuerMetadata / DidDocument / Iacas return, from a config and its keys at
// `now`, for tools that read a data directory without running the service (`bonafide registry
// add-issuer --from-issuer`).
Json PublishedJwtVcIssuerMetadata(const IssuerConfig& config, const IssuerKeys& keys, int64_t now);
Json PublishedDidDocument(const IssuerConfig& config, const IssuerKeys& keys, int64_t now);
std::vector<std::string> PublishedIacas(const IssuerKeys& keys, int64_t now);

// AccessGrant is what an access token authorises (the Token Endpoint seals it into the token).
struct AccessGrant {
  std::string offer_id;
  std::string citizen_id;
  std::string credential_configuration_id;
  int64_t expires_at = 0;  // Unix seconds; the token is refused from this second on
};

// IssuerService is the issuer core. Create it with IssuerService::Create.
class IssuerService {
 public:
  // Create loads the keys of `config` (LoadIssuerKeys errors) and checks that the store holds
  // every configured status list (kNotFound otherwise; EnsureStatusLists creates them).
  static Result<std::unique_ptr<IssuerService>> Create(IssuerConfig config,
                                                       std::unique_ptr<store::IssuerStore> store,
                                                       const Clock& clock, Random& random);

  IssuerService(const IssuerService&) = delete;
  IssuerService& operator=(const IssuerService&) = delete;

  // --- metadata ---
  // CredentialIssuerMetadata returns /.well-known/openid-credential-issuer.
  Json CredentialIssuerMetadata() const;
  // AuthorizationServerMetadata returns /.well-known/oauth-authorization-server.
  Json AuthorizationServerMetadata() const;
  // JwtVcIssuerMetadata returns /.well-known/jwt-vc-issuer: {issuer, jwks} with the active
  // SD-JWT VC key and every retired one still published now (SigningKey::PublishedAt at the
  // clock's time; config.h, "Keys and rotation"), each with its kid.
  Json JwtVcIssuerMetadata() const;
  // DidDocument returns /.well-known/did.json: the did:web document of the VC-JWT keys
  // published now (as for JwtVcIssuerMetadata).
  Json DidDocument() const;
  // Iacas returns the IACA root certificates published now as PEM (for /iacas).
  std::vector<std::string> Iacas() const;

  // --- OID4VCI endpoints ---
  // CreateOffer makes a pre-authorized offer of `configuration_id` for `citizen_id`, with a
  // numeric tx_code when asked. kNotFound for an unknown citizen or configuration; the store's
  // errors.
  Result<OfferResult> CreateOffer(std::string_view citizen_id, std::string_view configuration_id,
                                  bool with_tx_code, std::string_view actor = "admin");
  // Token answers a Token Request (form body). Errors: unsupported_grant_type, invalid_request
  // (malformed body; no tx_code for an offer that requires one, or one for an offer that takes
  // none: these consume neither the code nor an attempt), invalid_grant (unknown, used or
  // expired code; wrong tx_code, which counts an attempt; attempts used up).
  TokenOutcome Token(std::string_view form_body);
  // Nonce returns a fresh c_nonce: stateless (MAC and expiry inside, see service.cc), spent once
  // by the Credential Request that uses it. Never fails in practice (HMAC errors only).
  Result<oid4vci::NonceResponse> Nonce();
  // Credential answers a Credential Request. `authorization` is the Authorization header value.
  // Errors: invalid_token (missing, malformed, unknown or expired bearer token),
  // invalid_credential_request (bad body, more proofs than batch_size),
  // unknown_credential_configuration (not in the catalogue), credential_request_denied (a
  // configuration other than the offer's; no claims for it in the citizen record),
  // unknown_credential_identifier (credential_identifier is not supported), invalid_proof,
  // invalid_nonce (unknown, used, expired or mismatched c_nonce).
  CredentialOutcome Credential(std::string_view authorization, std::string_view body);
  // The Credential Endpoint in three steps, for servers that keep durable waits off the threads
  // that do the cryptography (http_routes.cc runs CommitCredential on the HTTP server's blocking
  // pool); Credential() is the three in a row, with the same errors:
  //   PrepareCredential checks the token, the request and its proofs and reads the citizen's
  //     claims: CPU work and store reads, nothing written;
  //   CommitCredential makes the one durable write (nonce spent, status indices, records, audit
  //     entry): it waits for the commit;
  //   FinishCredential signs the credentials (after a successful commit only).
  // A PendingIssuance may move between threads but is used by one at a time.
  PreparedCredential PrepareCredential(std::string_view authorization, std::string_view body);
  std::optional<oid4vci::ErrorResponse> CommitCredential(PendingIssuance& pending);
  CredentialOutcome FinishCredential(PendingIssuance& pending);
  // Notification answers a Notification Request: invalid_token, invalid_notification_request,
  // invalid_notification_id (not a batch issued to this token's citizen and configuration).
  NotificationOutcome Notification(std::string_view authorization, std::string_view body);

  // --- admin ---
  // CheckAdminToken compares `presented` with the admin token in constant time.
  bool CheckAdminToken(std::string_view presented) const;
  // UpsertCitizen stores a citizen record {"id": ..., "claims": {...}} (docs/credentials.md).
  // kMalformed for bad JSON; kInvalidClaims for a missing id or non-object claims; store errors.
  Status UpsertCitizen(std::string_view record_json, std::string_view actor = "admin");
  // ImportCitizens upserts many records in one transaction (all or nothing); the error names
  // the first bad row's position.
  Status ImportCitizens(const std::vector<std::string>& records_json, std::string_view actor = "admin");
  // Revoke / Suspend / Reinstate set the status of the target credentials (every batch copy),
  // write the audit log and republish the affected lists; they return the credential ids
  // changed. kNotFound when nothing matches; kInvalidArgument for an empty target or a
  // suspension on a bitstring (revocation-only) list.
  Result<std::vector<std::string>> Revoke(const AdminTarget& target, std::string_view actor = "admin");
  Result<std::vector<std::string>> Suspend(const AdminTarget& target, std::string_view actor = "admin");
  Result<std::vector<std::string>> Reinstate(const AdminTarget& target, std::string_view actor = "admin");
  // ListIssued returns the records of what was issued to `citizen_id`, oldest first.
  Result<std::vector<store::IssuedCredential>> ListIssued(std::string_view citizen_id);
  // StatusListToken returns the published form of list `list_id` (re-signed when the list
  // changed since the last publication). kNotFound for an unknown list.
  Result<PublishedStatusList> StatusListToken(std::string_view list_id);
  // StatusListUri returns issuer_url + "/status/" + list_id.
  std::string StatusListUri(std::string_view list_id) const;
  // PurgeExpired deletes the spent nonces, pre-authorized codes and offers expired at
  // the clock's time (store::IssuerStore::PurgeExpired) and returns how many rows went; the
  // store's errors.
  Result<int64_t> PurgeExpired();

  const IssuerConfig& config() const { return config_; }
  store::IssuerStore& store() { return *store_; }

 private:
  IssuerService(IssuerConfig config, IssuerKeys keys, SecretBytes access_token_key,
                std::unique_ptr<store::IssuerStore> store, const Clock& clock, Random& random);
  Result<Bytes> HashSecret(std::string_view purpose, std::string_view value) const;
  // CheckNonce returns the expiry of a c_nonce this issuer made (Nonce); kNotFound for any other
  // string, kExpired at or after its expiry. Whether it was spent is the store's to say.
  Result<int64_t> CheckNonce(std::string_view nonce) const;
  Result<AccessGrant> CheckBearer(std::string_view authorization) const;
  // SealAccessToken / OpenAccessToken: an access token carries what it authorises, sealed with
  // AES-256-GCM under access_token_key_ (service.cc says why it is not stored).
  Result<std::string> SealAccessToken(const AccessGrant& token) const;
  Result<AccessGrant> OpenAccessToken(std::string_view token) const;
  Result<std::vector<std::string>> SetStatus(const AdminTarget& target, store::CredentialStatus status,
                                             std::string_view action, std::string_view actor);
  Result<PublishedStatusList> Publish(const store::StatusListRecord& record);
  const StatusListSpec* FindList(std::string_view id) const;

  const IssuerConfig config_;
  const IssuerKeys keys_;
  const SecretBytes access_token_key_;  // HKDF-SHA256 of the server secret
  std::unique_ptr<store::IssuerStore> store_;
  const Clock& clock_;
  Random& random_;
  Json metadata_;  // built once

  std::mutex mu_;
  std::map<std::string, PublishedStatusList, std::less<>> published_;  // guarded by mu_
};

// ExpiryPurger runs IssuerService::PurgeExpired periodically on a background thread (what
// `issuer serve` runs every minute). Start() purges once on the calling thread, then starts the
// thread, which purges every `interval`; Stop() wakes it, waits for a purge in progress to finish
// and joins it. Each run's result goes to `report` (e.g. a log line) on the thread that ran it.
//
// Thread safety: Start / Stop from one thread; runs() from any. Ownership: the service must
// outlive the purger (or its Stop()).
class ExpiryPurger {
 public:
  using Report = std::function<void(const Result<int64_t>& purged)>;

  ExpiryPurger(IssuerService& service, std::chrono::milliseconds interval, Report report = {});
  ~ExpiryPurger();  // Stop()s
  ExpiryPurger(const ExpiryPurger&) = delete;
  ExpiryPurger& operator=(const ExpiryPurger&) = delete;

  // Start purges once and starts the periodic thread (also when that first purge failed: a
  // later run may succeed). Returns the first purge's result; kInvalidArgument when already
  // started or when the interval is not positive (nothing runs then).
  Result<int64_t> Start();
  // Stop stops the thread and joins it. Idempotent; a stopped purger does not start again.
  void Stop();
  // runs returns how many purges have completed (successful or not).
  int64_t runs() const;

 private:
  Result<int64_t> RunOnce();

  IssuerService& service_;
  const std::chrono::milliseconds interval_;
  const Report report_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool started_ = false;   // guarded by mu_
  bool stopping_ = false;  // guarded by mu_
  int64_t runs_ = 0;       // guarded by mu_
  std::thread thread_;
};

}  // namespace bonafide::issuer

#endif  // BONAFIDE_ISSUER_SERVICE_H_
