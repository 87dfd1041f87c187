// End-to-end tests of `bonafide pki create-iaca` and `bonafide pki create-ds`: the files they
// write parse and validate with mdoc::IacaTrustStore, and bad input gets the stable error code.
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "cli_runner.h"
#include "crypto/keys.h"
#include "crypto/x509.h"
#include "mdoc/iaca.h"

namespace bonafide::clitest {
namespace {

constexpr int64_t kDay = 86400;
constexpr int64_t kT0 = 1700000000;  // 2023-11-14T22:13:20Z
const std::string kAt = std::to_string(kT0);

class PkiCliTest : public CliTest {
 protected:
  RunResult CreateIaca(const std::vector<std::string>& extra = {}) const {
    std::vector<std::string> args = {"pki", "create-iaca", "--out-dir", Path("iaca"), "--at", kAt};
    args.insert(args.end(), extra.begin(), extra.end());
    return Cli(args);
  }
  RunResult CreateDs(const std::vector<std::string>& extra = {}) const {
    std::vector<std::string> args = {"pki",       "create-ds", "--iaca-dir", Path("iaca"),
                                     "--out-dir", Path("ds"),  "--at",       kAt};
    args.insert(args.end(), extra.begin(), extra.end());
    return Cli(args);
  }
  crypto::Certificate Cert(const std::string& name) const {
    auto c = crypto::Certificate::FromPem(ReadFile(name));
    EXPECT_TRUE(c.ok()) << name << ": " << c.status().ToString();
    return std::move(c).value();
  }
  crypto::PrivateKey Key(const std::string& name) const {
    auto k = crypto::PrivateKey::FromPem(ReadFile(name));
    EXPECT_TRUE(k.ok()) << name << ": " << k.status().ToString();
    return std::move(k).value();
  }
  unsigned Mode(const std::string& name) const {
    struct stat st {};
    EXPECT_EQ(stat(Path(name).c_str(), &st), 0) << name;
    return st.st_mode & 0777;
  }
  bool Exists(const std::string& name) const {
    struct stat st {};
    return stat(Path(name).c_str(), &st) == 0;
  }
};

TEST_F(PkiCliTest, CreateIacaAndDsValidateWithTheLibrary) {
  RunResult iaca = CreateIaca({"--country", "GB", "--name", "DVLA Test IACA"});
  ASSERT_TRUE(Succeeds(iaca));
  Json out = StdoutJson(iaca);
  EXPECT_EQ(out.value("subject", ""), "CN=DVLA Test IACA,C=GB");
  EXPECT_EQ(out.value("certificate", ""), Path("iaca") + "/iaca.pem");
  EXPECT_EQ(out.value("not_before", int64_t{0}), kT0);
  EXPECT_EQ(Mode("iaca/iaca.key.pem"), 0600u);
  crypto::Certificate root = Cert("iaca/iaca.pem");
  EXPECT_TRUE(root.public_key()->Equals(Key("iaca/iaca.key.pem").public_key()));
  EXPECT_EQ(root.issuer_alt_uris(), std::vector<std::string>{"https://iaca.invalid/"});

  RunResult ds = CreateDs({"--name", "DVLA Test DS", "--valid-days", "30"});
  ASSERT_TRUE(Succeeds(ds));
  EXPECT_EQ(StdoutJson(ds).value("not_after", int64_t{0}), kT0 + 30 * kDay);
  EXPECT_EQ(Mode("ds/ds.key.pem"), 0600u);
  crypto::Certificate leaf = Cert("ds/ds.pem");
  crypto::PrivateKey leaf_key = Key("ds/ds.key.pem");
  EXPECT_TRUE(leaf.public_key()->Equals(leaf_key.public_key()));

  auto store = mdoc::IacaTrustStore::Create({root});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto signer = (*store)->ValidateChain({leaf.der()}, mdoc::CertificatePurpose::kDocumentSigner, kT0 + kDay);
  ASSERT_TRUE(signer.ok()) << signer.status().ToString();
  EXPECT_EQ(signer->country, "GB");
  EXPECT_EQ(signer->subject_common_name, "DVLA Test DS");
  EXPECT_TRUE(signer->public_key.Equals(leaf_key.public_key()));
  EXPECT_EQ((*store)
                ->ValidateChain({leaf.der()}, mdoc::CertificatePurpose::kDocumentSigner, kT0 + 30 * kDay)
                .status()
                .code(),
            StatusCode::kExpired);
}

TEST_F(PkiCliTest, Defaults) {
  ASSERT_TRUE(Succeeds(CreateIaca()));
  ASSERT_TRUE(Succeeds(CreateDs()));
  crypto::Certificate root = Cert("iaca/iaca.pem");
  crypto::Certificate leaf = Cert("ds/ds.pem");
  EXPECT_EQ(root.subject_attributes("C"), std::vector<std::string>{"GB"});
  EXPECT_EQ(root.not_after(), kT0 + mdoc::kDefaultIacaValidDays * kDay);
  EXPECT_EQ(leaf.not_after(), kT0 + mdoc::kDefaultDocumentSignerValidDays * kDay);
  EXPECT_EQ(leaf.extended_key_usages(), std::vector<std::string>{mdoc::kMdlDsOid});
}

TEST_F(PkiCliTest, CountryMustBeTwoUpperCaseLetters) {
  for (const char* bad : {"gb", "GBR", "G", "G1", ""}) {
    RunResult r = CreateIaca({"--country", bad});
    EXPECT_TRUE(CommandFailsWith(r, "invalid_argument")) << bad;
  }
  EXPECT_FALSE(Exists("iaca/iaca.key.pem"));  // nothing written on failure
  ASSERT_TRUE(Succeeds(CreateIaca({"--country", "FR"})));
  EXPECT_EQ(Cert("iaca/iaca.pem").subject_attributes("C"), std::vector<std::string>{"FR"});
  ASSERT_TRUE(Succeeds(CreateDs()));
  EXPECT_EQ(Cert("ds/ds.pem").subject_attributes("C"), std::vector<std::string>{"FR"});
}

TEST_F(PkiCliTest, ValidDaysBounds) {
  EXPECT_TRUE(CommandFailsWith(CreateIaca({"--valid-days", "7306"}), "invalid_argument"));
  EXPECT_TRUE(CommandFailsWith(CreateIaca({"--valid-days", "0"}), "invalid_argument"));
  ASSERT_TRUE(Succeeds(CreateIaca({"--valid-days", "7305"})));
  EXPECT_TRUE(CommandFailsWith(CreateDs({"--valid-days", "458"}), "invalid_argument"));
  EXPECT_TRUE(CommandFailsWith(CreateDs({"--valid-days", "0"}), "invalid_argument"));
  ASSERT_TRUE(Succeeds(CreateDs({"--valid-days", "457"})));
  EXPECT_EQ(Cert("ds/ds.pem").not_after(), kT0 + 457 * kDay);
}

TEST_F(PkiCliTest, MissingIacaDirectory) {
  EXPECT_TRUE(CommandFailsWith(CreateDs(), "io_error"));
  EXPECT_FALSE(Exists("ds"));
}

TEST_F(PkiCliTest, CorruptIacaFiles) {
  ASSERT_TRUE(Succeeds(CreateIaca()));
  const std::string key = ReadFile("iaca/iaca.key.pem");
  const std::string cert = ReadFile("iaca/iaca.pem");

  WriteFile("iaca/iaca.key.pem", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
  EXPECT_TRUE(CommandFailsWith(CreateDs(), "invalid_key"));
  WriteFile("iaca/iaca.key.pem", "not a key at all");
  EXPECT_TRUE(CommandFailsWith(CreateDs(), "invalid_key"));
  WriteFile("iaca/iaca.key.pem", "");
  EXPECT_TRUE(CommandFailsWith(CreateDs(), "invalid_key"));
  // A well-formed key that is not the IACA's.
  ASSERT_TRUE(Succeeds(Cli({"pki", "create-iaca", "--out-dir", Path("other"), "--at", kAt})));
  WriteFile("iaca/iaca.key.pem", ReadFile("other/iaca.key.pem"));
  EXPECT_TRUE(CommandFailsWith(CreateDs(), "invalid_key"));
  WriteFile("iaca/iaca.key.pem", key);

  WriteFile("iaca/iaca.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
  EXPECT_TRUE(CommandFailsWith(CreateDs(), "malformed"));
  WriteFile("iaca/iaca.pem", "garbage");
  EXPECT_TRUE(CommandFailsWith(CreateDs(), "malformed"));
  // A document signer is not an IACA.
  ASSERT_TRUE(Succeeds(
      Cli({"pki", "create-ds", "--iaca-dir", Path("other"), "--out-dir", Path("other-ds"), "--at", kAt})));
  WriteFile("iaca/iaca.pem", ReadFile("other-ds/ds.pem"));
  WriteFile("iaca/iaca.key.pem", ReadFile("other-ds/ds.key.pem"));
  EXPECT_TRUE(CommandFailsWith(CreateDs(), "invalid_certificate"));

  WriteFile("iaca/iaca.pem", cert);
  WriteFile("iaca/iaca.key.pem", key);
  EXPECT_TRUE(Succeeds(CreateDs()));  // restored: works again
}

TEST_F(PkiCliTest, ExpiredOrFutureIaca) {
  ASSERT_TRUE(Succeeds(CreateIaca({"--valid-days", "10"})));
  EXPECT_TRUE(CommandFailsWith(Cli({"pki", "create-ds", "--iaca-dir", Path("iaca"), "--out-dir", Path("ds"),
                                    "--at", std::to_string(kT0 + 10 * kDay)}),
                               "expired"));
  EXPECT_TRUE(CommandFailsWith(Cli({"pki", "create-ds", "--iaca-dir", Path("iaca"), "--out-dir", Path("ds"),
                                    "--at", std::to_string(kT0 - 1)}),
                               "not_yet_valid"));
  // A DS may not outlive its IACA: 10 days fit, 11 do not.
  EXPECT_TRUE(CommandFailsWith(CreateDs({"--valid-days", "11"}), "invalid_argument"));
  EXPECT_TRUE(Succeeds(CreateDs({"--valid-days", "10"})));
}

TEST_F(PkiCliTest, KeysAreNotOverwrittenWithoutForce) {
  ASSERT_TRUE(Succeeds(CreateIaca()));
  const std::string key = ReadFile("iaca/iaca.key.pem");
  EXPECT_TRUE(CommandFailsWith(CreateIaca(), "invalid_argument"));
  EXPECT_EQ(ReadFile("iaca/iaca.key.pem"), key);
  ASSERT_TRUE(Succeeds(CreateIaca({"--force"})));
  EXPECT_NE(ReadFile("iaca/iaca.key.pem"), key);
  EXPECT_EQ(Mode("iaca/iaca.key.pem"), 0600u);

  ASSERT_TRUE(Succeeds(CreateDs()));
  EXPECT_TRUE(CommandFailsWith(CreateDs(), "invalid_argument"));
  EXPECT_TRUE(Succeeds(CreateDs({"--force"})));
}

TEST_F(PkiCliTest, OutDirThatIsAFile) {
  WriteFile("iaca", "a file");
  EXPECT_TRUE(CommandFailsWith(CreateIaca(), "io_error"));
  EXPECT_TRUE(CommandFailsWith(Cli({"pki", "create-iaca", "--out-dir", Path("no/such/parent"), "--at", kAt}),
                               "io_error"));
}

TEST_F(PkiCliTest, UsageErrors) {
  EXPECT_TRUE(UsageError(Cli({"pki"})));
  EXPECT_TRUE(UsageError(Cli({"pki", "create-iaca"})));                         // --out-dir required
  EXPECT_TRUE(UsageError(Cli({"pki", "create-ds", "--out-dir", Path("ds")})));  // --iaca-dir required
  EXPECT_TRUE(UsageError(CreateIaca({"--valid-days", "many"})));
  EXPECT_TRUE(UsageError(CreateIaca({"--no-such-flag"})));
  EXPECT_TRUE(CommandFailsWith(Cli({"pki", "create-iaca", "--out-dir", Path("iaca"), "--at", "-1"}),
                               "invalid_argument"));
  EXPECT_TRUE(CommandFailsWith(CreateIaca({"--issuer-alt-uri", "has space"}), "invalid_argument"));
}

}  // namespace
}  // namespace bonafide::clitest
