// base/encoding.h: strict base64url (RFC 4648 section 5, JOSE profile), standard base64 and hex.
//
// Decoders are strict and canonical: base64url rejects padding, characters outside the URL-safe
// alphabet, impossible lengths (len % 4 == 1) and non-zero trailing bits, so each byte string has
// exactly one accepted encoding. Failures are kMalformed. Thread safety: pure functions.
#ifndef BONAFIDE_BASE_ENCODING_H_
#define BONAFIDE_BASE_ENCODING_H_

#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/status.h"

namespace bonafide {

// Base64UrlEncode returns the unpadded base64url encoding of `data`.
std::string Base64UrlEncode(ByteView data);
inline std::string Base64UrlEncode(std::string_view s) { return Base64UrlEncode(AsBytes(s)); }
// Base64UrlAppend appends the unpadded base64url encoding of `data` to `out`.
void Base64UrlAppend(std::string& out, ByteView data);

// Base64UrlDecode returns the bytes of strict unpadded base64url `text`, or kMalformed.
Result<Bytes> Base64UrlDecode(std::string_view text);

// Base64Encode returns padded standard base64 (RFC 4648 section 4), as used by x5c.
std::string Base64Encode(ByteView data);

// Base64Decode returns the bytes of strict padded standard base64 `text`, or kMalformed.
Result<Bytes> Base64Decode(std::string_view text);

// HexEncode returns lowercase hex.
std::string HexEncode(ByteView data);

// HexDecode accepts upper or lower case hex of even length, or returns kMalformed.
Result<Bytes> HexDecode(std::string_view text);

// IsVisibleAscii says whether every byte of `text` is visible ASCII (0x21-0x7E: no space, no
// control byte, nothing above 0x7E); true for empty text.
bool IsVisibleAscii(std::string_view text);

}  // namespace bonafide

#endif  // BONAFIDE_BASE_ENCODING_H_
