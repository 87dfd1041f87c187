#include "registry/issuer_import.h"

#include <memory>
#include <set>
#include <utility>
#include <vector>

#include "base/json.h"
#include "crypto/x509.h"
#include "issuer/config.h"
#include "issuer/service.h"
#include "jose/did.h"
#include "oid4vci/metadata.h"

namespace bonafide::registry {
namespace {

constexpr size_t kMaxDocumentBytes = 4 << 20;

// CredentialTypeOf returns the (format, type) a configuration issues.
Result<CredentialType> TypeOfConfiguration(const oid4vci::CredentialConfiguration& c,
                                           std::string_view vc_type_hint) {
  const std::string format(oid4vci::CredentialFormatName(c.format));
  switch (c.format) {
    case oid4vci::CredentialFormat::kSdJwtVc:
      if (c.vct.has_value()) return CredentialType{format, *c.vct};
      break;
    case oid4vci::CredentialFormat::kMsoMdoc:
      if (c.doctype.has_value()) return CredentialType{format, *c.doctype};
      break;
    case oid4vci::CredentialFormat::kJwtVcJson:
      if (!vc_type_hint.empty()) return CredentialType{format, std::string(vc_type_hint)};
      for (auto it = c.credential_definition_type.rbegin(); it != c.credential_definition_type.rend(); ++it) {
        if (*it != "VerifiableCredential") return CredentialType{format, *it};
      }
      break;
  }
  return Error(StatusCode::kInvalidClaims, "a " + format + " configuration names no type");
}

// AddCredential appends the entry for `type` with the anchors of its format (once per type).
void AddCredential(TrustedIssuer& issuer, std::set<CredentialType>& seen, const CredentialType& type,
                   const Json& jwks, const std::vector<std::string>& iacas, const Json& did_document) {
  if (!seen.insert(type).second) return;
  IssuerCredential c;
  c.type = type;
  if (type.format == kFormatSdJwtVc) {
    c.jwks = jwks;
  } else if (type.format == kFormatMsoMdoc) {
    c.iaca_pems = iacas;
  } else {
    c.did_document = did_document;
  }
  issuer.credentials.push_back(std::move(c));
}

// EnglishName returns the display name in locale "en" (or the first named entry) of an issuer
// display array, or "".
std::string EnglishName(const Json& display) {
  std::string first;
  if (!display.is_array()) return first;
  for (const Json& d : display) {
    const Json* name = d.is_object() ? Find(d, "name") : nullptr;
    if (name == nullptr || !name->is_string()) continue;
    const Json* locale = Find(d, "locale");
    if (locale != nullptr && locale->is_string() && locale->get<std::string>().starts_with("en")) {
      return name->get<std::string>();
    }
    if (first.empty()) first = name->get<std::string>();
  }
  return first;
}

std::string TrimSlash(std::string_view url) {
  std::string out(url);
  while (!out.empty() && out.back() == '/') out.pop_back();
  return out;
}

Result<std::string> FetchText(http::Client& client, const std::string& target, std::string_view what) {
  ASSIGN_OR_RETURN(http::ClientResponse r, client.Get(target));
  if (r.status != 200) {
    return Error(StatusCode::kIoError, std::string(what) + " " + target + " answered HTTP " + std::to_string(r.status));
  }
  if (r.body.size() > kMaxDocumentBytes) return Error(StatusCode::kLimitExceeded, std::string(what) + " too large");
  return r.body;
}

}  // namespace

Result<std::pair<std::string, std::string>> SplitUrl(std::string_view url) {
  size_t scheme_end = 0;
  if (url.starts_with("https://")) {
    scheme_end = 8;
  } else if (url.starts_with("http://")) {
    scheme_end = 7;
  } else {
    return Error(StatusCode::kInvalidArgument, "not an http(s) URL: " + std::string(url));
  }
  if (url.find_first_of("?#") != std::string_view::npos) {
    return Error(StatusCode::kInvalidArgument, "URL with a query or fragment: " + std::string(url));
  }
  const size_t slash = url.find('/', scheme_end);
  std::string origin(url.substr(0, slash));
  std::string path = slash == std::string_view::npos ? "" : TrimSlash(url.substr(slash));
  if (origin.size() == scheme_end) return Error(StatusCode::kInvalidArgument, "URL without host: " + std::string(url));
  return std::make_pair(std::move(origin), std::move(path));
}

Result<TrustedIssuer> TrustedIssuerFromDataDir(const std::string& issuer_data_dir, int64_t now) {
  ASSIGN_OR_RETURN(issuer::IssuerConfig config, issuer::LoadIssuerConfig(issuer_data_dir));
  ASSIGN_OR_RETURN(issuer::IssuerKeys keys, issuer::LoadIssuerKeys(config));
  const Json jwt_vc_issuer = issuer::PublishedJwtVcIssuerMetadata(config, keys, now);
  const Json* jwks = Find(jwt_vc_issuer, "jwks");
  const Json did_document = issuer::PublishedDidDocument(config, keys, now);
  const std::vector<std::string> iacas = issuer::PublishedIacas(keys, now);

  TrustedIssuer out;
  out.id = config.issuer_url;
  out.name = EnglishName(config.display);
  std::set<CredentialType> seen;
  for (const auto& [id, entry] : config.catalogue) {
    if (out.name.empty()) out.name = entry.issuer_name;
    ASSIGN_OR_RETURN(CredentialType type, TypeOfConfiguration(entry.metadata, entry.vc_type));
    AddCredential(out, seen, type, jwks != nullptr ? *jwks : Json(), iacas, did_document);
  }
  if (out.name.empty()) out.name = out.id;
  RETURN_IF_ERROR(ValidateTrustedIssuer(out));
  return out;
}

Result<TrustedIssuer> TrustedIssuerFromMetadataUrl(std::string_view issuer_url, const http::ClientOptions& options) {
  const std::string id = TrimSlash(issuer_url);
  ASSIGN_OR_RETURN(auto split, SplitUrl(id));
  const auto& [origin, path] = split;
  ASSIGN_OR_RETURN(std::unique_ptr<http::Client> client, http::Client::Create(origin, options));

  ASSIGN_OR_RETURN(std::string md_text,
                   FetchText(*client, "/.well-known/openid-credential-issuer" + path, "issuer metadata"));
  oid4vci::MetadataParseOptions md_options;
  md_options.insecure_allow_http_loopback = true;  // Client::Create admits http; loopback only here
  md_options.ignore_unknown_formats = true;
  ASSIGN_OR_RETURN(oid4vci::CredentialIssuerMetadata md, oid4vci::CredentialIssuerMetadata::Parse(md_text, md_options));
  if (TrimSlash(md.credential_issuer) != id) {
    return Error(StatusCode::kInvalidClaims, "metadata names credential_issuer " + md.credential_issuer +
                                                 ", fetched for " + id);
  }

  TrustedIssuer out;
  out.id = id;
  for (const oid4vci::IssuerDisplay& d : md.display) {
    if (!d.name.has_value()) continue;
    if (out.name.empty() || (d.locale.has_value() && d.locale->starts_with("en"))) out.name = *d.name;
    if (d.locale.has_value() && d.locale->starts_with("en")) break;
  }
  if (out.name.empty()) out.name = id;

  std::vector<CredentialType> types;
  bool need_jwks = false, need_iacas = false, need_did = false;
  for (const auto& [config_id, c] : md.credential_configurations_supported) {
    ASSIGN_OR_RETURN(CredentialType type, TypeOfConfiguration(c, ""));
    need_jwks = need_jwks || type.format == kFormatSdJwtVc;
    need_iacas = need_iacas || type.format == kFormatMsoMdoc;
    need_did = need_did || type.format == kFormatJwtVcJson;
    types.push_back(std::move(type));
  }

  Json jwks;
  if (need_jwks) {
    ASSIGN_OR_RETURN(std::string text, FetchText(*client, "/.well-known/jwt-vc-issuer" + path, "JWT VC issuer metadata"));
    ASSIGN_OR_RETURN(Json doc, ParseJsonObject(text));
    ASSIGN_OR_RETURN(std::string iss, GetString(doc, "issuer"));
    if (TrimSlash(iss) != id) return Error(StatusCode::kInvalidClaims, "jwt-vc-issuer names issuer " + iss);
    const Json* j = Find(doc, "jwks");
    if (j == nullptr) return Error(StatusCode::kInvalidArgument, "jwt-vc-issuer has no inline jwks (jwks_uri is not supported)");
    jwks = *j;
  }
  std::vector<std::string> iacas;
  if (need_iacas) {
    ASSIGN_OR_RETURN(std::string pem, FetchText(*client, path + "/iacas", "IACA list"));
    ASSIGN_OR_RETURN(std::vector<crypto::Certificate> certs, crypto::Certificate::AllFromPem(pem));
    for (const crypto::Certificate& cert : certs) iacas.push_back(cert.ToPem());
  }
  Json did_document;
  if (need_did) {
    const std::string target = path.empty() ? "/.well-known/did.json" : path + "/did.json";
    ASSIGN_OR_RETURN(std::string text, FetchText(*client, target, "DID document"));
    ASSIGN_OR_RETURN(did_document, ParseJsonObject(text));
  }
  std::set<CredentialType> seen;
  for (const CredentialType& type : types) AddCredential(out, seen, type, jwks, iacas, did_document);
  RETURN_IF_ERROR(ValidateTrustedIssuer(out));
  return out;
}

}  // namespace bonafide::registry
