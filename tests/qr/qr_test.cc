// Tests of src/qr: what QrPng and QrSvg make is decoded by third-party decoders (zbarimg for the
// PNG; the SVG rendered by rsvg-convert, then zbarimg) and must give back the exact text; the SVG
// path is also read back into a module matrix and compared with QrEncode's; the capacity
// boundary (ISO/IEC 18004 Table 7, version 40, byte mode) holds at every level; bad options and
// inputs fail with their exact codes.
#include "qr/qr.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace bonafide::qr {
namespace {

namespace fs = std::filesystem;

// kOfferUri is the shape of an offer `bonafide issuer offer` prints (by value, with a tx_code).
constexpr char kOfferUri[] =
    "openid-credential-offer://?credential_offer=%7B%22credential_issuer%22%3A%22https%3A%2F%2Fissuer.example.gov.uk"
    "%22%2C%22credential_configuration_ids%22%3A%5B%22uk.gov.digital-id.sd-jwt%22%5D%2C%22grants%22%3A%7B%22urn%3A"
    "ietf%3Aparams%3Aoauth%3Agrant-type%3Apre-authorized_code%22%3A%7B%22pre-authorized_code%22%3A%22q0Xb8nT2cVw"
    "R4mKpL7sYhJ1eF9aZ3uD6gC5iO0tN%22%2C%22tx_code%22%3A%7B%22input_mode%22%3A%22numeric%22%2C%22length%22%3A6%7D"
    "%7D%7D%7D";

class QrTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (fs::temp_directory_path() / ("bonafide-qr-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name()))
               .string();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  void Write(const std::string& name, const std::string& data) const {
    std::ofstream out(Path(name), std::ios::binary);
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    ASSERT_TRUE(out.good()) << name;
  }
  void Write(const std::string& name, const Bytes& data) const {
    Write(name, std::string(data.begin(), data.end()));
  }

  // Run runs a shell command (paths are the test's own, without shell metacharacters) and
  // returns its stdout; `exit_code` gets its exit status.
  static std::string Run(const std::string& command, int& exit_code) {
    std::string out;
    FILE* pipe = ::popen((command + " 2>/dev/null").c_str(), "r");
    if (pipe == nullptr) {
      exit_code = -1;
      return out;
    }
    char buf[4096];
    size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
    const int status = ::pclose(pipe);
    exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return out;
  }

  // Decode returns what zbarimg reads from the image file `name` (its bytes exactly: -Sbinary).
  std::string Decode(const std::string& name) const {
    int code = 0;
    std::string text = Run("zbarimg --quiet --raw -Sbinary '" + Path(name) + "'", code);
    EXPECT_EQ(code, 0) << "zbarimg found no QR code in " << name
                       << " (is zbar-tools installed? scripts/setup.sh installs it)";
    return text;
  }

  // DecodePng writes `png` and decodes it.
  std::string DecodePng(const Bytes& png) const {
    Write("symbol.png", png);
    return Decode("symbol.png");
  }

  // DecodeSvg renders `svg` with rsvg-convert and decodes the result.
  std::string DecodeSvg(const std::string& svg) const {
    Write("symbol.svg", svg);
    int code = 0;
    Run("rsvg-convert --background-color=white -o '" + Path("rendered.png") + "' '" + Path("symbol.svg") + "'", code);
    EXPECT_EQ(code, 0) << "rsvg-convert failed (is librsvg2-bin installed? scripts/setup.sh installs it)";
    return Decode("rendered.png");
  }

  std::string dir_;
};

uint32_t BigEndian32(const Bytes& b, size_t at) {
  return (uint32_t{b[at]} << 24) | (uint32_t{b[at + 1]} << 16) | (uint32_t{b[at + 2]} << 8) | uint32_t{b[at + 3]};
}

// SvgMatrix reads the path of a QrSvg document back into a matrix of `modules` x `modules`
// (quiet zone included); sets `ok` to false on anything QrSvg does not write.
std::vector<uint8_t> SvgMatrix(const std::string& svg, int modules, bool& ok) {
  ok = false;
  std::vector<uint8_t> m(static_cast<size_t>(modules) * static_cast<size_t>(modules), 0);
  const std::string open = "<path fill=\"#000\" d=\"";
  const size_t start = svg.find(open);
  if (start == std::string::npos) return m;
  const size_t end = svg.find('"', start + open.size());
  if (end == std::string::npos) return m;
  std::istringstream d(svg.substr(start + open.size(), end - start - open.size()));
  char c = 0;
  while (d >> c) {
    int x = -1, y = -1, run = -1, back = -1, one = -1;
    char h = 0, v = 0, h2 = 0, z = 0;
    if (c != 'M' || !(d >> x >> y >> h >> run >> v >> one >> h2 >> back >> z)) return m;
    if (h != 'h' || v != 'v' || one != 1 || h2 != 'h' || back != -run || z != 'z' || run < 1) return m;
    if (x < 0 || y < 0 || x + run > modules || y >= modules) return m;
    for (int i = 0; i < run; ++i) {
      uint8_t& cell = m[static_cast<size_t>(y) * static_cast<size_t>(modules) + static_cast<size_t>(x + i)];
      if (cell != 0) return m;  // runs never overlap
      cell = 1;
    }
  }
  ok = true;
  return m;
}

size_t Count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t pos = haystack.find(needle); pos != std::string::npos; pos = haystack.find(needle, pos + 1)) ++n;
  return n;
}

TEST_F(QrTest, PngDecodesToTheExactText) {
  const std::vector<std::string> texts = {"A", kOfferUri, "Llywodraeth Cymru \xe2\x80\x93 \xc5\xb5\xc5\xb7 ok",
                                          "line one\nline two\ttab"};
  for (const std::string& text : texts) {
    Result<Bytes> png = QrPng(text);
    ASSERT_TRUE(png.ok()) << png.status().ToString();
    EXPECT_EQ(DecodePng(*png), text);
  }
}

TEST_F(QrTest, EveryLevelDecodes) {
  int previous_version = 0;
  for (QrErrorCorrection level : {QrErrorCorrection::kLow, QrErrorCorrection::kMedium, QrErrorCorrection::kQuartile,
                                  QrErrorCorrection::kHigh}) {
    Result<Bytes> png = QrPng(kOfferUri, {.level = level, .module_pixels = 4, .quiet_zone = 4});
    ASSERT_TRUE(png.ok()) << png.status().ToString();
    EXPECT_EQ(DecodePng(*png), kOfferUri);
    // More error correction needs more modules for the same text.
    Result<QrMatrix> m = QrEncode(kOfferUri, level);
    ASSERT_TRUE(m.ok());
    EXPECT_GT(m->version, previous_version);
    previous_version = m->version;
  }
}

TEST_F(QrTest, PngIsGreyscaleWithTheQuietZoneAndScale) {
  Result<QrMatrix> m = QrEncode(kOfferUri);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->size, 17 + 4 * m->version);
  for (int scale : {1, 3, kQrMaxModulePixels}) {
    for (int quiet : {0, 4}) {
      Result<Bytes> png = QrPng(kOfferUri, {.level = QrErrorCorrection::kMedium, .module_pixels = scale, .quiet_zone = quiet});
      ASSERT_TRUE(png.ok()) << png.status().ToString();
      ASSERT_GT(png->size(), 33u);
      const Bytes signature = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
      EXPECT_TRUE(std::equal(signature.begin(), signature.end(), png->begin()));
      EXPECT_EQ(std::string(png->begin() + 12, png->begin() + 16), "IHDR");
      const uint32_t side = static_cast<uint32_t>((m->size + 2 * quiet) * scale);
      EXPECT_EQ(BigEndian32(*png, 16), side);  // width
      EXPECT_EQ(BigEndian32(*png, 20), side);  // height
      EXPECT_EQ((*png)[24], 8);                // bit depth
      EXPECT_EQ((*png)[25], 0);                // colour type 0: greyscale
    }
  }
  // With the standard quiet zone a scale of 2 is still read by a real decoder.
  Result<Bytes> small = QrPng(kOfferUri, {.level = QrErrorCorrection::kMedium, .module_pixels = 2, .quiet_zone = 4});
  ASSERT_TRUE(small.ok());
  EXPECT_EQ(DecodePng(*small), kOfferUri);
}

TEST_F(QrTest, SvgRendersAndDecodesToTheExactText) {
  for (const std::string& text : {std::string("A"), std::string(kOfferUri)}) {
    Result<std::string> svg = QrSvg(text);
    ASSERT_TRUE(svg.ok()) << svg.status().ToString();
    EXPECT_EQ(DecodeSvg(*svg), text);
  }
}

TEST_F(QrTest, SvgHasOnePathThatIsExactlyTheMatrix) {
  for (int quiet : {0, 4}) {
    Result<QrMatrix> m = QrEncode(kOfferUri);
    ASSERT_TRUE(m.ok());
    Result<std::string> svg = QrSvg(kOfferUri, {.level = QrErrorCorrection::kMedium, .module_pixels = 5, .quiet_zone = quiet});
    ASSERT_TRUE(svg.ok()) << svg.status().ToString();
    const int modules = m->size + 2 * quiet;
    EXPECT_EQ(Count(*svg, "<path"), 1u);
    EXPECT_EQ(Count(*svg, "<rect"), 1u);
    EXPECT_NE(svg->find("viewBox=\"0 0 " + std::to_string(modules) + " " + std::to_string(modules) + "\""),
              std::string::npos);
    EXPECT_NE(svg->find("width=\"" + std::to_string(modules * 5) + "\""), std::string::npos);
    bool ok = false;
    std::vector<uint8_t> drawn = SvgMatrix(*svg, modules, ok);
    ASSERT_TRUE(ok) << "path not in QrSvg's form";
    for (int y = 0; y < modules; ++y) {
      for (int x = 0; x < modules; ++x) {
        const bool inside = x >= quiet && y >= quiet && x < quiet + m->size && y < quiet + m->size;
        const bool want = inside && m->Dark(x - quiet, y - quiet);
        ASSERT_EQ(drawn[static_cast<size_t>(y * modules + x)] != 0, want) << "module " << x << "," << y;
      }
    }
  }
}

TEST_F(QrTest, CapacityBoundaryAtEveryLevel) {
  struct Case {
    QrErrorCorrection level;
    size_t max;         // ISO/IEC 18004 Table 7, version 40, byte mode
    size_t version_39;  // the same at version 39: one byte more needs version 40
  };
  for (const Case& c : {Case{QrErrorCorrection::kLow, 2953, 2809}, Case{QrErrorCorrection::kMedium, 2331, 2213},
                        Case{QrErrorCorrection::kQuartile, 1663, 1579}, Case{QrErrorCorrection::kHigh, 1273, 1219}}) {
    EXPECT_EQ(QrMaxBytes(c.level), c.max);
    Result<QrMatrix> v39 = QrEncode(std::string(c.version_39, 'x'), c.level);
    ASSERT_TRUE(v39.ok()) << v39.status().ToString();
    EXPECT_EQ(v39->version, 39);
    Result<QrMatrix> v40 = QrEncode(std::string(c.version_39 + 1, 'x'), c.level);
    ASSERT_TRUE(v40.ok()) << v40.status().ToString();
    EXPECT_EQ(v40->version, 40);
    Result<QrMatrix> full = QrEncode(std::string(c.max, 'x'), c.level);
    ASSERT_TRUE(full.ok()) << full.status().ToString();
    EXPECT_EQ(full->version, 40);
    EXPECT_EQ(full->size, 177);
    const std::string too_long(c.max + 1, 'x');
    EXPECT_EQ(QrEncode(too_long, c.level).status().code(), StatusCode::kLimitExceeded);
    EXPECT_EQ(QrPng(too_long, {.level = c.level}).status().code(), StatusCode::kLimitExceeded);
    EXPECT_EQ(QrSvg(too_long, {.level = c.level}).status().code(), StatusCode::kLimitExceeded);
  }
}

TEST_F(QrTest, LargestTextDecodes) {
  // 2331 distinct-looking bytes (a repeating alphabet) in the largest level-M symbol.
  std::string text;
  for (size_t i = 0; i < QrMaxBytes(QrErrorCorrection::kMedium); ++i) text += static_cast<char>('a' + i % 26);
  Result<Bytes> png = QrPng(text, {.level = QrErrorCorrection::kMedium, .module_pixels = 4, .quiet_zone = 4});
  ASSERT_TRUE(png.ok()) << png.status().ToString();
  EXPECT_EQ(DecodePng(*png), text);
  Result<std::string> svg = QrSvg(text, {.level = QrErrorCorrection::kMedium, .module_pixels = 4, .quiet_zone = 4});
  ASSERT_TRUE(svg.ok()) << svg.status().ToString();
  EXPECT_EQ(DecodeSvg(*svg), text);
}

TEST_F(QrTest, BadInputAndOptions) {
  EXPECT_EQ(QrEncode("").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(QrPng("").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(QrSvg("").status().code(), StatusCode::kInvalidArgument);
  // A single byte is the smallest text: version 1, 21 modules.
  Result<QrMatrix> one = QrEncode("1");
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->version, 1);
  EXPECT_EQ(one->size, 21);
  // Text with a NUL byte is data like any other (byte mode).
  EXPECT_TRUE(QrEncode(std::string("a\0b", 3)).ok());

  for (int scale : {0, -1, kQrMaxModulePixels + 1}) {
    EXPECT_EQ(QrPng("x", {.level = QrErrorCorrection::kMedium, .module_pixels = scale, .quiet_zone = 4}).status().code(),
              StatusCode::kInvalidArgument);
    EXPECT_EQ(QrSvg("x", {.level = QrErrorCorrection::kMedium, .module_pixels = scale, .quiet_zone = 4}).status().code(),
              StatusCode::kInvalidArgument);
  }
  for (int quiet : {-1, kQrMaxQuietZone + 1}) {
    EXPECT_EQ(QrPng("x", {.level = QrErrorCorrection::kMedium, .module_pixels = 1, .quiet_zone = quiet}).status().code(),
              StatusCode::kInvalidArgument);
    EXPECT_EQ(QrSvg("x", {.level = QrErrorCorrection::kMedium, .module_pixels = 1, .quiet_zone = quiet}).status().code(),
              StatusCode::kInvalidArgument);
  }
  // Boundaries of the options are accepted.
  EXPECT_TRUE(QrPng("x", {.level = QrErrorCorrection::kMedium, .module_pixels = 1, .quiet_zone = 0}).ok());
  EXPECT_TRUE(QrPng("x", {.level = QrErrorCorrection::kMedium, .module_pixels = kQrMaxModulePixels,
                          .quiet_zone = kQrMaxQuietZone}).ok());
  EXPECT_TRUE(QrSvg("x", {.level = QrErrorCorrection::kMedium, .module_pixels = kQrMaxModulePixels,
                          .quiet_zone = kQrMaxQuietZone}).ok());
}

}  // namespace
}  // namespace bonafide::qr
