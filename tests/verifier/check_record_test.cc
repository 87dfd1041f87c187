// Tests of verifier/check_record.h: signed check records, their retention, tampering and typ.
#include "verifier/check_record.h"

#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "base/encoding.h"
#include "base/json.h"
#include "cbor/cbor.h"
#include "crypto/keys.h"
#include "jose/jws.h"
#include "verifier/checks.h"

namespace bonafide::verifier {
namespace {

template <typename T>
std::string CodeOf(const Result<T>& r) {
  return r.ok() ? "ok" : std::string(StatusCodeName(r.status().code()));
}

int64_t At(const char* date, int64_t seconds_into_day = 0) {
  return *cbor::ParseFullDate(date) + seconds_into_day;
}

CheckDecision RightToWorkDecision() {
  Json claims = {{"family_name", "Morrison"},
                 {"given_name", "Callum James"},
                 {"birth_date", "1985-11-02"},
                 {"portrait", Base64UrlEncode(Bytes{0xFF, 0xD8, 0xFF, 0xD9})},
                 {"right_to_work", "restricted"},
                 {"valid_until", "2029-01-31"},
                 {"work_conditions", "Work for the sponsoring employer only"}};
  auto d = Decide("right_to_work",
                  {{"mso_mdoc", "uk.gov.homeoffice.evisa.1"}, Json{{"uk.gov.homeoffice.evisa.1", claims}}},
                  "2026-01-15");
  EXPECT_TRUE(d.ok());
  return d.ok() ? *d : CheckDecision{};
}

CheckRecord Record() {
  CheckRecord r;
  r.check = "right_to_work";
  r.decision = RightToWorkDecision();
  r.checked_at = At("2026-01-15", 10 * 3600);
  r.checker_client_id = "x509_san_dns:hr.example.co.uk";
  r.checker_name = "Example Employer Ltd";
  r.session_id = "sess-7f3a";
  r.credential_type = {"mso_mdoc", "uk.gov.homeoffice.evisa.1"};
  r.issuer = "Home Office (UK Visas and Immigration)";
  r.status_age_seconds = 1800;
  return r;
}

class CheckRecordTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto key = crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256);
    ASSERT_TRUE(key.ok());
    key_.emplace(std::move(key).value());
  }
  const crypto::PrivateKey& key() const { return *key_; }

  // Claims returns the verified claims of a record JWT (to build variants from).
  Json Claims(const std::string& jwt) {
    auto jws = jose::UnverifiedJws::Parse(jwt);
    EXPECT_TRUE(jws.ok());
    return Json::parse(AsStringView(jws->unverified_payload()));
  }

  std::optional<crypto::PrivateKey> key_;
};

TEST_F(CheckRecordTest, RoundTrip) {
  auto signed_record = CreateCheckRecord(Record(), key(), "record-key-1");
  ASSERT_TRUE(signed_record.ok()) << signed_record.status().ToString();
  EXPECT_EQ(signed_record->record.retention.rule, "end_of_employment_plus_2_years");
  EXPECT_EQ(signed_record->record.retention.retain_until, "2028-01-15");

  auto jws = jose::UnverifiedJws::Parse(signed_record->jwt);
  ASSERT_TRUE(jws.ok());
  EXPECT_EQ(jws->unverified_header(),
            (Json{{"alg", "ES256"}, {"typ", "check-record+jwt"}, {"kid", "record-key-1"}}));
  const Json claims = Claims(signed_record->jwt);
  EXPECT_EQ(claims["iss"], "x509_san_dns:hr.example.co.uk");
  EXPECT_EQ(claims["iat"], claims["checked_at"]);
  EXPECT_EQ(claims["checker"],
            (Json{{"client_id", "x509_san_dns:hr.example.co.uk"}, {"name", "Example Employer Ltd"}}));
  EXPECT_EQ(claims["credential"]["issuer"], "Home Office (UK Visas and Immigration)");
  EXPECT_EQ(claims["status_age_seconds"], 1800);
  EXPECT_EQ(claims["retain_until"], "2028-01-15");
  // The decision carries the photo the employer must keep.
  EXPECT_EQ(claims["decision"]["facts"]["portrait"], Base64UrlEncode(Bytes{0xFF, 0xD8, 0xFF, 0xD9}));
  EXPECT_EQ(claims["decision"]["conditions"], "Work for the sponsoring employer only");

  auto verified = VerifyCheckRecord(signed_record->jwt, key().public_key());
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(*verified, signed_record->record);
  CheckRecord expected = Record();
  expected.retention = {std::string(kRetentionEmploymentPlus2Years), "2028-01-15"};
  EXPECT_EQ(*verified, expected);
}

TEST_F(CheckRecordTest, RoundTripWithoutStatusAgeOrKid) {
  CheckRecord r = Record();
  r.status_age_seconds.reset();
  r.check = "age_over_18";
  r.decision = CheckDecision{.check = "age_over_18",
                             .outcome = "pass",
                             .reasons = {"age_over_18 is true"},
                             .facts = Json{{"age_over_18", true}}};
  auto signed_record = CreateCheckRecord(r, key());
  ASSERT_TRUE(signed_record.ok()) << signed_record.status().ToString();
  EXPECT_FALSE(jose::UnverifiedJws::Parse(signed_record->jwt)->unverified_header().contains("kid"));
  EXPECT_FALSE(Claims(signed_record->jwt).contains("status_age_seconds"));
  EXPECT_FALSE(Claims(signed_record->jwt).contains("retain_until"));
  auto verified = VerifyCheckRecord(signed_record->jwt, key().public_key());
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(verified->retention.rule, "no_statutory_period");
  EXPECT_FALSE(verified->status_age_seconds.has_value());
}

TEST_F(CheckRecordTest, TamperedPayloadIsInvalidSignature) {
  auto signed_record = CreateCheckRecord(Record(), key());
  ASSERT_TRUE(signed_record.ok());
  const std::string& jwt = signed_record->jwt;
  const size_t dot1 = jwt.find('.');
  const size_t dot2 = jwt.find('.', dot1 + 1);
  Json claims = Claims(jwt);
  claims["decision"]["outcome"] = "unrestricted";
  claims["decision"].erase("conditions");
  const std::string tampered = jwt.substr(0, dot1 + 1) + Base64UrlEncode(DumpJson(claims)) + jwt.substr(dot2);
  EXPECT_EQ(CodeOf(VerifyCheckRecord(tampered, key().public_key())), "invalid_signature");
  // Unchanged, it verifies (the test above could fail).
  EXPECT_EQ(CodeOf(VerifyCheckRecord(jwt, key().public_key())), "ok");
  // Another key.
  auto other = crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(CodeOf(VerifyCheckRecord(jwt, other->public_key())), "invalid_signature");
}

TEST_F(CheckRecordTest, WrongTypIsInvalidType) {
  auto signed_record = CreateCheckRecord(Record(), key());
  ASSERT_TRUE(signed_record.ok());
  const Json claims = Claims(signed_record->jwt);
  for (const Json& header :
       {Json{{"typ", "JWT"}}, Json::object(), Json{{"typ", "statuslist+jwt"}}, Json{{"typ", 1}}}) {
    auto jwt = jose::SignJwt(header, claims, key());
    ASSERT_TRUE(jwt.ok());
    EXPECT_EQ(CodeOf(VerifyCheckRecord(*jwt, key().public_key())), "invalid_type") << header.dump();
  }
  auto right = jose::SignJwt(Json{{"typ", "check-record+jwt"}}, claims, key());
  ASSERT_TRUE(right.ok());
  EXPECT_EQ(CodeOf(VerifyCheckRecord(*right, key().public_key())), "ok");
}

TEST_F(CheckRecordTest, SignedButInconsistentClaimsAreInvalidClaims) {
  auto signed_record = CreateCheckRecord(Record(), key());
  ASSERT_TRUE(signed_record.ok());
  const Json claims = Claims(signed_record->jwt);
  auto resign = [&](const Json& c) {
    auto jwt = jose::SignJwt(Json{{"typ", "check-record+jwt"}}, c, key());
    EXPECT_TRUE(jwt.ok());
    return VerifyCheckRecord(jwt.ok() ? *jwt : "", key().public_key());
  };
  std::vector<std::pair<std::string, Json>> variants;
  auto with = [&](const std::string& name, auto edit) {
    Json c = claims;
    edit(c);
    variants.emplace_back(name, c);
  };
  with("iat differs", [](Json& c) { c["iat"] = c["checked_at"].get<int64_t>() + 1; });
  with("retain_until moved earlier", [](Json& c) { c["retain_until"] = "2026-01-15"; });
  with("retention rule changed", [](Json& c) { c["retention_rule"] = "no_statutory_period"; });
  with("retain_until missing", [](Json& c) { c.erase("retain_until"); });
  with("decision of another check", [](Json& c) { c["decision"]["check"] = "right_to_rent"; });
  with("decision missing", [](Json& c) { c.erase("decision"); });
  with("decision reasons ill-typed", [](Json& c) { c["decision"]["reasons"] = "none"; });
  with("checker name missing", [](Json& c) { c["checker"].erase("name"); });
  with("iss differs", [](Json& c) { c["iss"] = "x509_san_dns:other.example"; });
  with("session id empty", [](Json& c) { c["session_id"] = ""; });
  with("credential issuer missing", [](Json& c) { c["credential"].erase("issuer"); });
  with("status age negative", [](Json& c) { c["status_age_seconds"] = -1; });
  with("status age string", [](Json& c) { c["status_age_seconds"] = "1800"; });
  with("checked_at string", [](Json& c) { c["checked_at"] = "2026-01-15"; });
  for (const auto& [name, c] : variants) {
    EXPECT_EQ(CodeOf(resign(c)), "invalid_claims") << name;
  }
  EXPECT_EQ(CodeOf(resign(claims)), "ok");
}

TEST_F(CheckRecordTest, NotAJwsIsMalformed) {
  EXPECT_EQ(CodeOf(VerifyCheckRecord("", key().public_key())), "malformed");
  EXPECT_EQ(CodeOf(VerifyCheckRecord("a.b", key().public_key())), "malformed");
  // A signed payload that is not a JSON object.
  auto jws = jose::SignJws(Json{{"typ", "check-record+jwt"}}, AsBytes("[1,2]"), key());
  ASSERT_TRUE(jws.ok());
  EXPECT_EQ(CodeOf(VerifyCheckRecord(*jws, key().public_key())), "malformed");
}

TEST_F(CheckRecordTest, OnlyEs256) {
  auto es384 = crypto::PrivateKey::Generate(crypto::SignatureAlg::kES384);
  ASSERT_TRUE(es384.ok());
  EXPECT_EQ(CodeOf(CreateCheckRecord(Record(), *es384)), "invalid_key");
  auto signed_record = CreateCheckRecord(Record(), key());
  ASSERT_TRUE(signed_record.ok());
  EXPECT_EQ(CodeOf(VerifyCheckRecord(signed_record->jwt, es384->public_key())), "invalid_key");
}

TEST_F(CheckRecordTest, CreateRefusesIncompleteRecords) {
  std::vector<std::pair<std::string, CheckRecord>> bad;
  auto with = [&](const std::string& name, auto edit) {
    CheckRecord r = Record();
    edit(r);
    bad.emplace_back(name, r);
  };
  with("no client_id", [](CheckRecord& r) { r.checker_client_id.clear(); });
  with("no name", [](CheckRecord& r) { r.checker_name.clear(); });
  with("no session", [](CheckRecord& r) { r.session_id.clear(); });
  with("no issuer", [](CheckRecord& r) { r.issuer.clear(); });
  with("no check", [](CheckRecord& r) { r.check.clear(); });
  with("decision of another check", [](CheckRecord& r) { r.decision.check = "right_to_rent"; });
  with("negative time", [](CheckRecord& r) { r.checked_at = -1; });
  with("negative status age", [](CheckRecord& r) { r.status_age_seconds = -1; });
  with("unknown format", [](CheckRecord& r) { r.credential_type.format = "ldp_vc"; });
  for (const auto& [name, r] : bad) {
    EXPECT_EQ(CodeOf(CreateCheckRecord(r, key())), "invalid_argument") << name;
  }
  CheckRecord unknown = Record();
  unknown.check = "right_to_vote";
  unknown.decision.check = "right_to_vote";
  EXPECT_EQ(CodeOf(CreateCheckRecord(unknown, key())), "not_found");
  // Boundary: a zero status age (fresh status data) and checked_at 0 are fine.
  CheckRecord fresh = Record();
  fresh.status_age_seconds = 0;
  fresh.checked_at = 0;
  EXPECT_EQ(CodeOf(CreateCheckRecord(fresh, key())), "ok");
}

TEST(RetentionTest, RulesPerCheck) {
  auto work = RetentionFor("right_to_work", At("2026-01-15", 12 * 3600));
  ASSERT_TRUE(work.ok());
  EXPECT_EQ(*work, (Retention{"end_of_employment_plus_2_years", "2028-01-15"}));
  auto rent = RetentionFor("right_to_rent", At("2026-01-15"));
  ASSERT_TRUE(rent.ok());
  EXPECT_EQ(*rent, (Retention{"end_of_tenancy_plus_1_year", "2027-01-15"}));
  for (const char* check : {"age_over_18", "veteran_status", "driving_entitlement", "dbs_basic"}) {
    auto r = RetentionFor(check, At("2026-01-15"));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, (Retention{"no_statutory_period", std::nullopt})) << check;
  }
  EXPECT_EQ(CodeOf(RetentionFor("right_to_vote", At("2026-01-15"))), "not_found");
}

TEST(RetentionTest, DayBoundariesAndLeapDay) {
  // The UTC date of checked_at counts: the last second of a day and the first of the next.
  EXPECT_EQ(RetentionFor("right_to_work", At("2026-01-15", 86399))->retain_until, "2028-01-15");
  EXPECT_EQ(RetentionFor("right_to_work", At("2026-01-16"))->retain_until, "2028-01-16");
  EXPECT_EQ(RetentionFor("right_to_work", At("2024-02-29"))->retain_until, "2026-02-28");
  EXPECT_EQ(RetentionFor("right_to_rent", At("2024-02-29"))->retain_until, "2025-02-28");
  EXPECT_EQ(CodeOf(RetentionFor("right_to_work", At("9998-06-01"))), "invalid_argument");
}

}  // namespace
}  // namespace bonafide::verifier
