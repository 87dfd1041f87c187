// oid4vci/offer.h: the Credential Offer (OpenID4VCI 1.0 section 4.1) and the
// `openid-credential-offer://` URI that carries it by value (`credential_offer`) or by reference
// (`credential_offer_uri`).
//
// A Credential Offer is untrusted input for the wallet (section 13.5): parsing checks its shape
// only. Only the pre-authorized_code grant is modelled; other grants (authorization_code) are
// ignored on parsing, like any unrecognised parameter (section 4.1.1 "The Wallet MUST ignore
// any unrecognized parameters").
//
// Thread safety: pure functions; types are values.
#ifndef BONAFIDE_OID4VCI_OFFER_H_
#define BONAFIDE_OID4VCI_OFFER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/json.h"
#include "base/status.h"

namespace bonafide::oid4vci {

// kPreAuthorizedCodeGrantType is the grant type URN of the Pre-Authorized Code Flow.
inline constexpr std::string_view kPreAuthorizedCodeGrantType =
    "urn:ietf:params:oauth:grant-type:pre-authorized_code";
// kCredentialOfferScheme is the wallet's custom scheme (section 12.1.1), with its empty
// authority: offers look like "openid-credential-offer://?credential_offer=...".
inline constexpr std::string_view kCredentialOfferScheme = "openid-credential-offer://";
// kMaxTxCodeDescription is the longest tx_code description allowed (section 4.1.1: 300).
inline constexpr size_t kMaxTxCodeDescription = 300;
// kMaxOfferUriBytes bounds the offer URI ParseCredentialOfferUri accepts.
inline constexpr size_t kMaxOfferUriBytes = 64 * 1024;

// TxCodeInputMode is tx_code.input_mode: "numeric" (digits only; the default) or "text".
enum class TxCodeInputMode { kNumeric, kText };

// TxCode describes the Transaction Code the Token Request must carry (section 4.1.1). Its
// presence, even with every member absent, means a tx_code is required.
struct TxCode {
  std::optional<TxCodeInputMode> input_mode;  // absent means numeric
  std::optional<int64_t> length;              // positive
  std::optional<std::string> description;     // at most 300 characters
};

// PreAuthorizedCodeGrant is grants["urn:ietf:params:oauth:grant-type:pre-authorized_code"].
struct PreAuthorizedCodeGrant {
  std::string pre_authorized_code;  // required, non-empty
  std::optional<TxCode> tx_code;
  std::optional<std::string> authorization_server;
};

// CredentialOffer is the Credential Offer object (section 4.1.1).
struct CredentialOffer {
  std::string credential_issuer;                      // https URL (Credential Issuer Identifier)
  std::vector<std::string> credential_configuration_ids;  // non-empty, unique
  std::optional<PreAuthorizedCodeGrant> pre_authorized_code;

  // ToJson returns the offer object (grants present only with a pre-authorized code).
  Json ToJson() const;
  // FromJson parses an offer object. kInvalidClaims for a non-object, a missing or mistyped
  // member, an empty or repeated credential_configuration_id, a credential_issuer that is not an
  // https URL without query or fragment (http on a loopback host passes only with
  // `insecure_allow_http_loopback`, for tests), an empty pre-authorized_code, a tx_code with an
  // unknown input_mode, a non-positive length or a description over 300 characters.
  static Result<CredentialOffer> FromJson(const Json& offer, bool insecure_allow_http_loopback = false);
  // Parse is FromJson over JSON text (kMalformed / kLimitExceeded from the JSON parser).
  static Result<CredentialOffer> Parse(std::string_view json, bool insecure_allow_http_loopback = false);
};

// CredentialOfferReference is an offer passed by reference: the https URL the wallet fetches
// the offer object from.
struct CredentialOfferReference {
  std::string uri;
};

// CredentialOfferLink is what an offer URI carries: the offer itself or a reference to it.
using CredentialOfferLink = std::variant<CredentialOffer, CredentialOfferReference>;

// BuildCredentialOfferUri returns "openid-credential-offer://?credential_offer=<JSON>" with the
// compact JSON of `offer` percent-encoded (every byte but the RFC 3986 unreserved characters).
std::string BuildCredentialOfferUri(const CredentialOffer& offer);

// BuildCredentialOfferReferenceUri returns "openid-credential-offer://?credential_offer_uri=<URL>".
// kInvalidArgument when `offer_url` is not an https URL without fragment (http on a loopback host
// passes with `insecure_allow_http_loopback`).
Result<std::string> BuildCredentialOfferReferenceUri(std::string_view offer_url,
                                                     bool insecure_allow_http_loopback = false);

// ParseCredentialOfferUri parses an offer URI. Accepted: exactly "openid-credential-offer://?"
// followed by one parameter, credential_offer (percent-encoded offer JSON, '+' read as space) or
// credential_offer_uri (percent-encoded https URL). Returns kMalformed for another scheme, a
// non-empty authority or path, a fragment, bytes outside printable ASCII, a bad percent escape,
// an empty or repeated parameter, both parameters, neither, or any other parameter;
// kLimitExceeded for a URI longer than kMaxOfferUriBytes; the errors of CredentialOffer::Parse for
// the embedded offer; kInvalidClaims for a reference that is not an https URL.
Result<CredentialOfferLink> ParseCredentialOfferUri(std::string_view uri,
                                                    bool insecure_allow_http_loopback = false);

}  // namespace bonafide::oid4vci

#endif  // BONAFIDE_OID4VCI_OFFER_H_
