// Tests of DeviceRequest and mdoc reader authentication (mdoc/device_request.h).
#include <gtest/gtest.h>

#include "mdoc/device_request.h"
#include "mdoc/session_transcript.h"
#include "tests/mdoc/mdoc_fixture.h"

namespace bonafide::mdoc {
namespace {

using testing::AnnexDCert;
using testing::AnnexDHex;
using testing::AnnexDTranscript;
using testing::kAnnexDTime;

#define EXPECT_CODE(expr, want) EXPECT_EQ((expr).status().code(), StatusCode::want) << (expr).status().ToString()

std::unique_ptr<IacaTrustStore> Trust(const crypto::Certificate& root) { return std::move(*IacaTrustStore::Create({root})); }

TEST(DeviceRequestAnnexD, ParsesAndReaderAuthVerifies) {
  auto requests = ParseDeviceRequest(AnnexDHex("device_request"));
  ASSERT_TRUE(requests.ok()) << requests.status().ToString();
  ASSERT_EQ(requests->size(), 1u);
  const DocRequest& request = (*requests)[0];
  EXPECT_EQ(request.items_request.doc_type, "org.iso.18013.5.1.mDL");
  ASSERT_EQ(request.items_request.name_spaces.size(), 1u);
  EXPECT_EQ(request.items_request.name_spaces[0].first, "org.iso.18013.5.1");
  bool family_name_retained = false;
  for (const RequestedElement& e : request.items_request.name_spaces[0].second) {
    if (e.name == "family_name") family_name_retained = e.intent_to_retain;
  }
  EXPECT_TRUE(family_name_retained);
  // The ItemsRequest bytes are kept as received.
  EXPECT_EQ(Bytes(request.items_request_bytes.tagged().bytes().begin(), request.items_request_bytes.tagged().bytes().end()),
            AnnexDHex("items_request"));

  const Bytes transcript = AnnexDTranscript();
  EXPECT_EQ(ReaderAuthenticationBytes(transcript, request.items_request_bytes), AnnexDHex("reader_authentication_bytes"));

  auto readers = Trust(AnnexDCert("reader_root_cert"));
  auto reader = VerifyReaderAuth(request, transcript, *readers, kAnnexDTime);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ(reader->subject_common_name, "reader");

  // After the reader certificate's end, and against the wrong roots.
  EXPECT_CODE(VerifyReaderAuth(request, transcript, *readers, 1704067200), kExpired);  // 2024-01-01
  auto issuers = Trust(AnnexDCert("iaca_root_cert"));
  EXPECT_CODE(VerifyReaderAuth(request, transcript, *issuers, kAnnexDTime), kUntrustedIssuer);
  // Over another transcript the signature fails.
  Bytes other = transcript;
  other.back() ^= 1;
  EXPECT_CODE(VerifyReaderAuth(request, other, *readers, kAnnexDTime), kInvalidSignature);
}

TEST(DeviceRequest, BuildParseAndVerifyWithOwnReaderCertificate) {
  // A reader chain made with the IACA tools: the Annex B reader profile differs only in EKU, so a
  // document signer certificate must be refused as a reader certificate.
  testing::Issued issued = testing::MakeIssued(false);
  const Bytes transcript = EncodeSessionTranscript(
      OpenId4VpRedirectTranscript("x509_san_dns:v.example", "n", std::nullopt, "https://v.example/r"));
  ItemsRequest items{.doc_type = std::string(kMdlDocType),
                     .name_spaces = {{"org.iso.18013.5.1", {{"family_name", false}, {"age_over_18", false}}}}};
  ReaderAuthKey key{&issued.ds_key, {issued.ds.der()}};
  auto encoded = BuildDeviceRequest({items}, transcript, &key);
  ASSERT_TRUE(encoded.ok()) << encoded.status().ToString();
  auto parsed = ParseDeviceRequest(*encoded);
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ((*parsed)[0].items_request.name_spaces[0].second.size(), 2u);
  auto roots = Trust(issued.iaca);
  EXPECT_CODE(VerifyReaderAuth((*parsed)[0], transcript, *roots, testing::kNow), kInvalidCertificate);

  auto unsigned_request = BuildDeviceRequest({items}, transcript, nullptr);
  ASSERT_TRUE(unsigned_request.ok());
  auto parsed_unsigned = ParseDeviceRequest(*unsigned_request);
  ASSERT_TRUE(parsed_unsigned.ok());
  EXPECT_CODE(VerifyReaderAuth((*parsed_unsigned)[0], transcript, *roots, testing::kNow), kNotFound);
}

TEST(DeviceRequest, RejectsMalformedRequests) {
  EXPECT_CODE(BuildDeviceRequest({}, {}, nullptr), kInvalidArgument);
  EXPECT_CODE(BuildDeviceRequest({ItemsRequest{.doc_type = "x", .name_spaces = {}}}, {}, nullptr), kInvalidArgument);
  auto encode = [](const cbor::Value& v) { return cbor::Encode(v); };
  cbor::Value request = cbor::Value::MakeMap();
  request.Insert("version", cbor::Value::Text("1.0"));
  EXPECT_CODE(ParseDeviceRequest(encode(request)), kMalformed);  // no docRequests
  cbor::Value items = cbor::Value::MakeMap();
  items.Insert("docType", cbor::Value::Text("org.iso.18013.5.1.mDL"));
  cbor::Value elements = cbor::Value::MakeMap();
  elements.Insert("family_name", cbor::Value::Uint(1));  // intent must be a bool
  cbor::Value ns = cbor::Value::MakeMap();
  ns.Insert("org.iso.18013.5.1", elements);
  items.Insert("nameSpaces", ns);
  cbor::Value doc_request = cbor::Value::MakeMap();
  doc_request.Insert("itemsRequest", cbor::Value::EmbeddedCbor(items));
  request.Insert("docRequests", cbor::Value::MakeArray({doc_request}));
  EXPECT_CODE(ParseDeviceRequest(encode(request)), kMalformed);
  EXPECT_CODE(ParseDeviceRequest(Bytes{0xa0}), kMalformed);
  Bytes truncated = AnnexDHex("device_request");
  truncated.pop_back();
  EXPECT_CODE(ParseDeviceRequest(truncated), kMalformed);
}

}  // namespace
}  // namespace bonafide::mdoc
