#include "web/page.h"

#include <utility>

#include "oid4vci/token.h"

namespace bonafide::web {

namespace {

constexpr std::string_view kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

// WithLang returns `path` with lang=code added to (or replacing in) its query.
std::string WithLang(std::string_view path, std::string_view code) {
  std::string base(path.substr(0, path.find('#')));
  std::string query;
  if (const size_t q = base.find('?'); q != std::string::npos) {
    std::string_view rest = std::string_view(base).substr(q + 1);
    while (!rest.empty()) {
      const size_t amp = rest.find('&');
      std::string_view part = rest.substr(0, amp);
      if (part.substr(0, 5) != "lang=" && !part.empty()) {
        query += query.empty() ? "" : "&";
        query += part;
      }
      rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    }
    base.resize(q);
  }
  query += query.empty() ? "" : "&";
  query += "lang=";
  query += code;
  return base + "?" + query;
}

Html LanguageSwitch(const PageOptions& options) {
  const bool welsh = options.lang == Lang::kWelsh;
  auto item = [&](Lang lang, std::string_view label, std::string_view code) {
    if (options.lang == lang) {
      return Format(
          "<li class=\"govuk-language-navigation__list-item\"><span class=\"govuk-language-navigation__text\" "
          "aria-current=\"true\" lang=\"{}\">{}</span></li>",
          {Html::Text(code), Html::Text(label)});
    }
    return Format(
        "<li class=\"govuk-language-navigation__list-item\"><a class=\"govuk-language-navigation__link\" "
        "href=\"{}\" rel=\"alternate\" lang=\"{}\" hreflang=\"{}\">{}</a></li>",
        {SafeHref(WithLang(options.path, code)), Html::Text(code), Html::Text(code), Html::Text(label)});
  };
  return Format(
      "<nav class=\"govuk-language-navigation\" aria-label=\"{}\"><ul class=\"govuk-language-navigation__list\">"
      "{}{}</ul></nav>",
      {Html::Text(welsh ? "Iaith" : "Language"), item(Lang::kEnglish, "English", "en"),
       item(Lang::kWelsh, "Cymraeg", "cy")});
}

Html ServiceNavigation(const PageOptions& options) {
  Html items;
  for (const NavItem& nav : options.nav) {
    if (nav.current) {
      items += Format(
          "<li class=\"govuk-service-navigation__item govuk-service-navigation__item--active\">"
          "<a class=\"govuk-service-navigation__link\" href=\"{}\" aria-current=\"page\">"
          "<strong class=\"govuk-service-navigation__active-fallback\">{}</strong></a></li>",
          {SafeHref(nav.href), Html::Text(nav.label)});
    } else {
      items += Format(
          "<li class=\"govuk-service-navigation__item\"><a class=\"govuk-service-navigation__link\" "
          "href=\"{}\">{}</a></li>",
          {SafeHref(nav.href), Html::Text(nav.label)});
    }
  }
  const bool welsh = options.lang == Lang::kWelsh;
  Html nav;
  if (!options.nav.empty()) {
    nav = Format(
        "<nav aria-label=\"{}\" class=\"govuk-service-navigation__wrapper\">"
        "<ul class=\"govuk-service-navigation__list\" id=\"navigation\">{}</ul></nav>",
        {Html::Text(welsh ? "Dewislen" : "Menu"), items});
  }
  return Format(
      "<section aria-label=\"{}\" class=\"govuk-service-navigation\" data-module=\"govuk-service-navigation\">"
      "<div class=\"govuk-width-container\"><div class=\"govuk-service-navigation__container\">"
      "<span class=\"govuk-service-navigation__service-name\"><a href=\"{}\" class=\"govuk-service-navigation__link\">"
      "{}</a></span>{}</div></div></section>",
      {Html::Text(welsh ? "Disgrifiad o'r gwasanaeth" : "Service information"), SafeHref(options.service_href),
       Html::Text(options.service_name), nav});
}

}  // namespace

Html RenderPage(const PageOptions& options) {
  const bool welsh = options.lang == Lang::kWelsh;
  std::string title = options.title + " - " + options.service_name;
  if (options.has_errors) title = std::string(welsh ? "Gwall: " : "Error: ") + title;
  Html phase;
  if (options.phase) {
    phase = Format(
        "<div class=\"govuk-phase-banner\"><p class=\"govuk-phase-banner__content\">"
        "<strong class=\"govuk-tag govuk-phase-banner__content__tag\">{}</strong>"
        "<span class=\"govuk-phase-banner__text\">{}</span></p></div>",
        {Html::Text(*options.phase),
         Html::Text(welsh ? "Gwasanaeth newydd yw hwn. Mae dogfennau papur yn dal yn ddilys."
                          : "This is a new service. Paper documents are still valid.")});
  }
  return Format(
      "<!DOCTYPE html>\n<html lang=\"{}\" class=\"govuk-template\"><head><meta charset=\"utf-8\">"
      "<title>{}</title><meta name=\"viewport\" content=\"width=device-width, initial-scale=1, viewport-fit=cover\">"
      "<meta name=\"theme-color\" content=\"#1d70b8\"><link rel=\"icon\" href=\"/assets/favicon.svg\" type=\"image/svg+xml\">"
      "<link rel=\"stylesheet\" href=\"/assets/bonafide.css\">"
      "<script type=\"module\" src=\"/assets/app.js\"></script></head>"
      "<body class=\"govuk-template__body\">"
      "<a href=\"#main-content\" class=\"govuk-skip-link\" data-module=\"govuk-skip-link\">{}</a>"
      "<header class=\"govuk-template__header\">"
      "<div class=\"govuk-header\"><div class=\"govuk-header__container govuk-width-container\">"
      "<div class=\"govuk-header__logo\"><a href=\"{}\" class=\"govuk-header__homepage-link\">"
      "<span class=\"govuk-header__logotype-text\">bonafide</span></a></div></div></div>"
      "{}</header>"
      "<div class=\"govuk-width-container\">{}{}"
      "<main class=\"govuk-main-wrapper\" id=\"main-content\">{}</main></div>"
      "<footer class=\"govuk-footer\"><div class=\"govuk-width-container\"><div class=\"govuk-footer__meta\">"
      "<div class=\"govuk-footer__meta-item govuk-footer__meta-item--grow\"><p class=\"govuk-body-s\">{}</p></div>"
      "</div></div></footer></body></html>\n",
      {Html::Text(LangCode(options.lang)), Html::Text(title),
       Html::Text(welsh ? "Neidio i'r prif gynnwys" : "Skip to main content"), SafeHref(options.service_href),
       ServiceNavigation(options), phase, LanguageSwitch(options), options.body,
       Html::Text(welsh ? "Mae dogfennau corfforol yn dal yn ddilys. Dim ond yr hyn rydych yn cytuno iddo y mae "
                          "gwasanaeth yn ei weld."
                        : "Physical documents remain valid. A service sees only what you agree to share.")});
}

http::Response HtmlPage(int status, const Html& html) {
  http::Response response;
  response.status = status;
  response.content_type = "text/html; charset=utf-8";
  response.body = html.str();
  response.headers.emplace_back("Content-Security-Policy", std::string(kContentSecurityPolicy));
  response.headers.emplace_back("X-Frame-Options", "DENY");
  response.headers.emplace_back("Referrer-Policy", "same-origin");
  response.headers.emplace_back("Cache-Control", "no-store");
  response.headers.emplace_back("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
  return response;
}

http::Response SeeOther(std::string_view location) {
  const bool local = !location.empty() && location.front() == '/' && location.substr(0, 2) != "//" &&
                     location.substr(0, 2) != "/\\" && location.find_first_of("\r\n") == std::string_view::npos;
  http::Response response;
  response.status = 303;
  response.content_type.clear();
  response.headers.emplace_back("Location", local ? std::string(location) : std::string("/"));
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

PageRequest BeginPage(const http::Request& request, SessionStore& sessions) {
  PageRequest page;
  page.lang = RequestLang(request);
  page.chosen_lang = LangChosenNow(request);
  if (auto session = sessions.Find(request)) {
    page.session = std::move(*session);
  } else {
    page.session = sessions.Start();
    page.new_session = true;
  }
  return page;
}

http::Response FinishPage(const PageRequest& page, const SessionStore& sessions, http::Response response) {
  if (page.new_session) response.headers.emplace_back("Set-Cookie", sessions.CookieFor(page.session));
  if (page.chosen_lang) {
    response.headers.emplace_back(
        "Set-Cookie",
        SetCookieValue(kLangCookie, LangCode(*page.chosen_lang),
                       CookieOptions{.secure = sessions.options().secure_cookie, .same_site = "Lax",
                                     .max_age = int64_t{365} * 24 * 60 * 60}));
  }
  return response;
}

std::string RequestTarget(const http::Request& request) {
  oid4vci::FormParams query;
  for (const auto& [name, value] : request.query) {
    if (name != "lang") query.emplace(name, value);
  }
  if (query.empty()) return request.path;
  return request.path + "?" + oid4vci::EncodeForm(query);
}

Result<FormFields> ReadForm(const http::Request& request, const BrowserSession& session) {
  const auto type = request.Header("Content-Type").value_or("");
  if (std::string_view(type).substr(0, 33) != "application/x-www-form-urlencoded") {
    return Status(StatusCode::kMalformed, "the form must be sent as application/x-www-form-urlencoded");
  }
  ASSIGN_OR_RETURN(auto params,
                   oid4vci::ParseFormUrlEncoded(request.body, oid4vci::FormLimits{.max_bytes = 64 * 1024, .max_params = 64}));
  FormFields fields(params.begin(), params.end());
  RETURN_IF_ERROR(CheckCsrf(request, session, Field(fields, kCsrfField)));
  return fields;
}

std::string Field(const FormFields& fields, std::string_view name) {
  auto it = fields.find(name);
  return it == fields.end() ? std::string() : it->second;
}

Html CsrfField(const BrowserSession& session) {
  return Format("<input type=\"hidden\" name=\"csrf_token\" value=\"{}\">", {Html::Text(session.csrf_token)});
}

}  // namespace bonafide::web
