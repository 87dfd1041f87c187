// `bonafide registry ...`: operating the trust registry (issue 5, part 1; src/registry,
// docs/registry.md).
//
//   registry init       --data-dir DIR [--name NAME] [--id ID] [--trust-list-ttl HOURS]
//   registry add-issuer --data-dir DIR (--from-issuer ISSUER_DATA_DIR | --metadata-url URL [--ca-file F])
//   registry add-rp     --data-dir DIR --name "LEGAL NAME" --client-id HOST --purpose CHECK[,CHECK]
//                       [--registration-number N] --out-dir DIR
//   registry list       --data-dir DIR [--json]
//   registry suspend-rp --data-dir DIR --client-id HOST [--reinstate]
//   registry publish    --data-dir DIR --out FILE
//
// Each prints a JSON result on stdout (list without --json prints a table) and exits 0; failures
// print {"error", "message"} on stderr and exit 1 (cli/io.h), with nothing changed.
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/encoding.h"
#include "cli/commands.h"
#include "cli/io.h"
#include "crypto/hash.h"
#include "http/client.h"
#include "registry/issuer_import.h"
#include "registry/registry.h"

namespace bonafide::cli {
namespace {

std::string Absolute(const std::string& path) { return std::filesystem::absolute(path).string(); }

struct InitArgs {
  std::string data_dir;
  std::optional<std::string> name;
  std::optional<std::string> id;
  int64_t ttl_hours = 24;
};

int RegistryInit(const InitArgs& a) {
  registry::InitOptions options;
  if (a.name.has_value()) options.name = *a.name;
  if (a.id.has_value()) options.id = *a.id;
  if (a.ttl_hours < 1 || a.ttl_hours > 31 * 24) {
    return ReportError(Error(StatusCode::kInvalidArgument, "--trust-list-ttl must be 1 to 744 hours"));
  }
  options.trust_list_ttl_seconds = a.ttl_hours * 3600;
  Result<registry::Registry> reg = registry::Registry::Init(a.data_dir, options, SystemClock::Default());
  if (!reg.ok()) return ReportError(reg.status());
  const std::string dir = Absolute(a.data_dir);
  return PrintJson(Json{{"data_dir", dir},
                        {"id", reg->id()},
                        {"name", reg->name()},
                        {"trust_list_ttl_seconds", reg->trust_list_ttl_seconds()},
                        {"root_certificate", dir + "/root.pem"},
                        {"root_sha256", HexEncode(crypto::Sha256(reg->root_certificate().der()))},
                        {"signer_certificate", dir + "/signer.pem"}});
}

struct AddIssuerArgs {
  std::string data_dir;
  std::string from_issuer;
  std::string metadata_url;
  std::string ca_file;
};

int RegistryAddIssuer(const AddIssuerArgs& a) {
  Result<registry::Registry> reg = registry::Registry::Open(a.data_dir);
  if (!reg.ok()) return ReportError(reg.status());
  const int64_t now = SystemClock::Default().NowSeconds();
  Result<registry::TrustedIssuer> issuer = Error(StatusCode::kInvalidArgument, "no issuer source");
  if (!a.from_issuer.empty()) {
    issuer = registry::TrustedIssuerFromDataDir(a.from_issuer, now);
  } else {
    http::ClientOptions options;
    options.ca_file = a.ca_file;
    issuer = registry::TrustedIssuerFromMetadataUrl(a.metadata_url, options);
  }
  if (!issuer.ok()) return ReportError(issuer.status());
  Json types = Json::array();
  for (const registry::IssuerCredential& c : issuer->credentials) types.push_back(c.type.ToString());
  const Json out = {{"id", issuer->id}, {"name", issuer->name}, {"credentials", types}};
  Status added = reg->AddIssuer(std::move(*issuer), SystemClock::Default());
  if (!added.ok()) return ReportError(added);
  return PrintJson(out);
}

struct AddRpArgs {
  std::string data_dir;
  std::string name;
  std::string client_id;
  std::vector<std::string> purposes;
  std::string registration_number;
  std::string out_dir;
  bool allow_localhost = false;
};

int RegistryAddRp(const AddRpArgs& a) {
  Result<registry::Registry> reg = registry::Registry::Open(a.data_dir);
  if (!reg.ok()) return ReportError(reg.status());
  registry::RpRequest request{a.name, a.client_id, a.registration_number, a.purposes, a.allow_localhost};
  Result<registry::RpCredentials> creds = reg->AddRelyingParty(request, a.out_dir, SystemClock::Default());
  if (!creds.ok()) return ReportError(creds.status());
  const std::string out = Absolute(a.out_dir);
  Json purposes = Json::array();
  for (const registry::PurposeGrant& g : creds->entry.purposes) purposes.push_back(g.id);
  return PrintJson(Json{{"client_id", creds->entry.client_id},
                        {"name", creds->entry.name},
                        {"registration_number", creds->entry.registration_number},
                        {"purposes", purposes},
                        {"access_certificate_serial", creds->entry.access_certificate_serial},
                        {"access_certificate_sha256", creds->entry.access_certificate_sha256},
                        {"files",
                         {{"access_key", out + "/access_key.pem"},
                          {"access_certificate", out + "/access_cert.pem"},
                          {"registry_root", out + "/registry_root.pem"},
                          {"registration", out + "/registration.jwt"}}}});
}

struct ListArgs {
  std::string data_dir;
  bool json = false;
};

int RegistryList(const ListArgs& a) {
  Result<registry::Registry> reg = registry::Registry::Open(a.data_dir);
  if (!reg.ok()) return ReportError(reg.status());
  const Json summary = reg->Summary();
  if (a.json) return PrintJson(summary);
  std::cout << reg->name() << " (" << reg->id() << "), trust list sequence " << reg->sequence() << "\n";
  std::cout << "Issuers: " << reg->issuers().size() << "\n";
  for (const registry::TrustedIssuer& i : reg->issuers()) {
    std::cout << "  " << i.id << "  " << i.name << "\n";
    for (const registry::IssuerCredential& c : i.credentials) std::cout << "    " << c.type.ToString() << "\n";
  }
  std::cout << "Relying parties: " << reg->relying_parties().size() << "\n";
  for (const registry::RelyingParty& rp : reg->relying_parties()) {
    std::string purposes;
    for (const registry::PurposeGrant& g : rp.purposes) purposes += (purposes.empty() ? "" : ",") + g.id;
    std::cout << "  " << rp.client_id << "  " << rp.name << "  [" << registry::RpStatusName(rp.status) << "]  "
              << purposes << "\n";
  }
  std::cout.flush();
  return 0;
}

struct SuspendArgs {
  std::string data_dir;
  std::string client_id;
  bool reinstate = false;
};

int RegistrySuspend(const SuspendArgs& a) {
  Result<registry::Registry> reg = registry::Registry::Open(a.data_dir);
  if (!reg.ok()) return ReportError(reg.status());
  const registry::RpStatus status = a.reinstate ? registry::RpStatus::kActive : registry::RpStatus::kSuspended;
  Status s = reg->SetRelyingPartyStatus(a.client_id, status);
  if (!s.ok()) return ReportError(s);
  return PrintJson(Json{{"client_id", a.client_id}, {"status", std::string(registry::RpStatusName(status))}});
}

struct PublishArgs {
  std::string data_dir;
  std::string out;
};

int RegistryPublish(const PublishArgs& a) {
  Result<registry::Registry> reg = registry::Registry::Open(a.data_dir);
  if (!reg.ok()) return ReportError(reg.status());
  Result<std::string> jws = reg->Publish(SystemClock::Default());
  if (!jws.ok()) return ReportError(jws.status());
  Status written = WriteFile(a.out, *jws + "\n");
  if (!written.ok()) return ReportError(written);
  return PrintJson(Json{{"out", Absolute(a.out)},
                        {"sequence", reg->sequence()},
                        {"issuers", reg->issuers().size()},
                        {"relying_parties", reg->relying_parties().size()}});
}

}  // namespace

void RegisterRegistryCommands(CLI::App& app, int& exit_code) {
  CLI::App* group = app.add_subcommand("registry", "Operate the trust registry of issuers and relying parties");
  group->require_subcommand(1);

  auto ia = std::make_shared<InitArgs>();
  CLI::App* init = group->add_subcommand("init", "Create a registry: root CA, trust-list signer, empty register");
  init->add_option("--data-dir", ia->data_dir, "Data directory to create")->required();
  init->add_option("--name", ia->name, "Registrar name (certificates, trust list)");
  init->add_option("--id", ia->id, "Registry identifier (the trust list's iss)");
  init->add_option("--trust-list-ttl", ia->ttl_hours, "Hours from a trust list's iat to its next_update (default 24)");
  init->callback([&exit_code, ia] { exit_code = RegistryInit(*ia); });

  auto ai = std::make_shared<AddIssuerArgs>();
  CLI::App* add_issuer = group->add_subcommand("add-issuer", "Add a trusted issuer from its data dir or metadata");
  add_issuer->add_option("--data-dir", ai->data_dir, "Registry data directory")->required();
  CLI::Option* from = add_issuer->add_option("--from-issuer", ai->from_issuer, "The issuer's data directory");
  CLI::Option* url = add_issuer->add_option("--metadata-url", ai->metadata_url, "The Credential Issuer URL");
  CLI::Option* ca = add_issuer->add_option("--ca-file", ai->ca_file, "PEM roots for an https metadata URL");
  from->excludes(url);
  url->excludes(from);
  ca->needs(url);
  add_issuer->require_option(2, 3);  // --data-dir and one source (and perhaps --ca-file)
  add_issuer->callback([&exit_code, ai] { exit_code = RegistryAddIssuer(*ai); });

  auto ar = std::make_shared<AddRpArgs>();
  CLI::App* add_rp = group->add_subcommand("add-rp", "Register a relying party and issue its access certificate");
  add_rp->add_option("--data-dir", ar->data_dir, "Registry data directory")->required();
  add_rp->add_option("--name", ar->name, "Legal name")->required();
  add_rp->add_option("--client-id", ar->client_id, "client_id host (DNS name)")->required();
  add_rp->add_flag("--allow-localhost", ar->allow_localhost,
                   "Permit client_id localhost (a verifier on this machine: local demos and tests only)");
  add_rp->add_option("--purpose", ar->purposes, "Checks, comma separated (e.g. right_to_work,age_over_18)")
      ->required()
      ->delimiter(',');
  add_rp->add_option("--registration-number", ar->registration_number, "e.g. the Companies House number");
  add_rp->add_option("--out-dir", ar->out_dir, "Where to write the key, certificate and registration")->required();
  add_rp->callback([&exit_code, ar] { exit_code = RegistryAddRp(*ar); });

  auto la = std::make_shared<ListArgs>();
  CLI::App* list = group->add_subcommand("list", "List the trusted issuers and relying parties");
  list->add_option("--data-dir", la->data_dir, "Registry data directory")->required();
  list->add_flag("--json", la->json, "Print JSON");
  list->callback([&exit_code, la] { exit_code = RegistryList(*la); });

  auto sa = std::make_shared<SuspendArgs>();
  CLI::App* suspend = group->add_subcommand("suspend-rp", "Suspend (or with --reinstate reinstate) a relying party");
  suspend->add_option("--data-dir", sa->data_dir, "Registry data directory")->required();
  suspend->add_option("--client-id", sa->client_id, "client_id host")->required();
  suspend->add_flag("--reinstate", sa->reinstate, "Reinstate instead of suspending");
  suspend->callback([&exit_code, sa] { exit_code = RegistrySuspend(*sa); });

  auto pa = std::make_shared<PublishArgs>();
  CLI::App* publish = group->add_subcommand("publish", "Sign and write the trust list (sequence + 1)");
  publish->add_option("--data-dir", pa->data_dir, "Registry data directory")->required();
  publish->add_option("--out", pa->out, "File to write the trust list JWS to")->required();
  publish->callback([&exit_code, pa] { exit_code = RegistryPublish(*pa); });
}

}  // namespace bonafide::cli
