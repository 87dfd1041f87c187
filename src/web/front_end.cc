#include "web/front_end.h"

#include <algorithm>
#include <utility>

#include "web/govuk.h"
#include "web/password.h"

namespace bonafide::web {

namespace {

constexpr Message kCommonMessages[] = {
    {"sign_in.title", "Sign in", "Mewngofnodi"},
    {"sign_in.user", "User name", "Enw defnyddiwr"},
    {"sign_in.password", "Password", "Cyfrinair"},
    {"sign_in.button", "Sign in", "Mewngofnodi"},
    {"sign_in.wrong", "Enter a correct user name and password", "Rhowch enw defnyddiwr a chyfrinair cywir"},
    {"sign_in.missing_user", "Enter your user name", "Rhowch eich enw defnyddiwr"},
    {"sign_in.missing_password", "Enter your password", "Rhowch eich cyfrinair"},
    {"sign_in.locked", "Too many attempts to sign in. Wait 15 minutes, then try again.",
     "Gormod o ymdrechion i fewngofnodi. Arhoswch 15 munud, yna rhowch gynnig arall arni."},
    {"nav.sign_out", "Sign out", "Allgofnodi"},
    {"signed_in_as", "Signed in as", "Wedi mewngofnodi fel"},
    {"form_expired", "This form has expired", "Mae'r ffurflen hon wedi dod i ben"},
    {"form_expired.body", "Go back, refresh the page and try again. Nothing was changed.",
     "Ewch yn ôl, adnewyddwch y dudalen a rhowch gynnig arall arni. Ni newidiwyd dim."},
    {"not_found", "Page not found", "Heb ddod o hyd i'r dudalen"},
    {"not_found.body", "There is nothing at this address.", "Nid oes dim yn y cyfeiriad hwn."},
    {"unavailable", "Sorry, the service is unavailable", "Mae'n ddrwg gennym, nid yw'r gwasanaeth ar gael"},
    {"unavailable.body", "Try again in a few minutes.", "Rhowch gynnig arall arni ymhen ychydig funudau."},
    {"yes", "Yes", "Ydy"},
    {"no", "No", "Nac ydy"},
};

}  // namespace

const Catalogue& CommonWords() {
  static const Catalogue catalogue = [] {
    auto made = Catalogue::Create(kCommonMessages);
    return made.ok() ? std::move(*made) : Catalogue();
  }();
  return catalogue;
}

FrontEnd::FrontEnd(FrontEndOptions options, const Clock& clock, Random& random)
    : options_(std::move(options)), sessions_(options_.sessions, clock, random) {}

FrontEndPage FrontEnd::Begin(const http::Request& request) {
  PageRequest page = BeginPage(request, sessions_);
  Translator t(*options_.words, page.lang, &CommonWords());
  std::string user = page.session.Value("user").value_or("");
  const bool signed_in = !user.empty();
  return FrontEndPage{std::move(page), t, RequestTarget(request), std::move(user), signed_in};
}

http::Response FrontEnd::Render(const FrontEndPage& page, int status, std::string_view title, const Html& body,
                                bool has_errors, std::string_view nav_current) {
  PageOptions o;
  o.lang = page.request.lang;
  o.title = std::string(title);
  o.has_errors = has_errors;
  o.service_name = std::string(page.t("service"));
  o.service_href = options_.home;
  o.path = page.path;
  o.phase = "Beta";
  Html content = body;
  if (page.signed_in) {
    for (const NavLink& link : options_.nav) {
      o.nav.push_back({link.href, std::string(page.t(link.label_key)), link.id == nav_current});
    }
    if (!options_.footer_action.empty()) {
      Html who;
      if (!page.user.empty()) {
        who = Format("<p class=\"govuk-body-s\">{}: <strong>{}</strong></p>",
                     {Html::Text(page.t("signed_in_as")), Html::Text(page.user)});
      }
      content += Format(
          "<form method=\"post\" action=\"{}\" class=\"govuk-!-margin-top-6\">{}{}"
          "<button type=\"submit\" class=\"govuk-button govuk-button--secondary\" data-module=\"govuk-button\">{}"
          "</button></form>",
          {SafeHref(options_.footer_action), who, CsrfField(page.request.session),
           Html::Text(page.t(options_.footer_action_key))});
    }
  }
  o.body = content;
  return FinishPage(page.request, sessions_, HtmlPage(status, RenderPage(o)));
}

http::Response FrontEnd::Message(const FrontEndPage& page, int status, std::string_view title_key,
                                 std::string_view body_key) {
  return Render(page, status, page.t(title_key), govuk::Heading(page.t(title_key)) + govuk::Paragraph(page.t(body_key)));
}

http::Response FrontEnd::Redirect(const FrontEndPage& page, std::string_view location) {
  return FinishPage(page.request, sessions_, SeeOther(location));
}

namespace {

http::Response SignInForm(FrontEnd& fe, const FrontEndPage& page, const StaffSignInOptions& options, int status,
                          const std::vector<govuk::FieldError>& errors, const std::string& user) {
  const Lang lang = page.request.lang;
  Html body = govuk::ErrorSummary(lang, errors) + govuk::Heading(page.t("sign_in.title"));
  body += Format("<form method=\"post\" action=\"{}\" novalidate>{}{}{}{}</form>",
                 {SafeHref(options.sign_in_path), CsrfField(page.request.session),
                  govuk::TextInput(lang, {.id = "user", .name = "user", .label = std::string(page.t("sign_in.user")),
                                          .value = user, .error = govuk::ErrorFor(errors, "user"),
                                          .autocomplete = "username", .spellcheck_off = true}),
                  govuk::TextInput(lang, {.id = "password", .name = "password",
                                          .label = std::string(page.t("sign_in.password")),
                                          .error = govuk::ErrorFor(errors, "password"), .type = "password",
                                          .autocomplete = "current-password"}),
                  govuk::Button(page.t("sign_in.button"))});
  return fe.Render(page, status, page.t("sign_in.title"), body, !errors.empty());
}

}  // namespace

http::Handler StaffOnly(std::shared_ptr<FrontEnd> front_end, std::string sign_in_path, StaffPageHandler handler,
                        bool json) {
  return [front_end = std::move(front_end), sign_in_path = std::move(sign_in_path), handler = std::move(handler),
          json](const http::Request& request) {
    FrontEndPage page = front_end->Begin(request);
    if (page.user.empty()) {
      return json ? http::Response::JsonError(401, "unauthorized") : front_end->Redirect(page, sign_in_path);
    }
    return handler(page, request);
  };
}

Status RegisterStaffSignIn(http::Server& server, std::shared_ptr<FrontEnd> front_end, StaffSignInOptions options,
                           const Clock& clock) {
  if (options.sign_in_path.empty() || options.sign_out_path.empty() || options.home_path.empty() ||
      front_end == nullptr) {
    return Status(StatusCode::kInvalidArgument, "staff sign-in needs its paths and a front end");
  }
  auto throttle = std::make_shared<LoginThrottle>(clock);
  auto shared = std::make_shared<const StaffSignInOptions>(std::move(options));
  RETURN_IF_ERROR(server.Get(shared->sign_in_path, [front_end, shared](const http::Request& req) {
    FrontEndPage page = front_end->Begin(req);
    if (page.signed_in) return front_end->Redirect(page, shared->home_path);
    return SignInForm(*front_end, page, *shared, 200, {}, "");
  }));
  RETURN_IF_ERROR(server.Post(shared->sign_in_path, [front_end, shared, throttle](const http::Request& req) {
    FrontEndPage page = front_end->Begin(req);
    auto form = ReadForm(req, page.request.session);
    if (!form.ok()) return front_end->FormExpired(page);
    const std::string user = Field(*form, "user");
    const std::string password = Field(*form, "password");
    std::vector<govuk::FieldError> errors;
    if (user.empty()) errors.push_back({"user", std::string(page.t("sign_in.missing_user"))});
    if (password.empty()) errors.push_back({"password", std::string(page.t("sign_in.missing_password"))});
    if (!errors.empty()) return SignInForm(*front_end, page, *shared, 400, errors, user);

    const std::string user_key = "user:" + user;
    const std::string address_key = "address:" + req.remote_addr;
    const int64_t wait = std::max(throttle->RetryAfter(user_key), throttle->RetryAfter(address_key));
    if (wait > 0) {
      http::Response response =
          SignInForm(*front_end, page, *shared, 429, {{"user", std::string(page.t("sign_in.locked"))}}, user);
      response.headers.emplace_back("Retry-After", std::to_string(wait));
      return response;
    }
    auto users = UserFile::Load(shared->users_file);
    if (!users.ok() || !users->Authenticate(user, password)) {
      throttle->RecordFailure(user_key);
      throttle->RecordFailure(address_key);
      return SignInForm(*front_end, page, *shared, 401, {{"user", std::string(page.t("sign_in.wrong"))}}, user);
    }
    throttle->RecordSuccess(user_key);
    BrowserSession session = page.request.session;
    session.values.clear();  // nothing of the signed-out session carries over
    session.values["user"] = user;
    auto rotated = front_end->sessions().Rotate(session);
    if (!rotated.ok()) return front_end->FormExpired(page);
    http::Response response = SeeOther(shared->home_path);
    response.headers.emplace_back("Set-Cookie", front_end->sessions().CookieFor(*rotated));
    return response;
  }));
  return server.Post(shared->sign_out_path, [front_end, shared](const http::Request& req) {
    FrontEndPage page = front_end->Begin(req);
    auto form = ReadForm(req, page.request.session);
    if (!form.ok()) return front_end->FormExpired(page);
    front_end->sessions().End(page.request.session.id);
    http::Response response = SeeOther(shared->sign_in_path);
    response.headers.emplace_back("Set-Cookie", front_end->sessions().ExpiredCookie());
    return response;
  });
}

}  // namespace bonafide::web
