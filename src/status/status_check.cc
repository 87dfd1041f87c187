#include "status/status_check.h"

#include "status/status_list_cwt.h"

namespace bonafide::status {

bool IsJwtText(ByteView token) {
  size_t dots = 0;
  for (uint8_t c : token) {
    const bool b64 = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (c == '.') {
      ++dots;
    } else if (!b64) {
      return false;
    }
  }
  return dots == 2;
}

Status CheckStatusWithToken(ByteView token, const crypto::PublicKey& key, const Clock& clock,
                            const StatusReference& ref) {
  if (IsJwtText(token)) {
    StatusListTokenVerifier verifier(key, clock);
    verifier.ExpectSubject(ref.uri);
    auto list = verifier.Verify(AsStringView(token));
    if (!list.ok()) return Status(list.status().code(), "status list token: " + list.status().message());
    return CheckStatus(list->status_list(), ref.idx);
  }
  StatusListCwtVerifier verifier(key, clock);
  verifier.ExpectSubject(ref.uri);
  auto list = verifier.Verify(token);
  if (!list.ok()) return Status(list.status().code(), "status list token (CWT): " + list.status().message());
  return CheckStatus(list->status_list(), ref.idx);
}

}  // namespace bonafide::status
