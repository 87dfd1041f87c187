// oid4vci/metadata.h: Credential Issuer Metadata (OpenID4VCI 1.0 section 12.2, served at
// /.well-known/openid-credential-issuer) and the RFC 8414 Authorization Server Metadata subset
// the built-in authorisation server publishes (section 12.3).
//
// FromJson is strict about what it models (types, required members, https URLs, non-empty
// arrays, unique display locales, claims descriptions that neither repeat nor contradict each
// other, Appendix B.3) and ignores members it does not model, as section 12.2.4 requires.
// ToJson writes only the modelled members. Format profiles (Appendix A): `dc+sd-jwt` needs `vct`,
// `mso_mdoc` needs `doctype`, `jwt_vc_json` needs `credential_definition.type`.
//
// Thread safety: pure functions; types are values.
#ifndef BONAFIDE_OID4VCI_METADATA_H_
#define BONAFIDE_OID4VCI_METADATA_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/json.h"
#include "base/status.h"

namespace bonafide::oid4vci {

// kCredentialIssuerWellKnown and kAuthorizationServerWellKnown are the well-known paths.
inline constexpr std::string_view kCredentialIssuerWellKnown = "/.well-known/openid-credential-issuer";
inline constexpr std::string_view kAuthorizationServerWellKnown = "/.well-known/oauth-authorization-server";

// CredentialFormat is a Credential Format Identifier bonafide issues (Appendix A).
enum class CredentialFormat { kSdJwtVc, kMsoMdoc, kJwtVcJson };

// CredentialFormatName returns "dc+sd-jwt", "mso_mdoc" or "jwt_vc_json".
std::string_view CredentialFormatName(CredentialFormat format);
// ParseCredentialFormat maps an identifier to the enum; nullopt for any other.
std::optional<CredentialFormat> ParseCredentialFormat(std::string_view name);

// Logo is a display logo {uri, alt_text?}.
struct Logo {
  std::string uri;
  std::optional<std::string> alt_text;
};

// IssuerDisplay is one entry of the issuer's `display` (one per locale).
struct IssuerDisplay {
  std::optional<std::string> name;
  std::optional<std::string> locale;
  std::optional<Logo> logo;
};

// CredentialDisplay is one entry of credential_metadata.display (name required).
struct CredentialDisplay {
  std::string name;
  std::optional<std::string> locale;
  std::optional<Logo> logo;
  std::optional<std::string> description;
  std::optional<std::string> background_color;
  std::optional<std::string> text_color;
  std::optional<std::string> background_image_uri;  // background_image.uri
};

// ClaimDisplay is one entry of a claims description's display.
struct ClaimDisplay {
  std::optional<std::string> name;
  std::optional<std::string> locale;
};

// ClaimDescription is a claims description for issuer metadata (Appendix B.2). `path` is a
// claims path pointer (Appendix C): a non-empty JSON array of strings, nulls and non-negative
// integers.
struct ClaimDescription {
  Json path = Json::array();
  std::optional<bool> mandatory;
  std::vector<ClaimDisplay> display;
};

// ProofTypeMetadata is one value of proof_types_supported.
struct ProofTypeMetadata {
  std::vector<std::string> proof_signing_alg_values_supported;  // non-empty
  std::optional<Json> key_attestations_required;                // kept as given (an object)
};

// SigningAlgorithm is a credential_signing_alg_values_supported entry: a JOSE name ("ES256") or,
// for mso_mdoc, a COSE algorithm number (-7).
using SigningAlgorithm = std::variant<std::string, int64_t>;

// CredentialConfiguration is one value of credential_configurations_supported (12.2.4 and
// Appendix A). Empty vectors and maps stand for absent members.
struct CredentialConfiguration {
  CredentialFormat format = CredentialFormat::kSdJwtVc;
  std::optional<std::string> vct;                       // dc+sd-jwt (required there)
  std::optional<std::string> doctype;                   // mso_mdoc (required there)
  std::vector<std::string> credential_definition_type;  // jwt_vc_json (required there)
  std::optional<std::string> scope;
  std::vector<std::string> cryptographic_binding_methods_supported;
  std::vector<SigningAlgorithm> credential_signing_alg_values_supported;
  std::map<std::string, ProofTypeMetadata> proof_types_supported;  // present iff binding methods are
  std::vector<CredentialDisplay> display;  // credential_metadata.display
  std::vector<ClaimDescription> claims;    // credential_metadata.claims
};

// MetadataParseOptions names the relaxations of CredentialIssuerMetadata::FromJson.
struct MetadataParseOptions {
  // insecure_allow_http_loopback accepts http URLs on localhost / 127.0.0.1 / [::1] (tests).
  bool insecure_allow_http_loopback = false;
  // ignore_unknown_formats drops configurations of formats bonafide does not issue (ldp_vc, ...)
  // instead of failing with kInvalidClaims; for a wallet reading a foreign issuer.
  bool ignore_unknown_formats = false;
};

// CredentialIssuerMetadata is the Credential Issuer Metadata document (section 12.2.4).
struct CredentialIssuerMetadata {
  std::string credential_issuer;                   // https, no query or fragment
  std::vector<std::string> authorization_servers;  // empty: the issuer is its own AS
  std::string credential_endpoint;
  std::optional<std::string> nonce_endpoint;
  std::optional<std::string> deferred_credential_endpoint;
  std::optional<std::string> notification_endpoint;
  std::optional<int64_t> batch_size;  // batch_credential_issuance.batch_size, >= 2
  std::vector<IssuerDisplay> display;
  std::map<std::string, CredentialConfiguration> credential_configurations_supported;  // non-empty

  // ToJson returns the metadata document.
  Json ToJson() const;
  // FromJson parses a metadata document. kInvalidClaims for a non-object, a missing, mistyped or
  // empty required member, a URL that is not https (endpoints may have a query; the issuer
  // identifier may not), batch_size < 2, a repeated display locale, an unknown format (unless
  // ignored), a format-specific member missing, proof_types_supported present without
  // cryptographic_binding_methods_supported or the other way round, or claims descriptions that
  // repeat or contradict each other.
  static Result<CredentialIssuerMetadata> FromJson(const Json& doc, const MetadataParseOptions& options = {});
  // Parse is FromJson over JSON text (kMalformed / kLimitExceeded from the JSON parser).
  static Result<CredentialIssuerMetadata> Parse(std::string_view json, const MetadataParseOptions& options = {});

  // FindConfiguration returns the configuration `id`, or nullptr.
  const CredentialConfiguration* FindConfiguration(std::string_view id) const;
  // max_proofs returns how many proofs one Credential Request may carry: batch_size, or 1.
  size_t max_proofs() const { return batch_size.has_value() ? static_cast<size_t>(*batch_size) : 1; }
};

// AuthorizationServerMetadata is the RFC 8414 subset of the built-in authorisation server, with
// OpenID4VCI's pre-authorized_grant_anonymous_access_supported (section 12.3).
struct AuthorizationServerMetadata {
  std::string issuer;          // https, no query or fragment
  std::string token_endpoint;  // https
  std::optional<bool> pre_authorized_grant_anonymous_access_supported;
  std::vector<std::string> grant_types_supported;  // empty: absent

  Json ToJson() const;
  // FromJson returns kInvalidClaims for a missing or mistyped member or a non-https URL (http on
  // a loopback host passes with `insecure_allow_http_loopback`).
  static Result<AuthorizationServerMetadata> FromJson(const Json& doc, bool insecure_allow_http_loopback = false);
};

}  // namespace bonafide::oid4vci

#endif  // BONAFIDE_OID4VCI_METADATA_H_
