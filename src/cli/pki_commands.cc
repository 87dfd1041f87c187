// `bonafide pki ...`: an ISO/IEC 18013-5 test PKI: an IACA root and the document signer (DS)
// certificates it issues (Annex B profiles, see mdoc/iaca.h).
//
// Files: an IACA directory holds iaca.pem (certificate) and iaca.key.pem (PKCS#8 private key,
// mode 0600); a DS directory holds ds.pem and ds.key.pem. Existing key files are never
// overwritten unless --force is given, so a real key cannot be lost to a typo.
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include <sys/stat.h>

#include "base/clock.h"
#include "base/encoding.h"
#include "cli/commands.h"
#include "cli/io.h"
#include "mdoc/iaca.h"

namespace bonafide::cli {
namespace {

constexpr char kIacaCert[] = "iaca.pem";
constexpr char kIacaKey[] = "iaca.key.pem";
constexpr char kDsCert[] = "ds.pem";
constexpr char kDsKey[] = "ds.key.pem";

std::string Join(const std::string& dir, const char* name) {
  return dir.empty() || dir.back() == '/' ? dir + name : dir + "/" + name;
}

// PrepareOutDir creates `dir` (one level) when missing and refuses to overwrite `key_file` in it
// unless `force`.
Status PrepareOutDir(const std::string& dir, const char* key_file, bool force) {
  struct stat st {};
  if (stat(dir.c_str(), &st) != 0) {
    if (mkdir(dir.c_str(), 0755) != 0) return Error(StatusCode::kIoError, "cannot create directory " + dir);
  } else if (!S_ISDIR(st.st_mode)) {
    return Error(StatusCode::kIoError, dir + " is not a directory");
  }
  const std::string key_path = Join(dir, key_file);
  if (!force && stat(key_path.c_str(), &st) == 0) {
    return Error(StatusCode::kInvalidArgument, key_path + " already exists; pass --force to replace it");
  }
  return OkStatus();
}

// WritePair writes the certificate and then the key (0600).
Status WritePair(const std::string& dir, const char* cert_file, const char* key_file,
                 const mdoc::KeyAndCertificate& pair) {
  RETURN_IF_ERROR(WriteFile(Join(dir, cert_file), pair.certificate.ToPem()));
  SecretBytes pem = pair.key.ExportPem();
  return WriteFile(Join(dir, key_file), std::string(AsStringView(pem.view())), /*secret=*/true);
}

Json Describe(const std::string& dir, const char* cert_file, const char* key_file,
              const crypto::Certificate& c) {
  return Json{{"certificate", Join(dir, cert_file)},
              {"key", Join(dir, key_file)},
              {"subject", c.subject()},
              {"issuer", c.issuer()},
              {"serial", HexEncode(c.serial_number())},
              {"not_before", c.not_before()},
              {"not_after", c.not_after()}};
}

struct IacaArgs {
  std::string out_dir, country = "GB", name = "bonafide test IACA", organization;
  std::string issuer_alt_uri, issuer_alt_email, crl_uri;
  int64_t valid_days = mdoc::kDefaultIacaValidDays;
  std::optional<int64_t> at;
  bool force = false;
};

int CreateIacaCommand(const IacaArgs& a) {
  auto now = ResolveTime(a.at);
  if (!now.ok()) return ReportError(now.status());
  mdoc::IacaOptions o;
  o.country = a.country;
  o.common_name = a.name;
  if (!a.organization.empty()) o.organization = a.organization;
  o.valid_days = a.valid_days;
  if (!a.issuer_alt_uri.empty()) o.issuer_alt_uri = a.issuer_alt_uri;
  if (!a.issuer_alt_email.empty()) o.issuer_alt_email = a.issuer_alt_email;
  // Annex B requires an issuerAltName; a test IACA gets a reserved (.invalid) URI by default.
  if (!o.issuer_alt_uri && !o.issuer_alt_email) o.issuer_alt_uri = "https://iaca.invalid/";
  if (!a.crl_uri.empty()) o.crl_distribution_uri = a.crl_uri;
  FixedClock clock(*now);
  // Check the options before touching the file system.
  auto iaca = mdoc::CreateIaca(o, clock);
  if (!iaca.ok()) return ReportError(iaca.status());
  Status s = PrepareOutDir(a.out_dir, kIacaKey, a.force);
  if (s.ok()) s = WritePair(a.out_dir, kIacaCert, kIacaKey, *iaca);
  if (!s.ok()) return ReportError(s);
  return PrintJson(Describe(a.out_dir, kIacaCert, kIacaKey, iaca->certificate));
}

struct DsArgs {
  std::string iaca_dir, out_dir, name = "bonafide test document signer", organization;
  int64_t valid_days = mdoc::kDefaultDocumentSignerValidDays;
  std::optional<int64_t> at;
  bool force = false;
};

int CreateDsCommand(const DsArgs& a) {
  auto now = ResolveTime(a.at);
  if (!now.ok()) return ReportError(now.status());
  auto text = ReadFile(Join(a.iaca_dir, kIacaCert));
  if (!text.ok()) return ReportError(text.status());
  auto iaca = crypto::Certificate::FromPem(*text);
  if (!iaca.ok())
    return ReportError(
        Error(iaca.status().code(), Join(a.iaca_dir, kIacaCert) + ": " + iaca.status().message()));
  auto key = LoadPrivateKey(Join(a.iaca_dir, kIacaKey));
  if (!key.ok())
    return ReportError(
        Error(key.status().code(), Join(a.iaca_dir, kIacaKey) + ": " + key.status().message()));
  mdoc::DocumentSignerOptions o;
  o.common_name = a.name;
  if (!a.organization.empty()) o.organization = a.organization;
  o.valid_days = a.valid_days;
  FixedClock clock(*now);
  auto ds = mdoc::CreateDocumentSigner(*key, *iaca, o, clock);
  if (!ds.ok()) return ReportError(ds.status());
  Status s = PrepareOutDir(a.out_dir, kDsKey, a.force);
  if (s.ok()) s = WritePair(a.out_dir, kDsCert, kDsKey, *ds);
  if (!s.ok()) return ReportError(s);
  return PrintJson(Describe(a.out_dir, kDsCert, kDsKey, ds->certificate));
}

}  // namespace

void RegisterPkiCommands(CLI::App& app, int& exit_code) {
  CLI::App* pki =
      app.add_subcommand("pki", "ISO 18013-5 test PKI: IACA root and document signer certificates");
  pki->require_subcommand(1);

  auto ia = std::make_shared<IacaArgs>();
  CLI::App* iaca =
      pki->add_subcommand("create-iaca", "Create an IACA root: DIR/iaca.pem and DIR/iaca.key.pem (0600)");
  iaca->add_option("--out-dir", ia->out_dir, "Directory to write (created if missing)")->required();
  iaca->add_option("--country", ia->country, "ISO 3166-1 alpha-2 country code (two upper-case letters)")
      ->capture_default_str();
  iaca->add_option("--name", ia->name, "Subject common name")->capture_default_str();
  iaca->add_option("--org", ia->organization, "Subject organization");
  iaca->add_option("--valid-days", ia->valid_days, "Days of validity (at most 7305, 20 years)")
      ->capture_default_str();
  iaca->add_option("--issuer-alt-uri", ia->issuer_alt_uri,
                   "issuerAltName URI (default https://iaca.invalid/)");
  iaca->add_option("--issuer-alt-email", ia->issuer_alt_email, "issuerAltName email address");
  iaca->add_option("--crl-uri", ia->crl_uri, "CRL distribution point URI");
  iaca->add_option("--at", ia->at, "Issue as of this Unix time");
  iaca->add_flag("--force", ia->force, "Replace an existing key file");
  iaca->callback([&exit_code, ia] { exit_code = CreateIacaCommand(*ia); });

  auto da = std::make_shared<DsArgs>();
  CLI::App* ds =
      pki->add_subcommand("create-ds", "Create a document signer: DIR/ds.pem and DIR/ds.key.pem (0600)");
  ds->add_option("--iaca-dir", da->iaca_dir, "Directory holding iaca.pem and iaca.key.pem")->required();
  ds->add_option("--out-dir", da->out_dir, "Directory to write (created if missing)")->required();
  ds->add_option("--name", da->name, "Subject common name")->capture_default_str();
  ds->add_option("--org", da->organization, "Subject organization");
  ds->add_option("--valid-days", da->valid_days, "Days of validity (at most 457)")->capture_default_str();
  ds->add_option("--at", da->at, "Issue as of this Unix time");
  ds->add_flag("--force", da->force, "Replace an existing key file");
  ds->callback([&exit_code, da] { exit_code = CreateDsCommand(*da); });
}

}  // namespace bonafide::cli
