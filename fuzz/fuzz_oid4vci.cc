// fuzz_oid4vci: the OpenID4VCI message parsers on arbitrary input. The first byte picks the
// parser (mod 5); the rest is the input:
//   0  ParseCredentialOfferUri      1  CredentialIssuerMetadata::Parse
//   2  TokenRequest::Parse          3  CredentialRequest::Parse + ProofVerifier::VerifyProofs
//   4  ProofVerifier::VerifyProof on the raw text
// Invariants: what parses survives a build-and-parse round trip unchanged (offer URI, metadata,
// token form, credential request); proof verification with a fixed clock fails only with the
// codes ProofVerifier documents, and a verified batch never repeats a key.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "fuzz_common.h"
#include "oid4vci/credential.h"
#include "oid4vci/metadata.h"
#include "oid4vci/offer.h"
#include "oid4vci/proof.h"
#include "oid4vci/token.h"

namespace {

using bonafide::Json;
using bonafide::StatusCode;
using bonafide::fuzz::Check;
namespace oid4vci = bonafide::oid4vci;

// The seed proofs in fuzz/corpus/fuzz_oid4vci/ are built for this issuer, nonce and time.
constexpr int64_t kNow = 1750000000;

const oid4vci::ProofVerifier& Verifier() {
  static const bonafide::FixedClock clock(kNow);
  static const oid4vci::ProofVerifier verifier = [] {
    oid4vci::ProofVerifierOptions options;
    options.credential_issuer = "https://issuer.example";
    options.expected_nonce = "n-0S6_WzA2Mj";
    options.max_proofs = 3;
    auto v = oid4vci::ProofVerifier::Create(options, clock);
    Check(v.ok(), "verifier options are valid");
    return std::move(v).value();
  }();
  return verifier;
}

bool IsDocumentedProofError(StatusCode code) {
  switch (code) {
    case StatusCode::kLimitExceeded:
    case StatusCode::kMalformed:
    case StatusCode::kInvalidType:
    case StatusCode::kUnsupportedAlgorithm:
    case StatusCode::kInvalidKey:
    case StatusCode::kAlgorithmMismatch:
    case StatusCode::kUnknownCritical:
    case StatusCode::kInvalidSignature:
    case StatusCode::kAudienceMismatch:
    case StatusCode::kInvalidClaims:
    case StatusCode::kExpired:
    case StatusCode::kNotYetValid:
    case StatusCode::kNonceMismatch:
      return true;
    default:
      return false;
  }
}

void FuzzOfferUri(std::string_view text) {
  auto link = oid4vci::ParseCredentialOfferUri(text);
  if (!link.ok()) return;
  if (const auto* offer = std::get_if<oid4vci::CredentialOffer>(&*link)) {
    const std::string rebuilt = oid4vci::BuildCredentialOfferUri(*offer);
    // Re-encoding may triple the size; only URIs within the parser's bound can come back.
    if (rebuilt.size() > oid4vci::kMaxOfferUriBytes) return;
    auto again = oid4vci::ParseCredentialOfferUri(rebuilt);
    Check(again.ok(), "a rebuilt offer URI parses");
    const auto* offer2 = std::get_if<oid4vci::CredentialOffer>(&*again);
    Check(offer2 != nullptr && bonafide::DumpJson(offer2->ToJson()) == bonafide::DumpJson(offer->ToJson()),
          "offer URI round trip keeps the offer");
  } else {
    const auto& ref = std::get<oid4vci::CredentialOfferReference>(*link);
    auto uri = oid4vci::BuildCredentialOfferReferenceUri(ref.uri);
    Check(uri.ok(), "a parsed offer reference can be rebuilt");
    auto again = oid4vci::ParseCredentialOfferUri(*uri);
    Check(again.ok() && std::get<oid4vci::CredentialOfferReference>(*again).uri == ref.uri,
          "offer reference round trip keeps the URL");
  }
}

void FuzzMetadata(std::string_view text) {
  auto m = oid4vci::CredentialIssuerMetadata::Parse(text);
  if (!m.ok()) return;
  const Json doc = m->ToJson();
  auto again = oid4vci::CredentialIssuerMetadata::FromJson(doc);
  Check(again.ok(), "metadata ToJson output parses");
  Check(bonafide::DumpJson(again->ToJson()) == bonafide::DumpJson(doc), "metadata round trip is stable");
}

void FuzzTokenForm(std::string_view text) {
  auto request = oid4vci::TokenRequest::Parse(text);
  if (!request.ok()) return;
  auto again = oid4vci::TokenRequest::Parse(request->ToForm(), oid4vci::FormLimits{1 << 20, 32});
  Check(again.ok(), "a rebuilt token request parses");
  Check(again->pre_authorized_code == request->pre_authorized_code && again->tx_code == request->tx_code &&
            again->client_id == request->client_id,
        "token request round trip keeps every field");
}

void FuzzCredentialRequest(std::string_view text) {
  auto request = oid4vci::CredentialRequest::Parse(text);
  if (!request.ok()) return;
  auto again = oid4vci::CredentialRequest::FromJson(request->ToJson());
  Check(again.ok() && again->unverified_jwt_proofs == request->unverified_jwt_proofs,
        "credential request round trip keeps the proofs");
  auto proofs = Verifier().VerifyProofs(request->unverified_jwt_proofs);
  if (!proofs.ok()) {
    Check(IsDocumentedProofError(proofs.status().code()), "VerifyProofs fails only with documented codes");
    return;
  }
  for (size_t i = 0; i < proofs->size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      Check(!(*proofs)[i].holder_key().Equals((*proofs)[j].holder_key()), "a verified batch never repeats a key");
    }
  }
}

void FuzzProof(std::string_view text) {
  auto proof = Verifier().VerifyProof(text);
  if (!proof.ok()) {
    Check(IsDocumentedProofError(proof.status().code()), "VerifyProof fails only with documented codes");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 5) {
    case 0:
      FuzzOfferUri(text);
      break;
    case 1:
      FuzzMetadata(text);
      break;
    case 2:
      FuzzTokenForm(text);
      break;
    case 3:
      FuzzCredentialRequest(text);
      break;
    default:
      FuzzProof(text);
      break;
  }
  return 0;
}
