// registry/trust_list_cache.h: how a verifier or wallet keeps a current trust list: fetch it from
// a file or an http(s) URL, verify it (VerifyTrustList against the pinned registrar root), keep
// the last good list on disk, and never go back in sequence.
//
// Refresh semantics:
//   - source reachable, list valid, sequence >= the current one: it becomes current and is written
//     to the cache file (atomically) when it is new; the same sequence with different content is
//     refused (kInvalidArgument), as is a lower sequence (rollback);
//   - source reachable but the list does not verify: that error; the current list stays;
//   - source unreachable (file missing or unreadable, connection failure, HTTP status other than
//     200): the current list (re-verified at `now`, so stale() and certificate expiry are
//     current) with from_source false, its age and the source's error; with no current list, the
//     source's error.
// On creation the cache file, when present and valid, is the current list (and its sequence the
// rollback floor); an invalid cache file is ignored and overwritten by the next good list.
//
// Thread safety: all methods may be called concurrently (a mutex guards the current list).
#ifndef BONAFIDE_REGISTRY_TRUST_LIST_CACHE_H_
#define BONAFIDE_REGISTRY_TRUST_LIST_CACHE_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "base/status.h"
#include "crypto/x509.h"
#include "http/client.h"
#include "registry/trust_list.h"

namespace bonafide::registry {

// TrustListCacheOptions configure a TrustListCache.
struct TrustListCacheOptions {
  std::string source;      // a file path, or an http(s) URL of the published list
  std::string cache_file;  // where the last good list is kept (required)
  http::ClientOptions http;  // for URL sources (ca_file, timeouts)
  VerifyOptions verify;      // min_sequence is raised to the current list's sequence
};

// TrustListSnapshot is the result of a refresh.
struct TrustListSnapshot {
  std::shared_ptr<const TrustList> list;
  bool from_source = false;   // false: the source was unreachable and this is the kept list
  int64_t age_seconds = 0;    // now - list->issued_at()
  Status source_status;       // OK when from_source; else why the source was not used
};

class TrustListCache {
 public:
  // Create makes a cache for `options` pinned to `registry_root`, loading the cache file if it
  // holds a list valid at `now`. kInvalidArgument for an empty source or cache_file.
  static Result<std::unique_ptr<TrustListCache>> Create(TrustListCacheOptions options,
                                                        crypto::Certificate registry_root, int64_t now);

  // Refresh fetches and verifies the list (file comment). VerifyTrustList's errors; kIoError when
  // the source is unreachable and there is no current list, or the cache file cannot be written.
  Result<TrustListSnapshot> Refresh(int64_t now);

  // current returns the current list, or null before the first good one.
  std::shared_ptr<const TrustList> current() const;

 private:
  TrustListCache(TrustListCacheOptions options, crypto::Certificate root)
      : options_(std::move(options)), root_(std::move(root)) {}
  Result<std::string> Fetch() const;

  const TrustListCacheOptions options_;
  const crypto::Certificate root_;
  mutable std::mutex mu_;
  std::shared_ptr<const TrustList> current_;  // guarded by mu_
};

}  // namespace bonafide::registry

#endif  // BONAFIDE_REGISTRY_TRUST_LIST_CACHE_H_
