// verifier/session_store.cc: the SQL session store (see session_store.h) over the store module's
// connection seam (store/internal/sql.h).
#include "verifier/session_store.h"

#include <array>
#include <functional>
#include <utility>
#include <vector>

#include "store/internal/sql.h"

namespace bonafide::verifier {
namespace {

using store::internal::Connection;
using store::internal::ConnectionPool;
using store::internal::Dialect;
using store::internal::Param;
using store::internal::QueryResult;

constexpr std::array<std::string_view, 6> kStatusNames = {"created",   "request_fetched", "responded",
                                                          "completed", "failed",          "expired"};

constexpr std::string_view kColumns =
    "id, request_id, check_name, dcql_query, nonce, state, encryption_jwk, encryption_kid, response_mode, "
    "same_device, request_object, status, result, response_code, webhook_url, created_at, expires_at, updated_at";

std::string SchemaV1(Dialect dialect) {
  const std::string text = "TEXT";
  const std::string integer = dialect == Dialect::kPostgres ? "BIGINT" : "INTEGER";
  return "CREATE TABLE verifier_sessions ("
         "id " + text + " PRIMARY KEY, "
         "request_id " + text + " NOT NULL UNIQUE, "
         "check_name " + text + " NOT NULL, "
         "dcql_query " + text + " NOT NULL, "
         "nonce " + text + " NOT NULL, "
         "state " + text + " NOT NULL, "
         "encryption_jwk " + text + " NOT NULL, "
         "encryption_kid " + text + " NOT NULL, "
         "response_mode " + text + " NOT NULL, "
         "same_device " + integer + " NOT NULL, "
         "request_object " + text + " NOT NULL, "
         "status " + text + " NOT NULL, "
         "result " + text + " NOT NULL, "
         "response_code " + text + " NOT NULL, "
         "webhook_url " + text + " NOT NULL, "
         "created_at " + integer + " NOT NULL, "
         "expires_at " + integer + " NOT NULL, "
         "updated_at " + integer + " NOT NULL);"
         "CREATE INDEX verifier_sessions_expires ON verifier_sessions (expires_at);";
}

Status MigrateSessions(Connection& conn, Dialect dialect) {
  const std::string integer = dialect == Dialect::kPostgres ? "BIGINT" : "INTEGER";
  RETURN_IF_ERROR(conn.ExecScript("CREATE TABLE IF NOT EXISTS verifier_schema (version " + integer + " NOT NULL)"));
  RETURN_IF_ERROR(conn.ExecScript(dialect == Dialect::kPostgres ? "BEGIN" : "BEGIN IMMEDIATE"));
  auto body = [&]() -> Status {
    if (dialect == Dialect::kPostgres) {
      RETURN_IF_ERROR(conn.ExecScript("LOCK TABLE verifier_schema IN EXCLUSIVE MODE"));
    }
    ASSIGN_OR_RETURN(QueryResult r, conn.Exec("SELECT version FROM verifier_schema", {}));
    int64_t version = 0;
    if (!r.rows.empty()) {
      ASSIGN_OR_RETURN(version, r.Int(0, 0));
    }
    if (version > SessionStore::kSchemaVersion) {
      return Error(StatusCode::kInvalidArgument, "verifier session database schema " + std::to_string(version) +
                                                     " is newer than this build (" +
                                                     std::to_string(SessionStore::kSchemaVersion) + ")");
    }
    if (version == SessionStore::kSchemaVersion) return OkStatus();
    RETURN_IF_ERROR(conn.ExecScript(SchemaV1(dialect)));
    const std::array<Param, 1> v = {Param{SessionStore::kSchemaVersion}};
    if (r.rows.empty()) {
      RETURN_IF_ERROR(conn.Exec("INSERT INTO verifier_schema (version) VALUES (?)", v).status());
    } else {
      RETURN_IF_ERROR(conn.Exec("UPDATE verifier_schema SET version = ?", v).status());
    }
    return OkStatus();
  };
  Status s = body();
  if (!s.ok()) {
    (void)conn.ExecScript("ROLLBACK");
    return s;
  }
  return conn.ExecScript("COMMIT");
}

Result<Session> RowToSession(const QueryResult& r, size_t row) {
  Session s;
  ASSIGN_OR_RETURN(s.id, r.Text(row, 0));
  ASSIGN_OR_RETURN(s.request_id, r.Text(row, 1));
  ASSIGN_OR_RETURN(s.check, r.Text(row, 2));
  ASSIGN_OR_RETURN(s.dcql_query, r.Text(row, 3));
  ASSIGN_OR_RETURN(s.nonce, r.Text(row, 4));
  ASSIGN_OR_RETURN(s.state, r.Text(row, 5));
  ASSIGN_OR_RETURN(s.encryption_jwk, r.Text(row, 6));
  ASSIGN_OR_RETURN(s.encryption_kid, r.Text(row, 7));
  ASSIGN_OR_RETURN(s.response_mode, r.Text(row, 8));
  ASSIGN_OR_RETURN(int64_t same_device, r.Int(row, 9));
  s.same_device = same_device != 0;
  ASSIGN_OR_RETURN(s.request_object, r.Text(row, 10));
  ASSIGN_OR_RETURN(std::string status, r.Text(row, 11));
  auto parsed = ParseSessionStatus(status);
  if (!parsed.ok()) return Error(StatusCode::kInternal, "session row with status " + status);
  s.status = *parsed;
  ASSIGN_OR_RETURN(s.result, r.Text(row, 12));
  ASSIGN_OR_RETURN(s.response_code, r.Text(row, 13));
  ASSIGN_OR_RETURN(s.webhook_url, r.Text(row, 14));
  ASSIGN_OR_RETURN(s.created_at, r.Int(row, 15));
  ASSIGN_OR_RETURN(s.expires_at, r.Int(row, 16));
  ASSIGN_OR_RETURN(s.updated_at, r.Int(row, 17));
  return s;
}

class SqlSessionStore final : public SessionStore {
 public:
  explicit SqlSessionStore(std::unique_ptr<ConnectionPool> pool) : pool_(std::move(pool)) {}

  Status Insert(const Session& s) override {
    if (s.id.empty() || s.request_id.empty() || s.nonce.empty() || s.dcql_query.empty() ||
        s.response_mode.empty()) {
      return Error(StatusCode::kInvalidArgument, "session without id, request_id, nonce, query or response mode");
    }
    const std::string_view status = SessionStatusName(s.status);
    const std::vector<Param> params = {
        Param{std::string_view(s.id)},          Param{std::string_view(s.request_id)},
        Param{std::string_view(s.check)},       Param{std::string_view(s.dcql_query)},
        Param{std::string_view(s.nonce)},       Param{std::string_view(s.state)},
        Param{std::string_view(s.encryption_jwk)}, Param{std::string_view(s.encryption_kid)},
        Param{std::string_view(s.response_mode)}, Param{int64_t{s.same_device ? 1 : 0}},
        Param{std::string_view(s.request_object)}, Param{status},
        Param{std::string_view(s.result)},      Param{std::string_view(s.response_code)},
        Param{std::string_view(s.webhook_url)}, Param{s.created_at},
        Param{s.expires_at},                    Param{s.updated_at}};
    auto lease = pool_->Acquire();
    return lease->Exec("INSERT INTO verifier_sessions (" + std::string(kColumns) +
                           ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       params)
        .status();
  }

  Result<Session> Get(std::string_view id) override { return GetWhere("id", id); }
  Result<Session> GetByRequestId(std::string_view request_id) override { return GetWhere("request_id", request_id); }

  Status MarkRequestFetched(std::string_view request_id, int64_t now) override {
    const std::array<Param, 2> params = {Param{now}, Param{request_id}};
    auto lease = pool_->Acquire();
    ASSIGN_OR_RETURN(QueryResult r,
                     lease->Exec("UPDATE verifier_sessions SET status = 'request_fetched', updated_at = ? "
                                 "WHERE request_id = ? AND status = 'created'",
                                 params));
    if (r.rows_affected == 1) return OkStatus();
    return GetByRequestId(request_id).status();
  }

  Result<Session> ClaimResponse(std::string_view request_id, int64_t now) override {
    {
      const std::array<Param, 3> params = {Param{now}, Param{request_id}, Param{now}};
      auto lease = pool_->Acquire();
      ASSIGN_OR_RETURN(QueryResult r,
                       lease->Exec("UPDATE verifier_sessions SET status = 'responded', updated_at = ? "
                                   "WHERE request_id = ? AND status IN ('created', 'request_fetched') "
                                   "AND expires_at > ?",
                                   params));
      if (r.rows_affected == 1) {
        ASSIGN_OR_RETURN(Session s, GetWhereOn(*lease, "request_id", request_id));
        return s;
      }
    }
    ASSIGN_OR_RETURN(Session s, GetByRequestId(request_id));
    if (s.status == SessionStatus::kCreated || s.status == SessionStatus::kRequestFetched ||
        s.status == SessionStatus::kExpired) {
      return Error(StatusCode::kExpired, "the session expired");
    }
    return Error(StatusCode::kNonceMismatch, "the session was answered already");
  }

  Status Complete(std::string_view id, SessionStatus status, std::string_view result, std::string_view response_code,
                  int64_t now) override {
    if (status != SessionStatus::kCompleted && status != SessionStatus::kFailed) {
      return Error(StatusCode::kInvalidArgument, "a session completes as completed or failed");
    }
    const std::array<Param, 5> params = {Param{SessionStatusName(status)}, Param{result}, Param{response_code},
                                         Param{now}, Param{id}};
    auto lease = pool_->Acquire();
    ASSIGN_OR_RETURN(QueryResult r,
                     lease->Exec("UPDATE verifier_sessions SET status = ?, result = ?, response_code = ?, "
                                 "encryption_jwk = '', updated_at = ? WHERE id = ? AND status = 'responded'",
                                 params));
    if (r.rows_affected != 1) return Error(StatusCode::kNotFound, "no responded session to complete");
    return OkStatus();
  }

  Result<int64_t> PurgeExpired(int64_t before) override {
    const std::array<Param, 1> params = {Param{before}};
    auto lease = pool_->Acquire();
    ASSIGN_OR_RETURN(QueryResult r, lease->Exec("DELETE FROM verifier_sessions WHERE expires_at <= ?", params));
    return r.rows_affected;
  }

 private:
  Result<Session> GetWhere(std::string_view column, std::string_view value) {
    auto lease = pool_->Acquire();
    return GetWhereOn(*lease, column, value);
  }
  static Result<Session> GetWhereOn(Connection& conn, std::string_view column, std::string_view value) {
    const std::array<Param, 1> params = {Param{value}};
    ASSIGN_OR_RETURN(QueryResult r, conn.Exec("SELECT " + std::string(kColumns) + " FROM verifier_sessions WHERE " +
                                                  std::string(column) + " = ?",
                                              params));
    if (r.rows.empty()) return Error(StatusCode::kNotFound, "no such session");
    return RowToSession(r, 0);
  }

  std::unique_ptr<ConnectionPool> pool_;
};

Result<std::unique_ptr<SessionStore>> Open(const std::string& target, int connections, Dialect dialect,
                                           const std::function<Result<std::unique_ptr<Connection>>()>& open) {
  if (connections < 1 || connections > 64) return Error(StatusCode::kInvalidArgument, "connections out of range");
  if (target.empty()) return Error(StatusCode::kInvalidArgument, "empty database location");
  std::vector<std::unique_ptr<Connection>> conns;
  for (int i = 0; i < connections; ++i) {
    ASSIGN_OR_RETURN(std::unique_ptr<Connection> c, open());
    if (i == 0) RETURN_IF_ERROR(MigrateSessions(*c, dialect));
    conns.push_back(std::move(c));
  }
  return std::unique_ptr<SessionStore>(new SqlSessionStore(std::make_unique<ConnectionPool>(std::move(conns))));
}

}  // namespace

std::string_view SessionStatusName(SessionStatus status) { return kStatusNames[static_cast<size_t>(status)]; }

Result<SessionStatus> ParseSessionStatus(std::string_view name) {
  for (size_t i = 0; i < kStatusNames.size(); ++i) {
    if (kStatusNames[i] == name) return static_cast<SessionStatus>(i);
  }
  return Error(StatusCode::kInvalidArgument, "unknown session status " + std::string(name));
}

Result<std::unique_ptr<SessionStore>> SessionStore::OpenSqlite(const std::string& path, int connections) {
  return Open(path, connections, Dialect::kSqlite, [&] { return store::internal::OpenSqliteConnection(path, 15000); });
}

Result<std::unique_ptr<SessionStore>> SessionStore::OpenPostgres(const std::string& conninfo, int connections) {
  return Open(conninfo, connections, Dialect::kPostgres,
              [&] { return store::internal::OpenPostgresConnection(conninfo); });
}

}  // namespace bonafide::verifier
