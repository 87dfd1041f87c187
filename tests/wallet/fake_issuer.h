// tests/wallet/fake_issuer.h: an in-memory OpenID4VCI 1.0 issuer for the wallet tests, and the
// HttpTransport that routes the wallet's requests to it.
//
// The fake is honest: it parses every request with the oid4vci parsers (TokenRequest::Parse,
// CredentialRequest::Parse, NotificationRequest::Parse), checks tx_codes with CheckTxCode, checks
// every proof with ProofVerifier (audience, nonce, typ, signature, batch size), consumes
// pre-authorized codes and nonces once, and answers errors with ErrorResponse::FromStatus. It
// issues real SD-JWT VCs (sdjwt::IssueSdJwtVc, signed by an ES256 issuer key) and mdocs
// (mdoc::IssueMdocEncoded, signed by a document signer under a fresh IACA), one per proof key.
// Faults are injected per endpoint (`inject`) or by `tamper` modes on the credential response.
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

// Endpoint names for fault injection.
enum class FakeEndpoint { kOffer, kIssuerMetadata, kAsMetadata, kToken, kNonce, kCredential, kNotification };

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
  // Tamper modes for the credential response.
  enum class Tamper { kNone, kForeignKey, kWrongType, kDropOne, kDuplicateKey };

  explicit FakeIssuer(int64_t batch_size = 3) : clock_(kIssuerNow) {
    FixedClock pki_clock(kIssuerNow - 86400);
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
    ds_key_.emplace(std::move(ds->key));
    ds_chain_ = {ds->certificate.der()};

    metadata_.credential_issuer = kIssuerId;
    metadata_.credential_endpoint = std::string(kIssuerId) + "/credential";
    metadata_.nonce_endpoint = std::string(kIssuerId) + "/nonce";
    metadata_.notification_endpoint = std::string(kIssuerId) + "/notification";
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
  }

  // --- test controls ---
  // CreateOffer registers a pre-authorized code for `configs` (with `tx_code` required when set)
  // and returns the offer URI by value, or by reference when `by_reference`.
  std::string CreateOffer(std::vector<std::string> configs, std::optional<std::string> tx_code = std::nullopt,
                          bool by_reference = false) {
    const std::string code = "code-" + std::to_string(++counter_);
    codes_[code] = Code{configs, tx_code, false};
    oid4vci::CredentialOffer offer;
    offer.credential_issuer = kIssuerId;
    offer.credential_configuration_ids = configs;
    oid4vci::PreAuthorizedCodeGrant grant;
    grant.pre_authorized_code = code;
    if (tx_code.has_value()) {
      grant.tx_code = oid4vci::TxCode{oid4vci::TxCodeInputMode::kNumeric, static_cast<int64_t>(tx_code->size()),
                                      "Enter the code we sent to your phone"};
    }
    offer.pre_authorized_code = grant;
    if (!by_reference) return oid4vci::BuildCredentialOfferUri(offer);
    const std::string url = std::string(kIssuerId) + "/offers/" + code;
    offers_by_reference_[url] = offer.ToJson();
    return *oid4vci::BuildCredentialOfferReferenceUri(url);
  }

  oid4vci::CredentialIssuerMetadata& metadata() { return metadata_; }
  const crypto::PublicKey& issuer_public_key() const { return issuer_key_.public_key(); }
  const Bytes& iaca_der() const { return iaca_cert_der_; }
  std::map<FakeEndpoint, Injected> inject;
  Tamper tamper = Tamper::kNone;
  // notifications received: (notification_id, event).
  std::vector<std::pair<std::string, std::string>> notifications;
  int requests = 0;
  size_t last_proof_count = 0;

  // --- HTTP handling ---
  HttpResponse Handle(const std::string& method, const std::string& url, const HttpHeaders& headers,
                      const std::string& body) {
    ++requests;
    const std::string base = kIssuerId;
    if (url == base + std::string(oid4vci::kCredentialIssuerWellKnown) && method == "GET") {
      if (auto r = Fault(FakeEndpoint::kIssuerMetadata)) return *r;
      return Json200(metadata_.ToJson());
    }
    if (url == base + std::string(oid4vci::kAuthorizationServerWellKnown) && method == "GET") {
      if (auto r = Fault(FakeEndpoint::kAsMetadata)) return *r;
      oid4vci::AuthorizationServerMetadata as;
      as.issuer = kIssuerId;
      as.token_endpoint = base + "/token";
      as.pre_authorized_grant_anonymous_access_supported = true;
      return Json200(as.ToJson());
    }
    if (offers_by_reference_.count(url) != 0 && method == "GET") {
      if (auto r = Fault(FakeEndpoint::kOffer)) return *r;
      return Json200(offers_by_reference_[url]);
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
    options.credential_issuer = kIssuerId;
    options.expected_nonce = *nonce;
    options.max_proofs = metadata_.max_proofs();
    options.allowed_algs = {crypto::SignatureAlg::kES256};
    auto verifier = oid4vci::ProofVerifier::Create(options, clock_);
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

  Result<std::string> Issue(const oid4vci::CredentialConfiguration& config, const crypto::PublicKey& holder) {
    if (config.format == oid4vci::CredentialFormat::kSdJwtVc) {
      sdjwt::SdJwtVcIssueRequest request;
      request.iss = kIssuerId;
      request.vct = tamper == Tamper::kWrongType ? std::string(kVct) + "-other" : std::string(kVct);
      request.claims = {{"given_name", kHolderGivenName},
                        {"family_name", kHolderFamilyName},
                        {"birthdate", "1988-02-29"},
                        {"certificate_number", kDocumentNumber},
                        {"outcome", "clear"}};
      request.holder_key = holder;
      request.disclosure.all_disclosable = true;
      return sdjwt::IssueSdJwtVc(request, issuer_key_, clock_, crypto::SystemRandom());
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
    request.validity = {kIssuerNow, kIssuerNow, kIssuerNow + 365 * 86400, std::nullopt};
    ASSIGN_OR_RETURN(Bytes issued, mdoc::IssueMdocEncoded(request, *ds_key_, ds_chain_, crypto::SystemRandom()));
    return Base64UrlEncode(issued);
  }

  FixedClock clock_;
  crypto::PrivateKey issuer_key_ = *crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256);
  std::optional<crypto::PrivateKey> ds_key_;
  std::vector<Bytes> ds_chain_;
  Bytes iaca_cert_der_;
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
