// Hostile and broken input to every bonafide command that reads a file: each must exit 1 with a
// JSON error and a stable code (2 for usage errors), never die of a signal, never exit > 2.
#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "cli_runner.h"
#include "cli_world.h"

namespace bonafide::clitest {
namespace {

constexpr char kSlot[] = "@";  // placeholder for the file under test in a FileSlot's arguments

// The kind of content a file slot expects, which decides the code for unparsable content.
enum class Content {
  kKey,   // a JWK or PEM key: garbage is invalid_key
  kData,  // JSON or a JWT / SD-JWT / PEM certificates: garbage is malformed
};

// FileSlot is one place where a command reads a file: the full command line with kSlot where
// the file goes. All other files are from the SD-JWT and VC worlds.
struct FileSlot {
  const char* name;
  std::vector<std::string> args;
  Content content;
  bool verify;       // errors on stdout as {"valid": false, ...}
  const char* good;  // a world file with which the command succeeds (nullptr: none)
};

std::vector<FileSlot> FileSlots() {
  const std::string vc_status_key = std::string(kModDid) + "#key-1";
  return {
      {"key_public", {"key", "public", kSlot}, Content::kKey, false, kIssuerKey},
      {"key_did", {"key", "did", kSlot}, Content::kKey, false, kIssuerKey},
      {"sdjwt_issue_issuer_key",
       {"sdjwt", "issue", "--issuer-key", kSlot, "--iss", kIss, "--vct", kVct, "--claims", kPidClaims},
       Content::kKey,
       false,
       kIssuerKey},
      {"sdjwt_issue_claims",
       {"sdjwt", "issue", "--issuer-key", kIssuerKey, "--iss", kIss, "--vct", kVct, "--claims", kSlot},
       Content::kData,
       false,
       kPidClaims},
      {"sdjwt_issue_holder_key",
       {"sdjwt", "issue", "--issuer-key", kIssuerKey, "--iss", kIss, "--vct", kVct, "--claims", kPidClaims,
        "--holder-key", kSlot},
       Content::kKey,
       false,
       kHolderKey},
      {"sdjwt_issue_x5c",
       {"sdjwt", "issue", "--issuer-key", kIssuerKey, "--iss", kIss, "--vct", kVct, "--claims", kPidClaims,
        "--x5c", kSlot},
       Content::kData,
       false,
       nullptr},
      {"sdjwt_present_credential",
       {"sdjwt", "present", "--credential", kSlot, "--holder-key", kHolderKey, "--disclose", "given_name",
        "--nonce", kNonce, "--aud", kVerifierAud},
       Content::kData,
       false,
       kPidCredential},
      {"sdjwt_present_holder_key",
       {"sdjwt", "present", "--credential", kPidCredential, "--holder-key", kSlot, "--disclose", "given_name",
        "--nonce", kNonce, "--aud", kVerifierAud},
       Content::kKey,
       false,
       kHolderKey},
      {"sdjwt_verify_file",
       {"sdjwt", "verify", kSlot, "--issuer-key", kIssuerPub, "--nonce", kNonce, "--aud", kVerifierAud,
        "--status-list", kStatusToken},
       Content::kData,
       true,
       kPidPresentation},
      {"sdjwt_verify_issuer_key",
       {"sdjwt", "verify", kPidPresentation, "--issuer-key", kSlot, "--nonce", kNonce, "--aud", kVerifierAud,
        "--status-list", kStatusToken},
       Content::kKey,
       true,
       kIssuerPub},
      {"sdjwt_verify_trust_anchor",
       {"sdjwt", "verify", kPidPresentation, "--trust-anchor", kSlot, "--nonce", kNonce, "--aud",
        kVerifierAud, "--status-list", kStatusToken},
       Content::kData,
       true,
       nullptr},
      {"sdjwt_verify_issuer_metadata",
       {"sdjwt", "verify", kPidPresentation, "--issuer-metadata", kSlot, "--nonce", kNonce, "--aud",
        kVerifierAud, "--status-list", kStatusToken},
       Content::kData,
       true,
       nullptr},
      {"sdjwt_verify_status_list",
       {"sdjwt", "verify", kPidPresentation, "--issuer-key", kIssuerPub, "--nonce", kNonce, "--aud",
        kVerifierAud, "--status-list", kSlot},
       Content::kData,
       true,
       kStatusToken},
      {"sdjwt_verify_status_key",
       {"sdjwt", "verify", kPidPresentation, "--issuer-key", kIssuerPub, "--nonce", kNonce, "--aud",
        kVerifierAud, "--status-list", kStatusToken, "--status-key", kSlot},
       Content::kKey,
       true,
       kIssuerPub},
      {"vc_did_doc_issuer_key",
       {"vc", "did-doc", "--issuer-key", kSlot, "--did", kModDid},
       Content::kKey,
       false,
       kModKey},
      {"vc_did_doc_retired_key",
       {"vc", "did-doc", "--issuer-key", kModKey, "--did", kModDid, "--retired-key", kSlot},
       Content::kKey,
       false,
       kDbsKey},
      {"vc_issue_issuer_key",
       {"vc", "issue", "--issuer-key", kSlot, "--issuer", kModDid, "--type", "DigitalVeteranCard", "--claims",
        kVetClaims, "--holder-key", kHolderKey},
       Content::kKey,
       false,
       kModKey},
      {"vc_issue_claims",
       {"vc", "issue", "--issuer-key", kModKey, "--issuer", kModDid, "--type", "DigitalVeteranCard",
        "--claims", kSlot, "--holder-key", kHolderKey},
       Content::kData,
       false,
       kVetClaims},
      {"vc_issue_holder_key",
       {"vc", "issue", "--issuer-key", kModKey, "--issuer", kModDid, "--type", "DigitalVeteranCard",
        "--claims", kVetClaims, "--holder-key", kSlot},
       Content::kKey,
       false,
       kHolderKey},
      {"vc_present_credential",
       {"vc", "present", "--credential", kSlot, "--holder-key", kHolderKey, "--nonce", kNonce, "--aud",
        kVerifierAud},
       Content::kData,
       false,
       kVeteranCard},
      {"vc_present_holder_key",
       {"vc", "present", "--credential", kVeteranCard, "--holder-key", kSlot, "--nonce", kNonce, "--aud",
        kVerifierAud},
       Content::kKey,
       false,
       kHolderKey},
      {"vc_verify_file",
       {"vc", "verify", kSlot, "--did-doc", kModDidDoc, "--did-doc", kDbsDidDoc, "--status-list",
        kBitstringToken, "--nonce", kNonce, "--aud", kVerifierAud},
       Content::kData,
       true,
       kVpJwt},
      {"vc_verify_did_doc",
       {"vc", "verify", kVpJwt, "--did-doc", kSlot, "--status-list", kBitstringToken, "--nonce", kNonce,
        "--aud", kVerifierAud},
       Content::kData,
       true,
       nullptr},
      {"vc_verify_status_list",
       {"vc", "verify", kVpJwt, "--did-doc", kModDidDoc, "--did-doc", kDbsDidDoc, "--status-list", kSlot,
        "--nonce", kNonce, "--aud", kVerifierAud},
       Content::kData,
       true,
       kBitstringToken},
      {"vc_verify_status_key",
       {"vc", "verify", kVpJwt, "--did-doc", kModDidDoc, "--did-doc", kDbsDidDoc, "--status-list",
        kBitstringToken, "--status-key", kSlot, "--nonce", kNonce, "--aud", kVerifierAud},
       Content::kKey,
       true,
       kModKey},
      {"status_set_file",
       {"status", "set", kSlot, "--idx", "1", "--value", "invalid"},
       Content::kData,
       false,
       kTokenList},
      {"status_token_file",
       {"status", "token", kSlot, "--issuer-key", kIssuerKey, "--sub", kStatusUri},
       Content::kData,
       false,
       kTokenList},
      {"status_token_issuer_key",
       {"status", "token", kTokenList, "--issuer-key", kSlot, "--sub", kStatusUri},
       Content::kKey,
       false,
       kIssuerKey},
      {"status_get_file", {"status", "get", kSlot, "--idx", "1"}, Content::kData, false, kStatusToken},
      {"status_get_issuer_key",
       {"status", "get", kStatusToken, "--idx", "1", "--issuer-key", kSlot},
       Content::kKey,
       false,
       kIssuerPub},
  };
}

// WorldTest builds both worlds; its Run resolves world file names and kSlot to paths.
class WorldTest : public CliWorldTest {
 protected:
  void SetUp() override {
    CliWorldTest::SetUp();
    ASSERT_NO_FATAL_FAILURE(MakeSdJwtWorld());
    ASSERT_NO_FATAL_FAILURE(MakeVcWorld());
  }

  // Run runs `args` with kSlot replaced by `slot_path` and bare names of existing world files
  // replaced by their paths.
  RunResult Run(const std::vector<std::string>& args, const std::string& slot_path,
                const std::string& input = {}) {
    std::vector<std::string> resolved;
    for (const std::string& a : args) {
      struct stat st {};
      if (a == kSlot) {
        resolved.push_back(slot_path);
      } else if (a.find('/') == std::string::npos && !a.empty() && a[0] != '-' &&
                 stat(Path(a).c_str(), &st) == 0) {
        resolved.push_back(Path(a));
      } else {
        resolved.push_back(a);
      }
    }
    return Cli(resolved, input);
  }

  // Check runs `slot` on `file` and expects a failure with `code`.
  void Check(const FileSlot& slot, const std::string& file, const std::string& what, std::string_view code) {
    SCOPED_TRACE(std::string(slot.name) + " with " + what);
    EXPECT_TRUE(FailsWith(Run(slot.args, file), slot.verify, code));
  }
};

std::string RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng() & 0xff);
  return s;
}

// Files that cannot be read, or read as nothing useful -------------------------------------------

// PrintTo names a FileSlot in test output.
void PrintTo(const FileSlot& slot, std::ostream* os) { *os << slot.name; }

class FileSlotTest : public WorldTest, public ::testing::WithParamInterface<FileSlot> {};

TEST_P(FileSlotTest, UnreadableOrUnparsableFiles) {
  const FileSlot& slot = GetParam();
  // With a good file the command line succeeds, so each failure below is the file's doing.
  if (slot.good != nullptr) {
    ASSERT_TRUE(Succeeds(Run(slot.args, Path(slot.good)))) << "the command line itself is wrong";
  }
  const std::string malformed_code = slot.content == Content::kKey ? "invalid_key" : "malformed";
  Check(slot, Path("does-not-exist.json"), "a nonexistent file", "io_error");
  ASSERT_EQ(mkdir(Path("a-directory").c_str(), 0700), 0);
  Check(slot, Path("a-directory"), "a directory", "io_error");
  Check(slot, "/dev/null", "a character device", "io_error");
  ASSERT_NO_FATAL_FAILURE(WriteFile("empty", ""));
  Check(slot, Path("empty"), "an empty file", malformed_code);
  ASSERT_NO_FATAL_FAILURE(WriteFile("whitespace", " \n\t\r\n"));
  Check(slot, Path("whitespace"), "whitespace", malformed_code);
  ASSERT_NO_FATAL_FAILURE(WriteFile("random", RandomBytes(4096, 7)));
  Check(slot, Path("random"), "random bytes", malformed_code);
  ASSERT_NO_FATAL_FAILURE(WriteFile("nul", std::string(64, '\0')));
  Check(slot, Path("nul"), "NUL bytes", malformed_code);
  // 17 MiB (sparse): over the 16 MiB input cap. Exactly 16 MiB + 1 is the boundary.
  ASSERT_NO_FATAL_FAILURE(WriteFile("big", ""));
  std::filesystem::resize_file(Path("big"), 17u << 20);
  Check(slot, Path("big"), "a 17 MiB file", "limit_exceeded");
  ASSERT_NO_FATAL_FAILURE(WriteFile("just-over", ""));
  std::filesystem::resize_file(Path("just-over"), (16u << 20) + 1);
  Check(slot, Path("just-over"), "a 16 MiB + 1 byte file", "limit_exceeded");
}

INSTANTIATE_TEST_SUITE_P(AllCommands, FileSlotTest, ::testing::ValuesIn(FileSlots()),
                         [](const ::testing::TestParamInfo<FileSlot>& param_info) {
                           return std::string(param_info.param.name);
                         });

TEST_F(WorldTest, FileOfExactlySixteenMebibytesIsRead) {
  // Boundary of the cap: 16 MiB of zero bytes is read (and then rejected as content).
  ASSERT_NO_FATAL_FAILURE(WriteFile("cap", ""));
  std::filesystem::resize_file(Path("cap"), 16u << 20);
  EXPECT_TRUE(VerifyFailsWith(Run({"sdjwt", "verify", kSlot, "--issuer-key", kIssuerPub, "--nonce", kNonce,
                                   "--aud", kVerifierAud, "--no-status-check"},
                                  Path("cap")),
                              "malformed"));
}

TEST_F(WorldTest, OversizedStandardInput) {
  const std::string big((17u << 20), 'A');
  EXPECT_TRUE(VerifyFailsWith(Run({"sdjwt", "verify", "-", "--issuer-key", kIssuerPub, "--nonce", kNonce,
                                   "--aud", kVerifierAud, "--no-status-check"},
                                  "", big),
                              "limit_exceeded"));
  EXPECT_TRUE(
      VerifyFailsWith(Run({"vc", "verify", "-", "--did-doc", kModDidDoc}, "", big), "limit_exceeded"));
  EXPECT_TRUE(VerifyFailsWith(Run({"vc", "verify", "-", "--did-doc", kModDidDoc}, "", ""), "malformed"));
}

// JSON files of the wrong shape -----------------------------------------------------------------

std::string Nested(size_t depth, char open, char close, const std::string& inner) {
  std::string s;
  for (size_t i = 0; i < depth; ++i) s += (open == '{') ? std::string("{\"a\":") : std::string(1, open);
  s += inner;
  s.append(depth, close);
  return s;
}

TEST_F(WorldTest, JsonFilesOfTheWrongShape) {
  struct JsonSlot {
    const char* name;
    std::vector<std::string> args;
    bool verify;
    const char* non_object_code;  // for arrays, strings, numbers, null
  };
  const std::vector<JsonSlot> slots = {
      {"sdjwt issue --claims",
       {"sdjwt", "issue", "--issuer-key", kIssuerKey, "--iss", kIss, "--vct", kVct, "--claims", kSlot},
       false,
       "invalid_argument"},
      {"vc issue --claims",
       {"vc", "issue", "--issuer-key", kModKey, "--issuer", kModDid, "--type", "DigitalVeteranCard",
        "--claims", kSlot, "--holder-key", kHolderKey},
       false,
       "invalid_argument"},
      {"vc verify --did-doc",
       {"vc", "verify", kVeteranCard, "--did-doc", kSlot, "--no-status-check"},
       true,
       "untrusted_issuer"},
      {"sdjwt verify --issuer-metadata",
       {"sdjwt", "verify", kPidPresentation, "--issuer-metadata", kSlot, "--nonce", kNonce, "--aud",
        kVerifierAud, "--no-status-check"},
       true,
       "untrusted_issuer"},
      {"status set FILE",
       {"status", "set", kSlot, "--idx", "1", "--value", "invalid"},
       false,
       "invalid_claims"},
      {"status token FILE",
       {"status", "token", kSlot, "--issuer-key", kIssuerKey, "--sub", kStatusUri},
       false,
       "invalid_claims"},
  };
  struct Shape {
    const char* name;
    std::string text;
    const char* code;  // nullptr: the slot's non_object_code
  };
  const std::vector<Shape> shapes = {
      {"an array", "[1, 2]", nullptr},
      {"an empty array", "[]", nullptr},
      {"a string", "\"given_name\"", nullptr},
      {"a number", "42", nullptr},
      {"null", "null", nullptr},
      {"true", "true", nullptr},
      {"objects nested 10000 deep", Nested(10000, '{', '}', "1"), "limit_exceeded"},
      {"arrays nested 10000 deep", Nested(10000, '[', ']', "1"), "limit_exceeded"},
      {"objects nested 65 deep", Nested(65, '{', '}', "1"), "limit_exceeded"},
      {"a duplicate key", R"({"given_name": "A", "given_name": "B"})", "malformed"},
      {"a nested duplicate key", R"({"address": {"locality": "A", "locality": "B"}})", "malformed"},
      {"an escaped duplicate key", R"({"kind": "token", "\u006bind": "token"})", "malformed"},
      {"trailing data", R"({"a": 1} {"b": 2})", "malformed"},
      {"invalid UTF-8", "{\"a\": \"\xff\xfe\"}", "malformed"},
      {"a byte order mark", "\xef\xbb\xbf{\"a\": 1}", "malformed"},
      {"a NaN", R"({"a": NaN})", "malformed"},
      {"an unterminated object", R"({"a": 1)", "malformed"},
  };
  for (const JsonSlot& slot : slots) {
    for (const Shape& shape : shapes) {
      SCOPED_TRACE(std::string(slot.name) + " with " + shape.name);
      ASSERT_NO_FATAL_FAILURE(WriteFile("shape.json", shape.text));
      EXPECT_TRUE(FailsWith(Run(slot.args, Path("shape.json")), slot.verify,
                            shape.code != nullptr ? shape.code : slot.non_object_code));
    }
  }
}

TEST_F(WorldTest, ClaimsNestingBoundary) {
  // 64 levels are read, 65 are not.
  const std::string claims64 = "{\"given_name\": \"A\", \"c\": " + Nested(63, '{', '}', "1") + "}";
  const std::string claims65 = "{\"given_name\": \"A\", \"c\": " + Nested(64, '{', '}', "1") + "}";
  ASSERT_NO_FATAL_FAILURE(WriteFile("claims65.json", claims65));
  EXPECT_TRUE(CommandFailsWith(
      Run({"sdjwt", "issue", "--issuer-key", kIssuerKey, "--iss", kIss, "--vct", kVct, "--claims", kSlot},
          Path("claims65.json")),
      "limit_exceeded"));
  ASSERT_NO_FATAL_FAILURE(WriteFile("claims64.json", claims64));
  RunResult r =
      Run({"sdjwt", "issue", "--issuer-key", kIssuerKey, "--iss", kIss, "--vct", kVct, "--claims", kSlot},
          Path("claims64.json"));
  EXPECT_TRUE(WellBehaved(r, false));
}

// BUG (see report): the issue commands read claims nested up to 64 levels, but the JWT/SD-JWT
// parsers behind present and verify stop at 32, so `sdjwt issue` (claims 32+ deep) and
// `vc issue` (31+ deep) sign credentials that their own present / verify reject with
// limit_exceeded. An issuer must not sign what no verifier accepts: either issue fails with
// limit_exceeded, or the credential round-trips.
TEST_F(WorldTest, IssuedCredentialsRoundTripOrIssueFails) {
  for (size_t depth : {8u, 30u, 31u, 32u, 40u, 63u}) {
    SCOPED_TRACE("claims nested " + std::to_string(depth + 1) + " deep");
    ASSERT_NO_FATAL_FAILURE(
        WriteFile("deep.json", "{\"given_name\": \"A\", \"c\": " + Nested(depth, '{', '}', "1") + "}"));
    RunResult sd = Run({"sdjwt", "issue", "--issuer-key", kIssuerKey, "--iss", kIss, "--vct", kVct,
                        "--claims", kSlot, "--holder-key", kHolderKey, "--out", Path("deep.sdjwt")},
                       Path("deep.json"));
    if (sd.exit_code == 0) {
      EXPECT_TRUE(Succeeds(
          Run({"sdjwt", "present", "--credential", kSlot, "--holder-key", kHolderKey, "--disclose",
               "given_name", "--nonce", kNonce, "--aud", kVerifierAud, "--out", Path("deep.presentation")},
              Path("deep.sdjwt"))))
          << "sdjwt issue signed a credential that sdjwt present rejects";
      EXPECT_TRUE(Succeeds(Run(
          {"sdjwt", "verify", kSlot, "--issuer-key", kIssuerPub, "--nonce", kNonce, "--aud", kVerifierAud},
          Path("deep.presentation"))))
          << "sdjwt issue signed a credential that sdjwt verify rejects";
    } else {
      EXPECT_TRUE(CommandFailsWith(sd, "limit_exceeded"));
    }
    RunResult vc =
        Run({"vc", "issue", "--issuer-key", kModKey, "--issuer", kModDid, "--type", "DigitalVeteranCard",
             "--claims", kSlot, "--holder-key", kHolderKey, "--out", Path("deep.jwt")},
            Path("deep.json"));
    if (vc.exit_code == 0) {
      EXPECT_TRUE(Succeeds(Run({"vc", "verify", kSlot, "--did-doc", kModDidDoc}, Path("deep.jwt"))))
          << "vc issue signed a credential that vc verify rejects";
    } else {
      EXPECT_TRUE(CommandFailsWith(vc, "limit_exceeded"));
    }
  }
}

// Key files -------------------------------------------------------------------------------------

struct KeySlot {
  const char* name;
  std::vector<std::string> args;
  bool needs_private;
  bool verify;
};

std::vector<KeySlot> KeySlots() {
  return {
      {"sdjwt issue --issuer-key",
       {"sdjwt", "issue", "--issuer-key", kSlot, "--iss", kIss, "--vct", kVct, "--claims", kPidClaims},
       true,
       false},
      {"sdjwt present --holder-key",
       {"sdjwt", "present", "--credential", kPidCredential, "--holder-key", kSlot, "--disclose", "given_name",
        "--nonce", kNonce, "--aud", kVerifierAud},
       true,
       false},
      {"vc issue --issuer-key",
       {"vc", "issue", "--issuer-key", kSlot, "--issuer", kModDid, "--type", "DigitalVeteranCard", "--claims",
        kVetClaims, "--holder-key", kHolderKey},
       true,
       false},
      {"vc present --holder-key",
       {"vc", "present", "--credential", kVeteranCard, "--holder-key", kSlot, "--nonce", kNonce, "--aud",
        kVerifierAud},
       true,
       false},
      {"status token --issuer-key",
       {"status", "token", kTokenList, "--issuer-key", kSlot, "--sub", kStatusUri},
       true,
       false},
      {"key public", {"key", "public", kSlot}, false, false},
      {"key did", {"key", "did", kSlot}, false, false},
      {"sdjwt issue --holder-key",
       {"sdjwt", "issue", "--issuer-key", kIssuerKey, "--iss", kIss, "--vct", kVct, "--claims", kPidClaims,
        "--holder-key", kSlot},
       false,
       false},
      {"sdjwt verify --issuer-key",
       {"sdjwt", "verify", kPidPresentation, "--issuer-key", kSlot, "--nonce", kNonce, "--aud", kVerifierAud,
        "--no-status-check"},
       false,
       true},
      {"vc did-doc --issuer-key", {"vc", "did-doc", "--issuer-key", kSlot, "--did", kModDid}, false, false},
      {"vc issue --holder-key",
       {"vc", "issue", "--issuer-key", kModKey, "--issuer", kModDid, "--type", "DigitalVeteranCard",
        "--claims", kVetClaims, "--holder-key", kSlot},
       false,
       false},
      {"status get --issuer-key",
       {"status", "get", kStatusToken, "--idx", "1", "--issuer-key", kSlot},
       false,
       false},
  };
}

// A JWK file with one member replaced.
std::string EditedJwk(const std::string& jwk_text, const std::string& member, const Json& value) {
  auto jwk = ParseJsonObject(jwk_text);
  if (!jwk.ok()) return "";
  Json j = *jwk;
  if (value.is_null()) {
    j.erase(member);
  } else {
    j[member] = value;
  }
  return j.dump();
}

TEST_F(WorldTest, BadKeyFiles) {
  const std::string issuer = ReadFile(kIssuerKey);
  const std::string holder = ReadFile(kHolderKey);
  auto holder_jwk = ParseJsonObject(holder);
  ASSERT_TRUE(holder_jwk.ok());
  struct BadKey {
    const char* name;
    std::string text;
    bool only_where_private;  // acceptable as a public key
  };
  const std::vector<BadKey> keys = {
      {"garbage text", "this is not a key\n", false},
      {"a JSON array", "[1, 2, 3]", false},
      {"an empty JWK", "{}", false},
      {"a JWK with kty RSA", EditedJwk(issuer, "kty", "RSA"), false},
      {"a JWK with kty oct", R"({"kty": "oct", "k": "c2VjcmV0"})", false},
      {"a JWK with an unknown curve", EditedJwk(issuer, "crv", "secp256k1"), false},
      {"a JWK with a short x", EditedJwk(issuer, "x", "AAAA"), false},
      {"a JWK with x not base64url", EditedJwk(issuer, "x", "!!!!"), false},
      {"a JWK with a point off the curve",
       EditedJwk(issuer, "y", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE"), false},
      {"a JWK with a non-string x", EditedJwk(issuer, "x", 12345), false},
      {"a JWK with d of another key", EditedJwk(issuer, "d", holder_jwk->value("d", "")), true},
      {"a JWK with a short d", EditedJwk(issuer, "d", "AAAA"), true},
      {"a public JWK", ReadFile(kIssuerPub), true},
      {"a PEM with a bogus body", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", false},
      {"a PEM certificate with a bogus body",
       "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", false},
      {"an unterminated PEM", "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n", false},
  };
  for (const KeySlot& slot : KeySlots()) {
    for (const BadKey& key : keys) {
      if (key.only_where_private && !slot.needs_private) continue;
      SCOPED_TRACE(std::string(slot.name) + " with " + key.name);
      ASSERT_NO_FATAL_FAILURE(WriteFile("bad.key", key.text));
      // Where a public key is read, a PEM certificate is accepted too, so a bogus one is a
      // malformed certificate; everything else is an invalid key.
      const bool certificate = std::string(key.name).find("certificate") != std::string::npos;
      EXPECT_TRUE(FailsWith(Run(slot.args, Path("bad.key")), slot.verify,
                            certificate && !slot.needs_private ? "malformed" : "invalid_key"));
    }
  }
}

TEST_F(WorldTest, ForeignKeyTypesFromOpenssl) {
  const std::string openssl = FindInPath("openssl");
  if (openssl.empty()) GTEST_SKIP() << "no openssl CLI to make RSA / secp256k1 / PEM keys";
  auto make = [&](std::vector<std::string> args) {
    args.insert(args.begin(), openssl);
    RunResult r = RunProcess(args);
    ASSERT_EQ(r.exit_code, 0) << r.Describe();
  };
  ASSERT_NO_FATAL_FAILURE(
      make({"genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", Path("rsa.pem")}));
  ASSERT_NO_FATAL_FAILURE(make({"pkey", "-in", Path("rsa.pem"), "-pubout", "-out", Path("rsa.pub.pem")}));
  ASSERT_NO_FATAL_FAILURE(make(
      {"genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:secp256k1", "-out", Path("k1.pem")}));
  ASSERT_NO_FATAL_FAILURE(
      make({"genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", Path("p256.pem")}));
  ASSERT_NO_FATAL_FAILURE(make({"pkey", "-in", Path("p256.pem"), "-pubout", "-out", Path("p256.pub.pem")}));
  ASSERT_NO_FATAL_FAILURE(make({"genpkey", "-algorithm", "X25519", "-out", Path("x25519.pem")}));
  for (const KeySlot& slot : KeySlots()) {
    for (const char* file : {"rsa.pem", "rsa.pub.pem", "k1.pem", "x25519.pem"}) {
      SCOPED_TRACE(std::string(slot.name) + " with " + file);
      EXPECT_TRUE(FailsWith(Run(slot.args, Path(file)), slot.verify, "invalid_key"));
    }
    SCOPED_TRACE(std::string(slot.name) + " with P-256 PEM keys");
    // A P-256 public PEM where a private key is needed.
    if (slot.needs_private) {
      EXPECT_TRUE(FailsWith(Run(slot.args, Path("p256.pub.pem")), slot.verify, "invalid_key"));
    } else {
      EXPECT_TRUE(WellBehaved(Run(slot.args, Path("p256.pub.pem")), slot.verify));
    }
    EXPECT_TRUE(WellBehaved(Run(slot.args, Path("p256.pem")), slot.verify));
  }
  // PEM keys work end to end: issue with a PEM private key, verify with its PEM public key.
  ASSERT_TRUE(
      Succeeds(Run({"sdjwt", "issue", "--issuer-key", kSlot, "--iss", kIss, "--vct", kVct, "--claims",
                    kPidClaims, "--holder-key", kHolderKey, "--all-disclosable", "--out", Path("pem.sdjwt")},
                   Path("p256.pem"))));
  ASSERT_TRUE(Succeeds(
      Run({"sdjwt", "present", "--credential", kSlot, "--holder-key", kHolderKey, "--disclose", "given_name",
           "--nonce", kNonce, "--aud", kVerifierAud, "--out", Path("pem.presentation")},
          Path("pem.sdjwt"))));
  EXPECT_TRUE(Succeeds(Run({"sdjwt", "verify", kSlot, "--issuer-key", Path("p256.pub.pem"), "--nonce", kNonce,
                            "--aud", kVerifierAud},
                           Path("pem.presentation"))));
}

// Damaged credentials ---------------------------------------------------------------------------

std::string TrimNewline(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

// SamplePrefixLengths returns ~`n` prefix lengths of `text` spread evenly, plus 0, 1, the full
// length minus one, and the lengths around every separator ('.' and '~').
std::vector<size_t> SamplePrefixLengths(const std::string& text, size_t n) {
  std::set<size_t> lengths = {0, 1, text.size() - 1};
  for (size_t i = 0; i < n; ++i) lengths.insert(text.size() * i / n);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '.' || text[i] == '~') {
      lengths.insert(i);
      lengths.insert(i + 1);
    }
  }
  lengths.erase(text.size());
  return {lengths.begin(), lengths.end()};
}

// SamplePositions returns `n` positions spread evenly over `text`, plus every separator.
std::vector<size_t> SamplePositions(const std::string& text, size_t n) {
  std::set<size_t> positions = {0, text.size() - 1};
  for (size_t i = 0; i < n; ++i) positions.insert(text.size() * i / n + (i % 7));
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '.' || text[i] == '~') positions.insert(i);
  }
  std::vector<size_t> out;
  for (size_t p : positions) {
    if (p < text.size()) out.push_back(p);
  }
  return out;
}

struct Damaged {
  const char* name;
  const char* file;  // world file damaged
  std::vector<std::string> args;
  bool verify;
  std::set<std::string> truncated_codes;
  std::set<std::string> flipped_codes;
};

std::vector<Damaged> DamagedCases() {
  return {
      {"SD-JWT presentation",
       kPidPresentation,
       {"sdjwt", "verify", kSlot, "--issuer-key", kIssuerPub, "--nonce", kNonce, "--aud", kVerifierAud,
        "--status-list", kStatusToken},
       true,
       {"malformed", "missing_key_binding", "invalid_signature"},
       {"malformed", "invalid_signature", "unreferenced_disclosure", "invalid_type",
        "unsupported_algorithm"}},
      {"VP-JWT",
       kVpJwt,
       {"vc", "verify", kSlot, "--did-doc", kModDidDoc, "--did-doc", kDbsDidDoc, "--status-list",
        kBitstringToken, "--nonce", kNonce, "--aud", kVerifierAud},
       true,
       {"malformed", "invalid_signature"},
       {"malformed", "invalid_signature", "invalid_type", "unsupported_algorithm"}},
      {"VC-JWT",
       kVeteranCard,
       {"vc", "verify", kSlot, "--did-doc", kModDidDoc, "--status-list", kBitstringToken},
       true,
       {"malformed", "invalid_signature"},
       {"malformed", "invalid_signature", "invalid_type", "unsupported_algorithm", "untrusted_issuer"}},
      {"Status List Token",
       kStatusToken,
       {"status", "get", kSlot, "--idx", "42", "--issuer-key", kIssuerPub},
       false,
       {"malformed", "invalid_signature"},
       {"malformed", "invalid_signature", "unsupported_algorithm", "invalid_type"}},
      {"Bitstring Status List credential",
       kBitstringToken,
       {"vc", "verify", kVeteranCard, "--did-doc", kModDidDoc, "--status-list", kSlot},
       true,
       {"malformed", "invalid_signature", "invalid_argument"},
       {"malformed", "invalid_signature", "invalid_type", "unsupported_algorithm", "untrusted_issuer",
        "invalid_argument"}},
  };
}

// PrintTo names a Damaged case in test output.
void PrintTo(const Damaged& c, std::ostream* os) { *os << c.name; }

class DamagedTest : public WorldTest, public ::testing::WithParamInterface<Damaged> {};

TEST_P(DamagedTest, TruncatedAndBitFlipped) {
  const Damaged& c = GetParam();
  const std::string original = TrimNewline(ReadFile(c.file));
  ASSERT_GT(original.size(), 100u);
  // The undamaged input passes, so each failure below is the damage's doing.
  ASSERT_NO_FATAL_FAILURE(WriteFile("damaged", original));
  ASSERT_TRUE(Succeeds(Run(c.args, Path("damaged"))));

  for (size_t len : SamplePrefixLengths(original, 40)) {
    SCOPED_TRACE(std::string(c.name) + " cut to " + std::to_string(len) + " of " +
                 std::to_string(original.size()));
    ASSERT_NO_FATAL_FAILURE(WriteFile("damaged", original.substr(0, len)));
    EXPECT_TRUE(FailsWithOneOf(Run(c.args, Path("damaged")), c.verify, c.truncated_codes));
  }
  for (size_t pos : SamplePositions(original, 50)) {
    std::string flipped = original;
    flipped[pos] = static_cast<char>(flipped[pos] ^ 0x01);
    SCOPED_TRACE(std::string(c.name) + " with byte " + std::to_string(pos) + " ('" + original[pos] +
                 "') flipped");
    ASSERT_NO_FATAL_FAILURE(WriteFile("damaged", flipped));
    EXPECT_TRUE(FailsWithOneOf(Run(c.args, Path("damaged")), c.verify, c.flipped_codes));
  }
}

INSTANTIATE_TEST_SUITE_P(Credentials, DamagedTest, ::testing::ValuesIn(DamagedCases()),
                         [](const ::testing::TestParamInfo<Damaged>& param_info) {
                           std::string name = param_info.param.name;
                           for (char& ch : name) {
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return name;
                         });

// The holder side does not verify the issuer's signature, so a damaged issuance form may still be
// presented; what it must never do is crash or answer outside the conventions.
TEST_F(WorldTest, PresentingDamagedCredentials) {
  const std::string sd = TrimNewline(ReadFile(kPidCredential));
  const std::vector<std::string> sd_args = {"sdjwt",        "present",  "--credential", kSlot,
                                            "--holder-key", kHolderKey, "--disclose",   "given_name",
                                            "--nonce",      kNonce,     "--aud",        kVerifierAud};
  for (size_t len : SamplePrefixLengths(sd, 25)) {
    SCOPED_TRACE("issuance form cut to " + std::to_string(len));
    ASSERT_NO_FATAL_FAILURE(WriteFile("damaged", sd.substr(0, len)));
    EXPECT_TRUE(WellBehaved(Run(sd_args, Path("damaged")), false));
  }
  for (size_t pos : SamplePositions(sd, 25)) {
    SCOPED_TRACE("issuance form with byte " + std::to_string(pos) + " flipped");
    std::string flipped = sd;
    flipped[pos] = static_cast<char>(flipped[pos] ^ 0x01);
    ASSERT_NO_FATAL_FAILURE(WriteFile("damaged", flipped));
    EXPECT_TRUE(WellBehaved(Run(sd_args, Path("damaged")), false));
  }
}

// BUG (see report): `vc present` wraps any bytes (an empty file, random bytes, "a.b") into a
// signed VP-JWT; a credential that is not even a compact JWS must be refused as malformed.
TEST_F(WorldTest, VcPresentRefusesWhatIsNotAJws) {
  for (const char* junk : {"", "not a jwt", "a.b", "a.b.c.d"}) {
    SCOPED_TRACE(std::string("vc present of \"") + junk + "\"");
    ASSERT_NO_FATAL_FAILURE(WriteFile("junk.jwt", junk));
    EXPECT_TRUE(CommandFailsWith(Run({"vc", "present", "--credential", kSlot, "--holder-key", kHolderKey,
                                      "--nonce", kNonce, "--aud", kVerifierAud},
                                     Path("junk.jwt")),
                                 "malformed"));
  }
}

// Usage -----------------------------------------------------------------------------------------

// Command is a valid command line split into flag groups; `required` groups are the ones
// whose removal must be a usage error.
struct Group {
  std::vector<std::string> tokens;
  bool required;
};
struct Command {
  std::vector<std::string> path;
  std::vector<Group> groups;
};

std::vector<Command> Commands() {
  return {
      {{"key", "generate"}, {{{"--alg", "ES256"}, false}}},
      {{"key", "public"}, {{{"k.jwk"}, true}}},
      {{"key", "did"}, {{{"k.jwk"}, true}}},
      {{"sdjwt", "issue"},
       {{{"--issuer-key", "k.jwk"}, true},
        {{"--iss", kIss}, true},
        {{"--vct", kVct}, true},
        {{"--claims", "c.json"}, true},
        {{"--holder-key", "h.jwk"}, false}}},
      {{"sdjwt", "present"},
       {{{"--credential", "c.sdjwt"}, true},
        {{"--holder-key", "h.jwk"}, true},
        {{"--disclose", "given_name"}, true},
        {{"--nonce", kNonce}, true},
        {{"--aud", kVerifierAud}, true}}},
      {{"sdjwt", "verify"}, {{{"p.sdjwt"}, true}, {{"--issuer-key", "k.jwk"}, false}}},
      {{"vc", "did-doc"}, {{{"--issuer-key", "k.jwk"}, true}, {{"--did", kModDid}, true}}},
      {{"vc", "issue"},
       {{{"--issuer-key", "k.jwk"}, true},
        {{"--issuer", kModDid}, true},
        {{"--type", "DigitalVeteranCard"}, true},
        {{"--claims", "c.json"}, true},
        {{"--holder-key", "h.jwk"}, true}}},
      {{"vc", "present"},
       {{{"--credential", "c.jwt"}, true},
        {{"--holder-key", "h.jwk"}, true},
        {{"--nonce", kNonce}, true},
        {{"--aud", kVerifierAud}, true}}},
      {{"vc", "verify"}, {{{"v.jwt"}, true}, {{"--did-doc", "d.json"}, true}}},
      {{"status", "create"}, {{{"--size", "8"}, true}, {{"--out", "l.json"}, true}}},
      {{"status", "set"}, {{{"l.json"}, true}, {{"--idx", "1"}, true}, {{"--value", "invalid"}, true}}},
      {{"status", "token"},
       {{{"l.json"}, true}, {{"--issuer-key", "k.jwk"}, true}, {{"--sub", kStatusUri}, true}}},
      {{"status", "get"}, {{{"t.jwt"}, true}, {{"--idx", "1"}, true}}},
  };
}

TEST_F(CliTest, MissingRequiredArgumentsAreUsageErrors) {
  for (const Command& cmd : Commands()) {
    for (size_t drop = 0; drop < cmd.groups.size(); ++drop) {
      if (!cmd.groups[drop].required) continue;
      std::vector<std::string> args = cmd.path;
      for (size_t i = 0; i < cmd.groups.size(); ++i) {
        if (i == drop) continue;
        for (const std::string& t : cmd.groups[i].tokens) {
          // Files in the temp dir (they need not exist: parsing fails first).
          args.push_back(t.find(".j") != std::string::npos || t.find(".sd") != std::string::npos ? Path(t)
                                                                                                 : t);
        }
      }
      SCOPED_TRACE(cmd.path[0] + " " + cmd.path[1] + " without " + cmd.groups[drop].tokens[0]);
      EXPECT_TRUE(UsageError(Cli(args)));
    }
  }
}

TEST_F(CliTest, OtherUsageErrors) {
  EXPECT_TRUE(UsageError(Cli({})));
  EXPECT_TRUE(UsageError(Cli({"frobnicate"})));
  for (const char* group : {"key", "sdjwt", "vc", "status"}) {
    SCOPED_TRACE(group);
    EXPECT_TRUE(UsageError(Cli({group})));
    EXPECT_TRUE(UsageError(Cli({group, "frobnicate"})));
  }
  for (const Command& cmd : Commands()) {
    SCOPED_TRACE(cmd.path[0] + " " + cmd.path[1]);
    std::vector<std::string> args = cmd.path;
    for (const Group& g : cmd.groups) args.insert(args.end(), g.tokens.begin(), g.tokens.end());
    std::vector<std::string> unknown = args;
    unknown.push_back("--no-such-flag");
    EXPECT_TRUE(UsageError(Cli(unknown)));
    // Extra positionals go before the flags: repeatable options would swallow them after.
    std::vector<std::string> extra = cmd.path;
    extra.push_back("extra-positional");
    extra.push_back("another");
    extra.insert(extra.end(), args.begin() + 2, args.end());
    EXPECT_TRUE(UsageError(Cli(extra)));
  }
  EXPECT_TRUE(UsageError(Cli({"status", "get", Path("t.jwt"), "--idx", "one"})));
  EXPECT_TRUE(UsageError(Cli({"sdjwt", "verify", Path("p"), "--at", "yesterday"})));
  EXPECT_TRUE(UsageError(Cli({"status", "create", "--size", "8", "--out"})));
}

TEST_F(CliTest, HelpOnEveryCommand) {
  std::vector<std::vector<std::string>> all = {{}, {"key"}, {"sdjwt"}, {"vc"}, {"status"}};
  for (const Command& cmd : Commands()) all.push_back(cmd.path);
  for (const auto& path : all) {
    std::string label;
    for (const std::string& p : path) label += p + " ";
    SCOPED_TRACE(label + "--help");
    std::vector<std::string> args = path;
    args.push_back("--help");
    RunResult r = Cli(args);
    ASSERT_TRUE(Succeeds(r));
    EXPECT_NE(r.out.find("Usage:"), std::string::npos) << r.Describe();
    // Help describes the command's own options.
    for (const Command& cmd : Commands()) {
      if (cmd.path != path) continue;
      for (const Group& g : cmd.groups) {
        if (g.tokens[0].rfind("--", 0) == 0) {
          EXPECT_NE(r.out.find(g.tokens[0]), std::string::npos) << g.tokens[0];
        }
      }
    }
  }
  RunResult version = Cli({"--version"});
  EXPECT_TRUE(Succeeds(version));
  EXPECT_NE(version.out.find("bonafide"), std::string::npos);
  // The allocator the build chose is the one the program runs on.
#ifdef BONAFIDE_EXPECT_JEMALLOC
  EXPECT_NE(version.out.find("(allocator: jemalloc 5."), std::string::npos) << version.out;
#else
  EXPECT_NE(version.out.find("(allocator: glibc malloc)"), std::string::npos) << version.out;
#endif
}

// The harness itself: a crash or an off-convention answer must not pass as well behaved.
TEST(CliRunnerTest, DetectsSignalsExitCodesAndCrashText) {
  RunResult segv = RunProcess({"/bin/sh", "-c", "kill -SEGV $$"});
  EXPECT_TRUE(segv.signaled);
  EXPECT_EQ(segv.signal, SIGSEGV);
  EXPECT_FALSE(WellBehaved(segv, false));
  RunResult abrt = RunProcess({"/bin/sh", "-c", "kill -ABRT $$"});
  EXPECT_TRUE(abrt.signaled);
  EXPECT_FALSE(WellBehaved(abrt, false));
  RunResult code3 = RunProcess({"/bin/sh", "-c", "exit 3"});
  EXPECT_FALSE(code3.signaled);
  EXPECT_EQ(code3.exit_code, 3);
  EXPECT_FALSE(WellBehaved(code3, false));
  RunResult uncaught = RunProcess(
      {"/bin/sh", "-c", "echo \"terminate called after throwing an instance of 'x'\" >&2; exit 1"});
  EXPECT_FALSE(WellBehaved(uncaught, false));
  const std::string error = R"(echo '{"error":"malformed","message":"m"}')";
  EXPECT_TRUE(FailsWith(RunProcess({"/bin/sh", "-c", error + " >&2; exit 1"}), false, "malformed"));
  EXPECT_FALSE(FailsWith(RunProcess({"/bin/sh", "-c", error + " >&2; exit 1"}), false, "invalid_key"));
  // Convention: a non-verify error on stdout, or a verify error without "valid": false, is wrong.
  EXPECT_FALSE(WellBehaved(RunProcess({"/bin/sh", "-c", error + "; exit 1"}), false));
  EXPECT_FALSE(WellBehaved(RunProcess({"/bin/sh", "-c", error + "; exit 1"}), true));
  EXPECT_FALSE(WellBehaved(
      RunProcess({"/bin/sh", "-c", R"(echo '{"error":"internal","message":"m"}' >&2; exit 1)"}), false));
  // stdin is delivered, and a child that stops reading does not hurt the runner.
  RunResult cat = RunProcess({"/bin/cat"}, "hello");
  EXPECT_EQ(cat.out, "hello");
  RunResult early = RunProcess({"/bin/sh", "-c", "exit 0"}, std::string(8u << 20, 'x'));
  EXPECT_EQ(early.exit_code, 0);
}

// Files written ---------------------------------------------------------------------------------

TEST_F(CliTest, GeneratedKeyFilesArePrivate) {
  for (const char* alg : {"ES256", "ES384", "EdDSA"}) {
    SCOPED_TRACE(alg);
    const std::string name = std::string("key-") + alg + ".jwk";
    ASSERT_NO_FATAL_FAILURE(GenerateKey(name, alg));
    struct stat st {};
    ASSERT_EQ(stat(Path(name).c_str(), &st), 0);
    EXPECT_TRUE(S_ISREG(st.st_mode));
    EXPECT_EQ(st.st_mode & 07777, 0600u);
    auto jwk = ParseJsonObject(ReadFile(name));
    ASSERT_TRUE(jwk.ok());
    EXPECT_TRUE(jwk->contains("d"));
  }
  // Overwriting a world-readable file leaves a private one.
  ASSERT_NO_FATAL_FAILURE(WriteFile("existing.jwk", "old"));
  ASSERT_EQ(chmod(Path("existing.jwk").c_str(), 0644), 0);
  ASSERT_NO_FATAL_FAILURE(GenerateKey("existing.jwk", "ES256"));
  struct stat st {};
  ASSERT_EQ(stat(Path("existing.jwk").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_NE(ReadFile("existing.jwk"), "old");
  // No temporary files are left behind.
  std::set<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir())) names.insert(entry.path().filename());
  EXPECT_EQ(names,
            (std::set<std::string>{"key-ES256.jwk", "key-ES384.jwk", "key-EdDSA.jwk", "existing.jwk"}));
  // Nowhere to write.
  EXPECT_TRUE(CommandFailsWith(Cli({"key", "generate", "--out", Path("no-such-dir/k.jwk")}), "io_error"));
  EXPECT_TRUE(CommandFailsWith(Cli({"key", "generate", "--out", dir()}), "io_error"));
}

}  // namespace
}  // namespace bonafide::clitest
