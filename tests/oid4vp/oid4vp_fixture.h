// tests/oid4vp/oid4vp_fixture.h: a verifier with an x509_san_dns access certificate, and one
// credential of each format (dc+sd-jwt, mso_mdoc, jwt_vc_json) held by a wallet, for the
// OpenID4VP request and response tests.
#ifndef BONAFIDE_TESTS_OID4VP_OID4VP_FIXTURE_H_
#define BONAFIDE_TESTS_OID4VP_OID4VP_FIXTURE_H_

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/encoding.h"
#include "base/json.h"
#include "crypto/keys.h"
#include "crypto/random.h"
#include "crypto/x509.h"
#include "crypto/x509_builder.h"
#include "jose/jwk.h"
#include "jose/jws.h"
#include "mdoc/holder.h"
#include "mdoc/iaca.h"
#include "oid4vp/dcql.h"
#include "oid4vp/presentation.h"
#include "oid4vp/request.h"
#include "oid4vp/response.h"
#include "sdjwt/sdjwt.h"
#include "sdjwt/sdjwt_vc.h"
#include "tests/mdoc/mdoc_fixture.h"
#include "tests/vcjwt/test_util.h"
#include "vcjwt/vc_jwt.h"

namespace bonafide::oid4vp::testing {

inline constexpr char kHost[] = "verifier.example.gov.uk";
inline constexpr char kClientId[] = "x509_san_dns:verifier.example.gov.uk";
inline constexpr char kResponseUri[] = "https://verifier.example.gov.uk/oid4vp/response";
inline constexpr char kRequestUri[] = "https://verifier.example.gov.uk/oid4vp/request/abc";
inline constexpr char kNonce[] = "Zt4qX7cV1bN9mL2kP8sD3f";  // 22 characters
inline constexpr char kState[] = "st-4f9a0c";
inline constexpr char kEncKid[] = "enc-1";
inline constexpr char kVct[] = "https://credentials.gov.uk/digital-id";
inline constexpr char kSdJwtIss[] = "https://issuer.gov.uk";
inline constexpr int64_t kNow = mdoc::testing::kNow;

inline crypto::PrivateKey NewKey() { return crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256).value(); }

// AccessPki is a verifier root CA and an access certificate for `host` (dNSName SANs `names`).
struct AccessPki {
  crypto::PrivateKey root_key = NewKey();
  crypto::Certificate root;
  crypto::PrivateKey access_key = NewKey();
  crypto::Certificate leaf;

  explicit AccessPki(const std::vector<std::string>& names = {kHost})
      : root(MakeRoot(root_key)), leaf(MakeLeaf(names)) {}

  static crypto::Certificate MakeRoot(const crypto::PrivateKey& key) {
    crypto::CertificateTemplate t;
    t.subject = {{"C", "GB"}, {"CN", "bonafide test RP root"}};
    t.not_before = kNow - 86400;
    t.not_after = kNow + 365 * 86400;
    t.is_ca = true;
    t.key_usage.key_cert_sign = true;
    t.key_usage.crl_sign = true;
    return crypto::CreateSelfSignedCertificate(t, key).value();
  }
  crypto::Certificate MakeLeaf(const std::vector<std::string>& names) const {
    crypto::CertificateTemplate t;
    t.subject = {{"C", "GB"}, {"CN", "verifier access"}};
    t.not_before = kNow - 86400;
    t.not_after = kNow + 90 * 86400;
    t.key_usage.digital_signature = true;
    t.dns_names = names;
    return crypto::IssueCertificate(t, access_key.public_key(), root, root_key).value();
  }
  std::vector<Bytes> chain() const { return {leaf.der(), root.der()}; }
};

// PidQuery asks for given_name and family_name of an SD-JWT VC digital ID.
inline DcqlQuery SdJwtQuery(std::vector<std::string> claims = {"given_name", "family_name"}) {
  CredentialQuery q;
  q.id = "pid";
  q.format = std::string(kFormatSdJwtVc);
  q.meta.vct_values = std::vector<std::string>{kVct};
  std::vector<ClaimsQuery> cq;
  for (const auto& c : claims) cq.push_back(ClaimsQuery{.id = std::nullopt, .path = {c}});
  q.claims = std::move(cq);
  return DcqlQuery{.credentials = {q}, .credential_sets = std::nullopt};
}

// MdlQuery asks for family_name and age_over_18 of an mDL.
inline DcqlQuery MdlQuery() {
  CredentialQuery q;
  q.id = "mdl";
  q.format = std::string(kFormatMsoMdoc);
  q.meta.doctype_value = std::string(mdoc::kMdlDocType);
  q.claims = std::vector<ClaimsQuery>{
      ClaimsQuery{.id = std::nullopt, .path = {std::string(mdoc::kMdlNameSpace), std::string("family_name")}},
      ClaimsQuery{.id = std::nullopt, .path = {std::string(mdoc::kMdlNameSpace), std::string("age_over_18")}}};
  return DcqlQuery{.credentials = {q}, .credential_sets = std::nullopt};
}

// VeteranQuery asks for the veteran card's name.
inline DcqlQuery VeteranQuery() {
  CredentialQuery q;
  q.id = "veteran";
  q.format = std::string(kFormatJwtVcJson);
  q.meta.type_values = std::vector<std::vector<std::string>>{{"DigitalVeteranCard"}};
  q.claims = std::vector<ClaimsQuery>{
      ClaimsQuery{.id = std::nullopt, .path = {std::string("credentialSubject"), std::string("name")}}};
  return DcqlQuery{.credentials = {q}, .credential_sets = std::nullopt};
}

// World is a verifier and a wallet with one credential of each format.
class World {
 public:
  World() : clock_(kNow) {
    // dc+sd-jwt
    sdjwt::SdJwtVcIssueRequest r;
    r.iss = kSdJwtIss;
    r.vct = kVct;
    r.claims = {{"given_name", "Adaeze"},
                {"family_name", "Okafor"},
                {"birth_date", "1990-04-12"},
                {"address", {{"locality", "Leeds"}, {"postal_code", "LS1 4AP"}}}};
    r.holder_key = holder_.public_key();
    r.status = sdjwt::StatusListReference{12, "https://issuer.gov.uk/status/3"};
    r.disclosure.all_disclosable = true;
    FixedClock issued_at(kNow - 86400);
    sd_jwt_ = sdjwt::IssueSdJwtVc(r, sd_issuer_, issued_at, crypto::SystemRandom()).value();
    held_sd_jwt_ = std::make_unique<sdjwt::HeldSdJwt>(sdjwt::HeldSdJwt::FromIssuance(sd_jwt_).value());
    sd_trust_.issuer_key = sd_issuer_.public_key();
    // mso_mdoc
    mdoc_ = std::make_unique<mdoc::testing::Issued>(mdoc::testing::MakeIssued());
    held_mdoc_ = std::make_unique<mdoc::HeldMdoc>(mdoc::HeldMdoc::FromIssuerSigned(mdoc_->issuer_signed).value());
    iaca_ = mdoc::IacaTrustStore::Create({mdoc_->iaca}).value();
    // jwt_vc_json
    vcjwt::VcJwtIssueRequest v;
    v.issuer = vcjwt::testing::kVeteranIssuer;
    v.kid = "key-1";
    v.type = "DigitalVeteranCard";
    v.subject_claims = vcjwt::testing::VeteranCardSubject();
    v.holder_key = holder_.public_key();
    v.validity_seconds = 365 * 86400;
    vc_jwt_ = vcjwt::IssueVcJwt(v, vc_issuer_, issued_at).value();
    did_documents_ = {vcjwt::testing::DidDocument(
        vcjwt::testing::kVeteranIssuer,
        {vcjwt::testing::VerificationMethod(vcjwt::testing::kVeteranIssuer, "key-1", vc_issuer_.public_key())})};
  }

  RequestParams Params(DcqlQuery query, ResponseMode mode = ResponseMode::kDirectPostJwt) const {
    RequestParams p;
    p.host = kHost;
    p.response_mode = mode;
    p.response_uri = kResponseUri;
    p.nonce = kNonce;
    p.state = kState;
    p.dcql_query = std::move(query);
    if (mode == ResponseMode::kDirectPostJwt) {
      p.encryption_key = enc_key_.public_key();
      p.encryption_kid = kEncKid;
    }
    p.verifier_info = {VerifierInfo{.format = "jwt", .data = "eyJhbGciOiJFUzI1NiJ9.e30.sig", .credential_ids = std::nullopt}};
    return p;
  }

  std::string Request(const RequestParams& params) const {
    auto jws = CreateRequestObject(params, pki_.access_key, pki_.chain(), clock_);
    EXPECT_TRUE(jws.ok()) << jws.status().ToString();
    return jws.ok() ? *jws : std::string();
  }

  RequestVerifyOptions VerifyOptions() const {
    RequestVerifyOptions o;
    o.clock = &clock_;
    return o;
  }

  VerifiedRequest Verified(const RequestParams& params) const {
    auto v = VerifyRequestObject(Request(params), kClientId, VerifyOptions());
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return std::move(v).value();
  }

  VerificationContext Context(const PresentationBinding& binding) const {
    VerificationContext c;
    c.binding = binding;
    c.clock = &clock_;
    c.sd_jwt_trust = &sd_trust_;
    c.iaca = iaca_.get();
    c.did_documents = &did_documents_;
    return c;
  }

  ResponseParseOptions ParseOptions(ResponseMode mode) const {
    ResponseParseOptions o;
    o.expected_mode = mode;
    if (mode == ResponseMode::kDirectPostJwt) {
      o.decryption_key = &enc_key_;
      o.expected_kid = kEncKid;
    }
    o.expected_state = kState;
    return o;
  }

  // Resign re-signs the Request Object `jws` with `signer` after editing its payload / header.
  std::string Resign(const std::string& jws, const std::function<void(Json&)>& edit_payload,
                     const std::function<void(Json&)>& edit_header = nullptr,
                     const crypto::Signer* signer = nullptr) const {
    auto parsed = jose::UnverifiedJws::Parse(jws);
    EXPECT_TRUE(parsed.ok());
    Json header = parsed->unverified_header();
    Json claims = ParseJsonObject(AsStringView(parsed->unverified_payload())).value();
    if (edit_payload) edit_payload(claims);
    if (edit_header) edit_header(header);
    return jose::SignJwt(header, claims, signer != nullptr ? *signer : pki_.access_key).value();
  }

  FixedClock clock_;
  AccessPki pki_;
  crypto::PrivateKey enc_key_ = NewKey();
  crypto::PrivateKey holder_ = NewKey();
  crypto::PrivateKey sd_issuer_ = NewKey();
  crypto::PrivateKey vc_issuer_ = NewKey();
  std::string sd_jwt_;
  std::unique_ptr<sdjwt::HeldSdJwt> held_sd_jwt_;
  sdjwt::SdJwtVcTrust sd_trust_;
  std::unique_ptr<mdoc::testing::Issued> mdoc_;
  std::unique_ptr<mdoc::HeldMdoc> held_mdoc_;
  std::unique_ptr<mdoc::IacaTrustStore> iaca_;
  std::string vc_jwt_;
  std::vector<Json> did_documents_;
};

}  // namespace bonafide::oid4vp::testing

#endif  // BONAFIDE_TESTS_OID4VP_OID4VP_FIXTURE_H_
