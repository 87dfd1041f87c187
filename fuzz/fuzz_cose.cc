// fuzz_cose: the CBOR reader and COSE_Sign1 verification (cose::VerifySign1), and the Status List
// Token in CWT form (StatusListCwtVerifier), on arbitrary bytes.
//
// Input layout: the first byte picks the entry point (even: Status List Token CWT, odd: bare
// COSE_Sign1); the rest is the CBOR. The key is the Token Status List draft's example key, so the
// draft's CWT seeds pass the signature check and reach the claims and the list decoder (2 MiB
// inflation limit). Invariants: nothing crashes; a verified token's list answers Get for its last
// entry and kStatusUnavailable one past it.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "base/clock.h"
#include "base/json.h"
#include "cose/cose_sign1.h"
#include "crypto/keys.h"
#include "status/status_list_cwt.h"

namespace {

void Check(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "fuzz_cose: invariant violated: %s\n", what);
    std::abort();
  }
}

const bonafide::crypto::PublicKey& Key() {
  static const bonafide::crypto::PublicKey* key = [] {
    const bonafide::Json jwk = {{"kty", "EC"},
                                {"crv", "P-256"},
                                {"x", "I3HWm_0Ds1dPMI-IWmf4mBmH-YaeAVbPVu7vB27CxXo"},
                                {"y", "6N_d5Elj9bs1htgV3okJKIdbHEpkgTmAluYKJemzn1M"}};
    auto k = bonafide::crypto::PublicKey::FromJwk(jwk);
    Check(k.ok(), "status list key loads");
    return new bonafide::crypto::PublicKey(*k);
  }();
  return *key;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const bonafide::ByteView cbor(data + 1, size - 1);
  static const bonafide::FixedClock clock(1700000000);
  if (data[0] % 2 == 1) {
    (void)bonafide::cose::VerifySign1(cbor, Key());
    return 0;
  }
  bonafide::status::DecodeLimits limits;
  limits.max_decompressed_bytes = 2 << 20;
  bonafide::status::StatusListCwtVerifier verifier(Key(), clock);
  verifier.AllowAnySubject().WithLimits(limits);
  auto token = verifier.Verify(cbor);
  if (token.ok()) {
    const auto& list = token->status_list();
    Check(list.size() > 0 && list.Get(list.size() - 1).ok(), "last entry readable");
    Check(list.Get(list.size()).status().code() == bonafide::StatusCode::kStatusUnavailable,
          "one past the end is status_unavailable");
  }
  return 0;
}
