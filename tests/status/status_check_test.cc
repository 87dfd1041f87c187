// Tests of CheckStatusWithToken (status/status_check.h): one entry point for JWT and CWT Status
// List Tokens, with the draft's vectors.
#include <gtest/gtest.h>

#include "base/encoding.h"
#include "status/status_check.h"
#include "tests/common/test_util.h"

namespace bonafide::status {
namespace {

class StatusCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Json tokens = bonafide::testing::LoadVector("status-list/tokens.json");
    jwt_ = tokens["status_list_token_jwt"]["value"].get<std::string>();
    cwt_ = *HexDecode(tokens["status_list_token_cwt"]["value_hex"].get<std::string>());
    Json keys = bonafide::testing::LoadVector("status-list/keys.json");
    key_ = *crypto::PublicKey::FromJwk(keys["status_list_issuer_key"]);
    ASSERT_TRUE(key_.has_value());
  }
  std::string jwt_;
  Bytes cwt_;
  std::optional<crypto::PublicKey> key_;
  // Inside both tokens' iat..exp window.
  FixedClock clock_{1700000000};
  const std::string uri_ = "https://example.com/statuslists/1";
};

TEST_F(StatusCheckTest, DetectsTheForm) {
  EXPECT_TRUE(IsJwtText(AsBytes(jwt_)));
  EXPECT_FALSE(IsJwtText(cwt_));
  EXPECT_FALSE(IsJwtText(AsBytes("a.b")));
  EXPECT_FALSE(IsJwtText(AsBytes("a.b.c.d")));
  EXPECT_FALSE(IsJwtText(AsBytes("a.b c.d")));
}

TEST_F(StatusCheckTest, BothFormsGiveTheSameAnswers) {
  // The bits=1 example list: 1,0,0,1,1,1,0,1,...
  for (ByteView token : {AsBytes(jwt_), ByteView(cwt_)}) {
    EXPECT_EQ(CheckStatusWithToken(token, *key_, clock_, {0, uri_}).code(), StatusCode::kRevoked);
    EXPECT_TRUE(CheckStatusWithToken(token, *key_, clock_, {1, uri_}).ok());
    EXPECT_EQ(CheckStatusWithToken(token, *key_, clock_, {3, uri_}).code(), StatusCode::kRevoked);
    EXPECT_EQ(CheckStatusWithToken(token, *key_, clock_, {16, uri_}).code(), StatusCode::kStatusUnavailable);
    EXPECT_EQ(CheckStatusWithToken(token, *key_, clock_, {1, uri_ + "2"}).code(), StatusCode::kStatusUnavailable);
  }
}

TEST_F(StatusCheckTest, WrongKeyOrDamagedTokenFails) {
  auto other = crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256);
  EXPECT_EQ(CheckStatusWithToken(AsBytes(jwt_), other->public_key(), clock_, {1, uri_}).code(),
            StatusCode::kInvalidSignature);
  EXPECT_EQ(CheckStatusWithToken(cwt_, other->public_key(), clock_, {1, uri_}).code(), StatusCode::kInvalidSignature);
  Bytes damaged = cwt_;
  damaged.pop_back();
  EXPECT_EQ(CheckStatusWithToken(damaged, *key_, clock_, {1, uri_}).code(), StatusCode::kMalformed);
  EXPECT_EQ(CheckStatusWithToken(AsBytes("not a token"), *key_, clock_, {1, uri_}).code(), StatusCode::kMalformed);
}

}  // namespace
}  // namespace bonafide::status
