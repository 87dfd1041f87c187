// Tests for oid4vci/offer.h: Credential Offer objects and openid-credential-offer:// URIs.
#include "oid4vci/offer.h"

#include <gtest/gtest.h>

#include "oid4vci/internal/url.h"

namespace bonafide::oid4vci {
namespace {

CredentialOffer SampleOffer() {
  CredentialOffer offer;
  offer.credential_issuer = "https://issuer.gov.uk/dvla";
  offer.credential_configuration_ids = {"org.iso.18013.5.1.mDL", "uk.gov.digital-id.1"};
  PreAuthorizedCodeGrant grant;
  grant.pre_authorized_code = "code/with+odd&chars=%";
  grant.tx_code = TxCode{TxCodeInputMode::kNumeric, 6, "Rhowch y cod a anfonwyd atoch: \"ŵ\" & more"};
  offer.pre_authorized_code = grant;
  return offer;
}

void ExpectSameOffer(const CredentialOffer& a, const CredentialOffer& b) {
  EXPECT_EQ(DumpJson(a.ToJson()), DumpJson(b.ToJson()));
}

// OpenID4VCI 1.0 section 4.1.1, the example offering two credentials (with an extra,
// unrecognised member the wallet must ignore).
TEST(CredentialOfferTest, ParsesSpecExampleMultipleCredentials) {
  const char* json = R"({
    "credential_issuer": "https://credential-issuer.example.com",
    "credential_configuration_ids": ["UniversityDegreeCredential", "org.iso.18013.5.1.mDL"],
    "grants": {
      "urn:ietf:params:oauth:grant-type:pre-authorized_code": {
        "pre-authorized_code": "oaKazRN8I0IbtZ0C7JuMn5",
        "tx_code": {"length": 4, "input_mode": "numeric",
                    "description": "Please provide the one-time code that was sent via e-mail"}
      }
    },
    "issuer_redirect_uri": "https://credential-issuer.example.com/redirect"
  })";
  auto offer = CredentialOffer::Parse(json);
  ASSERT_TRUE(offer.ok()) << offer.status().ToString();
  EXPECT_EQ(offer->credential_issuer, "https://credential-issuer.example.com");
  ASSERT_EQ(offer->credential_configuration_ids.size(), 2u);
  ASSERT_TRUE(offer->pre_authorized_code.has_value());
  EXPECT_EQ(offer->pre_authorized_code->pre_authorized_code, "oaKazRN8I0IbtZ0C7JuMn5");
  ASSERT_TRUE(offer->pre_authorized_code->tx_code.has_value());
  EXPECT_EQ(offer->pre_authorized_code->tx_code->length, 4);
  EXPECT_EQ(offer->pre_authorized_code->tx_code->input_mode, TxCodeInputMode::kNumeric);
}

// Section 4.1.3: the offer object for a Pre-Authorized Code Flow with an empty tx_code, which
// still means a tx_code is required.
TEST(CredentialOfferTest, ParsesSpecExampleByReferenceWithEmptyTxCode) {
  auto offer = CredentialOffer::Parse(R"({
    "credential_issuer": "https://credential-issuer.example.com",
    "credential_configuration_ids": ["UniversityDegree_LDP_VC"],
    "grants": {"urn:ietf:params:oauth:grant-type:pre-authorized_code": {
      "pre-authorized_code": "adhjhdjajkdkhjhdj", "tx_code": {}}}})");
  ASSERT_TRUE(offer.ok()) << offer.status().ToString();
  ASSERT_TRUE(offer->pre_authorized_code->tx_code.has_value());
  EXPECT_FALSE(offer->pre_authorized_code->tx_code->input_mode.has_value());
  EXPECT_EQ(DumpJson(offer->ToJson()["grants"][std::string(kPreAuthorizedCodeGrantType)]["tx_code"]), "{}");
}

// Section 4.1.2: the by-value offer URI for a native wallet (line breaks of the spec removed).
TEST(CredentialOfferUriTest, ParsesSpecExampleByValue) {
  const std::string uri =
      "openid-credential-offer://?"
      "credential_offer=%7B%22credential_issuer%22:%22https://credential-issuer.example.com%22,%22credential_"
      "configuration_ids%22:%5B%22org.iso.18013.5.1.mDL%22%5D,%22grants%22:%7B%22urn:ietf:params:oauth:grant-"
      "type:pre-authorized_code%22:%7B%22pre-authorized_code%22:%22oaKazRN8I0IbtZ0C7JuMn5%22,%22tx_code%22:%7B%"
      "22input_mode%22:%22text%22,%22description%22:%22Please%20enter%20the%20serial%20number%20of%20your%20"
      "physical%20drivers%20license%22%7D%7D%7D%7D";
  auto link = ParseCredentialOfferUri(uri);
  ASSERT_TRUE(link.ok()) << link.status().ToString();
  const auto* offer = std::get_if<CredentialOffer>(&*link);
  ASSERT_NE(offer, nullptr);
  EXPECT_EQ(offer->credential_configuration_ids, std::vector<std::string>{"org.iso.18013.5.1.mDL"});
  EXPECT_EQ(offer->pre_authorized_code->tx_code->input_mode, TxCodeInputMode::kText);
  EXPECT_EQ(offer->pre_authorized_code->tx_code->description,
            "Please enter the serial number of your physical drivers license");
}

// Section 4.1.3: the by-reference offer URI (dots escaped as %2E in the spec).
TEST(CredentialOfferUriTest, ParsesSpecExampleByReference) {
  auto link = ParseCredentialOfferUri(
      "openid-credential-offer://?credential_offer_uri=https%3A%2F%2Fserver%2Eexample%2Ecom%2Fcredential-offer"
      "%2FGkurKxf5T0Y-mnPFCHqWOMiZi4VS138cQO_V7PZHAdM");
  ASSERT_TRUE(link.ok()) << link.status().ToString();
  const auto* ref = std::get_if<CredentialOfferReference>(&*link);
  ASSERT_NE(ref, nullptr);
  EXPECT_EQ(ref->uri, "https://server.example.com/credential-offer/GkurKxf5T0Y-mnPFCHqWOMiZi4VS138cQO_V7PZHAdM");
}

TEST(CredentialOfferUriTest, RoundTripsByValueWithCharactersNeedingEscapes) {
  const CredentialOffer offer = SampleOffer();
  const std::string uri = BuildCredentialOfferUri(offer);
  EXPECT_TRUE(uri.starts_with("openid-credential-offer://?credential_offer=%7B%22"));
  // Nothing outside the unreserved set survives unescaped in the parameter value.
  const std::string value = uri.substr(uri.find('=') + 1);
  EXPECT_EQ(value.find_first_of("{}\"&=+ /:#?"), std::string::npos);
  auto link = ParseCredentialOfferUri(uri);
  ASSERT_TRUE(link.ok()) << link.status().ToString();
  ExpectSameOffer(std::get<CredentialOffer>(*link), offer);
  EXPECT_EQ(std::get<CredentialOffer>(*link).pre_authorized_code->pre_authorized_code, "code/with+odd&chars=%");
}

TEST(CredentialOfferUriTest, RoundTripsByReference) {
  auto uri = BuildCredentialOfferReferenceUri("https://issuer.gov.uk/offers/abc?x=1&y=2");
  ASSERT_TRUE(uri.ok());
  EXPECT_EQ(*uri, "openid-credential-offer://?credential_offer_uri=https%3A%2F%2Fissuer.gov.uk%2Foffers%2Fabc%3Fx%3D1%26y%3D2");
  auto link = ParseCredentialOfferUri(*uri);
  ASSERT_TRUE(link.ok());
  EXPECT_EQ(std::get<CredentialOfferReference>(*link).uri, "https://issuer.gov.uk/offers/abc?x=1&y=2");
}

TEST(CredentialOfferUriTest, BuildReferenceRejectsNonHttps) {
  EXPECT_EQ(BuildCredentialOfferReferenceUri("http://issuer.gov.uk/o").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(BuildCredentialOfferReferenceUri("https://issuer.gov.uk/o#frag").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(BuildCredentialOfferReferenceUri("http://127.0.0.1:8080/o", true).ok());
}

TEST(CredentialOfferUriTest, PlusDecodesAsSpace) {
  auto link = ParseCredentialOfferUri(
      "openid-credential-offer://?credential_offer={\"credential_issuer\":\"https://i.example\","
      "\"credential_configuration_ids\":[\"a+b\"]}");
  // Raw '"' is printable ASCII and allowed by the lenient query reading; '+' is a space.
  ASSERT_TRUE(link.ok()) << link.status().ToString();
  EXPECT_EQ(std::get<CredentialOffer>(*link).credential_configuration_ids[0], "a b");
}

TEST(CredentialOfferUriTest, RejectsStructuralProblems) {
  const std::string good = BuildCredentialOfferUri(SampleOffer());
  const std::string value = good.substr(good.find('=') + 1);
  const std::string ref = "credential_offer_uri=https%3A%2F%2Fi.example%2Fo";
  struct Case {
    std::string uri;
    StatusCode code;
  } cases[] = {
      {"https://wallet.example/?credential_offer=" + value, StatusCode::kMalformed},
      {"openid-credential-offerx://?credential_offer=" + value, StatusCode::kMalformed},
      {"OPENID-CREDENTIAL-OFFER://?credential_offer=" + value, StatusCode::kMalformed},
      {"openid-credential-offer://host?credential_offer=" + value, StatusCode::kMalformed},
      {"openid-credential-offer://", StatusCode::kMalformed},
      {"openid-credential-offer://?", StatusCode::kMalformed},
      {"openid-credential-offer://?credential_offer=" + value + "#frag", StatusCode::kMalformed},
      {"openid-credential-offer://?credential_offer=" + value + "&credential_offer=" + value, StatusCode::kMalformed},
      {"openid-credential-offer://?credential_offer=" + value + "&" + ref, StatusCode::kMalformed},
      {"openid-credential-offer://?" + ref + "&" + ref, StatusCode::kMalformed},
      {"openid-credential-offer://?credential_offer=" + value + "&foo=bar", StatusCode::kMalformed},
      {"openid-credential-offer://?foo=bar", StatusCode::kMalformed},
      {"openid-credential-offer://?credential_offer=", StatusCode::kMalformed},
      {"openid-credential-offer://?credential_offer_uri=", StatusCode::kMalformed},
      {"openid-credential-offer://?credential_offer", StatusCode::kMalformed},
      {"openid-credential-offer://?credential_offer=" + value + "&", StatusCode::kMalformed},
      {"openid-credential-offer://?credential_offer=%7G", StatusCode::kMalformed},
      {"openid-credential-offer://?credential_offer=%7", StatusCode::kMalformed},
      {"openid-credential-offer://?credential_offer=%7B %7D", StatusCode::kMalformed},
      {"openid-credential-offer://?credential_offer=%7B%7D", StatusCode::kInvalidClaims},
      {"openid-credential-offer://?credential_offer=%5B%5D", StatusCode::kMalformed},
      {"openid-credential-offer://?credential_offer_uri=http%3A%2F%2Fi.example%2Fo", StatusCode::kInvalidClaims},
      {"openid-credential-offer://?credential_offer_uri=https%3A%2F%2Fuser%40i.example%2Fo",
       StatusCode::kInvalidClaims},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ParseCredentialOfferUri(c.uri).status().code(), c.code) << c.uri;
  }
}

TEST(CredentialOfferUriTest, LengthBoundary) {
  std::string uri = "openid-credential-offer://?credential_offer_uri=https%3A%2F%2Fi.example%2F";
  uri.append(kMaxOfferUriBytes - uri.size(), 'a');
  EXPECT_TRUE(ParseCredentialOfferUri(uri).ok());
  uri.push_back('a');
  EXPECT_EQ(ParseCredentialOfferUri(uri).status().code(), StatusCode::kLimitExceeded);
}

TEST(CredentialOfferTest, RoundTripsJson) {
  const CredentialOffer offer = SampleOffer();
  auto back = CredentialOffer::FromJson(offer.ToJson());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ExpectSameOffer(*back, offer);
  CredentialOffer bare;
  bare.credential_issuer = "https://issuer.gov.uk";
  bare.credential_configuration_ids = {"x"};
  EXPECT_FALSE(bare.ToJson().contains("grants"));
  auto bare_back = CredentialOffer::FromJson(bare.ToJson());
  ASSERT_TRUE(bare_back.ok());
  EXPECT_FALSE(bare_back->pre_authorized_code.has_value());
}

TEST(CredentialOfferTest, IgnoresAuthorizationCodeGrant) {
  auto offer = CredentialOffer::Parse(R"({"credential_issuer":"https://i.example",
    "credential_configuration_ids":["a"],"grants":{"authorization_code":{"issuer_state":"x"}}})");
  ASSERT_TRUE(offer.ok());
  EXPECT_FALSE(offer->pre_authorized_code.has_value());
}

TEST(CredentialOfferTest, RejectsBadMembers) {
  const std::string pre = R"("urn:ietf:params:oauth:grant-type:pre-authorized_code")";
  const std::string head = R"({"credential_issuer":"https://i.example","credential_configuration_ids":["a"],)";
  struct Case {
    std::string json;
    StatusCode code;
  } cases[] = {
      {R"({"credential_configuration_ids":["a"]})", StatusCode::kInvalidClaims},
      {R"({"credential_issuer":"https://i.example"})", StatusCode::kInvalidClaims},
      {R"({"credential_issuer":7,"credential_configuration_ids":["a"]})", StatusCode::kInvalidClaims},
      {R"({"credential_issuer":"http://i.example","credential_configuration_ids":["a"]})", StatusCode::kInvalidClaims},
      {R"({"credential_issuer":"https://i.example?x=1","credential_configuration_ids":["a"]})", StatusCode::kInvalidClaims},
      {R"({"credential_issuer":"https://","credential_configuration_ids":["a"]})", StatusCode::kInvalidClaims},
      {R"({"credential_issuer":"https://i.example","credential_configuration_ids":[]})", StatusCode::kInvalidClaims},
      {R"({"credential_issuer":"https://i.example","credential_configuration_ids":["a","a"]})", StatusCode::kInvalidClaims},
      {R"({"credential_issuer":"https://i.example","credential_configuration_ids":[""]})", StatusCode::kInvalidClaims},
      {R"({"credential_issuer":"https://i.example","credential_configuration_ids":"a"})", StatusCode::kInvalidClaims},
      {head + R"("grants":[]})", StatusCode::kInvalidClaims},
      {head + R"("grants":{)" + pre + R"(:"code"}})", StatusCode::kInvalidClaims},
      {head + R"("grants":{)" + pre + R"(:{}}})", StatusCode::kInvalidClaims},
      {head + R"("grants":{)" + pre + R"(:{"pre-authorized_code":""}}})", StatusCode::kInvalidClaims},
      {head + R"("grants":{)" + pre + R"(:{"pre-authorized_code":"c","tx_code":true}}})", StatusCode::kInvalidClaims},
      {head + R"("grants":{)" + pre + R"(:{"pre-authorized_code":"c","tx_code":{"input_mode":"alpha"}}}})",
       StatusCode::kInvalidClaims},
      {head + R"("grants":{)" + pre + R"(:{"pre-authorized_code":"c","tx_code":{"input_mode":1}}}})",
       StatusCode::kInvalidClaims},
      {head + R"("grants":{)" + pre + R"(:{"pre-authorized_code":"c","tx_code":{"length":0}}}})",
       StatusCode::kInvalidClaims},
      {head + R"("grants":{)" + pre + R"(:{"pre-authorized_code":"c","tx_code":{"length":"4"}}}})",
       StatusCode::kInvalidClaims},
      {"[]", StatusCode::kMalformed},
      {head + R"("credential_issuer":"https://j.example"})", StatusCode::kMalformed},  // duplicate key
  };
  for (const Case& c : cases) {
    EXPECT_EQ(CredentialOffer::Parse(c.json).status().code(), c.code) << c.json;
  }
}

TEST(CredentialOfferTest, TxCodeBoundaries) {
  auto make = [](const Json& tx) {
    Json offer = {{"credential_issuer", "https://i.example"}, {"credential_configuration_ids", {"a"}}};
    offer["grants"][std::string(kPreAuthorizedCodeGrantType)] = {{"pre-authorized_code", "c"}, {"tx_code", tx}};
    return CredentialOffer::FromJson(offer);
  };
  EXPECT_TRUE(make({{"length", 1}}).ok());
  EXPECT_EQ(make({{"length", -1}}).status().code(), StatusCode::kInvalidClaims);
  // 300 characters (not bytes): 300 two-byte characters pass, 301 fail.
  std::string welsh;
  for (int i = 0; i < 300; ++i) welsh += "ŵ";
  EXPECT_TRUE(make({{"description", welsh}}).ok());
  EXPECT_EQ(make({{"description", welsh + "a"}}).status().code(), StatusCode::kInvalidClaims);
}

TEST(CredentialOfferTest, LoopbackHttpOnlyWhenAllowed) {
  Json offer = {{"credential_issuer", "http://127.0.0.1:8443"}, {"credential_configuration_ids", {"a"}}};
  EXPECT_EQ(CredentialOffer::FromJson(offer).status().code(), StatusCode::kInvalidClaims);
  EXPECT_TRUE(CredentialOffer::FromJson(offer, true).ok());
  offer["credential_issuer"] = "http://localhost";
  EXPECT_TRUE(CredentialOffer::FromJson(offer, true).ok());
  offer["credential_issuer"] = "http://10.0.0.1";
  EXPECT_EQ(CredentialOffer::FromJson(offer, true).status().code(), StatusCode::kInvalidClaims);
  offer["credential_issuer"] = "http://localhost.evil.example";
  EXPECT_EQ(CredentialOffer::FromJson(offer, true).status().code(), StatusCode::kInvalidClaims);
}

TEST(PercentCodingTest, EncodesEverythingButUnreserved) {
  EXPECT_EQ(internal::PercentEncode("aZ09-._~ /?#[]@!$&'()*+,;=%\x01\xff"),
            "aZ09-._~%20%2F%3F%23%5B%5D%40%21%24%26%27%28%29%2A%2B%2C%3B%3D%25%01%FF");
  auto decoded = internal::PercentDecode("%e2%82%ac%2B+", true);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, "\xe2\x82\xac+ ");
  auto plus_kept = internal::PercentDecode("a+b", false);
  ASSERT_TRUE(plus_kept.ok());
  EXPECT_EQ(*plus_kept, "a+b");
  EXPECT_EQ(internal::PercentDecode("%", true).status().code(), StatusCode::kMalformed);
  EXPECT_EQ(internal::PercentDecode("%a", true).status().code(), StatusCode::kMalformed);
  EXPECT_EQ(internal::PercentDecode("%zz", true).status().code(), StatusCode::kMalformed);
  EXPECT_EQ(internal::PercentDecode("caf\xc3\xa9", true).status().code(), StatusCode::kMalformed);
}

}  // namespace
}  // namespace bonafide::oid4vci
