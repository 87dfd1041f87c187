// Tests for oid4vp/dcql.h: DCQL parsing and validation (OpenID4VP 1.0 section 6), claims path
// pointers (section 7), matching wallet credentials and resolving credential_sets.
#include "oid4vp/dcql.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace bonafide::oid4vp {
namespace {

constexpr const char* kIdentityVct = "https://credentials.example.com/identity_credential";

StatusCode CodeOf(const Json& json) {
  auto q = ParseDcqlQuery(json);
  return q.ok() ? StatusCode::kOk : q.status().code();
}

StatusCode CodeOfText(std::string_view text) {
  auto q = ParseDcqlQueryText(text);
  return q.ok() ? StatusCode::kOk : q.status().code();
}

DcqlQuery MustParse(std::string_view text) {
  auto q = ParseDcqlQueryText(text);
  EXPECT_TRUE(q.ok()) << q.status().ToString();
  return q.ok() ? *q : DcqlQuery{};
}

// A valid query with one credential of each supported format; tests break one rule at a time.
Json Base() {
  return Json::parse(R"({
    "credentials": [
      {"id": "pid", "format": "dc+sd-jwt",
       "meta": {"vct_values": ["https://credentials.example.com/identity_credential"]},
       "claims": [{"id": "g", "path": ["given_name"]}, {"id": "f", "path": ["family_name"]}],
       "claim_sets": [["g", "f"], ["f"]]},
      {"id": "mdl", "format": "mso_mdoc", "meta": {"doctype_value": "org.iso.18013.5.1.mDL"},
       "claims": [{"path": ["org.iso.18013.5.1", "age_over_18"], "intent_to_retain": false}]},
      {"id": "vc", "format": "jwt_vc_json", "meta": {"type_values": [["IDCredential"]]},
       "trusted_authorities": [{"type": "aki", "values": ["s9tIpPmhxdiuNkHMEWNpYim8S8Y"]}]}
    ],
    "credential_sets": [{"options": [["pid"], ["mdl", "vc"]]}]
  })");
}

Json& Pid(Json& q) { return q["credentials"][0]; }
Json& Mdl(Json& q) { return q["credentials"][1]; }
Json& Vc(Json& q) { return q["credentials"][2]; }

ClaimsPath Path(std::initializer_list<ClaimsPathElement> elements) { return ClaimsPath(elements); }

// ---- Wallet candidates ----

CandidateCredential IdentitySdJwt(std::string id = "sd1") {
  CandidateCredential c;
  c.id = std::move(id);
  c.format = "dc+sd-jwt";
  c.vct = kIdentityVct;
  c.claims = Json::parse(R"({
    "vct": "https://credentials.example.com/identity_credential",
    "given_name": "John", "family_name": "Doe", "last_name": "Doe", "first_name": "John",
    "address": {"street_address": "123 Main St", "locality": "Anytown"},
    "postal_code": "90210", "date_of_birth": "1940-01-01",
    "nationalities": ["DE", "FR"],
    "degrees": [{"type": "BSc"}, {"type": "MSc"}],
    "age": 42, "is_over_18": true
  })");
  return c;
}

CandidateCredential Mdl(std::string id = "mdl1") {
  CandidateCredential c;
  c.id = std::move(id);
  c.format = "mso_mdoc";
  c.doctype = "org.iso.18013.5.1.mDL";
  c.claims = Json::parse(R"({"org.iso.18013.5.1": {"given_name": "John", "family_name": "Doe",
                                                    "age_over_18": true, "age_in_years": 42}})");
  return c;
}

CandidateCredential IdVc(std::string id = "vc1") {
  CandidateCredential c;
  c.id = std::move(id);
  c.format = "jwt_vc_json";
  c.types = {"VerifiableCredential", "IDCredential"};
  c.claims = Json::parse(R"({"type": ["VerifiableCredential", "IDCredential"],
                             "credentialSubject": {"given_name": "Max", "family_name": "Mustermann"}})");
  return c;
}

// ======================= Parsing: spec examples =======================

// Section 6 / appendix D: an SD-JWT VC query with claims, including a nested path.
TEST(DcqlParseTest, SdJwtVcExample) {
  DcqlQuery q = MustParse(R"({
    "credentials": [{
      "id": "my_credential", "format": "dc+sd-jwt",
      "meta": {"vct_values": ["https://credentials.example.com/identity_credential"]},
      "claims": [{"path": ["last_name"]}, {"path": ["first_name"]}, {"path": ["address", "street_address"]}]
    }]})");
  ASSERT_EQ(q.credentials.size(), 1u);
  const CredentialQuery& c = q.credentials[0];
  EXPECT_EQ(c.id, "my_credential");
  EXPECT_EQ(c.format, kFormatSdJwtVc);
  EXPECT_FALSE(c.multiple);
  EXPECT_TRUE(c.require_cryptographic_holder_binding);
  ASSERT_TRUE(c.meta.vct_values.has_value());
  EXPECT_EQ(*c.meta.vct_values, std::vector<std::string>{kIdentityVct});
  EXPECT_EQ(c.meta.other, Json::object());
  ASSERT_TRUE(c.claims.has_value());
  ASSERT_EQ(c.claims->size(), 3u);
  EXPECT_EQ((*c.claims)[2].path, Path({std::string("address"), std::string("street_address")}));
  EXPECT_FALSE((*c.claims)[0].id.has_value());
  EXPECT_FALSE(c.claim_sets.has_value());
  EXPECT_FALSE(q.credential_sets.has_value());
}

// Appendix D: an mdoc query with [namespace, element] paths from two namespaces.
TEST(DcqlParseTest, MdocExample) {
  DcqlQuery q = MustParse(R"({
    "credentials": [{
      "id": "my_credential", "format": "mso_mdoc", "meta": {"doctype_value": "org.iso.7367.1.mVRC"},
      "claims": [{"path": ["org.iso.7367.1", "vehicle_holder"]},
                 {"path": ["org.iso.18013.5.1", "first_name"], "intent_to_retain": true}]
    }]})");
  const CredentialQuery& c = q.credentials[0];
  ASSERT_TRUE(c.meta.doctype_value.has_value());
  EXPECT_EQ(*c.meta.doctype_value, "org.iso.7367.1.mVRC");
  EXPECT_FALSE((*c.claims)[0].intent_to_retain.has_value());
  EXPECT_EQ((*c.claims)[1].intent_to_retain, std::optional<bool>(true));
}

// Appendix B.1.1: type_values alternatives for jwt_vc_json, plus trusted_authorities (6.1.1).
TEST(DcqlParseTest, JwtVcJsonAndTrustedAuthorities) {
  DcqlQuery q = MustParse(R"({
    "credentials": [{
      "id": "example_jwt_vc", "format": "jwt_vc_json",
      "meta": {"type_values": [["https://example.org/examples#AlumniCredential", "BachelorDegree"],
                               ["IDCredential"]]},
      "trusted_authorities": [{"type": "aki", "values": ["s9tIpPmhxdiuNkHMEWNpYim8S8Y"]},
                              {"type": "etsi_tl", "values": ["https://lotl.example.com"]}],
      "require_cryptographic_holder_binding": false,
      "multiple": true,
      "claims": [{"path": ["credentialSubject", "family_name"]}]
    }]})");
  const CredentialQuery& c = q.credentials[0];
  ASSERT_TRUE(c.meta.type_values.has_value());
  EXPECT_EQ(c.meta.type_values->size(), 2u);
  ASSERT_TRUE(c.trusted_authorities.has_value());
  EXPECT_EQ((*c.trusted_authorities)[1].type, "etsi_tl");
  EXPECT_EQ((*c.trusted_authorities)[1].values, std::vector<std::string>{"https://lotl.example.com"});
  EXPECT_FALSE(c.require_cryptographic_holder_binding);
  EXPECT_TRUE(c.multiple);
}

// Section 6.1: "Implementations MUST ignore any unknown properties", at every level.
TEST(DcqlParseTest, IgnoresUnknownMembers) {
  Json q = Base();
  q["future"] = {{"x", 1}};
  Pid(q)["purpose"] = 7;
  Pid(q)["claims"][0]["note"] = Json::array();
  (*q.find("credential_sets"))[0]["purpose"] = "legacy draft member";
  // intent_to_retain is only an mso_mdoc member: on dc+sd-jwt it is unknown, whatever its type.
  Pid(q)["claims"][1]["intent_to_retain"] = "yes";
  auto parsed = ParseDcqlQuery(q);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_FALSE((*parsed->credentials[0].claims)[1].intent_to_retain.has_value());
}

// Members of another format's meta are unknown members there, kept in `other` for the round trip.
TEST(DcqlParseTest, KeepsOtherMetaMembers) {
  Json q = Base();
  Mdl(q)["meta"]["vct_values"] = {"x"};
  Mdl(q)["meta"]["x_extension"] = {{"a", 1.5}};
  auto parsed = ParseDcqlQuery(q);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  const CredentialMeta& meta = parsed->credentials[1].meta;
  EXPECT_FALSE(meta.vct_values.has_value());
  EXPECT_EQ(meta.other, Json::parse(R"({"vct_values": ["x"], "x_extension": {"a": 1.5}})"));
  EXPECT_EQ(parsed->ToJson()["credentials"][1]["meta"], Mdl(q)["meta"]);
}

// Unknown formats parse (meta may be {}), keep their meta, and never match (see Match tests).
TEST(DcqlParseTest, UnknownFormatParses) {
  Json q = Json::parse(R"({"credentials": [{"id": "x", "format": "ldp_vc", "meta": {}},
                                            {"id": "y", "format": "ldp_vc", "meta": {"type_values": [["A"]]}}]})");
  auto parsed = ParseDcqlQuery(q);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_FALSE(parsed->credentials[1].meta.type_values.has_value());
  EXPECT_EQ(parsed->credentials[1].meta.other, Json::parse(R"({"type_values": [["A"]]})"));
}

// ======================= Round trip =======================

TEST(DcqlRoundTripTest, ParseToJsonParse) {
  for (const Json& json : {Base(), Json::parse(R"({"credentials": [{"id": "a", "format": "dc+sd-jwt",
       "meta": {"vct_values": ["v"]}, "multiple": true, "require_cryptographic_holder_binding": false,
       "claims": [{"path": ["n", null, 0], "values": ["s", -3, 9223372036854775807, false]}]}],
       "credential_sets": [{"options": [["a"]], "required": false}]})")}) {
    auto first = ParseDcqlQuery(json);
    ASSERT_TRUE(first.ok()) << first.status().ToString();
    auto second = ParseDcqlQuery(first->ToJson());
    ASSERT_TRUE(second.ok()) << second.status().ToString();
    EXPECT_EQ(*first, *second);
    auto third = ParseDcqlQueryText(DumpJson(first->ToJson()));
    ASSERT_TRUE(third.ok()) << third.status().ToString();
    EXPECT_EQ(*first, *third);
  }
}

TEST(DcqlRoundTripTest, ToJsonLeavesOutDefaults) {
  DcqlQuery q = MustParse(R"({"credentials": [{"id": "a", "format": "mso_mdoc", "meta": {"doctype_value": "d"},
      "multiple": false, "require_cryptographic_holder_binding": true}],
      "credential_sets": [{"options": [["a"]], "required": true}]})");
  EXPECT_EQ(q.ToJson(), Json::parse(R"({"credentials": [{"id": "a", "format": "mso_mdoc",
      "meta": {"doctype_value": "d"}}], "credential_sets": [{"options": [["a"]]}]})"));
}

// A verifier builds a query in C++, validates it, and sends ToJson().
TEST(DcqlRoundTripTest, VerifierBuiltQuery) {
  DcqlQuery q;
  CredentialQuery mdl{.id = "mdl", .format = std::string(kFormatMsoMdoc)};
  mdl.meta.doctype_value = "org.iso.18013.5.1.mDL";
  mdl.claims = std::vector<ClaimsQuery>{
      ClaimsQuery{.id = "over18", .path = Path({std::string("org.iso.18013.5.1"), std::string("age_over_18")}),
                  .values = std::vector<ClaimValue>{true}, .intent_to_retain = false},
      ClaimsQuery{.id = "dob", .path = Path({std::string("org.iso.18013.5.1"), std::string("birth_date")})}};
  mdl.claim_sets = std::vector<std::vector<std::string>>{{"over18"}, {"dob"}};
  q.credentials.push_back(mdl);
  ASSERT_TRUE(ValidateDcqlQuery(q).ok()) << ValidateDcqlQuery(q).ToString();
  const std::string wire = DumpJson(q.ToJson());
  EXPECT_EQ(wire,
            R"({"credentials":[{"claim_sets":[["over18"],["dob"]],"claims":[{"id":"over18","intent_to_retain":false,)"
            R"("path":["org.iso.18013.5.1","age_over_18"],"values":[true]},{"id":"dob","path":["org.iso.18013.5.1",)"
            R"("birth_date"]}],"format":"mso_mdoc","id":"mdl","meta":{"doctype_value":"org.iso.18013.5.1.mDL"}}]})");
  auto back = ParseDcqlQueryText(wire);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, q);
}

// ======================= Validation rules =======================

TEST(DcqlValidationTest, BaseIsValid) { EXPECT_EQ(CodeOf(Base()), StatusCode::kOk); }

TEST(DcqlValidationTest, TopLevel) {
  EXPECT_EQ(CodeOf(Json::array()), StatusCode::kMalformed);
  EXPECT_EQ(CodeOf(Json::object()), StatusCode::kMalformed);  // credentials missing
  EXPECT_EQ(CodeOf(Json{{"credentials", Json::object()}}), StatusCode::kMalformed);
  EXPECT_EQ(CodeOf(Json{{"credentials", Json::array()}}), StatusCode::kMalformed);  // empty
  EXPECT_EQ(CodeOf(Json{{"credentials", {"pid"}}}), StatusCode::kMalformed);       // not an object
  Json q = Base();
  q.erase("credential_sets");
  q["credentials"].erase(1);
  q["credentials"].erase(1);
  EXPECT_EQ(CodeOf(q), StatusCode::kOk);  // boundary: one credential
  EXPECT_EQ(CodeOfText(R"({"credentials": [], "credentials": []})"), StatusCode::kMalformed);  // duplicate key
  EXPECT_EQ(CodeOfText("{\"credentials\": [] } x"), StatusCode::kMalformed);
}

// Base() with the credential_sets member removed, so the "vc" query can be renamed.
Json BaseWithoutSets() {
  Json q = Base();
  q.erase("credential_sets");
  return q;
}

TEST(DcqlValidationTest, CredentialId) {
  for (const char* bad : {"", "a.b", "a b", "caf\xc3\xa9", "a/b", "a+b", "a:b"}) {
    Json q = BaseWithoutSets();
    Vc(q)["id"] = bad;
    EXPECT_EQ(CodeOf(q), StatusCode::kMalformed) << bad;
  }
  for (const char* good : {"A", "z", "0", "_", "-", "Az09_-"}) {
    Json q = BaseWithoutSets();
    Vc(q)["id"] = good;
    EXPECT_EQ(CodeOf(q), StatusCode::kOk) << good;
  }
  Json q = Base();
  Vc(q)["id"] = 5;
  EXPECT_EQ(CodeOf(q), StatusCode::kMalformed);
  Vc(q).erase("id");
  EXPECT_EQ(CodeOf(q), StatusCode::kMalformed);
}

TEST(DcqlValidationTest, DuplicateCredentialIds) {
  Json q = BaseWithoutSets();
  Vc(q)["id"] = "pid";
  EXPECT_EQ(CodeOf(q), StatusCode::kMalformed);
  Vc(q)["id"] = "PID";  // boundary: ids are case-sensitive
  EXPECT_EQ(CodeOf(q), StatusCode::kOk);
}

TEST(DcqlValidationTest, Format) {
  Json q = Base();
  Vc(q)["format"] = "";
  EXPECT_EQ(CodeOf(q), StatusCode::kMalformed);
  Vc(q)["format"] = Json::array({"jwt_vc_json"});
  EXPECT_EQ(CodeOf(q), StatusCode::kMalformed);
  Vc(q).erase("format");
  EXPECT_EQ(CodeOf(q), StatusCode::kMalformed);
}

TEST(DcqlValidationTest, BooleansMustBeBooleans) {
  for (const char* key : {"multiple", "require_cryptographic_holder_binding"}) {
    Json q = Base();
    Pid(q)[key] = "true";
    EXPECT_EQ(CodeOf(q), StatusCode::kMalformed) << key;
    Pid(q)[key] = 1;
    EXPECT_EQ(CodeOf(q), StatusCode::kMalformed) << key;
    Pid(q)[key] = true;
    EXPECT_EQ(CodeOf(q), StatusCode::kOk) << key;
  }
  Json q = Base();
  q["credential_sets"][0]["required"] = 0;
  EXPECT_EQ(CodeOf(q), StatusCode::kMalformed);
  q["credential_sets"][0]["required"] = false;
  EXPECT_EQ(CodeOf(q), StatusCode::kOk);
}

TEST(DcqlValidationTest, MetaRequired) {
  Json q = Base();
  Vc(q).erase("meta");
  EXPECT_EQ(CodeOf(q), StatusCode::kMalformed);
  Vc(q)["meta"] = Json::array();
  EXPECT_EQ(CodeOf(q), StatusCode::kMalformed);
  Vc(q)["meta"] = nullptr;
  EXPECT_EQ(CodeOf(q), StatusCode::kMalformed);
}

TEST(DcqlValidationTest, VctValues) {
  Json q = Base();
  Pid(q)["meta"] = Json::object();
  EXPECT_EQ(CodeOf(q), StatusCode::kMalformed);  // required for dc+sd-jwt
  Pid(q)["meta"]["vct_values"] = Json::array();
  EXPECT_EQ(CodeOf(q), StatusCode::kMalformed);
  Pid(q)["meta"]["vct_values"] = kIdentityVct;
  EXPECT_EQ(CodeOf(q), StatusCode::kMalformed);
  Pid(q)["meta"]["vct_values"] = Json::array({kIdentityVct, 3});
  EXPECT_EQ(CodeOf(q), StatusCode::kMalformed);
  Pid(q)["meta"]["vct_values"] = Json::array({"v"});
  EXPECT_EQ(CodeOf(q), StatusCode::kOk);
}

TEST(DcqlValidationTest, DoctypeValue) {
  Json q = Base();
  Mdl(q)["meta"] = Json::object();
  EXPECT_EQ(CodeOf(q), StatusCode::kMalformed);
  Mdl(q)["meta"]["doctype_value"] = Json::array({"org.iso.18013.5.1.mDL"});
  EXPECT_EQ(CodeOf(q), StatusCode::kMalformed);
  Mdl(q)["meta"]["doctype_value"] = "";
  EXPECT_EQ(CodeOf(q), StatusCode::kMalformed);
  Mdl(q)["meta"]["doctype_value"] = "d";
  EXPECT_EQ(CodeOf(q), StatusCode::kOk);
}

TEST(DcqlValidationTest, TypeValues) {
  Json q = Base();
  Vc(q)["meta"] = Json::object();
  EXPECT_EQ(CodeOf(q), StatusCode::kMalformed);
  for (const char* bad : {R"([])", R"([[]])", R"([["A"], []])", R"(["A"])", R"([["A", 1]])", R"("A")"}) {
    Vc(q)["meta"]["type_values"] = Json::parse(bad);
    EXPECT_EQ(CodeOf(q), StatusCode::kMalformed) << bad;
  }
  Vc(q)["meta"]["type_values"] = Json::parse(R"([["A"]])");
  EXPECT_EQ(CodeOf(q), StatusCode::kOk);
}

// In C++ a typed meta member can be set for the wrong format; ValidateDcqlQuery catches it.
TEST(DcqlValidationTest, TypedMetaOfAnotherFormat) {
  auto parsed = ParseDcqlQuery(Base());
  ASSERT_TRUE(parsed.ok());
  DcqlQuery q = *parsed;
  q.credentials[1].meta.vct_values = std::vector<std::string>{"x"};
  EXPECT_EQ(ValidateDcqlQuery(q).code(), StatusCode::kMalformed);
  q = *parsed;
  q.credentials[0].meta.type_values = std::vector<std::vector<std::string>>{{"x"}};
  EXPECT_EQ(ValidateDcqlQuery(q).code(), StatusCode::kMalformed);
  q = *parsed;
  q.credentials[2].meta.doctype_value = "x";
  EXPECT_EQ(ValidateDcqlQuery(q).code(), StatusCode::kMalformed);
  q = *parsed;
  q.credentials[2].meta.other = Json::array();
  EXPECT_EQ(ValidateDcqlQuery(q).code(), StatusCode::kMalformed);
  q = *parsed;
  (*q.credentials[0].claims)[0].intent_to_retain = true;  // mso_mdoc only
  EXPECT_EQ(ValidateDcqlQuery(q).code(), StatusCode::kMalformed);
  EXPECT_TRUE(ValidateDcqlQuery(*parsed).ok());
}

TEST(DcqlValidationTest, TrustedAuthorities) {
  for (const char* bad : {R"({})", R"([])", R"(["aki"])", R"([{"values": ["x"]}])", R"([{"type": "aki"}])",
                          R"([{"type": "aki", "values": []}])", R"([{"type": "aki", "values": [1]}])",
                          R"([{"type": 1, "values": ["x"]}])", R"([{"type": "", "values": ["x"]}])",
                          R"([{"type": "aki", "values": "x"}])"}) {
    Json q = Base();
    Vc(q)["trusted_authorities"] = Json::parse(bad);
    EXPECT_EQ(CodeOf(q), StatusCode::kMalformed) << bad;
  }
  Json q = Base();
  Vc(q)["trusted_authorities"] = Json::parse(R"([{"type": "openid_federation", "values": ["https://ta.example"]}])");
  EXPECT_EQ(CodeOf(q), StatusCode::kOk);
}

TEST(DcqlValidationTest, ClaimsArray) {
  Json q = Base();
  Vc(q)["claims"] = Json::array();
  EXPECT_EQ(CodeOf(q), StatusCode::kMalformed);
  Vc(q)["claims"] = Json::object();
  EXPECT_EQ(CodeOf(q), StatusCode::kMalformed);
  Vc(q)["claims"] = Json::array({Json::array({"a"})});
  EXPECT_EQ(CodeOf(q), StatusCode::kMalformed);  // element not an object
  Vc(q)["claims"] = Json::parse(R"([{"id": "x"}])");
  EXPECT_EQ(CodeOf(q), StatusCode::kMalformed);  // path missing
  Vc(q)["claims"] = Json::parse(R"([{"path": ["credentialSubject"]}])");
  EXPECT_EQ(CodeOf(q), StatusCode::kOk);
}

TEST(DcqlValidationTest, ClaimsPathPointer) {
  for (const char* bad : {R"([])", R"("a")", R"(["a", -1])", R"([1.5])", R"([1.0])", R"([true])", R"([{}])",
                          R"([["a"]])", R"(["a", -9223372036854775808])"}) {
    Json q = Base();
    Vc(q)["claims"] = Json::array({{{"path", Json::parse(bad)}}});
    EXPECT_EQ(CodeOf(q), StatusCode::kMalformed) << bad;
  }
  for (const char* good : {R"([0])", R"(["a", null, 0])", R"([null])", R"([""])", R"([18446744073709551615])"}) {
    Json q = Base();
    Vc(q)["claims"] = Json::array({{{"path", Json::parse(good)}}});
    EXPECT_EQ(CodeOf(q), StatusCode::kOk) << good;
  }
  // Regression: base/json.h's ParseJson stores small non-negative integers as signed, which an
  // early version took for negative indices. The same paths through the text parser:
  for (const char* text : {R"(["a", 0])", R"(["a", 1])", R"([9223372036854775807])"}) {
    Json q = Base();
    Vc(q)["claims"] = Json::array({{{"path", Json::parse(text)}}});
    EXPECT_EQ(CodeOfText(DumpJson(q)), StatusCode::kOk) << text;
  }
  {
    Json q = Base();
    Vc(q)["claims"] = Json::array({{{"path", Json::parse(R"(["a", -1])")}}});
    EXPECT_EQ(CodeOfText(DumpJson(q)), StatusCode::kMalformed);
  }
  EXPECT_EQ(ParseClaimsPath(Json::parse(R"(["a", null, 2])")).value(),
            Path({std::string("a"), AllArrayElements{}, uint64_t{2}}));
  EXPECT_EQ(ParseClaimsPath(Json::array()).status().code(), StatusCode::kMalformed);
  EXPECT_EQ(ParseClaimsPath(Json::parse("[-1]")).status().code(), StatusCode::kMalformed);
  EXPECT_EQ(ClaimsPathToJson(Path({std::string("a"), AllArrayElements{}, uint64_t{2}})),
            Json::parse(R"(["a", null, 2])"));
}

TEST(DcqlValidationTest, MdocPathIsNamespaceAndElement) {
  for (const char* bad : {R"(["org.iso.18013.5.1"])", R"(["org.iso.18013.5.1", "age_over_18", "x"])",
                          R"(["org.iso.18013.5.1", 0])", R"(["org.iso.18013.5.1", null])", R"([0, "age_over_18"])"}) {
    Json q = Base();
    Mdl(q)["claims"][0]["path"] = Json::parse(bad);
    EXPECT_EQ(CodeOf(q), StatusCode::kMalformed) << bad;
  }
  Json q = Base();
  Mdl(q)["claims"][0]["path"] = Json::parse(R"(["ns", "e"])");
  EXPECT_EQ(CodeOf(q), StatusCode::kOk);
  // The same three-element path is fine for a JSON-based format.
  Vc(q)["claims"] = Json::parse(R"([{"path": ["org.iso.18013.5.1", "age_over_18", "x"]}])");
  EXPECT_EQ(CodeOf(q), StatusCode::kOk);
}

TEST(DcqlValidationTest, IntentToRetain) {
  Json q = Base();
  Mdl(q)["claims"][0]["intent_to_retain"] = "false";
  EXPECT_EQ(CodeOf(q), StatusCode::kMalformed);
  Mdl(q)["claims"][0]["intent_to_retain"] = true;
  EXPECT_EQ(CodeOf(q), StatusCode::kOk);
}

TEST(DcqlValidationTest, ClaimIds) {
  Json q = Base();
  Pid(q)["claims"][1]["id"] = "g";
  EXPECT_EQ(CodeOf(q), StatusCode::kMalformed);  // duplicate within the credential query
  q = Base();
  Pid(q)["claims"][0]["id"] = "g.1";
  Pid(q)["claim_sets"] = Json::parse(R"([["g.1"]])");
  EXPECT_EQ(CodeOf(q), StatusCode::kMalformed);
  q = Base();
  Pid(q)["claims"][0]["id"] = "";
  EXPECT_EQ(CodeOf(q), StatusCode::kMalformed);
  q = Base();
  Pid(q)["claims"][0]["id"] = 1;
  EXPECT_EQ(CodeOf(q), StatusCode::kMalformed);
  // Boundary: the same claim id in two different credential queries is fine.
  q = Base();
  Mdl(q)["claims"][0]["id"] = "g";
  EXPECT_EQ(CodeOf(q), StatusCode::kOk);
}

TEST(DcqlValidationTest, Values) {
  for (const char* bad : {R"([])", R"("a")", R"([null])", R"([1.5])", R"([2.0])", R"([{}])", R"([[1]])",
                          R"([9223372036854775808])"}) {
    Json q = Base();
    Vc(q)["claims"] = Json::array({{{"path", {"a"}}, {"values", Json::parse(bad)}}});
    EXPECT_EQ(CodeOf(q), StatusCode::kMalformed) << bad;
  }
  Json q = Base();
  Vc(q)["claims"] = Json::array(
      {{{"path", {"a"}}, {"values", Json::parse(R"(["a", 1, true, 9223372036854775807, -9223372036854775808])")}}});
  auto parsed = ParseDcqlQuery(q);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  const std::vector<ClaimValue> expected = {std::string("a"), int64_t{1}, true, std::numeric_limits<int64_t>::max(),
                                            std::numeric_limits<int64_t>::min()};
  EXPECT_EQ(*(*parsed->credentials[2].claims)[0].values, expected);
}

TEST(DcqlValidationTest, ClaimSets) {
  Json q = Base();
  Pid(q).erase("claims");
  EXPECT_EQ(CodeOf(q), StatusCode::kMalformed);  // claim_sets without claims
  q = Base();
  Pid(q)["claim_sets"] = Json::array();
  EXPECT_EQ(CodeOf(q), StatusCode::kMalformed);
  Pid(q)["claim_sets"] = Json::parse(R"([["g"], []])");
  EXPECT_EQ(CodeOf(q), StatusCode::kMalformed);
  Pid(q)["claim_sets"] = Json::parse(R"([["g", "x"]])");
  EXPECT_EQ(CodeOf(q), StatusCode::kMalformed);  // unknown claim id
  Pid(q)["claim_sets"] = Json::parse(R"([["g", 1]])");
  EXPECT_EQ(CodeOf(q), StatusCode::kMalformed);
  Pid(q)["claim_sets"] = Json::parse(R"(["g"])");
  EXPECT_EQ(CodeOf(q), StatusCode::kMalformed);
  Pid(q)["claim_sets"] = Json::parse(R"([["f"]])");
  EXPECT_EQ(CodeOf(q), StatusCode::kOk);
  // With claim_sets every claim needs an id, even one no option uses.
  Pid(q)["claims"].push_back({{"path", {"x"}}});
  EXPECT_EQ(CodeOf(q), StatusCode::kMalformed);
  Pid(q).erase("claim_sets");
  EXPECT_EQ(CodeOf(q), StatusCode::kOk);  // without claim_sets ids are optional
}

TEST(DcqlValidationTest, CredentialSets) {
  for (const char* bad : {R"([])", R"({})", R"([["pid"]])", R"([{}])", R"([{"options": []}])",
                          R"([{"options": [[]]}])", R"([{"options": [["pid"], []]}])", R"([{"options": [["nope"]]}])",
                          R"([{"options": [["pid", "nope"]]}])", R"([{"options": ["pid"]}])",
                          R"([{"options": [[1]]}])"}) {
    Json q = Base();
    q["credential_sets"] = Json::parse(bad);
    EXPECT_EQ(CodeOf(q), StatusCode::kMalformed) << bad;
  }
  Json q = Base();
  q["credential_sets"] = Json::parse(R"([{"options": [["vc", "mdl", "pid"]]}, {"options": [["pid"]], "required": false}])");
  EXPECT_EQ(CodeOf(q), StatusCode::kOk);
}

TEST(DcqlValidationTest, TextSizeLimit) {
  std::string text = DumpJson(Base());
  const size_t limit = DcqlLimits{}.max_bytes;
  ASSERT_LT(text.size(), limit);
  text.append(limit - text.size(), ' ');
  EXPECT_EQ(CodeOfText(text), StatusCode::kOk);  // exactly the limit
  text.push_back(' ');
  EXPECT_EQ(CodeOfText(text), StatusCode::kLimitExceeded);
  EXPECT_EQ(ParseDcqlQueryText(DumpJson(Base()), DcqlLimits{.max_bytes = 16}).status().code(),
            StatusCode::kLimitExceeded);
}

TEST(DcqlValidationTest, DepthLimit) {
  auto nested = [](size_t depth) {
    Json v = 1;
    for (size_t i = 0; i < depth; ++i) v = Json::array({v});
    Json q = Base();
    q["x"] = v;  // the query object itself is one level
    return q;
  };
  const size_t max_depth = DcqlLimits{}.max_depth;
  EXPECT_EQ(CodeOf(nested(max_depth - 1)), StatusCode::kOk);
  EXPECT_EQ(CodeOf(nested(max_depth)), StatusCode::kLimitExceeded);
  EXPECT_EQ(CodeOfText(DumpJson(nested(max_depth - 1))), StatusCode::kOk);
  EXPECT_EQ(CodeOfText(DumpJson(nested(max_depth))), StatusCode::kLimitExceeded);
}

// ======================= Claims path processing (section 7) =======================

TEST(ClaimsPathTest, ProcessesComponents) {
  const Json cred = IdentitySdJwt().claims;
  auto street = ProcessClaimsPath(Path({std::string("address"), std::string("street_address")}), cred);
  ASSERT_TRUE(street.ok());
  ASSERT_EQ(street->size(), 1u);
  EXPECT_EQ((*street)[0].value, "123 Main St");

  auto all = ProcessClaimsPath(Path({std::string("nationalities"), AllArrayElements{}}), cred);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[1].path, Path({std::string("nationalities"), uint64_t{1}}));
  EXPECT_EQ((*all)[1].value, "FR");

  auto types = ProcessClaimsPath(Path({std::string("degrees"), AllArrayElements{}, std::string("type")}), cred);
  ASSERT_TRUE(types.ok());
  ASSERT_EQ(types->size(), 2u);
  EXPECT_EQ((*types)[0].path, Path({std::string("degrees"), uint64_t{0}, std::string("type")}));

  auto last = ProcessClaimsPath(Path({std::string("nationalities"), uint64_t{1}}), cred);
  ASSERT_TRUE(last.ok());
  EXPECT_EQ((*last)[0].value, "FR");  // boundary: last index
  EXPECT_EQ(ProcessClaimsPath(Path({std::string("nationalities"), uint64_t{2}}), cred).status().code(),
            StatusCode::kNotFound);
}

TEST(ClaimsPathTest, Errors) {
  const Json cred = IdentitySdJwt().claims;
  EXPECT_EQ(ProcessClaimsPath(Path({std::string("missing")}), cred).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ProcessClaimsPath(Path({std::string("nationalities"), std::string("x")}), cred).status().code(),
            StatusCode::kInvalidClaims);
  EXPECT_EQ(ProcessClaimsPath(Path({std::string("address"), AllArrayElements{}}), cred).status().code(),
            StatusCode::kInvalidClaims);
  EXPECT_EQ(ProcessClaimsPath(Path({std::string("address"), uint64_t{0}}), cred).status().code(),
            StatusCode::kInvalidClaims);
  EXPECT_EQ(ProcessClaimsPath(Path({std::string("a")}), Json::array({1})).status().code(),
            StatusCode::kInvalidClaims);
  EXPECT_EQ(ProcessClaimsPath(Path({std::string("a"), AllArrayElements{}}), Json{{"a", Json::array()}})
                .status()
                .code(),
            StatusCode::kNotFound);  // null over an empty array selects nothing
}

TEST(ClaimsPathTest, MixedElements) {
  // Elements lacking the key drop out; a non-object element aborts (section 7: "If any of the
  // currently selected element(s) is not an object, abort processing and return an error").
  const Json partial = Json::parse(R"({"a": [{"k": 1}, {"other": 2}, {"k": 3}]})");
  auto got = ProcessClaimsPath(Path({std::string("a"), AllArrayElements{}, std::string("k")}), partial);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ((*got)[1].path, Path({std::string("a"), uint64_t{2}, std::string("k")}));
  const Json mixed = Json::parse(R"({"a": [{"k": 1}, "s"]})");
  EXPECT_EQ(ProcessClaimsPath(Path({std::string("a"), AllArrayElements{}, std::string("k")}), mixed).status().code(),
            StatusCode::kInvalidClaims);
}

// ======================= Match =======================

const CandidateMatch* OnlyCandidate(const MatchResult& r, std::string_view query_id) {
  const CredentialQueryMatch* q = r.Find(query_id);
  if (q == nullptr || q->candidates.size() != 1) return nullptr;
  return &q->candidates[0];
}

TEST(DcqlMatchTest, SdJwtVcWithClaims) {
  DcqlQuery q = MustParse(R"({"credentials": [{"id": "my_credential", "format": "dc+sd-jwt",
      "meta": {"vct_values": ["https://credentials.example.com/identity_credential"]},
      "claims": [{"path": ["last_name"]}, {"path": ["first_name"]}, {"path": ["address", "street_address"]}]}]})");
  const std::vector<CandidateCredential> wallet = {Mdl(), IdentitySdJwt(), IdVc()};
  auto r = Match(q, wallet);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const CandidateMatch* m = OnlyCandidate(*r, "my_credential");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->candidate_id, "sd1");
  EXPECT_EQ(m->candidate_index, 1u);
  EXPECT_FALSE(m->claim_set_index.has_value());
  ASSERT_EQ(m->claims.size(), 3u);
  EXPECT_EQ(m->claims[2].disclosed_paths,
            std::vector<ClaimsPath>{Path({std::string("address"), std::string("street_address")})});

  // A claim the credential lacks: claims without claim_sets means all of them.
  q.credentials[0].claims->push_back(ClaimsQuery{.path = Path({std::string("nickname")})});
  r = Match(q, wallet);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->Find("my_credential")->candidates.empty());
}

TEST(DcqlMatchTest, MetaConstraints) {
  DcqlQuery q = MustParse(R"({"credentials": [
      {"id": "other_vct", "format": "dc+sd-jwt", "meta": {"vct_values": ["https://example/other", "urn:x"]}},
      {"id": "any_of_vct", "format": "dc+sd-jwt",
       "meta": {"vct_values": ["urn:x", "https://credentials.example.com/identity_credential"]}},
      {"id": "other_doctype", "format": "mso_mdoc", "meta": {"doctype_value": "org.iso.7367.1.mVRC"}},
      {"id": "vc_alt", "format": "jwt_vc_json", "meta": {"type_values": [["Other"], ["VerifiableCredential", "IDCredential"]]}},
      {"id": "vc_missing", "format": "jwt_vc_json", "meta": {"type_values": [["IDCredential", "Missing"]]}},
      {"id": "ldp", "format": "ldp_vc", "meta": {}}
  ]})");
  CandidateCredential ldp = IdVc("ldp1");
  ldp.format = "ldp_vc";
  const std::vector<CandidateCredential> wallet = {IdentitySdJwt(), Mdl(), IdVc(), ldp};
  auto r = Match(q, wallet);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->Find("other_vct")->candidates.empty());
  ASSERT_NE(OnlyCandidate(*r, "any_of_vct"), nullptr);
  EXPECT_TRUE(r->Find("other_doctype")->candidates.empty());
  ASSERT_NE(OnlyCandidate(*r, "vc_alt"), nullptr);
  EXPECT_EQ(OnlyCandidate(*r, "vc_alt")->candidate_id, "vc1");
  EXPECT_TRUE(r->Find("vc_missing")->candidates.empty());
  EXPECT_TRUE(r->Find("ldp")->candidates.empty());  // unsupported formats never match
  EXPECT_EQ(r->Find("nope"), nullptr);
}

TEST(DcqlMatchTest, NoClaimsRequestsNoSelectiveDisclosure) {
  DcqlQuery q = MustParse(R"({"credentials": [{"id": "pid", "format": "dc+sd-jwt",
      "meta": {"vct_values": ["https://credentials.example.com/identity_credential"]}}]})");
  const std::vector<CandidateCredential> wallet = {IdentitySdJwt()};
  auto r = Match(q, wallet);
  ASSERT_TRUE(r.ok());
  const CandidateMatch* m = OnlyCandidate(*r, "pid");
  ASSERT_NE(m, nullptr);
  EXPECT_TRUE(m->claims.empty());
}

TEST(DcqlMatchTest, HolderBinding) {
  DcqlQuery q = MustParse(R"({"credentials": [{"id": "pid", "format": "dc+sd-jwt",
      "meta": {"vct_values": ["https://credentials.example.com/identity_credential"]}}]})");
  CandidateCredential bearer = IdentitySdJwt();
  bearer.holder_binding = false;
  const std::vector<CandidateCredential> wallet = {bearer};
  EXPECT_TRUE(Match(q, wallet)->Find("pid")->candidates.empty());  // required by default
  q.credentials[0].require_cryptographic_holder_binding = false;
  EXPECT_EQ(Match(q, wallet)->Find("pid")->candidates.size(), 1u);
}

TEST(DcqlMatchTest, MdocNamespacePaths) {
  DcqlQuery q = MustParse(R"({"credentials": [{"id": "mdl", "format": "mso_mdoc",
      "meta": {"doctype_value": "org.iso.18013.5.1.mDL"},
      "claims": [{"path": ["org.iso.18013.5.1", "family_name"]},
                 {"path": ["org.iso.18013.5.1", "age_over_18"], "values": [true], "intent_to_retain": false}]}]})");
  const std::vector<CandidateCredential> wallet = {IdentitySdJwt(), Mdl()};
  auto r = Match(q, wallet);
  ASSERT_TRUE(r.ok());
  const CandidateMatch* m = OnlyCandidate(*r, "mdl");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->candidate_id, "mdl1");
  ASSERT_EQ(m->claims.size(), 2u);
  EXPECT_EQ(m->claims[1].disclosed_paths[0], Path({std::string("org.iso.18013.5.1"), std::string("age_over_18")}));
  // An element in another namespace is not there.
  (*q.credentials[0].claims)[0].path = Path({std::string("org.iso.18013.5.1.aamva"), std::string("family_name")});
  EXPECT_TRUE(Match(q, wallet)->Find("mdl")->candidates.empty());
}

TEST(DcqlMatchTest, JwtVcJsonPathsStartAtTheVc) {
  DcqlQuery q = MustParse(R"({"credentials": [{"id": "example_jwt_vc", "format": "jwt_vc_json",
      "meta": {"type_values": [["IDCredential"]]},
      "claims": [{"path": ["credentialSubject", "family_name"]}, {"path": ["credentialSubject", "given_name"]}]}]})");
  const std::vector<CandidateCredential> wallet = {IdVc()};
  auto r = Match(q, wallet);
  ASSERT_TRUE(r.ok());
  ASSERT_NE(OnlyCandidate(*r, "example_jwt_vc"), nullptr);
  (*q.credentials[0].claims)[0].path = Path({std::string("vc"), std::string("credentialSubject")});
  EXPECT_TRUE(Match(q, wallet)->Find("example_jwt_vc")->candidates.empty());
}

// Section 6.4.1: the first claim_sets option the credential can satisfy.
TEST(DcqlMatchTest, ClaimSetsPickFirstSatisfiableOption) {
  DcqlQuery q = MustParse(R"({"credentials": [{"id": "pid", "format": "dc+sd-jwt",
      "meta": {"vct_values": ["https://credentials.example.com/identity_credential"]},
      "claims": [{"id": "a", "path": ["last_name"]}, {"id": "b", "path": ["postal_code"]},
                 {"id": "c", "path": ["locality"]}, {"id": "d", "path": ["region"]},
                 {"id": "e", "path": ["date_of_birth"]}],
      "claim_sets": [["a", "c", "d", "e"], ["e", "b", "a"]]}]})");
  std::vector<CandidateCredential> wallet = {IdentitySdJwt()};  // has no locality or region
  auto r = Match(q, wallet);
  ASSERT_TRUE(r.ok());
  const CandidateMatch* m = OnlyCandidate(*r, "pid");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->claim_set_index, std::optional<size_t>(1));
  ASSERT_EQ(m->claims.size(), 3u);  // in the order of `claims`: a, b, e
  EXPECT_EQ(m->claims[0].claim_id, std::optional<std::string>("a"));
  EXPECT_EQ(m->claims[1].claim_id, std::optional<std::string>("b"));
  EXPECT_EQ(m->claims[2].claim_id, std::optional<std::string>("e"));

  wallet[0].claims["locality"] = "Anytown";
  wallet[0].claims["region"] = "Anystate";
  r = Match(q, wallet);
  ASSERT_TRUE(r.ok());
  m = OnlyCandidate(*r, "pid");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->claim_set_index, std::optional<size_t>(0));
  EXPECT_EQ(m->claims.size(), 4u);

  wallet[0].claims.erase("last_name");  // in every option
  EXPECT_TRUE(Match(q, wallet)->Find("pid")->candidates.empty());
}

struct ValuesCase {
  const char* path;
  const char* values;
  bool matches;
};

TEST(DcqlMatchTest, Values) {
  const ValuesCase cases[] = {
      {R"(["last_name"])", R"(["Doe"])", true},
      {R"(["last_name"])", R"(["Smith", "Doe"])", true},
      {R"(["last_name"])", R"(["doe"])", false},
      {R"(["postal_code"])", R"(["90210", "90211"])", true},
      {R"(["postal_code"])", R"([90210])", false},  // claim is the string "90210"
      {R"(["age"])", R"([42])", true},
      {R"(["age"])", R"(["42"])", false},
      {R"(["age"])", R"([41, 43])", false},
      {R"(["is_over_18"])", R"([true])", true},
      {R"(["is_over_18"])", R"([1])", false},
      {R"(["is_over_18"])", R"(["true"])", false},
      {R"(["age"])", R"([true])", false},
      {R"(["address"])", R"(["123 Main St"])", false},  // objects never equal a value
      {R"(["nationalities", null])", R"(["FR"])", true},
      {R"(["nationalities", null])", R"(["GB"])", false},
      {R"(["nationalities", 0])", R"(["FR"])", false},
  };
  for (const ValuesCase& c : cases) {
    Json json = Json::parse(R"({"credentials": [{"id": "q", "format": "dc+sd-jwt",
        "meta": {"vct_values": ["https://credentials.example.com/identity_credential"]}}]})");
    json["credentials"][0]["claims"] = Json::array({{{"path", Json::parse(c.path)}, {"values", Json::parse(c.values)}}});
    auto q = ParseDcqlQuery(json);
    ASSERT_TRUE(q.ok()) << q.status().ToString();
    const std::vector<CandidateCredential> wallet = {IdentitySdJwt()};
    auto r = Match(*q, wallet);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->Find("q")->candidates.size(), c.matches ? 1u : 0u) << c.path << " " << c.values;
  }
}

// Integers compare by value and sign across nlohmann's signed/unsigned storage, and a float claim
// is not an integer.
TEST(DcqlMatchTest, IntegerValueEdges) {
  CandidateCredential c = IdentitySdJwt();
  c.claims["big"] = std::numeric_limits<uint64_t>::max();
  c.claims["neg"] = -1;
  c.claims["float"] = 42.0;
  c.claims["max"] = std::numeric_limits<int64_t>::max();
  const std::vector<CandidateCredential> wallet = {c};
  auto matches = [&](const char* claim, int64_t value) {
    DcqlQuery q = MustParse(R"({"credentials": [{"id": "q", "format": "dc+sd-jwt",
        "meta": {"vct_values": ["https://credentials.example.com/identity_credential"]}, "claims": [{"path": ["x"]}]}]})");
    (*q.credentials[0].claims)[0].path = Path({std::string(claim)});
    (*q.credentials[0].claims)[0].values = std::vector<ClaimValue>{value};
    return !Match(q, wallet)->Find("q")->candidates.empty();
  };
  EXPECT_FALSE(matches("big", -1));  // 2^64-1 must not wrap to -1
  EXPECT_TRUE(matches("neg", -1));
  EXPECT_FALSE(matches("neg", 1));
  EXPECT_FALSE(matches("float", 42));
  EXPECT_TRUE(matches("max", std::numeric_limits<int64_t>::max()));
  EXPECT_FALSE(matches("max", std::numeric_limits<int64_t>::max() - 1));
}

TEST(DcqlMatchTest, NullWildcardExpandsToConcretePaths) {
  DcqlQuery q = MustParse(R"({"credentials": [{"id": "q", "format": "dc+sd-jwt",
      "meta": {"vct_values": ["https://credentials.example.com/identity_credential"]},
      "claims": [{"path": ["nationalities", null]}, {"path": ["degrees", null, "type"], "values": ["MSc"]}]}]})");
  const std::vector<CandidateCredential> wallet = {IdentitySdJwt()};
  auto r = Match(q, wallet);
  ASSERT_TRUE(r.ok());
  const CandidateMatch* m = OnlyCandidate(*r, "q");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->claims[0].requested_path, Path({std::string("nationalities"), AllArrayElements{}}));
  EXPECT_EQ(m->claims[0].disclosed_paths,
            (std::vector<ClaimsPath>{Path({std::string("nationalities"), uint64_t{0}}),
                                     Path({std::string("nationalities"), uint64_t{1}})}));
  EXPECT_EQ(m->claims[1].disclosed_paths,
            std::vector<ClaimsPath>{Path({std::string("degrees"), uint64_t{1}, std::string("type")})});
}

TEST(DcqlMatchTest, CallerErrors) {
  DcqlQuery q = MustParse(DumpJson(Base()));
  std::vector<CandidateCredential> wallet = {IdentitySdJwt("same"), Mdl("same")};
  EXPECT_EQ(Match(q, wallet).status().code(), StatusCode::kInvalidArgument);
  wallet[1].id = "other";
  EXPECT_TRUE(Match(q, wallet).ok());
  wallet[1].claims = Json::array();
  EXPECT_EQ(Match(q, wallet).status().code(), StatusCode::kInvalidArgument);
  wallet.pop_back();
  q.credentials[1].id = "pid";  // a query built wrong in C++
  EXPECT_EQ(Match(q, wallet).status().code(), StatusCode::kMalformed);
  EXPECT_EQ(Select(q, wallet).status().code(), StatusCode::kMalformed);
}

// ======================= Select =======================

// The credential_sets example of section 6: a PID, another PID, or two reduced credentials, and an
// optional rewards credential.
constexpr const char* kCredentialSetsExample = R"({
  "credentials": [
    {"id": "pid", "format": "dc+sd-jwt",
     "meta": {"vct_values": ["https://credentials.example.com/identity_credential"]},
     "claims": [{"path": ["given_name"]}, {"path": ["family_name"]}, {"path": ["address", "street_address"]}]},
    {"id": "other_pid", "format": "dc+sd-jwt",
     "meta": {"vct_values": ["https://othercredentials.example/pid"]},
     "claims": [{"path": ["given_name"]}, {"path": ["family_name"]}, {"path": ["address", "street_address"]}]},
    {"id": "pid_reduced_cred_1", "format": "dc+sd-jwt",
     "meta": {"vct_values": ["https://credentials.example.com/reduced_identity_credential"]},
     "claims": [{"path": ["family_name"]}, {"path": ["given_name"]}]},
    {"id": "pid_reduced_cred_2", "format": "dc+sd-jwt",
     "meta": {"vct_values": ["https://cred.example/residence_credential"]},
     "claims": [{"path": ["postal_code"]}, {"path": ["locality"]}, {"path": ["region"]}]},
    {"id": "nice_to_have", "format": "dc+sd-jwt",
     "meta": {"vct_values": ["https://company.example/company_rewards"]},
     "claims": [{"path": ["rewards_number"]}]}
  ],
  "credential_sets": [
    {"options": [["pid"], ["other_pid"], ["pid_reduced_cred_1", "pid_reduced_cred_2"]]},
    {"required": false, "options": [["nice_to_have"]]}
  ]})";

CandidateCredential SdJwt(std::string id, std::string vct, const char* claims) {
  CandidateCredential c;
  c.id = std::move(id);
  c.format = "dc+sd-jwt";
  c.vct = std::move(vct);
  c.claims = Json::parse(claims);
  return c;
}

TEST(DcqlSelectTest, CredentialSetsWithOptionalSet) {
  const DcqlQuery q = MustParse(kCredentialSetsExample);
  std::vector<CandidateCredential> wallet = {
      SdJwt("reduced", "https://credentials.example.com/reduced_identity_credential",
            R"({"given_name": "A", "family_name": "B"})"),
      SdJwt("residence", "https://cred.example/residence_credential",
            R"({"postal_code": "1", "locality": "L", "region": "R"})")};
  auto s = Select(q, wallet);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->query_ids, (std::vector<std::string>{"pid_reduced_cred_1", "pid_reduced_cred_2"}));
  EXPECT_EQ(s->set_options, (std::vector<std::optional<size_t>>{2, std::nullopt}));
  ASSERT_EQ(s->presentations.size(), 2u);
  EXPECT_EQ(s->presentations[0].candidate_id, "reduced");
  EXPECT_EQ(s->presentations[0].claims,
            (std::vector<ClaimsPath>{Path({std::string("family_name")}), Path({std::string("given_name")})}));
  EXPECT_EQ(s->presentations[1].candidate_id, "residence");

  // The optional set is met when the wallet has the rewards credential.
  wallet.push_back(SdJwt("rewards", "https://company.example/company_rewards", R"({"rewards_number": 7})"));
  s = Select(q, wallet);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->set_options, (std::vector<std::optional<size_t>>{2, 0}));
  EXPECT_EQ(s->query_ids.back(), "nice_to_have");

  // A full PID is the verifier's first preference and wins over the reduced pair.
  wallet.push_back(IdentitySdJwt("full"));
  s = Select(q, wallet);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->set_options, (std::vector<std::optional<size_t>>{0, 0}));
  EXPECT_EQ(s->query_ids, (std::vector<std::string>{"pid", "nice_to_have"}));
  EXPECT_EQ(s->presentations[0].candidate_id, "full");
}

TEST(DcqlSelectTest, RequiredSetUnmet) {
  const DcqlQuery q = MustParse(kCredentialSetsExample);
  // Only half of the reduced pair, and the optional credential.
  const std::vector<CandidateCredential> wallet = {
      SdJwt("reduced", "https://credentials.example.com/reduced_identity_credential",
            R"({"given_name": "A", "family_name": "B"})"),
      SdJwt("rewards", "https://company.example/company_rewards", R"({"rewards_number": 7})")};
  auto s = Select(q, wallet);
  EXPECT_EQ(s.status().code(), StatusCode::kNotFound);
  EXPECT_NE(s.status().message().find("credential set 0"), std::string::npos) << s.status().message();
}

TEST(DcqlSelectTest, OnlyOptionalSets) {
  DcqlQuery q = MustParse(kCredentialSetsExample);
  (*q.credential_sets)[0].required = false;
  const std::vector<CandidateCredential> wallet;
  auto s = Select(q, wallet);
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->presentations.empty());
  EXPECT_EQ(s->set_options, (std::vector<std::optional<size_t>>{std::nullopt, std::nullopt}));
}

TEST(DcqlSelectTest, WithoutCredentialSetsEveryQueryIsRequired) {
  Json json = Base();
  json.erase("credential_sets");
  const DcqlQuery q = *ParseDcqlQuery(json);
  std::vector<CandidateCredential> wallet = {IdentitySdJwt(), Mdl()};
  auto s = Select(q, wallet);
  EXPECT_EQ(s.status().code(), StatusCode::kNotFound);
  EXPECT_NE(s.status().message().find("'vc'"), std::string::npos) << s.status().message();
  wallet.push_back(IdVc());
  s = Select(q, wallet);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->query_ids, (std::vector<std::string>{"pid", "mdl", "vc"}));
  EXPECT_TRUE(s->set_options.empty());
  ASSERT_EQ(s->presentations.size(), 3u);
  EXPECT_EQ(s->presentations[0].claim_set_index, std::optional<size_t>(0));
  EXPECT_TRUE(s->presentations[2].claims.empty());  // no claims requested of the VC
}

TEST(DcqlSelectTest, Multiple) {
  DcqlQuery q = MustParse(R"({"credentials": [{"id": "pid", "format": "dc+sd-jwt",
      "meta": {"vct_values": ["https://credentials.example.com/identity_credential"]},
      "claims": [{"path": ["given_name"]}]}]})");
  const std::vector<CandidateCredential> wallet = {IdentitySdJwt("one"), Mdl(), IdentitySdJwt("two")};
  auto s = Select(q, wallet);
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(s->presentations.size(), 1u);  // multiple = false: the first match only
  EXPECT_EQ(s->presentations[0].candidate_id, "one");
  q.credentials[0].multiple = true;
  s = Select(q, wallet);
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(s->presentations.size(), 2u);
  EXPECT_EQ(s->presentations[1].candidate_id, "two");
  EXPECT_EQ(s->presentations[1].candidate_index, 2u);
  EXPECT_EQ(s->query_ids, std::vector<std::string>{"pid"});
}

// Section 6.1: verifiers must not point to the same claim twice; the plan discloses it once.
TEST(DcqlSelectTest, DuplicateClaimPathsDisclosedOnce) {
  DcqlQuery q = MustParse(R"({"credentials": [{"id": "pid", "format": "dc+sd-jwt",
      "meta": {"vct_values": ["https://credentials.example.com/identity_credential"]},
      "claims": [{"path": ["nationalities", null]}, {"path": ["nationalities", 1]}, {"path": ["given_name"]}]}]})");
  const std::vector<CandidateCredential> wallet = {IdentitySdJwt()};
  auto s = Select(q, wallet);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->presentations[0].claims,
            (std::vector<ClaimsPath>{Path({std::string("nationalities"), uint64_t{0}}),
                                     Path({std::string("nationalities"), uint64_t{1}}),
                                     Path({std::string("given_name")})}));
}

TEST(DcqlSelectTest, MatchResultMustBeForTheQuery) {
  const DcqlQuery q = MustParse(kCredentialSetsExample);
  const std::vector<CandidateCredential> wallet = {IdentitySdJwt()};
  auto matches = Match(q, wallet);
  ASSERT_TRUE(matches.ok());
  EXPECT_TRUE(Select(q, *matches).ok());
  MatchResult wrong_id = *matches;
  wrong_id.queries[1].query_id = "x";
  EXPECT_EQ(Select(q, wrong_id).status().code(), StatusCode::kInvalidArgument);
  MatchResult short_result = *matches;
  short_result.queries.pop_back();
  EXPECT_EQ(Select(q, short_result).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace bonafide::oid4vp
