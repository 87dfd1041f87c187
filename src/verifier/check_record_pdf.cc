// verifier/check_record_pdf.cc: the check record PDF through libharu (see the header for the layout,
// the handling of untrusted text and images, and the libharu 2.3.0 workarounds).
#include "verifier/check_record_pdf.h"

#include <hpdf.h>
#include <png.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <system_error>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/bytes.h"
#include "base/encoding.h"
#include "base/json.h"
#include "cbor/cbor.h"
#include "crypto/hash.h"
#include "registry/purposes.h"
#include "web/i18n.h"

namespace bonafide::verifier {
namespace {

// ---- Fixed text, per language ----

// Texts holds every fixed label and sentence of the PDF in one language.
struct Texts {
  web::Lang lang;  // dates are written by web::FormatLongDate in this language
  const char* heading_right_to_work;
  const char* heading_right_to_rent;
  const char* heading_age_over_18;
  const char* heading_veteran_status;
  const char* heading_driving_entitlement;
  const char* heading_dbs_basic;
  const char* section_decision;
  const char* label_decision;
  const char* label_conditions;
  const char* label_follow_up;
  const char* label_reasons;
  const char* section_person;
  const char* label_given_name;
  const char* label_family_name;
  const char* label_birth_date;
  const char* label_age_over_18;
  const char* label_service_branch;
  const char* label_veteran_expiry;
  const char* label_licence_expiry;
  const char* label_categories;
  const char* label_certificate_number;
  const char* label_certificate_type;
  const char* label_certificate_outcome;
  const char* yes;
  const char* no;
  const char* none;
  const char* category_from;   // "from"
  const char* category_until;  // "until"
  const char* category_codes;  // "codes"
  const char* photo_not_image;
  const char* photo_unreadable;
  const char* photo_too_large;
  const char* shortened;
  const char* section_check;
  const char* label_checked_by;
  const char* label_client_id;
  const char* label_checked_at;
  const char* at;  // "15 January 2026 at 10:00:00 UTC"
  const char* label_credential;
  const char* label_issuer;
  const char* label_status_age;
  const char* second_one;   // "1 second"
  const char* second_many;  // "%lld seconds"
  const char* status_none;
  const char* label_retention;
  const char* retention_employment;
  const char* retention_tenancy;
  const char* retention_none;
  const char* label_retain_until;
  const char* retain_note_employment;
  const char* retain_note_tenancy;
  const char* label_session;
  const char* section_signed;
  const char* signed_intro;
  const char* label_sha256;
  const char* page;  // "Page %d of %d"
  // Decision sentences.
  const char* work_unrestricted;
  const char* work_until;  // followed by the date
  const char* work_not;
  const char* rent_unrestricted;
  const char* rent_until;
  const char* rent_not;
  const char* age_pass;
  const char* age_fail;
  const char* veteran;
  const char* not_veteran;
  const char* entitled;
  const char* entitled_categories;  // followed by the categories
  const char* not_entitled;
  const char* dbs_shown;
  const char* dbs_result;  // followed by the result
  // Credential names.
  const char* credential_digital_id;
  const char* credential_evisa;
  const char* credential_mdl;
  const char* credential_veteran_card;
  const char* credential_dbs;
};

const Texts kEnglish = {
    .lang = web::Lang::kEnglish,
    .heading_right_to_work = "Right to work check record",
    .heading_right_to_rent = "Right to rent check record",
    .heading_age_over_18 = "Age check record",
    .heading_veteran_status = "Veteran status check record",
    .heading_driving_entitlement = "Driving entitlement check record",
    .heading_dbs_basic = "Basic DBS check record",
    .section_decision = "Decision",
    .label_decision = "Decision",
    .label_conditions = "Conditions",
    .label_follow_up = "Follow-up check due by",
    .label_reasons = "Reasons",
    .section_person = "The person's details",
    .label_given_name = "Given names",
    .label_family_name = "Family name",
    .label_birth_date = "Date of birth",
    .label_age_over_18 = "Aged 18 or over",
    .label_service_branch = "Service branch",
    .label_veteran_expiry = "Veteran Card valid until",
    .label_licence_expiry = "Driving licence valid until",
    .label_categories = "Vehicle categories valid on the day of the check",
    .label_certificate_number = "Certificate number",
    .label_certificate_type = "Certificate type",
    .label_certificate_outcome = "Certificate result",
    .yes = "Yes",
    .no = "No",
    .none = "None",
    .category_from = "from",
    .category_until = "until",
    .category_codes = "codes",
    .photo_not_image = "Photo not shown: it is not a JPEG or PNG image.",
    .photo_unreadable = "Photo not shown: the image data could not be read.",
    .photo_too_large = "Photo not shown: the image is too large.",
    .shortened = " \u2026 (shortened: the full value is in the signed record)",
    .section_check = "About the check",
    .label_checked_by = "Checked by",
    .label_client_id = "Checker's client ID",
    .label_checked_at = "Date and time of the check",
    .at = "at",
    .label_credential = "Credential",
    .label_issuer = "Issuer",
    .label_status_age = "Age of the status list data",
    .second_one = "1 second",
    .second_many = "%lld seconds",
    .status_none = "Not applicable: the credential has no status reference",
    .label_retention = "Keep this record",
    .retention_employment = "For the employment plus 2 years",
    .retention_tenancy = "For the tenancy plus 1 year",
    .retention_none = "No statutory period: keep it only as long as you need it",
    .label_retain_until = "Earliest deletion date",
    .retain_note_employment =
        "If the employment continues, keep the record until 2 years after the employment ends.",
    .retain_note_tenancy = "If the tenancy continues, keep the record until 1 year after the tenancy ends.",
    .label_session = "Session ID",
    .section_signed = "Signed record",
    .signed_intro =
        "The check record as signed by the checker's service (a JWT). Compare its SHA-256 with the "
        "signed record you hold to confirm that this copy matches it.",
    .label_sha256 = "SHA-256 of the signed record",
    .page = "Page %d of %d",
    .work_unrestricted = "Permitted to work without time limit",
    .work_until = "Permitted to work until ",
    .work_not = "Not permitted to work",
    .rent_unrestricted = "Permitted to rent without time limit",
    .rent_until = "Permitted to rent until ",
    .rent_not = "Not permitted to rent",
    .age_pass = "Aged 18 or over",
    .age_fail = "Under 18",
    .veteran = "Veteran status confirmed",
    .not_veteran = "Veteran status not confirmed",
    .entitled = "Entitled to drive",
    .entitled_categories = "Entitled to drive vehicles in categories ",
    .not_entitled = "Not entitled to drive",
    .dbs_shown = "Basic DBS certificate shown",
    .dbs_result = "Basic DBS certificate shown. Result: ",
    .credential_digital_id = "Digital ID",
    .credential_evisa = "eVisa",
    .credential_mdl = "Mobile driving licence",
    .credential_veteran_card = "HM Armed Forces Veteran Card",
    .credential_dbs = "Basic DBS certificate",
};

const Texts kWelsh = {
    .lang = web::Lang::kWelsh,
    .heading_right_to_work = "Cofnod gwiriad hawl i weithio",
    .heading_right_to_rent = "Cofnod gwiriad hawl i rentu",
    .heading_age_over_18 = "Cofnod gwiriad oedran",
    .heading_veteran_status = "Cofnod gwiriad statws cyn-filwr",
    .heading_driving_entitlement = "Cofnod gwiriad hawl i yrru",
    .heading_dbs_basic = "Cofnod gwiriad DBS sylfaenol",
    .section_decision = "Penderfyniad",
    .label_decision = "Penderfyniad",
    .label_conditions = "Amodau",
    .label_follow_up = "Gwiriad dilynol yn ddyledus erbyn",
    .label_reasons = "Rhesymau (yn Saesneg)",
    .section_person = "Manylion yr unigolyn",
    .label_given_name = "Enwau cyntaf",
    .label_family_name = "Cyfenw",
    .label_birth_date = "Dyddiad geni",
    .label_age_over_18 = "18 oed neu\u2019n h\u0177n",
    .label_service_branch = "Cangen y lluoedd arfog",
    .label_veteran_expiry = "Cerdyn Cyn-filwyr yn ddilys tan",
    .label_licence_expiry = "Trwydded yrru yn ddilys tan",
    .label_categories = "Categor\u00efau cerbyd sy\u2019n ddilys ar ddiwrnod y gwiriad",
    .label_certificate_number = "Rhif y dystysgrif",
    .label_certificate_type = "Math o dystysgrif",
    .label_certificate_outcome = "Canlyniad y dystysgrif",
    .yes = "Ie",
    .no = "Na",
    .none = "Dim",
    .category_from = "o",
    .category_until = "tan",
    .category_codes = "codau",
    .photo_not_image = "Llun heb ei ddangos: nid yw\u2019n ddelwedd JPEG na PNG.",
    .photo_unreadable = "Llun heb ei ddangos: nid oedd modd darllen data\u2019r ddelwedd.",
    .photo_too_large = "Llun heb ei ddangos: mae\u2019r ddelwedd yn rhy fawr.",
    .shortened = " \u2026 (wedi\u2019i fyrhau: mae\u2019r gwerth llawn yn y cofnod wedi\u2019i lofnodi)",
    .section_check = "Yngl\u0177n \u00e2\u2019r gwiriad",
    .label_checked_by = "Gwiriwyd gan",
    .label_client_id = "ID cleient y gwiriwr",
    .label_checked_at = "Dyddiad ac amser y gwiriad",
    .at = "am",
    .label_credential = "Cymhwyster",
    .label_issuer = "Cyhoeddwr",
    .label_status_age = "Oedran data\u2019r rhestr statws",
    .second_one = "1 eiliad",
    .second_many = "%lld eiliad",
    .status_none = "Amherthnasol: nid oes gan y cymhwyster gyfeirnod statws",
    .label_retention = "Cadw\u2019r cofnod hwn",
    .retention_employment = "Am gyfnod y gyflogaeth a 2 flynedd wedyn",
    .retention_tenancy = "Am gyfnod y denantiaeth a blwyddyn wedyn",
    .retention_none = "Dim cyfnod statudol: cadwch ef dim ond cyhyd ag y bydd ei angen arnoch",
    .label_retain_until = "Dyddiad dileu cynharaf",
    .retain_note_employment =
        "Os yw\u2019r gyflogaeth yn parhau, cadwch y cofnod tan 2 flynedd ar \u00f4l i\u2019r gyflogaeth "
        "ddod i ben.",
    .retain_note_tenancy =
        "Os yw\u2019r denantiaeth yn parhau, cadwch y cofnod tan flwyddyn ar \u00f4l i\u2019r denantiaeth "
        "ddod i ben.",
    .label_session = "ID y sesiwn",
    .section_signed = "Y cofnod wedi\u2019i lofnodi",
    .signed_intro =
        "Y cofnod gwiriad fel y\u2019i llofnodwyd gan wasanaeth y gwiriwr (JWT). Cymharwch ei SHA-256 "
        "\u00e2\u2019r cofnod wedi\u2019i lofnodi sydd gennych i gadarnhau bod y copi hwn yn cyfateb "
        "iddo.",
    .label_sha256 = "SHA-256 y cofnod wedi\u2019i lofnodi",
    .page = "Tudalen %d o %d",
    .work_unrestricted = "Caniat\u00e2d i weithio heb derfyn amser",
    .work_until = "Caniat\u00e2d i weithio tan ",
    .work_not = "Dim caniat\u00e2d i weithio",
    .rent_unrestricted = "Caniat\u00e2d i rentu heb derfyn amser",
    .rent_until = "Caniat\u00e2d i rentu tan ",
    .rent_not = "Dim caniat\u00e2d i rentu",
    .age_pass = "18 oed neu\u2019n h\u0177n",
    .age_fail = "O dan 18 oed",
    .veteran = "Statws cyn-filwr wedi\u2019i gadarnhau",
    .not_veteran = "Statws cyn-filwr heb ei gadarnhau",
    .entitled = "Hawl i yrru",
    .entitled_categories = "Hawl i yrru cerbydau yng nghategor\u00efau ",
    .not_entitled = "Dim hawl i yrru",
    .dbs_shown = "Tystysgrif DBS sylfaenol wedi\u2019i dangos",
    .dbs_result = "Tystysgrif DBS sylfaenol wedi\u2019i dangos. Canlyniad: ",
    .credential_digital_id = "ID Digidol",
    .credential_evisa = "eFisa",
    .credential_mdl = "Trwydded yrru symudol",
    .credential_veteran_card = "Cerdyn Cyn-filwyr Lluoedd Arfog EF",
    .credential_dbs = "Tystysgrif DBS sylfaenol",
};

const Texts& TextsFor(PdfLanguage lang) { return lang == PdfLanguage::kWelsh ? kWelsh : kEnglish; }

const char* HeadingFor(std::string_view check, const Texts& t) {
  if (check == "right_to_work") return t.heading_right_to_work;
  if (check == "right_to_rent") return t.heading_right_to_rent;
  if (check == "age_over_18") return t.heading_age_over_18;
  if (check == "veteran_status") return t.heading_veteran_status;
  if (check == "driving_entitlement") return t.heading_driving_entitlement;
  if (check == "dbs_basic") return t.heading_dbs_basic;
  return nullptr;
}

// ---- Untrusted text ----

constexpr char32_t kReplacement = 0xFFFD;

void AppendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// PrintableCodePoints decodes `text` as UTF-8 into printable BMP code points. Ill-formed input is
// replaced as Unicode 15.0 section 3.9 recommends ("U+FFFD Substitution of Maximal Subparts", as
// WHATWG's decoder does): each maximal subpart of an ill-formed sequence (a lone or surplus
// continuation byte, a lead byte C0, C1 or F5-FF, a truncated sequence, the start of an overlong
// form, a surrogate or a value above U+10FFFF) becomes one U+FFFD. Then control characters, the
// noncharacters U+FFFE and U+FFFF, and characters outside the BMP (libharu's UTF-8 encoder drops
// them) become U+FFFD too; tab, CR and LF become spaces.
std::vector<char32_t> PrintableCodePoints(std::string_view text) {
  std::vector<char32_t> out;
  out.reserve(text.size());
  size_t i = 0;
  auto byte = [&](size_t k) { return static_cast<uint8_t>(text[k]); };
  while (i < text.size()) {
    const uint8_t b = byte(i);
    if (b < 0x80) {
      if (b == '\t' || b == '\n' || b == '\r') {
        out.push_back(U' ');
      } else if (b < 0x20 || b == 0x7F) {
        out.push_back(kReplacement);
      } else {
        out.push_back(b);
      }
      ++i;
      continue;
    }
    // Length and the range of the second byte (Unicode Table 3-7, well-formed byte sequences).
    size_t len = 0;
    uint8_t lo = 0x80, hi = 0xBF;
    if (b >= 0xC2 && b <= 0xDF) {
      len = 2;
    } else if (b >= 0xE0 && b <= 0xEF) {
      len = 3;
      if (b == 0xE0) lo = 0xA0;
      if (b == 0xED) hi = 0x9F;
    } else if (b >= 0xF0 && b <= 0xF4) {
      len = 4;
      if (b == 0xF0) lo = 0x90;
      if (b == 0xF4) hi = 0x8F;
    }
    if (len == 0) {  // not a lead byte
      out.push_back(kReplacement);
      ++i;
      continue;
    }
    char32_t cp = b & (len == 2 ? 0x1Fu : len == 3 ? 0x0Fu : 0x07u);
    size_t k = 1;
    for (; k < len && i + k < text.size(); ++k) {
      const uint8_t c = byte(i + k);
      const uint8_t min = k == 1 ? lo : 0x80;
      const uint8_t max = k == 1 ? hi : 0xBF;
      if (c < min || c > max) break;
      cp = (cp << 6) | (c & 0x3Fu);
    }
    if (k < len) {  // a maximal subpart of an ill-formed sequence: replace it, resume after it
      out.push_back(kReplacement);
      i += k;
      continue;
    }
    i += len;
    const bool printable = cp <= 0xFFFF && !(cp >= 0x80 && cp <= 0x9F) && cp != 0xFFFE && cp != 0xFFFF;
    out.push_back(printable ? cp : kReplacement);
  }
  return out;
}

std::string ToUtf8(const std::vector<char32_t>& cps, size_t begin, size_t end) {
  std::string out;
  for (size_t i = begin; i < end; ++i) AppendUtf8(out, cps[i]);
  return out;
}

// ---- Dates ----

// LongDate returns a valid full-date written out in `t`'s language ("31 January 2029"), or
// kInvalidArgument. The calendar check is the CBOR full-date parser's, as for the credentials.
Result<std::string> LongDate(std::string_view date, const Texts& t) {
  if (date.size() != 10 || !cbor::ParseFullDate(date).ok()) {
    return Error(StatusCode::kInvalidArgument, "not a YYYY-MM-DD date");
  }
  return web::FormatLongDate(date, t.lang);
}

// ---- Decision sentences ----

// CategoryCodes returns the vehicle category codes of facts.categories, joined with ", ".
std::string CategoryCodes(const Json& facts) {
  const Json* categories = Find(facts, "categories");
  std::string out;
  if (categories == nullptr || !categories->is_array()) return out;
  for (const Json& c : *categories) {
    const Json* code = c.is_object() ? Find(c, "vehicle_category_code") : nullptr;
    if (code == nullptr || !code->is_string()) continue;
    if (!out.empty()) out += ", ";
    out += code->get_ref<const std::string&>();
  }
  return out;
}

// ---- libharu ----

// HpdfErrors records the first error libharu reports through its error handler.
struct HpdfErrors {
  HPDF_STATUS error_no = 0;
  HPDF_STATUS detail_no = 0;
};

void RecordHpdfError(HPDF_STATUS error_no, HPDF_STATUS detail_no, void* user_data) {
  auto* errors = static_cast<HpdfErrors*>(user_data);
  if (errors != nullptr && errors->error_no == 0) {
    errors->error_no = error_no;
    errors->detail_no = detail_no;
  }
}

// HpdfDoc owns a libharu document (HPDF_Free on every path) and its error record.
class HpdfDoc {
 public:
  HpdfDoc() : doc_(HPDF_New(&RecordHpdfError, &errors_)) {}
  ~HpdfDoc() {
    if (doc_ != nullptr) HPDF_Free(doc_);
  }
  HpdfDoc(const HpdfDoc&) = delete;
  HpdfDoc& operator=(const HpdfDoc&) = delete;

  HPDF_Doc get() const { return doc_; }
  bool failed() const { return doc_ == nullptr || errors_.error_no != 0; }

  // Check returns kInternal naming `step` and libharu's error if one was reported (or `ok` is false).
  Status Check(std::string_view step, bool ok = true) const {
    if (doc_ == nullptr) return Error(StatusCode::kInternal, "libharu could not create a document");
    if (errors_.error_no == 0 && ok) return OkStatus();
    char numbers[64];
    std::snprintf(numbers, sizeof numbers, "error 0x%04X, detail %u", static_cast<unsigned>(errors_.error_no),
                  static_cast<unsigned>(errors_.detail_no));
    return Error(StatusCode::kInternal, "libharu failed to " + std::string(step) + " (" + numbers + ")");
  }

 private:
  HpdfErrors errors_;
  HPDF_Doc doc_ = nullptr;
};

// ReplaceToUnicode gives a font of libharu's "UTF-8" encoder a correct /ToUnicode CMap: the encoder
// writes each BMP character as its 2-byte code, so the map is the identity, as bfranges that each
// stay within one high byte (PDF 32000-1:2008 section 9.10.3) and skip the surrogates.
Status ReplaceToUnicode(const HpdfDoc& doc, HPDF_Font font) {
  HPDF_Dict cmap = static_cast<HPDF_Dict>(HPDF_Dict_GetItem(font, "ToUnicode", HPDF_OCLASS_DICT));
  RETURN_IF_ERROR(doc.Check("read the font's ToUnicode entry"));
  if (cmap != nullptr) {
    HPDF_MemStream_FreeData(cmap->stream);
  } else {
    cmap = HPDF_DictStream_New(doc.get()->mmgr, doc.get()->xref);
    RETURN_IF_ERROR(doc.Check("create a ToUnicode stream", cmap != nullptr));
    RETURN_IF_ERROR(doc.Check("add a ToUnicode entry", HPDF_Dict_Add(font, "ToUnicode", cmap) == HPDF_OK));
  }
  cmap->filter = HPDF_STREAM_FILTER_FLATE_DECODE;
  std::string text =
      "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
      "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
      "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
      "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n";
  std::vector<int> highs;
  for (int h = 0; h < 256; ++h) {
    if (h < 0xD8 || h > 0xDF) highs.push_back(h);
  }
  for (size_t start = 0; start < highs.size(); start += 100) {  // at most 100 entries per block
    const size_t end = std::min(highs.size(), start + 100);
    text += std::to_string(end - start) + " beginbfrange\n";
    for (size_t k = start; k < end; ++k) {
      char line[32];
      std::snprintf(line, sizeof line, "<%02X00> <%02XFF> <%02X00>\n", highs[k], highs[k], highs[k]);
      text += line;
    }
    text += "endbfrange\n";
  }
  text += "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n";
  const HPDF_STATUS written = HPDF_Stream_Write(cmap->stream, reinterpret_cast<const HPDF_BYTE*>(text.data()),
                                                static_cast<HPDF_UINT>(text.size()));
  return doc.Check("write the ToUnicode CMap", written == HPDF_OK);
}

Result<HPDF_Font> LoadFont(const HpdfDoc& doc, const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return Error(StatusCode::kNotFound, "font file " + path + " not found (install fonts-dejavu-core)");
  }
  const char* name = HPDF_LoadTTFontFromFile(doc.get(), path.c_str(), HPDF_TRUE);
  RETURN_IF_ERROR(doc.Check("load the font " + path, name != nullptr));
  HPDF_Font font = HPDF_GetFont(doc.get(), name, "UTF-8");
  RETURN_IF_ERROR(doc.Check("open the font " + path + " with the UTF-8 encoder", font != nullptr));
  RETURN_IF_ERROR(ReplaceToUnicode(doc, font));
  return font;
}

// ---- Images ----

constexpr size_t kMaxImageBytes = 8 * 1024 * 1024;
constexpr uint32_t kMaxImageSide = 2048;

// Portrait is the outcome of loading a portrait: an image, or the note that replaces it.
struct Portrait {
  HPDF_Image image = nullptr;
  const char* note = nullptr;
};

struct JpegInfo {
  uint32_t width = 0;
  uint32_t height = 0;
};

// CheckJpeg walks the markers of a JPEG up to its frame header: SOI, then marker segments (each
// length-checked) up to SOF0, SOF1 or SOF2 (the baseline, extended and progressive 8-bit frames
// PDF's DCTDecode reads) with 1, 3 or 4 components; the file must end with EOI. Returns nothing
// for anything else.
std::optional<JpegInfo> CheckJpeg(ByteView b) {
  if (b.size() < 4 || b[0] != 0xFF || b[1] != 0xD8 || b[b.size() - 2] != 0xFF || b[b.size() - 1] != 0xD9) {
    return std::nullopt;
  }
  size_t i = 2;
  while (i + 4 <= b.size()) {
    if (b[i] != 0xFF) return std::nullopt;
    size_t m = i + 1;
    while (m < b.size() && b[m] == 0xFF) ++m;  // fill bytes
    if (m + 3 > b.size()) return std::nullopt;
    const uint8_t marker = b[m];
    // Markers without a segment (TEM, RSTn, SOI, EOI) and SOS cannot come before the frame header.
    if (marker == 0x00 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xDA)) return std::nullopt;
    const size_t length = (static_cast<size_t>(b[m + 1]) << 8) | b[m + 2];
    if (length < 2 || m + 1 + length > b.size()) return std::nullopt;
    if (marker == 0xC0 || marker == 0xC1 || marker == 0xC2) {
      if (length < 8) return std::nullopt;
      const uint8_t precision = b[m + 3];
      const uint32_t height = (static_cast<uint32_t>(b[m + 4]) << 8) | b[m + 5];
      const uint32_t width = (static_cast<uint32_t>(b[m + 6]) << 8) | b[m + 7];
      const uint8_t components = b[m + 8];
      if (precision != 8 || height == 0 || width == 0) return std::nullopt;
      if (components != 1 && components != 3 && components != 4) return std::nullopt;
      if (length != 8 + 3 * static_cast<size_t>(components)) return std::nullopt;
      return JpegInfo{width, height};
    }
    if (marker >= 0xC3 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
      return std::nullopt;  // lossless, hierarchical or arithmetic-coded frames
    }
    i = m + 1 + length;
  }
  return std::nullopt;
}

bool IsJpeg(ByteView b) { return b.size() >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF; }

bool IsPng(ByteView b) {
  static constexpr uint8_t kSignature[8] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
  if (b.size() < 8) return false;
  for (size_t i = 0; i < 8; ++i) {
    if (b[i] != kSignature[i]) return false;
  }
  return true;
}

Result<Portrait> LoadJpeg(const HpdfDoc& doc, ByteView bytes) {
  std::optional<JpegInfo> info = CheckJpeg(bytes);
  if (!info) return Portrait{.image = nullptr, .note = "unreadable"};
  if (info->width > kMaxImageSide || info->height > kMaxImageSide) {
    return Portrait{.image = nullptr, .note = "too_large"};
  }
  // A failed load leaves an orphan image object behind in libharu's document, so the JPEG is first
  // loaded into a scratch document.
  {
    HpdfDoc scratch;
    if (scratch.get() == nullptr) return Error(StatusCode::kInternal, "libharu could not create a document");
    HPDF_Image probe =
        HPDF_LoadJpegImageFromMem(scratch.get(), bytes.data(), static_cast<HPDF_UINT>(bytes.size()));
    if (probe == nullptr || scratch.failed() || HPDF_Image_GetWidth(probe) != info->width ||
        HPDF_Image_GetHeight(probe) != info->height) {
      return Portrait{.image = nullptr, .note = "unreadable"};
    }
  }
  HPDF_Image image = HPDF_LoadJpegImageFromMem(doc.get(), bytes.data(), static_cast<HPDF_UINT>(bytes.size()));
  RETURN_IF_ERROR(doc.Check("load the JPEG portrait", image != nullptr));
  return Portrait{.image = image, .note = nullptr};
}

Result<Portrait> LoadPng(const HpdfDoc& doc, ByteView bytes) {
  // libpng's simplified API catches libpng's errors itself and reports them by return value.
  png_image png{};
  png.version = PNG_IMAGE_VERSION;
  if (png_image_begin_read_from_memory(&png, bytes.data(), bytes.size()) == 0) {
    png_image_free(&png);
    return Portrait{.image = nullptr, .note = "unreadable"};
  }
  if (png.width == 0 || png.height == 0 || png.width > kMaxImageSide || png.height > kMaxImageSide) {
    png_image_free(&png);
    return Portrait{.image = nullptr, .note = "too_large"};
  }
  png.format = PNG_FORMAT_RGB;
  const png_uint_32 width = png.width;
  const png_uint_32 height = png.height;
  Bytes rgb(static_cast<size_t>(width) * height * 3, 0xFF);
  png_color white{};
  white.red = white.green = white.blue = 0xFF;  // transparent pixels are shown on white
  const int finished = png_image_finish_read(&png, &white, rgb.data(), 0, nullptr);
  png_image_free(&png);
  if (finished == 0) return Portrait{.image = nullptr, .note = "unreadable"};
  HPDF_Image image = HPDF_LoadRawImageFromMem(doc.get(), rgb.data(), width, height, HPDF_CS_DEVICE_RGB, 8);
  RETURN_IF_ERROR(doc.Check("load the PNG portrait", image != nullptr));
  return Portrait{.image = image, .note = nullptr};
}

// LoadPortrait loads facts.portrait (or facts.photo), base64url (or base64) JPEG or PNG; a value
// that is not one gives a note instead. No portrait at all gives neither.
Result<Portrait> LoadPortrait(const HpdfDoc& doc, const Json& facts) {
  const Json* value = Find(facts, "portrait");
  if (value == nullptr) value = Find(facts, "photo");
  if (value == nullptr) return Portrait{};
  if (!value->is_string()) return Portrait{.image = nullptr, .note = "unreadable"};
  const std::string& text = value->get_ref<const std::string&>();
  if (text.size() > kMaxImageBytes / 3 * 4 + 4) return Portrait{.image = nullptr, .note = "too_large"};
  Result<Bytes> bytes = Base64UrlDecode(text);
  if (!bytes.ok()) bytes = Base64Decode(text);
  if (!bytes.ok()) return Portrait{.image = nullptr, .note = "unreadable"};
  if (IsJpeg(*bytes)) return LoadJpeg(doc, *bytes);
  if (IsPng(*bytes)) return LoadPng(doc, *bytes);
  return Portrait{.image = nullptr, .note = "not_image"};
}

// ---- Facts ----

constexpr size_t kMaxValueCodePoints = 1000;
constexpr size_t kMaxRenderedBytes = 16 * 1024;  // stop rendering a value (arrays, objects) here

const char* FactLabel(std::string_view key, std::string_view check, const Texts& t) {
  if (key == "given_name") return t.label_given_name;
  if (key == "family_name") return t.label_family_name;
  if (key == "birth_date" || key == "birthDate") return t.label_birth_date;
  if (key == "age_over_18") return t.label_age_over_18;
  if (key == "serviceBranch") return t.label_service_branch;
  if (key == "expiryDate") return t.label_veteran_expiry;
  if (key == "expiry_date" && check == "driving_entitlement") return t.label_licence_expiry;
  if (key == "categories") return t.label_categories;
  if (key == "certificateNumber") return t.label_certificate_number;
  if (key == "certificateType") return t.label_certificate_type;
  if (key == "outcome") return t.label_certificate_outcome;
  return nullptr;
}

constexpr std::string_view kFactOrder[] = {"given_name",  "family_name", "birth_date",        "birthDate",
                                           "age_over_18", "serviceBranch", "expiryDate",      "expiry_date",
                                           "categories",  "certificateNumber", "certificateType", "outcome"};

bool IsImageKey(std::string_view key) { return key == "portrait" || key == "photo"; }

// RenderValue appends the text of a fact value: dates written out, booleans as yes/no, arrays
// joined with "; ", vehicle categories with their dates and codes, other objects as "key: value".
void RenderValue(const Json& v, const Texts& t, int depth, std::string& out) {
  if (out.size() > kMaxRenderedBytes) return;
  if (depth > 4) {
    out += "\u2026";
    return;
  }
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    Result<std::string> date = LongDate(s, t);
    out += date.ok() ? *date : s.substr(0, kMaxRenderedBytes);
  } else if (v.is_boolean()) {
    out += v.get<bool>() ? t.yes : t.no;
  } else if (v.is_number()) {
    out += v.dump();
  } else if (v.is_null()) {
    out += "-";
  } else if (v.is_array()) {
    if (v.empty()) out += t.none;
    bool first = true;
    for (const Json& item : v) {
      if (out.size() > kMaxRenderedBytes) break;
      if (!first) out += "; ";
      first = false;
      RenderValue(item, t, depth + 1, out);
    }
  } else if (v.is_object()) {
    const Json* code = Find(v, "vehicle_category_code");
    if (code != nullptr && code->is_string()) {
      // A driving privilege: "B (from 1 January 2020 until 31 January 2030; codes: ...)".
      out += code->get_ref<const std::string&>();
      std::string details;
      const Json* issued = Find(v, "issue_date");
      const Json* expires = Find(v, "expiry_date");
      const Json* codes = Find(v, "codes");
      if (issued != nullptr) {
        details += std::string(t.category_from) + " ";
        RenderValue(*issued, t, depth + 1, details);
      }
      if (expires != nullptr) {
        if (!details.empty()) details += " ";
        details += std::string(t.category_until) + " ";
        RenderValue(*expires, t, depth + 1, details);
      }
      if (codes != nullptr) {
        if (!details.empty()) details += "; ";
        details += std::string(t.category_codes) + ": ";
        RenderValue(*codes, t, depth + 1, details);
      }
      if (!details.empty()) out += " (" + details + ")";
      return;
    }
    bool first = true;
    for (const auto& [key, item] : v.items()) {
      if (out.size() > kMaxRenderedBytes) break;
      if (!first) out += ", ";
      first = false;
      out += key.substr(0, 200) + ": ";
      RenderValue(item, t, depth + 1, out);
    }
  } else {
    out += "-";  // JSON binary: shown in the signed record only
  }
}

// ---- Layout ----

constexpr float kPageWidth = 595.276f;  // A4, points
constexpr float kPageHeight = 841.89f;
constexpr float kMargin = 56.69f;  // 20 mm
constexpr float kTop = kPageHeight - kMargin;
constexpr float kBottom = kMargin + 14.0f;  // the footer sits below
constexpr float kRight = kPageWidth - kMargin;
constexpr float kContentWidth = kRight - kMargin;
constexpr float kLabelWidth = 150.0f;
constexpr float kValueX = kMargin + kLabelWidth + 12.0f;
constexpr float kMm = 72.0f / 25.4f;
constexpr float kPhotoWidth = 35.0f * kMm;
constexpr float kPhotoHeight = 45.0f * kMm;

// Font is one embedded font and the advance widths (1/1000 em) measured so far.
struct Font {
  HPDF_Font handle = nullptr;
  std::unordered_map<char32_t, float> widths{};
};

class Writer {
 public:
  Writer(const HpdfDoc& doc, Font regular, Font bold, Font mono)
      : doc_(doc), regular_(std::move(regular)), bold_(std::move(bold)), mono_(std::move(mono)) {}

  Font& regular() { return regular_; }
  Font& bold() { return bold_; }
  Font& mono() { return mono_; }
  const std::vector<HPDF_Page>& pages() const { return pages_; }
  HPDF_Page page() const { return page_; }
  float y() const { return y_; }
  void set_y(float y) { y_ = y; }

  Status NewPage() {
    if (pages_.size() >= static_cast<size_t>(kMaxPdfPages)) {
      return Error(StatusCode::kLimitExceeded, "the check record PDF would exceed " +
                                                   std::to_string(kMaxPdfPages) + " pages");
    }
    page_ = HPDF_AddPage(doc_.get());
    RETURN_IF_ERROR(doc_.Check("add a page", page_ != nullptr));
    HPDF_Page_SetSize(page_, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
    RETURN_IF_ERROR(doc_.Check("set the page size"));
    pages_.push_back(page_);
    y_ = kTop;
    return OkStatus();
  }

  // EnsureSpace starts a new page unless `height` points fit above the bottom margin.
  Status EnsureSpace(float height) {
    if (page_ != nullptr && y_ - height >= kBottom) return OkStatus();
    return NewPage();
  }

  // Width returns the advance width of `text` (printable code points) in `font` at `size` points.
  Result<float> Width(Font& font, const std::vector<char32_t>& cps, size_t begin, size_t end) {
    float total = 0;
    for (size_t i = begin; i < end; ++i) {
      ASSIGN_OR_RETURN(float w, CharWidth(font, cps[i]));
      total += w;
    }
    return total / 1000.0f;
  }

  // Wrap breaks `text` into lines no wider than `width` at `size` points: at spaces where it can,
  // inside a word that is wider than a line.
  Result<std::vector<std::string>> Wrap(Font& font, float size, std::string_view text, float width) {
    const std::vector<char32_t> cps = PrintableCodePoints(text);
    std::vector<std::string> lines;
    const float limit = width * 1000.0f / size;
    size_t start = 0;
    while (start < cps.size()) {
      float used = 0;
      size_t i = start;
      size_t last_space = std::string::npos;
      while (i < cps.size()) {
        ASSIGN_OR_RETURN(float w, CharWidth(font, cps[i]));
        if (used + w > limit && i > start) break;
        if (cps[i] == U' ') last_space = i;
        used += w;
        ++i;
      }
      size_t end = i;
      size_t next = i;
      if (i < cps.size() && cps[i] == U' ') {
        next = i + 1;  // the line ends just before a space
      } else if (i < cps.size() && last_space != std::string::npos && last_space > start) {
        end = last_space;
        next = last_space + 1;
      }
      lines.push_back(ToUtf8(cps, start, end));
      start = next;
      while (start < cps.size() && cps[start] == U' ' && start > 0) ++start;  // no leading spaces
    }
    if (lines.empty()) lines.emplace_back();
    return lines;
  }

  // Text draws one line with its baseline at `baseline`.
  Status Text(Font& font, float size, float x, float baseline, const std::string& utf8) {
    if (utf8.empty()) return OkStatus();
    HPDF_Page_BeginText(page_);
    HPDF_Page_SetFontAndSize(page_, font.handle, size);
    HPDF_Page_TextOut(page_, x, baseline, utf8.c_str());
    HPDF_Page_EndText(page_);
    return doc_.Check("write text");
  }

  // Paragraph writes wrapped text from the current position, across pages when needed.
  Status Paragraph(Font& font, float size, std::string_view text, float x, float width) {
    const float leading = size * 1.35f;
    ASSIGN_OR_RETURN(std::vector<std::string> lines, Wrap(font, size, text, width));
    for (const std::string& line : lines) {
      RETURN_IF_ERROR(EnsureSpace(leading));
      RETURN_IF_ERROR(Text(font, size, x, y_ - size, line));
      y_ -= leading;
    }
    return OkStatus();
  }

  // Rule draws a horizontal line at the current position.
  Status Rule(float width, float gray, float x_end = kRight) {
    HPDF_Page_SetLineWidth(page_, width);
    HPDF_Page_SetGrayStroke(page_, gray);
    HPDF_Page_MoveTo(page_, kMargin, y_);
    HPDF_Page_LineTo(page_, x_end, y_);
    HPDF_Page_Stroke(page_);
    return doc_.Check("draw a rule");
  }

  Status Heading(std::string_view text) {
    RETURN_IF_ERROR(Paragraph(bold_, 24.0f, text, kMargin, kContentWidth));
    y_ -= 4.0f;
    RETURN_IF_ERROR(Rule(3.0f, 0.0f));
    y_ -= 14.0f;
    return OkStatus();
  }

  Status Section(std::string_view text) {
    RETURN_IF_ERROR(EnsureSpace(60.0f));  // keep a heading with what follows it
    y_ -= 12.0f;
    RETURN_IF_ERROR(Paragraph(bold_, 15.0f, text, kMargin, kContentWidth));
    y_ -= 4.0f;
    return OkStatus();
  }

  // Row writes a label/value row of a summary list (the value ends at `value_end`), line by line
  // across pages, with a thin grey rule under it.
  Status Row(std::string_view label, std::string_view value, float value_end = kRight) {
    constexpr float kSize = 10.0f;
    constexpr float kLeading = 13.5f;
    ASSIGN_OR_RETURN(std::vector<std::string> labels, Wrap(bold_, kSize, label, kLabelWidth));
    ASSIGN_OR_RETURN(std::vector<std::string> values, Wrap(regular_, kSize, value, value_end - kValueX));
    RETURN_IF_ERROR(EnsureSpace(kLeading + 12.0f));
    y_ -= 5.0f;
    for (size_t i = 0; i < std::max(labels.size(), values.size()); ++i) {
      RETURN_IF_ERROR(EnsureSpace(kLeading));
      if (i < labels.size()) RETURN_IF_ERROR(Text(bold_, kSize, kMargin, y_ - kSize, labels[i]));
      if (i < values.size()) RETURN_IF_ERROR(Text(regular_, kSize, kValueX, y_ - kSize, values[i]));
      y_ -= kLeading;
    }
    y_ -= 3.0f;
    RETURN_IF_ERROR(Rule(0.5f, 0.7f, value_end));
    return OkStatus();
  }

  // Monospace writes ASCII `text` in `font` broken into lines of equal length.
  Status Monospace(std::string_view text, float size) {
    const float leading = size * 1.3f;
    ASSIGN_OR_RETURN(float advance, CharWidth(mono_, U'0'));
    const auto per_line = static_cast<size_t>(kContentWidth * 1000.0f / size / advance);
    for (size_t start = 0; start < text.size(); start += per_line) {
      RETURN_IF_ERROR(EnsureSpace(leading));
      RETURN_IF_ERROR(Text(mono_, size, kMargin, y_ - size, std::string(text.substr(start, per_line))));
      y_ -= leading;
    }
    return OkStatus();
  }

  Status Image(HPDF_Image image, float x, float top, float box_width, float box_height) {
    const float w = static_cast<float>(HPDF_Image_GetWidth(image));
    const float h = static_cast<float>(HPDF_Image_GetHeight(image));
    RETURN_IF_ERROR(doc_.Check("read the portrait size", w > 0 && h > 0));
    const float scale = std::min(box_width / w, box_height / h);
    const float dw = w * scale;
    const float dh = h * scale;
    HPDF_Page_DrawImage(page_, image, x + (box_width - dw) / 2, top - dh, dw, dh);
    return doc_.Check("draw the portrait");
  }

 private:
  Result<float> CharWidth(Font& font, char32_t cp) {
    auto it = font.widths.find(cp);
    if (it != font.widths.end()) return it->second;
    std::string utf8;
    AppendUtf8(utf8, cp);
    const HPDF_TextWidth tw =
        HPDF_Font_TextWidth(font.handle, reinterpret_cast<const HPDF_BYTE*>(utf8.data()),
                            static_cast<HPDF_UINT>(utf8.size()));
    RETURN_IF_ERROR(doc_.Check("measure text"));
    const auto w = static_cast<float>(tw.width);
    font.widths.emplace(cp, w);
    return w;
  }

  const HpdfDoc& doc_;
  Font regular_;
  Font bold_;
  Font mono_;
  HPDF_Page page_ = nullptr;
  std::vector<HPDF_Page> pages_;
  float y_ = kTop;
};

// Shorten cuts `text` to kMaxValueCodePoints printable code points, marking a cut.
std::string Shorten(std::string_view text, const Texts& t) {
  const std::vector<char32_t> cps = PrintableCodePoints(text);
  if (cps.size() <= kMaxValueCodePoints) return ToUtf8(cps, 0, cps.size());
  return ToUtf8(cps, 0, kMaxValueCodePoints) + t.shortened;
}

std::string CredentialText(const registry::CredentialType& type, const Texts& t) {
  const char* name = nullptr;
  if (type.type == "urn:uk:gov:digital-id:1" || type.type == "uk.gov.digital-id.1") {
    name = t.credential_digital_id;
  } else if (type.type == "uk.gov.homeoffice.evisa.1") {
    name = t.credential_evisa;
  } else if (type.type == "org.iso.18013.5.1.mDL") {
    name = t.credential_mdl;
  } else if (type.type == "DigitalVeteranCard") {
    name = t.credential_veteran_card;
  } else if (type.type == "BasicDisclosureCredential") {
    name = t.credential_dbs;
  }
  std::string raw = type.format + ", " + type.type;
  return name == nullptr ? raw : std::string(name) + " (" + raw + ")";
}

Status ValidateJwt(std::string_view jwt) {
  if (jwt.empty()) return Error(StatusCode::kInvalidArgument, "the check record has no JWT");
  if (jwt.size() > kMaxPdfJwtBytes) {
    return Error(StatusCode::kLimitExceeded, "the check record JWT exceeds " + std::to_string(kMaxPdfJwtBytes) +
                                                 " bytes");
  }
  for (char c : jwt) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                    c == '_' || c == '.';
    if (!ok) return Error(StatusCode::kInvalidArgument, "the check record JWT holds a character outside base64url");
  }
  return OkStatus();
}

Result<std::string> RecordDate(const std::optional<std::string>& date, std::string_view what, const Texts& t) {
  Result<std::string> text = LongDate(date.value_or(""), t);
  if (!text.ok()) return Error(StatusCode::kInvalidArgument, std::string(what) + " is not a YYYY-MM-DD date");
  return text;
}

// Content writes the pages of the record.
Status Content(Writer& w, const SignedCheckRecord& signed_record, PdfLanguage lang, const Portrait& portrait,
               const std::string& sentence) {
  const Texts& t = TextsFor(lang);
  const CheckRecord& r = signed_record.record;
  const CheckDecision& d = r.decision;

  RETURN_IF_ERROR(w.NewPage());
  RETURN_IF_ERROR(w.Heading(HeadingFor(r.check, t)));

  // The decision.
  RETURN_IF_ERROR(w.Section(t.section_decision));
  RETURN_IF_ERROR(w.Paragraph(w.bold(), 13.0f, Shorten(sentence, t), kMargin, kContentWidth));
  if (d.conditions) RETURN_IF_ERROR(w.Row(t.label_conditions, Shorten(*d.conditions, t)));
  if (d.follow_up_due) {
    ASSIGN_OR_RETURN(std::string due, RecordDate(d.follow_up_due, "follow_up_due", t));
    RETURN_IF_ERROR(w.Row(t.label_follow_up, due));
  }
  if (!d.reasons.empty()) {
    std::string reasons;
    for (const std::string& reason : d.reasons) {
      if (!reasons.empty()) reasons += "; ";
      reasons += reason.substr(0, kMaxRenderedBytes);
      if (reasons.size() > kMaxRenderedBytes) break;
    }
    RETURN_IF_ERROR(w.Row(t.label_reasons, Shorten(reasons, t)));
  }

  // The person.
  RETURN_IF_ERROR(w.Section(t.section_person));
  float value_end = kRight;
  float photo_bottom = 0;
  HPDF_Page photo_page = nullptr;
  if (portrait.image != nullptr) {
    RETURN_IF_ERROR(w.EnsureSpace(kPhotoHeight + 8.0f));
    const float top = w.y() - 5.0f;
    RETURN_IF_ERROR(w.Image(portrait.image, kRight - kPhotoWidth, top, kPhotoWidth, kPhotoHeight));
    value_end = kRight - kPhotoWidth - 12.0f;
    photo_bottom = top - kPhotoHeight;
    photo_page = w.page();
  } else if (portrait.note != nullptr) {
    std::string_view note = portrait.note;
    const char* text = note == "not_image" ? t.photo_not_image : note == "too_large" ? t.photo_too_large
                                                                                      : t.photo_unreadable;
    RETURN_IF_ERROR(w.Paragraph(w.regular(), 10.0f, text, kMargin, kContentWidth));
  }
  std::vector<std::string> keys;
  for (std::string_view key : kFactOrder) {
    if (Find(d.facts, key) != nullptr) keys.emplace_back(key);
  }
  if (d.facts.is_object()) {
    for (const auto& [key, value] : d.facts.items()) {
      if (IsImageKey(key) || std::find(keys.begin(), keys.end(), key) != keys.end()) continue;
      keys.push_back(key);
    }
  }
  for (const std::string& key : keys) {
    if (IsImageKey(key)) continue;
    const char* label = FactLabel(key, r.check, t);
    std::string value;
    RenderValue(*Find(d.facts, key), t, 0, value);
    RETURN_IF_ERROR(w.Row(label != nullptr ? std::string_view(label) : std::string_view(key).substr(0, 200),
                          Shorten(value, t), w.page() == photo_page ? value_end : kRight));
  }
  if (photo_page != nullptr && w.page() == photo_page && w.y() > photo_bottom) w.set_y(photo_bottom - 4.0f);

  // The check.
  RETURN_IF_ERROR(w.Section(t.section_check));
  RETURN_IF_ERROR(w.Row(t.label_checked_by, Shorten(r.checker_name, t)));
  RETURN_IF_ERROR(w.Row(t.label_client_id, Shorten(r.checker_client_id, t)));
  Result<std::string> checked_at = cbor::FormatTDate(r.checked_at);
  if (!checked_at.ok() || r.checked_at < 0) {
    return Error(StatusCode::kInvalidArgument, "checked_at is outside years 1970-9999");
  }
  ASSIGN_OR_RETURN(std::string check_day,
                   RecordDate(checked_at->substr(0, 10), "checked_at", t));
  RETURN_IF_ERROR(w.Row(t.label_checked_at,
                        check_day + " " + t.at + " " + checked_at->substr(11, 8) + " UTC"));
  RETURN_IF_ERROR(w.Row(t.label_credential, Shorten(CredentialText(r.credential_type, t), t)));
  RETURN_IF_ERROR(w.Row(t.label_issuer, Shorten(r.issuer, t)));
  std::string age = t.status_none;
  if (r.status_age_seconds) {
    char text[64];
    std::snprintf(text, sizeof text, t.second_many, static_cast<long long>(*r.status_age_seconds));
    age = *r.status_age_seconds == 1 ? t.second_one : text;
  }
  RETURN_IF_ERROR(w.Row(t.label_status_age, age));
  const std::string& rule = r.retention.rule;
  const char* rule_text = rule == kRetentionEmploymentPlus2Years ? t.retention_employment
                          : rule == kRetentionTenancyPlus1Year   ? t.retention_tenancy
                          : rule == kRetentionNoStatutoryPeriod  ? t.retention_none
                                                                 : nullptr;
  RETURN_IF_ERROR(w.Row(t.label_retention, rule_text != nullptr ? std::string(rule_text) : Shorten(rule, t)));
  if (r.retention.retain_until) {
    ASSIGN_OR_RETURN(std::string until, RecordDate(r.retention.retain_until, "retain_until", t));
    if (rule == kRetentionEmploymentPlus2Years) until += ". " + std::string(t.retain_note_employment);
    if (rule == kRetentionTenancyPlus1Year) until += ". " + std::string(t.retain_note_tenancy);
    RETURN_IF_ERROR(w.Row(t.label_retain_until, until));
  }
  RETURN_IF_ERROR(w.Row(t.label_session, Shorten(r.session_id, t)));

  // The signed record.
  RETURN_IF_ERROR(w.Section(t.section_signed));
  RETURN_IF_ERROR(w.Paragraph(w.regular(), 10.0f, t.signed_intro, kMargin, kContentWidth));
  w.set_y(w.y() - 6.0f);
  RETURN_IF_ERROR(w.Monospace(signed_record.jwt, 6.0f));
  w.set_y(w.y() - 8.0f);
  RETURN_IF_ERROR(w.Paragraph(w.bold(), 10.0f, t.label_sha256, kMargin, kContentWidth));
  const std::string digest = HexEncode(crypto::Sha256(AsBytes(signed_record.jwt)));
  RETURN_IF_ERROR(w.Monospace(digest, 9.0f));

  // Footers.
  const int count = static_cast<int>(w.pages().size());
  for (int i = 0; i < count; ++i) {
    char text[96];
    std::snprintf(text, sizeof text, t.page, i + 1, count);
    const std::string footer = text;
    const std::vector<char32_t> cps = PrintableCodePoints(footer);
    ASSIGN_OR_RETURN(float width, w.Width(w.regular(), cps, 0, cps.size()));
    HPDF_Page page = w.pages()[static_cast<size_t>(i)];
    HPDF_Page_BeginText(page);
    HPDF_Page_SetFontAndSize(page, w.regular().handle, 8.0f);
    HPDF_Page_TextOut(page, kRight - width * 8.0f, kMargin - 20.0f, footer.c_str());
    HPDF_Page_TextOut(page, kMargin, kMargin - 20.0f, HeadingFor(r.check, t));
    HPDF_Page_EndText(page);
  }
  return OkStatus();
}

}  // namespace

Result<std::string> FormatRecordDate(std::string_view date, PdfLanguage lang) {
  return LongDate(date, TextsFor(lang));
}

Result<std::string> DecisionSentence(const CheckDecision& decision, PdfLanguage lang) {
  const Texts& t = TextsFor(lang);
  const std::string& check = decision.check;
  const std::string& outcome = decision.outcome;
  if (registry::FindPurpose(check) == nullptr) {
    return Error(StatusCode::kNotFound, "unknown check \"" + check + "\"");
  }
  auto bad_outcome = [&]() {
    return Error(StatusCode::kInvalidArgument, "\"" + outcome + "\" is not an outcome of " + check);
  };
  if (check == "right_to_work" || check == "right_to_rent") {
    const bool work = check == "right_to_work";
    if (outcome == kOutcomeUnrestricted) return std::string(work ? t.work_unrestricted : t.rent_unrestricted);
    if (outcome == kOutcomeNotPermitted) return std::string(work ? t.work_not : t.rent_not);
    if (outcome == kOutcomePermittedUntil) {
      ASSIGN_OR_RETURN(std::string until, RecordDate(decision.until, "until", t));
      return std::string(work ? t.work_until : t.rent_until) + until;
    }
    return bad_outcome();
  }
  if (check == "age_over_18") {
    if (outcome == kOutcomePass) return std::string(t.age_pass);
    if (outcome == kOutcomeFail) return std::string(t.age_fail);
    return bad_outcome();
  }
  if (check == "veteran_status") {
    if (outcome == kOutcomeVeteran) return std::string(t.veteran);
    if (outcome == kOutcomeNotVeteran) return std::string(t.not_veteran);
    return bad_outcome();
  }
  if (check == "driving_entitlement") {
    if (outcome == kOutcomeNotEntitled) return std::string(t.not_entitled);
    if (outcome == kOutcomeEntitled) {
      std::string codes = CategoryCodes(decision.facts);
      return codes.empty() ? std::string(t.entitled) : std::string(t.entitled_categories) + codes;
    }
    return bad_outcome();
  }
  if (check == "dbs_basic") {
    if (outcome != kOutcomeReported) return bad_outcome();
    const Json* result = Find(decision.facts, "outcome");
    if (result == nullptr || !result->is_string() || result->get_ref<const std::string&>().empty()) {
      return std::string(t.dbs_shown);
    }
    return std::string(t.dbs_result) + result->get_ref<const std::string&>();
  }
  return Error(StatusCode::kNotFound, "no decision sentence for check \"" + check + "\"");
}

const std::vector<std::string>& DefaultPdfFontDirs() {
  static const std::vector<std::string> dirs = {
      "/usr/share/fonts/truetype/dejavu",  // Debian, Ubuntu (fonts-dejavu-core)
      "/usr/share/fonts/dejavu",           // Fedora, Alpine
      "/usr/share/fonts/TTF",              // Arch
      "/usr/local/share/fonts/dejavu",
      "/usr/local/share/fonts",
  };
  return dirs;
}

Result<PdfFontFiles> FindPdfFonts(const std::vector<std::string>& dirs) {
  auto find = [&](std::string_view file) -> Result<std::string> {
    for (const std::string& dir : dirs) {
      std::error_code ec;
      std::filesystem::path path = std::filesystem::path(dir) / file;
      if (std::filesystem::is_regular_file(path, ec)) return path.string();
    }
    return Error(StatusCode::kNotFound,
                 "font " + std::string(file) + " not found in the font directories (install fonts-dejavu-core)");
  };
  PdfFontFiles fonts;
  ASSIGN_OR_RETURN(fonts.regular, find("DejaVuSans.ttf"));
  ASSIGN_OR_RETURN(fonts.bold, find("DejaVuSans-Bold.ttf"));
  ASSIGN_OR_RETURN(fonts.mono, find("DejaVuSansMono.ttf"));
  return fonts;
}

Result<std::string> RenderCheckRecordPdf(const SignedCheckRecord& record, PdfLanguage lang) {
  ASSIGN_OR_RETURN(PdfFontFiles fonts, FindPdfFonts());
  return RenderCheckRecordPdf(record, lang, fonts);
}

Result<std::string> RenderCheckRecordPdf(const SignedCheckRecord& record, PdfLanguage lang,
                                         const PdfFontFiles& fonts) {
  const CheckRecord& r = record.record;
  if (r.check != r.decision.check) {
    return Error(StatusCode::kInvalidArgument, "the record's check differs from its decision's check");
  }
  ASSIGN_OR_RETURN(std::string sentence, DecisionSentence(r.decision, lang));
  RETURN_IF_ERROR(ValidateJwt(record.jwt));
  if (HeadingFor(r.check, TextsFor(lang)) == nullptr) {
    return Error(StatusCode::kNotFound, "no heading for check \"" + r.check + "\"");
  }

  HpdfDoc doc;
  RETURN_IF_ERROR(doc.Check("create a document"));
  // Compression is set before anything is loaded so that font, image and page streams all use it.
  HPDF_SetCompressionMode(doc.get(), HPDF_COMP_ALL);
  HPDF_UseUTFEncodings(doc.get());
  RETURN_IF_ERROR(doc.Check("enable compression and the UTF-8 encoder"));
  ASSIGN_OR_RETURN(HPDF_Font regular, LoadFont(doc, fonts.regular));
  ASSIGN_OR_RETURN(HPDF_Font bold, LoadFont(doc, fonts.bold));
  ASSIGN_OR_RETURN(HPDF_Font mono, LoadFont(doc, fonts.mono));
  // The heading is ASCII in both languages, so it can go into the Info dictionary as it is.
  HPDF_SetInfoAttr(doc.get(), HPDF_INFO_TITLE, HeadingFor(r.check, TextsFor(lang)));
  HPDF_SetInfoAttr(doc.get(), HPDF_INFO_CREATOR, "bonafide verifier");
  RETURN_IF_ERROR(doc.Check("set the document information"));
  ASSIGN_OR_RETURN(Portrait portrait, LoadPortrait(doc, r.decision.facts));

  Writer writer(doc, Font{.handle = regular}, Font{.handle = bold}, Font{.handle = mono});
  RETURN_IF_ERROR(Content(writer, record, lang, portrait, sentence));

  RETURN_IF_ERROR(doc.Check("save the document", HPDF_SaveToStream(doc.get()) == HPDF_OK));
  const HPDF_UINT32 size = HPDF_GetStreamSize(doc.get());
  std::string out(size, '\0');
  HPDF_UINT32 read = size;
  const HPDF_STATUS status = HPDF_ReadFromStream(doc.get(), reinterpret_cast<HPDF_BYTE*>(out.data()), &read);
  if ((status != HPDF_OK && status != HPDF_STREAM_EOF) || read != size) {
    return doc.Check("read the saved document", false);
  }
  return out;
}

}  // namespace bonafide::verifier
