// tests/cli/cli_world.h: ready-made issuers, holders, status lists and credentials, produced
// with the bonafide CLI itself in a test's temporary directory, for the CLI tests.
//
// SD-JWT VC world (MakeSdJwtWorld): an ES256 issuer (kIssuerKey, public half kIssuerPub), an
// ES256 holder (kHolderKey) and an EdDSA holder (kHolderEdKey); a 2-bit Token Status List
// (kTokenList) signed into kStatusToken for kStatusUri; a Digital ID credential (kPidCredential)
// bound to the ES256 holder, status index kPidStatusIdx, with nested and array-element
// disclosable claims; and a presentation of a subset of it (kPidPresentation) to kVerifierAud
// with kNonce.
//
// jwt_vc_json world (MakeVcWorld): Ministry of Defence and DBS issuer keys with did:web
// documents, the ES256 holder, a Bitstring Status List (kBitstringList) signed into
// kBitstringToken for kVcStatusUri, a Veteran Card (kVeteranCard, status index kVetStatusIdx),
// a Basic DBS check (kDbsCredential), and a VP-JWT holding both (kVpJwt).
#ifndef BONAFIDE_TESTS_CLI_CLI_WORLD_H_
#define BONAFIDE_TESTS_CLI_CLI_WORLD_H_

#include <string>

#include "cli_runner.h"

namespace bonafide::clitest {

inline constexpr char kIssuerKey[] = "issuer.jwk";
inline constexpr char kIssuerPub[] = "issuer.pub.jwk";
inline constexpr char kHolderKey[] = "holder.jwk";
inline constexpr char kHolderEdKey[] = "holder-ed.jwk";
inline constexpr char kPidClaims[] = "pid-claims.json";
inline constexpr char kTokenList[] = "token-list.json";
inline constexpr char kStatusToken[] = "status-list.jwt";
inline constexpr char kPidCredential[] = "pid.sdjwt";
inline constexpr char kPidPresentation[] = "pid-presentation.sdjwt";

inline constexpr char kIss[] = "https://digital-id.example.gov.uk";
inline constexpr char kVct[] = "urn:uk:gov:digital-id:1";
inline constexpr char kStatusUri[] = "https://digital-id.example.gov.uk/status/1";
inline constexpr char kPidStatusIdx[] = "42";
inline constexpr char kVerifierAud[] = "https://verifier.example.co.uk";
inline constexpr char kNonce[] = "n-0S6_WzA2Mj";
// The paths the world's credential makes disclosable and the subset its presentation reveals.
inline constexpr char kPidDisclosable[] =
    "given_name,family_name,birth_date,address.street_address,address.locality,nationalities.0,nationalities."
    "1";
inline constexpr char kPidDisclosed[] = "given_name,address.locality,nationalities.1";

inline constexpr char kModKey[] = "mod.jwk";
inline constexpr char kDbsKey[] = "dbs.jwk";
inline constexpr char kModDid[] = "did:web:veterans-card.example.gov.uk";
inline constexpr char kDbsDid[] = "did:web:dbs.example.gov.uk";
inline constexpr char kModDidDoc[] = "mod-did.json";
inline constexpr char kDbsDidDoc[] = "dbs-did.json";
inline constexpr char kVetClaims[] = "veteran-claims.json";
inline constexpr char kDbsClaims[] = "dbs-claims.json";
inline constexpr char kBitstringList[] = "bitstring-list.json";
inline constexpr char kBitstringToken[] = "bitstring-status.jwt";
inline constexpr char kVcStatusUri[] = "https://veterans-card.example.gov.uk/status/3";
inline constexpr char kVetStatusIdx[] = "7";
inline constexpr char kVeteranCard[] = "veteran-card.jwt";
inline constexpr char kDbsCredential[] = "dbs-basic.jwt";
inline constexpr char kVpJwt[] = "vp.jwt";

// CliWorldTest is CliTest plus the two worlds above.
class CliWorldTest : public CliTest {
 protected:
  // MakeSdJwtWorld creates the SD-JWT VC world (use with ASSERT_NO_FATAL_FAILURE).
  void MakeSdJwtWorld();
  // MakeVcWorld creates the jwt_vc_json world (use with ASSERT_NO_FATAL_FAILURE).
  void MakeVcWorld();

  // SignTokenList signs kTokenList into kStatusToken (after a status set).
  void SignTokenList();
  // SignBitstringList signs kBitstringList into kBitstringToken.
  void SignBitstringList();
  // SetStatus runs `status set list --idx idx --value value` and checks it succeeded.
  void SetStatus(const char* list, const char* idx, const char* value);

  // VerifyPid verifies kPidPresentation with the issuer key, nonce, audience and status token.
  RunResult VerifyPid();
  // VerifyVp verifies kVpJwt against both DID documents with the nonce, audience and status list.
  RunResult VerifyVp();
};

}  // namespace bonafide::clitest

#endif  // BONAFIDE_TESTS_CLI_CLI_WORLD_H_
