// qr/qr.cc: see qr.h.
#include "qr/qr.h"

#include <png.h>
#include <qrencode.h>

#include <cerrno>
#include <memory>
#include <mutex>
#include <string>

namespace bonafide::qr {
namespace {

// kCapacity is ISO/IEC 18004:2015 Table 7, version 40, byte mode, indexed by QrErrorCorrection.
constexpr size_t kCapacity[] = {2953, 2331, 1663, 1273};

QRecLevel ToLibLevel(QrErrorCorrection level) {
  switch (level) {
    case QrErrorCorrection::kLow:
      return QR_ECLEVEL_L;
    case QrErrorCorrection::kMedium:
      return QR_ECLEVEL_M;
    case QrErrorCorrection::kQuartile:
      return QR_ECLEVEL_Q;
    case QrErrorCorrection::kHigh:
      return QR_ECLEVEL_H;
  }
  return QR_ECLEVEL_M;
}

// libqrencode keeps lazily built Reed-Solomon tables in globals (guarded only when it was built
// with pthreads); one lock makes that assumption unnecessary. Encoding an offer takes well under
// a millisecond.
std::mutex& EncoderMutex() {
  static std::mutex mu;
  return mu;
}

struct QrCodeFree {
  void operator()(QRcode* code) const { QRcode_free(code); }
};

Status CheckOptions(const QrOptions& options) {
  if (options.module_pixels < 1 || options.module_pixels > kQrMaxModulePixels) {
    return Error(StatusCode::kInvalidArgument,
                 "QR module size must be 1.." + std::to_string(kQrMaxModulePixels) + " pixels");
  }
  if (options.quiet_zone < 0 || options.quiet_zone > kQrMaxQuietZone) {
    return Error(StatusCode::kInvalidArgument, "QR quiet zone must be 0.." + std::to_string(kQrMaxQuietZone) + " modules");
  }
  return OkStatus();
}

}  // namespace

size_t QrMaxBytes(QrErrorCorrection level) { return kCapacity[static_cast<size_t>(level)]; }

Result<QrMatrix> QrEncode(std::string_view text, QrErrorCorrection level) {
  if (text.empty()) return Error(StatusCode::kInvalidArgument, "QR text is empty");
  if (text.size() > QrMaxBytes(level)) {
    return Error(StatusCode::kLimitExceeded, "QR text of " + std::to_string(text.size()) +
                                                 " bytes exceeds the " + std::to_string(QrMaxBytes(level)) +
                                                 " bytes a version 40 symbol holds at this level");
  }
  std::unique_ptr<QRcode, QrCodeFree> code;
  int error = 0;
  {
    std::lock_guard<std::mutex> lock(EncoderMutex());
    errno = 0;
    // Version 0: the smallest version that holds the data; the whole text in 8-bit mode.
    code.reset(QRcode_encodeData(static_cast<int>(text.size()), reinterpret_cast<const unsigned char*>(text.data()),
                                 0, ToLibLevel(level)));
    error = errno;
  }
  if (code == nullptr) {
    if (error == ERANGE) return Error(StatusCode::kLimitExceeded, "QR text does not fit a version 40 symbol");
    return Error(StatusCode::kInternal, "libqrencode failed (errno " + std::to_string(error) + ")");
  }
  if (code->version < 1 || code->version > 40 || code->width != 17 + 4 * code->version) {
    return Error(StatusCode::kInternal, "libqrencode returned an unexpected symbol size");
  }
  QrMatrix m;
  m.version = code->version;
  m.size = code->width;
  const size_t n = static_cast<size_t>(m.size) * static_cast<size_t>(m.size);
  m.dark.resize(n);
  // Each byte describes one module; its least significant bit is 1 for dark (qrencode.h).
  for (size_t i = 0; i < n; ++i) m.dark[i] = static_cast<uint8_t>(code->data[i] & 1u);
  return m;
}

Result<Bytes> QrPng(std::string_view text, QrOptions options) {
  RETURN_IF_ERROR(CheckOptions(options));
  ASSIGN_OR_RETURN(QrMatrix m, QrEncode(text, options.level));
  const size_t scale = static_cast<size_t>(options.module_pixels);
  const size_t quiet = static_cast<size_t>(options.quiet_zone);
  const size_t modules = static_cast<size_t>(m.size) + 2 * quiet;
  const size_t side = modules * scale;
  std::vector<uint8_t> pixels(side * side, 0xff);
  for (int y = 0; y < m.size; ++y) {
    for (int x = 0; x < m.size; ++x) {
      if (!m.Dark(x, y)) continue;
      const size_t px = (static_cast<size_t>(x) + quiet) * scale;
      const size_t py = (static_cast<size_t>(y) + quiet) * scale;
      for (size_t dy = 0; dy < scale; ++dy) {
        uint8_t* row = pixels.data() + (py + dy) * side + px;
        for (size_t dx = 0; dx < scale; ++dx) row[dx] = 0x00;
      }
    }
  }

  // libpng's simplified API (1.6) reports errors through its return value, never longjmp.
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  image.width = static_cast<png_uint_32>(side);
  image.height = static_cast<png_uint_32>(side);
  image.format = PNG_FORMAT_GRAY;
  const auto stride = static_cast<png_int_32>(side);
  png_alloc_size_t size = 0;
  if (png_image_write_to_memory(&image, nullptr, &size, 0, pixels.data(), stride, nullptr) == 0 || size == 0) {
    std::string why = image.message;
    png_image_free(&image);
    return Error(StatusCode::kInternal, "libpng: " + why);
  }
  Bytes png(static_cast<size_t>(size));
  if (png_image_write_to_memory(&image, png.data(), &size, 0, pixels.data(), stride, nullptr) == 0) {
    std::string why = image.message;
    png_image_free(&image);
    return Error(StatusCode::kInternal, "libpng: " + why);
  }
  png.resize(static_cast<size_t>(size));
  return png;
}

Result<std::string> QrSvg(std::string_view text, QrOptions options) {
  RETURN_IF_ERROR(CheckOptions(options));
  ASSIGN_OR_RETURN(QrMatrix m, QrEncode(text, options.level));
  const int modules = m.size + 2 * options.quiet_zone;
  const std::string n = std::to_string(modules);
  const std::string px = std::to_string(modules * options.module_pixels);
  std::string svg;
  svg.reserve(static_cast<size_t>(m.size) * static_cast<size_t>(m.size) + 512);
  svg += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"" + px + "\" height=\"" + px +
         "\" viewBox=\"0 0 " + n + " " + n + "\" shape-rendering=\"crispEdges\">";
  svg += "<rect width=\"" + n + "\" height=\"" + n + "\" fill=\"#fff\"/>";
  svg += "<path fill=\"#000\" d=\"";
  for (int y = 0; y < m.size; ++y) {
    int x = 0;
    while (x < m.size) {
      if (!m.Dark(x, y)) {
        ++x;
        continue;
      }
      const int start = x;
      while (x < m.size && m.Dark(x, y)) ++x;
      const std::string run = std::to_string(x - start);
      svg += "M" + std::to_string(start + options.quiet_zone) + " " + std::to_string(y + options.quiet_zone) + "h" +
             run + "v1h-" + run + "z";
    }
  }
  svg += "\"/></svg>\n";
  return svg;
}

}  // namespace bonafide::qr
