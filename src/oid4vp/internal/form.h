// oid4vp/internal/form.h: percent-encoding, application/x-www-form-urlencoded bodies and URL
// pieces shared by the OpenID4VP request and response messages. Not part of the public API.
//
// Thread safety: pure functions.
#ifndef BONAFIDE_OID4VP_INTERNAL_FORM_H_
#define BONAFIDE_OID4VP_INTERNAL_FORM_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace bonafide::oid4vp::internal {

// FormParams is an ordered list of decoded name/value pairs; names are unique.
using FormParams = std::vector<std::pair<std::string, std::string>>;

// PercentEncode returns `text` with every byte except the RFC 3986 unreserved characters
// (ALPHA / DIGIT / "-" / "." / "_" / "~") written as %XX, upper-case hex.
std::string PercentEncode(std::string_view text);

// ParseForm splits "a=b&c=d" into decoded pairs ('+' is a space, %XX a byte). kMalformed for an
// empty component, a component without '=', an empty name, a bad escape, a raw byte outside
// printable ASCII, or a name given twice (RFC 6749 section 3.1: parameters MUST NOT be included
// more than once); kLimitExceeded for more than `max_params` components.
Result<FormParams> ParseForm(std::string_view body, size_t max_params);

// FindParam returns the value of `name`, or nullptr (pointer into `params`).
const std::string* FindParam(const FormParams& params, std::string_view name);

// EncodeForm joins `params` as name=value pairs, both percent-encoded, separated by '&'.
std::string EncodeForm(const FormParams& params);

// HttpsUrl is an absolute http(s) URL split into what the checks need.
struct HttpsUrl {
  bool https = true;
  std::string host{};  // lower-cased; brackets kept for IPv6 literals
};

// ParseHttpUrl reads an absolute "https://" URL (or "http://" when `allow_http_loopback` and the
// host is localhost, 127.0.0.1 or [::1]): a non-empty host, no userinfo, no fragment, printable
// ASCII only. kInvalidClaims naming `what` otherwise.
Result<HttpsUrl> ParseHttpUrl(std::string_view url, std::string_view what, bool allow_http_loopback);

// IsDnsName returns whether `host` is a DNS name: dot-separated labels of 1..63 letters, digits
// and hyphens (not at a label's ends), at most 253 characters in all; "localhost" included.
// IP address literals are not DNS names.
bool IsDnsName(std::string_view host);

// IsUrlSafe returns whether `text` is non-empty and only holds the characters OpenID4VP 1.0
// section 5.3 allows in nonce and state: ALPHA / DIGIT / "-" / "." / "_" / "~".
bool IsUrlSafe(std::string_view text);

// IsErrorText returns whether every byte of `text` is in the RFC 6749 error / error_description
// set %x20-21 / %x23-5B / %x5D-7E.
bool IsErrorText(std::string_view text);

}  // namespace bonafide::oid4vp::internal

#endif  // BONAFIDE_OID4VP_INTERNAL_FORM_H_
