#include "issuer/service.h"

#include <algorithm>
#include <utility>

#include "base/encoding.h"
#include "crypto/aead.h"
#include "crypto/constant_time.h"
#include "crypto/hash.h"
#include "jose/did.h"
#include "mdoc/doctypes.h"
#include "mdoc/issuer.h"
#include "oid4vci/metadata.h"
#include "oid4vci/offer.h"
#include "oid4vci/proof.h"
#include "sdjwt/sdjwt_vc.h"
#include "status/bitstring_status_list.h"
#include "status/status_list_cwt.h"
#include "status/status_list_token.h"
#include "status/token_status_list.h"
#include "vcjwt/vc_jwt.h"

namespace bonafide::issuer {
namespace {

using oid4vci::Endpoint;
using oid4vci::ErrorResponse;
using oid4vci::Oid4vciError;

constexpr int64_t kDaySeconds = 86400;

// Access tokens. The HKDF info names the key's purpose and version; the AEAD's associated data
// names the format, so a sealed value made for anything else never opens as a token.
constexpr std::string_view kAccessTokenKeyInfo = "bonafide issuer access token key v1";
constexpr std::string_view kAccessTokenAad = "bonafide access token v1";
// Longest bearer token accepted (CheckBearer) and made (SealAccessToken): ids of up to 256 bytes
// each fit.
constexpr size_t kMaxBearerChars = 2048;

ErrorResponse Err(Oid4vciError error, std::string description) {
  ErrorResponse r;
  r.error = error;
  r.error_description = oid4vci::SanitizeDescription(description);
  return r;
}

std::string RandomId(Random& random, size_t bytes) { return random.Identifier(bytes); }

// CredentialIdPrefix names a batch's records (store::IssuedBatch; copy k's id is the prefix and
// k in two hex digits): the issue time in seconds as 10 hex digits, then 16 random bytes. Key
// order is thus issue order by the second, so batches are inserted next to each other; the
// random part keeps ids unique across processes and unguessable.
std::string CredentialIdPrefix(Random& random, int64_t now_seconds) {
  const auto t = static_cast<uint64_t>(std::max<int64_t>(now_seconds, 0));
  uint8_t time[5];  // the low 40 bits, big-endian
  for (size_t i = 0; i < 5; ++i) time[i] = static_cast<uint8_t>(t >> (8 * (4 - i)));
  return HexEncode(ByteView(time, 5)) + random.Identifier(16);
}

// UnverifiedNonce reads the `nonce` claim of a compact JWT without verifying it, so the
// verifier can be told which c_nonce to expect; the store then decides whether it is live.
std::optional<std::string> UnverifiedNonce(std::string_view jwt) {
  const size_t a = jwt.find('.');
  if (a == std::string_view::npos) return std::nullopt;
  const size_t b = jwt.find('.', a + 1);
  if (b == std::string_view::npos) return std::nullopt;
  Result<Bytes> payload = Base64UrlDecode(jwt.substr(a + 1, b - a - 1));
  if (!payload.ok()) return std::nullopt;
  Result<Json> claims = ParseJsonObject(AsStringView(*payload));
  if (!claims.ok()) return std::nullopt;
  const Json* nonce = Find(*claims, "nonce");
  if (nonce == nullptr || !nonce->is_string() || nonce->get<std::string>().empty()) return std::nullopt;
  return nonce->get<std::string>();
}

std::string_view StatusName(store::CredentialStatus s) {
  switch (s) {
    case store::CredentialStatus::kValid: return "valid";
    case store::CredentialStatus::kRevoked: return "revoked";
    case store::CredentialStatus::kSuspended: return "suspended";
  }
  return "valid";
}

}  // namespace

IssuerService::IssuerService(IssuerConfig config, IssuerKeys keys, SecretBytes access_token_key,
                             std::unique_ptr<store::IssuerStore> store, const Clock& clock, Random& random)
    : config_(std::move(config)),
      keys_(std::move(keys)),
      access_token_key_(std::move(access_token_key)),
      store_(std::move(store)),
      clock_(clock),
      random_(random) {}

Result<std::unique_ptr<IssuerService>> IssuerService::Create(IssuerConfig config,
                                                             std::unique_ptr<store::IssuerStore> store,
                                                             const Clock& clock, Random& random) {
  if (store == nullptr) return Error(StatusCode::kInvalidArgument, "no store");
  ASSIGN_OR_RETURN(IssuerKeys keys, LoadIssuerKeys(config));
  for (const StatusListSpec& s : config.status_lists) {
    ASSIGN_OR_RETURN(store::StatusListRecord rec, store->GetStatusList(s.id));
    if (rec.bits != s.bits) return Error(StatusCode::kInvalidArgument, "status list " + s.id + " has other bits");
  }
  Json md = {{"credential_issuer", config.issuer_url},
             {"credential_endpoint", config.issuer_url + "/credential"},
             {"nonce_endpoint", config.issuer_url + "/nonce"},
             {"notification_endpoint", config.issuer_url + "/notification"},
             {"credential_configurations_supported", Json::object()}};
  if (config.batch_size >= 2) md["batch_credential_issuance"] = {{"batch_size", config.batch_size}};
  if (!config.display.empty()) md["display"] = config.display;
  for (const auto& [id, c] : config.credential_configurations.items()) {
    md["credential_configurations_supported"][id] = ConfigurationMetadataJson(c);
  }
  oid4vci::MetadataParseOptions opts;
  opts.insecure_allow_http_loopback = true;  // FromJson admitted http only on loopback
  Result<oid4vci::CredentialIssuerMetadata> check = oid4vci::CredentialIssuerMetadata::FromJson(md, opts);
  if (!check.ok()) return Error(StatusCode::kInvalidArgument, "issuer metadata: " + check.status().message());
  ASSIGN_OR_RETURN(SecretBytes token_key,
                   crypto::Hkdf(crypto::HashAlg::kSha256, keys.server_secret.view(), {},
                                AsBytes(std::string_view(kAccessTokenKeyInfo)), crypto::kAesGcmKeySize));
  std::unique_ptr<IssuerService> svc(
      new IssuerService(std::move(config), std::move(keys), std::move(token_key), std::move(store), clock, random));
  svc->metadata_ = std::move(md);
  return svc;
}

// ---------------------------------------------------------------------------------------------
// Metadata.

Json IssuerService::CredentialIssuerMetadata() const { return metadata_; }

Json IssuerService::AuthorizationServerMetadata() const {
  oid4vci::AuthorizationServerMetadata as;
  as.issuer = config_.issuer_url;
  as.token_endpoint = config_.issuer_url + "/token";
  as.pre_authorized_grant_anonymous_access_supported = true;
  as.grant_types_supported = {std::string(oid4vci::kPreAuthorizedCodeGrantType)};
  return as.ToJson();
}

Json PublishedJwtVcIssuerMetadata(const IssuerConfig& config, const IssuerKeys& keys, int64_t now) {
  Json jwks = Json::array();
  for (const SigningKey& k : keys.sd_jwt) {
    if (!k.active && !k.PublishedAt(now)) continue;
    Json jwk = k.key.public_key().ToJwk();
    jwk["kid"] = k.kid;
    jwk["alg"] = std::string(crypto::JwsAlgName(k.key.alg()));
    jwk["use"] = "sig";
    jwks.push_back(std::move(jwk));
  }
  return Json{{"issuer", config.issuer_url}, {"jwks", {{"keys", jwks}}}};
}

Json PublishedDidDocument(const IssuerConfig& config, const IssuerKeys& keys, int64_t now) {
  Json methods = Json::array();
  Json ids = Json::array();
  for (const SigningKey& k : keys.vc_jwt) {
    if (!k.active && !k.PublishedAt(now)) continue;
    const std::string id = config.vc_did + "#" + k.kid;
    methods.push_back({{"id", id}, {"type", "JsonWebKey2020"}, {"controller", config.vc_did},
                       {"publicKeyJwk", k.key.public_key().ToJwk()}});
    ids.push_back(id);
  }
  return Json{{"@context", Json::array({"https://www.w3.org/ns/did/v1", "https://w3id.org/security/suites/jws-2020/v1"})},
              {"id", config.vc_did},
              {"verificationMethod", methods},
              {"assertionMethod", ids}};
}

std::vector<std::string> PublishedIacas(const IssuerKeys& keys, int64_t now) {
  std::vector<std::string> out;
  for (const IacaRoot& r : keys.iacas) {
    if (r.PublishedAt(now)) out.push_back(r.certificate.ToPem());
  }
  return out;
}

Json IssuerService::JwtVcIssuerMetadata() const {
  return PublishedJwtVcIssuerMetadata(config_, keys_, clock_.NowSeconds());
}

Json IssuerService::DidDocument() const { return PublishedDidDocument(config_, keys_, clock_.NowSeconds()); }

std::vector<std::string> IssuerService::Iacas() const { return PublishedIacas(keys_, clock_.NowSeconds()); }

std::string IssuerService::StatusListUri(std::string_view list_id) const {
  return config_.issuer_url + "/status/" + std::string(list_id);
}

const StatusListSpec* IssuerService::FindList(std::string_view id) const {
  for (const StatusListSpec& s : config_.status_lists) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

Result<Bytes> IssuerService::HashSecret(std::string_view purpose, std::string_view value) const {
  std::string msg = "bonafide-issuer-v1:" + std::string(purpose) + ":" + std::string(value);
  return crypto::Hmac(crypto::HashAlg::kSha256, keys_.server_secret.view(), AsBytes(msg));
}

// ---------------------------------------------------------------------------------------------
// Offer, token, nonce.

Result<OfferResult> IssuerService::CreateOffer(std::string_view citizen_id, std::string_view configuration_id,
                                               bool with_tx_code, std::string_view actor) {
  if (config_.catalogue.find(configuration_id) == config_.catalogue.end()) {
    return Error(StatusCode::kNotFound, "unknown credential configuration " + std::string(configuration_id));
  }
  const int64_t now = clock_.NowSeconds();
  OfferResult out;
  out.offer_id = RandomId(random_, 16);
  out.pre_authorized_code = RandomId(random_, 32);
  out.expires_at = now + config_.offer_seconds;
  store::CredentialOffer offer;
  offer.offer_id = out.offer_id;
  offer.citizen_id = std::string(citizen_id);
  offer.credential_configuration_id = std::string(configuration_id);
  offer.created_at = now;
  offer.expires_at = out.expires_at;
  if (with_tx_code) {
    std::string tx(static_cast<size_t>(config_.tx_code_length), '0');
    for (char& c : tx) c = static_cast<char>('0' + random_.Uniform(10));
    ASSIGN_OR_RETURN(offer.tx_code_hash, HashSecret("tx_code", tx));
    out.tx_code = std::move(tx);
  }
  store::PreAuthorizedCode code;
  ASSIGN_OR_RETURN(code.code_hash, HashSecret("code", out.pre_authorized_code));
  code.offer_id = out.offer_id;
  code.expires_at = now + std::min(config_.code_seconds, config_.offer_seconds);
  code.max_tx_code_attempts = config_.tx_code_attempts;
  const Json details = {{"offer_id", out.offer_id}, {"citizen_id", citizen_id},
                        {"credential_configuration_id", configuration_id}, {"tx_code", with_tx_code}};
  const Status written = store_->WithTransaction([&](store::IssuerStore& tx) -> Status {
    RETURN_IF_ERROR(tx.CreateOffer(offer));
    RETURN_IF_ERROR(tx.CreatePreAuthorizedCode(code));
    return tx.AppendAudit(actor, "offer.create", DumpJson(details), now).status();
  });
  if (!written.ok()) return written;

  oid4vci::CredentialOffer wire;
  wire.credential_issuer = config_.issuer_url;
  wire.credential_configuration_ids = {std::string(configuration_id)};
  oid4vci::PreAuthorizedCodeGrant grant;
  grant.pre_authorized_code = out.pre_authorized_code;
  if (with_tx_code) {
    oid4vci::TxCode t;
    t.input_mode = oid4vci::TxCodeInputMode::kNumeric;
    t.length = config_.tx_code_length;
    t.description = "Enter the code we sent you";
    grant.tx_code = t;
  }
  wire.pre_authorized_code = std::move(grant);
  out.offer_uri = oid4vci::BuildCredentialOfferUri(wire);
  return out;
}

TokenOutcome IssuerService::Token(std::string_view form_body) {
  Result<oid4vci::TokenRequest> req = oid4vci::TokenRequest::Parse(form_body);
  if (!req.ok()) return ErrorResponse::FromStatus(Endpoint::kToken, req.status());
  const int64_t now = clock_.NowSeconds();
  Result<Bytes> code_hash = HashSecret("code", req->pre_authorized_code);
  if (!code_hash.ok()) return ErrorResponse::FromStatus(Endpoint::kToken, code_hash.status());
  std::optional<Bytes> tx_hash;
  if (req->tx_code.has_value()) {
    Result<Bytes> h = HashSecret("tx_code", *req->tx_code);
    if (!h.ok()) return ErrorResponse::FromStatus(Endpoint::kToken, h.status());
    tx_hash = std::move(*h);
  }
  std::optional<ByteView> tx_view;
  if (tx_hash.has_value()) tx_view = ByteView(*tx_hash);
  Result<store::CredentialOffer> offer = store_->RedeemPreAuthorizedCode(*code_hash, tx_view, now);
  if (!offer.ok()) {
    // The store's vocabulary at the token endpoint: a wrong tx_code (attempts remain) and a code
    // whose attempts are used up are both invalid_grant (RFC 6749 5.2; OID4VCI 6.3).
    const StatusCode c = offer.status().code();
    // A tx_code missing where the offer requires one, or sent where it requires none
    // (OID4VCI 1.0 section 6.3): invalid_request, and the redeem counted no attempt.
    if (c == StatusCode::kMalformed) return Err(Oid4vciError::kInvalidRequest, offer.status().message());
    if (c == StatusCode::kInvalidArgument) {
      return ErrorResponse::FromStatus(Endpoint::kToken, Error(StatusCode::kInvalidSignature, "wrong tx_code"));
    }
    if (c == StatusCode::kLimitExceeded) {
      return ErrorResponse::FromStatus(Endpoint::kToken,
                                       Error(StatusCode::kRevoked, "tx_code attempts used up; the code is void"));
    }
    if (c == StatusCode::kNotFound || c == StatusCode::kExpired) {
      return ErrorResponse::FromStatus(Endpoint::kToken, offer.status());
    }
    return ErrorResponse::FromStatus(Endpoint::kToken, Error(StatusCode::kInternal, "token: " + offer.status().message()));
  }
  AccessGrant tok;
  tok.offer_id = offer->offer_id;
  tok.citizen_id = offer->citizen_id;
  tok.credential_configuration_id = offer->credential_configuration_id;
  tok.expires_at = now + config_.token_seconds;
  Result<std::string> sealed = SealAccessToken(tok);
  // The code is spent by now; a token that cannot be made is the issuer's fault (server_error).
  if (!sealed.ok()) return ErrorResponse::FromStatus(Endpoint::kToken, Error(StatusCode::kInternal, sealed.status().message()));
  oid4vci::TokenResponse resp;
  resp.access_token = std::move(*sealed);
  resp.expires_in = config_.token_seconds;
  return resp;
}

// Access tokens are not stored. A token is base64url(IV || AES-256-GCM(JSON of what it
// authorises: offer, citizen, credential configuration, expiry)), under a key derived from the
// server secret (HKDF-SHA256) and with a fixed format label as associated data. The Credential and
// Notification Endpoints open it instead of looking it up: storing each token cost the Token
// Endpoint an insert into three B-trees and the Credential Endpoint a read, for nothing a token
// row could do that the sealed token cannot (no endpoint revokes access tokens; they expire).
// The token is opaque to the wallet, which cannot read or change what it authorises; a token made
// under another server secret, changed in any byte, or past its expiry is refused. Two issuer
// processes sharing a store share the server secret (as they must for codes and nonces), so
// either opens the other's tokens.
Result<std::string> IssuerService::SealAccessToken(const AccessGrant& token) const {
  const Json body = {{"cfg", token.credential_configuration_id},
                     {"cit", token.citizen_id},
                     {"exp", token.expires_at},
                     {"off", token.offer_id}};
  const Bytes iv = random_.Generate(crypto::kAesGcmIvSize);
  ASSIGN_OR_RETURN(Bytes sealed, crypto::Aes256GcmSeal(access_token_key_.view(), iv, AsBytes(kAccessTokenAad),
                                                       AsBytes(DumpJson(body))));
  Bytes raw = iv;
  raw.insert(raw.end(), sealed.begin(), sealed.end());
  std::string out = Base64UrlEncode(raw);
  if (out.size() > kMaxBearerChars) return Error(StatusCode::kInternal, "access token would be too long");
  return out;
}

Result<AccessGrant> IssuerService::OpenAccessToken(std::string_view token) const {
  auto unknown = [] { return Error(StatusCode::kNotFound, "unknown access token"); };
  Result<Bytes> raw = Base64UrlDecode(token);
  if (!raw.ok() || raw->size() < crypto::kAesGcmIvSize + crypto::kAesGcmTagSize) return unknown();
  const ByteView iv(raw->data(), crypto::kAesGcmIvSize);
  const ByteView sealed(raw->data() + crypto::kAesGcmIvSize, raw->size() - crypto::kAesGcmIvSize);
  Result<Bytes> body = crypto::Aes256GcmOpen(access_token_key_.view(), iv, AsBytes(kAccessTokenAad), sealed);
  if (!body.ok()) return unknown();
  // Only this issuer can have sealed the body; a malformed one means a bug, not an attack.
  Result<Json> j = ParseJsonObject(AsStringView(*body));
  if (!j.ok()) return Error(StatusCode::kInternal, "access token body: " + j.status().message());
  AccessGrant out;
  ASSIGN_OR_RETURN(out.credential_configuration_id, GetString(*j, "cfg"));
  ASSIGN_OR_RETURN(out.citizen_id, GetString(*j, "cit"));
  ASSIGN_OR_RETURN(out.expires_at, GetInt(*j, "exp"));
  ASSIGN_OR_RETURN(out.offer_id, GetString(*j, "off"));
  if (clock_.NowSeconds() >= out.expires_at) return Error(StatusCode::kExpired, "access token expired");
  return out;
}

// A c_nonce is stateless: base64url(16 random bytes || expiry as 8 big-endian bytes || the first
// 16 bytes of HMAC-SHA256(server secret, "c_nonce" || the first 24 bytes)). The Nonce Endpoint
// writes nothing (it used to store each nonce: one durable commit per request); single use is
// enforced when a Credential Request spends the nonce: its issuance transaction records it in the
// store's nonce table, whose unique key refuses a second spend, in this or any other process
// sharing the store. Expired records are purged with the other expired rows.
constexpr size_t kNonceRandomBytes = 16;
constexpr size_t kNonceBodyBytes = kNonceRandomBytes + 8;
constexpr size_t kNonceMacBytes = 16;

Result<oid4vci::NonceResponse> IssuerService::Nonce() {
  Bytes body = random_.Generate(kNonceRandomBytes);
  const uint64_t expires_at = static_cast<uint64_t>(clock_.NowSeconds() + config_.nonce_seconds);
  for (int shift = 56; shift >= 0; shift -= 8) body.push_back(static_cast<uint8_t>(expires_at >> shift));
  ASSIGN_OR_RETURN(Bytes mac, HashSecret("c_nonce", AsStringView(body)));
  body.insert(body.end(), mac.begin(), mac.begin() + kNonceMacBytes);
  oid4vci::NonceResponse r;
  r.c_nonce = Base64UrlEncode(body);
  return r;
}

Result<int64_t> IssuerService::CheckNonce(std::string_view nonce) const {
  Result<Bytes> raw = Base64UrlDecode(nonce);
  if (!raw.ok() || raw->size() != kNonceBodyBytes + kNonceMacBytes) {
    return Error(StatusCode::kNotFound, "c_nonce unknown");
  }
  const ByteView body(raw->data(), kNonceBodyBytes);
  ASSIGN_OR_RETURN(Bytes mac, HashSecret("c_nonce", AsStringView(body)));
  if (!crypto::ConstantTimeEquals(ByteView(mac.data(), kNonceMacBytes),
                                  ByteView(raw->data() + kNonceBodyBytes, kNonceMacBytes))) {
    return Error(StatusCode::kNotFound, "c_nonce unknown");
  }
  uint64_t expires_at = 0;
  for (size_t i = kNonceRandomBytes; i < kNonceBodyBytes; ++i) expires_at = (expires_at << 8) | (*raw)[i];
  if (expires_at > static_cast<uint64_t>(INT64_MAX)) return Error(StatusCode::kNotFound, "c_nonce unknown");
  if (clock_.NowSeconds() >= static_cast<int64_t>(expires_at)) return Error(StatusCode::kExpired, "c_nonce expired");
  return static_cast<int64_t>(expires_at);
}

// ---------------------------------------------------------------------------------------------
// Credential.

Result<AccessGrant> IssuerService::CheckBearer(std::string_view authorization) const {
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size()) return Error(StatusCode::kMalformed, "missing bearer token");
  for (size_t i = 0; i < kScheme.size(); ++i) {
    char c = authorization[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kScheme[i]) return Error(StatusCode::kMalformed, "Authorization is not a Bearer token");
  }
  std::string_view token = authorization.substr(kScheme.size());
  if (token.size() > kMaxBearerChars) return Error(StatusCode::kMalformed, "bearer token too long");
  for (char c : token) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                    c == '.' || c == '_' || c == '~' || c == '+' || c == '/' || c == '=';
    if (!ok) return Error(StatusCode::kMalformed, "bearer token has bad characters");
  }
  return OpenAccessToken(token);
}

// PendingIssuance carries a Credential Request from PrepareCredential through CommitCredential
// to FinishCredential: what was checked, what the credentials are made from, and (after the
// commit) their status indices.
struct PendingIssuance {
  AccessGrant token;
  std::string config_id;
  const CatalogueEntry* entry = nullptr;
  std::vector<oid4vci::VerifiedProof> proofs;
  std::string nonce;
  int64_t nonce_expires_at = 0;
  Json claims;
  std::vector<sdjwt::ClaimPath> disclosable_paths;
  std::optional<mdoc::NameSpaces> mdoc_name_spaces;
  int64_t now = 0;
  int64_t valid_seconds = 0;
  std::string batch_id;
  std::string list_uri;
  std::vector<int64_t> indices;  // set by CommitCredential
  bool committed = false;
  bool finished = false;  // FinishCredential moved the claims into the credentials
};

CredentialOutcome IssuerService::Credential(std::string_view authorization, std::string_view body) {
  PreparedCredential prepared = PrepareCredential(authorization, body);
  if (auto* err = std::get_if<ErrorResponse>(&prepared)) return *err;
  PendingIssuance& pending = *std::get<std::shared_ptr<PendingIssuance>>(prepared);
  if (std::optional<ErrorResponse> failed = CommitCredential(pending)) return *failed;
  return FinishCredential(pending);
}

PreparedCredential IssuerService::PrepareCredential(std::string_view authorization, std::string_view body) {
  Result<AccessGrant> token = CheckBearer(authorization);
  if (!token.ok()) return ErrorResponse::FromStatus(Endpoint::kBearerToken, token.status());

  Result<oid4vci::CredentialRequest> req = oid4vci::CredentialRequest::Parse(body);
  if (!req.ok()) return ErrorResponse::FromStatus(Endpoint::kCredentialRequest, req.status());
  if (req->credential_identifier.has_value()) {
    return Err(Oid4vciError::kUnknownCredentialIdentifier, "this issuer does not return credential identifiers");
  }
  const std::string config_id = *req->credential_configuration_id;
  auto entry_it = config_.catalogue.find(config_id);
  if (entry_it == config_.catalogue.end()) {
    return ErrorResponse::FromStatus(Endpoint::kCredentialRequest,
                                     Error(StatusCode::kNotFound, "unknown credential configuration " + config_id));
  }
  const CatalogueEntry& entry = entry_it->second;
  if (config_id != token->credential_configuration_id) {
    return Err(Oid4vciError::kCredentialRequestDenied, "the access token was not issued for " + config_id);
  }
  if (req->unverified_jwt_proofs.empty()) {
    return Err(Oid4vciError::kInvalidProof, "proofs.jwt is required (holder binding)");
  }

  // Proofs: signature, typ, aud, iat and the c_nonce they carry; the nonce is spent by the commit.
  const std::optional<std::string> nonce = UnverifiedNonce(req->unverified_jwt_proofs.front());
  // A nonce this issuer did not make, or one past its expiry, fails before any proof is checked.
  int64_t nonce_expires_at = 0;
  if (nonce.has_value()) {
    Result<int64_t> checked = CheckNonce(*nonce);
    if (!checked.ok()) {
      return Err(Oid4vciError::kInvalidNonce, checked.status().code() == StatusCode::kExpired
                                                  ? "c_nonce expired"
                                                  : "c_nonce unknown or already used");
    }
    nonce_expires_at = *checked;
  }
  oid4vci::ProofVerifierOptions po;
  po.credential_issuer = config_.issuer_url;
  // A proof without a readable nonce fails in the verifier (missing nonce: invalid_proof); the
  // placeholder never equals a real c_nonce, which is base64url.
  po.expected_nonce = nonce.value_or("!no-nonce");
  po.max_proofs = static_cast<size_t>(config_.batch_size);
  Result<oid4vci::ProofVerifier> verifier = oid4vci::ProofVerifier::Create(po, clock_);
  if (!verifier.ok()) return ErrorResponse::FromStatus(Endpoint::kCredentialProof, verifier.status());
  Result<std::vector<oid4vci::VerifiedProof>> proofs = verifier->VerifyProofs(req->unverified_jwt_proofs);
  if (!proofs.ok()) return ErrorResponse::FromStatus(Endpoint::kCredentialProof, proofs.status());
  if (!nonce.has_value()) return Err(Oid4vciError::kInvalidProof, "proofs verified without a nonce");

  // The citizen's claims for this configuration.
  Result<store::Citizen> citizen = store_->GetCitizen(token->citizen_id);
  if (!citizen.ok()) return Err(Oid4vciError::kCredentialRequestDenied, "citizen record unavailable");
  Result<Json> record = ParseJsonObject(citizen->data_json);
  const Json* claims_all = record.ok() ? Find(*record, "claims") : nullptr;
  const Json* claims = (claims_all != nullptr && claims_all->is_object()) ? Find(*claims_all, config_id) : nullptr;
  if (claims == nullptr || !claims->is_object() || claims->empty()) {
    return Err(Oid4vciError::kCredentialRequestDenied, "the citizen record has no claims for " + config_id);
  }

  auto p = std::make_shared<PendingIssuance>();
  // Everything a credential is made from is checked before anything is written, so a citizen
  // record that does not fit its configuration fails here and leaves no trace.
  if (entry.format() == oid4vci::CredentialFormat::kSdJwtVc) {
    for (const std::string& name : entry.disclosable) {
      Result<sdjwt::ClaimPath> path = sdjwt::ClaimPath::Parse(name);
      if (!path.ok()) return Err(Oid4vciError::kCredentialRequestDenied, "cannot issue: " + path.status().message());
      p->disclosable_paths.push_back(std::move(*path));
    }
  } else if (entry.format() == oid4vci::CredentialFormat::kMsoMdoc) {
    Result<mdoc::NameSpaces> ns = mdoc::ClaimsFromJson(*entry.metadata.doctype, *claims);
    if (!ns.ok()) return Err(Oid4vciError::kCredentialRequestDenied, "cannot issue: " + ns.status().message());
    p->mdoc_name_spaces = std::move(*ns);
  }
  p->token = std::move(*token);
  p->config_id = config_id;
  p->entry = &entry;
  p->proofs = std::move(*proofs);
  p->nonce = *nonce;
  p->nonce_expires_at = nonce_expires_at;
  p->claims = *claims;
  p->now = clock_.NowSeconds();
  p->valid_seconds = entry.valid_days * kDaySeconds;
  p->batch_id = RandomId(random_, 16);
  p->list_uri = StatusListUri(entry.status_list);
  return p;
}

// The bookkeeping (nonce spent, status indices, records, audit entry) commits in one short
// transaction; the signatures are made after it (FinishCredential), outside the store's write
// lock, so issuer threads sign in parallel instead of queueing behind each other's lock. A
// credential is therefore recorded before it exists: if signing then failed (an internal error)
// or the process died, the records name credentials nobody received, never the reverse (the
// crash-safety test, tests/cli/issuer_crash_test.cc, checks exactly that).
std::optional<ErrorResponse> IssuerService::CommitCredential(PendingIssuance& p) {
  if (p.committed) return Err(Oid4vciError::kCredentialRequestDenied, "issuance already committed");
  const CatalogueEntry& entry = *p.entry;
  std::optional<ErrorResponse> failure;
  std::vector<int64_t> indices;
  Status tx_status = store_->WithTransaction([&](store::IssuerStore& tx) -> Status {
    indices.clear();
    // Spend the nonce: recording it fails (unique key) when it was spent before.
    Status n = tx.CreateNonce(p.nonce, p.nonce_expires_at);
    if (!n.ok()) {
      if (n.code() == StatusCode::kInvalidArgument) {
        failure = Err(Oid4vciError::kInvalidNonce, "c_nonce unknown or already used");
      }
      return n;
    }
    const auto count = static_cast<int64_t>(p.proofs.size());
    ASSIGN_OR_RETURN(indices, tx.AllocateStatusIndices(entry.status_list, count, random_));
    // The copies are one row (store::IssuedBatch), whatever their number.
    store::IssuedBatch batch;
    batch.id_prefix = CredentialIdPrefix(random_, p.now);
    batch.citizen_id = p.token.citizen_id;
    batch.credential_configuration_id = p.config_id;
    batch.format = std::string(oid4vci::CredentialFormatName(entry.format()));
    batch.batch_group_id = p.batch_id;
    batch.status_list_id = entry.status_list;
    batch.status_indices = indices;
    batch.issued_at = p.now;
    batch.expires_at = p.now + p.valid_seconds;
    RETURN_IF_ERROR(tx.InsertIssuedBatch(batch));
    // The audit entry's details, written as text (members in the order DumpJson sorts them).
    std::string details = "{\"batch_group_id\":";
    AppendJsonString(details, p.batch_id);
    details += ",\"citizen_id\":";
    AppendJsonString(details, p.token.citizen_id);
    details += ",\"credential_configuration_id\":";
    AppendJsonString(details, p.config_id);
    details += ",\"credentials\":[";
    for (size_t k = 0; k < indices.size(); ++k) {
      details += k == 0 ? "{\"id\":" : ",{\"id\":";
      AppendJsonString(details, store::BatchCopyId(batch.id_prefix, k));
      details += ",\"status_index\":" + std::to_string(indices[k]) + ",\"status_list\":";
      AppendJsonString(details, entry.status_list);
      details.push_back('}');
    }
    details += "],\"offer_id\":";
    AppendJsonString(details, p.token.offer_id);
    details.push_back('}');
    return tx.AppendAudit("wallet", "credential.issue", details, p.now).status();
  });
  if (!tx_status.ok()) {
    if (failure.has_value()) return failure;
    return Err(Oid4vciError::kCredentialRequestDenied, "issuance failed: " + tx_status.ToString());
  }
  p.indices = std::move(indices);
  p.committed = true;
  return std::nullopt;
}

CredentialOutcome IssuerService::FinishCredential(PendingIssuance& p) {
  if (!p.committed) return Err(Oid4vciError::kCredentialRequestDenied, "issuance not committed");
  if (p.finished) return Err(Oid4vciError::kCredentialRequestDenied, "issuance already finished");
  p.finished = true;
  const CatalogueEntry& entry = *p.entry;
  oid4vci::CredentialResponse resp;
  resp.credentials.reserve(p.proofs.size());
  auto add = [&](Result<std::string> credential) -> std::optional<ErrorResponse> {
    if (!credential.ok()) {
      return Err(Oid4vciError::kCredentialRequestDenied, "cannot issue: " + credential.status().message());
    }
    resp.credentials.push_back({Json(std::move(*credential))});
    return std::nullopt;
  };
  // One request per batch; the copies differ only in holder key and status index, so the claims
  // are not copied again for each of them.
  switch (entry.format()) {
    case oid4vci::CredentialFormat::kSdJwtVc: {
      const SigningKey& k = keys_.active_sd_jwt();
      sdjwt::SdJwtVcIssueRequest r;
      r.iss = config_.issuer_url;
      r.vct = *entry.metadata.vct;
      r.claims = std::move(p.claims);
      r.valid_seconds = p.valid_seconds;
      r.kid = k.kid;
      r.disclosure.disclosable = std::move(p.disclosable_paths);
      for (size_t c = 0; c < p.proofs.size(); ++c) {
        r.holder_key = p.proofs[c].holder_key();
        r.status = sdjwt::StatusListReference{static_cast<uint64_t>(p.indices[c]), p.list_uri};
        if (auto failed = add(sdjwt::IssueSdJwtVc(r, k.key, clock_, random_))) return *failed;
      }
      break;
    }
    case oid4vci::CredentialFormat::kMsoMdoc: {
      const DocumentSigner& ds = keys_.active_mdoc();
      mdoc::IssueRequest r{.device_key = p.proofs.front().holder_key()};
      r.doc_type = *entry.metadata.doctype;
      r.name_spaces = std::move(*p.mdoc_name_spaces);
      r.validity.signed_at = p.now;
      r.validity.valid_from = p.now;
      r.validity.valid_until = std::min(p.now + p.valid_seconds, ds.chain.front().not_after());
      for (size_t c = 0; c < p.proofs.size(); ++c) {
        r.device_key = p.proofs[c].holder_key();
        r.status = status::StatusReference{static_cast<uint64_t>(p.indices[c]), p.list_uri};
        Result<Bytes> encoded = mdoc::IssueMdocEncoded(r, ds.key, ds.chain_der, random_);
        if (auto failed = add(encoded.ok() ? Result<std::string>(Base64UrlEncode(*encoded))
                                           : Result<std::string>(encoded.status()))) {
          return *failed;
        }
      }
      break;
    }
    case oid4vci::CredentialFormat::kJwtVcJson: {
      const SigningKey& k = keys_.active_vc_jwt();
      vcjwt::VcJwtIssueRequest r;
      r.issuer = config_.vc_did;
      r.kid = config_.vc_did + "#" + k.kid;
      r.type = entry.vc_type;
      r.name = entry.name_en;
      r.description = entry.description_en;
      r.subject_claims = std::move(p.claims);
      r.validity_seconds = p.valid_seconds;
      for (size_t c = 0; c < p.proofs.size(); ++c) {
        r.holder_key = p.proofs[c].holder_key();
        const auto index = static_cast<uint64_t>(p.indices[c]);
        vcjwt::BitstringStatusListEntry st;
        st.id = p.list_uri + "#" + std::to_string(index);
        st.status_purpose = "revocation";
        st.status_list_index = index;
        st.status_list_credential = p.list_uri;
        r.status = std::move(st);
        if (auto failed = add(vcjwt::IssueVcJwt(r, k.key, clock_))) return *failed;
      }
      break;
    }
  }
  if (resp.credentials.size() != p.proofs.size()) return Err(Oid4vciError::kCredentialRequestDenied, "unknown format");
  resp.notification_id = p.batch_id;
  return resp;
}

NotificationOutcome IssuerService::Notification(std::string_view authorization, std::string_view body) {
  Result<AccessGrant> token = CheckBearer(authorization);
  if (!token.ok()) return ErrorResponse::FromStatus(Endpoint::kBearerToken, token.status());
  Result<oid4vci::NotificationRequest> req = oid4vci::NotificationRequest::Parse(body);
  if (!req.ok()) return ErrorResponse::FromStatus(Endpoint::kNotification, req.status());
  Result<std::vector<store::IssuedCredential>> mine =
      store_->ListIssuedCredentials(token->citizen_id, token->credential_configuration_id);
  const bool known = mine.ok() && std::any_of(mine->begin(), mine->end(), [&](const store::IssuedCredential& r) {
                       return r.batch_group_id == req->notification_id;
                     });
  if (!known) {
    return ErrorResponse::FromStatus(Endpoint::kNotification, Error(StatusCode::kNotFound, "unknown notification_id"));
  }
  store::NotificationState state = store::NotificationState::kAccepted;
  if (req->event == oid4vci::NotificationEvent::kCredentialFailure) state = store::NotificationState::kFailure;
  if (req->event == oid4vci::NotificationEvent::kCredentialDeleted) state = store::NotificationState::kDeleted;
  const Json details = {{"citizen_id", token->citizen_id}, {"notification_id", req->notification_id},
                        {"event", oid4vci::NotificationEventName(req->event)}};
  Status s = store_->WithTransaction([&](store::IssuerStore& tx) -> Status {
    RETURN_IF_ERROR(tx.SetNotificationState(req->notification_id, state));
    return tx.AppendAudit("wallet", "credential.notification", DumpJson(details), clock_.NowSeconds()).status();
  });
  if (!s.ok()) return ErrorResponse::FromStatus(Endpoint::kNotification, s);
  return NotificationAccepted{};
}

// ---------------------------------------------------------------------------------------------
// Admin.

bool IssuerService::CheckAdminToken(std::string_view presented) const {
  // Compare MACs of both sides so neither the length nor the content leaks through timing.
  Result<Bytes> a = HashSecret("admin", presented);
  Result<Bytes> b = HashSecret("admin", AsStringView(keys_.admin_token.view()));
  return a.ok() && b.ok() && crypto::ConstantTimeEquals(*a, *b);
}

namespace {
Result<std::string> CitizenId(const Json& record) {
  const Json* id = Find(record, "id");
  if (id == nullptr || !id->is_string() || id->get<std::string>().empty()) {
    return Error(StatusCode::kInvalidClaims, "citizen record needs a non-empty string id");
  }
  const Json* claims = Find(record, "claims");
  if (claims == nullptr || !claims->is_object()) return Error(StatusCode::kInvalidClaims, "citizen record needs a claims object");
  for (const auto& [k, v] : claims->items()) {
    if (!v.is_object()) return Error(StatusCode::kInvalidClaims, "claims." + k + " is not an object");
  }
  return id->get<std::string>();
}
}  // namespace

Status IssuerService::UpsertCitizen(std::string_view record_json, std::string_view actor) {
  ASSIGN_OR_RETURN(Json record, ParseJsonObject(record_json));
  ASSIGN_OR_RETURN(std::string id, CitizenId(record));
  const int64_t now = clock_.NowSeconds();
  return store_->WithTransaction([&](store::IssuerStore& tx) -> Status {
    RETURN_IF_ERROR(tx.UpsertCitizen(id, DumpJson(record), now));
    return tx.AppendAudit(actor, "citizen.upsert", DumpJson(Json{{"citizen_id", id}}), now).status();
  });
}

Status IssuerService::ImportCitizens(const std::vector<std::string>& records_json, std::string_view actor) {
  std::vector<store::CitizenInput> rows;
  rows.reserve(records_json.size());
  for (size_t i = 0; i < records_json.size(); ++i) {
    Result<Json> record = ParseJsonObject(records_json[i]);
    if (!record.ok()) return Error(record.status().code(), "row " + std::to_string(i + 1) + ": " + record.status().message());
    Result<std::string> id = CitizenId(*record);
    if (!id.ok()) return Error(id.status().code(), "row " + std::to_string(i + 1) + ": " + id.status().message());
    rows.push_back({std::move(*id), DumpJson(*record)});
  }
  const int64_t now = clock_.NowSeconds();
  return store_->WithTransaction([&](store::IssuerStore& tx) -> Status {
    RETURN_IF_ERROR(tx.UpsertCitizens(rows, now));
    return tx.AppendAudit(actor, "citizen.import", DumpJson(Json{{"rows", rows.size()}}), now).status();
  });
}

Result<std::vector<store::IssuedCredential>> IssuerService::ListIssued(std::string_view citizen_id) {
  return store_->ListIssuedCredentials(citizen_id, std::nullopt);
}

Result<std::vector<std::string>> IssuerService::Revoke(const AdminTarget& t, std::string_view actor) {
  return SetStatus(t, store::CredentialStatus::kRevoked, "credential.revoke", actor);
}
Result<std::vector<std::string>> IssuerService::Suspend(const AdminTarget& t, std::string_view actor) {
  return SetStatus(t, store::CredentialStatus::kSuspended, "credential.suspend", actor);
}
Result<std::vector<std::string>> IssuerService::Reinstate(const AdminTarget& t, std::string_view actor) {
  return SetStatus(t, store::CredentialStatus::kValid, "credential.reinstate", actor);
}

Result<std::vector<std::string>> IssuerService::SetStatus(const AdminTarget& t, store::CredentialStatus status,
                                                          std::string_view action, std::string_view actor) {
  std::vector<store::IssuedCredential> targets;
  if (t.credential_id.has_value()) {
    if (t.citizen_id.has_value() || t.configuration_id.has_value()) {
      return Error(StatusCode::kInvalidArgument, "give a credential id or a citizen and configuration, not both");
    }
    ASSIGN_OR_RETURN(store::IssuedCredential rec, store_->GetIssuedCredential(*t.credential_id));
    targets.push_back(std::move(rec));
  } else if (t.citizen_id.has_value() && t.configuration_id.has_value()) {
    ASSIGN_OR_RETURN(targets, store_->ListIssuedCredentials(*t.citizen_id, std::string_view(*t.configuration_id)));
    if (targets.empty()) return Error(StatusCode::kNotFound, "nothing issued to that citizen for that configuration");
  } else {
    return Error(StatusCode::kInvalidArgument, "give a credential id, or a citizen and a configuration");
  }
  const uint8_t value = static_cast<uint8_t>(status);  // VALID 0, INVALID 1, SUSPENDED 2
  for (const store::IssuedCredential& r : targets) {
    const StatusListSpec* spec = FindList(r.status_list_id);
    if (spec == nullptr) return Error(StatusCode::kInternal, "record names unknown list " + r.status_list_id);
    if (spec->kind == StatusListKind::kBitstring && status == store::CredentialStatus::kSuspended) {
      return Error(StatusCode::kInvalidArgument, "list " + spec->id + " records revocation only; suspension is not possible");
    }
  }
  const int64_t now = clock_.NowSeconds();
  std::vector<std::string> ids;
  Json details_ids = Json::array();
  for (const store::IssuedCredential& r : targets) {
    ids.push_back(r.id);
    details_ids.push_back(r.id);
  }
  const Json details = {{"credentials", details_ids}, {"status", StatusName(status)}};
  // The targets' indices per list: each list is rewritten once, however many copies it holds.
  std::vector<std::pair<std::string, std::vector<int64_t>>> lists;
  for (const store::IssuedCredential& r : targets) {
    auto it = std::find_if(lists.begin(), lists.end(), [&](const auto& l) { return l.first == r.status_list_id; });
    if (it == lists.end()) it = lists.insert(lists.end(), {r.status_list_id, {}});
    it->second.push_back(r.status_index);
  }
  const Status written = store_->WithTransaction([&](store::IssuerStore& tx) -> Status {
    for (const store::IssuedCredential& r : targets) RETURN_IF_ERROR(tx.SetCredentialStatus(r.id, status));
    for (const auto& [list, indices] : lists) RETURN_IF_ERROR(tx.SetStatuses(list, indices, value, now));
    return tx.AppendAudit(actor, action, DumpJson(details), now).status();
  });
  if (!written.ok()) return written;
  // Republish (re-sign) every affected list now, so the next fetch serves the new state.
  for (const auto& [list, indices] : lists) RETURN_IF_ERROR(StatusListToken(list).status());
  return ids;
}

Result<PublishedStatusList> IssuerService::Publish(const store::StatusListRecord& rec) {
  const StatusListSpec* spec = FindList(rec.id);
  if (spec == nullptr) return Error(StatusCode::kNotFound, "status list " + rec.id + " is not configured");
  const int64_t now = clock_.NowSeconds();
  const int64_t ttl = config_.status_ttl_seconds;
  PublishedStatusList out;
  out.max_age = ttl;
  out.version = rec.version;
  out.signed_at = now;
  out.etag = "\"" + rec.id + "-" + std::to_string(rec.version) + "-" + std::to_string(now) + "\"";
  ASSIGN_OR_RETURN(status::StatusList list, status::StatusList::FromBytes(rec.bits, rec.list_bytes));
  if (spec->kind == StatusListKind::kTokenStatusList) {
    const SigningKey& k = keys_.active_sd_jwt();
    status::StatusListTokenParams p;
    p.sub = StatusListUri(rec.id);
    p.iat = now;
    p.exp = now + 2 * ttl;
    p.ttl = ttl;
    p.iss = config_.issuer_url;
    p.kid = k.kid;
    if (spec->format == StatusListFormat::kCwt) {
      ASSIGN_OR_RETURN(Bytes cwt, status::IssueStatusListCwt(p, list, k.key));
      out.body.assign(cwt.begin(), cwt.end());
      out.content_type = std::string(status::kStatusListCwtType);
    } else {
      ASSIGN_OR_RETURN(out.body, status::IssueStatusListToken(p, list, k.key));
      out.content_type = "application/statuslist+jwt";
    }
  } else {
    // The store keeps every list in the Token Status List layout (LSB first); the Bitstring
    // Status List is MSB first, so the set entries are copied over one by one.
    ASSIGN_OR_RETURN(status::BitstringStatusList bits,
                     status::BitstringStatusList::Create(std::max<uint64_t>(static_cast<uint64_t>(rec.size),
                                                                            status::kMinBitstringBits)));
    for (uint64_t i = 0; i < static_cast<uint64_t>(rec.size); ++i) {
      ASSIGN_OR_RETURN(status::StatusType v, list.Get(i));
      if (v != status::StatusType::kValid) RETURN_IF_ERROR(bits.Set(i, 1));
    }
    const SigningKey& k = keys_.active_vc_jwt();
    status::BitstringStatusListCredentialParams p;
    p.id = StatusListUri(rec.id);
    p.issuer = config_.vc_did;
    p.valid_from = now;
    p.valid_until = now + 2 * ttl;
    p.purpose = status::StatusPurpose::kRevocation;
    p.kid = config_.vc_did + "#" + k.kid;
    ASSIGN_OR_RETURN(out.body, status::IssueBitstringStatusListCredential(p, bits, k.key));
    out.content_type = "application/vc+jwt";
  }
  return out;
}

Result<PublishedStatusList> IssuerService::StatusListToken(std::string_view list_id) {
  if (FindList(list_id) == nullptr) return Error(StatusCode::kNotFound, "no status list " + std::string(list_id));
  ASSIGN_OR_RETURN(store::StatusListRecord rec, store_->GetStatusList(list_id));
  const int64_t now = clock_.NowSeconds();
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = published_.find(list_id);
    // Reuse a publication of the same version while less than half its ttl old.
    if (it != published_.end() && it->second.version == rec.version &&
        now - it->second.signed_at < it->second.max_age / 2) {
      return it->second;
    }
  }
  ASSIGN_OR_RETURN(PublishedStatusList pub, Publish(rec));
  std::lock_guard<std::mutex> lock(mu_);
  published_[std::string(list_id)] = pub;
  return pub;
}

Result<int64_t> IssuerService::PurgeExpired() { return store_->PurgeExpired(clock_.NowSeconds()); }

// ---------------------------------------------------------------------------------------------
// ExpiryPurger.

ExpiryPurger::ExpiryPurger(IssuerService& service, std::chrono::milliseconds interval, Report report)
    : service_(service), interval_(interval), report_(std::move(report)) {}

ExpiryPurger::~ExpiryPurger() { Stop(); }

Result<int64_t> ExpiryPurger::RunOnce() {
  Result<int64_t> purged = service_.PurgeExpired();
  if (report_) report_(purged);
  std::lock_guard<std::mutex> lock(mu_);
  ++runs_;
  return purged;
}

Result<int64_t> ExpiryPurger::Start() {
  if (interval_.count() <= 0) return Error(StatusCode::kInvalidArgument, "purge interval must be positive");
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (started_) return Error(StatusCode::kInvalidArgument, "purger already started");
    started_ = true;
    if (stopping_) return Error(StatusCode::kInvalidArgument, "purger was stopped");
  }
  Result<int64_t> first = RunOnce();
  thread_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stopping_) {
      if (cv_.wait_for(lock, interval_, [this] { return stopping_; })) break;
      lock.unlock();
      (void)RunOnce();
      lock.lock();
    }
  });
  return first;
}

void ExpiryPurger::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

int64_t ExpiryPurger::runs() const {
  std::lock_guard<std::mutex> lock(mu_);
  return runs_;
}

}  // namespace bonafide::issuer
