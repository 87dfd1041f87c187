// Tests for the wallet's transaction log (Wallet::RecordPresentation / History): what was shared
// with whom, attribute names only, encrypted at rest like every other record.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "wallet/vault.h"
#include "wallet/wallet.h"
#include "tests/wallet/wallet_test_util.h"

namespace bonafide::wallet {
namespace {

constexpr char kPin[] = "240683";

WalletOptions FastOptions() {
  WalletOptions options;
  options.vault = VaultOptions::InsecureFastKdfForTests();
  return options;
}

PresentationRecord Shared(int64_t at, std::string rp) {
  PresentationRecord r;
  r.at = at;
  r.outcome = PresentationOutcome::kShared;
  r.relying_party = std::move(rp);
  r.client_id = "x509_san_dns:shop.example";
  r.purpose = "age_over_18";
  r.credential_ids = {"cred-1"};
  r.attributes = {"uk.gov.digital-id.1/age_over_18"};
  return r;
}

TEST(WalletHistoryTest, RecordsComeBackOldestFirstAndEncrypted) {
  testing::TempDir dir;
  auto w = Wallet::Init(dir.wallet(), kPin, FastOptions());
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  auto empty = (*w)->History();
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());

  PresentationRecord refused;
  refused.at = 1700000100;
  refused.outcome = PresentationOutcome::kRefused;
  refused.client_id = "x509_san_dns:unknown.example";
  refused.attributes = {"given_name", "birth_date"};
  refused.reason = "the verifier is not in the trust list";
  ASSERT_TRUE((*w)->RecordPresentation(Shared(1700000200, "Corner Shop Ltd")).ok());
  ASSERT_TRUE((*w)->RecordPresentation(refused).ok());
  ASSERT_TRUE((*w)->RecordPresentation(Shared(1700000000, "Acme Employer plc")).ok());

  auto history = (*w)->History();
  ASSERT_TRUE(history.ok()) << history.status().ToString();
  ASSERT_EQ(history->size(), 3u);
  EXPECT_EQ((*history)[0].relying_party, "Acme Employer plc");
  EXPECT_EQ((*history)[1].outcome, PresentationOutcome::kRefused);
  EXPECT_EQ((*history)[1].reason, "the verifier is not in the trust list");
  EXPECT_EQ((*history)[1].attributes, (std::vector<std::string>{"given_name", "birth_date"}));
  EXPECT_EQ((*history)[2].relying_party, "Corner Shop Ltd");
  EXPECT_EQ((*history)[2].ToJson()["outcome"], "shared");

  // Nothing of it is readable in the files: names of parties and attributes are encrypted.
  EXPECT_TRUE(testing::FilesContaining(dir.wallet(), "Corner Shop").empty());
  EXPECT_TRUE(testing::FilesContaining(dir.wallet(), "age_over_18").empty());

  // Locked: neither written nor read.
  (*w)->Lock();
  EXPECT_EQ((*w)->RecordPresentation(Shared(1, "x")).code(), StatusCode::kInvalidKey);
  EXPECT_EQ((*w)->History().status().code(), StatusCode::kInvalidKey);
  // Reopened and unlocked: still there.
  auto reopened = Wallet::Open(dir.wallet(), FastOptions());
  ASSERT_TRUE(reopened.ok());
  ASSERT_TRUE((*reopened)->Unlock(kPin).ok());
  auto again = (*reopened)->History();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->size(), 3u);
}

TEST(WalletHistoryTest, OnlyAttributeNamesAreKept) {
  testing::TempDir dir;
  auto w = Wallet::Init(dir.wallet(), kPin, FastOptions());
  ASSERT_TRUE(w.ok());
  PresentationRecord r = Shared(1700000000, "Shop");
  r.attributes = {"birth_date=1990-01-01"};
  EXPECT_EQ((*w)->RecordPresentation(r).code(), StatusCode::kInvalidArgument);
  r.attributes = {std::string(201, 'a')};
  EXPECT_EQ((*w)->RecordPresentation(r).code(), StatusCode::kInvalidArgument);
  r.attributes = {""};
  EXPECT_EQ((*w)->RecordPresentation(r).code(), StatusCode::kInvalidArgument);
  r.attributes = {std::string(200, 'a')};  // boundary: a long name is still a name
  EXPECT_TRUE((*w)->RecordPresentation(r).ok());
  auto history = (*w)->History();
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->size(), 1u);  // the refused writes left nothing
}

TEST(WalletHistoryTest, RecordJsonRoundTripAndRejects) {
  PresentationRecord r = Shared(42, "Shop");
  r.outcome = PresentationOutcome::kDeclined;
  r.reason = "the user declined";
  auto back = PresentationRecord::FromJson(r.ToJson());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->ToJson(), r.ToJson());
  Json bad = r.ToJson();
  bad["outcome"] = "maybe";
  EXPECT_EQ(PresentationRecord::FromJson(bad).status().code(), StatusCode::kMalformed);
  Json missing = r.ToJson();
  missing.erase("client_id");
  EXPECT_EQ(PresentationRecord::FromJson(missing).status().code(), StatusCode::kMalformed);
  Json mistyped = r.ToJson();
  mistyped["attributes"] = Json::array({1});
  EXPECT_EQ(PresentationRecord::FromJson(mistyped).status().code(), StatusCode::kMalformed);
  EXPECT_EQ(PresentationRecord::FromJson(Json::array()).status().code(), StatusCode::kMalformed);
}

}  // namespace
}  // namespace bonafide::wallet
