// Tests of Status List Tokens in JWT format, status references and CheckStatus
// (status/status_list_token.h).
#include "status/status_list_token.h"

#include <gtest/gtest.h>

#include <string>

#include "base/clock.h"
#include "base/encoding.h"
#include "jose/jws.h"
#include "test_util.h"

namespace bonafide::status {
namespace {

using testing::CompressedZeros;
using testing::LoadVectorJson;

constexpr char kListUri[] = "https://example.com/statuslists/1";
constexpr int64_t kVectorIat = 1686920170;
constexpr int64_t kVectorExp = 2291720170;
constexpr int64_t kNow = 1700000000;  // between the vector token's iat and exp

class StatusListTokenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const Json keys = LoadVectorJson("status-list/keys.json");
    auto priv = crypto::PrivateKey::FromJwk(keys["status_list_issuer_key"]);
    ASSERT_TRUE(priv.ok()) << priv.status().ToString();
    key_.emplace(*priv);
    const Json tokens = LoadVectorJson("status-list/tokens.json");
    vector_jwt_ = tokens["status_list_token_jwt"]["value"].get<std::string>();
    referenced_status_ = tokens["referenced_token_sd_jwt"]["status"];
  }

  StatusListTokenVerifier Verifier() const {
    StatusListTokenVerifier v(key_->public_key(), clock_);
    v.ExpectSubject(kListUri);
    return v;
  }

  // SignClaims signs arbitrary claims with the vector key, as an issuer (or attacker holding it) would.
  std::string SignClaims(const Json& claims, std::string_view typ = kStatusListJwtType) const {
    Json header = Json::object();
    if (!typ.empty()) header["typ"] = std::string(typ);
    auto jwt = jose::SignJwt(header, claims, *key_);
    EXPECT_TRUE(jwt.ok());
    return jwt.ok() ? *jwt : std::string();
  }

  Json GoodClaims() const {
    Json c = Json::object();
    c["sub"] = kListUri;
    c["iat"] = kNow - 100;
    c["exp"] = kNow + 3600;
    c["ttl"] = 300;
    c["status_list"] = Json::parse(R"({"bits":1,"lst":"eNrbuRgAAhcBXQ"})");
    return c;
  }

  std::optional<crypto::PrivateKey> key_;
  FixedClock clock_{kNow};
  std::string vector_jwt_;
  Json referenced_status_;
};

TEST_F(StatusListTokenTest, VectorTokenVerifies) {
  auto token = Verifier().Verify(vector_jwt_);
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  EXPECT_EQ(token->sub(), kListUri);
  EXPECT_EQ(token->iat(), kVectorIat);
  EXPECT_EQ(token->exp(), kVectorExp);
  EXPECT_EQ(token->ttl(), 43200);
  EXPECT_EQ(token->iss(), "https://example.com");
  EXPECT_FALSE(token->aggregation_uri().has_value());
  EXPECT_EQ(token->status_list().bits(), 1);
  EXPECT_EQ(*token->status_list().Get(0), StatusType::kInvalid);
  EXPECT_EQ(*token->status_list().Get(1), StatusType::kValid);
  EXPECT_EQ(CheckStatus(token->status_list(), 0).code(), StatusCode::kRevoked);
  EXPECT_TRUE(CheckStatus(token->status_list(), 1).ok());
}

TEST_F(StatusListTokenTest, ReferencedTokenLookup) {
  auto ref = StatusReference::FromStatusClaim(referenced_status_);
  ASSERT_TRUE(ref.ok()) << ref.status().ToString();
  EXPECT_EQ(ref->idx, 0u);
  EXPECT_EQ(ref->uri, kListUri);
  StatusListTokenVerifier verifier(key_->public_key(), clock_);
  verifier.ExpectSubject(ref->uri);
  auto token = verifier.Verify(vector_jwt_);
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(CheckStatus(token->status_list(), ref->idx).code(), StatusCode::kRevoked);
}

TEST_F(StatusListTokenTest, BadSignature) {
  const size_t dot = vector_jwt_.rfind('.');
  Bytes sig = *Base64UrlDecode(std::string_view(vector_jwt_).substr(dot + 1));
  sig[10] ^= 0x01;
  const std::string tampered = vector_jwt_.substr(0, dot + 1) + Base64UrlEncode(sig);
  EXPECT_EQ(Verifier().Verify(tampered).status().code(), StatusCode::kInvalidSignature);

  // A payload byte changed (sub ...1 -> ...2) under the original signature.
  const size_t dot1 = vector_jwt_.find('.');
  std::string payload = ToString(*Base64UrlDecode(std::string_view(vector_jwt_).substr(dot1 + 1, dot - dot1 - 1)));
  payload.replace(payload.find("statuslists/1"), 13, "statuslists/2");
  const std::string swapped = vector_jwt_.substr(0, dot1 + 1) + Base64UrlEncode(payload) + vector_jwt_.substr(dot);
  EXPECT_EQ(Verifier().Verify(swapped).status().code(), StatusCode::kInvalidSignature);

  auto other = crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256);
  ASSERT_TRUE(other.ok());
  StatusListTokenVerifier wrong_key(other->public_key(), clock_);
  wrong_key.ExpectSubject(kListUri);
  EXPECT_EQ(wrong_key.Verify(vector_jwt_).status().code(), StatusCode::kInvalidSignature);

  auto ed = crypto::PrivateKey::Generate(crypto::SignatureAlg::kEdDSA);
  ASSERT_TRUE(ed.ok());
  StatusListTokenVerifier wrong_alg(ed->public_key(), clock_);
  wrong_alg.ExpectSubject(kListUri);
  EXPECT_EQ(wrong_alg.Verify(vector_jwt_).status().code(), StatusCode::kAlgorithmMismatch);

  EXPECT_EQ(Verifier().Verify("not.a.jwt").status().code(), StatusCode::kMalformed);
}

TEST_F(StatusListTokenTest, Type) {
  EXPECT_TRUE(Verifier().Verify(SignClaims(GoodClaims())).ok());
  EXPECT_TRUE(Verifier().Verify(SignClaims(GoodClaims(), "application/statuslist+jwt")).ok());
  EXPECT_TRUE(Verifier().Verify(SignClaims(GoodClaims(), "StatusList+JWT")).ok());
  EXPECT_EQ(Verifier().Verify(SignClaims(GoodClaims(), "JWT")).status().code(), StatusCode::kInvalidType);
  EXPECT_EQ(Verifier().Verify(SignClaims(GoodClaims(), "statuslist+cwt")).status().code(), StatusCode::kInvalidType);
  EXPECT_EQ(Verifier().Verify(SignClaims(GoodClaims(), "statuslist+jwt2")).status().code(), StatusCode::kInvalidType);
  EXPECT_EQ(Verifier().Verify(SignClaims(GoodClaims(), "application/")).status().code(), StatusCode::kInvalidType);
  EXPECT_EQ(Verifier().Verify(SignClaims(GoodClaims(), "")).status().code(), StatusCode::kInvalidType);
}

TEST_F(StatusListTokenTest, Subject) {
  StatusListTokenVerifier other(key_->public_key(), clock_);
  other.ExpectSubject("https://example.com/statuslists/2");
  EXPECT_EQ(other.Verify(vector_jwt_).status().code(), StatusCode::kStatusUnavailable);
  other.ExpectSubject(std::string(kListUri) + "/");
  EXPECT_EQ(other.Verify(vector_jwt_).status().code(), StatusCode::kStatusUnavailable);

  StatusListTokenVerifier unconfigured(key_->public_key(), clock_);
  EXPECT_EQ(unconfigured.Verify(vector_jwt_).status().code(), StatusCode::kInvalidArgument);
  unconfigured.AllowAnySubject();
  EXPECT_TRUE(unconfigured.Verify(vector_jwt_).ok());

  Json no_sub = GoodClaims();
  no_sub.erase("sub");
  EXPECT_EQ(unconfigured.Verify(SignClaims(no_sub)).status().code(), StatusCode::kInvalidClaims);
  Json int_sub = GoodClaims();
  int_sub["sub"] = 1;
  EXPECT_EQ(unconfigured.Verify(SignClaims(int_sub)).status().code(), StatusCode::kInvalidClaims);
}

TEST_F(StatusListTokenTest, Expiry) {
  FixedClock clock(kVectorExp);
  StatusListTokenVerifier v(key_->public_key(), clock);
  v.ExpectSubject(kListUri).MaxSkew(0);
  EXPECT_EQ(v.Verify(vector_jwt_).status().code(), StatusCode::kExpired);
  clock.Set(kVectorExp - 1);
  EXPECT_TRUE(v.Verify(vector_jwt_).ok());
  // With the default 60 s skew the token is still accepted 59 s after exp, not 60 s.
  StatusListTokenVerifier skewed(key_->public_key(), clock);
  skewed.ExpectSubject(kListUri);
  clock.Set(kVectorExp + 59);
  EXPECT_TRUE(skewed.Verify(vector_jwt_).ok());
  clock.Set(kVectorExp + 60);
  EXPECT_EQ(skewed.Verify(vector_jwt_).status().code(), StatusCode::kExpired);
}

TEST_F(StatusListTokenTest, IssuedInTheFuture) {
  FixedClock clock(kVectorIat - 1);
  StatusListTokenVerifier v(key_->public_key(), clock);
  v.ExpectSubject(kListUri).MaxSkew(0);
  EXPECT_EQ(v.Verify(vector_jwt_).status().code(), StatusCode::kNotYetValid);
  clock.Set(kVectorIat);
  EXPECT_TRUE(v.Verify(vector_jwt_).ok());
}

TEST_F(StatusListTokenTest, ClaimRules) {
  Json no_exp = GoodClaims();
  no_exp.erase("exp");
  auto ok = Verifier().Verify(SignClaims(no_exp));
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();  // exp is optional for status list tokens
  EXPECT_FALSE(ok->exp().has_value());

  Json no_iat = GoodClaims();
  no_iat.erase("iat");
  EXPECT_EQ(Verifier().Verify(SignClaims(no_iat)).status().code(), StatusCode::kInvalidClaims);
  Json str_exp = GoodClaims();
  str_exp["exp"] = "soon";
  EXPECT_EQ(Verifier().Verify(SignClaims(str_exp)).status().code(), StatusCode::kInvalidClaims);

  Json ttl = GoodClaims();
  ttl["ttl"] = 0;
  EXPECT_EQ(Verifier().Verify(SignClaims(ttl)).status().code(), StatusCode::kInvalidClaims);
  ttl["ttl"] = 1;
  EXPECT_TRUE(Verifier().Verify(SignClaims(ttl)).ok());
  ttl.erase("ttl");
  EXPECT_TRUE(Verifier().Verify(SignClaims(ttl)).ok());

  Json no_list = GoodClaims();
  no_list.erase("status_list");
  EXPECT_EQ(Verifier().Verify(SignClaims(no_list)).status().code(), StatusCode::kInvalidClaims);
  Json bits3 = GoodClaims();
  bits3["status_list"]["bits"] = 3;
  EXPECT_EQ(Verifier().Verify(SignClaims(bits3)).status().code(), StatusCode::kMalformed);
  Json corrupt = GoodClaims();
  corrupt["status_list"]["lst"] = "eNrbuRgAAhcBXg";  // last Adler-32 byte changed
  EXPECT_EQ(Verifier().Verify(SignClaims(corrupt)).status().code(), StatusCode::kMalformed);
}

TEST_F(StatusListTokenTest, BombInsideToken) {
  Json bomb = GoodClaims();
  bomb["status_list"]["lst"] = Base64UrlEncode(CompressedZeros(size_t{100} << 20, false));
  const std::string jwt = SignClaims(bomb);
  EXPECT_EQ(Verifier().Verify(jwt).status().code(), StatusCode::kLimitExceeded);
  StatusListTokenVerifier generous(key_->public_key(), clock_);
  DecodeLimits limits;
  limits.max_decompressed_bytes = size_t{100} << 20;
  generous.ExpectSubject(kListUri).WithLimits(limits);
  EXPECT_TRUE(generous.Verify(jwt).ok());
}

TEST_F(StatusListTokenTest, IssueAndVerifyRoundTrip) {
  auto signer = crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256);
  ASSERT_TRUE(signer.ok());
  auto list = StatusList::Create(2, 1000);
  ASSERT_TRUE(list.ok());
  ASSERT_TRUE(list->Set(3, StatusType::kInvalid).ok());
  ASSERT_TRUE(list->Set(4, StatusType::kSuspended).ok());
  ASSERT_TRUE(list->Set(5, uint8_t{3}).ok());

  StatusListTokenParams params;
  params.sub = "https://issuer.example/status/7";
  params.iat = kNow - 10;
  params.exp = kNow + 86400;
  params.ttl = 3600;
  params.kid = "k1";
  params.aggregation_uri = "https://issuer.example/status";
  auto jwt = IssueStatusListToken(params, *list, *signer);
  ASSERT_TRUE(jwt.ok()) << jwt.status().ToString();

  auto parsed = jose::UnverifiedJws::Parse(*jwt);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString() << " " << *jwt;
  EXPECT_EQ(parsed->typ(), "statuslist+jwt");
  EXPECT_EQ(parsed->unverified_header()["kid"], "k1");
  EXPECT_EQ(parsed->alg(), "ES256");

  StatusListTokenVerifier v(signer->public_key(), clock_);
  v.ExpectSubject(params.sub);
  auto token = v.Verify(*jwt);
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  EXPECT_EQ(token->iat(), params.iat);
  EXPECT_EQ(token->exp(), params.exp);
  EXPECT_EQ(token->ttl(), params.ttl);
  EXPECT_FALSE(token->iss().has_value());
  EXPECT_EQ(token->aggregation_uri(), params.aggregation_uri);
  EXPECT_EQ(token->status_list().bytes(), list->bytes());
  EXPECT_TRUE(CheckStatus(token->status_list(), 2).ok());
  EXPECT_EQ(CheckStatus(token->status_list(), 3).code(), StatusCode::kRevoked);
  EXPECT_EQ(CheckStatus(token->status_list(), 4).code(), StatusCode::kSuspended);
  EXPECT_EQ(CheckStatus(token->status_list(), 5).code(), StatusCode::kRevoked);  // application-specific 3
  EXPECT_EQ(CheckStatus(token->status_list(), 1000).code(), StatusCode::kStatusUnavailable);

  // The EdDSA path too.
  auto ed = crypto::PrivateKey::Generate(crypto::SignatureAlg::kEdDSA);
  ASSERT_TRUE(ed.ok());
  auto ed_jwt = IssueStatusListToken(params, *list, *ed);
  ASSERT_TRUE(ed_jwt.ok());
  StatusListTokenVerifier ved(ed->public_key(), clock_);
  ved.ExpectSubject(params.sub);
  EXPECT_TRUE(ved.Verify(*ed_jwt).ok());
}

TEST_F(StatusListTokenTest, IssueRejectsBadParams) {
  auto list = StatusList::Create(1, 8);
  ASSERT_TRUE(list.ok());
  StatusListTokenParams params;
  params.sub = kListUri;
  params.iat = kNow;
  EXPECT_TRUE(IssueStatusListToken(params, *list, *key_).ok());
  params.ttl = 0;
  EXPECT_EQ(IssueStatusListToken(params, *list, *key_).status().code(), StatusCode::kInvalidArgument);
  params.ttl = 1;
  EXPECT_TRUE(IssueStatusListToken(params, *list, *key_).ok());
  params.exp = kNow;
  EXPECT_EQ(IssueStatusListToken(params, *list, *key_).status().code(), StatusCode::kInvalidArgument);
  params.exp = kNow + 1;
  EXPECT_TRUE(IssueStatusListToken(params, *list, *key_).ok());
  params.sub.clear();
  EXPECT_EQ(IssueStatusListToken(params, *list, *key_).status().code(), StatusCode::kInvalidArgument);
}

// ---- StatusReference ----

TEST(StatusReference, Parse) {
  auto ok = StatusReference::FromJson(Json::parse(R"({"idx": 0, "uri": "https://example.com/s/1"})"));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->idx, 0u);
  auto big = StatusReference::FromJson(Json::parse(R"({"idx": 18446744073709551615, "uri": "u"})"));
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(big->idx, UINT64_MAX);

  for (const char* bad : {R"({"idx": -1, "uri": "https://e/1"})", R"({"idx": 1.5, "uri": "https://e/1"})",
                          R"({"idx": 1.0, "uri": "https://e/1"})", R"({"idx": "0", "uri": "https://e/1"})",
                          R"({"uri": "https://e/1"})", R"({"idx": 0})", R"({"idx": 0, "uri": 5})",
                          R"({"idx": 0, "uri": ""})", R"([0, "https://e/1"])"}) {
    EXPECT_EQ(StatusReference::FromJson(Json::parse(bad)).status().code(), StatusCode::kMalformed) << bad;
  }
}

TEST(StatusReference, FromStatusClaim) {
  EXPECT_TRUE(StatusReference::FromStatusClaim(Json::parse(R"({"status_list": {"idx": 3, "uri": "x:y"}})")).ok());
  EXPECT_EQ(StatusReference::FromStatusClaim(Json::parse(R"({"other": {}})")).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(StatusReference::FromStatusClaim(Json::parse(R"("status")")).status().code(), StatusCode::kMalformed);
  EXPECT_EQ(StatusReference::FromStatusClaim(Json::parse(R"({"status_list": []})")).status().code(),
            StatusCode::kMalformed);
}

// ---- CheckStatus ----

TEST(CheckStatus, MapsEveryValue) {
  auto list = StatusList::Create(8, 300);
  ASSERT_TRUE(list.ok());
  for (unsigned v = 0; v < 256; ++v) ASSERT_TRUE(list->Set(v, static_cast<uint8_t>(v)).ok());
  EXPECT_TRUE(CheckStatus(*list, 0).ok());
  EXPECT_EQ(CheckStatus(*list, 1).code(), StatusCode::kRevoked);
  EXPECT_EQ(CheckStatus(*list, 2).code(), StatusCode::kSuspended);
  for (unsigned v = 3; v < 256; ++v) EXPECT_EQ(CheckStatus(*list, v).code(), StatusCode::kRevoked) << v;
  EXPECT_TRUE(CheckStatus(*list, 299).ok());
  EXPECT_EQ(CheckStatus(*list, 300).code(), StatusCode::kStatusUnavailable);
}

}  // namespace
}  // namespace bonafide::status
