// End-to-end stories through the bonafide CLI: keys, SD-JWT VC with a Token Status List,
// jwt_vc_json (Veteran Card, Basic DBS check) with a Bitstring Status List, and status get.
#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cli_runner.h"
#include "cli_world.h"
#include "crypto/keys.h"
#include "crypto/x509.h"
#include "crypto/x509_builder.h"

namespace bonafide::clitest {
namespace {

// A fixed instant (2026-01-01T00:00:00Z) for tests about time windows.
constexpr int64_t kT0 = 1767225600;
constexpr int64_t kDay = 86400;

std::string At(int64_t t) { return std::to_string(t); }

// Keys ----------------------------------------------------------------------------------------

using CliKeyTest = CliWorldTest;

TEST_F(CliKeyTest, GeneratePublicAndDid) {
  struct Case {
    const char* alg;
    const char* kty;
    const char* crv;
    const char* did_prefix;  // multicodec prefix of the did:key
  };
  for (const Case& c :
       {Case{"ES256", "EC", "P-256", "did:key:zDn"}, Case{"ES384", "EC", "P-384", "did:key:z82"},
        Case{"EdDSA", "OKP", "Ed25519", "did:key:z6Mk"}}) {
    SCOPED_TRACE(c.alg);
    RunResult gen = Cli({"key", "generate", "--alg", c.alg});
    ASSERT_TRUE(Succeeds(gen));
    Json priv = StdoutJson(gen);
    EXPECT_EQ(priv.value("kty", ""), c.kty);
    EXPECT_EQ(priv.value("crv", ""), c.crv);
    EXPECT_EQ(priv.value("alg", ""), c.alg);
    EXPECT_TRUE(priv.contains("d"));
    ASSERT_TRUE(priv.contains("kid"));
    ASSERT_NO_FATAL_FAILURE(WriteFile("k.jwk", gen.out));

    RunResult pub = Cli({"key", "public", Path("k.jwk")});
    ASSERT_TRUE(Succeeds(pub));
    Json pub_jwk = StdoutJson(pub);
    EXPECT_FALSE(pub_jwk.contains("d")) << "key public leaked the private key";
    EXPECT_EQ(pub_jwk.value("x", ""), priv.value("x", "?"));
    EXPECT_EQ(pub_jwk.value("kid", ""), priv.value("kid", "?"));
    EXPECT_EQ(pub_jwk.value("alg", ""), c.alg);
    ASSERT_NO_FATAL_FAILURE(WriteFile("k.pub.jwk", pub.out));

    RunResult did = Cli({"key", "did", Path("k.jwk")});
    ASSERT_TRUE(Succeeds(did));
    std::string did_key = did.out.substr(0, did.out.find('\n'));
    EXPECT_EQ(did_key.rfind(c.did_prefix, 0), 0u) << did_key;
    // The public half gives the same DID, and the DID resolves back to the same key.
    RunResult did_pub = Cli({"key", "did", Path("k.pub.jwk")});
    ASSERT_TRUE(Succeeds(did_pub));
    EXPECT_EQ(did_pub.out, did.out);
    RunResult resolved = Cli({"key", "public", did_key});
    ASSERT_TRUE(Succeeds(resolved));
    EXPECT_EQ(StdoutJson(resolved).value("x", ""), priv.value("x", "?"));
  }
}

TEST_F(CliKeyTest, GenerateRejectsUnknownAlgorithms) {
  for (const char* alg : {"RS256", "none", "es256", "HS256", ""}) {
    SCOPED_TRACE(alg);
    EXPECT_TRUE(CommandFailsWith(Cli({"key", "generate", "--alg", alg}), "invalid_argument"));
  }
}

TEST_F(CliKeyTest, InlineDidKeyErrors) {
  EXPECT_TRUE(CommandFailsWith(Cli({"key", "did", "did:key:zzzz"}), "invalid_key"));
  EXPECT_TRUE(CommandFailsWith(Cli({"key", "public", "did:jwk:zzzz"}), "malformed"));
}

// SD-JWT VC ------------------------------------------------------------------------------------

using CliSdJwtTest = CliWorldTest;

TEST_F(CliSdJwtTest, PresentationRevealsOnlyDisclosedClaimsAndFollowsStatus) {
  ASSERT_NO_FATAL_FAILURE(MakeSdJwtWorld());
  RunResult r = VerifyPid();
  ASSERT_TRUE(Succeeds(r));
  Json out = StdoutJson(r);
  EXPECT_EQ(out.value("valid", false), true);
  EXPECT_EQ(out.value("format", ""), "dc+sd-jwt");
  EXPECT_EQ(out.value("vct", ""), kVct);
  EXPECT_EQ(out.value("iss", ""), kIss);
  EXPECT_EQ(out.value("key_binding", false), true);
  EXPECT_EQ(out.value("status_checked", false), true);
  const Json claims = out.value("claims", Json::object());
  // Disclosed.
  EXPECT_EQ(claims.value("given_name", ""), "Amelia");
  ASSERT_TRUE(claims.contains("address"));
  EXPECT_EQ(claims["address"].value("locality", ""), "London");
  EXPECT_EQ(claims.value("nationalities", Json()), Json::array({"IE"}));
  // Never disclosable: always visible.
  EXPECT_EQ(claims["address"].value("postal_code", ""), "SW1A 2AA");
  EXPECT_EQ(claims.value("residency_status", ""), "british_citizen");
  EXPECT_EQ(claims.value("age_over_18", false), true);
  // Disclosable but not disclosed: absent.
  EXPECT_FALSE(claims.contains("family_name"));
  EXPECT_FALSE(claims.contains("birth_date"));
  EXPECT_FALSE(claims["address"].contains("street_address"));
  // No SD-JWT machinery leaks into the claims.
  EXPECT_FALSE(claims.contains("_sd"));
  EXPECT_FALSE(claims.contains("_sd_alg"));
  EXPECT_EQ(r.out.find("\"...\""), std::string::npos);

  // Revoke, suspend, reinstate: each change is seen through a freshly signed token.
  ASSERT_NO_FATAL_FAILURE(SetStatus(kTokenList, kPidStatusIdx, "invalid"));
  ASSERT_NO_FATAL_FAILURE(SignTokenList());
  EXPECT_TRUE(VerifyFailsWith(VerifyPid(), "revoked"));

  ASSERT_NO_FATAL_FAILURE(SetStatus(kTokenList, kPidStatusIdx, "suspended"));
  ASSERT_NO_FATAL_FAILURE(SignTokenList());
  EXPECT_TRUE(VerifyFailsWith(VerifyPid(), "suspended"));

  ASSERT_NO_FATAL_FAILURE(SetStatus(kTokenList, kPidStatusIdx, "valid"));
  ASSERT_NO_FATAL_FAILURE(SignTokenList());
  EXPECT_TRUE(Succeeds(VerifyPid()));

  // Neighbouring entries do not affect the credential (boundary: idx 41 and 43).
  ASSERT_NO_FATAL_FAILURE(SetStatus(kTokenList, "41", "invalid"));
  ASSERT_NO_FATAL_FAILURE(SetStatus(kTokenList, "43", "suspended"));
  ASSERT_NO_FATAL_FAILURE(SignTokenList());
  EXPECT_TRUE(Succeeds(VerifyPid()));
}

TEST_F(CliSdJwtTest, AllDisclosableWithEdDsaHolderNamedByDidKey) {
  ASSERT_NO_FATAL_FAILURE(MakeSdJwtWorld());
  RunResult did = Cli({"key", "did", Path(kHolderEdKey)});
  ASSERT_TRUE(Succeeds(did));
  std::string holder_did = did.out.substr(0, did.out.find('\n'));
  ASSERT_TRUE(Succeeds(Cli({"sdjwt", "issue", "--issuer-key", Path(kIssuerKey), "--iss", kIss, "--vct", kVct,
                            "--claims", Path(kPidClaims), "--holder-key", holder_did, "--all-disclosable",
                            "--status-uri", kStatusUri, "--status-idx", "43", "--out", Path("all.sdjwt")})));
  ASSERT_TRUE(
      Succeeds(Cli({"sdjwt", "present", "--credential", Path("all.sdjwt"), "--holder-key", Path(kHolderEdKey),
                    "--disclose", "family_name,address.postal_code,nationalities.0", "--nonce", kNonce,
                    "--aud", kVerifierAud, "--out", Path("all.presentation")})));
  RunResult r = Cli({"sdjwt", "verify", Path("all.presentation"), "--issuer-key", Path(kIssuerPub), "--nonce",
                     kNonce, "--aud", kVerifierAud, "--status-list", Path(kStatusToken)});
  ASSERT_TRUE(Succeeds(r));
  Json claims = StdoutJson(r).value("claims", Json::object());
  EXPECT_EQ(claims.value("family_name", ""), "Okonkwo-Hughes");
  ASSERT_TRUE(claims.contains("address"));
  EXPECT_EQ(claims["address"], Json({{"postal_code", "SW1A 2AA"}}));
  EXPECT_EQ(claims.value("nationalities", Json()), Json::array({"GB"}));
  for (const char* hidden : {"given_name", "birth_date", "nationality", "residency_status", "age_over_18"}) {
    EXPECT_FALSE(claims.contains(hidden)) << hidden;
  }
  // Metadata stays in the clear.
  EXPECT_EQ(claims.value("vct", ""), kVct);
  EXPECT_TRUE(claims.contains("status"));
  ASSERT_TRUE(claims.contains("cnf"));
  EXPECT_EQ(claims["cnf"]["jwk"].value("crv", ""), "Ed25519");

  // Only the bound holder can present.
  EXPECT_TRUE(CommandFailsWith(
      Cli({"sdjwt", "present", "--credential", Path("all.sdjwt"), "--holder-key", Path(kHolderKey),
           "--disclose", "family_name", "--nonce", kNonce, "--aud", kVerifierAud}),
      "invalid_key"));
}

TEST_F(CliSdJwtTest, KeyBindingNonceAndAudience) {
  ASSERT_NO_FATAL_FAILURE(MakeSdJwtWorld());
  auto verify = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"sdjwt",           "verify",         Path(kPidPresentation),
                                     "--issuer-key",    Path(kIssuerPub), "--status-list",
                                     Path(kStatusToken)};
    args.insert(args.end(), extra.begin(), extra.end());
    return Cli(args);
  };
  EXPECT_TRUE(Succeeds(verify({"--nonce", kNonce, "--aud", kVerifierAud})));
  EXPECT_TRUE(VerifyFailsWith(verify({"--nonce", "n-0S6_WzA2Mk", "--aud", kVerifierAud}), "nonce_mismatch"));
  EXPECT_TRUE(VerifyFailsWith(verify({"--nonce", kNonce, "--aud", "https://verifier.example.co.uk/"}),
                              "audience_mismatch"));
  EXPECT_TRUE(
      VerifyFailsWith(verify({"--nonce", kNonce, "--aud", "https://attacker.example"}), "audience_mismatch"));
  // Not saying what to expect is an error, never a skipped check.
  EXPECT_TRUE(VerifyFailsWith(verify({}), "invalid_argument"));

  // The issuance form has no Key Binding JWT.
  EXPECT_TRUE(
      VerifyFailsWith(Cli({"sdjwt", "verify", Path(kPidCredential), "--issuer-key", Path(kIssuerPub),
                           "--nonce", kNonce, "--aud", kVerifierAud, "--status-list", Path(kStatusToken)}),
                      "missing_key_binding"));
}

TEST_F(CliSdJwtTest, IssuerTrust) {
  ASSERT_NO_FATAL_FAILURE(MakeSdJwtWorld());
  ASSERT_NO_FATAL_FAILURE(GenerateKey("other-es256.jwk", "ES256"));
  ASSERT_NO_FATAL_FAILURE(GenerateKey("other-eddsa.jwk", "EdDSA"));
  ASSERT_NO_FATAL_FAILURE(GenerateKey("other-es384.jwk", "ES384"));
  auto verify_with = [&](const std::string& key) {
    return Cli({"sdjwt", "verify", Path(kPidPresentation), "--issuer-key", key, "--nonce", kNonce, "--aud",
                kVerifierAud, "--status-list", Path(kStatusToken), "--status-key", Path(kIssuerPub)});
  };
  EXPECT_TRUE(Succeeds(verify_with(Path(kIssuerPub))));
  EXPECT_TRUE(Succeeds(verify_with(Path(kIssuerKey))));  // a private key file: its public half is used
  EXPECT_TRUE(VerifyFailsWith(verify_with(Path("other-es256.jwk")), "invalid_signature"));
  // The key decides the algorithm: an ES256 credential against another kind of key.
  EXPECT_TRUE(VerifyFailsWith(verify_with(Path("other-eddsa.jwk")), "algorithm_mismatch"));
  EXPECT_TRUE(VerifyFailsWith(verify_with(Path("other-es384.jwk")), "algorithm_mismatch"));
  // No trust configured at all.
  EXPECT_TRUE(VerifyFailsWith(Cli({"sdjwt", "verify", Path(kPidPresentation), "--nonce", kNonce, "--aud",
                                   kVerifierAud, "--status-list", Path(kStatusToken)}),
                              "untrusted_issuer"));
  // --issuer-key and --trust-anchor exclude each other.
  ASSERT_NO_FATAL_FAILURE(
      WriteFile("anchor.pem", "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n"));
  EXPECT_TRUE(
      UsageError(Cli({"sdjwt", "verify", Path(kPidPresentation), "--issuer-key", Path(kIssuerPub),
                      "--trust-anchor", Path("anchor.pem"), "--nonce", kNonce, "--aud", kVerifierAud})));
}

// x5c mode: the issuer's certificate chain travels in the credential header and the verifier
// trusts only a root. There is no CLI command that creates certificates in this issue (the PKI
// commands come with mdoc), so the test builds the PKI with the crypto library.
TEST_F(CliSdJwtTest, TrustAnchorMode) {
  ASSERT_NO_FATAL_FAILURE(MakeSdJwtWorld());
  auto root_key = *crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256);
  auto issuer_key = *crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256);
  auto other_root_key = *crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256);
  crypto::CertificateTemplate root_tmpl;
  root_tmpl.subject = {{"C", "GB"}, {"O", "bonafide test"}, {"CN", "Test Root"}};
  root_tmpl.not_before = kT0 - 365 * kDay;
  root_tmpl.not_after = kT0 + 10 * 365 * kDay;
  root_tmpl.is_ca = true;
  root_tmpl.key_usage.key_cert_sign = true;
  root_tmpl.key_usage.crl_sign = true;
  auto root = crypto::CreateSelfSignedCertificate(root_tmpl, root_key);
  ASSERT_TRUE(root.ok()) << root.status().ToString();
  root_tmpl.subject = {{"C", "GB"}, {"O", "bonafide test"}, {"CN", "Other Root"}};
  auto other_root = crypto::CreateSelfSignedCertificate(root_tmpl, other_root_key);
  ASSERT_TRUE(other_root.ok());
  crypto::CertificateTemplate leaf_tmpl;
  leaf_tmpl.subject = {{"C", "GB"}, {"CN", "Digital ID issuer"}};
  leaf_tmpl.not_before = kT0 - kDay;
  leaf_tmpl.not_after = kT0 + 365 * kDay;
  leaf_tmpl.key_usage.digital_signature = true;
  leaf_tmpl.uris = {kIss};
  auto leaf = crypto::IssueCertificate(leaf_tmpl, issuer_key.public_key(), *root, root_key);
  ASSERT_TRUE(leaf.ok()) << leaf.status().ToString();
  SecretBytes pem = issuer_key.ExportPem();
  ASSERT_NO_FATAL_FAILURE(WriteFile("x5c-issuer.pem", std::string(AsStringView(pem.view()))));
  ASSERT_NO_FATAL_FAILURE(WriteFile("x5c-chain.pem", leaf->ToPem()));
  ASSERT_NO_FATAL_FAILURE(WriteFile("root.pem", root->ToPem()));
  ASSERT_NO_FATAL_FAILURE(WriteFile("other-root.pem", other_root->ToPem()));

  ASSERT_TRUE(Succeeds(Cli({"sdjwt", "issue", "--issuer-key", Path("x5c-issuer.pem"), "--iss", kIss, "--vct", kVct,
                            "--claims", Path(kPidClaims), "--holder-key", Path(kHolderKey), "--disclosable",
                            "given_name", "--x5c", Path("x5c-chain.pem"), "--at", At(kT0), "--out",
                            Path("x5c.sdjwt")})));
  ASSERT_TRUE(Succeeds(Cli({"sdjwt", "present", "--credential", Path("x5c.sdjwt"), "--holder-key",
                            Path(kHolderKey), "--disclose", "given_name", "--nonce", kNonce, "--aud", kVerifierAud,
                            "--at", At(kT0), "--out", Path("x5c.presentation")})));
  auto verify = [&](const std::string& anchor, int64_t at) {
    return Cli({"sdjwt", "verify", Path("x5c.presentation"), "--trust-anchor", Path(anchor), "--nonce", kNonce,
                "--aud", kVerifierAud, "--at", At(at)});
  };
  RunResult ok = verify("root.pem", kT0);
  ASSERT_TRUE(Succeeds(ok));
  Json out = StdoutJson(ok);
  EXPECT_EQ(out.value("valid", false), true);
  EXPECT_EQ(out["claims"].value("given_name", ""), "Amelia");
  EXPECT_TRUE(VerifyFailsWith(verify("other-root.pem", kT0), "untrusted_issuer"));
  // The leaf certificate has expired a year and a day later (the presentation is stale too, but
  // the chain is checked first).
  EXPECT_TRUE(VerifyFailsWith(verify("root.pem", kT0 + 366 * kDay), "expired"));
}

TEST_F(CliSdJwtTest, StatusListHandling) {
  ASSERT_NO_FATAL_FAILURE(MakeSdJwtWorld());
  auto base = [&]() -> std::vector<std::string> {
    return {"sdjwt", "verify",    Path(kPidPresentation), "--issuer-key", Path(kIssuerPub), "--nonce", kNonce,
            "--aud", kVerifierAud};
  };
  // A credential with a status reference and no list: refused unless the caller opts out.
  EXPECT_TRUE(VerifyFailsWith(Cli(base()), "status_unavailable"));
  std::vector<std::string> unchecked = base();
  unchecked.push_back("--no-status-check");
  RunResult r = Cli(unchecked);
  ASSERT_TRUE(Succeeds(r));
  EXPECT_EQ(StdoutJson(r).value("status_checked", true), false);

  // A token for another list URI.
  ASSERT_TRUE(Succeeds(Cli({"status", "token", Path(kTokenList), "--issuer-key", Path(kIssuerKey), "--sub",
                            std::string(kStatusUri) + "2", "--out", Path("other-sub.jwt")})));
  std::vector<std::string> other_sub = base();
  other_sub.insert(other_sub.end(), {"--status-list", Path("other-sub.jwt")});
  EXPECT_TRUE(VerifyFailsWith(Cli(other_sub), "status_unavailable"));

  // A token signed by someone else: rejected with the issuer key, accepted with its own --status-key.
  ASSERT_NO_FATAL_FAILURE(GenerateKey("status-signer.jwk", "ES256"));
  ASSERT_TRUE(Succeeds(Cli({"status", "token", Path(kTokenList), "--issuer-key", Path("status-signer.jwk"),
                            "--sub", kStatusUri, "--out", Path("foreign.jwt")})));
  std::vector<std::string> foreign = base();
  foreign.insert(foreign.end(), {"--status-list", Path("foreign.jwt")});
  EXPECT_TRUE(VerifyFailsWith(Cli(foreign), "invalid_signature"));
  foreign.insert(foreign.end(), {"--status-key", Path("status-signer.jwk")});
  EXPECT_TRUE(Succeeds(Cli(foreign)));

  // A status list token that has expired (signed a long time ago, valid one day).
  ASSERT_TRUE(Succeeds(Cli({"status", "token", Path(kTokenList), "--issuer-key", Path(kIssuerKey), "--sub",
                            kStatusUri, "--at", At(kT0 - 10 * kDay), "--out", Path("old.jwt")})));
  std::vector<std::string> old = base();
  old.insert(old.end(), {"--status-list", Path("old.jwt")});
  EXPECT_TRUE(VerifyFailsWith(Cli(old), "expired"));
}

TEST_F(CliSdJwtTest, ValidityWindow) {
  ASSERT_NO_FATAL_FAILURE(MakeSdJwtWorld());
  // Credential valid [kT0, kT0 + 1 day); the library allows 60 s of clock skew.
  ASSERT_TRUE(Succeeds(Cli({"sdjwt",
                            "issue",
                            "--issuer-key",
                            Path(kIssuerKey),
                            "--iss",
                            kIss,
                            "--vct",
                            kVct,
                            "--claims",
                            Path(kPidClaims),
                            "--holder-key",
                            Path(kHolderKey),
                            "--all-disclosable",
                            "--status-uri",
                            kStatusUri,
                            "--status-idx",
                            kPidStatusIdx,
                            "--at",
                            At(kT0),
                            "--valid-days",
                            "1",
                            "--out",
                            Path("day.sdjwt")})));
  ASSERT_TRUE(
      Succeeds(Cli({"status", "token", Path(kTokenList), "--issuer-key", Path(kIssuerKey), "--sub",
                    kStatusUri, "--at", At(kT0 - kDay), "--valid-days", "5", "--out", Path("long.jwt")})));
  auto verify_at = [&](int64_t t) {
    RunResult p = Cli({"sdjwt", "present", "--credential", Path("day.sdjwt"), "--holder-key",
                       Path(kHolderKey), "--disclose", "given_name", "--nonce", kNonce, "--aud", kVerifierAud,
                       "--at", At(t), "--out", Path("day.presentation")});
    EXPECT_TRUE(Succeeds(p));
    return Cli({"sdjwt", "verify", Path("day.presentation"), "--issuer-key", Path(kIssuerPub), "--nonce",
                kNonce, "--aud", kVerifierAud, "--status-list", Path("long.jwt"), "--at", At(t)});
  };
  const int64_t exp = kT0 + kDay;
  EXPECT_TRUE(Succeeds(verify_at(exp + 59)));
  EXPECT_TRUE(VerifyFailsWith(verify_at(exp + 60), "expired"));
  EXPECT_TRUE(Succeeds(verify_at(kT0 - 60)));
  EXPECT_TRUE(VerifyFailsWith(verify_at(kT0 - 61), "not_yet_valid"));

  // The world's credential (valid from now for a year) far in the future.
  EXPECT_TRUE(VerifyFailsWith(
      Cli({"sdjwt", "verify", Path(kPidPresentation), "--issuer-key", Path(kIssuerPub), "--nonce", kNonce,
           "--aud", kVerifierAud, "--status-list", Path(kStatusToken), "--at", "4102444800"}),
      "expired"));
}

TEST_F(CliSdJwtTest, KeyBindingFreshness) {
  ASSERT_NO_FATAL_FAILURE(MakeSdJwtWorld());
  ASSERT_TRUE(
      Succeeds(Cli({"sdjwt", "issue", "--issuer-key", Path(kIssuerKey), "--iss", kIss, "--vct", kVct,
                    "--claims", Path(kPidClaims), "--holder-key", Path(kHolderKey), "--all-disclosable",
                    "--at", At(kT0), "--valid-days", "2", "--out", Path("c.sdjwt")})));
  const int64_t kb_iat = kT0 + 1000;
  ASSERT_TRUE(Succeeds(Cli({"sdjwt", "present", "--credential", Path("c.sdjwt"), "--holder-key",
                            Path(kHolderKey), "--disclose", "given_name", "--nonce", kNonce, "--aud",
                            kVerifierAud, "--at", At(kb_iat), "--out", Path("c.presentation")})));
  auto verify_at = [&](int64_t t, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"sdjwt",
                                     "verify",
                                     Path("c.presentation"),
                                     "--issuer-key",
                                     Path(kIssuerPub),
                                     "--nonce",
                                     kNonce,
                                     "--aud",
                                     kVerifierAud,
                                     "--at",
                                     At(t)};
    args.insert(args.end(), extra.begin(), extra.end());
    return Cli(args);
  };
  // Default maximum age 300 s, plus 60 s skew.
  EXPECT_TRUE(Succeeds(verify_at(kb_iat + 360)));
  EXPECT_TRUE(VerifyFailsWith(verify_at(kb_iat + 361), "stale_key_binding"));
  EXPECT_TRUE(Succeeds(verify_at(kb_iat - 60)));
  EXPECT_TRUE(VerifyFailsWith(verify_at(kb_iat - 61), "not_yet_valid"));
  EXPECT_TRUE(Succeeds(verify_at(kb_iat + 3660, {"--kb-max-age", "3600"})));
  EXPECT_TRUE(VerifyFailsWith(verify_at(kb_iat + 3661, {"--kb-max-age", "3600"}), "stale_key_binding"));
}

// BUG (see report): `sdjwt verify --nonce N` without --aud reports audience_mismatch (and --aud
// without --nonce nonce_mismatch), blaming the presentation for the verifier's missing
// expectation; with neither, and in `vc verify`, the same mistake is invalid_argument.
TEST_F(CliSdJwtTest, HalfAnExpectationIsInvalidArgument) {
  ASSERT_NO_FATAL_FAILURE(MakeSdJwtWorld());
  auto verify = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"sdjwt",           "verify",         Path(kPidPresentation),
                                     "--issuer-key",    Path(kIssuerPub), "--status-list",
                                     Path(kStatusToken)};
    args.insert(args.end(), extra.begin(), extra.end());
    return Cli(args);
  };
  EXPECT_TRUE(VerifyFailsWith(verify({"--nonce", kNonce}), "invalid_argument"));
  EXPECT_TRUE(VerifyFailsWith(verify({"--aud", kVerifierAud}), "invalid_argument"));
}

// BUG (see report): `sdjwt verify --kb-max-age -1` turns the freshness check off and accepts a
// year-old Key Binding JWT; `vc verify --max-age -1` rejects a negative age as invalid_argument.
TEST_F(CliSdJwtTest, NegativeKeyBindingMaxAgeIsRejected) {
  ASSERT_NO_FATAL_FAILURE(MakeSdJwtWorld());
  EXPECT_TRUE(VerifyFailsWith(
      Cli({"sdjwt", "verify", Path(kPidPresentation), "--issuer-key", Path(kIssuerPub), "--nonce", kNonce,
           "--aud", kVerifierAud, "--status-list", Path(kStatusToken), "--kb-max-age", "-1"}),
      "invalid_argument"));
}

TEST_F(CliSdJwtTest, ExpectedVctAndStdin) {
  ASSERT_NO_FATAL_FAILURE(MakeSdJwtWorld());
  std::vector<std::string> args = {"sdjwt",           "verify", "-",     "--issuer-key", Path(kIssuerPub),
                                   "--nonce",         kNonce,   "--aud", kVerifierAud,   "--status-list",
                                   Path(kStatusToken)};
  EXPECT_TRUE(Succeeds(Cli(args, ReadFile(kPidPresentation))));
  args.insert(args.end(), {"--vct", kVct});
  EXPECT_TRUE(Succeeds(Cli(args, ReadFile(kPidPresentation))));
  args.back() = "urn:uk:gov:digital-id:2";
  EXPECT_TRUE(VerifyFailsWith(Cli(args, ReadFile(kPidPresentation)), "invalid_type"));
}

TEST_F(CliSdJwtTest, IssueAndPresentArgumentErrors) {
  ASSERT_NO_FATAL_FAILURE(MakeSdJwtWorld());
  auto issue = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"sdjwt", "issue", "--issuer-key", Path(kIssuerKey), "--iss",
                                     kIss,    "--vct", kVct,           "--claims",       Path(kPidClaims)};
    args.insert(args.end(), extra.begin(), extra.end());
    return Cli(args);
  };
  EXPECT_TRUE(Succeeds(issue({"--disclosable", "nationalities.1"})));
  EXPECT_TRUE(CommandFailsWith(issue({"--disclosable", "nationalities.2"}), "invalid_argument"));
  EXPECT_TRUE(CommandFailsWith(issue({"--disclosable", "address..locality"}), "invalid_argument"));
  EXPECT_TRUE(CommandFailsWith(issue({"--disclosable", "no_such_claim"}), "invalid_argument"));
  EXPECT_TRUE(CommandFailsWith(issue({"--disclosable", "iss"}), "invalid_argument"));
  EXPECT_TRUE(UsageError(issue({"--disclosable", "given_name", "--all-disclosable"})));
  EXPECT_TRUE(CommandFailsWith(issue({"--status-uri", kStatusUri}), "invalid_argument"));
  EXPECT_TRUE(CommandFailsWith(issue({"--status-idx", "1"}), "invalid_argument"));
  EXPECT_TRUE(Succeeds(issue({"--valid-days", "3650"})));
  EXPECT_TRUE(CommandFailsWith(issue({"--valid-days", "3651"}), "invalid_argument"));
  EXPECT_TRUE(CommandFailsWith(issue({"--valid-days", "0"}), "invalid_argument"));
  EXPECT_TRUE(UsageError(issue({"--valid-days", "ten"})));

  auto present = [&](const std::string& disclose) {
    return Cli({"sdjwt", "present", "--credential", Path(kPidCredential), "--holder-key", Path(kHolderKey),
                "--disclose", disclose, "--nonce", kNonce, "--aud", kVerifierAud});
  };
  EXPECT_TRUE(Succeeds(present("nationalities.1")));
  EXPECT_TRUE(CommandFailsWith(present("nationalities.2"), "not_found"));
  EXPECT_TRUE(CommandFailsWith(present("a..b"), "invalid_argument"));
}

// BUG (see report): `sdjwt issue --at` near the int64 limits overflows `iat + validity`
// (signed overflow in src/sdjwt/sdjwt_vc.cc) and signs a credential whose exp precedes its iat;
// `vc issue` rejects the same --at as invalid_argument.
TEST_F(CliSdJwtTest, IssueRejectsTimesThatOverflow) {
  ASSERT_NO_FATAL_FAILURE(MakeSdJwtWorld());
  for (const char* at : {"9223372036854775807", "-9223372036854775808"}) {
    SCOPED_TRACE(at);
    EXPECT_TRUE(CommandFailsWith(Cli({"sdjwt", "issue", "--issuer-key", Path(kIssuerKey), "--iss", kIss,
                                      "--vct", kVct, "--claims", Path(kPidClaims), "--at", at}),
                                 "invalid_argument"));
  }
}

// BUG (see report): negative or too large numbers for unsigned options wrap or saturate to
// 2^64 - 1 instead of being refused: `sdjwt issue --status-idx -1` and `vc issue --status-idx -1`
// sign credentials pointing at status index 18446744073709551615, `--decoys -1` makes
// max_decoys SIZE_MAX (the decoy count then overflows to a range of 0), and `status get --idx
// 18446744073709551616` reads index 2^64 - 1.
TEST_F(CliSdJwtTest, OutOfRangeNumbersAreRejected) {
  ASSERT_NO_FATAL_FAILURE(MakeSdJwtWorld());
  ASSERT_NO_FATAL_FAILURE(MakeVcWorld());
  auto sd_issue = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {
        "sdjwt", "issue",    "--issuer-key",   Path(kIssuerKey),   "--iss", kIss, "--vct",
        kVct,    "--claims", Path(kPidClaims), "--all-disclosable"};
    args.insert(args.end(), extra.begin(), extra.end());
    return Cli(args);
  };
  EXPECT_TRUE(Succeeds(sd_issue({"--status-uri", kStatusUri, "--status-idx", "0"})));
  EXPECT_TRUE(Rejected(sd_issue({"--status-uri", kStatusUri, "--status-idx", "-1"})));
  EXPECT_TRUE(Rejected(sd_issue({"--status-uri", kStatusUri, "--status-idx", "18446744073709551616"})));
  EXPECT_TRUE(Succeeds(sd_issue({"--decoys", "0"})));
  EXPECT_TRUE(Rejected(sd_issue({"--decoys", "-1"})));
  EXPECT_TRUE(Rejected(Cli({"vc", "issue", "--issuer-key", Path(kModKey), "--issuer", kModDid, "--type",
                            "DigitalVeteranCard", "--claims", Path(kVetClaims), "--holder-key",
                            Path(kHolderKey), "--status-uri", kVcStatusUri, "--status-idx", "-1"})));
  EXPECT_TRUE(Rejected(Cli({"status", "get", Path(kStatusToken), "--idx", "18446744073709551616"})));
}

// jwt_vc_json ----------------------------------------------------------------------------------

using CliVcTest = CliWorldTest;

// FirstLine is the first line of a command's stdout (key did prints the DID and a newline).
std::string FirstLine(const RunResult& r) { return r.out.substr(0, r.out.find('\n')); }

TEST_F(CliVcTest, DidDocumentPublishesTheIssuerKey) {
  ASSERT_NO_FATAL_FAILURE(MakeVcWorld());
  ASSERT_NO_FATAL_FAILURE(GenerateKey("retired.jwk", "ES256"));
  RunResult r = Cli({"vc", "did-doc", "--issuer-key", Path(kModKey), "--did", kModDid, "--retired-key",
                     Path("retired.jwk")});
  ASSERT_TRUE(Succeeds(r));
  Json doc = StdoutJson(r);
  EXPECT_EQ(doc.value("id", ""), kModDid);
  ASSERT_TRUE(doc.contains("verificationMethod") && doc["verificationMethod"].is_array());
  ASSERT_EQ(doc["verificationMethod"].size(), 2u);
  EXPECT_EQ(doc["verificationMethod"][0].value("id", ""), std::string(kModDid) + "#key-1");
  EXPECT_EQ(doc["verificationMethod"][0].value("type", ""), "JsonWebKey2020");
  EXPECT_FALSE(doc["verificationMethod"][0]["publicKeyJwk"].contains("d"))
      << "DID document leaks a private key";
  EXPECT_FALSE(doc["verificationMethod"][1]["publicKeyJwk"].contains("d"))
      << "DID document leaks a private key";
  EXPECT_EQ(doc["verificationMethod"][1].value("id", ""), std::string(kModDid) + "#retired-1");

  // A credential signed by the retired key still verifies while the key is published.
  ASSERT_NO_FATAL_FAILURE(WriteFile("with-retired.json", r.out));
  ASSERT_TRUE(Succeeds(Cli({"vc", "issue", "--issuer-key", Path("retired.jwk"), "--issuer", kModDid, "--kid",
                            "retired-1", "--type", "DigitalVeteranCard", "--claims", Path(kVetClaims),
                            "--holder-key", Path(kHolderKey), "--out", Path("old-card.jwt")})));
  EXPECT_TRUE(Succeeds(Cli({"vc", "verify", Path("old-card.jwt"), "--did-doc", Path("with-retired.json")})));
  EXPECT_TRUE(VerifyFailsWith(Cli({"vc", "verify", Path("old-card.jwt"), "--did-doc", Path(kModDidDoc)}),
                              "untrusted_issuer"));

  EXPECT_TRUE(CommandFailsWith(Cli({"vc", "did-doc", "--issuer-key", Path(kModKey), "--did", "did:key:z6Mk"}),
                               "invalid_argument"));
  EXPECT_TRUE(CommandFailsWith(
      Cli({"vc", "did-doc", "--issuer-key", Path(kModKey), "--did", "https://veterans-card.example.gov.uk"}),
      "invalid_argument"));
}

TEST_F(CliVcTest, VeteranCardIssueVerifyAndPresent) {
  ASSERT_NO_FATAL_FAILURE(MakeVcWorld());
  RunResult holder_did = Cli({"key", "did", Path(kHolderKey)});
  ASSERT_TRUE(Succeeds(holder_did));
  const std::string holder = FirstLine(holder_did);

  RunResult r = Cli({"vc", "verify", Path(kVeteranCard), "--did-doc", Path(kModDidDoc), "--status-list",
                     Path(kBitstringToken), "--type", "DigitalVeteranCard"});
  ASSERT_TRUE(Succeeds(r));
  Json vc = StdoutJson(r);
  EXPECT_EQ(vc.value("valid", false), true);
  EXPECT_EQ(vc.value("format", ""), "jwt_vc_json");
  EXPECT_EQ(vc.value("presentation", true), false);
  EXPECT_EQ(vc.value("type", ""), "DigitalVeteranCard");
  EXPECT_EQ(vc.value("issuer", ""), kModDid);
  EXPECT_EQ(vc.value("subject", ""), holder);
  EXPECT_EQ(vc.value("status_checked", false), true);
  Json subject = vc.value("credentialSubject", Json::object());
  EXPECT_EQ(subject.value("id", ""), holder);
  ASSERT_TRUE(subject.contains("veteranCard") && subject["veteranCard"].is_array());
  EXPECT_EQ(subject["veteranCard"][0].value("serviceBranch", ""), "Royal Navy");
  EXPECT_EQ(subject["veteranCard"][0].value("serviceNumber", ""), "25057386");
  EXPECT_EQ(subject["name"][0]["nameParts"][1].value("value", ""), "Edwards");

  RunResult vp = VerifyVp();
  ASSERT_TRUE(Succeeds(vp));
  Json out = StdoutJson(vp);
  EXPECT_EQ(out.value("presentation", false), true);
  EXPECT_EQ(out.value("holder", ""), holder);
  ASSERT_TRUE(out.contains("credentials") && out["credentials"].is_array());
  ASSERT_EQ(out["credentials"].size(), 2u);
  EXPECT_EQ(out["credentials"][0].value("type", ""), "DigitalVeteranCard");
  EXPECT_EQ(out["credentials"][0].value("status_checked", false), true);
  EXPECT_EQ(out["credentials"][1].value("type", ""), "BasicDisclosureCredential");
  EXPECT_EQ(out["credentials"][1].value("status_checked", true), false);
}

TEST_F(CliVcTest, BasicDbsCheck) {
  ASSERT_NO_FATAL_FAILURE(MakeVcWorld());
  RunResult r = Cli({"vc", "verify", Path(kDbsCredential), "--did-doc", Path(kDbsDidDoc), "--type",
                     "BasicDisclosureCredential"});
  ASSERT_TRUE(Succeeds(r));
  Json subject = StdoutJson(r).value("credentialSubject", Json::object());
  ASSERT_TRUE(subject.contains("basicCheckRecord") && subject["basicCheckRecord"].is_array());
  EXPECT_EQ(subject["basicCheckRecord"][0].value("certificateType", ""), "BASIC");
  EXPECT_EQ(subject["basicCheckRecord"][0].value("outcome", ""), "NO UNSPENT CONVICTIONS");
  EXPECT_EQ(subject["address"][0].value("postalCode", ""), "NW3 3RX");
  // The wrong expected type, and the other issuer's DID document.
  EXPECT_TRUE(VerifyFailsWith(Cli({"vc", "verify", Path(kDbsCredential), "--did-doc", Path(kDbsDidDoc),
                                   "--type", "DigitalVeteranCard"}),
                              "invalid_type"));
  EXPECT_TRUE(VerifyFailsWith(Cli({"vc", "verify", Path(kDbsCredential), "--did-doc", Path(kModDidDoc)}),
                              "untrusted_issuer"));
}

TEST_F(CliVcTest, BitstringRevocation) {
  ASSERT_NO_FATAL_FAILURE(MakeVcWorld());
  auto verify_card = [&] {
    return Cli({"vc", "verify", Path(kVeteranCard), "--did-doc", Path(kModDidDoc), "--status-list",
                Path(kBitstringToken)});
  };
  EXPECT_TRUE(Succeeds(verify_card()));
  // Neighbours first (boundary): the card's own bit is what counts.
  ASSERT_NO_FATAL_FAILURE(SetStatus(kBitstringList, "6", "revoked"));
  ASSERT_NO_FATAL_FAILURE(SetStatus(kBitstringList, "8", "revoked"));
  ASSERT_NO_FATAL_FAILURE(SignBitstringList());
  EXPECT_TRUE(Succeeds(verify_card()));

  ASSERT_NO_FATAL_FAILURE(SetStatus(kBitstringList, kVetStatusIdx, "revoked"));
  ASSERT_NO_FATAL_FAILURE(SignBitstringList());
  EXPECT_TRUE(VerifyFailsWith(verify_card(), "revoked"));
  EXPECT_TRUE(VerifyFailsWith(VerifyVp(), "revoked"));

  // A revocation bitstring has no suspended state.
  EXPECT_TRUE(CommandFailsWith(
      Cli({"status", "set", Path(kBitstringList), "--idx", kVetStatusIdx, "--value", "suspended"}),
      "invalid_argument"));

  ASSERT_NO_FATAL_FAILURE(SetStatus(kBitstringList, kVetStatusIdx, "valid"));
  ASSERT_NO_FATAL_FAILURE(SignBitstringList());
  EXPECT_TRUE(Succeeds(verify_card()));
  EXPECT_TRUE(Succeeds(VerifyVp()));
}

TEST_F(CliVcTest, StatusListTrust) {
  ASSERT_NO_FATAL_FAILURE(MakeVcWorld());
  // No list given.
  EXPECT_TRUE(VerifyFailsWith(Cli({"vc", "verify", Path(kVeteranCard), "--did-doc", Path(kModDidDoc)}),
                              "status_unavailable"));
  RunResult unchecked =
      Cli({"vc", "verify", Path(kVeteranCard), "--did-doc", Path(kModDidDoc), "--no-status-check"});
  ASSERT_TRUE(Succeeds(unchecked));
  EXPECT_EQ(StdoutJson(unchecked).value("status_checked", true), false);

  // A status list credential without kid needs --status-key.
  ASSERT_TRUE(Succeeds(Cli({"status", "token", Path(kBitstringList), "--issuer-key", Path(kModKey), "--sub",
                            kVcStatusUri, "--iss", kModDid, "--out", Path("nokid.jwt")})));
  EXPECT_TRUE(VerifyFailsWith(Cli({"vc", "verify", Path(kVeteranCard), "--did-doc", Path(kModDidDoc),
                                   "--status-list", Path("nokid.jwt")}),
                              "invalid_argument"));
  EXPECT_TRUE(Succeeds(Cli({"vc", "verify", Path(kVeteranCard), "--did-doc", Path(kModDidDoc),
                            "--status-list", Path("nokid.jwt"), "--status-key", Path(kModKey)})));
  EXPECT_TRUE(VerifyFailsWith(Cli({"vc", "verify", Path(kVeteranCard), "--did-doc", Path(kModDidDoc),
                                   "--status-list", Path("nokid.jwt"), "--status-key", Path(kDbsKey)}),
                              "invalid_signature"));
  // A list signed by the DBS key but claiming the MoD kid; and one whose kid is in no trusted document.
  ASSERT_TRUE(Succeeds(
      Cli({"status", "token", Path(kBitstringList), "--issuer-key", Path(kDbsKey), "--sub", kVcStatusUri,
           "--iss", kModDid, "--kid", std::string(kModDid) + "#key-1", "--out", Path("forged.jwt")})));
  EXPECT_TRUE(VerifyFailsWith(Cli({"vc", "verify", Path(kVeteranCard), "--did-doc", Path(kModDidDoc),
                                   "--status-list", Path("forged.jwt")}),
                              "invalid_signature"));
  ASSERT_TRUE(Succeeds(
      Cli({"status", "token", Path(kBitstringList), "--issuer-key", Path(kDbsKey), "--sub", kVcStatusUri,
           "--iss", kDbsDid, "--kid", std::string(kDbsDid) + "#key-1", "--out", Path("dbs-list.jwt")})));
  EXPECT_TRUE(VerifyFailsWith(Cli({"vc", "verify", Path(kVeteranCard), "--did-doc", Path(kModDidDoc),
                                   "--status-list", Path("dbs-list.jwt")}),
                              "untrusted_issuer"));
}

TEST_F(CliVcTest, WrongDidDocument) {
  ASSERT_NO_FATAL_FAILURE(MakeVcWorld());
  EXPECT_TRUE(VerifyFailsWith(
      Cli({"vc", "verify", Path(kVeteranCard), "--did-doc", Path(kDbsDidDoc), "--no-status-check"}),
      "untrusted_issuer"));
  // A document that names the MoD DID but publishes the DBS key: the signature cannot verify.
  ASSERT_TRUE(Succeeds(Cli({"vc", "did-doc", "--issuer-key", Path(kDbsKey), "--did", kModDid, "--out",
                            Path("impostor-did.json")})));
  EXPECT_TRUE(VerifyFailsWith(
      Cli({"vc", "verify", Path(kVeteranCard), "--did-doc", Path("impostor-did.json"), "--no-status-check"}),
      "invalid_signature"));
  // The VP with only one of its two issuers trusted.
  EXPECT_TRUE(
      VerifyFailsWith(Cli({"vc", "verify", Path(kVpJwt), "--did-doc", Path(kModDidDoc), "--status-list",
                           Path(kBitstringToken), "--nonce", kNonce, "--aud", kVerifierAud}),
                      "untrusted_issuer"));
}

TEST_F(CliVcTest, PresentationNonceAudienceAndFreshness) {
  ASSERT_NO_FATAL_FAILURE(MakeVcWorld());
  auto verify = [&](std::vector<std::string> extra, const char* file = kVpJwt) {
    std::vector<std::string> args = {
        "vc",        "verify",         Path(file),      "--did-doc",          Path(kModDidDoc),
        "--did-doc", Path(kDbsDidDoc), "--status-list", Path(kBitstringToken)};
    args.insert(args.end(), extra.begin(), extra.end());
    return Cli(args);
  };
  EXPECT_TRUE(Succeeds(verify({"--nonce", kNonce, "--aud", kVerifierAud})));
  EXPECT_TRUE(VerifyFailsWith(verify({"--nonce", "n-0S6_WzA2Mk", "--aud", kVerifierAud}), "nonce_mismatch"));
  EXPECT_TRUE(
      VerifyFailsWith(verify({"--nonce", kNonce, "--aud", "https://attacker.example"}), "audience_mismatch"));
  EXPECT_TRUE(VerifyFailsWith(verify({}), "invalid_argument"));
  EXPECT_TRUE(VerifyFailsWith(verify({"--nonce", kNonce, "--aud", kVerifierAud, "--max-age", "-1"}),
                              "invalid_argument"));

  // Freshness: a VP made at kT0 + 100 of a card issued at kT0 (300 s window, 60 s skew).
  ASSERT_TRUE(Succeeds(Cli({"vc", "issue", "--issuer-key", Path(kModKey), "--issuer", kModDid, "--type",
                            "DigitalVeteranCard", "--claims", Path(kVetClaims), "--holder-key",
                            Path(kHolderKey), "--at", At(kT0), "--out", Path("card-t0.jwt")})));
  const int64_t iat = kT0 + 100;
  ASSERT_TRUE(
      Succeeds(Cli({"vc", "present", "--credential", Path("card-t0.jwt"), "--holder-key", Path(kHolderKey),
                    "--nonce", kNonce, "--aud", kVerifierAud, "--at", At(iat), "--out", Path("vp-t0.jwt")})));
  auto at = [&](int64_t t) {
    return verify({"--nonce", kNonce, "--aud", kVerifierAud, "--at", At(t)}, "vp-t0.jwt");
  };
  EXPECT_TRUE(Succeeds(at(iat + 359)));
  EXPECT_TRUE(VerifyFailsWith(at(iat + 360), "expired"));
  EXPECT_TRUE(VerifyFailsWith(at(iat + 1000), "stale_key_binding"));
  EXPECT_TRUE(Succeeds(at(iat - 60)));

  // Only the holder named in the credentials can present them.
  ASSERT_NO_FATAL_FAILURE(GenerateKey("thief.jwk", "ES256"));
  ASSERT_TRUE(
      Succeeds(Cli({"vc", "present", "--credential", Path(kVeteranCard), "--holder-key", Path("thief.jwk"),
                    "--nonce", kNonce, "--aud", kVerifierAud, "--out", Path("stolen.jwt")})));
  EXPECT_TRUE(VerifyFailsWith(verify({"--nonce", kNonce, "--aud", kVerifierAud}, "stolen.jwt"),
                              "missing_key_binding"));
}

TEST_F(CliVcTest, ValidityWindow) {
  ASSERT_NO_FATAL_FAILURE(MakeVcWorld());
  ASSERT_TRUE(
      Succeeds(Cli({"vc", "issue", "--issuer-key", Path(kModKey), "--issuer", kModDid, "--type",
                    "DigitalVeteranCard", "--claims", Path(kVetClaims), "--holder-key", Path(kHolderKey),
                    "--at", At(kT0), "--valid-days", "1", "--out", Path("day.jwt")})));
  auto at = [&](int64_t t) {
    return Cli({"vc", "verify", Path("day.jwt"), "--did-doc", Path(kModDidDoc), "--at", At(t)});
  };
  const int64_t exp = kT0 + kDay;
  EXPECT_TRUE(Succeeds(at(exp + 59)));
  EXPECT_TRUE(VerifyFailsWith(at(exp + 60), "expired"));
  EXPECT_TRUE(Succeeds(at(kT0 - 60)));
  EXPECT_TRUE(VerifyFailsWith(at(kT0 - 61), "not_yet_valid"));
}

TEST_F(CliVcTest, IssueArgumentErrors) {
  ASSERT_NO_FATAL_FAILURE(MakeVcWorld());
  auto issue = [&](std::vector<std::string> extra, const std::string& issuer = kModDid) {
    std::vector<std::string> args = {"vc",       "issue",          "--issuer-key", Path(kModKey),
                                     "--issuer", issuer,           "--type",       "DigitalVeteranCard",
                                     "--claims", Path(kVetClaims), "--holder-key", Path(kHolderKey)};
    args.insert(args.end(), extra.begin(), extra.end());
    return Cli(args);
  };
  EXPECT_TRUE(CommandFailsWith(issue({}, "https://veterans-card.example.gov.uk"), "invalid_argument"));
  EXPECT_TRUE(CommandFailsWith(issue({"--status-uri", kVcStatusUri}), "invalid_argument"));
  EXPECT_TRUE(CommandFailsWith(issue({"--valid-days", "0"}), "invalid_argument"));
  EXPECT_TRUE(CommandFailsWith(issue({"--valid-days", "3651"}), "invalid_argument"));
  EXPECT_TRUE(Succeeds(issue({"--valid-days", "3650"})));
  EXPECT_TRUE(CommandFailsWith(issue({"--at", "9223372036854775807"}), "invalid_argument"));
  EXPECT_TRUE(
      Succeeds(issue({"--status-uri", kVcStatusUri, "--status-idx", "1", "--status-purpose", "suspension"})));
}

// BUG (see report): `vc issue --status-purpose` accepts any word and signs a credential whose
// credentialStatus.statusPurpose is, e.g., "foo".
TEST_F(CliVcTest, IssueRejectsUnknownStatusPurpose) {
  ASSERT_NO_FATAL_FAILURE(MakeVcWorld());
  EXPECT_TRUE(CommandFailsWith(
      Cli({"vc", "issue", "--issuer-key", Path(kModKey), "--issuer", kModDid, "--type", "DigitalVeteranCard",
           "--claims", Path(kVetClaims), "--holder-key", Path(kHolderKey), "--status-uri", kVcStatusUri,
           "--status-idx", "1", "--status-purpose", "foo"}),
      "invalid_argument"));
}

// Status lists ---------------------------------------------------------------------------------

using CliStatusTest = CliWorldTest;

TEST_F(CliStatusTest, GetFromTokenStatusList) {
  ASSERT_NO_FATAL_FAILURE(MakeSdJwtWorld());
  ASSERT_NO_FATAL_FAILURE(SetStatus(kTokenList, "1", "invalid"));
  ASSERT_NO_FATAL_FAILURE(SetStatus(kTokenList, "2", "suspended"));
  ASSERT_NO_FATAL_FAILURE(SetStatus(kTokenList, "999", "invalid"));
  ASSERT_NO_FATAL_FAILURE(SignTokenList());
  struct Case {
    const char* idx;
    const char* status;
  };
  for (const Case& c : {Case{"0", "valid"}, Case{"1", "invalid"}, Case{"2", "suspended"},
                        Case{"998", "valid"}, Case{"999", "invalid"}}) {
    SCOPED_TRACE(c.idx);
    RunResult unverified = Cli({"status", "get", Path(kStatusToken), "--idx", c.idx});
    ASSERT_TRUE(Succeeds(unverified));
    Json u = StdoutJson(unverified);
    EXPECT_EQ(u.value("verified", true), false);
    EXPECT_EQ(u.value("status", ""), c.status);
    EXPECT_EQ(u.value("idx", Json()), Json(std::stoull(c.idx)));

    RunResult verified =
        Cli({"status", "get", Path(kStatusToken), "--idx", c.idx, "--issuer-key", Path(kIssuerPub)});
    ASSERT_TRUE(Succeeds(verified));
    Json v = StdoutJson(verified);
    EXPECT_EQ(v.value("verified", false), true);
    EXPECT_EQ(v.value("status", ""), c.status);
    EXPECT_EQ(v.value("sub", ""), kStatusUri);
  }
  // Past the end of a 1000-entry list.
  EXPECT_TRUE(
      CommandFailsWith(Cli({"status", "get", Path(kStatusToken), "--idx", "1000"}), "status_unavailable"));
  EXPECT_TRUE(CommandFailsWith(
      Cli({"status", "get", Path(kStatusToken), "--idx", "1000", "--issuer-key", Path(kIssuerPub)}),
      "status_unavailable"));
  // Someone else's key.
  ASSERT_NO_FATAL_FAILURE(GenerateKey("other.jwk", "ES256"));
  EXPECT_TRUE(CommandFailsWith(
      Cli({"status", "get", Path(kStatusToken), "--idx", "1", "--issuer-key", Path("other.jwk")}),
      "invalid_signature"));
  EXPECT_TRUE(CommandFailsWith(
      Cli({"status", "get", Path(kStatusToken), "--idx", "1", "--issuer-key", Path(kHolderEdKey)}),
      "algorithm_mismatch"));
}

TEST_F(CliStatusTest, GetFromBitstringStatusList) {
  ASSERT_NO_FATAL_FAILURE(MakeVcWorld());
  ASSERT_NO_FATAL_FAILURE(SetStatus(kBitstringList, kVetStatusIdx, "revoked"));
  ASSERT_NO_FATAL_FAILURE(SignBitstringList());
  for (const char* idx : {"6", "7", "8"}) {
    SCOPED_TRACE(idx);
    const std::string want = std::string(idx) == kVetStatusIdx ? "invalid" : "valid";
    RunResult unverified = Cli({"status", "get", Path(kBitstringToken), "--idx", idx});
    ASSERT_TRUE(Succeeds(unverified));
    EXPECT_EQ(StdoutJson(unverified).value("verified", true), false);
    EXPECT_EQ(StdoutJson(unverified).value("status", ""), want);
    RunResult verified =
        Cli({"status", "get", Path(kBitstringToken), "--idx", idx, "--issuer-key", Path(kModKey)});
    ASSERT_TRUE(Succeeds(verified));
    EXPECT_EQ(StdoutJson(verified).value("verified", false), true);
    EXPECT_EQ(StdoutJson(verified).value("status", ""), want);
    EXPECT_EQ(StdoutJson(verified).value("sub", ""), kVcStatusUri);
  }
  // A bitstring list has at least 131072 entries (16 KiB), whatever --size says.
  EXPECT_TRUE(Succeeds(Cli({"status", "get", Path(kBitstringToken), "--idx", "131071"})));
  EXPECT_TRUE(CommandFailsWith(Cli({"status", "get", Path(kBitstringToken), "--idx", "131072"}),
                               "status_unavailable"));
  EXPECT_TRUE(CommandFailsWith(
      Cli({"status", "get", Path(kBitstringToken), "--idx", "1", "--issuer-key", Path(kDbsKey)}),
      "invalid_signature"));
}

TEST_F(CliStatusTest, CreateSetAndTokenArgumentErrors) {
  ASSERT_NO_FATAL_FAILURE(GenerateKey(kIssuerKey, "ES256"));
  auto create = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"status", "create", "--out", Path("l.json")};
    args.insert(args.end(), extra.begin(), extra.end());
    return Cli(args);
  };
  EXPECT_TRUE(CommandFailsWith(create({"--size", "0"}), "invalid_argument"));
  EXPECT_TRUE(Succeeds(create({"--size", "1"})));
  EXPECT_TRUE(CommandFailsWith(create({"--size", "18446744073709551615"}), "invalid_argument"));
  for (const char* bits : {"1", "2", "4", "8"})
    EXPECT_TRUE(Succeeds(create({"--size", "8", "--bits", bits}))) << bits;
  for (const char* bits : {"0", "3", "16"}) {
    EXPECT_TRUE(CommandFailsWith(create({"--size", "8", "--bits", bits}), "invalid_argument")) << bits;
  }
  EXPECT_TRUE(
      CommandFailsWith(create({"--size", "8", "--kind", "bitstring", "--bits", "2"}), "invalid_argument"));
  EXPECT_TRUE(CommandFailsWith(create({"--size", "8", "--kind", "crl"}), "invalid_argument"));
  EXPECT_TRUE(CommandFailsWith(Cli({"status", "create", "--size", "8", "--out", Path("missing-dir/l.json")}),
                               "io_error"));

  ASSERT_TRUE(Succeeds(create({"--size", "16"})));
  EXPECT_TRUE(Succeeds(Cli({"status", "set", Path("l.json"), "--idx", "15", "--value", "suspended"})));
  EXPECT_TRUE(CommandFailsWith(Cli({"status", "set", Path("l.json"), "--idx", "16", "--value", "invalid"}),
                               "invalid_argument"));
  EXPECT_TRUE(CommandFailsWith(Cli({"status", "set", Path("l.json"), "--idx", "1", "--value", "expired"}),
                               "invalid_argument"));
  EXPECT_TRUE(Rejected(Cli({"status", "set", Path("l.json"), "--idx", "-1", "--value", "invalid"})));
  EXPECT_TRUE(CommandFailsWith(Cli({"status", "token", Path("l.json"), "--issuer-key", Path(kIssuerKey),
                                    "--sub", kStatusUri, "--ttl", "-5"}),
                               "invalid_argument"));
  EXPECT_TRUE(CommandFailsWith(Cli({"status", "token", Path("l.json"), "--issuer-key", Path(kIssuerKey),
                                    "--sub", kStatusUri, "--valid-days", "0"}),
                               "invalid_argument"));
  // Times that would overflow int64 arithmetic.
  EXPECT_TRUE(CommandFailsWith(Cli({"status", "token", Path("l.json"), "--issuer-key", Path(kIssuerKey),
                                    "--sub", kStatusUri, "--valid-days", "9223372036854775807"}),
                               "invalid_argument"));
  EXPECT_TRUE(CommandFailsWith(Cli({"status", "token", Path("l.json"), "--issuer-key", Path(kIssuerKey),
                                    "--sub", kStatusUri, "--at", "9223372036854775807"}),
                               "invalid_argument"));

  ASSERT_TRUE(Succeeds(create({"--size", "16", "--kind", "bitstring"})));
  EXPECT_TRUE(CommandFailsWith(
      Cli({"status", "token", Path("l.json"), "--issuer-key", Path(kIssuerKey), "--sub", kVcStatusUri}),
      "invalid_argument"));
}

}  // namespace
}  // namespace bonafide::clitest
