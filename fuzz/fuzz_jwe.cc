// fuzz_jwe: jose::DecryptEcdhEs on arbitrary compact serialisations.
//
// Keys (fixed for the whole run):
// - the OpenID4VP 1.0 section 8.3 example decryption key (kid "ac"), so the seed taken from that
//   example decrypts and mutations of it reach every check up to the tag;
// - a P-256 key generated once at start-up whose private half never leaves this process: no input
//   can be a valid JWE for it, so every input must be refused (catches a skipped tag check).
// Invariants: decryption fails only with the documented codes; a success under the example key
// has a five-part input with an empty second part, reports enc A256GCM or A128GCM as the header
// says, and its plaintext re-encrypts to the same key and decrypts back unchanged.
#include <cstddef>
#include <cstdint>
#include <string>

#include "base/json.h"
#include "crypto/keys.h"
#include "crypto/random.h"
#include "fuzz_common.h"
#include "jose/jwe.h"

namespace {

using bonafide::fuzz::Check;

using bonafide::Json;
using bonafide::StatusCode;
namespace crypto = bonafide::crypto;
namespace jose = bonafide::jose;

struct Keys {
  crypto::PrivateKey example;
  crypto::PrivateKey generated;
};

const Keys& GetKeys() {
  static const Keys* keys = [] {
    auto example = crypto::PrivateKey::FromJwk(Json{{"kty", "EC"},
                                                    {"crv", "P-256"},
                                                    {"x", "YO4epjifD-KWeq1sL2tNmm36BhXnkJ0He-WqMYrp9Fk"},
                                                    {"y", "Hekpm0zfK7C-YccH5iBjcIXgf6YdUvNUac_0At55Okk"},
                                                    {"d", "Et-3ce0omz8_TuZ96Df9lp0GAaaDoUnDe6X-CRO7Aww"}});
    auto generated = crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256);
    Check(example.ok() && generated.ok(), "fuzzer keys load");
    return new Keys{*example, *generated};
  }();
  return *keys;
}

bool IsDecryptError(StatusCode code) {
  return code == StatusCode::kMalformed || code == StatusCode::kLimitExceeded ||
         code == StatusCode::kUnsupportedAlgorithm || code == StatusCode::kUnknownCritical ||
         code == StatusCode::kInvalidKey || code == StatusCode::kInvalidSignature;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Keys& keys = GetKeys();
  const std::string input(reinterpret_cast<const char*>(data), size);

  auto forged = jose::DecryptEcdhEs(input, keys.generated);
  Check(!forged.ok(), "no input decrypts under a key generated in-process");
  Check(IsDecryptError(forged.status().code()), "DecryptEcdhEs fails only with its documented codes");

  jose::JweDecryptOptions options;
  options.expected_kid = "ac";
  (void)jose::DecryptEcdhEs(input, keys.example, options);

  auto decrypted = jose::DecryptEcdhEs(input, keys.example);
  if (!decrypted.ok()) {
    Check(IsDecryptError(decrypted.status().code()), "DecryptEcdhEs fails only with its documented codes");
    return 0;
  }
  size_t dots = 0;
  for (char c : input) dots += c == '.' ? 1 : 0;
  Check(dots == 4, "a decrypted JWE has five parts");
  Check(input.find("..") != std::string::npos, "a decrypted JWE has an empty encrypted key");
  Check(decrypted->enc == "A256GCM" || decrypted->enc == "A128GCM", "enc is a supported one");
  Check(decrypted->protected_header.is_object() &&
            decrypted->protected_header.value("enc", "") == decrypted->enc,
        "enc is the header's");

  jose::JweEncryptOptions again;
  again.enc = decrypted->enc;
  again.kid = decrypted->kid;
  again.apu = decrypted->apu;
  again.apv = decrypted->apv;
  auto reencrypted =
      jose::EncryptEcdhEs(keys.example.public_key(), decrypted->plaintext, again, crypto::SystemRandom());
  Check(reencrypted.ok(), "a decrypted plaintext re-encrypts");
  auto redecrypted = jose::DecryptEcdhEs(*reencrypted, keys.example);
  Check(redecrypted.ok() && redecrypted->plaintext == decrypted->plaintext, "re-encryption round trips");
  return 0;
}
