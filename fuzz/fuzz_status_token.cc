// fuzz_status_token: the signed status list formats and the status references a credential
// carries: StatusListTokenVerifier::Verify (Token Status List JWT), the Bitstring Status List
// credential verifier, BitstringStatusEntry::FromJson and StatusReference::FromStatusClaim.
//
// Input layout: the first byte picks the entry point (0: Status List Token, 1: Bitstring Status
// List credential, 2: credentialStatus entry JSON, 3: status claim JSON); the rest is the text.
// Tokens are verified with the Token Status List draft's example key (tests/vectors), so the
// draft's token seed passes the signature check and exercises the list decoder behind it, with a
// 2 MiB inflation limit. Invariants: nothing crashes; a verified token's list answers Get for its
// last entry and kStatusUnavailable one past it.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "fuzz_status_common.h"
#include "base/clock.h"
#include "base/json.h"
#include "crypto/keys.h"
#include "status/bitstring_status_list.h"
#include "status/status_list_token.h"

namespace {


using bonafide::Json;
namespace status = bonafide::status;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  static const bonafide::FixedClock clock(1700000000);
  status::DecodeLimits limits;
  limits.max_decompressed_bytes = 2 << 20;
  switch (data[0] % 4) {
    case 0: {
      status::StatusListTokenVerifier verifier(bonafide::fuzz::StatusListExampleKey(), clock);
      verifier.AllowAnySubject().WithLimits(limits);
      auto token = verifier.Verify(text);
      if (token.ok()) {
        const status::StatusList& list = token->status_list();
        bonafide::fuzz::CheckListEnds(list);
      }
      break;
    }
    case 1: {
      status::BitstringStatusListCredentialVerifier verifier(bonafide::fuzz::StatusListExampleKey(), clock);
      verifier.AllowAnyId().ExpectPurpose(status::StatusPurpose::kRevocation).WithLimits(limits);
      (void)verifier.Verify(text);
      break;
    }
    default: {
      auto json = bonafide::ParseJson(text);
      if (!json.ok()) break;
      if (data[0] % 4 == 2) {
        (void)status::BitstringStatusEntry::FromJson(*json);
      } else {
        (void)status::StatusReference::FromStatusClaim(*json);
      }
      break;
    }
  }
  return 0;
}
