// oid4vci/token.h: the Token Endpoint messages of the Pre-Authorized Code Flow (OpenID4VCI 1.0
// section 6, RFC 6749 sections 4.1.3, 5.1 and 3.2) and the Nonce Endpoint response (section 7.2).
//
// The Token Request arrives as an application/x-www-form-urlencoded body; ParseFormUrlEncoded
// reads it strictly (size bound, no repeated parameter as RFC 6749 section 3.2 requires).
//
// Thread safety: pure functions; types are values.
#ifndef BONAFIDE_OID4VCI_TOKEN_H_
#define BONAFIDE_OID4VCI_TOKEN_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "base/json.h"
#include "base/status.h"

namespace bonafide::oid4vci {

// FormLimits bounds ParseFormUrlEncoded.
struct FormLimits {
  size_t max_bytes = 16 * 1024;
  size_t max_params = 32;
};

// FormParams maps decoded parameter names to decoded values.
using FormParams = std::map<std::string, std::string, std::less<>>;

// ParseFormUrlEncoded parses an application/x-www-form-urlencoded body ('+' is a space, %XX a
// byte). kLimitExceeded for a body over max_bytes or more than max_params parameters;
// kMalformed for an empty body, an empty component, a component without '=', an empty name, a
// bad escape, a raw byte outside printable ASCII, or a repeated parameter.
Result<FormParams> ParseFormUrlEncoded(std::string_view body, const FormLimits& limits = {});

// EncodeForm returns the application/x-www-form-urlencoded encoding of `params` (each name and
// value percent-encoded; unreserved characters kept).
std::string EncodeForm(const FormParams& params);

// TokenRequest is a Pre-Authorized Code Token Request (section 6.1).
struct TokenRequest {
  std::string pre_authorized_code;
  std::optional<std::string> tx_code;
  std::optional<std::string> client_id;

  // FromForm reads the request from decoded form parameters. kInvalidClaims when grant_type or
  // pre-authorized_code is missing or empty, or tx_code / client_id is present but empty;
  // kInvalidType when grant_type is anything but the pre-authorized_code URN (the server answers
  // unsupported_grant_type). Other parameters are ignored (section 6.1).
  static Result<TokenRequest> FromForm(const FormParams& form);
  // Parse is ParseFormUrlEncoded then FromForm.
  static Result<TokenRequest> Parse(std::string_view body, const FormLimits& limits = {});
  // ToForm returns the request body the wallet sends.
  std::string ToForm() const;
};

// CheckTxCode compares the request's tx_code with the one the offer required (constant time).
// Returns kInvalidClaims when one was required but none was sent, or none was required but one
// was sent (section 6.3: invalid_request); kInvalidSignature when the code is wrong (section 6.3:
// invalid_grant). Counting failed attempts is the caller's (storage) affair.
Status CheckTxCode(const TokenRequest& request, const std::optional<std::string>& expected);

// TokenResponse is a successful Token Response (RFC 6749 section 5.1).
struct TokenResponse {
  std::string access_token;
  std::string token_type = "Bearer";
  std::optional<int64_t> expires_in;  // seconds, positive

  Json ToJson() const;
  // FromJson returns kInvalidClaims for a missing or empty access_token, a token_type other than
  // Bearer (compared case-insensitively, RFC 6749 section 7.1), or a non-positive or non-integer
  // expires_in. Unknown members are ignored.
  static Result<TokenResponse> FromJson(const Json& body);
};

// NonceResponse is the Nonce Endpoint response {"c_nonce": ...} (section 7.2).
struct NonceResponse {
  std::string c_nonce;

  Json ToJson() const;
  // FromJson returns kInvalidClaims when c_nonce is missing, empty or not a string.
  static Result<NonceResponse> FromJson(const Json& body);
};

}  // namespace bonafide::oid4vci

#endif  // BONAFIDE_OID4VCI_TOKEN_H_
