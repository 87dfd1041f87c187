// sdjwt/internal/sdjwt_internal.h: helpers shared by the SD-JWT implementation files. Not public API.
#ifndef BONAFIDE_SDJWT_INTERNAL_H_
#define BONAFIDE_SDJWT_INTERNAL_H_

#include <span>

#include "sdjwt/sdjwt.h"

namespace bonafide::sdjwt::internal {

// ComponentsEqual treats the index 3 and the member name "3" as the same component, so a dotted
// path written by a person matches whichever the JSON has.
bool ComponentsEqual(const ClaimPath::Component& a, const ClaimPath::Component& b);
bool PathsEqual(const ClaimPath& a, const ClaimPath& b);
// PathIsPrefix is true when every component of `prefix` starts `path` (ComponentsEqual).
bool PathIsPrefix(const ClaimPath& prefix, const ClaimPath& path);

// IssueSdJwtWith is IssueSdJwt with `extra_top_level` members added to the top level of
// `claims` (without copying it) and the top-level names in `forced_clear` never disclosable,
// whatever `options` say. kInvalidArgument if an extra member is already in `claims`.
Result<std::string> IssueSdJwtWith(const Json& claims, const Json* extra_top_level,
                                   std::span<const char* const> forced_clear, const Json& header,
                                   const IssueOptions& options, const crypto::Signer& signer, Random& random);

// SdAlg returns the digest algorithm named by the payload's `_sd_alg` (sha-256 when absent):
// kMalformed when it is not a string, kUnsupportedAlgorithm for a name we do not support.
Result<crypto::HashAlg> SdAlg(const Json& payload);

// EncodeDisclosureText returns base64url of the disclosure array [base64url(salt), name?, value]
// with the value already serialised as JSON text.
std::string EncodeDisclosureText(ByteView salt, const std::string* name, std::string_view value_json);

}  // namespace bonafide::sdjwt::internal

#endif  // BONAFIDE_SDJWT_INTERNAL_H_
