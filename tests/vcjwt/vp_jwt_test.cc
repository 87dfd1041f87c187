#include "vcjwt/vp_jwt.h"

#include <gtest/gtest.h>

#include "base/clock.h"
#include "base/encoding.h"
#include "test_util.h"

namespace bonafide::vcjwt {
namespace {

using testing::DidDocument;
using testing::HeaderOf;
using testing::HolderDid;
using testing::kIssuedAt;
using testing::kVeteranIssuer;
using testing::kYear;
using testing::NewKey;
using testing::PayloadOf;
using testing::Resign;
using testing::VerificationMethod;
using testing::VeteranCardSubject;

constexpr char kVerifier[] = "https://rtw-checker.example.co.uk";
constexpr char kNonce[] = "n-0S6_WzA2Mj";
// The presentation is made a month after issuance.
constexpr int64_t kPresentedAt = kIssuedAt + 30 * 86400;

class VpJwtTest : public ::testing::Test {
 protected:
  VpJwtTest() : issuer_key_(NewKey()), holder_(NewKey()), clock_(kPresentedAt) {
    doc_ = DidDocument(kVeteranIssuer, {VerificationMethod(kVeteranIssuer, "key-1", issuer_key_.public_key())});
  }

  std::string IssueTo(const crypto::PublicKey& holder_key, int64_t validity = kYear) const {
    VcJwtIssueRequest r;
    r.issuer = kVeteranIssuer;
    r.kid = "key-1";
    r.type = "DigitalVeteranCard";
    r.name = "HM Armed Forces Veteran Card";
    r.description = "HM Armed Forces Veteran Card";
    r.subject_claims = VeteranCardSubject();
    r.holder_key = holder_key;
    r.validity_seconds = validity;
    FixedClock at_issue(kIssuedAt);
    auto vc = IssueVcJwt(r, issuer_key_, at_issue);
    EXPECT_TRUE(vc.ok()) << vc.status().ToString();
    return vc.ok() ? *vc : std::string();
  }

  std::string Present(const std::vector<std::string>& vcs, const crypto::Signer& holder,
                      int64_t lifetime = 300) const {
    VpJwtRequest r;
    r.credentials = vcs;
    r.audience = kVerifier;
    r.nonce = kNonce;
    r.lifetime_seconds = lifetime;
    auto vp = CreateVpJwt(r, holder, clock_);
    EXPECT_TRUE(vp.ok()) << vp.status().ToString();
    return vp.ok() ? *vp : std::string();
  }

  std::string PresentCard() const { return Present({IssueTo(holder_.public_key())}, holder_); }

  VpVerifyOptions Options() const {
    VpVerifyOptions o;
    o.expected_nonce = kNonce;
    o.expected_audience = kVerifier;
    o.credential_options.trusted_issuers = {doc_};
    o.credential_options.expected_type = "DigitalVeteranCard";
    return o;
  }

  StatusCode VerifyCode(const std::string& vp, const VpVerifyOptions& options, int64_t now) const {
    FixedClock clock(now);
    return VerifyVpJwt(vp, options, clock).status().code();
  }
  StatusCode VerifyCode(const std::string& vp, const VpVerifyOptions& options) const {
    return VerifyCode(vp, options, kPresentedAt);
  }
  StatusCode VerifyCode(const std::string& vp) const { return VerifyCode(vp, Options()); }

  crypto::PrivateKey issuer_key_;
  crypto::PrivateKey holder_;
  FixedClock clock_;
  Json doc_;
};

TEST_F(VpJwtTest, VeteranCardPresentationRoundTrip) {
  const std::string vc = IssueTo(holder_.public_key());
  const std::string vp = Present({vc}, holder_);
  const std::string holder_did = HolderDid(holder_);
  const Json header = HeaderOf(vp);
  EXPECT_EQ(header["typ"], "vp+jwt");
  EXPECT_EQ(header["alg"], "ES256");
  EXPECT_EQ(header["kid"], holder_did + "#" + holder_did.substr(8));
  const Json p = PayloadOf(vp);
  EXPECT_EQ(p["iss"], holder_did);
  EXPECT_EQ(p["aud"], kVerifier);
  EXPECT_EQ(p["nonce"], kNonce);
  EXPECT_EQ(p["iat"], kPresentedAt);
  EXPECT_EQ(p["exp"], kPresentedAt + 300);
  EXPECT_EQ(p["vp"]["@context"], Json::array({"https://www.w3.org/ns/credentials/v2"}));
  EXPECT_EQ(p["vp"]["type"], Json::array({"VerifiablePresentation"}));
  EXPECT_EQ(p["vp"]["holder"], holder_did);
  EXPECT_EQ(p["vp"]["verifiableCredential"], Json::array({vc}));

  auto verified = VerifyVpJwt(vp, Options(), clock_);
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(verified->holder(), holder_did);
  EXPECT_EQ(verified->issued_at(), kPresentedAt);
  ASSERT_EQ(verified->credentials().size(), 1u);
  EXPECT_EQ(verified->credentials()[0].type(), "DigitalVeteranCard");
  EXPECT_EQ(verified->credentials()[0].subject(), holder_did);
  EXPECT_EQ(verified->credentials()[0].credential_subject()["veteranCard"][0]["serviceNumber"], "25057386");
}

TEST_F(VpJwtTest, P384Holder) {
  crypto::PrivateKey holder = NewKey(crypto::SignatureAlg::kES384);
  const std::string vp = Present({IssueTo(holder.public_key())}, holder);
  EXPECT_EQ(HeaderOf(vp)["alg"], "ES384");
  EXPECT_EQ(VerifyCode(vp), StatusCode::kOk);
}

TEST_F(VpJwtTest, Ed25519HolderWithTwoCredentials) {
  crypto::PrivateKey holder = NewKey(crypto::SignatureAlg::kEdDSA);
  const std::string vc = IssueTo(holder.public_key());
  const std::string vp = Present({vc, vc}, holder);
  EXPECT_EQ(HeaderOf(vp)["alg"], "EdDSA");
  auto verified = VerifyVpJwt(vp, Options(), clock_);
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(verified->credentials().size(), 2u);
}

TEST_F(VpJwtTest, WrongNonceIsNonceMismatch) {
  const std::string vp = PresentCard();
  VpVerifyOptions options = Options();
  options.expected_nonce = "another-nonce";
  EXPECT_EQ(VerifyCode(vp, options), StatusCode::kNonceMismatch);
  EXPECT_EQ(VerifyCode(Resign(vp, holder_, [](Json& p) { p.erase("nonce"); })), StatusCode::kNonceMismatch);
  EXPECT_EQ(VerifyCode(Resign(vp, holder_, [](Json& p) { p["nonce"] = 12345; })), StatusCode::kNonceMismatch);
  // A verifier that does not say which nonce it expects is misconfigured, not lenient.
  options.expected_nonce = "";
  EXPECT_EQ(VerifyCode(vp, options), StatusCode::kInvalidArgument);
  // Boundary: the right nonce passes.
  EXPECT_EQ(VerifyCode(vp), StatusCode::kOk);
}

TEST_F(VpJwtTest, WrongAudienceIsAudienceMismatch) {
  const std::string vp = PresentCard();
  VpVerifyOptions options = Options();
  options.expected_audience = "https://other-verifier.example";
  EXPECT_EQ(VerifyCode(vp, options), StatusCode::kAudienceMismatch);
  EXPECT_EQ(VerifyCode(Resign(vp, holder_, [](Json& p) { p.erase("aud"); })), StatusCode::kAudienceMismatch);
  options.expected_audience = "";
  EXPECT_EQ(VerifyCode(vp, options), StatusCode::kInvalidArgument);
  // Boundary: an aud array containing the verifier passes.
  EXPECT_EQ(VerifyCode(Resign(vp, holder_, [](Json& p) { p["aud"] = Json::array({"x", kVerifier}); })),
            StatusCode::kOk);
}

TEST_F(VpJwtTest, StalePresentationIsStaleKeyBinding) {
  // A long exp so that only the freshness window can reject the presentation.
  const std::string vp = Present({IssueTo(holder_.public_key())}, holder_, 3600);
  // Default window 300 s plus 60 s skew.
  EXPECT_EQ(VerifyCode(vp, Options(), kPresentedAt + 360), StatusCode::kOk);
  EXPECT_EQ(VerifyCode(vp, Options(), kPresentedAt + 361), StatusCode::kStaleKeyBinding);
  VpVerifyOptions options = Options();
  options.max_age_seconds = 60;
  EXPECT_EQ(VerifyCode(vp, options, kPresentedAt + 120), StatusCode::kOk);
  EXPECT_EQ(VerifyCode(vp, options, kPresentedAt + 121), StatusCode::kStaleKeyBinding);
  options.max_age_seconds = -1;
  EXPECT_EQ(VerifyCode(vp, options), StatusCode::kInvalidArgument);
}

TEST_F(VpJwtTest, FutureOrExpiredPresentation) {
  const std::string vp = PresentCard();
  EXPECT_EQ(VerifyCode(vp, Options(), kPresentedAt - 61), StatusCode::kNotYetValid);
  EXPECT_EQ(VerifyCode(vp, Options(), kPresentedAt - 60), StatusCode::kOk);
  // Lifetime shorter than the freshness window: exp decides.
  const std::string short_lived = Present({IssueTo(holder_.public_key())}, holder_, 30);
  EXPECT_EQ(VerifyCode(short_lived, Options(), kPresentedAt + 89), StatusCode::kOk);
  EXPECT_EQ(VerifyCode(short_lived, Options(), kPresentedAt + 90), StatusCode::kExpired);
  EXPECT_EQ(VerifyCode(Resign(vp, holder_, [](Json& p) { p.erase("exp"); })), StatusCode::kInvalidClaims);
  EXPECT_EQ(VerifyCode(Resign(vp, holder_, [](Json& p) { p.erase("iat"); })), StatusCode::kInvalidClaims);
}

TEST_F(VpJwtTest, CredentialForAnotherHolderIsMissingKeyBinding) {
  crypto::PrivateKey other = NewKey();
  // The VC was issued to `other`; `holder_` presents it.
  const std::string vp = Present({IssueTo(other.public_key())}, holder_);
  EXPECT_EQ(VerifyCode(vp), StatusCode::kMissingKeyBinding);
  // One good and one foreign credential: still rejected.
  const std::string mixed = Present({IssueTo(holder_.public_key()), IssueTo(other.public_key())}, holder_);
  EXPECT_EQ(VerifyCode(mixed), StatusCode::kMissingKeyBinding);
  // Boundary: the rightful holder presenting it passes.
  EXPECT_EQ(VerifyCode(Present({IssueTo(other.public_key())}, other)), StatusCode::kOk);
}

TEST_F(VpJwtTest, HolderIdentityMustBeConsistent) {
  crypto::PrivateKey other = NewKey();
  const std::string other_did = HolderDid(other);
  const std::string vp = PresentCard();
  // Signed by holder_ (kid) but claiming to be `other`.
  EXPECT_EQ(VerifyCode(Resign(vp, holder_, [&](Json& p) { p["iss"] = other_did; })), StatusCode::kMissingKeyBinding);
  EXPECT_EQ(VerifyCode(Resign(vp, holder_, [&](Json& p) { p["vp"]["holder"] = other_did; })),
            StatusCode::kMissingKeyBinding);
  // kid naming `other` while signed by holder_: the signature check fails.
  EXPECT_EQ(VerifyCode(Resign(vp, holder_, nullptr, [&](Json& h) { h["kid"] = other_did + "#" + other_did.substr(8); })),
            StatusCode::kInvalidSignature);
  // Boundary: without kid, the key comes from iss.
  EXPECT_EQ(VerifyCode(Resign(vp, holder_, nullptr, [](Json& h) { h.erase("kid"); })), StatusCode::kOk);
  // A holder that is not a did:key / did:jwk cannot be resolved.
  EXPECT_EQ(VerifyCode(Resign(vp, holder_, nullptr, [](Json& h) { h["kid"] = "did:web:holder.example#k"; })),
            StatusCode::kMalformed);
}

TEST_F(VpJwtTest, TamperedPresentationIsInvalidSignature) {
  std::string vp = PresentCard();
  const size_t dot = vp.rfind('.');
  Bytes sig = Base64UrlDecode(vp.substr(dot + 1)).value();
  sig[10] ^= 0x80;
  EXPECT_EQ(VerifyCode(vp.substr(0, dot + 1) + Base64UrlEncode(sig)), StatusCode::kInvalidSignature);
  // Payload swapped (different nonce) under the original signature.
  Json p = PayloadOf(vp);
  p["nonce"] = "attacker-nonce";
  const size_t d1 = vp.find('.');
  const std::string swapped = vp.substr(0, d1 + 1) + Base64UrlEncode(DumpJson(p)) + vp.substr(dot);
  VpVerifyOptions options = Options();
  options.expected_nonce = "attacker-nonce";
  EXPECT_EQ(VerifyCode(swapped, options), StatusCode::kInvalidSignature);
  // Boundary: the untouched presentation verifies.
  EXPECT_EQ(VerifyCode(vp), StatusCode::kOk);
}

TEST_F(VpJwtTest, PresentationShape) {
  const std::string vp = PresentCard();
  EXPECT_EQ(VerifyCode(Resign(vp, holder_, nullptr, [](Json& h) { h["typ"] = "vc+jwt"; })), StatusCode::kInvalidType);
  EXPECT_EQ(VerifyCode(Resign(vp, holder_, [](Json& p) { p["vp"]["type"] = Json::array({"Presentation"}); })),
            StatusCode::kInvalidType);
  EXPECT_EQ(VerifyCode(Resign(vp, holder_, [](Json& p) {
              p["vp"]["@context"] = Json::array({"https://www.w3.org/2018/credentials/v1"});
            })),
            StatusCode::kInvalidType);
  EXPECT_EQ(VerifyCode(Resign(vp, holder_, [](Json& p) { p.erase("vp"); })), StatusCode::kInvalidClaims);
  EXPECT_EQ(VerifyCode(Resign(vp, holder_, [](Json& p) { p["vp"]["verifiableCredential"] = Json::array(); })),
            StatusCode::kInvalidClaims);
  EXPECT_EQ(VerifyCode(Resign(vp, holder_, [](Json& p) { p["vp"]["verifiableCredential"] = Json::array({1}); })),
            StatusCode::kInvalidClaims);
  EXPECT_EQ(VerifyCode(Resign(vp, holder_, [](Json& p) {
              Json list = Json::array();
              for (size_t i = 0; i <= kMaxCredentialsPerPresentation; ++i) list.push_back(p["vp"]["verifiableCredential"][0]);
              p["vp"]["verifiableCredential"] = list;
            })),
            StatusCode::kLimitExceeded);
  // Boundary: vp.holder is optional (the holder is iss).
  EXPECT_EQ(VerifyCode(Resign(vp, holder_, [](Json& p) { p["vp"].erase("holder"); })), StatusCode::kOk);
}

TEST_F(VpJwtTest, EmbeddedCredentialFailuresPropagate) {
  // Credential valid for one day, presented a month after issuance.
  EXPECT_EQ(VerifyCode(Present({IssueTo(holder_.public_key(), 86400)}, holder_)), StatusCode::kExpired);
  VpVerifyOptions options = Options();
  options.credential_options.trusted_issuers.clear();
  EXPECT_EQ(VerifyCode(PresentCard(), options), StatusCode::kUntrustedIssuer);
  options = Options();
  options.credential_options.expected_type = "BasicDisclosureCredential";
  EXPECT_EQ(VerifyCode(PresentCard(), options), StatusCode::kInvalidType);
}

TEST_F(VpJwtTest, CreateRejectsIncompleteRequests) {
  const std::string card = IssueTo(holder_.public_key());
  auto code = [&](const std::function<void(VpJwtRequest&)>& f) {
    VpJwtRequest r;
    r.credentials = {card};
    r.audience = kVerifier;
    r.nonce = kNonce;
    f(r);
    return CreateVpJwt(r, holder_, clock_).status().code();
  };
  EXPECT_EQ(code([](VpJwtRequest& r) { r.credentials.clear(); }), StatusCode::kInvalidArgument);
  EXPECT_EQ(code([](VpJwtRequest& r) { r.audience.clear(); }), StatusCode::kInvalidArgument);
  EXPECT_EQ(code([](VpJwtRequest& r) { r.nonce.clear(); }), StatusCode::kInvalidArgument);
  EXPECT_EQ(code([](VpJwtRequest& r) { r.lifetime_seconds = 0; }), StatusCode::kInvalidArgument);
  EXPECT_EQ(code([](VpJwtRequest& r) { r.lifetime_seconds = 3601; }), StatusCode::kInvalidArgument);
  EXPECT_EQ(code([&](VpJwtRequest& r) { r.credentials.assign(kMaxCredentialsPerPresentation + 1, card); }),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(code([](VpJwtRequest& r) { r.lifetime_seconds = 3600; }), StatusCode::kOk);
  // Regression: junk was wrapped in a signed presentation. Only VC-JWTs are presented.
  EXPECT_EQ(code([](VpJwtRequest& r) { r.credentials = {"a.b.c"}; }), StatusCode::kMalformed);
  EXPECT_EQ(code([](VpJwtRequest& r) { r.credentials = {"not a jwt"}; }), StatusCode::kMalformed);
  EXPECT_EQ(code([&](VpJwtRequest& r) { r.credentials = {card, ""}; }), StatusCode::kMalformed);
  EXPECT_EQ(code([&](VpJwtRequest& r) { r.credentials = {Present({card}, holder_)}; }), StatusCode::kInvalidType);
}

}  // namespace
}  // namespace bonafide::vcjwt
