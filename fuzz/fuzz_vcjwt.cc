// fuzz_vcjwt: vcjwt::VerifyVcJwt, vcjwt::VerifyVpJwt and the dateTime parser on arbitrary text.
//
// Input layout: the first byte picks the entry point (0: VC-JWT, 1: VP-JWT, 2: dateTime), the
// rest is the text. The trusted issuer is the did:web document of a key made once per process;
// seeds are real VC-JWTs and VP-JWTs, so signature checks fail but every parser before them runs.
// Invariants: nothing crashes; a verified VC's subject equals credentialSubject.id; a parsed
// dateTime formats back to a dateTime that parses to the same instant.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "fuzz_common.h"
#include "base/clock.h"
#include "base/json.h"
#include "crypto/keys.h"
#include "vcjwt/date_time.h"
#include "vcjwt/vc_jwt.h"
#include "vcjwt/vp_jwt.h"

namespace {

using bonafide::fuzz::Check;

using bonafide::Json;
namespace vcjwt = bonafide::vcjwt;

const vcjwt::VerifyOptions& Options() {
  static const vcjwt::VerifyOptions* options = [] {
    auto key = bonafide::crypto::PrivateKey::Generate(bonafide::crypto::SignatureAlg::kES256);
    Check(key.ok(), "key generation");
    Json jwk = key->public_key().ToJwk();
    const std::string did = "did:web:veterans.mod.example.gov.uk";
    Json doc = {{"id", did},
                {"verificationMethod",
                 {{{"id", did + "#key-1"}, {"type", "JsonWebKey2020"}, {"controller", did}, {"publicKeyJwk", jwk}}}}};
    auto* o = new vcjwt::VerifyOptions();
    o->trusted_issuers.push_back(doc);
    o->AllowUncheckedStatus();
    return o;
  }();
  return *options;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  static const bonafide::FixedClock clock(1800000000);
  switch (data[0] % 3) {
    case 0: {
      auto vc = vcjwt::VerifyVcJwt(text, Options(), clock);
      if (vc.ok()) Check(vc->credential_subject().value("id", "") == vc->subject(), "subject is credentialSubject.id");
      break;
    }
    case 1: {
      vcjwt::VpVerifyOptions options;
      options.expected_nonce = "c0ffee";
      options.expected_audience = "https://employer.example";
      options.credential_options = Options();
      (void)vcjwt::VerifyVpJwt(text, options, clock);
      break;
    }
    default: {
      auto t = vcjwt::ParseDateTime(text);
      if (t.ok()) {
        auto formatted = vcjwt::FormatDateTime(*t);
        if (formatted.ok()) {
          auto again = vcjwt::ParseDateTime(*formatted);
          Check(again.ok() && *again == *t, "dateTime round trip");
        }
      }
      break;
    }
  }
  return 0;
}
