// verifier/service.h: the OpenID4VP verifier service (issue 5, part 2), transport-free: it creates
// presentation sessions for named checks (verifier/checks.h) or raw DCQL queries, signs the Request
// Object (OpenID4VP 1.0 section 5, x509_san_dns client), receives the wallet's Authorization
// Response (sections 8.2 / 8.3), verifies the presentations against the trust registry's trust list
// (registry/trust_list.h), checks their status lists, decides, and signs a check record
// (verifier/check_record.h). verifier/http_routes.h puts it on an http::Server; the result JSON is
// documented in docs/verifier.md.
//
// Trust. Issuer anchors come only from the trust list, and only for the credential types the
// session's query accepts: SD-JWT VC issuer keys from the list's jwks (bound to the issuer id =
// `iss`), mdoc IACA roots, did:web documents for jwt_vc_json. After verification the presented type
// must be one the issuer whose anchor verified it is listed for (an issuer listed for the mDL cannot
// vouch for an eVisa), else the session fails with untrusted_issuer.
//
// Status. Each status reference of the verified credential (Token Status List JWT / CWT, Bitstring
// Status List) is fetched through a per-URI cache (memory + DATA_DIR/status-cache), fresh for the
// list's ttl and the response's Cache-Control max-age (the smaller; 300 s when neither is given).
// The list's signature is checked with the issuer's keys from the trust list (its jwks, its DID
// document's keys). An unreachable issuer: the cached copy is used and its age reported. No copy at
// all, or a copy that does not verify: credential_status "unavailable", status_unavailable true,
// decision_confirmed false, and no check record (an unconfirmed decision is not evidence).
//
// Single use. Responses are parsed and verified first (CPU), then the session is claimed and its
// result stored in one atomic, durable write (SessionStore::CompleteResponse); the loser of a
// race, and any replay, gets invalid_request and nothing of it is stored. A response that cannot
// be parsed or decrypted, or whose state differs, leaves the session open (anyone who sees the QR
// code could otherwise end it); a response that parses but does not verify ends it as failed.
//
// Caches (in memory, per process; none changes a decision): the parsed access certificate chain;
// the ephemeral encryption keys of sessions created here (bounded; otherwise the stored JWK is
// parsed); what is derived from the current trust list (trust anchors per accepted credential
// types, with their chain-validation cache, issuers' status-list keys, IACA subjects), rebuilt
// when the list changes; the parsed DCQL queries of stored sessions; and per status list URI the last verified Token Status List, reused
// only for the same bytes, a key the issuer still has, and until its exp.
//
// Logs (one JSON line per event) carry request ids, checks, codes, credential types and issuer
// ids, never claim values, decisions' facts, nonces, keys or session ids.
//
// Thread safety: all methods may be called concurrently. The clock, random source and logger must
// allow concurrent use and outlive the service.
#ifndef BONAFIDE_VERIFIER_SERVICE_H_
#define BONAFIDE_VERIFIER_SERVICE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/json.h"
#include "base/random.h"
#include "base/status.h"
#include "crypto/keys.h"
#include "crypto/x509.h"
#include "http/logger.h"
#include "oid4vp/request.h"
#include "registry/trust_list_cache.h"
#include "verifier/config.h"
#include "verifier/session_store.h"

namespace bonafide::verifier {

// SessionRequest is what POST /sessions asks for: exactly one of check and dcql_query.
struct SessionRequest {
  std::optional<std::string> check{};
  std::optional<Json> dcql_query{};
  oid4vp::ResponseMode response_mode = oid4vp::ResponseMode::kDirectPostJwt;
  bool same_device = false;
  std::optional<std::string> webhook_url{};  // https, or http on localhost / 127.0.0.1
};

// SessionRequestFromJson reads {"check" | "dcql_query", "response_mode"?, "same_device"?,
// "webhook_url"?}. kInvalidArgument for both or neither of check and dcql_query, another
// response_mode, or members of the wrong type.
Result<SessionRequest> SessionRequestFromJson(const Json& json);

// CreatedSession is the answer to CreateSession.
struct CreatedSession {
  std::string session_id{};   // secret: the result is polled with it
  std::string request_id{};   // public: in request_uri and response_uri
  std::string request_uri{};  // openid4vp://?client_id=...&request_uri=<url>/request/<request_id>
  int64_t expires_at = 0;
  Json ToJson() const;  // {"session_id", "request_uri", "expires_at"}
};

// FetchedDocument is one HTTP GET of a status list.
struct FetchedDocument {
  int status = 0;
  std::string body{};
  std::optional<int64_t> max_age{};  // Cache-Control max-age, when given
  std::optional<std::string> etag{};  // the ETag validator, when given
};
// StatusFetcher fetches a status list URI. With `if_none_match` (the ETag of the copy the
// verifier holds) the request is conditional (RFC 9110 13.1.2): 304 means that copy is current.
// Errors (kIoError) mean unreachable.
using StatusFetcher =
    std::function<Result<FetchedDocument>(const std::string& uri, const std::optional<std::string>& if_none_match)>;

// HttpStatusFetcher fetches over http::Client: https, or http only to localhost / 127.0.0.1;
// `if_none_match` goes out as If-None-Match. Its connections are kept alive and reused between
// fetches to the same origin (a few per origin). Safe for concurrent use.
StatusFetcher HttpStatusFetcher();

// WebhookSender POSTs a JSON body to a URL; errors are retried (3 tries in all).
using WebhookSender = std::function<Status(const std::string& url, const std::string& body)>;
WebhookSender HttpWebhookSender();

// ResponseOutcome is what the response endpoint answers the wallet: 200 with {} or
// {"redirect_uri"} (same device, section 8.2), or 400 with an OAuth error body
// {"error": "invalid_request", "error_description"}.
struct ResponseOutcome {
  int http_status = 200;
  Json body = Json::object();
};

// ServiceDeps are what a service runs on besides its configuration.
struct ServiceDeps {
  std::unique_ptr<SessionStore> store{};
  std::unique_ptr<registry::TrustListCache> trust{};
  const Clock* clock = nullptr;
  Random* random = nullptr;
  const http::Logger* logger = nullptr;  // null: no logs
  StatusFetcher fetch_status{};          // empty: HttpStatusFetcher()
  WebhookSender send_webhook{};          // empty: HttpWebhookSender()
  // today: the checker's calendar date for Decide; empty: the UTC date of clock.
  std::function<std::string()> today{};
};

class VerifierService {
 public:
  // Create loads the keys and certificate of `config`'s data directory and makes the service.
  // kInvalidArgument for missing dependencies; key and certificate loading errors; the trust list
  // is loaded lazily (the first session refreshes it).
  static Result<std::unique_ptr<VerifierService>> Create(VerifierConfig config, ServiceDeps deps);
  // Open is Create with the store and trust-list cache that `config` names.
  static Result<std::unique_ptr<VerifierService>> Open(VerifierConfig config, const Clock& clock, Random& random,
                                                       const http::Logger* logger);
  ~VerifierService();

  // CreateSession makes a session and its signed Request Object. kNotFound for an unknown check;
  // kMalformed for a DCQL query that does not parse; kInvalidArgument for a bad webhook URL; the
  // store's errors.
  Result<CreatedSession> CreateSession(const SessionRequest& request);

  // RequestObject returns the signed Request Object of `request_id` and marks it fetched.
  // kNotFound for an unknown request id; kExpired after the session expired or was answered.
  // It is RecentRequestObject when that has the answer, else it reads the store.
  Result<std::string> RequestObject(std::string_view request_id);
  // RecentRequestObject answers from memory, for a session this process opened recently and has
  // not seen answered (never waiting on the store, so it may run on a network thread); nullopt
  // when the store must be asked. A session another process answered meanwhile still gets its
  // Request Object here; the store refuses the second answer (HandleResponse).
  std::optional<Result<std::string>> RecentRequestObject(std::string_view request_id);

  // HandleResponse processes a POST to the response_uri of `request_id` (see the file comment).
  ResponseOutcome HandleResponse(std::string_view request_id, std::string_view body, std::string_view content_type);

  // GetResult returns the result JSON of session `session_id` (docs/verifier.md). kNotFound for an
  // unknown session; kNonceMismatch when a same-device session has finished and `response_code`
  // is missing or wrong.
  Result<Json> GetResult(std::string_view session_id, const std::optional<std::string>& response_code);
  // RecentResult is GetResult for a session this process finished (from memory, never waiting on
  // the store); nullopt when the store must be asked.
  std::optional<Result<Json>> RecentResult(std::string_view session_id, const std::optional<std::string>& response_code);

  // RequestUriOf returns the wallet invocation URL of `request_id`.
  std::string RequestUriOf(std::string_view request_id) const;

  // CheckRecordKey returns the public JWK (with kid) check records are signed with.
  Json CheckRecordKey() const;

  // PurgeExpired deletes sessions expired for longer than the result retention.
  Result<int64_t> PurgeExpired();

  // RefreshTrustList refreshes the trust list now (also done lazily, at most once a minute).
  Status RefreshTrustList();

  const VerifierConfig& config() const { return config_; }

  struct Internals;  // status cache, webhook queue (service.cc)

 private:
  VerifierService(VerifierConfig config, ServiceDeps deps);
  Result<std::shared_ptr<const registry::TrustList>> TrustListNow();
  void Log(http::LogLevel level, std::string_view event, const Json& fields) const;
  // ResultOf is the result JSON of session `s` as read at `now` (GetResult).
  Result<Json> ResultOf(const Session& s, const std::optional<std::string>& response_code, int64_t now) const;
  // Finish ends `session` with `result`: claims it and stores the result in one write
  // (SessionStore::CompleteResponse, expiry judged at `claim_now`), logs, queues the webhook and
  // answers the wallet; a lost claim is the wallet's invalid_request.
  ResponseOutcome Finish(const Session& session, Json result, bool completed, int64_t claim_now);

  VerifierConfig config_;
  ServiceDeps deps_;
  std::unique_ptr<crypto::PrivateKey> access_key_;
  std::unique_ptr<oid4vp::AccessChain> access_chain_;  // checked once at Create
  std::string registration_jwt_;
  std::unique_ptr<crypto::PrivateKey> result_key_;
  std::string result_kid_;
  std::mutex trust_mu_;
  int64_t trust_refreshed_at_ = 0;  // guarded by trust_mu_
  std::unique_ptr<Internals> internals_;
};

}  // namespace bonafide::verifier

#endif  // BONAFIDE_VERIFIER_SERVICE_H_
