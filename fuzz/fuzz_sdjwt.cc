// fuzz_sdjwt: sdjwt::UnverifiedSdJwt::Parse (compact and JSON serialization), MapDisclosures and
// VerifySdJwt on arbitrary text.
//
// The verifier key is the RFC 9901 example issuer key and the clock is pinned inside the examples'
// validity window (iat 1683000000, exp 1883000000), so seeds from tests/vectors/sd-jwt reach deep
// into verification. Invariants: nothing crashes; a parsed SD-JWT serializes to a string that
// parses back to the same parts; a verified SD-JWT's claims hold no `_sd` / `_sd_alg` member.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz_common.h"
#include "base/clock.h"
#include "base/json.h"
#include "crypto/keys.h"
#include "sdjwt/sdjwt.h"

namespace {

using bonafide::fuzz::Check;

using bonafide::Json;
namespace crypto = bonafide::crypto;
namespace sdjwt = bonafide::sdjwt;

bool HasSdMembers(const Json& v) {
  if (v.is_object()) {
    if (v.contains("_sd") || v.contains("_sd_alg")) return true;
    for (const auto& [name, member] : v.items()) {
      if (HasSdMembers(member)) return true;
    }
  } else if (v.is_array()) {
    for (const Json& e : v) {
      if (HasSdMembers(e)) return true;
    }
  }
  return false;
}

void Exercise(const sdjwt::UnverifiedSdJwt& sd) {
  const std::string serialized = sd.Serialize();
  auto again = sdjwt::UnverifiedSdJwt::Parse(serialized);
  Check(again.ok(), "Parse(Serialize(x)) succeeds");
  Check(again->issuer_jwt() == sd.issuer_jwt() && again->disclosures() == sd.disclosures() &&
            again->kb_jwt() == sd.kb_jwt(),
        "Parse(Serialize(x)) has the parts of x");
  (void)sd.SdHashInput();
  (void)sdjwt::MapDisclosures(sd);

  static const bonafide::FixedClock clock(1700000000);
  sdjwt::VerifyOptions options(clock);
  options.ExpectKeyBinding("1234567890", "https://verifier.example.org").AllowUncheckedStatus();
  options.KeyBindingMaxAge(int64_t{1} << 40);  // the examples' KB-JWTs are years old
  auto verified = sdjwt::VerifySdJwt(sd, bonafide::fuzz::SdJwtExampleIssuerKey(), options);
  if (verified.ok()) {
    Check(!HasSdMembers(verified->claims()), "verified claims carry no _sd or _sd_alg");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto sd = sdjwt::UnverifiedSdJwt::Parse(text); sd.ok()) Exercise(*sd);
  if (auto sd = sdjwt::UnverifiedSdJwt::ParseJsonSerialization(text); sd.ok()) Exercise(*sd);
  return 0;
}
