// Tests of COSE_Sign1 (cose/cose_sign1.h), strict CBOR decoding (cbor/cbor.h) and Status List
// Tokens in CWT format (status/status_list_cwt.h), against the draft-20 CWT vectors.
#include "status/status_list_cwt.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/encoding.h"
#include "cbor/cbor.h"
#include "cose/cose_sign1.h"
#include "test_util.h"

namespace bonafide::status {
namespace {

using testing::LoadVectorJson;

constexpr char kListUri[] = "https://example.com/statuslists/1";
constexpr int64_t kVectorIat = 1686920170;
constexpr int64_t kVectorExp = 2291720170;
constexpr int64_t kNow = 1700000000;  // between the vectors' iat and exp

// --- A minimal CBOR writer for building test inputs (preferred-length heads, definite lengths).
Bytes Head(uint8_t major, uint64_t arg) {
  Bytes out;
  const uint8_t m = static_cast<uint8_t>(major << 5);
  if (arg < 24) {
    out.push_back(static_cast<uint8_t>(m | arg));
    return out;
  }
  int n = arg <= 0xff ? 1 : arg <= 0xffff ? 2 : arg <= 0xffffffff ? 4 : 8;
  out.push_back(static_cast<uint8_t>(m | (n == 1 ? 24 : n == 2 ? 25 : n == 4 ? 26 : 27)));
  for (int i = n - 1; i >= 0; --i) out.push_back(static_cast<uint8_t>(arg >> (8 * i)));
  return out;
}
Bytes Cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}
Bytes Uint(uint64_t v) { return Head(0, v); }
Bytes Int(int64_t v) { return v >= 0 ? Head(0, static_cast<uint64_t>(v)) : Head(1, static_cast<uint64_t>(-(v + 1))); }
Bytes Text(std::string_view s) { return Cat({Head(3, s.size()), ToBytes(s)}); }
Bytes Bstr(ByteView b) { return Cat({Head(2, b.size()), Bytes(b.begin(), b.end())}); }
Bytes Map(std::vector<std::pair<Bytes, Bytes>> entries) {
  Bytes out = Head(5, entries.size());
  for (auto& [k, v] : entries) out = Cat({out, k, v});
  return out;
}
Bytes Array(std::vector<Bytes> items) {
  Bytes out = Head(4, items.size());
  for (auto& i : items) out = Cat({out, i});
  return out;
}

Bytes Hex(std::string_view hex) {
  auto b = HexDecode(hex);
  EXPECT_TRUE(b.ok());
  return b.ok() ? *b : Bytes();
}

// The bits=1 example list: zlib bytes of the draft's CBOR example.
const char kLstHex[] = "78dadbb918000217015d";

// Claims of a CWT Status List Token; absent optionals are left out of the map.
struct Claims {
  std::optional<Bytes> sub = Text(kListUri);
  std::optional<Bytes> iat = Uint(kNow - 100);
  std::optional<Bytes> exp = Uint(kNow + 3600);
  std::optional<Bytes> ttl = Uint(300);
  std::optional<Bytes> status_list = Map({{Text("bits"), Uint(1)}, {Text("lst"), Bstr(Hex(kLstHex))}});

  Bytes Encode() const {
    std::vector<std::pair<Bytes, Bytes>> e;
    if (sub) e.emplace_back(Uint(2), *sub);
    if (iat) e.emplace_back(Uint(6), *iat);
    if (exp) e.emplace_back(Uint(4), *exp);
    if (ttl) e.emplace_back(Uint(65534), *ttl);
    if (status_list) e.emplace_back(Uint(65533), *status_list);
    return Map(std::move(e));
  }
};

class StatusListCwtTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const Json keys = LoadVectorJson("status-list/keys.json");
    auto priv = crypto::PrivateKey::FromJwk(keys["status_list_issuer_key"]);
    ASSERT_TRUE(priv.ok()) << priv.status().ToString();
    key_.emplace(*priv);
    const Json tokens = LoadVectorJson("status-list/tokens.json");
    list_cwt_ = Hex(tokens["status_list_token_cwt"]["value_hex"].get<std::string>());
    referenced_cwt_ = Hex(tokens["referenced_token_cwt"]["value_hex"].get<std::string>());
    ASSERT_FALSE(list_cwt_.empty());
    ASSERT_FALSE(referenced_cwt_.empty());
  }

  StatusListCwtVerifier Verifier() const {
    StatusListCwtVerifier v(key_->public_key(), clock_);
    v.ExpectSubject(kListUri);
    return v;
  }

  // Sign signs a CWT payload with the vector key and the given typ (empty: no typ).
  Bytes Sign(const Bytes& payload, std::string typ = std::string(kStatusListCwtType)) const {
    cose::Sign1Headers h;
    if (!typ.empty()) h.typ = typ;
    auto cose = cose::SignSign1(h, payload, *key_);
    EXPECT_TRUE(cose.ok()) << cose.status().ToString();
    return cose.ok() ? *cose : Bytes();
  }

  // SignRaw signs `payload` with a verbatim protected header (encoded map) and unprotected map.
  Bytes SignRaw(const Bytes& protected_header, const Bytes& payload, const Bytes& unprotected = {}) const {
    auto cose = cose::InsecureSignSign1WithRawProtected(protected_header, unprotected, payload, *key_);
    EXPECT_TRUE(cose.ok()) << cose.status().ToString();
    return cose.ok() ? *cose : Bytes();
  }

  StatusCode VerifyCode(const Bytes& cose) const { return Verifier().Verify(cose).status().code(); }

  std::optional<crypto::PrivateKey> key_;
  FixedClock clock_{kNow};
  Bytes list_cwt_;
  Bytes referenced_cwt_;
};

Bytes TypHeader(int64_t alg = -7) { return Map({{Uint(1), Int(alg)}, {Uint(16), Text(kStatusListCwtType)}}); }

// --- The vectors.

TEST_F(StatusListCwtTest, VectorListTokenVerifies) {
  auto token = Verifier().Verify(list_cwt_);
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  EXPECT_EQ(token->sub(), kListUri);
  EXPECT_EQ(token->iat(), kVectorIat);
  EXPECT_EQ(token->exp(), std::optional<int64_t>(kVectorExp));
  EXPECT_EQ(token->ttl(), std::optional<int64_t>(43200));
  EXPECT_FALSE(token->iss().has_value());
  EXPECT_EQ(token->status_list().bits(), 1);
  EXPECT_EQ(*token->status_list().Get(0), StatusType::kInvalid);
  EXPECT_EQ(*token->status_list().Get(1), StatusType::kValid);
  // Same statuses as the JSON/CBOR encoding example: b9 a3.
  EXPECT_EQ(token->status_list().bytes(), Hex("b9a3"));
}

TEST_F(StatusListCwtTest, VectorListTokenCarriesTheExampleZlibBytes) {
  auto sign1 = cose::VerifySign1(list_cwt_, key_->public_key());
  ASSERT_TRUE(sign1.ok()) << sign1.status().ToString();
  EXPECT_EQ(sign1->alg(), crypto::SignatureAlg::kES256);
  EXPECT_EQ(sign1->typ(), std::optional<std::string>(std::string(kStatusListCwtType)));
  EXPECT_EQ(sign1->kid(), std::optional<Bytes>(ToBytes("12")));
  EXPECT_EQ(sign1->protected_header(), Hex("a2012610781a6170706c69636174696f6e2f7374617475736c6973742b637774"));
  auto doc = cbor::Decode(sign1->payload());
  ASSERT_TRUE(doc.ok());
  const cbor::Value* status_list = doc->Find(kCwtClaimStatusList);
  ASSERT_NE(status_list, nullptr);
  const cbor::Value* lst = status_list->Find("lst");
  ASSERT_NE(lst, nullptr);
  auto lst_bytes = lst->AsBytes();
  ASSERT_TRUE(lst_bytes.ok());
  EXPECT_EQ(Bytes(lst_bytes->begin(), lst_bytes->end()), Hex(kLstHex));
}

TEST_F(StatusListCwtTest, VectorReferencedTokenPointsToRevokedEntry) {
  auto ref_sign1 = cose::VerifySign1(referenced_cwt_, key_->public_key());
  ASSERT_TRUE(ref_sign1.ok()) << ref_sign1.status().ToString();
  EXPECT_FALSE(ref_sign1->typ().has_value());
  EXPECT_EQ(ref_sign1->kid(), std::optional<Bytes>(ToBytes("12")));
  auto ref = StatusReferenceFromCwtClaims(ref_sign1->payload());
  ASSERT_TRUE(ref.ok()) << ref.status().ToString();
  EXPECT_EQ(ref->idx, 0u);
  EXPECT_EQ(ref->uri, kListUri);

  StatusListCwtVerifier v(key_->public_key(), clock_);
  v.ExpectSubject(ref->uri);
  auto list = v.Verify(list_cwt_);
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  EXPECT_EQ(CheckStatus(list->status_list(), ref->idx).code(), StatusCode::kRevoked);
  EXPECT_TRUE(CheckStatus(list->status_list(), 1).ok());
}

TEST_F(StatusListCwtTest, ReferencedTokenIsNotAStatusList) {
  EXPECT_EQ(VerifyCode(referenced_cwt_), StatusCode::kInvalidType);
}

TEST_F(StatusListCwtTest, VectorExpiresAtExpPlusSkew) {
  FixedClock clock(kVectorExp + 59);
  StatusListCwtVerifier v(key_->public_key(), clock);
  v.ExpectSubject(kListUri);
  EXPECT_TRUE(v.Verify(list_cwt_).ok());
  clock.Set(kVectorExp + 60);
  EXPECT_EQ(v.Verify(list_cwt_).status().code(), StatusCode::kExpired);
}

TEST_F(StatusListCwtTest, VectorNotYetValidBeforeIatMinusSkew) {
  FixedClock clock(kVectorIat - 60);
  StatusListCwtVerifier v(key_->public_key(), clock);
  v.ExpectSubject(kListUri);
  EXPECT_TRUE(v.Verify(list_cwt_).ok());
  clock.Set(kVectorIat - 61);
  EXPECT_EQ(v.Verify(list_cwt_).status().code(), StatusCode::kNotYetValid);
}

// --- Signature and tampering.

TEST_F(StatusListCwtTest, FlippedSignatureByteFails) {
  for (const Bytes* vec : {&list_cwt_, &referenced_cwt_}) {
    Bytes bad = *vec;
    bad.back() ^= 0x01;
    EXPECT_EQ(cose::VerifySign1(bad, key_->public_key()).status().code(), StatusCode::kInvalidSignature);
  }
  Bytes bad = list_cwt_;
  bad.back() ^= 0x01;
  EXPECT_EQ(VerifyCode(bad), StatusCode::kInvalidSignature);
}

// Index of the first occurrence of `needle` in `hay` at or after `from`, or hay.size().
size_t FindBytes(const Bytes& hay, std::string_view needle, size_t from = 0) {
  for (size_t i = from; i + needle.size() <= hay.size(); ++i) {
    if (AsStringView(ByteView(hay).subspan(i, needle.size())) == needle) return i;
  }
  return hay.size();
}

TEST_F(StatusListCwtTest, FlippedPayloadByteFails) {
  Bytes bad = list_cwt_;
  const size_t at = FindBytes(bad, "example.com");  // only in the payload (sub)
  ASSERT_LT(at, bad.size());
  bad[at] ^= 0x01;  // 'e' -> 'd': still a valid text string
  EXPECT_EQ(VerifyCode(bad), StatusCode::kInvalidSignature);

  Bytes bad_ref = referenced_cwt_;
  const size_t ref_at = FindBytes(bad_ref, "12345");  // the referenced token's sub
  ASSERT_LT(ref_at, bad_ref.size());
  bad_ref[ref_at] ^= 0x01;
  EXPECT_EQ(cose::VerifySign1(bad_ref, key_->public_key()).status().code(), StatusCode::kInvalidSignature);
}

TEST_F(StatusListCwtTest, FlippedProtectedHeaderByteFails) {
  Bytes bad = list_cwt_;
  const size_t at = FindBytes(bad, "application/statuslist+cwt");
  ASSERT_LT(at, bad.size());
  bad[at] = 'A';  // still the right media type case-insensitively, but not what was signed
  EXPECT_EQ(VerifyCode(bad), StatusCode::kInvalidSignature);
}

TEST_F(StatusListCwtTest, UnprotectedKidIsNotSigned) {
  // Boundary: the unprotected bucket is outside the signature, so changing the kid still verifies.
  Bytes changed = list_cwt_;
  const size_t at = FindBytes(changed, "\x04\x42\x31\x32");  // {4: h'3132'}
  ASSERT_LT(at, changed.size());
  changed[at + 3] = '3';
  auto sign1 = cose::VerifySign1(changed, key_->public_key());
  ASSERT_TRUE(sign1.ok()) << sign1.status().ToString();
  EXPECT_EQ(sign1->kid(), std::optional<Bytes>(ToBytes("13")));
}

TEST_F(StatusListCwtTest, WrongKeyAlgorithmIsAlgorithmMismatch) {
  for (auto alg : {crypto::SignatureAlg::kEdDSA, crypto::SignatureAlg::kES384}) {
    auto other = crypto::PrivateKey::Generate(alg);
    ASSERT_TRUE(other.ok());
    EXPECT_EQ(cose::VerifySign1(list_cwt_, other->public_key()).status().code(), StatusCode::kAlgorithmMismatch);
    StatusListCwtVerifier v(other->public_key(), clock_);
    v.ExpectSubject(kListUri);
    EXPECT_EQ(v.Verify(list_cwt_).status().code(), StatusCode::kAlgorithmMismatch);
  }
}

TEST_F(StatusListCwtTest, OtherP256KeyIsInvalidSignature) {
  auto other = crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(cose::VerifySign1(list_cwt_, other->public_key()).status().code(), StatusCode::kInvalidSignature);
}

// --- Header rules.

TEST_F(StatusListCwtTest, RawProtectedHeaderBoundaryVerifies) {
  EXPECT_TRUE(Verifier().Verify(SignRaw(TypHeader(), Claims().Encode())).ok());
}

// Documented choice: a missing alg is kUnsupportedAlgorithm (as for a JWS without alg).
TEST_F(StatusListCwtTest, MissingAlgIsUnsupportedAlgorithm) {
  const Bytes no_alg = Map({{Uint(16), Text(kStatusListCwtType)}});
  EXPECT_EQ(VerifyCode(SignRaw(no_alg, Claims().Encode())), StatusCode::kUnsupportedAlgorithm);
  // alg only in the unprotected bucket does not count.
  EXPECT_EQ(VerifyCode(SignRaw(no_alg, Claims().Encode(), Map({{Uint(1), Int(-7)}}))),
            StatusCode::kUnsupportedAlgorithm);
  // Empty protected bucket.
  EXPECT_EQ(VerifyCode(SignRaw({}, Claims().Encode())), StatusCode::kUnsupportedAlgorithm);
}

TEST_F(StatusListCwtTest, UnknownOrMistypedAlgIsUnsupportedAlgorithm) {
  EXPECT_EQ(VerifyCode(SignRaw(TypHeader(-257), Claims().Encode())), StatusCode::kUnsupportedAlgorithm);  // RS256
  EXPECT_EQ(VerifyCode(SignRaw(TypHeader(0), Claims().Encode())), StatusCode::kUnsupportedAlgorithm);
  const Bytes text_alg = Map({{Uint(1), Text("ES256")}, {Uint(16), Text(kStatusListCwtType)}});
  EXPECT_EQ(VerifyCode(SignRaw(text_alg, Claims().Encode())), StatusCode::kUnsupportedAlgorithm);
  // -35 (ES384) is known but not the P-256 key's algorithm.
  EXPECT_EQ(VerifyCode(SignRaw(TypHeader(-35), Claims().Encode())), StatusCode::kAlgorithmMismatch);
}

TEST_F(StatusListCwtTest, CritIsUnknownCritical) {
  const Bytes crit = Map({{Uint(1), Int(-7)}, {Uint(2), Array({Uint(16)})}, {Uint(16), Text(kStatusListCwtType)}});
  EXPECT_EQ(VerifyCode(SignRaw(crit, Claims().Encode())), StatusCode::kUnknownCritical);
  const Bytes empty_crit = Map({{Uint(1), Int(-7)}, {Uint(2), Array({})}, {Uint(16), Text(kStatusListCwtType)}});
  EXPECT_EQ(VerifyCode(SignRaw(empty_crit, Claims().Encode())), StatusCode::kMalformed);
  // crit in the unprotected bucket is not allowed either.
  EXPECT_EQ(VerifyCode(SignRaw(TypHeader(), Claims().Encode(), Map({{Uint(2), Array({Uint(16)})}}))),
            StatusCode::kMalformed);
}

TEST_F(StatusListCwtTest, LabelInBothBucketsIsMalformed) {
  EXPECT_EQ(VerifyCode(SignRaw(TypHeader(), Claims().Encode(), Map({{Uint(16), Text("x")}}))), StatusCode::kMalformed);
}

TEST_F(StatusListCwtTest, DuplicateProtectedLabelIsMalformed) {
  const Bytes dup = Cat({Head(5, 3), Uint(1), Int(-7), Uint(16), Text(kStatusListCwtType), Uint(1), Int(-7)});
  EXPECT_EQ(VerifyCode(SignRaw(dup, Claims().Encode())), StatusCode::kMalformed);
}

TEST_F(StatusListCwtTest, ProtectedHeaderNotAMapIsMalformed) {
  EXPECT_EQ(VerifyCode(SignRaw(Array({Uint(1)}), Claims().Encode())), StatusCode::kMalformed);
  EXPECT_EQ(VerifyCode(SignRaw(Cat({TypHeader(), Uint(0)}), Claims().Encode())), StatusCode::kMalformed);
}

TEST_F(StatusListCwtTest, WrongTypeIsInvalidType) {
  EXPECT_EQ(VerifyCode(Sign(Claims().Encode(), "application/statuslist+jwt")), StatusCode::kInvalidType);
  EXPECT_EQ(VerifyCode(Sign(Claims().Encode(), "statuslist+cwt")), StatusCode::kInvalidType);
  EXPECT_EQ(VerifyCode(Sign(Claims().Encode(), "application/statuslist+cwt; x=1")), StatusCode::kInvalidType);
  EXPECT_EQ(VerifyCode(Sign(Claims().Encode(), "")), StatusCode::kInvalidType);  // no typ
  // In content type (3) rather than typ (16).
  cose::Sign1Headers h;
  h.content_type = std::string(kStatusListCwtType);
  auto ct = cose::SignSign1(h, Claims().Encode(), *key_);
  ASSERT_TRUE(ct.ok());
  EXPECT_EQ(VerifyCode(*ct), StatusCode::kInvalidType);
  // typ as a CoAP content-format number.
  EXPECT_EQ(VerifyCode(SignRaw(Map({{Uint(1), Int(-7)}, {Uint(16), Uint(61)}}), Claims().Encode())),
            StatusCode::kInvalidType);
  // Boundary: case-insensitive match.
  EXPECT_TRUE(Verifier().Verify(Sign(Claims().Encode(), "Application/StatusList+CWT")).ok());
}

// --- Claims.

TEST_F(StatusListCwtTest, SubjectRules) {
  Claims other;
  other.sub = Text("https://example.com/statuslists/2");
  EXPECT_EQ(VerifyCode(Sign(other.Encode())), StatusCode::kStatusUnavailable);
  StatusListCwtVerifier any(key_->public_key(), clock_);
  any.AllowAnySubject();
  EXPECT_TRUE(any.Verify(Sign(other.Encode())).ok());
  StatusListCwtVerifier unconfigured(key_->public_key(), clock_);
  EXPECT_EQ(unconfigured.Verify(list_cwt_).status().code(), StatusCode::kInvalidArgument);
  Claims no_sub;
  no_sub.sub.reset();
  EXPECT_EQ(VerifyCode(Sign(no_sub.Encode())), StatusCode::kInvalidClaims);
  Claims bytes_sub;
  bytes_sub.sub = Bstr(ToBytes(kListUri));
  EXPECT_EQ(VerifyCode(Sign(bytes_sub.Encode())), StatusCode::kInvalidClaims);
}

TEST_F(StatusListCwtTest, ExpiryBoundary) {
  Claims c;
  c.exp = Uint(kNow - 59);
  EXPECT_TRUE(Verifier().Verify(Sign(c.Encode())).ok());
  c.exp = Uint(kNow - 60);
  EXPECT_EQ(VerifyCode(Sign(c.Encode())), StatusCode::kExpired);
  c.exp.reset();  // exp is optional
  EXPECT_TRUE(Verifier().Verify(Sign(c.Encode())).ok());
  c.exp = Text("tomorrow");
  EXPECT_EQ(VerifyCode(Sign(c.Encode())), StatusCode::kInvalidClaims);
  c.exp = Int(-1);
  EXPECT_EQ(VerifyCode(Sign(c.Encode())), StatusCode::kInvalidClaims);
  c.exp = Uint(uint64_t{1} << 63);
  EXPECT_EQ(VerifyCode(Sign(c.Encode())), StatusCode::kInvalidClaims);
}

TEST_F(StatusListCwtTest, IssuedAtRules) {
  Claims c;
  c.iat.reset();
  EXPECT_EQ(VerifyCode(Sign(c.Encode())), StatusCode::kInvalidClaims);
  c.iat = Text("now");
  EXPECT_EQ(VerifyCode(Sign(c.Encode())), StatusCode::kInvalidClaims);
  c.iat = Uint(kNow + 61);
  EXPECT_EQ(VerifyCode(Sign(c.Encode())), StatusCode::kNotYetValid);
  c.iat = Uint(kNow + 60);
  EXPECT_TRUE(Verifier().Verify(Sign(c.Encode())).ok());
}

TEST_F(StatusListCwtTest, TtlRules) {
  Claims c;
  c.ttl = Uint(0);
  EXPECT_EQ(VerifyCode(Sign(c.Encode())), StatusCode::kInvalidClaims);
  c.ttl = Uint(1);
  auto ok = Verifier().Verify(Sign(c.Encode()));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->ttl(), std::optional<int64_t>(1));
  c.ttl.reset();
  ok = Verifier().Verify(Sign(c.Encode()));
  ASSERT_TRUE(ok.ok());
  EXPECT_FALSE(ok->ttl().has_value());
}

TEST_F(StatusListCwtTest, StatusListRules) {
  Claims c;
  c.status_list.reset();
  EXPECT_EQ(VerifyCode(Sign(c.Encode())), StatusCode::kInvalidClaims);
  c.status_list = Text("not a map");
  EXPECT_EQ(VerifyCode(Sign(c.Encode())), StatusCode::kInvalidClaims);
  c.status_list = Map({{Text("bits"), Uint(3)}, {Text("lst"), Bstr(Hex(kLstHex))}});
  EXPECT_EQ(VerifyCode(Sign(c.Encode())), StatusCode::kMalformed);
  c.status_list = Map({{Text("bits"), Uint(257)}, {Text("lst"), Bstr(Hex(kLstHex))}});
  EXPECT_EQ(VerifyCode(Sign(c.Encode())), StatusCode::kMalformed);
  c.status_list = Map({{Text("bits"), Uint(1)}, {Text("lst"), Text("eNrbuRgAAhcBXQ")}});  // base64, not bstr
  EXPECT_EQ(VerifyCode(Sign(c.Encode())), StatusCode::kMalformed);
  Bytes corrupt = Hex(kLstHex);
  corrupt.pop_back();
  c.status_list = Map({{Text("bits"), Uint(1)}, {Text("lst"), Bstr(corrupt)}});
  EXPECT_EQ(VerifyCode(Sign(c.Encode())), StatusCode::kMalformed);
  c.status_list = Map({{Text("bits"), Uint(1)}, {Text("lst"), Bstr(Hex(kLstHex))}, {Text("aggregation_uri"), Uint(1)}});
  EXPECT_EQ(VerifyCode(Sign(c.Encode())), StatusCode::kMalformed);
  // Boundary: bits 8 over the same bytes, and an aggregation_uri.
  c.status_list = Map({{Text("bits"), Uint(8)},
                       {Text("lst"), Bstr(Hex(kLstHex))},
                       {Text("aggregation_uri"), Text("https://example.com/agg")}});
  auto ok = Verifier().Verify(Sign(c.Encode()));
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->status_list().size(), 2u);
  EXPECT_EQ(ok->aggregation_uri(), std::optional<std::string>("https://example.com/agg"));
  // A bomb is stopped by the limits.
  StatusListCwtVerifier small(key_->public_key(), clock_);
  small.ExpectSubject(kListUri).WithLimits(DecodeLimits{1});
  EXPECT_EQ(small.Verify(list_cwt_).status().code(), StatusCode::kLimitExceeded);
}

TEST_F(StatusListCwtTest, PayloadNotAMapIsMalformed) {
  EXPECT_EQ(VerifyCode(Sign(Array({Uint(1)}))), StatusCode::kMalformed);
  EXPECT_EQ(VerifyCode(Sign(Hex("ff"))), StatusCode::kMalformed);
  EXPECT_EQ(VerifyCode(Sign({})), StatusCode::kMalformed);
}

// --- Structure, garbage and truncation.

TEST_F(StatusListCwtTest, EveryTruncationIsMalformed) {
  for (const Bytes* vec : {&list_cwt_, &referenced_cwt_}) {
    for (size_t n = 0; n < vec->size(); ++n) {
      Bytes prefix(vec->begin(), vec->begin() + static_cast<ptrdiff_t>(n));
      EXPECT_EQ(cose::VerifySign1(prefix, key_->public_key()).status().code(), StatusCode::kMalformed) << n;
    }
  }
  for (size_t n = 0; n < list_cwt_.size(); ++n) {
    Bytes prefix(list_cwt_.begin(), list_cwt_.begin() + static_cast<ptrdiff_t>(n));
    EXPECT_EQ(VerifyCode(prefix), StatusCode::kMalformed) << n;
  }
}

TEST_F(StatusListCwtTest, EverySingleByteCorruptionFailsWithoutCrash) {
  // Each byte replaced by a few values; none may crash, and only bytes of the unprotected bucket
  // {4: h'3132'} (not covered by the signature) may still verify.
  const size_t unprotected_at = FindBytes(list_cwt_, std::string_view("\xa1\x04\x42\x31\x32", 5));
  ASSERT_LT(unprotected_at, list_cwt_.size());
  for (size_t i = 0; i < list_cwt_.size(); ++i) {
    for (uint8_t v : {uint8_t{0x00}, uint8_t{0xff}, uint8_t{0x1f}, uint8_t{0x5b}, uint8_t{0x9f}}) {
      Bytes bad = list_cwt_;
      if (bad[i] == v) continue;
      bad[i] = v;
      const bool in_unprotected = i >= unprotected_at && i < unprotected_at + 5;
      auto result = Verifier().Verify(bad);
      if (!in_unprotected) {
        EXPECT_FALSE(result.ok()) << i;
      }
    }
  }
}

TEST_F(StatusListCwtTest, TrailingBytesAreMalformed) {
  Bytes extra = list_cwt_;
  extra.push_back(0x00);
  EXPECT_EQ(VerifyCode(extra), StatusCode::kMalformed);
}

TEST_F(StatusListCwtTest, GarbageIsMalformed) {
  EXPECT_EQ(VerifyCode(ToBytes("not cbor at all")), StatusCode::kMalformed);
  EXPECT_EQ(VerifyCode(Hex("d2")), StatusCode::kMalformed);
  EXPECT_EQ(VerifyCode(Hex("d283404040")), StatusCode::kMalformed);          // three elements
  EXPECT_EQ(VerifyCode(Hex("d2854040a0404040")), StatusCode::kMalformed);    // five elements
  EXPECT_EQ(VerifyCode(Hex("d28440a04040")), StatusCode::kUnsupportedAlgorithm);  // well formed, no alg
  EXPECT_EQ(VerifyCode(Hex("d284a0a04040")), StatusCode::kMalformed);        // protected is a map, not bstr
  EXPECT_EQ(VerifyCode(Hex("d2844040404040")), StatusCode::kMalformed);      // unprotected is a bstr
  EXPECT_EQ(VerifyCode(Hex("d1844040a04040")), StatusCode::kMalformed);      // tag 17 (COSE_Mac0)
  EXPECT_EQ(VerifyCode(Hex("5bffffffffffffffff")), StatusCode::kMalformed);  // huge declared length
  EXPECT_EQ(VerifyCode(Hex("9bffffffffffffffff")), StatusCode::kMalformed);  // huge array
  EXPECT_EQ(VerifyCode(Hex("bbffffffffffffffff")), StatusCode::kMalformed);  // huge map
  EXPECT_EQ(VerifyCode(Hex("d29f40a04040ff")), StatusCode::kMalformed);      // indefinite array
  EXPECT_EQ(VerifyCode(Hex("d2845f40ffa04040")), StatusCode::kMalformed);    // indefinite bstr
  EXPECT_EQ(VerifyCode(Hex("ff")), StatusCode::kMalformed);                  // stray break
  EXPECT_EQ(VerifyCode(Hex("1c")), StatusCode::kMalformed);                  // reserved info 28
  EXPECT_EQ(VerifyCode(Hex("f800")), StatusCode::kMalformed);                // simple value < 32 in 2 bytes
}

TEST_F(StatusListCwtTest, DeepNestingAndHugeInputAreLimited) {
  Bytes deep(100, 0x81);
  deep.push_back(0x00);
  EXPECT_EQ(VerifyCode(deep), StatusCode::kLimitExceeded);
  Bytes huge((size_t{1} << 20) + 1, 0x00);
  EXPECT_EQ(VerifyCode(huge), StatusCode::kLimitExceeded);
  // Boundary: the verifier decodes 16 levels, not 17 (an array of 16 nested arrays is a
  // well-formed non-COSE item: kMalformed, not kLimitExceeded).
  Bytes at_limit(16, 0x81);
  at_limit.push_back(0x00);
  EXPECT_EQ(VerifyCode(at_limit), StatusCode::kMalformed);
  Bytes over(17, 0x81);
  over.push_back(0x00);
  EXPECT_EQ(VerifyCode(over), StatusCode::kLimitExceeded);
}

TEST_F(StatusListCwtTest, DuplicateTextKeysAreMalformed) {
  const Bytes dup = Cat({Head(5, 2), Text("a"), Uint(1), Text("a"), Uint(2)});
  EXPECT_EQ(cbor::Decode(dup).status().code(), StatusCode::kMalformed);
  // Non-preferred encoding of the same integer key is still a duplicate.
  EXPECT_EQ(cbor::Decode(Hex("a2010118010102")).status().code(), StatusCode::kMalformed);
  EXPECT_TRUE(cbor::Decode(Hex("a201010202")).ok());
}

TEST_F(StatusListCwtTest, TagVariants) {
  // Untagged and tag 61 around tag 18 are accepted; tag 61 around an untagged array is not.
  Bytes untagged(list_cwt_.begin() + 1, list_cwt_.end());
  EXPECT_TRUE(Verifier().Verify(untagged).ok());
  EXPECT_TRUE(Verifier().Verify(Cat({Head(6, 61), list_cwt_})).ok());
  EXPECT_EQ(VerifyCode(Cat({Head(6, 61), untagged})), StatusCode::kMalformed);
  EXPECT_EQ(VerifyCode(Cat({Head(6, 18), list_cwt_})), StatusCode::kMalformed);
}

// --- COSE_Sign1 round trips.

TEST(CoseSign1Test, RoundTripEveryAlgorithm) {
  const Bytes payload = ToBytes("hello COSE");
  for (auto alg : {crypto::SignatureAlg::kES256, crypto::SignatureAlg::kES384, crypto::SignatureAlg::kEdDSA}) {
    auto key = crypto::PrivateKey::Generate(alg);
    ASSERT_TRUE(key.ok());
    cose::Sign1Headers h;
    h.kid = ToBytes("k1");
    h.content_type = "text/plain";
    h.typ = "application/example";
    auto signed_msg = cose::SignSign1(h, payload, *key, ToBytes("aad"));
    ASSERT_TRUE(signed_msg.ok()) << signed_msg.status().ToString();
    EXPECT_EQ((*signed_msg)[0], 0xd2);
    auto v = cose::VerifySign1(*signed_msg, key->public_key(), ToBytes("aad"));
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    EXPECT_EQ(v->alg(), alg);
    EXPECT_EQ(v->payload(), payload);
    EXPECT_EQ(v->kid(), std::optional<Bytes>(ToBytes("k1")));
    EXPECT_EQ(v->content_type(), std::optional<std::string>("text/plain"));
    EXPECT_EQ(v->typ(), std::optional<std::string>("application/example"));
    EXPECT_EQ(cose::VerifySign1(*signed_msg, key->public_key()).status().code(), StatusCode::kInvalidSignature);
    EXPECT_EQ(cose::VerifySign1(*signed_msg, key->public_key(), ToBytes("aae")).status().code(),
              StatusCode::kInvalidSignature);
  }
}

TEST(CoseSign1Test, ReproducesTheVectorProtectedHeader) {
  auto key = crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256);
  ASSERT_TRUE(key.ok());
  cose::Sign1Headers h;
  h.typ = std::string(kStatusListCwtType);
  auto msg = cose::SignSign1(h, ToBytes("x"), *key);
  ASSERT_TRUE(msg.ok());
  auto v = cose::VerifySign1(*msg, key->public_key());
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->protected_header(), Hex("a2012610781a6170706c69636174696f6e2f7374617475736c6973742b637774"));
}

TEST(CoseSign1Test, EmptyPayloadAndDetachedPayload) {
  auto key = crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256);
  ASSERT_TRUE(key.ok());
  auto msg = cose::SignSign1({}, {}, *key);
  ASSERT_TRUE(msg.ok());
  auto v = cose::VerifySign1(*msg, key->public_key());
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_TRUE(v->payload().empty());

  // Detached: replace the payload bstr with nil (f6). The message is d2 84 <prot> a0 40 <sig>.
  auto attached = cose::SignSign1({}, ToBytes("detached body"), *key);
  ASSERT_TRUE(attached.ok());
  auto doc = cbor::Decode(*attached);
  ASSERT_TRUE(doc.ok());
  const cbor::Value& arr = doc->tagged();
  auto prot = arr.array()[0].AsBytes();
  auto sig = arr.array()[3].AsBytes();
  ASSERT_TRUE(prot.ok() && sig.ok());
  const Bytes detached = Cat({Hex("d284"), Bstr(*prot), Hex("a0f6"), Bstr(*sig)});
  EXPECT_EQ(cose::VerifySign1(detached, key->public_key()).status().code(), StatusCode::kMalformed);
  const Bytes body = ToBytes("detached body");
  auto dv = cose::VerifySign1(detached, key->public_key(), {}, ByteView(body));
  ASSERT_TRUE(dv.ok()) << dv.status().ToString();
  EXPECT_EQ(dv->payload(), body);
  const Bytes other = ToBytes("detached bodY");
  EXPECT_EQ(cose::VerifySign1(detached, key->public_key(), {}, ByteView(other)).status().code(),
            StatusCode::kInvalidSignature);
  EXPECT_EQ(cose::VerifySign1(*attached, key->public_key(), {}, ByteView(body)).status().code(),
            StatusCode::kInvalidArgument);
}

// --- Referenced Token status claim.

TEST(StatusReferenceFromCwtTest, Rules) {
  auto ref_claims = [](Bytes status_list) {
    return Map({{Uint(2), Text("12345")}, {Uint(65535), Map({{Text("status_list"), std::move(status_list)}})}});
  };
  auto good = StatusReferenceFromCwtClaims(
      ref_claims(Map({{Text("idx"), Uint(7)}, {Text("uri"), Text(kListUri)}})));
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(good->idx, 7u);
  EXPECT_EQ(StatusReferenceFromCwtClaims(Map({{Uint(2), Text("12345")}})).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(StatusReferenceFromCwtClaims(Map({{Uint(65535), Map({})}})).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(StatusReferenceFromCwtClaims(Map({{Uint(65535), Uint(1)}})).status().code(), StatusCode::kMalformed);
  EXPECT_EQ(StatusReferenceFromCwtClaims(ref_claims(Map({{Text("idx"), Int(-1)}, {Text("uri"), Text(kListUri)}})))
                .status()
                .code(),
            StatusCode::kMalformed);
  EXPECT_EQ(StatusReferenceFromCwtClaims(ref_claims(Map({{Text("idx"), Uint(0)}, {Text("uri"), Text("")}})))
                .status()
                .code(),
            StatusCode::kMalformed);
  EXPECT_EQ(StatusReferenceFromCwtClaims(ref_claims(Map({{Text("uri"), Text(kListUri)}}))).status().code(),
            StatusCode::kMalformed);
  EXPECT_EQ(StatusReferenceFromCwtClaims(ref_claims(Uint(0))).status().code(), StatusCode::kMalformed);
  EXPECT_EQ(StatusReferenceFromCwtClaims(Array({})).status().code(), StatusCode::kMalformed);
  EXPECT_EQ(StatusReferenceFromCwtClaims(Hex("a1")).status().code(), StatusCode::kMalformed);
}

}  // namespace
}  // namespace bonafide::status
