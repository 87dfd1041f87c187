#include "oid4vci/metadata.h"

#include <set>

#include "oid4vci/internal/url.h"

namespace bonafide::oid4vci {
namespace {

using internal::CheckUrl;
using internal::GetNonEmptyString;
using internal::GetOptionalNonEmptyString;
using internal::GetStringArray;

constexpr size_t kMaxConfigurations = 256;
constexpr size_t kMaxClaims = 1024;
constexpr size_t kMaxPathLength = 32;

Status Invalid(std::string message) { return Error(StatusCode::kInvalidClaims, std::move(message)); }

// GetOptionalObjectArray returns the array member `key` (nullptr when absent); kInvalidClaims
// when it is not a non-empty array of objects.
Result<const Json*> GetOptionalObjectArray(const Json& obj, std::string_view key) {
  const Json* array = Find(obj, key);
  if (array == nullptr) return array;
  const std::string name(key);
  if (!array->is_array() || array->empty()) return Invalid(name + " must be a non-empty array");
  for (const Json& item : *array) {
    if (!item.is_object()) return Invalid(name + " must hold objects");
  }
  return array;
}

// CheckLocaleUnique records `locale` and fails when it was seen before (one object per language).
Status CheckLocaleUnique(std::set<std::string>& seen, const std::optional<std::string>& locale,
                         std::string_view where) {
  const std::string key = locale.value_or("");
  if (!seen.insert(key).second) {
    return Invalid(std::string(where) + " has two entries for locale '" + key + "'");
  }
  return OkStatus();
}

Result<std::optional<Logo>> ParseLogo(const Json& obj, std::string_view key) {
  const Json* logo = Find(obj, key);
  if (logo == nullptr) return std::optional<Logo>();
  if (!logo->is_object()) return Invalid(std::string(key) + " must be an object");
  Logo out;
  ASSIGN_OR_RETURN(out.uri, GetNonEmptyString(*logo, "uri"));
  ASSIGN_OR_RETURN(out.alt_text, GetOptionalString(*logo, "alt_text"));
  return std::optional<Logo>(std::move(out));
}

Json LogoToJson(const Logo& logo) {
  Json obj = Json::object({{"uri", logo.uri}});
  if (logo.alt_text.has_value()) obj["alt_text"] = *logo.alt_text;
  return obj;
}

Status ValidatePath(const Json& path) {
  if (!path.is_array() || path.empty()) return Invalid("claims path must be a non-empty array");
  if (path.size() > kMaxPathLength) return Invalid("claims path is too long");
  for (const Json& component : path) {
    if (component.is_string() || component.is_null()) continue;
    const std::optional<int64_t> index = component.is_number() ? AsInt(component) : std::nullopt;
    if (!index.has_value() || *index < 0) {
      return Invalid("claims path components must be strings, null or non-negative integers");
    }
  }
  return OkStatus();
}

// PathsConflict implements the Appendix B.3 processing rules for two valid claims paths: the
// same claim twice, null and an index into the same array, or one path treating a claim as an
// array and the other as an object.
bool PathsConflict(const Json& a, const Json& b) {
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    const Json& x = a[i];
    const Json& y = b[i];
    if (x.is_string() && y.is_string()) {
      if (x.get_ref<const std::string&>() != y.get_ref<const std::string&>()) return false;
      continue;
    }
    if (x.is_string() != y.is_string()) return true;  // object vs array at the same claim
    if (x.is_null() != y.is_null()) return true;      // all elements vs one element
    if (x.is_null()) continue;
    if (AsInt(x) != AsInt(y)) return false;  // different elements of the same array
  }
  return a.size() == b.size();
}

Result<std::vector<ClaimDescription>> ParseClaims(const Json& array) {
  if (array.size() > kMaxClaims) return Error(StatusCode::kLimitExceeded, "too many claims descriptions");
  std::vector<ClaimDescription> claims;
  for (const Json& item : array) {
    ClaimDescription claim;
    const Json* path = Find(item, "path");
    if (path == nullptr) return Invalid("claims description without path");
    RETURN_IF_ERROR(ValidatePath(*path));
    claim.path = *path;
    if (const Json* mandatory = Find(item, "mandatory"); mandatory != nullptr) {
      if (!mandatory->is_boolean()) return Invalid("claims mandatory must be a boolean");
      claim.mandatory = mandatory->get<bool>();
    }
    ASSIGN_OR_RETURN(const Json* display, GetOptionalObjectArray(item, "display"));
    if (display != nullptr) {
      std::set<std::string> locales;
      for (const Json& d : *display) {
        ClaimDisplay cd;
        ASSIGN_OR_RETURN(cd.name, GetOptionalString(d, "name"));
        ASSIGN_OR_RETURN(cd.locale, GetOptionalString(d, "locale"));
        RETURN_IF_ERROR(CheckLocaleUnique(locales, cd.locale, "claim display"));
        claim.display.push_back(std::move(cd));
      }
    }
    for (const ClaimDescription& earlier : claims) {
      if (PathsConflict(earlier.path, claim.path)) {
        return Invalid("claims descriptions repeat or contradict each other at " + DumpJson(claim.path));
      }
    }
    claims.push_back(std::move(claim));
  }
  return claims;
}

Result<CredentialDisplay> ParseCredentialDisplay(const Json& d) {
  CredentialDisplay out;
  ASSIGN_OR_RETURN(out.name, GetNonEmptyString(d, "name"));
  ASSIGN_OR_RETURN(out.locale, GetOptionalString(d, "locale"));
  ASSIGN_OR_RETURN(out.logo, ParseLogo(d, "logo"));
  ASSIGN_OR_RETURN(out.description, GetOptionalString(d, "description"));
  ASSIGN_OR_RETURN(out.background_color, GetOptionalString(d, "background_color"));
  ASSIGN_OR_RETURN(out.text_color, GetOptionalString(d, "text_color"));
  if (const Json* bg = Find(d, "background_image"); bg != nullptr) {
    if (!bg->is_object()) return Invalid("background_image must be an object");
    ASSIGN_OR_RETURN(out.background_image_uri, GetNonEmptyString(*bg, "uri"));
  }
  return out;
}

Json CredentialDisplayToJson(const CredentialDisplay& d) {
  Json obj = Json::object({{"name", d.name}});
  if (d.locale.has_value()) obj["locale"] = *d.locale;
  if (d.logo.has_value()) obj["logo"] = LogoToJson(*d.logo);
  if (d.description.has_value()) obj["description"] = *d.description;
  if (d.background_color.has_value()) obj["background_color"] = *d.background_color;
  if (d.text_color.has_value()) obj["text_color"] = *d.text_color;
  if (d.background_image_uri.has_value()) obj["background_image"] = Json::object({{"uri", *d.background_image_uri}});
  return obj;
}

Result<std::vector<SigningAlgorithm>> ParseSigningAlgs(const Json& array) {
  if (!array.is_array() || array.empty()) {
    return Invalid("credential_signing_alg_values_supported must be a non-empty array");
  }
  std::vector<SigningAlgorithm> out;
  for (const Json& item : array) {
    if (item.is_string() && !item.get_ref<const std::string&>().empty()) {
      out.emplace_back(item.get<std::string>());
      continue;
    }
    const std::optional<int64_t> id = item.is_number() ? AsInt(item) : std::nullopt;
    if (!id.has_value()) return Invalid("credential_signing_alg_values_supported holds a non-algorithm");
    out.emplace_back(*id);
  }
  return out;
}

Result<std::map<std::string, ProofTypeMetadata>> ParseProofTypes(const Json& obj) {
  if (!obj.is_object() || obj.empty()) return Invalid("proof_types_supported must be a non-empty object");
  std::map<std::string, ProofTypeMetadata> out;
  for (const auto& [name, value] : obj.items()) {
    if (!value.is_object()) return Invalid("proof_types_supported." + name + " must be an object");
    ProofTypeMetadata proof;
    ASSIGN_OR_RETURN(proof.proof_signing_alg_values_supported,
                     GetStringArray(value, "proof_signing_alg_values_supported", true, true));
    if (const Json* ka = Find(value, "key_attestations_required"); ka != nullptr) {
      if (!ka->is_object()) return Invalid("key_attestations_required must be an object");
      proof.key_attestations_required = *ka;
    }
    out.emplace(name, std::move(proof));
  }
  return out;
}

Result<CredentialConfiguration> ParseConfiguration(const std::string& id, const Json& obj,
                                                   CredentialFormat format) {
  if (!obj.is_object()) return Invalid("credential configuration " + id + " must be an object");
  CredentialConfiguration c;
  c.format = format;
  switch (format) {
    case CredentialFormat::kSdJwtVc: {
      ASSIGN_OR_RETURN(std::string vct, GetNonEmptyString(obj, "vct"));
      c.vct = std::move(vct);
      break;
    }
    case CredentialFormat::kMsoMdoc: {
      ASSIGN_OR_RETURN(std::string doctype, GetNonEmptyString(obj, "doctype"));
      c.doctype = std::move(doctype);
      break;
    }
    case CredentialFormat::kJwtVcJson: {
      ASSIGN_OR_RETURN(const Json* def, GetObject(obj, "credential_definition"));
      ASSIGN_OR_RETURN(c.credential_definition_type, GetStringArray(*def, "type", true, true));
      break;
    }
  }
  ASSIGN_OR_RETURN(c.scope, GetOptionalNonEmptyString(obj, "scope"));
  const Json* binding = Find(obj, "cryptographic_binding_methods_supported");
  const Json* proofs = Find(obj, "proof_types_supported");
  if ((binding == nullptr) != (proofs == nullptr)) {
    return Invalid("proof_types_supported must be present exactly when cryptographic_binding_methods_supported is (" +
                   id + ")");
  }
  if (binding != nullptr) {
    ASSIGN_OR_RETURN(c.cryptographic_binding_methods_supported,
                     GetStringArray(obj, "cryptographic_binding_methods_supported", true, true));
    ASSIGN_OR_RETURN(c.proof_types_supported, ParseProofTypes(*proofs));
  }
  if (const Json* algs = Find(obj, "credential_signing_alg_values_supported"); algs != nullptr) {
    ASSIGN_OR_RETURN(c.credential_signing_alg_values_supported, ParseSigningAlgs(*algs));
  }
  if (const Json* meta = Find(obj, "credential_metadata"); meta != nullptr) {
    if (!meta->is_object()) return Invalid("credential_metadata must be an object");
    ASSIGN_OR_RETURN(const Json* display, GetOptionalObjectArray(*meta, "display"));
    if (display != nullptr) {
      std::set<std::string> locales;
      for (const Json& d : *display) {
        ASSIGN_OR_RETURN(CredentialDisplay cd, ParseCredentialDisplay(d));
        RETURN_IF_ERROR(CheckLocaleUnique(locales, cd.locale, "credential display"));
        c.display.push_back(std::move(cd));
      }
    }
    ASSIGN_OR_RETURN(const Json* claims, GetOptionalObjectArray(*meta, "claims"));
    if (claims != nullptr) {
      ASSIGN_OR_RETURN(c.claims, ParseClaims(*claims));
    }
  }
  return c;
}

Json ConfigurationToJson(const CredentialConfiguration& c) {
  Json obj = Json::object();
  obj["format"] = std::string(CredentialFormatName(c.format));
  if (c.vct.has_value()) obj["vct"] = *c.vct;
  if (c.doctype.has_value()) obj["doctype"] = *c.doctype;
  if (!c.credential_definition_type.empty()) {
    obj["credential_definition"] = Json::object({{"type", c.credential_definition_type}});
  }
  if (c.scope.has_value()) obj["scope"] = *c.scope;
  if (!c.cryptographic_binding_methods_supported.empty()) {
    obj["cryptographic_binding_methods_supported"] = c.cryptographic_binding_methods_supported;
  }
  if (!c.credential_signing_alg_values_supported.empty()) {
    Json algs = Json::array();
    for (const SigningAlgorithm& alg : c.credential_signing_alg_values_supported) {
      if (const auto* name = std::get_if<std::string>(&alg)) {
        algs.push_back(*name);
      } else {
        algs.push_back(std::get<int64_t>(alg));
      }
    }
    obj["credential_signing_alg_values_supported"] = std::move(algs);
  }
  if (!c.proof_types_supported.empty()) {
    Json proofs = Json::object();
    for (const auto& [name, proof] : c.proof_types_supported) {
      Json p = Json::object({{"proof_signing_alg_values_supported", proof.proof_signing_alg_values_supported}});
      if (proof.key_attestations_required.has_value()) p["key_attestations_required"] = *proof.key_attestations_required;
      proofs[name] = std::move(p);
    }
    obj["proof_types_supported"] = std::move(proofs);
  }
  if (!c.display.empty() || !c.claims.empty()) {
    Json meta = Json::object();
    if (!c.display.empty()) {
      Json display = Json::array();
      for (const CredentialDisplay& d : c.display) display.push_back(CredentialDisplayToJson(d));
      meta["display"] = std::move(display);
    }
    if (!c.claims.empty()) {
      Json claims = Json::array();
      for (const ClaimDescription& claim : c.claims) {
        Json cj = Json::object({{"path", claim.path}});
        if (claim.mandatory.has_value()) cj["mandatory"] = *claim.mandatory;
        if (!claim.display.empty()) {
          Json display = Json::array();
          for (const ClaimDisplay& d : claim.display) {
            Json dj = Json::object();
            if (d.name.has_value()) dj["name"] = *d.name;
            if (d.locale.has_value()) dj["locale"] = *d.locale;
            display.push_back(std::move(dj));
          }
          cj["display"] = std::move(display);
        }
        claims.push_back(std::move(cj));
      }
      meta["claims"] = std::move(claims);
    }
    obj["credential_metadata"] = std::move(meta);
  }
  return obj;
}

Result<std::optional<std::string>> GetOptionalUrl(const Json& doc, std::string_view key, bool loopback) {
  ASSIGN_OR_RETURN(std::optional<std::string> url, GetOptionalNonEmptyString(doc, key));
  if (url.has_value()) RETURN_IF_ERROR(CheckUrl(*url, key, /*allow_query=*/true, loopback));
  return url;
}

}  // namespace

std::string_view CredentialFormatName(CredentialFormat format) {
  switch (format) {
    case CredentialFormat::kSdJwtVc:
      return "dc+sd-jwt";
    case CredentialFormat::kMsoMdoc:
      return "mso_mdoc";
    case CredentialFormat::kJwtVcJson:
      return "jwt_vc_json";
  }
  return "dc+sd-jwt";
}

std::optional<CredentialFormat> ParseCredentialFormat(std::string_view name) {
  if (name == "dc+sd-jwt") return CredentialFormat::kSdJwtVc;
  if (name == "mso_mdoc") return CredentialFormat::kMsoMdoc;
  if (name == "jwt_vc_json") return CredentialFormat::kJwtVcJson;
  return std::nullopt;
}

Json CredentialIssuerMetadata::ToJson() const {
  Json doc = Json::object();
  doc["credential_issuer"] = credential_issuer;
  if (!authorization_servers.empty()) doc["authorization_servers"] = authorization_servers;
  doc["credential_endpoint"] = credential_endpoint;
  if (nonce_endpoint.has_value()) doc["nonce_endpoint"] = *nonce_endpoint;
  if (deferred_credential_endpoint.has_value()) doc["deferred_credential_endpoint"] = *deferred_credential_endpoint;
  if (notification_endpoint.has_value()) doc["notification_endpoint"] = *notification_endpoint;
  if (batch_size.has_value()) doc["batch_credential_issuance"] = Json::object({{"batch_size", *batch_size}});
  if (!display.empty()) {
    Json array = Json::array();
    for (const IssuerDisplay& d : display) {
      Json obj = Json::object();
      if (d.name.has_value()) obj["name"] = *d.name;
      if (d.locale.has_value()) obj["locale"] = *d.locale;
      if (d.logo.has_value()) obj["logo"] = LogoToJson(*d.logo);
      array.push_back(std::move(obj));
    }
    doc["display"] = std::move(array);
  }
  Json configs = Json::object();
  for (const auto& [id, config] : credential_configurations_supported) configs[id] = ConfigurationToJson(config);
  doc["credential_configurations_supported"] = std::move(configs);
  return doc;
}

Result<CredentialIssuerMetadata> CredentialIssuerMetadata::FromJson(const Json& doc,
                                                                    const MetadataParseOptions& options) {
  if (!doc.is_object()) return Invalid("credential issuer metadata must be a JSON object");
  const bool loopback = options.insecure_allow_http_loopback;
  CredentialIssuerMetadata m;
  ASSIGN_OR_RETURN(m.credential_issuer, GetNonEmptyString(doc, "credential_issuer"));
  RETURN_IF_ERROR(CheckUrl(m.credential_issuer, "credential_issuer", /*allow_query=*/false, loopback));
  if (Find(doc, "authorization_servers") != nullptr) {
    ASSIGN_OR_RETURN(m.authorization_servers, GetStringArray(doc, "authorization_servers", true, true));
    for (const std::string& as : m.authorization_servers) {
      RETURN_IF_ERROR(CheckUrl(as, "authorization_servers", /*allow_query=*/false, loopback));
    }
  }
  ASSIGN_OR_RETURN(m.credential_endpoint, GetNonEmptyString(doc, "credential_endpoint"));
  RETURN_IF_ERROR(CheckUrl(m.credential_endpoint, "credential_endpoint", /*allow_query=*/true, loopback));
  ASSIGN_OR_RETURN(m.nonce_endpoint, GetOptionalUrl(doc, "nonce_endpoint", loopback));
  ASSIGN_OR_RETURN(m.deferred_credential_endpoint, GetOptionalUrl(doc, "deferred_credential_endpoint", loopback));
  ASSIGN_OR_RETURN(m.notification_endpoint, GetOptionalUrl(doc, "notification_endpoint", loopback));
  if (const Json* batch = Find(doc, "batch_credential_issuance"); batch != nullptr) {
    if (!batch->is_object()) return Invalid("batch_credential_issuance must be an object");
    ASSIGN_OR_RETURN(int64_t size, GetInt(*batch, "batch_size"));
    if (size < 2) return Invalid("batch_size must be 2 or greater");
    m.batch_size = size;
  }
  ASSIGN_OR_RETURN(const Json* display, GetOptionalObjectArray(doc, "display"));
  if (display != nullptr) {
    std::set<std::string> locales;
    for (const Json& d : *display) {
      IssuerDisplay id;
      ASSIGN_OR_RETURN(id.name, GetOptionalString(d, "name"));
      ASSIGN_OR_RETURN(id.locale, GetOptionalString(d, "locale"));
      ASSIGN_OR_RETURN(id.logo, ParseLogo(d, "logo"));
      RETURN_IF_ERROR(CheckLocaleUnique(locales, id.locale, "issuer display"));
      m.display.push_back(std::move(id));
    }
  }
  ASSIGN_OR_RETURN(const Json* configs, GetObject(doc, "credential_configurations_supported"));
  if (configs->size() > kMaxConfigurations) {
    return Error(StatusCode::kLimitExceeded, "too many credential configurations");
  }
  for (const auto& [id, value] : configs->items()) {
    if (id.empty()) return Invalid("credential configuration with an empty identifier");
    if (!value.is_object()) return Invalid("credential configuration " + id + " must be an object");
    ASSIGN_OR_RETURN(std::string format_name, GetNonEmptyString(value, "format"));
    const std::optional<CredentialFormat> format = ParseCredentialFormat(format_name);
    if (!format.has_value()) {
      if (options.ignore_unknown_formats) continue;
      return Invalid("credential configuration " + id + " has an unsupported format: " + format_name);
    }
    ASSIGN_OR_RETURN(CredentialConfiguration config, ParseConfiguration(id, value, *format));
    m.credential_configurations_supported.emplace(id, std::move(config));
  }
  if (m.credential_configurations_supported.empty()) {
    return Invalid("credential_configurations_supported has no usable configuration");
  }
  return m;
}

Result<CredentialIssuerMetadata> CredentialIssuerMetadata::Parse(std::string_view json,
                                                                 const MetadataParseOptions& options) {
  ASSIGN_OR_RETURN(Json doc, ParseJsonObject(json, JsonLimits{1 << 20, 16}));
  return FromJson(doc, options);
}

const CredentialConfiguration* CredentialIssuerMetadata::FindConfiguration(std::string_view id) const {
  const auto it = credential_configurations_supported.find(std::string(id));
  return it == credential_configurations_supported.end() ? nullptr : &it->second;
}

Json AuthorizationServerMetadata::ToJson() const {
  Json doc = Json::object();
  doc["issuer"] = issuer;
  doc["token_endpoint"] = token_endpoint;
  if (pre_authorized_grant_anonymous_access_supported.has_value()) {
    doc["pre-authorized_grant_anonymous_access_supported"] = *pre_authorized_grant_anonymous_access_supported;
  }
  if (!grant_types_supported.empty()) doc["grant_types_supported"] = grant_types_supported;
  return doc;
}

Result<AuthorizationServerMetadata> AuthorizationServerMetadata::FromJson(const Json& doc,
                                                                          bool insecure_allow_http_loopback) {
  if (!doc.is_object()) return Invalid("authorization server metadata must be a JSON object");
  AuthorizationServerMetadata m;
  ASSIGN_OR_RETURN(m.issuer, GetNonEmptyString(doc, "issuer"));
  RETURN_IF_ERROR(CheckUrl(m.issuer, "issuer", /*allow_query=*/false, insecure_allow_http_loopback));
  ASSIGN_OR_RETURN(m.token_endpoint, GetNonEmptyString(doc, "token_endpoint"));
  RETURN_IF_ERROR(CheckUrl(m.token_endpoint, "token_endpoint", /*allow_query=*/true, insecure_allow_http_loopback));
  if (const Json* anon = Find(doc, "pre-authorized_grant_anonymous_access_supported"); anon != nullptr) {
    if (!anon->is_boolean()) return Invalid("pre-authorized_grant_anonymous_access_supported must be a boolean");
    m.pre_authorized_grant_anonymous_access_supported = anon->get<bool>();
  }
  if (Find(doc, "grant_types_supported") != nullptr) {
    ASSIGN_OR_RETURN(m.grant_types_supported, GetStringArray(doc, "grant_types_supported", true, true));
  }
  return m;
}

}  // namespace bonafide::oid4vci
