// Tests of mdoc issuance, presentation and verification (mdoc/issuer.h, holder.h, verifier.h),
// against the ISO/IEC 18013-5 Annex D vectors and bonafide's own issued mdocs.
#include <gtest/gtest.h>

#include "cose/cose_sign1.h"
#include "mdoc/holder.h"
#include "mdoc/mdoc.h"
#include "mdoc/session_transcript.h"
#include "mdoc/verifier.h"
#include "tests/mdoc/mdoc_fixture.h"

namespace bonafide::mdoc {
namespace {

using testing::AnnexDCert;
using testing::AnnexDHex;
using testing::AnnexDKey;
using testing::AnnexDTranscript;
using testing::Issued;
using testing::kAnnexDTime;
using testing::kNow;
using testing::MakeIssued;

#define EXPECT_CODE(expr, want) EXPECT_EQ((expr).status().code(), StatusCode::want) << (expr).status().ToString()

std::unique_ptr<IacaTrustStore> Trust(const crypto::Certificate& root) {
  auto store = IacaTrustStore::Create({root});
  EXPECT_TRUE(store.ok());
  return std::move(*store);
}

// --- ISO 18013-5 Annex D ---------------------------------------------------------------------

class AnnexDTest : public ::testing::Test {
 protected:
  std::unique_ptr<IacaTrustStore> trust_ = Trust(AnnexDCert("iaca_root_cert"));
  crypto::PrivateKey reader_key_ = AnnexDKey("ephemeral_reader_key");
  Bytes response_ = AnnexDHex("device_response");
  Bytes transcript_ = AnnexDTranscript();
};

TEST_F(AnnexDTest, DeviceResponseVerifiesAtTheExampleTime) {
  FixedClock clock(kAnnexDTime);
  DeviceResponseVerifier verifier(*trust_, clock);
  verifier.WithReaderKey(reader_key_);
  auto docs = verifier.Verify(response_, transcript_);
  ASSERT_TRUE(docs.ok()) << docs.status().ToString();
  ASSERT_EQ(docs->size(), 1u);
  const VerifiedDocument& doc = (*docs)[0];
  EXPECT_EQ(doc.doc_type(), "org.iso.18013.5.1.mDL");
  EXPECT_EQ(doc.device_auth(), DeviceAuthKind::kMac);
  ASSERT_EQ(doc.issuer_signed().size(), 1u);
  EXPECT_EQ(doc.issuer_signed()[0].first, "org.iso.18013.5.1");
  EXPECT_EQ(doc.issuer_signed()[0].second.size(), 6u);
  EXPECT_EQ(doc.Find("org.iso.18013.5.1", "family_name")->text(), "Doe");
  EXPECT_EQ(doc.Find("org.iso.18013.5.1", "document_number")->text(), "123456789");
  EXPECT_TRUE(doc.Find("org.iso.18013.5.1", "issue_date")->is_tag(cbor::kTagFullDate));
  EXPECT_EQ(doc.Find("org.iso.18013.5.1", "issue_date")->tagged().text(), "2019-10-20");
  const Bytes portrait = AnnexDHex("portrait_jpeg");
  EXPECT_EQ(Bytes(doc.Find("org.iso.18013.5.1", "portrait")->bytes().begin(),
                  doc.Find("org.iso.18013.5.1", "portrait")->bytes().end()),
            portrait);
  EXPECT_EQ(doc.validity().valid_until, 1633095002);  // 2021-10-01T13:30:02Z
  EXPECT_EQ(doc.issuer().country, "US");
}

TEST_F(AnnexDTest, TodayTheSameBytesHaveExpired) {
  FixedClock clock(kNow);
  DeviceResponseVerifier verifier(*trust_, clock);
  verifier.WithReaderKey(reader_key_);
  EXPECT_CODE(verifier.Verify(response_, transcript_), kExpired);
}

TEST_F(AnnexDTest, BeforeTheDocumentSignerIsValidItIsNotYetValid) {
  FixedClock clock(1601559001);  // 2020-10-01T13:30:01Z, one second before
  DeviceResponseVerifier verifier(*trust_, clock);
  verifier.WithReaderKey(reader_key_);
  EXPECT_CODE(verifier.Verify(response_, transcript_), kNotYetValid);
}

TEST_F(AnnexDTest, DeviceMacNeedsTheReaderKeyAndTheRightTranscript) {
  FixedClock clock(kAnnexDTime);
  DeviceResponseVerifier no_key(*trust_, clock);
  EXPECT_CODE(no_key.Verify(response_, transcript_), kInvalidArgument);

  DeviceResponseVerifier verifier(*trust_, clock);
  verifier.WithReaderKey(reader_key_);
  Bytes other = transcript_;
  other.back() ^= 1;
  EXPECT_CODE(verifier.Verify(response_, other), kInvalidSignature);

  crypto::PrivateKey wrong = AnnexDKey("ephemeral_device_key");
  DeviceResponseVerifier wrong_key(*trust_, clock);
  wrong_key.WithReaderKey(wrong);
  EXPECT_CODE(wrong_key.Verify(response_, transcript_), kInvalidSignature);
}

TEST_F(AnnexDTest, DeviceAuthenticationBytesAndTagMatchTheExample) {
  auto response = cbor::Decode(response_);
  ASSERT_TRUE(response.ok());
  const cbor::Value& document = response->Find("documents")->array()[0];
  const cbor::Value& device_signed = *document.Find("deviceSigned");
  const Bytes bytes = DeviceAuthenticationBytes(transcript_, "org.iso.18013.5.1.mDL", *device_signed.Find("nameSpaces"));
  EXPECT_EQ(bytes, AnnexDHex("device_authentication_bytes"));
  const cbor::Value& mac = *device_signed.Find("deviceAuth")->Find("deviceMac");
  EXPECT_EQ(HexEncode(mac.array()[3].bytes()), "e99521a85ad7891b806a07f8b5388a332d92c189a7bf293ee1f543405ae6824d");
}

TEST_F(AnnexDTest, WrongIacaIsUntrusted) {
  FixedClock clock(kAnnexDTime);
  auto reader_root = Trust(AnnexDCert("reader_root_cert"));
  DeviceResponseVerifier verifier(*reader_root, clock);
  verifier.WithReaderKey(reader_key_);
  EXPECT_CODE(verifier.Verify(response_, transcript_), kUntrustedIssuer);
}

TEST_F(AnnexDTest, ReencodingTheResponseGivesTheSameBytes) {
  auto response = cbor::Decode(response_);
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(cbor::Encode(*response), response_);
}

// --- bonafide issue -> present -> verify --------------------------------------------------------

class RoundTripTest : public ::testing::Test {
 protected:
  Issued issued_ = MakeIssued();
  std::unique_ptr<IacaTrustStore> trust_ = Trust(issued_.iaca);
  FixedClock clock_{kNow};
  Bytes transcript_ = EncodeSessionTranscript(
      OpenId4VpRedirectTranscript("x509_san_dns:verifier.example", "nonce-123", std::nullopt,
                                  "https://verifier.example/response"));
  DeviceResponseVerifier verifier_{*trust_, clock_};

  Bytes Present(const Disclosure& disclose, const DeviceAuthOptions& auth) {
    auto doc = PresentDocument(issued_.issuer_signed, disclose, transcript_, auth);
    EXPECT_TRUE(doc.ok()) << doc.status().ToString();
    return BuildDeviceResponse({*doc});
  }
  Bytes PresentThree() {
    return Present({{"org.iso.18013.5.1", {"family_name", "age_over_18", "portrait"}}},
                   DeviceAuthOptions{.device_key = &issued_.device_key});
  }
};

TEST_F(RoundTripTest, SignatureDeviceAuthReleasesOnlyTheChosenElements) {
  verifier_.SkipStatusCheck();
  auto docs = verifier_.Verify(PresentThree(), transcript_);
  ASSERT_TRUE(docs.ok()) << docs.status().ToString();
  const VerifiedDocument& doc = (*docs)[0];
  EXPECT_EQ(doc.device_auth(), DeviceAuthKind::kSignature);
  ASSERT_EQ(doc.issuer_signed().size(), 1u);
  EXPECT_EQ(doc.issuer_signed()[0].second.size(), 3u);
  EXPECT_EQ(doc.Find("org.iso.18013.5.1", "family_name")->text(), "Okafor");
  EXPECT_TRUE(*doc.Find("org.iso.18013.5.1", "age_over_18")->AsBool());
  EXPECT_EQ(doc.Find("org.iso.18013.5.1", "given_name"), nullptr);
  EXPECT_EQ(doc.status_reference()->idx, 7u);
}

TEST_F(RoundTripTest, MacDeviceAuthVerifiesWithTheReaderKey) {
  auto reader = crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256);
  Bytes response = Present({{"org.iso.18013.5.1", {"given_name"}}},
                           DeviceAuthOptions{.device_key = &issued_.device_key,
                                             .reader_ephemeral_key = reader->public_key()});
  verifier_.SkipStatusCheck().WithReaderKey(*reader);
  auto docs = verifier_.Verify(response, transcript_);
  ASSERT_TRUE(docs.ok()) << docs.status().ToString();
  EXPECT_EQ((*docs)[0].device_auth(), DeviceAuthKind::kMac);

  auto other_reader = crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256);
  DeviceResponseVerifier other(*trust_, clock_);
  other.SkipStatusCheck().WithReaderKey(*other_reader);
  EXPECT_CODE(other.Verify(response, transcript_), kInvalidSignature);
}

TEST_F(RoundTripTest, AnotherTranscriptFailsDeviceAuthentication) {
  verifier_.SkipStatusCheck();
  const Bytes other = EncodeSessionTranscript(OpenId4VpRedirectTranscript(
      "x509_san_dns:verifier.example", "nonce-124", std::nullopt, "https://verifier.example/response"));
  EXPECT_CODE(verifier_.Verify(PresentThree(), other), kInvalidSignature);
}

TEST_F(RoundTripTest, StatusIsCheckedOrExplicitlySkipped) {
  const Bytes response = PresentThree();
  EXPECT_CODE(verifier_.Verify(response, transcript_), kStatusUnavailable);
  status::StatusReference seen;
  verifier_.WithStatusCheck([&seen](const status::StatusReference& ref) {
    seen = ref;
    return Error(StatusCode::kRevoked, "revoked");
  });
  EXPECT_CODE(verifier_.Verify(response, transcript_), kRevoked);
  EXPECT_EQ(seen.uri, "https://dvla.example.gov.uk/status/1");
  verifier_.WithStatusCheck([](const status::StatusReference&) { return OkStatus(); });
  EXPECT_TRUE(verifier_.Verify(response, transcript_).ok());
}

TEST_F(RoundTripTest, ValidityWindowIsEnforced) {
  verifier_.SkipStatusCheck();
  const Bytes response = PresentThree();
  clock_.Set(kNow - 2 * 86400);
  // The DS certificate starts at kNow - 1 day, so before that the chain is not yet valid.
  EXPECT_CODE(verifier_.Verify(response, transcript_), kNotYetValid);
  clock_.Set(kNow + 366 * 86400);
  EXPECT_CODE(verifier_.Verify(response, transcript_), kExpired);
  clock_.Set(kNow + 363 * 86400);  // the DS certificate runs to kNow + 364 days
  EXPECT_TRUE(verifier_.Verify(response, transcript_).ok());
}

TEST_F(RoundTripTest, ExpectedDocTypeIsEnforced) {
  verifier_.SkipStatusCheck().ExpectDocType("uk.gov.homeoffice.evisa.1");
  EXPECT_CODE(verifier_.Verify(PresentThree(), transcript_), kInvalidType);
}

TEST_F(RoundTripTest, HolderRefusesUnknownElementsAndForeignKeys) {
  DeviceAuthOptions auth{.device_key = &issued_.device_key};
  EXPECT_CODE(PresentDocument(issued_.issuer_signed, {{"org.iso.18013.5.1", {"height"}}}, transcript_, auth), kNotFound);
  EXPECT_CODE(PresentDocument(issued_.issuer_signed, {{"org.example", {"x"}}}, transcript_, auth), kNotFound);
  EXPECT_CODE(PresentDocument(issued_.issuer_signed, {{"org.iso.18013.5.1", {"family_name", "family_name"}}},
                              transcript_, auth),
              kInvalidArgument);
  EXPECT_CODE(PresentDocument(issued_.issuer_signed, {}, transcript_, auth), kInvalidArgument);
  auto other = crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256);
  EXPECT_CODE(PresentDocument(issued_.issuer_signed, {{"org.iso.18013.5.1", {"family_name"}}}, transcript_,
                              DeviceAuthOptions{.device_key = &*other}),
              kInvalidKey);
}

TEST_F(RoundTripTest, IssuedMdocFollowsTheProfile) {
  // issuerAuth: untagged, protected {1: -7} only, the DS certificate alone in x5chain.
  const cbor::Value& auth = *issued_.issuer_signed.Find("issuerAuth");
  ASSERT_TRUE(auth.is_array());
  EXPECT_EQ(HexEncode(auth.array()[0].bytes()), "a10126");
  ASSERT_EQ(auth.array()[1].size(), 1u);
  EXPECT_TRUE(auth.array()[1].Find(33)->is_bytes());
  // Items: 16-byte salts, distinct random digest IDs, deterministic encoding.
  const cbor::Array& items = issued_.issuer_signed.Find("nameSpaces")->Find("org.iso.18013.5.1")->array();
  std::set<uint64_t> ids;
  for (const cbor::Value& item_bytes : items) {
    auto item = ParseIssuerSignedItem(item_bytes);
    ASSERT_TRUE(item.ok());
    EXPECT_EQ(item->random.size(), 16u);
    ids.insert(item->digest_id);
    auto inner = item_bytes.DecodeEmbedded();
    EXPECT_EQ(cbor::EncodeDeterministic(*inner), Bytes(item_bytes.tagged().bytes().begin(), item_bytes.tagged().bytes().end()));
  }
  EXPECT_EQ(ids.size(), items.size());
  // The MSO is in deterministic encoding (RFC 8949 4.2.1): re-encoding it deterministically
  // gives the signed bytes.
  auto payload = cbor::Decode(auth.array()[2].bytes());
  ASSERT_TRUE(payload.ok());
  auto mso = payload->DecodeEmbedded();
  ASSERT_TRUE(mso.ok());
  EXPECT_EQ(cbor::EncodeDeterministic(*mso),
            Bytes(payload->tagged().bytes().begin(), payload->tagged().bytes().end()));
  EXPECT_EQ(mso->Find("valueDigests")->Find("org.iso.18013.5.1")->size(), 12u);
  EXPECT_EQ(mso->Find("status")->Find("status_list")->Find("idx")->uint_value(), 7u);
  // The wallet-side check on receipt.
  verifier_.SkipStatusCheck();
  auto received = verifier_.VerifyIssuerSigned(issued_.issuer_signed);
  ASSERT_TRUE(received.ok()) << received.status().ToString();
  EXPECT_EQ(received->issuer_signed()[0].second.size(), 12u);
  EXPECT_EQ(received->device_auth(), DeviceAuthKind::kNone);
}

TEST_F(RoundTripTest, IssuingCountryMustMatchTheDocumentSigner) {
  IssueRequest request{.doc_type = std::string(kMdlDocType),
                       .name_spaces = {{"org.iso.18013.5.1", {{"issuing_country", cbor::Value::Text("FR")}}}},
                       .device_key = issued_.device_key.public_key()};
  request.validity = {kNow - 3600, kNow - 3600, kNow + 86400, std::nullopt};
  auto mdoc = IssueMdoc(request, issued_.ds_key, {issued_.ds.der()}, crypto::SystemRandom());
  ASSERT_TRUE(mdoc.ok());
  auto doc = PresentDocument(*mdoc, {{"org.iso.18013.5.1", {"issuing_country"}}}, transcript_,
                             DeviceAuthOptions{.device_key = &issued_.device_key});
  ASSERT_TRUE(doc.ok());
  EXPECT_CODE(verifier_.Verify(BuildDeviceResponse({*doc}), transcript_), kInvalidClaims);
}

TEST_F(RoundTripTest, IssueRejectsBadRequests) {
  IssueRequest request{.doc_type = std::string(kMdlDocType),
                       .name_spaces = testing::SampleMdlElements(),
                       .device_key = issued_.device_key.public_key()};
  request.validity = {kNow, kNow, kNow, std::nullopt};
  EXPECT_CODE(IssueMdoc(request, issued_.ds_key, {issued_.ds.der()}, crypto::SystemRandom()), kInvalidArgument);
  request.validity = {kNow, kNow - 1, kNow + 10, std::nullopt};
  EXPECT_CODE(IssueMdoc(request, issued_.ds_key, {issued_.ds.der()}, crypto::SystemRandom()), kInvalidArgument);
  request.validity = {kNow, kNow, kNow + 10, std::nullopt};
  EXPECT_CODE(IssueMdoc(request, issued_.ds_key, {}, crypto::SystemRandom()), kInvalidArgument);
  request.name_spaces[0].second.push_back(request.name_spaces[0].second[0]);
  EXPECT_CODE(IssueMdoc(request, issued_.ds_key, {issued_.ds.der()}, crypto::SystemRandom()), kInvalidArgument);
  request.name_spaces.clear();
  EXPECT_CODE(IssueMdoc(request, issued_.ds_key, {issued_.ds.der()}, crypto::SystemRandom()), kInvalidArgument);
}

TEST_F(RoundTripTest, DeviceSignedElementsNeedKeyAuthorization) {
  verifier_.SkipStatusCheck();
  cbor::Value device_items = cbor::Value::MakeMap();
  cbor::Value elements = cbor::Value::MakeMap();
  elements.Insert("family_name", cbor::Value::Text("Mallory"));
  device_items.Insert("org.iso.18013.5.1", elements);
  auto doc = PresentDocument(issued_.issuer_signed, {{"org.iso.18013.5.1", {"given_name"}}}, transcript_,
                             DeviceAuthOptions{.device_key = &issued_.device_key, .device_name_spaces = device_items});
  ASSERT_TRUE(doc.ok());
  EXPECT_CODE(verifier_.Verify(BuildDeviceResponse({*doc}), transcript_), kInvalidClaims);

  // With keyAuthorizations for the namespace the same element is accepted, as device-signed.
  IssueRequest request{.doc_type = std::string(kMdlDocType),
                       .name_spaces = testing::SampleMdlElements(),
                       .device_key = issued_.device_key.public_key()};
  request.validity = {kNow - 3600, kNow - 3600, kNow + 86400, std::nullopt};
  request.key_authorizations.data_elements = {{"org.iso.18013.5.1", {"family_name"}}};
  auto mdoc = IssueMdoc(request, issued_.ds_key, {issued_.ds.der()}, crypto::SystemRandom());
  ASSERT_TRUE(mdoc.ok());
  doc = PresentDocument(*mdoc, {{"org.iso.18013.5.1", {"given_name"}}}, transcript_,
                        DeviceAuthOptions{.device_key = &issued_.device_key, .device_name_spaces = device_items});
  ASSERT_TRUE(doc.ok());
  auto docs = verifier_.Verify(BuildDeviceResponse({*doc}), transcript_);
  ASSERT_TRUE(docs.ok()) << docs.status().ToString();
  ASSERT_EQ((*docs)[0].device_signed().size(), 1u);
  EXPECT_EQ((*docs)[0].device_signed()[0].second[0].second.text(), "Mallory");
}

TEST_F(RoundTripTest, ResponseLevelErrors) {
  verifier_.SkipStatusCheck();
  cbor::Value empty = cbor::Value::MakeMap();
  empty.Insert("version", cbor::Value::Text("1.0"));
  empty.Insert("status", cbor::Value::Uint(10));
  EXPECT_CODE(verifier_.Verify(cbor::Encode(empty), transcript_), kNotFound);
  cbor::Value no_docs = cbor::Value::MakeMap();
  no_docs.Insert("version", cbor::Value::Text("1.0"));
  no_docs.Insert("status", cbor::Value::Uint(0));
  EXPECT_CODE(verifier_.Verify(cbor::Encode(no_docs), transcript_), kNotFound);
  no_docs.Insert("documents", cbor::Value::MakeArray());
  EXPECT_CODE(verifier_.Verify(cbor::Encode(no_docs), transcript_), kMalformed);
  cbor::Value bad_version = cbor::Value::MakeMap();
  bad_version.Insert("version", cbor::Value::Text("2.0"));
  bad_version.Insert("status", cbor::Value::Uint(0));
  EXPECT_CODE(verifier_.Verify(cbor::Encode(bad_version), transcript_), kMalformed);
  EXPECT_CODE(verifier_.Verify(Bytes{0xa0, 0x00}, transcript_), kMalformed);
}

TEST_F(RoundTripTest, MixedUpDocumentsAreCaught) {
  verifier_.SkipStatusCheck();
  // A Document whose docType differs from its MSO's.
  auto doc = PresentDocument(issued_.issuer_signed, {{"org.iso.18013.5.1", {"family_name"}}}, transcript_,
                             DeviceAuthOptions{.device_key = &issued_.device_key});
  ASSERT_TRUE(doc.ok());
  cbor::Value renamed = cbor::Value::MakeMap();
  for (const auto& [k, v] : doc->map()) {
    renamed.Insert(k, k.text() == "docType" ? cbor::Value::Text("uk.gov.digital-id.1") : v);
  }
  EXPECT_CODE(verifier_.Verify(BuildDeviceResponse({renamed}), transcript_), kInvalidType);

  // An item of another mdoc, from the same issuer, spliced in: its digest is not in this MSO.
  Issued other = MakeIssued();
  const cbor::Value& foreign_item = other.issuer_signed.Find("nameSpaces")->Find("org.iso.18013.5.1")->array()[0];
  cbor::Value issuer_signed = *doc->Find("issuerSigned");
  cbor::Value spliced_ns = cbor::Value::MakeMap();
  spliced_ns.Insert("org.iso.18013.5.1", cbor::Value::MakeArray({foreign_item}));
  cbor::Value spliced_issuer_signed = cbor::Value::MakeMap();
  spliced_issuer_signed.Insert("nameSpaces", spliced_ns);
  spliced_issuer_signed.Insert("issuerAuth", *issuer_signed.Find("issuerAuth"));
  cbor::Value spliced = cbor::Value::MakeMap();
  for (const auto& [k, v] : doc->map()) spliced.Insert(k, k.text() == "issuerSigned" ? spliced_issuer_signed : v);
  auto result = verifier_.Verify(BuildDeviceResponse({spliced}), transcript_);
  EXPECT_CODE(result, kDigestMismatch);
}

}  // namespace
}  // namespace bonafide::mdoc
