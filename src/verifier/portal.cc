#include "verifier/portal.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "base/encoding.h"
#include "base/json.h"
#include "crypto/keys.h"
#include "registry/purposes.h"
#include "verifier/check_record.h"
#include "verifier/check_record_pdf.h"
#include "web/assets.h"
#include "web/govuk.h"
#include "web/html.h"
#include "web/i18n.h"
#include "web/front_end.h"
#include "web/page.h"
#include "web/password.h"
#include "web/session.h"

namespace bonafide::verifier {

namespace {

using web::Format;
using web::Html;
using web::Lang;
namespace govuk = web::govuk;

// The portal's words. Keys of checks are "check.<id>"; outcomes "outcome.<outcome>"; facts
// "fact.<name>"; failures "error.<code>".
constexpr web::Message kMessages[] = {
    {"service", "Check someone's digital ID", "Gwirio ID digidol rhywun"},
    {"nav.checks", "Past checks", "Gwiriadau blaenorol"},
    {"nav.new", "Start a check", "Dechrau gwiriad"},
    {"not_found", "Page not found", "Heb ddod o hyd i'r dudalen"},
    {"not_found.body", "There is no check at this address.", "Nid oes gwiriad yn y cyfeiriad hwn."},
    {"new.title", "Which check do you need to make?", "Pa wiriad sydd angen i chi ei wneud?"},
    {"new.hint", "Ask only for the check you need. The person sees what you ask for and why.",
     "Gofynnwch am y gwiriad sydd ei angen arnoch yn unig. Mae'r person yn gweld beth rydych yn gofyn amdano a pham."},
    {"new.missing", "Select the check you need to make", "Dewiswch y gwiriad sydd angen i chi ei wneud"},
    {"new.button", "Start the check", "Dechrau'r gwiriad"},
    {"check.right_to_work", "Right to work", "Hawl i weithio"},
    {"check.right_to_work.hint", "For an employer: British or Irish citizens, and eVisa holders",
     "I gyflogwr: dinasyddion Prydeinig neu Wyddelig, a deiliaid eFisa"},
    {"check.right_to_rent", "Right to rent", "Hawl i rentu"},
    {"check.right_to_rent.hint", "For a landlord or letting agent", "I landlord neu asiant gosod"},
    {"check.age_over_18", "Age (over 18)", "Oedran (dros 18)"},
    {"check.age_over_18.hint", "Shares only whether the person is over 18: no name, no date of birth",
     "Yn rhannu dim ond a yw'r person dros 18: dim enw, dim dyddiad geni"},
    {"check.veteran_status", "Veteran status", "Statws cyn-filwr"},
    {"check.veteran_status.hint", "HM Armed Forces Veteran Card", "Cerdyn Cyn-filwyr Lluoedd Arfog EF"},
    {"check.driving_entitlement", "Driving entitlement", "Hawl i yrru"},
    {"check.driving_entitlement.hint", "The categories the person may drive today",
     "Y categorïau y caiff y person eu gyrru heddiw"},
    {"check.dbs_basic", "Basic DBS check", "Gwiriad DBS sylfaenol"},
    {"check.dbs_basic.hint", "The result of a basic Disclosure and Barring Service certificate",
     "Canlyniad tystysgrif sylfaenol y Gwasanaeth Datgelu a Gwahardd"},
    {"pending.title", "Ask the person to scan this code", "Gofynnwch i'r person sganio'r cod hwn"},
    {"pending.qr_alt", "QR code for the person's wallet app to scan", "Cod QR i ap waled y person ei sganio"},
    {"pending.link", "If the person is using this device, they can open the request in their wallet:",
     "Os yw'r person yn defnyddio'r ddyfais hon, gallant agor y cais yn eu waled:"},
    {"pending.open", "Open in the wallet", "Agor yn y waled"},
    {"pending.copy", "Copy the link", "Copïo'r ddolen"},
    {"pending.again", "Check again", "Gwirio eto"},
    {"status.created", "Waiting for the person to scan the code", "Yn aros i'r person sganio'r cod"},
    {"status.request_fetched", "The person is looking at the request", "Mae'r person yn edrych ar y cais"},
    {"status.responded", "Checking what the person shared", "Yn gwirio'r hyn a rannodd y person"},
    {"status.completed", "Check complete", "Gwiriad wedi'i gwblhau"},
    {"status.failed", "The check did not succeed", "Ni lwyddodd y gwiriad"},
    {"status.expired", "The person did not respond in time", "Ni ymatebodd y person mewn pryd"},
    {"result.title", "Check result", "Canlyniad y gwiriad"},
    {"result.photo", "Photo from the credential: make sure it is the person in front of you",
     "Llun o'r manylion adnabod: gwnewch yn siŵr mai'r person o'ch blaen yw hwn"},
    {"result.photo_alt", "Photo of the person from their credential", "Llun o'r person o'u manylion adnabod"},
    {"result.conditions", "Conditions", "Amodau"},
    {"result.until", "Permitted until", "Caniateir tan"},
    {"result.follow_up", "Check again before", "Gwirio eto cyn"},
    {"result.issuer", "Issued by", "Cyhoeddwyd gan"},
    {"result.checked_at", "Checked", "Gwiriwyd"},
    {"result.status_ok", "Not revoked (checked with the issuer)", "Heb ei ddirymu (gwiriwyd gyda'r cyhoeddwr)"},
    {"result.status_none", "The credential has no revocation list", "Nid oes gan y manylion adnabod restr dirymu"},
    {"result.status", "Revocation", "Dirymu"},
    {"result.unconfirmed",
     "The issuer's revocation list could not be checked, so this decision cannot be confirmed. Treat it as not made and check again later.",
     "Nid oedd modd gwirio rhestr dirymu'r cyhoeddwr, felly ni ellir cadarnhau'r penderfyniad hwn. Ystyriwch nad yw wedi'i wneud a gwiriwch eto'n nes ymlaen."},
    {"result.download", "Download the check record (PDF)", "Lawrlwytho cofnod y gwiriad (PDF)"},
    {"result.keep", "Keep the check record as your evidence that you made the check.",
     "Cadwch gofnod y gwiriad fel tystiolaeth eich bod wedi gwneud y gwiriad."},
    {"result.new", "Start another check", "Dechrau gwiriad arall"},
    {"result.failed", "The check did not succeed", "Ni lwyddodd y gwiriad"},
    {"result.expired_body", "The request has expired. Start a new check if you still need one.",
     "Mae'r cais wedi dod i ben. Dechreuwch wiriad newydd os oes angen un arnoch o hyd."},
    {"error.declined", "The person chose not to share their details.", "Dewisodd y person beidio â rhannu eu manylion."},
    {"error.revoked", "The credential has been revoked by its issuer. Do not rely on it.",
     "Mae'r cyhoeddwr wedi dirymu'r manylion adnabod. Peidiwch â dibynnu arnynt."},
    {"error.suspended", "The credential is suspended by its issuer. Do not rely on it.",
     "Mae'r cyhoeddwr wedi atal y manylion adnabod. Peidiwch â dibynnu arnynt."},
    {"error.untrusted_issuer", "The credential was not issued by an organisation trusted for this check.",
     "Ni chyhoeddwyd y manylion adnabod gan sefydliad y ymddiriedir ynddo ar gyfer y gwiriad hwn."},
    {"error.expired", "The credential has expired.", "Mae'r manylion adnabod wedi dod i ben."},
    {"error.other", "The credential could not be verified.", "Nid oedd modd dilysu'r manylion adnabod."},
    {"list.title", "Past checks", "Gwiriadau blaenorol"},
    {"list.empty", "No checks have been made yet.", "Nid oes unrhyw wiriadau wedi'u gwneud eto."},
    {"list.date", "Date", "Dyddiad"},
    {"list.check", "Check", "Gwiriad"},
    {"list.by", "Started by", "Dechreuwyd gan"},
    {"list.result", "Result", "Canlyniad"},
    {"list.view", "View", "Gweld"},
    {"list.older", "Older checks", "Gwiriadau hŷn"},
    {"list.newer", "Newer checks", "Gwiriadau mwy newydd"},
    {"tag.pass", "Passed", "Llwyddo"},
    {"tag.fail", "Not passed", "Heb lwyddo"},
    {"tag.pending", "Waiting", "Yn aros"},
    {"tag.unconfirmed", "Not confirmed", "Heb ei gadarnhau"},
    {"fact.family_name", "Last name", "Cyfenw"},
    {"fact.given_name", "First names", "Enwau cyntaf"},
    {"fact.birth_date", "Date of birth", "Dyddiad geni"},
    {"fact.birthDate", "Date of birth", "Dyddiad geni"},
    {"fact.age_over_18", "Over 18", "Dros 18"},
    {"fact.serviceBranch", "Service branch", "Cangen y lluoedd"},
    {"fact.expiryDate", "Card expiry date", "Dyddiad dod i ben y cerdyn"},
    {"fact.expiry_date", "Licence expiry date", "Dyddiad dod i ben y drwydded"},
    {"fact.categories", "Driving categories", "Categorïau gyrru"},
    {"fact.certificateNumber", "Certificate number", "Rhif y dystysgrif"},
    {"fact.certificateType", "Certificate type", "Math o dystysgrif"},
    {"fact.outcome", "Certificate result", "Canlyniad y dystysgrif"},
    {"fact.nationality", "Nationality", "Cenedligrwydd"},
};

const web::Catalogue& Words() {
  static const web::Catalogue catalogue = [] {
    auto made = web::Catalogue::Create(kMessages);
    return made.ok() ? std::move(*made) : web::Catalogue();
  }();
  return catalogue;
}

std::string Key(std::string_view prefix, std::string_view name) { return std::string(prefix) + std::string(name); }

bool PassingOutcome(std::string_view outcome) {
  return outcome == kOutcomeUnrestricted || outcome == kOutcomePermittedUntil || outcome == kOutcomePass ||
         outcome == kOutcomeVeteran || outcome == kOutcomeEntitled || outcome == kOutcomeReported;
}

PdfLanguage PdfLang(Lang lang) { return lang == Lang::kWelsh ? PdfLanguage::kWelsh : PdfLanguage::kEnglish; }

std::string DateText(const std::string& date, Lang lang) {
  auto text = web::FormatLongDate(date, lang);
  return text.ok() ? *text : date;
}

// FactValue writes one fact of a decision for people.
Html FactValue(const Json& value, Lang lang, const web::Translator& t) {
  if (value.is_string()) {
    const std::string text = value.get<std::string>();
    return Html::Text(DateText(text, lang));
  }
  if (value.is_boolean()) return Html::Text(value.get<bool>() ? t("yes") : t("no"));
  if (value.is_array()) {
    std::string joined;
    for (const Json& item : value) {
      if (!joined.empty()) joined += ", ";
      joined += item.is_string() ? item.get<std::string>() : DumpJson(item);
    }
    return Html::Text(joined);
  }
  return Html::Text(DumpJson(value));
}

// PhotoDataUri returns a data: URI of a JPEG or PNG photo given as base64url, or "".
std::string PhotoDataUri(const Json& facts) {
  for (const char* name : {"portrait", "photo"}) {
    const Json* value = Find(facts, name);
    if (value == nullptr || !value->is_string()) continue;
    auto bytes = Base64UrlDecode(value->get<std::string>());
    if (!bytes.ok() || bytes->size() < 8) continue;
    const Bytes& b = *bytes;
    std::string type;
    if (b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) type = "image/jpeg";
    if (b[0] == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') type = "image/png";
    if (type.empty()) continue;
    return "data:" + type + ";base64," + Base64Encode(b);
  }
  return "";
}

struct Portal {
  std::function<VerifierService*()> resolve;
  PortalOptions options;
  std::shared_ptr<web::FrontEnd> fe;

  using Page = web::FrontEndPage;
  Page Begin(const http::Request& req) { return fe->Begin(req); }
  http::Response Render(const Page& page, int status, const std::string& title, const Html& body,
                        bool has_errors = false, std::string_view nav_current = "") {
    return fe->Render(page, status, title, body, has_errors, nav_current);
  }
  http::Response Message(const Page& page, int status, std::string_view title_key, std::string_view body_key) {
    return fe->Message(page, status, title_key, body_key);
  }
  http::Response Redirect(const Page& page, std::string_view location) { return fe->Redirect(page, location); }

  // ---------------------------------------------------------------- checks

  // Sync copies a finished session's outcome into the portal's table; returns the check as stored.
  Result<PortalCheck> Sync(VerifierService& service, const std::string& session_id, Json* result_out) {
    ASSIGN_OR_RETURN(PortalCheck check, options.checks->Get(session_id));
    auto result = service.GetResult(session_id, std::nullopt);
    if (!result.ok()) return check;  // purged or unreadable: the stored row is all there is
    if (result_out != nullptr) *result_out = *result;
    if (check.finished()) return check;
    const std::string status = JsonString(*result, "status");
    if (status != "completed" && status != "failed" && status != "expired") {
      check.status = status;
      return check;
    }
    std::string outcome = status == "completed" ? JsonString(*result, "outcome") : JsonString(*result, "error");
    std::string record;
    if (const Json* jwt = Find(*result, "check_record"); jwt != nullptr && jwt->is_string()) record = jwt->get<std::string>();
    const int64_t finished_at = JsonInt(*result, "completed_at").value_or(options.clock->NowSeconds());
    RETURN_IF_ERROR(options.checks->Finish(session_id, status, outcome, record, finished_at));
    return options.checks->Get(session_id);
  }

  static std::string JsonString(const Json& json, std::string_view name) {
    const Json* value = Find(json, name);
    return value != nullptr && value->is_string() ? value->get<std::string>() : std::string();
  }
  static std::optional<int64_t> JsonInt(const Json& json, std::string_view name) {
    const Json* value = Find(json, name);
    if (value == nullptr || !value->is_number_integer()) return std::nullopt;
    return value->get<int64_t>();
  }

  Html CheckTag(const PortalCheck& check, const web::Translator& t) {
    if (!check.finished()) return govuk::Tag(t("tag.pending"), govuk::TagColour::kGrey);
    if (check.status == "completed") {
      if (check.check_record.empty()) return govuk::Tag(t("tag.unconfirmed"), govuk::TagColour::kYellow);
      return PassingOutcome(check.outcome) ? govuk::Tag(t("tag.pass"), govuk::TagColour::kGreen)
                                           : govuk::Tag(t("tag.fail"), govuk::TagColour::kRed);
    }
    return govuk::Tag(t(Key("status.", check.status)), govuk::TagColour::kRed);
  }

  http::Response GetChecks(Page& page, const http::Request& req) {
    VerifierService* service = resolve();
    if (service == nullptr) return Message(page, 503, "unavailable", "unavailable.body");
    constexpr int kPageSize = 25;
    int number = 0;
    if (auto p = req.QueryParam("page"); p && p->size() <= 6 && !p->empty() &&
                                         std::all_of(p->begin(), p->end(), [](char c) { return c >= '0' && c <= '9'; })) {
      number = std::stoi(*p);
    }
    auto checks = options.checks->List(kPageSize + 1, number * kPageSize);
    if (!checks.ok()) return Message(page, 503, "unavailable", "unavailable.body");
    const bool more = checks->size() > static_cast<size_t>(kPageSize);
    if (more) checks->pop_back();
    const Lang lang = page.request.lang;
    Html body = govuk::Heading(page.t("list.title"));
    if (checks->empty()) {
      body += govuk::Paragraph(page.t("list.empty"));
    } else {
      std::vector<std::vector<Html>> rows;
      for (const PortalCheck& stored : *checks) {
        PortalCheck check = stored;
        if (!check.finished()) {
          if (auto synced = Sync(*service, check.session_id, nullptr); synced.ok()) check = *synced;
        }
        rows.push_back({Html::Text(web::FormatDateTime(check.created_at, lang)),
                        Html::Text(page.t(Key("check.", check.check))), Html::Text(check.started_by),
                        CheckTag(check, page.t),
                        govuk::Link(page.t("list.view"), "/checks/" + check.session_id)});
      }
      body += govuk::Table(page.t("list.title"),
                           {std::string(page.t("list.date")), std::string(page.t("list.check")),
                            std::string(page.t("list.by")), std::string(page.t("list.result")), ""},
                           rows);
      Html pager;
      if (number > 0) pager += govuk::Link(page.t("list.newer"), "/checks?page=" + std::to_string(number - 1));
      if (more) {
        if (!pager.empty()) pager += Html::Trusted(" | ");
        pager += govuk::Link(page.t("list.older"), "/checks?page=" + std::to_string(number + 1));
      }
      if (!pager.empty()) body += Format("<p class=\"govuk-body\">{}</p>", {pager});
    }
    body += govuk::ButtonLink(page.t("nav.new"), "/checks/new");
    return Render(page, 200, std::string(page.t("list.title")), body, false, "checks");
  }

  http::Response NewCheckForm(const Page& page, int status, const std::vector<govuk::FieldError>& errors) {
    const Lang lang = page.request.lang;
    std::vector<govuk::RadioItem> items;
    for (const registry::Purpose& purpose : registry::Purposes()) {
      items.push_back({.value = purpose.id, .label = std::string(page.t(Key("check.", purpose.id))),
                       .hint = std::string(page.t(Key("check.", purpose.id + ".hint")))});
    }
    Html body = govuk::ErrorSummary(lang, errors);
    body += Format("<form method=\"post\" action=\"/checks/new\" novalidate>{}{}{}</form>",
                   {web::CsrfField(page.request.session),
                    govuk::Radios(lang, {.name = "check", .legend = std::string(page.t("new.title")),
                                         .legend_is_heading = true, .hint = std::string(page.t("new.hint")),
                                         .items = items, .error = govuk::ErrorFor(errors, "check")}),
                    govuk::Button(page.t("new.button"))});
    return Render(page, status, std::string(page.t("new.title")), body, !errors.empty(), "new");
  }

  http::Response GetNewCheck(Page& page, const http::Request& /*req*/) {
    return NewCheckForm(page, 200, {});
  }

  http::Response PostNewCheck(Page& page, const http::Request& req) {
    auto form = web::ReadForm(req, page.request.session);
    if (!form.ok()) return Message(page, 403, "form_expired", "form_expired.body");
    const std::string check = web::Field(*form, "check");
    if (registry::FindPurpose(check) == nullptr) {
      return NewCheckForm(page, 400, {{"check", std::string(page.t("new.missing"))}});
    }
    VerifierService* service = resolve();
    if (service == nullptr) return Message(page, 503, "unavailable", "unavailable.body");
    SessionRequest request;
    request.check = check;
    auto created = service->CreateSession(request);
    if (!created.ok()) return Message(page, 503, "unavailable", "unavailable.body");
    PortalCheck row;
    row.session_id = created->session_id;
    row.check = check;
    row.started_by = page.user;
    row.created_at = options.clock->NowSeconds();
    if (!options.checks->Insert(row).ok()) return Message(page, 503, "unavailable", "unavailable.body");
    return Redirect(page, "/checks/" + created->session_id);
  }

  // Owned returns the portal's check `id` after syncing it, or an error response.
  Result<PortalCheck> Lookup(VerifierService& service, const std::string& id, Json* result) {
    return Sync(service, id, result);
  }

  Html ResultBody(const Page& page, const PortalCheck& check, const Json& result) {
    const Lang lang = page.request.lang;
    const web::Translator& t = page.t;
    Html body = Format("<span class=\"govuk-caption-l\">{}</span>", {Html::Text(t(Key("check.", check.check)))});
    if (check.status == "expired") {
      return body + govuk::Heading(t("status.expired")) + govuk::Paragraph(t("result.expired_body")) +
             govuk::ButtonLink(t("result.new"), "/checks/new");
    }
    if (check.status == "failed") {
      std::string key = Key("error.", check.outcome);
      if (!Words().Find(lang, key)) key = "error.other";
      return body + govuk::Heading(t("result.failed")) +
             govuk::WarningText(lang, t(key)) + govuk::ButtonLink(t("result.new"), "/checks/new");
    }
    // Completed. The decision comes from the signed check record when there is one (it is what the
    // portal keeps after the verifier purges the session), else from the live result.
    Json decision_json;
    if (const Json* d = Find(result, "decision"); d != nullptr) decision_json = *d;
    auto decision = CheckDecisionFromJson(decision_json);
    if (!decision.ok()) {
      return body + govuk::Heading(t("result.title")) + govuk::Paragraph(t("result.keep"));
    }
    auto sentence = DecisionSentence(*decision, PdfLang(lang));
    const bool confirmed = !check.check_record.empty();
    const bool passing = PassingOutcome(decision->outcome);
    body += govuk::Heading(sentence.ok() ? *sentence : decision->outcome);
    if (!confirmed) {
      body += govuk::WarningText(lang, t("result.unconfirmed"));
    } else {
      body += Format("<p class=\"govuk-body\">{}</p>",
                     {passing ? govuk::Tag(t("tag.pass"), govuk::TagColour::kGreen)
                              : govuk::Tag(t("tag.fail"), govuk::TagColour::kRed)});
    }
    const std::string photo = PhotoDataUri(decision->facts);
    if (!photo.empty()) {
      body += Format("<figure class=\"govuk-!-margin-0 govuk-!-margin-bottom-6\"><img class=\"bonafide-portrait\" src=\"{}\" "
                     "alt=\"{}\"><figcaption class=\"govuk-body-s\">{}</figcaption></figure>",
                     {Html::Text(photo), Html::Text(t("result.photo_alt")), Html::Text(t("result.photo"))});
    }
    std::vector<govuk::SummaryRow> rows;
    // Names first, as on a document; then the rest in a fixed order; unknown facts last.
    static constexpr std::string_view kOrder[] = {"given_name", "family_name", "birth_date", "birthDate",
                                                  "nationality", "age_over_18", "serviceBranch", "expiryDate",
                                                  "expiry_date", "categories", "certificateType",
                                                  "certificateNumber", "outcome"};
    auto rank = [](const std::string& name) {
      const auto* it = std::find(std::begin(kOrder), std::end(kOrder), name);
      return static_cast<size_t>(it - std::begin(kOrder));
    };
    std::vector<std::string> names;
    for (const auto& [name, value] : decision->facts.items()) {
      if (name != "portrait" && name != "photo") names.push_back(name);
    }
    std::stable_sort(names.begin(), names.end(), [&](const auto& a, const auto& b) { return rank(a) < rank(b); });
    for (const std::string& name : names) {
      rows.push_back({std::string(t(Key("fact.", name))), FactValue(decision->facts[name], lang, t)});
    }
    if (decision->conditions) rows.push_back({std::string(t("result.conditions")), Html::Text(*decision->conditions)});
    if (decision->until) rows.push_back({std::string(t("result.until")), Html::Text(DateText(*decision->until, lang))});
    if (decision->follow_up_due) {
      rows.push_back({std::string(t("result.follow_up")), Html::Text(DateText(*decision->follow_up_due, lang))});
    }
    if (const Json* issuer = Find(result, "issuer"); issuer != nullptr && issuer->is_object()) {
      std::string name = JsonString(*issuer, "name");
      if (name.empty()) name = JsonString(*issuer, "id");
      rows.push_back({std::string(t("result.issuer")), Html::Text(name)});
    }
    const std::string credential_status = JsonString(result, "credential_status");
    if (credential_status == "valid") rows.push_back({std::string(t("result.status")), Html::Text(t("result.status_ok"))});
    if (credential_status == "none") rows.push_back({std::string(t("result.status")), Html::Text(t("result.status_none"))});
    rows.push_back({std::string(t("result.checked_at")), Html::Text(web::FormatDateTime(check.finished_at, lang))});
    body += govuk::SummaryList(rows);
    if (confirmed) {
      body += govuk::Paragraph(t("result.keep"));
      body += Format("<a href=\"{}\" class=\"govuk-button\" data-module=\"govuk-button\" download>{}</a> ",
                     {web::SafeHref("/checks/" + check.session_id + "/record.pdf" +
                                    (lang == Lang::kWelsh ? "?lang=cy" : "")),
                      Html::Text(t("result.download"))});
    }
    body += govuk::Link(t("result.new"), "/checks/new");
    return body;
  }

  http::Response GetCheck(Page& page, const http::Request& req) {
    VerifierService* service = resolve();
    if (service == nullptr) return Message(page, 503, "unavailable", "unavailable.body");
    const std::string id = req.PathParam("id").value_or("");
    Json result;
    auto check = Lookup(*service, id, &result);
    if (!check.ok()) return Message(page, 404, "not_found", "not_found.body");
    if (check->finished()) {
      return Render(page, 200, std::string(page.t("result.title")), ResultBody(page, *check, result));
    }
    const std::string request_uri = JsonString(result, "request_uri");
    const std::string status = check->status.empty() ? "created" : check->status;
    Html body = Format("<span class=\"govuk-caption-l\">{}</span>", {Html::Text(page.t(Key("check.", check->check)))});
    body += govuk::Heading(page.t("pending.title"));
    body += Format("<img class=\"bonafide-qr\" src=\"/sessions/{}/qr.png\" alt=\"{}\" width=\"240\" height=\"240\">",
                   {Html::Text(id), Html::Text(page.t("pending.qr_alt"))});
    body += Format(
        "<div class=\"govuk-inset-text\" data-poll-url=\"/checks/{}/status\"><p class=\"govuk-body govuk-!-font-weight-bold\" "
        "role=\"status\" aria-live=\"polite\" data-poll-label>{}</p>"
        "<p class=\"govuk-body\"><a class=\"govuk-link\" href=\"/checks/{}\">{}</a></p></div>",
        {Html::Text(id), Html::Text(page.t(Key("status.", status))), Html::Text(id), Html::Text(page.t("pending.again"))});
    if (!request_uri.empty()) {
      body += Format(
          "<p class=\"govuk-body\">{}</p><p class=\"govuk-body\"><a class=\"govuk-link\" href=\"{}\" "
          "id=\"wallet-link\">{}</a></p><p class=\"govuk-body-s bonafide-break\"><code id=\"request-uri\">{}</code></p>"
          "<button type=\"button\" class=\"govuk-button govuk-button--secondary\" data-module=\"govuk-button\" "
          "data-copy-target=\"request-uri\" hidden>{}</button>",
          {Html::Text(page.t("pending.link")), web::SafeHref(request_uri), Html::Text(page.t("pending.open")),
           Html::Text(request_uri), Html::Text(page.t("pending.copy"))});
    }
    return Render(page, 200, std::string(page.t("pending.title")), body);
  }

  http::Response GetCheckStatus(Page& page, const http::Request& req) {
    VerifierService* service = resolve();
    if (service == nullptr) return http::Response::JsonError(503, "unavailable");
    const std::string id = req.PathParam("id").value_or("");
    auto check = Lookup(*service, id, nullptr);
    if (!check.ok()) return http::Response::JsonError(404, "not_found");
    const std::string status = check->status.empty() ? "created" : check->status;
    return http::Response::JsonBody(200, Json{{"status", status},
                                              {"label", std::string(page.t(Key("status.", status)))},
                                              {"done", check->finished()},
                                              {"next", "/checks/" + id}});
  }

  http::Response GetRecordPdf(Page& page, const http::Request& req) {
    VerifierService* service = resolve();
    if (service == nullptr) return Message(page, 503, "unavailable", "unavailable.body");
    const std::string id = req.PathParam("id").value_or("");
    auto check = Lookup(*service, id, nullptr);
    if (!check.ok() || check->check_record.empty()) return Message(page, 404, "not_found", "not_found.body");
    auto key = crypto::PublicKey::FromJwk(service->CheckRecordKey());
    if (!key.ok()) return Message(page, 503, "unavailable", "unavailable.body");
    auto record = VerifyCheckRecord(check->check_record, *key);
    if (!record.ok()) return Message(page, 503, "unavailable", "unavailable.body");
    auto pdf = RenderCheckRecordPdf(SignedCheckRecord{.jwt = check->check_record, .record = *record},
                                    PdfLang(page.request.lang));
    if (!pdf.ok()) return Message(page, 503, "unavailable", "unavailable.body");
    http::Response response;
    response.content_type = "application/pdf";
    response.body = std::move(*pdf);
    response.headers.emplace_back("Content-Disposition",
                                  "attachment; filename=\"check-record-" + check->check + "-" +
                                      std::to_string(check->finished_at) + ".pdf\"");
    response.headers.emplace_back("Cache-Control", "no-store");
    response.headers.emplace_back("X-Content-Type-Options", "nosniff");
    return web::FinishPage(page.request, fe->sessions(), std::move(response));
  }
};

}  // namespace

Status RegisterPortalRoutes(http::Server& server, std::function<VerifierService*()> resolve, PortalOptions options) {
  if (!resolve || options.checks == nullptr || options.clock == nullptr || options.random == nullptr) {
    return Status(StatusCode::kInvalidArgument, "the portal needs a service, a check store, a clock and randomness");
  }
  if (Words().size() != std::size(kMessages)) {
    return Status(StatusCode::kInternal, "the portal's message table is invalid");
  }
  auto portal = std::make_shared<Portal>();
  portal->resolve = std::move(resolve);
  portal->fe = std::make_shared<web::FrontEnd>(
      web::FrontEndOptions{.words = &Words(),
                           .home = "/",
                           .nav = {{"/checks/new", "nav.new", "new"}, {"/checks", "nav.checks", "checks"}},
                           .footer_action = "/sign-out",
                           .sessions = {.cookie_name = "bonafide_portal", .secure_cookie = options.secure_cookie}},
      *options.clock, *options.random);
  RETURN_IF_ERROR(web::RegisterStaffSignIn(server, portal->fe,
                                           {.users_file = options.users_file,
                                            .sign_in_path = "/sign-in",
                                            .sign_out_path = "/sign-out",
                                            .home_path = "/checks"},
                                           *options.clock));
  portal->options = std::move(options);

  RETURN_IF_ERROR(web::ServeAssets(server));
  RETURN_IF_ERROR(server.Get("/", [portal](const http::Request& req) {
    Portal::Page page = portal->Begin(req);
    return portal->Redirect(page, page.user.empty() ? "/sign-in" : "/checks");
  }));
  // Every page but the sign-in is for a signed-in member of staff (web::StaffOnly; the status
  // the result page polls answers 401 instead of redirecting).
  using Method = http::Response (Portal::*)(Portal::Page&, const http::Request&);
  auto bind = [portal](Method m, bool json = false) {
    return web::StaffOnly(
        portal->fe, "/sign-in",
        [portal, m](Portal::Page& page, const http::Request& req) { return ((*portal).*m)(page, req); }, json);
  };
  RETURN_IF_ERROR(server.Get("/checks", bind(&Portal::GetChecks)));
  RETURN_IF_ERROR(server.Get("/checks/new", bind(&Portal::GetNewCheck)));
  RETURN_IF_ERROR(server.Post("/checks/new", bind(&Portal::PostNewCheck)));
  RETURN_IF_ERROR(server.Get("/checks/{id}", bind(&Portal::GetCheck)));
  RETURN_IF_ERROR(server.Get("/checks/{id}/status", bind(&Portal::GetCheckStatus, /*json=*/true)));
  RETURN_IF_ERROR(server.Get("/checks/{id}/record.pdf", bind(&Portal::GetRecordPdf)));
  return OkStatus();
}

}  // namespace bonafide::verifier
