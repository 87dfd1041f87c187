// vcjwt/internal/common.h: checks shared by the VC-JWT and VP-JWT verifiers. Not public API.
//
// Thread safety: pure functions.
#ifndef BONAFIDE_VCJWT_INTERNAL_COMMON_H_
#define BONAFIDE_VCJWT_INTERNAL_COMMON_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/json.h"
#include "base/status.h"

namespace bonafide::vcjwt::internal {

// CheckBaseContext returns OK if `obj["@context"]` is an array whose first entry is the VCDM 2.0
// context and whose entries are strings or objects (VCDM 2.0 section 4.3). kInvalidType when
// the member is absent or the first entry is another context, kInvalidClaims when it is not an
// array or holds other values.
Status CheckBaseContext(const Json& obj);

// GetTypes returns `obj["type"]` (a string or an array of strings, VCDM 2.0 section 4.5) as a
// list, requiring `required` among them. kInvalidType when absent or `required` is missing,
// kInvalidClaims when of the wrong JSON type.
Result<std::vector<std::string>> GetTypes(const Json& obj, std::string_view required);

// HasType returns whether `types` contains `type`.
bool HasType(const std::vector<std::string>& types, std::string_view type);

// DidOfDidUrl returns the DID of the DID URL `did_url` ("did:METHOD:ID#FRAGMENT"): kMalformed
// unless it starts with "did:" and has a non-empty fragment after a single '#'.
Result<std::string> DidOfDidUrl(std::string_view did_url);

}  // namespace bonafide::vcjwt::internal

#endif  // BONAFIDE_VCJWT_INTERNAL_COMMON_H_
