// verifier/service.cc: the OpenID4VP verifier service (see service.h).
#include "verifier/service.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <unordered_map>
#include <utility>

#include "base/encoding.h"
#include "cbor/cbor.h"
#include "crypto/constant_time.h"
#include "crypto/hash.h"
#include "http/client.h"
#include "jose/jwk.h"
#include "jose/jws.h"
#include "mdoc/iaca.h"
#include "oid4vp/dcql.h"
#include "oid4vp/presentation.h"
#include "oid4vp/response.h"
#include "sdjwt/sdjwt_vc.h"
#include "status/bitstring_status_list.h"
#include "status/status_check.h"
#include "status/status_list_cwt.h"
#include "status/status_list_token.h"
#include "verifier/check_record.h"
#include "verifier/checks.h"

namespace bonafide::verifier {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kDefaultStatusFreshness = 300;
constexpr int64_t kTrustListRefreshSeconds = 60;
constexpr size_t kMaxStatusListBytes = 8 << 20;
// Bounds of the in-memory caches (see Internals).
constexpr size_t kMaxCachedOpenSessions = 2048;
constexpr size_t kMaxCachedFinishedSessions = 2048;
// The signed Request Objects of the most recently opened sessions (a wallet fetches one seconds
// after the session is made; each is a few KB, so only these few are kept).
constexpr size_t kMaxCachedRequestObjects = 256;
constexpr size_t kMaxCachedBundles = 64;
constexpr size_t kMaxCachedQueries = 64;

// RandomId: 128 random bits, base64url, never starting with '-' (ids are typed on command lines).
std::string RandomId(Random& random) { return random.Identifier(16); }

Result<std::string> ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(StatusCode::kIoError, "cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// SplitUrl splits an absolute http(s) URL into its origin and target; http only to loopback.
Result<std::pair<std::string, std::string>> SplitHttpUrl(const std::string& url) {
  const bool https = url.starts_with("https://");
  if (!https && !url.starts_with("http://")) return Error(StatusCode::kInvalidArgument, "not an http(s) URL");
  const size_t start = https ? 8 : 7;
  const size_t slash = url.find('/', start);
  const std::string origin = url.substr(0, slash);
  std::string target = slash == std::string::npos ? "/" : url.substr(slash);
  if (const size_t hash = target.find('#'); hash != std::string::npos) target.resize(hash);
  std::string host = origin.substr(start);
  if (host.empty() || host.find('@') != std::string::npos) return Error(StatusCode::kInvalidArgument, "bad URL host");
  if (const size_t colon = host.rfind(':'); colon != std::string::npos && host.back() != ']') host.resize(colon);
  if (!https && host != "localhost" && host != "127.0.0.1") {
    return Error(StatusCode::kInvalidArgument, "http is allowed only to localhost / 127.0.0.1");
  }
  return std::make_pair(origin, target);
}

std::optional<int64_t> MaxAge(const std::optional<std::string>& cache_control) {
  if (!cache_control) return std::nullopt;
  const size_t at = cache_control->find("max-age=");
  if (at == std::string::npos) return std::nullopt;
  int64_t v = 0;
  size_t i = at + 8;
  if (i >= cache_control->size() || !std::isdigit(static_cast<unsigned char>((*cache_control)[i]))) return std::nullopt;
  for (; i < cache_control->size() && std::isdigit(static_cast<unsigned char>((*cache_control)[i])); ++i) {
    v = std::min<int64_t>(v * 10 + ((*cache_control)[i] - '0'), int64_t{1} << 40);
  }
  return v;
}

// EtagValidator is `etag` when it can go back out as an If-None-Match value: 1-256 visible ASCII
// characters (RFC 9110 8.8.3 allows no others); nullopt otherwise, so the copy is never revalidated
// conditionally.
std::optional<std::string> EtagValidator(const std::optional<std::string>& etag) {
  if (!etag || etag->empty() || etag->size() > 256 || !IsVisibleAscii(*etag)) return std::nullopt;
  return etag;
}

// Error body for the wallet (OpenID4VP section 8.2 / RFC 6749 5.2 shape).
ResponseOutcome WalletError(std::string_view description) {
  return ResponseOutcome{.http_status = 400,
                         .body = Json{{"error", "invalid_request"}, {"error_description", std::string(description)}}};
}

// AcceptedTypes lists the credential types a DCQL query accepts.
std::vector<registry::CredentialType> AcceptedTypes(const oid4vp::DcqlQuery& query) {
  std::vector<registry::CredentialType> out;
  auto add = [&](std::string format, std::string type) {
    registry::CredentialType t{std::move(format), std::move(type)};
    if (std::find(out.begin(), out.end(), t) == out.end()) out.push_back(std::move(t));
  };
  for (const oid4vp::CredentialQuery& q : query.credentials) {
    if (q.format == registry::kFormatSdJwtVc && q.meta.vct_values) {
      for (const std::string& v : *q.meta.vct_values) add(q.format, v);
    } else if (q.format == registry::kFormatMsoMdoc && q.meta.doctype_value) {
      add(q.format, *q.meta.doctype_value);
    } else if (q.format == registry::kFormatJwtVcJson && q.meta.type_values) {
      for (const auto& types : *q.meta.type_values) {
        if (!types.empty()) add(q.format, types.back());
      }
    }
  }
  return out;
}

// TrustBundle is what VerifyPresentations trusts for one session: only anchors the trust list
// lists for the query's credential types.
struct TrustBundle {
  sdjwt::SdJwtVcTrust sd_jwt{};
  std::unique_ptr<mdoc::IacaTrustStore> iaca{};
  std::vector<Json> did_documents{};
};

TrustBundle BuildTrust(const registry::TrustList& list, const std::vector<registry::CredentialType>& types) {
  TrustBundle t;
  std::vector<crypto::Certificate> iacas;
  std::vector<std::string> seen_pems;
  for (const registry::CredentialType& type : types) {
    for (const auto& [issuer, cred] : list.FindIssuerAnchors(type)) {
      if (type.format == registry::kFormatSdJwtVc && cred->jwks.is_object()) {
        t.sd_jwt.issuer_metadata.push_back(Json{{"issuer", issuer->id}, {"jwks", cred->jwks}});
      } else if (type.format == registry::kFormatMsoMdoc) {
        for (const std::string& pem : cred->iaca_pems) {
          if (std::find(seen_pems.begin(), seen_pems.end(), pem) != seen_pems.end()) continue;
          auto cert = crypto::Certificate::FromPem(pem);
          if (!cert.ok()) continue;
          seen_pems.push_back(pem);
          iacas.push_back(std::move(*cert));
        }
      } else if (type.format == registry::kFormatJwtVcJson && cred->did_document.is_object()) {
        t.did_documents.push_back(cred->did_document);
      }
    }
  }
  if (!iacas.empty()) {
    auto store = mdoc::IacaTrustStore::Create(std::move(iacas));
    if (store.ok()) t.iaca = std::move(*store);
  }
  return t;
}

// FindVouchingIssuer returns the trusted issuer that is listed for the presented credential's
// type AND whose anchor verified it; nullptr when there is none.
// `iaca_subject` maps an IACA PEM of the list to its certificate's subject.
const registry::TrustedIssuer* FindVouchingIssuer(const registry::TrustList& list,
                                                  const oid4vp::VerifiedCredential& vc,
                                                  const std::function<std::string(const std::string&)>& iaca_subject) {
  const registry::CredentialType type{vc.format, vc.type};
  for (const auto& [issuer, cred] : list.FindIssuerAnchors(type)) {
    if (vc.format == registry::kFormatSdJwtVc) {
      if (issuer->id == vc.issuer) return issuer;
    } else if (vc.format == registry::kFormatMsoMdoc) {
      for (const std::string& pem : cred->iaca_pems) {
        const std::string subject = iaca_subject(pem);
        if (!subject.empty() && subject == vc.trust_anchor) return issuer;
      }
    } else if (vc.format == registry::kFormatJwtVcJson) {
      const Json* id = Find(cred->did_document, "id");
      if (id != nullptr && id->is_string() && *id == vc.issuer) return issuer;
    }
  }
  return nullptr;
}

// IssuerKeys returns every public key the trust list publishes for `issuer` (its SD-JWT VC jwks
// and its DID documents' verification methods): the keys its status lists may be signed with.
std::vector<crypto::PublicKey> IssuerKeys(const registry::TrustedIssuer& issuer) {
  std::vector<crypto::PublicKey> keys;
  auto add = [&](const Json& jwk) {
    if (!jwk.is_object() || Find(jwk, "d") != nullptr) return;
    Json pub = jwk;
    for (const char* m : {"kid", "use", "alg", "key_ops"}) pub.erase(m);
    auto key = crypto::PublicKey::FromJwk(pub);
    if (key.ok()) keys.push_back(std::move(*key));
  };
  for (const registry::IssuerCredential& c : issuer.credentials) {
    if (const Json* ks = Find(c.jwks, "keys"); ks != nullptr && ks->is_array()) {
      for (const Json& k : *ks) add(k);
    }
    if (const Json* vms = Find(c.did_document, "verificationMethod"); vms != nullptr && vms->is_array()) {
      for (const Json& vm : *vms) {
        if (const Json* k = Find(vm, "publicKeyJwk")) add(*k);
      }
    }
  }
  return keys;
}

bool IsKeyMismatch(const Status& s) {
  return s.code() == StatusCode::kInvalidSignature || s.code() == StatusCode::kAlgorithmMismatch ||
         s.code() == StatusCode::kInvalidKey || s.code() == StatusCode::kUnsupportedAlgorithm;
}

// CheckBitstringReference verifies the Bitstring Status List credential `document` for `ref`
// with the issuer's keys and returns the entry's status (OK, kRevoked, kSuspended) or why it
// cannot tell.
Status CheckBitstringReference(const std::string& document, const oid4vp::CredentialStatusReference& ref,
                               const std::vector<crypto::PublicKey>& keys, const Clock& clock) {
  if (keys.empty()) return Error(StatusCode::kStatusUnavailable, "the trust list has no key for the status list");
  Status last = Error(StatusCode::kStatusUnavailable, "no key verifies the status list");
  for (const crypto::PublicKey& key : keys) {
    auto entry = status::BitstringStatusEntry::FromJson(ref.entry);
    if (!entry.ok()) return entry.status();
    status::BitstringStatusListCredentialVerifier verifier(key, clock);
    verifier.ExpectPurpose(entry->purpose).ExpectId(entry->status_list_credential);
    auto verified = verifier.Verify(document);
    Status s = verified.ok() ? status::CheckBitstringStatus(*verified, *entry) : verified.status();
    if (!IsKeyMismatch(s)) return s;
    last = s;
  }
  return last;
}

// VerifyStatusToken verifies the Token Status List (JWT or CWT) `document` for `uri` with the
// first of `keys` that signed it; `signer` is set to that key's index.
Result<status::VerifiedStatusListToken> VerifyStatusToken(const std::string& document, const std::string& uri,
                                                         const std::vector<crypto::PublicKey>& keys,
                                                         const Clock& clock, size_t& signer) {
  if (keys.empty()) return Error(StatusCode::kStatusUnavailable, "the trust list has no key for the status list");
  Status last = Error(StatusCode::kStatusUnavailable, "no key verifies the status list");
  for (size_t i = 0; i < keys.size(); ++i) {
    Result<status::VerifiedStatusListToken> verified = Error(StatusCode::kInternal, "");
    if (status::IsJwtText(AsBytes(document))) {
      status::StatusListTokenVerifier verifier(keys[i], clock);
      verifier.ExpectSubject(uri);
      verified = verifier.Verify(document);
    } else {
      status::StatusListCwtVerifier verifier(keys[i], clock);
      verifier.ExpectSubject(uri);
      verified = verifier.Verify(AsBytes(document));
    }
    if (verified.ok() || !IsKeyMismatch(verified.status())) {
      signer = i;
      return verified;
    }
    last = verified.status();
  }
  return last;
}

// StatusTtl reads the Token Status List JWT's ttl (a caching hint; the list is verified on use).
std::optional<int64_t> StatusTtl(const std::string& document) {
  if (!status::IsJwtText(AsBytes(document))) return std::nullopt;
  auto jws = jose::UnverifiedJws::Parse(document);
  if (!jws.ok()) return std::nullopt;
  auto payload = ParseJsonObject(AsStringView(jws->unverified_payload()));
  if (!payload.ok()) return std::nullopt;
  const Json* ttl = Find(*payload, "ttl");
  if (ttl == nullptr) return std::nullopt;
  return AsInt(*ttl);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Internals: the status list cache and the webhook queue.

struct VerifierService::Internals {
  struct CachedList {
    std::string body;
    int64_t fetched_at = 0;  // when the source last gave or confirmed (304) this body
    int64_t fresh_until = 0;
    std::string etag;  // the source's validator for `body`; empty when it gave none
  };
  // StatusDocument is a status list to check with, and whether it came from the cache.
  struct StatusDocument {
    std::string body;
    int64_t fetched_at = 0;
    bool from_source = false;
  };

  // VerifiedToken is a Token Status List whose signature was checked: reused while the same
  // bytes come back for the same URI, the key that verified them is still one of the issuer's,
  // and the token has not expired (after that it is verified again, which reports why).
  struct VerifiedToken {
    Bytes document_hash;
    Bytes key_point;  // the verifying key's uncompressed point
    crypto::SignatureAlg key_alg = crypto::SignatureAlg::kES256;
    int64_t verified_at = 0;
    std::optional<int64_t> exp;
    std::shared_ptr<const status::VerifiedStatusListToken> token;
  };

  std::string cache_dir;
  StatusFetcher fetch;
  std::mutex mu;
  std::map<std::string, CachedList> lists;                                   // guarded by mu
  std::map<std::string, std::shared_ptr<const VerifiedToken>> verified_tokens;  // by URI; guarded by mu
  // A fetch of a list in progress for readers of a stale or missing copy: others that need the
  // same list meanwhile wait for its outcome instead of asking the issuer again, so a burst of
  // checks sends one request (revalidating checks always ask themselves).
  struct Flight {
    bool done = false;
    std::optional<StatusDocument> doc;
    Status error;
  };
  std::map<std::string, std::shared_ptr<Flight>> flights;  // by URI; guarded by mu
  std::condition_variable flight_done;                     // with mu

  // Sessions this process opened, as it stored them (without the Request Object, and with the
  // encryption key parsed rather than as JWK text), by request id; the Request Objects of the
  // most recent of them, by request id; and sessions this process finished, by session id. All
  // are bounded; whatever is not here is read from the store.
  // - An open session's fields never change once stored, except its status; a response is
  //   checked against the copy here, and the store's CompleteResponse, which accepts exactly one
  //   response, decides whether it counts (another process may have answered the session since).
  // - A finished session never changes again; it stays in the store until PurgeExpired deletes
  //   it, result_retention_seconds after it expired, and is served from here only until then.
  struct OpenSession {
    Session session;
    std::shared_ptr<const crypto::PrivateKey> key;  // direct_post.jwt only
  };
  // Recent holds the last kCapacity values put, by key; the oldest goes first. A key erased
  // early leaves its place in `order` until that place comes up.
  template <typename V, size_t kCapacity>
  struct Recent {
    std::unordered_map<std::string, std::shared_ptr<const V>> by_key;
    std::deque<std::string> order;  // keys, oldest first
    void Put(const std::string& key, std::shared_ptr<const V> value) {
      by_key[key] = std::move(value);
      order.push_back(key);
      while (order.size() > kCapacity) {
        by_key.erase(order.front());
        order.pop_front();
      }
    }
    std::shared_ptr<const V> Find(std::string_view key) const {
      auto it = by_key.find(std::string(key));
      return it == by_key.end() ? nullptr : it->second;
    }
  };
  std::mutex sessions_mu;
  Recent<OpenSession, kMaxCachedOpenSessions> open_sessions;         // by request id; guarded by sessions_mu
  Recent<Session, kMaxCachedFinishedSessions> finished_sessions;     // by session id; guarded by sessions_mu
  Recent<std::string, kMaxCachedRequestObjects> request_objects;     // by request id; guarded by sessions_mu

  // Trust derived from one trust list (rebuilt when the list changes): bundles by the query's
  // accepted types, issuer status-list keys by issuer id, IACA subjects by PEM.
  std::mutex trust_mu;
  std::shared_ptr<const registry::TrustList> trust_for;                             // guarded by trust_mu
  std::map<std::string, std::shared_ptr<const TrustBundle>> bundles;                // guarded by trust_mu
  std::map<std::string, std::shared_ptr<const std::vector<crypto::PublicKey>>> issuer_keys;  // guarded by trust_mu
  std::map<std::string, std::string> iaca_subjects;                                 // guarded by trust_mu
  std::map<std::string, std::shared_ptr<const oid4vp::DcqlQuery>> queries;  // by query text; guarded by trust_mu
  // A named check's DCQL query and its JSON text: they depend on the check alone, so each is made
  // once (only known checks are kept, so this stays as small as the list of checks).
  struct CheckQuery {
    oid4vp::DcqlQuery query;
    std::string text;
  };
  std::map<std::string, std::shared_ptr<const CheckQuery>, std::less<>> check_queries;  // guarded by trust_mu

  // ForList drops what was derived from another trust list. Call with trust_mu held.
  void ForList(const std::shared_ptr<const registry::TrustList>& list) {
    if (trust_for == list) return;
    trust_for = list;
    bundles.clear();
    issuer_keys.clear();
    iaca_subjects.clear();
  }

  std::shared_ptr<const TrustBundle> Bundle(const std::shared_ptr<const registry::TrustList>& list,
                                            const std::vector<registry::CredentialType>& types) {
    std::string key;
    for (const registry::CredentialType& t : types) key += t.format + '\n' + t.type + '\n';
    {
      std::lock_guard<std::mutex> lock(trust_mu);
      ForList(list);
      if (auto it = bundles.find(key); it != bundles.end()) return it->second;
    }
    auto bundle = std::make_shared<const TrustBundle>(BuildTrust(*list, types));
    std::lock_guard<std::mutex> lock(trust_mu);
    ForList(list);
    if (bundles.size() >= kMaxCachedBundles) bundles.clear();
    return bundles.emplace(key, std::move(bundle)).first->second;
  }

  std::shared_ptr<const std::vector<crypto::PublicKey>> KeysOf(const std::shared_ptr<const registry::TrustList>& list,
                                                               const registry::TrustedIssuer& issuer) {
    {
      std::lock_guard<std::mutex> lock(trust_mu);
      ForList(list);
      if (auto it = issuer_keys.find(issuer.id); it != issuer_keys.end()) return it->second;
    }
    auto keys = std::make_shared<const std::vector<crypto::PublicKey>>(IssuerKeys(issuer));
    std::lock_guard<std::mutex> lock(trust_mu);
    ForList(list);
    return issuer_keys.emplace(issuer.id, std::move(keys)).first->second;
  }

  // IacaSubject returns the RFC 2253 subject of the IACA certificate `pem` ("" if it does not parse).
  std::string IacaSubject(const std::shared_ptr<const registry::TrustList>& list, const std::string& pem) {
    {
      std::lock_guard<std::mutex> lock(trust_mu);
      ForList(list);
      if (auto it = iaca_subjects.find(pem); it != iaca_subjects.end()) return it->second;
    }
    auto cert = crypto::Certificate::FromPem(pem);
    std::string subject = cert.ok() ? cert->subject() : std::string();
    std::lock_guard<std::mutex> lock(trust_mu);
    ForList(list);
    iaca_subjects.emplace(pem, subject);
    return subject;
  }

  // QueryOfCheck returns the query of named check `check`; BuildCheckQuery's errors.
  Result<std::shared_ptr<const CheckQuery>> QueryOfCheck(std::string_view check) {
    {
      std::lock_guard<std::mutex> lock(trust_mu);
      if (auto it = check_queries.find(check); it != check_queries.end()) return it->second;
    }
    ASSIGN_OR_RETURN(oid4vp::DcqlQuery query, BuildCheckQuery(check));
    std::string text = DumpJson(query.ToJson());
    auto made = std::make_shared<const CheckQuery>(CheckQuery{std::move(query), std::move(text)});
    std::lock_guard<std::mutex> lock(trust_mu);
    return check_queries.emplace(std::string(check), std::move(made)).first->second;
  }

  // Query returns the parsed DCQL query of the text a session stored (the named checks send the
  // same few texts again and again); nullptr when it does not parse.
  std::shared_ptr<const oid4vp::DcqlQuery> Query(const std::string& text) {
    {
      std::lock_guard<std::mutex> lock(trust_mu);
      if (auto it = queries.find(text); it != queries.end()) return it->second;
    }
    Result<oid4vp::DcqlQuery> parsed = oid4vp::ParseDcqlQueryText(text);
    if (!parsed.ok()) return nullptr;
    auto query = std::make_shared<const oid4vp::DcqlQuery>(std::move(*parsed));
    std::lock_guard<std::mutex> lock(trust_mu);
    if (queries.size() >= kMaxCachedQueries) queries.clear();
    return queries.emplace(text, std::move(query)).first->second;
  }

  void RememberOpen(Session session, std::shared_ptr<const crypto::PrivateKey> key) {
    auto request_object = std::make_shared<const std::string>(std::move(session.request_object));
    if (key != nullptr) std::string().swap(session.encryption_jwk);
    const std::string request_id = session.request_id;
    auto entry = std::make_shared<const OpenSession>(OpenSession{std::move(session), std::move(key)});
    std::lock_guard<std::mutex> lock(sessions_mu);
    open_sessions.Put(request_id, std::move(entry));
    request_objects.Put(request_id, std::move(request_object));
  }
  std::shared_ptr<const OpenSession> OpenOf(std::string_view request_id) {
    std::lock_guard<std::mutex> lock(sessions_mu);
    return open_sessions.Find(request_id);
  }
  // OpenRequestOf returns the open session `request_id` and its Request Object, or nulls when
  // either is not held.
  std::pair<std::shared_ptr<const OpenSession>, std::shared_ptr<const std::string>> OpenRequestOf(
      std::string_view request_id) {
    std::lock_guard<std::mutex> lock(sessions_mu);
    auto open = open_sessions.Find(request_id);
    auto jws = request_objects.Find(request_id);
    if (open == nullptr || jws == nullptr) return {};
    return {std::move(open), std::move(jws)};
  }
  // Forget drops an open session whose answer this process did not store (another was accepted,
  // here or elsewhere, or it expired).
  void Forget(const std::string& request_id) {
    std::lock_guard<std::mutex> lock(sessions_mu);
    open_sessions.by_key.erase(request_id);
    request_objects.by_key.erase(request_id);
  }
  // Finished moves a session from open to finished (`session` as now stored).
  void Finished(const std::string& request_id, Session session) {
    std::string().swap(session.request_object);
    std::string().swap(session.encryption_jwk);
    const std::string id = session.id;
    auto entry = std::make_shared<const Session>(std::move(session));
    std::lock_guard<std::mutex> lock(sessions_mu);
    open_sessions.by_key.erase(request_id);
    request_objects.by_key.erase(request_id);
    finished_sessions.Put(id, std::move(entry));
  }
  // FinishedOf returns a finished session of this process unless PurgeExpired, run at `now`
  // with `retention`, would have deleted it.
  std::shared_ptr<const Session> FinishedOf(std::string_view session_id, int64_t now, int64_t retention) {
    std::shared_ptr<const Session> s;
    {
      std::lock_guard<std::mutex> lock(sessions_mu);
      s = finished_sessions.Find(session_id);
    }
    return s != nullptr && s->expires_at > now - retention ? s : nullptr;
  }

  // CheckToken checks entry `ref.idx` of the Token Status List `document` (from `ref.uri`),
  // verifying the token unless the same bytes were verified before with one of `keys`.
  Status CheckToken(const std::string& document, const oid4vp::CredentialStatusReference& ref,
                    const std::vector<crypto::PublicKey>& keys, const Clock& clock) {
    const int64_t now = clock.NowSeconds();
    const Bytes hash = crypto::Sha256(AsBytes(document));
    std::shared_ptr<const VerifiedToken> cached;
    {
      std::lock_guard<std::mutex> lock(mu);
      if (auto it = verified_tokens.find(ref.uri); it != verified_tokens.end()) cached = it->second;
    }
    if (cached && cached->document_hash == hash && cached->verified_at <= now && (!cached->exp || now < *cached->exp)) {
      for (const crypto::PublicKey& key : keys) {
        if (key.alg() == cached->key_alg && key.EncodedPoint(false) == cached->key_point) {
          return status::CheckStatus(cached->token->status_list(), ref.idx);
        }
      }
    }
    size_t signer = 0;
    Result<status::VerifiedStatusListToken> verified = VerifyStatusToken(document, ref.uri, keys, clock, signer);
    if (!verified.ok()) return Status(verified.status().code(), "status list token: " + verified.status().message());
    auto entry = std::make_shared<VerifiedToken>();
    entry->document_hash = hash;
    entry->key_point = keys[signer].EncodedPoint(false);
    entry->key_alg = keys[signer].alg();
    entry->verified_at = now;
    entry->exp = verified->exp();
    entry->token = std::make_shared<const status::VerifiedStatusListToken>(std::move(*verified));
    const Status out = status::CheckStatus(entry->token->status_list(), ref.idx);
    std::lock_guard<std::mutex> lock(mu);
    verified_tokens[ref.uri] = std::move(entry);
    return out;
  }

  WebhookSender send;
  std::mutex hook_mu;
  std::condition_variable hook_cv;
  std::deque<std::pair<std::string, std::string>> hooks;  // guarded by hook_mu
  bool stopping = false;                                  // guarded by hook_mu
  std::thread hook_thread;

  std::string CacheFile(const std::string& uri) const {
    return cache_dir + "/" + HexEncode(crypto::Sha256(AsBytes(uri))) + ".json";
  }

  void Save(const std::string& uri, const CachedList& c) {
    std::error_code ec;
    fs::create_directories(cache_dir, ec);
    const std::string path = CacheFile(uri);
    const std::string tmp = path + ".tmp";
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      if (!out) return;
      out << DumpJson(Json{{"uri", uri},
                           {"body", Base64UrlEncode(c.body)},
                           {"fetched_at", c.fetched_at},
                           {"fresh_until", c.fresh_until},
                           {"etag", c.etag}});
      if (!out) return;
    }
    fs::rename(tmp, path, ec);
  }

  std::optional<CachedList> Load(const std::string& uri) {
    auto text = ReadText(CacheFile(uri));
    if (!text.ok()) return std::nullopt;
    auto json = ParseJsonObject(*text);
    if (!json.ok()) return std::nullopt;
    auto u = GetString(*json, "uri");
    auto body = GetString(*json, "body");
    auto fetched = GetInt(*json, "fetched_at");
    auto fresh = GetInt(*json, "fresh_until");
    if (!u.ok() || *u != uri || !body.ok() || !fetched.ok() || !fresh.ok()) return std::nullopt;
    auto bytes = Base64UrlDecode(*body);
    if (!bytes.ok()) return std::nullopt;
    // A cache file written before validators were kept has no etag: that copy is then fetched
    // unconditionally, as before.
    auto etag = GetString(*json, "etag");
    std::optional<std::string> validator = etag.ok() ? EtagValidator(*etag) : std::nullopt;
    return CachedList{std::string(AsStringView(*bytes)), *fetched, *fresh, validator.value_or("")};
  }

  // Keep makes `c` the current copy of `uri`, in memory and on disk.
  void Keep(const std::string& uri, const CachedList& c) {
    {
      std::lock_guard<std::mutex> lock(mu);
      lists[uri] = c;
    }
    Save(uri, c);
  }

  // Get returns a fresh copy of `uri` (fetching when the cached one is stale, or always when
  // `revalidate`), or the last good copy when the source fails; `source_error` says why the
  // source was not used.
  std::optional<StatusDocument> Get(const std::string& uri, int64_t now, Status& source_error, bool revalidate) {
    std::optional<CachedList> cached;
    {
      std::lock_guard<std::mutex> lock(mu);
      auto it = lists.find(uri);
      if (it != lists.end()) cached = it->second;
    }
    if (!cached) cached = Load(uri);
    if (cached && now < cached->fresh_until && !revalidate) {
      return StatusDocument{cached->body, cached->fetched_at, true};
    }
    if (revalidate) return Fetch(uri, now, cached, source_error);
    std::shared_ptr<Flight> flight;
    {
      std::unique_lock<std::mutex> lock(mu);
      if (auto it = flights.find(uri); it != flights.end()) {
        const std::shared_ptr<Flight> joined = it->second;
        flight_done.wait(lock, [&] { return joined->done; });
        source_error = joined->error;
        return joined->doc;
      }
      flight = std::make_shared<Flight>();
      flights.emplace(uri, flight);
    }
    // Whatever happens (an exception too), the flight lands, or its waiters would wait forever.
    auto land = [&](std::optional<StatusDocument> doc) {
      {
        std::lock_guard<std::mutex> lock(mu);
        flight->doc = std::move(doc);
        flight->error = source_error;
        flight->done = true;
        flights.erase(uri);
      }
      flight_done.notify_all();
    };
    std::optional<StatusDocument> doc;
    try {
      doc = Fetch(uri, now, cached, source_error);
    } catch (...) {
      source_error = Error(StatusCode::kInternal, "status list fetch failed");
      land(std::nullopt);
      throw;
    }
    land(doc);
    return doc;
  }

  // Fetch asks the source for `uri` (conditionally when `cached` has a validator) and keeps what
  // it gives; when it fails, the cached copy (if any) and, in `source_error`, why.
  std::optional<StatusDocument> Fetch(const std::string& uri, int64_t now, const std::optional<CachedList>& cached,
                                      Status& source_error) {
    // Revalidate the copy held when the source gave it a validator: a 304 confirms it without
    // sending the list again.
    std::optional<std::string> validator;
    if (cached && !cached->etag.empty()) validator = cached->etag;
    Result<FetchedDocument> got = Error(StatusCode::kIoError, "no status fetcher");
    if (fetch) got = fetch(uri, validator);
    // Freshness: the shorter of the list's ttl and the answer's max-age, else whichever is given.
    auto fresh_until = [&](const std::string& body) {
      int64_t freshness = kDefaultStatusFreshness;
      const std::optional<int64_t> ttl = StatusTtl(body);
      if (ttl && got->max_age) {
        freshness = std::min(*ttl, *got->max_age);
      } else if (ttl) {
        freshness = *ttl;
      } else if (got->max_age) {
        freshness = *got->max_age;
      }
      return now + std::max<int64_t>(freshness, 0);
    };
    if (got.ok() && got->status == 304 && validator) {
      CachedList confirmed{cached->body, now, fresh_until(cached->body), got->etag.value_or(cached->etag)};
      Keep(uri, confirmed);
      return StatusDocument{confirmed.body, now, true};
    }
    if (got.ok() && got->status == 200 && !got->body.empty() && got->body.size() <= kMaxStatusListBytes) {
      CachedList fresh{got->body, now, fresh_until(got->body), got->etag.value_or("")};
      Keep(uri, fresh);
      return StatusDocument{fresh.body, now, true};
    }
    source_error = got.ok() ? Error(StatusCode::kStatusUnavailable, "status list answered HTTP " +
                                                                        std::to_string(got->status))
                            : got.status();
    if (cached) return StatusDocument{cached->body, cached->fetched_at, false};
    return std::nullopt;
  }

  void StartHooks() {
    hook_thread = std::thread([this] {
      std::unique_lock<std::mutex> lock(hook_mu);
      while (true) {
        hook_cv.wait(lock, [this] { return stopping || !hooks.empty(); });
        if (hooks.empty()) return;  // stopping with nothing left
        auto [url, body] = std::move(hooks.front());
        hooks.pop_front();
        lock.unlock();
        for (int attempt = 0; attempt < 3; ++attempt) {
          if (send && send(url, body).ok()) break;
          // Back off between tries; at shutdown the remaining tries run without waiting.
          std::unique_lock<std::mutex> wait_lock(hook_mu);
          (void)hook_cv.wait_for(wait_lock, std::chrono::milliseconds(200 << attempt), [this] { return stopping; });
        }
        lock.lock();
      }
    });
  }

  void Enqueue(std::string url, std::string body) {
    std::lock_guard<std::mutex> lock(hook_mu);
    if (stopping) return;
    hooks.emplace_back(std::move(url), std::move(body));
    hook_cv.notify_all();
  }

  void StopHooks() {
    {
      std::lock_guard<std::mutex> lock(hook_mu);
      stopping = true;
    }
    hook_cv.notify_all();
    if (hook_thread.joinable()) hook_thread.join();
  }
};

// ---------------------------------------------------------------------------------------------

Result<SessionRequest> SessionRequestFromJson(const Json& json) {
  auto bad = [](std::string m) { return Error(StatusCode::kInvalidArgument, std::move(m)); };
  if (!json.is_object()) return bad("session request is not a JSON object");
  SessionRequest r;
  for (const auto& [key, value] : json.items()) {
    if (key == "check") {
      if (!value.is_string()) return bad("check is not a string");
      r.check = value.get<std::string>();
    } else if (key == "dcql_query") {
      if (!value.is_object()) return bad("dcql_query is not an object");
      r.dcql_query = value;
    } else if (key == "response_mode") {
      if (value == "direct_post.jwt") {
        r.response_mode = oid4vp::ResponseMode::kDirectPostJwt;
      } else if (value == "direct_post") {
        r.response_mode = oid4vp::ResponseMode::kDirectPost;
      } else {
        return bad("response_mode must be direct_post.jwt or direct_post");
      }
    } else if (key == "same_device") {
      if (!value.is_boolean()) return bad("same_device is not a boolean");
      r.same_device = value.get<bool>();
    } else if (key == "webhook_url") {
      if (!value.is_string()) return bad("webhook_url is not a string");
      r.webhook_url = value.get<std::string>();
    } else {
      return bad("unknown member " + key);
    }
  }
  if (r.check.has_value() == r.dcql_query.has_value()) return bad("give exactly one of check and dcql_query");
  return r;
}

Json CreatedSession::ToJson() const {
  return Json{{"session_id", session_id}, {"request_uri", request_uri}, {"expires_at", expires_at}};
}

namespace {

// StatusClients keeps kept-alive clients between status fetches, per origin, so that revalidating
// the list on every right-to-work check does not open a connection (and a TLS session) to the
// issuer each time. At most kIdlePerOrigin idle clients per origin and kMaxOrigins origins; a
// client beyond that, or one whose request failed, is closed.
class StatusClients {
 public:
  std::unique_ptr<http::Client> Take(const std::string& origin) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = idle_.find(origin);
    if (it == idle_.end() || it->second.empty()) return nullptr;
    std::unique_ptr<http::Client> c = std::move(it->second.back());
    it->second.pop_back();
    return c;
  }
  void Give(const std::string& origin, std::unique_ptr<http::Client> client) {
    std::lock_guard<std::mutex> lock(mu_);
    if (idle_.size() >= kMaxOrigins && !idle_.contains(origin)) return;
    std::vector<std::unique_ptr<http::Client>>& v = idle_[origin];
    if (v.size() < kIdlePerOrigin) v.push_back(std::move(client));
  }

 private:
  static constexpr size_t kIdlePerOrigin = 4;
  static constexpr size_t kMaxOrigins = 64;
  std::mutex mu_;
  std::map<std::string, std::vector<std::unique_ptr<http::Client>>> idle_;  // guarded by mu_
};

}  // namespace

StatusFetcher HttpStatusFetcher() {
  auto clients = std::make_shared<StatusClients>();
  return [clients](const std::string& uri, const std::optional<std::string>& if_none_match) -> Result<FetchedDocument> {
    ASSIGN_OR_RETURN(auto parts, SplitHttpUrl(uri));
    std::unique_ptr<http::Client> client = clients->Take(parts.first);
    if (client == nullptr) {
      http::ClientOptions options;
      options.connect_timeout = std::chrono::milliseconds(3000);
      options.read_timeout = std::chrono::milliseconds(5000);
      options.max_response_bytes = kMaxStatusListBytes;
      options.keep_alive = true;
      ASSIGN_OR_RETURN(client, http::Client::Create(parts.first, options));
    }
    http::Headers headers;
    if (if_none_match) headers.emplace_back("If-None-Match", *if_none_match);
    ASSIGN_OR_RETURN(http::ClientResponse r, client->Get(parts.second, headers));
    clients->Give(parts.first, std::move(client));
    return FetchedDocument{.status = r.status,
                           .body = std::move(r.body),
                           .max_age = MaxAge(r.Header("Cache-Control")),
                           .etag = EtagValidator(r.Header("ETag"))};
  };
}

WebhookSender HttpWebhookSender() {
  return [](const std::string& url, const std::string& body) -> Status {
    ASSIGN_OR_RETURN(auto parts, SplitHttpUrl(url));
    http::ClientOptions options;
    options.connect_timeout = std::chrono::milliseconds(3000);
    options.read_timeout = std::chrono::milliseconds(5000);
    ASSIGN_OR_RETURN(auto client, http::Client::Create(parts.first, options));
    ASSIGN_OR_RETURN(http::ClientResponse r, client->Post(parts.second, body, "application/json"));
    if (r.status < 200 || r.status > 299) return Error(StatusCode::kIoError, "webhook answered " + std::to_string(r.status));
    return OkStatus();
  };
}

VerifierService::VerifierService(VerifierConfig config, ServiceDeps deps)
    : config_(std::move(config)), deps_(std::move(deps)), internals_(std::make_unique<Internals>()) {}

VerifierService::~VerifierService() { internals_->StopHooks(); }

Result<std::unique_ptr<VerifierService>> VerifierService::Create(VerifierConfig config, ServiceDeps deps) {
  if (!deps.store || !deps.trust || deps.clock == nullptr || deps.random == nullptr) {
    return Error(StatusCode::kInvalidArgument, "verifier service needs a store, a trust list, a clock and randomness");
  }
  ASSIGN_OR_RETURN(std::string key_pem, ReadText(config.Path(kAccessKeyFile)));
  ASSIGN_OR_RETURN(std::string cert_pem, ReadText(config.Path(kAccessCertFile)));
  ASSIGN_OR_RETURN(std::string registration, ReadText(config.Path(kRegistrationFile)));
  ASSIGN_OR_RETURN(std::string result_pem, ReadText(config.Path(kResultKeyFile)));
  ASSIGN_OR_RETURN(crypto::PrivateKey access_key, crypto::PrivateKey::FromPem(key_pem));
  ASSIGN_OR_RETURN(crypto::Certificate cert, crypto::Certificate::FromPem(cert_pem));
  ASSIGN_OR_RETURN(crypto::PrivateKey result_key, crypto::PrivateKey::FromPem(result_pem));
  while (!registration.empty() && (registration.back() == '\n' || registration.back() == '\r')) registration.pop_back();

  auto service = std::unique_ptr<VerifierService>(new VerifierService(std::move(config), std::move(deps)));
  service->access_key_ = std::make_unique<crypto::PrivateKey>(std::move(access_key));
  ASSIGN_OR_RETURN(oid4vp::AccessChain chain,
                   oid4vp::CheckAccessChain({cert.der()}, service->access_key_->public_key()));
  service->access_chain_ = std::make_unique<oid4vp::AccessChain>(std::move(chain));
  service->registration_jwt_ = std::move(registration);
  service->result_kid_ = jose::JwkThumbprint(result_key.public_key());
  service->result_key_ = std::make_unique<crypto::PrivateKey>(std::move(result_key));
  Internals& in = *service->internals_;
  in.cache_dir = service->config_.Path(kStatusCacheDir);
  in.fetch = service->deps_.fetch_status ? service->deps_.fetch_status : HttpStatusFetcher();
  in.send = service->deps_.send_webhook ? service->deps_.send_webhook : HttpWebhookSender();
  in.StartHooks();
  return service;
}

Result<std::unique_ptr<VerifierService>> VerifierService::Open(VerifierConfig config, const Clock& clock,
                                                               Random& random, const http::Logger* logger) {
  std::unique_ptr<SessionStore> store;
  if (config.db == "sqlite") {
    ASSIGN_OR_RETURN(store, SessionStore::OpenSqlite(config.Path(kSqliteFile)));
  } else {
    ASSIGN_OR_RETURN(store, SessionStore::OpenPostgres(config.db));
  }
  ASSIGN_OR_RETURN(std::string root_pem, ReadText(config.Path(kRegistryRootFile)));
  ASSIGN_OR_RETURN(crypto::Certificate root, crypto::Certificate::FromPem(root_pem));
  registry::TrustListCacheOptions options;
  options.source = config.trust_list;
  options.cache_file = config.Path(kTrustListCacheFile);
  ASSIGN_OR_RETURN(std::unique_ptr<registry::TrustListCache> trust,
                   registry::TrustListCache::Create(options, std::move(root), clock.NowSeconds()));
  ServiceDeps deps;
  deps.store = std::move(store);
  deps.trust = std::move(trust);
  deps.clock = &clock;
  deps.random = &random;
  deps.logger = logger;
  return Create(std::move(config), std::move(deps));
}

void VerifierService::Log(http::LogLevel level, std::string_view event, const Json& fields) const {
  if (deps_.logger != nullptr) deps_.logger->Log(level, event, fields);
}

Status VerifierService::RefreshTrustList() {
  const int64_t now = deps_.clock->NowSeconds();
  Result<registry::TrustListSnapshot> snap = deps_.trust->Refresh(now);
  if (!snap.ok()) {
    Log(http::LogLevel::kError, "trust_list_refresh", Json{{"error", std::string(StatusCodeName(snap.status().code()))}});
    return snap.status();
  }
  if (!snap->from_source) {
    Log(http::LogLevel::kWarn, "trust_list_refresh",
        Json{{"from_source", false},
             {"age_seconds", snap->age_seconds},
             {"error", std::string(StatusCodeName(snap->source_status.code()))}});
  }
  std::lock_guard<std::mutex> lock(trust_mu_);
  trust_refreshed_at_ = now;
  return OkStatus();
}

Result<std::shared_ptr<const registry::TrustList>> VerifierService::TrustListNow() {
  const int64_t now = deps_.clock->NowSeconds();
  bool due = false;
  {
    std::lock_guard<std::mutex> lock(trust_mu_);
    due = trust_refreshed_at_ == 0 || now - trust_refreshed_at_ >= kTrustListRefreshSeconds;
  }
  if (due) (void)RefreshTrustList();
  std::shared_ptr<const registry::TrustList> list = deps_.trust->current();
  if (!list) return Error(StatusCode::kStatusUnavailable, "no trust list is available");
  return list;
}

std::string VerifierService::RequestUriOf(std::string_view request_id) const {
  const std::string request_uri = config_.url + "/request/" + std::string(request_id);
  auto uri = oid4vp::BuildRequestUri(
      "openid4vp://", oid4vp::WalletInvocation{.client_id = config_.client_id, .request_uri = request_uri,
                                               .request_uri_method = std::nullopt, .request = std::nullopt});
  return uri.ok() ? *uri : std::string();
}

Json VerifierService::CheckRecordKey() const {
  Json jwk = result_key_->public_key().ToJwk();
  jwk["kid"] = result_kid_;
  jwk["alg"] = "ES256";
  jwk["use"] = "sig";
  return jwk;
}

Result<CreatedSession> VerifierService::CreateSession(const SessionRequest& request) {
  std::shared_ptr<const Internals::CheckQuery> named;
  oid4vp::DcqlQuery raw;
  std::string check;
  if (request.check) {
    ASSIGN_OR_RETURN(named, internals_->QueryOfCheck(*request.check));
    check = *request.check;
  } else if (request.dcql_query) {
    ASSIGN_OR_RETURN(raw, oid4vp::ParseDcqlQuery(*request.dcql_query));
  } else {
    return Error(StatusCode::kInvalidArgument, "give a check or a dcql_query");
  }
  const oid4vp::DcqlQuery& query = named != nullptr ? named->query : raw;
  if (request.webhook_url) RETURN_IF_ERROR(SplitHttpUrl(*request.webhook_url).status());

  Random& random = *deps_.random;
  const int64_t now = deps_.clock->NowSeconds();
  Session s;
  s.id = RandomId(random);
  s.request_id = RandomId(random);
  s.check = check;
  s.dcql_query = named != nullptr ? named->text : DumpJson(query.ToJson());
  s.nonce = oid4vp::NewNonce(random);
  s.state = RandomId(random);
  s.response_mode = std::string(oid4vp::ResponseModeName(request.response_mode));
  s.same_device = request.same_device;
  s.webhook_url = request.webhook_url.value_or("");
  s.created_at = now;
  s.updated_at = now;
  s.expires_at = now + config_.session_ttl_seconds;

  oid4vp::RequestParams params;
  params.host = config_.host;
  params.response_mode = request.response_mode;
  params.response_uri = config_.url + "/response/" + s.request_id;
  params.nonce = s.nonce;
  params.state = s.state;
  params.dcql_query = query;
  params.lifetime_seconds = config_.session_ttl_seconds;
  params.verifier_info = {oid4vp::VerifierInfo{.format = "jwt", .data = registration_jwt_, .credential_ids = std::nullopt}};
  std::shared_ptr<const crypto::PrivateKey> enc_key;
  if (request.response_mode == oid4vp::ResponseMode::kDirectPostJwt) {
    ASSIGN_OR_RETURN(crypto::PrivateKey k, crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256));
    s.encryption_kid = "enc-" + RandomId(random).substr(0, 8);
    s.encryption_jwk = DumpJson(k.ExportJwk());
    params.encryption_key = k.public_key();
    params.encryption_kid = s.encryption_kid;
    enc_key = std::make_shared<const crypto::PrivateKey>(std::move(k));
  }
  ASSIGN_OR_RETURN(s.request_object, oid4vp::CreateRequestObject(params, *access_key_, *access_chain_, *deps_.clock));
  RETURN_IF_ERROR(deps_.store->Insert(s));
  Log(http::LogLevel::kInfo, "session_created",
      Json{{"request_id", s.request_id},
           {"check", check.empty() ? Json(nullptr) : Json(check)},
           {"response_mode", s.response_mode},
           {"same_device", s.same_device}});
  CreatedSession created{.session_id = s.id, .request_id = s.request_id, .request_uri = RequestUriOf(s.request_id),
                         .expires_at = s.expires_at};
  internals_->RememberOpen(std::move(s), std::move(enc_key));
  return created;
}

std::optional<Result<std::string>> VerifierService::RecentRequestObject(std::string_view request_id) {
  auto [open, jws] = internals_->OpenRequestOf(request_id);
  if (open == nullptr) return std::nullopt;
  const int64_t now = deps_.clock->NowSeconds();
  if (now >= open->session.expires_at) return Result<std::string>(Error(StatusCode::kExpired, "the session expired"));
  deps_.store->MarkRequestFetched(request_id, now);
  return Result<std::string>(*jws);
}

Result<std::string> VerifierService::RequestObject(std::string_view request_id) {
  if (std::optional<Result<std::string>> recent = RecentRequestObject(request_id)) return std::move(*recent);
  ASSIGN_OR_RETURN(Session s, deps_.store->GetByRequestId(request_id));
  const int64_t now = deps_.clock->NowSeconds();
  if (now >= s.expires_at) return Error(StatusCode::kExpired, "the session expired");
  if (s.status != SessionStatus::kCreated && s.status != SessionStatus::kRequestFetched) {
    return Error(StatusCode::kExpired, "the session was answered already");
  }
  if (s.status == SessionStatus::kCreated) deps_.store->MarkRequestFetched(request_id, now);
  return s.request_object;
}

ResponseOutcome VerifierService::Finish(const Session& session, Json result, bool completed, int64_t claim_now) {
  const int64_t now = deps_.clock->NowSeconds();
  std::string response_code;
  if (session.same_device) response_code = RandomId(*deps_.random);
  result["completed_at"] = now;
  const SessionStatus status = completed ? SessionStatus::kCompleted : SessionStatus::kFailed;
  // The single-use claim and the result in one durable write (expiry judged at `claim_now`, when
  // the response arrived).
  std::string result_text = DumpJson(result);
  const Status stored = deps_.store->CompleteResponse(session.request_id, status, result_text, response_code, claim_now);
  if (stored.code() == StatusCode::kNotFound || stored.code() == StatusCode::kExpired ||
      stored.code() == StatusCode::kNonceMismatch) {
    // Lost a race with another response (or the session expired meanwhile): nothing was stored.
    internals_->Forget(session.request_id);
    Log(http::LogLevel::kWarn, "response_rejected",
        Json{{"request_id", session.request_id}, {"error", std::string(StatusCodeName(stored.code()))}});
    return WalletError("the session is no longer open");
  }
  if (stored.ok()) {
    Session done = session;
    done.status = status;
    done.result = std::move(result_text);
    done.response_code = response_code;
    done.updated_at = claim_now;
    internals_->Finished(session.request_id, std::move(done));
  }
  Json fields = {{"request_id", session.request_id}, {"status", std::string(SessionStatusName(status))}};
  if (const Json* e = Find(result, "error")) fields["error"] = *e;
  if (const Json* c = Find(result, "credential")) fields["credential"] = *c;
  if (const Json* i = Find(result, "issuer"); i != nullptr && i->is_object()) fields["issuer"] = (*i)["id"];
  if (const Json* cs = Find(result, "credential_status")) fields["credential_status"] = *cs;
  if (!stored.ok()) {
    fields["store_error"] = std::string(StatusCodeName(stored.code()));
    Log(http::LogLevel::kError, "response_processed", fields);
    return ResponseOutcome{.http_status = 500, .body = Json{{"error", "server_error"}}};
  }
  Log(completed ? http::LogLevel::kInfo : http::LogLevel::kWarn, "response_processed", fields);
  if (!session.webhook_url.empty()) {
    auto full = GetResult(session.id, response_code.empty() ? std::nullopt : std::optional<std::string>(response_code));
    if (full.ok()) internals_->Enqueue(session.webhook_url, DumpJson(*full));
  }
  if (session.same_device) {
    return ResponseOutcome{.http_status = 200,
                           .body = Json{{"redirect_uri", config_.url + "/done#response_code=" + response_code}}};
  }
  // A failed verification is reported to the wallet too (the session is over either way).
  if (!completed && Find(result, "error") != nullptr && result["error"] != "declined") {
    return ResponseOutcome{.http_status = 400,
                           .body = Json{{"error", "invalid_request"},
                                        {"error_description", "presentation refused: " +
                                                                  result["error"].get<std::string>()}}};
  }
  return ResponseOutcome{.http_status = 200, .body = Json::object()};
}

ResponseOutcome VerifierService::HandleResponse(std::string_view request_id, std::string_view body,
                                                std::string_view content_type) {
  // A session this process opened is checked against its copy in memory (see Internals).
  const std::shared_ptr<const Internals::OpenSession> open = internals_->OpenOf(request_id);
  std::optional<Session> loaded;
  if (open == nullptr) {
    Result<Session> found = deps_.store->GetByRequestId(request_id);
    if (!found.ok()) {
      if (found.status().code() == StatusCode::kNotFound) return WalletError("unknown session");
      Log(http::LogLevel::kError, "response_rejected", Json{{"error", std::string(StatusCodeName(found.status().code()))}});
      return ResponseOutcome{.http_status = 500, .body = Json{{"error", "server_error"}}};
    }
    loaded = std::move(*found);
  }
  const Session& session = open != nullptr ? open->session : *loaded;
  const int64_t now = deps_.clock->NowSeconds();
  auto reject = [&](std::string_view code, std::string_view description) {
    Log(http::LogLevel::kWarn, "response_rejected",
        Json{{"request_id", session.request_id}, {"error", std::string(code)}});
    return WalletError(description);
  };
  if (session.status != SessionStatus::kCreated && session.status != SessionStatus::kRequestFetched) {
    return reject("nonce_mismatch", "the session was answered already");
  }
  if (now >= session.expires_at) return reject("expired", "the session expired");

  // 1. Parse (and decrypt) the response. Failures here leave the session open.
  const oid4vp::ResponseMode mode = session.response_mode == "direct_post" ? oid4vp::ResponseMode::kDirectPost
                                                                           : oid4vp::ResponseMode::kDirectPostJwt;
  std::shared_ptr<const crypto::PrivateKey> enc_key;
  std::optional<crypto::PublicKey> enc_pub;
  oid4vp::ResponseParseOptions parse;
  parse.expected_mode = mode;
  parse.expected_state = session.state;
  if (mode == oid4vp::ResponseMode::kDirectPostJwt) {
    if (open != nullptr) enc_key = open->key;
    if (enc_key == nullptr) {  // a session of another process, or one pushed out of the cache
      auto jwk = ParseJsonObject(session.encryption_jwk);
      auto key = jwk.ok() ? crypto::PrivateKey::FromJwk(*jwk) : Result<crypto::PrivateKey>(jwk.status());
      if (!key.ok()) return reject("internal", "the session has no usable encryption key");
      enc_key = std::make_shared<const crypto::PrivateKey>(std::move(*key));
    }
    enc_pub = enc_key->public_key();
    parse.decryption_key = enc_key.get();
    parse.expected_kid = session.encryption_kid;
  }
  Result<oid4vp::AuthorizationResponse> response = oid4vp::ParseAuthorizationResponse(body, content_type, parse);
  if (!response.ok()) {
    return reject(StatusCodeName(response.status().code()), "the response does not parse: " +
                                                                std::string(StatusCodeName(response.status().code())));
  }
  const std::shared_ptr<const oid4vp::DcqlQuery> query = internals_->Query(session.dcql_query);
  if (query == nullptr) return reject("internal", "the session's query does not parse");

  Json result = Json::object();
  // 2. A wallet error (the holder declined, or the wallet could not answer) ends the session.
  if (response->error) {
    result["error"] = response->error->error == "access_denied" ? "declined" : "wallet_error";
    result["wallet_error"] = response->error->error;
    return Finish(session, std::move(result), false, now);
  }

  // 3. Verify the presentations against the trust list (CPU work before the single-use claim).
  Result<std::shared_ptr<const registry::TrustList>> list = TrustListNow();
  if (!list.ok()) return reject("status_unavailable", "the verifier has no trust list");
  const std::shared_ptr<const TrustBundle> bundle = internals_->Bundle(*list, AcceptedTypes(*query));
  const TrustBundle& trust = *bundle;
  oid4vp::VerificationContext context;
  context.binding = oid4vp::PresentationBinding{.client_id = config_.client_id, .nonce = session.nonce,
                                                .response_uri = config_.url + "/response/" + session.request_id,
                                                .encryption_jwk_thumbprint = std::nullopt};
  if (enc_pub) {
    auto thumb = Base64UrlDecode(jose::JwkThumbprint(*enc_pub));
    if (thumb.ok()) context.binding.encryption_jwk_thumbprint = *thumb;
  }
  context.clock = deps_.clock;
  context.sd_jwt_trust = &trust.sd_jwt;
  context.iaca = trust.iaca.get();
  context.did_documents = &trust.did_documents;
  Status verified_status = OkStatus();
  std::optional<oid4vp::VerifiedVpToken> verified;
  // An mdoc presented when the list names no IACA for the query's doctypes: untrusted issuer.
  if (context.iaca == nullptr && response->vp_token->is_object()) {
    for (const auto& [id, value] : response->vp_token->items()) {
      const oid4vp::CredentialQuery* cq = query->FindCredential(id);
      if (cq != nullptr && cq->format == registry::kFormatMsoMdoc) {
        verified_status = Error(StatusCode::kUntrustedIssuer, "no trusted IACA for the requested doctypes");
      }
    }
  }
  if (verified_status.ok()) {
    Result<oid4vp::VerifiedVpToken> v = oid4vp::VerifyPresentations(*response->vp_token, *query, context);
    if (v.ok()) {
      verified = std::move(*v);
    } else {
      verified_status = v.status();
    }
  }

  // 4. From here on the session ends (Finish claims it and stores the result in one conditional
  // write: exactly one response is ever accepted).
  if (!verified_status.ok()) {
    result["error"] = std::string(StatusCodeName(verified_status.code()));
    result["error_description"] = verified_status.message();
    return Finish(session, std::move(result), false, now);
  }

  // 5. Exactly one credential, from an issuer the list names for its type.
  std::vector<std::pair<std::string, const oid4vp::VerifiedCredential*>> creds;
  for (const auto& [id, list_of] : verified->credentials) {
    for (const oid4vp::VerifiedCredential& c : list_of) creds.emplace_back(id, &c);
  }
  result["over_disclosed"] = verified->over_disclosed;
  if (creds.empty() || (!session.check.empty() && creds.size() != 1)) {
    result["error"] = "invalid_claims";
    result["error_description"] = "a check takes exactly one credential";
    return Finish(session, std::move(result), false, now);
  }
  std::vector<const registry::TrustedIssuer*> issuers;
  for (const auto& [id, c] : creds) {
    const registry::TrustedIssuer* issuer =
        FindVouchingIssuer(**list, *c, [&](const std::string& pem) { return internals_->IacaSubject(*list, pem); });
    if (issuer == nullptr) {
      result["credential"] = Json{{"format", c->format}, {"type", c->type}};
      result["error"] = "untrusted_issuer";
      result["error_description"] = "the issuer is not on the trust list for " + c->format + ":" + c->type;
      return Finish(session, std::move(result), false, now);
    }
    issuers.push_back(issuer);
  }
  const oid4vp::VerifiedCredential& first = *creds.front().second;
  result["credential"] = Json{{"format", first.format}, {"type", first.type}};
  result["issuer"] = Json{{"id", issuers.front()->id}, {"name", issuers.front()->name}};

  // 6. Status lists. Right to work and right to rent checks (civil penalties for the checker)
  // always ask the issuer for the current list, so a revocation counts at once; other checks use
  // a copy while it is fresh (the list's ttl / max-age). Either way, an unreachable issuer means
  // the last good copy, with its age.
  const bool revalidate = session.check == "right_to_work" || session.check == "right_to_rent";
  std::string credential_status = "none";
  std::optional<int64_t> checked_at;
  std::optional<int64_t> age;
  bool unavailable = false;
  std::string status_error;
  for (size_t i = 0; i < creds.size(); ++i) {
    const std::shared_ptr<const std::vector<crypto::PublicKey>> keys = internals_->KeysOf(*list, *issuers[i]);
    for (const oid4vp::CredentialStatusReference& ref : creds[i].second->status) {
      Status source_error;
      std::optional<Internals::StatusDocument> doc = internals_->Get(ref.uri, now, source_error, revalidate);
      if (!doc) {
        unavailable = true;
        status_error = std::string(StatusCodeName(source_error.code()));
        continue;
      }
      checked_at = checked_at ? std::min(*checked_at, doc->fetched_at) : doc->fetched_at;
      age = std::max<int64_t>(age.value_or(0), now - doc->fetched_at);
      if (!doc->from_source) {
        Log(http::LogLevel::kWarn, "status_list_cached",
            Json{{"request_id", session.request_id},
                 {"age_seconds", now - doc->fetched_at},
                 {"error", std::string(StatusCodeName(source_error.code()))}});
      }
      Status s = ref.kind == "bitstring_status_list"
                     ? CheckBitstringReference(doc->body, ref, *keys, *deps_.clock)
                     : internals_->CheckToken(doc->body, ref, *keys, *deps_.clock);
      if (s.code() == StatusCode::kRevoked) {
        credential_status = "revoked";
      } else if (s.code() == StatusCode::kSuspended) {
        if (credential_status != "revoked") credential_status = "suspended";
      } else if (!s.ok()) {
        unavailable = true;
        status_error = std::string(StatusCodeName(s.code()));
      } else if (credential_status == "none") {
        credential_status = "valid";
      }
    }
  }
  if (unavailable && credential_status != "revoked" && credential_status != "suspended") {
    credential_status = "unavailable";
  }
  result["credential_status"] = credential_status;
  result["status_unavailable"] = credential_status == "unavailable";
  result["status_checked_at"] = checked_at ? Json(*checked_at) : Json(nullptr);
  result["status_age_seconds"] = age ? Json(*age) : Json(nullptr);
  if (credential_status == "unavailable") result["status_error"] = status_error;
  if (credential_status == "revoked" || credential_status == "suspended") {
    result["error"] = credential_status;
    result["error_description"] = "the issuer has " + credential_status + " the credential";
    return Finish(session, std::move(result), false, now);
  }
  const bool confirmed = credential_status != "unavailable";
  result["decision_confirmed"] = confirmed;

  // 7. Raw DCQL session: the requested claims, per Credential Query.
  if (session.check.empty()) {
    Json out = Json::array();
    for (size_t i = 0; i < creds.size(); ++i) {
      out.push_back(Json{{"query_id", creds[i].first},
                         {"format", creds[i].second->format},
                         {"type", creds[i].second->type},
                         {"issuer", issuers[i]->id},
                         {"claims", creds[i].second->claims}});
    }
    result["credentials"] = std::move(out);
    return Finish(session, std::move(result), true, now);
  }

  // 8. The check's decision and the signed check record.
  std::string today;
  if (deps_.today) {
    today = deps_.today();
  } else if (Result<std::string> d = cbor::FormatFullDate(now); d.ok()) {
    today = *d;
  }
  Result<CheckDecision> decision = Decide(session.check,
                                          VerifiedPresentation{.type = {first.format, first.type}, .claims = first.claims},
                                          today);
  if (!decision.ok()) {
    result["error"] = std::string(StatusCodeName(decision.status().code()));
    result["error_description"] = decision.status().message();
    return Finish(session, std::move(result), false, now);
  }
  result["decision"] = decision->ToJson();
  result["outcome"] = decision->outcome;
  result["facts"] = decision->facts;
  result["check_record"] = nullptr;
  if (confirmed) {
    CheckRecord record;
    record.check = session.check;
    record.decision = *decision;
    record.checked_at = now;
    record.checker_client_id = config_.client_id;
    record.checker_name = config_.name;
    record.session_id = session.id;
    record.credential_type = registry::CredentialType{first.format, first.type};
    record.issuer = issuers.front()->id;
    record.status_age_seconds = age;
    Result<SignedCheckRecord> signed_record = CreateCheckRecord(std::move(record), *result_key_, result_kid_);
    if (!signed_record.ok()) {
      result["error"] = std::string(StatusCodeName(signed_record.status().code()));
      result["error_description"] = "the check record could not be signed";
      return Finish(session, std::move(result), false, now);
    }
    result["check_record"] = signed_record->jwt;
    if (signed_record->record.retention.retain_until) {
      result["retain_until"] = *signed_record->record.retention.retain_until;
    }
    result["retention_rule"] = signed_record->record.retention.rule;
  }
  return Finish(session, std::move(result), true, now);
}

std::optional<Result<Json>> VerifierService::RecentResult(std::string_view session_id,
                                                          const std::optional<std::string>& response_code) {
  const int64_t now = deps_.clock->NowSeconds();
  const std::shared_ptr<const Session> remembered =
      internals_->FinishedOf(session_id, now, config_.result_retention_seconds);
  if (remembered == nullptr) return std::nullopt;
  return ResultOf(*remembered, response_code, now);
}

Result<Json> VerifierService::GetResult(std::string_view session_id, const std::optional<std::string>& response_code) {
  // A session this process finished is read from memory (see Internals), others from the store.
  if (std::optional<Result<Json>> recent = RecentResult(session_id, response_code)) return std::move(*recent);
  ASSIGN_OR_RETURN(Session s, deps_.store->Get(session_id));
  return ResultOf(s, response_code, deps_.clock->NowSeconds());
}

Result<Json> VerifierService::ResultOf(const Session& s, const std::optional<std::string>& response_code,
                                       int64_t now) const {
  SessionStatus status = s.status;
  if ((status == SessionStatus::kCreated || status == SessionStatus::kRequestFetched) && now >= s.expires_at) {
    status = SessionStatus::kExpired;
  }
  const bool finished = status == SessionStatus::kCompleted || status == SessionStatus::kFailed;
  if (finished && s.same_device &&
      (!response_code || !crypto::ConstantTimeEquals(std::string_view(*response_code), std::string_view(s.response_code)))) {
    return Error(StatusCode::kNonceMismatch, "same-device result needs the response_code");
  }
  Json out = Json{{"session_id", s.id},
                  {"status", std::string(SessionStatusName(status))},
                  {"check", s.check.empty() ? Json(nullptr) : Json(s.check)},
                  {"response_mode", s.response_mode},
                  {"same_device", s.same_device},
                  {"request_uri", RequestUriOf(s.request_id)},
                  {"created_at", s.created_at},
                  {"expires_at", s.expires_at}};
  if (finished && !s.result.empty()) {
    auto stored = ParseJsonObject(s.result);
    if (!stored.ok()) return Error(StatusCode::kInternal, "stored result does not parse");
    for (auto& [key, value] : stored->items()) out[key] = value;
  }
  return out;
}

Result<int64_t> VerifierService::PurgeExpired() {
  return deps_.store->PurgeExpired(deps_.clock->NowSeconds() - config_.result_retention_seconds);
}

}  // namespace bonafide::verifier
