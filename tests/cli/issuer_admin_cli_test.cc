// `bonafide issuer citizen|import|offer|revoke|audit` end to end: each test makes a data
// directory with issuer::InitDataDir (demo citizens), runs the CLI on it and checks the result
// through the store.
#include <memory>
#include <string>
#include <variant>

#include <gtest/gtest.h>

#include "base/clock.h"
#include "base/json.h"
#include "cli_runner.h"
#include "crypto/random.h"
#include "issuer/config.h"
#include "oid4vci/offer.h"
#include "store/sqlite_store.h"
#include "store/store.h"

namespace bonafide::clitest {
namespace {

class IssuerAdminCliTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    data_dir_ = Path("data");
    issuer::InitOptions options;
    options.demo = true;
    auto config = issuer::InitDataDir(data_dir_, options, SystemClock::Default());
    ASSERT_TRUE(config.ok()) << config.status().message();
    config_ = *config;
  }

  std::unique_ptr<store::IssuerStore> OpenStore() {
    auto st = issuer::OpenIssuerStore(config_);
    EXPECT_TRUE(st.ok()) << st.status().message();
    return st.ok() ? std::move(*st) : nullptr;
  }

  int64_t CountCitizens() {
    auto st = OpenStore();
    auto n = st->CountCitizens();
    EXPECT_TRUE(n.ok());
    return n.ok() ? *n : -1;
  }

  std::string data_dir_;
  issuer::IssuerConfig config_;
};

TEST_F(IssuerAdminCliTest, CitizenAddAndList) {
  WriteFile("c.json", R"({"id":"c-42","claims":{"uk.gov.digital-id.sd-jwt":{"family_name":"Evans"}}})");
  ASSERT_TRUE(Succeeds(Cli({"issuer", "citizen", "add", "--data-dir", data_dir_, Path("c.json")})));
  RunResult list = Cli({"issuer", "citizen", "list", "--data-dir", data_dir_, "--json"});
  ASSERT_TRUE(Succeeds(list));
  Json citizens = StdoutJson(list);
  ASSERT_TRUE(citizens.is_array());
  ASSERT_EQ(citizens.size(), 4u);  // three demo citizens and c-42, in id order
  EXPECT_EQ(citizens[0]["id"], "c-42");
  EXPECT_EQ(citizens[0]["configurations"], Json::array({"uk.gov.digital-id.sd-jwt"}));
  EXPECT_EQ(citizens[1]["id"], "demo-0001");

  RunResult plain = Cli({"issuer", "citizen", "list", "--data-dir", data_dir_});
  ASSERT_TRUE(Succeeds(plain));
  EXPECT_EQ(plain.out.rfind("c-42\tuk.gov.digital-id.sd-jwt\n", 0), 0u) << plain.out;

  WriteFile("noid.json", R"({"claims":{}})");
  EXPECT_TRUE(CommandFailsWith(Cli({"issuer", "citizen", "add", "--data-dir", data_dir_, Path("noid.json")}),
                               "invalid_claims"));
  WriteFile("bad.json", R"({"id":"x",)");
  EXPECT_TRUE(
      CommandFailsWith(Cli({"issuer", "citizen", "add", "--data-dir", data_dir_, Path("bad.json")}), "malformed"));
  EXPECT_TRUE(CommandFailsWith(Cli({"issuer", "citizen", "list", "--data-dir", Path("nowhere")}), "io_error"));
  EXPECT_EQ(CountCitizens(), 4);
}

TEST_F(IssuerAdminCliTest, ImportReportsBadRowsAndImportsTheRest) {
  WriteFile("people.csv",
            "id,uk.gov.digital-id.sd-jwt:family_name,uk.gov.digital-id.sd-jwt:age_over_18:bool,"
            "uk.gov.digital-id.mdoc:uk.gov.digital-id.1/given_name\r\n"
            "p-1,Smith,true,Anna\r\n"
            "p-2,\"Jones, \"\"JJ\"\"\",maybe,Bob\r\n"   // line 3: bad bool
            "p-3,\"Two\nLines\",false,Cai\r\n"         // lines 4-5
            "p-4,Short\r\n"                            // line 6: ragged
            "p-5,Last,,\r\n");
  RunResult r = Cli({"issuer", "import", "--data-dir", data_dir_, Path("people.csv")});
  // Exit 1 because rows were bad; stderr is one JSON object listing them; the good rows are in.
  ASSERT_TRUE(CommandFailsWith(r, "malformed"));
  auto report = ParseJsonObject(r.err);
  ASSERT_TRUE(report.ok()) << r.err;
  EXPECT_EQ((*report)["imported"], 3);
  EXPECT_EQ((*report)["bad_row_count"], 2);
  ASSERT_EQ((*report)["bad_rows"].size(), 2u);
  EXPECT_EQ((*report)["bad_rows"][0]["line"], 3);
  EXPECT_EQ((*report)["bad_rows"][0]["error"], "malformed");
  EXPECT_EQ((*report)["bad_rows"][1]["line"], 6);
  EXPECT_EQ((*report)["bad_rows"][1]["error"], "malformed");

  auto st = OpenStore();
  auto p3 = st->GetCitizen("p-3");
  ASSERT_TRUE(p3.ok());
  auto data = ParseJsonObject(p3->data_json);
  ASSERT_TRUE(data.ok());
  EXPECT_EQ((*data)["claims"]["uk.gov.digital-id.sd-jwt"]["family_name"], "Two\nLines");
  EXPECT_EQ((*data)["claims"]["uk.gov.digital-id.sd-jwt"]["age_over_18"], false);
  EXPECT_EQ((*data)["claims"]["uk.gov.digital-id.mdoc"]["uk.gov.digital-id.1"]["given_name"], "Cai");
  EXPECT_EQ(st->GetCitizen("p-2").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(st->GetCitizen("p-4").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(st->GetCitizen("p-5").ok());
  EXPECT_EQ(CountCitizens(), 6);
}

TEST_F(IssuerAdminCliTest, ImportOfAGoodFileSucceedsAndIsIdempotent) {
  std::string csv = "id,uk.gov.digital-id.sd-jwt:family_name\n";
  for (int i = 0; i < 25; ++i) csv += "g-" + std::to_string(100 + i) + ",Name" + std::to_string(i) + "\n";
  WriteFile("good.csv", csv);
  for (int run = 0; run < 2; ++run) {  // the second run re-upserts the same rows: no change
    RunResult r = Cli({"issuer", "import", "--data-dir", data_dir_, "--batch", "10", Path("good.csv")});
    ASSERT_TRUE(Succeeds(r));
    EXPECT_EQ(StdoutJson(r)["imported"], 25);
    EXPECT_EQ(StdoutJson(r)["bad_row_count"], 0);
    EXPECT_EQ(CountCitizens(), 28);
  }
  // --from-line resumes: records that start before it are read but not imported.
  RunResult resumed = Cli({"issuer", "import", "--data-dir", data_dir_, "--from-line", "21", Path("good.csv")});
  ASSERT_TRUE(Succeeds(resumed));
  EXPECT_EQ(StdoutJson(resumed)["imported"], 6);
  EXPECT_EQ(StdoutJson(resumed)["skipped"], 19);
  ASSERT_TRUE(Succeeds(Cli({"issuer", "audit", "verify", "--data-dir", data_dir_})));
}

TEST_F(IssuerAdminCliTest, ImportRejectsBadFiles) {
  WriteFile("empty.csv", "");
  EXPECT_TRUE(CommandFailsWith(Cli({"issuer", "import", "--data-dir", data_dir_, Path("empty.csv")}), "malformed"));
  WriteFile("header.csv", "id,no.such.config:x\n1,a\n");
  EXPECT_TRUE(CommandFailsWith(Cli({"issuer", "import", "--data-dir", data_dir_, Path("header.csv")}), "not_found"));
  // An unterminated quote stops reading; the rows before it are imported.
  WriteFile("open.csv", "id,uk.gov.digital-id.sd-jwt:family_name\nq-1,A\nq-2,\"open\nq-3,B\n");
  RunResult r = Cli({"issuer", "import", "--data-dir", data_dir_, Path("open.csv")});
  ASSERT_TRUE(CommandFailsWith(r, "malformed"));
  EXPECT_EQ(ParseJsonObject(r.err).value()["imported"], 1);
  EXPECT_EQ(CountCitizens(), 4);
  // Boundary: a header-only file imports nothing and succeeds.
  WriteFile("only.csv", "id,uk.gov.digital-id.sd-jwt:family_name\r\n");
  RunResult only = Cli({"issuer", "import", "--data-dir", data_dir_, Path("only.csv")});
  ASSERT_TRUE(Succeeds(only));
  EXPECT_EQ(StdoutJson(only)["imported"], 0);
  EXPECT_TRUE(Rejected(Cli({"issuer", "import", "--data-dir", data_dir_, "--batch", "0", Path("only.csv")})));
  EXPECT_TRUE(CommandFailsWith(Cli({"issuer", "import", "--data-dir", data_dir_, Path("missing.csv")}), "io_error"));
}

TEST_F(IssuerAdminCliTest, OfferPrintsAParsableUri) {
  RunResult r = Cli({"issuer", "offer", "--data-dir", data_dir_, "--citizen", "demo-0001", "--credential",
                     "uk.gov.digital-id.sd-jwt", "--tx-code"});
  ASSERT_TRUE(Succeeds(r));
  Json out = StdoutJson(r);
  ASSERT_TRUE(out["offer_uri"].is_string());
  auto link = oid4vci::ParseCredentialOfferUri(out["offer_uri"].get<std::string>());
  ASSERT_TRUE(link.ok()) << link.status().message();
  ASSERT_TRUE(std::holds_alternative<oid4vci::CredentialOffer>(*link));
  const auto& offer = std::get<oid4vci::CredentialOffer>(*link);
  EXPECT_EQ(offer.credential_configuration_ids, std::vector<std::string>{"uk.gov.digital-id.sd-jwt"});
  ASSERT_TRUE(offer.pre_authorized_code.has_value());
  ASSERT_TRUE(out["tx_code"].is_string());
  EXPECT_EQ(out["tx_code"].get<std::string>().size(), 6u);

  RunResult no_code = Cli({"issuer", "offer", "--data-dir", data_dir_, "--citizen", "demo-0001", "--credential",
                           "uk.gov.digital-id.sd-jwt"});
  ASSERT_TRUE(Succeeds(no_code));
  EXPECT_FALSE(StdoutJson(no_code).contains("tx_code"));
  EXPECT_TRUE(CommandFailsWith(Cli({"issuer", "offer", "--data-dir", data_dir_, "--citizen", "nobody", "--credential",
                                    "uk.gov.digital-id.sd-jwt"}),
                               "not_found"));
  EXPECT_TRUE(CommandFailsWith(Cli({"issuer", "offer", "--data-dir", data_dir_, "--citizen", "demo-0001",
                                    "--credential", "no.such.config"}),
                               "not_found"));
}

TEST_F(IssuerAdminCliTest, RevokeSuspendReinstate) {
  // Record two batch copies as issued (what the Credential Endpoint stores), through the store.
  const auto& entry = config_.catalogue.at("uk.gov.digital-id.sd-jwt");
  {
    auto st = OpenStore();
    for (int i = 0; i < 2; ++i) {
      auto index = st->AllocateStatusIndex(entry.status_list, crypto::SystemRandom());
      ASSERT_TRUE(index.ok());
      store::IssuedCredential rec;
      rec.id = "cred-" + std::to_string(i);
      rec.citizen_id = "demo-0001";
      rec.credential_configuration_id = entry.id;
      rec.format = "dc+sd-jwt";
      rec.batch_group_id = "batch-1";
      rec.status_list_id = entry.status_list;
      rec.status_index = *index;
      rec.issued_at = 1;
      rec.expires_at = SystemClock::Default().NowSeconds() + 86400;
      ASSERT_TRUE(st->InsertIssuedCredential(rec).ok());
    }
  }
  auto status_of = [&](const std::string& id) {
    auto st = OpenStore();
    auto rec = st->GetIssuedCredential(id);
    EXPECT_TRUE(rec.ok());
    return rec.ok() ? rec->status : store::CredentialStatus::kValid;
  };
  RunResult suspended = Cli({"issuer", "revoke", "--data-dir", data_dir_, "--credential", "cred-0", "--suspend"});
  ASSERT_TRUE(Succeeds(suspended));
  EXPECT_EQ(StdoutJson(suspended)["credentials"], Json::array({"cred-0"}));
  EXPECT_EQ(status_of("cred-0"), store::CredentialStatus::kSuspended);
  EXPECT_EQ(status_of("cred-1"), store::CredentialStatus::kValid);
  ASSERT_TRUE(Succeeds(Cli({"issuer", "revoke", "--data-dir", data_dir_, "--credential", "cred-0", "--reinstate"})));
  EXPECT_EQ(status_of("cred-0"), store::CredentialStatus::kValid);

  RunResult all = Cli({"issuer", "revoke", "--data-dir", data_dir_, "--citizen", "demo-0001", "--credential-type",
                       "uk.gov.digital-id.sd-jwt"});
  ASSERT_TRUE(Succeeds(all));
  EXPECT_EQ(StdoutJson(all)["credentials"].size(), 2u);
  EXPECT_EQ(status_of("cred-0"), store::CredentialStatus::kRevoked);
  EXPECT_EQ(status_of("cred-1"), store::CredentialStatus::kRevoked);

  EXPECT_TRUE(CommandFailsWith(Cli({"issuer", "revoke", "--data-dir", data_dir_, "--credential", "nope"}), "not_found"));
  EXPECT_TRUE(Rejected(Cli({"issuer", "revoke", "--data-dir", data_dir_})));
  EXPECT_TRUE(Rejected(Cli({"issuer", "revoke", "--data-dir", data_dir_, "--citizen", "demo-0001"})));
  EXPECT_TRUE(Rejected(Cli({"issuer", "revoke", "--data-dir", data_dir_, "--credential", "cred-0", "--citizen",
                            "demo-0001", "--credential-type", "uk.gov.digital-id.sd-jwt"})));
  EXPECT_TRUE(Rejected(
      Cli({"issuer", "revoke", "--data-dir", data_dir_, "--credential", "cred-0", "--suspend", "--reinstate"})));
}

TEST_F(IssuerAdminCliTest, AuditVerifyFindsATamperedRecord) {
  WriteFile("c.json", R"({"id":"c-1","claims":{}})");
  ASSERT_TRUE(Succeeds(Cli({"issuer", "citizen", "add", "--data-dir", data_dir_, Path("c.json")})));
  ASSERT_TRUE(Succeeds(Cli({"issuer", "citizen", "add", "--data-dir", data_dir_, Path("c.json")})));
  RunResult ok = Cli({"issuer", "audit", "verify", "--data-dir", data_dir_});
  ASSERT_TRUE(Succeeds(ok));
  EXPECT_EQ(StdoutJson(ok)["valid"], true);

  auto st = OpenStore();
  auto records = st->ListAudit(0, store::kMaxListPage);
  ASSERT_TRUE(records.ok());
  ASSERT_GE(records->size(), 2u);
  const int64_t seq = (*records)[records->size() - 2].seq;
  st.reset();
  ASSERT_TRUE(store::SqliteStore::InsecureExecForTesting(
                  config_.SqlitePath(), "UPDATE audit_log SET actor = 'mallory' WHERE seq = " + std::to_string(seq))
                  .ok());
  RunResult broken = Cli({"issuer", "audit", "verify", "--data-dir", data_dir_});
  ASSERT_TRUE(VerifyFailsWith(broken, "digest_mismatch"));
  EXPECT_NE(broken.out.find("audit record " + std::to_string(seq)), std::string::npos) << broken.out;
}

}  // namespace
}  // namespace bonafide::clitest
