// The web wallet (wallet/ui.h) on a real server on 127.0.0.1, driven by http::Client with the
// session cookie carried by hand; the wallet is seeded from the loopback FakeIssuer.
#include "wallet/ui.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "base/clock.h"
#include "crypto/random.h"
#include "http/client.h"
#include "http/server.h"
#include "loopback_issuer.h"
#include "wallet/http_client_transport.h"
#include "wallet/wallet.h"
#include "wallet_test_util.h"

namespace bonafide::wallet {
namespace {

using testing::LoopbackIssuer;
using testing::TempDir;

constexpr char kPin[] = "482915";

// Browser is an http::Client with a cookie jar and the last page's CSRF token.
class Browser {
 public:
  explicit Browser(const std::string& url) {
    auto client = http::Client::Create(url);
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    if (client.ok()) client_ = std::move(*client);
  }

  http::ClientResponse Get(const std::string& target, http::Headers extra = {}) {
    extra.emplace_back("Cookie", CookieHeader());
    auto response = client_->Get(target, extra);
    EXPECT_TRUE(response.ok()) << response.status().ToString();
    if (!response.ok()) return {};
    Remember(*response);
    return *response;
  }

  // Post sends a form; with_csrf adds the token of the last page.
  http::ClientResponse Post(const std::string& target, std::string body, bool with_csrf = true) {
    if (with_csrf) body += (body.empty() ? "" : "&") + std::string("csrf_token=") + csrf_;
    auto response = client_->Post(target, body, "application/x-www-form-urlencoded", {{"Cookie", CookieHeader()}});
    EXPECT_TRUE(response.ok()) << response.status().ToString();
    if (!response.ok()) return {};
    Remember(*response);
    return *response;
  }

  const std::string& csrf() const { return csrf_; }

 private:
  std::string CookieHeader() const {
    std::string out;
    for (const auto& [name, value] : cookies_) out += (out.empty() ? "" : "; ") + name + "=" + value;
    return out;
  }

  void Remember(const http::ClientResponse& response) {
    for (const auto& [name, value] : response.headers) {
      if (name.size() != 10 || (name != "Set-Cookie" && name != "set-cookie")) continue;
      const std::string pair = value.substr(0, value.find(';'));
      const size_t eq = pair.find('=');
      if (eq == std::string::npos) continue;
      if (value.find("Max-Age=0") != std::string::npos || pair.size() == eq + 1) {
        cookies_.erase(pair.substr(0, eq));
      } else {
        cookies_[pair.substr(0, eq)] = pair.substr(eq + 1);
      }
    }
    const std::string marker = "name=\"csrf_token\" value=\"";
    const size_t at = response.body.find(marker);
    if (at != std::string::npos) {
      const size_t start = at + marker.size();
      csrf_ = response.body.substr(start, response.body.find('"', start) - start);
    }
  }

  std::unique_ptr<http::Client> client_;
  std::map<std::string, std::string> cookies_;
  std::string csrf_;
};

std::string FormValue(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.') {
      out += c;
    } else {
      static constexpr char kHex[] = "0123456789ABCDEF";
      out += '%';
      out += kHex[static_cast<unsigned char>(c) >> 4];
      out += kHex[static_cast<unsigned char>(c) & 0x0F];
    }
  }
  return out;
}

class WalletUiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    issuer_ = LoopbackIssuer::Start();
    ASSERT_NE(issuer_, nullptr);
    WalletOptions options;
    options.vault = VaultOptions::InsecureFastKdfForTests();
    options.receive.insecure_allow_http_loopback = true;
    auto made = Wallet::Init(dir_.wallet(), kPin, options);
    ASSERT_TRUE(made.ok()) << made.status().ToString();
    HttpClientTransport transport;
    for (const char* config : {testing::kSdJwtConfig, testing::kJwtVcConfig}) {
      auto ids = (*made)->Receive(Offer(config), nullptr, transport);
      ASSERT_TRUE(ids.ok()) << ids.status().ToString();
      ASSERT_EQ(ids->size(), 1u);
      ids_.push_back(ids->front());
    }
  }

  void StartUi() {
    http::ServerOptions options;
    options.worker_threads = 2;
    options.blocking_threads = 1;
    options.log_sink = [](std::string_view) {};
    auto server = http::Server::Create(options);
    ASSERT_TRUE(server.ok());
    server_ = std::move(*server);
    WalletUiOptions ui;
    ui.dir = dir_.wallet();
    ui.clock = &SystemClock::Default();
    ui.random = &crypto::SystemRandom();
    ui.insecure_http_loopback = true;
    Status routes = RegisterWalletUiRoutes(*server_, ui);
    ASSERT_TRUE(routes.ok()) << routes.ToString();
    ASSERT_TRUE(server_->Start().ok());
    url_ = "http://127.0.0.1:" + std::to_string(server_->port());
  }

  void TearDown() override {
    if (server_) server_->Stop();
  }

  std::string Offer(const char* config, std::optional<std::string> tx = std::nullopt) {
    return issuer_->With([&](testing::FakeIssuer& i) { return i.CreateOffer({config}, tx); });
  }

  // Unlock enters the PIN and expects the cards page.
  void Unlock(Browser& browser) {
    ASSERT_EQ(browser.Get("/unlock").status, 200);
    http::ClientResponse r = browser.Post("/unlock", std::string("pin=") + kPin);
    ASSERT_EQ(r.status, 303) << r.body;
    EXPECT_EQ(r.Header("Location").value_or(""), "/cards");
  }

  TempDir dir_;
  std::unique_ptr<LoopbackIssuer> issuer_;
  std::vector<std::string> ids_;
  std::unique_ptr<http::Server> server_;
  std::string url_;
};

TEST_F(WalletUiTest, WrongPinShowsAttemptsLeftAndRightPinListsTheCards) {
  StartUi();
  Browser browser(url_);
  http::ClientResponse r = browser.Get("/");
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(r.Header("Location").value_or(""), "/unlock");
  r = browser.Get("/cards");
  EXPECT_EQ(r.status, 303) << "locked: no cards";
  r = browser.Get("/unlock");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.Header("Content-Security-Policy").value_or("").find("default-src 'none'"), std::string::npos);
  EXPECT_NE(r.body.find("Enter your wallet PIN"), std::string::npos);

  r = browser.Post("/unlock", "pin=000000");
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.body.find("govuk-error-summary"), std::string::npos);
  EXPECT_NE(r.body.find("4 more attempts"), std::string::npos) << r.body;
  r = browser.Post("/unlock", "pin=000001");
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.body.find("3 more attempts"), std::string::npos);
  r = browser.Post("/unlock", "pin=");
  EXPECT_EQ(r.status, 400) << "an empty PIN is not an attempt";
  EXPECT_NE(r.body.find("Enter your PIN"), std::string::npos);

  Unlock(browser);
  r = browser.Get("/cards");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("Basic DBS check"), std::string::npos);
  EXPECT_NE(r.body.find("Veteran card"), std::string::npos);
  for (const std::string& id : ids_) EXPECT_NE(r.body.find("/cards/" + id), std::string::npos);
  EXPECT_EQ(r.body.find("style="), std::string::npos) << "no inline styles";

  r = browser.Get("/cards/" + ids_[0]);
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("Copies left"), std::string::npos);
  EXPECT_NE(r.body.find(issuer_->url()), std::string::npos);
  EXPECT_EQ(browser.Get("/cards/no-such-card").status, 404);
}

TEST_F(WalletUiTest, LockoutIsShownAfterFiveWrongPins) {
  StartUi();
  Browser browser(url_);
  ASSERT_EQ(browser.Get("/unlock").status, 200);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(browser.Post("/unlock", "pin=11111" + std::to_string(i)).status, 401);
  http::ClientResponse r = browser.Post("/unlock", "pin=222222");  // the 5th locks
  EXPECT_EQ(r.status, 429);
  EXPECT_TRUE(r.Header("Retry-After").has_value());
  EXPECT_NE(r.body.find("Too many wrong PINs"), std::string::npos);
  r = browser.Post("/unlock", std::string("pin=") + kPin);
  EXPECT_EQ(r.status, 429) << "even the right PIN waits for the lockout";
}

TEST_F(WalletUiTest, PostWithoutCsrfIsForbiddenAndDeleteWithItRemovesTheCard) {
  StartUi();
  Browser browser(url_);
  Unlock(browser);
  ASSERT_EQ(browser.Get("/cards/" + ids_[0] + "/delete").status, 200);
  http::ClientResponse r = browser.Post("/cards/" + ids_[0] + "/delete", "", /*with_csrf=*/false);
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("This form has expired"), std::string::npos);
  r = browser.Post("/cards/" + ids_[0] + "/delete", "csrf_token=guess", /*with_csrf=*/false);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(browser.Get("/cards/" + ids_[0]).status, 200) << "nothing was deleted";

  ASSERT_EQ(browser.Get("/cards/" + ids_[0] + "/delete").status, 200);
  r = browser.Post("/cards/" + ids_[0] + "/delete", "");
  EXPECT_EQ(r.status, 303);
  r = browser.Get("/cards");
  EXPECT_NE(r.body.find("The card was deleted"), std::string::npos);
  EXPECT_EQ(r.body.find("/cards/" + ids_[0]), std::string::npos);
  EXPECT_NE(r.body.find("/cards/" + ids_[1]), std::string::npos);
  EXPECT_EQ(browser.Get("/cards/" + ids_[0]).status, 404);
}

TEST_F(WalletUiTest, LockForgetsTheWalletAndAsksForThePinAgain) {
  StartUi();
  Browser browser(url_);
  Unlock(browser);
  ASSERT_EQ(browser.Get("/cards").status, 200);
  EXPECT_EQ(browser.Post("/lock", "", /*with_csrf=*/false).status, 403) << "lock needs the token too";
  ASSERT_EQ(browser.Get("/cards").status, 200);
  http::ClientResponse r = browser.Post("/lock", "");
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(r.Header("Location").value_or(""), "/unlock");
  r = browser.Get("/cards");
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(r.Header("Location").value_or(""), "/unlock");
  r = browser.Get("/unlock");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("Enter your wallet PIN"), std::string::npos);
}

TEST_F(WalletUiTest, AnotherBrowserDoesNotSeeTheUnlockedWallet) {
  StartUi();
  Browser first(url_);
  Unlock(first);
  Browser second(url_);
  EXPECT_EQ(second.Get("/cards").status, 303);
  EXPECT_EQ(first.Get("/cards").status, 200);
}

TEST_F(WalletUiTest, AddsACardFromAnOfferWithATransactionCode) {
  StartUi();
  Browser browser(url_);
  Unlock(browser);
  ASSERT_EQ(browser.Get("/add").status, 200);
  http::ClientResponse r = browser.Post("/add", "offer=https%3A%2F%2Fexample.org%2F");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("openid-credential-offer://"), std::string::npos);
  r = browser.Post("/add", "offer=");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("Enter the offer link"), std::string::npos);

  r = browser.Post("/add", "offer=" + FormValue(Offer(testing::kMdocConfig, "8071")));
  ASSERT_EQ(r.status, 303) << r.body;
  EXPECT_EQ(r.Header("Location").value_or(""), "/add/code");
  r = browser.Get("/add/code");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("Enter the code we sent to your phone"), std::string::npos);
  EXPECT_NE(r.body.find("The code has 4 characters."), std::string::npos);
  r = browser.Post("/add/code", "tx_code=1111");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("The code is not right"), std::string::npos);
  r = browser.Post("/add/code", "tx_code=8071");
  ASSERT_EQ(r.status, 303) << r.body;
  EXPECT_EQ(r.Header("Location").value_or(""), "/add/done");
  r = browser.Get("/add/done");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("Card added"), std::string::npos);
  EXPECT_NE(r.body.find("Driving licence"), std::string::npos);
  r = browser.Get("/cards");
  EXPECT_NE(r.body.find("Driving licence"), std::string::npos);
}

TEST_F(WalletUiTest, PagesAreInWelsh) {
  StartUi();
  Browser browser(url_);
  http::ClientResponse r = browser.Get("/unlock?lang=cy");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("<html lang=\"cy\""), std::string::npos);
  EXPECT_NE(r.body.find("Rhowch PIN eich waled"), std::string::npos);
  r = browser.Post("/unlock", "pin=999999");
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.body.find("PIN yn gywir"), std::string::npos) << "the language sticks (cookie)";
  Unlock(browser);
  r = browser.Get("/cards");
  EXPECT_NE(r.body.find("Eich cardiau"), std::string::npos);
  EXPECT_NE(r.body.find("Cerdyn cyn-filwr"), std::string::npos) << "the issuer's Welsh display name";
  r = browser.Get("/history");
  EXPECT_NE(r.body.find("Nid ydych wedi rhannu dim"), std::string::npos);
}

// CardItem returns the <li> of the card `id` on a cards page, or "".
std::string CardItem(const std::string& page, const std::string& id) {
  const size_t at = page.find("data-card-id=\"" + id + "\"");
  if (at == std::string::npos) return "";
  const size_t start = page.rfind("<li", at);
  return page.substr(start, page.find("</li>", at) - start);
}

TEST_F(WalletUiTest, CardsUseTheIssuersNameColourAndClaimLabels) {
  // A third card whose issuer gave colours and claim labels (received before the UI starts).
  issuer_->With([](testing::FakeIssuer& i) {
    oid4vci::CredentialConfiguration& md = i.metadata().credential_configurations_supported[testing::kMdocConfig];
    md.display[0].background_color = "#8a1538";  // nearest of the card colours: red
    oid4vci::ClaimDescription family;
    family.path = Json::array({"org.iso.18013.5.1", "family_name"});
    family.display = {{"Surname on licence", "en"}, {"Cyfenw ar y drwydded", "cy"}};
    md.claims = {family};
    return 0;
  });
  {
    WalletOptions options;
    options.receive.insecure_allow_http_loopback = true;
    auto wallet = Wallet::Open(dir_.wallet(), options);
    ASSERT_TRUE(wallet.ok());
    ASSERT_TRUE((*wallet)->Unlock(kPin).ok());
    HttpClientTransport transport;
    auto ids = (*wallet)->Receive(Offer(testing::kMdocConfig), nullptr, transport);
    ASSERT_TRUE(ids.ok()) << ids.status().ToString();
    ids_.push_back(ids->front());
  }
  StartUi();
  Browser browser(url_);
  Unlock(browser);
  http::ClientResponse r = browser.Get("/cards");
  ASSERT_EQ(r.status, 200);
  const std::string mdl = CardItem(r.body, ids_[2]);
  ASSERT_FALSE(mdl.empty()) << r.body;
  EXPECT_NE(mdl.find("Issued by Disclosure and Barring Service"), std::string::npos) << mdl;
  EXPECT_EQ(mdl.find("Issued by 127.0.0.1"), std::string::npos) << "the host only when the issuer gave no name";
  EXPECT_NE(mdl.find("class=\"bonafide-card bonafide-card--red\""), std::string::npos) << mdl;
  EXPECT_EQ(r.body.find("8a1538"), std::string::npos) << "the issuer's colour never reaches the page";
  EXPECT_EQ(r.body.find("style="), std::string::npos) << "no inline styles";
  // Boundary: without a background_color the card keeps its per-type colour (no mapped class).
  const std::string dbs = CardItem(r.body, ids_[0]);
  ASSERT_FALSE(dbs.empty());
  EXPECT_NE(dbs.find("Issued by Disclosure and Barring Service"), std::string::npos);
  for (const char* mapped : {"--blue", "--red", "--orange", "--pink"}) {
    EXPECT_EQ(dbs.find(mapped), std::string::npos) << mapped;
  }

  r = browser.Get("/cards/" + ids_[2]);
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("Surname on licence"), std::string::npos) << "the issuer's claim label";
  EXPECT_NE(r.body.find("First names"), std::string::npos) << "the wallet's own label as the fallback";
  EXPECT_NE(r.body.find(issuer_->url()), std::string::npos) << "the issuer identifier under About the card";

  r = browser.Get("/cards?lang=cy");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(CardItem(r.body, ids_[2]).find("Cyhoeddwyd gan Gwasanaeth Datgelu a Gwahardd"), std::string::npos)
      << r.body;
  r = browser.Get("/cards/" + ids_[2] + "?lang=cy");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("Cyfenw ar y drwydded"), std::string::npos);
  EXPECT_NE(r.body.find("Gwasanaeth Datgelu a Gwahardd"), std::string::npos);
}

TEST_F(WalletUiTest, IssuerWithoutADisplayNameIsShownByItsHost) {
  issuer_->With([](testing::FakeIssuer& i) {
    i.metadata().display.clear();
    i.metadata().credential_configurations_supported[testing::kJwtVcConfig].display[0].background_color = "#F80";
    return 0;
  });
  {
    WalletOptions options;
    options.receive.insecure_allow_http_loopback = true;
    auto wallet = Wallet::Open(dir_.wallet(), options);
    ASSERT_TRUE(wallet.ok());
    ASSERT_TRUE((*wallet)->Unlock(kPin).ok());
    HttpClientTransport transport;
    auto ids = (*wallet)->Receive(Offer(testing::kJwtVcConfig), nullptr, transport);
    ASSERT_TRUE(ids.ok()) << ids.status().ToString();
    ids_.push_back(ids->front());
  }
  StartUi();
  Browser browser(url_);
  Unlock(browser);
  http::ClientResponse r = browser.Get("/cards");
  ASSERT_EQ(r.status, 200);
  const std::string card = CardItem(r.body, ids_[2]);
  EXPECT_NE(card.find("Issued by 127.0.0.1"), std::string::npos) << card;
  // The short hex form: #F80 is #ff8800, nearest to orange (#f47738).
  EXPECT_NE(card.find("bonafide-card--orange"), std::string::npos) << card;
}

TEST_F(WalletUiTest, AHostHeaderOtherThanLoopbackIsRefused) {
  StartUi();
  Browser browser(url_);
  EXPECT_EQ(browser.Get("/unlock", {{"Host", "wallet.attacker.example"}}).status, 421);
  EXPECT_EQ(browser.Get("/unlock", {{"Host", "localhost:8080"}}).status, 200);
}

TEST_F(WalletUiTest, PresentingWithoutATrustConfigurationSaysSo) {
  StartUi();
  Browser browser(url_);
  Unlock(browser);
  ASSERT_EQ(browser.Get("/present?client_id=x509_san_dns%3Alocalhost&request_uri=http%3A%2F%2Flocalhost%3A1%2Fr")
                .status,
            200);
  http::ClientResponse r = browser.Post("/present", "request=not-a-link");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("openid4vp://"), std::string::npos);
  r = browser.Post("/present", "request=" + FormValue("openid4vp://?client_id=x509_san_dns%3Alocalhost&request_uri="
                                                      "http%3A%2F%2Flocalhost%3A1%2Fr"));
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body.find("bonafide wallet trust"), std::string::npos);
}

TEST(WalletUiListenTest, OnlyLoopbackHostsAreAccepted) {
  for (const char* host : {"127.0.0.1", "127.255.255.254", "127.0.0.0", "localhost", "::1", "[::1]"}) {
    EXPECT_TRUE(CheckLoopbackHost(host).ok()) << host;
  }
  for (const char* host : {"0.0.0.0", "128.0.0.1", "126.255.255.255", "127.0.0.1.evil.example", "127.0.0",
                           "127.0.0.256", "127.00.0.1", "", "localhost.evil.example", "::", "192.168.1.10",
                           "::ffff:8.8.8.8", "1127.0.0.1"}) {
    EXPECT_EQ(CheckLoopbackHost(host).code(), StatusCode::kInvalidArgument) << host;
  }
}

TEST(WalletUiListenTest, RegisteringOnANonLoopbackHostIsRefused) {
  TempDir dir;
  WalletOptions options;
  options.vault = VaultOptions::InsecureFastKdfForTests();
  auto made = Wallet::Init(dir.wallet(), kPin, options);
  ASSERT_TRUE(made.ok());
  auto server = http::Server::Create({});
  ASSERT_TRUE(server.ok());
  WalletUiOptions ui;
  ui.dir = dir.wallet();
  ui.clock = &SystemClock::Default();
  ui.random = &crypto::SystemRandom();
  ui.listen_host = "0.0.0.0";
  EXPECT_EQ(RegisterWalletUiRoutes(**server, ui).code(), StatusCode::kInvalidArgument);
  ui.listen_host = "127.0.0.1";
  EXPECT_TRUE(RegisterWalletUiRoutes(**server, ui).ok());
  TempDir empty;
  ui.dir = empty.wallet();
  auto other = http::Server::Create({});
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(RegisterWalletUiRoutes(**other, ui).code(), StatusCode::kNotFound) << "no wallet there";
}

}  // namespace
}  // namespace bonafide::wallet
