// tests/wallet/present_fixture.h: what the presenting tests (tests/wallet/present_test.cc and
// tests/cli/wallet_present_cli_test.cc) share: a transport that issues Digital ID SD-JWT VCs
// through the fake issuer (fake_issuer.h), and an in-process OpenID4VP verifier made of the
// oid4vp verifier functions behind an http::Server on 127.0.0.1 (GET|POST /request/{id}, POST
// /response/{id}, presentations checked with oid4vp::VerifyPresentations). The verifier is
// registered as verifier.example.co.uk; wallets reach it through InsecureLoopbackTransport.
//
// Thread safety: the Verifier's server threads and the test thread share its sessions under a
// mutex (WithLast takes it).
#ifndef BONAFIDE_TESTS_WALLET_PRESENT_FIXTURE_H_
#define BONAFIDE_TESTS_WALLET_PRESENT_FIXTURE_H_

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "base/clock.h"
#include "base/json.h"
#include "crypto/keys.h"
#include "crypto/random.h"
#include "http/server.h"
#include "mdoc/iaca.h"
#include "oid4vp/dcql.h"
#include "oid4vp/presentation.h"
#include "oid4vp/request.h"
#include "oid4vp/response.h"
#include "sdjwt/sdjwt.h"
#include "sdjwt/sdjwt_vc.h"
#include "tests/wallet/fake_issuer.h"
#include "wallet/http_transport.h"

namespace bonafide::wallet::testing {

inline constexpr char kRpHost[] = "verifier.example.co.uk";
inline constexpr char kRpName[] = "Example Verifier Ltd";
inline constexpr char kRpNumber[] = "09876543";
inline constexpr char kDigitalIdVct[] = "urn:uk:gov:digital-id:1";
inline constexpr char kMdlNs[] = "org.iso.18013.5.1";
inline constexpr char kMdlDoctype[] = "org.iso.18013.5.1.mDL";
inline constexpr char kBirthDate[] = "1988-02-29";

// PidTransport routes the wallet's issuance to a FakeIssuer and re-issues every SD-JWT VC it
// returns as a Digital ID (vct urn:uk:gov:digital-id:1, the type the purposes table knows), bound
// to the same holder key and signed with its own key, published as the issuer's jwt-vc-issuer key.
class PidTransport final : public HttpTransport {
 public:
  explicit PidTransport(FakeIssuer& issuer) : issuer_(issuer), inner_(issuer) {
    Json jwk = key_.public_key().ToJwk();
    jwk["kid"] = kSdJwtKid;
    issuer_.jwt_vc_issuer_metadata =
        Json{{"issuer", issuer_.issuer_id()}, {"jwks", {{"keys", Json::array({jwk})}}}};
    issuer_.metadata().credential_configurations_supported[kSdJwtConfig].vct = kDigitalIdVct;
  }
  const crypto::PrivateKey& key() const { return key_; }

  Result<HttpResponse> Get(std::string_view url, const HttpHeaders& headers) override {
    return inner_.Get(url, headers);
  }
  Result<HttpResponse> PostForm(std::string_view url, const HttpHeaders& headers,
                                std::string_view body) override {
    return inner_.PostForm(url, headers, body);
  }
  Result<HttpResponse> PostJson(std::string_view url, const HttpHeaders& headers,
                                std::string_view body) override {
    ASSIGN_OR_RETURN(HttpResponse response, inner_.PostJson(url, headers, body));
    if (url.size() < 11 || url.substr(url.size() - 11) != "/credential" || response.status != 200)
      return response;
    Json json = ParseJsonObject(response.body).value();
    for (Json& entry : json["credentials"]) {
      const std::string credential = entry["credential"].get<std::string>();
      if (credential.find('~') == std::string::npos) continue;
      auto held = sdjwt::HeldSdJwt::FromIssuance(credential);
      EXPECT_TRUE(held.ok());
      auto holder = crypto::PublicKey::FromJwk(held->unverified_payload()["cnf"]["jwk"]);
      EXPECT_TRUE(holder.ok());
      sdjwt::SdJwtVcIssueRequest r;
      r.iss = issuer_.issuer_id();
      r.vct = kDigitalIdVct;
      r.claims = {{"given_name", kHolderGivenName},
                  {"family_name", kHolderFamilyName},
                  {"birth_date", kBirthDate},
                  {"age_over_18", true}};
      r.holder_key = *holder;
      r.kid = kSdJwtKid;
      r.disclosure.all_disclosable = true;
      entry["credential"] =
          sdjwt::IssueSdJwtVc(r, key_, SystemClock::Default(), crypto::SystemRandom()).value();
    }
    response.body = DumpJson(json);
    return response;
  }

 private:
  FakeIssuer& issuer_;
  FakeTransport inner_;
  crypto::PrivateKey key_ = *crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256);
};

// Session is one request the verifier made and what it received.
struct Session {
  oid4vp::DcqlQuery query;
  oid4vp::ResponseMode mode = oid4vp::ResponseMode::kDirectPostJwt;
  std::string jws;
  std::unique_ptr<crypto::PrivateKey> enc_key;
  std::string state;
  int posts = 0;
  std::optional<oid4vp::AuthorizationResponse> response;
  Status parse_status;
  std::optional<oid4vp::VerifiedVpToken> verified;
  Status verify_status;
};

// Verifier is the in-process verifier endpoint.
class Verifier {
 public:
  Verifier(crypto::PrivateKey access_key, std::vector<Bytes> chain, std::string registration_jwt,
           const sdjwt::SdJwtVcTrust& sd_trust, const mdoc::IacaTrustStore& iaca)
      : access_key_(std::move(access_key)),
        chain_(std::move(chain)),
        registration_(std::move(registration_jwt)),
        sd_trust_(sd_trust),
        iaca_(iaca) {
    http::ServerOptions options;
    options.worker_threads = 2;
    options.log_sink = [](std::string_view) {};
    server_ = http::Server::Create(options).value();
    auto serve = [this](const http::Request& r) { return ServeRequest(r); };
    EXPECT_TRUE(server_->Get("/request/{id}", serve).ok());
    EXPECT_TRUE(server_->Post("/request/{id}", serve).ok());
    EXPECT_TRUE(server_->Post("/response/{id}", [this](const http::Request& r) { return Receive(r); }).ok());
    EXPECT_TRUE(server_->Start().ok());
  }
  ~Verifier() { server_->Stop(); }

  std::string origin() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }

  // NewRequest makes a signed request for `query` and returns the Wallet invocation URL.
  std::string NewRequest(const oid4vp::DcqlQuery& query, oid4vp::ResponseMode mode, bool post = false,
                         bool with_registration = true) {
    std::lock_guard<std::mutex> lock(mu_);
    const std::string id = "r" + std::to_string(++counter_);
    auto session = std::make_unique<Session>();
    session->query = query;
    session->mode = mode;
    session->state = "st-" + id;
    oid4vp::RequestParams p;
    p.host = kRpHost;
    p.response_mode = mode;
    p.response_uri = std::string("https://") + kRpHost + "/response/" + id;
    p.nonce = oid4vp::NewNonce(crypto::SystemRandom());
    p.state = session->state;
    p.dcql_query = query;
    if (mode == oid4vp::ResponseMode::kDirectPostJwt) {
      session->enc_key =
          std::make_unique<crypto::PrivateKey>(*crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256));
      p.encryption_key = session->enc_key->public_key();
      p.encryption_kid = "enc-" + id;
    }
    if (with_registration) {
      p.verifier_info = {
          oid4vp::VerifierInfo{.format = "jwt", .data = registration_, .credential_ids = std::nullopt}};
    }
    auto jws = oid4vp::CreateRequestObject(p, access_key_, chain_, SystemClock::Default());
    EXPECT_TRUE(jws.ok()) << jws.status().ToString();
    session->jws = jws.ok() ? *jws : "";
    sessions_[id] = std::move(session);
    oid4vp::WalletInvocation inv;
    inv.client_id = std::string("x509_san_dns:") + kRpHost;
    inv.request_uri = std::string("https://") + kRpHost + "/request/" + id;
    if (post) inv.request_uri_method = oid4vp::RequestUriMethod::kPost;
    last_id_ = id;
    return oid4vp::BuildRequestUri("openid4vp://", inv).value();
  }

  // With runs f(Session&) for the last request under the lock.
  template <typename F>
  auto WithLast(F&& f) {
    std::lock_guard<std::mutex> lock(mu_);
    return f(*sessions_.at(last_id_));
  }
  std::string last_id() const { return last_id_; }
  int request_fetches() {
    std::lock_guard<std::mutex> lock(mu_);
    return fetches_;
  }

 private:
  http::Response ServeRequest(const http::Request& r) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = sessions_.find(r.PathParam("id").value_or(""));
    if (it == sessions_.end()) return http::Response::JsonError(404, "not_found");
    ++fetches_;
    http::Response out;
    out.status = 200;
    out.content_type = "application/oauth-authz-req+jwt";
    out.body = it->second->jws;
    return out;
  }

  http::Response Receive(const http::Request& r) {
    std::lock_guard<std::mutex> lock(mu_);
    const std::string id = r.PathParam("id").value_or("");
    auto it = sessions_.find(id);
    if (it == sessions_.end()) return http::Response::JsonError(404, "not_found");
    Session& s = *it->second;
    ++s.posts;
    oid4vp::ResponseParseOptions options;
    options.expected_mode = s.mode;
    if (s.enc_key) {
      options.decryption_key = s.enc_key.get();
      options.expected_kid = "enc-" + id;
    }
    options.expected_state = s.state;
    auto parsed = oid4vp::ParseAuthorizationResponse(r.body, r.Header("Content-Type").value_or(""), options);
    if (!parsed.ok()) {
      s.parse_status = parsed.status();
      return http::Response::JsonError(400, "invalid_request");
    }
    s.response = *parsed;
    if (parsed->vp_token) {
      // The verifier checks the presentations against its own request (the binding as verified).
      oid4vp::RequestVerifyOptions vo;
      vo.clock = &SystemClock::Default();
      auto request = oid4vp::VerifyRequestObject(s.jws, std::string("x509_san_dns:") + kRpHost, vo);
      EXPECT_TRUE(request.ok()) << request.status().ToString();
      oid4vp::VerificationContext ctx;
      ctx.binding = request->binding();
      ctx.clock = &SystemClock::Default();
      ctx.sd_jwt_trust = &sd_trust_;
      ctx.iaca = &iaca_;
      auto verified = oid4vp::VerifyPresentations(*parsed->vp_token, s.query, ctx);
      if (verified.ok()) {
        s.verified = *verified;
      } else {
        s.verify_status = verified.status();
        return http::Response::JsonError(400, "invalid_request");
      }
    }
    return http::Response::JsonBody(
        200, Json{{"redirect_uri", std::string("https://") + kRpHost + "/done/" + id}});
  }

  std::mutex mu_;
  crypto::PrivateKey access_key_;
  std::vector<Bytes> chain_;
  std::string registration_;
  const sdjwt::SdJwtVcTrust& sd_trust_;
  const mdoc::IacaTrustStore& iaca_;
  std::unique_ptr<http::Server> server_;
  std::map<std::string, std::unique_ptr<Session>> sessions_;
  std::string last_id_;
  int counter_ = 0;
  int fetches_ = 0;
};

inline oid4vp::ClaimsQuery Claim(std::vector<std::string> path) {
  oid4vp::ClaimsPath p;
  for (auto& s : path) p.emplace_back(std::move(s));
  return oid4vp::ClaimsQuery{.id = std::nullopt, .path = std::move(p)};
}

inline oid4vp::DcqlQuery PidQuery(const std::vector<std::string>& claims) {
  oid4vp::CredentialQuery q;
  q.id = "pid";
  q.format = std::string(oid4vp::kFormatSdJwtVc);
  q.meta.vct_values = std::vector<std::string>{kDigitalIdVct};
  std::vector<oid4vp::ClaimsQuery> cq;
  for (const auto& c : claims) cq.push_back(Claim({c}));
  q.claims = std::move(cq);
  return oid4vp::DcqlQuery{.credentials = {q}, .credential_sets = std::nullopt};
}

inline oid4vp::DcqlQuery MdocQuery(const std::string& doctype, const std::string& ns,
                                   const std::vector<std::string>& elements) {
  oid4vp::CredentialQuery q;
  q.id = "mdl";
  q.format = std::string(oid4vp::kFormatMsoMdoc);
  q.meta.doctype_value = doctype;
  std::vector<oid4vp::ClaimsQuery> cq;
  for (const auto& e : elements) cq.push_back(Claim({ns, e}));
  q.claims = std::move(cq);
  return oid4vp::DcqlQuery{.credentials = {q}, .credential_sets = std::nullopt};
}

}  // namespace bonafide::wallet::testing

#endif  // BONAFIDE_TESTS_WALLET_PRESENT_FIXTURE_H_
