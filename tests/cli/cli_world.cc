#include "cli_world.h"

#include <sys/stat.h>

namespace bonafide::clitest {
namespace {

// Digital ID claims (bonafide profile, /work/shared/UK-CREDENTIALS.md) plus a nested address
// and a nationality array, so that nested paths and array elements can be made disclosable.
constexpr char kPidClaimsJson[] = R"({
  "given_name": "Amelia",
  "family_name": "Okonkwo-Hughes",
  "birth_date": "1988-04-23",
  "nationality": "GB",
  "residency_status": "british_citizen",
  "age_over_18": true,
  "issuing_country": "GB",
  "address": {"street_address": "10 Downing Street", "locality": "London", "postal_code": "SW1A 2AA"},
  "nationalities": ["GB", "IE"]
})";

// HM Armed Forces Veteran Card credentialSubject (without id).
constexpr char kVetClaimsJson[] = R"({
  "name": [{"nameParts": [{"type": "GivenName", "value": "Sarah"}, {"type": "FamilyName", "value": "Edwards"}]}],
  "birthDate": [{"value": "1980-02-15"}],
  "veteranCard": [{"expiryDate": "2030-01-01", "serviceNumber": "25057386", "serviceBranch": "Royal Navy",
                   "photo": "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/2Q=="}]
})";

// Basic DBS check credentialSubject (without id).
constexpr char kDbsClaimsJson[] = R"({
  "name": [{"nameParts": [{"type": "GivenName", "value": "Kenneth"}, {"type": "FamilyName", "value": "Decerqueira"}]}],
  "birthDate": [{"value": "1965-07-08"}],
  "address": [{"subBuildingName": "Flat 11", "buildingName": "Blashford", "streetName": "Adelaide Road",
               "addressLocality": "London", "postalCode": "NW3 3RX", "addressCountry": "GB"}],
  "issuanceDate": "2025-06-01",
  "expiryDate": "2026-06-01",
  "basicCheckRecord": [{"certificateNumber": "009878863", "applicationNumber": "E0023455534",
                        "certificateType": "BASIC", "outcome": "NO UNSPENT CONVICTIONS",
                        "policeRecordsCheck": "Clear"}]
})";

bool Exists(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0;
}

}  // namespace

void CliWorldTest::SetStatus(const char* list, const char* idx, const char* value) {
  ASSERT_TRUE(Succeeds(Cli({"status", "set", Path(list), "--idx", idx, "--value", value})));
}

void CliWorldTest::SignTokenList() {
  ASSERT_TRUE(Succeeds(Cli({"status", "token", Path(kTokenList), "--issuer-key", Path(kIssuerKey), "--sub",
                            kStatusUri, "--out", Path(kStatusToken)})));
}

void CliWorldTest::SignBitstringList() {
  ASSERT_TRUE(Succeeds(
      Cli({"status", "token", Path(kBitstringList), "--issuer-key", Path(kModKey), "--sub", kVcStatusUri,
           "--iss", kModDid, "--kid", std::string(kModDid) + "#key-1", "--out", Path(kBitstringToken)})));
}

void CliWorldTest::MakeSdJwtWorld() {
  ASSERT_NO_FATAL_FAILURE(GenerateKey(kIssuerKey, "ES256"));
  if (!Exists(Path(kHolderKey))) {
    ASSERT_NO_FATAL_FAILURE(GenerateKey(kHolderKey, "ES256"));
  }
  ASSERT_NO_FATAL_FAILURE(GenerateKey(kHolderEdKey, "EdDSA"));
  RunResult pub = Cli({"key", "public", Path(kIssuerKey)});
  ASSERT_TRUE(Succeeds(pub));
  ASSERT_NO_FATAL_FAILURE(WriteFile(kIssuerPub, pub.out));
  ASSERT_NO_FATAL_FAILURE(WriteFile(kPidClaims, kPidClaimsJson));
  ASSERT_TRUE(Succeeds(Cli({"status", "create", "--size", "1000", "--out", Path(kTokenList)})));
  ASSERT_NO_FATAL_FAILURE(SignTokenList());
  ASSERT_TRUE(Succeeds(Cli({"sdjwt",         "issue",
                            "--issuer-key",  Path(kIssuerKey),
                            "--iss",         kIss,
                            "--vct",         kVct,
                            "--claims",      Path(kPidClaims),
                            "--holder-key",  Path(kHolderKey),
                            "--disclosable", kPidDisclosable,
                            "--status-uri",  kStatusUri,
                            "--status-idx",  kPidStatusIdx,
                            "--out",         Path(kPidCredential)})));
  ASSERT_TRUE(Succeeds(Cli({"sdjwt", "present", "--credential", Path(kPidCredential), "--holder-key",
                            Path(kHolderKey), "--disclose", kPidDisclosed, "--nonce", kNonce, "--aud",
                            kVerifierAud, "--out", Path(kPidPresentation)})));
}

void CliWorldTest::MakeVcWorld() {
  ASSERT_NO_FATAL_FAILURE(GenerateKey(kModKey, "ES256"));
  ASSERT_NO_FATAL_FAILURE(GenerateKey(kDbsKey, "ES256"));
  if (!Exists(Path(kHolderKey))) {
    ASSERT_NO_FATAL_FAILURE(GenerateKey(kHolderKey, "ES256"));
  }
  ASSERT_TRUE(Succeeds(
      Cli({"vc", "did-doc", "--issuer-key", Path(kModKey), "--did", kModDid, "--out", Path(kModDidDoc)})));
  ASSERT_TRUE(Succeeds(
      Cli({"vc", "did-doc", "--issuer-key", Path(kDbsKey), "--did", kDbsDid, "--out", Path(kDbsDidDoc)})));
  ASSERT_NO_FATAL_FAILURE(WriteFile(kVetClaims, kVetClaimsJson));
  ASSERT_NO_FATAL_FAILURE(WriteFile(kDbsClaims, kDbsClaimsJson));
  ASSERT_TRUE(Succeeds(
      Cli({"status", "create", "--kind", "bitstring", "--size", "1000", "--out", Path(kBitstringList)})));
  ASSERT_NO_FATAL_FAILURE(SignBitstringList());
  ASSERT_TRUE(Succeeds(Cli({"vc",
                            "issue",
                            "--issuer-key",
                            Path(kModKey),
                            "--issuer",
                            kModDid,
                            "--type",
                            "DigitalVeteranCard",
                            "--claims",
                            Path(kVetClaims),
                            "--holder-key",
                            Path(kHolderKey),
                            "--name",
                            "HM Armed Forces Veteran Card",
                            "--description",
                            "HM Armed Forces Veteran Card",
                            "--status-uri",
                            kVcStatusUri,
                            "--status-idx",
                            kVetStatusIdx,
                            "--out",
                            Path(kVeteranCard)})));
  ASSERT_TRUE(Succeeds(Cli({"vc", "issue", "--issuer-key", Path(kDbsKey), "--issuer", kDbsDid, "--type",
                            "BasicDisclosureCredential", "--claims", Path(kDbsClaims), "--holder-key",
                            Path(kHolderKey), "--name", "Basic DBS check", "--out", Path(kDbsCredential)})));
  ASSERT_TRUE(Succeeds(Cli({"vc", "present", "--credential", Path(kVeteranCard), "--credential",
                            Path(kDbsCredential), "--holder-key", Path(kHolderKey), "--nonce", kNonce,
                            "--aud", kVerifierAud, "--out", Path(kVpJwt)})));
}

RunResult CliWorldTest::VerifyPid() {
  return Cli({"sdjwt", "verify", Path(kPidPresentation), "--issuer-key", Path(kIssuerPub), "--nonce", kNonce,
              "--aud", kVerifierAud, "--status-list", Path(kStatusToken)});
}

RunResult CliWorldTest::VerifyVp() {
  return Cli({"vc", "verify", Path(kVpJwt), "--did-doc", Path(kModDidDoc), "--did-doc", Path(kDbsDidDoc),
              "--status-list", Path(kBitstringToken), "--nonce", kNonce, "--aud", kVerifierAud});
}

}  // namespace bonafide::clitest
