// cose/cose_mac0.h: COSE_Mac0, the MAC'd message without recipients of RFC 9052 (sections 6.2 and
// 6.3) with the HMAC algorithms of RFC 9053 section 3.1. 18013-5 uses it for deviceMac with
// HMAC 256/256 and a key derived per session (EMacKey).
//
// A COSE_Mac0 is `[protected: bstr, unprotected: map, payload: bstr / nil, tag: bstr]`,
// optionally wrapped in tag 17. The header rules are those of COSE_Sign1 (cose/cose_sign1.h):
// alg in the protected bucket, no crit, no label in both buckets. VerifyMac0 then checks: alg is
// one of MacAlg -> kUnsupportedAlgorithm; it is the caller's expected algorithm ->
// kAlgorithmMismatch; nil payload needs `detached_payload` (kMalformed), an attached one must not
// get one (kInvalidArgument); the tag, compared in constant time, equals HMAC over MAC_structure
// ["MAC0", protected bstr as received, external_aad, payload], truncated for HMAC 256/64 ->
// kInvalidSignature.
//
// Thread safety: pure functions. Ownership: results own copies of their bytes.
#ifndef BONAFIDE_COSE_COSE_MAC0_H_
#define BONAFIDE_COSE_COSE_MAC0_H_

#include <cstdint>
#include <optional>

#include "base/bytes.h"
#include "base/status.h"
#include "cbor/cbor.h"

namespace bonafide::cose {

// MacAlg is a COSE HMAC algorithm; the value is its COSE identifier (RFC 9053 table 7).
enum class MacAlg : int64_t {
  kHmac256_64 = 4,  // HMAC-SHA-256, tag truncated to 64 bits
  kHmac256 = 5,     // HMAC-SHA-256 (18013-5 deviceMac)
  kHmac384 = 6,     // HMAC-SHA-384
  kHmac512 = 7,     // HMAC-SHA-512
};

// ParseMacAlg maps a COSE identifier to MacAlg; nullopt if it is not one.
std::optional<MacAlg> ParseMacAlg(int64_t id);

// VerifiedMac0 is a COSE_Mac0 whose tag verified. Only VerifyMac0 constructs it.
class VerifiedMac0 {
 public:
  const Bytes& protected_header() const { return protected_header_; }
  MacAlg alg() const { return alg_; }
  // payload returns the MAC'd payload (the detached one if the message carried nil).
  const Bytes& payload() const { return payload_; }

 private:
  friend Result<VerifiedMac0> VerifyMac0(const cbor::Value&, MacAlg, ByteView, ByteView, std::optional<ByteView>);
  VerifiedMac0() = default;
  Bytes protected_header_;
  MacAlg alg_ = MacAlg::kHmac256;
  Bytes payload_;
};

// VerifyMac0 checks the COSE_Mac0 `message` with `key`, requiring algorithm `expected_alg`; errors
// as listed at the top of this file. An empty key is kInvalidArgument.
Result<VerifiedMac0> VerifyMac0(const cbor::Value& message, MacAlg expected_alg, ByteView key,
                                ByteView external_aad = {}, std::optional<ByteView> detached_payload = std::nullopt);
// VerifyMac0Bytes decodes `cose` (strict CBOR) and verifies it as VerifyMac0 does.
Result<VerifiedMac0> VerifyMac0Bytes(ByteView cose, MacAlg expected_alg, ByteView key, ByteView external_aad = {},
                                     std::optional<ByteView> detached_payload = std::nullopt);

// Mac0Form says how the message is laid out.
struct Mac0Form {
  bool tagged = false;    // wrap in tag 17 (18013-5 deviceMac is untagged)
  bool detached = false;  // write nil for the payload
};

// CreateMac0 returns a COSE_Mac0 over `payload` with protected {1: alg} and an empty unprotected
// map. kInvalidArgument for an empty key.
Result<cbor::Value> CreateMac0(MacAlg alg, ByteView key, ByteView payload, ByteView external_aad = {},
                               Mac0Form form = {});

}  // namespace bonafide::cose

#endif  // BONAFIDE_COSE_COSE_MAC0_H_
