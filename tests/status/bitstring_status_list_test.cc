// Tests of the W3C Bitstring Status List (status/bitstring_status_list.h) and the VCDM date-time
// helper it uses.
#include "status/bitstring_status_list.h"

#include <gtest/gtest.h>

#include <string>

#include "base/clock.h"
#include "base/encoding.h"
#include "jose/jws.h"
#include "status/internal/compression.h"
#include "status/internal/datetime.h"
#include "test_util.h"

namespace bonafide::status {
namespace {

using testing::AllocationCounter;
using testing::CompressedZeros;

// The all-zero 16 KiB encodedList of the W3C Recommendation's examples (section 2.2 and appendix).
constexpr char kSpecExampleEncodedList[] = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA";

constexpr int64_t kNow = 1735689600;  // 2025-01-01T00:00:00Z
constexpr char kListUrl[] = "https://issuer.example/status/3";

std::string Multibase(ByteView gzip) { return "u" + Base64UrlEncode(gzip); }

// ---- Bitstring ----

TEST(BitstringStatusList, SpecExampleDecodes) {
  auto list = BitstringStatusList::DecodeEncodedList(kSpecExampleEncodedList);
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  EXPECT_EQ(list->num_bits(), kMinBitstringBits);
  EXPECT_EQ(list->bytes(), Bytes(16384, 0));
  EXPECT_EQ(*list->Get(0), 0u);
  EXPECT_EQ(*list->Get(131071), 0u);
  EXPECT_EQ(list->Get(131072).status().code(), StatusCode::kStatusUnavailable);
}

TEST(BitstringStatusList, CreateMinimumSize) {
  EXPECT_EQ(BitstringStatusList::Create(kMinBitstringBits - 1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(BitstringStatusList::Create(0).status().code(), StatusCode::kInvalidArgument);
  auto min = BitstringStatusList::Create();
  ASSERT_TRUE(min.ok());
  EXPECT_EQ(min->num_bits(), kMinBitstringBits);
  auto odd = BitstringStatusList::Create(kMinBitstringBits + 1);
  ASSERT_TRUE(odd.ok());
  EXPECT_EQ(odd->num_bits(), kMinBitstringBits + 8);  // rounded up to whole bytes
  EXPECT_EQ(BitstringStatusList::Create(BitstringStatusList::kMaxBytes * 8 + 1).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(BitstringStatusList, MsbFirstBitOrder) {
  auto list = BitstringStatusList::Create();
  ASSERT_TRUE(list.ok());
  ASSERT_TRUE(list->Set(0, 1).ok());
  EXPECT_EQ(list->bytes()[0], 0x80);  // index 0 is the left-most bit
  ASSERT_TRUE(list->Set(7, 1).ok());
  EXPECT_EQ(list->bytes()[0], 0x81);
  ASSERT_TRUE(list->Set(9, 1).ok());
  EXPECT_EQ(list->bytes()[1], 0x40);
  ASSERT_TRUE(list->Set(131071, 1).ok());
  EXPECT_EQ(list->bytes()[16383], 0x01);
  ASSERT_TRUE(list->Set(0, 0).ok());
  EXPECT_EQ(list->bytes()[0], 0x01);

  // Reading an independently built bitstring: byte 0x40 means index 1 is set, index 0 is not.
  Bytes raw(16384, 0);
  raw[0] = 0x40;
  raw[2] = 0x01;
  auto gz = internal::Deflate(raw, internal::Container::kGzip);
  ASSERT_TRUE(gz.ok());
  auto decoded = BitstringStatusList::DecodeEncodedList(Multibase(*gz));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded->Get(0), 0u);
  EXPECT_EQ(*decoded->Get(1), 1u);
  EXPECT_EQ(*decoded->Get(23), 1u);
  EXPECT_EQ(*decoded->Get(16), 0u);
}

TEST(BitstringStatusList, MultiBitEntries) {
  auto list = BitstringStatusList::Create();
  ASSERT_TRUE(list.ok());
  ASSERT_TRUE(list->Set(5, 2, 2).ok());  // bits 10, 11 = "10"
  EXPECT_EQ(list->bytes()[1], 0x20);
  EXPECT_EQ(*list->Get(5, 2), 2u);
  ASSERT_TRUE(list->Set(1, 0xA5, 8).ok());
  EXPECT_EQ(list->bytes()[1], 0xA5);
  EXPECT_EQ(list->Set(0, 4, 2).code(), StatusCode::kInvalidArgument);  // 4 does not fit in 2 bits
  EXPECT_TRUE(list->Set(0, 3, 2).ok());
  EXPECT_EQ(list->Get(0, 0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(list->Get(0, 9).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(list->Set(0, 0, 9).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(list->Get(65535, 2).ok());
  EXPECT_EQ(list->Get(65536, 2).status().code(), StatusCode::kStatusUnavailable);
  EXPECT_EQ(list->Get(UINT64_MAX, 8).status().code(), StatusCode::kStatusUnavailable);
  EXPECT_EQ(list->Set(131072, 1).code(), StatusCode::kInvalidArgument);
}

TEST(BitstringStatusList, RoundTrip) {
  auto list = BitstringStatusList::Create(kMinBitstringBits * 2);
  ASSERT_TRUE(list.ok());
  const std::vector<uint64_t> revoked = {0, 1, 42, 99999, 131071, 131072, 262143};
  for (uint64_t i : revoked) ASSERT_TRUE(list->Set(i, 1).ok());
  auto encoded = list->EncodeEncodedList();
  ASSERT_TRUE(encoded.ok());
  ASSERT_EQ(encoded->front(), 'u');
  // gzip magic (1f 8b) after the multibase prefix: "H4sI".
  EXPECT_EQ(encoded->substr(1, 4), "H4sI");
  auto decoded = BitstringStatusList::DecodeEncodedList(*encoded);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->bytes(), list->bytes());
  size_t set = 0;
  for (uint64_t i = 0; i < decoded->num_bits(); ++i) set += *decoded->Get(i);
  EXPECT_EQ(set, revoked.size());
}

TEST(BitstringStatusList, DecodeRejects) {
  Bytes raw(16384, 0);
  auto gz = internal::Deflate(raw, internal::Container::kGzip);
  ASSERT_TRUE(gz.ok());
  EXPECT_TRUE(BitstringStatusList::DecodeEncodedList(Multibase(*gz)).ok());
  // Multibase prefix: base64url ('u') only.
  EXPECT_EQ(BitstringStatusList::DecodeEncodedList(Base64UrlEncode(*gz)).status().code(), StatusCode::kMalformed);
  EXPECT_EQ(BitstringStatusList::DecodeEncodedList("z" + Base64UrlEncode(*gz)).status().code(),
            StatusCode::kMalformed);
  EXPECT_EQ(BitstringStatusList::DecodeEncodedList("").status().code(), StatusCode::kMalformed);
  EXPECT_EQ(BitstringStatusList::DecodeEncodedList("u").status().code(), StatusCode::kMalformed);
  // zlib where gzip is required.
  auto zl = internal::Deflate(raw, internal::Container::kZlib);
  ASSERT_TRUE(zl.ok());
  EXPECT_EQ(BitstringStatusList::DecodeEncodedList(Multibase(*zl)).status().code(), StatusCode::kMalformed);
  // Corrupt CRC-32, trailing bytes, a second gzip member.
  Bytes bad_crc = *gz;
  bad_crc[bad_crc.size() - 5] ^= 0x01;
  EXPECT_EQ(BitstringStatusList::DecodeEncodedList(Multibase(bad_crc)).status().code(), StatusCode::kMalformed);
  Bytes trailing = *gz;
  trailing.push_back(0);
  EXPECT_EQ(BitstringStatusList::DecodeEncodedList(Multibase(trailing)).status().code(), StatusCode::kMalformed);
  Bytes two = *gz;
  two.insert(two.end(), gz->begin(), gz->end());
  EXPECT_EQ(BitstringStatusList::DecodeEncodedList(Multibase(two)).status().code(), StatusCode::kMalformed);
  // Shorter than 16 KiB: 16383 bytes fails, 16384 passes (above).
  auto short_gz = internal::Deflate(Bytes(16383, 0), internal::Container::kGzip);
  ASSERT_TRUE(short_gz.ok());
  EXPECT_EQ(BitstringStatusList::DecodeEncodedList(Multibase(*short_gz)).status().code(), StatusCode::kMalformed);
}

TEST(BitstringStatusList, GzipBombRejected) {
  const Bytes bomb = CompressedZeros(size_t{100} << 20, true);
  ASSERT_LT(bomb.size(), size_t{200} << 10);
  const std::string encoded = Multibase(bomb);
  size_t allocated = 0;
  Status status;
  {
    AllocationCounter counter;
    status = BitstringStatusList::DecodeEncodedList(encoded).status();
    allocated = counter.bytes();
  }
  EXPECT_EQ(status.code(), StatusCode::kLimitExceeded);
  EXPECT_LT(allocated, size_t{40} << 20);

  DecodeLimits limits;
  limits.max_decompressed_bytes = 16384;
  EXPECT_TRUE(BitstringStatusList::DecodeEncodedList(Multibase(CompressedZeros(16384, true)), limits).ok());
  EXPECT_EQ(BitstringStatusList::DecodeEncodedList(Multibase(CompressedZeros(16385, true)), limits).status().code(),
            StatusCode::kLimitExceeded);
}

// ---- Credential ----

class BitstringCredentialTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto k = crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256);
    ASSERT_TRUE(k.ok());
    key_.emplace(*k);
    auto l = BitstringStatusList::Create();
    ASSERT_TRUE(l.ok());
    list_.emplace(*l);
    ASSERT_TRUE(list_->Set(94567, 1).ok());
    params_.id = kListUrl;
    params_.issuer = "did:example:12345";
    params_.valid_from = kNow - 3600;
    params_.valid_until = kNow + 3600;
    params_.purpose = StatusPurpose::kRevocation;
  }

  BitstringStatusListCredentialVerifier Verifier(StatusPurpose purpose = StatusPurpose::kRevocation) const {
    BitstringStatusListCredentialVerifier v(key_->public_key(), clock_);
    v.ExpectPurpose(purpose).ExpectId(kListUrl);
    return v;
  }

  std::string Issue() const {
    auto jwt = IssueBitstringStatusListCredential(params_, *list_, *key_);
    EXPECT_TRUE(jwt.ok()) << jwt.status().ToString();
    return jwt.ok() ? *jwt : std::string();
  }

  // Payload returns the credential JSON inside a compact JWS.
  static Json Payload(const std::string& jwt) {
    auto parsed = jose::UnverifiedJws::Parse(jwt);
    EXPECT_TRUE(parsed.ok());
    return Json::parse(AsStringView(parsed->unverified_payload()));
  }

  std::string Sign(const Json& vc, std::string_view typ = "vc+jwt") const {
    Json header = Json::object();
    header["typ"] = std::string(typ);
    auto jwt = jose::SignJwt(header, vc, *key_);
    EXPECT_TRUE(jwt.ok());
    return jwt.ok() ? *jwt : std::string();
  }

  static Json Entry(std::string_view index, std::string_view purpose = "revocation") {
    Json e = Json::object();
    e["id"] = "https://issuer.example/credentials/status/3#94567";
    e["type"] = "BitstringStatusListEntry";
    e["statusPurpose"] = std::string(purpose);
    e["statusListIndex"] = std::string(index);
    e["statusListCredential"] = kListUrl;
    return e;
  }

  std::optional<crypto::PrivateKey> key_;
  std::optional<BitstringStatusList> list_;
  BitstringStatusListCredentialParams params_;
  FixedClock clock_{kNow};
};

TEST_F(BitstringCredentialTest, IssuedShape) {
  const std::string jwt = Issue();
  auto parsed = jose::UnverifiedJws::Parse(jwt);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->typ(), "vc+jwt");
  const Json vc = Payload(jwt);
  EXPECT_EQ(vc["@context"], Json::array({"https://www.w3.org/ns/credentials/v2"}));
  EXPECT_EQ(vc["type"], Json::array({"VerifiableCredential", "BitstringStatusListCredential"}));
  EXPECT_EQ(vc["id"], kListUrl);
  EXPECT_EQ(vc["issuer"], "did:example:12345");
  EXPECT_EQ(vc["validFrom"], "2024-12-31T23:00:00Z");
  EXPECT_EQ(vc["validUntil"], "2025-01-01T01:00:00Z");
  EXPECT_EQ(vc["credentialSubject"]["id"], std::string(kListUrl) + "#list");
  EXPECT_EQ(vc["credentialSubject"]["type"], "BitstringStatusList");
  EXPECT_EQ(vc["credentialSubject"]["statusPurpose"], "revocation");
  EXPECT_EQ(vc["credentialSubject"]["encodedList"].get<std::string>().substr(0, 5), "uH4sI");
}

TEST_F(BitstringCredentialTest, VerifyAndCheckRevokedIndex) {
  auto vc = Verifier().Verify(Issue());
  ASSERT_TRUE(vc.ok()) << vc.status().ToString();
  EXPECT_EQ(vc->id(), kListUrl);
  EXPECT_EQ(vc->issuer(), "did:example:12345");
  EXPECT_EQ(vc->valid_from(), kNow - 3600);
  EXPECT_EQ(vc->valid_until(), kNow + 3600);
  EXPECT_EQ(vc->purposes(), std::vector<StatusPurpose>{StatusPurpose::kRevocation});
  EXPECT_EQ(vc->status_list().bytes(), list_->bytes());

  auto revoked = BitstringStatusEntry::FromJson(Entry("94567"));
  ASSERT_TRUE(revoked.ok()) << revoked.status().ToString();
  EXPECT_EQ(CheckBitstringStatus(*vc, *revoked).code(), StatusCode::kRevoked);
  auto neighbour = BitstringStatusEntry::FromJson(Entry("94566"));
  ASSERT_TRUE(neighbour.ok());
  EXPECT_TRUE(CheckBitstringStatus(*vc, *neighbour).ok());
  auto outside = BitstringStatusEntry::FromJson(Entry("131072"));
  ASSERT_TRUE(outside.ok());
  EXPECT_EQ(CheckBitstringStatus(*vc, *outside).code(), StatusCode::kStatusUnavailable);
  auto wrong_purpose = BitstringStatusEntry::FromJson(Entry("94567", "suspension"));
  ASSERT_TRUE(wrong_purpose.ok());
  EXPECT_EQ(CheckBitstringStatus(*vc, *wrong_purpose).code(), StatusCode::kStatusUnavailable);
}

TEST_F(BitstringCredentialTest, SuspensionAndMessage) {
  params_.purpose = StatusPurpose::kSuspension;
  auto vc = Verifier(StatusPurpose::kSuspension).Verify(Issue());
  ASSERT_TRUE(vc.ok()) << vc.status().ToString();
  auto entry = BitstringStatusEntry::FromJson(Entry("94567", "suspension"));
  ASSERT_TRUE(entry.ok());
  EXPECT_EQ(CheckBitstringStatus(*vc, *entry).code(), StatusCode::kSuspended);
  // A suspension list does not answer revocation.
  EXPECT_EQ(Verifier(StatusPurpose::kRevocation).Verify(Issue()).status().code(), StatusCode::kStatusUnavailable);

  params_.purpose = StatusPurpose::kMessage;
  auto msg = Verifier(StatusPurpose::kMessage).Verify(Issue());
  ASSERT_TRUE(msg.ok());
  auto msg_entry = BitstringStatusEntry::FromJson(Entry("94567", "message"));
  ASSERT_TRUE(msg_entry.ok());
  EXPECT_EQ(CheckBitstringStatus(*msg, *msg_entry).code(), StatusCode::kInvalidArgument);
}

TEST_F(BitstringCredentialTest, PurposeArray) {
  Json vc = Payload(Issue());
  vc["credentialSubject"]["statusPurpose"] = Json::array({"refresh", "suspension", "revocation"});
  auto ok = Verifier().Verify(Sign(vc));
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->purposes(), (std::vector<StatusPurpose>{StatusPurpose::kSuspension, StatusPurpose::kRevocation}));
  vc["credentialSubject"]["statusPurpose"] = Json::array();
  EXPECT_EQ(Verifier().Verify(Sign(vc)).status().code(), StatusCode::kInvalidClaims);
  vc["credentialSubject"]["statusPurpose"] = Json::array({1});
  EXPECT_EQ(Verifier().Verify(Sign(vc)).status().code(), StatusCode::kInvalidClaims);
  vc["credentialSubject"].erase("statusPurpose");
  EXPECT_EQ(Verifier().Verify(Sign(vc)).status().code(), StatusCode::kInvalidClaims);
}

TEST_F(BitstringCredentialTest, SignatureAndType) {
  const std::string jwt = Issue();
  auto other = crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256);
  ASSERT_TRUE(other.ok());
  BitstringStatusListCredentialVerifier wrong(other->public_key(), clock_);
  wrong.ExpectPurpose(StatusPurpose::kRevocation).AllowAnyId();
  EXPECT_EQ(wrong.Verify(jwt).status().code(), StatusCode::kInvalidSignature);

  const size_t dot = jwt.rfind('.');
  Bytes sig = *Base64UrlDecode(std::string_view(jwt).substr(dot + 1));
  sig[0] ^= 0x80;
  EXPECT_EQ(Verifier().Verify(jwt.substr(0, dot + 1) + Base64UrlEncode(sig)).status().code(),
            StatusCode::kInvalidSignature);

  const Json vc = Payload(jwt);
  EXPECT_TRUE(Verifier().Verify(Sign(vc, "application/vc+jwt")).ok());
  EXPECT_EQ(Verifier().Verify(Sign(vc, "JWT")).status().code(), StatusCode::kInvalidType);
  EXPECT_EQ(Verifier().Verify(Sign(vc, "vc+sd-jwt")).status().code(), StatusCode::kInvalidType);
  EXPECT_EQ(Verifier().Verify(Sign(vc, "statuslist+jwt")).status().code(), StatusCode::kInvalidType);

  Json no_list_type = vc;
  no_list_type["type"] = Json::array({"VerifiableCredential"});
  EXPECT_EQ(Verifier().Verify(Sign(no_list_type)).status().code(), StatusCode::kInvalidType);
  Json subject_type = vc;
  subject_type["credentialSubject"]["type"] = "StatusList2021";
  EXPECT_EQ(Verifier().Verify(Sign(subject_type)).status().code(), StatusCode::kInvalidType);
}

TEST_F(BitstringCredentialTest, ClaimRules) {
  const Json vc = Payload(Issue());
  Json ctx = vc;
  ctx["@context"] = Json::array({"https://www.w3.org/2018/credentials/v1"});
  EXPECT_EQ(Verifier().Verify(Sign(ctx)).status().code(), StatusCode::kInvalidClaims);
  ctx["@context"] = "https://www.w3.org/ns/credentials/v2";
  EXPECT_EQ(Verifier().Verify(Sign(ctx)).status().code(), StatusCode::kInvalidClaims);
  ctx["@context"] = Json::array({"https://www.w3.org/ns/credentials/v2", "https://w3id.org/vc/status-list/2021/v1"});
  EXPECT_TRUE(Verifier().Verify(Sign(ctx)).ok());

  Json issuer = vc;
  issuer["issuer"] = Json::parse(R"({"id": "did:example:12345", "name": "Example"})");
  auto with_obj = Verifier().Verify(Sign(issuer));
  ASSERT_TRUE(with_obj.ok());
  EXPECT_EQ(with_obj->issuer(), "did:example:12345");
  issuer["issuer"] = 5;
  EXPECT_EQ(Verifier().Verify(Sign(issuer)).status().code(), StatusCode::kInvalidClaims);
  issuer.erase("issuer");
  EXPECT_EQ(Verifier().Verify(Sign(issuer)).status().code(), StatusCode::kInvalidClaims);

  Json no_from = vc;
  no_from.erase("validFrom");
  EXPECT_EQ(Verifier().Verify(Sign(no_from)).status().code(), StatusCode::kInvalidClaims);
  Json bad_from = vc;
  bad_from["validFrom"] = "2024-12-31 23:00:00";
  EXPECT_EQ(Verifier().Verify(Sign(bad_from)).status().code(), StatusCode::kMalformed);

  Json no_list = vc;
  no_list["credentialSubject"].erase("encodedList");
  EXPECT_EQ(Verifier().Verify(Sign(no_list)).status().code(), StatusCode::kInvalidClaims);
  Json subject_array = vc;
  subject_array["credentialSubject"] = Json::array({vc["credentialSubject"]});
  EXPECT_EQ(Verifier().Verify(Sign(subject_array)).status().code(), StatusCode::kInvalidClaims);

  Json bomb = vc;
  bomb["credentialSubject"]["encodedList"] = Multibase(CompressedZeros(size_t{100} << 20, true));
  EXPECT_EQ(Verifier().Verify(Sign(bomb)).status().code(), StatusCode::kLimitExceeded);
}

TEST_F(BitstringCredentialTest, ValidityPeriod) {
  const std::string jwt = Issue();
  FixedClock clock(kNow + 3600);
  BitstringStatusListCredentialVerifier v(key_->public_key(), clock);
  v.ExpectPurpose(StatusPurpose::kRevocation).ExpectId(kListUrl).MaxSkew(0);
  EXPECT_EQ(v.Verify(jwt).status().code(), StatusCode::kExpired);
  clock.Set(kNow + 3599);
  EXPECT_TRUE(v.Verify(jwt).ok());
  clock.Set(kNow - 3601);
  EXPECT_EQ(v.Verify(jwt).status().code(), StatusCode::kNotYetValid);
  clock.Set(kNow - 3600);
  EXPECT_TRUE(v.Verify(jwt).ok());

  // No validUntil: no expiry. A JWT exp, when present, is honoured too.
  params_.valid_until.reset();
  Json vc = Payload(Issue());
  EXPECT_FALSE(vc.contains("validUntil"));
  clock.Set(kNow + 100 * 365 * 86400LL);
  EXPECT_TRUE(v.Verify(Sign(vc)).ok());
  vc["exp"] = kNow;
  EXPECT_EQ(v.Verify(Sign(vc)).status().code(), StatusCode::kExpired);
}

TEST_F(BitstringCredentialTest, ExpectationsRequired) {
  const std::string jwt = Issue();
  BitstringStatusListCredentialVerifier none(key_->public_key(), clock_);
  EXPECT_EQ(none.Verify(jwt).status().code(), StatusCode::kInvalidArgument);
  none.ExpectPurpose(StatusPurpose::kRevocation);
  EXPECT_EQ(none.Verify(jwt).status().code(), StatusCode::kInvalidArgument);
  none.AllowAnyId();
  EXPECT_TRUE(none.Verify(jwt).ok());
  none.ExpectId("https://issuer.example/status/4");
  EXPECT_EQ(none.Verify(jwt).status().code(), StatusCode::kStatusUnavailable);
  Json no_id = Payload(jwt);
  no_id.erase("id");
  none.ExpectId(kListUrl);
  EXPECT_EQ(none.Verify(Sign(no_id)).status().code(), StatusCode::kStatusUnavailable);
}

TEST_F(BitstringCredentialTest, IssueRejectsBadParams) {
  params_.valid_until = params_.valid_from;
  EXPECT_EQ(IssueBitstringStatusListCredential(params_, *list_, *key_).status().code(), StatusCode::kInvalidArgument);
  params_.valid_until = params_.valid_from + 1;
  EXPECT_TRUE(IssueBitstringStatusListCredential(params_, *list_, *key_).ok());
  params_.issuer.clear();
  EXPECT_EQ(IssueBitstringStatusListCredential(params_, *list_, *key_).status().code(), StatusCode::kInvalidArgument);
  params_.issuer = "did:example:1";
  params_.id.clear();
  EXPECT_EQ(IssueBitstringStatusListCredential(params_, *list_, *key_).status().code(), StatusCode::kInvalidArgument);
}

// ---- credentialStatus entries ----

TEST_F(BitstringCredentialTest, EntryParse) {
  auto e = BitstringStatusEntry::FromJson(Entry("94567"));
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->index, 94567u);
  EXPECT_EQ(e->purpose, StatusPurpose::kRevocation);
  EXPECT_EQ(e->status_list_credential, kListUrl);
  EXPECT_EQ(e->status_size, 1u);
  EXPECT_TRUE(e->id.has_value());

  EXPECT_TRUE(BitstringStatusEntry::FromJson(Entry("0")).ok());
  auto max = BitstringStatusEntry::FromJson(Entry("18446744073709551615"));
  ASSERT_TRUE(max.ok());
  EXPECT_EQ(max->index, UINT64_MAX);
  for (const char* bad : {"18446744073709551616", "01", "-1", "+1", "", "1.0", "abc", " 1", "0x10"}) {
    EXPECT_EQ(BitstringStatusEntry::FromJson(Entry(bad)).status().code(), StatusCode::kMalformed) << bad;
  }
  Json number_index = Entry("1");
  number_index["statusListIndex"] = 1;
  EXPECT_EQ(BitstringStatusEntry::FromJson(number_index).status().code(), StatusCode::kMalformed);

  Json type = Entry("1");
  type["type"] = "StatusList2021Entry";
  EXPECT_EQ(BitstringStatusEntry::FromJson(type).status().code(), StatusCode::kInvalidType);
  type.erase("type");
  EXPECT_EQ(BitstringStatusEntry::FromJson(type).status().code(), StatusCode::kInvalidType);

  EXPECT_EQ(BitstringStatusEntry::FromJson(Entry("1", "refresh")).status().code(), StatusCode::kMalformed);
  Json url = Entry("1");
  url["statusListCredential"] = "not a url";
  EXPECT_EQ(BitstringStatusEntry::FromJson(url).status().code(), StatusCode::kMalformed);
  url["statusListCredential"] = "https:";
  EXPECT_EQ(BitstringStatusEntry::FromJson(url).status().code(), StatusCode::kMalformed);
  url.erase("statusListCredential");
  EXPECT_EQ(BitstringStatusEntry::FromJson(url).status().code(), StatusCode::kMalformed);

  Json id = Entry("1");
  id["id"] = kListUrl;
  EXPECT_EQ(BitstringStatusEntry::FromJson(id).status().code(), StatusCode::kMalformed);
  id["id"] = 7;
  EXPECT_EQ(BitstringStatusEntry::FromJson(id).status().code(), StatusCode::kMalformed);
  id.erase("id");
  auto no_id = BitstringStatusEntry::FromJson(id);
  ASSERT_TRUE(no_id.ok());
  EXPECT_FALSE(no_id->id.has_value());
  EXPECT_EQ(BitstringStatusEntry::FromJson(Json::array()).status().code(), StatusCode::kMalformed);
}

TEST_F(BitstringCredentialTest, EntryStatusSize) {
  Json e = Entry("3", "message");
  e["statusSize"] = 2;
  EXPECT_EQ(BitstringStatusEntry::FromJson(e).status().code(), StatusCode::kMalformed);  // no statusMessage
  e["statusMessage"] = Json::array({Json::object(), Json::object(), Json::object()});
  EXPECT_EQ(BitstringStatusEntry::FromJson(e).status().code(), StatusCode::kMalformed);  // 3 != 2^2
  e["statusMessage"].push_back(Json::object());
  auto ok = BitstringStatusEntry::FromJson(e);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->status_size, 2u);
  for (int bad : {0, -1, 9}) {
    e["statusSize"] = bad;
    EXPECT_EQ(BitstringStatusEntry::FromJson(e).status().code(), StatusCode::kMalformed) << bad;
  }
  e["statusSize"] = 1;
  EXPECT_TRUE(BitstringStatusEntry::FromJson(e).ok());
  e["statusSize"] = 1.5;
  EXPECT_EQ(BitstringStatusEntry::FromJson(e).status().code(), StatusCode::kMalformed);

  // A two-bit revocation entry reads two bits, MSB first.
  Json r = Entry("47283");  // bits 94566, 94567: "01" with the fixture's bit 94567 set
  r["statusSize"] = 2;
  r["statusMessage"] = Json::array({Json::object(), Json::object(), Json::object(), Json::object()});
  auto two = BitstringStatusEntry::FromJson(r);
  ASSERT_TRUE(two.ok());
  auto vc = Verifier().Verify(Issue());
  ASSERT_TRUE(vc.ok());
  EXPECT_EQ(*vc->status_list().Get(47283, 2), 1u);
  EXPECT_EQ(CheckBitstringStatus(*vc, *two).code(), StatusCode::kRevoked);
}

TEST(StatusPurpose, Names) {
  for (StatusPurpose p : {StatusPurpose::kRevocation, StatusPurpose::kSuspension, StatusPurpose::kMessage}) {
    EXPECT_EQ(ParseStatusPurpose(StatusPurposeName(p)), p);
  }
  EXPECT_FALSE(ParseStatusPurpose("Revocation").has_value());
  EXPECT_FALSE(ParseStatusPurpose("").has_value());
}

// ---- dateTimeStamp ----

TEST(DateTimeStamp, Parse) {
  EXPECT_EQ(*internal::ParseDateTimeStamp("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*internal::ParseDateTimeStamp("2025-01-01T00:00:00Z"), kNow);
  EXPECT_EQ(*internal::ParseDateTimeStamp("2025-01-01T01:00:00+01:00"), kNow);
  EXPECT_EQ(*internal::ParseDateTimeStamp("2024-12-31T23:00:00-01:00"), kNow);
  EXPECT_EQ(*internal::ParseDateTimeStamp("2025-01-01T00:00:00.999Z"), kNow);
  EXPECT_EQ(*internal::ParseDateTimeStamp("2024-02-29T00:00:00Z"), 1709164800);
  EXPECT_EQ(*internal::ParseDateTimeStamp("1969-12-31T23:59:59Z"), -1);
  for (const char* bad : {"2025-01-01T00:00:00", "2025-01-01", "2025-01-01 00:00:00Z", "2023-02-29T00:00:00Z",
                          "2025-13-01T00:00:00Z", "2025-01-01T24:00:00Z", "2025-01-01T00:60:00Z",
                          "2025-01-01T00:00:60Z", "2025-01-01T00:00:00.Z", "2025-01-01T00:00:00+0100",
                          "2025-01-01T00:00:00+15:00", "0000-01-01T00:00:00Z", "2025-01-01T00:00:00Zx",
                          "25-01-01T00:00:00Z", "2025-1-01T00:00:00Z", ""}) {
    EXPECT_EQ(internal::ParseDateTimeStamp(bad).status().code(), StatusCode::kMalformed) << bad;
  }
}

TEST(DateTimeStamp, Format) {
  EXPECT_EQ(*internal::FormatDateTimeStamp(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(*internal::FormatDateTimeStamp(kNow), "2025-01-01T00:00:00Z");
  EXPECT_EQ(*internal::FormatDateTimeStamp(-1), "1969-12-31T23:59:59Z");
  EXPECT_EQ(*internal::FormatDateTimeStamp(253402300799), "9999-12-31T23:59:59Z");
  EXPECT_EQ(internal::FormatDateTimeStamp(253402300800).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(*internal::FormatDateTimeStamp(-62135596800), "0001-01-01T00:00:00Z");
  EXPECT_EQ(internal::FormatDateTimeStamp(-62135596801).status().code(), StatusCode::kInvalidArgument);
  for (int64_t t : {int64_t{1}, int64_t{951782400}, int64_t{4102444799}, int64_t{-86401}}) {
    EXPECT_EQ(*internal::ParseDateTimeStamp(*internal::FormatDateTimeStamp(t)), t) << t;
  }
}

}  // namespace
}  // namespace bonafide::status
