#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "base/clock.h"
#include "crypto/random.h"
#include "http/client.h"
#include "http/server.h"
#include "web/assets.h"
#include "web/front_end.h"
#include "web/govuk.h"
#include "web/html.h"
#include "web/i18n.h"
#include "web/page.h"
#include "web/password.h"
#include "web/session.h"

namespace bonafide::web {
namespace {

http::Request RequestWith(http::Headers headers, std::vector<std::pair<std::string, std::string>> query = {}) {
  http::Request request;
  request.method = "GET";
  request.path = "/page";
  request.headers = std::move(headers);
  request.query = std::move(query);
  return request;
}

// ---------------------------------------------------------------- html

TEST(EscapeHtml, EscapesMarkupAndQuotes) {
  EXPECT_EQ(EscapeHtml("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
}

TEST(EscapeHtml, KeepsValidUtf8AndReplacesInvalid) {
  EXPECT_EQ(EscapeHtml("Siân Llŷr"), "Siân Llŷr");
  // A lone continuation byte, an overlong '/', a surrogate, a truncated sequence at the end.
  EXPECT_EQ(EscapeHtml("a\x80z"), "a\xEF\xBF\xBDz");
  EXPECT_EQ(EscapeHtml("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(EscapeHtml("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(EscapeHtml("ok\xE2\x82"), "ok\xEF\xBF\xBD\xEF\xBF\xBD");
  // The largest code point is kept; one past it is not.
  EXPECT_EQ(EscapeHtml("\xF4\x8F\xBF\xBF"), "\xF4\x8F\xBF\xBF");
  EXPECT_EQ(EscapeHtml("\xF4\x90\x80\x80").substr(0, 3), "\xEF\xBF\xBD");
}

TEST(EscapeHtml, ReplacesControlCharactersButKeepsWhitespace) {
  EXPECT_EQ(EscapeHtml(std::string("a\0b", 3)), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(EscapeHtml("a\x1b[31m"), "a\xEF\xBF\xBD[31m");
  EXPECT_EQ(EscapeHtml("a\tb\nc\r"), "a\tb\nc\r");
}

TEST(Format, FillsHolesInOrderAndKeepsTextEscaped) {
  Html html = Format("<p class=\"{}\">{}</p>", {Html::Text("x\"onmouseover=\"y"), Html::Text("<b>")});
  EXPECT_EQ(html.str(), "<p class=\"x&quot;onmouseover=&quot;y\">&lt;b&gt;</p>");
}

TEST(Format, MissingArgumentsLeaveHolesEmptyAndExtraOnesAreAppended) {
  EXPECT_EQ(Format("<a>{}</a><b>{}</b>", {Html::Text("1")}).str(), "<a>1</a><b></b>");
  EXPECT_EQ(Format("<a>{}</a>", {Html::Text("1"), Html::Text("2")}).str(), "<a>1</a>2");
}

TEST(SafeHref, AllowsLocalPathsAndWebAndWalletLinks) {
  EXPECT_EQ(SafeHref("/checks/abc?x=1&y=2").str(), "/checks/abc?x=1&amp;y=2");
  EXPECT_EQ(SafeHref("https://verifier.example/x").str(), "https://verifier.example/x");
  EXPECT_EQ(SafeHref("openid4vp://?client_id=a").str(), "openid4vp://?client_id=a");
  EXPECT_EQ(SafeHref("openid-credential-offer://?x").str(), "openid-credential-offer://?x");
}

TEST(SafeHref, RefusesScriptDataAndProtocolRelativeUrls) {
  EXPECT_EQ(SafeHref("javascript:alert(1)").str(), "#");
  EXPECT_EQ(SafeHref("JAVASCRIPT:alert(1)").str(), "#");
  EXPECT_EQ(SafeHref("data:text/html,<script>").str(), "#");
  EXPECT_EQ(SafeHref("//evil.example/").str(), "#");
  EXPECT_EQ(SafeHref("/\\evil.example/").str(), "#");
  EXPECT_EQ(SafeHref("").str(), "#");
}

// ---------------------------------------------------------------- govuk components

TEST(Govuk, TextInputWithErrorLinksHintAndErrorForScreenReaders) {
  Html html = govuk::TextInput(Lang::kEnglish, {.id = "pin", .name = "pin", .label = "PIN", .hint = "6 digits",
                                                .value = "<1>", .error = "Enter your PIN", .type = "password"});
  const std::string& s = html.str();
  EXPECT_NE(s.find("govuk-form-group--error"), std::string::npos);
  EXPECT_NE(s.find("<label class=\"govuk-label\" for=\"pin\">PIN</label>"), std::string::npos);
  EXPECT_NE(s.find("aria-describedby=\"pin-hint pin-error\""), std::string::npos);
  EXPECT_NE(s.find("<span class=\"govuk-visually-hidden\">Error: </span>Enter your PIN"), std::string::npos);
  EXPECT_NE(s.find("value=\"&lt;1&gt;\""), std::string::npos);
  EXPECT_NE(s.find("type=\"password\""), std::string::npos);
}

TEST(Govuk, TextInputWithoutHintOrErrorHasNoDescribedBy) {
  const std::string s = govuk::TextInput(Lang::kEnglish, {.id = "a", .name = "a", .label = "A"}).str();
  EXPECT_EQ(s.find("aria-describedby"), std::string::npos);
  EXPECT_EQ(s.find("govuk-form-group--error"), std::string::npos);
}

TEST(Govuk, ErrorSummaryLinksToFieldsInWelsh) {
  const std::string s =
      govuk::ErrorSummary(Lang::kWelsh, {{.field_id = "pin", .message = "Rhowch eich PIN"}}).str();
  EXPECT_NE(s.find("Mae problem wedi codi"), std::string::npos);
  EXPECT_NE(s.find("<a href=\"#pin\">Rhowch eich PIN</a>"), std::string::npos);
  EXPECT_TRUE(govuk::ErrorSummary(Lang::kEnglish, {}).empty());
}

TEST(Govuk, RadiosMarkTheSelectedItemAndNumberIds) {
  const std::string s = govuk::Radios(Lang::kEnglish, {.name = "check", .legend = "Which check?",
                                                       .items = {{.value = "a", .label = "A"}, {.value = "b", .label = "B"}},
                                                       .selected = "b"})
                            .str();
  EXPECT_NE(s.find("id=\"check\" name=\"check\" type=\"radio\" value=\"a\">"), std::string::npos);
  EXPECT_NE(s.find("id=\"check-2\" name=\"check\" type=\"radio\" value=\"b\" checked>"), std::string::npos);
}

// ---------------------------------------------------------------- i18n

constexpr Message kMessages[] = {
    {"hello", "Hello", "Helo"},
    {"check", "Check", "Gwirio"},
};

TEST(Catalogue, FindsBothLanguagesAndTranslatorFallsBackToTheKey) {
  auto catalogue = Catalogue::Create(kMessages);
  ASSERT_TRUE(catalogue.ok());
  EXPECT_EQ(catalogue->size(), 2u);
  EXPECT_EQ(Translator(*catalogue, Lang::kWelsh)("hello"), "Helo");
  EXPECT_EQ(Translator(*catalogue, Lang::kEnglish)("check"), "Check");
  EXPECT_EQ(Translator(*catalogue, Lang::kEnglish)("missing_key"), "missing_key");
  EXPECT_FALSE(catalogue->Find(Lang::kEnglish, "missing_key").has_value());
}

TEST(Catalogue, RefusesRepeatedKeysAndMissingWelsh) {
  constexpr Message repeated[] = {{"a", "A", "A"}, {"a", "B", "B"}};
  EXPECT_EQ(Catalogue::Create(repeated).status().code(), StatusCode::kInvalidArgument);
  constexpr Message no_welsh[] = {{"a", "A", ""}};
  EXPECT_EQ(Catalogue::Create(no_welsh).status().code(), StatusCode::kInvalidArgument);
  constexpr Message no_key[] = {{"", "A", "A"}};
  EXPECT_EQ(Catalogue::Create(no_key).status().code(), StatusCode::kInvalidArgument);
}

TEST(RequestLang, QueryBeatsCookieBeatsAcceptLanguage) {
  EXPECT_EQ(RequestLang(RequestWith({{"Cookie", "lang=en"}, {"Accept-Language", "cy"}}, {{"lang", "cy"}})),
            Lang::kWelsh);
  EXPECT_EQ(RequestLang(RequestWith({{"Cookie", "a=b; lang=cy"}, {"Accept-Language", "en"}})), Lang::kWelsh);
  EXPECT_EQ(RequestLang(RequestWith({{"Accept-Language", "cy-GB,en;q=0.5"}})), Lang::kWelsh);
  EXPECT_EQ(RequestLang(RequestWith({{"Accept-Language", "en-GB,cy;q=0.9"}})), Lang::kEnglish);
  EXPECT_EQ(RequestLang(RequestWith({})), Lang::kEnglish);
  // Unknown values are ignored rather than trusted.
  EXPECT_EQ(RequestLang(RequestWith({{"Cookie", "lang=fr"}}, {{"lang", "xx"}})), Lang::kEnglish);
  EXPECT_FALSE(LangChosenNow(RequestWith({}, {{"lang", "xx"}})).has_value());
}

TEST(FormatLongDate, WritesGovukDatesInBothLanguages) {
  EXPECT_EQ(*FormatLongDate("2029-01-31", Lang::kEnglish), "31 January 2029");
  EXPECT_EQ(*FormatLongDate("2029-01-31", Lang::kWelsh), "31 Ionawr 2029");
  EXPECT_EQ(*FormatLongDate("2028-02-29", Lang::kEnglish), "29 February 2028");
  EXPECT_EQ(*FormatLongDate("2026-12-05", Lang::kWelsh), "5 Rhagfyr 2026");
}

TEST(FormatLongDate, RefusesMalformedAndImpossibleDates) {
  for (const char* bad : {"2027-02-29", "2029-13-01", "2029-00-10", "29-01-2029", "2029-1-31", "2029-01-3x", "",
                          "0000-01-01", "+029-01-31"}) {
    EXPECT_EQ(FormatLongDate(bad, Lang::kEnglish).status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(FormatDateTime, WritesUtc) {
  EXPECT_EQ(FormatDateTime(1795000000, Lang::kEnglish), "18 November 2026, 11:06 UTC");
  EXPECT_EQ(FormatDateTime(0, Lang::kWelsh), "1 Ionawr 1970, 00:00 UTC");
}

// ---------------------------------------------------------------- cookies and sessions

TEST(Cookies, ParseTrimsAndSkipsPairsWithoutValue) {
  auto cookies = ParseCookieHeader(" a=1; b = \"two\" ;junk; =x; c=");
  ASSERT_EQ(cookies.size(), 3u);
  EXPECT_EQ(cookies[0], (std::pair<std::string, std::string>{"a", "1"}));
  EXPECT_EQ(cookies[1], (std::pair<std::string, std::string>{"b", "two"}));
  EXPECT_EQ(cookies[2], (std::pair<std::string, std::string>{"c", ""}));
}

TEST(Cookies, SetCookieCarriesTheSecurityAttributesAndDropsUnsafeBytes) {
  EXPECT_EQ(SetCookieValue("s", "abc", {}), "s=abc; Path=/; Secure; HttpOnly; SameSite=Strict");
  EXPECT_EQ(SetCookieValue("s", "a;b\r\nSet-Cookie: x", CookieOptions{.secure = false, .max_age = 0}),
            "s=abSet-Cookie:x; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
}

class SessionStoreTest : public ::testing::Test {
 protected:
  FixedClock clock_{1'800'000'000};
  Random& random_ = crypto::SystemRandom();
};

http::Request WithSessionCookie(const SessionStore& store, const BrowserSession& session) {
  return RequestWith({{"Cookie", "other=1; " + store.options().cookie_name + "=" + session.id}});
}

TEST_F(SessionStoreTest, FindsAStartedSessionByCookieAndKeepsValues) {
  SessionStore store({}, clock_, random_);
  BrowserSession session = store.Start();
  EXPECT_EQ(session.id.size(), 22u);
  EXPECT_EQ(session.csrf_token.size(), 22u);
  EXPECT_NE(session.id, session.csrf_token);
  session.values["user"] = "officer";
  ASSERT_TRUE(store.Save(session).ok());
  auto found = store.Find(WithSessionCookie(store, session));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->Value("user"), "officer");
  EXPECT_FALSE(store.Find(RequestWith({{"Cookie", "bonafide_session=forged"}})).has_value());
  EXPECT_FALSE(store.Find(RequestWith({})).has_value());
}

TEST_F(SessionStoreTest, EndsAfterTheIdleTimeoutButNotBefore) {
  SessionStore store({.idle_timeout_seconds = 900}, clock_, random_);
  BrowserSession session = store.Start();
  clock_.Set(clock_.NowSeconds() + 899);
  ASSERT_TRUE(store.Find(WithSessionCookie(store, session)).has_value());  // seen: idle time restarts
  clock_.Set(clock_.NowSeconds() + 899);
  ASSERT_TRUE(store.Find(WithSessionCookie(store, session)).has_value());
  clock_.Set(clock_.NowSeconds() + 900);
  EXPECT_FALSE(store.Find(WithSessionCookie(store, session)).has_value());
  EXPECT_EQ(store.Save(session).code(), StatusCode::kNotFound);
  EXPECT_EQ(store.size(), 0u);
}

TEST_F(SessionStoreTest, EndsAfterTheAbsoluteTimeoutEvenWhenBusy) {
  SessionStore store({.idle_timeout_seconds = 900, .absolute_timeout_seconds = 3600}, clock_, random_);
  BrowserSession session = store.Start();
  for (int i = 1; i <= 5; ++i) {  // seen every 700 s, up to 3500 s after the start
    clock_.Set(clock_.NowSeconds() + 700);
    EXPECT_TRUE(store.Find(WithSessionCookie(store, session)).has_value()) << i;
  }
  clock_.Set(session.created_at + 3599);
  EXPECT_TRUE(store.Find(WithSessionCookie(store, session)).has_value());
  clock_.Set(session.created_at + 3600);  // idle only 1 s, but 1 hour old
  EXPECT_FALSE(store.Find(WithSessionCookie(store, session)).has_value());
}

TEST_F(SessionStoreTest, DropsTheLeastRecentlySeenWhenFull) {
  SessionStore store({.max_sessions = 2}, clock_, random_);
  BrowserSession a = store.Start();
  BrowserSession b = store.Start();
  ASSERT_TRUE(store.Find(WithSessionCookie(store, a)).has_value());  // a is now the most recent
  BrowserSession c = store.Start();
  EXPECT_EQ(store.size(), 2u);
  EXPECT_TRUE(store.Find(WithSessionCookie(store, a)).has_value());
  EXPECT_FALSE(store.Find(WithSessionCookie(store, b)).has_value());
  EXPECT_TRUE(store.Find(WithSessionCookie(store, c)).has_value());
}

TEST_F(SessionStoreTest, RotateGivesNewIdAndTokenAndEndsTheOldId) {
  SessionStore store({}, clock_, random_);
  BrowserSession session = store.Start();
  session.values["user"] = "x";
  auto rotated = store.Rotate(session);
  ASSERT_TRUE(rotated.ok());
  EXPECT_NE(rotated->id, session.id);
  EXPECT_NE(rotated->csrf_token, session.csrf_token);
  EXPECT_FALSE(store.Find(WithSessionCookie(store, session)).has_value());
  auto found = store.Find(WithSessionCookie(store, *rotated));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->Value("user"), "x");
  EXPECT_EQ(store.Rotate(session).status().code(), StatusCode::kNotFound);
  store.End(rotated->id);
  EXPECT_FALSE(store.Find(WithSessionCookie(store, *rotated)).has_value());
  EXPECT_NE(store.ExpiredCookie().find("Max-Age=0"), std::string::npos);
}

TEST(Csrf, AcceptsTheSessionTokenFromTheSameOriginOnly) {
  BrowserSession session;
  session.csrf_token = "token-123";
  http::Request request = RequestWith({{"Host", "127.0.0.1:8080"}});
  EXPECT_TRUE(CheckCsrf(request, session, "token-123").ok());
  EXPECT_EQ(CheckCsrf(request, session, "token-124").code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(CheckCsrf(request, session, "").code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(CheckCsrf(request, session, "token-12").code(), StatusCode::kPermissionDenied);
  request.headers.emplace_back("Origin", "http://127.0.0.1:8080");
  EXPECT_TRUE(CheckCsrf(request, session, "token-123").ok());
  http::Request foreign = RequestWith({{"Host", "127.0.0.1:8080"}, {"Origin", "http://evil.example"}});
  EXPECT_EQ(CheckCsrf(foreign, session, "token-123").code(), StatusCode::kPermissionDenied);
  BrowserSession empty;
  EXPECT_EQ(CheckCsrf(request, empty, "").code(), StatusCode::kPermissionDenied);
}

TEST(LoginThrottle, LocksAfterTheFifthFailureForTheLockoutThenAllows) {
  FixedClock clock(1'000'000);
  LoginThrottle throttle(clock, 5, 900, 900);
  for (int i = 0; i < 4; ++i) throttle.RecordFailure("officer");
  EXPECT_EQ(throttle.RetryAfter("officer"), 0);
  throttle.RecordFailure("officer");
  EXPECT_EQ(throttle.RetryAfter("officer"), 900);
  EXPECT_EQ(throttle.RetryAfter("someone-else"), 0);
  clock.Set(clock.NowSeconds() + 899);
  EXPECT_EQ(throttle.RetryAfter("officer"), 1);
  clock.Set(clock.NowSeconds() + 1);
  EXPECT_EQ(throttle.RetryAfter("officer"), 0);
}

TEST(LoginThrottle, FailuresOutsideTheWindowAndSuccessesReset) {
  FixedClock clock(1'000'000);
  LoginThrottle throttle(clock, 3, 60, 600);
  throttle.RecordFailure("k");
  throttle.RecordFailure("k");
  clock.Set(clock.NowSeconds() + 60);  // the window has passed: counting starts again
  throttle.RecordFailure("k");
  throttle.RecordFailure("k");
  EXPECT_EQ(throttle.RetryAfter("k"), 0);
  throttle.RecordSuccess("k");
  throttle.RecordFailure("k");
  throttle.RecordFailure("k");
  EXPECT_EQ(throttle.RetryAfter("k"), 0);
  throttle.RecordFailure("k");
  EXPECT_EQ(throttle.RetryAfter("k"), 600);
}

TEST(LoginThrottle, StaysBoundedUnderManyKeys) {
  FixedClock clock(1'000'000);
  LoginThrottle throttle(clock, 5, 60, 60, 100);
  for (int i = 0; i < 1000; ++i) throttle.RecordFailure("k" + std::to_string(i));
  for (int i = 0; i < 5; ++i) throttle.RecordFailure("victim");
  EXPECT_EQ(throttle.RetryAfter("victim"), 60);
}

// ---------------------------------------------------------------- page and forms

TEST(Page, CarriesLanguageTitleAndNoInlineScriptOrStyle) {
  PageOptions options;
  options.lang = Lang::kWelsh;
  options.title = "Dechrau gwiriad";
  options.has_errors = true;
  options.service_name = "Gwirio ID digidol";
  options.path = "/checks/new?x=1&lang=en";
  options.body = govuk::Heading("Dechrau gwiriad");
  const std::string s = RenderPage(options).str();
  EXPECT_NE(s.find("<html lang=\"cy\""), std::string::npos);
  EXPECT_NE(s.find("<title>Gwall: Dechrau gwiriad - Gwirio ID digidol</title>"), std::string::npos);
  EXPECT_NE(s.find("href=\"/checks/new?x=1&amp;lang=en\""), std::string::npos);  // switch to English
  EXPECT_NE(s.find("<a href=\"#main-content\" class=\"govuk-skip-link\""), std::string::npos);
  EXPECT_EQ(s.find("<script>"), std::string::npos);
  EXPECT_EQ(s.find("style="), std::string::npos);
  EXPECT_EQ(s.find("GDS Transport"), std::string::npos);
}

TEST(Page, HtmlResponsesCarryTheSecurityHeaders) {
  http::Response response = HtmlPage(200, Html::Trusted("<p>x</p>"));
  EXPECT_EQ(response.content_type, "text/html; charset=utf-8");
  auto csp = http::FindHeader(response.headers, "Content-Security-Policy");
  ASSERT_TRUE(csp.has_value());
  EXPECT_NE(csp->find("default-src 'none'"), std::string::npos);
  EXPECT_NE(csp->find("script-src 'self'"), std::string::npos);
  EXPECT_NE(csp->find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_EQ(csp->find("unsafe-inline"), std::string::npos);
  EXPECT_EQ(http::FindHeader(response.headers, "X-Frame-Options"), "DENY");
  EXPECT_EQ(http::FindHeader(response.headers, "Cache-Control"), "no-store");
}

TEST(Page, SeeOtherOnlyRedirectsWithinTheSite) {
  EXPECT_EQ(http::FindHeader(SeeOther("/checks/1").headers, "Location"), "/checks/1");
  EXPECT_EQ(http::FindHeader(SeeOther("https://evil.example").headers, "Location"), "/");
  EXPECT_EQ(http::FindHeader(SeeOther("//evil.example").headers, "Location"), "/");
  EXPECT_EQ(http::FindHeader(SeeOther("/x\r\nSet-Cookie: a=b").headers, "Location"), "/");
  EXPECT_EQ(SeeOther("/").status, 303);
}

TEST_F(SessionStoreTest, BeginAndFinishPageSetCookiesOnlyWhenNeeded) {
  SessionStore store({}, clock_, random_);
  http::Request first = RequestWith({}, {{"lang", "cy"}});
  PageRequest page = BeginPage(first, store);
  EXPECT_TRUE(page.new_session);
  EXPECT_EQ(page.lang, Lang::kWelsh);
  http::Response response = FinishPage(page, store, HtmlPage(200, Html()));
  int cookies = 0;
  for (const auto& [name, value] : response.headers) {
    if (name == "Set-Cookie") ++cookies;
  }
  EXPECT_EQ(cookies, 2);  // the session and the language
  PageRequest again = BeginPage(WithSessionCookie(store, page.session), store);
  EXPECT_FALSE(again.new_session);
  EXPECT_EQ(again.session.id, page.session.id);
  EXPECT_FALSE(http::FindHeader(FinishPage(again, store, HtmlPage(200, Html())).headers, "Set-Cookie").has_value());
}

TEST(ReadForm, ParsesAFormWithTheRightTokenAndRefusesOthers) {
  BrowserSession session;
  session.csrf_token = "tok";
  http::Request request = RequestWith({{"Content-Type", "application/x-www-form-urlencoded"}});
  request.method = "POST";
  request.body = "csrf_token=tok&name=Si%C3%A2n+Jones";
  auto fields = ReadForm(request, session);
  ASSERT_TRUE(fields.ok()) << fields.status().ToString();
  EXPECT_EQ(Field(*fields, "name"), "Siân Jones");
  EXPECT_EQ(Field(*fields, "absent"), "");

  request.body = "name=x";
  EXPECT_EQ(ReadForm(request, session).status().code(), StatusCode::kPermissionDenied);
  request.body = "csrf_token=bad&name=x";
  EXPECT_EQ(ReadForm(request, session).status().code(), StatusCode::kPermissionDenied);
  request.body = "csrf_token=tok&%zz=1";
  EXPECT_EQ(ReadForm(request, session).status().code(), StatusCode::kMalformed);
  request.body = "csrf_token=tok&a=" + std::string(70 * 1024, 'a');
  EXPECT_EQ(ReadForm(request, session).status().code(), StatusCode::kLimitExceeded);
  http::Request json = RequestWith({{"Content-Type", "application/json"}});
  json.body = "{}";
  EXPECT_EQ(ReadForm(json, session).status().code(), StatusCode::kMalformed);
}

TEST(RequestTarget, KeepsTheQueryWithoutLang) {
  http::Request request = RequestWith({}, {{"lang", "cy"}, {"page", "2"}});
  EXPECT_EQ(RequestTarget(request), "/page?page=2");
  EXPECT_EQ(RequestTarget(RequestWith({}, {{"lang", "cy"}})), "/page");
}

// ---------------------------------------------------------------- assets

TEST(Assets, EmbedsTheStylesheetAndScriptsWithoutTheReservedTypeface) {
  EXPECT_EQ(AssetCount(), 4u);
  EXPECT_TRUE(FindAsset("/assets/favicon.svg").ok());
  auto css = FindAsset("/assets/bonafide.css");
  ASSERT_TRUE(css.ok());
  EXPECT_EQ(css->content_type, "text/css; charset=utf-8");
  EXPECT_NE(css->body.find(".govuk-button"), std::string_view::npos);
  EXPECT_EQ(css->body.find("GDS Transport"), std::string_view::npos);
  EXPECT_EQ(css->body.find("@font-face"), std::string_view::npos);
  auto js = FindAsset("/assets/govuk-frontend.min.js");
  ASSERT_TRUE(js.ok());
  EXPECT_NE(js->body.find("initAll"), std::string_view::npos);
  auto app = FindAsset("/assets/app.js");
  ASSERT_TRUE(app.ok());
  EXPECT_NE(app->body.find("import { initAll } from './govuk-frontend.min.js'"), std::string_view::npos);
  EXPECT_EQ(FindAsset("/assets/../etc/passwd").status().code(), StatusCode::kNotFound);
}

TEST(Assets, ServedOverHttpWithEtagsAnd304) {
  http::ServerOptions options;
  options.log_sink = [](std::string_view) {};
  auto server = http::Server::Create(options);
  ASSERT_TRUE(server.ok());
  ASSERT_TRUE(ServeAssets(**server).ok());
  ASSERT_TRUE((*server)->Start().ok());
  auto client = http::Client::Create("http://127.0.0.1:" + std::to_string((*server)->port()), {});
  ASSERT_TRUE(client.ok());
  auto css = (*client)->Get("/assets/bonafide.css");
  ASSERT_TRUE(css.ok());
  EXPECT_EQ(css->status, 200);
  auto etag = css->Header("ETag");
  ASSERT_TRUE(etag.has_value());
  EXPECT_EQ(css->Header("Cache-Control"), "public, max-age=3600");
  auto again = (*client)->Get("/assets/bonafide.css", {{"If-None-Match", *etag}});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->status, 304);
  EXPECT_TRUE(again->body.empty());
  auto missing = (*client)->Get("/assets/nope.js");
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->status, 404);
}

// ---------------------------------------------------------------- staff-only pages

// StaffOnly over a real server: someone not signed in is sent to the sign-in page (or gets 401
// on a polled JSON route) and the handler never runs; a signed-in member of staff reaches it,
// with the page state (who is signed in) filled in.
TEST(StaffOnly, SendsStrangersToSignInAndLetsStaffThrough) {
  constexpr Message words[] = {{"service", "Test service", "Gwasanaeth prawf"}};
  auto catalogue = Catalogue::Create(words);
  ASSERT_TRUE(catalogue.ok());
  FixedClock clock(1'800'000'000);
  auto fe = std::make_shared<FrontEnd>(FrontEndOptions{.words = &*catalogue}, clock, crypto::SystemRandom());
  int calls = 0;
  StaffPageHandler handler = [&calls](FrontEndPage& page, const http::Request& req) {
    ++calls;
    return http::Response::Text(200, page.user + " " + req.path);
  };
  http::ServerOptions options;
  options.log_sink = [](std::string_view) {};
  auto server = http::Server::Create(options);
  ASSERT_TRUE(server.ok());
  ASSERT_TRUE((*server)->Get("/page", StaffOnly(fe, "/staff/sign-in", handler)).ok());
  ASSERT_TRUE((*server)->Get("/poll", StaffOnly(fe, "/staff/sign-in", handler, /*json=*/true)).ok());
  ASSERT_TRUE((*server)->Start().ok());
  auto client = http::Client::Create("http://127.0.0.1:" + std::to_string((*server)->port()), {});
  ASSERT_TRUE(client.ok());

  auto page = (*client)->Get("/page");
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->status, 303);
  EXPECT_EQ(page->Header("Location"), "/staff/sign-in");
  auto poll = (*client)->Get("/poll");
  ASSERT_TRUE(poll.ok());
  EXPECT_EQ(poll->status, 401);
  EXPECT_EQ(poll->body, "{\"error\":\"unauthorized\"}");
  // A session without a user is not signed in either.
  BrowserSession anonymous = fe->sessions().Start();
  const std::string anonymous_cookie = fe->sessions().options().cookie_name + "=" + anonymous.id;
  auto still = (*client)->Get("/page", {{"Cookie", anonymous_cookie}});
  ASSERT_TRUE(still.ok());
  EXPECT_EQ(still->status, 303);
  EXPECT_EQ(calls, 0);

  BrowserSession session = fe->sessions().Start();
  session.values["user"] = "officer";
  ASSERT_TRUE(fe->sessions().Save(session).ok());
  const std::string cookie = fe->sessions().options().cookie_name + "=" + session.id;
  auto in = (*client)->Get("/page", {{"Cookie", cookie}});
  ASSERT_TRUE(in.ok());
  EXPECT_EQ(in->status, 200);
  EXPECT_EQ(in->body, "officer /page");
  auto polled = (*client)->Get("/poll", {{"Cookie", cookie}});
  ASSERT_TRUE(polled.ok());
  EXPECT_EQ(polled->status, 200);
  EXPECT_EQ(calls, 2);
  (*server)->Stop();
}

// ---------------------------------------------------------------- staff accounts

TEST(Password, HashesVerifyAndRefuseShortPasswords) {
  auto hash = HashPassword("correct horse battery");
  ASSERT_TRUE(hash.ok());
  EXPECT_EQ(hash->rfind("$argon2id$", 0), 0u);
  EXPECT_TRUE(VerifyPassword(*hash, "correct horse battery"));
  EXPECT_FALSE(VerifyPassword(*hash, "correct horse batterY"));
  EXPECT_FALSE(VerifyPassword("not a hash", "correct horse battery"));
  EXPECT_FALSE(VerifyPassword("", ""));
  EXPECT_EQ(HashPassword("eleven char").status().code(), StatusCode::kInvalidArgument);  // 11 bytes
  EXPECT_TRUE(HashPassword("twelve chars").ok());                                        // 12 bytes
  EXPECT_EQ(HashPassword(std::string(257, 'a')).status().code(), StatusCode::kInvalidArgument);
}

TEST(UserFile, AddSaveLoadAndAuthenticate) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("bonafide-users-" + crypto::SystemRandom().Identifier(6));
  std::filesystem::create_directories(dir);
  const auto path = dir / "users.json";
  auto empty = UserFile::Load(path);  // a missing file is an empty set
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->users().empty());
  UserFile users = *empty;
  ASSERT_TRUE(users.Add("officer@gds", "a long enough password", 1000).ok());
  EXPECT_EQ(users.Add("officer@gds", "another long password", 1001).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(users.Add("bad name", "a long enough password", 1001).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(users.Add("", "a long enough password", 1001).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(users.Add("short", "too short", 1001).code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(users.Save(path).ok());
  EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  auto loaded = UserFile::Load(path);
  ASSERT_TRUE(loaded.ok());
  ASSERT_EQ(loaded->users().size(), 1u);
  EXPECT_EQ(loaded->users()[0].created_at, 1000);
  EXPECT_TRUE(loaded->Authenticate("officer@gds", "a long enough password"));
  EXPECT_FALSE(loaded->Authenticate("officer@gds", "a long enough passwore"));
  EXPECT_FALSE(loaded->Authenticate("nobody", "a long enough password"));
  std::ofstream(path) << "{\"users\": [{\"name\": \"x y\", \"password_hash\": \"h\"}]}";
  EXPECT_EQ(UserFile::Load(path).status().code(), StatusCode::kMalformed);
  std::ofstream(path) << "[]";
  EXPECT_EQ(UserFile::Load(path).status().code(), StatusCode::kMalformed);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace bonafide::web
