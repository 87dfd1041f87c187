#include "issuer/catalogue.h"

#include <string_view>
#include <utility>

#include "issuer/uk_catalogue_embedded.h"

namespace bonafide::issuer {
namespace {

Status Bad(const std::string& id, const std::string& what) {
  return Error(StatusCode::kInvalidArgument, "credential configuration " + id + ": " + what);
}

Json ProofTypes() {
  return Json{{"jwt", Json{{"proof_signing_alg_values_supported", Json::array({"ES256", "ES384", "EdDSA"})}}}};
}

}  // namespace

Result<Json> EmbeddedUkCatalogueJson() {
  Result<Json> doc = ParseJsonObject(internal::kEmbeddedUkCatalogue);
  if (!doc.ok()) return Error(StatusCode::kInternal, "embedded catalogue: " + doc.status().message());
  const Json* configs = Find(*doc, "credential_configurations");
  if (configs == nullptr || !configs->is_object()) {
    return Error(StatusCode::kInternal, "embedded catalogue has no credential_configurations object");
  }
  return *configs;
}

Json ConfigurationMetadataJson(const Json& c) {
  Json out = Json::object();
  const Json* format = Find(c, "format");
  const std::string fmt = (format != nullptr && format->is_string()) ? format->get<std::string>() : "";
  out["format"] = fmt;
  if (const Json* v = Find(c, "vct")) out["vct"] = *v;
  if (const Json* v = Find(c, "doctype")) out["doctype"] = *v;
  if (const Json* v = Find(c, "type")) {
    out["credential_definition"] = Json{{"type", Json::array({"VerifiableCredential", *v})}};
  }
  if (fmt == "mso_mdoc") {
    out["cryptographic_binding_methods_supported"] = Json::array({"cose_key"});
    out["credential_signing_alg_values_supported"] = Json::array({-7});
  } else if (fmt == "jwt_vc_json") {
    out["cryptographic_binding_methods_supported"] = Json::array({"did:key", "jwk"});
    out["credential_signing_alg_values_supported"] = Json::array({"ES256"});
  } else {
    out["cryptographic_binding_methods_supported"] = Json::array({"jwk"});
    out["credential_signing_alg_values_supported"] = Json::array({"ES256"});
  }
  out["proof_types_supported"] = ProofTypes();
  Json cm = Json::object();
  if (const Json* d = Find(c, "display")) cm["display"] = *d;
  if (const Json* cl = Find(c, "claims")) cm["claims"] = *cl;
  if (!cm.empty()) out["credential_metadata"] = std::move(cm);
  return out;
}

Result<Catalogue> ParseCatalogue(const Json& configurations) {
  if (!configurations.is_object() || configurations.empty()) {
    return Error(StatusCode::kInvalidArgument, "credential_configurations must be a non-empty object");
  }
  // Validate the published forms with the OpenID4VCI metadata parser (one strict rule set).
  Json doc = {{"credential_issuer", "https://catalogue.invalid"},
              {"credential_endpoint", "https://catalogue.invalid/credential"},
              {"credential_configurations_supported", Json::object()}};
  for (const auto& [id, c] : configurations.items()) {
    if (!c.is_object()) return Bad(id, "not an object");
    doc["credential_configurations_supported"][id] = ConfigurationMetadataJson(c);
  }
  Result<oid4vci::CredentialIssuerMetadata> parsed = oid4vci::CredentialIssuerMetadata::FromJson(doc);
  if (!parsed.ok()) return Error(StatusCode::kInvalidArgument, "catalogue: " + parsed.status().message());

  Catalogue out;
  for (const auto& [id, c] : configurations.items()) {
    CatalogueEntry e;
    e.id = id;
    e.metadata = *parsed->FindConfiguration(id);
    if (auto v = GetOptionalString(c, "issuer"); v.ok() && v->has_value()) e.issuer_name = **v;
    Result<std::optional<int64_t>> days = GetOptionalInt(c, "valid_days");
    if (!days.ok()) return Bad(id, "valid_days is not an integer");
    e.valid_days = days->value_or(365);
    if (e.valid_days < 1 || e.valid_days > 36500) return Bad(id, "valid_days outside 1..36500");
    Result<std::optional<std::string>> list = GetOptionalString(c, "status_list");
    if (!list.ok() || !list->has_value() || (*list)->empty()) return Bad(id, "status_list missing");
    e.status_list = **list;
    if (const Json* d = Find(c, "disclosable")) {
      if (!d->is_array()) return Bad(id, "disclosable is not an array");
      for (const Json& x : *d) {
        if (!x.is_string() || x.get<std::string>().empty()) return Bad(id, "disclosable entry is not a name");
        e.disclosable.push_back(x.get<std::string>());
      }
    }
    if (e.format() == oid4vci::CredentialFormat::kJwtVcJson) {
      e.vc_type = e.metadata.credential_definition_type.back();
    }
    for (const oid4vci::CredentialDisplay& d : e.metadata.display) {
      if (d.locale == "en" || (e.name_en.empty() && !d.locale.has_value())) {
        e.name_en = d.name;
        e.description_en = d.description.value_or("");
      }
    }
    out.emplace(id, std::move(e));
  }
  return out;
}

}  // namespace bonafide::issuer
