// End-to-end tests of `bonafide mdoc issue|present|verify` (with `pki`, `key` and `status`): the
// four UK mdoc doctypes issued, presented over OpenID4VP and DC API SessionTranscripts and
// verified; base64url and raw CBOR files; MSO and document signer validity; Token Status List
// checks (JWT made by `bonafide status`, and the draft's CWT vector); and bad input, each with the
// exact error code of src/cli/io.h's conventions.
#include <cstdint>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "base/encoding.h"
#include "base/json.h"
#include "cbor/cbor.h"
#include "cli_runner.h"

namespace bonafide::clitest {
namespace {

constexpr int64_t kDay = 86400;
constexpr int64_t kT0 = 1700000000;          // 2023-11-14T22:13:20Z: issue and verify time
constexpr int64_t kPkiAt = kT0 - 30 * kDay;  // the test PKI is created a month earlier
const std::string kAt = std::to_string(kT0);

constexpr char kMdl[] = "org.iso.18013.5.1.mDL";
constexpr char kMdlNs[] = "org.iso.18013.5.1";
constexpr char kGbNs[] = "org.iso.18013.5.1.GB";

constexpr char kClientId[] = "x509_san_dns:verifier.example";
constexpr char kResponseUri[] = "https://verifier.example/post";
constexpr char kOrigin[] = "https://verifier.example";
constexpr char kNonce[] = "n-8fj2KQ0x";

// The status list URI (sub) of the draft-ietf-oauth-status-list-20 token vectors.
constexpr char kVectorStatusUri[] = "https://example.com/statuslists/1";

struct DocCase {
  const char* doctype;
  const char* claims;  // examples/claims/<claims>.json
  const char* disclose;
};

const DocCase kDocs[] = {
    {kMdl, "mdl",
     "org.iso.18013.5.1/family_name,org.iso.18013.5.1/age_over_18,org.iso.18013.5.1.GB/welsh_licence"},
    {"uk.gov.digital-id.1", "digital-id", "uk.gov.digital-id.1/given_name,uk.gov.digital-id.1/age_over_18"},
    {"uk.gov.homeoffice.evisa.1", "evisa",
     "uk.gov.homeoffice.evisa.1/right_to_work,"
     "uk.gov.homeoffice.evisa.1/valid_until,"
     "uk.gov.homeoffice.evisa.1/portrait"},
    {"uk.gov.gro.marriage.1", "marriage",
     "uk.gov.gro.marriage.1/date_of_marriage,uk.gov.gro.marriage.1/entry_number"},
};

std::string ReadAbsolute(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    ADD_FAILURE() << "cannot read " << path;
    return "";
  }
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string ExamplePath(const std::string& name) {
  return std::string(BONAFIDE_SOURCE_DIR) + "/examples/claims/" + name + ".json";
}

Json ParseOrFail(const std::string& text) {
  auto j = ParseJson(text);
  if (!j.ok()) {
    ADD_FAILURE() << j.status().ToString();
    return Json::object();
  }
  return *j;
}

// ExpectedClaims is a claims file as verify prints it: byte strings (the portrait) as base64url.
Json ExpectedClaims(const std::string& name) {
  Json claims = ParseOrFail(ReadAbsolute(ExamplePath(name)));
  for (auto& [ns, elements] : claims.items()) {
    (void)ns;
    if (elements.contains("portrait")) {
      auto raw = Base64Decode(elements["portrait"].get<std::string>());
      EXPECT_TRUE(raw.ok());
      if (raw.ok()) elements["portrait"] = Base64UrlEncode(*raw);
    }
  }
  return claims;
}

bool IsBase64UrlLine(const std::string& s) {
  if (s.size() < 2 || s.back() != '\n') return false;
  for (size_t i = 0; i + 1 < s.size(); ++i) {
    const char c = s[i];
    const bool ok =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

// Exited1WithJson: never a crash, exit 1, and a JSON error object (any code but internal) on
// the channel of the convention.
::testing::AssertionResult Exited1WithJson(const RunResult& r, bool verify) {
  auto ok = WellBehaved(r, verify);
  if (!ok) return ok;
  if (r.exit_code != 1) return ::testing::AssertionFailure() << "expected exit code 1\n" << r.Describe();
  return ::testing::AssertionSuccess();
}

class MdocCliTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    ASSERT_TRUE(
        Succeeds(Cli({"pki", "create-iaca", "--out-dir", Path("iaca"), "--at", std::to_string(kPkiAt)})));
    // The longest document signer Annex B allows (457 days), so that the default 365-day mdoc
    // is not capped at the certificate's end.
    ASSERT_TRUE(Succeeds(Cli({"pki", "create-ds", "--iaca-dir", Path("iaca"), "--out-dir", Path("ds"), "--at",
                              std::to_string(kPkiAt), "--valid-days", "457"})));
    GenerateKey("device.jwk", "ES256");
    RunResult pub = Cli({"key", "public", Path("device.jwk")});
    ASSERT_TRUE(Succeeds(pub));
    WriteFile("device.pub.jwk", pub.out);
  }

  RunResult Issue(const std::string& doctype, const std::string& claims_path,
                  const std::vector<std::string>& extra = {}) const {
    std::vector<std::string> args = {
        "mdoc",      "issue", "--ds-key", Path("ds/ds.key.pem"), "--ds-cert",    Path("ds/ds.pem"),
        "--doctype", doctype, "--claims", claims_path,           "--device-key", Path("device.pub.jwk"),
        "--at",      kAt};
    args.insert(args.end(), extra.begin(), extra.end());
    return Cli(args);
  }
  // IssueTo issues `example` (examples/claims) and writes the base64url IssuerSigned to `file`.
  void IssueTo(const std::string& file, const std::string& doctype = kMdl, const std::string& example = "mdl",
               const std::vector<std::string>& extra = {}) const {
    RunResult r = Issue(doctype, ExamplePath(example), extra);
    ASSERT_TRUE(Succeeds(r));
    WriteFile(file, r.out);
  }

  static std::vector<std::string> Oid4vp(const std::string& nonce = kNonce,
                                         const std::string& client_id = kClientId,
                                         const std::string& response_uri = kResponseUri) {
    return {"--transcript",   "oid4vp",     "--client-id", client_id,
            "--response-uri", response_uri, "--nonce",     nonce};
  }
  static std::vector<std::string> DcApi(const std::string& origin = kOrigin,
                                        const std::string& nonce = kNonce) {
    return {"--transcript", "dcapi", "--origin", origin, "--nonce", nonce};
  }

  RunResult Present(const std::string& issuer_signed, const std::string& disclose,
                    const std::vector<std::string>& transcript = Oid4vp(),
                    const std::vector<std::string>& extra = {}) const {
    std::vector<std::string> args = {
        "mdoc",         "present",          "--issuer-signed", Path(issuer_signed),
        "--device-key", Path("device.jwk"), "--disclose",      disclose};
    args.insert(args.end(), transcript.begin(), transcript.end());
    args.insert(args.end(), extra.begin(), extra.end());
    return Cli(args);
  }
  void PresentTo(const std::string& out, const std::string& issuer_signed, const std::string& disclose,
                 const std::vector<std::string>& transcript = Oid4vp()) const {
    RunResult r = Present(issuer_signed, disclose, transcript);
    ASSERT_TRUE(Succeeds(r));
    WriteFile(out, r.out);
  }

  RunResult Verify(const std::string& file, const std::vector<std::string>& extra = {},
                   const std::string& at = kAt) const {
    std::vector<std::string> args = {"mdoc", "verify", Path(file), "--iaca", Path("iaca/iaca.pem"),
                                     "--at", at};
    args.insert(args.end(), extra.begin(), extra.end());
    return Cli(args);
  }
  // VerifiedJson checks that verify succeeded with "valid": true and returns its output.
  Json VerifiedJson(const RunResult& r) const {
    EXPECT_TRUE(Succeeds(r));
    Json j = StdoutJson(r);
    EXPECT_EQ(j.value("valid", false), true) << r.Describe();
    return j;
  }

  // MakeStatusToken writes a Status List Token JWT for `uri` signed by the DS key, with entry
  // `idx` set to `value` (nothing set when empty), to `out`.
  void MakeStatusToken(const std::string& out, const std::string& uri, int idx, const std::string& value,
                       const std::string& signing_key = "ds/ds.key.pem") const {
    ASSERT_TRUE(Succeeds(Cli({"status", "create", "--size", "64", "--out", Path(out + ".list")})));
    if (!value.empty()) {
      ASSERT_TRUE(Succeeds(
          Cli({"status", "set", Path(out + ".list"), "--idx", std::to_string(idx), "--value", value})));
    }
    ASSERT_TRUE(Succeeds(Cli({"status", "token", Path(out + ".list"), "--issuer-key", Path(signing_key),
                              "--sub", uri, "--at", kAt, "--out", Path(out)})));
  }
};

// --- 1. The full story -----------------------------------------------------------------------

TEST_F(MdocCliTest, IssueAndVerifyEachUkDoctype) {
  for (const DocCase& d : kDocs) {
    SCOPED_TRACE(d.doctype);
    const std::string file = std::string(d.claims) + ".mdoc";
    IssueTo(file, d.doctype, d.claims);
    Json j = VerifiedJson(Verify(file));
    EXPECT_EQ(j.value("format", ""), "mso_mdoc");
    EXPECT_EQ(j.value("structure", ""), "IssuerSigned");
    EXPECT_EQ(j.value("docType", ""), d.doctype);
    EXPECT_EQ(j["claims"], ExpectedClaims(d.claims));
    ASSERT_TRUE(j["documents"].is_array());
    ASSERT_EQ(j["documents"].size(), 1u);
    const Json& doc = j["documents"][0];
    EXPECT_EQ(doc.value("device_auth", ""), "none");
    EXPECT_EQ(doc.value("status_checked", true), false);
    EXPECT_EQ(doc["issuer"].value("country", ""), "GB");
    EXPECT_EQ(doc["validity"].value("validFrom", ""), "2023-11-14T22:13:20Z");
    EXPECT_EQ(doc["validity"].value("validUntil", ""), "2024-11-13T22:13:20Z");  // default 365 days
    EXPECT_FALSE(doc.contains("status"));
  }
}

TEST_F(MdocCliTest, PresentAndVerifyEachUkDoctypeOverOid4vp) {
  for (const DocCase& d : kDocs) {
    SCOPED_TRACE(d.doctype);
    const std::string file = std::string(d.claims) + ".mdoc";
    const std::string response = std::string(d.claims) + ".response";
    IssueTo(file, d.doctype, d.claims);
    PresentTo(response, file, d.disclose);
    Json j = VerifiedJson(Verify(response, Oid4vp()));
    EXPECT_EQ(j.value("structure", ""), "DeviceResponse");
    EXPECT_EQ(j.value("docType", ""), d.doctype);
    EXPECT_EQ(j["documents"][0].value("device_auth", ""), "signature");
    // Only the disclosed elements, with the values of the claims file.
    const Json all = ExpectedClaims(d.claims);
    Json expected = Json::object();
    std::stringstream list(d.disclose);
    std::string entry;
    while (std::getline(list, entry, ',')) {
      const size_t slash = entry.rfind('/');
      const std::string ns = entry.substr(0, slash), element = entry.substr(slash + 1);
      expected[ns][element] = all[ns][element];
    }
    EXPECT_EQ(j["claims"], expected);
  }
}

TEST_F(MdocCliTest, DeviceResponseIsBoundToTheTranscript) {
  IssueTo("mdl.mdoc");
  PresentTo("dr", "mdl.mdoc", "org.iso.18013.5.1/given_name,org.iso.18013.5.1.GB/title");
  Json j = VerifiedJson(Verify("dr", Oid4vp()));
  EXPECT_EQ(j["claims"], Json({{kMdlNs, {{"given_name", "Bethan Adaeze"}}}, {kGbNs, {{"title", "Ms"}}}}));
  EXPECT_EQ(j["documents"][0].value("device_auth", ""), "signature");

  EXPECT_TRUE(VerifyFailsWith(Verify("dr", Oid4vp("n-8fj2KQ0y")), "invalid_signature"));
  EXPECT_TRUE(
      VerifyFailsWith(Verify("dr", Oid4vp(kNonce, "x509_san_dns:evil.example")), "invalid_signature"));
  EXPECT_TRUE(VerifyFailsWith(Verify("dr", Oid4vp(kNonce, "verifier.example")), "invalid_signature"));
  EXPECT_TRUE(VerifyFailsWith(Verify("dr", Oid4vp(kNonce, kClientId, "https://verifier.example/post2")),
                              "invalid_signature"));
  // The same parameters in a DC API transcript are another transcript.
  EXPECT_TRUE(VerifyFailsWith(Verify("dr", DcApi()), "invalid_signature"));

  // --jwk-thumbprint on one side only, then on both.
  const std::string tp = Base64UrlEncode(Bytes(32, 0x5a));
  const std::string tp2 = Base64UrlEncode(Bytes(32, 0x5b));
  std::vector<std::string> with_tp = Oid4vp();
  with_tp.insert(with_tp.end(), {"--jwk-thumbprint", tp});
  EXPECT_TRUE(VerifyFailsWith(Verify("dr", with_tp), "invalid_signature"));
  PresentTo("dr-tp", "mdl.mdoc", "org.iso.18013.5.1/given_name", with_tp);
  EXPECT_TRUE(VerifyFailsWith(Verify("dr-tp", Oid4vp()), "invalid_signature"));
  VerifiedJson(Verify("dr-tp", with_tp));
  std::vector<std::string> with_tp2 = Oid4vp();
  with_tp2.insert(with_tp2.end(), {"--jwk-thumbprint", tp2});
  EXPECT_TRUE(VerifyFailsWith(Verify("dr-tp", with_tp2), "invalid_signature"));
}

TEST_F(MdocCliTest, DcApiTranscript) {
  IssueTo("mdl.mdoc");
  PresentTo("dr", "mdl.mdoc", "org.iso.18013.5.1/age_over_21", DcApi());
  Json j = VerifiedJson(Verify("dr", DcApi()));
  EXPECT_EQ(j["claims"], Json({{kMdlNs, {{"age_over_21", true}}}}));
  EXPECT_EQ(j["documents"][0].value("device_auth", ""), "signature");
  EXPECT_TRUE(VerifyFailsWith(Verify("dr", DcApi("https://verifier.example.org")), "invalid_signature"));
  EXPECT_TRUE(VerifyFailsWith(Verify("dr", DcApi(kOrigin, "other-nonce")), "invalid_signature"));
  EXPECT_TRUE(VerifyFailsWith(Verify("dr", Oid4vp()), "invalid_signature"));
  // dcapi needs --origin; oid4vp needs --client-id and --response-uri; both need --nonce.
  EXPECT_TRUE(
      VerifyFailsWith(Verify("dr", {"--transcript", "dcapi", "--nonce", kNonce}), "invalid_argument"));
  EXPECT_TRUE(CommandFailsWith(
      Present("mdl.mdoc", "org.iso.18013.5.1/age_over_21", {"--transcript", "dcapi", "--nonce", kNonce}),
      "invalid_argument"));
}

// --- 2. Formats ----------------------------------------------------------------------------------

TEST_F(MdocCliTest, Base64UrlAndBinaryFiles) {
  RunResult text = Issue(kMdl, ExamplePath("mdl"));
  ASSERT_TRUE(Succeeds(text));
  EXPECT_TRUE(IsBase64UrlLine(text.out)) << text.out.substr(0, 80);

  RunResult bin = Issue(kMdl, ExamplePath("mdl"), {"--binary", "--out", Path("mdl.cbor")});
  ASSERT_TRUE(Succeeds(bin));
  EXPECT_TRUE(bin.out.empty());
  const std::string raw = ReadFile("mdl.cbor");
  ASSERT_FALSE(raw.empty());
  EXPECT_EQ(static_cast<uint8_t>(raw[0]), 0xa2);  // IssuerSigned: a map of two (nameSpaces, issuerAuth)
  // Exactly one CBOR item, nothing after it (no newline added). Its last byte is a signature
  // byte, which may itself be 0x0a, so the check is that the whole file decodes.
  EXPECT_TRUE(cbor::Decode(AsBytes(raw)).ok());

  // --out without --binary writes the base64url text.
  ASSERT_TRUE(Succeeds(Issue(kMdl, ExamplePath("mdl"), {"--out", Path("mdl.b64")})));
  EXPECT_TRUE(IsBase64UrlLine(ReadFile("mdl.b64")));

  // The binary IssuerSigned verifies, and so does its base64url form (with or without newline).
  VerifiedJson(Verify("mdl.cbor"));
  WriteFile("mdl.cbor.b64", Base64UrlEncode(std::string_view(raw)));
  VerifiedJson(Verify("mdl.cbor.b64"));
  VerifiedJson(Cli({"mdoc", "verify", "-", "--iaca", Path("iaca/iaca.pem"), "--at", kAt},
                   Base64UrlEncode(std::string_view(raw)) + "\n"));

  // present reads the binary file; its DeviceResponse is read back as binary and base64url.
  RunResult dr_bin =
      Present("mdl.cbor", "org.iso.18013.5.1/family_name", Oid4vp(), {"--binary", "--out", Path("dr.cbor")});
  ASSERT_TRUE(Succeeds(dr_bin));
  EXPECT_TRUE(dr_bin.out.empty());
  const std::string dr_raw = ReadFile("dr.cbor");
  ASSERT_FALSE(dr_raw.empty());
  EXPECT_EQ(static_cast<uint8_t>(dr_raw[0]) & 0xe0, 0xa0);  // a map
  Json j = VerifiedJson(Verify("dr.cbor", Oid4vp()));
  EXPECT_EQ(j["claims"], Json({{kMdlNs, {{"family_name", "Okonkwo-Hughes"}}}}));
  WriteFile("dr.b64", Base64UrlEncode(std::string_view(dr_raw)) + "\n");
  VerifiedJson(Verify("dr.b64", Oid4vp()));
  PresentTo("dr2.b64", "mdl.cbor.b64", "org.iso.18013.5.1/family_name");
  VerifiedJson(Verify("dr2.b64", Oid4vp()));

  // --binary needs --out.
  EXPECT_TRUE(CommandFailsWith(Issue(kMdl, ExamplePath("mdl"), {"--binary"}), "invalid_argument"));
  EXPECT_TRUE(CommandFailsWith(Present("mdl.cbor", "org.iso.18013.5.1/family_name", Oid4vp(), {"--binary"}),
                               "invalid_argument"));
}

// --- 3. Validity ---------------------------------------------------------------------------------

TEST_F(MdocCliTest, MsoValidityWindow) {
  IssueTo("mdl.mdoc", kMdl, "mdl", {"--valid-days", "1"});
  VerifiedJson(Verify("mdl.mdoc", {}, std::to_string(kT0)));
  EXPECT_TRUE(VerifyFailsWith(Verify("mdl.mdoc", {}, std::to_string(kT0 - 1)), "not_yet_valid"));
  VerifiedJson(Verify("mdl.mdoc", {}, std::to_string(kT0 + kDay)));  // validUntil itself is inside
  EXPECT_TRUE(VerifyFailsWith(Verify("mdl.mdoc", {}, std::to_string(kT0 + kDay + 1)), "expired"));
  EXPECT_TRUE(VerifyFailsWith(Verify("mdl.mdoc", {}, std::to_string(kT0 + 2 * kDay)), "expired"));

  // The same for a DeviceResponse.
  PresentTo("dr", "mdl.mdoc", "org.iso.18013.5.1/family_name");
  EXPECT_TRUE(VerifyFailsWith(Verify("dr", Oid4vp(), std::to_string(kT0 - 1)), "not_yet_valid"));
  EXPECT_TRUE(VerifyFailsWith(Verify("dr", Oid4vp(), std::to_string(kT0 + 2 * kDay)), "expired"));
  VerifiedJson(Verify("dr", Oid4vp(), std::to_string(kT0 + kDay)));
}

TEST_F(MdocCliTest, ValidDaysBounds) {
  EXPECT_TRUE(CommandFailsWith(Issue(kMdl, ExamplePath("mdl"), {"--valid-days", "0"}), "invalid_argument"));
  EXPECT_TRUE(CommandFailsWith(Issue(kMdl, ExamplePath("mdl"), {"--valid-days", "-1"}), "invalid_argument"));
  EXPECT_TRUE(
      CommandFailsWith(Issue(kMdl, ExamplePath("mdl"), {"--valid-days", "3651"}), "invalid_argument"));
  // 3650 days is accepted but capped at the document signer certificate's end (kPkiAt + 457 days):
  // an mdoc cannot outlive the certificate verifiers check its signature with.
  IssueTo("long.mdoc", kMdl, "mdl", {"--valid-days", "3650"});
  Json j = VerifiedJson(Verify("long.mdoc"));
  EXPECT_EQ(j["documents"][0]["validity"].value("validUntil", ""), "2025-01-14T22:13:20Z");
  EXPECT_TRUE(UsageError(Issue(kMdl, ExamplePath("mdl"), {"--valid-days", "soon"})));
}

TEST_F(MdocCliTest, ExpiredDocumentSignerCannotIssue) {
  // An old IACA and a DS valid for 10 days, 100 days before kT0.
  const int64_t ds_from = kT0 - 100 * kDay, ds_until = ds_from + 10 * kDay;
  ASSERT_TRUE(Succeeds(
      Cli({"pki", "create-iaca", "--out-dir", Path("old-iaca"), "--at", std::to_string(kT0 - 200 * kDay)})));
  ASSERT_TRUE(Succeeds(Cli({"pki", "create-ds", "--iaca-dir", Path("old-iaca"), "--out-dir", Path("old-ds"),
                            "--valid-days", "10", "--at", std::to_string(ds_from)})));
  auto issue_at = [&](int64_t at) {
    return Cli({"mdoc", "issue", "--ds-key", Path("old-ds/ds.key.pem"), "--ds-cert", Path("old-ds/ds.pem"),
                "--doctype", kMdl, "--claims", ExamplePath("mdl"), "--device-key", Path("device.pub.jwk"),
                "--at", std::to_string(at)});
  };
  EXPECT_TRUE(CommandFailsWith(issue_at(kT0), "expired"));
  EXPECT_TRUE(CommandFailsWith(issue_at(ds_until), "expired"));
  EXPECT_TRUE(CommandFailsWith(issue_at(ds_from - 1), "not_yet_valid"));
  RunResult last = issue_at(ds_until - 1);
  ASSERT_TRUE(Succeeds(last));
  WriteFile("last.mdoc", last.out);
  RunResult ok = Cli({"mdoc", "verify", Path("last.mdoc"), "--iaca", Path("old-iaca/iaca.pem"), "--at",
                      std::to_string(ds_until - 1)});
  VerifiedJson(ok);
  // At kT0 the DS certificate has expired (the MSO would still be valid).
  EXPECT_TRUE(VerifyFailsWith(
      Cli({"mdoc", "verify", Path("last.mdoc"), "--iaca", Path("old-iaca/iaca.pem"), "--at", kAt}),
      "expired"));
}

// --- 4. Status ---------------------------------------------------------------------------------

TEST_F(MdocCliTest, StatusListJwt) {
  const std::string uri = "https://dvla.example.gov.uk/status/7";
  IssueTo("mdl.mdoc", kMdl, "mdl", {"--status-uri", uri, "--status-idx", "5"});

  EXPECT_TRUE(VerifyFailsWith(Verify("mdl.mdoc"), "status_unavailable"));
  Json unchecked = VerifiedJson(Verify("mdl.mdoc", {"--no-status-check"}));
  EXPECT_EQ(unchecked["documents"][0].value("status_checked", true), false);
  EXPECT_EQ(unchecked["documents"][0]["status"], Json({{"status_list", {{"idx", 5}, {"uri", uri}}}}));

  MakeStatusToken("valid.jwt", uri, 5, "");
  MakeStatusToken("revoked.jwt", uri, 5, "invalid");
  MakeStatusToken("suspended.jwt", uri, 5, "suspended");
  MakeStatusToken("neighbour.jwt", uri, 4, "invalid");  // another entry revoked: this one is valid
  MakeStatusToken("other-sub.jwt", "https://dvla.example.gov.uk/status/8", 0, "");
  MakeStatusToken("other-key.jwt", uri, 0, "", "device.jwk");

  Json j = VerifiedJson(Verify("mdl.mdoc", {"--status-list", Path("valid.jwt")}));
  EXPECT_EQ(j["documents"][0].value("status_checked", false), true);
  VerifiedJson(Verify("mdl.mdoc", {"--status-list", Path("neighbour.jwt")}));
  // --status-key: the DS certificate (its public key) works like the default.
  j = VerifiedJson(
      Verify("mdl.mdoc", {"--status-list", Path("valid.jwt"), "--status-key", Path("ds/ds.pem")}));
  EXPECT_EQ(j["documents"][0].value("status_checked", false), true);
  RunResult ds_pub = Cli({"key", "public", Path("ds/ds.key.pem")});
  ASSERT_TRUE(Succeeds(ds_pub));
  WriteFile("ds.pub.jwk", ds_pub.out);
  VerifiedJson(Verify("mdl.mdoc", {"--status-list", Path("valid.jwt"), "--status-key", Path("ds.pub.jwk")}));
  EXPECT_TRUE(VerifyFailsWith(
      Verify("mdl.mdoc", {"--status-list", Path("revoked.jwt"), "--status-key", Path("ds.pub.jwk")}),
      "revoked"));
  // A given list is checked even with --no-status-check.
  EXPECT_TRUE(VerifyFailsWith(Verify("mdl.mdoc", {"--status-list", Path("revoked.jwt"), "--no-status-check"}),
                              "revoked"));
  EXPECT_TRUE(VerifyFailsWith(Verify("mdl.mdoc", {"--status-list", Path("revoked.jwt")}), "revoked"));
  EXPECT_TRUE(VerifyFailsWith(Verify("mdl.mdoc", {"--status-list", Path("suspended.jwt")}), "suspended"));
  EXPECT_TRUE(
      VerifyFailsWith(Verify("mdl.mdoc", {"--status-list", Path("other-sub.jwt")}), "status_unavailable"));
  // Signed by another key than the document signer's, or checked with another key.
  EXPECT_TRUE(
      VerifyFailsWith(Verify("mdl.mdoc", {"--status-list", Path("other-key.jwt")}), "invalid_signature"));
  VerifiedJson(
      Verify("mdl.mdoc", {"--status-list", Path("other-key.jwt"), "--status-key", Path("device.pub.jwk")}));
  EXPECT_TRUE(VerifyFailsWith(
      Verify("mdl.mdoc", {"--status-list", Path("valid.jwt"), "--status-key", Path("device.pub.jwk")}),
      "invalid_signature"));
  // The token's exp (1 day) bounds when it can be used.
  EXPECT_TRUE(VerifyFailsWith(
      Verify("mdl.mdoc", {"--status-list", Path("valid.jwt")}, std::to_string(kT0 + 2 * kDay)), "expired"));

  // A token issued a day after the verification time is not valid yet.
  ASSERT_TRUE(Succeeds(Cli({"status", "token", Path("valid.jwt.list"), "--issuer-key", Path("ds/ds.key.pem"),
                            "--sub", uri, "--at", std::to_string(kT0 + kDay), "--out", Path("future.jwt")})));
  EXPECT_TRUE(VerifyFailsWith(Verify("mdl.mdoc", {"--status-list", Path("future.jwt")}), "not_yet_valid"));
  VerifiedJson(Verify("mdl.mdoc", {"--status-list", Path("future.jwt")}, std::to_string(kT0 + kDay)));

  // The status of a presented document is checked the same way.
  PresentTo("dr", "mdl.mdoc", "org.iso.18013.5.1/family_name");
  std::vector<std::string> args = Oid4vp();
  EXPECT_TRUE(VerifyFailsWith(Verify("dr", args), "status_unavailable"));
  args.insert(args.end(), {"--status-list", Path("revoked.jwt")});
  EXPECT_TRUE(VerifyFailsWith(Verify("dr", args), "revoked"));
  args.back() = Path("valid.jwt");
  EXPECT_EQ(VerifiedJson(Verify("dr", args))["documents"][0].value("status_checked", false), true);
}

TEST_F(MdocCliTest, StatusListCwtVector) {
  const Json tokens =
      ParseOrFail(ReadAbsolute(std::string(BONAFIDE_VECTORS_DIR) + "/status-list/tokens.json"));
  const Json keys = ParseOrFail(ReadAbsolute(std::string(BONAFIDE_VECTORS_DIR) + "/status-list/keys.json"));
  auto cwt = HexDecode(tokens["status_list_token_cwt"]["value_hex"].get<std::string>());
  ASSERT_TRUE(cwt.ok());
  WriteFile("list.cwt", std::string(reinterpret_cast<const char*>(cwt->data()), cwt->size()));
  WriteFile("list.cwt.b64", Base64UrlEncode(*cwt) + "\n");
  WriteFile("list.jwt", tokens["status_list_token_jwt"]["value"].get<std::string>());
  Json pub = keys["status_list_issuer_key"];
  pub.erase("d");
  WriteFile("status-key.jwk", pub.dump());

  // The list (bits 1): 1 0 0 1 1 1 0 1 ...: index 0 revoked, 1 valid, 3 revoked.
  IssueTo("idx0.mdoc", kMdl, "mdl", {"--status-uri", kVectorStatusUri, "--status-idx", "0"});
  IssueTo("idx1.mdoc", kMdl, "mdl", {"--status-uri", kVectorStatusUri, "--status-idx", "1"});
  IssueTo("idx3.mdoc", kMdl, "mdl", {"--status-uri", kVectorStatusUri, "--status-idx", "3"});
  for (const char* token : {"list.cwt", "list.cwt.b64", "list.jwt"}) {
    SCOPED_TRACE(token);
    const std::vector<std::string> with = {"--status-list", Path(token), "--status-key",
                                           Path("status-key.jwk")};
    EXPECT_TRUE(VerifyFailsWith(Verify("idx0.mdoc", with), "revoked"));
    EXPECT_TRUE(VerifyFailsWith(Verify("idx3.mdoc", with), "revoked"));
    Json j = VerifiedJson(Verify("idx1.mdoc", with));
    EXPECT_EQ(j["documents"][0].value("status_checked", false), true);
    // Without --status-key the document signer's key does not verify the vector token.
    EXPECT_TRUE(VerifyFailsWith(Verify("idx1.mdoc", {"--status-list", Path(token)}), "invalid_signature"));
    // Later inside the token's window (exp 2042) but after the DS certificate: the chain fails first.
    EXPECT_TRUE(VerifyFailsWith(Verify("idx1.mdoc", with, std::to_string(kPkiAt + 458 * kDay)), "expired"));
  }
  // An index past the list's end is unavailable (the vector list has 16 one-bit entries).
  IssueTo("far.mdoc", kMdl, "mdl", {"--status-uri", kVectorStatusUri, "--status-idx", "100000"});
  EXPECT_TRUE(VerifyFailsWith(
      Verify("far.mdoc", {"--status-list", Path("list.cwt"), "--status-key", Path("status-key.jwk")}),
      "status_unavailable"));
  // An mdoc pointing at another list URI.
  IssueTo("other.mdoc", kMdl, "mdl",
          {"--status-uri", "https://example.com/statuslists/2", "--status-idx", "1"});
  EXPECT_TRUE(VerifyFailsWith(
      Verify("other.mdoc", {"--status-list", Path("list.cwt"), "--status-key", Path("status-key.jwk")}),
      "status_unavailable"));
  // A CWT with one flipped signature byte.
  std::string bad = ReadFile("list.cwt");
  bad[bad.size() - 5] = static_cast<char>(bad[bad.size() - 5] ^ 0x01);
  WriteFile("bad.cwt", bad);
  EXPECT_TRUE(VerifyFailsWith(
      Verify("idx1.mdoc", {"--status-list", Path("bad.cwt"), "--status-key", Path("status-key.jwk")}),
      "invalid_signature"));
}

TEST_F(MdocCliTest, StatusOptionsGoTogether) {
  EXPECT_TRUE(CommandFailsWith(Issue(kMdl, ExamplePath("mdl"), {"--status-uri", "https://x.example/s"}),
                               "invalid_argument"));
  EXPECT_TRUE(CommandFailsWith(Issue(kMdl, ExamplePath("mdl"), {"--status-idx", "3"}), "invalid_argument"));
  EXPECT_TRUE(CommandFailsWith(
      Issue(kMdl, ExamplePath("mdl"), {"--status-uri", "https://x.example/s", "--status-idx", "-1"}),
      "invalid_argument"));
  EXPECT_TRUE(
      CommandFailsWith(Issue(kMdl, ExamplePath("mdl"),
                             {"--status-uri", "https://x.example/s", "--status-idx", "9007199254740992"}),
                       "invalid_argument"));
  IssueTo("max.mdoc", kMdl, "mdl",
          {"--status-uri", "https://x.example/s", "--status-idx", "9007199254740991"});
  Json j = VerifiedJson(Verify("max.mdoc", {"--no-status-check"}));
  EXPECT_EQ(j["documents"][0]["status"]["status_list"].value("idx", int64_t{0}), int64_t{9007199254740991});
}

// --- 5. Bad input -------------------------------------------------------------------------------

TEST_F(MdocCliTest, MissingFiles) {
  IssueTo("mdl.mdoc");
  PresentTo("dr", "mdl.mdoc", "org.iso.18013.5.1/family_name");
  const std::string missing = Path("no-such-file");
  auto issue_with = [&](const std::string& opt) {
    std::vector<std::string> args = {
        "mdoc",      "issue", "--ds-key", Path("ds/ds.key.pem"), "--ds-cert",    Path("ds/ds.pem"),
        "--doctype", kMdl,    "--claims", ExamplePath("mdl"),    "--device-key", Path("device.pub.jwk"),
        "--at",      kAt};
    for (size_t i = 0; i + 1 < args.size(); ++i) {
      if (args[i] == opt) args[i + 1] = missing;
    }
    return Cli(args);
  };
  for (const char* opt : {"--ds-key", "--ds-cert", "--claims", "--device-key"}) {
    EXPECT_TRUE(CommandFailsWith(issue_with(opt), "io_error")) << opt;
  }
  EXPECT_TRUE(CommandFailsWith(Present("no-such-file", "org.iso.18013.5.1/family_name"), "io_error"));
  EXPECT_TRUE(
      CommandFailsWith(Cli({"mdoc", "present", "--issuer-signed", Path("mdl.mdoc"), "--device-key", missing,
                            "--disclose", "org.iso.18013.5.1/family_name", "--transcript", "oid4vp",
                            "--client-id", kClientId, "--response-uri", kResponseUri, "--nonce", kNonce}),
                       "io_error"));
  EXPECT_TRUE(VerifyFailsWith(Verify("no-such-file"), "io_error"));
  EXPECT_TRUE(
      VerifyFailsWith(Cli({"mdoc", "verify", Path("mdl.mdoc"), "--iaca", missing, "--at", kAt}), "io_error"));
  EXPECT_TRUE(VerifyFailsWith(Verify("mdl.mdoc", {"--status-list", missing}), "io_error"));
  IssueTo("st.mdoc", kMdl, "mdl", {"--status-uri", "https://x.example/s", "--status-idx", "1"});
  MakeStatusToken("valid.jwt", "https://x.example/s", 1, "");
  EXPECT_TRUE(VerifyFailsWith(
      Verify("st.mdoc", {"--status-list", Path("valid.jwt"), "--status-key", missing}), "io_error"));
  std::vector<std::string> with_reader = Oid4vp();
  with_reader.insert(with_reader.end(), {"--reader-key", missing});
  EXPECT_TRUE(VerifyFailsWith(Verify("dr", with_reader), "io_error"));
  // A directory is not a file.
  EXPECT_TRUE(VerifyFailsWith(Verify("iaca"), "io_error"));
}

TEST_F(MdocCliTest, EmptyAndGarbageKeyAndCertificateFiles) {
  IssueTo("mdl.mdoc");
  WriteFile("empty", "");
  WriteFile("garbage", "\x01\x02garbage\xff{not json");
  WriteFile("bad-pem-key", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
  WriteFile("bad-pem-cert", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
  auto issue = [&](const std::string& ds_key, const std::string& ds_cert, const std::string& claims,
                   const std::string& device) {
    return Cli({"mdoc", "issue", "--ds-key", ds_key, "--ds-cert", ds_cert, "--doctype", kMdl, "--claims",
                claims, "--device-key", device, "--at", kAt});
  };
  const std::string key = Path("ds/ds.key.pem"), cert = Path("ds/ds.pem"), claims = ExamplePath("mdl"),
                    device = Path("device.pub.jwk");
  for (const char* bad : {"empty", "garbage", "bad-pem-key"}) {
    SCOPED_TRACE(bad);
    EXPECT_TRUE(CommandFailsWith(issue(Path(bad), cert, claims, device), "invalid_key"));
    EXPECT_TRUE(CommandFailsWith(issue(key, cert, claims, Path(bad)), "invalid_key"));
    EXPECT_TRUE(CommandFailsWith(
        Cli({"mdoc", "present", "--issuer-signed", Path("mdl.mdoc"), "--device-key", Path(bad), "--disclose",
             "org.iso.18013.5.1/family_name", "--transcript", "oid4vp", "--client-id", kClientId,
             "--response-uri", kResponseUri, "--nonce", kNonce}),
        "invalid_key"));
  }
  for (const char* bad : {"empty", "garbage", "bad-pem-cert"}) {
    SCOPED_TRACE(bad);
    EXPECT_TRUE(CommandFailsWith(issue(key, Path(bad), claims, device), "malformed"));
    EXPECT_TRUE(VerifyFailsWith(Cli({"mdoc", "verify", Path("mdl.mdoc"), "--iaca", Path(bad), "--at", kAt}),
                                "malformed"));
  }
  // Claims: empty and garbage are not JSON; JSON that is not an object of objects is bad claims.
  EXPECT_TRUE(CommandFailsWith(issue(key, cert, Path("empty"), device), "malformed"));
  EXPECT_TRUE(CommandFailsWith(issue(key, cert, Path("garbage"), device), "malformed"));
  WriteFile("array.json", "[1,2]");
  EXPECT_TRUE(CommandFailsWith(issue(key, cert, Path("array.json"), device), "invalid_claims"));
  WriteFile("dup.json", R"({"org.iso.18013.5.1": {"family_name": "A", "family_name": "B"}})");
  EXPECT_TRUE(CommandFailsWith(issue(key, cert, Path("dup.json"), device), "malformed"));
  // Status key files.
  IssueTo("st.mdoc", kMdl, "mdl", {"--status-uri", "https://x.example/s", "--status-idx", "1"});
  MakeStatusToken("valid.jwt", "https://x.example/s", 1, "");
  for (const char* bad : {"empty", "garbage"}) {
    EXPECT_TRUE(VerifyFailsWith(
        Verify("st.mdoc", {"--status-list", Path("valid.jwt"), "--status-key", Path(bad)}), "invalid_key"))
        << bad;
  }
}

TEST_F(MdocCliTest, EmptyGarbageAndTruncatedMdocs) {
  IssueTo("mdl.mdoc");
  ASSERT_TRUE(Succeeds(Issue(kMdl, ExamplePath("mdl"), {"--binary", "--out", Path("mdl.cbor")})));
  ASSERT_TRUE(Succeeds(Present("mdl.cbor", "org.iso.18013.5.1/family_name", Oid4vp(),
                               {"--binary", "--out", Path("dr.cbor")})));
  const std::string raw = ReadFile("mdl.cbor");
  const std::string dr_raw = ReadFile("dr.cbor");
  WriteFile("empty", "");
  WriteFile("spaces", " \n\t\n");
  WriteFile("garbage", "\x01\x02garbage\xff{not json");
  WriteFile("text", "hello world, not an mdoc");
  WriteFile("b64-bad-length", "A");           // base64url characters, but no bytes decode from one
  WriteFile("b64-not-cbor", "AAAAAAAAAAAA");  // decodes to zeros: CBOR integer 0 and trailing bytes
  WriteFile("trunc.cbor", raw.substr(0, raw.size() / 2));
  WriteFile("trunc1.cbor", raw.substr(0, raw.size() - 1));
  WriteFile("trunc.b64", Base64UrlEncode(std::string_view(raw).substr(0, raw.size() - 7)));
  WriteFile("dr-trunc.cbor", dr_raw.substr(0, dr_raw.size() - 1));
  WriteFile("not-a-map.cbor", std::string("\x83\x01\x02\x03", 4));

  for (const char* f : {"empty", "spaces", "garbage", "text", "b64-bad-length", "b64-not-cbor", "trunc.cbor",
                        "trunc1.cbor", "trunc.b64", "not-a-map.cbor"}) {
    SCOPED_TRACE(f);
    EXPECT_TRUE(VerifyFailsWith(Verify(f), "malformed"));
    EXPECT_TRUE(CommandFailsWith(Present(f, "org.iso.18013.5.1/family_name"), "malformed"));
  }
  EXPECT_TRUE(VerifyFailsWith(Verify("dr-trunc.cbor", Oid4vp()), "malformed"));
  // A DeviceResponse is not an IssuerSigned to present from.
  EXPECT_TRUE(CommandFailsWith(Present("dr.cbor", "org.iso.18013.5.1/family_name"), "malformed"));
  // Status list files that are not tokens.
  IssueTo("st.mdoc", kMdl, "mdl", {"--status-uri", "https://x.example/s", "--status-idx", "1"});
  for (const char* f : {"empty", "garbage", "text", "b64-not-cbor"}) {
    EXPECT_TRUE(VerifyFailsWith(Verify("st.mdoc", {"--status-list", Path(f)}), "malformed")) << f;
  }
}

TEST_F(MdocCliTest, BitFlippedMdocsAreRejectedWithoutCrashing) {
  ASSERT_TRUE(Succeeds(Issue(kMdl, ExamplePath("mdl"), {"--binary", "--out", Path("mdl.cbor")})));
  ASSERT_TRUE(Succeeds(Present("mdl.cbor", "org.iso.18013.5.1/family_name,org.iso.18013.5.1/portrait",
                               Oid4vp(), {"--binary", "--out", Path("dr.cbor")})));
  for (const char* name : {"mdl.cbor", "dr.cbor"}) {
    SCOPED_TRACE(name);
    const bool is_response = std::string(name) == "dr.cbor";
    const std::string raw = ReadFile(name);
    ASSERT_GT(raw.size(), 100u);
    const size_t step = raw.size() / 40 + 1;
    for (size_t pos = 0; pos < raw.size(); pos += step) {
      for (uint8_t mask : {uint8_t{0x01}, uint8_t{0x80}}) {
        std::string flipped = raw;
        flipped[pos] = static_cast<char>(static_cast<uint8_t>(flipped[pos]) ^ mask);
        WriteFile("flipped", flipped);
        RunResult r = Verify("flipped", is_response ? Oid4vp() : std::vector<std::string>{});
        // Every byte of these files is inside a signed or digested structure, or is structure.
        EXPECT_TRUE(Exited1WithJson(r, /*verify=*/true)) << "byte " << pos << " mask " << int{mask};
        if (!is_response) {
          RunResult p = Present("flipped", "org.iso.18013.5.1/family_name");
          EXPECT_TRUE(WellBehaved(p, false)) << "byte " << pos;
        }
      }
    }
    // The last byte too.
    std::string flipped = raw;
    flipped.back() = static_cast<char>(flipped.back() ^ 0x01);
    WriteFile("flipped", flipped);
    EXPECT_TRUE(
        Exited1WithJson(Verify("flipped", is_response ? Oid4vp() : std::vector<std::string>{}), true));
  }
}

TEST_F(MdocCliTest, DiscloseSyntaxAndUnknownElements) {
  IssueTo("mdl.mdoc");
  for (const char* bad :
       {"family_name", "org.iso.18013.5.1/", "/family_name", "", ",", "org.iso.18013.5.1/family_name,",
        ",org.iso.18013.5.1/family_name", "org.iso.18013.5.1/family_name,,org.iso.18013.5.1/given_name"}) {
    EXPECT_TRUE(CommandFailsWith(Present("mdl.mdoc", bad), "invalid_argument")) << "\"" << bad << "\"";
  }
  // The same element twice.
  EXPECT_TRUE(
      CommandFailsWith(Present("mdl.mdoc", "org.iso.18013.5.1/family_name,org.iso.18013.5.1/family_name"),
                       "invalid_argument"));
  EXPECT_TRUE(CommandFailsWith(Present("mdl.mdoc", "org.iso.18013.5.1/no_such_element"), "not_found"));
  EXPECT_TRUE(CommandFailsWith(Present("mdl.mdoc", "org.iso.18013.5.1/family_name,org.iso.18013.5.1/nope"),
                               "not_found"));
  EXPECT_TRUE(CommandFailsWith(Present("mdl.mdoc", "org.iso.18013.5.1.XX/family_name"), "not_found"));
  // An element of another namespace of the same mdoc.
  EXPECT_TRUE(CommandFailsWith(Present("mdl.mdoc", "org.iso.18013.5.1.GB/family_name"), "not_found"));
  // Boundary: the element follows the last slash; a valid single entry works.
  PresentTo("dr", "mdl.mdoc", "org.iso.18013.5.1.GB/title");
  EXPECT_EQ(VerifiedJson(Verify("dr", Oid4vp()))["claims"], Json({{kGbNs, {{"title", "Ms"}}}}));
}

TEST_F(MdocCliTest, WrongKeys) {
  IssueTo("mdl.mdoc");
  // present with a device key that is not the one in the MSO.
  GenerateKey("other-device.jwk", "ES256");
  EXPECT_TRUE(CommandFailsWith(
      Cli({"mdoc", "present", "--issuer-signed", Path("mdl.mdoc"), "--device-key", Path("other-device.jwk"),
           "--disclose", "org.iso.18013.5.1/family_name", "--transcript", "oid4vp", "--client-id", kClientId,
           "--response-uri", kResponseUri, "--nonce", kNonce}),
      "invalid_key"));
  GenerateKey("ed-device.jwk", "EdDSA");
  EXPECT_TRUE(CommandFailsWith(
      Cli({"mdoc", "present", "--issuer-signed", Path("mdl.mdoc"), "--device-key", Path("ed-device.jwk"),
           "--disclose", "org.iso.18013.5.1/family_name", "--transcript", "oid4vp", "--client-id", kClientId,
           "--response-uri", kResponseUri, "--nonce", kNonce}),
      "invalid_key"));
  // --ds-key of another document signer than --ds-cert.
  ASSERT_TRUE(Succeeds(Cli({"pki", "create-ds", "--iaca-dir", Path("iaca"), "--out-dir", Path("ds2"), "--at",
                            std::to_string(kPkiAt)})));
  EXPECT_TRUE(CommandFailsWith(
      Cli({"mdoc", "issue", "--ds-key", Path("ds2/ds.key.pem"), "--ds-cert", Path("ds/ds.pem"), "--doctype",
           kMdl, "--claims", ExamplePath("mdl"), "--device-key", Path("device.pub.jwk"), "--at", kAt}),
      "invalid_key"));
  // The IACA key as --ds-key with the DS certificate.
  EXPECT_TRUE(CommandFailsWith(Cli({"mdoc", "issue", "--ds-key", Path("iaca/iaca.key.pem"), "--ds-cert",
                                    Path("ds/ds.pem"), "--doctype", kMdl, "--claims", ExamplePath("mdl"),
                                    "--device-key", Path("device.pub.jwk"), "--at", kAt}),
                               "invalid_key"));
  // Boundary: the second DS with its own key issues fine, and verifies under the same IACA.
  RunResult ok =
      Cli({"mdoc", "issue", "--ds-key", Path("ds2/ds.key.pem"), "--ds-cert", Path("ds2/ds.pem"), "--doctype",
           kMdl, "--claims", ExamplePath("mdl"), "--device-key", Path("device.pub.jwk"), "--at", kAt});
  ASSERT_TRUE(Succeeds(ok));
  WriteFile("ds2.mdoc", ok.out);
  VerifiedJson(Verify("ds2.mdoc"));
}

TEST_F(MdocCliTest, UntrustedIaca) {
  IssueTo("mdl.mdoc");
  PresentTo("dr", "mdl.mdoc", "org.iso.18013.5.1/family_name");
  ASSERT_TRUE(
      Succeeds(Cli({"pki", "create-iaca", "--out-dir", Path("other-iaca"), "--at", std::to_string(kPkiAt)})));
  EXPECT_TRUE(VerifyFailsWith(
      Cli({"mdoc", "verify", Path("mdl.mdoc"), "--iaca", Path("other-iaca/iaca.pem"), "--at", kAt}),
      "untrusted_issuer"));
  std::vector<std::string> args = {"mdoc", "verify", Path("dr"), "--iaca", Path("other-iaca/iaca.pem"),
                                   "--at", kAt};
  for (const std::string& a : Oid4vp()) args.push_back(a);
  EXPECT_TRUE(VerifyFailsWith(Cli(args), "untrusted_issuer"));
  // A bundle holding both roots trusts it.
  WriteFile("both.pem", ReadFile("other-iaca/iaca.pem") + ReadFile("iaca/iaca.pem"));
  VerifiedJson(Cli({"mdoc", "verify", Path("mdl.mdoc"), "--iaca", Path("both.pem"), "--at", kAt}));
}

TEST_F(MdocCliTest, BadClaims) {
  Json claims = ParseOrFail(ReadAbsolute(ExamplePath("mdl")));
  Json unknown = claims;
  unknown[kMdlNs]["favourite_colour"] = "blue";
  WriteFile("unknown.json", unknown.dump());
  EXPECT_TRUE(CommandFailsWith(Issue(kMdl, Path("unknown.json")), "invalid_claims"));
  Json unknown_ns = claims;
  unknown_ns["org.example.private"] = {{"x", 1}};
  WriteFile("unknown-ns.json", unknown_ns.dump());
  EXPECT_TRUE(CommandFailsWith(Issue(kMdl, Path("unknown-ns.json")), "invalid_claims"));
  Json missing = claims;
  missing[kMdlNs].erase("family_name");
  WriteFile("missing.json", missing.dump());
  EXPECT_TRUE(CommandFailsWith(Issue(kMdl, Path("missing.json")), "invalid_claims"));
  Json bad_date = claims;
  bad_date[kMdlNs]["birth_date"] = "14/07/1990";
  WriteFile("bad-date.json", bad_date.dump());
  EXPECT_TRUE(CommandFailsWith(Issue(kMdl, Path("bad-date.json")), "invalid_claims"));
  Json bad_portrait = claims;
  bad_portrait[kMdlNs]["portrait"] = Base64Encode(AsBytes(std::string_view("not a jpeg")));
  WriteFile("bad-portrait.json", bad_portrait.dump());
  EXPECT_TRUE(CommandFailsWith(Issue(kMdl, Path("bad-portrait.json")), "invalid_claims"));
  // The marriage claims are not an mDL.
  EXPECT_TRUE(CommandFailsWith(Issue(kMdl, ExamplePath("marriage")), "invalid_claims"));
  // Boundary: the unchanged claims issue.
  WriteFile("same.json", claims.dump());
  EXPECT_TRUE(Succeeds(Issue(kMdl, Path("same.json"))));
  EXPECT_TRUE(CommandFailsWith(Issue("", ExamplePath("mdl")), "invalid_argument"));
}

TEST_F(MdocCliTest, TranscriptAndStructureMismatch) {
  IssueTo("mdl.mdoc");
  PresentTo("dr", "mdl.mdoc", "org.iso.18013.5.1/family_name");
  EXPECT_TRUE(VerifyFailsWith(Verify("dr"), "invalid_argument"));
  EXPECT_TRUE(VerifyFailsWith(Verify("mdl.mdoc", Oid4vp()), "invalid_argument"));
  EXPECT_TRUE(VerifyFailsWith(Verify("mdl.mdoc", DcApi()), "invalid_argument"));
  // Transcript parameters.
  EXPECT_TRUE(VerifyFailsWith(
      Verify("dr", {"--transcript", "oid4vp", "--client-id", kClientId, "--response-uri", kResponseUri}),
      "invalid_argument"));
  EXPECT_TRUE(
      VerifyFailsWith(Verify("dr", {"--transcript", "oid4vp", "--client-id", kClientId, "--nonce", kNonce}),
                      "invalid_argument"));
  EXPECT_TRUE(
      VerifyFailsWith(Verify("dr", {"--transcript", "proximity", "--nonce", kNonce}), "invalid_argument"));
  std::vector<std::string> short_tp = Oid4vp();
  short_tp.insert(short_tp.end(), {"--jwk-thumbprint", Base64UrlEncode(Bytes(31, 1))});
  EXPECT_TRUE(VerifyFailsWith(Verify("dr", short_tp), "invalid_argument"));
  EXPECT_TRUE(
      CommandFailsWith(Present("mdl.mdoc", "org.iso.18013.5.1/family_name", short_tp), "invalid_argument"));
  EXPECT_TRUE(CommandFailsWith(Present("mdl.mdoc", "org.iso.18013.5.1/family_name", {}), "invalid_argument"));
  // --doctype expectation.
  VerifiedJson(Verify("dr", {"--transcript", "oid4vp", "--client-id", kClientId, "--response-uri",
                             kResponseUri, "--nonce", kNonce, "--doctype", kMdl}));
  EXPECT_TRUE(
      VerifyFailsWith(Verify("dr", {"--transcript", "oid4vp", "--client-id", kClientId, "--response-uri",
                                    kResponseUri, "--nonce", kNonce, "--doctype", "uk.gov.digital-id.1"}),
                      "invalid_type"));
  // --at outside [0, year 9999].
  EXPECT_TRUE(VerifyFailsWith(Verify("mdl.mdoc", {}, "-1"), "invalid_argument"));
  EXPECT_TRUE(CommandFailsWith(Cli({"mdoc", "issue", "--ds-key", Path("ds/ds.key.pem"), "--ds-cert",
                                    Path("ds/ds.pem"), "--doctype", kMdl, "--claims", ExamplePath("mdl"),
                                    "--device-key", Path("device.pub.jwk"), "--at", "253402300800"}),
                               "invalid_argument"));
}

TEST_F(MdocCliTest, ValidUntilIsCappedAtTheDocumentSignerNearYear9999) {
  // A PKI at the end of the representable range: a DS valid for 30 days caps any --valid-days at
  // its notAfter, so validUntil always fits a tdate.
  const int64_t at = 253402300799 - 100 * kDay;
  ASSERT_TRUE(Succeeds(Cli({"pki", "create-iaca", "--out-dir", Path("far-iaca"), "--at", std::to_string(at),
                            "--valid-days", "60"})));
  ASSERT_TRUE(Succeeds(Cli({"pki", "create-ds", "--iaca-dir", Path("far-iaca"), "--out-dir", Path("far-ds"),
                            "--at", std::to_string(at), "--valid-days", "30"})));
  for (const char* days : {"3650", "100", "31"}) {
    RunResult issued = Cli({"mdoc", "issue", "--ds-key", Path("far-ds/ds.key.pem"), "--ds-cert",
                            Path("far-ds/ds.pem"), "--doctype", "uk.gov.gro.marriage.1", "--claims",
                            ExamplePath("marriage"), "--device-key", Path("device.pub.jwk"), "--at",
                            std::to_string(at), "--valid-days", days});
    ASSERT_TRUE(Succeeds(issued));
    WriteFile("far.mdoc", issued.out);
    Json j = VerifiedJson(Cli({"mdoc", "verify", Path("far.mdoc"), "--iaca", Path("far-iaca/iaca.pem"), "--at",
                               std::to_string(at)}));
    EXPECT_EQ(j["documents"][0]["validity"].value("validUntil", ""), "9999-10-22T23:59:59Z") << days;
  }
}

TEST_F(MdocCliTest, DeviceKeyForms) {
  // A did:key and an EdDSA device key: issue, present (deviceSignature with EdDSA) and verify.
  GenerateKey("ed.jwk", "EdDSA");
  RunResult did = Cli({"key", "did", Path("ed.jwk")});
  ASSERT_TRUE(Succeeds(did));
  std::string did_key = did.out;
  while (!did_key.empty() && did_key.back() == '\n') did_key.pop_back();
  RunResult issued = Cli({"mdoc", "issue", "--ds-key", Path("ds/ds.key.pem"), "--ds-cert", Path("ds/ds.pem"),
                          "--doctype", "uk.gov.digital-id.1", "--claims", ExamplePath("digital-id"),
                          "--device-key", did_key, "--at", kAt});
  ASSERT_TRUE(Succeeds(issued));
  WriteFile("id.mdoc", issued.out);
  std::vector<std::string> args = {
      "mdoc",         "present",      "--issuer-signed", Path("id.mdoc"),
      "--device-key", Path("ed.jwk"), "--disclose",      "uk.gov.digital-id.1/age_over_18"};
  for (const std::string& a : Oid4vp()) args.push_back(a);
  RunResult dr = Cli(args);
  ASSERT_TRUE(Succeeds(dr));
  WriteFile("dr", dr.out);
  Json j = VerifiedJson(Verify("dr", Oid4vp()));
  EXPECT_EQ(j["claims"], Json({{"uk.gov.digital-id.1", {{"age_over_18", true}}}}));
  EXPECT_EQ(j["documents"][0].value("device_auth", ""), "signature");
  EXPECT_TRUE(VerifyFailsWith(Verify("dr", Oid4vp("other")), "invalid_signature"));
  // The ES256 device key of the fixture is not this mdoc's.
  EXPECT_TRUE(CommandFailsWith(Present("id.mdoc", "uk.gov.digital-id.1/age_over_18"), "invalid_key"));
  // A public key cannot sign a presentation.
  args[5] = Path("device.pub.jwk");
  EXPECT_TRUE(CommandFailsWith(Cli(args), "invalid_key"));
}

TEST_F(MdocCliTest, UnwritableOutput) {
  EXPECT_TRUE(
      CommandFailsWith(Issue(kMdl, ExamplePath("mdl"), {"--out", Path("no/such/dir/x")}), "io_error"));
  EXPECT_TRUE(CommandFailsWith(Issue(kMdl, ExamplePath("mdl"), {"--binary", "--out", Path("no/such/dir/x")}),
                               "io_error"));
  IssueTo("mdl.mdoc");
  EXPECT_TRUE(CommandFailsWith(
      Present("mdl.mdoc", "org.iso.18013.5.1/family_name", Oid4vp(), {"--out", Path("no/such/dir/x")}),
      "io_error"));
}

TEST_F(MdocCliTest, MissingRequiredOptionsAreUsageErrors) {
  IssueTo("mdl.mdoc");
  EXPECT_TRUE(UsageError(Cli({"mdoc"})));
  EXPECT_TRUE(UsageError(Cli({"mdoc", "issue"})));
  EXPECT_TRUE(
      UsageError(Cli({"mdoc", "issue", "--ds-key", Path("ds/ds.key.pem"), "--ds-cert", Path("ds/ds.pem"),
                      "--doctype", kMdl, "--claims", ExamplePath("mdl")})));  // no --device-key
  EXPECT_TRUE(
      UsageError(Cli({"mdoc", "issue", "--ds-key", Path("ds/ds.key.pem"), "--doctype", kMdl, "--claims",
                      ExamplePath("mdl"), "--device-key", Path("device.pub.jwk")})));  // no --ds-cert
  EXPECT_TRUE(UsageError(Cli({"mdoc", "present", "--issuer-signed", Path("mdl.mdoc"), "--device-key",
                              Path("device.jwk")})));  // no --disclose
  EXPECT_TRUE(UsageError(Cli({"mdoc", "present", "--device-key", Path("device.jwk"), "--disclose",
                              "org.iso.18013.5.1/family_name"})));                    // no --issuer-signed
  EXPECT_TRUE(UsageError(Cli({"mdoc", "verify", Path("mdl.mdoc")})));                 // no --iaca
  EXPECT_TRUE(UsageError(Cli({"mdoc", "verify", "--iaca", Path("iaca/iaca.pem")})));  // no FILE
  EXPECT_TRUE(
      UsageError(Cli({"mdoc", "verify", Path("mdl.mdoc"), "--iaca", Path("iaca/iaca.pem"), "--bogus"})));
  EXPECT_TRUE(UsageError(Issue(kMdl, ExamplePath("mdl"), {"--status-idx", "three"})));
  EXPECT_TRUE(UsageError(Verify("mdl.mdoc", {}, "yesterday")));
  EXPECT_TRUE(UsageError(Cli({"mdoc", "frobnicate"})));
}

}  // namespace
}  // namespace bonafide::clitest
