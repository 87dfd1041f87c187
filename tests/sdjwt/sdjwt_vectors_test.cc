// RFC 9901, SD-JWT VC draft and sd-jwt-python vectors (tests/vectors/sd-jwt).
#include <gtest/gtest.h>

#include "base/clock.h"
#include "base/encoding.h"
#include "crypto/hash.h"
#include "common/test_util.h"
#include "crypto/keys.h"
#include "crypto/random.h"
#include "jose/jws.h"
#include "sdjwt/sdjwt.h"

namespace bonafide::sdjwt {
namespace {

using testing::LoadVector;

crypto::PublicKey Key(const Json& jwk) {
  auto k = crypto::PublicKey::FromJwk(jwk);
  EXPECT_TRUE(k.ok()) << k.status().ToString();
  return *k;
}

// Verifies the issuer signature and returns the processed payload of the issuance form with all
// disclosures (bypasses key binding, which the issuance form does not carry).
Json ProcessIssuance(const std::string& issuance, const Json& issuer_jwk) {
  auto sd = UnverifiedSdJwt::Parse(issuance);
  EXPECT_TRUE(sd.ok());
  auto jws = jose::UnverifiedJws::Parse(sd->issuer_jwt());
  EXPECT_TRUE(jws.ok());
  auto verified = jose::VerifyJws(*jws, Key(issuer_jwk));
  EXPECT_TRUE(verified.ok()) << verified.status().ToString();
  auto payload = ParseJsonObject(AsStringView(verified->payload()));
  EXPECT_TRUE(payload.ok());
  auto processed = ProcessPayload(*payload, sd->disclosures());
  EXPECT_TRUE(processed.ok()) << processed.status().ToString();
  return processed.ok() ? *processed : Json();
}

std::vector<std::string> DisclosureStrings(const Json& list) {
  std::vector<std::string> out;
  for (const auto& d : list) out.push_back(d.is_string() ? d.get<std::string>() : d["disclosure"].get<std::string>());
  return out;
}

TEST(SdJwtVectors, Section4DisclosureDigests) {
  Json v = LoadVector("sd-jwt/rfc9901-examples/section4-disclosure-basics.json");
  ASSERT_FALSE(v["vectors"].empty());
  for (const auto& vec : v["vectors"]) {
    auto d = ParseDisclosure(vec["disclosure"].get<std::string>(), crypto::HashAlg::kSha256);
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    EXPECT_EQ(d->digest, vec["digest_sha256_b64url"].get<std::string>());
  }
}

TEST(SdJwtVectors, Section5IssuanceAllDisclosed) {
  Json v = LoadVector("sd-jwt/rfc9901-examples/section5-main-example.json");
  EXPECT_EQ(ProcessIssuance(v["sd_jwt_issuance"], v["issuer_public_jwk"]), v["expected_processed_payload_all_disclosed"]);
}

// Verifies a presentation object of the vector files (value or sd_jwt_kb, optional kb_jwt).
void CheckPresentation(const Json& p, const Json& issuer_jwk, bool allow_missing_exp = false) {
  std::string value = p.contains("sd_jwt_kb") ? p["sd_jwt_kb"].get<std::string>() : p["value"].get<std::string>();
  int64_t now = 1700000000;
  if (p.contains("kb_jwt")) now = p["kb_jwt"]["payload"]["iat"].get<int64_t>() + 5;
  FixedClock clock(now);
  VerifyOptions options(clock);
  if (allow_missing_exp) options.AllowMissingExpiry();
  options.AllowUncheckedStatus();
  if (p.contains("expected_nonce")) options.ExpectKeyBinding(p["expected_nonce"], p["expected_aud"]);
  auto sd = UnverifiedSdJwt::Parse(value);
  ASSERT_TRUE(sd.ok()) << sd.status().ToString();
  if (p.contains("kb_jwt")) {
    EXPECT_EQ(Base64UrlEncode(crypto::Sha256(AsBytes(sd->SdHashInput()))),
              p["kb_jwt"]["expected_sd_hash"].get<std::string>());
  }
  auto verified = VerifySdJwt(*sd, Key(issuer_jwk), options);
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(verified->claims(), p["expected_processed_payload"]);
  EXPECT_EQ(verified->key_bound(), p.contains("kb_jwt"));
}

TEST(SdJwtVectors, Section5PresentationWithKeyBinding) {
  Json v = LoadVector("sd-jwt/rfc9901-examples/section5-main-example.json");
  CheckPresentation(v["presentation"], v["issuer_public_jwk"]);
}

TEST(SdJwtVectors, Section6NestedVariants) {
  Json v = LoadVector("sd-jwt/rfc9901-examples/section6-nested-examples.json");
  ASSERT_GE(v["variants"].size(), 3u);
  for (const auto& variant : v["variants"]) {
    auto processed = ProcessPayload(variant["sd_jwt_payload"], DisclosureStrings(variant["disclosures"]));
    ASSERT_TRUE(processed.ok()) << variant["name"] << ": " << processed.status().ToString();
    EXPECT_EQ(*processed, variant["expected_processed_payload_all_disclosed"]) << variant["name"];
  }
}

TEST(SdJwtVectors, AppendixExamples) {
  for (const char* file : {"appendix-a1-simple-structured.json", "appendix-a2-complex-ekyc.json",
                           "appendix-a3-sd-jwt-vc-pid.json", "appendix-a4-w3c-vcdm2.json"}) {
    SCOPED_TRACE(file);
    Json v = LoadVector(std::string("sd-jwt/rfc9901-examples/") + file);
    std::string issuance = v.contains("sd_jwt_issuance")
                               ? v["sd_jwt_issuance"].get<std::string>()
                               : v["issuer_signed_jwt"].get<std::string>() + "~";
    if (!v.contains("sd_jwt_issuance")) {
      for (const auto& d : DisclosureStrings(v["disclosures"])) issuance += d + "~";
    }
    EXPECT_EQ(ProcessIssuance(issuance, v["issuer_public_jwk"]), v["expected_processed_payload_all_disclosed"]);
    CheckPresentation(v["presentation"], v["issuer_public_jwk"], /*allow_missing_exp=*/true);
  }
}

TEST(SdJwtVectors, JsonSerialization) {
  Json v = LoadVector("sd-jwt/rfc9901-examples/section8-json-serialization.json");
  // Flattened issuance: all disclosed.
  auto issuance = UnverifiedSdJwt::ParseJsonSerialization(v["flattened_issuance"]["value"].dump());
  ASSERT_TRUE(issuance.ok()) << issuance.status().ToString();
  EXPECT_EQ(ProcessIssuance(issuance->Serialize(), v["issuer_public_jwk"]),
            v["flattened_issuance"]["expected_processed_payload_all_disclosed"]);
  // Flattened and general presentations with KB-JWT.
  for (const char* which : {"flattened_presentation", "general_presentation"}) {
    SCOPED_TRACE(which);
    const Json& p = v[which];
    auto sd = UnverifiedSdJwt::ParseJsonSerialization(p["value"].dump());
    ASSERT_TRUE(sd.ok()) << sd.status().ToString();
    EXPECT_EQ(sd->SdHashInput(), p["sd_hash_input_compact"].get<std::string>());
    FixedClock clock(p["kb_jwt_payload"]["iat"].get<int64_t>() + 1);
    VerifyOptions options(clock);
    options.ExpectKeyBinding(p["kb_jwt_payload"]["nonce"], p["kb_jwt_payload"]["aud"]);
    auto verified = VerifySdJwt(*sd, Key(v["issuer_public_jwk"]), options);
    ASSERT_TRUE(verified.ok()) << verified.status().ToString();
    EXPECT_EQ(verified->claims(), p["expected_processed_payload"]);
  }
  // The general form's second signature verifies with the second issuer key.
  auto general = UnverifiedSdJwt::ParseJsonSerialization(v["general_presentation"]["value"].dump());
  ASSERT_TRUE(general.ok());
  ASSERT_EQ(general->extra_signatures().size(), 1u);
  const auto& [prot, sig] = general->extra_signatures()[0];
  std::string payload = v["general_presentation"]["value"]["payload"];
  auto second = jose::UnverifiedJws::Parse(prot + "." + payload + "." + sig);
  ASSERT_TRUE(second.ok());
  auto second_ok = jose::VerifyJws(*second, Key(v["second_issuer_public_jwk_kid_issuer-key-2"]));
  EXPECT_TRUE(second_ok.ok()) << second_ok.status().ToString();
  EXPECT_EQ(jose::VerifyJws(*second, Key(v["issuer_public_jwk"])).status().code(), StatusCode::kInvalidSignature);
}

TEST(SdJwtVectors, SdJwtVcDraftExamples) {
  Json a1 = LoadVector("sd-jwt/sd-jwt-vc-draft-examples/appendix-a1-pid.json");
  EXPECT_EQ(ProcessIssuance(a1["sd_jwt_issuance"], a1["issuer_public_jwk"]), a1["expected_processed_payload_all_disclosed"]);
  CheckPresentation(a1["presentation"], a1["issuer_public_jwk"], /*allow_missing_exp=*/true);
  Json s23 = LoadVector("sd-jwt/sd-jwt-vc-draft-examples/section2.3-example.json");
  EXPECT_EQ(ProcessIssuance(s23["sd_jwt_issuance"], s23["issuer_public_jwk"]),
            s23["expected_processed_payload_all_disclosed"]);
  CheckPresentation(s23["presentation_with_kb"], s23["issuer_public_jwk"], true);
  CheckPresentation(s23["presentation_without_kb"], s23["issuer_public_jwk"], true);
}

TEST(SdJwtVectors, DerivedNegativeCases) {
  Json v = LoadVector("sd-jwt/derived-negative-cases.json");
  const std::map<std::string, StatusCode> expected = {
      {"issuer_signature_bit_flipped", StatusCode::kInvalidSignature},
      {"kb_jwt_signature_bit_flipped", StatusCode::kInvalidSignature},
      {"disclosure_removed_after_kb", StatusCode::kDigestMismatch},
      {"disclosure_added_after_kb", StatusCode::kDigestMismatch},
      {"wrong_nonce", StatusCode::kNonceMismatch},
      {"wrong_aud", StatusCode::kAudienceMismatch},
      {"tampered_disclosure_unreferenced", StatusCode::kUnreferencedDisclosure},
      {"duplicate_disclosure", StatusCode::kDuplicateDisclosure},
      {"kb_required_but_missing", StatusCode::kMissingKeyBinding},
  };
  ASSERT_EQ(v["cases"].size(), expected.size());
  Json base = LoadVector("sd-jwt/rfc9901-examples/section5-main-example.json");
  FixedClock clock(base["presentation"]["kb_jwt"]["payload"]["iat"].get<int64_t>() + 5);
  for (const auto& c : v["cases"]) {
    std::string name = c["name"];
    SCOPED_TRACE(name);
    VerifyOptions options(clock);
    options.ExpectKeyBinding(c.value("verifier_nonce", v["default_expected_nonce"].get<std::string>()),
                             c.value("verifier_aud", v["default_expected_aud"].get<std::string>()));
    auto sd = UnverifiedSdJwt::Parse(c["value"].get<std::string>());
    ASSERT_TRUE(sd.ok());
    auto result = VerifySdJwt(*sd, Key(v["issuer_public_jwk"]), options);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.status().code(), expected.at(name)) << result.status().ToString();
  }
}

// ---- sd-jwt-python behaviour test cases: issue with bonafide, present, verify ----

// Converts {"!sd": v} annotations into plain claims plus the list of disclosable paths.
Json Strip(const Json& annotated, const ClaimPath& path, std::vector<ClaimPath>& sd) {
  if (annotated.is_object() && annotated.size() == 1 && annotated.contains("!sd")) {
    sd.push_back(path);
    return Strip(annotated["!sd"], path, sd);
  }
  if (annotated.is_object()) {
    Json out = Json::object();
    for (const auto& [k, val] : annotated.items()) out[k] = Strip(val, path.Child(k), sd);
    return out;
  }
  if (annotated.is_array()) {
    Json out = Json::array();
    for (size_t i = 0; i < annotated.size(); ++i) out.push_back(Strip(annotated[i], path.Child(i), sd));
    return out;
  }
  return annotated;
}

// Turns the holder_disclosed_claims mirror into reveal paths (true entries; others descend).
void RevealPaths(const Json& hdc, const ClaimPath& path, std::vector<ClaimPath>& out) {
  if (hdc.is_boolean()) {
    if (hdc.get<bool>()) out.push_back(path);
  } else if (hdc.is_object()) {
    for (const auto& [k, val] : hdc.items()) RevealPaths(val, path.Child(k), out);
  } else if (hdc.is_array()) {
    for (size_t i = 0; i < hdc.size(); ++i) RevealPaths(hdc[i], path.Child(i), out);
  }
}

TEST(SdJwtVectors, SdJwtPythonTestcases) {
  Json tc = LoadVector("sd-jwt/sd-jwt-python-testcases/testcases.json");
  const Json& settings = tc["settings"];
  auto issuer = crypto::PrivateKey::FromJwk(settings["key_settings"]["issuer_keys"][0]);
  auto holder = crypto::PrivateKey::FromJwk(settings["key_settings"]["holder_key"]);
  ASSERT_TRUE(issuer.ok() && holder.ok());
  const std::string iss = settings["identifiers"]["issuer"];
  const std::string aud = settings["identifiers"]["verifier"];
  const std::string nonce = settings["key_binding_nonce"];
  ASSERT_GE(tc["cases"].size(), 17u);
  for (const auto& [name, c] : tc["cases"].items()) {
    SCOPED_TRACE(name);
    std::vector<ClaimPath> sd_paths;
    Json claims = Strip(c["user_claims_annotated"], ClaimPath(), sd_paths);
    ASSERT_EQ(claims, c["user_claims_plain"]);
    claims["iss"] = iss;
    bool kb = c.value("key_binding", false);
    if (kb) claims["cnf"] = Json{{"jwk", holder->public_key().ToJwk()}};
    Json header = {{"typ", "testcase+sd-jwt"}};
    if (c.contains("extra_header_parameters")) header.update(c["extra_header_parameters"]);
    IssueOptions options;
    options.disclosable = sd_paths;
    auto issued = IssueSdJwt(claims, header, options, *issuer, crypto::SystemRandom());
    ASSERT_TRUE(issued.ok()) << issued.status().ToString();
    auto parsed = UnverifiedSdJwt::Parse(*issued);
    ASSERT_TRUE(parsed.ok());

    // The issuance form with everything disclosed gives back the plain claims.
    FixedClock clock(1700000000);
    if (!kb) {
      VerifyOptions all(clock);
      all.AllowMissingExpiry();
      auto everything = VerifySdJwt(*parsed, issuer->public_key(), all);
      ASSERT_TRUE(everything.ok()) << everything.status().ToString();
      Json want_all = c["user_claims_plain"];
      want_all["iss"] = iss;
      EXPECT_EQ(everything->claims(), want_all);
    }

    std::vector<ClaimPath> reveal;
    RevealPaths(c["holder_disclosed_claims"], ClaimPath(), reveal);
    std::optional<KeyBindingRequest> kbr;
    if (kb) kbr = KeyBindingRequest{&*holder, aud, nonce, clock.NowSeconds()};
    auto presented = Present(*parsed, reveal, kbr);
    ASSERT_TRUE(presented.ok()) << presented.status().ToString();
    auto presentation = UnverifiedSdJwt::Parse(*presented);
    ASSERT_TRUE(presentation.ok());
    VerifyOptions options_v(clock);
    options_v.AllowMissingExpiry().ExpectKeyBinding(nonce, aud);
    auto verified = VerifySdJwt(*presentation, issuer->public_key(), options_v);
    ASSERT_TRUE(verified.ok()) << verified.status().ToString();
    Json want = c["expect_verified_user_claims"];
    want["iss"] = iss;
    if (kb) want["cnf"] = claims["cnf"];
    EXPECT_EQ(verified->claims(), want);
    Json want_header = header;
    want_header["alg"] = "ES256";
    EXPECT_EQ(verified->header(), want_header);
  }
}

}  // namespace
}  // namespace bonafide::sdjwt
