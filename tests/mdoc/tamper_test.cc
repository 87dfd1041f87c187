// Tamper test (issue: "a tampered byte anywhere in issuerAuth, the MSO or an item must be
// rejected"): every single-byte change of a bonafide-issued IssuerSigned and DeviceResponse is
// either rejected or leaves the verified claims exactly as they were.
#include <gtest/gtest.h>

#include "mdoc/doctypes.h"
#include "mdoc/holder.h"
#include "mdoc/session_transcript.h"
#include "mdoc/verifier.h"
#include "tests/mdoc/mdoc_fixture.h"

namespace bonafide::mdoc {
namespace {

// ClaimsJson renders verified documents' elements for comparison.
Json ClaimsJson(const std::vector<VerifiedDocument>& docs) {
  Json out = Json::array();
  for (const VerifiedDocument& doc : docs) {
    Json d = {{"docType", doc.doc_type()}, {"issuer", Json::object()}, {"device", Json::object()}};
    for (const auto& [ns, elements] : doc.issuer_signed()) {
      for (const auto& [name, value] : elements) d["issuer"][ns][name] = ElementToJson(value);
    }
    for (const auto& [ns, elements] : doc.device_signed()) {
      for (const auto& [name, value] : elements) d["device"][ns][name] = ElementToJson(value);
    }
    out.push_back(d);
  }
  return out;
}

struct Outcome {
  size_t rejected = 0;
  size_t accepted_unchanged = 0;
};

// FlipEachByte applies `change` to each byte of `original` in turn and runs `verify`, which
// returns the verified claims or an error. Any accepted change must give `expected`.
template <typename Verify>
Outcome FlipEachByte(const Bytes& original, const Json& expected, uint8_t mask, Verify verify) {
  Outcome outcome;
  Bytes copy = original;
  for (size_t i = 0; i < copy.size(); ++i) {
    copy[i] ^= mask;
    Result<Json> claims = verify(copy);
    if (!claims.ok()) {
      ++outcome.rejected;
    } else {
      EXPECT_EQ(*claims, expected) << "byte " << i << " ^ " << int{mask} << " was accepted with other claims";
      ++outcome.accepted_unchanged;
    }
    copy[i] ^= mask;
  }
  return outcome;
}

class TamperTest : public ::testing::Test {
 protected:
  testing::Issued issued_ = testing::MakeIssued();
  std::unique_ptr<IacaTrustStore> trust_ = std::move(*IacaTrustStore::Create({issued_.iaca}));
  FixedClock clock_{testing::kNow};
  DeviceResponseVerifier verifier_{*trust_, clock_};
  Bytes transcript_ = EncodeSessionTranscript(
      OpenId4VpRedirectTranscript("x509_san_dns:v.example", "nonce", std::nullopt, "https://v.example/post"));

  void SetUp() override { verifier_.WithStatusCheck([](const status::StatusReference&) { return OkStatus(); }); }
};

TEST_F(TamperTest, EveryByteOfIssuerSigned) {
  const Bytes original = cbor::Encode(issued_.issuer_signed);
  auto verify = [&](const Bytes& bytes) -> Result<Json> {
    ASSIGN_OR_RETURN(cbor::Value value, cbor::Decode(bytes));
    ASSIGN_OR_RETURN(VerifiedDocument doc, verifier_.VerifyIssuerSigned(value));
    return ClaimsJson({doc});
  };
  auto expected = verify(original);
  ASSERT_TRUE(expected.ok()) << expected.status().ToString();
  for (uint8_t mask : {uint8_t{0x01}, uint8_t{0x80}, uint8_t{0xff}}) {
    Outcome outcome = FlipEachByte(original, *expected, mask, verify);
    EXPECT_EQ(outcome.rejected + outcome.accepted_unchanged, original.size());
    // Nearly everything in an IssuerSigned is signed or digested; a change that verifies must
    // be outside (e.g. the order-irrelevant unprotected bucket) and is counted above.
    EXPECT_GT(outcome.rejected, original.size() * 95 / 100) << "mask " << int{mask};
  }
}

TEST_F(TamperTest, EveryByteOfDeviceResponse) {
  auto doc = PresentDocument(issued_.issuer_signed,
                             {{"org.iso.18013.5.1", {"family_name", "birth_date", "portrait", "driving_privileges"}},
                              {"org.iso.18013.5.1.GB", {"welsh_licence"}}},
                             transcript_, DeviceAuthOptions{.device_key = &issued_.device_key});
  ASSERT_TRUE(doc.ok());
  const Bytes original = BuildDeviceResponse({*doc});
  auto verify = [&](const Bytes& bytes) -> Result<Json> {
    ASSIGN_OR_RETURN(std::vector<VerifiedDocument> docs, verifier_.Verify(bytes, transcript_));
    return ClaimsJson(docs);
  };
  auto expected = verify(original);
  ASSERT_TRUE(expected.ok()) << expected.status().ToString();
  ASSERT_EQ((*expected)[0]["issuer"]["org.iso.18013.5.1"].size(), 4u);
  for (uint8_t mask : {uint8_t{0x01}, uint8_t{0x80}, uint8_t{0xff}}) {
    Outcome outcome = FlipEachByte(original, *expected, mask, verify);
    EXPECT_EQ(outcome.rejected + outcome.accepted_unchanged, original.size());
    EXPECT_GT(outcome.rejected, original.size() * 95 / 100) << "mask " << int{mask};
  }
}

TEST_F(TamperTest, AnnexDResponseAtTheExampleTime) {
  auto trust = std::move(*IacaTrustStore::Create({testing::AnnexDCert("iaca_root_cert")}));
  FixedClock clock(testing::kAnnexDTime);
  crypto::PrivateKey reader = testing::AnnexDKey("ephemeral_reader_key");
  DeviceResponseVerifier verifier(*trust, clock);
  verifier.WithReaderKey(reader);
  const Bytes transcript = testing::AnnexDTranscript();
  const Bytes original = testing::AnnexDHex("device_response");
  auto verify = [&](const Bytes& bytes) -> Result<Json> {
    ASSIGN_OR_RETURN(std::vector<VerifiedDocument> docs, verifier.Verify(bytes, transcript));
    return ClaimsJson(docs);
  };
  auto expected = verify(original);
  ASSERT_TRUE(expected.ok()) << expected.status().ToString();
  Outcome outcome = FlipEachByte(original, *expected, 0x01, verify);
  EXPECT_EQ(outcome.rejected + outcome.accepted_unchanged, original.size());
}

}  // namespace
}  // namespace bonafide::mdoc
