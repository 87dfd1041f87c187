// fuzz_base64url: the strict decoders of base/encoding.h on arbitrary text.
//
// Invariant (canonical codecs): whenever a decoder accepts its input, encoding the result gives the
// input back. base64url is the target's subject; standard base64 (x5c) and hex ride along since
// they share the same strictness rules. Hex accepts either case, so it is compared case-folded.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz_common.h"
#include "base/encoding.h"

namespace {

using bonafide::fuzz::Check;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  if (auto decoded = bonafide::Base64UrlDecode(text); decoded.ok()) {
    Check(bonafide::Base64UrlEncode(bonafide::ByteView(*decoded)) == text,
          "base64url encode(decode(x)) == x");
    Check(decoded->size() == text.size() * 3 / 4, "base64url decoded length");
  }
  if (auto decoded = bonafide::Base64Decode(text); decoded.ok()) {
    Check(bonafide::Base64Encode(*decoded) == text, "base64 encode(decode(x)) == x");
  }
  if (auto decoded = bonafide::HexDecode(text); decoded.ok()) {
    Check(bonafide::HexEncode(*decoded) == Lower(text), "hex encode(decode(x)) == lower(x)");
  }
  return 0;
}
