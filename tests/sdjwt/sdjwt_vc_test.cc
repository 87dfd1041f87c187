// Unit tests for the SD-JWT VC layer (draft-ietf-oauth-sd-jwt-vc, sdjwt/sdjwt_vc.h): issuance of
// dc+sd-jwt credentials, issuer-key resolution (pinned key, x5c chain to a configured root, JWT
// VC Issuer Metadata), typ / vct enforcement, and what each kind of tampering is reported as.
// The credential is the GOV.UK digital ID of /work/shared/UK-CREDENTIALS.md.
#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "base/encoding.h"
#include "common/test_util.h"
#include "crypto/hash.h"
#include "crypto/keys.h"
#include "crypto/x509.h"
#include "crypto/x509_builder.h"
#include "jose/jws.h"
#include "sdjwt/sdjwt.h"
#include "sdjwt/sdjwt_vc.h"

namespace bonafide::sdjwt {
namespace {

constexpr int64_t kNow = 1800000000;
constexpr int64_t kDay = 24 * 3600;
constexpr int64_t kYear = 365 * kDay;
constexpr char kIss[] = "https://digital-id.service.gov.uk";
constexpr char kIssHost[] = "digital-id.service.gov.uk";
constexpr char kVct[] = "urn:uk:gov:digital-id:1";
constexpr char kNonce[] = "b7c2f0e4-rtw-check";
constexpr char kAud[] = "https://rtw-checker.example.co.uk";
constexpr char kStatusUri[] = "https://digital-id.service.gov.uk/status/lists/3";
constexpr uint64_t kStatusIdx = 4711;

// The claims the digital ID carries (UK-CREDENTIALS.md, "Digital ID"); every one is disclosable.
const std::vector<std::string>& DigitalIdClaimNames() {
  static const std::vector<std::string> names = {
      "family_name", "given_name",   "birth_date",  "portrait",        "nationality",
      "residency_status", "age_over_16", "age_over_18", "age_over_21", "age_over_25",
      "document_number", "issue_date", "expiry_date", "issuing_authority", "issuing_country"};
  return names;
}

Json DigitalIdClaims() {
  // A tiny stand-in for the JPEG portrait: SOI marker, a JFIF APP0 start, EOI marker.
  const Bytes jpeg = {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00, 0xFF, 0xD9};
  return Json{{"family_name", "Okafor"},
              {"given_name", "Chidi"},
              {"birth_date", "1990-04-12"},
              {"portrait", Base64UrlEncode(jpeg)},
              {"nationality", "GB"},
              {"residency_status", "british_citizen"},
              {"age_over_16", true},
              {"age_over_18", true},
              {"age_over_21", true},
              {"age_over_25", true},
              {"document_number", "GDS-0042-7781"},
              {"issue_date", "2027-01-15"},
              {"expiry_date", "2037-01-14"},
              {"issuing_authority", "Government Digital Service"},
              {"issuing_country", "GB"}};
}

crypto::PrivateKey NewKey(crypto::SignatureAlg alg = crypto::SignatureAlg::kES256) {
  auto key = crypto::PrivateKey::Generate(alg);
  EXPECT_TRUE(key.ok()) << key.status().ToString();
  return *std::move(key);
}

// FlipBit flips the lowest bit of the 6-bit value of the base64url character at `pos` (so one
// bit of the decoded bytes changes, and the text stays base64url).
std::string FlipBit(std::string text, size_t pos) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  EXPECT_LT(pos, text.size());
  size_t v = kAlphabet.find(text[pos]);
  EXPECT_NE(v, std::string_view::npos) << "not a base64url character at " << pos;
  text[pos] = kAlphabet[v ^ 1U];
  return text;
}

// ReplaceHeader swaps the protected header of the issuer JWT in `text` for `header` (the
// signature is left as it was).
std::string ReplaceHeader(const std::string& text, const Json& header) {
  size_t dot = text.find('.');
  return Base64UrlEncode(DumpJson(header)) + text.substr(dot);
}

class SdJwtVcTest : public ::testing::Test {
 protected:
  SdJwtVcTest() : issuer_(NewKey()), holder_(NewKey()), other_(NewKey()), clock_(kNow) {}

  // Request is the digital ID with every subject claim selectively disclosable.
  SdJwtVcIssueRequest Request() const {
    SdJwtVcIssueRequest r;
    r.iss = kIss;
    r.vct = kVct;
    r.claims = DigitalIdClaims();
    r.holder_key = holder_.public_key();
    r.valid_seconds = 10 * kYear;
    r.status = StatusListReference{kStatusIdx, kStatusUri};
    r.disclosure.all_disclosable = true;
    return r;
  }

  std::string Issue(const SdJwtVcIssueRequest& request, const crypto::Signer& signer) {
    auto issued = IssueSdJwtVc(request, signer, clock_, random_);
    EXPECT_TRUE(issued.ok()) << issued.status().ToString();
    return issued.ok() ? *issued : std::string();
  }
  std::string Issue() { return Issue(Request(), issuer_); }

  Status IssueStatus(const SdJwtVcIssueRequest& request) {
    return IssueSdJwtVc(request, issuer_, clock_, random_).status();
  }

  // Craft signs `payload` with `header` through plain IssueSdJwt (nothing disclosable), to build
  // credentials IssueSdJwtVc would refuse to make.
  std::string Craft(const Json& payload, const Json& header, const crypto::Signer& signer) {
    IssueOptions options;
    options.never_disclosable.clear();
    auto issued = IssueSdJwt(payload, header, options, signer, random_);
    EXPECT_TRUE(issued.ok()) << issued.status().ToString();
    return issued.ok() ? *issued : std::string();
  }
  std::string Craft(const Json& payload, const Json& header) { return Craft(payload, header, issuer_); }
  static Json CraftPayload() {
    return Json{{"iss", kIss}, {"iat", kNow}, {"nbf", kNow}, {"exp", kNow + kYear}, {"vct", kVct}, {"given_name", "Chidi"}};
  }

  // PresentKb reveals `reveal` and signs a KB-JWT with the holder key for kNonce / kAud.
  std::string PresentKb(const std::string& issued, const std::vector<std::string>& reveal, int64_t iat = kNow) {
    auto parsed = UnverifiedSdJwt::Parse(issued);
    EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
    if (!parsed.ok()) return std::string();
    std::vector<ClaimPath> paths;
    for (const auto& p : reveal) paths.push_back(*ClaimPath::Parse(p));
    auto presented = Present(*parsed, paths, KeyBindingRequest{&holder_, kAud, kNonce, iat});
    EXPECT_TRUE(presented.ok()) << presented.status().ToString();
    return presented.ok() ? *presented : std::string();
  }

  VerifyOptions Options() const {
    VerifyOptions o(clock_);
    o.ExpectKeyBinding(kNonce, kAud).AllowUncheckedStatus();
    return o;
  }
  SdJwtVcTrust Pinned() const {
    SdJwtVcTrust trust;
    trust.issuer_key = issuer_.public_key();
    return trust;
  }

  static Result<VerifiedSdJwtVc> Verify(const std::string& text, const SdJwtVcTrust& trust, VerifyOptions options,
                                        const std::optional<std::string>& expected_vct = std::nullopt) {
    auto parsed = UnverifiedSdJwt::Parse(text);
    if (!parsed.ok()) return parsed.status();
    return VerifySdJwtVc(*parsed, trust, std::move(options), expected_vct);
  }
  StatusCode VerifyCode(const std::string& text, const SdJwtVcTrust& trust,
                        const std::optional<std::string>& expected_vct = std::nullopt) const {
    return Verify(text, trust, Options(), expected_vct).status().code();
  }

  Result<crypto::PublicKey> Resolve(const std::string& text, const SdJwtVcTrust& trust) const {
    auto parsed = UnverifiedSdJwt::Parse(text);
    if (!parsed.ok()) return parsed.status();
    return ResolveIssuerKey(*parsed, trust, clock_);
  }

  // SignedHeader / SignedPayload decode the issuer JWT as sent: what is in the clear.
  static Json SignedHeader(const std::string& text) {
    auto jws = jose::UnverifiedJws::Parse(text.substr(0, text.find('~')));
    EXPECT_TRUE(jws.ok()) << jws.status().ToString();
    return jws.ok() ? jws->unverified_header() : Json();
  }
  static Json SignedPayload(const std::string& text) {
    auto jws = jose::UnverifiedJws::Parse(text.substr(0, text.find('~')));
    EXPECT_TRUE(jws.ok()) << jws.status().ToString();
    if (!jws.ok()) return Json();
    auto payload = ParseJsonObject(AsStringView(jws->unverified_payload()));
    EXPECT_TRUE(payload.ok());
    return payload.ok() ? *payload : Json();
  }

  static Json Metadata(const std::string& issuer, const std::vector<Json>& keys) {
    return Json{{"issuer", issuer}, {"jwks", {{"keys", keys}}}};
  }
  static Json WithKid(Json jwk, const std::string& kid) {
    jwk["kid"] = kid;
    return jwk;
  }

  crypto::PrivateKey issuer_;
  crypto::PrivateKey holder_;
  crypto::PrivateKey other_;
  FixedClock clock_;
  testing::CountingRandom random_;
};

// ---- Issue + verify round trip ----

TEST_F(SdJwtVcTest, HeaderIsDcSdJwtWithAlgAndKid) {
  auto request = Request();
  request.kid = "gds-2027-01";
  Json header = SignedHeader(Issue(request, issuer_));
  EXPECT_EQ(header, (Json{{"alg", "ES256"}, {"typ", "dc+sd-jwt"}, {"kid", "gds-2027-01"}}));
  // Without a kid none is written.
  EXPECT_FALSE(SignedHeader(Issue()).contains("kid"));
}

TEST_F(SdJwtVcTest, PayloadCarriesRegisteredClaimsInTheClear) {
  std::string issued = Issue();
  Json payload = SignedPayload(issued);
  EXPECT_EQ(payload.at("iss"), kIss);
  EXPECT_EQ(payload.at("vct"), kVct);
  EXPECT_EQ(payload.at("nbf"), kNow);
  EXPECT_EQ(payload.at("exp"), kNow + 10 * kYear);
  // cnf and status are whole: nothing inside them is hidden behind an _sd digest.
  EXPECT_EQ(payload.at("cnf"), (Json{{"jwk", holder_.public_key().ToJwk()}}));
  EXPECT_EQ(payload.at("status"), (Json{{"status_list", {{"idx", kStatusIdx}, {"uri", kStatusUri}}}}));
  EXPECT_EQ(payload.at("_sd_alg"), "sha-256");
  // With all_disclosable, none of the digital ID claims is in the clear.
  for (const auto& name : DigitalIdClaimNames()) EXPECT_FALSE(payload.contains(name)) << name;
  ASSERT_TRUE(payload.contains("_sd"));
  // One disclosure per claim, plus iat (which SD-JWT VC allows to be selectively disclosed).
  auto parsed = UnverifiedSdJwt::Parse(issued);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->disclosures().size(), DigitalIdClaimNames().size() + 1);
  EXPECT_FALSE(parsed->kb_jwt().has_value());
}

TEST_F(SdJwtVcTest, IatNbfExpFollowTheClockAndValidity) {
  auto request = Request();
  request.valid_seconds = 1;  // boundary: the smallest validity accepted
  request.disclosure.all_disclosable = false;
  Json payload = SignedPayload(Issue(request, issuer_));
  EXPECT_EQ(payload.at("iat"), kNow);
  EXPECT_EQ(payload.at("nbf"), kNow);
  EXPECT_EQ(payload.at("exp"), kNow + 1);
  // Nothing disclosable: the claims are all plain and there is no _sd.
  EXPECT_EQ(payload.at("given_name"), "Chidi");
  EXPECT_FALSE(payload.contains("_sd"));
}

TEST_F(SdJwtVcTest, RoundTripRevealsEveryDigitalIdClaim) {
  std::vector<std::string> reveal = DigitalIdClaimNames();
  reveal.push_back("iat");
  auto verified = Verify(PresentKb(Issue(), reveal), Pinned(), Options(), std::string(kVct));
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(verified->vct(), kVct);
  EXPECT_EQ(verified->iss(), kIss);
  EXPECT_TRUE(verified->key_bound());
  EXPECT_EQ(verified->header().at("typ"), "dc+sd-jwt");
  const Json& claims = verified->claims();
  Json expected = DigitalIdClaims();
  for (const auto& [name, value] : expected.items()) EXPECT_EQ(claims.at(name), value) << name;
  EXPECT_EQ(claims.at("iat"), kNow);
  EXPECT_EQ(claims.at("nbf"), kNow);
  EXPECT_EQ(claims.at("exp"), kNow + 10 * kYear);
  EXPECT_EQ(claims.at("cnf").at("jwk"), holder_.public_key().ToJwk());
  EXPECT_EQ(claims.at("status").at("status_list").at("idx"), kStatusIdx);
  EXPECT_EQ(claims.at("status").at("status_list").at("uri"), kStatusUri);
  EXPECT_FALSE(claims.contains("_sd"));
  EXPECT_FALSE(claims.contains("_sd_alg"));
}

TEST_F(SdJwtVcTest, AgeOver18PresentationDisclosesOnlyThatClaim) {
  std::string presented = PresentKb(Issue(), {"age_over_18"});
  auto parsed = UnverifiedSdJwt::Parse(presented);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->disclosures().size(), 1U);
  auto verified = Verify(presented, Pinned(), Options());
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  const Json& claims = verified->claims();
  EXPECT_EQ(claims.at("age_over_18"), true);
  for (const auto& name : DigitalIdClaimNames()) {
    if (name != "age_over_18") {
      EXPECT_FALSE(claims.contains(name)) << name;
    }
  }
  // The registered claims come through whatever was disclosed.
  for (const char* name : {"iss", "vct", "nbf", "exp", "cnf", "status"}) EXPECT_TRUE(claims.contains(name)) << name;
}

TEST_F(SdJwtVcTest, NestedClaimsStayDisclosableButRegisteredOnesDoNot) {
  auto request = Request();
  request.claims["address"] = {{"locality", "Cardiff"}, {"postal_code", "CF10 1AA"}};
  std::string issued = Issue(request, issuer_);
  Json payload = SignedPayload(issued);
  EXPECT_FALSE(payload.contains("address"));
  auto verified = Verify(PresentKb(issued, {"address.locality"}), Pinned(), Options());
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(verified->claims().at("address"), (Json{{"locality", "Cardiff"}}));
}

TEST_F(SdJwtVcTest, RegressionClearedNeverDisclosableKeepsRegisteredClaimsClear) {
  // Regression: IssueSdJwtVc passed the caller's IssueOptions through unchanged, so clearing
  // never_disclosable with all_disclosable hid iss, vct, nbf, exp, cnf and status in
  // disclosures. The SD-JWT VC rule does not depend on the caller leaving the default.
  auto request = Request();
  request.disclosure.never_disclosable.clear();
  std::string issued = Issue(request, issuer_);
  Json payload = SignedPayload(issued);
  for (const char* name : {"iss", "vct", "nbf", "exp", "cnf", "status"}) EXPECT_TRUE(payload.contains(name)) << name;
  EXPECT_EQ(payload.at("cnf"), (Json{{"jwk", holder_.public_key().ToJwk()}}));
  EXPECT_EQ(payload.at("status"), (Json{{"status_list", {{"idx", kStatusIdx}, {"uri", kStatusUri}}}}));
  // Naming one of them as disclosable is refused even then.
  request.disclosure.all_disclosable = false;
  request.disclosure.disclosable = {*ClaimPath::Parse("vct")};
  EXPECT_EQ(IssueStatus(request).code(), StatusCode::kInvalidArgument);
}

TEST_F(SdJwtVcTest, RegisteredClaimsCannotBeMadeDisclosable) {
  for (const char* path : {"iss", "vct", "nbf", "exp", "cnf", "status", "cnf.jwk", "status.status_list"}) {
    auto request = Request();
    request.disclosure.all_disclosable = false;
    request.disclosure.disclosable = {*ClaimPath::Parse(path)};
    EXPECT_EQ(IssueStatus(request).code(), StatusCode::kInvalidArgument) << path;
  }
  // Boundary: an ordinary claim named the same way is fine.
  auto request = Request();
  request.disclosure.all_disclosable = false;
  request.disclosure.disclosable = {*ClaimPath::Parse("given_name")};
  EXPECT_TRUE(IssueStatus(request).ok());
}

TEST_F(SdJwtVcTest, WithoutHolderKeyOrStatusNeitherIsWritten) {
  auto request = Request();
  request.holder_key.reset();
  request.status.reset();
  std::string issued = Issue(request, issuer_);
  Json payload = SignedPayload(issued);
  EXPECT_FALSE(payload.contains("cnf"));
  EXPECT_FALSE(payload.contains("status"));
  // No cnf: no KB-JWT needed, and no status: no status checker needed.
  VerifyOptions options(clock_);
  auto verified = Verify(issued, Pinned(), options);
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_FALSE(verified->key_bound());
  // The issued form carries every disclosure.
  EXPECT_EQ(verified->claims().at("given_name"), "Chidi");
  // Boundary: a credential without cnf still takes a KB-JWT-less presentation of fewer claims.
  EXPECT_EQ(Verify(issued.substr(0, issued.find('~') + 1), Pinned(), options).status().code(), StatusCode::kOk);
}

TEST_F(SdJwtVcTest, StatusClaimReachesTheChecker) {
  Json seen;
  VerifyOptions options(clock_);
  options.ExpectKeyBinding(kNonce, kAud).CheckStatus([&seen](const Json& status) {
    seen = status;
    return OkStatus();
  });
  auto verified = Verify(PresentKb(Issue(), {"given_name"}), Pinned(), options);
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(seen, (Json{{"status_list", {{"idx", kStatusIdx}, {"uri", kStatusUri}}}}));
}

TEST_F(SdJwtVcTest, StatusCheckerVerdictAndMissingChecker) {
  std::string presented = PresentKb(Issue(), {"given_name"});
  VerifyOptions revoked(clock_);
  revoked.ExpectKeyBinding(kNonce, kAud).CheckStatus([](const Json&) { return Error(StatusCode::kRevoked, "revoked"); });
  EXPECT_EQ(Verify(presented, Pinned(), revoked).status().code(), StatusCode::kRevoked);
  VerifyOptions unchecked(clock_);
  unchecked.ExpectKeyBinding(kNonce, kAud);
  EXPECT_EQ(Verify(presented, Pinned(), unchecked).status().code(), StatusCode::kStatusUnavailable);
}

TEST_F(SdJwtVcTest, KeyBindingIsRequiredAndChecked) {
  std::string issued = Issue();
  // Issued form (no KB-JWT) of a credential with cnf.
  EXPECT_EQ(VerifyCode(issued, Pinned()), StatusCode::kMissingKeyBinding);
  std::string presented = PresentKb(issued, {"given_name"});
  VerifyOptions wrong_nonce(clock_);
  wrong_nonce.ExpectKeyBinding("another-nonce", kAud).AllowUncheckedStatus();
  EXPECT_EQ(Verify(presented, Pinned(), wrong_nonce).status().code(), StatusCode::kNonceMismatch);
  VerifyOptions wrong_aud(clock_);
  wrong_aud.ExpectKeyBinding(kNonce, "https://other.example").AllowUncheckedStatus();
  EXPECT_EQ(Verify(presented, Pinned(), wrong_aud).status().code(), StatusCode::kAudienceMismatch);
}

TEST_F(SdJwtVcTest, ExpiryBoundary) {
  auto request = Request();
  request.valid_seconds = kDay;
  std::string issued = Issue(request, issuer_);
  // exp = kNow + kDay; with 60 s skew it is valid up to exp + 59 and expired from exp + 60.
  clock_.Set(kNow + kDay + 59);
  EXPECT_EQ(VerifyCode(PresentKb(issued, {"given_name"}, kNow + kDay + 59), Pinned()), StatusCode::kOk);
  clock_.Set(kNow + kDay + 60);
  EXPECT_EQ(VerifyCode(PresentKb(issued, {"given_name"}, kNow + kDay + 60), Pinned()), StatusCode::kExpired);
}

TEST_F(SdJwtVcTest, NotYetValidBoundary) {
  std::string issued = Issue();
  // nbf = kNow; accepted from nbf - 60 on.
  clock_.Set(kNow - 60);
  EXPECT_EQ(VerifyCode(PresentKb(issued, {"given_name"}, kNow - 60), Pinned()), StatusCode::kOk);
  clock_.Set(kNow - 61);
  EXPECT_EQ(VerifyCode(PresentKb(issued, {"given_name"}, kNow - 61), Pinned()), StatusCode::kNotYetValid);
}

// ---- IssueSdJwtVc rejections ----

TEST_F(SdJwtVcTest, RejectsEmptyIss) {
  auto request = Request();
  request.iss = "";
  EXPECT_EQ(IssueStatus(request).code(), StatusCode::kInvalidArgument);
  request.iss = "x";  // boundary: any non-empty issuer identifier is accepted
  EXPECT_TRUE(IssueStatus(request).ok());
}

TEST_F(SdJwtVcTest, RejectsEmptyVct) {
  auto request = Request();
  request.vct = "";
  EXPECT_EQ(IssueStatus(request).code(), StatusCode::kInvalidArgument);
  request.vct = "v";
  EXPECT_TRUE(IssueStatus(request).ok());
}

TEST_F(SdJwtVcTest, RejectsClaimsThatClashWithRegisteredOnes) {
  for (const char* name : {"iss", "vct", "cnf", "status", "_sd", "iat", "nbf", "exp", "_sd_alg", "..."}) {
    auto request = Request();
    request.claims[name] = "x";
    EXPECT_EQ(IssueStatus(request).code(), StatusCode::kInvalidArgument) << name;
  }
}

TEST_F(SdJwtVcTest, RegisteredNamesAreOnlyReservedAtTopLevel) {
  // Boundary: "status" and "iss" inside a subject claim are ordinary members...
  auto request = Request();
  request.claims["immigration"] = {{"status", "settled"}, {"iss", "UKVI"}};
  EXPECT_TRUE(IssueStatus(request).ok());
  // ...but the SD-JWT reserved names are reserved everywhere.
  request.claims["immigration"] = {{"_sd", Json::array()}};
  EXPECT_EQ(IssueStatus(request).code(), StatusCode::kInvalidArgument);
}

TEST_F(SdJwtVcTest, RejectsNonPositiveValidity) {
  auto request = Request();
  request.valid_seconds = 0;
  EXPECT_EQ(IssueStatus(request).code(), StatusCode::kInvalidArgument);
  request.valid_seconds = -kDay;
  EXPECT_EQ(IssueStatus(request).code(), StatusCode::kInvalidArgument);
  request.valid_seconds = 1;
  EXPECT_TRUE(IssueStatus(request).ok());
}

TEST_F(SdJwtVcTest, RejectsClaimsThatAreNotAnObject) {
  auto request = Request();
  request.claims = Json::array({"Chidi"});
  EXPECT_EQ(IssueStatus(request).code(), StatusCode::kInvalidArgument);
  request.claims = Json::object();  // boundary: no subject claims at all is a valid credential
  EXPECT_TRUE(IssueStatus(request).ok());
}

// ---- Issuer key resolution: pinned key and nothing configured ----

TEST_F(SdJwtVcTest, PinnedKeyIsUsedAsIs) {
  std::string issued = Issue();
  auto key = Resolve(issued, Pinned());
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_TRUE(key->Equals(issuer_.public_key()));
  // A pinned key that did not sign the credential: the signature check fails.
  SdJwtVcTrust wrong;
  wrong.issuer_key = other_.public_key();
  EXPECT_EQ(VerifyCode(PresentKb(issued, {"given_name"}), wrong), StatusCode::kInvalidSignature);
}

TEST_F(SdJwtVcTest, NothingConfiguredIsUntrusted) {
  std::string issued = Issue();
  EXPECT_EQ(Resolve(issued, SdJwtVcTrust{}).status().code(), StatusCode::kUntrustedIssuer);
  EXPECT_EQ(VerifyCode(PresentKb(issued, {"given_name"}), SdJwtVcTrust{}), StatusCode::kUntrustedIssuer);
}

TEST_F(SdJwtVcTest, CredentialWithoutIss) {
  Json payload = CraftPayload();
  payload.erase("iss");
  std::string crafted = Craft(payload, Json{{"typ", "dc+sd-jwt"}});
  SdJwtVcTrust trust;
  trust.issuer_metadata = {Metadata(kIss, {issuer_.public_key().ToJwk()})};
  EXPECT_EQ(Resolve(crafted, trust).status().code(), StatusCode::kInvalidClaims);
  // With a pinned key resolution does not look at iss, but verification still demands it.
  EXPECT_EQ(Verify(crafted, Pinned(), VerifyOptions(clock_)).status().code(), StatusCode::kInvalidClaims);
}

TEST_F(SdJwtVcTest, NonStringIssIsInvalidClaims) {
  Json payload = CraftPayload();
  payload["iss"] = 42;
  std::string crafted = Craft(payload, Json{{"typ", "dc+sd-jwt"}});
  EXPECT_EQ(Verify(crafted, Pinned(), VerifyOptions(clock_)).status().code(), StatusCode::kInvalidClaims);
}

// ---- Issuer key resolution: JWT VC Issuer Metadata ----

TEST_F(SdJwtVcTest, MetadataKeySelectedByKid) {
  auto request = Request();
  request.kid = "key-2";
  std::string issued = Issue(request, issuer_);
  SdJwtVcTrust trust;
  trust.issuer_metadata = {
      Metadata(kIss, {WithKid(other_.public_key().ToJwk(), "key-1"), WithKid(issuer_.public_key().ToJwk(), "key-2")})};
  auto key = Resolve(issued, trust);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_TRUE(key->Equals(issuer_.public_key()));
  EXPECT_EQ(VerifyCode(PresentKb(issued, {"given_name"}), trust), StatusCode::kOk);
}

TEST_F(SdJwtVcTest, MetadataKidPicksThatKeyNotAnother) {
  // The kid names the other key: it is the one used, and the signature does not verify with it.
  auto request = Request();
  request.kid = "key-1";
  std::string issued = Issue(request, issuer_);
  SdJwtVcTrust trust;
  trust.issuer_metadata = {
      Metadata(kIss, {WithKid(other_.public_key().ToJwk(), "key-1"), WithKid(issuer_.public_key().ToJwk(), "key-2")})};
  auto key = Resolve(issued, trust);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_TRUE(key->Equals(other_.public_key()));
  EXPECT_EQ(VerifyCode(PresentKb(issued, {"given_name"}), trust), StatusCode::kInvalidSignature);
}

TEST_F(SdJwtVcTest, MetadataSingleKeyWithoutKid) {
  std::string issued = Issue();  // no kid in the header
  SdJwtVcTrust trust;
  trust.issuer_metadata = {Metadata(kIss, {issuer_.public_key().ToJwk()})};
  EXPECT_EQ(VerifyCode(PresentKb(issued, {"given_name"}), trust), StatusCode::kOk);
  // The single key may carry a kid of its own.
  trust.issuer_metadata = {Metadata(kIss, {WithKid(issuer_.public_key().ToJwk(), "key-9")})};
  EXPECT_EQ(VerifyCode(PresentKb(issued, {"given_name"}), trust), StatusCode::kOk);
}

TEST_F(SdJwtVcTest, MetadataWithTwoKeysAndNoKidIsUntrusted) {
  std::string issued = Issue();
  SdJwtVcTrust trust;
  trust.issuer_metadata = {Metadata(kIss, {issuer_.public_key().ToJwk(), other_.public_key().ToJwk()})};
  EXPECT_EQ(Resolve(issued, trust).status().code(), StatusCode::kUntrustedIssuer);
}

TEST_F(SdJwtVcTest, MetadataKidNotFoundIsUntrusted) {
  auto request = Request();
  request.kid = "key-3";
  std::string issued = Issue(request, issuer_);
  SdJwtVcTrust trust;
  trust.issuer_metadata = {
      Metadata(kIss, {WithKid(other_.public_key().ToJwk(), "key-1"), WithKid(issuer_.public_key().ToJwk(), "key-2")})};
  EXPECT_EQ(Resolve(issued, trust).status().code(), StatusCode::kUntrustedIssuer);
  EXPECT_EQ(VerifyCode(PresentKb(issued, {"given_name"}), trust), StatusCode::kUntrustedIssuer);
  // A single key without that kid is not taken either: a kid given must be matched.
  trust.issuer_metadata = {Metadata(kIss, {issuer_.public_key().ToJwk()})};
  EXPECT_EQ(Resolve(issued, trust).status().code(), StatusCode::kUntrustedIssuer);
}

TEST_F(SdJwtVcTest, MetadataForAnotherIssuerIsUntrusted) {
  std::string issued = Issue();
  SdJwtVcTrust trust;
  trust.issuer_metadata = {Metadata("https://evisa.homeoffice.gov.uk", {issuer_.public_key().ToJwk()})};
  EXPECT_EQ(Resolve(issued, trust).status().code(), StatusCode::kUntrustedIssuer);
  EXPECT_EQ(VerifyCode(PresentKb(issued, {"given_name"}), trust), StatusCode::kUntrustedIssuer);
  // Boundary: the issuer identifier must match exactly (no trailing-slash normalisation).
  trust.issuer_metadata = {Metadata(std::string(kIss) + "/", {issuer_.public_key().ToJwk()})};
  EXPECT_EQ(Resolve(issued, trust).status().code(), StatusCode::kUntrustedIssuer);
  // The matching document is found among others.
  trust.issuer_metadata = {Metadata("https://evisa.homeoffice.gov.uk", {other_.public_key().ToJwk()}),
                           Metadata(kIss, {issuer_.public_key().ToJwk()})};
  EXPECT_EQ(VerifyCode(PresentKb(issued, {"given_name"}), trust), StatusCode::kOk);
}

TEST_F(SdJwtVcTest, MetadataPublishingAPrivateKeyIsInvalidKey) {
  std::string issued = Issue();
  SdJwtVcTrust trust;
  trust.issuer_metadata = {Metadata(kIss, {issuer_.ExportJwk()})};
  EXPECT_EQ(Resolve(issued, trust).status().code(), StatusCode::kInvalidKey);
  EXPECT_EQ(VerifyCode(PresentKb(issued, {"given_name"}), trust), StatusCode::kInvalidKey);
}

TEST_F(SdJwtVcTest, MetadataKeyOfUnsupportedTypeIsInvalidKey) {
  std::string issued = Issue();
  SdJwtVcTrust trust;
  trust.issuer_metadata = {Metadata(kIss, {Json{{"kty", "RSA"}, {"n", "AQAB"}, {"e", "AQAB"}}})};
  EXPECT_EQ(Resolve(issued, trust).status().code(), StatusCode::kInvalidKey);
}

// ---- typ and vct ----

TEST_F(SdJwtVcTest, LegacyTypIsRejectedByDefault) {
  std::string crafted = Craft(CraftPayload(), Json{{"typ", kLegacySdJwtVcTyp}});
  EXPECT_EQ(Verify(crafted, Pinned(), VerifyOptions(clock_)).status().code(), StatusCode::kInvalidType);
}

TEST_F(SdJwtVcTest, LegacyTypAcceptedWhenNamed) {
  std::string crafted = Craft(CraftPayload(), Json{{"typ", kLegacySdJwtVcTyp}});
  VerifyOptions options(clock_);
  options.ExpectTyp({kLegacySdJwtVcTyp, kSdJwtVcTyp});
  auto verified = Verify(crafted, Pinned(), options);
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(verified->vct(), kVct);
  // And dc+sd-jwt is still accepted under the same options.
  std::string current = Craft(CraftPayload(), Json{{"typ", kSdJwtVcTyp}});
  EXPECT_TRUE(Verify(current, Pinned(), options).ok());
}

TEST_F(SdJwtVcTest, NamedTypsReplaceTheDefault) {
  // Options naming only vc+sd-jwt do not also accept dc+sd-jwt.
  std::string current = Craft(CraftPayload(), Json{{"typ", kSdJwtVcTyp}});
  VerifyOptions options(clock_);
  options.ExpectTyp({kLegacySdJwtVcTyp});
  EXPECT_EQ(Verify(current, Pinned(), options).status().code(), StatusCode::kInvalidType);
}

TEST_F(SdJwtVcTest, MissingOrOtherTypIsInvalidType) {
  EXPECT_EQ(Verify(Craft(CraftPayload(), Json::object()), Pinned(), VerifyOptions(clock_)).status().code(),
            StatusCode::kInvalidType);
  EXPECT_EQ(Verify(Craft(CraftPayload(), Json{{"typ", "JWT"}}), Pinned(), VerifyOptions(clock_)).status().code(),
            StatusCode::kInvalidType);
  // typ comparison is exact.
  EXPECT_EQ(Verify(Craft(CraftPayload(), Json{{"typ", "DC+SD-JWT"}}), Pinned(), VerifyOptions(clock_)).status().code(),
            StatusCode::kInvalidType);
  // Boundary: the crafted payload is otherwise fine.
  EXPECT_TRUE(Verify(Craft(CraftPayload(), Json{{"typ", "dc+sd-jwt"}}), Pinned(), VerifyOptions(clock_)).ok());
}

TEST_F(SdJwtVcTest, ExpectedVctMismatchIsInvalidType) {
  std::string presented = PresentKb(Issue(), {"age_over_18"});
  EXPECT_EQ(VerifyCode(presented, Pinned(), std::string("uk.gov.homeoffice.evisa.1")), StatusCode::kInvalidType);
  // Boundary: a prefix, or a later version, is not the same type.
  EXPECT_EQ(VerifyCode(presented, Pinned(), std::string("urn:uk:gov:digital-id")), StatusCode::kInvalidType);
  EXPECT_EQ(VerifyCode(presented, Pinned(), std::string("urn:uk:gov:digital-id:2")), StatusCode::kInvalidType);
  EXPECT_EQ(VerifyCode(presented, Pinned(), std::string(kVct)), StatusCode::kOk);
  EXPECT_EQ(VerifyCode(presented, Pinned()), StatusCode::kOk);  // no expectation: any vct
}

TEST_F(SdJwtVcTest, CredentialWithoutVctIsInvalidClaims) {
  Json payload = CraftPayload();
  payload.erase("vct");
  std::string crafted = Craft(payload, Json{{"typ", "dc+sd-jwt"}});
  EXPECT_EQ(Verify(crafted, Pinned(), VerifyOptions(clock_)).status().code(), StatusCode::kInvalidClaims);
  EXPECT_EQ(Verify(crafted, Pinned(), VerifyOptions(clock_), std::string(kVct)).status().code(),
            StatusCode::kInvalidClaims);
}

TEST_F(SdJwtVcTest, NonStringVctIsInvalidClaims) {
  Json payload = CraftPayload();
  payload["vct"] = Json::array({kVct});
  std::string crafted = Craft(payload, Json{{"typ", "dc+sd-jwt"}});
  EXPECT_EQ(Verify(crafted, Pinned(), VerifyOptions(clock_)).status().code(), StatusCode::kInvalidClaims);
}

TEST_F(SdJwtVcTest, HiddenVctThatIsNotDisclosedIsInvalidClaims) {
  // A non-conforming issuer hides vct in a disclosure the holder does not present.
  IssueOptions options;
  options.never_disclosable.clear();
  options.disclosable = {*ClaimPath::Parse("vct")};
  auto issued = IssueSdJwt(CraftPayload(), Json{{"typ", "dc+sd-jwt"}}, options, issuer_, random_);
  ASSERT_TRUE(issued.ok()) << issued.status().ToString();
  std::string without_disclosures = issued->substr(0, issued->find('~') + 1);
  EXPECT_EQ(Verify(without_disclosures, Pinned(), VerifyOptions(clock_)).status().code(), StatusCode::kInvalidClaims);
}

TEST_F(SdJwtVcTest, RegisteredClaimHiddenInADisclosureIsRejectedEvenWhenDisclosed) {
  // Regression: a verifier accepted vct / iss from a disclosure as long as the holder revealed it.
  for (const char* name : {"vct", "iss", "status"}) {
    SCOPED_TRACE(name);
    Json payload = CraftPayload();
    payload["status"] = {{"status_list", {{"idx", 1}, {"uri", "https://issuer.example/status"}}}};
    IssueOptions options;
    options.never_disclosable.clear();
    options.disclosable = {*ClaimPath::Parse(name)};
    auto issued = IssueSdJwt(payload, Json{{"typ", "dc+sd-jwt"}}, options, issuer_, random_);
    ASSERT_TRUE(issued.ok()) << issued.status().ToString();
    VerifyOptions options_v(clock_);
    options_v.AllowUncheckedStatus();
    // Every disclosure is presented, so the claim is visible after processing.
    EXPECT_EQ(Verify(*issued, Pinned(), options_v).status().code(), StatusCode::kInvalidClaims);
  }
  // Control: the same payload with nothing hidden verifies.
  Json payload = CraftPayload();
  VerifyOptions control(clock_);
  EXPECT_TRUE(Verify(Craft(payload, Json{{"typ", "dc+sd-jwt"}}), Pinned(), control).ok());
}

// ---- Tampering with a presentation ----

class SdJwtVcTamperTest : public SdJwtVcTest {
 protected:
  void SetUp() override {
    presented_ = PresentKb(Issue(), {"given_name", "family_name", "age_over_18"});
    ASSERT_EQ(VerifyCode(presented_, Pinned()), StatusCode::kOk);  // the untouched control
    first_dot_ = presented_.find('.');
    second_dot_ = presented_.find('.', first_dot_ + 1);
    first_tilde_ = presented_.find('~');
    last_tilde_ = presented_.rfind('~');
    ASSERT_NE(first_tilde_, last_tilde_);  // there are disclosures
  }
  StatusCode Code(const std::string& text) const { return VerifyCode(text, Pinned()); }

  std::string presented_;
  size_t first_dot_ = 0, second_dot_ = 0, first_tilde_ = 0, last_tilde_ = 0;
};

TEST_F(SdJwtVcTamperTest, IssuerHeaderByte) {
  // The header starts `{"`; one bit flipped in its first character turns `{` into DEL, which is
  // no longer JSON.
  EXPECT_EQ(Code(FlipBit(presented_, 0)), StatusCode::kMalformed);
}

TEST_F(SdJwtVcTamperTest, IssuerHeaderFields) {
  // Header edits that still parse: each is caught before or by the signature check.
  Json header = SignedHeader(presented_);
  Json typ = header;
  typ["typ"] = "dc+sd-jwu";
  EXPECT_EQ(Code(ReplaceHeader(presented_, typ)), StatusCode::kInvalidType);
  Json alg = header;
  alg["alg"] = "ES384";
  EXPECT_EQ(Code(ReplaceHeader(presented_, alg)), StatusCode::kAlgorithmMismatch);
  alg["alg"] = "none";
  EXPECT_EQ(Code(ReplaceHeader(presented_, alg)), StatusCode::kUnsupportedAlgorithm);
  Json kid = header;
  kid["kid"] = "k";
  EXPECT_EQ(Code(ReplaceHeader(presented_, kid)), StatusCode::kInvalidSignature);
}

TEST_F(SdJwtVcTamperTest, IssuerPayloadByte) {
  size_t mid = first_dot_ + (second_dot_ - first_dot_) / 2;
  EXPECT_EQ(Code(FlipBit(presented_, mid)), StatusCode::kInvalidSignature);
}

TEST_F(SdJwtVcTamperTest, IssuerSignatureByte) {
  EXPECT_EQ(Code(FlipBit(presented_, second_dot_ + 20)), StatusCode::kInvalidSignature);
  // The last character of the 64-byte signature carries 4 unused bits: setting one makes the
  // base64url non-canonical, which the strict decoder refuses.
  EXPECT_EQ(Code(FlipBit(presented_, first_tilde_ - 1)), StatusCode::kMalformed);
}

TEST_F(SdJwtVcTamperTest, DisclosureByte) {
  // Character 8 of a disclosure encodes bits of byte 6, inside the 22-character salt (bytes
  // 2..23 of `["salt","name",value]`): the flip keeps the JSON valid but changes the digest, so
  // no _sd entry references the disclosure any more.
  EXPECT_EQ(Code(FlipBit(presented_, first_tilde_ + 1 + 8)), StatusCode::kUnreferencedDisclosure);
  // A flip in the first character turns the opening `[` into `_`: no longer JSON.
  EXPECT_EQ(Code(FlipBit(presented_, first_tilde_ + 1)), StatusCode::kMalformed);
}

TEST_F(SdJwtVcTamperTest, KeyBindingJwtBytes) {
  size_t kb = last_tilde_ + 1;
  size_t kb_dot1 = presented_.find('.', kb);
  size_t kb_dot2 = presented_.find('.', kb_dot1 + 1);
  EXPECT_EQ(Code(FlipBit(presented_, kb)), StatusCode::kMalformed);  // header no longer JSON
  EXPECT_EQ(Code(FlipBit(presented_, kb_dot1 + (kb_dot2 - kb_dot1) / 2)), StatusCode::kInvalidSignature);
  EXPECT_EQ(Code(FlipBit(presented_, kb_dot2 + 20)), StatusCode::kInvalidSignature);
}

TEST_F(SdJwtVcTamperTest, DroppedOrAddedDisclosureBreaksSdHash) {
  // Removing the first disclosure after the KB-JWT was signed: the rest still verify against the
  // issuer JWT, but sd_hash no longer matches.
  size_t second = presented_.find('~', first_tilde_ + 1);
  std::string dropped = presented_.substr(0, first_tilde_) + presented_.substr(second);
  EXPECT_EQ(Code(dropped), StatusCode::kDigestMismatch);
  // Duplicating a disclosure is caught before that.
  std::string disclosure = presented_.substr(first_tilde_ + 1, second - first_tilde_ - 1);
  std::string duplicated = presented_.substr(0, second + 1) + disclosure + presented_.substr(second);
  EXPECT_EQ(Code(duplicated), StatusCode::kDuplicateDisclosure);
  // Dropping the KB-JWT: cnf demands one.
  EXPECT_EQ(Code(presented_.substr(0, last_tilde_ + 1)), StatusCode::kMissingKeyBinding);
}

TEST_F(SdJwtVcTamperTest, KeyBindingByAnotherKey) {
  // A KB-JWT, otherwise perfect, from someone holding a different key than cnf.jwk (Present
  // refuses to make one, so it is signed here directly).
  std::string sd = presented_.substr(0, last_tilde_ + 1);
  Json kb_claims = {{"iat", kNow}, {"aud", kAud}, {"nonce", kNonce},
                    {"sd_hash", Base64UrlEncode(crypto::Sha256(AsBytes(sd)))}};
  auto stolen = jose::SignJwt(Json{{"typ", "kb+jwt"}}, kb_claims, other_);
  ASSERT_TRUE(stolen.ok()) << stolen.status().ToString();
  EXPECT_EQ(Code(sd + *stolen), StatusCode::kInvalidSignature);
  // Boundary: the same KB-JWT signed by the holder verifies.
  auto genuine = jose::SignJwt(Json{{"typ", "kb+jwt"}}, kb_claims, holder_);
  ASSERT_TRUE(genuine.ok());
  EXPECT_EQ(Code(sd + *genuine), StatusCode::kOk);
  // And with the wrong typ it is refused before its signature is looked at.
  auto untyped = jose::SignJwt(Json{{"typ", "JWT"}}, kb_claims, holder_);
  ASSERT_TRUE(untyped.ok());
  EXPECT_EQ(Code(sd + *untyped), StatusCode::kInvalidType);
}

// ---- Issuer key resolution: x5c ----

crypto::CertificateTemplate CaTemplate(const std::string& cn) {
  crypto::CertificateTemplate t;
  t.subject = {{"C", "GB"}, {"O", "Government Digital Service"}, {"CN", cn}};
  t.not_before = kNow - kYear;
  t.not_after = kNow + 10 * kYear;
  t.is_ca = true;
  t.key_usage.key_cert_sign = true;
  t.key_usage.crl_sign = true;
  return t;
}

crypto::CertificateTemplate LeafTemplate(std::vector<std::string> uris, std::vector<std::string> dns_names) {
  crypto::CertificateTemplate t;
  t.subject = {{"C", "GB"}, {"O", "Government Digital Service"}, {"CN", "GOV.UK Digital ID issuer"}};
  t.not_before = kNow - 30 * kDay;
  t.not_after = kNow + kYear;
  t.key_usage.digital_signature = true;
  t.uris = std::move(uris);
  t.dns_names = std::move(dns_names);
  return t;
}

crypto::Certificate SelfSigned(const crypto::CertificateTemplate& t, const crypto::PrivateKey& key) {
  auto cert = crypto::CreateSelfSignedCertificate(t, key);
  EXPECT_TRUE(cert.ok()) << cert.status().ToString();
  return *std::move(cert);
}

crypto::Certificate Issued(const crypto::CertificateTemplate& t, const crypto::PublicKey& subject,
                           const crypto::Certificate& ca, const crypto::PrivateKey& ca_key) {
  auto cert = crypto::IssueCertificate(t, subject, ca, ca_key);
  EXPECT_TRUE(cert.ok()) << cert.status().ToString();
  return *std::move(cert);
}

class SdJwtVcX5cTest : public SdJwtVcTest {
 protected:
  SdJwtVcX5cTest()
      : root_key_(NewKey()),
        root_(SelfSigned(CaTemplate("GDS Root CA"), root_key_)),
        other_root_key_(NewKey()),
        other_root_(SelfSigned(CaTemplate("Some Other Root CA"), other_root_key_)) {}

  crypto::Certificate Leaf(const crypto::CertificateTemplate& t) { return Issued(t, issuer_.public_key(), root_, root_key_); }

  std::string IssueWithChain(const std::vector<crypto::Certificate>& chain, const std::string& iss = kIss) {
    auto request = Request();
    request.iss = iss;
    request.x5c = chain;
    return Issue(request, issuer_);
  }
  std::string PresentWithChain(const std::vector<crypto::Certificate>& chain, const std::string& iss = kIss) {
    return PresentKb(IssueWithChain(chain, iss), {"given_name"});
  }
  SdJwtVcTrust Anchors() const {
    SdJwtVcTrust trust;
    trust.anchors = {root_};
    return trust;
  }
  // A crafted credential whose header carries `x5c` as given.
  std::string CraftWithX5c(const Json& x5c) { return Craft(CraftPayload(), Json{{"typ", "dc+sd-jwt"}, {"x5c", x5c}}); }

  crypto::PrivateKey root_key_;
  crypto::Certificate root_;
  crypto::PrivateKey other_root_key_;
  crypto::Certificate other_root_;
};

TEST_F(SdJwtVcX5cTest, HeaderCarriesTheChainInStandardBase64) {
  crypto::Certificate leaf = Leaf(LeafTemplate({kIss}, {}));
  Json header = SignedHeader(IssueWithChain({leaf, root_}));
  EXPECT_EQ(header.at("x5c"), Json::array({Base64Encode(leaf.der()), Base64Encode(root_.der())}));
  EXPECT_EQ(header.at("typ"), "dc+sd-jwt");
}

TEST_F(SdJwtVcX5cTest, LeafWithSanUriEqualToIssVerifies) {
  crypto::Certificate leaf = Leaf(LeafTemplate({kIss}, {}));
  std::string presented = PresentWithChain({leaf});
  auto key = Resolve(presented, Anchors());
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_TRUE(key->Equals(issuer_.public_key()));
  auto verified = Verify(presented, Anchors(), Options(), std::string(kVct));
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(verified->iss(), kIss);
  EXPECT_EQ(verified->claims().at("given_name"), "Chidi");
  // The root may be sent along too.
  EXPECT_EQ(VerifyCode(PresentWithChain({leaf, root_}), Anchors()), StatusCode::kOk);
}

TEST_F(SdJwtVcX5cTest, SanUriMustEqualIssExactly) {
  crypto::Certificate leaf = Leaf(LeafTemplate({std::string(kIss) + "/other"}, {}));
  EXPECT_EQ(VerifyCode(PresentWithChain({leaf}), Anchors()), StatusCode::kUntrustedIssuer);
  // Several SAN URIs: any one equal to iss is enough.
  crypto::Certificate multi = Leaf(LeafTemplate({"https://other.gov.uk", kIss}, {}));
  EXPECT_EQ(VerifyCode(PresentWithChain({multi}), Anchors()), StatusCode::kOk);
}

TEST_F(SdJwtVcX5cTest, LeafWithSanDnsNameEqualToHttpsHostVerifies) {
  crypto::Certificate leaf = Leaf(LeafTemplate({}, {kIssHost}));
  EXPECT_EQ(VerifyCode(PresentWithChain({leaf}, std::string(kIss) + "/issuers/digital-id"), Anchors()), StatusCode::kOk);
  EXPECT_EQ(VerifyCode(PresentWithChain({leaf}, kIss), Anchors()), StatusCode::kOk);
  // A port, query or fragment does not change the host.
  EXPECT_EQ(VerifyCode(PresentWithChain({leaf}, std::string("https://") + kIssHost + ":8443/x"), Anchors()),
            StatusCode::kOk);
  EXPECT_EQ(VerifyCode(PresentWithChain({leaf}, std::string("https://") + kIssHost + "?v=1"), Anchors()),
            StatusCode::kOk);
}

TEST_F(SdJwtVcX5cTest, LeafNamingAnotherHostIsUntrusted) {
  crypto::Certificate leaf = Leaf(LeafTemplate({}, {"evisa.homeoffice.gov.uk"}));
  std::string presented = PresentWithChain({leaf});
  EXPECT_EQ(Resolve(presented, Anchors()).status().code(), StatusCode::kUntrustedIssuer);
  EXPECT_EQ(VerifyCode(presented, Anchors()), StatusCode::kUntrustedIssuer);
  // Neither a parent domain nor a sub-domain of the host is the host.
  EXPECT_EQ(VerifyCode(PresentWithChain({Leaf(LeafTemplate({}, {"service.gov.uk"}))}), Anchors()),
            StatusCode::kUntrustedIssuer);
  EXPECT_EQ(VerifyCode(PresentWithChain({Leaf(LeafTemplate({}, {std::string("www.") + kIssHost}))}), Anchors()),
            StatusCode::kUntrustedIssuer);
}

TEST_F(SdJwtVcX5cTest, DnsNameOnlyCountsForHttpsIss) {
  crypto::Certificate leaf = Leaf(LeafTemplate({}, {kIssHost}));
  EXPECT_EQ(VerifyCode(PresentWithChain({leaf}, std::string("http://") + kIssHost), Anchors()),
            StatusCode::kUntrustedIssuer);
  EXPECT_EQ(VerifyCode(PresentWithChain({leaf}, kIssHost), Anchors()), StatusCode::kUntrustedIssuer);
}

TEST_F(SdJwtVcX5cTest, UserinfoDoesNotPassForTheHost) {
  // https://digital-id.service.gov.uk@evil.example/ is a URL on host evil.example.
  crypto::Certificate leaf = Leaf(LeafTemplate({}, {kIssHost}));
  EXPECT_EQ(VerifyCode(PresentWithChain({leaf}, std::string("https://") + kIssHost + "@evil.example/"), Anchors()),
            StatusCode::kUntrustedIssuer);
}

TEST_F(SdJwtVcX5cTest, LeafWithoutSanIsUntrusted) {
  crypto::Certificate leaf = Leaf(LeafTemplate({}, {}));
  EXPECT_EQ(VerifyCode(PresentWithChain({leaf}), Anchors()), StatusCode::kUntrustedIssuer);
}

TEST_F(SdJwtVcX5cTest, ChainToUnconfiguredRootIsUntrusted) {
  crypto::Certificate leaf = Issued(LeafTemplate({kIss}, {}), issuer_.public_key(), other_root_, other_root_key_);
  EXPECT_EQ(VerifyCode(PresentWithChain({leaf}), Anchors()), StatusCode::kUntrustedIssuer);
  // Sending the unconfigured root along does not make it trusted.
  EXPECT_EQ(VerifyCode(PresentWithChain({leaf, other_root_}), Anchors()), StatusCode::kUntrustedIssuer);
  // Boundary: configured, the same chain verifies.
  SdJwtVcTrust trust;
  trust.anchors = {root_, other_root_};
  EXPECT_EQ(VerifyCode(PresentWithChain({leaf}), trust), StatusCode::kOk);
}

TEST_F(SdJwtVcX5cTest, ExpiredLeaf) {
  auto t = LeafTemplate({kIss}, {});
  t.not_before = kNow - 2 * kYear;
  t.not_after = kNow - 1;
  EXPECT_EQ(VerifyCode(PresentWithChain({Leaf(t)}), Anchors()), StatusCode::kExpired);
  // Boundary (crypto/x509.h): not_after itself is already expired, one second later is not.
  t.not_after = kNow;
  EXPECT_EQ(VerifyCode(PresentWithChain({Leaf(t)}), Anchors()), StatusCode::kExpired);
  t.not_after = kNow + 1;
  EXPECT_EQ(VerifyCode(PresentWithChain({Leaf(t)}), Anchors()), StatusCode::kOk);
}

TEST_F(SdJwtVcX5cTest, NotYetValidLeaf) {
  auto t = LeafTemplate({kIss}, {});
  t.not_before = kNow + 1;
  EXPECT_EQ(VerifyCode(PresentWithChain({Leaf(t)}), Anchors()), StatusCode::kNotYetValid);
  t.not_before = kNow;
  EXPECT_EQ(VerifyCode(PresentWithChain({Leaf(t)}), Anchors()), StatusCode::kOk);
}

TEST_F(SdJwtVcX5cTest, LeafSignedByNonCaIsInvalidCertificate) {
  // root -> intermediate without cA -> leaf: the intermediate may not issue certificates.
  crypto::PrivateKey mid_key = NewKey();
  auto mid_t = LeafTemplate({}, {"intermediate.service.gov.uk"});
  crypto::Certificate mid = Issued(mid_t, mid_key.public_key(), root_, root_key_);
  crypto::Certificate leaf = Issued(LeafTemplate({kIss}, {}), issuer_.public_key(), mid, mid_key);
  EXPECT_EQ(VerifyCode(PresentWithChain({leaf, mid}), Anchors()), StatusCode::kInvalidCertificate);
  // Asserting keyCertSign does not make a certificate without basicConstraints cA a CA.
  mid_t.key_usage.key_cert_sign = true;
  crypto::Certificate mid_cs = Issued(mid_t, mid_key.public_key(), root_, root_key_);
  crypto::Certificate leaf_cs = Issued(LeafTemplate({kIss}, {}), issuer_.public_key(), mid_cs, mid_key);
  EXPECT_EQ(VerifyCode(PresentWithChain({leaf_cs, mid_cs}), Anchors()), StatusCode::kInvalidCertificate);
  // Boundary: the same shape with a CA intermediate verifies.
  auto ca_t = CaTemplate("GDS Issuing CA");
  crypto::Certificate ca = Issued(ca_t, mid_key.public_key(), root_, root_key_);
  crypto::Certificate good_leaf = Issued(LeafTemplate({kIss}, {}), issuer_.public_key(), ca, mid_key);
  EXPECT_EQ(VerifyCode(PresentWithChain({good_leaf, ca}), Anchors()), StatusCode::kOk);
}

TEST_F(SdJwtVcX5cTest, ValidChainButJwtSignedByAnotherKey) {
  crypto::Certificate leaf = Leaf(LeafTemplate({kIss}, {}));  // certifies issuer_
  auto request = Request();
  request.x5c = {leaf};
  std::string issued = Issue(request, other_);
  EXPECT_EQ(VerifyCode(PresentKb(issued, {"given_name"}), Anchors()), StatusCode::kInvalidSignature);
}

TEST_F(SdJwtVcX5cTest, GarbageX5cIsMalformed) {
  EXPECT_EQ(Resolve(CraftWithX5c(Json::array({"***not base64***"})), Anchors()).status().code(), StatusCode::kMalformed);
  EXPECT_EQ(Verify(CraftWithX5c(Json::array({"***not base64***"})), Anchors(), VerifyOptions(clock_)).status().code(),
            StatusCode::kMalformed);
  // base64url (not standard base64) of a real certificate is refused too.
  crypto::Certificate leaf = Leaf(LeafTemplate({kIss}, {}));
  EXPECT_EQ(Resolve(CraftWithX5c(Json::array({Base64UrlEncode(leaf.der())})), Anchors()).status().code(),
            StatusCode::kMalformed);
  // Valid base64 that is not DER.
  EXPECT_EQ(Resolve(CraftWithX5c(Json::array({"AAECAwQ="})), Anchors()).status().code(), StatusCode::kMalformed);
  // Wrong shapes.
  EXPECT_EQ(Resolve(CraftWithX5c(Base64Encode(leaf.der())), Anchors()).status().code(), StatusCode::kMalformed);
  EXPECT_EQ(Resolve(CraftWithX5c(Json::array()), Anchors()).status().code(), StatusCode::kMalformed);
  EXPECT_EQ(Resolve(CraftWithX5c(Json::array({42})), Anchors()).status().code(), StatusCode::kMalformed);
  // Boundary: the same certificate in standard base64 resolves.
  auto key = Resolve(CraftWithX5c(Json::array({Base64Encode(leaf.der())})), Anchors());
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_TRUE(key->Equals(issuer_.public_key()));
}

TEST_F(SdJwtVcX5cTest, OverlongX5cIsMalformed) {
  crypto::Certificate leaf = Leaf(LeafTemplate({kIss}, {}));
  Json nine = Json::array();
  for (int i = 0; i < 9; ++i) nine.push_back(Base64Encode(leaf.der()));
  EXPECT_EQ(Resolve(CraftWithX5c(nine), Anchors()).status().code(), StatusCode::kMalformed);
}

TEST_F(SdJwtVcX5cTest, PinnedKeyTakesPrecedenceOverX5c) {
  std::string presented = PresentWithChain({Leaf(LeafTemplate({kIss}, {}))});
  SdJwtVcTrust trust = Anchors();
  trust.issuer_key = other_.public_key();
  EXPECT_EQ(VerifyCode(presented, trust), StatusCode::kInvalidSignature);
  trust.issuer_key = issuer_.public_key();
  EXPECT_EQ(VerifyCode(presented, trust), StatusCode::kOk);
}

TEST_F(SdJwtVcX5cTest, X5cWithoutAnchorsFallsBackToMetadata) {
  std::string presented = PresentWithChain({Leaf(LeafTemplate({kIss}, {}))});
  EXPECT_EQ(VerifyCode(presented, SdJwtVcTrust{}), StatusCode::kUntrustedIssuer);
  SdJwtVcTrust trust;
  trust.issuer_metadata = {Metadata(kIss, {issuer_.public_key().ToJwk()})};
  EXPECT_EQ(VerifyCode(presented, trust), StatusCode::kOk);
}

TEST_F(SdJwtVcX5cTest, X5cWithAnchorsDoesNotFallBackToMetadata) {
  // When anchors are configured an x5c credential is judged by its chain alone.
  std::string presented = PresentWithChain({Issued(LeafTemplate({kIss}, {}), issuer_.public_key(), other_root_, other_root_key_)});
  SdJwtVcTrust trust = Anchors();
  trust.issuer_metadata = {Metadata(kIss, {issuer_.public_key().ToJwk()})};
  EXPECT_EQ(VerifyCode(presented, trust), StatusCode::kUntrustedIssuer);
}

}  // namespace
}  // namespace bonafide::sdjwt
