// oid4vp/response.h: the OpenID4VP 1.0 (final) Authorization Response carrying a `vp_token`
// (section 8.1: a JSON object keyed by DCQL Credential Query id, each value a non-empty array of
// presentations) in Response Mode `direct_post` (section 8.2: an
// application/x-www-form-urlencoded POST with vp_token as JSON text and state) or
// `direct_post.jwt` (section 8.3: the same parameters as the top-level members of a JSON object,
// encrypted as a compact JWE ECDH-ES to the verifier's client_metadata key, sent as
// `response=<JWE>`), and Authorization Error Responses (section 8.5; RFC 6749 4.1.2.1).
//
// Wallet side: BuildVpToken, EncodeDirectPost, EncryptResponse, EncodeErrorResponse,
// EncryptErrorResponse. Verifier side: ParseAuthorizationResponse (presentations are then
// checked with VerifyPresentations, presentation.h).
//
// ParseAuthorizationResponse error codes:
//   kInvalidArgument  options incomplete (direct_post.jwt without a decryption key or kid).
//   kLimitExceeded    body longer than ResponseParseOptions::max_bytes, too many parameters.
//   kMalformed        content type not application/x-www-form-urlencoded; bad form encoding; a
//                     parameter twice; neither vp_token nor error; both; vp_token not a JSON
//                     object; state or error of the wrong type or characters; a decrypted
//                     payload that is not a JSON object.
//   kInvalidType      the response's mode is not the expected one: `response` in a direct_post
//                     response, or a plain vp_token in a direct_post.jwt response (a downgrade).
//                     An unencrypted error response is accepted in direct_post.jwt mode, as
//                     section 8.3 allows a Wallet that cannot encrypt.
//   jose::DecryptEcdhEs errors for the JWE: kInvalidKey for another kid (a response to another
//                     request), kInvalidSignature for a JWE to another key or tampered,
//                     kUnsupportedAlgorithm for an enc not accepted, ...
//   kNonceMismatch    expected_state is set and the response's state differs or is missing.
//
// Thread safety: pure functions.
#ifndef BONAFIDE_OID4VP_RESPONSE_H_
#define BONAFIDE_OID4VP_RESPONSE_H_

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/json.h"
#include "base/random.h"
#include "base/status.h"
#include "crypto/keys.h"
#include "oid4vp/request.h"

namespace bonafide::oid4vp {

// kFormContentType is the content type of every response body here.
inline constexpr std::string_view kFormContentType = "application/x-www-form-urlencoded";

// BuildVpToken returns the vp_token object {query_id: [presentation, ...]}. kInvalidArgument for
// no entries, an empty id or an empty presentation list or string.
Result<Json> BuildVpToken(const std::map<std::string, std::vector<std::string>>& presentations);

// EncodeDirectPost returns the direct_post body "vp_token=<JSON text>[&state=...]".
// kInvalidArgument when vp_token is not an object or state is not URL safe.
Result<std::string> EncodeDirectPost(const Json& vp_token, const std::optional<std::string>& state);

// EncryptResponse returns the direct_post.jwt body "response=<JWE>": the JWE (ECDH-ES, the
// request's enc, kid copied from the chosen JWK) of {"vp_token": ..., "state": ...} (state as
// the request had it) to the request's encryption key. kInvalidArgument when the request is not
// direct_post.jwt or vp_token is not an object; jose::EncryptEcdhEs's errors otherwise.
Result<std::string> EncryptResponse(const Json& vp_token, const VerifiedRequest& request, Random& random);

// AuthorizationError is an Authorization Error Response (section 8.5).
struct AuthorizationError {
  std::string error{};  // e.g. "access_denied", "invalid_request", "vp_formats_not_supported"
  std::optional<std::string> error_description{};
};

// EncodeErrorResponse returns "error=...[&error_description=...][&state=...]" for direct_post
// (and for direct_post.jwt when the Wallet cannot encrypt). kInvalidArgument for an empty error,
// characters outside RFC 6749's set (%x20-21 / %x23-5B / %x5D-7E), or a state not URL safe.
Result<std::string> EncodeErrorResponse(const AuthorizationError& error, const std::optional<std::string>& state);

// EncryptErrorResponse is EncodeErrorResponse encrypted as EncryptResponse does it.
Result<std::string> EncryptErrorResponse(const AuthorizationError& error, const VerifiedRequest& request,
                                         Random& random);

// ResponseParseOptions says what the verifier asked for.
struct ResponseParseOptions {
  ResponseMode expected_mode = ResponseMode::kDirectPostJwt;
  // direct_post.jwt: the ephemeral private key and its kid from the request (required).
  const crypto::PrivateKey* decryption_key = nullptr;
  std::string expected_kid{};
  std::vector<std::string> accepted_enc = {"A256GCM", "A128GCM"};
  // expected_state: when set, the response must carry exactly this state.
  std::optional<std::string> expected_state{};
  size_t max_bytes = 4 * 1024 * 1024;  // the whole body
  JsonLimits json_limits = {4 * 1024 * 1024, 32};
};

// AuthorizationResponse is a parsed (and, for direct_post.jwt, decrypted) response: either a
// vp_token (a JSON object, presentations not yet verified) or an error.
struct AuthorizationResponse {
  std::optional<Json> vp_token{};
  std::optional<AuthorizationError> error{};
  std::optional<std::string> state{};
  bool encrypted = false;
};

// ParseAuthorizationResponse reads the POST body `body` of content type `content_type` sent to
// the response_uri. See the top of this file for the error codes.
Result<AuthorizationResponse> ParseAuthorizationResponse(std::string_view body, std::string_view content_type,
                                                         const ResponseParseOptions& options);

}  // namespace bonafide::oid4vp

#endif  // BONAFIDE_OID4VP_RESPONSE_H_
