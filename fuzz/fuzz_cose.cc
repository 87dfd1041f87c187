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

#include "fuzz_status_common.h"
#include "base/clock.h"
#include "base/json.h"
#include "cose/cose_sign1.h"
#include "crypto/keys.h"
#include "status/status_list_cwt.h"

namespace {


}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const bonafide::ByteView cbor(data + 1, size - 1);
  static const bonafide::FixedClock clock(1700000000);
  if (data[0] % 2 == 1) {
    (void)bonafide::cose::VerifySign1(cbor, bonafide::fuzz::StatusListExampleKey());
    return 0;
  }
  bonafide::status::DecodeLimits limits;
  limits.max_decompressed_bytes = 2 << 20;
  bonafide::status::StatusListCwtVerifier verifier(bonafide::fuzz::StatusListExampleKey(), clock);
  verifier.AllowAnySubject().WithLimits(limits);
  auto token = verifier.Verify(cbor);
  if (token.ok()) {
    const auto& list = token->status_list();
    bonafide::fuzz::CheckListEnds(list);
  }
  return 0;
}
