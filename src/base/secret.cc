#include "base/secret.h"

#include <string.h>  // explicit_bzero (glibc)

namespace bonafide {

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    Wipe();
    data_ = std::move(other.data_);
  }
  return *this;
}

void SecretBytes::Wipe() {
  if (!data_.empty()) explicit_bzero(data_.data(), data_.size());
  data_.clear();
}

}  // namespace bonafide
