// Tests for the C API (include/bonafide/wallet.h) end to end over real HTTP: a FakeIssuer served on
// loopback (loopback_issuer.h), wallets in temporary directories with the default Argon2id
// parameters. The C driver of c_api_header_test.c (compiled as C99) runs the same flow from C.
#include "bonafide/wallet.h"

#include <cstring>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "base/json.h"
#include "loopback_issuer.h"
#include "wallet_test_util.h"

extern "C" int bf_c_smoke(const char* dir, const char* offer_uri, char* why, size_t why_size);

namespace bonafide::wallet {
namespace {

using testing::LoopbackIssuer;

constexpr char kPin[] = "271828";

// Taken returns the string and frees it with bf_string_free.
std::string Taken(char* s) {
  std::string out = s != nullptr ? s : "";
  bf_string_free(s);
  return out;
}

class CApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    issuer_ = LoopbackIssuer::Start();
    ASSERT_NE(issuer_, nullptr);
  }
  std::string Offer(const char* config, std::optional<std::string> tx = std::nullopt) {
    return issuer_->With([&](testing::FakeIssuer& i) { return i.CreateOffer({config}, tx); });
  }

  testing::TempDir dir_;
  std::unique_ptr<LoopbackIssuer> issuer_;
};

TEST_F(CApiTest, InitUnlockReceiveListShowDeleteAndLockout) {
  const std::string dir = dir_.wallet().string();
  bf_wallet* w = nullptr;
  ASSERT_EQ(bf_wallet_init(dir.c_str(), kPin, &w), BF_OK) << bf_wallet_last_error(nullptr);
  ASSERT_NE(w, nullptr);
  // A second init of the same directory.
  bf_wallet* again = nullptr;
  EXPECT_EQ(bf_wallet_init(dir.c_str(), kPin, &again), BF_INVALID_ARGUMENT);
  EXPECT_EQ(again, nullptr);
  EXPECT_STRNE(bf_wallet_last_error(nullptr), "");

  // Locked: nothing is sent.
  ASSERT_EQ(bf_wallet_lock(w), BF_OK);
  char* json = nullptr;
  EXPECT_EQ(bf_wallet_receive(w, Offer(testing::kSdJwtConfig).c_str(), nullptr, &json), BF_INVALID_KEY);
  EXPECT_EQ(json, nullptr);
  EXPECT_EQ(issuer_->With([](testing::FakeIssuer& i) { return i.requests; }), 0);
  EXPECT_EQ(bf_wallet_unlock(w, "314159"), BF_INVALID_SIGNATURE);
  EXPECT_NE(std::string(bf_wallet_last_error(w)), "");
  ASSERT_EQ(bf_wallet_unlock(w, kPin), BF_OK);
  EXPECT_STREQ(bf_wallet_last_error(w), "");

  // http://127.0.0.1 issuers need the named relaxation.
  EXPECT_EQ(bf_wallet_receive(w, Offer(testing::kSdJwtConfig).c_str(), nullptr, &json), BF_INVALID_CLAIMS)
      << bf_wallet_last_error(w);
  EXPECT_NE(std::string(bf_wallet_last_error(w)).find("https"), std::string::npos);
  ASSERT_EQ(bf_wallet_set_insecure_http_loopback(w, 1), BF_OK);

  // tx_code needed and not given; then given.
  EXPECT_EQ(bf_wallet_receive(w, Offer(testing::kSdJwtConfig, "493027").c_str(), nullptr, &json),
            BF_INVALID_ARGUMENT);
  EXPECT_NE(std::string(bf_wallet_last_error(w)).find("tx_code"), std::string::npos);
  ASSERT_EQ(bf_wallet_receive(w, Offer(testing::kSdJwtConfig, "493027").c_str(), "493027", &json), BF_OK)
      << bf_wallet_last_error(w);
  Result<Json> received = ParseJson(Taken(json));
  ASSERT_TRUE(received.ok());
  ASSERT_EQ((*received)["received"].size(), 1u);
  const std::string sd_id = (*received)["received"][0]["id"].get<std::string>();
  EXPECT_EQ((*received)["received"][0]["format"], "dc+sd-jwt");
  EXPECT_EQ((*received)["received"][0]["copies"], 3);

  ASSERT_EQ(bf_wallet_receive(w, Offer(testing::kMdocConfig).c_str(), nullptr, &json), BF_OK)
      << bf_wallet_last_error(w);
  bf_string_free(json);
  ASSERT_EQ(bf_wallet_receive(w, Offer(testing::kJwtVcConfig).c_str(), nullptr, &json), BF_OK)
      << bf_wallet_last_error(w);
  bf_string_free(json);

  ASSERT_EQ(bf_wallet_list_json(w, &json), BF_OK);
  Result<Json> list = ParseJson(Taken(json));
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 3u);
  for (const Json& e : *list) EXPECT_EQ(e["issuer"], issuer_->url());

  ASSERT_EQ(bf_wallet_show_json(w, sd_id.c_str(), &json), BF_OK);
  Result<Json> shown = ParseJson(Taken(json));
  ASSERT_TRUE(shown.ok());
  EXPECT_EQ((*shown)["claims"]["family_name"], testing::kHolderFamilyName);
  EXPECT_EQ(bf_wallet_show_json(w, "AAAAAAAAAAAAAAAAAAAAAA", &json), BF_NOT_FOUND);
  EXPECT_EQ(json, nullptr);

  // A credential that does not verify: the exact code, and nothing stored.
  issuer_->With([](testing::FakeIssuer& i) { i.tamper = testing::FakeIssuer::Tamper::kWrongSigner; });
  EXPECT_EQ(bf_wallet_receive(w, Offer(testing::kSdJwtConfig).c_str(), nullptr, &json), BF_INVALID_SIGNATURE);
  issuer_->With([](testing::FakeIssuer& i) { i.tamper = testing::FakeIssuer::Tamper::kForeignIaca; });
  EXPECT_EQ(bf_wallet_receive(w, Offer(testing::kMdocConfig).c_str(), nullptr, &json), BF_UNTRUSTED_ISSUER);
  issuer_->With([](testing::FakeIssuer& i) { i.tamper = testing::FakeIssuer::Tamper::kNone; });
  ASSERT_EQ(bf_wallet_list_json(w, &json), BF_OK);
  EXPECT_EQ(ParseJson(Taken(json))->size(), 3u);

  // Delete notifies the issuer (credential_deleted) over the real transport.
  ASSERT_EQ(bf_wallet_delete(w, sd_id.c_str()), BF_OK) << bf_wallet_last_error(w);
  auto notifications = issuer_->With([](testing::FakeIssuer& i) { return i.notifications; });
  ASSERT_FALSE(notifications.empty());
  EXPECT_EQ(notifications.back().second, "credential_deleted");
  EXPECT_EQ(bf_wallet_delete(w, sd_id.c_str()), BF_NOT_FOUND);
  bf_wallet_close(w);

  // Reopen: locked; five wrong PINs lock it out, then even the right PIN is refused.
  bf_wallet* reopened = nullptr;
  ASSERT_EQ(bf_wallet_open(dir.c_str(), &reopened), BF_OK);
  EXPECT_EQ(bf_wallet_list_json(reopened, &json), BF_INVALID_KEY);
  for (int i = 1; i <= 4; ++i) EXPECT_EQ(bf_wallet_unlock(reopened, "314159"), BF_INVALID_SIGNATURE) << i;
  EXPECT_EQ(bf_wallet_unlock(reopened, "314159"), BF_LIMIT_EXCEEDED);
  EXPECT_EQ(bf_wallet_unlock(reopened, kPin), BF_LIMIT_EXCEEDED);
  EXPECT_STREQ(bf_status_name(BF_LIMIT_EXCEEDED), "limit_exceeded");
  bf_wallet_close(reopened);
}

TEST_F(CApiTest, NullArgumentsAreInvalidArgument) {
  bf_wallet* w = nullptr;
  char* json = nullptr;
  EXPECT_EQ(bf_wallet_open(nullptr, &w), BF_INVALID_ARGUMENT);
  EXPECT_EQ(bf_wallet_open("x", nullptr), BF_INVALID_ARGUMENT);
  EXPECT_EQ(bf_wallet_open(dir_.wallet().c_str(), &w), BF_NOT_FOUND);  // boundary: valid arguments
  EXPECT_EQ(w, nullptr);
  ASSERT_EQ(bf_wallet_init(dir_.wallet().c_str(), kPin, &w), BF_OK);
  EXPECT_EQ(bf_wallet_unlock(w, nullptr), BF_INVALID_ARGUMENT);
  EXPECT_EQ(bf_wallet_receive(w, nullptr, nullptr, &json), BF_INVALID_ARGUMENT);
  EXPECT_EQ(bf_wallet_show_json(w, nullptr, &json), BF_INVALID_ARGUMENT);
  EXPECT_EQ(bf_wallet_show_json(w, "x", nullptr), BF_INVALID_ARGUMENT);
  EXPECT_EQ(bf_wallet_delete(w, nullptr), BF_INVALID_ARGUMENT);
  EXPECT_EQ(bf_wallet_delete(nullptr, "x"), BF_INVALID_ARGUMENT);
  EXPECT_EQ(bf_wallet_add_trusted_iaca_pem(w, nullptr), BF_INVALID_ARGUMENT);
  EXPECT_EQ(bf_wallet_add_trusted_iaca_pem(w, "no certificate here"), BF_MALFORMED);
  EXPECT_EQ(bf_wallet_set_ca_file(nullptr, "x"), BF_INVALID_ARGUMENT);
  EXPECT_EQ(bf_wallet_set_ca_file(w, nullptr), BF_OK);
  EXPECT_EQ(bf_wallet_set_insecure_http_loopback(nullptr, 1), BF_INVALID_ARGUMENT);
  EXPECT_EQ(json, nullptr);
  EXPECT_STREQ(bf_wallet_last_error(nullptr), "wallet is NULL");
  bf_wallet_close(w);
}

TEST_F(CApiTest, TrustedIacaReplacesTheIssuersRoots) {
  bf_wallet* w = nullptr;
  char* json = nullptr;
  ASSERT_EQ(bf_wallet_init(dir_.wallet().c_str(), kPin, &w), BF_OK);
  ASSERT_EQ(bf_wallet_set_insecure_http_loopback(w, 1), BF_OK);
  const std::string other = issuer_->With([](testing::FakeIssuer& i) { return i.other_iaca_pem(); });
  ASSERT_EQ(bf_wallet_add_trusted_iaca_pem(w, other.c_str()), BF_OK);
  EXPECT_EQ(bf_wallet_receive(w, Offer(testing::kMdocConfig).c_str(), nullptr, &json), BF_UNTRUSTED_ISSUER);
  const std::string mine = issuer_->With([](testing::FakeIssuer& i) { return i.iaca_pem(); });
  ASSERT_EQ(bf_wallet_add_trusted_iaca_pem(w, mine.c_str()), BF_OK);
  ASSERT_EQ(bf_wallet_receive(w, Offer(testing::kMdocConfig).c_str(), nullptr, &json), BF_OK)
      << bf_wallet_last_error(w);
  bf_string_free(json);
  bf_wallet_close(w);
}

TEST_F(CApiTest, HeaderCompiledAsCDrivesTheApi) {
  char why[512] = {0};
  const int line = bf_c_smoke(dir_.wallet().c_str(), Offer(testing::kSdJwtConfig).c_str(), why, sizeof why);
  EXPECT_EQ(line, 0) << "c_api_header_test.c line " << line << ": " << why;
  auto notifications = issuer_->With([](testing::FakeIssuer& i) { return i.notifications; });
  ASSERT_EQ(notifications.size(), 2u);
  EXPECT_EQ(notifications[0].second, "credential_accepted");
  EXPECT_EQ(notifications[1].second, "credential_deleted");
}

}  // namespace
}  // namespace bonafide::wallet
