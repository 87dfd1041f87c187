// `bonafide issuer citizen|import|offer|revoke|audit`: the operator's admin commands (issue 4,
// section 4). Each runs in one of two places, chosen by exactly one of:
//   --data-dir DIR   directly on a data directory made by `issuer init` (LoadIssuerConfig +
//                    OpenIssuerStore [+ IssuerService]); needs the files' permissions, not the
//                    admin token; audit actor "cli".
//   --url URL --admin-token-file FILE [--ca-file PEM]
//                    against a running `issuer serve` through its admin API
//                    (issuer/http_routes.h) with `Authorization: Bearer <token>`; audit actor
//                    "admin". The server's errors are reported with the server's error name
//                    ({"error": "invalid_token", ...} for a refused token) and exit code 1, as
//                    offline failures are.
// Output and exit codes are the same in both places.
//
// `issuer import FILE.csv` streams the CSV (issuer/csv.h; columns in docs/credentials.md, "CSV
// import") and upserts the citizens in transactions of --batch rows (remotely: one POST
// /admin/import per batch, smaller when a batch would exceed kMaxImportRequestBytes). A bad row
// (ragged, bad quoting, a cell that does not convert, a bad id) is reported with its line and
// reason and not imported; the rest continues. A progress bar goes to stderr when stderr is a
// terminal. Exit codes: 0 when every row was imported (summary JSON on stdout); 1 when some rows
// were bad or reading stopped early (one JSON object on stderr: "error" is the code of the first
// problem, "imported", "bad_row_count" and the first 1000 "bad_rows" as {line, error, message});
// 2 for usage errors. Upserts are idempotent, so re-running a file (or --from-line past the rows
// already committed) resumes an interrupted import without harm.
//
// `issuer offer ... [--qr FILE.png] [--qr-svg FILE.svg]` also writes the offer URI as a QR code
// (src/qr: level M, quiet zone 4). The files hold the pre-authorized code, a secret, so they are
// written with mode 0600. Should writing them fail, the offer exists but is reported as a
// failure; it expires unused.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/encoding.h"
#include "base/json.h"
#include "cli/commands.h"
#include "cli/io.h"
#include "crypto/random.h"
#include "http/client.h"
#include "issuer/config.h"
#include "issuer/csv.h"
#include "issuer/service.h"
#include "qr/qr.h"
#include "store/store.h"

namespace bonafide::cli {
namespace {

constexpr std::string_view kActor = "cli";
constexpr size_t kMaxReportedBadRows = 1000;
// kMaxImportRequestBytes keeps each POST /admin/import well under the server's 1 MiB body limit;
// one row is at most about 6 * store::kMaxJsonBytes once JSON-escaped, so a row always fits.
constexpr size_t kMaxImportRequestBytes = 768 * 1024;

// --- where a command runs ---

// Target is the --data-dir / --url choice shared by every admin command.
struct Target {
  std::string data_dir;
  std::string url;
  std::string admin_token_file;
  std::string ca_file;
  bool remote() const { return !url.empty(); }
};

// AddTargetOptions adds the options of Target to `cmd`: exactly one of --data-dir and --url, and
// --admin-token-file (with --ca-file optional) only with --url. Violations are usage errors.
void AddTargetOptions(CLI::App* cmd, Target& t) {
  CLI::Option_group* where = cmd->add_option_group("where", "Run on a data directory or against a running issuer");
  where->add_option("--data-dir", t.data_dir, "Data directory made by `issuer init`");
  CLI::Option* url = where->add_option("--url", t.url, "Base URL of a running `issuer serve` (http(s)://HOST:PORT)");
  where->require_option(1);
  CLI::Option* token = cmd->add_option("--admin-token-file", t.admin_token_file,
                                       "File holding the admin API token (the data directory's admin-token)");
  CLI::Option* ca = cmd->add_option("--ca-file", t.ca_file, "PEM roots to trust for an https --url");
  url->needs(token);
  token->needs(url);
  ca->needs(url);
}

// Failure is what a command reports: a Status code's name, or the error name a server sent
// (e.g. invalid_token, temporarily_unavailable, which have no Status code).
struct Failure {
  std::string error;
  std::string message;
};

Failure FromStatus(const Status& s) { return Failure{std::string(StatusCodeName(s.code())), s.message()}; }

// Report prints `f` exactly as ReportError prints a Status and returns 1.
int Report(const Failure& f, bool verify = false) {
  Json out = Json::object();
  if (verify) out["valid"] = false;
  out["error"] = f.error;
  out["message"] = f.message;
  (verify ? std::cout : std::cerr) << DumpJson(out) << std::endl;
  return 1;
}

// PercentEncode encodes every byte but the RFC 3986 unreserved characters (for query values).
std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '~') {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// RemoteAdmin calls a running issuer's admin API (issuer/http_routes.h).
class RemoteAdmin {
 public:
  // Open reads the token file (kIoError; kInvalidArgument when empty) and prepares a client for
  // `t.url` (http::Client::Create's errors).
  static Result<std::unique_ptr<RemoteAdmin>> Open(const Target& t) {
    ASSIGN_OR_RETURN(std::string token, ReadTrimmedFile(t.admin_token_file));
    if (token.empty()) return Error(StatusCode::kInvalidArgument, t.admin_token_file + " holds no admin token");
    http::ClientOptions options;
    options.ca_file = t.ca_file;
    // An import batch of 100000 rows is one transaction on the server: allow it time.
    options.read_timeout = std::chrono::milliseconds(120000);
    ASSIGN_OR_RETURN(std::unique_ptr<http::Client> client, http::Client::Create(t.url, options));
    return std::unique_ptr<RemoteAdmin>(new RemoteAdmin(std::move(client), std::move(token)));
  }

  // Get / Post return the JSON object a 2xx response carries in `out`, or the failure: the
  // transport's (io_error, limit_exceeded), or the server's error name and message.
  std::optional<Failure> Get(const std::string& target, Json& out) {
    return Finish(client_->Get(target, Auth()), out);
  }
  std::optional<Failure> Post(const std::string& target, std::string_view body, Json& out) {
    return Finish(client_->Post(target, body, "application/json", Auth()), out);
  }

 private:
  RemoteAdmin(std::unique_ptr<http::Client> client, std::string token)
      : client_(std::move(client)), authorization_("Bearer " + std::move(token)) {}

  http::Headers Auth() const { return {{"Authorization", authorization_}}; }

  static std::optional<Failure> Finish(const Result<http::ClientResponse>& r, Json& out) {
    if (!r.ok()) return FromStatus(r.status());
    Result<Json> body = ParseJsonObject(r->body);
    if (r->status >= 200 && r->status < 300) {
      if (!body.ok()) return Failure{"malformed", "the server's response is not a JSON object"};
      out = std::move(*body);
      return std::nullopt;
    }
    Failure f{"http_" + std::to_string(r->status), "HTTP " + std::to_string(r->status) + " from the server"};
    if (body.ok()) {
      const Json* error = Find(*body, "error");
      if (error != nullptr && error->is_string()) f.error = error->get<std::string>();
      const Json* message = Find(*body, "message");
      if (message != nullptr && message->is_string()) f.message = message->get<std::string>();
    }
    if (r->status == 401) f.message = "the server refused the admin token (HTTP 401)";
    return f;
  }

  std::unique_ptr<http::Client> client_;
  std::string authorization_;
};

Result<std::unique_ptr<issuer::IssuerService>> OpenService(const std::string& data_dir) {
  ASSIGN_OR_RETURN(issuer::IssuerConfig config, issuer::LoadIssuerConfig(data_dir));
  ASSIGN_OR_RETURN(std::unique_ptr<store::IssuerStore> st, issuer::OpenIssuerStore(config));
  return issuer::IssuerService::Create(std::move(config), std::move(st), SystemClock::Default(),
                                       crypto::SystemRandom());
}

// --- citizen add / list ---

struct CitizenAddArgs {
  Target target;
  std::string file;
};

int CitizenAdd(const CitizenAddArgs& a) {
  Result<std::string> text = ReadFile(a.file);
  if (!text.ok()) return ReportError(text.status());
  Result<Json> record = ParseJsonObject(*text);
  if (!record.ok()) return ReportError(record.status());
  if (a.target.remote()) {
    auto remote = RemoteAdmin::Open(a.target);
    if (!remote.ok()) return ReportError(remote.status());
    Json reply;
    if (std::optional<Failure> f = (*remote)->Post("/admin/citizens", *text, reply)) return Report(*f);
  } else {
    auto service = OpenService(a.target.data_dir);
    if (!service.ok()) return ReportError(service.status());
    Status st = (*service)->UpsertCitizen(*text, kActor);
    if (!st.ok()) return ReportError(st);
  }
  return PrintJson(Json{{"id", (*record)["id"]}, {"stored", true}});
}

struct CitizenListArgs {
  Target target;
  bool json = false;
};

// CitizenPrinter streams citizen entries {id, configurations, created_at, updated_at} to stdout,
// as a JSON array (--json) or as "id<TAB>config,config" lines.
class CitizenPrinter {
 public:
  explicit CitizenPrinter(bool json) : json_(json) {
    if (json_) out_ = "[";
  }
  void Add(const Json& entry) {
    if (json_) {
      if (!first_) out_ += ",";
      out_ += "\n  ";
      AppendJson(out_, entry);
    } else {
      out_ += entry["id"].get<std::string>();
      out_ += "\t";
      const Json& configurations = entry["configurations"];
      for (size_t i = 0; i < configurations.size(); ++i) {
        out_ += (i == 0 ? "" : ",") + configurations[i].get<std::string>();
      }
      out_ += "\n";
    }
    first_ = false;
  }
  // Page writes what was added so far (one page at a time, so memory stays bounded).
  void Page() {
    std::fwrite(out_.data(), 1, out_.size(), stdout);
    out_.clear();
  }
  int Finish() {
    Page();
    if (json_) std::fputs(first_ ? "]\n" : "\n]\n", stdout);
    std::fflush(stdout);
    return 0;
  }

 private:
  bool json_;
  bool first_ = true;
  std::string out_;
};

// ValidCitizenEntry checks the shape of one entry of a GET /admin/citizens page.
bool ValidCitizenEntry(const Json& e) {
  const Json* id = Find(e, "id");
  const Json* configurations = Find(e, "configurations");
  if (id == nullptr || !id->is_string() || configurations == nullptr || !configurations->is_array()) return false;
  for (const Json& c : *configurations) {
    if (!c.is_string()) return false;
  }
  return true;
}

int CitizenListRemote(const CitizenListArgs& a) {
  auto remote = RemoteAdmin::Open(a.target);
  if (!remote.ok()) return ReportError(remote.status());
  CitizenPrinter printer(a.json);
  std::string after;
  for (;;) {
    std::string target = "/admin/citizens?limit=" + std::to_string(store::kMaxListPage);
    if (!after.empty()) target += "&after=" + PercentEncode(after);
    Json page;
    if (std::optional<Failure> f = (*remote)->Get(target, page)) return Report(*f);
    const Json* citizens = Find(page, "citizens");
    if (citizens == nullptr || !citizens->is_array()) {
      return Report(Failure{"malformed", "the server's citizen page has no citizens array"});
    }
    for (const Json& c : *citizens) {
      if (!c.is_object() || !ValidCitizenEntry(c)) return Report(Failure{"malformed", "bad citizen entry from the server"});
      printer.Add(c);
    }
    printer.Page();
    const Json* next = Find(page, "next_after");
    if (next == nullptr) break;
    if (!next->is_string() || next->get<std::string>() <= after) {
      return Report(Failure{"malformed", "the server's next_after does not advance"});
    }
    after = next->get<std::string>();
  }
  return printer.Finish();
}

int CitizenList(const CitizenListArgs& a) {
  if (a.target.remote()) return CitizenListRemote(a);
  Result<issuer::IssuerConfig> config = issuer::LoadIssuerConfig(a.target.data_dir);
  if (!config.ok()) return ReportError(config.status());
  auto st = issuer::OpenIssuerStore(*config);
  if (!st.ok()) return ReportError(st.status());
  // Pages are streamed, so a million citizens never sit in memory at once.
  CitizenPrinter printer(a.json);
  std::string after;
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
      printer.Add(Json{{"id", c.id},
                       {"configurations", configurations},
                       {"created_at", c.created_at},
                       {"updated_at", c.updated_at}});
    }
    printer.Page();
    if (page->size() < store::kMaxListPage) break;
    after = page->back().id;
  }
  return printer.Finish();
}

// --- import ---

struct ImportArgs {
  Target target;
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
  Failure failure;
};

// ImportReport counts what an import did and keeps the first kMaxReportedBadRows bad rows.
class ImportReport {
 public:
  void Bad(int64_t line, Failure failure) {
    ++bad_count_;
    if (bad_.size() < kMaxReportedBadRows) bad_.push_back({line, std::move(failure)});
  }
  void Bad(int64_t line, const Status& status) { Bad(line, FromStatus(status)); }
  void Imported(int64_t n) { imported_ += n; }

  Json BadRowsJson() const {
    Json rows = Json::array();
    for (const BadRow& b : bad_) {
      rows.push_back(Json{{"line", b.line}, {"error", b.failure.error}, {"message", b.failure.message}});
    }
    return rows;
  }
  int64_t imported() const { return imported_; }
  int64_t bad_count() const { return bad_count_; }
  const std::vector<BadRow>& bad() const { return bad_; }

 private:
  int64_t imported_ = 0;
  int64_t bad_count_ = 0;
  std::vector<BadRow> bad_;
};

// ImportSink receives the rows that mapped and commits them in batches; a returned Failure stops
// the import (storage or server failure). Rows refused at commit go to the report.
class ImportSink {
 public:
  virtual ~ImportSink() = default;
  // Add queues one row; `flushed` is set when a batch was committed.
  virtual std::optional<Failure> Add(int64_t line, const std::vector<std::string>& fields,
                                     store::CitizenInput citizen, bool& flushed) = 0;
  // Flush commits what is queued.
  virtual std::optional<Failure> Flush() = 0;
};

// LocalSink writes to the store directly: one transaction per batch with an audit record.
class LocalSink : public ImportSink {
 public:
  LocalSink(store::IssuerStore& st, std::string file, size_t batch, ImportReport& report)
      : st_(st), file_(std::move(file)), batch_(batch), report_(report) {
    rows_.reserve(batch);
    lines_.reserve(batch);
  }

  std::optional<Failure> Add(int64_t line, const std::vector<std::string>&, store::CitizenInput citizen,
                             bool& flushed) override {
    rows_.push_back(std::move(citizen));
    lines_.push_back(line);
    if (rows_.size() < batch_) return std::nullopt;
    flushed = true;
    return Flush();
  }

  // Flush writes the batch in one transaction with an audit record. When the store refuses a
  // row (which the mapping's checks should prevent), the rows are retried one by one so only the
  // bad ones are lost. kIoError / kInternal stop the import.
  std::optional<Failure> Flush() override {
    if (rows_.empty()) return std::nullopt;
    const int64_t now = SystemClock::Default().NowSeconds();
    Status st = Write(0, rows_.size(), now);
    if (st.ok()) {
      report_.Imported(static_cast<int64_t>(rows_.size()));
    } else if (st.code() == StatusCode::kIoError || st.code() == StatusCode::kInternal) {
      return FromStatus(st);
    } else {
      for (size_t i = 0; i < rows_.size(); ++i) {
        Status one = Write(i, 1, now);
        if (one.ok()) {
          report_.Imported(1);
        } else if (one.code() == StatusCode::kIoError || one.code() == StatusCode::kInternal) {
          return FromStatus(one);
        } else {
          report_.Bad(lines_[i], one);
        }
      }
    }
    rows_.clear();
    lines_.clear();
    return std::nullopt;
  }

 private:
  // Write upserts rows_[first, first + count) with their audit record in one transaction.
  Status Write(size_t first, size_t count, int64_t now) {
    return st_.WithTransaction([&](store::IssuerStore& tx) -> Status {
      if (count == 1) {
        RETURN_IF_ERROR(tx.UpsertCitizen(rows_[first].id, rows_[first].data_json, now));
      } else {
        RETURN_IF_ERROR(tx.UpsertCitizens(std::span<const store::CitizenInput>(rows_).subspan(first, count), now));
      }
      return tx
          .AppendAudit(kActor, "citizen.import",
                       DumpJson(Json{{"file", file_}, {"rows", count}, {"first_line", lines_[first]},
                                     {"last_line", lines_[first + count - 1]}}),
                       now)
          .status();
    });
  }

  store::IssuerStore& st_;
  std::string file_;
  size_t batch_;
  ImportReport& report_;
  std::vector<store::CitizenInput> rows_;
  std::vector<int64_t> lines_;
};

// RemoteSink sends batches to POST /admin/import: the header and the rows' raw fields, which
// the server maps again against its catalogue (the client's own mapping only screens rows).
class RemoteSink : public ImportSink {
 public:
  RemoteSink(RemoteAdmin& remote, const std::vector<std::string>& header, size_t batch, ImportReport& report)
      : remote_(remote), batch_(batch), report_(report) {
    prefix_ = "{\"header\":";
    AppendJson(prefix_, Json(header));
    prefix_ += ",\"rows\":[";
  }

  // CheckHeader sends an empty batch: the server checks the header against its catalogue.
  std::optional<Failure> CheckHeader() {
    if (prefix_.size() + 2 > kMaxImportRequestBytes) {
      return Failure{"limit_exceeded", "header: too large to send to the server"};
    }
    Json reply;
    return remote_.Post("/admin/import", prefix_ + "]}", reply);
  }

  std::optional<Failure> Add(int64_t line, const std::vector<std::string>& fields, store::CitizenInput,
                             bool& flushed) override {
    std::string row = "{\"line\":" + std::to_string(line) + ",\"fields\":";
    AppendJson(row, Json(fields));
    row += "}";
    if (prefix_.size() + row.size() + 2 > kMaxImportRequestBytes) {
      report_.Bad(line, Error(StatusCode::kLimitExceeded,
                              "line " + std::to_string(line) + ": row too large to send to the server"));
      return std::nullopt;
    }
    if (rows_ > 0 && prefix_.size() + body_.size() + row.size() + 3 > kMaxImportRequestBytes) {
      flushed = true;
      if (std::optional<Failure> f = Flush()) return f;
    }
    if (rows_ > 0) body_ += ",";
    body_ += row;
    ++rows_;
    if (rows_ < batch_) return std::nullopt;
    flushed = true;
    return Flush();
  }

  std::optional<Failure> Flush() override {
    if (rows_ == 0) return std::nullopt;
    Json reply;
    if (std::optional<Failure> f = remote_.Post("/admin/import", prefix_ + body_ + "]}", reply)) return f;
    body_.clear();
    rows_ = 0;
    const Json* imported = Find(reply, "imported");
    const Json* bad = Find(reply, "bad_rows");
    std::optional<int64_t> n = imported != nullptr ? AsInt(*imported) : std::nullopt;
    if (!n.has_value() || bad == nullptr || !bad->is_array()) {
      return Failure{"malformed", "the server's import reply lacks imported or bad_rows"};
    }
    report_.Imported(*n);
    for (const Json& b : *bad) {
      const Json* line = Find(b, "line");
      const Json* error = Find(b, "error");
      const Json* message = Find(b, "message");
      std::optional<int64_t> at = line != nullptr ? AsInt(*line) : std::nullopt;
      if (!at.has_value() || error == nullptr || !error->is_string() || message == nullptr || !message->is_string()) {
        return Failure{"malformed", "bad bad_rows entry from the server"};
      }
      report_.Bad(*at, Failure{error->get<std::string>(), message->get<std::string>()});
    }
    return std::nullopt;
  }

 private:
  RemoteAdmin& remote_;
  size_t batch_;
  ImportReport& report_;
  std::string prefix_;
  std::string body_;
  size_t rows_ = 0;
};

int ImportFailure(const Failure& failure, const ImportReport& report, int64_t skipped, double seconds) {
  Json body{{"error", failure.error},
            {"message", failure.message},
            {"imported", report.imported()},
            {"skipped", skipped},
            {"bad_row_count", report.bad_count()},
            {"bad_rows", report.BadRowsJson()},
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
  std::optional<issuer::IssuerConfig> config;
  std::unique_ptr<store::IssuerStore> st;
  std::unique_ptr<RemoteAdmin> remote;
  if (a.target.remote()) {
    auto opened = RemoteAdmin::Open(a.target);
    if (!opened.ok()) return ReportError(opened.status());
    remote = std::move(*opened);
  } else {
    Result<issuer::IssuerConfig> loaded = issuer::LoadIssuerConfig(a.target.data_dir);
    if (!loaded.ok()) return ReportError(loaded.status());
    config = std::move(*loaded);
    auto opened = issuer::OpenIssuerStore(*config);
    if (!opened.ok()) return ReportError(opened.status());
    st = std::move(*opened);
  }

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
  // Remotely the header's configuration ids are checked by the server (CheckHeader below).
  Result<issuer::CitizenCsvMapping> mapping =
      issuer::CitizenCsvMapping::FromHeader(record.fields, config.has_value() ? &config->catalogue : nullptr);
  if (!mapping.ok()) return ReportError(Error(mapping.status().code(), "header: " + mapping.status().message()));

  ImportReport report;
  std::unique_ptr<ImportSink> sink;
  if (remote != nullptr) {
    auto remote_sink = std::make_unique<RemoteSink>(*remote, record.fields, a.batch, report);
    if (std::optional<Failure> f = remote_sink->CheckHeader()) return Report(*f);
    sink = std::move(remote_sink);
  } else {
    sink = std::make_unique<LocalSink>(*st, a.file, a.batch, report);
  }
  Progress progress(total);
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
      if (reader.error_line() >= a.from_line) report.Bad(reader.error_line(), next.status());
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
      report.Bad(record.line, Error(citizen.status().code(),
                                    "line " + std::to_string(record.line) + ": " + citizen.status().message()));
      continue;
    }
    bool flushed = false;
    if (std::optional<Failure> f = sink->Add(record.line, record.fields, std::move(*citizen), flushed)) {
      progress.Clear();
      return ImportFailure(*f, report, skipped, progress.Seconds());
    }
    if (flushed) {
      const auto pos = static_cast<int64_t>(in.tellg());
      progress.Update(pos < 0 ? total : pos, rows_seen);
    }
  }
  std::optional<Failure> committed = sink->Flush();
  progress.Update(total, rows_seen);
  progress.Clear();
  if (committed.has_value()) return ImportFailure(*committed, report, skipped, progress.Seconds());
  if (stop.has_value()) {
    return ImportFailure(FromStatus(Error(stop->code(), stop->message() +
                                                            " (reading stopped; the rows before it were imported)")),
                         report, skipped, progress.Seconds());
  }
  if (report.bad_count() > 0) {
    const BadRow& first = report.bad().front();
    return ImportFailure(Failure{first.failure.error, std::to_string(report.bad_count()) +
                                                          " bad rows not imported; first: " + first.failure.message},
                         report, skipped, progress.Seconds());
  }
  return PrintJson(Json{{"imported", report.imported()},
                        {"skipped", skipped},
                        {"bad_row_count", 0},
                        {"lines", reader.line() - 1},
                        {"seconds", progress.Seconds()}});
}

// --- offer ---

struct OfferArgs {
  Target target;
  std::string citizen;
  std::string credential;
  bool tx_code = false;
  std::string qr_png;
  std::string qr_svg;
};

// OfferFromReply checks a POST /admin/offers reply and keeps the fields the CLI prints.
Result<Json> OfferFromReply(const Json& reply) {
  ASSIGN_OR_RETURN(std::string offer_id, GetString(reply, "offer_id"));
  ASSIGN_OR_RETURN(std::string offer_uri, GetString(reply, "offer_uri"));
  ASSIGN_OR_RETURN(int64_t expires_at, GetInt(reply, "expires_at"));
  ASSIGN_OR_RETURN(std::optional<std::string> tx_code, GetOptionalString(reply, "tx_code"));
  Json out{{"offer_id", offer_id}, {"offer_uri", offer_uri}, {"expires_at", expires_at}};
  if (tx_code.has_value()) out["tx_code"] = *tx_code;
  return out;
}

// WriteQrFiles writes the QR code of `uri` to the requested files (mode 0600: the URI holds
// the pre-authorized code) and names them in `out`.
Status WriteQrFiles(const OfferArgs& a, const std::string& uri, Json& out) {
  if (!a.qr_png.empty()) {
    ASSIGN_OR_RETURN(Bytes png, qr::QrPng(uri));
    RETURN_IF_ERROR(WriteFile(a.qr_png, std::string(png.begin(), png.end()), /*secret=*/true));
    out["qr_png_file"] = a.qr_png;
  }
  if (!a.qr_svg.empty()) {
    ASSIGN_OR_RETURN(std::string svg, qr::QrSvg(uri));
    RETURN_IF_ERROR(WriteFile(a.qr_svg, svg, /*secret=*/true));
    out["qr_svg_file"] = a.qr_svg;
  }
  return OkStatus();
}

int Offer(const OfferArgs& a) {
  Json out;
  if (a.target.remote()) {
    auto remote = RemoteAdmin::Open(a.target);
    if (!remote.ok()) return ReportError(remote.status());
    Json reply;
    const Json request{{"citizen_id", a.citizen}, {"credential_configuration_id", a.credential}, {"tx_code", a.tx_code}};
    if (std::optional<Failure> f = (*remote)->Post("/admin/offers", DumpJson(request), reply)) return Report(*f);
    Result<Json> offer = OfferFromReply(reply);
    if (!offer.ok()) return Report(Failure{"malformed", "the server's offer reply: " + offer.status().message()});
    out = std::move(*offer);
  } else {
    auto service = OpenService(a.target.data_dir);
    if (!service.ok()) return ReportError(service.status());
    Result<issuer::OfferResult> offer = (*service)->CreateOffer(a.citizen, a.credential, a.tx_code, kActor);
    if (!offer.ok()) return ReportError(offer.status());
    out = Json{{"offer_id", offer->offer_id}, {"offer_uri", offer->offer_uri}, {"expires_at", offer->expires_at}};
    if (offer->tx_code.has_value()) out["tx_code"] = *offer->tx_code;
  }
  Status written = WriteQrFiles(a, out["offer_uri"].get<std::string>(), out);
  if (!written.ok()) return ReportError(written);
  return PrintJson(out);
}

// --- revoke ---

struct RevokeArgs {
  Target target;
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
  const char* action = a.suspend ? "suspended" : a.reinstate ? "reinstated" : "revoked";
  if (a.target.remote()) {
    auto remote = RemoteAdmin::Open(a.target);
    if (!remote.ok()) return ReportError(remote.status());
    Json request{{"action", a.suspend ? "suspend" : a.reinstate ? "reinstate" : "revoke"}};
    if (target.credential_id.has_value()) {
      request["credential_id"] = *target.credential_id;
    } else {
      request["citizen_id"] = *target.citizen_id;
      request["credential_configuration_id"] = *target.configuration_id;
    }
    Json reply;
    if (std::optional<Failure> f = (*remote)->Post("/admin/revoke", DumpJson(request), reply)) return Report(*f);
    const Json* changed = Find(reply, "changed");
    if (changed == nullptr || !changed->is_array()) {
      return Report(Failure{"malformed", "the server's revoke reply has no changed array"});
    }
    return PrintJson(Json{{"action", action}, {"credentials", *changed}});
  }
  auto service = OpenService(a.target.data_dir);
  if (!service.ok()) return ReportError(service.status());
  Result<std::vector<std::string>> changed = a.suspend     ? (*service)->Suspend(target, kActor)
                                             : a.reinstate ? (*service)->Reinstate(target, kActor)
                                                           : (*service)->Revoke(target, kActor);
  if (!changed.ok()) return ReportError(changed.status());
  return PrintJson(Json{{"action", action}, {"credentials", *changed}});
}

// --- audit verify ---

struct AuditArgs {
  Target target;
};

int AuditVerify(const AuditArgs& a) {
  if (a.target.remote()) {
    auto remote = RemoteAdmin::Open(a.target);
    if (!remote.ok()) return ReportError(remote.status());
    Json reply;
    if (std::optional<Failure> f = (*remote)->Get("/admin/audit/verify", reply)) return Report(*f, /*verify=*/true);
    const Json* valid = Find(reply, "valid");
    if (valid == nullptr || !valid->is_boolean()) {
      return Report(Failure{"malformed", "the server's audit reply has no valid flag"}, /*verify=*/true);
    }
    if (valid->get<bool>()) return PrintJson(Json{{"valid", true}});
    Result<std::string> error = GetString(reply, "error");
    Result<std::string> message = GetString(reply, "message");
    if (!error.ok() || !message.ok()) {
      return Report(Failure{"malformed", "the server's audit reply lacks error or message"}, /*verify=*/true);
    }
    return Report(Failure{*error, *message}, /*verify=*/true);
  }
  Result<issuer::IssuerConfig> config = issuer::LoadIssuerConfig(a.target.data_dir);
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
  AddTargetOptions(add, ca->target);
  add->add_option("file", ca->file, "Citizen record JSON (docs/credentials.md); - for stdin")->required();
  add->callback([&exit_code, ca] { exit_code = CitizenAdd(*ca); });

  auto cl = std::make_shared<CitizenListArgs>();
  CLI::App* list = citizen->add_subcommand("list", "List citizen records (id and configurations)");
  AddTargetOptions(list, cl->target);
  list->add_flag("--json", cl->json, "Print a JSON array");
  list->callback([&exit_code, cl] { exit_code = CitizenList(*cl); });

  auto ia = std::make_shared<ImportArgs>();
  CLI::App* import = group->add_subcommand("import", "Bulk import citizen records from CSV (docs/credentials.md)");
  AddTargetOptions(import, ia->target);
  import->add_option("file", ia->file, "The CSV file")->required();
  import->add_option("--batch", ia->batch, "Rows per transaction (1..100000)")->capture_default_str();
  import->add_option("--from-line", ia->from_line, "Skip records that start before this line (resume)")
      ->capture_default_str();
  import->callback([&exit_code, ia] { exit_code = Import(*ia); });

  auto oa = std::make_shared<OfferArgs>();
  CLI::App* offer = group->add_subcommand("offer", "Create a pre-authorized credential offer for a citizen");
  AddTargetOptions(offer, oa->target);
  offer->add_option("--citizen", oa->citizen, "Citizen id")->required();
  offer->add_option("--credential", oa->credential, "Credential configuration id")->required();
  offer->add_flag("--tx-code", oa->tx_code, "Require a numeric transaction code (printed once)");
  offer->add_option("--qr", oa->qr_png, "Also write the offer URI as a QR code PNG to this file (mode 0600)");
  offer->add_option("--qr-svg", oa->qr_svg, "Also write the offer URI as a QR code SVG to this file (mode 0600)");
  offer->callback([&exit_code, oa] { exit_code = Offer(*oa); });

  auto ra = std::make_shared<RevokeArgs>();
  CLI::App* revoke = group->add_subcommand("revoke", "Revoke, suspend or reinstate issued credentials");
  AddTargetOptions(revoke, ra->target);
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
  AddTargetOptions(verify, aa->target);
  verify->callback([&exit_code, aa] { exit_code = AuditVerify(*aa); });
}

}  // namespace bonafide::cli
