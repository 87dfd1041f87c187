// tests/common/issuance_driver.h: a minimal OpenID4VCI 1.0 Pre-Authorized Code client for the
// crash-safety test and the HTTP issuance benchmark: Token, Nonce and Credential requests over
// an http::Client, with one jwt proof per holder key. No metadata discovery and no checks of
// what comes back beyond its shape: the wallet (src/wallet) is the real client; this one drives
// load and records exactly what a client received.
//
// Thread safety: use one driver call per http::Client at a time (Client serialises requests).
#ifndef BONAFIDE_TESTS_COMMON_ISSUANCE_DRIVER_H_
#define BONAFIDE_TESTS_COMMON_ISSUANCE_DRIVER_H_

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/clock.h"
#include "base/json.h"
#include "base/status.h"
#include "crypto/keys.h"
#include "http/client.h"
#include "oid4vci/credential.h"
#include "oid4vci/offer.h"
#include "oid4vci/proof.h"
#include "oid4vci/token.h"

namespace bonafide::testing {

// PreAuthorizedOffer is what the driver needs from an offer URI.
struct PreAuthorizedOffer {
  std::string credential_issuer;
  std::string configuration_id;
  std::string pre_authorized_code;
};

// ParseOffer reads a by-value offer URI (http loopback issuers allowed).
inline Result<PreAuthorizedOffer> ParseOffer(std::string_view offer_uri) {
  ASSIGN_OR_RETURN(oid4vci::CredentialOfferLink link,
                   oid4vci::ParseCredentialOfferUri(offer_uri, /*insecure_allow_http_loopback=*/true));
  const auto* offer = std::get_if<oid4vci::CredentialOffer>(&link);
  if (offer == nullptr || !offer->pre_authorized_code) {
    return Error(StatusCode::kInvalidArgument, "not a by-value pre-authorized offer");
  }
  return PreAuthorizedOffer{offer->credential_issuer, offer->credential_configuration_ids.front(),
                            offer->pre_authorized_code->pre_authorized_code};
}

// IssuanceStep names the request that failed, for the error messages.
inline Status StepError(std::string_view step, const Result<http::ClientResponse>& r) {
  if (!r.ok()) return Status(r.status().code(), std::string(step) + ": " + r.status().message());
  return Error(StatusCode::kIoError, std::string(step) + ": HTTP " + std::to_string(r->status) + " " + r->body);
}

// RedeemToken sends the Token Request and returns the access token.
inline Result<std::string> RedeemToken(http::Client& c, const PreAuthorizedOffer& offer,
                                       const std::optional<std::string>& tx_code = std::nullopt) {
  oid4vci::TokenRequest request{.pre_authorized_code = offer.pre_authorized_code, .tx_code = tx_code, .client_id = {}};
  Result<http::ClientResponse> r = c.Post("/token", request.ToForm(), "application/x-www-form-urlencoded");
  if (!r.ok() || r->status != 200) return StepError("token", r);
  ASSIGN_OR_RETURN(Json body, ParseJson(r->body));
  ASSIGN_OR_RETURN(oid4vci::TokenResponse token, oid4vci::TokenResponse::FromJson(body));
  return token.access_token;
}

// RequestCredentials gets a nonce and sends one Credential Request with a proof per key;
// returns the credentials as received (strings).
inline Result<std::vector<std::string>> RequestCredentials(http::Client& c, const PreAuthorizedOffer& offer,
                                                           const std::string& access_token,
                                                           const std::vector<const crypto::Signer*>& keys,
                                                           const Clock& clock) {
  Result<http::ClientResponse> n = c.Post("/nonce", "", "application/json");
  if (!n.ok() || n->status != 200) return StepError("nonce", n);
  ASSIGN_OR_RETURN(Json nonce_body, ParseJson(n->body));
  if (!nonce_body.contains("c_nonce") || !nonce_body["c_nonce"].is_string()) {
    return Error(StatusCode::kMalformed, "nonce: no c_nonce");
  }
  oid4vci::CredentialRequest request;
  request.credential_configuration_id = offer.configuration_id;
  for (const crypto::Signer* key : keys) {
    oid4vci::ProofJwtParams params{.credential_issuer = offer.credential_issuer,
                                   .nonce = nonce_body["c_nonce"].get<std::string>(),
                                   .issued_at = clock.NowSeconds(),
                                   .client_id = {},
                                   .key_form = oid4vci::ProofKeyForm::kJwk};
    ASSIGN_OR_RETURN(std::string proof, oid4vci::BuildProofJwt(*key, params));
    request.unverified_jwt_proofs.push_back(std::move(proof));
  }
  Result<http::ClientResponse> r = c.Post("/credential", DumpJson(request.ToJson()), "application/json",
                                          {{"Authorization", "Bearer " + access_token}});
  if (!r.ok() || r->status != 200) return StepError("credential", r);
  ASSIGN_OR_RETURN(Json body, ParseJson(r->body));
  ASSIGN_OR_RETURN(oid4vci::CredentialResponse response, oid4vci::CredentialResponse::FromJson(body));
  std::vector<std::string> out;
  out.reserve(response.credentials.size());
  for (oid4vci::IssuedCredential& issued : response.credentials) {
    if (!issued.credential.is_string()) return Error(StatusCode::kMalformed, "credential: not a string");
    out.push_back(std::move(issued.credential.get_ref<std::string&>()));
  }
  return out;
}

}  // namespace bonafide::testing

#endif  // BONAFIDE_TESTS_COMMON_ISSUANCE_DRIVER_H_
