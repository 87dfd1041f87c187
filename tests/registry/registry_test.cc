// Tests of the trust registry (src/registry): the purposes table, the registrar CA and state,
// relying-party registration, the signed trust list and its verification, access certificates,
// registration JWTs, the trust-list cache (file and HTTP) and importing issuers.
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "base/clock.h"
#include "base/encoding.h"
#include "base/json.h"
#include "crypto/hash.h"
#include "crypto/keys.h"
#include "crypto/random.h"
#include "crypto/x509.h"
#include "crypto/x509_builder.h"
#include "http/server.h"
#include "issuer/catalogue.h"
#include "issuer/config.h"
#include "issuer/http_routes.h"
#include "issuer/service.h"
#include "jose/jws.h"
#include "mdoc/doctypes.h"
#include "registry/issuer_import.h"
#include "registry/purposes.h"
#include "registry/registry.h"
#include "registry/trust_list.h"
#include "registry/trust_list_cache.h"

namespace bonafide::registry {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kNow = 1767225600;  // 2026-01-01T00:00:00Z
constexpr char kHost[] = "verifier.example.co.uk";

ClaimPath Path(std::initializer_list<const char*> elements) {
  ClaimPath p;
  for (const char* e : elements) {
    if (e == nullptr) {
      p.emplace_back(nullptr);
    } else {
      p.emplace_back(std::string(e));
    }
  }
  return p;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteAll(const std::string& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << contents;
}

// ---------------------------------------------------------------------------------------------
// Purposes.

TEST(PurposesTest, TableHasTheSixChecksInOrder) {
  std::vector<std::string> ids;
  for (const Purpose& p : Purposes()) ids.push_back(p.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"right_to_work", "right_to_rent", "age_over_18", "veteran_status",
                                           "driving_entitlement", "dbs_basic"}));
  EXPECT_EQ(FindPurpose("right_to_work"), &Purposes()[0]);
  EXPECT_EQ(FindPurpose("right_to_vote"), nullptr);
}

TEST(PurposesTest, PermittedAndNotPermitted) {
  const CredentialType sd{"dc+sd-jwt", "urn:uk:gov:digital-id:1"};
  const CredentialType evisa{"mso_mdoc", "uk.gov.homeoffice.evisa.1"};
  const CredentialType mdl{"mso_mdoc", "org.iso.18013.5.1.mDL"};
  EXPECT_TRUE(IsPermitted("right_to_work", sd, Path({"given_name"})));
  EXPECT_TRUE(IsPermitted("right_to_work", evisa, Path({"uk.gov.homeoffice.evisa.1", "work_conditions"})));
  EXPECT_FALSE(IsPermitted("right_to_work", sd, Path({"age_over_18"})));
  EXPECT_FALSE(IsPermitted("right_to_work", evisa, Path({"uk.gov.homeoffice.evisa.1", "right_to_rent"})));
  EXPECT_TRUE(IsPermitted("right_to_rent", evisa, Path({"uk.gov.homeoffice.evisa.1", "right_to_rent"})));
  EXPECT_FALSE(IsPermitted("right_to_rent", evisa, Path({"uk.gov.homeoffice.evisa.1", "work_conditions"})));
  // The element in the wrong namespace is another claim.
  EXPECT_FALSE(IsPermitted("right_to_work", evisa, Path({"uk.gov.digital-id.1", "given_name"})));
  // A type the purpose does not accept, an unknown purpose.
  EXPECT_FALSE(IsPermitted("right_to_work", mdl, Path({"org.iso.18013.5.1", "given_name"})));
  EXPECT_FALSE(IsPermitted("right_to_vote", sd, Path({"given_name"})));
  EXPECT_TRUE(IsPermitted("driving_entitlement", mdl, Path({"org.iso.18013.5.1", "driving_privileges"})));
  EXPECT_FALSE(IsPermitted("driving_entitlement", mdl, Path({"org.iso.18013.5.1", "resident_address"})));
  EXPECT_TRUE(IsPermitted("dbs_basic", {"jwt_vc_json", "BasicDisclosureCredential"},
                          Path({"credentialSubject", "basicCheckRecord"})));
  EXPECT_FALSE(IsPermitted("dbs_basic", {"jwt_vc_json", "BasicDisclosureCredential"},
                           Path({"credentialSubject", "address"})));
}

TEST(PurposesTest, AgeOver18PermitsOnlyAgeOver18) {
  const Purpose* p = FindPurpose("age_over_18");
  ASSERT_NE(p, nullptr);
  ASSERT_EQ(p->accepts.size(), 3u);
  for (const AcceptedCredential& a : p->accepts) {
    ASSERT_EQ(a.claims.size(), 1u) << a.type.ToString();
    EXPECT_EQ(std::get<std::string>(a.claims[0].back()), "age_over_18");
  }
  const CredentialType mdl{"mso_mdoc", "org.iso.18013.5.1.mDL"};
  EXPECT_TRUE(IsPermitted("age_over_18", mdl, Path({"org.iso.18013.5.1", "age_over_18"})));
  EXPECT_FALSE(IsPermitted("age_over_18", mdl, Path({"org.iso.18013.5.1", "age_over_21"})));
  EXPECT_FALSE(IsPermitted("age_over_18", mdl, Path({"org.iso.18013.5.1", "birth_date"})));
}

TEST(PurposesTest, NullWildcardMatchesAnyIndexButNotAKeyOrAPrefix) {
  const CredentialType vet{"jwt_vc_json", "DigitalVeteranCard"};
  ClaimPath by_index = Path({"credentialSubject", "veteranCard"});
  by_index.emplace_back(uint64_t{0});
  by_index.emplace_back(std::string("serviceBranch"));
  EXPECT_TRUE(IsPermitted("veteran_status", vet, by_index));
  by_index[2] = uint64_t{7};
  EXPECT_TRUE(IsPermitted("veteran_status", vet, by_index));
  EXPECT_TRUE(IsPermitted("veteran_status", vet, Path({"credentialSubject", "veteranCard", nullptr, "serviceBranch"})));
  EXPECT_FALSE(IsPermitted("veteran_status", vet, Path({"credentialSubject", "veteranCard", "0", "serviceBranch"})));
  EXPECT_FALSE(IsPermitted("veteran_status", vet, Path({"credentialSubject", "veteranCard", nullptr, "serviceNumber"})));
  // A shorter path would disclose everything below it.
  EXPECT_FALSE(IsPermitted("veteran_status", vet, Path({"credentialSubject", "veteranCard"})));
  EXPECT_FALSE(IsPermitted("veteran_status", vet, Path({"credentialSubject", "veteranCard", nullptr})));
  // A permitted string never matches an index.
  ClaimPath index_for_key = Path({"credentialSubject"});
  index_for_key.emplace_back(uint64_t{0});
  EXPECT_FALSE(IsPermitted("dbs_basic", {"jwt_vc_json", "BasicDisclosureCredential"}, index_for_key));
}

TEST(PurposesTest, TableNamesOnlyClaimsTheCatalogueIssues) {
  Result<Json> catalogue_json = issuer::EmbeddedUkCatalogueJson();
  ASSERT_TRUE(catalogue_json.ok());
  Result<issuer::Catalogue> catalogue = issuer::ParseCatalogue(*catalogue_json);
  ASSERT_TRUE(catalogue.ok());
  std::set<CredentialType> issued;
  std::set<std::pair<std::string, std::string>> sd_claims;  // (vct, claim)
  for (const auto& [id, e] : *catalogue) {
    const auto& md = e.metadata;
    if (md.vct.has_value()) {
      issued.insert({"dc+sd-jwt", *md.vct});
      for (const std::string& c : e.disclosable) sd_claims.insert({*md.vct, c});
    }
    if (md.doctype.has_value()) issued.insert({"mso_mdoc", *md.doctype});
    if (!e.vc_type.empty()) issued.insert({"jwt_vc_json", e.vc_type});
  }
  for (const Purpose& p : Purposes()) {
    for (const AcceptedCredential& a : p.accepts) {
      EXPECT_TRUE(issued.count(a.type)) << p.id << " accepts " << a.type.ToString() << ", which nobody issues";
      for (const ClaimPath& path : a.claims) {
        if (a.type.format == "mso_mdoc") {
          const mdoc::DoctypeProfile* profile = mdoc::FindDoctype(a.type.type);
          ASSERT_NE(profile, nullptr);
          ASSERT_EQ(path.size(), 2u);
          EXPECT_NE(profile->FindElement(std::get<std::string>(path[0]), std::get<std::string>(path[1])), nullptr)
              << p.id << " " << DumpJson(ClaimPathToJson(path));
        } else if (a.type.format == "dc+sd-jwt") {
          ASSERT_EQ(path.size(), 1u);
          EXPECT_TRUE(sd_claims.count({a.type.type, std::get<std::string>(path[0])})) << DumpJson(ClaimPathToJson(path));
        } else {
          EXPECT_EQ(std::get<std::string>(path[0]), "credentialSubject");
        }
      }
    }
  }
}

TEST(PurposesTest, GrantsForRefusesUnknownRepeatedAndNoPurpose) {
  Result<std::vector<PurposeGrant>> g = GrantsFor({"age_over_18", "dbs_basic"});
  ASSERT_TRUE(g.ok());
  ASSERT_EQ(g->size(), 2u);
  EXPECT_EQ((*g)[0].claims.size(), 3u);
  EXPECT_EQ(GrantsFor({"age_over_18", "voting"}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(GrantsFor({"age_over_18", "age_over_18"}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(GrantsFor({}).status().code(), StatusCode::kInvalidArgument);
  // Round trip through JSON.
  Result<std::vector<PurposeGrant>> back = GrantsFromJson(GrantsToJson(*g));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, *g);
  EXPECT_EQ(GrantsFromJson(Json::object()).status().code(), StatusCode::kInvalidClaims);
  EXPECT_EQ(ClaimPathFromJson(Json::array()).status().code(), StatusCode::kInvalidClaims);
  EXPECT_EQ(ClaimPathFromJson(Json::array({-1})).status().code(), StatusCode::kInvalidClaims);
  EXPECT_TRUE(ClaimPathFromJson(Json::array({"a", 0, nullptr})).ok());
}

TEST(HostTest, ValidatesDnsNames) {
  EXPECT_TRUE(ValidateHost("verifier.example.co.uk").ok());
  EXPECT_TRUE(ValidateHost("a-b.example").ok());
  EXPECT_TRUE(ValidateHost(std::string(63, 'a') + ".example").ok());
  EXPECT_TRUE(ValidateHost("localhost").ok());  // the one single-label name (RFC 6761)
  for (const std::string& bad : std::vector<std::string>{"", "localhos", "localhost.", "Localhost", "Verifier.example.com", "-a.example.com", "a-.example.com",
                                "a..example.com", "example.com.", "1.2.3.4", "ver_ifier.example.com",
                                "https://verifier.example.com", "verifier.example.com:443",
                                std::string(64, 'a') + ".example"}) {
    EXPECT_EQ(ValidateHost(bad).code(), StatusCode::kInvalidArgument) << bad;
  }
}

// ---------------------------------------------------------------------------------------------
// Registry fixture.

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (fs::temp_directory_path() / ("bonafide-registry-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name()))
               .string();
    fs::remove_all(dir_);
    InitOptions o;
    o.name = "Test Registrar";
    o.id = "https://registry.example.gov.uk";
    Result<Registry> reg = Registry::Init(dir_ + "/reg", o, clock_);
    ASSERT_TRUE(reg.ok()) << reg.status().ToString();
    reg_ = std::make_unique<Registry>(std::move(*reg));
  }
  void TearDown() override { fs::remove_all(dir_); }

  RpCredentials Register(const std::string& host, std::vector<std::string> purposes = {"right_to_work"},
                         const std::string& out_dir = "") {
    Result<RpCredentials> c = reg_->AddRelyingParty({"Example Employer Ltd", host, "01234567", purposes}, out_dir, clock_);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return std::move(*c);
  }

  TrustList PublishAndVerify(int64_t at = kNow) {
    Result<std::string> jws = reg_->Publish(clock_);
    EXPECT_TRUE(jws.ok()) << jws.status().ToString();
    Result<TrustList> list = VerifyTrustList(*jws, reg_->root_certificate(), at);
    EXPECT_TRUE(list.ok()) << list.status().ToString();
    return std::move(*list);
  }

  crypto::PrivateKey FileKey(const std::string& name) {
    Result<crypto::PrivateKey> k = crypto::PrivateKey::FromPem(ReadAll(dir_ + "/reg/" + name));
    EXPECT_TRUE(k.ok());
    return *k;
  }

  // Sign signs `payload` as the registrar's trust-list signer with header typ `typ`.
  std::string SignAsSigner(const Json& payload, const std::string& typ) {
    const Json header = {{"typ", typ}, {"x5c", Json::array({Base64Encode(reg_->signer_certificate().der())})}};
    Result<std::string> jws = jose::SignJwt(header, payload, FileKey("signer.key.pem"));
    EXPECT_TRUE(jws.ok());
    return *jws;
  }

  // OtherCa makes an unrelated root and key.
  std::pair<crypto::Certificate, crypto::PrivateKey> OtherCa() {
    auto key = crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256);
    crypto::CertificateTemplate t;
    t.subject = {{"CN", "Other Root"}};
    t.not_before = kNow - 10;
    t.not_after = kNow + 10 * 365 * 86400;
    t.is_ca = true;
    t.key_usage.key_cert_sign = true;
    t.key_usage.crl_sign = true;
    auto cert = crypto::CreateSelfSignedCertificate(t, *key);
    EXPECT_TRUE(cert.ok());
    return {*cert, *key};
  }

  crypto::Certificate Leaf(const std::string& host, const crypto::Certificate& ca, const crypto::PrivateKey& ca_key,
                           bool digital_signature = true) {
    auto key = crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256);
    crypto::CertificateTemplate t;
    t.subject = {{"CN", host}};
    t.not_before = kNow;
    t.not_after = kNow + 365 * 86400;
    t.key_usage.digital_signature = digital_signature;
    t.key_usage.key_agreement = !digital_signature;
    t.dns_names = {host};
    auto cert = crypto::IssueCertificate(t, key->public_key(), ca, ca_key);
    EXPECT_TRUE(cert.ok());
    return *cert;
  }

  FixedClock clock_{kNow};
  std::string dir_;
  std::unique_ptr<Registry> reg_;
};

TEST_F(RegistryTest, InitMakesARootCaAndASignerAndRefusesASecondInit) {
  const crypto::Certificate& root = reg_->root_certificate();
  EXPECT_TRUE(root.is_ca());
  ASSERT_TRUE(root.key_usage().has_value());
  EXPECT_TRUE(root.key_usage()->key_cert_sign);
  EXPECT_TRUE(root.key_usage()->crl_sign);
  EXPECT_FALSE(root.key_usage()->digital_signature);
  EXPECT_EQ(root.not_after() - root.not_before(), kRootValiditySeconds);
  EXPECT_EQ(root.subject(), root.issuer());
  const crypto::Certificate& signer = reg_->signer_certificate();
  EXPECT_FALSE(signer.is_ca());
  ASSERT_TRUE(signer.key_usage().has_value());
  EXPECT_TRUE(signer.key_usage()->digital_signature);
  EXPECT_FALSE(signer.key_usage()->key_cert_sign);
  EXPECT_EQ(signer.issuer(), root.subject());
  EXPECT_EQ(signer.not_after() - signer.not_before(), kSignerValiditySeconds);
  EXPECT_TRUE(crypto::VerifyChain({signer}, {root}, kNow).ok());
  struct stat st {};
  ASSERT_EQ(stat((dir_ + "/reg/root.key.pem").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(stat((dir_ + "/reg/signer.key.pem").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  EXPECT_EQ(Registry::Init(dir_ + "/reg", {}, clock_).status().code(), StatusCode::kInvalidArgument);
  Result<Registry> opened = Registry::Open(dir_ + "/reg");
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(opened->id(), "https://registry.example.gov.uk");
  EXPECT_EQ(opened->root_certificate().der(), root.der());
  EXPECT_EQ(Registry::Open(dir_ + "/missing").status().code(), StatusCode::kNotFound);
}

TEST_F(RegistryTest, InitTtlBounds) {
  InitOptions o;
  o.trust_list_ttl_seconds = 3600;
  EXPECT_TRUE(Registry::Init(dir_ + "/a", o, clock_).ok());
  o.trust_list_ttl_seconds = 3599;
  EXPECT_EQ(Registry::Init(dir_ + "/b", o, clock_).status().code(), StatusCode::kInvalidArgument);
  o.trust_list_ttl_seconds = 31 * kDay + 1;
  EXPECT_EQ(Registry::Init(dir_ + "/c", o, clock_).status().code(), StatusCode::kInvalidArgument);
  o.trust_list_ttl_seconds = 3600;
  o.name = "";
  EXPECT_EQ(Registry::Init(dir_ + "/d", o, clock_).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(RegistryTest, AddRpIssuesAnAccessCertificate) {
  const std::string out = dir_ + "/rp";
  RpCredentials c = Register(kHost, {"right_to_work", "age_over_18"}, out);
  const crypto::Certificate& cert = c.access_certificate;
  EXPECT_EQ(cert.dns_names(), std::vector<std::string>{kHost});
  EXPECT_EQ(cert.subject_attributes("CN"), std::vector<std::string>{kHost});
  EXPECT_EQ(cert.subject_attributes("O"), std::vector<std::string>{"Example Employer Ltd"});
  EXPECT_EQ(cert.issuer(), reg_->root_certificate().subject());
  EXPECT_FALSE(cert.is_ca());
  ASSERT_TRUE(cert.key_usage().has_value());
  EXPECT_TRUE(cert.key_usage()->digital_signature);
  EXPECT_FALSE(cert.key_usage()->key_cert_sign);
  EXPECT_EQ(cert.not_before(), kNow);
  EXPECT_EQ(cert.not_after(), kNow + kAccessCertValiditySeconds);
  EXPECT_TRUE(crypto::VerifyChain({cert}, {reg_->root_certificate()}, kNow).ok());
  EXPECT_EQ(c.entry.access_certificate_sha256, HexEncode(crypto::Sha256(cert.der())));
  EXPECT_EQ(c.entry.access_certificate_serial, HexEncode(cert.serial_number()));
  EXPECT_EQ(c.entry.status, RpStatus::kActive);

  // Files: the key (0600) matches the certificate; the root is separate.
  struct stat st {};
  ASSERT_EQ(stat((out + "/access_key.pem").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto key = crypto::PrivateKey::FromPem(ReadAll(out + "/access_key.pem"));
  ASSERT_TRUE(key.ok());
  auto file_cert = crypto::Certificate::AllFromPem(ReadAll(out + "/access_cert.pem"));
  ASSERT_TRUE(file_cert.ok());
  ASSERT_EQ(file_cert->size(), 1u);
  EXPECT_TRUE(file_cert->front().public_key()->Equals(key->public_key()));
  auto root = crypto::Certificate::FromPem(ReadAll(out + "/registry_root.pem"));
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(root->der(), reg_->root_certificate().der());
  EXPECT_FALSE(ReadAll(out + "/registration.jwt").empty());

  // The state survives reopening.
  Result<Registry> opened = Registry::Open(dir_ + "/reg");
  ASSERT_TRUE(opened.ok());
  ASSERT_EQ(opened->relying_parties().size(), 1u);
  EXPECT_EQ(opened->relying_parties()[0].purposes, c.entry.purposes);
}

TEST_F(RegistryTest, AddRpRefusesDuplicatesAndBadInputChangingNothing) {
  Register(kHost, {"right_to_work"}, dir_ + "/rp1");
  const std::string before = ReadAll(dir_ + "/reg/registry.json");
  auto attempt = [&](RpRequest r, const std::string& out) {
    return reg_->AddRelyingParty(r, out, clock_).status().code();
  };
  EXPECT_EQ(attempt({"Other Ltd", kHost, "", {"age_over_18"}}, dir_ + "/rp2"), StatusCode::kInvalidArgument);
  EXPECT_EQ(attempt({"Other Ltd", "other.example.com", "", {"voting"}}, dir_ + "/rp3"), StatusCode::kInvalidArgument);
  EXPECT_EQ(attempt({"Other Ltd", "Other.Example.com", "", {"age_over_18"}}, dir_ + "/rp4"),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(attempt({"", "other.example.com", "", {"age_over_18"}}, dir_ + "/rp5"), StatusCode::kInvalidArgument);
  EXPECT_EQ(attempt({"Other Ltd", "other.example.com", "bad\nnumber", {"age_over_18"}}, dir_ + "/rp6"),
            StatusCode::kInvalidArgument);
  // localhost only when the registrar says so (local demos and tests).
  EXPECT_EQ(attempt({"Other Ltd", "localhost", "", {"age_over_18"}}, dir_ + "/rp7"), StatusCode::kInvalidArgument);
  // An out dir that already holds a key is not overwritten.
  EXPECT_EQ(attempt({"Other Ltd", "other.example.com", "", {"age_over_18"}}, dir_ + "/rp1"),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ReadAll(dir_ + "/reg/registry.json"), before);
  for (const char* d : {"/rp2", "/rp3", "/rp4", "/rp5", "/rp6", "/rp7"}) EXPECT_FALSE(fs::exists(dir_ + d)) << d;
  // Boundary: a 64-character registration number passes, 65 does not.
  EXPECT_EQ(attempt({"Other Ltd", "other.example.com", std::string(65, '1'), {"age_over_18"}}, ""),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(reg_->AddRelyingParty({"Other Ltd", "other.example.com", std::string(64, '1'), {"age_over_18"}}, "",
                                    clock_)
                  .ok());
  RpRequest local{"Local Demo Shop", "localhost", "", {"age_over_18"}};
  local.allow_localhost = true;
  EXPECT_TRUE(reg_->AddRelyingParty(local, dir_ + "/rp8", clock_).ok());
}

TEST_F(RegistryTest, RegistrationJwtCarriesTheRegisteredClaims) {
  RpCredentials c = Register(kHost, {"veteran_status"});
  auto jws = jose::UnverifiedJws::Parse(c.registration_jwt);
  ASSERT_TRUE(jws.ok());
  EXPECT_EQ(jws->typ(), "rp-registration+jwt");
  EXPECT_EQ(jws->alg(), "ES256");
  auto x5c = jose::ParseX5c(jws->unverified_header());
  ASSERT_TRUE(x5c.ok());
  ASSERT_EQ(x5c->size(), 1u);
  EXPECT_EQ(x5c->front().der(), reg_->signer_certificate().der());
  auto claims = ParseJsonObject(AsStringView(jws->unverified_payload()));
  ASSERT_TRUE(claims.ok());
  EXPECT_EQ((*claims)["sub"], kHost);
  EXPECT_EQ((*claims)["iss"], "https://registry.example.gov.uk");
  EXPECT_EQ((*claims)["registrar"], "Test Registrar");
  EXPECT_EQ((*claims)["name"], "Example Employer Ltd");
  EXPECT_EQ((*claims)["registration_number"], "01234567");
  EXPECT_EQ((*claims)["iat"], kNow);
  EXPECT_EQ((*claims)["exp"], kNow + kRegistrationValiditySeconds);
  EXPECT_EQ((*claims)["purposes"], GrantsToJson(*GrantsFor({"veteran_status"})));
  EXPECT_EQ((*claims)["purposes"][0]["claims"][1]["path"],
            Json::array({"credentialSubject", "veteranCard", nullptr, "serviceBranch"}));
}

// ---------------------------------------------------------------------------------------------
// Trust list.

TEST_F(RegistryTest, PublishAndVerify) {
  Register(kHost, {"age_over_18"});
  TrustList list = PublishAndVerify();
  EXPECT_EQ(list.registry_id(), "https://registry.example.gov.uk");
  EXPECT_EQ(list.name(), "Test Registrar");
  EXPECT_EQ(list.sequence(), 1);
  EXPECT_EQ(list.issued_at(), kNow);
  EXPECT_EQ(list.next_update(), kNow + 24 * 3600);
  EXPECT_FALSE(list.stale());
  const RelyingParty* rp = list.FindRelyingParty(kHost);
  ASSERT_NE(rp, nullptr);
  EXPECT_EQ(rp->purposes, *GrantsFor({"age_over_18"}));
  EXPECT_EQ(list.FindRelyingParty("nobody.example.com"), nullptr);
  EXPECT_EQ(PublishAndVerify().sequence(), 2);
  EXPECT_EQ(Registry::Open(dir_ + "/reg")->sequence(), 2);
}

TEST_F(RegistryTest, TamperedPayloadIsAnInvalidSignature) {
  Register(kHost);
  std::string jws = *reg_->Publish(clock_);
  const size_t a = jws.find('.');
  const size_t b = jws.find('.', a + 1);
  auto payload = ParseJsonObject(AsStringView(*Base64UrlDecode(jws.substr(a + 1, b - a - 1))));
  ASSERT_TRUE(payload.ok());
  (*payload)["relying_parties"][0]["status"] = "suspended";
  const std::string tampered = jws.substr(0, a + 1) + Base64UrlEncode(DumpJson(*payload)) + jws.substr(b);
  EXPECT_EQ(VerifyTrustList(tampered, reg_->root_certificate(), kNow).status().code(), StatusCode::kInvalidSignature);
  EXPECT_EQ(VerifyTrustList("not a jws", reg_->root_certificate(), kNow).status().code(), StatusCode::kMalformed);
}

TEST_F(RegistryTest, SignerNotChainingToThePinnedRootIsUntrusted) {
  std::string jws = *reg_->Publish(clock_);
  auto [other_root, other_key] = OtherCa();
  EXPECT_EQ(VerifyTrustList(jws, other_root, kNow).status().code(), StatusCode::kUntrustedIssuer);
  // A list without x5c.
  Result<std::string> no_x5c = jose::SignJwt({{"typ", "trust-list+jwt"}}, Json{{"iss", "x"}}, FileKey("signer.key.pem"));
  EXPECT_EQ(VerifyTrustList(*no_x5c, reg_->root_certificate(), kNow).status().code(), StatusCode::kInvalidCertificate);
  // A list signed by the root itself (a CA, not the signer profile).
  const Json header = {{"typ", "trust-list+jwt"}, {"x5c", Json::array({Base64Encode(reg_->root_certificate().der())})}};
  Result<std::string> by_root = jose::SignJwt(header, Json{{"iss", "x"}}, FileKey("root.key.pem"));
  EXPECT_EQ(VerifyTrustList(*by_root, reg_->root_certificate(), kNow).status().code(), StatusCode::kInvalidCertificate);
  // The signer certificate has expired (3 years).
  EXPECT_EQ(VerifyTrustList(jws, reg_->root_certificate(), kNow + kSignerValiditySeconds).status().code(),
            StatusCode::kExpired);
}

TEST_F(RegistryTest, WrongTypIsInvalidType) {
  std::string jws = *reg_->Publish(clock_);
  auto parsed = jose::UnverifiedJws::Parse(jws);
  auto payload = ParseJsonObject(AsStringView(parsed->unverified_payload()));
  EXPECT_TRUE(VerifyTrustList(SignAsSigner(*payload, "trust-list+jwt"), reg_->root_certificate(), kNow).ok());
  EXPECT_EQ(VerifyTrustList(SignAsSigner(*payload, "JWT"), reg_->root_certificate(), kNow).status().code(),
            StatusCode::kInvalidType);
  EXPECT_EQ(VerifyTrustList(SignAsSigner(*payload, "rp-registration+jwt"), reg_->root_certificate(), kNow)
                .status()
                .code(),
            StatusCode::kInvalidType);
  // Payload rules: next_update not after iat, another root named, a missing member.
  Json p = *payload;
  p["next_update"] = p["iat"];
  EXPECT_EQ(VerifyTrustList(SignAsSigner(p, "trust-list+jwt"), reg_->root_certificate(), kNow).status().code(),
            StatusCode::kInvalidClaims);
  p = *payload;
  auto [other_root, other_key] = OtherCa();
  p["registrar_root"] = Base64Encode(other_root.der());
  EXPECT_EQ(VerifyTrustList(SignAsSigner(p, "trust-list+jwt"), reg_->root_certificate(), kNow).status().code(),
            StatusCode::kUntrustedIssuer);
  p = *payload;
  p.erase("relying_parties");
  EXPECT_EQ(VerifyTrustList(SignAsSigner(p, "trust-list+jwt"), reg_->root_certificate(), kNow).status().code(),
            StatusCode::kInvalidClaims);
  p = *payload;
  p["iat"] = kNow + 61;
  p["next_update"] = kNow + 3600;
  EXPECT_EQ(VerifyTrustList(SignAsSigner(p, "trust-list+jwt"), reg_->root_certificate(), kNow).status().code(),
            StatusCode::kNotYetValid);
  p["iat"] = kNow + 60;
  EXPECT_TRUE(VerifyTrustList(SignAsSigner(p, "trust-list+jwt"), reg_->root_certificate(), kNow).ok());
}

TEST_F(RegistryTest, StaleListIsReturnedAndFlagged) {
  std::string jws = *reg_->Publish(clock_);
  const int64_t next_update = kNow + 24 * 3600;
  Result<TrustList> at_boundary = VerifyTrustList(jws, reg_->root_certificate(), next_update);
  ASSERT_TRUE(at_boundary.ok());
  EXPECT_FALSE(at_boundary->stale());
  Result<TrustList> after = VerifyTrustList(jws, reg_->root_certificate(), next_update + 1);
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->stale());
}

TEST_F(RegistryTest, SequenceRollbackIsRefused) {
  std::string first = *reg_->Publish(clock_);
  std::string second = *reg_->Publish(clock_);
  VerifyOptions o;
  o.min_sequence = 2;
  EXPECT_EQ(VerifyTrustList(first, reg_->root_certificate(), kNow, o).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(VerifyTrustList(second, reg_->root_certificate(), kNow, o).ok());
  o.min_sequence = 0;
  o.expected_registry_id = "https://other-registry.example";
  EXPECT_EQ(VerifyTrustList(second, reg_->root_certificate(), kNow, o).status().code(), StatusCode::kUntrustedIssuer);
}

// ---------------------------------------------------------------------------------------------
// Access certificates and registrations.

TEST_F(RegistryTest, AccessCertificateVerification) {
  RpCredentials c = Register(kHost);
  Register("suspended.example.com");
  ASSERT_TRUE(reg_->SetRelyingPartyStatus("suspended.example.com", RpStatus::kSuspended).ok());
  TrustList list = PublishAndVerify();
  const crypto::Certificate& root = reg_->root_certificate();

  Result<RelyingParty> ok = VerifyAccessCertificate(list, {c.access_certificate}, kHost, kNow);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->client_id, kHost);
  EXPECT_TRUE(VerifyAccessCertificate(list, {c.access_certificate, root}, kHost, kNow).ok());
  EXPECT_TRUE(VerifyAccessCertificatePem(list, c.access_certificate.ToPem(), "VERIFIER.example.co.uk", kNow).ok());
  // Wrong host: the certificate names another.
  EXPECT_EQ(VerifyAccessCertificate(list, {c.access_certificate}, "other.example.co.uk", kNow).status().code(),
            StatusCode::kInvalidCertificate);
  // A certificate from the root for a host nobody registered.
  crypto::PrivateKey root_key = FileKey("root.key.pem");
  EXPECT_EQ(VerifyAccessCertificate(list, {Leaf("nobody.example.com", root, root_key)}, "nobody.example.com", kNow)
                .status()
                .code(),
            StatusCode::kNotFound);
  // A second certificate from the root for a registered host: not the registered one.
  EXPECT_EQ(VerifyAccessCertificate(list, {Leaf(kHost, root, root_key)}, kHost, kNow).status().code(),
            StatusCode::kInvalidCertificate);
  // From the root but without digitalSignature.
  EXPECT_EQ(VerifyAccessCertificate(list, {Leaf(kHost, root, root_key, false)}, kHost, kNow).status().code(),
            StatusCode::kInvalidCertificate);
  // Suspended.
  const RelyingParty* suspended = list.FindRelyingParty("suspended.example.com");
  ASSERT_NE(suspended, nullptr);
  EXPECT_EQ(suspended->status, RpStatus::kSuspended);
  // From another CA.
  auto [other_root, other_key] = OtherCa();
  EXPECT_EQ(VerifyAccessCertificate(list, {Leaf(kHost, other_root, other_key)}, kHost, kNow).status().code(),
            StatusCode::kUntrustedIssuer);
  // Expired: valid up to the last second before not_after.
  EXPECT_TRUE(VerifyAccessCertificate(list, {c.access_certificate}, kHost, kNow + kAccessCertValiditySeconds - 1).ok());
  EXPECT_EQ(VerifyAccessCertificate(list, {c.access_certificate}, kHost, kNow + kAccessCertValiditySeconds)
                .status()
                .code(),
            StatusCode::kExpired);
  EXPECT_EQ(VerifyAccessCertificate(list, {}, kHost, kNow).status().code(), StatusCode::kInvalidCertificate);
}

TEST_F(RegistryTest, SuspendedRelyingPartyAndReinstatement) {
  RpCredentials c = Register(kHost);
  EXPECT_EQ(reg_->SetRelyingPartyStatus(kHost, RpStatus::kActive).code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(reg_->SetRelyingPartyStatus(kHost, RpStatus::kSuspended).ok());
  EXPECT_EQ(reg_->SetRelyingPartyStatus(kHost, RpStatus::kSuspended).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(reg_->SetRelyingPartyStatus("nobody.example.com", RpStatus::kSuspended).code(), StatusCode::kNotFound);
  TrustList suspended = PublishAndVerify();
  EXPECT_EQ(VerifyAccessCertificate(suspended, {c.access_certificate}, kHost, kNow).status().code(),
            StatusCode::kSuspended);
  EXPECT_EQ(VerifyRegistration(c.registration_jwt, suspended, kNow).status().code(), StatusCode::kSuspended);
  ASSERT_TRUE(reg_->SetRelyingPartyStatus(kHost, RpStatus::kActive).ok());
  TrustList reinstated = PublishAndVerify();
  EXPECT_TRUE(VerifyAccessCertificate(reinstated, {c.access_certificate}, kHost, kNow).ok());
}

TEST_F(RegistryTest, RegistrationVerification) {
  RpCredentials c = Register(kHost, {"right_to_rent", "age_over_18"});
  TrustList list = PublishAndVerify();
  Result<VerifiedRegistration> v = VerifyRegistration(c.registration_jwt, list, kNow);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->client_id, kHost);
  EXPECT_EQ(v->purposes, *GrantsFor({"right_to_rent", "age_over_18"}));
  EXPECT_EQ(v->expires_at, kNow + kRegistrationValiditySeconds);

  // exp: valid until the skew runs out.
  EXPECT_EQ(VerifyRegistration(c.registration_jwt, list, kNow + kRegistrationValiditySeconds + 60).status().code(),
            StatusCode::kExpired);
  // Claims that differ from the trust list: an extra purpose, signed by the real signer.
  auto claims = *ParseJsonObject(AsStringView(jose::UnverifiedJws::Parse(c.registration_jwt)->unverified_payload()));
  Json wider = claims;
  wider["purposes"] = GrantsToJson(*GrantsFor({"right_to_rent", "age_over_18", "dbs_basic"}));
  EXPECT_EQ(VerifyRegistration(SignAsSigner(wider, "rp-registration+jwt"), list, kNow).status().code(),
            StatusCode::kInvalidClaims);
  Json renamed = claims;
  renamed["name"] = "Someone Else Ltd";
  EXPECT_EQ(VerifyRegistration(SignAsSigner(renamed, "rp-registration+jwt"), list, kNow).status().code(),
            StatusCode::kInvalidClaims);
  Json unknown = claims;
  unknown["sub"] = "nobody.example.com";
  EXPECT_EQ(VerifyRegistration(SignAsSigner(unknown, "rp-registration+jwt"), list, kNow).status().code(),
            StatusCode::kNotFound);
  Json other_registry = claims;
  other_registry["iss"] = "https://other.example";
  EXPECT_EQ(VerifyRegistration(SignAsSigner(other_registry, "rp-registration+jwt"), list, kNow).status().code(),
            StatusCode::kUntrustedIssuer);
  EXPECT_EQ(VerifyRegistration(SignAsSigner(claims, "trust-list+jwt"), list, kNow).status().code(),
            StatusCode::kInvalidType);
  EXPECT_TRUE(VerifyRegistration(SignAsSigner(claims, "rp-registration+jwt"), list, kNow).ok());
  // Signed by the relying party's own access key (which chains to the root too): not the signer.
  const Json header = {{"typ", "rp-registration+jwt"}, {"x5c", Json::array({Base64Encode(c.access_certificate.der())})}};
  Result<std::string> self_signed = jose::SignJwt(header, wider, c.access_key);
  EXPECT_EQ(VerifyRegistration(*self_signed, list, kNow).status().code(), StatusCode::kUntrustedIssuer);
}

// ---------------------------------------------------------------------------------------------
// Cache.

TEST_F(RegistryTest, CacheFromFileKeepsTheLastGoodListAndRefusesRollback) {
  const std::string source = dir_ + "/published.jwt";
  const std::string cache_file = dir_ + "/cache.jwt";
  const std::string first = *reg_->Publish(clock_);
  WriteAll(source, first + "\n");
  TrustListCacheOptions o;
  o.source = source;
  o.cache_file = cache_file;
  // Nothing cached and the source missing: an I/O error.
  {
    TrustListCacheOptions missing = o;
    missing.source = dir_ + "/absent.jwt";
    missing.cache_file = dir_ + "/absent-cache.jwt";
    auto empty = TrustListCache::Create(missing, reg_->root_certificate(), kNow);
    ASSERT_TRUE(empty.ok());
    EXPECT_EQ((*empty)->current(), nullptr);
    EXPECT_EQ((*empty)->Refresh(kNow).status().code(), StatusCode::kIoError);
  }
  auto cache = TrustListCache::Create(o, reg_->root_certificate(), kNow);
  ASSERT_TRUE(cache.ok());
  Result<TrustListSnapshot> s1 = (*cache)->Refresh(kNow + 10);
  ASSERT_TRUE(s1.ok()) << s1.status().ToString();
  EXPECT_TRUE(s1->from_source);
  EXPECT_EQ(s1->list->sequence(), 1);
  EXPECT_EQ(s1->age_seconds, 10);
  EXPECT_TRUE(fs::exists(cache_file));

  clock_.Set(kNow + 100);
  WriteAll(source, *reg_->Publish(clock_));
  Result<TrustListSnapshot> s2 = (*cache)->Refresh(kNow + 100);
  ASSERT_TRUE(s2.ok());
  EXPECT_EQ(s2->list->sequence(), 2);
  // Same list again: fine.
  EXPECT_TRUE((*cache)->Refresh(kNow + 101).ok());

  // Rollback to sequence 1 is refused; the current list stays.
  WriteAll(source, first);
  EXPECT_EQ((*cache)->Refresh(kNow + 200).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ((*cache)->current()->sequence(), 2);
  // A tampered list is refused.
  std::string tampered = first;
  const size_t at = tampered.find('.') + 5;
  tampered[at] = tampered[at] == 'A' ? 'B' : 'A';
  WriteAll(source, tampered);
  EXPECT_EQ((*cache)->Refresh(kNow + 200).status().code(), StatusCode::kInvalidSignature);

  // Source gone: the cached list with its age.
  fs::remove(source);
  Result<TrustListSnapshot> s3 = (*cache)->Refresh(kNow + 5000);
  ASSERT_TRUE(s3.ok());
  EXPECT_FALSE(s3->from_source);
  EXPECT_EQ(s3->list->sequence(), 2);
  EXPECT_EQ(s3->age_seconds, 4900);
  EXPECT_EQ(s3->source_status.code(), StatusCode::kIoError);
  // Past next_update it is flagged stale.
  Result<TrustListSnapshot> s4 = (*cache)->Refresh(kNow + 100 + 24 * 3600 + 1);
  ASSERT_TRUE(s4.ok());
  EXPECT_TRUE(s4->list->stale());

  // A new cache starts from the cache file and keeps its sequence as the floor.
  WriteAll(source, first);
  auto restarted = TrustListCache::Create(o, reg_->root_certificate(), kNow + 300);
  ASSERT_TRUE(restarted.ok());
  ASSERT_NE((*restarted)->current(), nullptr);
  EXPECT_EQ((*restarted)->current()->sequence(), 2);
  EXPECT_EQ((*restarted)->Refresh(kNow + 300).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(RegistryTest, CacheFromUrl) {
  auto body = std::make_shared<std::string>(*reg_->Publish(clock_));
  auto mu = std::make_shared<std::mutex>();
  http::ServerOptions so;
  so.log_sink = [](std::string_view) {};
  auto server = http::Server::Create(so);
  ASSERT_TRUE(server.ok());
  ASSERT_TRUE((*server)->Get("/trust-list.jwt", [body, mu](const http::Request&) {
                         std::lock_guard<std::mutex> lock(*mu);
                         http::Response r;
                         r.content_type = "application/jwt";
                         r.body = *body;
                         return r;
                       })
                  .ok());
  ASSERT_TRUE((*server)->Start().ok());
  const std::string url = "http://127.0.0.1:" + std::to_string((*server)->port()) + "/trust-list.jwt";
  TrustListCacheOptions o;
  o.source = url;
  o.cache_file = dir_ + "/cache.jwt";
  o.http.connect_timeout = std::chrono::milliseconds(500);
  auto cache = TrustListCache::Create(o, reg_->root_certificate(), kNow);
  ASSERT_TRUE(cache.ok());
  Result<TrustListSnapshot> s1 = (*cache)->Refresh(kNow);
  ASSERT_TRUE(s1.ok()) << s1.status().ToString();
  EXPECT_TRUE(s1->from_source);
  EXPECT_EQ(s1->list->sequence(), 1);
  {
    std::lock_guard<std::mutex> lock(*mu);
    *body = *reg_->Publish(clock_);
  }
  Result<TrustListSnapshot> s2 = (*cache)->Refresh(kNow + 1);
  ASSERT_TRUE(s2.ok());
  EXPECT_EQ(s2->list->sequence(), 2);
  // A 404 counts as unreachable.
  TrustListCacheOptions wrong = o;
  wrong.source = "http://127.0.0.1:" + std::to_string((*server)->port()) + "/nothing";
  auto wrong_cache = TrustListCache::Create(wrong, reg_->root_certificate(), kNow);
  ASSERT_TRUE(wrong_cache.ok());
  Result<TrustListSnapshot> from_disk = (*wrong_cache)->Refresh(kNow + 2);
  ASSERT_TRUE(from_disk.ok());
  EXPECT_FALSE(from_disk->from_source);
  EXPECT_EQ(from_disk->list->sequence(), 2);

  (*server)->Stop();
  Result<TrustListSnapshot> s3 = (*cache)->Refresh(kNow + 60);
  ASSERT_TRUE(s3.ok());
  EXPECT_FALSE(s3->from_source);
  EXPECT_EQ(s3->age_seconds, 60);
  EXPECT_EQ(s3->source_status.code(), StatusCode::kIoError);
}

// ---------------------------------------------------------------------------------------------
// Issuers.

class RegistryIssuerTest : public RegistryTest {
 protected:
  std::string MakeIssuer(const std::string& url) {
    const std::string dir = dir_ + "/issuer";
    issuer::InitOptions o;
    o.issuer_url = url;
    Result<issuer::IssuerConfig> c = issuer::InitDataDir(dir, o, clock_);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return dir;
  }
};

TEST_F(RegistryIssuerTest, AddIssuerFromDataDir) {
  const std::string dir = MakeIssuer("https://issuer.example.gov.uk");
  Result<TrustedIssuer> issuer = TrustedIssuerFromDataDir(dir, kNow);
  ASSERT_TRUE(issuer.ok()) << issuer.status().ToString();
  EXPECT_EQ(issuer->id, "https://issuer.example.gov.uk");
  EXPECT_FALSE(issuer->name.empty());
  std::set<std::string> types;
  for (const IssuerCredential& c : issuer->credentials) types.insert(c.type.ToString());
  EXPECT_EQ(types, (std::set<std::string>{"dc+sd-jwt:urn:uk:gov:digital-id:1", "mso_mdoc:uk.gov.digital-id.1",
                                          "mso_mdoc:org.iso.18013.5.1.mDL", "jwt_vc_json:DigitalVeteranCard",
                                          "jwt_vc_json:BasicDisclosureCredential",
                                          "mso_mdoc:uk.gov.homeoffice.evisa.1", "mso_mdoc:uk.gov.gro.marriage.1"}));
  ASSERT_TRUE(reg_->AddIssuer(*issuer, clock_).ok());
  EXPECT_EQ(reg_->AddIssuer(*issuer, clock_).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(TrustedIssuerFromDataDir(dir_ + "/nothing", kNow).status().code(), StatusCode::kIoError);

  TrustList list = PublishAndVerify();
  auto mdl = list.FindIssuerAnchors({"mso_mdoc", "org.iso.18013.5.1.mDL"});
  ASSERT_EQ(mdl.size(), 1u);
  EXPECT_EQ(mdl[0].first->id, "https://issuer.example.gov.uk");
  ASSERT_EQ(mdl[0].second->iaca_pems.size(), 1u);
  auto config = issuer::LoadIssuerConfig(dir);
  auto keys = issuer::LoadIssuerKeys(*config);
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(crypto::Certificate::FromPem(mdl[0].second->iaca_pems[0])->der(), keys->iacas[0].certificate.der());
  auto sd = list.FindIssuerAnchors({"dc+sd-jwt", "urn:uk:gov:digital-id:1"});
  ASSERT_EQ(sd.size(), 1u);
  auto jwk_key = crypto::PublicKey::FromJwk(sd[0].second->jwks["keys"][0]);
  ASSERT_TRUE(jwk_key.ok());
  EXPECT_TRUE(jwk_key->Equals(keys->active_sd_jwt().key.public_key()));
  auto vet = list.FindIssuerAnchors({"jwt_vc_json", "DigitalVeteranCard"});
  ASSERT_EQ(vet.size(), 1u);
  EXPECT_EQ(vet[0].second->did_document["id"], "did:web:issuer.example.gov.uk");
  EXPECT_TRUE(list.FindIssuerAnchors({"mso_mdoc", "org.example.unknown"}).empty());
  EXPECT_TRUE(list.FindIssuerAnchors({"dc+sd-jwt", "org.iso.18013.5.1.mDL"}).empty());
}

TEST_F(RegistryIssuerTest, ValidateTrustedIssuerRefusesBadAnchors) {
  const std::string dir = MakeIssuer("https://issuer.example.gov.uk");
  TrustedIssuer good = *TrustedIssuerFromDataDir(dir, kNow);
  auto find = [](TrustedIssuer& i, std::string_view format) -> IssuerCredential& {
    for (IssuerCredential& c : i.credentials) {
      if (c.type.format == format) return c;
    }
    return i.credentials.front();
  };
  TrustedIssuer t = good;
  find(t, "dc+sd-jwt").jwks["keys"][0]["d"] = "AAAA";
  EXPECT_EQ(reg_->AddIssuer(t, clock_).code(), StatusCode::kInvalidKey);
  t = good;
  find(t, "mso_mdoc").iaca_pems = {reg_->signer_certificate().ToPem()};  // not a CA
  EXPECT_EQ(reg_->AddIssuer(t, clock_).code(), StatusCode::kInvalidArgument);
  t = good;
  find(t, "mso_mdoc").iaca_pems = {};
  EXPECT_EQ(reg_->AddIssuer(t, clock_).code(), StatusCode::kInvalidArgument);
  t = good;
  find(t, "jwt_vc_json").did_document["id"] = "did:key:z6Mk";
  EXPECT_EQ(reg_->AddIssuer(t, clock_).code(), StatusCode::kInvalidArgument);
  t = good;
  t.credentials.push_back(t.credentials.front());
  EXPECT_EQ(reg_->AddIssuer(t, clock_).code(), StatusCode::kInvalidArgument);
  t = good;
  t.credentials.front().type.format = "ldp_vc";
  EXPECT_EQ(reg_->AddIssuer(t, clock_).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(reg_->issuers().empty());
  EXPECT_TRUE(reg_->AddIssuer(good, clock_).ok());
}

TEST_F(RegistryIssuerTest, AddIssuerFromMetadataUrlMatchesTheDataDir) {
  std::atomic<issuer::IssuerService*> current{nullptr};
  http::ServerOptions so;
  so.log_sink = [](std::string_view) {};
  auto server = http::Server::Create(so);
  ASSERT_TRUE(server.ok());
  ASSERT_TRUE(issuer::RegisterIssuerRoutes(**server, [&current] { return current.load(); }).ok());
  ASSERT_TRUE((*server)->Start().ok());
  const std::string url = "http://127.0.0.1:" + std::to_string((*server)->port());
  const std::string dir = MakeIssuer(url);
  auto config = issuer::LoadIssuerConfig(dir);
  ASSERT_TRUE(config.ok());
  auto store = issuer::OpenIssuerStore(*config);
  ASSERT_TRUE(store.ok());
  auto svc = issuer::IssuerService::Create(std::move(*config), std::move(*store), clock_, crypto::SystemRandom());
  ASSERT_TRUE(svc.ok()) << svc.status().ToString();
  current.store(svc->get());

  Result<TrustedIssuer> fetched = TrustedIssuerFromMetadataUrl(url, {});
  ASSERT_TRUE(fetched.ok()) << fetched.status().ToString();
  Result<TrustedIssuer> local = TrustedIssuerFromDataDir(dir, kNow);
  ASSERT_TRUE(local.ok());
  EXPECT_EQ(fetched->id, local->id);
  EXPECT_EQ(fetched->name, local->name);
  EXPECT_EQ(TrustedIssuerToJson(*fetched), TrustedIssuerToJson(*local));
  // The metadata must name the URL it was fetched from: a second server that serves the first
  // one's metadata is refused.
  const Json metadata = (*svc)->CredentialIssuerMetadata();
  auto mirror = http::Server::Create(so);
  ASSERT_TRUE(mirror.ok());
  ASSERT_TRUE((*mirror)
                  ->Get("/.well-known/openid-credential-issuer",
                        [metadata](const http::Request&) { return http::Response::JsonBody(200, metadata); })
                  .ok());
  ASSERT_TRUE((*mirror)->Start().ok());
  EXPECT_EQ(TrustedIssuerFromMetadataUrl("http://127.0.0.1:" + std::to_string((*mirror)->port()), {}).status().code(),
            StatusCode::kInvalidClaims);
  (*mirror)->Stop();
  EXPECT_EQ(TrustedIssuerFromMetadataUrl("ftp://issuer.example", {}).status().code(), StatusCode::kInvalidArgument);
  (*server)->Stop();
  current.store(nullptr);
  EXPECT_EQ(TrustedIssuerFromMetadataUrl(url, {}).status().code(), StatusCode::kIoError);
}

}  // namespace
}  // namespace bonafide::registry
