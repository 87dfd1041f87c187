// mdoc/mdoc.h: the ISO/IEC 18013-5:2021 mdoc data model that issuance, presentation and
// verification share (clause 8.3.2.1.2 and 9.1.2).
//
// An issued mdoc is an IssuerSigned structure:
//   IssuerSigned = {"nameSpaces": {+ NameSpace => [+ IssuerSignedItemBytes]}, "issuerAuth": COSE_Sign1}
//   IssuerSignedItemBytes = #6.24(bstr .cbor {"digestID", "random", "elementIdentifier", "elementValue"})
//   issuerAuth payload = #6.24(bstr .cbor MobileSecurityObject)
// The MSO holds a digest of every IssuerSignedItemBytes, computed over the whole tag-24 item as
// encoded. bonafide keeps received tag-24 items byte for byte (cbor/cbor.h), so digests are always
// checked over what was received.
//
// The parse functions here check structure only; signatures, digests and validity are checked by
// mdoc/verifier.h. Errors: kMalformed for structure, kUnsupportedAlgorithm for an unknown
// digestAlgorithm, kInvalidKey for an unusable device key.
//
// Thread safety: values and pure functions.
#ifndef BONAFIDE_MDOC_MDOC_H_
#define BONAFIDE_MDOC_MDOC_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "cbor/cbor.h"
#include "crypto/hash.h"
#include "crypto/keys.h"
#include "status/status_list_token.h"

namespace bonafide::mdoc {

inline constexpr char kMdlDocType[] = "org.iso.18013.5.1.mDL";
inline constexpr char kMdlNameSpace[] = "org.iso.18013.5.1";
inline constexpr std::string_view kMsoVersion = "1.0";
inline constexpr std::string_view kDeviceResponseVersion = "1.0";

// NameSpaces is the data of one mdoc: namespace -> ordered (element identifier, value) pairs.
using NameSpaces = std::vector<std::pair<std::string, std::vector<std::pair<std::string, cbor::Value>>>>;

// ValidityInfo (clause 9.1.2.4): times as Unix seconds.
struct ValidityInfo {
  int64_t signed_at = 0;
  int64_t valid_from = 0;
  int64_t valid_until = 0;
  std::optional<int64_t> expected_update;
};

// KeyAuthorizations (clause 9.1.2.4): the namespaces and elements the device key may sign itself.
struct KeyAuthorizations {
  std::vector<std::string> name_spaces;
  std::vector<std::pair<std::string, std::vector<std::string>>> data_elements;

  // Allows returns whether the device key may sign `element` of `name_space`.
  bool Allows(std::string_view name_space, std::string_view element) const;
};

// MobileSecurityObject (clause 9.1.2.4), as parsed from an issuerAuth payload.
struct MobileSecurityObject {
  std::string version{};
  crypto::HashAlg digest_algorithm = crypto::HashAlg::kSha256;
  // valueDigests as received: {namespace: {digestID: digest}}, every digest checked to be a bstr
  // of the algorithm's length. Look digests up with FindDigest.
  cbor::Value value_digests{};
  crypto::PublicKey device_key;
  KeyAuthorizations key_authorizations{};
  std::string doc_type{};
  ValidityInfo validity{};
  // status.status_list (Token Status List draft, section for mdoc), when present.
  std::optional<status::StatusReference> status{};

  // HasNameSpace says whether valueDigests has an entry for `name_space`.
  bool HasNameSpace(std::string_view name_space) const { return value_digests.Find(name_space) != nullptr; }
  // FindDigest returns the digest for `digest_id` of `name_space`, or an empty view if none.
  ByteView FindDigest(std::string_view name_space, uint64_t digest_id) const;
};

// ParseMobileSecurityObject reads the MSO map `mso`. kMalformed for a missing or mistyped member,
// a version other than "1.0", digests of the wrong length, or validity dates that are not tdates
// or are out of order (validFrom < signed is allowed; validUntil <= validFrom is not);
// kUnsupportedAlgorithm for a digestAlgorithm other than SHA-256/384/512; kInvalidKey for the
// device key.
// The map is taken by value so that valueDigests moves into the result instead of being copied.
Result<MobileSecurityObject> ParseMobileSecurityObject(cbor::Value mso);

// IssuerSignedItem (clause 8.3.2.1.2.2) together with the digest input it came from.
struct IssuerSignedItem {
  uint64_t digest_id = 0;
  Bytes random;
  std::string element_identifier;
  cbor::Value element_value;
};

// ParseIssuerSignedItem decodes one IssuerSignedItemBytes (a tag-24 value). kMalformed if it is
// not tag 24 over a map with exactly the four members of the right types, or the random is
// shorter than 16 bytes.
Result<IssuerSignedItem> ParseIssuerSignedItem(const cbor::Value& item_bytes);

// ItemDigest returns the digest of an IssuerSignedItemBytes value as encoded (its original bytes
// when it was decoded).
Bytes ItemDigest(crypto::HashAlg alg, const cbor::Value& item_bytes);

// TDateToUnix reads a tag-0 tdate value; kMalformed otherwise.
Result<int64_t> TDateToUnix(const cbor::Value& v);

}  // namespace bonafide::mdoc

#endif  // BONAFIDE_MDOC_MDOC_H_
