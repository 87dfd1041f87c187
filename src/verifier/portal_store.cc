#include "verifier/portal_store.h"

#include <mutex>
#include <utility>

#include "store/internal/sql.h"

namespace bonafide::verifier {

namespace {

using store::internal::Connection;
using store::internal::Param;
using store::internal::QueryResult;

constexpr char kColumns[] = "session_id, check_name, started_by, created_at, status, outcome, check_record, finished_at";

Result<PortalCheck> RowToCheck(const QueryResult& r, size_t row) {
  PortalCheck c;
  ASSIGN_OR_RETURN(c.session_id, r.Text(row, 0));
  ASSIGN_OR_RETURN(c.check, r.Text(row, 1));
  ASSIGN_OR_RETURN(c.started_by, r.Text(row, 2));
  ASSIGN_OR_RETURN(c.created_at, r.Int(row, 3));
  ASSIGN_OR_RETURN(c.status, r.Text(row, 4));
  ASSIGN_OR_RETURN(c.outcome, r.Text(row, 5));
  ASSIGN_OR_RETURN(c.check_record, r.Text(row, 6));
  ASSIGN_OR_RETURN(c.finished_at, r.Int(row, 7));
  return c;
}

// SqlPortalCheckStore uses one connection behind a mutex: the portal's traffic is a few staff
// members' page views, far below what one connection serves.
class SqlPortalCheckStore final : public PortalCheckStore {
 public:
  explicit SqlPortalCheckStore(std::unique_ptr<Connection> conn) : conn_(std::move(conn)) {}

  Status Insert(const PortalCheck& c) override {
    if (c.session_id.empty() || c.check.empty() || c.started_by.empty()) {
      return Status(StatusCode::kInvalidArgument, "a portal check needs a session id, a check and a user");
    }
    const std::vector<Param> params = {Param{std::string_view(c.session_id)}, Param{std::string_view(c.check)},
                                       Param{std::string_view(c.started_by)}, Param{c.created_at},
                                       Param{std::string_view(c.status)},     Param{std::string_view(c.outcome)},
                                       Param{std::string_view(c.check_record)}, Param{c.finished_at}};
    std::lock_guard lock(mu_);
    return conn_->Exec("INSERT INTO portal_checks (" + std::string(kColumns) + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       params)
        .status();
  }

  Status Finish(const std::string& session_id, const std::string& status, const std::string& outcome,
                const std::string& check_record, int64_t finished_at) override {
    const std::vector<Param> params = {Param{std::string_view(status)}, Param{std::string_view(outcome)},
                                       Param{std::string_view(check_record)}, Param{finished_at},
                                       Param{std::string_view(session_id)}};
    std::lock_guard lock(mu_);
    ASSIGN_OR_RETURN(QueryResult r, conn_->Exec("UPDATE portal_checks SET status = ?, outcome = ?, check_record = ?, "
                                                "finished_at = ? WHERE session_id = ? AND finished_at = 0",
                                                params));
    if (r.rows_affected == 0) {
      const std::vector<Param> key = {Param{std::string_view(session_id)}};
      ASSIGN_OR_RETURN(QueryResult exists, conn_->Exec("SELECT 1 FROM portal_checks WHERE session_id = ?", key));
      if (exists.rows.empty()) return Status(StatusCode::kNotFound, "no such portal check");
    }
    return OkStatus();
  }

  Result<PortalCheck> Get(const std::string& session_id) override {
    const std::vector<Param> params = {Param{std::string_view(session_id)}};
    std::lock_guard lock(mu_);
    ASSIGN_OR_RETURN(QueryResult r,
                     conn_->Exec("SELECT " + std::string(kColumns) + " FROM portal_checks WHERE session_id = ?", params));
    if (r.rows.empty()) return Status(StatusCode::kNotFound, "no such portal check");
    return RowToCheck(r, 0);
  }

  Result<std::vector<PortalCheck>> List(int limit, int offset) override {
    if (limit < 1 || limit > 500 || offset < 0) return Status(StatusCode::kInvalidArgument, "limit or offset out of range");
    const std::vector<Param> params = {Param{int64_t{limit}}, Param{int64_t{offset}}};
    std::lock_guard lock(mu_);
    ASSIGN_OR_RETURN(QueryResult r, conn_->Exec("SELECT " + std::string(kColumns) +
                                                    " FROM portal_checks ORDER BY created_at DESC, session_id "
                                                    "LIMIT ? OFFSET ?",
                                                params));
    std::vector<PortalCheck> out;
    for (size_t i = 0; i < r.rows.size(); ++i) {
      ASSIGN_OR_RETURN(PortalCheck c, RowToCheck(r, i));
      out.push_back(std::move(c));
    }
    return out;
  }

  Result<int64_t> Count() override {
    std::lock_guard lock(mu_);
    ASSIGN_OR_RETURN(QueryResult r, conn_->Exec("SELECT COUNT(*) FROM portal_checks", {}));
    if (r.rows.empty()) return Status(StatusCode::kInternal, "COUNT returned no row");
    return r.Int(0, 0);
  }

 private:
  std::mutex mu_;
  std::unique_ptr<Connection> conn_;
};

Result<std::unique_ptr<PortalCheckStore>> Make(Result<std::unique_ptr<Connection>> conn) {
  if (!conn.ok()) return conn.status();
  RETURN_IF_ERROR((*conn)->ExecScript(
      "CREATE TABLE IF NOT EXISTS portal_checks (session_id TEXT PRIMARY KEY, check_name TEXT NOT NULL, "
      "started_by TEXT NOT NULL, created_at BIGINT NOT NULL, status TEXT NOT NULL, outcome TEXT NOT NULL, "
      "check_record TEXT NOT NULL, finished_at BIGINT NOT NULL)"));
  RETURN_IF_ERROR((*conn)->ExecScript(
      "CREATE INDEX IF NOT EXISTS portal_checks_by_time ON portal_checks (created_at)"));
  return std::unique_ptr<PortalCheckStore>(new SqlPortalCheckStore(std::move(*conn)));
}

}  // namespace

Result<std::unique_ptr<PortalCheckStore>> PortalCheckStore::OpenSqlite(const std::string& path) {
  return Make(store::internal::OpenSqliteConnection(path, 15000));
}

Result<std::unique_ptr<PortalCheckStore>> PortalCheckStore::OpenPostgres(const std::string& conninfo) {
  return Make(store::internal::OpenPostgresConnection(conninfo));
}

}  // namespace bonafide::verifier
