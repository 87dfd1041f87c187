// wallet/present.h: the wallet's presenting side (issue 5, part 3): answering an OpenID4VP 1.0
// (final) Authorization Request from a verifier registered in the trust registry (src/registry).
//
// Two steps, so a user interface can ask for consent in between:
//   1. PreparePresentation reads the Wallet invocation URL (oid4vp::ParseRequestUri), fetches the
//      signed Request Object from its request_uri (GET, or POST with request_uri_method=post)
//      through the HttpTransport, verifies it (oid4vp::VerifyRequestObject) and checks the
//      verifier against the registry's trust list: its access certificate must chain to the
//      registry root and be the one registered for the client_id host, and the relying party must
//      be active (registry::VerifyAccessCertificate). It reads the registration (the
//      verifier_info "jwt" entry, registry::VerifyRegistration; the trust list entry when none is
//      sent), works out which registered purpose(s) the DCQL query falls under (every requested
//      claim must be permitted, for the requested credential type, by a purpose the relying party
//      registered: PurposeGrant and registry::IsPermitted), matches the query against the
//      wallet's credentials (oid4vp::Match / Select) and returns a PresentationRequest holding
//      the consent summary (ConsentSummary) and, if the wallet must refuse, why.
//   2. Respond acts on the user's Decision:
//      - a request the wallet refuses is refused whatever the decision: nothing is disclosed, an
//        access_denied error response with the reason is sent when the verifier is
//        authenticated (see "Who is told" below), the refusal is logged, and the refusal's
//        Status is returned;
//      - kDecline sends access_denied ("the user declined"), logs "declined" and returns OK;
//      - kApprove takes a FRESH batch copy of every credential in the plan
//        (Wallet::TakeFreshCopy: two verifiers never see the same copy or device key), presents
//        exactly the planned claims bound to the request (nonce, client_id, response_uri, and
//        the encryption key thumbprint for mdoc under direct_post.jwt), signed by the copy's
//        device key in the wallet's key store, builds the vp_token, encrypts it for
//        direct_post.jwt, POSTs it to the response_uri, reads redirect_uri from the answer, logs
//        "shared" (attribute names only) and returns what was shared. A failed POST (no
//        answer, or an HTTP status other than 200) is logged "failed" and returns kIoError.
//
// Refusal codes (PresentationRequest::refusal(), and Respond's error):
//   kUntrustedIssuer  the verifier is not registered: its access certificate does not chain to
//                     the registry root, names no registered relying party, or is not the
//                     registered certificate; or its registration JWT does not verify.
//   kSuspended        the relying party is registered but suspended.
//   kInvalidClaims    over-asking: the query asks for claims (or a whole credential) outside
//                     every purpose the relying party registered; the message and
//                     ConsentSummary::over_asking name them.
//   kNotFound         nothing in the wallet (with an unused copy) satisfies the query.
//   any error of oid4vp::VerifyRequestObject: the Request Object itself failed verification.
// Errors of PreparePresentation itself (no PresentationRequest): kInvalidKey when the wallet is
// locked; kInvalidArgument for missing options; ParseRequestUri's kMalformed / kLimitExceeded;
// kIoError when the Request Object cannot be fetched (or its HTTP status is not 200); the trust
// list cache's errors when no trust list is available.
// Errors of Respond: the refusal as above; kInvalidArgument when the request was already
// answered; kIoError when sending an approved response failed (logged "failed"); the
// presentation builders' and TakeFreshCopy's errors (also logged "failed").
//
// Who is told: an error response goes only to a verifier whose access certificate chains to the
// registry root and is the registered one for its host (active or suspended). A verifier the
// wallet cannot authenticate learns nothing, not even that a wallet saw the request.
//
// jwt_vc_json: a VC-JWT cannot disclose selectively, so presenting one reveals the whole
// credential; the consent summary says so (ConsentCredential::whole_credential), and the
// over-asking check applies to the claims the query names.
//
// Trust configuration (`bonafide wallet trust`): SaveTrustConfig writes trust.json and
// registry_root.pem into the wallet directory (public data, in the clear); OpenTrustListCache
// keeps the last good trust list there as trust_list.jwt (registry::TrustListCache).
//
// Thread safety: not thread-safe (the Wallet is not). Ownership: PresentOptions' pointers must
// outlive the calls; a PresentationRequest owns its data.
#ifndef BONAFIDE_WALLET_PRESENT_H_
#define BONAFIDE_WALLET_PRESENT_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/json.h"
#include "base/random.h"
#include "base/status.h"
#include "oid4vp/dcql.h"
#include "oid4vp/request.h"
#include "registry/trust_list_cache.h"
#include "wallet/http_transport.h"
#include "wallet/wallet.h"

namespace bonafide::wallet {

// File names in the wallet directory.
inline constexpr std::string_view kTrustConfigFile = "trust.json";
inline constexpr std::string_view kRegistryRootFile = "registry_root.pem";
inline constexpr std::string_view kTrustListCacheFile = "trust_list.jwt";

// TrustConfig says where the wallet gets the registry's trust list and which root it pins.
struct TrustConfig {
  std::string trust_list{};         // a file path or an http(s) URL of the published list
  std::string registry_root_pem{};  // the pinned registry root certificate (PEM)
  std::string ca_file{};            // PEM roots for an https trust-list URL ("" = system)
};

// SaveTrustConfig checks `config` (kInvalidArgument for an empty trust_list; kMalformed when
// registry_root_pem is not one PEM certificate) and writes trust.json ({"trust_list",
// "ca_file"}) and registry_root.pem into `dir` atomically. kIoError when they cannot be written.
Status SaveTrustConfig(const std::filesystem::path& dir, const TrustConfig& config);
// LoadTrustConfig reads what SaveTrustConfig wrote: kNotFound when the wallet has no trust
// configuration; kMalformed for a damaged file; kIoError.
Result<TrustConfig> LoadTrustConfig(const std::filesystem::path& dir);
// OpenTrustListCache makes the TrustListCache of `config` with its cache file in `dir`, pinned to
// the configured root. kMalformed for a bad root PEM; TrustListCache::Create's errors.
Result<std::unique_ptr<registry::TrustListCache>> OpenTrustListCache(const std::filesystem::path& dir,
                                                                     const TrustConfig& config, int64_t now);

// InsecureLoopbackTransport sends every request for an https URL on `host` to `loopback_origin`
// (plain http on 127.0.0.1, [::1] or localhost) through `inner`, and every other request to
// `inner` unchanged. It lets a verifier registered under a real DNS name run on this machine for
// tests and local demos (`wallet present --insecure-http-loopback`); TLS is NOT used for that
// host. Never use it otherwise.
class InsecureLoopbackTransport final : public HttpTransport {
 public:
  // Create checks that loopback_origin is "http://" + a loopback host + optional ":port" and
  // nothing else, and that host is not empty. kInvalidArgument otherwise.
  static Result<std::unique_ptr<InsecureLoopbackTransport>> Create(HttpTransport& inner, std::string host,
                                                                   std::string loopback_origin);
  Result<HttpResponse> Get(std::string_view url, const HttpHeaders& headers) override;
  Result<HttpResponse> PostForm(std::string_view url, const HttpHeaders& headers,
                                std::string_view body) override;
  Result<HttpResponse> PostJson(std::string_view url, const HttpHeaders& headers,
                                std::string_view body) override;

 private:
  InsecureLoopbackTransport(HttpTransport& inner, std::string host, std::string origin)
      : inner_(inner), host_(std::move(host)), origin_(std::move(origin)) {}
  std::string Rewrite(std::string_view url) const;
  HttpTransport& inner_;
  std::string host_;
  std::string origin_;
};

// PresentOptions are what PreparePresentation and Respond work with.
struct PresentOptions {
  HttpTransport* transport = nullptr;              // required
  registry::TrustListCache* trust_list = nullptr;  // required; refreshed by PreparePresentation
  const Clock* clock = nullptr;                    // default: the system clock
  Random* random = nullptr;                        // default: crypto::SystemRandom()
  // Accept http request_uri / response_uri values on localhost / 127.0.0.1 / [::1]. Tests only.
  bool insecure_allow_http_loopback = false;
};

// ConsentAttribute is one attribute that would be shared.
struct ConsentAttribute {
  std::string credential_id{};    // the wallet credential it comes from
  std::string credential_name{};  // the credential's display name (English), else its type
  std::string claim{};            // the claim's name: "given_name", "age_over_18", "address.locality"
  // attribute: the name the transaction log keeps: "given_name", "org.iso.18013.5.1/age_over_18".
  std::string attribute{};
};

// ConsentCredential is one wallet credential the plan uses.
struct ConsentCredential {
  std::string query_id{};  // the DCQL Credential Query it answers
  std::string credential_id{};
  std::string credential_name{};
  std::string format{};
  bool whole_credential = false;  // jwt_vc_json: the whole credential is revealed
};

// ConsentSummary is what the user is asked to approve.
struct ConsentSummary {
  std::string client_id{};                       // as the request gave it ("x509_san_dns:<host>")
  std::string host{};                            // the client_id host
  std::string relying_party{};                   // registered legal name; "" when not registered
  std::string registration_number{};             // "" when none
  std::vector<std::string> purposes{};           // the registered purpose(s) the request falls under
  std::vector<ConsentAttribute> attributes{};    // empty when nothing matched
  std::vector<ConsentCredential> credentials{};  // empty when nothing matched
  std::vector<std::string> requested{};          // attribute names the query asks for
  // Flags.
  bool registered = false;  // the verifier's access certificate is its registered one
  bool suspended = false;
  bool trusted = false;                    // registered, active, and its registration verified
  std::vector<std::string> over_asking{};  // claims beyond the registration (attribute names)
  bool stale_trust_list = false;           // the trust list is past its next_update

  // purpose returns the purposes joined with ", " ("" when none).
  std::string purpose() const;
  // ToJson: {"client_id", "host", "relying_party", "registration_number", "purpose",
  // "purposes", "attributes": [{"credential_id", "credential", "claim", "attribute"}],
  // "credentials": [{"query_id", "credential_id", "credential", "format", "whole_credential"}],
  // "requested", "flags": {"registered", "suspended", "trusted", "over_asking": [...],
  // "stale_trust_list"}}.
  Json ToJson() const;
};

// Decision is the user's answer.
enum class Decision { kApprove, kDecline };

// PresentOutcome is what Respond did.
struct PresentOutcome {
  PresentationOutcome outcome = PresentationOutcome::kShared;  // kShared or kDeclined
  std::optional<std::string> redirect_uri{};  // from the verifier's answer (same-device flow)
  std::vector<std::string> attributes{};      // attribute names shared
  std::vector<std::string> credential_ids{};  // wallet credentials used
  bool response_sent = false;                 // kDeclined: whether access_denied reached the verifier
};

// PresentationRequest is a prepared request: the consent summary and, when the wallet must refuse,
// why. Only PreparePresentation constructs one; Respond answers it once.
class PresentationRequest {
 public:
  const ConsentSummary& summary() const { return summary_; }
  // refusal is OK when the user may approve; else the refusal (file comment).
  const Status& refusal() const { return refusal_; }
  bool refused() const { return !refusal_.ok(); }
  // verified returns the verified Request Object, or nullptr when it did not verify.
  const oid4vp::VerifiedRequest* verified() const { return request_ ? &*request_ : nullptr; }
  bool answered() const { return answered_; }

 private:
  friend Result<PresentationRequest> PreparePresentation(Wallet&, std::string_view, const PresentOptions&);
  friend Result<PresentOutcome> Respond(Wallet&, PresentationRequest&, Decision, const PresentOptions&);
  PresentationRequest() = default;

  ConsentSummary summary_;
  Status refusal_;
  std::optional<oid4vp::VerifiedRequest> request_;
  bool may_tell_verifier_ = false;  // the verifier is authenticated (see "Who is told")
  // The plan: per planned presentation, the Credential Query, wallet credential, format and
  // claims paths to disclose.
  struct Planned {
    std::string query_id;
    std::string credential_id;
    std::string format;
    std::vector<oid4vp::ClaimsPath> claims;
    std::vector<std::string> attributes;
  };
  std::vector<Planned> plan_;
  bool answered_ = false;
};

// PreparePresentation runs step 1 (file comment) for the invocation URL `request_uri`.
Result<PresentationRequest> PreparePresentation(Wallet& wallet, std::string_view request_uri,
                                                const PresentOptions& options);

// Respond runs step 2 (file comment). The request is marked answered whatever the result.
Result<PresentOutcome> Respond(Wallet& wallet, PresentationRequest& request, Decision decision,
                               const PresentOptions& options);

}  // namespace bonafide::wallet

#endif  // BONAFIDE_WALLET_PRESENT_H_
