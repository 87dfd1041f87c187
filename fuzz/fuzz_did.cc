// fuzz_did: jose::ResolveDidKey (did:key, did:jwk, DID URLs) and base58btc on arbitrary text.
//
// Invariants: ResolveDidKey fails only with kMalformed, kInvalidKey or kLimitExceeded; a resolved
// did:key is canonical, so DidKeyFromPublicKey gives back the DID (fragment removed); a resolved
// did:jwk's key survives DidJwkFromPublicKey and resolving again; whenever Base58BtcDecode accepts
// text, Base58BtcEncode gives the text back.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz_common.h"
#include "jose/did.h"

namespace {

using bonafide::fuzz::Check;

using bonafide::StatusCode;
namespace jose = bonafide::jose;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  if (auto decoded = jose::Base58BtcDecode(text); decoded.ok()) {
    Check(jose::Base58BtcEncode(*decoded) == text, "base58 encode(decode(x)) == x");
  }

  auto key = jose::ResolveDidKey(text);
  if (!key.ok()) {
    const StatusCode code = key.status().code();
    Check(code == StatusCode::kMalformed || code == StatusCode::kInvalidKey ||
              code == StatusCode::kLimitExceeded,
          "ResolveDidKey fails only with kMalformed, kInvalidKey or kLimitExceeded");
    return 0;
  }
  const std::string_view did = text.substr(0, text.find('#'));
  if (did.starts_with("did:key:")) {
    auto again = jose::DidKeyFromPublicKey(*key);
    if (again.ok()) {
      Check(*again == did, "did:key is canonical: DidKeyFromPublicKey(ResolveDidKey(d)) == d");
    } else {
      Check(again.status().code() == StatusCode::kInvalidKey,
            "DidKeyFromPublicKey fails only with kInvalidKey");
    }
  } else {
    Check(did.starts_with("did:jwk:"), "only did:key and did:jwk resolve");
    auto again = jose::ResolveDidKey(jose::DidJwkFromPublicKey(*key));
    Check(again.ok() && again->Equals(*key), "did:jwk round trip keeps the key");
  }
  return 0;
}
