// `bonafide issuer citizen|import|offer|revoke|audit`: the operator's admin commands (issue 4,
// section 4). They work on a data directory made by `issuer init` directly (LoadIssuerConfig +
// OpenIssuerStore [+ IssuerService]), so they need the files' permissions, not the admin token.
// Every change they make is written to the audit log with actor "cli".
//
// `issuer import --data-dir DIR FILE.csv` streams the CSV (issuer/csv.h; columns in
// docs/credentials.md, "CSV import") and upserts the citizens in transactions of --batch rows.
// A bad row (ragged, bad quoting, a cell that does not convert, a bad id) is reported with its
// line and reason and not imported; the rest continues. A progress bar goes to stderr when stderr
// is a terminal. Exit codes: 0 when every row was imported (summary JSON on stdout); 1 when some
// rows were bad or reading stopped early (one JSON object on stderr: "error" is the code of the
// first problem, "imported", "bad_row_count" and the first 1000 "bad_rows" as {line, error,
// message}); 2 for usage errors. Upserts are idempotent, so re-running a file (or --from-line
// past the rows already committed) resumes an interrupted import without harm.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/json.h"
#include "cli/commands.h"
#include "cli/io.h"
#include "crypto/random.h"
#include "issuer/config.h"
#include "issuer/csv.h"
#include "issuer/service.h"
#include "store/store.h"

namespace bonafide::cli {
namespace {

constexpr std::string_view kActor = "cli";
constexpr size_t kMaxReportedBadRows = 1000;

Result<std::unique_ptr<issuer::IssuerService>> OpenService(const std::string& data_dir) {
  ASSIGN_OR_RETURN(issuer::IssuerConfig config, issuer::LoadIssuerConfig(data_dir));
  ASSIGN_OR_RETURN(std::unique_ptr<store::IssuerStore> st, issuer::OpenIssuerStore(config));
  return issuer::IssuerService::Create(std::move(config), std::move(st), SystemClock::Default(),
                                       crypto::SystemRandom());
}

// --- citizen add / list ---

struct CitizenAddArgs {
  std::string data_dir;
  std::string file;
};

int CitizenAdd(const CitizenAddArgs& a) {
  Result<std::string> text = ReadFile(a.file);
  if (!text.ok()) return ReportError(text.status());
  Result<Json> record = ParseJsonObject(*text);
  if (!record.ok()) return ReportError(record.status());
  auto service = OpenService(a.data_dir);
  if (!service.ok()) return ReportError(service.status());
  Status st = (*service)->UpsertCitizen(*text, kActor);
  if (!st.ok()) return ReportError(st);
  return PrintJson(Json{{"id", (*record)["id"]}, {"stored", true}});
}

struct CitizenListArgs {
  std::string data_dir;
  bool json = false;
};

int CitizenList(const CitizenListArgs& a) {
  Result<issuer::IssuerConfig> config = issuer::LoadIssuerConfig(a.data_dir);
  if (!config.ok()) return ReportError(config.status());
  auto st = issuer::OpenIssuerStore(*config);
  if (!st.ok()) return ReportError(st.status());
  // Pages are streamed, so a million citizens never sit in memory at once.
  std::string after;
  bool first = true;
  std::string out;
  if (a.json) out = "[";
  for (;;) {
    Result<std::vector<store::Citizen>> page = (*st)->ListCitizens(after, store::kMaxListPage);
    if (!page.ok()) return ReportError(page.status());
    for (const store::Citizen& c : *page) {
      Json configurations = Json::array();
      Result<Json> data = ParseJsonObject(c.data_json);
      if (data.ok()) {
        const Json* claims = Find(*data, "claims");
        if (claims != nullptr && claims->is_object()) {
          for (auto it = claims->begin(); it != claims->end(); ++it) configurations.push_back(it.key());
        }
      }
      if (a.json) {
        if (!first) out += ",";
        out += "\n  ";
        AppendJson(out, Json{{"id", c.id},
                             {"configurations", configurations},
                             {"created_at", c.created_at},
                             {"updated_at", c.updated_at}});
      } else {
        out += c.id;
        out += "\t";
        for (size_t i = 0; i < configurations.size(); ++i) {
          out += (i == 0 ? "" : ",") + configurations[i].get<std::string>();
        }
        out += "\n";
      }
      first = false;
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    out.clear();
    if (page->size() < store::kMaxListPage) break;
    after = page->back().id;
  }
  if (a.json) std::fputs(first ? "]\n" : "\n]\n", stdout);
  std::fflush(stdout);
  return 0;
}

// --- import ---

struct ImportArgs {
  std::string data_dir;
  std::string file;
  size_t batch = 10000;
  int64_t from_line = 1;
};

// Progress draws a bar on stderr when it is a terminal.
class Progress {
 public:
  explicit Progress(int64_t total_bytes)
      : total_(total_bytes), tty_(isatty(STDERR_FILENO) == 1), start_(std::chrono::steady_clock::now()) {}
  double Seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }
  void Update(int64_t done_bytes, int64_t rows) {
    if (!tty_ || total_ <= 0) return;
    const double fraction = std::min(1.0, static_cast<double>(done_bytes) / static_cast<double>(total_));
    const int width = 30;
    const int filled = static_cast<int>(fraction * width);
    std::string bar(static_cast<size_t>(filled), '#');
    bar.append(static_cast<size_t>(width - filled), ' ');
    std::fprintf(stderr, "\r[%s] %3d%% %lld rows %.1f s", bar.c_str(), static_cast<int>(fraction * 100),
                 static_cast<long long>(rows), Seconds());
    std::fflush(stderr);
  }
  void Clear() {
    if (tty_) std::fputs("\r\033[K", stderr);
  }

 private:
  int64_t total_;
  bool tty_;
  std::chrono::steady_clock::time_point start_;
};

struct BadRow {
  int64_t line;
  Status status;
};

struct Batch {
  std::vector<store::CitizenInput> rows;
  std::vector<int64_t> lines;
};

class Importer {
 public:
  Importer(store::IssuerStore& st, std::string file) : st_(st), file_(std::move(file)) {}

  void Bad(int64_t line, const Status& status) {
    ++bad_count_;
    if (bad_.size() < kMaxReportedBadRows) bad_.push_back({line, status});
  }

  // Commit writes the batch in one transaction with an audit record. When the store refuses a
  // row (which the mapping's checks should prevent), the rows are retried one by one so only the
  // bad ones are lost. kIoError / kInternal stop the import.
  Status Commit(Batch& batch) {
    if (batch.rows.empty()) return OkStatus();
    const int64_t now = SystemClock::Default().NowSeconds();
    const int64_t first = batch.lines.front();
    const int64_t last = batch.lines.back();
    Status st = st_.WithTransaction([&](store::IssuerStore& tx) -> Status {
      RETURN_IF_ERROR(tx.UpsertCitizens(batch.rows, now));
      return tx
          .AppendAudit(kActor, "citizen.import",
                       DumpJson(Json{{"file", file_}, {"rows", batch.rows.size()}, {"first_line", first},
                                     {"last_line", last}}),
                       now)
          .status();
    });
    if (st.ok()) {
      imported_ += static_cast<int64_t>(batch.rows.size());
    } else if (st.code() == StatusCode::kIoError || st.code() == StatusCode::kInternal) {
      return st;
    } else {
      for (size_t i = 0; i < batch.rows.size(); ++i) {
        Status one = st_.WithTransaction([&](store::IssuerStore& tx) -> Status {
          RETURN_IF_ERROR(tx.UpsertCitizen(batch.rows[i].id, batch.rows[i].data_json, now));
          return tx
              .AppendAudit(kActor, "citizen.import",
                           DumpJson(Json{{"file", file_}, {"rows", 1}, {"first_line", batch.lines[i]},
                                         {"last_line", batch.lines[i]}}),
                           now)
              .status();
        });
        if (one.ok()) {
          ++imported_;
        } else if (one.code() == StatusCode::kIoError || one.code() == StatusCode::kInternal) {
          return one;
        } else {
          Bad(batch.lines[i], one);
        }
      }
    }
    batch.rows.clear();
    batch.lines.clear();
    return OkStatus();
  }

  Json BadRowsJson() const {
    Json rows = Json::array();
    for (const BadRow& b : bad_) {
      rows.push_back(Json{{"line", b.line}, {"error", std::string(StatusCodeName(b.status.code()))},
                          {"message", b.status.message()}});
    }
    return rows;
  }

  int64_t imported() const { return imported_; }
  int64_t bad_count() const { return bad_count_; }
  const std::vector<BadRow>& bad() const { return bad_; }

 private:
  store::IssuerStore& st_;
  std::string file_;
  int64_t imported_ = 0;
  int64_t bad_count_ = 0;
  std::vector<BadRow> bad_;
};

int ImportFailure(const Status& status, const Importer& importer, int64_t skipped, double seconds) {
  Json body{{"error", std::string(StatusCodeName(status.code()))},
            {"message", status.message()},
            {"imported", importer.imported()},
            {"skipped", skipped},
            {"bad_row_count", importer.bad_count()},
            {"bad_rows", importer.BadRowsJson()},
            {"seconds", seconds}};
  std::string text = body.dump(2);
  std::fprintf(stderr, "%s\n", text.c_str());
  return 1;
}

int Import(const ImportArgs& a) {
  if (a.batch < 1 || a.batch > 100000) {
    return ReportError(Error(StatusCode::kInvalidArgument, "--batch must be 1..100000"));
  }
  if (a.from_line < 1) return ReportError(Error(StatusCode::kInvalidArgument, "--from-line must be >= 1"));
  Result<issuer::IssuerConfig> config = issuer::LoadIssuerConfig(a.data_dir);
  if (!config.ok()) return ReportError(config.status());
  auto st = issuer::OpenIssuerStore(*config);
  if (!st.ok()) return ReportError(st.status());

  std::ifstream in(a.file, std::ios::binary);
  if (!in) return ReportError(Error(StatusCode::kIoError, "cannot open " + a.file));
  in.seekg(0, std::ios::end);
  const int64_t total = static_cast<int64_t>(in.tellg());
  in.seekg(0, std::ios::beg);

  issuer::CsvReader reader(in);
  issuer::CsvRecord record;
  Result<bool> header = reader.Next(record);
  if (!header.ok()) return ReportError(header.status());
  if (!*header) return ReportError(Error(StatusCode::kMalformed, "empty file: no header row"));
  Result<issuer::CitizenCsvMapping> mapping = issuer::CitizenCsvMapping::FromHeader(record.fields, &config->catalogue);
  if (!mapping.ok()) return ReportError(Error(mapping.status().code(), "header: " + mapping.status().message()));

  Importer importer(**st, a.file);
  Progress progress(total);
  Batch batch;
  batch.rows.reserve(a.batch);
  batch.lines.reserve(a.batch);
  int64_t skipped = 0;
  int64_t rows_seen = 0;
  std::optional<Status> stop;
  for (;;) {
    Result<bool> next = reader.Next(record);
    if (!next.ok()) {
      if (reader.failed()) {
        stop = next.status();
        break;
      }
      if (reader.error_line() >= a.from_line) importer.Bad(reader.error_line(), next.status());
      continue;
    }
    if (!*next) break;
    ++rows_seen;
    if (record.line < a.from_line) {
      ++skipped;
      continue;
    }
    Result<store::CitizenInput> citizen = mapping->ToCitizen(record.fields);
    if (!citizen.ok()) {
      importer.Bad(record.line, Error(citizen.status().code(),
                                      "line " + std::to_string(record.line) + ": " + citizen.status().message()));
      continue;
    }
    batch.rows.push_back(std::move(*citizen));
    batch.lines.push_back(record.line);
    if (batch.rows.size() >= a.batch) {
      Status committed = importer.Commit(batch);
      if (!committed.ok()) {
        progress.Clear();
        return ImportFailure(committed, importer, skipped, progress.Seconds());
      }
      const auto pos = static_cast<int64_t>(in.tellg());
      progress.Update(pos < 0 ? total : pos, rows_seen);
    }
  }
  Status committed = importer.Commit(batch);
  progress.Update(total, rows_seen);
  progress.Clear();
  if (!committed.ok()) return ImportFailure(committed, importer, skipped, progress.Seconds());
  if (stop.has_value()) {
    return ImportFailure(Error(stop->code(), stop->message() + " (reading stopped; the rows before it were imported)"),
                         importer, skipped, progress.Seconds());
  }
  if (importer.bad_count() > 0) {
    const BadRow& first = importer.bad().front();
    return ImportFailure(Error(first.status.code(), std::to_string(importer.bad_count()) +
                                                        " bad rows not imported; first: " + first.status.message()),
                         importer, skipped, progress.Seconds());
  }
  return PrintJson(Json{{"imported", importer.imported()},
                        {"skipped", skipped},
                        {"bad_row_count", 0},
                        {"lines", reader.line() - 1},
                        {"seconds", progress.Seconds()}});
}

// --- offer ---

struct OfferArgs {
  std::string data_dir;
  std::string citizen;
  std::string credential;
  bool tx_code = false;
};

int Offer(const OfferArgs& a) {
  auto service = OpenService(a.data_dir);
  if (!service.ok()) return ReportError(service.status());
  Result<issuer::OfferResult> offer = (*service)->CreateOffer(a.citizen, a.credential, a.tx_code, kActor);
  if (!offer.ok()) return ReportError(offer.status());
  Json out{{"offer_id", offer->offer_id}, {"offer_uri", offer->offer_uri}, {"expires_at", offer->expires_at}};
  if (offer->tx_code.has_value()) out["tx_code"] = *offer->tx_code;
  return PrintJson(out);
}

// --- revoke ---

struct RevokeArgs {
  std::string data_dir;
  std::optional<std::string> credential;
  std::optional<std::string> citizen;
  std::optional<std::string> credential_type;
  bool suspend = false;
  bool reinstate = false;
};

int Revoke(const RevokeArgs& a) {
  if (a.suspend && a.reinstate) {
    return ReportError(Error(StatusCode::kInvalidArgument, "--suspend and --reinstate exclude each other"));
  }
  issuer::AdminTarget target;
  if (a.credential.has_value()) {
    if (a.citizen.has_value() || a.credential_type.has_value()) {
      return ReportError(Error(StatusCode::kInvalidArgument,
                               "give --credential, or --citizen with --credential-type, not both"));
    }
    target.credential_id = a.credential;
  } else if (a.citizen.has_value() && a.credential_type.has_value()) {
    target.citizen_id = a.citizen;
    target.configuration_id = a.credential_type;
  } else {
    return ReportError(Error(StatusCode::kInvalidArgument, "give --credential, or --citizen with --credential-type"));
  }
  auto service = OpenService(a.data_dir);
  if (!service.ok()) return ReportError(service.status());
  Result<std::vector<std::string>> changed = a.suspend     ? (*service)->Suspend(target, kActor)
                                             : a.reinstate ? (*service)->Reinstate(target, kActor)
                                                           : (*service)->Revoke(target, kActor);
  if (!changed.ok()) return ReportError(changed.status());
  const char* action = a.suspend ? "suspended" : a.reinstate ? "reinstated" : "revoked";
  return PrintJson(Json{{"action", action}, {"credentials", *changed}});
}

// --- audit verify ---

struct AuditArgs {
  std::string data_dir;
};

int AuditVerify(const AuditArgs& a) {
  Result<issuer::IssuerConfig> config = issuer::LoadIssuerConfig(a.data_dir);
  if (!config.ok()) return ReportError(config.status());
  auto st = issuer::OpenIssuerStore(*config);
  if (!st.ok()) return ReportError(st.status());
  Status verified = (*st)->VerifyAuditChain();
  if (!verified.ok()) return ReportError(verified, /*verify=*/true);
  return PrintJson(Json{{"valid", true}});
}

}  // namespace

void RegisterIssuerAdminCommands(CLI::App& app, int& exit_code) {
  CLI::App* group = IssuerGroup(app);

  CLI::App* citizen = group->add_subcommand("citizen", "Manage citizen records");
  citizen->require_subcommand(1);
  auto ca = std::make_shared<CitizenAddArgs>();
  CLI::App* add = citizen->add_subcommand("add", "Create or replace a citizen record from a JSON file");
  add->add_option("--data-dir", ca->data_dir, "Data directory made by `issuer init`")->required();
  add->add_option("file", ca->file, "Citizen record JSON (docs/credentials.md); - for stdin")->required();
  add->callback([&exit_code, ca] { exit_code = CitizenAdd(*ca); });

  auto cl = std::make_shared<CitizenListArgs>();
  CLI::App* list = citizen->add_subcommand("list", "List citizen records (id and configurations)");
  list->add_option("--data-dir", cl->data_dir, "Data directory made by `issuer init`")->required();
  list->add_flag("--json", cl->json, "Print a JSON array");
  list->callback([&exit_code, cl] { exit_code = CitizenList(*cl); });

  auto ia = std::make_shared<ImportArgs>();
  CLI::App* import = group->add_subcommand("import", "Bulk import citizen records from CSV (docs/credentials.md)");
  import->add_option("--data-dir", ia->data_dir, "Data directory made by `issuer init`")->required();
  import->add_option("file", ia->file, "The CSV file")->required();
  import->add_option("--batch", ia->batch, "Rows per transaction (1..100000)")->capture_default_str();
  import->add_option("--from-line", ia->from_line, "Skip records that start before this line (resume)")
      ->capture_default_str();
  import->callback([&exit_code, ia] { exit_code = Import(*ia); });

  auto oa = std::make_shared<OfferArgs>();
  CLI::App* offer = group->add_subcommand("offer", "Create a pre-authorized credential offer for a citizen");
  offer->add_option("--data-dir", oa->data_dir, "Data directory made by `issuer init`")->required();
  offer->add_option("--citizen", oa->citizen, "Citizen id")->required();
  offer->add_option("--credential", oa->credential, "Credential configuration id")->required();
  offer->add_flag("--tx-code", oa->tx_code, "Require a numeric transaction code (printed once)");
  offer->callback([&exit_code, oa] { exit_code = Offer(*oa); });

  auto ra = std::make_shared<RevokeArgs>();
  CLI::App* revoke = group->add_subcommand("revoke", "Revoke, suspend or reinstate issued credentials");
  revoke->add_option("--data-dir", ra->data_dir, "Data directory made by `issuer init`")->required();
  revoke->add_option("--credential", ra->credential, "One issued credential id");
  revoke->add_option("--citizen", ra->citizen, "Every credential of this citizen ...");
  revoke->add_option("--credential-type", ra->credential_type, "... and this configuration id (all batch copies)");
  revoke->add_flag("--suspend", ra->suspend, "Suspend instead of revoking");
  revoke->add_flag("--reinstate", ra->reinstate, "Make suspended credentials valid again");
  revoke->callback([&exit_code, ra] { exit_code = Revoke(*ra); });

  CLI::App* audit = group->add_subcommand("audit", "The hash-chained audit log");
  audit->require_subcommand(1);
  auto aa = std::make_shared<AuditArgs>();
  CLI::App* verify = audit->add_subcommand("verify", "Check the audit chain; report the first broken record");
  verify->add_option("--data-dir", aa->data_dir, "Data directory made by `issuer init`")->required();
  verify->callback([&exit_code, aa] { exit_code = AuditVerify(*aa); });
}

}  // namespace bonafide::cli
