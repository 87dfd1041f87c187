// qr/qr.h: QR Code symbols (ISO/IEC 18004:2015) for credential offers, rendered as PNG or SVG.
//
// QrEncode turns text into a module matrix through libqrencode, always in 8-bit byte mode
// (section 7.4.5) at the smallest version (1..40) that holds it, so the capacity is the byte-mode
// column of ISO/IEC 18004 Table 7: at version 40, 2953 bytes (level L), 2331 (M), 1663 (Q) and
// 1273 (H). QrPng draws the matrix as an 8-bit greyscale PNG (dark modules black, light white),
// QrSvg as an SVG document with one white background rectangle and one black path; both add a
// quiet zone of light modules around the symbol (section 6.3.8 asks for 4).
//
// Thread safety: every function may be called concurrently (calls into libqrencode are
// serialised). Ownership: results are returned by value.
#ifndef BONAFIDE_QR_QR_H_
#define BONAFIDE_QR_QR_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"

namespace bonafide::qr {

// QrErrorCorrection is the error correction level (ISO/IEC 18004 section 5.3.8, Table 12):
// recovers about 7% (L), 15% (M), 25% (Q) or 30% (H) of the symbol.
enum class QrErrorCorrection { kLow, kMedium, kQuartile, kHigh };

// kQrMaxModulePixels bounds QrOptions::module_pixels; kQrMaxQuietZone bounds quiet_zone.
inline constexpr int kQrMaxModulePixels = 16;
inline constexpr int kQrMaxQuietZone = 16;

// QrOptions selects the level and the rendering.
struct QrOptions {
  QrErrorCorrection level = QrErrorCorrection::kMedium;
  int module_pixels = 8;  // pixels (PNG) or SVG user units per module, 1..kQrMaxModulePixels
  int quiet_zone = 4;     // light modules on each side, 0..kQrMaxQuietZone (the standard wants 4)
};

// QrMatrix is an encoded symbol without its quiet zone: `size` x `size` modules, row-major.
struct QrMatrix {
  int version = 0;  // 1..40
  int size = 0;     // 17 + 4 * version
  std::vector<uint8_t> dark;  // size * size entries, 1 for a dark module, 0 for a light one

  // Dark returns whether module (x, y) is dark; x and y must be in [0, size).
  bool Dark(int x, int y) const { return dark[static_cast<size_t>(y) * static_cast<size_t>(size) + static_cast<size_t>(x)] != 0; }
};

// QrMaxBytes returns the largest text (in bytes) a symbol of `level` holds: the version 40
// byte-mode capacity of ISO/IEC 18004 Table 7.
size_t QrMaxBytes(QrErrorCorrection level);

// QrEncode returns the matrix of `text` at `level`. kInvalidArgument for empty text;
// kLimitExceeded for text longer than QrMaxBytes(level); kInternal when libqrencode fails
// otherwise (out of memory).
Result<QrMatrix> QrEncode(std::string_view text, QrErrorCorrection level = QrErrorCorrection::kMedium);

// QrPng returns a PNG (8-bit greyscale, no interlace) of the symbol of `text`, the image
// (size + 2 * quiet_zone) * module_pixels pixels square. QrEncode's errors; kInvalidArgument for
// options out of range; kInternal when libpng fails.
Result<Bytes> QrPng(std::string_view text, QrOptions options = {});

// QrSvg returns a standalone SVG 1.1 document of the symbol of `text`: viewBox in modules
// (quiet zone included), width and height in pixels (modules * module_pixels), a white
// background <rect> and one black <path> made of one "M x y h n v 1 h -n z" run per horizontal
// stretch of dark modules. QrEncode's errors; kInvalidArgument for options out of range.
Result<std::string> QrSvg(std::string_view text, QrOptions options = {});

}  // namespace bonafide::qr

#endif  // BONAFIDE_QR_QR_H_
