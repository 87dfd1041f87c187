#include "wallet/receive.h"

#include <algorithm>
#include <utility>

#include "base/encoding.h"
#include "base/json.h"
#include "jose/did.h"
#include "jose/jws.h"
#include "mdoc/holder.h"
#include "oid4vci/token.h"
#include "sdjwt/sdjwt.h"

namespace bonafide::wallet {
namespace {

using oid4vci::CredentialFormat;
using oid4vci::Oid4vciError;

bool IsSuccess(int status) { return status >= 200 && status < 300; }

// ExpectJsonObject returns the JSON object body of a 2xx response from `where`.
Result<Json> ExpectJsonObject(std::string_view where, Result<HttpResponse> response) {
  if (!response.ok()) {
    return Error(response.status().code(), std::string(where) + ": " + response.status().message());
  }
  if (!IsSuccess(response->status)) return StatusFromHttpError(where, *response);
  Result<Json> body = ParseJsonObject(response->body);
  if (!body.ok()) {
    return Error(body.status().code(), std::string(where) + ": response is not a JSON object: " + body.status().message());
  }
  return std::move(body).value();
}

// KeyCleanup deletes the device keys it holds unless released.
class KeyCleanup {
 public:
  explicit KeyCleanup(KeyStore& keys) : keys_(keys) {}
  KeyCleanup(const KeyCleanup&) = delete;
  KeyCleanup& operator=(const KeyCleanup&) = delete;
  ~KeyCleanup() {
    for (const std::string& handle : handles_) {
      // Best effort: a key that cannot be deleted (store locked meanwhile) is an orphan, not a leak
      // of a credential; nothing else can be done here.
      (void)keys_.DeleteKey(handle);
    }
  }
  void Add(std::string handle) { handles_.push_back(std::move(handle)); }
  void Release() { handles_.clear(); }

 private:
  KeyStore& keys_;
  std::vector<std::string> handles_;
};

bool Contains(const std::vector<std::string>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

// ChooseAlg picks the device key algorithm for a configuration.
Result<crypto::SignatureAlg> ChooseAlg(const oid4vci::CredentialConfiguration& config, crypto::SignatureAlg preferred) {
  auto jwt = config.proof_types_supported.find("jwt");
  if (jwt == config.proof_types_supported.end()) {
    return Error(StatusCode::kUnsupportedAlgorithm, "the configuration does not accept jwt proofs");
  }
  const std::vector<std::string>& supported = jwt->second.proof_signing_alg_values_supported;
  if (Contains(supported, crypto::JwsAlgName(preferred))) return preferred;
  for (crypto::SignatureAlg alg :
       {crypto::SignatureAlg::kES256, crypto::SignatureAlg::kES384, crypto::SignatureAlg::kEdDSA}) {
    if (Contains(supported, crypto::JwsAlgName(alg))) return alg;
  }
  return Error(StatusCode::kUnsupportedAlgorithm, "no proof signing algorithm in common with the issuer");
}

// ChooseKeyForm picks how proofs name the key, from the binding methods the configuration allows.
Result<oid4vci::ProofKeyForm> ChooseKeyForm(const oid4vci::CredentialConfiguration& config,
                                            oid4vci::ProofKeyForm preferred) {
  const auto& methods = config.cryptographic_binding_methods_supported;
  const bool jwk = Contains(methods, "jwk") || Contains(methods, "cose_key");
  const bool did_key = Contains(methods, "did:key") || Contains(methods, "did");
  if (preferred == oid4vci::ProofKeyForm::kJwk && jwk) return preferred;
  if (preferred == oid4vci::ProofKeyForm::kDidKey && did_key) return preferred;
  if (jwk) return oid4vci::ProofKeyForm::kJwk;
  if (did_key) return oid4vci::ProofKeyForm::kDidKey;
  return Error(StatusCode::kUnsupportedAlgorithm, "no key binding method in common with the issuer");
}

std::string ConfigurationType(const oid4vci::CredentialConfiguration& config) {
  switch (config.format) {
    case CredentialFormat::kSdJwtVc:
      return config.vct.value_or("");
    case CredentialFormat::kMsoMdoc:
      return config.doctype.value_or("");
    case CredentialFormat::kJwtVcJson:
      return config.credential_definition_type.empty() ? "" : config.credential_definition_type.back();
  }
  return "";
}

Result<crypto::PublicKey> CnfKey(const Json& payload) {
  const Json* cnf = Find(payload, "cnf");
  const Json* jwk = cnf != nullptr ? Find(*cnf, "jwk") : nullptr;
  if (jwk == nullptr || !jwk->is_object()) return Error(StatusCode::kInvalidKey, "credential carries no cnf.jwk");
  return crypto::PublicKey::FromJwk(*jwk);
}

// InspectCredential checks one issued credential's format and type and returns the key it is
// bound to (nullopt when it names none).
Result<std::optional<crypto::PublicKey>> InspectCredential(const oid4vci::CredentialConfiguration& config,
                                                           const Json& credential) {
  if (!credential.is_string()) {
    return Error(StatusCode::kInvalidClaims, "credential is not a string");
  }
  const std::string& text = credential.get_ref<const std::string&>();
  switch (config.format) {
    case CredentialFormat::kSdJwtVc: {
      ASSIGN_OR_RETURN(sdjwt::HeldSdJwt held, sdjwt::HeldSdJwt::FromIssuance(text));
      const Json* vct = Find(held.unverified_payload(), "vct");
      if (vct == nullptr || !vct->is_string() || *vct != config.vct.value_or("")) {
        return Error(StatusCode::kInvalidType, "SD-JWT VC vct is not the offered configuration's");
      }
      if (Find(held.unverified_payload(), "cnf") == nullptr) return std::optional<crypto::PublicKey>();
      ASSIGN_OR_RETURN(crypto::PublicKey key, CnfKey(held.unverified_payload()));
      return std::optional<crypto::PublicKey>(std::move(key));
    }
    case CredentialFormat::kMsoMdoc: {
      ASSIGN_OR_RETURN(Bytes bytes, Base64UrlDecode(text));
      ASSIGN_OR_RETURN(mdoc::HeldMdoc held, mdoc::HeldMdoc::Decode(bytes));
      if (held.doc_type() != config.doctype.value_or("")) {
        return Error(StatusCode::kInvalidType, "mdoc docType is not the offered configuration's");
      }
      return std::optional<crypto::PublicKey>(held.device_key());
    }
    case CredentialFormat::kJwtVcJson: {
      ASSIGN_OR_RETURN(jose::UnverifiedJws jws, jose::UnverifiedJws::Parse(text));
      ASSIGN_OR_RETURN(Json payload, ParseJsonObject(AsStringView(jws.unverified_payload())));
      const Json* type = Find(payload, "type");
      if (type == nullptr) {
        const Json* vc = Find(payload, "vc");
        if (vc != nullptr) type = Find(*vc, "type");
      }
      if (type == nullptr || !type->is_array()) return Error(StatusCode::kInvalidType, "JWT VC has no type array");
      for (const std::string& wanted : config.credential_definition_type) {
        if (std::find(type->begin(), type->end(), Json(wanted)) == type->end()) {
          return Error(StatusCode::kInvalidType, "JWT VC type is not the offered configuration's");
        }
      }
      if (Find(payload, "cnf") != nullptr) {
        ASSIGN_OR_RETURN(crypto::PublicKey key, CnfKey(payload));
        return std::optional<crypto::PublicKey>(std::move(key));
      }
      const Json* sub = Find(payload, "sub");
      if (sub != nullptr && sub->is_string() && sub->get_ref<const std::string&>().rfind("did:key:", 0) == 0) {
        ASSIGN_OR_RETURN(crypto::PublicKey key, jose::ResolveDidKey(sub->get_ref<const std::string&>()));
        return std::optional<crypto::PublicKey>(std::move(key));
      }
      return std::optional<crypto::PublicKey>();
    }
  }
  return Error(StatusCode::kInternal, "unknown format");
}

// RequestBatch runs steps 4 and 5 of the file comment for one configuration.
Result<ReceivedBatch> RequestBatch(const std::string& config_id, const oid4vci::CredentialIssuerMetadata& metadata,
                                   const std::string& access_token, HttpTransport& transport, KeyStore& keys,
                                   KeyCleanup& cleanup, IssuerTrust& trust, const Clock& clock,
                                   const ReceiveOptions& options) {
  const oid4vci::CredentialConfiguration* config = metadata.FindConfiguration(config_id);
  if (config == nullptr) {
    return Error(StatusCode::kNotFound, "the offer names configuration \"" + config_id +
                                            "\", which the issuer metadata does not publish");
  }
  ReceivedBatch batch;
  batch.configuration_id = config_id;
  batch.format = config->format;
  batch.credential_issuer = metadata.credential_issuer;
  batch.type = ConfigurationType(*config);
  batch.display = config->display;
  batch.issuer_display = metadata.display;
  batch.claims = config->claims;
  batch.notification_endpoint = metadata.notification_endpoint;
  batch.access_token = access_token;

  const bool bound = !config->cryptographic_binding_methods_supported.empty();
  std::vector<DeviceKey> device_keys;
  oid4vci::CredentialRequest request;
  request.credential_configuration_id = config_id;
  if (bound) {
    ASSIGN_OR_RETURN(crypto::SignatureAlg alg, ChooseAlg(*config, options.key_alg));
    ASSIGN_OR_RETURN(oid4vci::ProofKeyForm form, ChooseKeyForm(*config, options.key_form));
    const size_t copies = std::min(metadata.max_proofs(), options.max_copies);
    std::optional<std::string> nonce;
    if (metadata.nonce_endpoint.has_value()) {
      ASSIGN_OR_RETURN(Json body, ExpectJsonObject("nonce endpoint", transport.PostForm(*metadata.nonce_endpoint, {}, "")));
      ASSIGN_OR_RETURN(oid4vci::NonceResponse nonce_response, oid4vci::NonceResponse::FromJson(body));
      nonce = std::move(nonce_response.c_nonce);
    }
    const int64_t now = clock.NowSeconds();
    for (size_t i = 0; i < copies; ++i) {
      ASSIGN_OR_RETURN(DeviceKey key, keys.CreateKey(alg));
      cleanup.Add(key.handle);
      ASSIGN_OR_RETURN(KeyStoreSigner signer, KeyStoreSigner::Create(keys, key.handle));
      oid4vci::ProofJwtParams params{.credential_issuer = metadata.credential_issuer,
                                     .nonce = nonce,
                                     .issued_at = now,
                                     .client_id = std::nullopt,
                                     .key_form = form};
      ASSIGN_OR_RETURN(std::string proof, oid4vci::BuildProofJwt(signer, params));
      request.unverified_jwt_proofs.push_back(std::move(proof));
      device_keys.push_back(std::move(key));
    }
  }

  HttpHeaders headers = {{"authorization", "Bearer " + access_token}};
  ASSIGN_OR_RETURN(Json body, ExpectJsonObject("credential endpoint",
                                               transport.PostJson(metadata.credential_endpoint, headers,
                                                                  DumpJson(request.ToJson()))));
  ASSIGN_OR_RETURN(oid4vci::CredentialResponse response, oid4vci::CredentialResponse::FromJson(body));
  const size_t expected = bound ? device_keys.size() : 1;
  if (response.credentials.size() != expected) {
    return Error(StatusCode::kInvalidClaims, "credential endpoint returned " +
                                                 std::to_string(response.credentials.size()) + " credentials for " +
                                                 std::to_string(expected) + " requested");
  }
  batch.notification_id = response.notification_id;

  std::vector<std::optional<std::string>> by_key(device_keys.size());
  for (const oid4vci::IssuedCredential& issued : response.credentials) {
    ASSIGN_OR_RETURN(std::optional<crypto::PublicKey> holder, InspectCredential(*config, issued.credential));
    const std::string& text = issued.credential.get_ref<const std::string&>();
    RETURN_IF_ERROR(VerifyIssuedCredential(*config, metadata.credential_issuer, text, trust, clock));
    if (!bound) {
      batch.copies.push_back(ReceivedCopy{text, ""});
      continue;
    }
    if (!holder.has_value()) return Error(StatusCode::kInvalidKey, "credential is not bound to a device key");
    bool placed = false;
    for (size_t i = 0; i < device_keys.size() && !placed; ++i) {
      if (!by_key[i].has_value() && device_keys[i].public_key.Equals(*holder)) {
        by_key[i] = text;
        placed = true;
      }
    }
    if (!placed) {
      return Error(StatusCode::kInvalidKey, "credential is bound to a key the wallet did not offer, or to one twice");
    }
  }
  for (size_t i = 0; i < device_keys.size(); ++i) {
    batch.copies.push_back(ReceivedCopy{std::move(*by_key[i]), device_keys[i].handle});
  }
  return batch;
}

}  // namespace

Result<std::string> WellKnownUrl(std::string_view identifier, std::string_view well_known) {
  const size_t scheme = identifier.find("://");
  if (scheme == std::string_view::npos) return Error(StatusCode::kInvalidArgument, "not an absolute URL");
  const size_t slash = identifier.find('/', scheme + 3);
  std::string_view origin = identifier.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view() : identifier.substr(slash);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  return std::string(origin) + std::string(well_known) + std::string(path);
}

Status StatusFromIssuerError(std::string_view where, const oid4vci::ErrorResponse& error) {
  StatusCode code = StatusCode::kMalformed;
  switch (error.error) {
    case Oid4vciError::kInvalidRequest:
    case Oid4vciError::kInvalidCredentialRequest:
    case Oid4vciError::kInvalidNotificationRequest:
      code = StatusCode::kMalformed;
      break;
    case Oid4vciError::kInvalidGrant:
      code = StatusCode::kInvalidArgument;
      break;
    case Oid4vciError::kInvalidClient:
    case Oid4vciError::kUnauthorizedClient:
      code = StatusCode::kUntrustedIssuer;
      break;
    case Oid4vciError::kUnsupportedGrantType:
      code = StatusCode::kInvalidType;
      break;
    case Oid4vciError::kInvalidToken:
      code = StatusCode::kExpired;
      break;
    case Oid4vciError::kUnknownCredentialConfiguration:
    case Oid4vciError::kUnknownCredentialIdentifier:
    case Oid4vciError::kInvalidNotificationId:
      code = StatusCode::kNotFound;
      break;
    case Oid4vciError::kInvalidProof:
      code = StatusCode::kInvalidKey;
      break;
    case Oid4vciError::kInvalidNonce:
      code = StatusCode::kNonceMismatch;
      break;
    case Oid4vciError::kInvalidEncryptionParameters:
      code = StatusCode::kUnsupportedAlgorithm;
      break;
    case Oid4vciError::kCredentialRequestDenied:
      code = StatusCode::kInvalidClaims;
      break;
  }
  std::string message = std::string(where) + ": " + std::string(oid4vci::Oid4vciErrorName(error.error));
  if (error.error_description.has_value() && !error.error_description->empty()) {
    message += ": " + oid4vci::SanitizeDescription(*error.error_description);
  }
  return Error(code, std::move(message));
}

Status StatusFromHttpError(std::string_view where, const HttpResponse& response) {
  Result<Json> body = ParseJsonObject(response.body);
  if (body.ok()) {
    Result<oid4vci::ErrorResponse> error = oid4vci::ErrorResponse::FromJson(*body);
    if (error.ok()) return StatusFromIssuerError(where, *error);
  }
  return Error(StatusCode::kIoError, std::string(where) + ": HTTP " + std::to_string(response.status));
}

Status SendNotification(HttpTransport& transport, std::string_view notification_endpoint,
                        std::string_view access_token, const oid4vci::NotificationRequest& request) {
  ASSIGN_OR_RETURN(Json body, request.ToJson());
  HttpHeaders headers = {{"authorization", "Bearer " + std::string(access_token)}};
  Result<HttpResponse> response = transport.PostJson(notification_endpoint, headers, DumpJson(body));
  if (!response.ok()) {
    return Error(response.status().code(), "notification endpoint: " + response.status().message());
  }
  if (!IsSuccess(response->status)) return StatusFromHttpError("notification endpoint", *response);
  return OkStatus();
}

Result<std::vector<ReceivedBatch>> ReceiveOffer(std::string_view offer_uri, const TxCodeProvider& tx_code_provider,
                                                HttpTransport& transport, KeyStore& keys, const Clock& clock,
                                                const ReceiveOptions& options) {
  if (options.max_copies < 1 || options.max_copies > kMaxCopies) {
    return Error(StatusCode::kInvalidArgument, "max_copies must be between 1 and " + std::to_string(kMaxCopies));
  }
  const bool loopback = options.insecure_allow_http_loopback;

  // 1. The offer.
  ASSIGN_OR_RETURN(oid4vci::CredentialOfferLink link, oid4vci::ParseCredentialOfferUri(offer_uri, loopback));
  oid4vci::CredentialOffer offer;
  if (auto* by_value = std::get_if<oid4vci::CredentialOffer>(&link)) {
    offer = std::move(*by_value);
  } else {
    const auto& reference = std::get<oid4vci::CredentialOfferReference>(link);
    ASSIGN_OR_RETURN(Json body, ExpectJsonObject("credential offer", transport.Get(reference.uri, {})));
    ASSIGN_OR_RETURN(offer, oid4vci::CredentialOffer::FromJson(body, loopback));
  }
  if (!offer.pre_authorized_code.has_value()) {
    return Error(StatusCode::kInvalidArgument,
                 "the offer has no pre-authorized_code grant (the authorization code flow is not supported)");
  }
  const oid4vci::PreAuthorizedCodeGrant& grant = *offer.pre_authorized_code;

  // 2. Issuer and authorisation server metadata.
  ASSIGN_OR_RETURN(std::string metadata_url, WellKnownUrl(offer.credential_issuer, oid4vci::kCredentialIssuerWellKnown));
  ASSIGN_OR_RETURN(Json metadata_json, ExpectJsonObject("issuer metadata", transport.Get(metadata_url, {})));
  oid4vci::MetadataParseOptions parse_options{.insecure_allow_http_loopback = loopback, .ignore_unknown_formats = true};
  ASSIGN_OR_RETURN(oid4vci::CredentialIssuerMetadata metadata,
                   oid4vci::CredentialIssuerMetadata::FromJson(metadata_json, parse_options));
  if (metadata.credential_issuer != offer.credential_issuer) {
    return Error(StatusCode::kInvalidClaims, "issuer metadata names another credential_issuer than the offer");
  }
  std::string as_id = offer.credential_issuer;
  if (grant.authorization_server.has_value()) {
    if (!Contains(metadata.authorization_servers, *grant.authorization_server)) {
      return Error(StatusCode::kInvalidClaims, "the offer's authorization_server is not one the issuer names");
    }
    as_id = *grant.authorization_server;
  } else if (!metadata.authorization_servers.empty()) {
    as_id = metadata.authorization_servers.front();
  }
  ASSIGN_OR_RETURN(std::string as_url, WellKnownUrl(as_id, oid4vci::kAuthorizationServerWellKnown));
  ASSIGN_OR_RETURN(Json as_json, ExpectJsonObject("authorization server metadata", transport.Get(as_url, {})));
  ASSIGN_OR_RETURN(oid4vci::AuthorizationServerMetadata as_metadata,
                   oid4vci::AuthorizationServerMetadata::FromJson(as_json, loopback));
  if (as_metadata.issuer != as_id) {
    return Error(StatusCode::kInvalidClaims, "authorization server metadata names another issuer");
  }

  // 3. Token.
  oid4vci::TokenRequest token_request;
  token_request.pre_authorized_code = grant.pre_authorized_code;
  if (grant.tx_code.has_value()) {
    if (!tx_code_provider) {
      return Error(StatusCode::kInvalidArgument, "the offer needs a transaction code and none can be asked for");
    }
    ASSIGN_OR_RETURN(std::string tx_code, tx_code_provider(*grant.tx_code));
    if (tx_code.empty()) return Error(StatusCode::kInvalidArgument, "empty transaction code");
    token_request.tx_code = std::move(tx_code);
  }
  ASSIGN_OR_RETURN(Json token_json, ExpectJsonObject("token endpoint", transport.PostForm(as_metadata.token_endpoint, {},
                                                                                          token_request.ToForm())));
  ASSIGN_OR_RETURN(oid4vci::TokenResponse token, oid4vci::TokenResponse::FromJson(token_json));

  // 4 and 5. One Credential Request per offered configuration.
  KeyCleanup cleanup(keys);
  PublishedIssuerTrust published(transport, PublishedTrustOptions{.iaca_anchors = options.iaca_anchors,
                                                                  .insecure_allow_http_loopback = loopback});
  IssuerTrust& trust = options.issuer_trust != nullptr ? *options.issuer_trust : published;
  std::vector<ReceivedBatch> batches;
  for (const std::string& config_id : offer.credential_configuration_ids) {
    ASSIGN_OR_RETURN(ReceivedBatch batch,
                     RequestBatch(config_id, metadata, token.access_token, transport, keys, cleanup, trust, clock, options));
    batches.push_back(std::move(batch));
  }
  cleanup.Release();
  return batches;
}

}  // namespace bonafide::wallet
