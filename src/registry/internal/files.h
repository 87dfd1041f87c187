// registry/internal/files.h: the file plumbing of the registry: bounded reads, durable atomic
// writes (temp file, fsync, rename, fsync of the directory) and an exclusive advisory lock.
//
// Thread safety: functions are reentrant; FileLock is owned by one thread.
#ifndef BONAFIDE_REGISTRY_INTERNAL_FILES_H_
#define BONAFIDE_REGISTRY_INTERNAL_FILES_H_

#include <cstddef>
#include <string>
#include <sys/types.h>

#include "base/status.h"

namespace bonafide::registry::internal {

// ReadFileLimited returns the contents of `path`: kNotFound when it does not exist, kIoError
// when it cannot be read or is not a regular file, kLimitExceeded above `max_bytes`.
Result<std::string> ReadFileLimited(const std::string& path, size_t max_bytes);

// WriteFileAtomic replaces `path` with `contents` durably: a temporary file in the same
// directory is written with `mode`, fsynced and renamed over `path`, then the directory is
// fsynced. A crash leaves either the old or the new file. kIoError on failure.
Status WriteFileAtomic(const std::string& path, const std::string& contents, mode_t mode);

// FileLock holds an exclusive flock(2) on a lock file (created if absent) until destroyed.
class FileLock {
 public:
  // Acquire blocks until the lock is held; kIoError when the file cannot be opened or locked.
  static Result<FileLock> Acquire(const std::string& path);
  FileLock(FileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  FileLock& operator=(FileLock&&) = delete;
  FileLock(const FileLock&) = delete;
  ~FileLock();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace bonafide::registry::internal

#endif  // BONAFIDE_REGISTRY_INTERNAL_FILES_H_
