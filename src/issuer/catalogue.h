// issuer/catalogue.h: the issuer's credential catalogue: the credential configurations it offers
// (OpenID4VCI 1.0 section 12.2.4 `credential_configurations_supported`) plus bonafide's own
// extensions per configuration, which are never published in the metadata:
//   issuer       the issuing department's name (display only);
//   valid_days   how long an issued credential is valid;
//   disclosable  dc+sd-jwt only: the top-level claims issued as selective disclosures;
//   namespaces   mso_mdoc only: the namespaces of the doctype;
//   type         jwt_vc_json only: the specific VCDM type (credential_definition.type is
//                [VerifiableCredential, type]);
//   status_list  the id of the hosted status list revocation uses.
// The UK catalogue (src/issuer/uk_catalogue.json, docs/credentials.md) is embedded in the binary.
//
// Thread safety: values and pure functions.
#ifndef BONAFIDE_ISSUER_CATALOGUE_H_
#define BONAFIDE_ISSUER_CATALOGUE_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/json.h"
#include "base/status.h"
#include "oid4vci/metadata.h"

namespace bonafide::issuer {

// CatalogueEntry is one credential configuration and its issuing rules.
struct CatalogueEntry {
  std::string id;                              // the credential_configuration_id
  oid4vci::CredentialConfiguration metadata;   // what the metadata publishes
  std::string issuer_name;                     // department (display)
  int64_t valid_days = 365;                    // 1..36500
  std::vector<std::string> disclosable;        // dc+sd-jwt: selectively disclosable claims
  std::string vc_type;                         // jwt_vc_json: e.g. "DigitalVeteranCard"
  std::string status_list;                     // hosted list id, e.g. "token-1"
  std::string name_en;                         // display[locale=en].name (VCDM `name`)
  std::string description_en;                  // display[locale=en].description

  oid4vci::CredentialFormat format() const { return metadata.format; }
};

// Catalogue maps configuration ids to entries (ordered by id).
using Catalogue = std::map<std::string, CatalogueEntry, std::less<>>;

// EmbeddedUkCatalogueJson returns the `credential_configurations` object of the embedded UK
// catalogue; kInternal if the embedded text does not parse (a build defect).
Result<Json> EmbeddedUkCatalogueJson();

// ParseCatalogue reads a `credential_configurations` object (id -> configuration with the
// extensions above). kInvalidArgument for a non-object or an empty one, a configuration that is
// not a valid OpenID4VCI configuration (format unknown, vct / doctype / type missing, bad
// display or claims), valid_days outside 1..36500, a missing status_list, a disclosable entry
// that is not a non-empty string.
Result<Catalogue> ParseCatalogue(const Json& configurations);

// ConfigurationMetadataJson returns the published form of one configuration (extensions
// dropped; credential_metadata.display / claims; binding methods and proof types added).
Json ConfigurationMetadataJson(const Json& configuration);

}  // namespace bonafide::issuer

#endif  // BONAFIDE_ISSUER_CATALOGUE_H_
