// Presentation end to end through processes (issue 5, section 5): an issuer, a trust registry, a
// verifier and wallets, each a separate `bonafide` process on loopback.
//
//   issuer   `issuer init --demo` + `issuer serve`; one extra citizen (an eVisa without the right
//            to work) added through the admin API; offers made through the admin API.
//   registry `registry init`, `add-issuer --metadata-url` (the running issuer), `add-rp` for an
//            employer on localhost registered for right_to_work and age_over_18, `publish`.
//   verifier `verifier init` from the employer's registration + `verifier serve`; checks started
//            with `verifier check`, answers read with `verifier result --wait`.
//   wallets  one per person: `wallet init`, `wallet trust` (the published trust list and the
//            registry root), `wallet receive`, `wallet present --yes`, `wallet history --json`.
//
// What it proves: right to work passes for a British citizen's Digital ID (unrestricted), for an
// eVisa with restricted work permission (permitted until its end date, with conditions), fails for
// an eVisa without it; age_over_18 reveals only age_over_18 (neither the result nor the verifier's
// logs hold the name or birth date); a request beyond the employer's registration is refused by
// the wallet and nothing is disclosed; a verifier registered with another registry gets nothing;
// malformed and oversized bodies at the response endpoint are refused and change no session;
// after revocation the employer's next right-to-work check fails; the wallet's history lists what
// was shared, by attribute name only.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "background.h"
#include "base/json.h"
#include "cli_runner.h"
#include "http/client.h"

namespace bonafide::clitest {
namespace {

constexpr char kPin[] = "271828";
const std::string kPinLine = std::string(kPin) + "\n";

// The demo citizens (src/issuer/demo.cc): demo-0001 is a British citizen; demo-0003 holds an eVisa
// with restricted work permission until 2029-01-31.
constexpr char kBritish[] = "demo-0001";
constexpr char kBritishFamilyName[] = "Morrison";
constexpr char kBritishBirthDate[] = "1985-11-02";
constexpr char kRestricted[] = "demo-0003";
constexpr char kNoWork[] = "demo-0100";
// An 8x8 grey JPEG (base64), as the demo citizens' portraits.
constexpr char kPortrait[] =
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEB"
    "AQEBAQEBAQEBAQEBAQEBAQH/wAALCAAIAAgBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAAAP/EABQQAQAAAAAAAAAAAAAAAAAA"
    "AAD/2gAIAQEAAD8AP//Z";

class PresentationE2eTest : public CliTest {
 protected:
  // StartServer runs `args` in the background and returns the "url" of its first JSON line.
  std::string StartServer(std::unique_ptr<Background>& out, const std::vector<std::string>& args,
                          const std::string& log) {
    std::vector<std::string> argv = {CliPath()};
    argv.insert(argv.end(), args.begin(), args.end());
    out = std::make_unique<Background>(argv, Path(log));
    EXPECT_TRUE(out->started());
    Result<Json> printed = ParseJson(out->FirstLine());
    EXPECT_TRUE(printed.ok()) << "no JSON line from " << args[0] << "; log: " << ReadFile(log);
    if (!printed.ok() || !(*printed)["url"].is_string()) return "";
    return (*printed)["url"].get<std::string>();
  }

  // Offer makes an offer of `configuration` for `citizen` through the issuer's admin API.
  std::string Offer(const std::string& citizen, const std::string& configuration) {
    Json request = {{"citizen_id", citizen}, {"credential_configuration_id", configuration}, {"tx_code", false}};
    Result<http::ClientResponse> r = issuer_->Post("/admin/offers", DumpJson(request), "application/json", admin_);
    EXPECT_TRUE(r.ok());
    if (!r.ok()) return "";
    EXPECT_EQ(r->status, 200) << r->body;
    Result<Json> o = ParseJson(r->body);
    return o.ok() && (*o)["offer_uri"].is_string() ? (*o)["offer_uri"].get<std::string>() : "";
  }

  // MakeWallet creates a wallet that trusts the registry and receives `configuration` for `citizen`.
  std::string MakeWallet(const std::string& name, const std::string& citizen, const std::string& configuration) {
    const std::string dir = Path(name);
    EXPECT_TRUE(Succeeds(Cli({"wallet", "init", "--dir", dir, "--pin-stdin"}, kPinLine)));
    RunResult trust = Cli({"wallet", "trust", "--dir", dir, "--trust-list", Path("trust.jwt"), "--registry-root",
                           Path("rp/registry_root.pem")});
    EXPECT_TRUE(Succeeds(trust)) << trust.Describe();
    RunResult received = Cli({"wallet", "receive", "--dir", dir, "--pin-stdin", "--insecure-http-loopback",
                              Offer(citizen, configuration)},
                             kPinLine);
    EXPECT_TRUE(Succeeds(received)) << received.Describe();
    return dir;
  }

  // StartCheck asks verifier `url` for a check and returns {session_id, request_uri}.
  Json StartCheck(const std::string& url, const std::string& check) {
    RunResult r = Cli({"verifier", "check", "--url", url, "--check", check});
    EXPECT_TRUE(Succeeds(r)) << r.Describe();
    return StdoutJson(r);
  }

  RunResult Present(const std::string& wallet, const std::string& request_uri) {
    return Cli({"wallet", "present", "--dir", wallet, "--pin-stdin", "--yes", "--insecure-http-loopback", request_uri},
               kPinLine);
  }

  Json CheckResult(const std::string& url, const std::string& session_id) {
    RunResult r = Cli({"verifier", "result", "--url", url, session_id, "--wait", "20"});
    EXPECT_TRUE(Succeeds(r)) << r.Describe();
    return StdoutJson(r);
  }

  std::unique_ptr<http::Client> issuer_;
  http::Headers admin_;
};

TEST_F(PresentationE2eTest, RightToWorkAgeRefusalsAndRevocationAcrossProcesses) {
  // --- issuer ---
  const std::string issuer_dir = Path("issuer");
  ASSERT_TRUE(Succeeds(Cli({"issuer", "init", "--data-dir", issuer_dir, "--issuer-url", "http://127.0.0.1:0", "--demo"})));
  std::unique_ptr<Background> issuer_proc;
  const std::string issuer_url =
      StartServer(issuer_proc, {"issuer", "serve", "--data-dir", issuer_dir, "--listen", "127.0.0.1:0"}, "issuer.log");
  ASSERT_FALSE(issuer_url.empty());
  auto client = http::Client::Create(issuer_url);
  ASSERT_TRUE(client.ok());
  issuer_ = std::move(*client);
  std::string token = ReadFile("issuer/admin-token");
  while (!token.empty() && (token.back() == '\n' || token.back() == ' ')) token.pop_back();
  admin_ = {{"Authorization", "Bearer " + token}};
  // A person whose eVisa gives no right to work: demo-0003's record with the work permission
  // taken away.
  Json no_work = {{"id", kNoWork},
                  {"claims",
                   {{"uk.gov.homeoffice.evisa",
                     {{"uk.gov.homeoffice.evisa.1",
                       {{"family_name", "Visitor"},
                        {"given_name", "Vera"},
                        {"birth_date", "1995-03-03"},
                        {"nationality", "US"},
                        {"portrait", kPortrait},
                        {"document_number", "UKVI-9000000001"},
                        {"status_type", "Standard Visitor"},
                        {"valid_from", "2026-01-01"},
                        {"valid_until", "2027-01-01"},
                        {"right_to_work", "none"},
                        {"right_to_rent", false},
                        {"issue_date", "2025-12-15"},
                        {"expiry_date", "2027-01-01"}}}}}}}};
  Result<http::ClientResponse> added = issuer_->Post("/admin/citizens", DumpJson(no_work), "application/json", admin_);
  ASSERT_TRUE(added.ok());
  ASSERT_EQ(added->status, 200) << added->body;

  // --- trust registry ---
  const std::string reg = Path("registry");
  ASSERT_TRUE(Succeeds(Cli({"registry", "init", "--data-dir", reg})));
  RunResult add_issuer = Cli({"registry", "add-issuer", "--data-dir", reg, "--metadata-url", issuer_url});
  ASSERT_TRUE(Succeeds(add_issuer)) << add_issuer.Describe();
  RunResult add_rp = Cli({"registry", "add-rp", "--data-dir", reg, "--name", "Acme Employer plc", "--client-id",
                          "localhost", "--allow-localhost", "--registration-number", "01234567", "--purpose",
                          "right_to_work,age_over_18", "--out-dir", Path("rp")});
  ASSERT_TRUE(Succeeds(add_rp)) << add_rp.Describe();
  ASSERT_TRUE(Succeeds(Cli({"registry", "publish", "--data-dir", reg, "--out", Path("trust.jwt")})));

  // --- verifier ---
  auto start_verifier = [&](const std::string& name, const std::string& rp_dir, const std::string& trust,
                            std::unique_ptr<Background>& proc) {
    RunResult init = Cli({"verifier", "init", "--data-dir", Path(name), "--rp-dir", rp_dir, "--trust-list", trust,
                          "--url", "http://localhost:0", "--listen", "127.0.0.1:0"});
    EXPECT_TRUE(Succeeds(init)) << init.Describe();
    return StartServer(proc, {"verifier", "serve", "--data-dir", Path(name)}, name + ".log");
  };
  std::unique_ptr<Background> verifier_proc;
  const std::string verifier = start_verifier("verifier", Path("rp"), Path("trust.jwt"), verifier_proc);
  ASSERT_FALSE(verifier.empty());

  // --- wallets ---
  const std::string british = MakeWallet("wallet-british", kBritish, "uk.gov.digital-id.mdoc");
  const std::string restricted = MakeWallet("wallet-restricted", kRestricted, "uk.gov.homeoffice.evisa");
  const std::string no_work_wallet = MakeWallet("wallet-nowork", kNoWork, "uk.gov.homeoffice.evisa");

  // Right to work: British citizen -> unrestricted.
  {
    Json s = StartCheck(verifier, "right_to_work");
    RunResult shared = Present(british, s["request_uri"].get<std::string>());
    ASSERT_TRUE(Succeeds(shared)) << shared.Describe();
    Json out = StdoutJson(shared);
    EXPECT_EQ(out["outcome"], "shared");
    EXPECT_EQ(out["relying_party"], "Acme Employer plc");
    EXPECT_EQ(out["purpose"], "right_to_work");
    Json r = CheckResult(verifier, s["session_id"].get<std::string>());
    EXPECT_EQ(r["status"], "completed") << r.dump();
    EXPECT_EQ(r["outcome"], "unrestricted") << r.dump();
    EXPECT_EQ(r["decision_confirmed"], true) << r.dump();
    EXPECT_TRUE(r["check_record"].is_string()) << r.dump();
    EXPECT_EQ(r["facts"]["family_name"], kBritishFamilyName) << r.dump();  // the employer keeps this
    EXPECT_TRUE(r["facts"].contains("portrait")) << r.dump();
  }
  // eVisa with restricted work permission -> permitted until its end, with conditions.
  {
    Json s = StartCheck(verifier, "right_to_work");
    ASSERT_TRUE(Succeeds(Present(restricted, s["request_uri"].get<std::string>())));
    Json r = CheckResult(verifier, s["session_id"].get<std::string>());
    EXPECT_EQ(r["outcome"], "permitted_until") << r.dump();
    EXPECT_EQ(r["decision"]["until"], "2029-01-31") << r.dump();
    EXPECT_EQ(r["decision"]["conditions"], "Work for the sponsoring employer only") << r.dump();
  }
  // eVisa without the right to work -> not permitted.
  {
    Json s = StartCheck(verifier, "right_to_work");
    ASSERT_TRUE(Succeeds(Present(no_work_wallet, s["request_uri"].get<std::string>())));
    Json r = CheckResult(verifier, s["session_id"].get<std::string>());
    EXPECT_EQ(r["status"], "completed") << r.dump();
    EXPECT_EQ(r["outcome"], "not_permitted") << r.dump();
  }
  // Age: only age_over_18 leaves the wallet; nothing else reaches the result or the logs.
  {
    Json s = StartCheck(verifier, "age_over_18");
    RunResult shared = Present(british, s["request_uri"].get<std::string>());
    ASSERT_TRUE(Succeeds(shared)) << shared.Describe();
    Json out = StdoutJson(shared);
    ASSERT_EQ(out["attributes"].size(), 1u) << out.dump();
    Json r = CheckResult(verifier, s["session_id"].get<std::string>());
    EXPECT_EQ(r["outcome"], "pass") << r.dump();
    EXPECT_EQ(r["facts"], (Json{{"age_over_18", true}})) << r.dump();
    const std::string text = r.dump();
    EXPECT_EQ(text.find(kBritishFamilyName), std::string::npos);
    EXPECT_EQ(text.find(kBritishBirthDate), std::string::npos);
    EXPECT_EQ(text.find("portrait"), std::string::npos);
  }
  const std::string verifier_log = ReadFile("verifier.log");
  EXPECT_FALSE(verifier_log.empty());
  EXPECT_EQ(verifier_log.find(kBritishFamilyName), std::string::npos);
  EXPECT_EQ(verifier_log.find(kBritishBirthDate), std::string::npos);

  // Bad input at the response endpoint: a malformed body and an oversized one get clear errors
  // and change no session (neither the one addressed nor another); the addressed session then
  // completes normally.
  {
    Json a = StartCheck(verifier, "age_over_18");
    Json b = StartCheck(verifier, "age_over_18");
    const std::string uri = a["request_uri"].get<std::string>();
    const size_t cut = uri.rfind("%2F");
    ASSERT_NE(cut, std::string::npos) << uri;
    const std::string request_id = uri.substr(cut + 3);
    auto vclient = http::Client::Create(verifier);
    ASSERT_TRUE(vclient.ok());
    Result<http::ClientResponse> bad = (*vclient)->Post("/response/" + request_id, "vp_token=%7Bnot-json&state=x",
                                                        "application/x-www-form-urlencoded");
    ASSERT_TRUE(bad.ok());
    EXPECT_EQ(bad->status, 400) << bad->body;
    EXPECT_EQ((*ParseJson(bad->body))["error"], "invalid_request") << bad->body;
    Result<http::ClientResponse> big = (*vclient)->Post("/response/" + request_id, std::string(2 << 20, 'a'),
                                                        "application/x-www-form-urlencoded");
    ASSERT_TRUE(big.ok()) << big.status().ToString();
    EXPECT_EQ(big->status, 413);
    Result<http::ClientResponse> unknown =
        (*vclient)->Post("/response/no-such-request", "vp_token=%7B%7D", "application/x-www-form-urlencoded");
    ASSERT_TRUE(unknown.ok());
    EXPECT_EQ(unknown->status, 400) << unknown->body;  // an OAuth error, as at every response endpoint
    EXPECT_NE(unknown->body.find("unknown session"), std::string::npos) << unknown->body;
    for (const Json* s : {&a, &b}) {
      RunResult pending = Cli({"verifier", "result", "--url", verifier, (*s)["session_id"].get<std::string>()});
      ASSERT_TRUE(Succeeds(pending));
      const Json status = StdoutJson(pending)["status"];
      EXPECT_TRUE(status == "created" || status == "request_fetched") << pending.out;
    }
    const std::string second = MakeWallet("wallet-british-2", kBritish, "uk.gov.digital-id.mdoc");
    ASSERT_TRUE(Succeeds(Present(second, uri)));
    Json r = CheckResult(verifier, a["session_id"].get<std::string>());
    EXPECT_EQ(r["outcome"], "pass") << r.dump();
  }

  // Over-asking: the employer asks for the Digital ID's document number, which no purpose it is
  // registered for permits. The wallet refuses; the verifier learns only the refusal.
  {
    auto vclient = http::Client::Create(verifier);
    ASSERT_TRUE(vclient.ok());
    Json dcql = {{"credentials",
                  Json::array({{{"id", "id"},
                                {"format", "mso_mdoc"},
                                {"meta", {{"doctype_value", "uk.gov.digital-id.1"}}},
                                {"claims", Json::array({{{"path", Json::array({"uk.gov.digital-id.1", "age_over_18"})}},
                                                        {{"path", Json::array({"uk.gov.digital-id.1",
                                                                               "document_number"})}}})}}})}};
    Result<http::ClientResponse> created =
        (*vclient)->Post("/sessions", DumpJson(Json{{"dcql_query", dcql}}), "application/json");
    ASSERT_TRUE(created.ok());
    ASSERT_EQ(created->status, 201) << created->body;
    Json s = *ParseJson(created->body);
    RunResult refused = Present(british, s["request_uri"].get<std::string>());
    EXPECT_NE(refused.exit_code, 0) << refused.Describe();
    EXPECT_NE(refused.err.find("document_number"), std::string::npos) << refused.Describe();
    Json r = CheckResult(verifier, s["session_id"].get<std::string>());
    EXPECT_EQ(r["status"], "failed") << r.dump();
    EXPECT_EQ(r["error"], "declined") << r.dump();
    EXPECT_EQ(r.dump().find("UKVI"), std::string::npos);
  }

  // A verifier registered with another registry (not in this wallet's trust list) gets nothing.
  {
    const std::string other_reg = Path("other-registry");
    ASSERT_TRUE(Succeeds(Cli({"registry", "init", "--data-dir", other_reg})));
    ASSERT_TRUE(Succeeds(Cli({"registry", "add-rp", "--data-dir", other_reg, "--name", "Elsewhere Ltd", "--client-id",
                              "localhost", "--allow-localhost", "--purpose", "age_over_18", "--out-dir",
                              Path("other-rp")})));
    ASSERT_TRUE(Succeeds(Cli({"registry", "publish", "--data-dir", other_reg, "--out", Path("other-trust.jwt")})));
    std::unique_ptr<Background> other_proc;
    const std::string other = start_verifier("other-verifier", Path("other-rp"), Path("other-trust.jwt"), other_proc);
    ASSERT_FALSE(other.empty());
    Json s = StartCheck(other, "age_over_18");
    RunResult refused = Present(british, s["request_uri"].get<std::string>());
    EXPECT_NE(refused.exit_code, 0) << refused.Describe();
    RunResult pending = Cli({"verifier", "result", "--url", other, s["session_id"].get<std::string>()});
    ASSERT_TRUE(Succeeds(pending));
    EXPECT_NE(StdoutJson(pending)["status"], "completed");
    EXPECT_FALSE(StdoutJson(pending).contains("facts"));
  }

  // Revocation: the issuer revokes the British citizen's Digital ID; the employer's next right to
  // work check fails at once (right-to-work checks always ask the issuer for the current status
  // list, although the verifier holds a copy that is still fresh by its ttl).
  {
    RunResult revoke = Cli({"issuer", "revoke", "--url", issuer_url, "--admin-token-file", Path("issuer/admin-token"),
                            "--citizen", kBritish, "--credential-type", "uk.gov.digital-id.mdoc"});
    ASSERT_TRUE(Succeeds(revoke)) << revoke.Describe();
    Json s = StartCheck(verifier, "right_to_work");
    // The verifier refuses the revoked credential at its response endpoint; the wallet reports it.
    RunResult presented = Present(british, s["request_uri"].get<std::string>());
    EXPECT_EQ(presented.exit_code, 1) << presented.Describe();
    Json r = CheckResult(verifier, s["session_id"].get<std::string>());
    EXPECT_EQ(r["status"], "failed") << r.dump();
    EXPECT_EQ(r["error"], "revoked") << r.dump();
    EXPECT_FALSE(r.contains("check_record") && r["check_record"].is_string()) << r.dump();
  }

  // The wallet's history: what was shared with whom, and the refusals; names, never values.
  RunResult history = Cli({"wallet", "history", "--dir", british, "--pin-stdin", "--json"}, kPinLine);
  ASSERT_TRUE(Succeeds(history)) << history.Describe();
  Json entries = StdoutJson(history);
  ASSERT_TRUE(entries.is_array());
  std::map<std::string, int> outcomes;
  for (const Json& e : entries) outcomes[e["outcome"].get<std::string>()]++;
  EXPECT_EQ(outcomes["shared"], 2) << entries.dump();   // right to work, age
  EXPECT_EQ(outcomes["failed"], 1) << entries.dump();   // the revoked credential, refused by the verifier
  EXPECT_EQ(outcomes["refused"], 2) << entries.dump();  // over-asking, unregistered verifier
  EXPECT_EQ(history.out.find(kBritishFamilyName), std::string::npos);
  EXPECT_EQ(history.out.find(kBritishBirthDate), std::string::npos);
}

}  // namespace
}  // namespace bonafide::clitest
