// verifier/session_store.cc: the SQL session store (see session_store.h) over the store module's
// connection seam (store/internal/sql.h).
#include "verifier/session_store.h"

#include <array>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_set>
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

// GroupWriter makes the store's durable writes share COMMITs on SQLite (group commit). With
// synchronous=FULL every COMMIT waits for an fsync (milliseconds on the machines measured in
// docs/performance.md), so one transaction per write caps the verifier at a few hundred writes per
// second however many threads it has. Each write runs as a job on one writer connection inside
// the current batch's transaction, in its own SAVEPOINT (a job that fails rolls back only its own
// writes); the batch commits once, and only then does each caller get its result, so "returned
// OK" still means "on disk". Jobs that arrive while a batch commits form the next batch.
//
// Leader/follower: the first waiting caller with no batch in progress runs the queued jobs (its
// own included) and commits; the others sleep until their job is done. If the COMMIT fails, every
// job of the batch that had succeeded gets that error (none of its writes is kept).
// Thread safety: Run may be called from any number of threads.
class GroupWriter {
 public:
  using Job = std::function<Status(Connection&)>;

  explicit GroupWriter(std::unique_ptr<Connection> conn) : conn_(std::move(conn)) {}

  Status Run(const Job& job) {
    Pending me(&job);
    std::unique_lock lock(mu_);
    queue_.push_back(&me);
    while (!me.done) {
      if (leading_) {
        me.cv.wait(lock);
        continue;
      }
      leading_ = true;
      std::vector<Pending*> batch;
      batch.swap(queue_);
      lock.unlock();
      RunBatch(batch);
      lock.lock();
      leading_ = false;
      // Wake exactly the callers whose jobs are done, and the first waiting caller to lead the
      // next batch (waking every waiter each time costs more CPU than the writes).
      for (Pending* p : batch) {
        p->done = true;
        if (p != &me) p->cv.notify_one();
      }
      if (!queue_.empty()) queue_.front()->cv.notify_one();
    }
    return me.result;
  }

 private:
  struct Pending {
    explicit Pending(const Job* j) : job(j) {}
    const Job* job;
    Status result = OkStatus();
    bool done = false;             // guarded by mu_
    std::condition_variable cv;    // signalled (under mu_) when done, or when it may lead
  };

  void RunBatch(const std::vector<Pending*>& batch) {
    const Status begin = conn_->ExecScript("BEGIN IMMEDIATE");
    if (!begin.ok()) {
      for (Pending* p : batch) p->result = begin;
      return;
    }
    for (Pending* p : batch) {
      const Status sp = conn_->ExecScript("SAVEPOINT job");
      if (!sp.ok()) {
        p->result = sp;
        continue;
      }
      // The leader runs other threads' jobs: an exception escaping one must not leave the batch
      // (and every later writer) stuck, so it becomes that job's kInternal.
      try {
        p->result = (*p->job)(*conn_);
      } catch (...) {
        p->result = Error(StatusCode::kInternal, "session store: exception in a write");
      }
      if (!p->result.ok()) (void)conn_->ExecScript("ROLLBACK TO job");
      (void)conn_->ExecScript("RELEASE job");
    }
    const Status commit = conn_->ExecScript("COMMIT");
    if (!commit.ok()) {
      (void)conn_->ExecScript("ROLLBACK");
      for (Pending* p : batch) {
        if (p->result.ok()) p->result = Status(commit.code(), "group commit failed: " + commit.message());
      }
    }
  }

  std::unique_ptr<Connection> conn_;  // used only by the leader
  std::mutex mu_;
  std::vector<Pending*> queue_;  // guarded by mu_
  bool leading_ = false;         // guarded by mu_
};

// AnsweredError says why a session that a conditional claim did not move is not open: kNotFound,
// kExpired (still created / request_fetched, or expired) or kNonceMismatch (answered already).
Status AnsweredError(Connection& conn, std::string_view request_id) {
  const std::array<Param, 1> params = {Param{request_id}};
  ASSIGN_OR_RETURN(QueryResult r, conn.Exec("SELECT status FROM verifier_sessions WHERE request_id = ?", params));
  if (r.rows.empty()) return Error(StatusCode::kNotFound, "no such session");
  ASSIGN_OR_RETURN(std::string status, r.Text(0, 0));
  if (status == "created" || status == "request_fetched" || status == "expired") {
    return Error(StatusCode::kExpired, "the session expired");
  }
  return Error(StatusCode::kNonceMismatch, "the session was answered already");
}

class SqlSessionStore final : public SessionStore {
 public:
  SqlSessionStore(std::unique_ptr<ConnectionPool> pool, std::unique_ptr<Connection> writer)
      : pool_(std::move(pool)) {
    if (writer != nullptr) group_ = std::make_unique<GroupWriter>(std::move(writer));
    fetch_thread_ = std::thread([this] { WriteFetchedMarks(); });
  }

  ~SqlSessionStore() override {
    {
      std::lock_guard lock(fetch_mu_);
      stopping_ = true;
    }
    fetch_cv_.notify_all();
    fetch_thread_.join();
  }

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
    return Write([&](Connection& conn) {
      return conn.Exec(kInsertSql, params).status();
    });
  }

  Result<Session> Get(std::string_view id) override { return GetWhere(kSelectById, id); }
  Result<Session> GetByRequestId(std::string_view request_id) override {
    return GetWhere(kSelectByRequestId, request_id);
  }

  void MarkRequestFetched(std::string_view request_id, int64_t now) override {
    {
      std::lock_guard lock(fetch_mu_);
      if (!fetched_.emplace(request_id).second) return;  // already queued
      fetch_queue_.emplace_back(std::string(request_id), now);
    }
    fetch_cv_.notify_all();
  }

  Result<Session> ClaimResponse(std::string_view request_id, int64_t now) override {
    std::optional<Session> claimed;
    RETURN_IF_ERROR(Write([&](Connection& conn) -> Status {
      const std::array<Param, 3> params = {Param{now}, Param{request_id}, Param{now}};
      ASSIGN_OR_RETURN(QueryResult r,
                       conn.Exec("UPDATE verifier_sessions SET status = 'responded', updated_at = ? "
                                 "WHERE request_id = ? AND status IN ('created', 'request_fetched') "
                                 "AND expires_at > ?",
                                 params));
      if (r.rows_affected != 1) return AnsweredError(conn, request_id);
      ASSIGN_OR_RETURN(Session s, GetWhereOn(conn, kSelectByRequestId, request_id));
      claimed = std::move(s);
      return OkStatus();
    }));
    return std::move(*claimed);
  }

  Status Complete(std::string_view id, SessionStatus status, std::string_view result, std::string_view response_code,
                  int64_t now) override {
    if (status != SessionStatus::kCompleted && status != SessionStatus::kFailed) {
      return Error(StatusCode::kInvalidArgument, "a session completes as completed or failed");
    }
    const std::array<Param, 5> params = {Param{SessionStatusName(status)}, Param{result}, Param{response_code},
                                         Param{now}, Param{id}};
    return Write([&](Connection& conn) -> Status {
      ASSIGN_OR_RETURN(QueryResult r,
                       conn.Exec("UPDATE verifier_sessions SET status = ?, result = ?, response_code = ?, "
                                 "encryption_jwk = '', updated_at = ? WHERE id = ? AND status = 'responded'",
                                 params));
      if (r.rows_affected != 1) return Error(StatusCode::kNotFound, "no responded session to complete");
      return OkStatus();
    });
  }

  Status CompleteResponse(std::string_view request_id, SessionStatus status, std::string_view result,
                          std::string_view response_code, int64_t now) override {
    if (status != SessionStatus::kCompleted && status != SessionStatus::kFailed) {
      return Error(StatusCode::kInvalidArgument, "a session completes as completed or failed");
    }
    const std::array<Param, 6> params = {Param{SessionStatusName(status)}, Param{result}, Param{response_code},
                                         Param{now}, Param{request_id}, Param{now}};
    return Write([&](Connection& conn) -> Status {
      ASSIGN_OR_RETURN(QueryResult r,
                       conn.Exec("UPDATE verifier_sessions SET status = ?, result = ?, response_code = ?, "
                                 "encryption_jwk = '', updated_at = ? WHERE request_id = ? "
                                 "AND status IN ('created', 'request_fetched') AND expires_at > ?",
                                 params));
      if (r.rows_affected != 1) return AnsweredError(conn, request_id);
      return OkStatus();
    });
  }

  Result<int64_t> PurgeExpired(int64_t before) override {
    const std::array<Param, 1> params = {Param{before}};
    int64_t purged = 0;
    RETURN_IF_ERROR(Write([&](Connection& conn) -> Status {
      ASSIGN_OR_RETURN(QueryResult r, conn.Exec("DELETE FROM verifier_sessions WHERE expires_at <= ?", params));
      purged = r.rows_affected;
      return OkStatus();
    }));
    return purged;
  }

 private:
  static constexpr std::string_view kInsertSql =
      "INSERT INTO verifier_sessions (id, request_id, check_name, dcql_query, nonce, state, encryption_jwk, "
      "encryption_kid, response_mode, same_device, request_object, status, result, response_code, webhook_url, "
      "created_at, expires_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  static constexpr std::string_view kSelectById =
      "SELECT id, request_id, check_name, dcql_query, nonce, state, encryption_jwk, encryption_kid, response_mode, "
      "same_device, request_object, status, result, response_code, webhook_url, created_at, expires_at, updated_at "
      "FROM verifier_sessions WHERE id = ?";
  static constexpr std::string_view kSelectByRequestId =
      "SELECT id, request_id, check_name, dcql_query, nonce, state, encryption_jwk, encryption_kid, response_mode, "
      "same_device, request_object, status, result, response_code, webhook_url, created_at, expires_at, updated_at "
      "FROM verifier_sessions WHERE request_id = ?";

  // Write runs `job` durably: through the group writer (SQLite), else on a pooled connection
  // in autocommit (each statement its own transaction).
  Status Write(const GroupWriter::Job& job) {
    if (group_ != nullptr) return group_->Run(job);
    auto lease = pool_->Acquire();
    if (!lease->Healthy()) RETURN_IF_ERROR(lease->Reset());
    return job(*lease);
  }

  // GetWhere reads one session, reporting a pending request_fetched mark. A mark leaves the
  // pending set only after its write committed, and then flush_epoch_ moves: a read that raced
  // with that (saw the row before the commit, the set after it) reads again.
  Result<Session> GetWhere(std::string_view sql, std::string_view value) {
    while (true) {
      uint64_t epoch = 0;
      {
        std::lock_guard lock(fetch_mu_);
        epoch = flush_epoch_;
      }
      Result<Session> s = [&] {
        auto lease = pool_->Acquire();
        return GetWhereOn(*lease, sql, value);
      }();
      if (!s.ok() || s->status != SessionStatus::kCreated) return s;
      std::lock_guard lock(fetch_mu_);
      if (fetched_.contains(s->request_id)) {
        s->status = SessionStatus::kRequestFetched;
        return s;
      }
      if (flush_epoch_ == epoch) return s;
    }
  }
  static Result<Session> GetWhereOn(Connection& conn, std::string_view sql, std::string_view value) {
    const std::array<Param, 1> params = {Param{value}};
    ASSIGN_OR_RETURN(QueryResult r, conn.Exec(sql, params));
    if (r.rows.empty()) return Error(StatusCode::kNotFound, "no such session");
    return RowToSession(r, 0);
  }

  // WriteFetchedMarks (the background thread) writes queued request_fetched marks, all that are
  // queued in one job; on stop it writes what is left and returns.
  void WriteFetchedMarks() {
    std::unique_lock lock(fetch_mu_);
    while (true) {
      fetch_cv_.wait(lock, [this] { return stopping_ || !fetch_queue_.empty(); });
      if (fetch_queue_.empty()) return;  // stopping with nothing left
      std::vector<std::pair<std::string, int64_t>> marks;
      marks.swap(fetch_queue_);
      lock.unlock();
      // Informational: a failed write leaves those sessions in "created" (see the header).
      (void)Write([&](Connection& conn) -> Status {
        for (const auto& [request_id, at] : marks) {
          const std::array<Param, 2> params = {Param{at}, Param{std::string_view(request_id)}};
          RETURN_IF_ERROR(conn.Exec("UPDATE verifier_sessions SET status = 'request_fetched', updated_at = ? "
                                    "WHERE request_id = ? AND status = 'created'",
                                    params)
                              .status());
        }
        return OkStatus();
      });
      lock.lock();
      for (const auto& mark : marks) fetched_.erase(mark.first);
      ++flush_epoch_;
    }
  }

  std::unique_ptr<ConnectionPool> pool_;
  std::unique_ptr<GroupWriter> group_;  // SQLite only

  std::mutex fetch_mu_;
  std::condition_variable fetch_cv_;
  std::unordered_set<std::string> fetched_;                       // marked, not yet written; guarded by fetch_mu_
  std::vector<std::pair<std::string, int64_t>> fetch_queue_;      // to write; guarded by fetch_mu_
  bool stopping_ = false;                                          // guarded by fetch_mu_
  uint64_t flush_epoch_ = 0;  // flushes finished; guarded by fetch_mu_
  std::thread fetch_thread_;
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
  // SQLite has one writer at a time anyway: its durable writes go through one group writer.
  std::unique_ptr<Connection> writer;
  if (dialect == Dialect::kSqlite) {
    ASSIGN_OR_RETURN(writer, open());
  }
  return std::unique_ptr<SessionStore>(
      new SqlSessionStore(std::make_unique<ConnectionPool>(std::move(conns)), std::move(writer)));
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
