// cose/internal/headers.h: the header checks COSE_Sign1 and COSE_Mac0 share (RFC 9052 section 3).
//
// Thread safety: pure functions.
#ifndef BONAFIDE_COSE_INTERNAL_HEADERS_H_
#define BONAFIDE_COSE_INTERNAL_HEADERS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "base/bytes.h"
#include "base/status.h"
#include "cbor/cbor.h"

namespace bonafide::cose::internal {

// Headers are the two header buckets of a COSE message, checked.
struct Headers {
  Bytes protected_bytes;       // the protected bstr as received
  cbor::Value protected_map;   // its decoded map ({} for an empty bstr)
  cbor::Value unprotected;     // the unprotected map
  int64_t alg = 0;             // label 1, from the protected bucket
  std::optional<std::string> content_type;
  std::optional<uint64_t> content_format;
  std::optional<std::string> typ;
  std::optional<uint64_t> typ_format;
  std::optional<Bytes> kid;
};

// UnwrapTag strips the optional message tag `tag` (and, outside it, an optional CWT tag 61) from
// `message`; any other tag is kMalformed.
Result<const cbor::Value*> UnwrapTag(const cbor::Value& message, uint64_t tag);

// CheckHeaders validates the protected bstr and unprotected map of a COSE message: the protected
// bstr is empty or a map; unprotected is a map; labels are ints or text; no label in both
// buckets; alg present in the protected bucket as an integer (kUnsupportedAlgorithm otherwise);
// crit rejected (kUnknownCritical when well formed); content type / typ text or uint; kid a bstr.
Result<Headers> CheckHeaders(const cbor::Value& protected_item, const cbor::Value& unprotected);

// AppendBstr appends the CBOR byte-string encoding of `b` to `out`.
void AppendBstr(Bytes& out, ByteView b);

// ToBeSigned returns [context, protected, external_aad, payload] encoded (the Sig_structure of
// RFC 9052 4.4 with context "Signature1", or the MAC_structure of 6.3 with "MAC0").
Bytes ToBeSigned(std::string_view context, ByteView protected_bytes, ByteView external_aad, ByteView payload);

}  // namespace bonafide::cose::internal

#endif  // BONAFIDE_COSE_INTERNAL_HEADERS_H_
