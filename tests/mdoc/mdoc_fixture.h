// tests/mdoc/mdoc_fixture.h: shared test data for the mdoc tests: the ISO 18013-5 Annex D
// vectors and a freshly made IACA, document signer and device key with an issued mDL.
#ifndef BONAFIDE_TESTS_MDOC_MDOC_FIXTURE_H_
#define BONAFIDE_TESTS_MDOC_MDOC_FIXTURE_H_

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "base/clock.h"
#include "base/encoding.h"
#include "cbor/cbor.h"
#include "crypto/keys.h"
#include "crypto/random.h"
#include "mdoc/iaca.h"
#include "mdoc/issuer.h"
#include "tests/common/test_util.h"

namespace bonafide::mdoc::testing {

inline const std::string kAnnexD = std::string(BONAFIDE_VECTORS_DIR) + "/mdoc-iso18013-5/annex-d/";

// AnnexDHex returns the bytes of annex-d/<name>.hex.
inline Bytes AnnexDHex(const std::string& name) {
  std::string text = bonafide::testing::ReadFile(kAnnexD + name + ".hex");
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  Result<Bytes> bytes = HexDecode(text);
  EXPECT_TRUE(bytes.ok()) << name;
  return bytes.ok() ? *bytes : Bytes();
}

// AnnexDKey returns the P-256 private key `name` of annex-d/keys.json.
inline crypto::PrivateKey AnnexDKey(const std::string& name) {
  Json keys = bonafide::testing::LoadVector("mdoc-iso18013-5/annex-d/keys.json");
  auto b64 = [](const std::string& hex) { return Base64UrlEncode(*HexDecode(hex)); };
  Json jwk = {{"kty", "EC"},
              {"crv", "P-256"},
              {"x", b64(keys[name]["x"].get<std::string>())},
              {"y", b64(keys[name]["y"].get<std::string>())},
              {"d", b64(keys[name]["d"].get<std::string>())}};
  return *crypto::PrivateKey::FromJwk(jwk);
}

inline crypto::Certificate AnnexDCert(const std::string& name) {
  return *crypto::Certificate::FromPem(bonafide::testing::ReadFile(kAnnexD + name + ".pem"));
}

// The Annex D verification time: 2021-01-01T00:00:00Z.
inline constexpr int64_t kAnnexDTime = 1609459200;

// The inner SessionTranscript of annex-d/session_transcript_bytes.hex (its tag-24 content).
inline Bytes AnnexDTranscript() {
  Result<cbor::Value> wrapped = cbor::Decode(AnnexDHex("session_transcript_bytes"));
  EXPECT_TRUE(wrapped.ok());
  const cbor::Value& inner = wrapped->tagged();
  return Bytes(inner.bytes().begin(), inner.bytes().end());
}

// Issued is a fresh PKI and device key with one issued mDL.
struct Issued {
  crypto::PrivateKey iaca_key;
  crypto::Certificate iaca;
  crypto::PrivateKey ds_key;
  crypto::Certificate ds;
  crypto::PrivateKey device_key;
  cbor::Value issuer_signed;
};

// kNow is the fixture's clock: 2026-11-26T12:00:00Z.
inline constexpr int64_t kNow = 1795694400;

inline NameSpaces SampleMdlElements() {
  NameSpaces ns;
  std::vector<std::pair<std::string, cbor::Value>> iso;
  iso.emplace_back("family_name", cbor::Value::Text("Okafor"));
  iso.emplace_back("given_name", cbor::Value::Text("Adaeze"));
  iso.emplace_back("birth_date", cbor::Value::FullDate("1990-04-12"));
  iso.emplace_back("issue_date", cbor::Value::FullDate("2024-01-15"));
  iso.emplace_back("expiry_date", cbor::Value::FullDate("2034-01-14"));
  iso.emplace_back("issuing_country", cbor::Value::Text("GB"));
  iso.emplace_back("issuing_authority", cbor::Value::Text("DVLA"));
  iso.emplace_back("document_number", cbor::Value::Text("OKAFO904120A99XY"));
  iso.emplace_back("portrait", cbor::Value::ByteString(Bytes{0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0xff, 0xd9}));
  cbor::Value privilege = cbor::Value::MakeMap();
  privilege.Insert("vehicle_category_code", cbor::Value::Text("B"));
  privilege.Insert("issue_date", cbor::Value::FullDate("2010-06-01"));
  privilege.Insert("expiry_date", cbor::Value::FullDate("2034-01-14"));
  iso.emplace_back("driving_privileges", cbor::Value::MakeArray({privilege}));
  iso.emplace_back("un_distinguishing_sign", cbor::Value::Text("UK"));
  iso.emplace_back("age_over_18", cbor::Value::Bool(true));
  ns.emplace_back(std::string(kMdlNameSpace), std::move(iso));
  std::vector<std::pair<std::string, cbor::Value>> gb;
  gb.emplace_back("welsh_licence", cbor::Value::Bool(false));
  ns.emplace_back("org.iso.18013.5.1.GB", std::move(gb));
  return ns;
}

// MakeIssued creates an IACA, a DS and a device key, and issues SampleMdlElements (valid a year
// from kNow - 1 day, with a status list reference at index 7 when `with_status`).
inline Issued MakeIssued(bool with_status = true) {
  FixedClock clock(kNow - 86400);
  IacaOptions iaca_options;
  iaca_options.common_name = "bonafide test IACA";
  iaca_options.issuer_alt_uri = "https://dvla.example.gov.uk/iaca";
  auto iaca = CreateIaca(iaca_options, clock);
  EXPECT_TRUE(iaca.ok()) << iaca.status().ToString();
  DocumentSignerOptions ds_options;
  ds_options.common_name = "bonafide test DS";
  auto ds = CreateDocumentSigner(iaca->key, iaca->certificate, ds_options, clock);
  EXPECT_TRUE(ds.ok()) << ds.status().ToString();
  auto device = crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256);
  IssueRequest request{.doc_type = std::string(kMdlDocType),
                       .name_spaces = SampleMdlElements(),
                       .device_key = device->public_key()};
  request.validity = {kNow - 86400, kNow - 86400, kNow + 365 * 86400, std::nullopt};
  if (with_status) request.status = status::StatusReference{7, "https://dvla.example.gov.uk/status/1"};
  auto issued = IssueMdoc(request, ds->key, {ds->certificate.der()}, crypto::SystemRandom());
  EXPECT_TRUE(issued.ok()) << issued.status().ToString();
  return Issued{std::move(iaca->key), std::move(iaca->certificate), std::move(ds->key), std::move(ds->certificate),
                std::move(*device), std::move(*issued)};
}

}  // namespace bonafide::mdoc::testing

#endif  // BONAFIDE_TESTS_MDOC_MDOC_FIXTURE_H_
