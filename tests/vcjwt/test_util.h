// tests/vcjwt/test_util.h: fixtures shared by the vcjwt tests: issuer keys with their did:web
// document, holder keys, the two GOV.UK credential profiles, and a helper to re-sign an edited
// token.
#ifndef BONAFIDE_TESTS_VCJWT_TEST_UTIL_H_
#define BONAFIDE_TESTS_VCJWT_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "base/encoding.h"
#include "base/json.h"
#include "crypto/keys.h"
#include "jose/did.h"
#include "jose/jws.h"
#include "vcjwt/vc_jwt.h"

namespace bonafide::vcjwt::testing {

// 2025-11-26T10:00:00Z, the moment every test credential is issued.
inline constexpr int64_t kIssuedAt = 1764151200;
inline constexpr int64_t kYear = 365 * 86400;
inline constexpr char kVeteranIssuer[] = "did:web:veterans-card.service.gov.uk";
inline constexpr char kDbsIssuer[] = "did:web:dbs.service.gov.uk";

inline crypto::PrivateKey NewKey(crypto::SignatureAlg alg = crypto::SignatureAlg::kES256) {
  auto key = crypto::PrivateKey::Generate(alg);
  EXPECT_TRUE(key.ok());
  return std::move(key).value();
}

inline std::string HolderDid(const crypto::PrivateKey& holder) {
  auto did = jose::DidKeyFromPublicKey(holder.public_key());
  EXPECT_TRUE(did.ok());
  return did.ok() ? *did : std::string();
}

// VerificationMethod is one JsonWebKey2020 entry of a did:web document.
inline Json VerificationMethod(const std::string& did, const std::string& fragment,
                               const crypto::PublicKey& key) {
  return {{"id", did + "#" + fragment},
          {"type", "JsonWebKey2020"},
          {"controller", did},
          {"publicKeyJwk", key.ToJwk()}};
}

// DidDocument returns a did:web document publishing `methods`. A vector, not a Json: a braced
// list of one Json initialises a Json parameter as a copy under GCC but as a one-element array
// under clang (nlohmann::json's initializer-list constructor), so `{method}` meant different
// documents in the two builds.
inline Json DidDocument(const std::string& did, const std::vector<Json>& methods) {
  Json list = Json::array();
  for (const Json& method : methods) list.push_back(method);
  return {{"@context", Json::array({"https://www.w3.org/ns/did/v1"})}, {"id", did}, {"verificationMethod", list}};
}

// VeteranCardSubject is the HM Armed Forces Veteran Card credentialSubject (without id).
inline Json VeteranCardSubject() {
  return ParseJson(R"({
    "name": [{"nameParts": [{"type": "GivenName", "value": "Sarah"},
                            {"type": "FamilyName", "value": "Edwards"}]}],
    "birthDate": [{"value": "1980-06-21"}],
    "veteranCard": [{"expiryDate": "2030-11-26", "serviceNumber": "25057386",
                     "serviceBranch": "Royal Navy", "photo": "/9j/4AAQSkZJRgABAQAAAQABAAD/2Q=="}]
  })").value();
}

// DbsBasicCheckSubject is the Basic DBS check credentialSubject (without id).
inline Json DbsBasicCheckSubject() {
  return ParseJson(R"({
    "name": [{"nameParts": [{"type": "GivenName", "value": "Kenneth"},
                            {"type": "FamilyName", "value": "Decerqueira"}]}],
    "birthDate": [{"value": "1965-07-08"}],
    "address": [{"buildingName": "8", "streetName": "Hadley Road", "addressLocality": "Bath",
                 "postalCode": "BA2 5AA", "addressCountry": "GB"}],
    "issuanceDate": "2025-11-26",
    "expiryDate": "2026-11-26",
    "basicCheckRecord": [{"certificateNumber": "009878863", "applicationNumber": "E0023455534",
                          "certificateType": "BASIC", "outcome": "NO UNSPENT CONVICTIONS",
                          "policeRecordsCheck": "CLEAR"}]
  })").value();
}

// Resign decodes `token`, lets the callers edit its header and payload, and signs the result
// with `signer` (whose algorithm replaces the header alg).
inline std::string Resign(const std::string& token, const crypto::Signer& signer,
                          const std::function<void(Json&)>& edit_payload,
                          const std::function<void(Json&)>& edit_header = nullptr) {
  auto jws = jose::UnverifiedJws::Parse(token);
  EXPECT_TRUE(jws.ok());
  Json header = jws->unverified_header();
  auto payload = ParseJsonObject(AsStringView(jws->unverified_payload()));
  EXPECT_TRUE(payload.ok());
  Json claims = *payload;
  if (edit_payload) edit_payload(claims);
  if (edit_header) edit_header(header);
  auto out = jose::SignJwt(header, claims, signer);
  EXPECT_TRUE(out.ok());
  return out.ok() ? *out : std::string();
}

// PayloadOf returns the decoded payload of a compact JWS.
inline Json PayloadOf(const std::string& token) {
  auto jws = jose::UnverifiedJws::Parse(token);
  EXPECT_TRUE(jws.ok());
  return ParseJsonObject(AsStringView(jws->unverified_payload())).value();
}

inline Json HeaderOf(const std::string& token) {
  auto jws = jose::UnverifiedJws::Parse(token);
  EXPECT_TRUE(jws.ok());
  return jws->unverified_header();
}

// Compact returns header.payload.signature with the given raw parts (for alg tests).
inline std::string Compact(const Json& header, const Json& payload, const std::string& signature_b64) {
  return Base64UrlEncode(DumpJson(header)) + "." + Base64UrlEncode(DumpJson(payload)) + "." + signature_b64;
}

}  // namespace bonafide::vcjwt::testing

#endif  // BONAFIDE_TESTS_VCJWT_TEST_UTIL_H_
