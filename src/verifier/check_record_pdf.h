// verifier/check_record_pdf.h: a check record (verifier/check_record.h) rendered as a PDF for the
// employer portal (issue 6): the paper evidence a checker downloads and keeps.
//
// Layout (A4, GOV.UK-style plain layout: black text, a thick rule under the heading, no crown):
// the heading of the check ("Right to work check record", ...), the decision in words
// (DecisionSentence), conditions, follow-up date and reasons; the person's facts as a label/value
// list with dates written out ("31 January 2029") and the portrait or photo (JPEG or PNG, chosen by
// magic bytes, about 35 x 45 mm); who checked, when (UTC), the credential type and issuer, the age
// of the status list data, the retention rule and earliest deletion date, the session id; and at the
// end the signed record itself (the JWT in a small monospace font) and its SHA-256 in hex, so the
// paper copy can be matched with the signed record. English or Welsh (every fixed label and sentence
// is translated; facts and reasons are printed as they are in the record). A long JWT runs onto
// further pages (a record carrying a portrait of tens of kilobytes takes two to four pages more).
//
// Untrusted text. Every string printed comes from the record and is made printable first: invalid
// UTF-8 is replaced by U+FFFD, one per maximal subpart of an ill-formed sequence (Unicode 15.0
// section 3.9: bad bytes, truncated sequences, overlong forms, surrogates); control characters (tab,
// CR and LF become spaces), U+FFFE/U+FFFF and characters outside the Basic Multilingual Plane
// (libharu's UTF-8 encoder drops them) become U+FFFD too. Invalid UTF-8 is replaced rather than refused because the record is already
// signed evidence: a paper copy must still be possible, and the exact bytes remain in the JWT
// printed at the end. A fact value is shown up to 1000 characters and then marked as shortened (the
// full value is in the JWT). A portrait that is neither JPEG nor PNG, does not decode, or is larger
// than 2048 x 2048 pixels (or 8 MiB) is left out with a note line instead; that is not an error.
//
// Implementation notes (libharu 2.3.0, Debian's libhpdf-dev): fonts are DejaVu Sans, DejaVu Sans
// Bold and DejaVu Sans Mono (fonts-dejavu-core) embedded as Type0/CIDFontType2 fonts through
// libharu's "UTF-8" encoder. libharu 2.3.0 writes that font's /ToUnicode as a copy of its encoding
// CMap (a `begincidrange` CMap, which is not valid in a ToUnicode CMap; poppler warns and falls back
// to the font's own cmap table); this file replaces it with a correct identity bfrange CMap (the
// encoder writes each character as its 2-byte UCS-2 code), so text extraction (pdftotext, copy and
// paste, screen readers) does not depend on that fallback. libharu's PNG loader aborts the process
// on a corrupt PNG (its libpng error callback returns, and libpng then calls abort()), so PNGs are
// decoded here with libpng's simplified API (which reports errors by return value) and handed to
// libharu as raw RGB; JPEGs are checked here (markers, SOF0/1/2, 8-bit, 1/3/4 components, EOI)
// and loaded in a scratch document before they touch the real one. libharu's errors come through
// its error handler; each is returned as kInternal with libharu's error and detail numbers.
//
// Thread safety: each call builds its own libharu document and reads only immutable tables; calls
// may run concurrently.
#ifndef BONAFIDE_VERIFIER_CHECK_RECORD_PDF_H_
#define BONAFIDE_VERIFIER_CHECK_RECORD_PDF_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "verifier/check_record.h"
#include "verifier/checks.h"

namespace bonafide::verifier {

// PdfLanguage is the language of a check record PDF's fixed labels and sentences.
enum class PdfLanguage { kEnglish, kWelsh };

// kMaxPdfJwtBytes bounds the JWT a check record PDF prints (kLimitExceeded above it).
inline constexpr size_t kMaxPdfJwtBytes = 256 * 1024;
// kMaxPdfPages bounds the pages of a check record PDF (kLimitExceeded above it).
inline constexpr int kMaxPdfPages = 100;

// FormatRecordDate returns the full-date `date` ("YYYY-MM-DD") written out: "31 January 2029",
// in Welsh "31 Ionawr 2029". kInvalidArgument when `date` is not a valid full-date.
Result<std::string> FormatRecordDate(std::string_view date, PdfLanguage lang);

// DecisionSentence returns the decision of `decision` in words, e.g. "Permitted to work without time
// limit", "Permitted to work until 31 January 2029", "Not permitted to work", "Aged 18 or over",
// "Entitled to drive vehicles in categories B, C1" (categories from facts.categories), "Basic DBS
// certificate shown. Result: ..." (from facts.outcome). Fact text is returned as it is (not
// escaped or sanitised). kNotFound for an unknown check; kInvalidArgument for an outcome that is not
// one of the check's (checks.h), or a permitted_until decision without a valid `until` date.
Result<std::string> DecisionSentence(const CheckDecision& decision, PdfLanguage lang);

// PdfFontFiles names the TrueType files a check record PDF embeds.
struct PdfFontFiles {
  std::string regular{};  // DejaVuSans.ttf
  std::string bold{};     // DejaVuSans-Bold.ttf
  std::string mono{};     // DejaVuSansMono.ttf
};

// DefaultPdfFontDirs returns the directories searched for the DejaVu fonts, Debian's
// /usr/share/fonts/truetype/dejavu first.
const std::vector<std::string>& DefaultPdfFontDirs();

// FindPdfFonts returns the DejaVu font files found in the first of `dirs` holding each.
// kNotFound naming the missing file (install Debian's fonts-dejavu-core) when one is in none of them.
Result<PdfFontFiles> FindPdfFonts(const std::vector<std::string>& dirs = DefaultPdfFontDirs());

// RenderCheckRecordPdf returns the bytes of the PDF of `record` in `lang`, with the fonts of
// FindPdfFonts() (its kNotFound when they are missing). kInvalidArgument when record.check differs
// from record.decision.check, the JWT is empty or holds a character outside base64url and '.', or
// a date of the record (checked_at, until, follow_up_due, retain_until) is invalid; the errors of
// DecisionSentence; kLimitExceeded for a JWT over kMaxPdfJwtBytes or more than kMaxPdfPages
// pages; kInternal (with libharu's error and detail numbers) when libharu fails.
Result<std::string> RenderCheckRecordPdf(const SignedCheckRecord& record, PdfLanguage lang);

// RenderCheckRecordPdf renders with the given font files: as above, plus kNotFound when a file does
// not exist and kInternal when libharu cannot load it.
Result<std::string> RenderCheckRecordPdf(const SignedCheckRecord& record, PdfLanguage lang,
                                         const PdfFontFiles& fonts);

}  // namespace bonafide::verifier

#endif  // BONAFIDE_VERIFIER_CHECK_RECORD_PDF_H_
