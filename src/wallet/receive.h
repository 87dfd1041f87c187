// wallet/receive.h: the wallet's side of OpenID4VCI 1.0 issuance, Pre-Authorized Code Flow
// (sections 3.5, 4 to 8 and 11): from a Credential Offer URI to issuer-signature-verified,
// key-bound credential copies, over an injected HTTP transport.
//
// The flow (ReceiveOffer):
//   1. parse the offer URI (oid4vci::ParseCredentialOfferUri); an offer by reference is fetched
//      with GET through the transport;
//   2. GET the Credential Issuer Metadata (section 12.2.2: the well-known path is inserted between
//      the host and the path of the issuer identifier) and check its credential_issuer equals the
//      offer's; GET the Authorization Server Metadata (RFC 8414 section 3) of the grant's
//      authorization_server, else the metadata's first authorization_servers entry, else the
//      issuer itself;
//   3. POST the Token Request (section 6.1) with the pre-authorized code and, when the offer
//      requires one, the tx_code the TxCodeProvider returns (the provider asks the user);
//   4. for each offered configuration: POST to the Nonce Endpoint for a fresh c_nonce (section 7),
//      create one device key per batch copy in the KeyStore (min(batch_size or 1,
//      ReceiveOptions::max_copies)), sign one proof per key (oid4vci::BuildProofJwt), POST the
//      Credential Request (section 8.2) with the access token as a Bearer token;
//   5. check each returned credential: it parses as its format (HeldSdJwt / HeldMdoc / JWT), has
//      the configuration's vct / doctype, carries the issuer's valid signature
//      (VerifyIssuedCredential, wallet/issuer_trust.h: SD-JWT VC iss = the credential_issuer and
//      signed by a key of its JWT VC Issuer Metadata; mdoc issuerAuth chained to a trusted IACA
//      root and the MSO digests intact; jwt_vc_json signed by a key of the did:web document of
//      the issuer's host), and is bound to exactly one of the new keys (SD-JWT VC cnf.jwk, mdoc
//      MSO deviceKey, jwt_vc_json sub = did:key or cnf.jwk), each key used once.
// Trust comes from ReceiveOptions::issuer_trust, by default a PublishedIssuerTrust over the same
// transport (what the issuer publishes at its origin; wallet-configured IACA anchors first). A
// credential that does not verify is never returned, so it is never stored.
//
// On any failure every device key ReceiveOffer created is deleted again (best effort) and
// nothing else is left behind. Storing the copies is the Wallet's (wallet/wallet.h).
//
// Errors: an OAuth / OID4VCI error body from the issuer becomes the Status of
// StatusFromIssuerError, whose message names the endpoint and carries the error name (e.g.
// "token endpoint: invalid_grant: wrong tx_code"). Other HTTP failures are kIoError; documents
// that do not parse keep their parser's code (kMalformed, kInvalidClaims, ...).
//
// Thread safety: functions are reentrant; the transport and key store are used from the calling
// thread only. Ownership: nothing is retained after a call returns.
#ifndef BONAFIDE_WALLET_RECEIVE_H_
#define BONAFIDE_WALLET_RECEIVE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "oid4vci/credential.h"
#include "oid4vci/errors.h"
#include "oid4vci/metadata.h"
#include "oid4vci/offer.h"
#include "oid4vci/proof.h"
#include "wallet/http_transport.h"
#include "wallet/issuer_trust.h"
#include "wallet/key_store.h"

namespace bonafide::wallet {

// TxCodeProvider returns the Transaction Code for an offer that requires one (it shows the
// description, input mode and length to the user and returns what they type). An error it
// returns ends the flow with that error.
using TxCodeProvider = std::function<Result<std::string>(const oid4vci::TxCode& tx_code)>;

// kMaxCopies is the largest number of batch copies ReceiveOptions::max_copies may ask for.
inline constexpr size_t kMaxCopies = 20;

// ReceiveOptions configures ReceiveOffer.
struct ReceiveOptions {
  // max_copies caps the copies (device keys and proofs) asked for per credential: the issuer's
  // batch_size is used up to this. 1..kMaxCopies, else kInvalidArgument.
  size_t max_copies = 5;
  // key_alg is the device key algorithm; it must be in the configuration's
  // proof_signing_alg_values_supported (else the first supported one of ES256, ES384, EdDSA).
  crypto::SignatureAlg key_alg = crypto::SignatureAlg::kES256;
  // key_form is how proofs name the key; used when the configuration's
  // cryptographic_binding_methods_supported allows it, else the form it does allow.
  oid4vci::ProofKeyForm key_form = oid4vci::ProofKeyForm::kJwk;
  // insecure_allow_http_loopback accepts http://localhost issuers (tests and local demos only).
  bool insecure_allow_http_loopback = false;
  // iaca_anchors, when not empty, are the only IACA roots mdocs may chain to (the default policy
  // then does not fetch the issuer's /iacas). Ignored when issuer_trust is set.
  std::vector<crypto::Certificate> iaca_anchors{};
  // issuer_trust, when set, supplies the trust material instead of PublishedIssuerTrust. Not
  // owned; must outlive the call.
  IssuerTrust* issuer_trust = nullptr;
};

// ReceivedCopy is one issued copy: the credential as sent (SD-JWT issuance form, base64url
// IssuerSigned, or compact JWT) and the handle of the device key it is bound to ("" when the
// configuration has no cryptographic binding).
struct ReceivedCopy {
  std::string credential;
  std::string key_handle;
};

// ReceivedBatch is what one Credential Request returned, checked as the file comment says.
struct ReceivedBatch {
  std::string configuration_id;
  oid4vci::CredentialFormat format = oid4vci::CredentialFormat::kSdJwtVc;
  std::string credential_issuer;
  std::string type;  // vct, doctype, or the most specific credential_definition.type
  std::vector<oid4vci::CredentialDisplay> display;
  std::vector<oid4vci::IssuerDisplay> issuer_display;
  std::vector<oid4vci::ClaimDescription> claims;  // credential_metadata.claims (labels)
  std::vector<ReceivedCopy> copies;  // one per device key, in key creation order
  std::optional<std::string> notification_id;
  std::optional<std::string> notification_endpoint;
  std::string access_token;  // for later notifications (credential_deleted)
};

// ReceiveOffer runs the flow of the file comment and returns one batch per offered
// configuration. Errors: kInvalidArgument (bad options, an offer without a pre-authorized_code
// grant, a tx_code needed and no provider), the offer/metadata parsers' codes, kNotFound (the
// offer names a configuration the metadata lacks), kUnsupportedAlgorithm (no proof algorithm in
// common), kInvalidClaims (metadata for another issuer, a deferred response, a wrong number of
// credentials), kInvalidType (wrong vct / doctype), kInvalidKey (a credential bound to no new
// key, or two to the same), VerifyIssuedCredential's codes (kUntrustedIssuer, kInvalidSignature,
// ...), StatusFromIssuerError's codes, kIoError (transport), the key store's.
Result<std::vector<ReceivedBatch>> ReceiveOffer(std::string_view offer_uri, const TxCodeProvider& tx_code_provider,
                                                HttpTransport& transport, KeyStore& keys, const Clock& clock,
                                                const ReceiveOptions& options);

// SendNotification POSTs a Notification Request (section 11) with `access_token` as Bearer token.
// OK on HTTP 204 (or any 2xx); StatusFromIssuerError's codes for an error body; kIoError.
Status SendNotification(HttpTransport& transport, std::string_view notification_endpoint,
                        std::string_view access_token, const oid4vci::NotificationRequest& request);

// StatusFromIssuerError maps an error `error` from the issuer (RFC 6749 5.2, RFC 6750 3.1,
// OID4VCI 8.3.1.2 and 11.3) to a Status whose message is "<where>: <error name>[: <description>]":
//   invalid_request, invalid_credential_request, invalid_notification_request -> kMalformed
//   invalid_grant (code unknown, used or expired; wrong tx_code)            -> kInvalidArgument
//   invalid_client, unauthorized_client                                      -> kUntrustedIssuer
//   unsupported_grant_type                                                   -> kInvalidType
//   invalid_token (access token refused, e.g. expired)                       -> kExpired
//   unknown_credential_configuration, unknown_credential_identifier,
//   invalid_notification_id                                                  -> kNotFound
//   invalid_proof                                                            -> kInvalidKey
//   invalid_nonce                                                            -> kNonceMismatch
//   invalid_encryption_parameters                                            -> kUnsupportedAlgorithm
//   credential_request_denied                                                -> kInvalidClaims
Status StatusFromIssuerError(std::string_view where, const oid4vci::ErrorResponse& error);

// StatusFromHttpError interprets a non-2xx response from `where`: a body that parses as an
// ErrorResponse gives StatusFromIssuerError; anything else kIoError naming the HTTP status.
Status StatusFromHttpError(std::string_view where, const HttpResponse& response);

// WellKnownUrl returns the well-known URL of `identifier` (an https URL without query or
// fragment): scheme://host[:port] + `well_known` + path (trailing '/' dropped), as OpenID4VCI
// 12.2.2 and RFC 8414 section 3.1 define. kInvalidArgument for a URL without "://".
Result<std::string> WellKnownUrl(std::string_view identifier, std::string_view well_known);

}  // namespace bonafide::wallet

#endif  // BONAFIDE_WALLET_RECEIVE_H_
