// Tests of verifier/check_record_pdf.h: check record PDFs in English and Welsh, their text (read
// back with poppler's pdftotext), portraits (JPEG, PNG, corrupt ones), decision sentences, errors,
// limits, and a robustness run over random facts.
#include "verifier/check_record_pdf.h"

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "base/encoding.h"
#include "base/json.h"
#include "cbor/cbor.h"
#include "crypto/hash.h"
#include "crypto/keys.h"
#include "verifier/check_record.h"
#include "verifier/checks.h"

namespace bonafide::verifier {
namespace {

template <typename T>
std::string CodeOf(const Result<T>& r) {
  return r.ok() ? "ok" : std::string(StatusCodeName(r.status().code()));
}

// ---- Images built here ----

// TinyJpeg is an 8x8 grey baseline JPEG: one quantisation table, a DC and an AC Huffman table of
// one 1-bit code each (DC difference category 0, AC end-of-block), and one block "0 0" padded with
// ones.
Bytes TinyJpeg() {
  Bytes b = {0xFF, 0xD8,                          // SOI
             0xFF, 0xDB, 0x00, 0x43, 0x00};       // DQT, table 0, 8-bit
  b.insert(b.end(), 64, 0x01);                    //   all ones
  const Bytes rest = {
      0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x08, 0x00, 0x08, 0x01, 0x01, 0x11, 0x00,  // SOF0 8x8, 1 comp
      0xFF, 0xC4, 0x00, 0x14, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00,  // DHT DC0
      0xFF, 0xC4, 0x00, 0x14, 0x10, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00,  // DHT AC0
      0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00,  // SOS
      0x3F,                                                        // bits "00" + padding
      0xFF, 0xD9};                                                 // EOI
  b.insert(b.end(), rest.begin(), rest.end());
  return b;
}

uint32_t Crc32(const Bytes& data) {
  uint32_t crc = 0xFFFFFFFFu;
  for (uint8_t byte : data) {
    crc ^= byte;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return crc ^ 0xFFFFFFFFu;
}

void PutBe32(Bytes& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}

void PngChunk(Bytes& out, const char* type, const Bytes& data) {
  PutBe32(out, static_cast<uint32_t>(data.size()));
  Bytes typed(type, type + 4);
  typed.insert(typed.end(), data.begin(), data.end());
  out.insert(out.end(), typed.begin(), typed.end());
  PutBe32(out, Crc32(typed));
}

// TinyPng is a 4x4 red RGB PNG whose zlib stream is one stored deflate block (RFC 1950/1951); with
// `bad_block` the block's type is the reserved 11 (the chunk CRCs stay valid).
Bytes TinyPng(bool bad_block = false) {
  Bytes raw;
  for (int row = 0; row < 4; ++row) {
    raw.push_back(0);  // filter: none
    for (int x = 0; x < 4; ++x) raw.insert(raw.end(), {0xC0, 0x20, 0x20});
  }
  Bytes z = {0x78, 0x01, static_cast<uint8_t>(bad_block ? 0x07 : 0x01)};  // zlib header; final block
  const auto len = static_cast<uint16_t>(raw.size());
  z.insert(z.end(), {static_cast<uint8_t>(len & 0xFF), static_cast<uint8_t>(len >> 8),
                     static_cast<uint8_t>(~len & 0xFF), static_cast<uint8_t>((~len >> 8) & 0xFF)});
  z.insert(z.end(), raw.begin(), raw.end());
  uint32_t a = 1, b = 0;
  for (uint8_t byte : raw) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  PutBe32(z, (b << 16) | a);
  Bytes png = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
  Bytes ihdr;
  PutBe32(ihdr, 4);
  PutBe32(ihdr, 4);
  ihdr.insert(ihdr.end(), {8, 2, 0, 0, 0});  // 8-bit RGB
  PngChunk(png, "IHDR", ihdr);
  PngChunk(png, "IDAT", z);
  PngChunk(png, "IEND", {});
  return png;
}

// ---- pdftotext ----

bool HasPdfToText() { return std::system("command -v pdftotext >/dev/null 2>&1") == 0; }

std::string TempPath(const std::string& suffix) {
  static int counter = 0;
  return ::testing::TempDir() + "check_record_pdf_" + std::to_string(::getpid()) + "_" +
         std::to_string(++counter) + suffix;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// ExtractedText is what pdftotext reads from a PDF and what it printed on stderr.
struct ExtractedText {
  std::string text;
  std::string warnings;
};

// PdfToText runs pdftotext (poppler-utils) on `pdf`; nullopt (after failing the test) when it is
// missing or fails.
std::optional<ExtractedText> PdfToText(const std::string& pdf) {
  if (!HasPdfToText()) {
    ADD_FAILURE() << "pdftotext is not installed: install Debian's poppler-utils (scripts/setup.sh does)";
    return std::nullopt;
  }
  const std::string in = TempPath(".pdf");
  const std::string out = TempPath(".txt");
  const std::string err = TempPath(".err");
  {
    std::ofstream f(in, std::ios::binary);
    f.write(pdf.data(), static_cast<std::streamsize>(pdf.size()));
  }
  const std::string command = "pdftotext -enc UTF-8 '" + in + "' '" + out + "' 2>'" + err + "'";
  const int rc = std::system(command.c_str());
  ExtractedText result{ReadFile(out), ReadFile(err)};
  std::remove(in.c_str());
  std::remove(out.c_str());
  std::remove(err.c_str());
  if (rc != 0) {
    ADD_FAILURE() << "pdftotext failed: " << result.warnings;
    return std::nullopt;
  }
  return result;
}

// Flat joins the lines of extracted text with single spaces (values wrap across lines).
std::string Flat(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\n' || c == '\f' || c == '\r') c = ' ';
    if (c == ' ' && !out.empty() && out.back() == ' ') continue;
    out.push_back(c);
  }
  return out;
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

void ExpectPdfShape(const std::string& pdf) {
  ASSERT_GT(pdf.size(), 100u);
  EXPECT_EQ(pdf.substr(0, 5), "%PDF-");
  std::string tail = pdf.substr(pdf.size() - 8);
  while (!tail.empty() && (tail.back() == '\n' || tail.back() == '\r')) tail.pop_back();
  EXPECT_TRUE(tail.ends_with("%%EOF")) << tail;
}

// ---- Records ----

constexpr char kGiven[] = "Si\u00e2n Angharad";
constexpr char kFamily[] = "Ll\u0177r";

const registry::CredentialType kDigitalIdSdJwt{"dc+sd-jwt", "urn:uk:gov:digital-id:1"};
const registry::CredentialType kEvisa{"mso_mdoc", "uk.gov.homeoffice.evisa.1"};

Json PersonClaims(const Bytes& portrait) {
  return {{"family_name", kFamily},
          {"given_name", kGiven},
          {"birth_date", "1990-03-07"},
          {"portrait", Base64UrlEncode(portrait)}};
}

CheckDecision DecideOrFail(std::string_view check, const registry::CredentialType& type, const Json& claims) {
  auto d = Decide(check, {type, claims}, "2026-01-15");
  EXPECT_TRUE(d.ok()) << d.status().ToString();
  return d.ok() ? *d : CheckDecision{};
}

CheckDecision Unrestricted(const Bytes& portrait = TinyJpeg()) {
  Json claims = PersonClaims(portrait);
  claims["residency_status"] = "british_citizen";
  return DecideOrFail("right_to_work", kDigitalIdSdJwt, claims);
}

CheckDecision Restricted(const Bytes& portrait = TinyJpeg()) {
  Json claims = PersonClaims(portrait);
  claims["right_to_work"] = "restricted";
  claims["valid_until"] = "2029-01-31";
  claims["work_conditions"] = "Work for the sponsoring employer only";
  return DecideOrFail("right_to_work", kEvisa, Json{{kEvisa.type, claims}});
}

CheckDecision NotPermitted() {
  Json claims = PersonClaims(TinyJpeg());
  claims["right_to_work"] = "none";
  return DecideOrFail("right_to_work", kEvisa, Json{{kEvisa.type, claims}});
}

CheckDecision AgeOver18() {
  return DecideOrFail("age_over_18", kDigitalIdSdJwt, Json{{"age_over_18", true}});
}

CheckRecord RecordOf(CheckDecision decision, const registry::CredentialType& type) {
  CheckRecord r;
  r.check = decision.check;
  r.decision = std::move(decision);
  r.checked_at = *cbor::ParseFullDate("2026-01-15") + 10 * 3600 + 5 * 60 + 9;
  r.checker_client_id = "x509_san_dns:hr.example.co.uk";
  r.checker_name = "Example Employer Ltd";
  r.session_id = "sess-7f3a";
  r.credential_type = type;
  r.issuer = "https://issuer.example.gov.uk";
  r.status_age_seconds = 1800;
  return r;
}

// Unsigned wraps a record with a placeholder JWT and the retention CreateCheckRecord would set
// (for records CreateCheckRecord cannot sign, such as facts with invalid UTF-8).
SignedCheckRecord Unsigned(CheckRecord r) {
  auto retention = RetentionFor(r.check, r.checked_at);
  EXPECT_TRUE(retention.ok());
  if (retention.ok()) r.retention = *retention;
  return SignedCheckRecord{"eyJhbGciOiJFUzI1NiJ9.e30.c2ln", std::move(r)};
}

class CheckRecordPdfTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto key = crypto::PrivateKey::Generate(crypto::SignatureAlg::kES256);
    ASSERT_TRUE(key.ok());
    key_.emplace(std::move(key).value());
  }

  SignedCheckRecord Sign(CheckRecord r) {
    auto s = CreateCheckRecord(std::move(r), *key_, "record-key-1");
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? *s : SignedCheckRecord{};
  }

  // RenderText renders and extracts the text (failing the test if either fails).
  std::string RenderText(const SignedCheckRecord& record, PdfLanguage lang, std::string* pdf_out = nullptr) {
    auto pdf = RenderCheckRecordPdf(record, lang);
    EXPECT_TRUE(pdf.ok()) << pdf.status().ToString();
    if (!pdf.ok()) return "";
    ExpectPdfShape(*pdf);
    if (pdf_out != nullptr) *pdf_out = *pdf;
    auto text = PdfToText(*pdf);
    if (!text) return "";
    // libharu 2.3.0's own ToUnicode CMap makes poppler warn; ours must not.
    EXPECT_EQ(text->warnings, "");
    return Flat(text->text);
  }

  std::optional<crypto::PrivateKey> key_;
};

// ---- Content ----

TEST_F(CheckRecordPdfTest, RightToWorkUnrestrictedEnglish) {
  SignedCheckRecord record = Sign(RecordOf(Unrestricted(), kDigitalIdSdJwt));
  std::string pdf;
  const std::string text = RenderText(record, PdfLanguage::kEnglish, &pdf);
  EXPECT_TRUE(Contains(text, "Right to work check record")) << text;
  EXPECT_TRUE(Contains(text, "Permitted to work without time limit")) << text;
  EXPECT_TRUE(Contains(text, kGiven)) << text;
  EXPECT_TRUE(Contains(text, kFamily)) << text;
  EXPECT_TRUE(Contains(text, "7 March 1990")) << text;
  EXPECT_TRUE(Contains(text, "Example Employer Ltd")) << text;
  EXPECT_TRUE(Contains(text, "x509_san_dns:hr.example.co.uk")) << text;
  EXPECT_TRUE(Contains(text, "15 January 2026 at 10:05:09 UTC")) << text;
  EXPECT_TRUE(Contains(text, "Digital ID (dc+sd-jwt, urn:uk:gov:digital-id:1)")) << text;
  EXPECT_TRUE(Contains(text, "https://issuer.example.gov.uk")) << text;
  EXPECT_TRUE(Contains(text, "1800 seconds")) << text;
  EXPECT_TRUE(Contains(text, "For the employment plus 2 years")) << text;
  EXPECT_TRUE(Contains(text, "15 January 2028")) << text;  // retain_until
  EXPECT_TRUE(Contains(text, "sess-7f3a")) << text;
  EXPECT_TRUE(Contains(text, HexEncode(crypto::Sha256(AsBytes(record.jwt))))) << text;
  EXPECT_TRUE(Contains(text, record.jwt.substr(0, 40))) << text;  // the JWT's first line
  EXPECT_TRUE(Contains(text, "Page 1 of")) << text;
  // The portrait is embedded as a JPEG image.
  EXPECT_TRUE(Contains(pdf, "/Subtype /Image")) << "no image";
  EXPECT_TRUE(Contains(pdf, "/DCTDecode"));
  EXPECT_FALSE(Contains(text, "Photo not shown"));
}

TEST_F(CheckRecordPdfTest, RightToWorkUnrestrictedWelsh) {
  SignedCheckRecord record = Sign(RecordOf(Unrestricted(), kDigitalIdSdJwt));
  const std::string text = RenderText(record, PdfLanguage::kWelsh);
  EXPECT_TRUE(Contains(text, "Cofnod gwiriad hawl i weithio")) << text;
  EXPECT_TRUE(Contains(text, "Caniat\u00e2d i weithio heb derfyn amser")) << text;
  EXPECT_TRUE(Contains(text, "Yngl\u0177n \u00e2\u2019r gwiriad")) << text;  // ŷ and â
  EXPECT_TRUE(Contains(text, "7 Mawrth 1990")) << text;
  EXPECT_TRUE(Contains(text, "15 Ionawr 2026 am 10:05:09 UTC")) << text;
  EXPECT_TRUE(Contains(text, kGiven)) << text;
  EXPECT_TRUE(Contains(text, "Tudalen 1 o")) << text;
  EXPECT_TRUE(Contains(text, HexEncode(crypto::Sha256(AsBytes(record.jwt))))) << text;
  EXPECT_FALSE(Contains(text, "Permitted to work")) << text;
}

TEST_F(CheckRecordPdfTest, RightToWorkRestrictedBothLanguages) {
  SignedCheckRecord record = Sign(RecordOf(Restricted(), kEvisa));
  const std::string en = RenderText(record, PdfLanguage::kEnglish);
  EXPECT_TRUE(Contains(en, "Permitted to work until 31 January 2029")) << en;
  EXPECT_TRUE(Contains(en, "Work for the sponsoring employer only")) << en;
  EXPECT_TRUE(Contains(en, "Follow-up check due by")) << en;
  EXPECT_TRUE(Contains(en, "eVisa (mso_mdoc, uk.gov.homeoffice.evisa.1)")) << en;
  EXPECT_TRUE(Contains(en, kFamily)) << en;
  const std::string cy = RenderText(record, PdfLanguage::kWelsh);
  EXPECT_TRUE(Contains(cy, "Caniat\u00e2d i weithio tan 31 Ionawr 2029")) << cy;
  EXPECT_TRUE(Contains(cy, "Gwiriad dilynol yn ddyledus erbyn")) << cy;
  EXPECT_TRUE(Contains(cy, "Amodau")) << cy;
  EXPECT_TRUE(Contains(cy, "Work for the sponsoring employer only")) << cy;  // the record's own text
  EXPECT_TRUE(Contains(cy, "eFisa")) << cy;
}

TEST_F(CheckRecordPdfTest, NotPermittedBothLanguages) {
  SignedCheckRecord record = Sign(RecordOf(NotPermitted(), kEvisa));
  const std::string en = RenderText(record, PdfLanguage::kEnglish);
  EXPECT_TRUE(Contains(en, "Not permitted to work")) << en;
  EXPECT_FALSE(Contains(en, "Follow-up check due by")) << en;
  EXPECT_TRUE(Contains(en, kGiven)) << en;
  const std::string cy = RenderText(record, PdfLanguage::kWelsh);
  EXPECT_TRUE(Contains(cy, "Dim caniat\u00e2d i weithio")) << cy;
}

TEST_F(CheckRecordPdfTest, AgeOver18ShowsNoName) {
  SignedCheckRecord record = Sign(RecordOf(AgeOver18(), kDigitalIdSdJwt));
  std::string pdf;
  const std::string en = RenderText(record, PdfLanguage::kEnglish, &pdf);
  EXPECT_TRUE(Contains(en, "Age check record")) << en;
  EXPECT_TRUE(Contains(en, "Aged 18 or over")) << en;
  EXPECT_TRUE(Contains(en, "No statutory period")) << en;
  EXPECT_FALSE(Contains(en, "Si\u00e2n")) << en;
  EXPECT_FALSE(Contains(en, kFamily)) << en;
  EXPECT_FALSE(Contains(en, "Given names")) << en;
  EXPECT_FALSE(Contains(en, "Earliest deletion date")) << en;  // no retain_until
  EXPECT_FALSE(Contains(pdf, "/Subtype /Image"));
  EXPECT_FALSE(Contains(en, "Photo not shown")) << en;
  const std::string cy = RenderText(record, PdfLanguage::kWelsh);
  EXPECT_TRUE(Contains(cy, "18 oed neu\u2019n h\u0177n")) << cy;
  EXPECT_FALSE(Contains(cy, "Si\u00e2n")) << cy;
}

TEST_F(CheckRecordPdfTest, AgeUnder18) {
  SignedCheckRecord record =
      Sign(RecordOf(DecideOrFail("age_over_18", kDigitalIdSdJwt, Json{{"age_over_18", false}}), kDigitalIdSdJwt));
  const std::string en = RenderText(record, PdfLanguage::kEnglish);
  EXPECT_TRUE(Contains(en, "Under 18")) << en;
  EXPECT_TRUE(Contains(en, "Aged 18 or over No")) << en;  // the fact row
}

TEST_F(CheckRecordPdfTest, DrivingCategoriesAndDates) {
  Json claims = {{"family_name", kFamily},
                 {"given_name", kGiven},
                 {"portrait", Base64UrlEncode(TinyPng())},
                 {"expiry_date", "2030-05-01"},
                 {"driving_privileges",
                  Json::array({Json{{"vehicle_category_code", "B"}, {"issue_date", "2010-01-02"}},
                               Json{{"vehicle_category_code", "C1"}, {"expiry_date", "2027-12-31"}}})}};
  const registry::CredentialType mdl{"mso_mdoc", "org.iso.18013.5.1.mDL"};
  SignedCheckRecord record = Sign(RecordOf(
      DecideOrFail("driving_entitlement", mdl, Json{{"org.iso.18013.5.1", claims}}), mdl));
  record.record.status_age_seconds.reset();
  std::string pdf;
  const std::string en = RenderText(record, PdfLanguage::kEnglish, &pdf);
  EXPECT_TRUE(Contains(en, "Entitled to drive vehicles in categories B, C1")) << en;
  EXPECT_TRUE(Contains(en, "B (from 2 January 2010); C1 (until 31 December 2027)")) << en;
  EXPECT_TRUE(Contains(en, "1 May 2030")) << en;
  EXPECT_TRUE(Contains(en, "Not applicable: the credential has no status reference")) << en;
  // A PNG portrait is embedded as a raw (Flate) image, not as a JPEG.
  EXPECT_TRUE(Contains(pdf, "/Subtype /Image"));
  EXPECT_FALSE(Contains(pdf, "/DCTDecode"));
  const std::string cy = RenderText(record, PdfLanguage::kWelsh);
  EXPECT_TRUE(Contains(cy, "Hawl i yrru cerbydau yng nghategor\u00efau B, C1")) << cy;
  EXPECT_TRUE(Contains(cy, "B (o 2 Ionawr 2010); C1 (tan 31 Rhagfyr 2027)")) << cy;
}

TEST_F(CheckRecordPdfTest, RenderingIsDeterministic) {
  SignedCheckRecord record = Sign(RecordOf(Restricted(), kEvisa));
  auto a = RenderCheckRecordPdf(record, PdfLanguage::kEnglish);
  auto b = RenderCheckRecordPdf(record, PdfLanguage::kEnglish);
  auto c = RenderCheckRecordPdf(record, PdfLanguage::kWelsh);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_NE(*a, *c);
}

TEST_F(CheckRecordPdfTest, LongJwtRunsOntoMorePages) {
  // A realistic portrait (30 kB) makes the JWT long; the record then needs more than one page.
  Bytes big = TinyJpeg();
  big.insert(big.end() - 2, 30000, 0x00);  // padding inside the entropy-coded data
  SignedCheckRecord record = Sign(RecordOf(Unrestricted(big), kDigitalIdSdJwt));
  const std::string text = RenderText(record, PdfLanguage::kEnglish);
  EXPECT_TRUE(Contains(text, "Page 3 of")) << text.substr(0, 200);
  EXPECT_TRUE(Contains(text, record.jwt.substr(record.jwt.size() - 20))) << "the JWT's end";
  EXPECT_TRUE(Contains(text, HexEncode(crypto::Sha256(AsBytes(record.jwt)))));
}

// ---- Portraits that cannot be shown ----

struct BadPortrait {
  const char* name;
  Bytes bytes;
  const char* note;
};

TEST_F(CheckRecordPdfTest, CorruptPortraitGivesNoteNotFailure) {
  Bytes png_garbage = TinyPng();
  png_garbage.resize(40);  // IDAT cut short
  Bytes png_bad_crc = TinyPng();
  png_bad_crc[29] ^= 0x01;  // IHDR CRC
  Bytes png_bad_deflate = TinyPng(/*bad_block=*/true);
  Bytes jpeg_truncated = {0xFF, 0xD8, 0xFF};
  Bytes jpeg_garbage = {0xFF, 0xD8, 0xFF, 0xE0, 'g', 'a', 'r', 'b', 'a', 'g', 'e', 0xFF, 0xD9};
  Bytes jpeg_no_eoi = TinyJpeg();
  jpeg_no_eoi.pop_back();
  Bytes jpeg_lossless = TinyJpeg();
  jpeg_lossless[2 + 4 + 1 + 64 + 1] = 0xC3;  // SOF3
  const std::vector<BadPortrait> cases = {
      {"png_truncated", png_garbage, "Photo not shown: the image data could not be read."},
      {"png_bad_crc", png_bad_crc, "Photo not shown: the image data could not be read."},
      {"png_bad_deflate", png_bad_deflate, "Photo not shown: the image data could not be read."},
      {"jpeg_truncated", jpeg_truncated, "Photo not shown: the image data could not be read."},
      {"jpeg_garbage", jpeg_garbage, "Photo not shown: the image data could not be read."},
      {"jpeg_no_eoi", jpeg_no_eoi, "Photo not shown: the image data could not be read."},
      {"jpeg_lossless", jpeg_lossless, "Photo not shown: the image data could not be read."},
      {"gif", {'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0}, "Photo not shown: it is not a JPEG or PNG image."},
  };
  for (const BadPortrait& c : cases) {
    SCOPED_TRACE(c.name);
    SignedCheckRecord record = Sign(RecordOf(Unrestricted(c.bytes), kDigitalIdSdJwt));
    std::string pdf;
    const std::string text = RenderText(record, PdfLanguage::kEnglish, &pdf);
    EXPECT_FALSE(Contains(pdf, "/Subtype /Image"));
    EXPECT_TRUE(Contains(text, c.note)) << text;
    EXPECT_TRUE(Contains(text, "Permitted to work without time limit"));
  }
  // Boundary: the unmodified images are shown.
  for (const Bytes& good : {TinyJpeg(), TinyPng()}) {
    SignedCheckRecord record = Sign(RecordOf(Unrestricted(good), kDigitalIdSdJwt));
    auto pdf = RenderCheckRecordPdf(record, PdfLanguage::kEnglish);
    ASSERT_TRUE(pdf.ok());
    EXPECT_TRUE(Contains(*pdf, "/Subtype /Image"));
  }
}

TEST_F(CheckRecordPdfTest, PortraitNotBase64OrNotTextGivesNote) {
  for (const Json& value : {Json("not base64 !!"), Json(42), Json::array()}) {
    CheckRecord r = RecordOf(Unrestricted(), kDigitalIdSdJwt);
    r.decision.facts["portrait"] = value;
    const std::string text = RenderText(Unsigned(r), PdfLanguage::kWelsh);
    EXPECT_TRUE(Contains(text, "Llun heb ei ddangos: nid oedd modd darllen data\u2019r ddelwedd.")) << text;
  }
}

TEST_F(CheckRecordPdfTest, VeteranPhotoIsShown) {
  Json subject = {{"name", Json::array({Json{{"nameParts", Json::array({Json{{"type", "GivenName"}, {"value", "Rhys"}},
                                                                         Json{{"type", "FamilyName"},
                                                                              {"value", "Pr\u00ees"}}})}}})},
                  {"veteranCard", Json::array({Json{{"expiryDate", "2031-06-30"},
                                                    {"serviceNumber", "30012345"},
                                                    {"serviceBranch", "Royal Navy"},
                                                    {"photo", Base64UrlEncode(TinyJpeg())}}})}};
  const registry::CredentialType card{"jwt_vc_json", "DigitalVeteranCard"};
  SignedCheckRecord record =
      Sign(RecordOf(DecideOrFail("veteran_status", card, Json{{"credentialSubject", subject}}), card));
  std::string pdf;
  const std::string cy = RenderText(record, PdfLanguage::kWelsh, &pdf);
  EXPECT_TRUE(Contains(cy, "Statws cyn-filwr wedi\u2019i gadarnhau")) << cy;
  EXPECT_TRUE(Contains(cy, "Pr\u00ees")) << cy;
  EXPECT_TRUE(Contains(cy, "30 Mehefin 2031")) << cy;
  EXPECT_TRUE(Contains(pdf, "/Subtype /Image"));
}

// ---- Untrusted text ----

TEST_F(CheckRecordPdfTest, InvalidUtf8AndControlCharactersAreReplaced) {
  CheckRecord r = RecordOf(Unrestricted(), kDigitalIdSdJwt);
  r.decision.facts["given_name"] = std::string("Si\xFFn\x01X");         // bad byte, control character
  r.decision.facts["family_name"] = std::string("Ll\xC5\xB7r\xE2\x82");  // ŷ, then a truncated sequence
  // An overlong '/', a surrogate, an emoji (outside the BMP), a code point above U+10FFFF.
  r.decision.facts["extra"] = std::string("A\xC0\xAF" "B\xED\xA0\x80" "C\xF0\x9F\x98\x80" "D\xF4\x90\x80\x80" "E");
  r.checker_name = std::string("Employer\xC2\x85Ltd");  // C1 control (NEL)
  const std::string text = RenderText(Unsigned(r), PdfLanguage::kEnglish);
  EXPECT_TRUE(Contains(text, "Si\uFFFDn\uFFFDX")) << text;
  EXPECT_TRUE(Contains(text, "Ll\u0177r\uFFFD")) << text;
  // One U+FFFD per maximal subpart (Unicode 15.0 section 3.9), one for the well-formed emoji.
  EXPECT_TRUE(Contains(text, "A\uFFFD\uFFFDB\uFFFD\uFFFD\uFFFDC\uFFFDD\uFFFD\uFFFD\uFFFD\uFFFDE")) << text;
  EXPECT_TRUE(Contains(text, "Employer\uFFFDLtd")) << text;
  // Boundary: valid text and tab/newline (shown as spaces) pass unchanged.
  r.decision.facts["given_name"] = "Si\u00e2n\tEleri";
  const std::string valid = RenderText(Unsigned(r), PdfLanguage::kEnglish);
  EXPECT_TRUE(Contains(valid, "Si\u00e2n Eleri")) << valid;
}

TEST_F(CheckRecordPdfTest, LongValuesAreShortened) {
  CheckRecord r = RecordOf(Unrestricted(), kDigitalIdSdJwt);
  auto count_x = [](const std::string& text) {
    size_t xs = 0;
    for (char c : text) xs += c == 'x' ? 1 : 0;
    return xs;
  };
  r.decision.facts["given_name"] = "";
  const size_t other_xs = count_x(RenderText(Unsigned(r), PdfLanguage::kEnglish));  // "Example", "x509"
  r.decision.facts["given_name"] = std::string(10000, 'x');
  const std::string text = RenderText(Unsigned(r), PdfLanguage::kEnglish);
  EXPECT_TRUE(Contains(text, "(shortened: the full value is in the signed record)")) << text.substr(0, 500);
  EXPECT_EQ(count_x(text) - other_xs, 1000u);
  // Boundary: 1000 characters are shown in full.
  r.decision.facts["given_name"] = std::string(1000, 'x');
  const std::string full = RenderText(Unsigned(r), PdfLanguage::kEnglish);
  EXPECT_FALSE(Contains(full, "shortened")) << full.substr(0, 500);
}

// ---- Errors ----

TEST_F(CheckRecordPdfTest, InvalidRecordsAreRefused) {
  const SignedCheckRecord good = Unsigned(RecordOf(Restricted(), kEvisa));
  ASSERT_EQ(CodeOf(RenderCheckRecordPdf(good, PdfLanguage::kEnglish)), "ok");

  SignedCheckRecord s = good;
  s.record.check = "right_to_rent";
  EXPECT_EQ(CodeOf(RenderCheckRecordPdf(s, PdfLanguage::kEnglish)), "invalid_argument");

  s = good;
  s.record.check = s.record.decision.check = "shoe_size";
  EXPECT_EQ(CodeOf(RenderCheckRecordPdf(s, PdfLanguage::kEnglish)), "not_found");

  s = good;
  s.record.decision.outcome = "pass";
  EXPECT_EQ(CodeOf(RenderCheckRecordPdf(s, PdfLanguage::kEnglish)), "invalid_argument");

  s = good;
  s.record.decision.follow_up_due = "2029-02-30";
  EXPECT_EQ(CodeOf(RenderCheckRecordPdf(s, PdfLanguage::kEnglish)), "invalid_argument");

  s = good;
  s.record.retention.retain_until = "28-01-15";
  EXPECT_EQ(CodeOf(RenderCheckRecordPdf(s, PdfLanguage::kEnglish)), "invalid_argument");

  s = good;
  s.record.checked_at = -1;
  EXPECT_EQ(CodeOf(RenderCheckRecordPdf(s, PdfLanguage::kEnglish)), "invalid_argument");
  s.record.checked_at = 0;  // boundary: 1 January 1970
  EXPECT_EQ(CodeOf(RenderCheckRecordPdf(s, PdfLanguage::kEnglish)), "ok");

  s = good;
  s.jwt.clear();
  EXPECT_EQ(CodeOf(RenderCheckRecordPdf(s, PdfLanguage::kEnglish)), "invalid_argument");
  s.jwt = "eyJh bGci.e30.c2ln";
  EXPECT_EQ(CodeOf(RenderCheckRecordPdf(s, PdfLanguage::kEnglish)), "invalid_argument");
  s.jwt = "eyJh\xC3\xA2.e30.c2ln";
  EXPECT_EQ(CodeOf(RenderCheckRecordPdf(s, PdfLanguage::kEnglish)), "invalid_argument");
}

TEST_F(CheckRecordPdfTest, JwtSizeLimit) {
  SignedCheckRecord s = Unsigned(RecordOf(AgeOver18(), kDigitalIdSdJwt));
  s.jwt = std::string(kMaxPdfJwtBytes + 1, 'A');
  EXPECT_EQ(CodeOf(RenderCheckRecordPdf(s, PdfLanguage::kEnglish)), "limit_exceeded");
  s.jwt.pop_back();  // boundary: exactly the limit
  auto pdf = RenderCheckRecordPdf(s, PdfLanguage::kEnglish);
  ASSERT_EQ(CodeOf(pdf), "ok");
  ExpectPdfShape(*pdf);
}

TEST_F(CheckRecordPdfTest, PageLimit) {
  CheckRecord r = RecordOf(AgeOver18(), kDigitalIdSdJwt);
  for (int i = 0; i < 700; ++i) r.decision.facts["fact_" + std::to_string(i)] = std::string(1000, 'w');
  EXPECT_EQ(CodeOf(RenderCheckRecordPdf(Unsigned(r), PdfLanguage::kEnglish)), "limit_exceeded");
  // Boundary: fewer facts fit.
  r.decision.facts = Json{{"age_over_18", true}};
  for (int i = 0; i < 100; ++i) r.decision.facts["fact_" + std::to_string(i)] = std::string(1000, 'w');
  EXPECT_EQ(CodeOf(RenderCheckRecordPdf(Unsigned(r), PdfLanguage::kEnglish)), "ok");
}

TEST(CheckRecordPdfFontsTest, MissingOrBadFonts) {
  auto found = FindPdfFonts();
  ASSERT_TRUE(found.ok()) << found.status().ToString() << " (install fonts-dejavu-core)";
  EXPECT_TRUE(found->regular.ends_with("/DejaVuSans.ttf"));
  EXPECT_TRUE(found->bold.ends_with("/DejaVuSans-Bold.ttf"));
  EXPECT_TRUE(found->mono.ends_with("/DejaVuSansMono.ttf"));
  EXPECT_EQ(CodeOf(FindPdfFonts({"/nonexistent/fonts"})), "not_found");
  EXPECT_EQ(CodeOf(FindPdfFonts({})), "not_found");
  // Boundary: a missing directory before the real one is skipped.
  std::vector<std::string> dirs = {"/nonexistent/fonts"};
  for (const std::string& d : DefaultPdfFontDirs()) dirs.push_back(d);
  EXPECT_EQ(CodeOf(FindPdfFonts(dirs)), "ok");

  const SignedCheckRecord record = Unsigned(RecordOf(AgeOver18(), kDigitalIdSdJwt));
  PdfFontFiles fonts = *found;
  fonts.mono = "/nonexistent/DejaVuSansMono.ttf";
  EXPECT_EQ(CodeOf(RenderCheckRecordPdf(record, PdfLanguage::kEnglish, fonts)), "not_found");
  const std::string not_a_font = TempPath(".ttf");
  {
    std::ofstream f(not_a_font);
    f << "this is not a TrueType font";
  }
  fonts.mono = not_a_font;
  auto bad = RenderCheckRecordPdf(record, PdfLanguage::kEnglish, fonts);
  EXPECT_EQ(CodeOf(bad), "internal");
  EXPECT_TRUE(Contains(bad.status().message(), "libharu failed to load the font")) << bad.status().message();
  std::remove(not_a_font.c_str());
  EXPECT_EQ(CodeOf(RenderCheckRecordPdf(record, PdfLanguage::kEnglish, *found)), "ok");
}

// ---- Dates and decision sentences ----

TEST(CheckRecordPdfSentenceTest, FormatRecordDate) {
  EXPECT_EQ(*FormatRecordDate("2029-01-31", PdfLanguage::kEnglish), "31 January 2029");
  EXPECT_EQ(*FormatRecordDate("2029-01-31", PdfLanguage::kWelsh), "31 Ionawr 2029");
  const char* welsh[] = {"Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai",     "Mehefin",
                         "Gorffennaf", "Awst", "Medi",    "Hydref", "Tachwedd", "Rhagfyr"};
  for (int m = 1; m <= 12; ++m) {
    const std::string date = std::string("2030-") + (m < 10 ? "0" : "") + std::to_string(m) + "-01";
    EXPECT_EQ(*FormatRecordDate(date, PdfLanguage::kWelsh), std::string("1 ") + welsh[m - 1] + " 2030");
  }
  EXPECT_EQ(*FormatRecordDate("2024-02-29", PdfLanguage::kEnglish), "29 February 2024");  // leap day
  EXPECT_EQ(CodeOf(FormatRecordDate("2023-02-29", PdfLanguage::kEnglish)), "invalid_argument");
  EXPECT_EQ(CodeOf(FormatRecordDate("2029-1-31", PdfLanguage::kEnglish)), "invalid_argument");
  EXPECT_EQ(CodeOf(FormatRecordDate("2029-01-31T00:00:00Z", PdfLanguage::kEnglish)), "invalid_argument");
  EXPECT_EQ(CodeOf(FormatRecordDate("", PdfLanguage::kEnglish)), "invalid_argument");
}

CheckDecision DecisionOf(const char* check, std::string_view outcome) {
  CheckDecision d;
  d.check = check;
  d.outcome = std::string(outcome);
  if (outcome == kOutcomePermittedUntil) d.until = "2029-01-31";
  return d;
}

TEST(CheckRecordPdfSentenceTest, EveryOutcomeOfEveryCheck) {
  const std::vector<std::pair<const char*, std::vector<std::string_view>>> outcomes = {
      {"right_to_work", {kOutcomeUnrestricted, kOutcomePermittedUntil, kOutcomeNotPermitted}},
      {"right_to_rent", {kOutcomeUnrestricted, kOutcomePermittedUntil, kOutcomeNotPermitted}},
      {"age_over_18", {kOutcomePass, kOutcomeFail}},
      {"veteran_status", {kOutcomeVeteran, kOutcomeNotVeteran}},
      {"driving_entitlement", {kOutcomeEntitled, kOutcomeNotEntitled}},
      {"dbs_basic", {kOutcomeReported}},
  };
  ASSERT_EQ(outcomes.size(), registry::Purposes().size());
  std::set<std::string> all;
  size_t count = 0;
  for (const auto& [check, list] : outcomes) {
    for (PdfLanguage lang : {PdfLanguage::kEnglish, PdfLanguage::kWelsh}) {
      std::set<std::string> seen;
      for (std::string_view outcome : list) {
        SCOPED_TRACE(std::string(check) + "/" + std::string(outcome));
        auto s = DecisionSentence(DecisionOf(check, outcome), lang);
        ASSERT_TRUE(s.ok()) << s.status().ToString();
        EXPECT_FALSE(s->empty());
        EXPECT_TRUE(seen.insert(*s).second) << "repeated: " << *s;
        all.insert(*s);
        ++count;
      }
    }
  }
  EXPECT_EQ(all.size(), count);  // distinct across checks and languages too
  EXPECT_EQ(*DecisionSentence(DecisionOf("right_to_rent", kOutcomePermittedUntil), PdfLanguage::kEnglish),
            "Permitted to rent until 31 January 2029");
  EXPECT_EQ(*DecisionSentence(DecisionOf("right_to_rent", kOutcomePermittedUntil), PdfLanguage::kWelsh),
            "Caniat\u00e2d i rentu tan 31 Ionawr 2029");
  EXPECT_EQ(*DecisionSentence(DecisionOf("age_over_18", kOutcomePass), PdfLanguage::kWelsh),
            "18 oed neu\u2019n h\u0177n");
}

TEST(CheckRecordPdfSentenceTest, SentencesUseFacts) {
  CheckDecision driving = DecisionOf("driving_entitlement", kOutcomeEntitled);
  driving.facts = {{"categories", Json::array({Json{{"vehicle_category_code", "B"}},
                                                Json{{"vehicle_category_code", "C1"}}})}};
  EXPECT_EQ(*DecisionSentence(driving, PdfLanguage::kEnglish), "Entitled to drive vehicles in categories B, C1");
  driving.facts = {{"categories", Json::array()}};  // boundary: none listed
  EXPECT_EQ(*DecisionSentence(driving, PdfLanguage::kEnglish), "Entitled to drive");
  CheckDecision dbs = DecisionOf("dbs_basic", kOutcomeReported);
  dbs.facts = {{"outcome", "No information"}};
  EXPECT_EQ(*DecisionSentence(dbs, PdfLanguage::kEnglish), "Basic DBS certificate shown. Result: No information");
  EXPECT_EQ(*DecisionSentence(dbs, PdfLanguage::kWelsh),
            "Tystysgrif DBS sylfaenol wedi\u2019i dangos. Canlyniad: No information");
}

TEST(CheckRecordPdfSentenceTest, Errors) {
  EXPECT_EQ(CodeOf(DecisionSentence(DecisionOf("shoe_size", kOutcomePass), PdfLanguage::kEnglish)), "not_found");
  EXPECT_EQ(CodeOf(DecisionSentence(DecisionOf("right_to_work", kOutcomePass), PdfLanguage::kEnglish)),
            "invalid_argument");
  EXPECT_EQ(CodeOf(DecisionSentence(DecisionOf("age_over_18", kOutcomeUnrestricted), PdfLanguage::kWelsh)),
            "invalid_argument");
  EXPECT_EQ(CodeOf(DecisionSentence(DecisionOf("dbs_basic", ""), PdfLanguage::kEnglish)), "invalid_argument");
  CheckDecision no_until = DecisionOf("right_to_work", kOutcomePermittedUntil);
  no_until.until.reset();
  EXPECT_EQ(CodeOf(DecisionSentence(no_until, PdfLanguage::kEnglish)), "invalid_argument");
  no_until.until = "2029-13-01";
  EXPECT_EQ(CodeOf(DecisionSentence(no_until, PdfLanguage::kEnglish)), "invalid_argument");
}

// ---- Robustness ----

// RandomText returns `n` bytes mixing ASCII, Welsh letters, control characters and invalid UTF-8.
std::string RandomText(std::mt19937& rng, size_t n) {
  static const std::vector<std::string> pieces = {
      "a", "Z", " ", "\u0175", "\u0177", "\u00e2", "\u4e2d", "\xF0\x9F\x98\x80", "\x01", "\x7F", "\n",
      "\xFF", "\xC0\xAF", "\xED\xA0\x80", "\xE2\x82", "\xC2\x85", "\uFFFF", "(", ")", "\\"};
  std::string out;
  while (out.size() < n) out += pieces[rng() % pieces.size()];
  return out;
}

Json RandomValue(std::mt19937& rng, int depth) {
  switch (rng() % (depth > 2 ? 6 : 8)) {
    case 0: return RandomText(rng, 10000);
    case 1: return RandomText(rng, rng() % 40);
    case 2: return rng() % 2 == 0;
    case 3: return static_cast<int64_t>(rng()) - (1LL << 31);
    case 4: return "2029-0" + std::to_string(1 + rng() % 9) + "-1" + std::to_string(rng() % 10);
    case 5: return nullptr;
    case 6: {
      Json a = Json::array();
      for (auto i = rng() % 5; i > 0; --i) a.push_back(RandomValue(rng, depth + 1));
      return a;
    }
    default: {
      Json o = Json::object();
      for (auto i = rng() % 4; i > 0; --i) o[RandomText(rng, 8)] = RandomValue(rng, depth + 1);
      return o;
    }
  }
}

std::string RandomPortrait(std::mt19937& rng) {
  Bytes b;
  switch (rng() % 4) {
    case 0: b = TinyJpeg(); break;
    case 1: b = TinyPng(); break;
    case 2: b = {0xFF, 0xD8, 0xFF}; break;
    default: b = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A}; break;
  }
  for (auto i = rng() % 60; i > 0; --i) b.push_back(static_cast<uint8_t>(rng()));
  if (b.size() > 12 && rng() % 2 == 0) b[rng() % b.size()] ^= static_cast<uint8_t>(1 + rng() % 255);
  return Base64UrlEncode(b);
}

TEST(CheckRecordPdfRobustnessTest, RandomFactsGiveAPdfOrATypedError) {
  std::mt19937 rng(20260115);
  const std::vector<std::string> keys = {"given_name", "family_name", "birth_date", "categories", "outcome",
                                         "expiryDate", "serviceBranch", "x"};
  for (int iteration = 0; iteration < 24; ++iteration) {
    SCOPED_TRACE(iteration);
    CheckRecord r = RecordOf(iteration % 3 == 0 ? NotPermitted() : Restricted(), kEvisa);
    r.decision.facts = Json::object();
    for (auto i = rng() % 8; i > 0; --i) {
      const std::string key = rng() % 3 == 0 ? RandomText(rng, 12) : keys[rng() % keys.size()];
      r.decision.facts[key] = RandomValue(rng, 0);
    }
    if (rng() % 2 == 0) r.decision.facts[rng() % 2 == 0 ? "portrait" : "photo"] = RandomPortrait(rng);
    if (rng() % 3 == 0) r.decision.conditions = RandomText(rng, rng() % 3000);
    if (rng() % 3 == 0) r.decision.reasons.push_back(RandomText(rng, 5000));
    r.checker_name = RandomText(rng, rng() % 300);
    r.issuer = RandomText(rng, rng() % 100);
    const PdfLanguage lang = rng() % 2 == 0 ? PdfLanguage::kEnglish : PdfLanguage::kWelsh;
    auto pdf = RenderCheckRecordPdf(Unsigned(r), lang);
    if (pdf.ok()) {
      ExpectPdfShape(*pdf);
    } else {
      EXPECT_TRUE(pdf.status().code() == StatusCode::kLimitExceeded ||
                  pdf.status().code() == StatusCode::kInvalidArgument)
          << pdf.status().ToString();
    }
  }
}

}  // namespace
}  // namespace bonafide::verifier
