// base/secret.h: SecretBytes, a buffer for key material and other secrets.
//
// The buffer is wiped (explicit_bzero, which the compiler may not elide) on destruction and on
// reassignment. It has no operator<<, no implicit conversion to string, and copying is explicit
// (Clone), so a secret is not duplicated or logged by accident. Compare secrets only with
// crypto::ConstantTimeEquals. Thread safety: like std::vector.
#ifndef BONAFIDE_BASE_SECRET_H_
#define BONAFIDE_BASE_SECRET_H_

#include <cstddef>
#include <cstdint>

#include "base/bytes.h"

namespace bonafide {

class SecretBytes {
 public:
  SecretBytes() = default;
  // Takes ownership of `bytes`, wiping the source buffer's storage is the caller's affair: pass
  // an rvalue so no copy of the secret remains.
  explicit SecretBytes(Bytes&& bytes) : data_(std::move(bytes)) {}
  explicit SecretBytes(size_t size) : data_(size, 0) {}
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  SecretBytes(SecretBytes&& other) noexcept : data_(std::move(other.data_)) {}
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  ~SecretBytes() { Wipe(); }

  // Clone returns an explicit copy.
  SecretBytes Clone() const { return SecretBytes(Bytes(data_)); }

  // view exposes the secret for use by crypto code; do not store or print it.
  ByteView view() const { return ByteView(data_.data(), data_.size()); }
  uint8_t* mutable_data() { return data_.data(); }
  size_t size() const { return data_.size(); }
  bool empty() const { return data_.empty(); }

 private:
  void Wipe();
  Bytes data_;
};

}  // namespace bonafide

#endif  // BONAFIDE_BASE_SECRET_H_
