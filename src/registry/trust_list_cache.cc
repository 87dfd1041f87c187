#include "registry/trust_list_cache.h"

#include <algorithm>
#include <utility>

#include "registry/internal/files.h"
#include "registry/issuer_import.h"

namespace bonafide::registry {

Result<std::unique_ptr<TrustListCache>> TrustListCache::Create(TrustListCacheOptions options,
                                                               crypto::Certificate registry_root, int64_t now) {
  if (options.source.empty()) return Error(StatusCode::kInvalidArgument, "trust list cache without a source");
  if (options.cache_file.empty()) return Error(StatusCode::kInvalidArgument, "trust list cache without a cache file");
  std::unique_ptr<TrustListCache> cache(new TrustListCache(std::move(options), std::move(registry_root)));
  Result<std::string> cached = internal::ReadFileLimited(cache->options_.cache_file, kMaxTrustListBytes);
  if (cached.ok()) {
    std::string text = std::move(*cached);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
    Result<TrustList> list = VerifyTrustList(text, cache->root_, now, cache->options_.verify);
    if (list.ok()) cache->current_ = std::make_shared<const TrustList>(std::move(*list));
  }
  return cache;
}

std::shared_ptr<const TrustList> TrustListCache::current() const {
  std::lock_guard<std::mutex> lock(mu_);
  return current_;
}

Result<std::string> TrustListCache::Fetch() const {
  const std::string& source = options_.source;
  if (!source.starts_with("http://") && !source.starts_with("https://")) {
    Result<std::string> text = internal::ReadFileLimited(source, kMaxTrustListBytes);
    if (!text.ok() && text.status().code() == StatusCode::kNotFound) {
      return Error(StatusCode::kIoError, "trust list source " + source + " does not exist");
    }
    return text;
  }
  ASSIGN_OR_RETURN(auto split, SplitUrl(source));
  ASSIGN_OR_RETURN(std::unique_ptr<http::Client> client, http::Client::Create(split.first, options_.http));
  ASSIGN_OR_RETURN(http::ClientResponse r, client->Get(split.second.empty() ? "/" : split.second));
  if (r.status != 200) {
    return Error(StatusCode::kIoError, "trust list source answered HTTP " + std::to_string(r.status));
  }
  // Trailing whitespace (a newline after the JWS in a served file) is not part of the list.
  std::string body = std::move(r.body);
  while (!body.empty() && (body.back() == '\n' || body.back() == '\r' || body.back() == ' ')) body.pop_back();
  return body;
}

Result<TrustListSnapshot> TrustListCache::Refresh(int64_t now) {
  Result<std::string> fetched = Fetch();
  std::lock_guard<std::mutex> lock(mu_);
  VerifyOptions verify = options_.verify;
  if (current_ != nullptr) verify.min_sequence = std::max(verify.min_sequence, current_->sequence());

  if (!fetched.ok()) {
    if (current_ == nullptr) {
      return Error(StatusCode::kIoError, "trust list source unreachable and nothing cached: " +
                                             fetched.status().message());
    }
    // Re-verify the kept list at `now`: staleness and certificate expiry are judged today.
    ASSIGN_OR_RETURN(TrustList again, VerifyTrustList(current_->jws(), root_, now, verify));
    current_ = std::make_shared<const TrustList>(std::move(again));
    return TrustListSnapshot{current_, false, now - current_->issued_at(), fetched.status()};
  }

  // The same text (or text that differs only by trailing whitespace in a file) is the same list.
  std::string text = std::move(*fetched);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
  ASSIGN_OR_RETURN(TrustList list, VerifyTrustList(text, root_, now, verify));
  if (current_ != nullptr && list.sequence() == current_->sequence() && list.jws() != current_->jws()) {
    return Error(StatusCode::kInvalidArgument,
                 "trust list sequence " + std::to_string(list.sequence()) + " seen before with other content");
  }
  const bool is_new = current_ == nullptr || list.jws() != current_->jws();
  if (is_new) RETURN_IF_ERROR(internal::WriteFileAtomic(options_.cache_file, list.jws() + "\n", 0644));
  current_ = std::make_shared<const TrustList>(std::move(list));
  return TrustListSnapshot{current_, true, now - current_->issued_at(), OkStatus()};
}

}  // namespace bonafide::registry
