// oid4vci/internal/url.h: percent-encoding, query strings and URL checks shared by the OID4VCI
// message parsers. Not part of the public API.
//
// Thread safety: pure functions.
#ifndef BONAFIDE_OID4VCI_INTERNAL_URL_H_
#define BONAFIDE_OID4VCI_INTERNAL_URL_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/json.h"
#include "base/status.h"

namespace bonafide::oid4vci::internal {

// PercentEncode returns `text` with every byte except the RFC 3986 unreserved characters
// (ALPHA / DIGIT / "-" / "." / "_" / "~") written as %XX with upper-case hex digits.
std::string PercentEncode(std::string_view text);

// PercentDecode reverses percent-encoding: %XX (either case) becomes the byte, and '+' becomes a
// space when `plus_as_space` (application/x-www-form-urlencoded). kMalformed for a '%' not
// followed by two hex digits and for raw bytes outside printable ASCII (0x21..0x7E).
Result<std::string> PercentDecode(std::string_view text, bool plus_as_space);

// QueryParams is an ordered list of decoded name/value pairs.
using QueryParams = std::vector<std::pair<std::string, std::string>>;

// ParseQuery splits "a=b&c=d" into decoded pairs ('+' is a space). kMalformed for an empty
// component ("a=b&&c=d"), a component without '=', an empty name, bad escapes, or a name given
// twice (compared after decoding, RFC 6749 section 3.2); kLimitExceeded for more than
// `max_params` components.
Result<QueryParams> ParseQuery(std::string_view query, size_t max_params);

// CheckUrl returns OK when `url` is an absolute https URL: scheme "https://", a non-empty host
// without userinfo, only printable ASCII, no fragment, and a query only when `allow_query`.
// With `allow_http_loopback`, "http://localhost", "http://127.0.0.1" and "http://[::1]" (any
// port) also pass. kInvalidClaims naming `what` otherwise.
Status CheckUrl(std::string_view url, std::string_view what, bool allow_query,
                bool allow_http_loopback);

// GetNonEmptyString returns the string member `key`; kInvalidClaims when it is absent, not a
// string, or empty.
Result<std::string> GetNonEmptyString(const Json& obj, std::string_view key);

// GetOptionalNonEmptyString is GetNonEmptyString for an optional member: nullopt when absent.
Result<std::optional<std::string>> GetOptionalNonEmptyString(const Json& obj, std::string_view key);

// GetStringArray returns the member `key` as a list of strings; kInvalidClaims when absent, not
// an array, empty (when `non_empty`), holding a non-string or empty string, or holding the same
// string twice (when `unique`).
Result<std::vector<std::string>> GetStringArray(const Json& obj, std::string_view key, bool non_empty,
                                                bool unique);

// IsErrorDescriptionText returns whether every byte of `text` is in the set the OID4VCI and
// RFC 6749 error_description / event_description values allow: %x20-21 / %x23-5B / %x5D-7E.
bool IsErrorDescriptionText(std::string_view text);

}  // namespace bonafide::oid4vci::internal

#endif  // BONAFIDE_OID4VCI_INTERNAL_URL_H_
