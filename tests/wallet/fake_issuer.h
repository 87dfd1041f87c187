// tests/wallet/fake_issuer.h: an in-memory OpenID4VCI 1.0 issuer for the wallet tests, and the
// HttpTransport that routes the wallet's requests to it.
//
// The fake is honest: it parses every request with the oid4vci parsers (TokenRequest::Parse,
// CredentialRequest::Parse, NotificationRequest::Parse), checks tx_codes with CheckTxCode, checks
// every proof with ProofVerifier (audience, nonce, typ, signature, batch size), consumes
// pre-authorized codes and nonces once, and answers errors with ErrorResponse::FromStatus. It
// issues real SD-JWT VCs (sdjwt::IssueSdJwtVc, signed by an ES256 issuer key, kid kSdJwtKid),
// mdocs (mdoc::IssueMdocEncoded, signed by a document signer under a fresh IACA) and jwt_vc_json
// credentials (vcjwt::IssueVcJwt, iss the did:web of the issuer host), one per proof key, and
// publishes what a wallet verifies them with: /.well-known/jwt-vc-issuer (the SD-JWT VC key),
// /iacas (the IACA as PEM) and /.well-known/did.json (the did:web document of the VC-JWT key).
// Faults are injected per endpoint (`inject`) or by `tamper` modes on the credential response.
// The issuer identifier and the issuing clock are constructor arguments, so the same issuer can
// be served on a loopback port (loopback_issuer.h) to a wallet using the system clock.
#ifndef BONAFIDE_TESTS_WALLET_FAKE_ISSUER_H_
#define BONAFIDE_TESTS_WALLET_FAKE_ISSUER_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "base/clock.h"
#include "base/encoding.h"
#include "base/json.h"
#include "cbor/cbor.h"
#include "crypto/keys.h"
#include "crypto/random.h"
#include "jose/jws.h"
#include "mdoc/iaca.h"
#include "mdoc/issuer.h"
#include "oid4vci/credential.h"
#include "oid4vci/errors.h"
#include "oid4vci/metadata.h"
#include "oid4vci/offer.h"
#include "oid4vci/proof.h"
#include "oid4vci/token.h"
#include "sdjwt/sdjwt_vc.h"
#include "vcjwt/vc_jwt.h"
#include "wallet/receive.h"

namespace bonafide::wallet::testing {

inline constexpr int64_t kIssuerNow = 1795694400;  // 2026-11-26T12:00:00Z
inline constexpr char kIssuerId[] = "https://issuer.example.gov.uk";
inline constexpr char kSdJwtConfig[] = "basic_dbs_sd_jwt";
inline constexpr char kMdocConfig[] = "mdl_mdoc";
inline constexpr char kJwtVcConfig[] = "veteran_jwt_vc";
inline constexpr char kVct[] = "https://issuer.example.gov.uk/vct/basic-dbs";
inline constexpr char kMdlDocType[] = "org.iso.18013.5.1.mDL";
// The holder's personal data, which must never appear in clear in the wallet's files.
inline constexpr char kHolderFamilyName[] = "Pritchard-Okonkwo";
inline constexpr char kHolderGivenName[] = "Gwenllian";
inline constexpr char kDocumentNumber[] = "DBSX77Q4412Z";
inline constexpr char kVcType[] = "DigitalVeteranCard";
inline constexpr char kSdJwtKid[] = "sd-key-1";
inline constexpr char kVcKid[] = "vc-key-1";

// DidWebOf returns the did:web of an issuer URL's host (":" of a port as %3A), written out here
// independently of the wallet's own derivation.
inline std::string DidWebOf(const std::string& issuer_url) {
  std::string host = issuer_url.substr(issuer_url.find("://") + 3);
  host = host.substr(0, host.find('/'));
  std::string did = "did:web:";
  for (char c : host) did += c == ':' ? std::string("%3A") : std::string(1, c);
  return did;
}

// Endpoint names for fault injection.
enum class FakeEndpoint {
  kOffer, kIssuerMetadata, kAsMetadata, kToken, kNonce, kCredential, kNotification,
  kJwtVcIssuer, kIacas, kDidDocument
};

// Injected is a canned response for an endpoint: an OID4VCI error or a bare HTTP status.
struct Injected {
  int status = 400;
  std::string body;  // "" for none
};

inline Injected InjectError(oid4vci::Oid4vciError error, const std::string& description = "injected") {
  oid4vci::ErrorResponse response{error, description};
  return Injected{response.http_status(), DumpJson(response.ToJson())};
}

inline oid4vci::CredentialDisplay Display(const char* name, const char* locale) {
  oid4vci::CredentialDisplay d;
  d.name = name;
  d.locale = locale;
  return d;
}

class FakeIssuer {
 public:
  // Tamper modes for the credential response:
  //   kForeignKey    the first credential is bound to a key the wallet did not send;
  //   kWrongType     wrong vct / doctype;
  //   kDropOne       one credential fewer than proofs;
  //   kDuplicateKey  the second credential bound to the first proof's key;
  //   kWrongSigner   signed by a key other than the published one (same kid / same chain);
  //   kWrongIss      SD-JWT VC iss / VC-JWT issuer of another issuer (signed with the real key);
  //   kUnknownKid    SD-JWT VC / VC-JWT signed by the real key under a kid that is not published;
  //   kForeignIaca   mdoc signed by a document signer under another IACA than /iacas publishes.
  enum class Tamper {
    kNone, kForeignKey, kWrongType, kDropOne, kDuplicateKey, kWrongSigner, kWrongIss, kUnknownKid, kForeignIaca
  };

  // The issuer stamps credentials at `now` (its PKI is made a day earlier); with `live_clock` it
  // then follows the system clock for proofs and SD-JWT / VC-JWT times.
  explicit FakeIssuer(int64_t batch_size = 3, std::string issuer_id = kIssuerId, int64_t now = kIssuerNow,
                      bool live_clock = false)
      : issuer_id_(std::move(issuer_id)),
        fixed_clock_(now),
        clock_(live_clock ? &SystemClock::Default() : static_cast<const Clock*>(&fixed_clock_)),
        now_(now) {
    FixedClock pki_clock(now - 86400);
    mdoc::IacaOptions iaca_options;
    iaca_options.common_name = "fake issuer IACA";
    iaca_options.issuer_alt_uri = "https://issuer.example.gov.uk/iaca";
    auto iaca = mdoc::CreateIaca(iaca_options, pki_clock);
    EXPECT_TRUE(iaca.ok()) << iaca.status().ToString();
    mdoc::DocumentSignerOptions ds_options;
    ds_options.common_name = "fake issuer DS";
    auto ds = mdoc::CreateDocumentSigner(iaca->key, iaca->certificate, ds_options, pki_clock);
    EXPECT_TRUE(ds.ok()) << ds.status().ToString();
    iaca_cert_der_ = iaca->certificate.der();
    iaca_pem_ = iaca->certificate.ToPem();
    ds_key_.emplace(std::move(ds->key));
    ds_chain_ = {ds->certificate.der()};
    // A second, unrelated IACA and document signer (kForeignIaca; tests' wrong anchors).
    iaca_options.common_name = "other IACA";
    auto other = mdoc::CreateIaca(iaca_options, pki_clock);
    EXPECT_TRUE(other.ok()) << other.status().ToString();
    other_iaca_pem_ = other->certificate.ToPem();
    auto other_ds = mdoc::CreateDocumentSigner(other->key, other->certificate, ds_options, pki_clock);
    EXPECT_TRUE(other_ds.ok()) << other_ds.status().ToString();
    other_ds_key_.emplace(std::move(other_ds->key));
    other_ds_chain_ = {other_ds->certificate.der()};

    metadata_.credential_issuer = issuer_id_;
    metadata_.credential_endpoint = issuer_id_ + "/credential";
    metadata_.nonce_endpoint = issuer_id_ + "/nonce";
    metadata_.notification_endpoint = issuer_id_ + "/notification";
    if (batch_size >= 2) metadata_.batch_size = batch_size;
    metadata_.display = {oid4vci::IssuerDisplay{"Disclosure and Barring Service", "en", std::nullopt},
                         oid4vci::IssuerDisplay{"Gwasanaeth Datgelu a Gwahardd", "cy", std::nullopt}};
    oid4vci::ProofTypeMetadata jwt_proof{{"ES256"}, std::nullopt};
    oid4vci::CredentialConfiguration sd;
    sd.format = oid4vci::CredentialFormat::kSdJwtVc;
    sd.vct = kVct;
    sd.cryptographic_binding_methods_supported = {"jwk"};
    sd.credential_signing_alg_values_supported = {std::string("ES256")};
    sd.proof_types_supported = {{"jwt", jwt_proof}};
    sd.display = {Display("Basic DBS check", "en"),
                  Display("Gwiriad DBS sylfaenol", "cy")};
    metadata_.credential_configurations_supported[kSdJwtConfig] = sd;
    oid4vci::CredentialConfiguration md;
    md.format = oid4vci::CredentialFormat::kMsoMdoc;
    md.doctype = kMdlDocType;
    md.cryptographic_binding_methods_supported = {"cose_key"};
    md.credential_signing_alg_values_supported = {int64_t{-7}};
    md.proof_types_supported = {{"jwt", jwt_proof}};
    md.display = {Display("Driving licence", "en-GB"),
                  Display("Trwydded yrru", "cy-GB")};
    metadata_.credential_configurations_supported[kMdocConfig] = md;
    oid4vci::CredentialConfiguration vc;
    vc.format = oid4vci::CredentialFormat::kJwtVcJson;
    vc.credential_definition_type = {"VerifiableCredential", kVcType};
    vc.cryptographic_binding_methods_supported = {"did:key"};
    vc.credential_signing_alg_values_supported = {std::string("ES256")};
    vc.proof_types_supported = {{"jwt", jwt_proof}};
    vc.display = {Display("Veteran card", "en"), Display("Cerdyn cyn-filwr", "cy")};
    metadata_.credential_configurations_supported[kJwtVcConfig] = vc;

    Json jwk = issuer_key_.public_key().ToJwk();
    jwk["kid"] = kSdJwtKid;
    jwt_vc_issuer_metadata_jwks_ = Json{{"keys", Json::array({jwk})}};
    jwt_vc_issuer_metadata = Json{{"issuer", issuer_id_}, {"jwks", jwt_vc_issuer_metadata_jwks_}};
  }

  // --- test controls ---
  // CreateOffer registers a pre-authorized code for `configs` (with `tx_code` required when set)
  // and returns the offer URI by value, or by reference when `by_reference`.
  std::string CreateOffer(std::vector<std::string> configs, std::optional<std::string> tx_code = std::nullopt,
                          bool by_reference = false) {
    const std::string code = "code-" + std::to_string(++counter_);
    codes_[code] = Code{configs, tx_code, false};
    oid4vci::CredentialOffer offer;
    offer.credential_issuer = issuer_id_;
    offer.credential_configuration_ids = configs;
    oid4vci::PreAuthorizedCodeGrant grant;
    grant.pre_authorized_code = code;
    if (tx_code.has_value()) {
      grant.tx_code = oid4vci::TxCode{oid4vci::TxCodeInputMode::kNumeric, static_cast<int64_t>(tx_code->size()),
                                      "Enter the code we sent to your phone"};
    }
    offer.pre_authorized_code = grant;
    if (!by_reference) return oid4vci::BuildCredentialOfferUri(offer);
    const std::string url = issuer_id_ + "/offers/" + code;
    offers_by_reference_[url] = offer.ToJson();
    return *oid4vci::BuildCredentialOfferReferenceUri(url);
  }

  oid4vci::CredentialIssuerMetadata& metadata() { return metadata_; }
  const crypto::PublicKey& issuer_public_key() const { return issuer_key_.public_key(); }
  const Bytes& iaca_der() const { return iaca_cert_der_; }
  const std::string& iaca_pem() const { return iaca_pem_; }
  // other_iaca_pem is an IACA that signed nothing this issuer publishes.
  const std::string& other_iaca_pem() const { return other_iaca_pem_; }
  const std::string& issuer_id() const { return issuer_id_; }
  std::string did() const { return DidWebOf(issuer_id_); }
  // jwt_vc_issuer_metadata is what /.well-known/jwt-vc-issuer serves (tests may change it).
  Json jwt_vc_issuer_metadata;
  // jwks() is the SD-JWT VC key set, also served at <issuer>/jwks (for metadata with jwks_uri).
  Json jwks() const { return jwt_vc_issuer_metadata_jwks_; }
  std::map<FakeEndpoint, Injected> inject;
  Tamper tamper = Tamper::kNone;
  // issue_at, when set, stamps SD-JWT VCs and VC-JWTs (iat, nbf, exp) at this time instead of now.
  std::optional<int64_t> issue_at;
  // notifications received: (notification_id, event).
  std::vector<std::pair<std::string, std::string>> notifications;
  int requests = 0;
  size_t last_proof_count = 0;

  // --- HTTP handling ---
  HttpResponse Handle(const std::string& method, const std::string& url, const HttpHeaders& headers,
                      const std::string& body) {
    ++requests;
    const std::string& base = issuer_id_;
    if (url == base + std::string(oid4vci::kCredentialIssuerWellKnown) && method == "GET") {
      if (auto r = Fault(FakeEndpoint::kIssuerMetadata)) return *r;
      return Json200(metadata_.ToJson());
    }
    if (url == base + std::string(oid4vci::kAuthorizationServerWellKnown) && method == "GET") {
      if (auto r = Fault(FakeEndpoint::kAsMetadata)) return *r;
      oid4vci::AuthorizationServerMetadata as;
      as.issuer = issuer_id_;
      as.token_endpoint = base + "/token";
      as.pre_authorized_grant_anonymous_access_supported = true;
      return Json200(as.ToJson());
    }
    if (offers_by_reference_.count(url) != 0 && method == "GET") {
      if (auto r = Fault(FakeEndpoint::kOffer)) return *r;
      return Json200(offers_by_reference_[url]);
    }
    if (url == base + "/.well-known/jwt-vc-issuer" && method == "GET") {
      if (auto r = Fault(FakeEndpoint::kJwtVcIssuer)) return *r;
      return Json200(jwt_vc_issuer_metadata);
    }
    if (url == base + "/jwks" && method == "GET") return Json200(jwt_vc_issuer_metadata_jwks_);
    if (url == base + "/iacas" && method == "GET") {
      if (auto r = Fault(FakeEndpoint::kIacas)) return *r;
      return HttpResponse{200, {{"content-type", "application/x-pem-file"}}, iaca_pem_};
    }
    if (url == base + "/.well-known/did.json" && method == "GET") {
      if (auto r = Fault(FakeEndpoint::kDidDocument)) return *r;
      return Json200(DidDocument());
    }
    if (url == base + "/token" && method == "POST_FORM") {
      if (auto r = Fault(FakeEndpoint::kToken)) return *r;
      return Token(body);
    }
    if (url == base + "/nonce" && method == "POST_FORM") {
      if (auto r = Fault(FakeEndpoint::kNonce)) return *r;
      const std::string nonce = "nonce-" + std::to_string(++counter_);
      nonces_.insert(nonce);
      return Json200(oid4vci::NonceResponse{nonce}.ToJson());
    }
    if (url == base + "/credential" && method == "POST_JSON") {
      if (auto r = Fault(FakeEndpoint::kCredential)) return *r;
      return Credential(headers, body);
    }
    if (url == base + "/notification" && method == "POST_JSON") {
      if (auto r = Fault(FakeEndpoint::kNotification)) return *r;
      if (!Authorised(headers)) return ErrorAt(oid4vci::Endpoint::kBearerToken, Error(StatusCode::kNotFound, "token"));
      auto request = oid4vci::NotificationRequest::Parse(body);
      if (!request.ok()) return ErrorAt(oid4vci::Endpoint::kNotification, request.status());
      notifications.emplace_back(request->notification_id,
                                 std::string(oid4vci::NotificationEventName(request->event)));
      return HttpResponse{204, {}, ""};
    }
    return HttpResponse{404, {}, "not found"};
  }

 private:
  struct Code {
    std::vector<std::string> configs;
    std::optional<std::string> tx_code;
    bool used;
  };

  std::optional<HttpResponse> Fault(FakeEndpoint endpoint) {
    auto it = inject.find(endpoint);
    if (it == inject.end()) return std::nullopt;
    return HttpResponse{it->second.status, {{"content-type", "application/json"}}, it->second.body};
  }
  static HttpResponse Json200(const Json& body) {
    return HttpResponse{200, {{"content-type", "application/json"}}, DumpJson(body)};
  }
  static HttpResponse ErrorAt(oid4vci::Endpoint endpoint, const Status& status) {
    oid4vci::ErrorResponse response = oid4vci::ErrorResponse::FromStatus(endpoint, status);
    return HttpResponse{response.http_status(), {{"content-type", "application/json"}}, DumpJson(response.ToJson())};
  }
  bool Authorised(const HttpHeaders& headers) const {
    auto it = headers.find("authorization");
    return it != headers.end() && it->second.rfind("Bearer ", 0) == 0 && tokens_.count(it->second.substr(7)) != 0;
  }

  HttpResponse Token(const std::string& body) {
    auto request = oid4vci::TokenRequest::Parse(body);
    if (!request.ok()) return ErrorAt(oid4vci::Endpoint::kToken, request.status());
    auto it = codes_.find(request->pre_authorized_code);
    if (it == codes_.end()) return ErrorAt(oid4vci::Endpoint::kToken, Error(StatusCode::kNotFound, "unknown code"));
    if (it->second.used) return ErrorAt(oid4vci::Endpoint::kToken, Error(StatusCode::kRevoked, "code already used"));
    Status tx = oid4vci::CheckTxCode(*request, it->second.tx_code);
    if (!tx.ok()) return ErrorAt(oid4vci::Endpoint::kToken, tx);
    it->second.used = true;
    const std::string token = "at-" + std::to_string(++counter_);
    tokens_.insert(token);
    oid4vci::TokenResponse response;
    response.access_token = token;
    response.expires_in = 300;
    return Json200(response.ToJson());
  }

  HttpResponse Credential(const HttpHeaders& headers, const std::string& body) {
    if (!Authorised(headers)) return ErrorAt(oid4vci::Endpoint::kBearerToken, Error(StatusCode::kNotFound, "token"));
    auto request = oid4vci::CredentialRequest::Parse(body);
    if (!request.ok()) return ErrorAt(oid4vci::Endpoint::kCredentialRequest, request.status());
    const oid4vci::CredentialConfiguration* config =
        request->credential_configuration_id ? metadata_.FindConfiguration(*request->credential_configuration_id)
                                             : nullptr;
    if (config == nullptr) {
      return ErrorAt(oid4vci::Endpoint::kCredentialRequest, Error(StatusCode::kNotFound, "unknown configuration"));
    }
    last_proof_count = request->unverified_jwt_proofs.size();
    if (request->unverified_jwt_proofs.empty()) {
      return ErrorAt(oid4vci::Endpoint::kCredentialProof, Error(StatusCode::kInvalidClaims, "no proofs"));
    }
    // Find the nonce the proofs claim (unverified), check it was issued, consume it, then verify
    // every proof against it.
    auto first = jose::UnverifiedJws::Parse(request->unverified_jwt_proofs[0]);
    if (!first.ok()) return ErrorAt(oid4vci::Endpoint::kCredentialProof, first.status());
    auto claims = ParseJsonObject(AsStringView(first->unverified_payload()));
    if (!claims.ok()) return ErrorAt(oid4vci::Endpoint::kCredentialProof, claims.status());
    auto nonce = GetString(*claims, "nonce");
    if (!nonce.ok() || nonces_.erase(*nonce) == 0) {
      return ErrorAt(oid4vci::Endpoint::kCredentialProof, Error(StatusCode::kNonceMismatch, "unknown nonce"));
    }
    oid4vci::ProofVerifierOptions options;
    options.credential_issuer = issuer_id_;
    options.expected_nonce = *nonce;
    options.max_proofs = metadata_.max_proofs();
    options.allowed_algs = {crypto::SignatureAlg::kES256};
    auto verifier = oid4vci::ProofVerifier::Create(options, *clock_);
    EXPECT_TRUE(verifier.ok());
    auto proofs = verifier->VerifyProofs(request->unverified_jwt_proofs);
    if (!proofs.ok()) return ErrorAt(oid4vci::Endpoint::kCredentialProof, proofs.status());

    oid4vci::CredentialResponse response;
    for (size_t i = 0; i < proofs->size(); ++i) {
      crypto::PublicKey holder = (*proofs)[i].holder_key();
      if (tamper == Tamper::kForeignKey && i == 0) holder = crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256)->public_key();
      if (tamper == Tamper::kDuplicateKey && i == 1) holder = (*proofs)[0].holder_key();
      auto credential = Issue(*config, holder);
      if (!credential.ok()) return HttpResponse{500, {}, credential.status().ToString()};
      response.credentials.push_back(oid4vci::IssuedCredential{*credential});
    }
    if (tamper == Tamper::kDropOne) response.credentials.pop_back();
    response.notification_id = "notif-" + std::to_string(++counter_);
    return Json200(response.ToJson());
  }

  Json DidDocument() const {
    const std::string id = did() + "#" + kVcKid;
    return Json{{"@context", Json::array({"https://www.w3.org/ns/did/v1"})},
                {"id", did()},
                {"verificationMethod",
                 Json::array({Json{{"id", id}, {"type", "JsonWebKey2020"}, {"controller", did()},
                                   {"publicKeyJwk", vc_key_.public_key().ToJwk()}}})},
                {"assertionMethod", Json::array({id})}};
  }

  Result<std::string> Issue(const oid4vci::CredentialConfiguration& config, const crypto::PublicKey& holder) {
    if (config.format == oid4vci::CredentialFormat::kSdJwtVc) {
      sdjwt::SdJwtVcIssueRequest request;
      request.iss = tamper == Tamper::kWrongIss ? std::string("https://impostor.example.gov.uk") : issuer_id_;
      request.vct = tamper == Tamper::kWrongType ? std::string(kVct) + "-other" : std::string(kVct);
      request.claims = {{"given_name", kHolderGivenName},
                        {"family_name", kHolderFamilyName},
                        {"birthdate", "1988-02-29"},
                        {"certificate_number", kDocumentNumber},
                        {"outcome", "clear"}};
      request.holder_key = holder;
      request.kid = tamper == Tamper::kUnknownKid ? std::string("sd-key-unpublished") : std::string(kSdJwtKid);
      request.disclosure.all_disclosable = true;
      FixedClock stamp(issue_at.value_or(clock_->NowSeconds()));
      return sdjwt::IssueSdJwtVc(request, tamper == Tamper::kWrongSigner ? impostor_key_ : issuer_key_, stamp,
                                 crypto::SystemRandom());
    }
    if (config.format == oid4vci::CredentialFormat::kJwtVcJson) {
      vcjwt::VcJwtIssueRequest request;
      request.issuer = tamper == Tamper::kWrongIss ? std::string("did:web:impostor.example.gov.uk") : did();
      const std::string kid = tamper == Tamper::kUnknownKid ? std::string("vc-key-unpublished") : std::string(kVcKid);
      request.kid = request.issuer + "#" + kid;
      request.type = kVcType;
      request.name = "Veteran card";
      request.subject_claims = {{"given_name", kHolderGivenName}, {"family_name", kHolderFamilyName}};
      request.holder_key = holder;
      request.validity_seconds = 365 * 86400;
      FixedClock stamp(issue_at.value_or(clock_->NowSeconds()));
      return vcjwt::IssueVcJwt(request, tamper == Tamper::kWrongSigner ? impostor_key_ : vc_key_, stamp);
    }
    mdoc::IssueRequest request{.doc_type = tamper == Tamper::kWrongType ? "org.example.other" : kMdlDocType,
                               .name_spaces = {},
                               .device_key = holder};
    std::vector<std::pair<std::string, cbor::Value>> iso;
    iso.emplace_back("family_name", cbor::Value::Text(kHolderFamilyName));
    iso.emplace_back("given_name", cbor::Value::Text(kHolderGivenName));
    iso.emplace_back("birth_date", cbor::Value::FullDate("1988-02-29"));
    iso.emplace_back("issue_date", cbor::Value::FullDate("2026-01-15"));
    iso.emplace_back("expiry_date", cbor::Value::FullDate("2036-01-14"));
    iso.emplace_back("issuing_country", cbor::Value::Text("GB"));
    iso.emplace_back("document_number", cbor::Value::Text(kDocumentNumber));
    iso.emplace_back("age_over_18", cbor::Value::Bool(true));
    request.name_spaces.emplace_back("org.iso.18013.5.1", std::move(iso));
    request.validity = {now_, now_, now_ + 365 * 86400, std::nullopt};
    const crypto::PrivateKey& key = tamper == Tamper::kWrongSigner   ? impostor_key_
                                    : tamper == Tamper::kForeignIaca ? *other_ds_key_
                                                                     : *ds_key_;
    const std::vector<Bytes>& chain = tamper == Tamper::kForeignIaca ? other_ds_chain_ : ds_chain_;
    ASSIGN_OR_RETURN(Bytes issued, mdoc::IssueMdocEncoded(request, key, chain, crypto::SystemRandom()));
    return Base64UrlEncode(issued);
  }

  std::string issuer_id_;
  Json jwt_vc_issuer_metadata_jwks_;
  FixedClock fixed_clock_;
  const Clock* clock_;
  int64_t now_;
  crypto::PrivateKey issuer_key_ = *crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256);
  crypto::PrivateKey vc_key_ = *crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256);
  crypto::PrivateKey impostor_key_ = *crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256);
  std::optional<crypto::PrivateKey> ds_key_;
  std::vector<Bytes> ds_chain_;
  std::optional<crypto::PrivateKey> other_ds_key_;
  std::vector<Bytes> other_ds_chain_;
  Bytes iaca_cert_der_;
  std::string iaca_pem_;
  std::string other_iaca_pem_;
  oid4vci::CredentialIssuerMetadata metadata_;
  std::map<std::string, Code> codes_;
  std::map<std::string, Json> offers_by_reference_;
  std::set<std::string> nonces_;
  std::set<std::string> tokens_;
  int counter_ = 0;
};

// FakeTransport routes requests to a FakeIssuer; `down` makes every request fail with kIoError.
class FakeTransport final : public HttpTransport {
 public:
  explicit FakeTransport(FakeIssuer& issuer) : issuer_(issuer) {}
  Result<HttpResponse> Get(std::string_view url, const HttpHeaders& headers) override {
    return Route("GET", url, headers, "");
  }
  Result<HttpResponse> PostForm(std::string_view url, const HttpHeaders& headers, std::string_view body) override {
    return Route("POST_FORM", url, headers, body);
  }
  Result<HttpResponse> PostJson(std::string_view url, const HttpHeaders& headers, std::string_view body) override {
    return Route("POST_JSON", url, headers, body);
  }
  bool down = false;
  std::vector<std::string> log;  // "METHOD url"

 private:
  Result<HttpResponse> Route(const std::string& method, std::string_view url, const HttpHeaders& headers,
                             std::string_view body) {
    log.push_back(method + " " + std::string(url));
    if (down) return Error(StatusCode::kIoError, "connection refused");
    return issuer_.Handle(method, std::string(url), headers, std::string(body));
  }
  FakeIssuer& issuer_;
};

}  // namespace bonafide::wallet::testing

#endif  // BONAFIDE_TESTS_WALLET_FAKE_ISSUER_H_
