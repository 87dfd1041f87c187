// issuer/console.cc: see console.h. The page handlers follow verifier/portal.cc: one Console
// object shared by the routes, a Page per request (language, browser session, officer), Render()
// for the layout, Message() for the one-paragraph pages.
#include "issuer/console.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "base/encoding.h"
#include "base/json.h"
#include "issuer/csv.h"
#include "oid4vci/metadata.h"
#include "qr/qr.h"
#include "store/store.h"
#include "web/assets.h"
#include "web/front_end.h"
#include "web/govuk.h"
#include "web/html.h"
#include "web/i18n.h"
#include "web/page.h"
#include "web/password.h"
#include "web/session.h"

namespace bonafide::issuer {

namespace {

using web::Format;
using web::Html;
using web::Lang;
namespace govuk = web::govuk;

constexpr size_t kPageSize = 25;
// kSearchScanLimit bounds how many citizen records one name search reads.
constexpr size_t kSearchScanLimit = 5000;
// kMaxJobs bounds the import jobs kept in memory (finished ones are dropped oldest first).
constexpr size_t kMaxJobs = 32;
// Session values of the last offer made in this browser session.
constexpr char kOfferId[] = "offer.id";
constexpr char kOfferUri[] = "offer.uri";
constexpr char kOfferTxCode[] = "offer.tx_code";
constexpr char kOfferCitizen[] = "offer.citizen";
constexpr char kOfferConfig[] = "offer.config";
constexpr char kOfferExpires[] = "offer.expires";
constexpr char kFlash[] = "flash";
constexpr char kFlashError[] = "flash_error";

// The console's words. Status names "status.<name>", actions "action.<verb>", flash messages
// "done.<verb>".
constexpr web::Message kMessages[] = {
    {"service", "Issue digital credentials", "Cyhoeddi manylion adnabod digidol"},
    {"nav.citizens", "Citizens", "Dinasyddion"},
    {"nav.add", "Add a citizen", "Ychwanegu dinesydd"},
    {"nav.import", "Import citizens", "Mewnforio dinasyddion"},
    {"nav.audit", "Audit log", "Log archwilio"},
    {"sign_in.title", "Sign in to the issuer console", "Mewngofnodi i gonsol y cyhoeddwr"},
    {"citizens.title", "Find a citizen", "Dod o hyd i ddinesydd"},
    {"citizens.search", "Citizen ID or name", "ID neu enw'r dinesydd"},
    {"citizens.search_hint", "For example, demo-0001 or Morrison", "Er enghraifft, demo-0001 neu Morrison"},
    {"citizens.button", "Search", "Chwilio"},
    {"citizens.results", "Citizens", "Dinasyddion"},
    {"citizens.none", "No citizens match your search.", "Nid oes unrhyw ddinasyddion yn cyfateb i'ch chwiliad."},
    {"citizens.empty", "There are no citizens yet.", "Nid oes unrhyw ddinasyddion eto."},
    {"citizens.count", "Citizens held", "Dinasyddion a gedwir"},
    {"citizens.id", "Citizen ID", "ID y dinesydd"},
    {"citizens.name", "Name", "Enw"},
    {"citizens.updated", "Last updated", "Diweddarwyd ddiwethaf"},
    {"citizens.view", "View", "Gweld"},
    {"citizens.next", "Next page", "Tudalen nesaf"},
    {"citizens.first", "First page", "Tudalen gyntaf"},
    {"add.title", "Add a citizen", "Ychwanegu dinesydd"},
    {"add.id", "Citizen ID", "ID y dinesydd"},
    {"add.id_hint", "Letters, numbers, dots, dashes and underscores, for example ABC-123456",
     "Llythrennau, rhifau, dotiau, llinellau toriad a thanlinellau, er enghraifft ABC-123456"},
    {"add.claims", "Claims for each credential (JSON)", "Hawliadau ar gyfer pob manylyn adnabod (JSON)"},
    {"add.claims_hint",
     "An object whose members are credential configuration IDs, each holding that credential's claims, "
     "as in docs/credentials.md",
     "Gwrthrych y mae ei aelodau yn IDau ffurfweddiadau manylion adnabod, pob un yn dal hawliadau'r manylyn "
     "adnabod hwnnw, fel yn docs/credentials.md"},
    {"add.button", "Add the citizen", "Ychwanegu'r dinesydd"},
    {"add.missing_id", "Enter the citizen ID", "Rhowch ID y dinesydd"},
    {"add.bad_id", "Citizen ID must be 1 to 64 letters, numbers, dots, dashes or underscores",
     "Rhaid i ID y dinesydd fod yn 1 i 64 o lythrennau, rhifau, dotiau, llinellau toriad neu danlinellau"},
    {"add.exists", "A citizen with this ID already exists", "Mae dinesydd gyda'r ID hwn yn bodoli eisoes"},
    {"add.missing_claims", "Enter the claims as JSON", "Rhowch yr hawliadau fel JSON"},
    {"add.bad_claims", "Claims must be a JSON object of objects, one for each credential configuration",
     "Rhaid i'r hawliadau fod yn wrthrych JSON o wrthrychau, un ar gyfer pob ffurfweddiad"},
    {"add.unknown_config", "Claims name a credential configuration this issuer does not have",
     "Mae'r hawliadau'n enwi ffurfweddiad nad oes gan y cyhoeddwr hwn"},
    {"done.added", "Citizen added", "Dinesydd wedi'i ychwanegu"},
    {"citizen.caption", "Citizen", "Dinesydd"},
    {"citizen.created", "Added", "Ychwanegwyd"},
    {"citizen.credentials", "Credentials this citizen can be issued", "Manylion adnabod y gellir eu cyhoeddi i'r dinesydd hwn"},
    {"citizen.issued", "Credentials issued", "Manylion adnabod a gyhoeddwyd"},
    {"citizen.none_issued", "Nothing has been issued to this citizen yet.", "Nid oes dim wedi'i gyhoeddi i'r dinesydd hwn eto."},
    {"citizen.issue", "Issue a credential", "Cyhoeddi manylyn adnabod"},
    {"issued.credential", "Credential", "Manylyn adnabod"},
    {"issued.format", "Format", "Fformat"},
    {"issued.issued", "Issued", "Cyhoeddwyd"},
    {"issued.expires", "Expires", "Yn dod i ben"},
    {"issued.status", "Status", "Statws"},
    {"issued.actions", "Actions", "Camau gweithredu"},
    {"issued.copy", "copy in the wallet", "copi yn y waled"},
    {"issued.copies", "copies in the wallet", "copi yn y waled"},
    {"status.valid", "Valid", "Dilys"},
    {"status.revoked", "Revoked", "Wedi'i ddirymu"},
    {"status.suspended", "Suspended", "Wedi'i atal"},
    {"action.revoke", "Revoke", "Dirymu"},
    {"action.suspend", "Suspend", "Atal"},
    {"action.reinstate", "Reinstate", "Adfer"},
    {"done.revoke", "Credential revoked", "Manylyn adnabod wedi'i ddirymu"},
    {"done.suspend", "Credential suspended", "Manylyn adnabod wedi'i atal"},
    {"done.reinstate", "Credential reinstated", "Manylyn adnabod wedi'i adfer"},
    {"failed.status", "The status could not be changed", "Nid oedd modd newid y statws"},
    {"failed.suspend_bitstring", "This credential's status list records revocation only: it cannot be suspended.",
     "Mae rhestr statws y manylyn adnabod hwn yn cofnodi dirymu yn unig: ni ellir ei atal."},
    {"issue.title", "Which credential do you want to issue?", "Pa fanylyn adnabod ydych chi am ei gyhoeddi?"},
    {"issue.hint", "The citizen's record must hold the claims of the credential.",
     "Rhaid i gofnod y dinesydd ddal hawliadau'r manylyn adnabod."},
    {"issue.no_claims", "no claims held for this citizen", "dim hawliadau ar gyfer y dinesydd hwn"},
    {"issue.tx", "Require a transaction code?", "Angen cod trafodiad?"},
    {"issue.tx_hint", "The citizen types the code into their wallet. Give it to them separately from the QR code.",
     "Mae'r dinesydd yn teipio'r cod i'w waled. Rhowch ef iddynt ar wahân i'r cod QR."},
    {"issue.tx_yes", "Yes", "Oes"},
    {"issue.tx_no", "No", "Nac oes"},
    {"issue.button", "Create the offer", "Creu'r cynnig"},
    {"issue.missing", "Select the credential to issue", "Dewiswch y manylyn adnabod i'w gyhoeddi"},
    {"issue.no_claims_error", "The citizen's record holds no claims for that credential: add them first",
     "Nid yw cofnod y dinesydd yn dal hawliadau ar gyfer y manylyn adnabod hwnnw: ychwanegwch nhw yn gyntaf"},
    {"issue.missing_tx", "Select whether a transaction code is required", "Dewiswch a oes angen cod trafodiad"},
    {"offer.title", "Credential offer created", "Cynnig manylyn adnabod wedi'i greu"},
    {"offer.tx_code", "Transaction code", "Cod trafodiad"},
    {"offer.tx_once",
     "This code is shown only once. Give it to the citizen now, separately from the QR code.",
     "Dim ond unwaith y dangosir y cod hwn. Rhowch ef i'r dinesydd nawr, ar wahân i'r cod QR."},
    {"offer.tx_gone",
     "The transaction code was shown once and cannot be shown again. If the citizen does not have it, make a new offer.",
     "Dangoswyd y cod trafodiad unwaith ac ni ellir ei ddangos eto. Os nad yw gan y dinesydd, gwnewch gynnig newydd."},
    {"offer.scan", "Ask the citizen to scan this code with their wallet app",
     "Gofynnwch i'r dinesydd sganio'r cod hwn gyda'u ap waled"},
    {"offer.qr_alt", "QR code of the credential offer for the citizen's wallet app",
     "Cod QR y cynnig manylyn adnabod ar gyfer ap waled y dinesydd"},
    {"offer.link", "Or send the citizen this offer link:", "Neu anfonwch y ddolen gynnig hon at y dinesydd:"},
    {"offer.open", "Open in a wallet on this device", "Agor mewn waled ar y ddyfais hon"},
    {"offer.copy", "Copy the link", "Copïo'r ddolen"},
    {"offer.expires", "The offer expires", "Mae'r cynnig yn dod i ben"},
    {"offer.qr_error", "The offer is too long for a QR code: send the link instead.",
     "Mae'r cynnig yn rhy hir ar gyfer cod QR: anfonwch y ddolen yn lle hynny."},
    {"offer.back", "Back to the citizen", "Yn ôl at y dinesydd"},
    {"import.title", "Import citizens from CSV", "Mewnforio dinasyddion o CSV"},
    {"import.csv", "CSV", "CSV"},
    {"import.hint",
     "Paste the CSV here, up to about 50 KB. The first line is the header: id, then one column for each claim "
     "(configuration:path[:type]), as in docs/credentials.md.",
     "Gludwch y CSV yma, hyd at tua 50 KB. Y llinell gyntaf yw'r pennawd: id, yna un golofn ar gyfer pob hawliad "
     "(ffurfweddiad:llwybr[:math]), fel yn docs/credentials.md."},
    {"import.button", "Import", "Mewnforio"},
    {"import.missing", "Paste the CSV to import", "Gludwch y CSV i'w fewnforio"},
    {"import.bad_header", "The first line is not a valid header", "Nid yw'r llinell gyntaf yn bennawd dilys"},
    {"import.too_long", "The CSV is too long for one paste: split it into parts of up to about 50 KB",
     "Mae'r CSV yn rhy hir i'w ludo mewn un tro: rhannwch ef yn rhannau o hyd at tua 50 KB"},
    {"import.no_rows", "The CSV has a header but no rows", "Mae gan y CSV bennawd ond dim rhesi"},
    {"import.progress", "Importing citizens", "Yn mewnforio dinasyddion"},
    {"import.of", "of", "o"},
    {"import.rows_done", "rows done", "rhes wedi'u prosesu"},
    {"import.again", "Check progress again", "Gwirio'r cynnydd eto"},
    {"import.done", "Import complete", "Mewnforio wedi'i gwblhau"},
    {"import.failed", "The import stopped", "Daeth y mewnforio i ben"},
    {"import.imported", "Citizens imported", "Dinasyddion a fewnforiwyd"},
    {"import.rows", "Rows read", "Rhesi a ddarllenwyd"},
    {"import.bad", "Rows not imported", "Rhesi na chawsant eu mewnforio"},
    {"import.line", "Line", "Llinell"},
    {"import.problem", "Problem", "Problem"},
    {"import.another", "Import more citizens", "Mewnforio rhagor o ddinasyddion"},
    {"audit.title", "Audit log", "Log archwilio"},
    {"audit.intro", "Every change made through the console or the admin API, newest first.",
     "Pob newid a wnaed drwy'r consol neu'r API gweinyddu, y mwyaf diweddar yn gyntaf."},
    {"audit.empty", "The audit log is empty.", "Mae'r log archwilio yn wag."},
    {"audit.seq", "Entry", "Cofnod"},
    {"audit.entries", "Entries", "Cofnodion"},
    {"audit.to", "to", "i"},
    {"audit.time", "Time", "Amser"},
    {"audit.actor", "By", "Gan"},
    {"audit.action", "Action", "Gweithred"},
    {"audit.details", "Details", "Manylion"},
    {"audit.newer", "Newer entries", "Cofnodion mwy newydd"},
    {"audit.older", "Older entries", "Cofnodion hŷn"},
    {"audit.verify", "Verify the audit log", "Dilysu'r log archwilio"},
    {"audit.valid", "The audit log is intact", "Mae'r log archwilio yn gyfan"},
    {"audit.valid_body", "Every entry's hash and its link to the entry before it were checked.",
     "Gwiriwyd stwnsh pob cofnod a'i gysylltiad â'r cofnod cyn hynny."},
    {"audit.invalid", "The audit log has been altered", "Mae'r log archwilio wedi'i newid"},
    {"audit.invalid_body", "Report this to your security team now. The first broken entry:",
     "Rhowch wybod i'ch tîm diogelwch nawr. Y cofnod cyntaf sydd wedi torri:"},
    {"audit.back", "Back to the audit log", "Yn ôl i'r log archwilio"},
};

const web::Catalogue& Words() {
  static const web::Catalogue catalogue = [] {
    auto made = web::Catalogue::Create(kMessages);
    return made.ok() ? std::move(*made) : web::Catalogue();
  }();
  return catalogue;
}

std::string Str(std::string_view s) { return std::string(s); }

bool IsDigits(std::string_view s) {
  return !s.empty() && s.size() <= 18 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// ValidCitizenId is the console's rule for ids typed by an officer (the CSV import and the admin
// API accept any printable id up to store::kMaxIdBytes).
bool ValidCitizenId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-' || c == '_';
  });
}

// Seg returns `text` percent-encoded for one path segment or query value (RFC 3986 unreserved
// characters kept), so any citizen id makes a working link.
std::string Seg(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0x0F];
    }
  }
  return out;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// NameIn finds given_name / family_name in `object` or one level down (mdoc namespaces).
std::string NameIn(const Json& object) {
  auto text = [](const Json& o, std::string_view key) {
    const Json* v = Find(o, key);
    return v != nullptr && v->is_string() ? v->get<std::string>() : std::string();
  };
  std::string given = text(object, "given_name");
  std::string family = text(object, "family_name");
  if (!given.empty() || !family.empty()) return given.empty() ? family : family.empty() ? given : given + " " + family;
  for (const auto& [key, value] : object.items()) {
    if (!value.is_object()) continue;
    std::string inner = NameIn(value);
    if (!inner.empty()) return inner;
  }
  return "";
}

// CitizenName returns a display name from a citizen's record (the first configuration with
// given_name / family_name), or "".
std::string CitizenName(const store::Citizen& citizen) {
  Result<Json> record = ParseJsonObject(citizen.data_json);
  if (!record.ok()) return "";
  const Json* claims = Find(*record, "claims");
  if (claims == nullptr || !claims->is_object()) return "";
  for (const auto& [configuration, value] : claims->items()) {
    if (!value.is_object()) continue;
    std::string name = NameIn(value);
    if (!name.empty()) return name;
  }
  return "";
}

// CitizenConfigurations returns the configuration ids a citizen's record holds claims for.
std::vector<std::string> CitizenConfigurations(const store::Citizen& citizen) {
  std::vector<std::string> out;
  Result<Json> record = ParseJsonObject(citizen.data_json);
  if (!record.ok()) return out;
  const Json* claims = Find(*record, "claims");
  if (claims == nullptr || !claims->is_object()) return out;
  for (const auto& [configuration, value] : claims->items()) out.push_back(configuration);
  return out;
}

// ConfigurationName returns the display name of `id` in `lang` from the Credential Issuer
// Metadata (display in credential_metadata, or at the top of the configuration), or the id.
std::string ConfigurationName(const Json& metadata, std::string_view id, Lang lang) {
  const Json* configs = Find(metadata, "credential_configurations_supported");
  if (configs == nullptr || !configs->is_object()) return std::string(id);
  const Json* config = Find(*configs, id);
  if (config == nullptr || !config->is_object()) return std::string(id);
  const Json* display = nullptr;
  if (const Json* meta = Find(*config, "credential_metadata"); meta != nullptr && meta->is_object()) {
    display = Find(*meta, "display");
  }
  if (display == nullptr) display = Find(*config, "display");
  if (display == nullptr || !display->is_array()) return std::string(id);
  const std::string want(web::LangCode(lang));
  std::string english;
  for (const Json& d : *display) {
    if (!d.is_object()) continue;
    const Json* locale = Find(d, "locale");
    const Json* name = Find(d, "name");
    if (name == nullptr || !name->is_string()) continue;
    const std::string loc = locale != nullptr && locale->is_string() ? locale->get<std::string>() : "";
    if (loc == want || loc.starts_with(want + "-")) return name->get<std::string>();
    if (english.empty() && (loc.empty() || loc.starts_with("en"))) english = name->get<std::string>();
  }
  return english.empty() ? std::string(id) : english;
}

// ImportJob is one CSV import running on the blocking pool.
struct ImportJob {
  std::string id;
  std::string actor;
  std::vector<std::string> header;
  std::vector<CsvRecord> rows;

  mutable std::mutex mu;
  size_t processed = 0;  // guarded by mu
  size_t imported = 0;   // guarded by mu
  bool finished = false;  // guarded by mu
  std::string failure;    // guarded by mu: a store failure that stopped the job
  std::vector<std::pair<int64_t, std::string>> bad;  // guarded by mu: (line, message)
};

struct Console {
  std::function<IssuerService*()> resolve;
  ConsoleOptions options;
  http::Server* server = nullptr;
  std::shared_ptr<web::FrontEnd> fe;

  std::mutex jobs_mu;
  std::deque<std::shared_ptr<ImportJob>> jobs;  // guarded by jobs_mu, oldest first

  using Page = web::FrontEndPage;
  Page Begin(const http::Request& req) { return fe->Begin(req); }
  http::Response Render(const Page& page, int status, const std::string& title, const Html& body,
                        bool has_errors = false, std::string_view nav_current = "") {
    return fe->Render(page, status, title, body, has_errors, nav_current);
  }
  http::Response Message(const Page& page, int status, std::string_view title_key, std::string_view body_key) {
    return fe->Message(page, status, title_key, body_key);
  }
  http::Response Expired(const Page& page) { return fe->FormExpired(page); }
  http::Response Unavailable(const Page& page) { return fe->Unavailable(page); }
  http::Response NotFound(const Page& page) { return fe->NotFound(page); }
  http::Response Redirect(const Page& page, std::string_view location) { return fe->Redirect(page, location); }

  // SetFlash keeps a one-time banner for the next page of this session.
  void SetFlash(Page& page, std::string_view key, const std::string& text) {
    page.request.session.values[std::string(key)] = text;
    (void)fe->sessions().Save(page.request.session);
  }

  // TakeFlash returns the banner left by the last POST (success or error) and forgets it.
  Html TakeFlash(Page& page) {
    Html out;
    auto ok = page.request.session.Value(kFlash);
    auto bad = page.request.session.Value(kFlashError);
    if (!ok && !bad) return out;
    if (ok) {
      out += govuk::NotificationBanner(page.request.lang, *ok, Html(), true);
    }
    if (bad) {
      out += govuk::NotificationBanner(page.request.lang, *bad, Html(), false);
    }
    page.request.session.values.erase(kFlash);
    page.request.session.values.erase(kFlashError);
    (void)fe->sessions().Save(page.request.session);
    return out;
  }


  // ---------------------------------------------------------------- citizens

  http::Response GetCitizens(Page& page, const http::Request& req) {
    IssuerService* service = resolve();
    if (service == nullptr) return Unavailable(page);
    const Lang lang = page.request.lang;
    const std::string q = req.QueryParam("q").value_or("");
    const std::string after = req.QueryParam("after").value_or("");
    store::IssuerStore& st = service->store();

    std::vector<store::Citizen> found;
    bool more = false;
    if (!q.empty()) {
      // An exact id goes straight to the citizen.
      if (auto exact = st.GetCitizen(q); exact.ok()) return Redirect(page, "/console/citizens/" + Seg(exact->id));
      const std::string needle = Lower(q);
      std::string cursor;
      size_t scanned = 0;
      while (scanned < kSearchScanLimit && found.size() < kPageSize) {
        auto batch = st.ListCitizens(cursor, 500);
        if (!batch.ok()) return Unavailable(page);
        for (const store::Citizen& c : *batch) {
          if (found.size() >= kPageSize) break;
          if (Lower(c.id).starts_with(needle) || Lower(CitizenName(c)).find(needle) != std::string::npos) {
            found.push_back(c);
          }
        }
        scanned += batch->size();
        if (batch->size() < 500) break;
        cursor = batch->back().id;
      }
    } else {
      auto list = st.ListCitizens(after, kPageSize + 1);
      if (!list.ok()) return Unavailable(page);
      found = std::move(*list);
      more = found.size() > kPageSize;
      if (more) found.pop_back();
    }

    Html body = TakeFlash(page) + govuk::Heading(page.t("citizens.title"));
    body += Format("<form method=\"get\" action=\"/console/citizens\" novalidate>{}{}</form>",
                   {govuk::TextInput(lang, {.id = "q", .name = "q", .label = Str(page.t("citizens.search")),
                                            .hint = Str(page.t("citizens.search_hint")), .value = q,
                                            .spellcheck_off = true}),
                    govuk::Button(page.t("citizens.button"), govuk::ButtonKind::kSecondary)});
    if (auto count = st.CountCitizens(); count.ok() && q.empty()) {
      body += govuk::SummaryList({{Str(page.t("citizens.count")), Html::Text(std::to_string(*count))}});
    }
    if (found.empty()) {
      body += govuk::Paragraph(page.t(q.empty() ? "citizens.empty" : "citizens.none"));
    } else {
      std::vector<std::vector<Html>> rows;
      for (const store::Citizen& c : found) {
        rows.push_back({Html::Text(c.id), Html::Text(CitizenName(c)), Html::Text(web::FormatDateTime(c.updated_at, lang)),
                        Format("<a class=\"govuk-link\" href=\"{}\">{}<span class=\"govuk-visually-hidden\"> {}</span></a>",
                               {web::SafeHref("/console/citizens/" + Seg(c.id)), Html::Text(page.t("citizens.view")),
                                Html::Text(c.id)})});
      }
      body += govuk::Table(page.t("citizens.results"),
                           {Str(page.t("citizens.id")), Str(page.t("citizens.name")), Str(page.t("citizens.updated")), ""},
                           rows);
      Html pager;
      if (!after.empty()) pager += govuk::Link(page.t("citizens.first"), "/console/citizens");
      if (more) {
        if (!pager.empty()) pager += Html::Trusted(" | ");
        pager += govuk::Link(page.t("citizens.next"), "/console/citizens?after=" + Seg(found.back().id));
      }
      if (!pager.empty()) body += Format("<p class=\"govuk-body\">{}</p>", {pager});
    }
    body += govuk::ButtonLink(page.t("nav.add"), "/console/citizens/new");
    return Render(page, 200, Str(page.t("citizens.title")), body, false, "citizens");
  }

  http::Response AddForm(const Page& page, int status, const std::vector<govuk::FieldError>& errors,
                         const std::string& id, const std::string& claims) {
    const Lang lang = page.request.lang;
    Html body = govuk::ErrorSummary(lang, errors) + govuk::Heading(page.t("add.title"));
    body += Format("<form method=\"post\" action=\"/console/citizens/new\" novalidate>{}{}{}{}</form>",
                   {web::CsrfField(page.request.session),
                    govuk::TextInput(lang, {.id = "id", .name = "id", .label = Str(page.t("add.id")),
                                            .hint = Str(page.t("add.id_hint")), .value = id,
                                            .error = govuk::ErrorFor(errors, "id"), .width_class = "govuk-input--width-20",
                                            .spellcheck_off = true}),
                    govuk::Textarea(lang, {.id = "claims", .name = "claims", .label = Str(page.t("add.claims")),
                                           .hint = Str(page.t("add.claims_hint")), .value = claims,
                                           .error = govuk::ErrorFor(errors, "claims"), .rows = 12}),
                    govuk::Button(page.t("add.button"))});
    return Render(page, status, Str(page.t("add.title")), body, !errors.empty(), "add");
  }

  http::Response GetAdd(Page& page, const http::Request& /*req*/) {
    return AddForm(page, 200, {}, "", "");
  }

  http::Response PostAdd(Page& page, const http::Request& req) {
    auto form = web::ReadForm(req, page.request.session);
    if (!form.ok()) return Expired(page);
    IssuerService* service = resolve();
    if (service == nullptr) return Unavailable(page);
    const std::string id = web::Field(*form, "id");
    const std::string claims_text = web::Field(*form, "claims");
    std::vector<govuk::FieldError> errors;
    if (id.empty()) {
      errors.push_back({"id", Str(page.t("add.missing_id"))});
    } else if (!ValidCitizenId(id)) {
      errors.push_back({"id", Str(page.t("add.bad_id"))});
    } else if (service->store().GetCitizen(id).ok()) {
      errors.push_back({"id", Str(page.t("add.exists"))});
    }
    Json claims;
    if (claims_text.empty()) {
      errors.push_back({"claims", Str(page.t("add.missing_claims"))});
    } else if (auto parsed = ParseJsonObject(claims_text); !parsed.ok()) {
      errors.push_back({"claims", Str(page.t("add.bad_claims"))});
    } else {
      claims = std::move(*parsed);
      for (const auto& [configuration, value] : claims.items()) {
        if (!value.is_object()) {
          errors.push_back({"claims", Str(page.t("add.bad_claims"))});
          break;
        }
        if (!service->config().catalogue.contains(configuration)) {
          errors.push_back({"claims", Str(page.t("add.unknown_config"))});
          break;
        }
      }
    }
    if (!errors.empty()) return AddForm(page, 400, errors, id, claims_text);
    Status upserted = service->UpsertCitizen(DumpJson(Json{{"id", id}, {"claims", claims}}), page.user);
    if (!upserted.ok()) {
      if (upserted.code() == StatusCode::kIoError || upserted.code() == StatusCode::kInternal) return Unavailable(page);
      return AddForm(page, 400, {{"claims", Str(page.t("add.bad_claims"))}}, id, claims_text);
    }
    SetFlash(page, kFlash, Str(page.t("done.added")));
    return Redirect(page, "/console/citizens/" + Seg(id));
  }

  Html StatusTag(store::CredentialStatus status, const web::Translator& t) {
    switch (status) {
      case store::CredentialStatus::kValid:
        return govuk::Tag(t("status.valid"), govuk::TagColour::kGreen);
      case store::CredentialStatus::kRevoked:
        return govuk::Tag(t("status.revoked"), govuk::TagColour::kRed);
      case store::CredentialStatus::kSuspended:
        return govuk::Tag(t("status.suspended"), govuk::TagColour::kYellow);
    }
    return Html();
  }

  Html StatusButton(const Page& page, const std::string& citizen, const std::string& batch, std::string_view verb,
                    const std::string& label_context) {
    const bool warning = verb == "revoke";
    return Format(
        "<form method=\"post\" action=\"/console/citizens/{}/status\" class=\"govuk-!-display-inline-block govuk-!-margin-right-2\">"
        "{}<input type=\"hidden\" name=\"batch\" value=\"{}\"><input type=\"hidden\" name=\"action\" value=\"{}\">"
        "<button type=\"submit\" class=\"govuk-button {} govuk-!-margin-bottom-1\" data-module=\"govuk-button\">{}"
        "<span class=\"govuk-visually-hidden\"> {}</span></button></form>",
        {Html::Text(Seg(citizen)), web::CsrfField(page.request.session), Html::Text(batch), Html::Text(verb),
         Html::Trusted(warning ? "govuk-button--warning" : "govuk-button--secondary"),
         Html::Text(page.t(std::string("action.") + std::string(verb))), Html::Text(label_context)});
  }

  // Batches groups a citizen's records by batch (the copies one Credential Request issued, which
  // the wallet holds together), newest batch first.
  static std::vector<std::vector<store::IssuedCredential>> Batches(const std::vector<store::IssuedCredential>& issued) {
    std::vector<std::vector<store::IssuedCredential>> out;
    for (auto it = issued.rbegin(); it != issued.rend(); ++it) {
      auto same = std::find_if(out.begin(), out.end(), [&](const auto& b) { return b.front().batch_group_id == it->batch_group_id; });
      if (same == out.end()) {
        out.push_back({*it});
      } else {
        same->push_back(*it);
      }
    }
    return out;
  }

  http::Response GetCitizen(Page& page, const http::Request& req) {
    IssuerService* service = resolve();
    if (service == nullptr) return Unavailable(page);
    const Lang lang = page.request.lang;
    const std::string id = req.PathParam("id").value_or("");
    auto citizen = service->store().GetCitizen(id);
    if (!citizen.ok()) return citizen.status().code() == StatusCode::kNotFound ? NotFound(page) : Unavailable(page);
    auto issued = service->ListIssued(id);
    if (!issued.ok()) return Unavailable(page);
    const Json metadata = service->CredentialIssuerMetadata();
    const std::string name = CitizenName(*citizen);

    Html body = TakeFlash(page);
    body += Format("<span class=\"govuk-caption-l\">{}</span>", {Html::Text(page.t("citizen.caption"))});
    body += govuk::Heading(name.empty() ? id : name);
    Html configs;
    for (const std::string& c : CitizenConfigurations(*citizen)) {
      auto entry = service->config().catalogue.find(c);
      const std::string format =
          entry == service->config().catalogue.end() ? "" : std::string(oid4vci::CredentialFormatName(entry->second.format()));
      configs += Format("<li>{} <span class=\"govuk-body-s\">({})</span></li>",
                        {Html::Text(ConfigurationName(metadata, c, lang)), Html::Text(format.empty() ? c : format)});
    }
    body += govuk::SummaryList({{Str(page.t("citizens.id")), Html::Text(id)},
                                {Str(page.t("citizen.created")), Html::Text(web::FormatDateTime(citizen->created_at, lang))},
                                {Str(page.t("citizens.updated")), Html::Text(web::FormatDateTime(citizen->updated_at, lang))},
                                {Str(page.t("citizen.credentials")),
                                 Format("<ul class=\"govuk-list\">{}</ul>", {configs})}});
    body += govuk::ButtonLink(page.t("citizen.issue"), "/console/citizens/" + Seg(id) + "/issue");
    if (issued->empty()) {
      body += Format("<h2 class=\"govuk-heading-m\">{}</h2>", {Html::Text(page.t("citizen.issued"))});
      body += govuk::Paragraph(page.t("citizen.none_issued"));
    } else {
      std::vector<std::vector<Html>> rows;
      for (const auto& batch : Batches(*issued)) {
        const store::IssuedCredential& c = batch.front();
        const std::string config_name = ConfigurationName(metadata, c.credential_configuration_id, lang);
        const std::string context = config_name + " " + web::FormatDateTime(c.issued_at, lang);
        // The console changes a batch's copies together; a batch changed otherwise (the admin API
        // by credential id) shows its most restrictive status.
        store::CredentialStatus status = store::CredentialStatus::kValid;
        for (const auto& copy : batch) {
          if (copy.status == store::CredentialStatus::kRevoked ||
              (copy.status == store::CredentialStatus::kSuspended && status == store::CredentialStatus::kValid)) {
            status = copy.status;
          }
        }
        Html actions;
        if (status != store::CredentialStatus::kRevoked) {
          actions += StatusButton(page, id, c.batch_group_id,
                                  status == store::CredentialStatus::kSuspended ? "reinstate" : "suspend", context);
          actions += StatusButton(page, id, c.batch_group_id, "revoke", context);
        }
        rows.push_back({Format("{}<br><span class=\"govuk-body-s\">{} {}</span>",
                               {Html::Text(config_name), Html::Text(std::to_string(batch.size())),
                                Html::Text(page.t(batch.size() == 1 ? "issued.copy" : "issued.copies"))}),
                        Html::Text(c.format), Html::Text(web::FormatDateTime(c.issued_at, lang)),
                        Html::Text(web::FormatDateTime(c.expires_at, lang)), StatusTag(status, page.t), actions});
      }
      body += govuk::Table(page.t("citizen.issued"),
                           {Str(page.t("issued.credential")), Str(page.t("issued.format")), Str(page.t("issued.issued")),
                            Str(page.t("issued.expires")), Str(page.t("issued.status")), Str(page.t("issued.actions"))},
                           rows);
    }
    return Render(page, 200, name.empty() ? id : name, body, false, "citizens");
  }

  // PostStatus revokes, suspends or reinstates every copy of one of the citizen's batches, each
  // through the service (one audit entry per copy, actor: the officer).
  http::Response PostStatus(Page& page, const http::Request& req) {
    auto form = web::ReadForm(req, page.request.session);
    if (!form.ok()) return Expired(page);
    IssuerService* service = resolve();
    if (service == nullptr) return Unavailable(page);
    const std::string citizen = req.PathParam("id").value_or("");
    const std::string batch = web::Field(*form, "batch");
    const std::string verb = web::Field(*form, "action");
    if (verb != "revoke" && verb != "suspend" && verb != "reinstate") return NotFound(page);
    auto issued = service->ListIssued(citizen);
    if (!issued.ok()) return Unavailable(page);
    std::vector<std::string> copies;  // only this citizen's records can be named
    for (const store::IssuedCredential& c : *issued) {
      if (!batch.empty() && c.batch_group_id == batch) copies.push_back(c.id);
    }
    if (copies.empty()) return NotFound(page);
    Status failed;
    for (const std::string& copy : copies) {
      AdminTarget target;
      target.credential_id = copy;
      Result<std::vector<std::string>> changed =
          verb == "revoke"    ? service->Revoke(target, page.user)
          : verb == "suspend" ? service->Suspend(target, page.user)
                              : service->Reinstate(target, page.user);
      if (!changed.ok()) {
        failed = changed.status();
        break;
      }
    }
    if (!failed.ok()) {
      if (failed.code() == StatusCode::kIoError || failed.code() == StatusCode::kInternal) return Unavailable(page);
      SetFlash(page, kFlashError,
               Str(page.t(failed.code() == StatusCode::kInvalidArgument && verb == "suspend" ? "failed.suspend_bitstring"
                                                                                           : "failed.status")));
    } else {
      SetFlash(page, kFlash, Str(page.t("done." + verb)));
    }
    return Redirect(page, "/console/citizens/" + Seg(citizen));
  }

  // ---------------------------------------------------------------- offers

  http::Response IssueForm(const Page& page, int status, IssuerService& service, const store::Citizen& citizen,
                           const std::vector<govuk::FieldError>& errors, const std::string& selected,
                           const std::string& tx) {
    const Lang lang = page.request.lang;
    const Json metadata = service.CredentialIssuerMetadata();
    const std::vector<std::string> held = CitizenConfigurations(citizen);
    std::vector<govuk::RadioItem> items;
    if (const Json* configs = Find(metadata, "credential_configurations_supported"); configs != nullptr && configs->is_object()) {
      for (const auto& [id, config] : configs->items()) {
        const bool has = std::find(held.begin(), held.end(), id) != held.end();
        const Json* format = Find(config, "format");
        std::string hint = format != nullptr && format->is_string() ? format->get<std::string>() : "";
        if (!has) hint += std::string(hint.empty() ? "" : ": ") + Str(page.t("issue.no_claims"));
        items.push_back({.value = id, .label = ConfigurationName(metadata, id, lang), .hint = hint});
      }
    }
    const std::string name = CitizenName(citizen);
    Html body = govuk::ErrorSummary(lang, errors);
    body += Format(
        "<form method=\"post\" action=\"/console/citizens/{}/issue\" novalidate>{}"
        "<span class=\"govuk-caption-l\">{}</span>{}{}{}</form>",
        {Html::Text(Seg(citizen.id)), web::CsrfField(page.request.session), Html::Text(name.empty() ? citizen.id : name),
         govuk::Radios(lang, {.name = "configuration", .legend = Str(page.t("issue.title")), .legend_is_heading = true,
                              .hint = Str(page.t("issue.hint")), .items = items, .selected = selected,
                              .error = govuk::ErrorFor(errors, "configuration")}),
         govuk::Radios(lang, {.name = "tx_code", .legend = Str(page.t("issue.tx")), .hint = Str(page.t("issue.tx_hint")),
                              .items = {{.value = "yes", .label = Str(page.t("issue.tx_yes"))},
                                        {.value = "no", .label = Str(page.t("issue.tx_no"))}},
                              .selected = tx, .error = govuk::ErrorFor(errors, "tx_code")}),
         govuk::Button(page.t("issue.button"))});
    body += govuk::Link(page.t("offer.back"), "/console/citizens/" + Seg(citizen.id));
    return Render(page, status, Str(page.t("issue.title")), body, !errors.empty(), "citizens");
  }

  http::Response GetIssue(Page& page, const http::Request& req) {
    IssuerService* service = resolve();
    if (service == nullptr) return Unavailable(page);
    auto citizen = service->store().GetCitizen(req.PathParam("id").value_or(""));
    if (!citizen.ok()) return citizen.status().code() == StatusCode::kNotFound ? NotFound(page) : Unavailable(page);
    return IssueForm(page, 200, *service, *citizen, {}, "", "yes");
  }

  http::Response PostIssue(Page& page, const http::Request& req) {
    auto form = web::ReadForm(req, page.request.session);
    if (!form.ok()) return Expired(page);
    IssuerService* service = resolve();
    if (service == nullptr) return Unavailable(page);
    auto citizen = service->store().GetCitizen(req.PathParam("id").value_or(""));
    if (!citizen.ok()) return citizen.status().code() == StatusCode::kNotFound ? NotFound(page) : Unavailable(page);
    const std::string configuration = web::Field(*form, "configuration");
    const std::string tx = web::Field(*form, "tx_code");
    std::vector<govuk::FieldError> errors;
    if (!service->config().catalogue.contains(configuration)) {
      errors.push_back({"configuration", Str(page.t("issue.missing"))});
    } else if (const auto held = CitizenConfigurations(*citizen);
               std::find(held.begin(), held.end(), configuration) == held.end()) {
      // The wallet would be refused (credential_request_denied): say so now.
      errors.push_back({"configuration", Str(page.t("issue.no_claims_error"))});
    }
    if (tx != "yes" && tx != "no") errors.push_back({"tx_code", Str(page.t("issue.missing_tx"))});
    if (!errors.empty()) return IssueForm(page, 400, *service, *citizen, errors, configuration, tx);
    auto offer = service->CreateOffer(citizen->id, configuration, tx == "yes", page.user);
    if (!offer.ok()) {
      if (offer.status().code() == StatusCode::kNotFound) {
        return IssueForm(page, 400, *service, *citizen, {{"configuration", Str(page.t("issue.missing"))}}, configuration, tx);
      }
      return Unavailable(page);
    }
    // The offer (and its secrets) stay in this browser session only: the tx_code until the offer
    // page first shows it.
    auto& values = page.request.session.values;
    values[kOfferId] = offer->offer_id;
    values[kOfferUri] = offer->offer_uri;
    values[kOfferCitizen] = citizen->id;
    values[kOfferConfig] = configuration;
    values[kOfferExpires] = std::to_string(offer->expires_at);
    values.erase(std::string(kOfferTxCode) + ".shown");
    if (offer->tx_code.has_value()) {
      values[kOfferTxCode] = *offer->tx_code;
    } else {
      values.erase(kOfferTxCode);
    }
    if (!fe->sessions().Save(page.request.session).ok()) return Expired(page);
    return Redirect(page, "/console/offers/" + offer->offer_id);
  }

  http::Response GetOffer(Page& page, const http::Request& req) {
    IssuerService* service = resolve();
    if (service == nullptr) return Unavailable(page);
    const Lang lang = page.request.lang;
    const std::string id = req.PathParam("offer_id").value_or("");
    auto& values = page.request.session.values;
    if (id.empty() || page.request.session.Value(kOfferId) != id) return NotFound(page);
    const std::string uri = page.request.session.Value(kOfferUri).value_or("");
    const std::string citizen = page.request.session.Value(kOfferCitizen).value_or("");
    const std::string configuration = page.request.session.Value(kOfferConfig).value_or("");
    const std::optional<std::string> tx_code = page.request.session.Value(kOfferTxCode);
    const std::string expires = page.request.session.Value(kOfferExpires).value_or("0");
    if (tx_code.has_value()) {
      // Shown now, never again: erase it before the page goes out.
      values.erase(kOfferTxCode);
      values[std::string(kOfferTxCode) + ".shown"] = "1";
      if (!fe->sessions().Save(page.request.session).ok()) return Expired(page);
    }
    const bool tx_required = tx_code.has_value() || page.request.session.Value(std::string(kOfferTxCode) + ".shown");
    const Json metadata = service->CredentialIssuerMetadata();

    Html panel_body = Html::Text(ConfigurationName(metadata, configuration, lang));
    if (tx_code.has_value()) {
      panel_body = Format("{}<br>{}: <strong id=\"tx-code\">{}</strong>",
                          {panel_body, Html::Text(page.t("offer.tx_code")), Html::Text(*tx_code)});
    }
    Html body = govuk::Panel(page.t("offer.title"), panel_body);
    if (tx_code.has_value()) {
      body += govuk::WarningText(lang, page.t("offer.tx_once"));
    } else if (tx_required) {
      body += govuk::InsetText(Html::Text(page.t("offer.tx_gone")));
    }
    body += Format("<h2 class=\"govuk-heading-m\">{}</h2>", {Html::Text(page.t("offer.scan"))});
    auto png = qr::QrPng(uri, qr::QrOptions{.module_pixels = 4});
    if (png.ok()) {
      body += Format("<img class=\"bonafide-qr\" src=\"data:image/png;base64,{}\" alt=\"{}\" width=\"240\" height=\"240\">",
                     {Html::Text(Base64Encode(*png)), Html::Text(page.t("offer.qr_alt"))});
    } else {
      body += govuk::InsetText(Html::Text(page.t("offer.qr_error")));
    }
    body += Format(
        "<p class=\"govuk-body\">{}</p><p class=\"govuk-body-s bonafide-break\"><code id=\"offer-uri\">{}</code></p>"
        "<p class=\"govuk-body\"><a class=\"govuk-link\" href=\"{}\" id=\"offer-link\">{}</a></p>"
        "<button type=\"button\" class=\"govuk-button govuk-button--secondary\" data-module=\"govuk-button\" "
        "data-copy-target=\"offer-uri\" hidden>{}</button>",
        {Html::Text(page.t("offer.link")), Html::Text(uri), web::SafeHref(uri), Html::Text(page.t("offer.open")),
         Html::Text(page.t("offer.copy"))});
    int64_t expires_at = 0;
    if (IsDigits(expires)) expires_at = std::stoll(expires);
    body += govuk::SummaryList({{Str(page.t("offer.expires")), Html::Text(web::FormatDateTime(expires_at, lang))}});
    body += govuk::Link(page.t("offer.back"), "/console/citizens/" + Seg(citizen));
    return Render(page, 200, Str(page.t("offer.title")), body, false, "citizens");
  }

  // ---------------------------------------------------------------- import

  http::Response ImportForm(const Page& page, int status, const std::vector<govuk::FieldError>& errors,
                            const std::string& csv) {
    const Lang lang = page.request.lang;
    Html body = govuk::ErrorSummary(lang, errors) + govuk::Heading(page.t("import.title"));
    body += Format("<form method=\"post\" action=\"/console/import\" novalidate>{}{}{}</form>",
                   {web::CsrfField(page.request.session),
                    govuk::Textarea(lang, {.id = "csv", .name = "csv", .label = Str(page.t("import.csv")),
                                           .hint = Str(page.t("import.hint")), .value = csv,
                                           .error = govuk::ErrorFor(errors, "csv"), .rows = 12}),
                    govuk::Button(page.t("import.button"))});
    return Render(page, status, Str(page.t("import.title")), body, !errors.empty(), "import");
  }

  http::Response GetImport(Page& page, const http::Request& /*req*/) {
    return ImportForm(page, 200, {}, "");
  }

  std::shared_ptr<ImportJob> FindJob(std::string_view id) {
    std::lock_guard lock(jobs_mu);
    for (const auto& job : jobs) {
      if (job->id == id) return job;
    }
    return nullptr;
  }

  void AddJob(std::shared_ptr<ImportJob> job) {
    std::lock_guard lock(jobs_mu);
    jobs.push_back(std::move(job));
    while (jobs.size() > kMaxJobs) {
      auto done = std::find_if(jobs.begin(), jobs.end(), [](const std::shared_ptr<ImportJob>& j) {
        std::lock_guard job_lock(j->mu);
        return j->finished;
      });
      if (done == jobs.end()) break;
      jobs.erase(done);
    }
  }

  // RunImport maps and upserts the job's rows chunk by chunk (on the blocking pool), recording
  // the progress after each chunk. A chunk the store refuses as a whole is retried row by row, so
  // only the bad rows are lost (as POST /admin/import does).
  void RunImport(IssuerService& service, ImportJob& job) {
    Result<CitizenCsvMapping> mapping = CitizenCsvMapping::FromHeader(job.header, &service.config().catalogue);
    const size_t chunk = static_cast<size_t>(options.import_chunk_rows);
    for (size_t start = 0; start < job.rows.size(); start += chunk) {
      const size_t end = std::min(job.rows.size(), start + chunk);
      std::vector<std::string> records;
      std::vector<int64_t> lines;
      std::vector<std::pair<int64_t, std::string>> bad;
      for (size_t i = start; i < end; ++i) {
        const CsvRecord& row = job.rows[i];
        Result<store::CitizenInput> citizen =
            mapping.ok() ? mapping->ToCitizen(row.fields) : Result<store::CitizenInput>(mapping.status());
        if (!citizen.ok()) {
          bad.emplace_back(row.line, citizen.status().message());
          continue;
        }
        records.push_back(std::move(citizen->data_json));
        lines.push_back(row.line);
      }
      size_t imported = 0;
      std::string failure;
      if (!records.empty()) {
        Status all = service.ImportCitizens(records, job.actor);
        if (all.ok()) {
          imported = records.size();
        } else if (all.code() == StatusCode::kIoError || all.code() == StatusCode::kInternal) {
          failure = std::string(StatusCodeName(all.code()));
        } else {
          for (size_t i = 0; i < records.size() && failure.empty(); ++i) {
            Status one = service.UpsertCitizen(records[i], job.actor);
            if (one.ok()) {
              ++imported;
            } else if (one.code() == StatusCode::kIoError || one.code() == StatusCode::kInternal) {
              failure = std::string(StatusCodeName(one.code()));
            } else {
              bad.emplace_back(lines[i], one.message());
            }
          }
        }
      }
      std::lock_guard lock(job.mu);
      job.processed = end;
      job.imported += imported;
      for (auto& b : bad) job.bad.push_back(std::move(b));
      if (!failure.empty()) {
        job.failure = failure;
        break;
      }
    }
    std::lock_guard lock(job.mu);
    job.finished = true;
  }

  http::Response PostImport(Page& page, const http::Request& req) {
    auto form = web::ReadForm(req, page.request.session);
    if (!form.ok() && form.status().code() == StatusCode::kLimitExceeded) {
      // Too long to read (and so to check its token): nothing was done; say what to do.
      return ImportForm(page, 413, {{"csv", Str(page.t("import.too_long"))}}, "");
    }
    if (!form.ok()) return Expired(page);
    IssuerService* service = resolve();
    if (service == nullptr) return Unavailable(page);
    const std::string csv = web::Field(*form, "csv");
    if (csv.find_first_not_of(" \t\r\n") == std::string::npos) {
      return ImportForm(page, 400, {{"csv", Str(page.t("import.missing"))}}, csv);
    }
    auto job = std::make_shared<ImportJob>();
    job->actor = page.user;
    std::istringstream in(csv);
    CsvReader reader(in);
    CsvRecord record;
    bool have_header = false;
    while (true) {
      Result<bool> next = reader.Next(record);
      if (!next.ok()) {
        if (!have_header) {
          return ImportForm(page, 400, {{"csv", Str(page.t("import.bad_header")) + ": " + next.status().message()}}, csv);
        }
        job->bad.emplace_back(reader.error_line(), next.status().message());
        if (reader.failed()) break;
        continue;
      }
      if (!*next) break;
      if (!have_header) {
        auto mapping = CitizenCsvMapping::FromHeader(record.fields, &service->config().catalogue);
        if (!mapping.ok()) {
          return ImportForm(page, 400, {{"csv", Str(page.t("import.bad_header")) + ": " + mapping.status().message()}}, csv);
        }
        job->header = record.fields;
        have_header = true;
        continue;
      }
      job->rows.push_back(record);
    }
    if (!have_header) return ImportForm(page, 400, {{"csv", Str(page.t("import.missing"))}}, csv);
    if (job->rows.empty() && job->bad.empty()) return ImportForm(page, 400, {{"csv", Str(page.t("import.no_rows"))}}, csv);
    auto id = [&]() -> std::string {
      return Base64UrlEncode(options.random->Generate(16));
    }();
    job->id = id;
    AddJob(job);
    // The job runs on the blocking pool: Server::Stop() waits for it, and the service outlives
    // Stop() (console.h).
    IssuerService* svc = service;
    Console* self = this;
    server->Offload([self, svc, job] { self->RunImport(*svc, *job); }, [] {});
    return Redirect(page, "/console/import/" + id);
  }

  std::string ProgressLabel(const Page& page, const ImportJob& job) {
    std::lock_guard lock(job.mu);
    return std::to_string(job.processed) + " " + Str(page.t("import.of")) + " " + std::to_string(job.rows.size()) + " " +
           Str(page.t("import.rows_done"));
  }

  http::Response GetImportJob(Page& page, const http::Request& req) {
    const std::string id = req.PathParam("job").value_or("");
    auto job = FindJob(id);
    if (job == nullptr) return NotFound(page);
    bool finished = false;
    size_t imported = 0;
    std::string failure;
    std::vector<std::pair<int64_t, std::string>> bad;
    {
      std::lock_guard lock(job->mu);
      finished = job->finished;
      imported = job->imported;
      failure = job->failure;
      bad = job->bad;
    }
    if (!finished) {
      Html body = govuk::Heading(page.t("import.progress"));
      body += Format(
          "<div class=\"govuk-inset-text\" data-poll-url=\"/console/import/{}/status\">"
          "<p class=\"govuk-body govuk-!-font-weight-bold\" role=\"status\" aria-live=\"polite\" data-poll-label>{}</p>"
          "<p class=\"govuk-body\"><a class=\"govuk-link\" href=\"/console/import/{}\">{}</a></p></div>",
          {Html::Text(id), Html::Text(ProgressLabel(page, *job)), Html::Text(id), Html::Text(page.t("import.again"))});
      return Render(page, 200, Str(page.t("import.progress")), body, false, "import");
    }
    const std::string title = Str(page.t(failure.empty() ? "import.done" : "import.failed"));
    Html body = failure.empty() ? govuk::Panel(title, Html::Text(ProgressLabel(page, *job)))
                                : govuk::Heading(title) + govuk::WarningText(page.request.lang, failure);
    body += govuk::SummaryList({{Str(page.t("import.rows")), Html::Text(std::to_string(job->rows.size()))},
                                {Str(page.t("import.imported")), Html::Text(std::to_string(imported))},
                                {Str(page.t("import.bad")), Html::Text(std::to_string(bad.size()))}});
    if (!bad.empty()) {
      std::vector<std::vector<Html>> rows;
      for (const auto& [line, message] : bad) rows.push_back({Html::Text(std::to_string(line)), Html::Text(message)});
      body += govuk::Table(page.t("import.bad"), {Str(page.t("import.line")), Str(page.t("import.problem"))}, rows);
    }
    body += govuk::ButtonLink(page.t("import.another"), "/console/import");
    return Render(page, 200, title, body, false, "import");
  }

  http::Response GetImportStatus(Page& page, const http::Request& req) {
    const std::string id = req.PathParam("job").value_or("");
    auto job = FindJob(id);
    if (job == nullptr) return http::Response::JsonError(404, "not_found");
    bool finished = false;
    {
      std::lock_guard lock(job->mu);
      finished = job->finished;
    }
    http::Response r = http::Response::JsonBody(200, Json{{"status", finished ? "done" : "running"},
                                                          {"label", ProgressLabel(page, *job)},
                                                          {"done", finished},
                                                          {"next", "/console/import/" + id}});
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
  }

  // ---------------------------------------------------------------- audit

  // LastAuditSeq returns the highest seq in the log (0 when empty). Seqs are 1, 2, 3, ... with no
  // gaps, so an exponential then binary search over ListAudit(after, 1) finds it in O(log n)
  // reads without a count method on the store.
  Result<int64_t> LastAuditSeq(store::IssuerStore& st) {
    auto exists = [&st](int64_t seq) -> Result<bool> {  // is there a record with this seq?
      ASSIGN_OR_RETURN(std::vector<store::AuditRecord> r, st.ListAudit(seq - 1, 1));
      return !r.empty();
    };
    ASSIGN_OR_RETURN(bool any, exists(1));
    if (!any) return int64_t{0};
    int64_t low = 1;  // exists
    int64_t high = 2;
    while (true) {
      ASSIGN_OR_RETURN(bool there, exists(high));
      if (!there) break;
      low = high;
      if (high > (int64_t{1} << 60)) return Error(StatusCode::kInternal, "audit log too long");
      high *= 2;
    }
    while (high - low > 1) {  // low exists, high does not
      const int64_t mid = low + (high - low) / 2;
      ASSIGN_OR_RETURN(bool there, exists(mid));
      if (there) {
        low = mid;
      } else {
        high = mid;
      }
    }
    return low;
  }

  http::Response GetAudit(Page& page, const http::Request& req) {
    IssuerService* service = resolve();
    if (service == nullptr) return Unavailable(page);
    const Lang lang = page.request.lang;
    store::IssuerStore& st = service->store();
    auto last = LastAuditSeq(st);
    if (!last.ok()) return Unavailable(page);
    int64_t before = *last + 1;
    if (auto b = req.QueryParam("before"); b && IsDigits(*b)) before = std::clamp<int64_t>(std::stoll(*b), 1, *last + 1);
    const int64_t first = std::max<int64_t>(1, before - static_cast<int64_t>(kPageSize));
    std::vector<store::AuditRecord> records;
    if (before > 1) {
      auto listed = st.ListAudit(first - 1, static_cast<size_t>(before - first));
      if (!listed.ok()) return Unavailable(page);
      records = std::move(*listed);
    }
    std::reverse(records.begin(), records.end());
    Html body = govuk::Heading(page.t("audit.title")) + govuk::Paragraph(page.t("audit.intro"));
    body += Format("<form method=\"post\" action=\"/console/audit/verify\">{}{}</form>",
                   {web::CsrfField(page.request.session), govuk::Button(page.t("audit.verify"), govuk::ButtonKind::kSecondary)});
    if (records.empty()) {
      body += govuk::Paragraph(page.t("audit.empty"));
    } else {
      std::vector<std::vector<Html>> rows;
      for (const store::AuditRecord& r : records) {
        std::string details = r.details_json;
        if (details.size() > 300) details = details.substr(0, 300) + "...";
        rows.push_back({Html::Text(std::to_string(r.seq)), Html::Text(web::FormatDateTime(r.time, lang)), Html::Text(r.actor),
                        Html::Text(r.action), Format("<code class=\"bonafide-break govuk-body-s\">{}</code>", {Html::Text(details)})});
      }
      const std::string caption = Str(page.t("audit.entries")) + " " + std::to_string(records.back().seq) + " " +
                                  Str(page.t("audit.to")) + " " + std::to_string(records.front().seq);
      body += govuk::Table(caption,
                           {Str(page.t("audit.seq")), Str(page.t("audit.time")), Str(page.t("audit.actor")),
                            Str(page.t("audit.action")), Str(page.t("audit.details"))},
                           rows);
      Html pager;
      if (before <= *last) pager += govuk::Link(page.t("audit.newer"), "/console/audit");
      if (first > 1) {
        if (!pager.empty()) pager += Html::Trusted(" | ");
        pager += govuk::Link(page.t("audit.older"), "/console/audit?before=" + std::to_string(first));
      }
      if (!pager.empty()) body += Format("<p class=\"govuk-body\">{}</p>", {pager});
    }
    return Render(page, 200, Str(page.t("audit.title")), body, false, "audit");
  }

  http::Response PostAuditVerify(Page& page, const http::Request& req) {
    auto form = web::ReadForm(req, page.request.session);
    if (!form.ok()) return Expired(page);
    IssuerService* service = resolve();
    if (service == nullptr) return Unavailable(page);
    Status verified = service->store().VerifyAuditChain();
    if (verified.code() == StatusCode::kIoError || verified.code() == StatusCode::kInternal) return Unavailable(page);
    Html body;
    std::string title;
    if (verified.ok()) {
      title = Str(page.t("audit.valid"));
      body = govuk::Panel(title, Html::Text(page.t("audit.valid_body")));
    } else {
      title = Str(page.t("audit.invalid"));
      body = govuk::Heading(title) + govuk::WarningText(page.request.lang, page.t("audit.invalid_body")) +
             Format("<p class=\"govuk-body\"><code class=\"bonafide-break\">{}: {}</code></p>",
                    {Html::Text(StatusCodeName(verified.code())), Html::Text(verified.message())});
    }
    body += govuk::Link(page.t("audit.back"), "/console/audit");
    return Render(page, 200, title, body, false, "audit");
  }
};

}  // namespace

Status RegisterConsoleRoutes(http::Server& server, std::function<IssuerService*()> resolve, ConsoleOptions options) {
  if (!resolve || options.clock == nullptr || options.random == nullptr) {
    return Status(StatusCode::kInvalidArgument, "the console needs a service, a clock and randomness");
  }
  if (options.import_chunk_rows < 1 || options.import_chunk_rows > static_cast<int>(store::kMaxListPage)) {
    return Status(StatusCode::kInvalidArgument, "import_chunk_rows must be 1..1000");
  }
  if (Words().size() != std::size(kMessages)) {
    return Status(StatusCode::kInternal, "the console's message table is invalid");
  }
  auto console = std::make_shared<Console>();
  console->resolve = std::move(resolve);
  console->server = &server;
  console->fe = std::make_shared<web::FrontEnd>(
      web::FrontEndOptions{.words = &Words(),
                           .home = "/console",
                           .nav = {{"/console/citizens", "nav.citizens", "citizens"},
                                   {"/console/citizens/new", "nav.add", "add"},
                                   {"/console/import", "nav.import", "import"},
                                   {"/console/audit", "nav.audit", "audit"}},
                           .footer_action = "/console/sign-out",
                           .sessions = {.cookie_name = "bonafide_console", .secure_cookie = options.secure_cookie}},
      *options.clock, *options.random);
  RETURN_IF_ERROR(web::RegisterStaffSignIn(server, console->fe,
                                           {.users_file = options.users_file,
                                            .sign_in_path = "/console/sign-in",
                                            .sign_out_path = "/console/sign-out",
                                            .home_path = "/console/citizens"},
                                           *options.clock));
  console->options = std::move(options);

  // Every console page is for a signed-in officer (web::StaffOnly sends anyone else to sign in;
  // the import progress the page polls answers 401 instead).
  using Method = http::Response (Console::*)(Console::Page&, const http::Request&);
  auto bind = [console](Method m, bool json = false) {
    return web::StaffOnly(
        console->fe, "/console/sign-in",
        [console, m](Console::Page& page, const http::Request& req) { return ((*console).*m)(page, req); }, json);
  };
  RETURN_IF_ERROR(web::ServeAssets(server));
  RETURN_IF_ERROR(server.Get("/console", [console](const http::Request& req) {
    Console::Page page = console->Begin(req);
    return console->Redirect(page, page.user.empty() ? "/console/sign-in" : "/console/citizens");
  }));
  RETURN_IF_ERROR(server.Get("/console/citizens", bind(&Console::GetCitizens)));
  RETURN_IF_ERROR(server.Get("/console/citizens/new", bind(&Console::GetAdd)));
  RETURN_IF_ERROR(server.Post("/console/citizens/new", bind(&Console::PostAdd)));
  RETURN_IF_ERROR(server.Get("/console/citizens/{id}", bind(&Console::GetCitizen)));
  RETURN_IF_ERROR(server.Post("/console/citizens/{id}/status", bind(&Console::PostStatus)));
  RETURN_IF_ERROR(server.Get("/console/citizens/{id}/issue", bind(&Console::GetIssue)));
  RETURN_IF_ERROR(server.Post("/console/citizens/{id}/issue", bind(&Console::PostIssue)));
  RETURN_IF_ERROR(server.Get("/console/offers/{offer_id}", bind(&Console::GetOffer)));
  RETURN_IF_ERROR(server.Get("/console/import", bind(&Console::GetImport)));
  RETURN_IF_ERROR(server.Post("/console/import", bind(&Console::PostImport)));
  RETURN_IF_ERROR(server.Get("/console/import/{job}", bind(&Console::GetImportJob)));
  RETURN_IF_ERROR(server.Get("/console/import/{job}/status", bind(&Console::GetImportStatus, /*json=*/true)));
  RETURN_IF_ERROR(server.Get("/console/audit", bind(&Console::GetAudit)));
  RETURN_IF_ERROR(server.Post("/console/audit/verify", bind(&Console::PostAuditVerify)));
  return OkStatus();
}

}  // namespace bonafide::issuer
