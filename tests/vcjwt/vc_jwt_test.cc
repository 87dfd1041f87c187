#include "vcjwt/vc_jwt.h"

#include <gtest/gtest.h>

#include "base/clock.h"
#include "base/encoding.h"
#include "jose/did.h"
#include "jose/jws.h"
#include "test_util.h"

namespace bonafide::vcjwt {
namespace {

using testing::Compact;
using testing::DbsBasicCheckSubject;
using testing::DidDocument;
using testing::HeaderOf;
using testing::HolderDid;
using testing::kDbsIssuer;
using testing::kIssuedAt;
using testing::kVeteranIssuer;
using testing::kYear;
using testing::NewKey;
using testing::PayloadOf;
using testing::Resign;
using testing::VerificationMethod;
using testing::VeteranCardSubject;

// 2026-11-26T10:00:00Z: validUntil of a one-year credential issued at kIssuedAt.
constexpr int64_t kValidUntil = kIssuedAt + kYear;

class VcJwtTest : public ::testing::Test {
 protected:
  VcJwtTest()
      : issuer_key_(NewKey()),
        retired_key_(NewKey()),
        dbs_key_(NewKey(crypto::SignatureAlg::kEdDSA)),
        holder_(NewKey()),
        clock_(kIssuedAt) {
    veteran_doc_ = DidDocument(kVeteranIssuer,
                               {VerificationMethod(kVeteranIssuer, "key-2024", retired_key_.public_key()),
                                VerificationMethod(kVeteranIssuer, "key-2025", issuer_key_.public_key())});
    dbs_doc_ = DidDocument(kDbsIssuer, {VerificationMethod(kDbsIssuer, "key-1", dbs_key_.public_key())});
  }

  VcJwtIssueRequest VeteranRequest() const {
    VcJwtIssueRequest r;
    r.issuer = kVeteranIssuer;
    r.kid = "key-2025";
    r.type = "DigitalVeteranCard";
    r.name = "HM Armed Forces Veteran Card";
    r.description = "HM Armed Forces Veteran Card";
    r.subject_claims = VeteranCardSubject();
    r.holder_key = holder_.public_key();
    r.validity_seconds = kYear;
    return r;
  }

  VcJwtIssueRequest DbsRequest() const {
    VcJwtIssueRequest r;
    r.issuer = kDbsIssuer;
    r.kid = std::string(kDbsIssuer) + "#key-1";
    r.type = "BasicDisclosureCredential";
    r.name = "Basic DBS check result";
    r.description = "Basic DBS check result";
    r.subject_claims = DbsBasicCheckSubject();
    r.holder_key = holder_.public_key();
    r.validity_seconds = kYear;
    r.status = BitstringStatusListEntry{"https://dbs.service.gov.uk/status/3#94567", "revocation", 94567,
                                        "https://dbs.service.gov.uk/status/3"};
    return r;
  }

  std::string IssueVeteranCard() const {
    auto vc = IssueVcJwt(VeteranRequest(), issuer_key_, clock_);
    EXPECT_TRUE(vc.ok()) << vc.status().ToString();
    return vc.ok() ? *vc : std::string();
  }

  VerifyOptions Options() const {
    VerifyOptions o;
    o.trusted_issuers = {veteran_doc_, dbs_doc_};
    return o;
  }

  StatusCode VerifyCode(const std::string& vc, const VerifyOptions& options) const {
    return VerifyVcJwt(vc, options, clock_).status().code();
  }
  StatusCode VerifyCode(const std::string& vc) const { return VerifyCode(vc, Options()); }

  // ResignVeteran edits the payload of a fresh Veteran Card and re-signs it with the issuer key,
  // so that only the edited rule can fail.
  std::string ResignVeteran(const std::function<void(Json&)>& edit_payload,
                            const std::function<void(Json&)>& edit_header = nullptr) const {
    return Resign(IssueVeteranCard(), issuer_key_, edit_payload, edit_header);
  }

  crypto::PrivateKey issuer_key_;
  crypto::PrivateKey retired_key_;
  crypto::PrivateKey dbs_key_;
  crypto::PrivateKey holder_;
  FixedClock clock_;
  Json veteran_doc_;
  Json dbs_doc_;
};

// ---- Round trips of the two GOV.UK jwt_vc_json credentials ----

TEST_F(VcJwtTest, VeteranCardRoundTrip) {
  const std::string vc = IssueVeteranCard();
  const Json header = HeaderOf(vc);
  EXPECT_EQ(header, Json({{"alg", "ES256"},
                          {"typ", "vc+jwt"},
                          {"cty", "vc"},
                          {"kid", std::string(kVeteranIssuer) + "#key-2025"}}));
  const Json p = PayloadOf(vc);
  const std::string holder_did = HolderDid(holder_);
  EXPECT_EQ(p["iss"], kVeteranIssuer);
  EXPECT_EQ(p["issuer"], kVeteranIssuer);
  EXPECT_EQ(p["sub"], holder_did);
  EXPECT_EQ(p["iat"], kIssuedAt);
  EXPECT_EQ(p["nbf"], kIssuedAt);
  EXPECT_EQ(p["exp"], kValidUntil);
  EXPECT_EQ(p["@context"], Json::array({"https://www.w3.org/ns/credentials/v2"}));
  EXPECT_EQ(p["type"], Json::array({"VerifiableCredential", "DigitalVeteranCard"}));
  EXPECT_EQ(p["name"], "HM Armed Forces Veteran Card");
  EXPECT_EQ(p["description"], "HM Armed Forces Veteran Card");
  EXPECT_EQ(p["validFrom"], "2025-11-26T10:00:00Z");
  EXPECT_EQ(p["validUntil"], "2026-11-26T10:00:00Z");
  EXPECT_EQ(p["credentialSubject"]["id"], holder_did);
  EXPECT_EQ(p["credentialSubject"]["veteranCard"][0]["serviceBranch"], "Royal Navy");
  EXPECT_EQ(p.count("credentialStatus"), 0u);
  EXPECT_EQ(p.count("expectedUpdate"), 0u);

  VerifyOptions options = Options();
  options.expected_type = "DigitalVeteranCard";
  auto verified = VerifyVcJwt(vc, options, clock_);
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(verified->issuer(), kVeteranIssuer);
  EXPECT_EQ(verified->subject(), holder_did);
  EXPECT_EQ(verified->type(), "DigitalVeteranCard");
  EXPECT_EQ(verified->types(), (std::vector<std::string>{"VerifiableCredential", "DigitalVeteranCard"}));
  EXPECT_EQ(verified->valid_from(), kIssuedAt);
  EXPECT_EQ(verified->valid_until(), kValidUntil);
  EXPECT_FALSE(verified->has_status());
  EXPECT_FALSE(verified->status_checked());
  EXPECT_EQ(verified->credential_subject()["name"][0]["nameParts"][1]["value"], "Edwards");
  EXPECT_EQ(verified->credential(), p);
  EXPECT_EQ(verified->header(), header);
}

TEST_F(VcJwtTest, DbsBasicCheckRoundTripWithStatus) {
  VcJwtIssueRequest request = DbsRequest();
  request.expected_update_seconds = 30 * 86400;
  auto vc = IssueVcJwt(request, dbs_key_, clock_);
  ASSERT_TRUE(vc.ok()) << vc.status().ToString();
  EXPECT_EQ(HeaderOf(*vc)["alg"], "EdDSA");
  const Json p = PayloadOf(*vc);
  EXPECT_EQ(p["type"], Json::array({"VerifiableCredential", "BasicDisclosureCredential"}));
  EXPECT_EQ(p["credentialSubject"]["basicCheckRecord"][0]["outcome"], "NO UNSPENT CONVICTIONS");
  EXPECT_EQ(p["expectedUpdate"], "2025-12-26T10:00:00Z");
  const Json expected_status = {{"id", "https://dbs.service.gov.uk/status/3#94567"},
                                {"type", "BitstringStatusListEntry"},
                                {"statusPurpose", "revocation"},
                                {"statusListIndex", "94567"},
                                {"statusListCredential", "https://dbs.service.gov.uk/status/3"}};
  EXPECT_EQ(p["credentialStatus"], expected_status);

  VerifyOptions options = Options();
  options.expected_type = "BasicDisclosureCredential";
  int calls = 0;
  options.check_status = [&](const Json& entry) {
    ++calls;
    EXPECT_EQ(entry, expected_status);
    return OkStatus();
  };
  auto verified = VerifyVcJwt(*vc, options, clock_);
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(verified->issuer(), kDbsIssuer);
  EXPECT_EQ(verified->type(), "BasicDisclosureCredential");
  EXPECT_TRUE(verified->has_status());
  EXPECT_TRUE(verified->status_checked());
  EXPECT_EQ(verified->expected_update(), kIssuedAt + 30 * 86400);
}

TEST_F(VcJwtTest, Es384IssuerKeyRoundTrip) {
  crypto::PrivateKey key = NewKey(crypto::SignatureAlg::kES384);
  const std::string did = "did:web:issuer.example.gov.uk";
  VcJwtIssueRequest request = VeteranRequest();
  request.issuer = did;
  request.kid = did + "#p384";
  request.extra_contexts = {"https://vocab.account.gov.uk/v2/credentials"};
  auto vc = IssueVcJwt(request, key, clock_);
  ASSERT_TRUE(vc.ok());
  EXPECT_EQ(HeaderOf(*vc)["alg"], "ES384");
  EXPECT_EQ(PayloadOf(*vc)["@context"][1], "https://vocab.account.gov.uk/v2/credentials");
  VerifyOptions options;
  options.trusted_issuers = {DidDocument(did, {VerificationMethod(did, "p384", key.public_key())})};
  EXPECT_TRUE(VerifyVcJwt(*vc, options, clock_).ok());
}

// ---- Signature and header rules ----

TEST_F(VcJwtTest, TamperedPayloadIsInvalidSignature) {
  const std::string vc = IssueVeteranCard();
  Json p = PayloadOf(vc);
  p["credentialSubject"]["veteranCard"][0]["serviceBranch"] = "British Army";
  const size_t d1 = vc.find('.');
  const size_t d2 = vc.find('.', d1 + 1);
  const std::string tampered = vc.substr(0, d1 + 1) + Base64UrlEncode(DumpJson(p)) + vc.substr(d2);
  EXPECT_EQ(VerifyCode(tampered), StatusCode::kInvalidSignature);
  // Boundary: the untouched token verifies.
  EXPECT_EQ(VerifyCode(vc), StatusCode::kOk);
}

TEST_F(VcJwtTest, TamperedSignatureIsInvalidSignature) {
  std::string vc = IssueVeteranCard();
  const std::string sig_b64 = vc.substr(vc.rfind('.') + 1);
  Bytes sig = Base64UrlDecode(sig_b64).value();
  sig[5] ^= 0x01;
  vc = vc.substr(0, vc.rfind('.') + 1) + Base64UrlEncode(sig);
  EXPECT_EQ(VerifyCode(vc), StatusCode::kInvalidSignature);
}

TEST_F(VcJwtTest, WrongTypIsInvalidType) {
  EXPECT_EQ(VerifyCode(ResignVeteran(nullptr, [](Json& h) { h["typ"] = "JWT"; })), StatusCode::kInvalidType);
  EXPECT_EQ(VerifyCode(ResignVeteran(nullptr, [](Json& h) { h["typ"] = "vp+jwt"; })), StatusCode::kInvalidType);
  EXPECT_EQ(VerifyCode(ResignVeteran(nullptr, [](Json& h) { h.erase("typ"); })), StatusCode::kInvalidType);
  // Boundary: re-signing without edits keeps a valid credential.
  EXPECT_EQ(VerifyCode(ResignVeteran(nullptr)), StatusCode::kOk);
}

TEST_F(VcJwtTest, AlgNoneIsUnsupportedAlgorithm) {
  const std::string vc = IssueVeteranCard();
  Json header = HeaderOf(vc);
  header["alg"] = "none";
  EXPECT_EQ(VerifyCode(Compact(header, PayloadOf(vc), "")), StatusCode::kUnsupportedAlgorithm);
  header["alg"] = "HS256";
  EXPECT_EQ(VerifyCode(Compact(header, PayloadOf(vc), "c2ln")), StatusCode::kUnsupportedAlgorithm);
  // An allowed algorithm that is not the key's is a mismatch, not a pass.
  header["alg"] = "ES384";
  const std::string sig = vc.substr(vc.rfind('.') + 1);
  EXPECT_EQ(VerifyCode(Compact(header, PayloadOf(vc), sig)), StatusCode::kAlgorithmMismatch);
}

TEST_F(VcJwtTest, KidFromAnotherDidIsUntrustedIssuer) {
  const std::string kid_header = "did:web:evil.example#key-2025";
  // No trusted document for the kid's DID.
  EXPECT_EQ(VerifyCode(ResignVeteran(nullptr, [&](Json& h) { h["kid"] = kid_header; })),
            StatusCode::kUntrustedIssuer);
  // A trusted issuer's key signing a credential that claims to come from another trusted issuer.
  const std::string forged = Resign(IssueVeteranCard(), dbs_key_, nullptr,
                                    [](Json& h) { h["kid"] = std::string(kDbsIssuer) + "#key-1"; });
  EXPECT_EQ(VerifyCode(forged), StatusCode::kUntrustedIssuer);
  // No trusted issuers at all.
  EXPECT_EQ(VerifyCode(IssueVeteranCard(), VerifyOptions{}), StatusCode::kUntrustedIssuer);
}

TEST_F(VcJwtTest, KidNotInDocumentIsUntrustedIssuer) {
  EXPECT_EQ(VerifyCode(ResignVeteran(nullptr, [](Json& h) {
              h["kid"] = std::string(kVeteranIssuer) + "#key-2026";
            })),
            StatusCode::kUntrustedIssuer);
  // Boundary: a retired key that is still published verifies its credentials.
  VcJwtIssueRequest request = VeteranRequest();
  request.kid = "key-2024";
  auto vc = IssueVcJwt(request, retired_key_, clock_);
  ASSERT_TRUE(vc.ok());
  EXPECT_EQ(VerifyCode(*vc), StatusCode::kOk);
  // ... and a kid naming the current key while signed by the retired one fails the signature.
  EXPECT_EQ(VerifyCode(Resign(*vc, retired_key_, nullptr, [](Json& h) {
              h["kid"] = std::string(kVeteranIssuer) + "#key-2025";
            })),
            StatusCode::kInvalidSignature);
}

TEST_F(VcJwtTest, KidMustBeAnAbsoluteDidWebUrl) {
  EXPECT_EQ(VerifyCode(ResignVeteran(nullptr, [](Json& h) { h.erase("kid"); })), StatusCode::kMalformed);
  EXPECT_EQ(VerifyCode(ResignVeteran(nullptr, [](Json& h) { h["kid"] = "#key-2025"; })), StatusCode::kMalformed);
  EXPECT_EQ(VerifyCode(ResignVeteran(nullptr, [](Json& h) { h["kid"] = kVeteranIssuer; })), StatusCode::kMalformed);
  EXPECT_EQ(VerifyCode(ResignVeteran(nullptr, [](Json& h) { h["kid"] = 7; })), StatusCode::kMalformed);
  EXPECT_EQ(VerifyCode("not.a.jwt"), StatusCode::kMalformed);
  EXPECT_EQ(VerifyCode(""), StatusCode::kMalformed);
}

TEST_F(VcJwtTest, IssDifferentFromIssuerIsUntrustedIssuer) {
  EXPECT_EQ(VerifyCode(ResignVeteran([](Json& p) { p["issuer"] = "did:web:other.example"; })),
            StatusCode::kUntrustedIssuer);
  // iss naming another DID than the signing key's.
  EXPECT_EQ(VerifyCode(ResignVeteran([](Json& p) {
              p["iss"] = kDbsIssuer;
              p["issuer"] = kDbsIssuer;
            })),
            StatusCode::kUntrustedIssuer);
  EXPECT_EQ(VerifyCode(ResignVeteran([](Json& p) { p.erase("issuer"); })), StatusCode::kInvalidClaims);
  EXPECT_EQ(VerifyCode(ResignVeteran([](Json& p) { p.erase("iss"); })), StatusCode::kInvalidClaims);
  // Boundary: VCDM 2.0 allows issuer as an object with an id.
  EXPECT_EQ(VerifyCode(ResignVeteran([](Json& p) {
              p["issuer"] = {{"id", kVeteranIssuer}, {"name", "Ministry of Defence"}};
            })),
            StatusCode::kOk);
}

// ---- Validity ----

TEST_F(VcJwtTest, ExpiredByValidUntil) {
  // exp far away so that only validUntil can expire the credential.
  const std::string vc = ResignVeteran([](Json& p) { p["exp"] = kIssuedAt + 5 * kYear; });
  FixedClock clock(kValidUntil + 59);  // within the 60 s skew
  EXPECT_TRUE(VerifyVcJwt(vc, Options(), clock).ok());
  clock.Set(kValidUntil + 60);
  EXPECT_EQ(VerifyVcJwt(vc, Options(), clock).status().code(), StatusCode::kExpired);
}

TEST_F(VcJwtTest, ExpiredByExp) {
  const std::string vc = ResignVeteran([](Json& p) { p["exp"] = kIssuedAt + 100; });
  FixedClock clock(kIssuedAt + 159);
  EXPECT_TRUE(VerifyVcJwt(vc, Options(), clock).ok());
  clock.Set(kIssuedAt + 160);
  EXPECT_EQ(VerifyVcJwt(vc, Options(), clock).status().code(), StatusCode::kExpired);
}

TEST_F(VcJwtTest, SkewIsConfigurable) {
  const std::string vc = IssueVeteranCard();
  VerifyOptions options = Options();
  options.max_skew_seconds = 0;
  FixedClock clock(kValidUntil - 1);
  EXPECT_TRUE(VerifyVcJwt(vc, options, clock).ok());
  clock.Set(kValidUntil);
  EXPECT_EQ(VerifyVcJwt(vc, options, clock).status().code(), StatusCode::kExpired);
}

TEST_F(VcJwtTest, NotYetValidByValidFrom) {
  const std::string vc = ResignVeteran([](Json& p) { p["validFrom"] = "2025-11-26T10:16:40Z"; });  // +1000 s
  FixedClock clock(kIssuedAt + 939);
  EXPECT_EQ(VerifyVcJwt(vc, Options(), clock).status().code(), StatusCode::kNotYetValid);
  clock.Set(kIssuedAt + 940);
  EXPECT_TRUE(VerifyVcJwt(vc, Options(), clock).ok());
}

TEST_F(VcJwtTest, NotYetValidByNbfAndIat) {
  const std::string by_nbf = ResignVeteran([](Json& p) { p["nbf"] = kIssuedAt + 61; });
  EXPECT_EQ(VerifyCode(by_nbf), StatusCode::kNotYetValid);
  EXPECT_EQ(VerifyCode(ResignVeteran([](Json& p) { p["nbf"] = kIssuedAt + 60; })), StatusCode::kOk);
  EXPECT_EQ(VerifyCode(ResignVeteran([](Json& p) { p["iat"] = kIssuedAt + 61; })), StatusCode::kNotYetValid);
}

TEST_F(VcJwtTest, MissingValidityClaimsAreInvalidClaims) {
  EXPECT_EQ(VerifyCode(ResignVeteran([](Json& p) { p.erase("validUntil"); })), StatusCode::kInvalidClaims);
  EXPECT_EQ(VerifyCode(ResignVeteran([](Json& p) { p.erase("validFrom"); })), StatusCode::kInvalidClaims);
  EXPECT_EQ(VerifyCode(ResignVeteran([](Json& p) { p.erase("exp"); })), StatusCode::kInvalidClaims);
  EXPECT_EQ(VerifyCode(ResignVeteran([](Json& p) { p.erase("iat"); })), StatusCode::kInvalidClaims);
  EXPECT_EQ(VerifyCode(ResignVeteran([](Json& p) { p["validUntil"] = "2026-11-26T10:00:00"; })),
            StatusCode::kInvalidClaims);  // no time zone
  EXPECT_EQ(VerifyCode(ResignVeteran([](Json& p) { p["validUntil"] = kValidUntil; })),
            StatusCode::kInvalidClaims);  // a number, not a dateTime string
  EXPECT_EQ(VerifyCode(ResignVeteran([](Json& p) { p["validUntil"] = "2025-11-26T09:59:59Z"; })),
            StatusCode::kInvalidClaims);  // before validFrom
  // Boundary: nbf is optional, and an offset time zone is a valid dateTimeStamp.
  EXPECT_EQ(VerifyCode(ResignVeteran([](Json& p) { p.erase("nbf"); })), StatusCode::kOk);
  EXPECT_EQ(VerifyCode(ResignVeteran([](Json& p) { p["validUntil"] = "2026-11-26T11:00:00+01:00"; })),
            StatusCode::kOk);
}

// ---- Data model ----

TEST_F(VcJwtTest, ContextMustStartWithVcdm2) {
  EXPECT_EQ(VerifyCode(ResignVeteran([](Json& p) {
              p["@context"] = Json::array({"https://www.w3.org/2018/credentials/v1"});
            })),
            StatusCode::kInvalidType);
  EXPECT_EQ(VerifyCode(ResignVeteran([](Json& p) {
              p["@context"] = Json::array({"https://example.org/ctx", "https://www.w3.org/ns/credentials/v2"});
            })),
            StatusCode::kInvalidType);
  EXPECT_EQ(VerifyCode(ResignVeteran([](Json& p) { p.erase("@context"); })), StatusCode::kInvalidType);
  EXPECT_EQ(VerifyCode(ResignVeteran([](Json& p) { p["@context"] = "https://www.w3.org/ns/credentials/v2"; })),
            StatusCode::kInvalidClaims);
  // Boundary: further contexts after the base one are fine.
  EXPECT_EQ(VerifyCode(ResignVeteran([](Json& p) { p["@context"].push_back("https://example.org/ctx"); })),
            StatusCode::kOk);
}

TEST_F(VcJwtTest, WrongTypeIsInvalidType) {
  VerifyOptions options = Options();
  options.expected_type = "DigitalVeteranCard";
  auto dbs = IssueVcJwt(DbsRequest(), dbs_key_, clock_);
  ASSERT_TRUE(dbs.ok());
  options.AllowUncheckedStatus();
  EXPECT_EQ(VerifyCode(*dbs, options), StatusCode::kInvalidType);
  EXPECT_EQ(VerifyCode(ResignVeteran([](Json& p) { p["type"] = Json::array({"DigitalVeteranCard"}); }), options),
            StatusCode::kInvalidType);  // no VerifiableCredential
  EXPECT_EQ(VerifyCode(ResignVeteran([](Json& p) { p.erase("type"); }), options), StatusCode::kInvalidType);
  EXPECT_EQ(VerifyCode(ResignVeteran([](Json& p) { p["type"] = Json::array({"VerifiableCredential", 1}); }),
                       options),
            StatusCode::kInvalidClaims);
  // Boundary: the expected type anywhere in the list passes.
  EXPECT_EQ(VerifyCode(ResignVeteran([](Json& p) { p["type"].push_back("ExtraType"); }), options),
            StatusCode::kOk);
}

TEST_F(VcJwtTest, SubMustEqualCredentialSubjectId) {
  crypto::PrivateKey other = NewKey();
  const std::string other_did = HolderDid(other);
  EXPECT_EQ(VerifyCode(ResignVeteran([&](Json& p) { p["sub"] = other_did; })), StatusCode::kInvalidClaims);
  EXPECT_EQ(VerifyCode(ResignVeteran([&](Json& p) { p["credentialSubject"]["id"] = other_did; })),
            StatusCode::kInvalidClaims);
  EXPECT_EQ(VerifyCode(ResignVeteran([](Json& p) { p["credentialSubject"].erase("id"); })),
            StatusCode::kInvalidClaims);
  EXPECT_EQ(VerifyCode(ResignVeteran([](Json& p) { p.erase("sub"); })), StatusCode::kInvalidClaims);
  EXPECT_EQ(VerifyCode(ResignVeteran([](Json& p) { p.erase("credentialSubject"); })), StatusCode::kInvalidClaims);
  // Boundary: both changed together to the same DID is consistent (and still signed).
  EXPECT_EQ(VerifyCode(ResignVeteran([&](Json& p) {
              p["sub"] = other_did;
              p["credentialSubject"]["id"] = other_did;
            })),
            StatusCode::kOk);
}

// ---- Status ----

TEST_F(VcJwtTest, StatusCallbackErrorPropagates) {
  auto vc = IssueVcJwt(DbsRequest(), dbs_key_, clock_);
  ASSERT_TRUE(vc.ok());
  VerifyOptions options = Options();
  options.check_status = [](const Json&) { return Error(StatusCode::kRevoked, "revoked"); };
  EXPECT_EQ(VerifyCode(*vc, options), StatusCode::kRevoked);
  options.check_status = [](const Json&) { return Error(StatusCode::kSuspended, "suspended"); };
  EXPECT_EQ(VerifyCode(*vc, options), StatusCode::kSuspended);
  options.check_status = [](const Json&) { return Error(StatusCode::kStatusUnavailable, "list down"); };
  EXPECT_EQ(VerifyCode(*vc, options), StatusCode::kStatusUnavailable);
  options.check_status = [](const Json&) { return OkStatus(); };
  EXPECT_EQ(VerifyCode(*vc, options), StatusCode::kOk);
}

TEST_F(VcJwtTest, StatusWithoutCallbackIsStatusUnavailable) {
  auto vc = IssueVcJwt(DbsRequest(), dbs_key_, clock_);
  ASSERT_TRUE(vc.ok());
  EXPECT_EQ(VerifyCode(*vc), StatusCode::kStatusUnavailable);
  // Named relaxation.
  VerifyOptions relaxed = Options();
  relaxed.AllowUncheckedStatus();
  auto verified = VerifyVcJwt(*vc, relaxed, clock_);
  ASSERT_TRUE(verified.ok());
  EXPECT_TRUE(verified->has_status());
  EXPECT_FALSE(verified->status_checked());
  // Boundary: a credential without status needs no callback.
  EXPECT_EQ(VerifyCode(IssueVeteranCard()), StatusCode::kOk);
}

TEST_F(VcJwtTest, StatusIsCheckedOnlyForOtherwiseValidCredentials) {
  auto vc = IssueVcJwt(DbsRequest(), dbs_key_, clock_);
  ASSERT_TRUE(vc.ok());
  VerifyOptions options = Options();
  int calls = 0;
  options.check_status = [&](const Json&) {
    ++calls;
    return OkStatus();
  };
  FixedClock late(kValidUntil + 60);
  EXPECT_EQ(VerifyVcJwt(*vc, options, late).status().code(), StatusCode::kExpired);
  EXPECT_EQ(calls, 0);
}

TEST_F(VcJwtTest, MalformedStatusEntryIsInvalidClaims) {
  auto vc = IssueVcJwt(DbsRequest(), dbs_key_, clock_);
  ASSERT_TRUE(vc.ok());
  VerifyOptions options = Options();
  options.check_status = [](const Json&) { return OkStatus(); };
  auto edit = [&](const std::function<void(Json&)>& f) {
    return VerifyCode(Resign(*vc, dbs_key_, f), options);
  };
  EXPECT_EQ(edit([](Json& p) { p["credentialStatus"]["statusListIndex"] = 94567; }), StatusCode::kInvalidClaims);
  EXPECT_EQ(edit([](Json& p) { p["credentialStatus"]["statusListIndex"] = "-1"; }), StatusCode::kInvalidClaims);
  EXPECT_EQ(edit([](Json& p) { p["credentialStatus"].erase("statusListCredential"); }), StatusCode::kInvalidClaims);
  EXPECT_EQ(edit([](Json& p) { p["credentialStatus"].erase("type"); }), StatusCode::kInvalidClaims);
  EXPECT_EQ(edit([](Json& p) { p["credentialStatus"] = "revocation"; }), StatusCode::kInvalidClaims);
  EXPECT_EQ(edit([](Json& p) { p["credentialStatus"] = Json::array(); }), StatusCode::kInvalidClaims);
  // Boundary: a list of entries is allowed and each goes to the callback.
  int calls = 0;
  options.check_status = [&](const Json&) {
    ++calls;
    return OkStatus();
  };
  EXPECT_EQ(edit([](Json& p) {
              Json entry = p["credentialStatus"];
              entry["statusPurpose"] = "suspension";
              p["credentialStatus"] = Json::array({p["credentialStatus"], entry});
            }),
            StatusCode::kOk);
  EXPECT_EQ(calls, 2);
}

// ---- Issuance arguments ----

TEST_F(VcJwtTest, IssueRejectsInconsistentRequests) {
  auto code = [&](const std::function<void(VcJwtIssueRequest&)>& f) {
    VcJwtIssueRequest r = VeteranRequest();
    f(r);
    return IssueVcJwt(r, issuer_key_, clock_).status().code();
  };
  EXPECT_EQ(code([](VcJwtIssueRequest& r) { r.issuer = "https://veterans.example"; }), StatusCode::kInvalidArgument);
  EXPECT_EQ(code([](VcJwtIssueRequest& r) { r.issuer = "did:web:"; }), StatusCode::kInvalidArgument);
  EXPECT_EQ(code([](VcJwtIssueRequest& r) { r.kid = "did:web:other.example#key-1"; }), StatusCode::kInvalidArgument);
  EXPECT_EQ(code([](VcJwtIssueRequest& r) { r.kid = ""; }), StatusCode::kInvalidArgument);
  EXPECT_EQ(code([](VcJwtIssueRequest& r) { r.kid = "key-1#x"; }), StatusCode::kInvalidArgument);
  EXPECT_EQ(code([](VcJwtIssueRequest& r) { r.kid = std::string(kVeteranIssuer) + "#"; }),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(code([](VcJwtIssueRequest& r) { r.kid = "#"; }), StatusCode::kInvalidArgument);
  EXPECT_EQ(code([](VcJwtIssueRequest& r) { r.type = ""; }), StatusCode::kInvalidArgument);
  EXPECT_EQ(code([](VcJwtIssueRequest& r) { r.type = "VerifiableCredential"; }), StatusCode::kInvalidArgument);
  EXPECT_EQ(code([](VcJwtIssueRequest& r) { r.subject_claims = Json::array(); }), StatusCode::kInvalidArgument);
  EXPECT_EQ(code([](VcJwtIssueRequest& r) { r.subject_claims["id"] = "did:key:zSomeoneElse"; }),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(code([](VcJwtIssueRequest& r) { r.holder_key.reset(); }), StatusCode::kInvalidArgument);
  EXPECT_EQ(code([](VcJwtIssueRequest& r) { r.validity_seconds = 0; }), StatusCode::kInvalidArgument);
  EXPECT_EQ(code([](VcJwtIssueRequest& r) {
              r.status = BitstringStatusListEntry{"", "", 1, "https://example/status"};
            }),
            StatusCode::kInvalidArgument);
  // Boundaries: one second of validity, a full kid under the issuer, an id equal to the holder's.
  EXPECT_EQ(code([](VcJwtIssueRequest& r) { r.validity_seconds = 1; }), StatusCode::kOk);
  EXPECT_EQ(code([](VcJwtIssueRequest& r) { r.kid = std::string(kVeteranIssuer) + "#key-2025"; }),
            StatusCode::kOk);
  EXPECT_EQ(code([](VcJwtIssueRequest& r) { r.kid = "#key-2025"; }), StatusCode::kOk);
  EXPECT_EQ(code([&](VcJwtIssueRequest& r) { r.subject_claims["id"] = HolderDid(holder_); }), StatusCode::kOk);
  // Every supported holder key type has a did:key form (P-256, P-384, Ed25519).
  EXPECT_EQ(code([](VcJwtIssueRequest& r) { r.holder_key = NewKey(crypto::SignatureAlg::kES384).public_key(); }),
            StatusCode::kOk);
  EXPECT_EQ(code([](VcJwtIssueRequest& r) { r.holder_key = NewKey(crypto::SignatureAlg::kEdDSA).public_key(); }),
            StatusCode::kOk);
}

}  // namespace
}  // namespace bonafide::vcjwt
