#include "wallet/issuer_trust.h"

#include <memory>
#include <utility>

#include "base/encoding.h"
#include "cbor/cbor.h"
#include "jose/did.h"
#include "jose/jws.h"
#include "mdoc/iaca.h"
#include "mdoc/verifier.h"
#include "sdjwt/sdjwt.h"
#include "vcjwt/vc_jwt.h"
#include "wallet/receive.h"

namespace bonafide::wallet {
namespace {

using oid4vci::CredentialFormat;

// Prefixed returns `status` with `what` in front of its message (same code).
Status Prefixed(std::string_view what, const Status& status) {
  return Error(status.code(), std::string(what) + ": " + status.message());
}

bool IsLoopbackHttp(std::string_view url) {
  for (std::string_view prefix : {"http://127.0.0.1", "http://localhost", "http://[::1]"}) {
    if (url.substr(0, prefix.size()) == prefix) {
      const std::string_view rest = url.substr(prefix.size());
      if (rest.empty() || rest[0] == ':' || rest[0] == '/') return true;
    }
  }
  return false;
}

// FetchTrustDocument GETs `url` for `what`: kIoError without a response, kUntrustedIssuer for a
// non-2xx answer (the issuer does not publish it), the body otherwise.
Result<std::string> FetchTrustDocument(HttpTransport& transport, std::string_view what, const std::string& url) {
  Result<HttpResponse> response = transport.Get(url, {});
  if (!response.ok()) return Prefixed(what, response.status());
  if (response->status < 200 || response->status >= 300) {
    return Error(StatusCode::kUntrustedIssuer, std::string(what) + ": the issuer does not publish it (HTTP " +
                                                   std::to_string(response->status) + " at " + url + ")");
  }
  return std::move(response->body);
}

Result<Json> FetchJsonObject(HttpTransport& transport, std::string_view what, const std::string& url) {
  ASSIGN_OR_RETURN(std::string body, FetchTrustDocument(transport, what, url));
  Result<Json> json = ParseJsonObject(body);
  if (!json.ok()) return Prefixed(std::string(what) + " is not a JSON object", json.status());
  return std::move(json).value();
}

// StripTrailingSlashes returns `url` without trailing '/'.
std::string_view StripTrailingSlashes(std::string_view url) {
  while (!url.empty() && url.back() == '/') url.remove_suffix(1);
  return url;
}

Status VerifySdJwtVcOnReceipt(const oid4vci::CredentialConfiguration& config, std::string_view credential_issuer,
                              std::string_view credential, IssuerTrust& trust, const Clock& clock) {
  ASSIGN_OR_RETURN(sdjwt::UnverifiedSdJwt parsed, sdjwt::UnverifiedSdJwt::Parse(credential));
  if (parsed.kb_jwt().has_value()) {
    return Error(StatusCode::kMalformed, "an issued SD-JWT VC must not carry a Key Binding JWT");
  }
  ASSIGN_OR_RETURN(jose::UnverifiedJws jws, jose::UnverifiedJws::Parse(parsed.issuer_jwt()));
  ASSIGN_OR_RETURN(Json payload, ParseJsonObject(AsStringView(jws.unverified_payload())));
  const Json* iss = Find(payload, "iss");
  if (iss == nullptr || !iss->is_string()) return Error(StatusCode::kInvalidClaims, "SD-JWT VC has no iss");
  if (iss->get_ref<const std::string&>() != credential_issuer) {
    return Error(StatusCode::kUntrustedIssuer, "SD-JWT VC iss \"" + iss->get<std::string>() +
                                                   "\" is not the credential issuer " + std::string(credential_issuer));
  }
  ASSIGN_OR_RETURN(sdjwt::SdJwtVcTrust sd_trust, trust.SdJwtVcTrustFor(credential_issuer));
  sdjwt::VerifyOptions options(clock);
  options.AllowMissingKeyBindingOnIssuance().AllowUncheckedStatus();
  Result<sdjwt::VerifiedSdJwtVc> verified = sdjwt::VerifySdJwtVc(parsed, sd_trust, options, config.vct);
  if (!verified.ok()) return verified.status();
  if (verified->iss() != credential_issuer) {
    return Error(StatusCode::kUntrustedIssuer, "SD-JWT VC iss is not the credential issuer");
  }
  return OkStatus();
}

Status VerifyMdocOnReceipt(const oid4vci::CredentialConfiguration& config, std::string_view credential_issuer,
                           std::string_view credential, IssuerTrust& trust, const Clock& clock) {
  ASSIGN_OR_RETURN(Bytes bytes, Base64UrlDecode(credential));
  ASSIGN_OR_RETURN(cbor::Value issuer_signed, cbor::Decode(bytes));
  ASSIGN_OR_RETURN(std::vector<crypto::Certificate> roots, trust.IacaRootsFor(credential_issuer));
  Result<std::unique_ptr<mdoc::IacaTrustStore>> store = mdoc::IacaTrustStore::Create(std::move(roots));
  if (!store.ok()) {
    return Error(StatusCode::kUntrustedIssuer, "the IACA roots are not usable: " + store.status().message());
  }
  mdoc::DeviceResponseVerifier verifier(**store, clock);
  verifier.SkipStatusCheck();
  if (config.doctype.has_value()) verifier.ExpectDocType(*config.doctype);
  Result<mdoc::VerifiedDocument> verified = verifier.VerifyIssuerSigned(issuer_signed);
  if (!verified.ok()) return verified.status();
  return OkStatus();
}

Status VerifyVcJwtOnReceipt(const oid4vci::CredentialConfiguration& config, std::string_view credential_issuer,
                            std::string_view credential, IssuerTrust& trust, const Clock& clock) {
  ASSIGN_OR_RETURN(jose::UnverifiedJws jws, jose::UnverifiedJws::Parse(credential));
  ASSIGN_OR_RETURN(Json payload, ParseJsonObject(AsStringView(jws.unverified_payload())));
  const Json* iss = Find(payload, "iss");
  if (iss == nullptr || !iss->is_string()) return Error(StatusCode::kInvalidClaims, "JWT VC has no iss");
  ASSIGN_OR_RETURN(Json document, trust.DidDocumentFor(credential_issuer, iss->get_ref<const std::string&>()));
  vcjwt::VerifyOptions options;
  options.trusted_issuers.push_back(std::move(document));
  for (const std::string& type : config.credential_definition_type) {
    if (type != "VerifiableCredential") options.expected_type = type;
  }
  options.AllowUncheckedStatus();
  Result<vcjwt::VerifiedVcJwt> verified = vcjwt::VerifyVcJwt(credential, options, clock);
  if (!verified.ok()) return verified.status();
  return OkStatus();
}

}  // namespace

Result<sdjwt::SdJwtVcTrust> PublishedIssuerTrust::SdJwtVcTrustFor(std::string_view credential_issuer) {
  auto cached = jwt_vc_issuer_metadata_.find(credential_issuer);
  if (cached == jwt_vc_issuer_metadata_.end()) {
    constexpr std::string_view kWhat = "JWT VC Issuer Metadata";
    ASSIGN_OR_RETURN(std::string url, WellKnownUrl(credential_issuer, kJwtVcIssuerWellKnown));
    ASSIGN_OR_RETURN(Json metadata, FetchJsonObject(transport_, kWhat, url));
    const Json* issuer = Find(metadata, "issuer");
    if (issuer == nullptr || !issuer->is_string() || issuer->get_ref<const std::string&>() != credential_issuer) {
      return Error(StatusCode::kUntrustedIssuer, "JWT VC Issuer Metadata names another issuer than " +
                                                     std::string(credential_issuer));
    }
    if (Find(metadata, "jwks") == nullptr) {
      const Json* jwks_uri = Find(metadata, "jwks_uri");
      if (jwks_uri == nullptr || !jwks_uri->is_string()) {
        return Error(StatusCode::kUntrustedIssuer, "JWT VC Issuer Metadata has neither jwks nor jwks_uri");
      }
      const std::string& uri = jwks_uri->get_ref<const std::string&>();
      const bool allowed = uri.rfind("https://", 0) == 0 || (options_.insecure_allow_http_loopback && IsLoopbackHttp(uri));
      if (!allowed) return Error(StatusCode::kUntrustedIssuer, "JWT VC Issuer Metadata jwks_uri is not https");
      ASSIGN_OR_RETURN(Json jwks, FetchJsonObject(transport_, "JWT VC Issuer Metadata jwks_uri", uri));
      metadata["jwks"] = std::move(jwks);
    }
    cached = jwt_vc_issuer_metadata_.emplace(std::string(credential_issuer), std::move(metadata)).first;
  }
  sdjwt::SdJwtVcTrust trust;
  trust.issuer_metadata.push_back(cached->second);
  return trust;
}

Result<std::vector<crypto::Certificate>> PublishedIssuerTrust::IacaRootsFor(std::string_view credential_issuer) {
  if (!options_.iaca_anchors.empty()) return options_.iaca_anchors;
  auto cached = iacas_.find(credential_issuer);
  if (cached == iacas_.end()) {
    const std::string url = std::string(StripTrailingSlashes(credential_issuer)) + std::string(kIacasPath);
    ASSIGN_OR_RETURN(std::string pem, FetchTrustDocument(transport_, "IACA roots", url));
    Result<std::vector<crypto::Certificate>> roots = crypto::Certificate::AllFromPem(pem);
    if (!roots.ok()) return Prefixed("IACA roots at " + url, roots.status());
    if (roots->empty()) return Error(StatusCode::kUntrustedIssuer, "the issuer publishes no IACA root at " + url);
    cached = iacas_.emplace(std::string(credential_issuer), std::move(roots).value()).first;
  }
  return cached->second;
}

Result<Json> PublishedIssuerTrust::DidDocumentFor(std::string_view credential_issuer, std::string_view did) {
  ASSIGN_OR_RETURN(std::string expected, jose::DidWebFromUrl(credential_issuer));
  if (did != expected) {
    return Error(StatusCode::kUntrustedIssuer, "JWT VC iss \"" + std::string(did) + "\" is not the did:web of the issuer " +
                                                   std::string(credential_issuer) + " (" + expected + ")");
  }
  auto cached = did_documents_.find(did);
  if (cached == did_documents_.end()) {
    const bool use_http = options_.insecure_allow_http_loopback && IsLoopbackHttp(credential_issuer);
    ASSIGN_OR_RETURN(std::string url, jose::DidWebDocumentUrl(did, use_http));
    ASSIGN_OR_RETURN(Json document, FetchJsonObject(transport_, "did:web document", url));
    const Json* id = Find(document, "id");
    if (id == nullptr || !id->is_string() || id->get_ref<const std::string&>() != did) {
      return Error(StatusCode::kUntrustedIssuer, "the did:web document at " + url + " is not that of " + std::string(did));
    }
    cached = did_documents_.emplace(std::string(did), std::move(document)).first;
  }
  return cached->second;
}

Status VerifyIssuedCredential(const oid4vci::CredentialConfiguration& config, std::string_view credential_issuer,
                              std::string_view credential, IssuerTrust& trust, const Clock& clock) {
  Status status;
  std::string_view what;
  switch (config.format) {
    case CredentialFormat::kSdJwtVc:
      what = "dc+sd-jwt credential";
      status = VerifySdJwtVcOnReceipt(config, credential_issuer, credential, trust, clock);
      break;
    case CredentialFormat::kMsoMdoc:
      what = "mso_mdoc credential";
      status = VerifyMdocOnReceipt(config, credential_issuer, credential, trust, clock);
      break;
    case CredentialFormat::kJwtVcJson:
      what = "jwt_vc_json credential";
      status = VerifyVcJwtOnReceipt(config, credential_issuer, credential, trust, clock);
      break;
  }
  if (!status.ok()) return Prefixed(what, status);
  return OkStatus();
}

}  // namespace bonafide::wallet
