// base/bytes.h: byte buffers and views used across bonafide.
//
// Bytes owns; ByteView borrows (like std::string_view). Thread safety: values.
#ifndef BONAFIDE_BASE_BYTES_H_
#define BONAFIDE_BASE_BYTES_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace bonafide {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;

// AsBytes views the characters of `s` as bytes (no copy).
inline ByteView AsBytes(std::string_view s) {
  return ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

// ToBytes copies the characters of `s` into a new buffer.
inline Bytes ToBytes(std::string_view s) { return Bytes(s.begin(), s.end()); }

// AsStringView views bytes as characters (no copy).
inline std::string_view AsStringView(ByteView b) {
  return std::string_view(reinterpret_cast<const char*>(b.data()), b.size());
}

inline std::string ToString(ByteView b) { return std::string(AsStringView(b)); }

}  // namespace bonafide

#endif  // BONAFIDE_BASE_BYTES_H_
