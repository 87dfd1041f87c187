// Tests for verifier/service.h: the verifier service in process, with a wallet side built from the
// oid4vp functions, a real trust list from registry::Registry, and status lists served by an
// http::Server on loopback.
#include "verifier/service.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <functional>
#include <string>
#include <vector>

#include "base/encoding.h"
#include "cbor/cbor.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "crypto/x509_builder.h"
#include "http/server.h"
#include "jose/jwk.h"
#include "mdoc/doctypes.h"
#include "mdoc/holder.h"
#include "mdoc/iaca.h"
#include "mdoc/issuer.h"
#include "oid4vp/presentation.h"
#include "oid4vp/request.h"
#include "oid4vp/response.h"
#include "registry/registry.h"
#include "sdjwt/sdjwt.h"
#include "sdjwt/sdjwt_vc.h"
#include "status/status_list_token.h"
#include "status/token_status_list.h"
#include "verifier/check_record.h"
#include "verifier/checks.h"
#include "verifier/config.h"

namespace bonafide::verifier {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kNow = 1795694400;  // 2026-11-26T12:00:00Z
constexpr char kIssuerId[] = "https://issuer.gov.uk";
constexpr char kDigitalIdVct[] = "urn:uk:gov:digital-id:1";
constexpr char kIssuerKid[] = "issuer-key-1";
constexpr char kHolderName[] = "Okonkwo-Testperson";
constexpr char kBirthDate[] = "1987-03-21";

crypto::PrivateKey NewKey() { return crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256).value(); }

void Write(const std::string& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

// StatusHost serves one Token Status List at /status/1 on loopback, with an ETag (a hash of the
// list, or a fixed one) and 304 for a matching If-None-Match; the list can be changed or the
// server stopped.
class StatusHost {
 public:
  StatusHost() {
    http::ServerOptions o;
    o.worker_threads = 1;
    o.blocking_threads = 1;
    o.log_sink = [](std::string_view) {};
    o.metrics = metrics_;
    server_ = http::Server::Create(o).value();
    EXPECT_TRUE(server_->Get("/status/1", [this](const http::Request& req) {
                         std::this_thread::sleep_for(delay_.load());
                         std::lock_guard<std::mutex> lock(mu_);
                         ++hits_;
                         http::Response r;
                         const std::string etag =
                             fixed_etag_.value_or("\"" + HexEncode(crypto::Sha256(AsBytes(body_))).substr(0, 16) + "\"");
                         r.headers.emplace_back("ETag", etag);
                         r.headers.emplace_back("Cache-Control", "max-age=" + std::to_string(max_age_));
                         if (req.Header("If-None-Match") == etag) {
                           ++not_modified_;
                           r.status = 304;
                           return r;
                         }
                         r.content_type = "application/statuslist+jwt";
                         r.body = body_;
                         return r;
                       }).ok());
    EXPECT_TRUE(server_->Start().ok());
  }
  std::string uri() const { return "http://127.0.0.1:" + std::to_string(server_->port()) + "/status/1"; }
  void Publish(const crypto::PrivateKey& key, const Clock& clock, uint64_t revoked_index, bool revoke,
               int64_t max_age = 60) {
    status::StatusList list = status::StatusList::Create(1, 1024).value();
    if (revoke) {
      EXPECT_TRUE(list.Set(revoked_index, status::StatusType::kInvalid).ok());
    }
    status::StatusListTokenParams p;
    p.sub = uri();
    p.iat = clock.NowSeconds();
    p.exp = clock.NowSeconds() + 86400;
    p.ttl = 43200;
    p.iss = kIssuerId;
    p.kid = kIssuerKid;
    std::string token = status::IssueStatusListToken(p, list, key).value();
    std::lock_guard<std::mutex> lock(mu_);
    body_ = std::move(token);
    max_age_ = max_age;
  }
  void Stop() { server_->Stop(); }
  int hits() {
    std::lock_guard<std::mutex> lock(mu_);
    return hits_;
  }
  // connections is how many connections the server accepted (its http_connections_total).
  int connections() const {
    const std::string text = metrics_->Render();
    const std::string name = "\nhttp_connections_total ";
    const size_t at = text.find(name);
    return at == std::string::npos ? -1 : std::stoi(text.substr(at + name.size()));
  }
  int not_modified() {
    std::lock_guard<std::mutex> lock(mu_);
    return not_modified_;
  }
  // SetDelay holds every answer for `d` (a slow issuer).
  void SetDelay(std::chrono::milliseconds d) { delay_ = d; }
  // FixEtag sends `etag` for every list instead of the list's hash.
  void FixEtag(std::string etag) {
    std::lock_guard<std::mutex> lock(mu_);
    fixed_etag_ = std::move(etag);
  }

 private:
  std::shared_ptr<http::Metrics> metrics_ = std::make_shared<http::Metrics>();
  std::unique_ptr<http::Server> server_;
  std::mutex mu_;
  std::string body_;
  int64_t max_age_ = 60;
  int hits_ = 0;
  int not_modified_ = 0;
  std::optional<std::string> fixed_etag_;
  std::atomic<std::chrono::milliseconds> delay_{std::chrono::milliseconds(0)};
};

// World: a registry listing one issuer (Digital ID SD-JWT VC and eVisa mdoc), a verifier data
// directory for x509_san_dns:localhost, and a wallet holding credentials.
class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("bonafide-verifier-svc-" + Base64UrlEncode(crypto::SystemRandom().Generate(6)));
    fs::create_directories(dir_);
    // Issuer keys: SD-JWT VC key (also signs the status lists) and an IACA + document signer.
    FixedClock issued_clock(kNow - 86400);
    mdoc::IacaOptions iaca_options;
    iaca_options.common_name = "Home Office test IACA";
    iaca_options.issuer_alt_uri = "https://issuer.gov.uk/iaca";
    auto iaca = mdoc::CreateIaca(iaca_options, issued_clock).value();
    iaca_key_ = std::make_unique<crypto::PrivateKey>(std::move(iaca.key));
    iaca_ = std::make_unique<crypto::Certificate>(std::move(iaca.certificate));
    mdoc::DocumentSignerOptions ds_options;
    ds_options.common_name = "Home Office test DS";
    auto ds = mdoc::CreateDocumentSigner(*iaca_key_, *iaca_, ds_options, issued_clock).value();
    ds_key_ = std::make_unique<crypto::PrivateKey>(std::move(ds.key));
    ds_ = std::make_unique<crypto::Certificate>(std::move(ds.certificate));

    // The registry and its trust list.
    registry_dir_ = (dir_ / "registry").string();
    auto reg = registry::Registry::Init(registry_dir_, registry::InitOptions(), clock_).value();
    registry::TrustedIssuer issuer;
    issuer.id = kIssuerId;
    issuer.name = "Government Digital Service (test)";
    Json jwk = sd_issuer_.public_key().ToJwk();
    jwk["kid"] = kIssuerKid;
    issuer.credentials.push_back(registry::IssuerCredential{
        .type = {"dc+sd-jwt", kDigitalIdVct}, .iaca_pems = {}, .jwks = Json{{"keys", Json::array({jwk})}},
        .did_document = Json()});
    issuer.credentials.push_back(registry::IssuerCredential{.type = {"mso_mdoc", mdoc::kEvisaDoctype},
                                                            .iaca_pems = {iaca_->ToPem()},
                                                            .jwks = Json(),
                                                            .did_document = Json()});
    ASSERT_TRUE(reg.AddIssuer(issuer, clock_).ok());
    trust_list_file_ = (dir_ / "trust_list.jwt").string();
    Write(trust_list_file_, reg.Publish(clock_).value());

    // The relying party: an access certificate for localhost (registry add-rp only registers
    // hosts with two labels; loopback tests need "localhost", see docs/verifier.md).
    const std::string rp_dir = (dir_ / "rp").string();
    fs::create_directories(rp_dir);
    crypto::CertificateTemplate t;
    t.subject = {{"C", "GB"}, {"O", "Example Employer Ltd"}, {"CN", "localhost"}};
    t.not_before = kNow - 86400;
    t.not_after = kNow + 365 * 86400;
    t.key_usage.digital_signature = true;
    t.dns_names = {"localhost"};
    crypto::Certificate access = crypto::IssueCertificate(t, access_key_.public_key(), reg.root_certificate(),
                                                          LoadRootKey())
                                     .value();
    Write(rp_dir + "/access_key.pem", std::string(AsStringView(access_key_.ExportPem().view())));
    Write(rp_dir + "/access_cert.pem", access.ToPem());
    Write(rp_dir + "/registry_root.pem", reg.root_certificate().ToPem());
    Write(rp_dir + "/registration.jwt", "eyJhbGciOiJFUzI1NiJ9.e30.c2ln\n");
    InitOptions init;
    init.data_dir = (dir_ / "verifier").string();
    init.rp_dir = rp_dir;
    init.trust_list = trust_list_file_;
    init.url = "http://localhost:8443";
    config_ = InitDataDir(init).value();

    status_ = std::make_unique<StatusHost>();
    status_->Publish(sd_issuer_, clock_, 0, false);
    MakeService();
  }

  void TearDown() override {
    service_.reset();
    status_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  crypto::PrivateKey LoadRootKey() {
    std::ifstream in(registry_dir_ + "/root.key.pem");
    std::string pem((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return crypto::PrivateKey::FromPem(pem).value();
  }

  void MakeService() {
    service_.reset();
    service_ = NewService();
  }

  // NewService opens another service on the same data directory and database, as a second
  // `verifier serve` process would.
  std::unique_ptr<VerifierService> NewService() {
    ServiceDeps deps;
    deps.store = SessionStore::OpenSqlite(config_.Path(kSqliteFile)).value();
    registry::TrustListCacheOptions o;
    o.source = trust_list_file_;
    o.cache_file = config_.Path(kTrustListCacheFile);
    deps.trust = registry::TrustListCache::Create(o, LoadRegistryRoot(), kNow).value();
    deps.clock = &clock_;
    deps.random = &crypto::SystemRandom();
    // Each service its own logger (all writing to logs_), kept as long as the fixture.
    loggers_.push_back(std::make_unique<http::Logger>("verifier-test", [this](std::string_view line) {
      std::lock_guard<std::mutex> lock(log_mu_);
      logs_ += std::string(line) + "\n";
    }));
    deps.logger = loggers_.back().get();
    deps.today = [] { return std::string("2026-11-26"); };
    return VerifierService::Create(config_, std::move(deps)).value();
  }

  crypto::Certificate LoadRegistryRoot() {
    std::ifstream in(config_.Path(kRegistryRootFile));
    std::string pem((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return crypto::Certificate::FromPem(pem).value();
  }

  // ---- wallet side ----

  // DigitalId issues an SD-JWT VC Digital ID held by holder_ (status at index `idx` of the status
  // host when `with_status`), signed by `signer` (default: the listed issuer key).
  std::unique_ptr<sdjwt::HeldSdJwt> DigitalId(const std::string& residency, bool with_status = true, uint64_t idx = 5,
                                              const crypto::PrivateKey* signer = nullptr) {
    sdjwt::SdJwtVcIssueRequest r;
    r.iss = kIssuerId;
    r.vct = kDigitalIdVct;
    r.kid = kIssuerKid;
    r.claims = {{"given_name", "Adaeze"},  {"family_name", kHolderName}, {"birth_date", kBirthDate},
                {"portrait", "_9j_4AAQ"}, {"residency_status", residency}, {"nationality", "GB"},
                {"age_over_18", true}};
    r.holder_key = holder_.public_key();
    if (with_status) r.status = sdjwt::StatusListReference{idx, status_->uri()};
    r.disclosure.all_disclosable = true;
    FixedClock issued_at(kNow - 3600);
    std::string sd = sdjwt::IssueSdJwtVc(r, signer != nullptr ? *signer : sd_issuer_, issued_at, crypto::SystemRandom()).value();
    return std::make_unique<sdjwt::HeldSdJwt>(sdjwt::HeldSdJwt::FromIssuance(sd).value());
  }

  // Evisa issues an eVisa mdoc (no status reference) held with device_key_.
  std::unique_ptr<mdoc::HeldMdoc> Evisa(const std::string& right_to_work, std::optional<std::string> valid_until,
                                        std::optional<std::string> conditions) {
    mdoc::NameSpaces ns;
    std::vector<std::pair<std::string, cbor::Value>> e;
    e.emplace_back("family_name", cbor::Value::Text(kHolderName));
    e.emplace_back("given_name", cbor::Value::Text("Adaeze"));
    e.emplace_back("birth_date", cbor::Value::FullDate(kBirthDate));
    e.emplace_back("portrait", cbor::Value::ByteString(Bytes{0xff, 0xd8, 0xff, 0xe0, 0xff, 0xd9}));
    e.emplace_back("status_type", cbor::Value::Text(valid_until ? "Student" : "Indefinite leave to remain"));
    e.emplace_back("right_to_work", cbor::Value::Text(right_to_work));
    if (valid_until) e.emplace_back("valid_until", cbor::Value::FullDate(*valid_until));
    if (conditions) e.emplace_back("work_conditions", cbor::Value::Text(*conditions));
    e.emplace_back("right_to_rent", cbor::Value::Bool(true));
    ns.emplace_back(std::string(mdoc::kEvisaDoctype), std::move(e));
    mdoc::IssueRequest request{.doc_type = std::string(mdoc::kEvisaDoctype), .name_spaces = std::move(ns),
                               .device_key = device_key_.public_key()};
    request.validity = {kNow - 86400, kNow - 86400, kNow + 365 * 86400, std::nullopt};
    cbor::Value issued = mdoc::IssueMdoc(request, *ds_key_, {ds_->der()}, crypto::SystemRandom()).value();
    return std::make_unique<mdoc::HeldMdoc>(mdoc::HeldMdoc::FromIssuerSigned(issued).value());
  }

  oid4vp::VerifiedRequest Fetch(const CreatedSession& created) {
    std::string jws = service_->RequestObject(created.request_id).value();
    oid4vp::RequestVerifyOptions o;
    o.clock = &clock_;
    o.insecure_allow_http_loopback = true;
    auto invocation = oid4vp::ParseRequestUri(created.request_uri, {.max_bytes = 64 * 1024,
                                                                    .insecure_allow_http_loopback = true});
    EXPECT_TRUE(invocation.ok()) << invocation.status().ToString();
    auto v = oid4vp::VerifyRequestObject(jws, invocation->client_id, o);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return std::move(v).value();
  }

  // PathsFor returns the claims of the Credential Query `query_id` that `present` says the
  // credential holds (its first option when claim_sets are used).
  static std::vector<oid4vp::ClaimsPath> PathsFor(const oid4vp::DcqlQuery& q, std::string_view query_id,
                                                 const std::function<bool(const oid4vp::ClaimsPath&)>& present) {
    std::vector<oid4vp::ClaimsPath> out;
    const oid4vp::CredentialQuery* cq = q.FindCredential(query_id);
    EXPECT_NE(cq, nullptr);
    if (cq == nullptr || !cq->claims) return out;
    for (const oid4vp::ClaimsQuery& c : *cq->claims) {
      if (present(c.path)) out.push_back(c.path);
    }
    return out;
  }

  std::string SdJwtBody(const oid4vp::VerifiedRequest& r, const sdjwt::HeldSdJwt& held,
                        const std::set<std::string>& held_claims) {
    auto paths = PathsFor(r.dcql_query(), kQueryIdDigitalIdSdJwt, [&](const oid4vp::ClaimsPath& p) {
      return p.size() == 1 && held_claims.count(std::get<std::string>(p[0])) > 0;
    });
    std::string vp = oid4vp::PresentSdJwtVc(held, paths, holder_, r.binding(), clock_).value();
    Json token = oid4vp::BuildVpToken({{std::string(kQueryIdDigitalIdSdJwt), {vp}}}).value();
    return Encode(token, r);
  }

  std::string EvisaBody(const oid4vp::VerifiedRequest& r, const mdoc::HeldMdoc& held, const std::set<std::string>& held_elements) {
    auto paths = PathsFor(r.dcql_query(), kQueryIdEvisa, [&](const oid4vp::ClaimsPath& p) {
      return p.size() == 2 && held_elements.count(std::get<std::string>(p[1])) > 0;
    });
    std::string vp = oid4vp::PresentMdoc(held, paths, device_key_, r.binding()).value();
    Json token = oid4vp::BuildVpToken({{std::string(kQueryIdEvisa), {vp}}}).value();
    return Encode(token, r);
  }

  std::string Encode(const Json& token, const oid4vp::VerifiedRequest& r) {
    auto body = r.response_mode() == oid4vp::ResponseMode::kDirectPostJwt
                    ? oid4vp::EncryptResponse(token, r, crypto::SystemRandom())
                    : oid4vp::EncodeDirectPost(token, r.state());
    EXPECT_TRUE(body.ok()) << body.status().ToString();
    return body.ok() ? *body : std::string();
  }

  CreatedSession Create(const std::string& check, bool same_device = false,
                        oid4vp::ResponseMode mode = oid4vp::ResponseMode::kDirectPostJwt) {
    SessionRequest req;
    req.check = check;
    req.same_device = same_device;
    req.response_mode = mode;
    auto created = service_->CreateSession(req);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.value();
  }

  // CitizenAnswer is the wallet's answer to session `c`: a British citizen's Digital ID.
  std::string CitizenAnswer(const CreatedSession& c) {
    auto held = DigitalId("british_citizen");
    return SdJwtBody(Fetch(c), *held, kDigitalIdClaims);
  }

  static ResponseOutcome Answer(VerifierService& service, const CreatedSession& c, const std::string& body) {
    return service.HandleResponse(c.request_id, body, oid4vp::kFormContentType);
  }

  // RightToWorkAt runs a whole right-to-work session at time `at`, `held` answering, and returns
  // its result.
  Json RightToWorkAt(int64_t at, const sdjwt::HeldSdJwt& held) {
    clock_.Set(at);
    CreatedSession c = Create("right_to_work");
    oid4vp::VerifiedRequest r = Fetch(c);
    (void)service_->HandleResponse(c.request_id, SdJwtBody(r, held, kDigitalIdClaims), oid4vp::kFormContentType);
    return ResultOf(c);
  }

  Json ResultOf(const CreatedSession& c, std::optional<std::string> code = std::nullopt) {
    auto r = service_->GetResult(c.session_id, code);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : Json::object();
  }

  std::string Logs() {
    std::lock_guard<std::mutex> lock(log_mu_);
    return logs_;
  }

  const std::set<std::string> kDigitalIdClaims = {"given_name", "family_name", "birth_date", "portrait",
                                                  "residency_status", "age_over_18"};

  fs::path dir_;
  std::string registry_dir_;
  std::string trust_list_file_;
  FixedClock clock_{kNow};
  crypto::PrivateKey sd_issuer_ = NewKey();
  crypto::PrivateKey holder_ = NewKey();
  crypto::PrivateKey device_key_ = NewKey();
  crypto::PrivateKey access_key_ = NewKey();
  std::unique_ptr<crypto::PrivateKey> iaca_key_, ds_key_;
  std::unique_ptr<crypto::Certificate> iaca_, ds_;
  VerifierConfig config_;
  std::unique_ptr<StatusHost> status_;
  std::vector<std::unique_ptr<http::Logger>> loggers_;
  std::mutex log_mu_;
  std::string logs_;
  std::unique_ptr<VerifierService> service_;
};

TEST_F(ServiceTest, SessionAndRequestObject) {
  CreatedSession c = Create("right_to_work");
  EXPECT_TRUE(c.request_uri.starts_with("openid4vp://?client_id=x509_san_dns%3Alocalhost&request_uri="));
  EXPECT_NE(c.request_uri.find(c.request_id), std::string::npos);
  EXPECT_EQ(c.request_uri.find(c.session_id), std::string::npos);  // the secret id never leaves
  EXPECT_EQ(c.expires_at, kNow + kDefaultSessionTtlSeconds);
  oid4vp::VerifiedRequest r = Fetch(c);
  EXPECT_EQ(r.client_id(), "x509_san_dns:localhost");
  EXPECT_EQ(r.response_uri(), "http://localhost:8443/response/" + c.request_id);
  EXPECT_EQ(r.response_mode(), oid4vp::ResponseMode::kDirectPostJwt);
  ASSERT_EQ(r.verifier_info().size(), 1u);
  EXPECT_EQ(r.verifier_info()[0].data, "eyJhbGciOiJFUzI1NiJ9.e30.c2ln");
  EXPECT_EQ(ResultOf(c)["status"], "request_fetched");
  // Unknown check / request id.
  SessionRequest bad;
  bad.check = "no_such_check";
  EXPECT_EQ(service_->CreateSession(bad).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(service_->RequestObject("nope").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(service_->GetResult("nope", std::nullopt).status().code(), StatusCode::kNotFound);
}

TEST_F(ServiceTest, SessionRequestJson) {
  EXPECT_TRUE(SessionRequestFromJson(Json{{"check", "age_over_18"}}).ok());
  EXPECT_EQ(SessionRequestFromJson(Json::object()).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SessionRequestFromJson(Json{{"check", "age_over_18"}, {"dcql_query", Json::object()}}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(SessionRequestFromJson(Json{{"check", "age_over_18"}, {"response_mode", "query"}}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(SessionRequestFromJson(Json{{"check", 1}}).status().code(), StatusCode::kInvalidArgument);
  SessionRequest hook;
  hook.check = "age_over_18";
  hook.webhook_url = "http://example.com/hook";  // http off loopback
  EXPECT_EQ(service_->CreateSession(hook).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ServiceTest, RightToWorkDigitalIdCitizenPasses) {
  auto held = DigitalId("british_citizen");
  CreatedSession c = Create("right_to_work");
  oid4vp::VerifiedRequest r = Fetch(c);
  ResponseOutcome out = service_->HandleResponse(c.request_id, SdJwtBody(r, *held, kDigitalIdClaims),
                                                 oid4vp::kFormContentType);
  EXPECT_EQ(out.http_status, 200) << out.body.dump();
  EXPECT_EQ(out.body, Json::object());
  Json result = ResultOf(c);
  EXPECT_EQ(result["status"], "completed") << result.dump();
  EXPECT_EQ(result["check"], "right_to_work");
  EXPECT_EQ(result["outcome"], "unrestricted");
  EXPECT_EQ(result["decision"]["outcome"], "unrestricted");
  EXPECT_EQ(result["facts"]["family_name"], kHolderName);
  EXPECT_EQ(result["credential"], (Json{{"format", "dc+sd-jwt"}, {"type", kDigitalIdVct}}));
  EXPECT_EQ(result["issuer"]["id"], kIssuerId);
  EXPECT_EQ(result["credential_status"], "valid");
  EXPECT_EQ(result["status_unavailable"], false);
  EXPECT_EQ(result["decision_confirmed"], true);
  EXPECT_EQ(result["status_checked_at"], kNow);
  EXPECT_EQ(result["status_age_seconds"], 0);
  EXPECT_EQ(result["retention_rule"], kRetentionEmploymentPlus2Years);
  // The check record verifies with the published key and carries the decision.
  Json jwk = service_->CheckRecordKey();
  jwk.erase("kid");
  jwk.erase("alg");
  jwk.erase("use");
  auto key = crypto::PublicKey::FromJwk(jwk).value();
  auto record = VerifyCheckRecord(result["check_record"].get<std::string>(), key);
  ASSERT_TRUE(record.ok()) << record.status().ToString();
  EXPECT_EQ(record->check, "right_to_work");
  EXPECT_EQ(record->decision.outcome, "unrestricted");
  EXPECT_EQ(record->checker_client_id, "x509_san_dns:localhost");
  EXPECT_EQ(record->checker_name, "Example Employer Ltd");
  EXPECT_EQ(record->issuer, kIssuerId);
  EXPECT_EQ(record->session_id, c.session_id);
  EXPECT_EQ(record->status_age_seconds, 0);
  // The request object is no longer served.
  EXPECT_EQ(service_->RequestObject(c.request_id).status().code(), StatusCode::kExpired);
}

TEST_F(ServiceTest, DirectPostModeWorksToo) {
  auto held = DigitalId("irish_citizen");
  CreatedSession c = Create("right_to_work", false, oid4vp::ResponseMode::kDirectPost);
  oid4vp::VerifiedRequest r = Fetch(c);
  EXPECT_EQ(r.response_mode(), oid4vp::ResponseMode::kDirectPost);
  ResponseOutcome out = service_->HandleResponse(c.request_id, SdJwtBody(r, *held, kDigitalIdClaims),
                                                 oid4vp::kFormContentType);
  EXPECT_EQ(out.http_status, 200) << out.body.dump();
  EXPECT_EQ(ResultOf(c)["outcome"], "unrestricted");
}

TEST_F(ServiceTest, EvisaRestrictedPermittedUntilWithConditions) {
  auto held = Evisa("restricted", "2027-06-30", "Maximum 20 hours a week in term time");
  CreatedSession c = Create("right_to_work");
  oid4vp::VerifiedRequest r = Fetch(c);
  ResponseOutcome out = service_->HandleResponse(
      c.request_id,
      EvisaBody(r, *held, {"family_name", "given_name", "birth_date", "portrait", "status_type", "right_to_work", "valid_until",
                           "work_conditions"}),
      oid4vp::kFormContentType);
  EXPECT_EQ(out.http_status, 200) << out.body.dump();
  Json result = ResultOf(c);
  EXPECT_EQ(result["status"], "completed") << result.dump();
  EXPECT_EQ(result["outcome"], "permitted_until");
  EXPECT_EQ(result["decision"]["until"], "2027-06-30");
  EXPECT_EQ(result["decision"]["follow_up_due"], "2027-06-30");
  EXPECT_EQ(result["decision"]["conditions"], "Maximum 20 hours a week in term time");
  EXPECT_EQ(result["credential"]["type"], mdoc::kEvisaDoctype);
  EXPECT_EQ(result["credential_status"], "none");  // this eVisa carries no status reference
  EXPECT_EQ(result["decision_confirmed"], true);
  EXPECT_TRUE(result["check_record"].is_string());
}

TEST_F(ServiceTest, EvisaWithoutRightToWorkNotPermitted) {
  auto held = Evisa("none", "2027-06-30", std::nullopt);
  CreatedSession c = Create("right_to_work");
  oid4vp::VerifiedRequest r = Fetch(c);
  ResponseOutcome out = service_->HandleResponse(
      c.request_id,
      EvisaBody(r, *held, {"family_name", "given_name", "birth_date", "portrait", "status_type", "right_to_work", "valid_until"}),
      oid4vp::kFormContentType);
  EXPECT_EQ(out.http_status, 200) << out.body.dump();
  Json result = ResultOf(c);
  EXPECT_EQ(result["status"], "completed");
  EXPECT_EQ(result["outcome"], "not_permitted");
}

TEST_F(ServiceTest, AgeOver18ShowsOnlyAgeAndLogsNoClaims) {
  auto held = DigitalId("british_citizen");
  CreatedSession c = Create("age_over_18");
  oid4vp::VerifiedRequest r = Fetch(c);
  // The query asks for age_over_18 only.
  const oid4vp::CredentialQuery* cq = r.dcql_query().FindCredential(kQueryIdDigitalIdSdJwt);
  ASSERT_NE(cq, nullptr);
  ASSERT_TRUE(cq->claims.has_value());
  EXPECT_EQ(cq->claims->size(), 1u);
  ResponseOutcome out = service_->HandleResponse(c.request_id, SdJwtBody(r, *held, kDigitalIdClaims),
                                                 oid4vp::kFormContentType);
  EXPECT_EQ(out.http_status, 200) << out.body.dump();
  Json result = ResultOf(c);
  EXPECT_EQ(result["outcome"], "pass");
  EXPECT_EQ(result["facts"], (Json{{"age_over_18", true}}));
  const std::string dumped = result.dump();
  EXPECT_EQ(dumped.find(kHolderName), std::string::npos);
  EXPECT_EQ(dumped.find(kBirthDate), std::string::npos);
  const std::string logs = Logs();
  EXPECT_NE(logs.find("response_processed"), std::string::npos) << logs;
  EXPECT_EQ(logs.find(kHolderName), std::string::npos) << logs;
  EXPECT_EQ(logs.find(kBirthDate), std::string::npos) << logs;
  EXPECT_EQ(logs.find("Adaeze"), std::string::npos) << logs;
  EXPECT_EQ(logs.find(c.session_id), std::string::npos) << logs;
}

TEST_F(ServiceTest, ReplayedResponseRefused) {
  auto held = DigitalId("british_citizen");
  CreatedSession c = Create("right_to_work");
  oid4vp::VerifiedRequest r = Fetch(c);
  const std::string body = SdJwtBody(r, *held, kDigitalIdClaims);
  EXPECT_EQ(service_->HandleResponse(c.request_id, body, oid4vp::kFormContentType).http_status, 200);
  ResponseOutcome again = service_->HandleResponse(c.request_id, body, oid4vp::kFormContentType);
  EXPECT_EQ(again.http_status, 400);
  EXPECT_EQ(again.body["error"], "invalid_request");
  EXPECT_EQ(ResultOf(c)["status"], "completed");
}

TEST_F(ServiceTest, WrongNonceFailsSession) {
  auto held = DigitalId("british_citizen");
  CreatedSession c = Create("right_to_work");
  oid4vp::VerifiedRequest r = Fetch(c);
  // A presentation bound to another nonce (e.g. captured from another session), encrypted to this
  // session's key.
  oid4vp::PresentationBinding other = r.binding();
  other.nonce = "AAAAAAAAAAAAAAAAAAAAAA";
  auto paths = PathsFor(r.dcql_query(), kQueryIdDigitalIdSdJwt, [](const oid4vp::ClaimsPath&) { return true; });
  std::string vp = oid4vp::PresentSdJwtVc(*held, paths, holder_, other, clock_).value();
  Json token = oid4vp::BuildVpToken({{std::string(kQueryIdDigitalIdSdJwt), {vp}}}).value();
  ResponseOutcome out = service_->HandleResponse(c.request_id, Encode(token, r), oid4vp::kFormContentType);
  EXPECT_EQ(out.http_status, 400);
  Json result = ResultOf(c);
  EXPECT_EQ(result["status"], "failed");
  EXPECT_EQ(result["error"], "nonce_mismatch");
  EXPECT_FALSE(result.contains("check_record"));
}

TEST_F(ServiceTest, ExpiredSessionRefused) {
  auto held = DigitalId("british_citizen");
  CreatedSession c = Create("right_to_work");
  oid4vp::VerifiedRequest r = Fetch(c);
  const std::string body = SdJwtBody(r, *held, kDigitalIdClaims);
  clock_.Set(c.expires_at);  // boundary: expires_at itself is expired
  ResponseOutcome out = service_->HandleResponse(c.request_id, body, oid4vp::kFormContentType);
  EXPECT_EQ(out.http_status, 400);
  EXPECT_EQ(out.body["error"], "invalid_request");
  EXPECT_EQ(ResultOf(c)["status"], "expired");
  EXPECT_EQ(service_->RequestObject(c.request_id).status().code(), StatusCode::kExpired);
}

TEST_F(ServiceTest, LastSecondBeforeExpiryAccepted) {
  auto held = DigitalId("british_citizen");
  CreatedSession c = Create("right_to_work");
  oid4vp::VerifiedRequest r = Fetch(c);
  const std::string body = SdJwtBody(r, *held, kDigitalIdClaims);
  clock_.Set(c.expires_at - 1);
  status_->Publish(sd_issuer_, clock_, 0, false);
  ResponseOutcome out = service_->HandleResponse(c.request_id, body, oid4vp::kFormContentType);
  EXPECT_EQ(out.http_status, 400) << "the KB-JWT is older than the presentation age limit";
  // The KB-JWT was made at kNow and the 300 s freshness window has passed: a fresh one passes.
  CreatedSession c2 = Create("right_to_work");
  oid4vp::VerifiedRequest r2 = Fetch(c2);
  clock_.Set(c2.expires_at - 1);
  const std::string body2 = SdJwtBody(r2, *held, kDigitalIdClaims);
  EXPECT_EQ(service_->HandleResponse(c2.request_id, body2, oid4vp::kFormContentType).http_status, 200);
}

TEST_F(ServiceTest, ResponseForAnotherSessionRefused) {
  auto held = DigitalId("british_citizen");
  CreatedSession a = Create("right_to_work");
  CreatedSession b = Create("right_to_work");
  oid4vp::VerifiedRequest ra = Fetch(a);
  (void)Fetch(b);
  // A's response posted to B's response_uri: encrypted to A's key, so B cannot decrypt it; B stays
  // open and A is unaffected.
  ResponseOutcome out = service_->HandleResponse(b.request_id, SdJwtBody(ra, *held, kDigitalIdClaims),
                                                 oid4vp::kFormContentType);
  EXPECT_EQ(out.http_status, 400);
  EXPECT_EQ(out.body["error"], "invalid_request");
  EXPECT_EQ(ResultOf(b)["status"], "request_fetched");
  EXPECT_EQ(ResultOf(a)["status"], "request_fetched");
  // In direct_post mode (no encryption) the presentation is bound to A's nonce: B fails.
  CreatedSession c = Create("right_to_work", false, oid4vp::ResponseMode::kDirectPost);
  CreatedSession d = Create("right_to_work", false, oid4vp::ResponseMode::kDirectPost);
  oid4vp::VerifiedRequest rc = Fetch(c);
  oid4vp::VerifiedRequest rd = Fetch(d);
  auto paths = PathsFor(rc.dcql_query(), kQueryIdDigitalIdSdJwt, [&](const oid4vp::ClaimsPath& p) {
    return kDigitalIdClaims.count(std::get<std::string>(p[0])) > 0;
  });
  std::string vp = oid4vp::PresentSdJwtVc(*held, paths, holder_, rc.binding(), clock_).value();
  Json token = oid4vp::BuildVpToken({{std::string(kQueryIdDigitalIdSdJwt), {vp}}}).value();
  std::string body = oid4vp::EncodeDirectPost(token, rd.state()).value();  // D's state, C's nonce
  EXPECT_EQ(service_->HandleResponse(d.request_id, body, oid4vp::kFormContentType).http_status, 400);
  EXPECT_EQ(ResultOf(d)["error"], "nonce_mismatch");
}

TEST_F(ServiceTest, TamperedPresentationFails) {
  auto held = DigitalId("pre_settled");
  CreatedSession c = Create("right_to_work", false, oid4vp::ResponseMode::kDirectPost);
  oid4vp::VerifiedRequest r = Fetch(c);
  auto paths = PathsFor(r.dcql_query(), kQueryIdDigitalIdSdJwt, [&](const oid4vp::ClaimsPath& p) {
    return kDigitalIdClaims.count(std::get<std::string>(p[0])) > 0;
  });
  std::string vp = oid4vp::PresentSdJwtVc(*held, paths, holder_, r.binding(), clock_).value();
  // Swap the residency_status disclosure for a forged british_citizen one.
  std::string forged = Base64UrlEncode(std::string(R"(["c2FsdHNhbHRzYWx0","residency_status","british_citizen"])"));
  size_t first = vp.find('~');
  ASSERT_NE(first, std::string::npos);
  vp.insert(first + 1, forged + "~");
  Json token = oid4vp::BuildVpToken({{std::string(kQueryIdDigitalIdSdJwt), {vp}}}).value();
  ResponseOutcome out = service_->HandleResponse(c.request_id, Encode(token, r), oid4vp::kFormContentType);
  EXPECT_EQ(out.http_status, 400);
  Json result = ResultOf(c);
  EXPECT_EQ(result["status"], "failed");
  EXPECT_NE(result["error"], "");
  EXPECT_FALSE(result.contains("outcome"));
}

TEST_F(ServiceTest, IssuerNotOnTrustListRefused) {
  crypto::PrivateKey rogue = NewKey();
  auto held = DigitalId("british_citizen", true, 5, &rogue);
  CreatedSession c = Create("right_to_work");
  oid4vp::VerifiedRequest r = Fetch(c);
  ResponseOutcome out = service_->HandleResponse(c.request_id, SdJwtBody(r, *held, kDigitalIdClaims),
                                                 oid4vp::kFormContentType);
  EXPECT_EQ(out.http_status, 400);
  Json result = ResultOf(c);
  EXPECT_EQ(result["status"], "failed");
  EXPECT_EQ(result["error"], "invalid_signature");
}

TEST_F(ServiceTest, MdocFromUnlistedIacaRefused) {
  // An eVisa signed under an IACA the trust list does not name.
  FixedClock issued_clock(kNow - 86400);
  mdoc::IacaOptions io;
  io.common_name = "Rogue IACA";
  io.issuer_alt_uri = "https://rogue.example/iaca";
  auto rogue_iaca = mdoc::CreateIaca(io, issued_clock).value();
  mdoc::DocumentSignerOptions dso;
  dso.common_name = "Rogue DS";
  auto rogue_ds = mdoc::CreateDocumentSigner(rogue_iaca.key, rogue_iaca.certificate, dso, issued_clock).value();
  ds_key_ = std::make_unique<crypto::PrivateKey>(std::move(rogue_ds.key));
  ds_ = std::make_unique<crypto::Certificate>(std::move(rogue_ds.certificate));
  auto held = Evisa("unrestricted", std::nullopt, std::nullopt);
  CreatedSession c = Create("right_to_work");
  oid4vp::VerifiedRequest r = Fetch(c);
  ResponseOutcome out = service_->HandleResponse(
      c.request_id, EvisaBody(r, *held, {"family_name", "given_name", "birth_date", "portrait", "right_to_work"}),
      oid4vp::kFormContentType);
  EXPECT_EQ(out.http_status, 400);
  EXPECT_EQ(ResultOf(c)["error"], "untrusted_issuer");
}

TEST_F(ServiceTest, RevokedCredentialNotPermitted) {
  auto held = DigitalId("british_citizen", true, 9);
  status_->Publish(sd_issuer_, clock_, 9, true);
  CreatedSession c = Create("right_to_work");
  oid4vp::VerifiedRequest r = Fetch(c);
  ResponseOutcome out = service_->HandleResponse(c.request_id, SdJwtBody(r, *held, kDigitalIdClaims),
                                                 oid4vp::kFormContentType);
  EXPECT_EQ(out.http_status, 400);
  Json result = ResultOf(c);
  EXPECT_EQ(result["status"], "failed");
  EXPECT_EQ(result["error"], "revoked");
  EXPECT_EQ(result["credential_status"], "revoked");
  EXPECT_FALSE(result.contains("outcome"));
  EXPECT_FALSE(result.contains("check_record"));
  // Boundary: index 8 of the same list is valid.
  auto other = DigitalId("british_citizen", true, 8);
  CreatedSession c2 = Create("right_to_work");
  oid4vp::VerifiedRequest r2 = Fetch(c2);
  EXPECT_EQ(service_->HandleResponse(c2.request_id, SdJwtBody(r2, *other, kDigitalIdClaims), oid4vp::kFormContentType)
                .http_status,
            200);
  EXPECT_EQ(ResultOf(c2)["credential_status"], "valid");
}

TEST_F(ServiceTest, StatusListUnreachableUsesCachedCopyWithAge) {
  auto held = DigitalId("british_citizen");
  // First check fetches and caches the list (fresh for max-age 60 s). An age check uses a copy
  // while it is fresh; right to work always revalidates (next test).
  CreatedSession c1 = Create("age_over_18");
  oid4vp::VerifiedRequest r1 = Fetch(c1);
  ASSERT_EQ(service_->HandleResponse(c1.request_id, SdJwtBody(r1, *held, kDigitalIdClaims), oid4vp::kFormContentType)
                .http_status,
            200);
  EXPECT_EQ(status_->hits(), 1);
  // Within max-age: served from the cache without a fetch.
  clock_.Set(kNow + 59);
  CreatedSession c2 = Create("age_over_18");
  oid4vp::VerifiedRequest r2 = Fetch(c2);
  ASSERT_EQ(service_->HandleResponse(c2.request_id, SdJwtBody(r2, *held, kDigitalIdClaims), oid4vp::kFormContentType)
                .http_status,
            200);
  EXPECT_EQ(status_->hits(), 1);
  EXPECT_EQ(ResultOf(c2)["status_age_seconds"], 59);
  // The issuer goes away; after max-age the cached copy is used and its age reported.
  status_->Stop();
  clock_.Set(kNow + 120);
  CreatedSession c3 = Create("age_over_18");
  oid4vp::VerifiedRequest r3 = Fetch(c3);
  ASSERT_EQ(service_->HandleResponse(c3.request_id, SdJwtBody(r3, *held, kDigitalIdClaims), oid4vp::kFormContentType)
                .http_status,
            200);
  Json result = ResultOf(c3);
  EXPECT_EQ(result["status"], "completed");
  EXPECT_EQ(result["credential_status"], "valid");
  EXPECT_EQ(result["status_age_seconds"], 120);
  EXPECT_EQ(result["status_checked_at"], kNow);
  EXPECT_EQ(result["decision_confirmed"], true);
  EXPECT_NE(Logs().find("status_list_cached"), std::string::npos);
  // The copy on disk survives a restart of the service.
  MakeService();
  CreatedSession c4 = Create("age_over_18");
  oid4vp::VerifiedRequest r4 = Fetch(c4);
  ASSERT_EQ(service_->HandleResponse(c4.request_id, SdJwtBody(r4, *held, kDigitalIdClaims), oid4vp::kFormContentType)
                .http_status,
            200);
  EXPECT_EQ(ResultOf(c4)["status_age_seconds"], 120);
}

TEST_F(ServiceTest, RightToWorkRevalidatesStatusSoARevocationCountsAtOnce) {
  auto held = DigitalId("british_citizen", true, 7);
  CreatedSession c1 = Create("right_to_work");
  oid4vp::VerifiedRequest r1 = Fetch(c1);
  ASSERT_EQ(service_->HandleResponse(c1.request_id, SdJwtBody(r1, *held, kDigitalIdClaims), oid4vp::kFormContentType)
                .http_status,
            200);
  EXPECT_EQ(status_->hits(), 1);
  // The issuer revokes; 10 s later (well within max-age) the next right-to-work check asks again.
  clock_.Set(kNow + 10);
  status_->Publish(sd_issuer_, clock_, 7, true);
  CreatedSession c2 = Create("right_to_work");
  oid4vp::VerifiedRequest r2 = Fetch(c2);
  EXPECT_EQ(service_->HandleResponse(c2.request_id, SdJwtBody(r2, *held, kDigitalIdClaims), oid4vp::kFormContentType)
                .http_status,
            400);
  EXPECT_EQ(status_->hits(), 2);
  EXPECT_EQ(ResultOf(c2)["error"], "revoked");
  // An age check in the same minute uses that fresh copy (no fetch) and also sees the revocation.
  CreatedSession c3 = Create("age_over_18");
  oid4vp::VerifiedRequest r3 = Fetch(c3);
  EXPECT_EQ(service_->HandleResponse(c3.request_id, SdJwtBody(r3, *held, kDigitalIdClaims), oid4vp::kFormContentType)
                .http_status,
            400);
  EXPECT_EQ(status_->hits(), 2);
  EXPECT_EQ(ResultOf(c3)["error"], "revoked");
}

// A revalidation sends the ETag of the copy held (If-None-Match): an unchanged list comes back as
// 304 and the copy counts as checked now; a changed one comes whole. The validator survives a
// restart with the copy on disk.
TEST_F(ServiceTest, RevalidationOfAnUnchangedStatusListIsNotModified) {
  auto held = DigitalId("british_citizen", true, 7);
  auto check = [&](int64_t at) { return RightToWorkAt(at, *held); };
  EXPECT_EQ(check(kNow)["credential_status"], "valid");
  EXPECT_EQ(status_->hits(), 1);
  EXPECT_EQ(status_->not_modified(), 0);
  Json again = check(kNow + 10);
  EXPECT_EQ(status_->hits(), 2);
  EXPECT_EQ(status_->not_modified(), 1);
  EXPECT_EQ(again["credential_status"], "valid");
  EXPECT_EQ(again["status_checked_at"], kNow + 10);  // confirmed current now
  EXPECT_EQ(again["status_age_seconds"], 0);
  // The issuer revokes: the list changed, so it comes whole and the revocation counts.
  clock_.Set(kNow + 20);
  status_->Publish(sd_issuer_, clock_, 7, true);
  EXPECT_EQ(check(kNow + 20)["error"], "revoked");
  EXPECT_EQ(status_->hits(), 3);
  EXPECT_EQ(status_->not_modified(), 1);
  // All three asked over one kept-alive connection.
  EXPECT_EQ(status_->connections(), 1);
  // A restarted service revalidates the copy on disk with its validator.
  MakeService();
  EXPECT_EQ(check(kNow + 30)["error"], "revoked");
  EXPECT_EQ(status_->hits(), 4);
  EXPECT_EQ(status_->not_modified(), 2);
}

// Checks that need a missing or stale list at the same moment share one fetch: the issuer is
// asked once, however many arrive while it answers (and those after find the fresh copy).
TEST_F(ServiceTest, ConcurrentChecksShareOneStatusListFetch) {
  auto held = DigitalId("british_citizen");
  status_->SetDelay(std::chrono::milliseconds(500));
  constexpr int kChecks = 6;
  std::vector<CreatedSession> sessions;
  std::vector<std::string> bodies;
  for (int i = 0; i < kChecks; ++i) {
    sessions.push_back(Create("age_over_18"));
    bodies.push_back(SdJwtBody(Fetch(sessions.back()), *held, kDigitalIdClaims));
  }
  std::vector<int> codes(kChecks, 0);
  std::vector<std::thread> threads;
  for (int i = 0; i < kChecks; ++i) {
    threads.emplace_back([&, i] {
      codes[static_cast<size_t>(i)] =
          service_->HandleResponse(sessions[static_cast<size_t>(i)].request_id, bodies[static_cast<size_t>(i)],
                                   oid4vp::kFormContentType)
              .http_status;
    });
  }
  for (std::thread& t : threads) t.join();
  for (int i = 0; i < kChecks; ++i) {
    EXPECT_EQ(codes[static_cast<size_t>(i)], 200) << i;
    EXPECT_EQ(ResultOf(sessions[static_cast<size_t>(i)])["credential_status"], "valid") << i;
  }
  EXPECT_EQ(status_->hits(), 1);
}

// An ETag that may not go back out as a header value (here with a space) is not used: the
// list is fetched whole each time.
TEST_F(ServiceTest, UnusableStatusListEtagIsNotSentBack) {
  status_->FixEtag("\"a b\"");
  auto held = DigitalId("british_citizen", true, 7);
  EXPECT_EQ(RightToWorkAt(kNow, *held)["credential_status"], "valid");
  EXPECT_EQ(RightToWorkAt(kNow + 10, *held)["credential_status"], "valid");
  EXPECT_EQ(status_->hits(), 2);
  EXPECT_EQ(status_->not_modified(), 0);
}

// The verified status list is reused only while the same bytes come back and the token has not
// expired: revalidating right-to-work checks fetch every time, and a token past its exp (plus the
// verifier's skew) is refused even though the bytes did not change.
TEST_F(ServiceTest, VerifiedStatusListReusedOnlyUntilItsExp) {
  auto held = DigitalId("british_citizen", true, 3);
  clock_.Set(kNow - 86400 + 100);  // Publish gives exp = now + 1 day: exp = kNow + 100
  status_->Publish(sd_issuer_, clock_, 3, false);
  clock_.Set(kNow);
  auto check = [&](int64_t at) { return RightToWorkAt(at, *held); };
  EXPECT_EQ(check(kNow)["credential_status"], "valid");
  EXPECT_EQ(check(kNow + 99)["credential_status"], "valid");  // same bytes, before exp
  EXPECT_EQ(status_->hits(), 2);                               // fetched each time all the same
  Json late = check(kNow + 100 + 300);                         // same bytes, well past exp
  EXPECT_EQ(late["credential_status"], "unavailable");
  EXPECT_EQ(late["status_error"], "expired");
  EXPECT_EQ(late["decision_confirmed"], false);
  EXPECT_EQ(status_->hits(), 3);
}

TEST_F(ServiceTest, StatusListNeverFetchedIsUnavailable) {
  auto held = DigitalId("british_citizen");
  status_->Stop();
  CreatedSession c = Create("right_to_work");
  oid4vp::VerifiedRequest r = Fetch(c);
  ResponseOutcome out = service_->HandleResponse(c.request_id, SdJwtBody(r, *held, kDigitalIdClaims),
                                                 oid4vp::kFormContentType);
  EXPECT_EQ(out.http_status, 200) << out.body.dump();
  Json result = ResultOf(c);
  EXPECT_EQ(result["status"], "completed");
  EXPECT_EQ(result["credential_status"], "unavailable");
  EXPECT_EQ(result["status_unavailable"], true);
  EXPECT_EQ(result["decision_confirmed"], false);
  EXPECT_EQ(result["outcome"], "unrestricted");
  EXPECT_TRUE(result["check_record"].is_null());
  EXPECT_TRUE(result["status_age_seconds"].is_null());
}

TEST_F(ServiceTest, WalletDeclines) {
  CreatedSession c = Create("age_over_18");
  oid4vp::VerifiedRequest r = Fetch(c);
  std::string body =
      oid4vp::EncryptErrorResponse(oid4vp::AuthorizationError{.error = "access_denied", .error_description = std::nullopt},
                                   r, crypto::SystemRandom())
          .value();
  ResponseOutcome out = service_->HandleResponse(c.request_id, body, oid4vp::kFormContentType);
  EXPECT_EQ(out.http_status, 200);
  Json result = ResultOf(c);
  EXPECT_EQ(result["status"], "failed");
  EXPECT_EQ(result["error"], "declined");
  EXPECT_EQ(result["wallet_error"], "access_denied");
}

TEST_F(ServiceTest, GarbageLeavesSessionOpen) {
  CreatedSession c = Create("age_over_18");
  (void)Fetch(c);
  ResponseOutcome out = service_->HandleResponse(c.request_id, "response=not-a-jwe", oid4vp::kFormContentType);
  EXPECT_EQ(out.http_status, 400);
  EXPECT_EQ(out.body["error"], "invalid_request");
  EXPECT_EQ(ResultOf(c)["status"], "request_fetched");
  EXPECT_EQ(service_->HandleResponse("unknown", "x=y", oid4vp::kFormContentType).http_status, 400);
}

TEST_F(ServiceTest, SameDeviceRedirectAndResponseCode) {
  auto held = DigitalId("british_citizen");
  CreatedSession c = Create("age_over_18", true);
  oid4vp::VerifiedRequest r = Fetch(c);
  EXPECT_EQ(ResultOf(c)["status"], "request_fetched");  // pending: no code needed yet
  ResponseOutcome out = service_->HandleResponse(c.request_id, SdJwtBody(r, *held, kDigitalIdClaims),
                                                 oid4vp::kFormContentType);
  ASSERT_EQ(out.http_status, 200);
  const std::string redirect = out.body["redirect_uri"].get<std::string>();
  const std::string prefix = "http://localhost:8443/done#response_code=";
  ASSERT_TRUE(redirect.starts_with(prefix)) << redirect;
  const std::string code = redirect.substr(prefix.size());
  EXPECT_EQ(service_->GetResult(c.session_id, std::nullopt).status().code(), StatusCode::kNonceMismatch);
  EXPECT_EQ(service_->GetResult(c.session_id, std::string("wrong")).status().code(), StatusCode::kNonceMismatch);
  EXPECT_EQ(ResultOf(c, code)["outcome"], "pass");
}

TEST_F(ServiceTest, RawDcqlSessionReturnsRequestedClaims) {
  SessionRequest req;
  req.dcql_query = Json{{"credentials", Json::array({Json{{"id", "pid"},
                                                          {"format", "dc+sd-jwt"},
                                                          {"meta", {{"vct_values", {kDigitalIdVct}}}},
                                                          {"claims", Json::array({Json{{"path", {"nationality"}}}})}}})}};
  CreatedSession c = service_->CreateSession(req).value();
  auto held = DigitalId("british_citizen");
  oid4vp::VerifiedRequest r = Fetch(c);
  std::string vp = oid4vp::PresentSdJwtVc(*held, {oid4vp::ClaimsPath{std::string("nationality")}}, holder_,
                                          r.binding(), clock_)
                       .value();
  Json token = oid4vp::BuildVpToken({{"pid", {vp}}}).value();
  ASSERT_EQ(service_->HandleResponse(c.request_id, Encode(token, r), oid4vp::kFormContentType).http_status, 200);
  Json result = ResultOf(c);
  EXPECT_TRUE(result["check"].is_null());
  ASSERT_EQ(result["credentials"].size(), 1u);
  EXPECT_EQ(result["credentials"][0]["claims"], (Json{{"nationality", "GB"}}));
}

TEST_F(ServiceTest, WebhookPostedOnCompletion) {
  std::mutex mu;
  std::vector<std::string> posted;
  int failures_left = 1;  // the first try fails, the second lands
  ServiceDeps deps;
  deps.store = SessionStore::OpenSqlite(config_.Path("hook.db")).value();
  registry::TrustListCacheOptions o;
  o.source = trust_list_file_;
  o.cache_file = config_.Path(kTrustListCacheFile);
  deps.trust = registry::TrustListCache::Create(o, LoadRegistryRoot(), kNow).value();
  deps.clock = &clock_;
  deps.random = &crypto::SystemRandom();
  deps.send_webhook = [&](const std::string& url, const std::string& body) -> Status {
    std::lock_guard<std::mutex> lock(mu);
    if (failures_left-- > 0) return Error(StatusCode::kIoError, "down");
    posted.push_back(url + " " + body);
    return OkStatus();
  };
  service_ = VerifierService::Create(config_, std::move(deps)).value();
  SessionRequest req;
  req.check = "age_over_18";
  req.webhook_url = "https://hooks.example.co.uk/verifier";
  CreatedSession c = service_->CreateSession(req).value();
  auto held = DigitalId("british_citizen");
  oid4vp::VerifiedRequest r = Fetch(c);
  ASSERT_EQ(service_->HandleResponse(c.request_id, SdJwtBody(r, *held, kDigitalIdClaims), oid4vp::kFormContentType)
                .http_status,
            200);
  service_.reset();  // drains the webhook queue
  ASSERT_EQ(posted.size(), 1u);
  EXPECT_TRUE(posted[0].starts_with("https://hooks.example.co.uk/verifier {"));
  EXPECT_NE(posted[0].find("\"outcome\":\"pass\""), std::string::npos);
}

// A service keeps the sessions it opened and finished in memory (service.cc, Internals); the
// store stays the authority. Two services on one database, as two processes would be.
TEST_F(ServiceTest, AnotherProcessAnsweredTheSessionFirst) {
  std::unique_ptr<VerifierService> other = NewService();
  CreatedSession c = Create("right_to_work");  // opened here: this service remembers it
  const std::string body = CitizenAnswer(c);
  EXPECT_EQ(Answer(*other, c, body).http_status, 200);
  // This service still holds the session as opened; the store refuses a second answer.
  ResponseOutcome again = Answer(*service_, c, body);
  EXPECT_EQ(again.http_status, 400);
  EXPECT_EQ(again.body["error"], "invalid_request");
  EXPECT_NE(Logs().find("response_rejected"), std::string::npos);
  // Having lost, this service no longer serves the Request Object from memory: the store says
  // the session was answered.
  EXPECT_FALSE(service_->RecentRequestObject(c.request_id).has_value());
  EXPECT_EQ(service_->RequestObject(c.request_id).status().code(), StatusCode::kExpired);
  // The result as each service sees it: the one that finished it from memory, this one from the
  // store, the same.
  Result<Json> here = service_->GetResult(c.session_id, std::nullopt);
  Result<Json> there = other->GetResult(c.session_id, std::nullopt);
  ASSERT_TRUE(here.ok() && there.ok());
  EXPECT_EQ((*here)["status"], "completed");
  EXPECT_EQ((*here)["outcome"], "unrestricted");
  EXPECT_EQ(DumpJson(*here), DumpJson(*there));
}

TEST_F(ServiceTest, SessionOpenedElsewhereIsAnsweredFromTheStore) {
  std::unique_ptr<VerifierService> other = NewService();
  CreatedSession c = Create("right_to_work");
  // The other service never saw the session: it reads it, and its encryption key, from the store.
  EXPECT_EQ(Answer(*other, c, CitizenAnswer(c)).http_status, 200);
  EXPECT_EQ(ResultOf(c)["outcome"], "unrestricted");
  EXPECT_EQ(other->GetResult(c.session_id, std::nullopt)->at("outcome"), "unrestricted");
}

// GET /request/{id} and GET /sessions/{id} answer from memory on the network thread only what
// this process holds (RecentRequestObject, RecentResult); the rest comes from the store, the same.
TEST_F(ServiceTest, RequestObjectAndResultFromMemoryOnlyWhatThisProcessHolds) {
  std::unique_ptr<VerifierService> other = NewService();
  CreatedSession c = Create("right_to_work");
  std::optional<Result<std::string>> here = service_->RecentRequestObject(c.request_id);
  ASSERT_TRUE(here.has_value() && here->ok());
  EXPECT_EQ(ResultOf(c)["status"], "request_fetched");  // marked, as from the store
  EXPECT_FALSE(other->RecentRequestObject(c.request_id).has_value());  // opened elsewhere
  Result<std::string> there = other->RequestObject(c.request_id);
  ASSERT_TRUE(there.ok()) << there.status().ToString();
  EXPECT_EQ(*there, **here);  // the same signed Request Object
  EXPECT_EQ(other->GetResult(c.session_id, std::nullopt)->at("status"), "request_fetched");
  // Nothing finished yet: a result always comes from the store (another process may answer).
  EXPECT_FALSE(service_->RecentResult(c.session_id, std::nullopt).has_value());

  ASSERT_EQ(Answer(*service_, c, CitizenAnswer(c)).http_status, 200);
  EXPECT_FALSE(service_->RecentRequestObject(c.request_id).has_value());
  EXPECT_EQ(service_->RequestObject(c.request_id).status().code(), StatusCode::kExpired);
  std::optional<Result<Json>> finished_here = service_->RecentResult(c.session_id, std::nullopt);
  ASSERT_TRUE(finished_here.has_value() && finished_here->ok());
  EXPECT_EQ((**finished_here)["outcome"], "unrestricted");
  EXPECT_FALSE(other->RecentResult(c.session_id, std::nullopt).has_value());
  EXPECT_EQ(DumpJson(**finished_here), DumpJson(other->GetResult(c.session_id, std::nullopt).value()));

  // Expiry is judged from memory too.
  CreatedSession d = Create("age_over_18");
  clock_.Set(d.expires_at);
  std::optional<Result<std::string>> late = service_->RecentRequestObject(d.request_id);
  ASSERT_TRUE(late.has_value());
  EXPECT_EQ(late->status().code(), StatusCode::kExpired);
  EXPECT_EQ(ResultOf(d)["status"], "expired");
}

TEST_F(ServiceTest, RememberedResultEndsWhenThePurgeWouldDeleteIt) {
  std::unique_ptr<VerifierService> other = NewService();
  CreatedSession c = Create("right_to_work");
  ASSERT_EQ(Answer(*service_, c, CitizenAnswer(c)).http_status, 200);
  clock_.Set(c.expires_at + config_.result_retention_seconds - 1);
  EXPECT_EQ(other->PurgeExpired().value(), 0);
  EXPECT_EQ(ResultOf(c)["status"], "completed");
  clock_.Set(c.expires_at + config_.result_retention_seconds);
  EXPECT_EQ(other->PurgeExpired().value(), 1);  // another process purges
  EXPECT_EQ(service_->GetResult(c.session_id, std::nullopt).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(other->GetResult(c.session_id, std::nullopt).status().code(), StatusCode::kNotFound);
}

TEST_F(ServiceTest, PurgeExpired) {
  CreatedSession c = Create("age_over_18");
  clock_.Set(c.expires_at + config_.result_retention_seconds - 1);
  EXPECT_EQ(service_->PurgeExpired().value(), 0);
  clock_.Set(c.expires_at + config_.result_retention_seconds);
  EXPECT_EQ(service_->PurgeExpired().value(), 1);
  EXPECT_EQ(service_->GetResult(c.session_id, std::nullopt).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace bonafide::verifier
