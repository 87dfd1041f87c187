// Unit tests for SD-JWT issuance, presentation and verification rules (RFC 9901).
#include <gtest/gtest.h>

#include "base/encoding.h"
#include "common/test_util.h"
#include "crypto/random.h"
#include "jose/jws.h"
#include "sdjwt/sdjwt.h"

namespace bonafide::sdjwt {
namespace {

constexpr int64_t kNow = 1800000000;

class SdJwtTest : public ::testing::Test {
 protected:
  SdJwtTest()
      : issuer_(*crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256)),
        holder_(*crypto::PrivateKey::Generate(crypto::SignatureAlg::kEdDSA)),
        clock_(kNow) {}

  Json Claims() const {
    return Json{{"iss", "https://issuer.example"},
                {"iat", kNow - 10},
                {"exp", kNow + 3600},
                {"cnf", {{"jwk", holder_.public_key().ToJwk()}}},
                {"given_name", "Ada"},
                {"family_name", "Lovelace"},
                {"address", {{"street", "1 High St"}, {"locality", "Cardiff"}}},
                {"nationalities", {"GB", "IE"}}};
  }

  std::string Issue(const Json& claims, std::vector<std::string> paths) {
    IssueOptions options;
    for (const auto& p : paths) options.disclosable.push_back(*ClaimPath::Parse(p));
    auto issued = IssueSdJwt(claims, Json{{"typ", "example+sd-jwt"}}, options, issuer_, random_);
    EXPECT_TRUE(issued.ok()) << issued.status().ToString();
    return issued.ok() ? *issued : "";
  }

  Result<std::string> PresentPaths(const std::string& issued, std::vector<std::string> paths, int64_t iat = kNow,
                                   std::string nonce = "n-1", std::string aud = "https://verifier.example") {
    auto parsed = UnverifiedSdJwt::Parse(issued);
    EXPECT_TRUE(parsed.ok());
    std::vector<ClaimPath> reveal;
    for (const auto& p : paths) reveal.push_back(*ClaimPath::Parse(p));
    return Present(*parsed, reveal, KeyBindingRequest{&holder_, aud, nonce, iat});
  }

  VerifyOptions Options() {
    VerifyOptions o(clock_);
    o.ExpectKeyBinding("n-1", "https://verifier.example");
    return o;
  }

  Result<VerifiedSdJwt> Verify(const std::string& text, const VerifyOptions& options) {
    auto parsed = UnverifiedSdJwt::Parse(text);
    if (!parsed.ok()) return parsed.status();
    return VerifySdJwt(*parsed, issuer_.public_key(), options);
  }

  // Signs an arbitrary payload and appends the given disclosures (for crafted bad inputs).
  std::string Craft(const Json& payload, const std::vector<std::string>& disclosures, const Json& header = Json::object()) {
    auto jwt = jose::SignJwt(header, payload, issuer_);
    EXPECT_TRUE(jwt.ok());
    std::string out = *jwt + "~";
    for (const auto& d : disclosures) out += d + "~";
    return out;
  }

  static std::string RawDisclosure(const Json& array) { return Base64UrlEncode(DumpJson(array)); }
  static std::string DigestOf(const std::string& d) {
    return Base64UrlEncode(crypto::Sha256(AsBytes(d)));
  }
  Json BasePayload() const {
    return Json{{"iss", "https://issuer.example"}, {"iat", kNow - 10}, {"exp", kNow + 3600}};
  }

  crypto::PrivateKey issuer_;
  crypto::PrivateKey holder_;
  FixedClock clock_;
  testing::CountingRandom random_;
};

TEST_F(SdJwtTest, RoundTripRevealsOnlyChosenClaims) {
  std::string issued = Issue(Claims(), {"given_name", "family_name", "address", "address.locality", "nationalities.1"});
  auto presented = PresentPaths(issued, {"given_name", "nationalities.1"});
  ASSERT_TRUE(presented.ok()) << presented.status().ToString();
  auto verified = Verify(*presented, Options());
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(verified->claims()["given_name"], "Ada");
  EXPECT_FALSE(verified->claims().contains("family_name"));
  EXPECT_FALSE(verified->claims().contains("address"));
  EXPECT_EQ(verified->claims()["nationalities"], Json({"GB", "IE"}));  // index 0 was never disclosable
  EXPECT_TRUE(verified->key_bound());
}

TEST_F(SdJwtTest, NestedPathBringsItsParent) {
  std::string issued = Issue(Claims(), {"address", "address.locality", "address.street"});
  auto presented = PresentPaths(issued, {"address.locality"});
  ASSERT_TRUE(presented.ok());
  auto verified = Verify(*presented, Options());
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(verified->claims()["address"], Json({{"locality", "Cardiff"}}));
}

// Top-level paths are looked up by name, also when one is written as a number: path "0" makes the
// member named "0" disclosable, and two paths naming one member make one disclosure.
TEST_F(SdJwtTest, TopLevelPathsByNameAndByNumber) {
  Json claims = Claims();
  claims["0"] = "zero";
  std::string issued = Issue(claims, {"0", "given_name", "given_name", "address.locality"});
  auto parsed = UnverifiedSdJwt::Parse(issued);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->disclosures().size(), 3u);  // "0", given_name, address.locality
  auto hidden = PresentPaths(issued, {});
  ASSERT_TRUE(hidden.ok());
  auto none = Verify(*hidden, Options());
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_FALSE(none->claims().contains("0"));
  EXPECT_FALSE(none->claims().contains("given_name"));
  EXPECT_EQ(none->claims()["family_name"], "Lovelace");
  auto shown = PresentPaths(issued, {"0", "given_name"});
  ASSERT_TRUE(shown.ok());
  auto both = Verify(*shown, Options());
  ASSERT_TRUE(both.ok()) << both.status().ToString();
  EXPECT_EQ(both->claims()["0"], "zero");
  EXPECT_EQ(both->claims()["given_name"], "Ada");
}

TEST_F(SdJwtTest, ParentPathBringsItsSubtree) {
  std::string issued = Issue(Claims(), {"address", "address.locality", "address.street"});
  auto presented = PresentPaths(issued, {"address"});
  ASSERT_TRUE(presented.ok());
  auto verified = Verify(*presented, Options());
  ASSERT_TRUE(verified.ok());
  EXPECT_EQ(verified->claims()["address"], Claims()["address"]);
}

TEST_F(SdJwtTest, IssuanceUsesLongSaltsSortedDigestsAndDecoys) {
  IssueOptions options;
  options.all_disclosable = true;
  options.max_decoys = 3;
  auto issued = IssueSdJwt(Claims(), Json::object(), options, issuer_, crypto::SystemRandom());
  ASSERT_TRUE(issued.ok());
  auto parsed = UnverifiedSdJwt::Parse(*issued);
  ASSERT_TRUE(parsed.ok());
  size_t with_names = 0;
  for (const auto& d : parsed->disclosures()) {
    auto disclosure = ParseDisclosure(d, crypto::HashAlg::kSha256);
    ASSERT_TRUE(disclosure.ok());
    auto salt = Base64UrlDecode(disclosure->salt);
    ASSERT_TRUE(salt.ok());
    EXPECT_GE(salt->size(), 16u);  // >= 128 bits
    if (disclosure->name) ++with_names;
  }
  auto jws = jose::UnverifiedJws::Parse(parsed->issuer_jwt());
  Json payload = Json::parse(ToString(jws->unverified_payload()));
  // iss, exp, cnf stay visible; iat and the person's claims are hidden.
  EXPECT_TRUE(payload.contains("iss"));
  EXPECT_TRUE(payload.contains("exp"));
  EXPECT_TRUE(payload.contains("cnf"));
  EXPECT_FALSE(payload.contains("given_name"));
  EXPECT_EQ(payload["_sd_alg"], "sha-256");
  const Json& sd = payload["_sd"];
  EXPECT_TRUE(std::is_sorted(sd.begin(), sd.end()));
  EXPECT_GE(sd.size(), 5u);  // iat, given_name, family_name, address, nationalities (+ decoys)
  EXPECT_GT(with_names, 0u);
}

TEST_F(SdJwtTest, IssueRejectsBadPaths) {
  IssueOptions options;
  options.disclosable = {*ClaimPath::Parse("no_such_claim")};
  EXPECT_EQ(IssueSdJwt(Claims(), Json::object(), options, issuer_, random_).status().code(), StatusCode::kInvalidArgument);
  options.disclosable = {*ClaimPath::Parse("cnf")};
  EXPECT_EQ(IssueSdJwt(Claims(), Json::object(), options, issuer_, random_).status().code(), StatusCode::kInvalidArgument);
  Json reserved = Claims();
  reserved["_sd"] = Json::array();
  options.disclosable = {};
  EXPECT_EQ(IssueSdJwt(reserved, Json::object(), options, issuer_, random_).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(SdJwtTest, PresentRejectsUnknownPathAndWrongHolder) {
  std::string issued = Issue(Claims(), {"given_name"});
  EXPECT_EQ(PresentPaths(issued, {"shoe_size"}).status().code(), StatusCode::kNotFound);
  // A plainly visible claim needs no disclosure and is not an error.
  EXPECT_TRUE(PresentPaths(issued, {"family_name"}).ok());
  auto parsed = UnverifiedSdJwt::Parse(issued);
  auto other = *crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256);
  EXPECT_EQ(Present(*parsed, {}, KeyBindingRequest{&other, "a", "n", kNow}).status().code(), StatusCode::kInvalidKey);
}

TEST_F(SdJwtTest, ParseRejectsStructure) {
  EXPECT_EQ(UnverifiedSdJwt::Parse("abc.def.ghi").status().code(), StatusCode::kMalformed);
  EXPECT_EQ(UnverifiedSdJwt::Parse("abc.def.ghi~~").status().code(), StatusCode::kMalformed);
  EXPECT_EQ(UnverifiedSdJwt::Parse("~abc~").status().code(), StatusCode::kMalformed);
  EXPECT_TRUE(UnverifiedSdJwt::Parse("abc.def.ghi~").ok());
}

TEST_F(SdJwtTest, KeyBindingMandatoryWhenCnf) {
  std::string issued = Issue(Claims(), {"given_name"});
  EXPECT_EQ(Verify(issued, Options()).status().code(), StatusCode::kMissingKeyBinding);
  // Without cnf and without KB it verifies, unless the verifier requires KB.
  Json no_cnf = Claims();
  no_cnf.erase("cnf");
  std::string plain = Issue(no_cnf, {"given_name"});
  EXPECT_TRUE(Verify(plain, Options()).ok());
  VerifyOptions strict = Options();
  strict.RequireKeyBinding();
  EXPECT_EQ(Verify(plain, strict).status().code(), StatusCode::kMissingKeyBinding);
}

TEST_F(SdJwtTest, KeyBindingChecks) {
  std::string issued = Issue(Claims(), {"given_name"});
  // Nonce and audience.
  auto p = PresentPaths(issued, {"given_name"}, kNow, "other-nonce");
  EXPECT_EQ(Verify(*p, Options()).status().code(), StatusCode::kNonceMismatch);
  p = PresentPaths(issued, {"given_name"}, kNow, "n-1", "https://elsewhere.example");
  EXPECT_EQ(Verify(*p, Options()).status().code(), StatusCode::kAudienceMismatch);
  // Freshness boundary: max age 300 + skew 60.
  p = PresentPaths(issued, {"given_name"}, kNow - 360);
  EXPECT_TRUE(Verify(*p, Options()).ok());
  p = PresentPaths(issued, {"given_name"}, kNow - 361);
  EXPECT_EQ(Verify(*p, Options()).status().code(), StatusCode::kStaleKeyBinding);
  p = PresentPaths(issued, {"given_name"}, kNow + 60);
  EXPECT_TRUE(Verify(*p, Options()).ok());
  p = PresentPaths(issued, {"given_name"}, kNow + 61);
  EXPECT_EQ(Verify(*p, Options()).status().code(), StatusCode::kNotYetValid);
  // A verifier that forgot to set nonce/audience is refused rather than skipping the checks.
  p = PresentPaths(issued, {"given_name"});
  VerifyOptions incomplete(clock_);
  EXPECT_EQ(Verify(*p, incomplete).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(SdJwtTest, KeyBindingTypAndSignerAndHash) {
  std::string issued = Issue(Claims(), {"given_name"});
  auto parsed = UnverifiedSdJwt::Parse(issued);
  std::string prefix = parsed->SdHashInput();
  Json kb = {{"iat", kNow}, {"aud", "https://verifier.example"}, {"nonce", "n-1"},
             {"sd_hash", Base64UrlEncode(crypto::Sha256(AsBytes(prefix)))}};
  // Wrong typ.
  auto wrong_typ = jose::SignJwt(Json{{"typ", "JWT"}}, kb, holder_);
  EXPECT_EQ(Verify(prefix + *wrong_typ, Options()).status().code(), StatusCode::kInvalidType);
  // Signed by someone else (same alg).
  auto stranger = *crypto::PrivateKey::Generate(crypto::SignatureAlg::kEdDSA);
  auto foreign = jose::SignJwt(Json{{"typ", "kb+jwt"}}, kb, stranger);
  EXPECT_EQ(Verify(prefix + *foreign, Options()).status().code(), StatusCode::kInvalidSignature);
  // sd_hash over something else.
  Json bad_hash = kb;
  bad_hash["sd_hash"] = Base64UrlEncode(crypto::Sha256(AsBytes("x")));
  auto wrong = jose::SignJwt(Json{{"typ", "kb+jwt"}}, bad_hash, holder_);
  EXPECT_EQ(Verify(prefix + *wrong, Options()).status().code(), StatusCode::kDigestMismatch);
  // The correct one passes (control).
  auto good = jose::SignJwt(Json{{"typ", "kb+jwt"}}, kb, holder_);
  EXPECT_TRUE(Verify(prefix + *good, Options()).ok());
  // KB-JWT on a credential without cnf.
  Json no_cnf = Claims();
  no_cnf.erase("cnf");
  auto unbound = UnverifiedSdJwt::Parse(Issue(no_cnf, {}));
  EXPECT_EQ(Verify(unbound->SdHashInput() + *good, Options()).status().code(), StatusCode::kMalformed);
}

TEST_F(SdJwtTest, ValidityWindow) {
  Json c = Claims();
  c.erase("cnf");
  c["exp"] = kNow - 61;
  EXPECT_EQ(Verify(Issue(c, {}), Options()).status().code(), StatusCode::kExpired);
  c["exp"] = kNow - 59;  // within skew
  EXPECT_TRUE(Verify(Issue(c, {}), Options()).ok());
  c["exp"] = kNow + 100;
  c["nbf"] = kNow + 61;
  EXPECT_EQ(Verify(Issue(c, {}), Options()).status().code(), StatusCode::kNotYetValid);
  c.erase("nbf");
  c.erase("exp");
  EXPECT_EQ(Verify(Issue(c, {}), Options()).status().code(), StatusCode::kInvalidClaims);
  VerifyOptions relaxed = Options();
  relaxed.AllowMissingExpiry();
  EXPECT_TRUE(Verify(Issue(c, {}), relaxed).ok());
}

TEST_F(SdJwtTest, TypEnforcement) {
  Json c = Claims();
  c.erase("cnf");
  VerifyOptions o = Options();
  o.ExpectTyp({"dc+sd-jwt"});
  EXPECT_EQ(Verify(Issue(c, {}), o).status().code(), StatusCode::kInvalidType);
  o.ExpectTyp({"example+sd-jwt"});
  EXPECT_TRUE(Verify(Issue(c, {}), o).ok());
}

TEST_F(SdJwtTest, StatusMustBeChecked) {
  Json c = Claims();
  c.erase("cnf");
  c["status"] = {{"status_list", {{"idx", 7}, {"uri", "https://issuer.example/status/1"}}}};
  std::string issued = Issue(c, {});
  EXPECT_EQ(Verify(issued, Options()).status().code(), StatusCode::kStatusUnavailable);
  VerifyOptions o = Options();
  Json seen;
  o.CheckStatus([&seen](const Json& s) { seen = s; return Error(StatusCode::kRevoked, "idx 7 revoked"); });
  EXPECT_EQ(Verify(issued, o).status().code(), StatusCode::kRevoked);
  EXPECT_EQ(seen, c["status"]);
  o.CheckStatus([](const Json&) { return OkStatus(); });
  EXPECT_TRUE(Verify(issued, o).ok());
}

TEST_F(SdJwtTest, RejectsReservedNamesInDisclosures) {
  for (const char* name : {"_sd", "...", "_sd_alg"}) {
    std::string d = RawDisclosure(Json::array({"c2FsdHNhbHRzYWx0c2FsdA", name, "x"}));
    Json payload = BasePayload();
    payload["_sd"] = {DigestOf(d)};
    EXPECT_EQ(Verify(Craft(payload, {d}), Options()).status().code(), StatusCode::kReservedClaimName) << name;
  }
}

TEST_F(SdJwtTest, RejectsDigestReuse) {
  std::string d = RawDisclosure(Json::array({"c2FsdHNhbHRzYWx0c2FsdA", "given_name", "Ada"}));
  Json payload = BasePayload();
  payload["_sd"] = {DigestOf(d), DigestOf(d)};
  EXPECT_EQ(Verify(Craft(payload, {d}), Options()).status().code(), StatusCode::kDuplicateDisclosure);
  // The same digest in two different places.
  payload = BasePayload();
  payload["_sd"] = {DigestOf(d)};
  payload["address"] = {{"_sd", {DigestOf(d)}}};
  EXPECT_EQ(Verify(Craft(payload, {d}), Options()).status().code(), StatusCode::kDuplicateDisclosure);
  // A decoy digest repeated (no disclosure involved) is also a duplicate.
  payload = BasePayload();
  payload["_sd"] = {DigestOf("decoy"), DigestOf("decoy")};
  EXPECT_EQ(Verify(Craft(payload, {}), Options()).status().code(), StatusCode::kDuplicateDisclosure);
}

TEST_F(SdJwtTest, RejectsStructuralMisuse) {
  std::string named = RawDisclosure(Json::array({"c2FsdHNhbHRzYWx0c2FsdA", "given_name", "Ada"}));
  std::string element = RawDisclosure(Json::array({"c2FsdHNhbHRzYWx0c2FsdA", "GB"}));
  // A claim disclosed that is already in the clear.
  Json payload = BasePayload();
  payload["given_name"] = "Eve";
  payload["_sd"] = {DigestOf(named)};
  EXPECT_EQ(Verify(Craft(payload, {named}), Options()).status().code(), StatusCode::kMalformed);
  // Array-element disclosure referenced from an object, and the reverse.
  payload = BasePayload();
  payload["_sd"] = {DigestOf(element)};
  EXPECT_EQ(Verify(Craft(payload, {element}), Options()).status().code(), StatusCode::kMalformed);
  payload = BasePayload();
  payload["list"] = {{{"...", DigestOf(named)}}};
  EXPECT_EQ(Verify(Craft(payload, {named}), Options()).status().code(), StatusCode::kMalformed);
  // _sd that is not an array; digests that are not strings.
  payload = BasePayload();
  payload["_sd"] = "nope";
  EXPECT_EQ(Verify(Craft(payload, {}), Options()).status().code(), StatusCode::kMalformed);
  payload["_sd"] = {42};
  EXPECT_EQ(Verify(Craft(payload, {}), Options()).status().code(), StatusCode::kMalformed);
  // Disclosure that is not a 2/3-element array of strings.
  std::string four = RawDisclosure(Json::array({"s", "a", "b", "c"}));
  EXPECT_EQ(Verify(Craft(BasePayload(), {four}), Options()).status().code(), StatusCode::kMalformed);
  std::string numeric_salt = RawDisclosure(Json::array({1, "a", "b"}));
  EXPECT_EQ(Verify(Craft(BasePayload(), {numeric_salt}), Options()).status().code(), StatusCode::kMalformed);
  // Unknown hash algorithm.
  payload = BasePayload();
  payload["_sd_alg"] = "md5";
  EXPECT_EQ(Verify(Craft(payload, {}), Options()).status().code(), StatusCode::kUnsupportedAlgorithm);
  // A valid disclosure nobody references.
  EXPECT_EQ(Verify(Craft(BasePayload(), {named}), Options()).status().code(), StatusCode::kUnreferencedDisclosure);
}

TEST_F(SdJwtTest, RejectsAlgNoneAndWrongKey) {
  Json payload = BasePayload();
  std::string body = Base64UrlEncode(DumpJson(payload));
  std::string none = Base64UrlEncode(std::string_view(R"({"alg":"none"})")) + "." + body + ".~";
  EXPECT_EQ(Verify(none, Options()).status().code(), StatusCode::kUnsupportedAlgorithm);
  auto other = *crypto::PrivateKey::Generate(crypto::SignatureAlg::kES384);
  auto parsed = UnverifiedSdJwt::Parse(Craft(payload, {}));
  EXPECT_EQ(VerifySdJwt(*parsed, other.public_key(), Options()).status().code(), StatusCode::kAlgorithmMismatch);
}

TEST_F(SdJwtTest, BoundsTheNumberOfDisclosures) {
  Json payload = BasePayload();
  std::vector<std::string> ds;
  payload["_sd"] = Json::array();
  for (int i = 0; i < 5; ++i) {
    ds.push_back(RawDisclosure(Json::array({"c2FsdHNhbHRzYWx0c2FsdA", "c" + std::to_string(i), i})));
    payload["_sd"].push_back(DigestOf(ds.back()));
  }
  VerifyOptions o = Options();
  o.MaxDisclosures(5);
  EXPECT_TRUE(Verify(Craft(payload, ds), o).ok());
  o.MaxDisclosures(4);
  EXPECT_EQ(Verify(Craft(payload, ds), o).status().code(), StatusCode::kLimitExceeded);
}

TEST(ClaimPathTest, ParsesDottedPaths) {
  auto p = ClaimPath::Parse("nationalities.0");
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p->components().size(), 2u);
  EXPECT_EQ(std::get<size_t>(p->components()[1]), 0u);
  EXPECT_EQ(p->ToString(), "nationalities.0");
  EXPECT_EQ(ClaimPath::Parse("").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ClaimPath::Parse("a..b").status().code(), StatusCode::kInvalidArgument);
  auto list = ClaimPath::ParseList("a, b.c ,d");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->size(), 3u);
}

}  // namespace
}  // namespace bonafide::sdjwt

namespace bonafide::sdjwt {
namespace {

// Regression (found by fuzz_sdjwt): a JSON-serialized SD-JWT whose members contain '~' parsed,
// and its compact form then split into different parts.
TEST(SdJwtJsonSerializationTest, RejectsMembersOutsideTheBase64UrlAlphabet) {
  const std::string good_sig = "c2ln";
  auto parse = [](const Json& j) { return UnverifiedSdJwt::ParseJsonSerialization(j.dump()).status().code(); };
  Json base = {{"protected", "eyJhbGciOiJFUzI1NiJ9"}, {"payload", "e30"}, {"signature", good_sig},
               {"header", {{"disclosures", {"WyJzIiwiYSIsMV0"}}}}};
  EXPECT_EQ(parse(base), StatusCode::kOk);
  for (const char* member : {"protected", "payload", "signature"}) {
    Json bad = base;
    bad[member] = bad[member].get<std::string>() + "~x";
    EXPECT_EQ(parse(bad), StatusCode::kMalformed) << member;
  }
  Json bad = base;
  bad["header"]["disclosures"] = {"WyJzIiwiYSIsMV0~"};
  EXPECT_EQ(parse(bad), StatusCode::kMalformed);
  bad = base;
  bad["header"]["kb_jwt"] = "a.b~c";
  EXPECT_EQ(parse(bad), StatusCode::kMalformed);
}

}  // namespace
}  // namespace bonafide::sdjwt
