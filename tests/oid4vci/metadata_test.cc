// Tests for oid4vci/metadata.h: Credential Issuer Metadata and Authorization Server Metadata.
#include "oid4vci/metadata.h"

#include <gtest/gtest.h>

namespace bonafide::oid4vci {
namespace {

// OpenID4VCI 1.0 Appendix I.1 ("Additional Credential Issuer Metadata Examples"): the long
// SD-JWT VC issuer metadata example, typed in from the spec.
constexpr const char* kSpecLongMetadata = R"({
  "credential_issuer": "https://credential-issuer.example.com",
  "authorization_servers": ["https://server.example.com"],
  "credential_endpoint": "https://credential-issuer.example.com/credential",
  "nonce_endpoint": "https://credential-issuer.example.com/nonce",
  "deferred_credential_endpoint": "https://credential-issuer.example.com/deferred_credential",
  "notification_endpoint": "https://credential-issuer.example.com/notification",
  "credential_request_encryption": {
    "jwks": {"keys": [{"kty":"EC", "kid":"ac", "use":"enc", "crv":"P-256", "alg":"ECDH-ES",
      "x":"YO4epjifD-KWeq1sL2tNmm36BhXnkJ0He-WqMYrp9Fk", "y":"Hekpm0zfK7C-YccH5iBjcIXgf6YdUvNUac_0At55Okk"}]},
    "enc_values_supported": ["A128GCM"], "zip_values_supported": ["DEF"], "encryption_required": true
  },
  "credential_response_encryption": {
    "alg_values_supported": ["ECDH-ES"], "enc_values_supported": ["A128GCM"],
    "zip_values_supported": ["DEF"], "encryption_required": true
  },
  "batch_credential_issuance": {"batch_size": 10},
  "display": [
    {"name": "Example University", "locale": "en-US",
     "logo": {"uri": "https://university.example.edu/public/logo.png", "alt_text":"a square logo of a university"}},
    {"name": "Example Université", "locale": "fr-FR",
     "logo": {"uri": "https://university.example.edu/public/logo.png", "alt_text":"Un logo universitaire carré"}}
  ],
  "credential_configurations_supported": {
    "SD_JWT_VC_example_in_OpenID4VCI": {
      "format": "dc+sd-jwt",
      "scope": "SD_JWT_VC_example_in_OpenID4VCI",
      "credential_signing_alg_values_supported": ["ES256"],
      "cryptographic_binding_methods_supported": ["jwk"],
      "proof_types_supported": {"jwt": {"proof_signing_alg_values_supported": ["ES256"],
        "key_attestations_required": {"key_storage": ["iso_18045_moderate"], "user_authentication": ["iso_18045_moderate"]}}},
      "vct": "SD_JWT_VC_example_in_OpenID4VCI",
      "credential_metadata": {
        "display": [{"name": "IdentityCredential", "locale": "en-US",
          "logo": {"uri": "https://university.example.edu/public/logo_credential.png",
                   "alt_text": "a square logo of a university credential"},
          "description": "A credential that signals the membership of a university",
          "background_color": "#12107c", "text_color": "#FFFFFF"}],
        "claims": [
          {"path": ["given_name"], "display": [{"name": "Given Name", "locale": "en-US"}, {"name": "Vorname", "locale": "de-DE"}]},
          {"path": ["family_name"], "display": [{"name": "Surname", "locale": "en-US"}, {"name": "Nachname", "locale": "de-DE"}]},
          {"path": ["email"]}, {"path": ["phone_number"]},
          {"path": ["address"], "display": [{"name": "Place of residence", "locale": "en-US"}, {"name": "Wohnsitz", "locale": "de-DE"}]},
          {"path": ["address", "street_address"]}, {"path": ["address", "locality"]},
          {"path": ["address", "region"]}, {"path": ["address", "country"]},
          {"path": ["birthdate"]}, {"path": ["is_over_18"]}, {"path": ["is_over_21"]}, {"path": ["is_over_65"]}
        ]
      }
    }
  }
})";

// Appendix A.1.1.2: the jwt_vc_json configuration example, inside a minimal issuer document.
constexpr const char* kSpecJwtVcJsonMetadata = R"({
  "credential_issuer": "https://university.example.edu",
  "credential_endpoint": "https://university.example.edu/credential",
  "credential_configurations_supported": {
    "UniversityDegreeCredential": {
      "format": "jwt_vc_json",
      "scope": "UniversityDegree",
      "cryptographic_binding_methods_supported": ["did:example"],
      "credential_signing_alg_values_supported": ["ES256"],
      "credential_definition": {"type": ["VerifiableCredential", "UniversityDegreeCredential"]},
      "proof_types_supported": {"jwt": {"proof_signing_alg_values_supported": ["ES256"]}},
      "credential_metadata": {
        "claims": [
          {"path": ["credentialSubject", "given_name"], "display": [{"name": "Given Name", "locale": "en-US"}]},
          {"path": ["credentialSubject", "family_name"], "display": [{"name": "Surname", "locale": "en-US"}]},
          {"path": ["credentialSubject", "degree"]},
          {"path": ["credentialSubject", "gpa"], "mandatory": true, "display": [{"name": "GPA"}]}
        ],
        "display": [{"name": "University Credential", "locale": "en-US",
          "logo": {"uri": "https://university.example.edu/public/logo.png", "alt_text": "a square logo of a university"},
          "background_color": "#12107c", "text_color": "#FFFFFF"}]
      }
    }
  }
})";

CredentialIssuerMetadata UkMetadata() {
  CredentialIssuerMetadata m;
  m.credential_issuer = "https://issuer.gov.uk";
  m.credential_endpoint = "https://issuer.gov.uk/credential";
  m.nonce_endpoint = "https://issuer.gov.uk/nonce";
  m.notification_endpoint = "https://issuer.gov.uk/notification";
  m.batch_size = 3;
  m.display = {{"GOV.UK", "en", std::nullopt}, {"GOV.UK (Cymraeg)", "cy", Logo{"https://issuer.gov.uk/logo.png", "Logo"}}};
  CredentialConfiguration mdl;
  mdl.format = CredentialFormat::kMsoMdoc;
  mdl.doctype = "org.iso.18013.5.1.mDL";
  mdl.cryptographic_binding_methods_supported = {"cose_key"};
  mdl.credential_signing_alg_values_supported = {int64_t{-7}};
  mdl.proof_types_supported["jwt"] = ProofTypeMetadata{{"ES256"}, std::nullopt};
  mdl.display = {CredentialDisplay{"Driving licence", "en", std::nullopt, "DVLA", "#00703c", "#ffffff", std::nullopt},
                 CredentialDisplay{"Trwydded yrru", "cy", std::nullopt, std::nullopt, std::nullopt, std::nullopt,
                                   "https://issuer.gov.uk/bg.png"}};
  ClaimDescription family;
  family.path = Json::array({"org.iso.18013.5.1", "family_name"});
  family.mandatory = true;
  family.display = {{"Surname", "en"}, {"Cyfenw", "cy"}};
  mdl.claims = {family};
  m.credential_configurations_supported["org.iso.18013.5.1.mDL"] = mdl;
  CredentialConfiguration vet;
  vet.format = CredentialFormat::kJwtVcJson;
  vet.credential_definition_type = {"VerifiableCredential", "DigitalVeteranCard"};
  vet.scope = "veteran";
  vet.cryptographic_binding_methods_supported = {"did:key"};
  vet.credential_signing_alg_values_supported = {std::string("ES256")};
  vet.proof_types_supported["jwt"] = ProofTypeMetadata{{"ES256", "EdDSA"}, std::nullopt};
  m.credential_configurations_supported["DigitalVeteranCard"] = vet;
  CredentialConfiguration id;
  id.format = CredentialFormat::kSdJwtVc;
  id.vct = "urn:uk:gov:digital-id:1";
  m.credential_configurations_supported["uk.gov.digital-id.1.sd-jwt"] = id;
  return m;
}

TEST(CredentialIssuerMetadataTest, ParsesSpecLongExample) {
  auto m = CredentialIssuerMetadata::Parse(kSpecLongMetadata);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->credential_issuer, "https://credential-issuer.example.com");
  EXPECT_EQ(m->authorization_servers, std::vector<std::string>{"https://server.example.com"});
  EXPECT_EQ(m->batch_size, 10);
  EXPECT_EQ(m->max_proofs(), 10u);
  ASSERT_EQ(m->display.size(), 2u);
  EXPECT_EQ(m->display[1].locale, "fr-FR");
  const CredentialConfiguration* c = m->FindConfiguration("SD_JWT_VC_example_in_OpenID4VCI");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->format, CredentialFormat::kSdJwtVc);
  EXPECT_EQ(c->vct, "SD_JWT_VC_example_in_OpenID4VCI");
  EXPECT_EQ(c->proof_types_supported.at("jwt").proof_signing_alg_values_supported, std::vector<std::string>{"ES256"});
  EXPECT_TRUE(c->proof_types_supported.at("jwt").key_attestations_required.has_value());
  EXPECT_EQ(c->claims.size(), 13u);
  EXPECT_EQ(c->display.at(0).text_color, "#FFFFFF");
  EXPECT_EQ(m->FindConfiguration("nope"), nullptr);
}

TEST(CredentialIssuerMetadataTest, ParsesSpecJwtVcJsonExample) {
  auto m = CredentialIssuerMetadata::Parse(kSpecJwtVcJsonMetadata);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  const CredentialConfiguration* c = m->FindConfiguration("UniversityDegreeCredential");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->credential_definition_type,
            (std::vector<std::string>{"VerifiableCredential", "UniversityDegreeCredential"}));
  EXPECT_EQ(c->claims.at(3).mandatory, true);
  EXPECT_EQ(m->max_proofs(), 1u);
}

TEST(CredentialIssuerMetadataTest, RoundTripsUkCatalogueWithWelsh) {
  const CredentialIssuerMetadata m = UkMetadata();
  const Json doc = m.ToJson();
  auto back = CredentialIssuerMetadata::FromJson(doc);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(DumpJson(back->ToJson()), DumpJson(doc));
  EXPECT_EQ(doc["credential_configurations_supported"]["org.iso.18013.5.1.mDL"]["credential_signing_alg_values_supported"][0], -7);
  EXPECT_EQ(doc["display"][1]["locale"], "cy");
  EXPECT_EQ(doc["batch_credential_issuance"]["batch_size"], 3);
  // The spec examples round-trip through the model too (modelled members only).
  auto spec = CredentialIssuerMetadata::Parse(kSpecLongMetadata);
  ASSERT_TRUE(spec.ok());
  auto spec_back = CredentialIssuerMetadata::FromJson(spec->ToJson());
  ASSERT_TRUE(spec_back.ok());
  EXPECT_EQ(DumpJson(spec_back->ToJson()), DumpJson(spec->ToJson()));
}

// Mutate applies `change` to the UK metadata document and parses it.
template <typename F>
Result<CredentialIssuerMetadata> Mutate(F change, const MetadataParseOptions& options = {}) {
  Json doc = UkMetadata().ToJson();
  change(doc);
  return CredentialIssuerMetadata::FromJson(doc, options);
}

Json& Mdl(Json& doc) { return doc["credential_configurations_supported"]["org.iso.18013.5.1.mDL"]; }

TEST(CredentialIssuerMetadataTest, RejectsBadTopLevelMembers) {
  EXPECT_EQ(Mutate([](Json& d) { d.erase("credential_endpoint"); }).status().code(), StatusCode::kInvalidClaims);
  EXPECT_EQ(Mutate([](Json& d) { d.erase("credential_issuer"); }).status().code(), StatusCode::kInvalidClaims);
  EXPECT_EQ(Mutate([](Json& d) { d["credential_issuer"] = "http://issuer.gov.uk"; }).status().code(),
            StatusCode::kInvalidClaims);
  EXPECT_EQ(Mutate([](Json& d) { d["credential_issuer"] = "https://issuer.gov.uk/?t=1"; }).status().code(),
            StatusCode::kInvalidClaims);
  EXPECT_EQ(Mutate([](Json& d) { d["nonce_endpoint"] = "ftp://issuer.gov.uk/nonce"; }).status().code(),
            StatusCode::kInvalidClaims);
  EXPECT_TRUE(Mutate([](Json& d) { d["credential_endpoint"] = "https://issuer.gov.uk:8443/c?v=1"; }).ok());
  EXPECT_EQ(Mutate([](Json& d) { d["credential_endpoint"] = "https://issuer.gov.uk:84x/c"; }).status().code(),
            StatusCode::kInvalidClaims);
  EXPECT_EQ(Mutate([](Json& d) { d["authorization_servers"] = Json::array(); }).status().code(),
            StatusCode::kInvalidClaims);
  EXPECT_EQ(Mutate([](Json& d) { d["display"] = Json::array(); }).status().code(), StatusCode::kInvalidClaims);
  EXPECT_EQ(Mutate([](Json& d) { d["display"][1]["locale"] = "en"; }).status().code(), StatusCode::kInvalidClaims);
  EXPECT_EQ(Mutate([](Json& d) { d["credential_configurations_supported"] = Json::object(); }).status().code(),
            StatusCode::kInvalidClaims);
  EXPECT_EQ(Mutate([](Json& d) { d["display"][0]["logo"] = Json::object(); }).status().code(),
            StatusCode::kInvalidClaims);
}

TEST(CredentialIssuerMetadataTest, BatchSizeBoundary) {
  EXPECT_TRUE(Mutate([](Json& d) { d["batch_credential_issuance"]["batch_size"] = 2; }).ok());
  EXPECT_EQ(Mutate([](Json& d) { d["batch_credential_issuance"]["batch_size"] = 1; }).status().code(),
            StatusCode::kInvalidClaims);
  EXPECT_EQ(Mutate([](Json& d) { d["batch_credential_issuance"] = Json::object(); }).status().code(),
            StatusCode::kInvalidClaims);
  EXPECT_EQ(Mutate([](Json& d) { d["batch_credential_issuance"]["batch_size"] = "3"; }).status().code(),
            StatusCode::kInvalidClaims);
}

TEST(CredentialIssuerMetadataTest, RejectsBadConfigurations) {
  auto code = [](auto change) { return Mutate(change).status().code(); };
  EXPECT_EQ(code([](Json& d) { Mdl(d).erase("doctype"); }), StatusCode::kInvalidClaims);
  EXPECT_EQ(code([](Json& d) { Mdl(d).erase("format"); }), StatusCode::kInvalidClaims);
  EXPECT_EQ(code([](Json& d) { d["credential_configurations_supported"]["uk.gov.digital-id.1.sd-jwt"].erase("vct"); }),
            StatusCode::kInvalidClaims);
  EXPECT_EQ(code([](Json& d) { d["credential_configurations_supported"]["DigitalVeteranCard"].erase("credential_definition"); }),
            StatusCode::kInvalidClaims);
  EXPECT_EQ(code([](Json& d) { d["credential_configurations_supported"]["DigitalVeteranCard"]["credential_definition"]["type"] = Json::array(); }),
            StatusCode::kInvalidClaims);
  EXPECT_EQ(code([](Json& d) { Mdl(d).erase("proof_types_supported"); }), StatusCode::kInvalidClaims);
  EXPECT_EQ(code([](Json& d) { Mdl(d).erase("cryptographic_binding_methods_supported"); }), StatusCode::kInvalidClaims);
  EXPECT_EQ(code([](Json& d) { Mdl(d)["proof_types_supported"]["jwt"]["proof_signing_alg_values_supported"] = Json::array(); }),
            StatusCode::kInvalidClaims);
  EXPECT_EQ(code([](Json& d) { Mdl(d)["credential_signing_alg_values_supported"] = Json::array({true}); }),
            StatusCode::kInvalidClaims);
  EXPECT_EQ(code([](Json& d) { Mdl(d)["credential_metadata"]["display"][0].erase("name"); }), StatusCode::kInvalidClaims);
  EXPECT_EQ(code([](Json& d) { Mdl(d)["credential_metadata"]["display"][1]["locale"] = "en"; }), StatusCode::kInvalidClaims);
  EXPECT_EQ(code([](Json& d) { Mdl(d)["format"] = "ldp_vc"; }), StatusCode::kInvalidClaims);
}

TEST(CredentialIssuerMetadataTest, UnknownFormatsIgnoredOnlyWhenAsked) {
  MetadataParseOptions options;
  options.ignore_unknown_formats = true;
  auto m = Mutate([](Json& d) { Mdl(d)["format"] = "ldp_vc"; }, options);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->FindConfiguration("org.iso.18013.5.1.mDL"), nullptr);
  EXPECT_NE(m->FindConfiguration("DigitalVeteranCard"), nullptr);
}

TEST(CredentialIssuerMetadataTest, ClaimsDescriptionsMustNotRepeatOrContradict) {
  auto with_claims = [](Json claims) {
    return Mutate([&](Json& d) { Mdl(d)["credential_metadata"]["claims"] = claims; });
  };
  EXPECT_TRUE(with_claims(Json::parse(R"([{"path":["a"]},{"path":["a","b"]},{"path":["c",0]},{"path":["c",1]}])")).ok());
  EXPECT_TRUE(with_claims(Json::parse(R"([{"path":["a",null,"x"]},{"path":["a",null,"y"]}])")).ok());
  EXPECT_EQ(with_claims(Json::parse(R"([{"path":["a","b"]},{"path":["a","b"]}])")).status().code(),
            StatusCode::kInvalidClaims);
  EXPECT_EQ(with_claims(Json::parse(R"([{"path":["a",null]},{"path":["a",0]}])")).status().code(),
            StatusCode::kInvalidClaims);
  EXPECT_EQ(with_claims(Json::parse(R"([{"path":["a",0]},{"path":["a","b"]}])")).status().code(),
            StatusCode::kInvalidClaims);
  EXPECT_EQ(with_claims(Json::parse(R"([{"path":[]}])")).status().code(), StatusCode::kInvalidClaims);
  EXPECT_EQ(with_claims(Json::parse(R"([{"path":["a",-1]}])")).status().code(), StatusCode::kInvalidClaims);
  EXPECT_EQ(with_claims(Json::parse(R"([{"path":["a",true]}])")).status().code(), StatusCode::kInvalidClaims);
  EXPECT_EQ(with_claims(Json::parse(R"([{"mandatory":true}])")).status().code(), StatusCode::kInvalidClaims);
  EXPECT_EQ(with_claims(Json::parse(R"([{"path":["a"],"mandatory":"yes"}])")).status().code(),
            StatusCode::kInvalidClaims);
  EXPECT_EQ(with_claims(Json::parse(R"([{"path":["a"],"display":[{"locale":"en"},{"locale":"en"}]}])")).status().code(),
            StatusCode::kInvalidClaims);
}

TEST(AuthorizationServerMetadataTest, RoundTripsAndRejects) {
  AuthorizationServerMetadata as;
  as.issuer = "https://issuer.gov.uk";
  as.token_endpoint = "https://issuer.gov.uk/token";
  as.pre_authorized_grant_anonymous_access_supported = true;
  as.grant_types_supported = {"urn:ietf:params:oauth:grant-type:pre-authorized_code"};
  const Json doc = as.ToJson();
  EXPECT_EQ(doc["pre-authorized_grant_anonymous_access_supported"], true);
  auto back = AuthorizationServerMetadata::FromJson(doc);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(DumpJson(back->ToJson()), DumpJson(doc));

  Json bad = doc;
  bad["pre-authorized_grant_anonymous_access_supported"] = "true";
  EXPECT_EQ(AuthorizationServerMetadata::FromJson(bad).status().code(), StatusCode::kInvalidClaims);
  bad = doc;
  bad.erase("token_endpoint");
  EXPECT_EQ(AuthorizationServerMetadata::FromJson(bad).status().code(), StatusCode::kInvalidClaims);
  bad = doc;
  bad["issuer"] = "http://localhost:8080";
  EXPECT_EQ(AuthorizationServerMetadata::FromJson(bad).status().code(), StatusCode::kInvalidClaims);
  bad["token_endpoint"] = "http://localhost:8080/token";
  EXPECT_TRUE(AuthorizationServerMetadata::FromJson(bad, true).ok());
}

TEST(CredentialFormatTest, Names) {
  for (CredentialFormat f : {CredentialFormat::kSdJwtVc, CredentialFormat::kMsoMdoc, CredentialFormat::kJwtVcJson}) {
    EXPECT_EQ(ParseCredentialFormat(CredentialFormatName(f)), f);
  }
  EXPECT_EQ(CredentialFormatName(CredentialFormat::kSdJwtVc), "dc+sd-jwt");
  EXPECT_FALSE(ParseCredentialFormat("vc+sd-jwt").has_value());
}

}  // namespace
}  // namespace bonafide::oid4vci
