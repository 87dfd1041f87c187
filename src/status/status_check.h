// status/status_check.h: checking a referenced token's status against a Status List Token in
// either form (IETF Token Status List: JWT `statuslist+jwt` or CWT `statuslist+cwt`).
//
// Thread safety: pure function (the Clock must be safe to read concurrently).
#ifndef BONAFIDE_STATUS_STATUS_CHECK_H_
#define BONAFIDE_STATUS_STATUS_CHECK_H_

#include "base/bytes.h"
#include "base/clock.h"
#include "base/status.h"
#include "crypto/keys.h"
#include "status/status_list_token.h"

namespace bonafide::status {

// IsJwtText says whether `token` looks like a compact JWS (base64url segments joined by dots),
// as opposed to a CBOR-encoded CWT.
bool IsJwtText(ByteView token);

// CheckStatusWithToken verifies the Status List Token `token` (compact JWT text, or a COSE_Sign1
// CWT as CBOR bytes: detected with IsJwtText) with `key` at `clock`, requires its subject to be
// ref.uri, and maps entry ref.idx with CheckStatus. Errors: the token verifier's (kMalformed,
// kInvalidSignature, kInvalidType, kExpired, ...; a subject other than ref.uri is
// kStatusUnavailable), then kRevoked / kSuspended / kStatusUnavailable from the entry.
Status CheckStatusWithToken(ByteView token, const crypto::PublicKey& key, const Clock& clock,
                            const StatusReference& ref);

}  // namespace bonafide::status

#endif  // BONAFIDE_STATUS_STATUS_CHECK_H_
