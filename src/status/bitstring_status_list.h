// status/bitstring_status_list.h: W3C Bitstring Status List v1.0 (W3C Recommendation, 2025) for
// credentials secured as JWTs in the VC-JOSE-COSE style.
//
// A BitstringStatusList is a bitstring of at least 131,072 bits (16 KiB, section 2.1 "the
// uncompressed bitstring MUST be at least 16KB in size"). Bit order is MSB first: index 0 is the
// left-most (most significant) bit of the first byte. An entry of statusSize bits occupies bits
// index * statusSize .. index * statusSize + statusSize - 1, read as a big-endian number.
// `encodedList` is the multibase base64url form ('u' prefix, no padding) of the GZIP (RFC 1952,
// not zlib) compressed bitstring. Decoding is strict and bounded as for the IETF list
// (DecodeLimits): kLimitExceeded past the limit, kMalformed for a bad stream or trailing bytes.
//
// The status list credential is a VCDM 2.0 credential secured as a JWT with header typ "vc+jwt"
// whose payload is the credential itself: @context [https://www.w3.org/ns/credentials/v2], type
// [VerifiableCredential, BitstringStatusListCredential], issuer, validFrom, validUntil?,
// credentialSubject {id, type BitstringStatusList, statusPurpose, encodedList}. Only
// BitstringStatusListCredentialVerifier builds a VerifiedBitstringStatusListCredential.
//
// Thread safety: values and pure functions; a configured verifier may be shared for Verify. The
// Clock given to the verifier must outlive it.
#ifndef BONAFIDE_STATUS_BITSTRING_STATUS_LIST_H_
#define BONAFIDE_STATUS_BITSTRING_STATUS_LIST_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/json.h"
#include "base/status.h"
#include "crypto/keys.h"
#include "status/token_status_list.h"

namespace bonafide::status {

// kMinBitstringBits is the minimum bitstring length, 16 KiB of bits (section 2.1).
inline constexpr uint64_t kMinBitstringBits = 131072;
// kMaxBitstringStatusSize is the largest statusSize this implementation supports.
inline constexpr unsigned kMaxBitstringStatusSize = 8;

// StatusPurpose is the statusPurpose of an entry or list (section 2.1).
enum class StatusPurpose { kRevocation, kSuspension, kMessage };

// StatusPurposeName returns "revocation", "suspension" or "message".
std::string_view StatusPurposeName(StatusPurpose purpose);
// ParseStatusPurpose maps the three names above; nullopt for anything else.
std::optional<StatusPurpose> ParseStatusPurpose(std::string_view name);

// BitstringStatusList is the uncompressed bitstring of a BitstringStatusList (section 2.2).
class BitstringStatusList {
 public:
  // Largest bitstring Create accepts, in bytes (256 MiB).
  static constexpr uint64_t kMaxBytes = uint64_t{256} << 20;

  // Create returns an all-zero bitstring of `num_bits` bits rounded up to whole bytes.
  // kInvalidArgument if num_bits < kMinBitstringBits or the bitstring would exceed kMaxBytes.
  static Result<BitstringStatusList> Create(uint64_t num_bits = kMinBitstringBits);

  // DecodeEncodedList decodes an `encodedList`. kMalformed without the 'u' multibase prefix, for
  // bad base64url, a corrupt / truncated gzip stream, bytes after it, or fewer than 16 KiB
  // decompressed; kLimitExceeded past `limits`.
  static Result<BitstringStatusList> DecodeEncodedList(std::string_view encoded_list,
                                                       const DecodeLimits& limits = {});

  // EncodeEncodedList returns 'u' + base64url(gzip(bitstring)). kInternal only if zlib fails.
  Result<std::string> EncodeEncodedList() const;

  // Get returns the `status_size`-bit value of entry `index`. kInvalidArgument if status_size is
  // not in 1..kMaxBitstringStatusSize; kStatusUnavailable if the entry lies outside the bitstring.
  // O(status_size); does not allocate unless it fails.
  Result<uint32_t> Get(uint64_t index, unsigned status_size = 1) const;

  // Set stores `value` in entry `index`. kInvalidArgument for a bad status_size, an entry outside
  // the bitstring, or a value that does not fit in status_size bits.
  Status Set(uint64_t index, uint32_t value, unsigned status_size = 1);

  // num_bits returns the bitstring length in bits.
  uint64_t num_bits() const { return static_cast<uint64_t>(bytes_.size()) * 8; }
  const Bytes& bytes() const { return bytes_; }

 private:
  explicit BitstringStatusList(Bytes bytes) : bytes_(std::move(bytes)) {}
  // EntryInRange is true if entry `index` of `status_size` bits lies inside the bitstring.
  bool EntryInRange(uint64_t index, unsigned status_size) const {
    return index < num_bits() / status_size;
  }
  Bytes bytes_;
};

// BitstringStatusListCredentialParams are the contents of a status list credential to issue.
struct BitstringStatusListCredentialParams {
  std::string id;                          // URL of the credential; entries' statusListCredential.
  std::string issuer;                      // issuer URL or DID.
  int64_t valid_from = 0;                  // Unix seconds.
  std::optional<int64_t> valid_until;      // Unix seconds.
  StatusPurpose purpose = StatusPurpose::kRevocation;
  std::optional<std::string> subject_id;   // credentialSubject.id; defaults to id + "#list".
  std::optional<std::string> kid;          // JWT header kid.
};

// IssueBitstringStatusListCredential returns the credential as a compact JWS signed by `signer`.
// kInvalidArgument if id or issuer is empty, valid_until is not after valid_from or a time is out
// of range; kInternal if compression or signing fails.
Result<std::string> IssueBitstringStatusListCredential(const BitstringStatusListCredentialParams& params,
                                                       const BitstringStatusList& list,
                                                       const crypto::Signer& signer);

// VerifiedBitstringStatusListCredential is a status list credential whose signature, type,
// purpose and validity period have been checked.
class VerifiedBitstringStatusListCredential {
 public:
  const std::optional<std::string>& id() const { return id_; }
  const std::string& issuer() const { return issuer_; }
  int64_t valid_from() const { return valid_from_; }
  const std::optional<int64_t>& valid_until() const { return valid_until_; }
  // purposes returns the credentialSubject.statusPurpose values (one or more).
  const std::vector<StatusPurpose>& purposes() const { return purposes_; }
  const BitstringStatusList& status_list() const { return list_; }

 private:
  friend class BitstringStatusListCredentialVerifier;
  VerifiedBitstringStatusListCredential(std::optional<std::string> id, std::string issuer, int64_t valid_from,
                                        std::optional<int64_t> valid_until, std::vector<StatusPurpose> purposes,
                                        BitstringStatusList list)
      : id_(std::move(id)), issuer_(std::move(issuer)), valid_from_(valid_from), valid_until_(valid_until),
        purposes_(std::move(purposes)), list_(std::move(list)) {}

  std::optional<std::string> id_;
  std::string issuer_;
  int64_t valid_from_;
  std::optional<int64_t> valid_until_;
  std::vector<StatusPurpose> purposes_;
  BitstringStatusList list_;
};

// BitstringStatusListCredentialVerifier verifies status list credentials against one key.
// ExpectPurpose, and either ExpectId or AllowAnyId, must be called before Verify.
class BitstringStatusListCredentialVerifier {
 public:
  // `key` is copied; `clock` is borrowed and must outlive the verifier.
  BitstringStatusListCredentialVerifier(crypto::PublicKey key, const Clock& clock)
      : key_(std::move(key)), clock_(clock) {}

  // ExpectPurpose requires credentialSubject.statusPurpose to include `purpose`.
  BitstringStatusListCredentialVerifier& ExpectPurpose(StatusPurpose purpose) {
    purpose_ = purpose;
    return *this;
  }
  // ExpectId requires the credential `id` to equal `url` (the entry's statusListCredential).
  BitstringStatusListCredentialVerifier& ExpectId(std::string url) {
    expected_id_ = std::move(url);
    id_configured_ = true;
    return *this;
  }
  // AllowAnyId accepts any (or no) credential id.
  BitstringStatusListCredentialVerifier& AllowAnyId() {
    expected_id_.reset();
    id_configured_ = true;
    return *this;
  }
  // MaxSkew sets the allowed clock difference (default 60 s, capped at 300 s).
  BitstringStatusListCredentialVerifier& MaxSkew(int64_t seconds) { skew_ = seconds; return *this; }
  BitstringStatusListCredentialVerifier& WithLimits(const DecodeLimits& limits) { limits_ = limits; return *this; }

  // Verify checks `compact`. kInvalidArgument if the expectations are not configured; kMalformed
  // for a bad JWS, payload, date or encodedList; JWS errors (kInvalidSignature, ...); kInvalidType
  // unless typ is vc+jwt and the credential and subject types are right; kInvalidClaims for a
  // missing or mistyped @context, issuer, validFrom, validUntil, credentialSubject or encodedList;
  // kStatusUnavailable if the id differs from ExpectId or the purpose is not listed;
  // kNotYetValid / kExpired from validFrom / validUntil (and any JWT nbf / exp); kLimitExceeded.
  Result<VerifiedBitstringStatusListCredential> Verify(std::string_view compact) const;

 private:
  crypto::PublicKey key_;
  const Clock& clock_;
  std::optional<StatusPurpose> purpose_;
  std::optional<std::string> expected_id_;
  bool id_configured_ = false;
  int64_t skew_ = 60;
  DecodeLimits limits_;
};

// BitstringStatusEntry is a credentialStatus entry of type BitstringStatusListEntry (section 2.1).
struct BitstringStatusEntry {
  std::optional<std::string> id;
  StatusPurpose purpose = StatusPurpose::kRevocation;
  uint64_t index = 0;                 // statusListIndex
  std::string status_list_credential;  // URL of the status list credential
  unsigned status_size = 1;           // statusSize, default 1

  // FromJson parses one credentialStatus entry. kInvalidType unless type is
  // "BitstringStatusListEntry"; kMalformed if statusPurpose is not revocation / suspension /
  // message, statusListIndex is not a canonical base-10 string fitting in 64 bits,
  // statusListCredential is not a URL, id is present but not a string or equals
  // statusListCredential, statusSize is not an integer in 1..8, or statusSize > 1 without a
  // statusMessage array of 2^statusSize entries.
  static Result<BitstringStatusEntry> FromJson(const Json& json);
};

// CheckBitstringStatus looks `entry` up in `credential`: OK for 0; kRevoked (revocation) or
// kSuspended (suspension) for a non-zero value; kStatusUnavailable if the entry's purpose is not
// one of the list's or its index lies outside the list; kInvalidArgument for purpose message
// (read the value with status_list().Get instead).
Status CheckBitstringStatus(const VerifiedBitstringStatusListCredential& credential,
                            const BitstringStatusEntry& entry);

}  // namespace bonafide::status

#endif  // BONAFIDE_STATUS_BITSTRING_STATUS_LIST_H_
