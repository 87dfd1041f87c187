// fuzz_jws: jose::UnverifiedJws::Parse and VerifyJws on arbitrary compact serialisations.
//
// Keys (fixed for the whole run, so runs are comparable):
// - the P-256 issuer public key of the RFC 9901 examples (tests/vectors/sd-jwt/keys.json), so
//   seeds taken from the vectors carry valid signatures and reach the success path;
// - a P-256 and an Ed25519 key generated once at start-up whose private halves never leave this
//   process: no input can carry a valid signature for them, so VerifyJws must reject every input
//   (catches alg=none, empty-signature or key-confusion acceptance).
// Invariants: Parse fails only with kMalformed; a parsed JWS's signing input is the prefix of the
// input before the second dot; VerifyJws fails only with its documented codes and, when it
// succeeds, returns the parsed payload; re-signing the parsed header and payload with the
// generated key verifies and parses back to the same header and payload.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_common.h"
#include "base/json.h"
#include "crypto/keys.h"
#include "jose/jws.h"

namespace {

using bonafide::fuzz::Check;

using bonafide::Json;
using bonafide::StatusCode;
namespace crypto = bonafide::crypto;
namespace jose = bonafide::jose;

struct Keys {
  crypto::PublicKey rfc_issuer;
  crypto::PrivateKey p256;
  crypto::PrivateKey ed25519;
};

const Keys& GetKeys() {
  static const Keys* keys = [] {
    auto p256 = crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256);
    auto ed = crypto::PrivateKey::Generate(crypto::SignatureAlg::kEdDSA);
    Check(p256.ok() && ed.ok(), "fuzzer keys load");
    return new Keys{bonafide::fuzz::SdJwtExampleIssuerKey(), *p256, *ed};
  }();
  return *keys;
}

bool IsVerifyError(StatusCode code) {
  return code == StatusCode::kUnsupportedAlgorithm || code == StatusCode::kAlgorithmMismatch ||
         code == StatusCode::kUnknownCritical || code == StatusCode::kMalformed ||
         code == StatusCode::kInvalidSignature;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Keys& keys = GetKeys();
  const std::string input(reinterpret_cast<const char*>(data), size);

  auto jws = jose::UnverifiedJws::Parse(input);
  if (!jws.ok()) {
    Check(jws.status().code() == StatusCode::kMalformed, "Parse fails only with kMalformed");
    return 0;
  }
  const std::string_view signing_input = jws->signing_input();
  Check(input.compare(0, signing_input.size(), signing_input) == 0 && input.size() > signing_input.size() &&
            input[signing_input.size()] == '.',
        "signing input is the input up to the second dot");
  Check(jws->unverified_header().is_object(), "header is an object");
  (void)jws->typ();

  const std::vector<std::string> understood = {"b64"};
  auto verified = jose::VerifyJws(*jws, keys.rfc_issuer);
  if (verified.ok()) {
    Check(jws->alg() == "ES256", "a verified JWS has the key's alg");
    Check(verified->payload() == jws->unverified_payload(), "verified payload is the parsed payload");
    Check(verified->header() == jws->unverified_header(), "verified header is the parsed header");
  } else {
    Check(IsVerifyError(verified.status().code()), "VerifyJws fails only with its documented codes");
  }
  (void)jose::VerifyJws(*jws, keys.rfc_issuer, understood);

  // No input can be signed by keys generated in this process.
  for (const crypto::PrivateKey* key : {&keys.p256, &keys.ed25519}) {
    auto forged = jose::VerifyJws(*jws, key->public_key(), understood);
    Check(!forged.ok(), "no input verifies under a key generated in-process");
    Check(IsVerifyError(forged.status().code()), "VerifyJws fails only with its documented codes");
  }

  // Round trip through SignJws (crit is left out: it is the caller's business, not the codec's).
  if (jws->unverified_header().contains("crit")) return 0;
  auto resigned = jose::SignJws(jws->unverified_header(), jws->unverified_payload(), keys.p256);
  Check(resigned.ok(), "SignJws signs any parsed header and payload");
  auto reparsed = jose::UnverifiedJws::Parse(*resigned);
  Check(reparsed.ok(), "a JWS made by SignJws parses");
  Check(reparsed->alg() == "ES256", "SignJws sets alg from the key");
  Check(reparsed->unverified_payload() == jws->unverified_payload(), "payload survives re-signing");
  Json expected_header = jws->unverified_header();
  expected_header["alg"] = "ES256";
  Check(reparsed->unverified_header() == expected_header, "header survives re-signing");
  Check(jose::VerifyJws(*reparsed, keys.p256.public_key()).ok(), "a JWS made by SignJws verifies");
  return 0;
}
