// fuzz_trust_list: registry::VerifyTrustList (and the lookups and VerifyRegistration over what it
// accepts) on arbitrary input, with a registrar root fixed for the whole run.
//
// At start-up the target makes a registrar root CA and a trust-list signer certificate (keys never
// leave the process). Each input is used twice:
//   1. as a compact JWS verified against the root: no input can carry a valid signature of the
//      in-process signer, so it must be refused, and only with VerifyTrustList's documented codes;
//   2. as the payload of a trust list that the in-process signer signs (typ trust-list+jwt, x5c
//      [signer]), so the payload parser (issuers, anchors, relying parties, purposes) sees
//      arbitrary JSON behind a valid signature. It may be accepted; when it is, the lookups and
//      VerifyAccessCertificate / VerifyRegistration on the accepted list must not crash either.
// Seeds (fuzz/corpus/fuzz_trust_list/) are a published list's payload and the compact list itself.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_common.h"
#include "base/encoding.h"
#include "base/json.h"
#include "crypto/keys.h"
#include "crypto/x509.h"
#include "crypto/x509_builder.h"
#include "jose/jws.h"
#include "registry/trust_list.h"

namespace {

using bonafide::Json;
using bonafide::StatusCode;
using bonafide::fuzz::Check;
namespace crypto = bonafide::crypto;
namespace registry = bonafide::registry;

constexpr int64_t kNow = 1800000000;  // 2027-01-15, after the seeds' iat

struct Registrar {
  crypto::Certificate root;
  crypto::PrivateKey signer_key;
  crypto::Certificate signer;
};

const Registrar& GetRegistrar() {
  static const Registrar* r = [] {
    auto root_key = crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256);
    auto signer_key = crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256);
    Check(root_key.ok() && signer_key.ok(), "fuzzer keys");
    crypto::CertificateTemplate root;
    root.subject = {{"CN", "Fuzz Registrar Root"}};
    root.not_before = kNow - 86400;
    root.not_after = kNow + 86400 * 3650;
    root.is_ca = true;
    root.key_usage.key_cert_sign = true;
    root.key_usage.crl_sign = true;
    auto root_cert = crypto::CreateSelfSignedCertificate(root, *root_key);
    Check(root_cert.ok(), "fuzzer root");
    crypto::CertificateTemplate signer;
    signer.subject = {{"CN", "Fuzz Trust List Signer"}};
    signer.not_before = kNow - 86400;
    signer.not_after = kNow + 86400 * 1000;
    signer.key_usage.digital_signature = true;
    auto signer_cert = crypto::IssueCertificate(signer, signer_key->public_key(), *root_cert, *root_key);
    Check(signer_cert.ok(), "fuzzer signer");
    return new Registrar{*root_cert, *signer_key, *signer_cert};
  }();
  return *r;
}

bool IsVerifyError(StatusCode c) {
  return c == StatusCode::kLimitExceeded || c == StatusCode::kMalformed || c == StatusCode::kInvalidType ||
         c == StatusCode::kInvalidCertificate || c == StatusCode::kUntrustedIssuer || c == StatusCode::kExpired ||
         c == StatusCode::kNotYetValid || c == StatusCode::kInvalidSignature ||
         c == StatusCode::kUnsupportedAlgorithm || c == StatusCode::kAlgorithmMismatch ||
         c == StatusCode::kUnknownCritical || c == StatusCode::kInvalidClaims || c == StatusCode::kInvalidArgument ||
         c == StatusCode::kInvalidKey;
}

void Exercise(const registry::TrustList& list, std::string_view input) {
  for (const registry::TrustedIssuer& issuer : list.issuers()) {
    for (const registry::IssuerCredential& c : issuer.credentials) {
      Check(!list.FindIssuerAnchors(c.type).empty(), "every listed credential type is found");
    }
  }
  for (const registry::RelyingParty& rp : list.relying_parties()) {
    Check(list.FindRelyingParty(rp.client_id) != nullptr, "every listed relying party is found");
    auto r = registry::VerifyAccessCertificate(list, {list.signer()}, rp.client_id, kNow);
    Check(!r.ok(), "the signer certificate is no access certificate");
  }
  (void)registry::VerifyRegistration(input, list, kNow);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Registrar& reg = GetRegistrar();
  const std::string input(reinterpret_cast<const char*>(data), size);

  // 1. The input as a compact trust list.
  auto direct = registry::VerifyTrustList(input, reg.root, kNow);
  if (direct.ok()) {
    Check(false, "no input can carry a signature of the in-process signer");
  } else {
    Check(IsVerifyError(direct.status().code()), "VerifyTrustList fails only with its documented codes");
  }

  // 2. The input as the payload of a validly signed trust list.
  const Json header = {{"typ", "trust-list+jwt"},
                       {"x5c", Json::array({bonafide::Base64Encode(reg.signer.der())})}};
  auto signed_list = bonafide::jose::SignJws(header, bonafide::AsBytes(input), reg.signer_key);
  Check(signed_list.ok(), "signing works");
  auto list = registry::VerifyTrustList(*signed_list, reg.root, kNow);
  if (!list.ok()) {
    Check(IsVerifyError(list.status().code()), "VerifyTrustList fails only with its documented codes");
    Check(list.status().code() != StatusCode::kInvalidSignature, "a valid signature verifies");
    return 0;
  }
  Check(list->jws() == *signed_list, "the list keeps the JWS it was verified from");
  Exercise(*list, input);
  return 0;
}
