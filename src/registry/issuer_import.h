// registry/issuer_import.h: building a trusted-issuer entry (registry/trust_list.h) from a
// bonafide issuer, either from its data directory or from its published metadata.
//
// Per credential configuration the entry takes (format, type) and the anchors of that format:
// the SD-JWT VC issuer's published JWKs (/.well-known/jwt-vc-issuer, SD-JWT VC section 5) for
// dc+sd-jwt, the IACA roots (/iacas, ISO/IEC 18013-5 Annex B) for mso_mdoc, the did:web document
// (/.well-known/did.json) for jwt_vc_json. The data directory route reads the same keys the
// issuer publishes (issuer::PublishedJwtVcIssuerMetadata, PublishedDidDocument, PublishedIacas);
// the metadata route fetches them over HTTP(S).
//
// Thread safety: pure functions (the HTTP route blocks on the network).
#ifndef BONAFIDE_REGISTRY_ISSUER_IMPORT_H_
#define BONAFIDE_REGISTRY_ISSUER_IMPORT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "http/client.h"
#include "registry/trust_list.h"

namespace bonafide::registry {

// TrustedIssuerFromDataDir reads ISSUER_DATA_DIR/issuer.json and the issuer's keys and returns
// its entry with the keys published at `now`. issuer::LoadIssuerConfig / LoadIssuerKeys errors
// (kIoError, kMalformed, kInvalidArgument, kInvalidKey); ValidateTrustedIssuer's errors.
Result<TrustedIssuer> TrustedIssuerFromDataDir(const std::string& issuer_data_dir, int64_t now);

// TrustedIssuerFromMetadataUrl fetches the metadata of the Credential Issuer `issuer_url`
// (https; http only on a loopback host) with `options` (ca_file for https):
// /.well-known/openid-credential-issuer[path], and as its configurations need them
// /.well-known/jwt-vc-issuer[path], [path]/iacas and the did:web document. kInvalidArgument for a
// bad URL or jwks_uri instead of jwks; kIoError when a request fails or answers other than 200;
// kInvalidClaims when a document's issuer differs from `issuer_url` or is malformed (the
// oid4vci metadata parser's errors); kMalformed for JSON or PEM that does not parse;
// ValidateTrustedIssuer's errors.
Result<TrustedIssuer> TrustedIssuerFromMetadataUrl(std::string_view issuer_url, const http::ClientOptions& options);

// SplitUrl splits an http(s) URL into its origin ("https://host:port") and path ("" or "/a/b";
// query and fragment refused). kInvalidArgument otherwise.
Result<std::pair<std::string, std::string>> SplitUrl(std::string_view url);

}  // namespace bonafide::registry

#endif  // BONAFIDE_REGISTRY_ISSUER_IMPORT_H_
