// store/postgres_store.cc: the libpq driver behind the internal SQL seam.
#include "store/postgres_store.h"

#include <charconv>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <libpq-fe.h>

#include "store/internal/sql.h"

namespace bonafide::store {

namespace {

using internal::Param;
using internal::QueryResult;

constexpr Oid kByteaOid = 17;

struct PgResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, PgResultDeleter>;

// PgError maps a failed result. Only the primary message travels (the DETAIL field may quote row
// values).
Status PgError(PGconn* conn, PGresult* res) {
  const char* state = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  std::string_view sqlstate = state != nullptr ? state : "";
  if (sqlstate == "23505") {
    return Error(StatusCode::kInvalidArgument, "store: a row with that key already exists");
  }
  if (sqlstate == "23503") {
    return Error(StatusCode::kNotFound, "store: a referenced row does not exist");
  }
  const char* primary = res != nullptr ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  std::string msg = primary != nullptr ? primary : PQerrorMessage(conn);
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  return Error(StatusCode::kIoError, "postgres: " + std::string(sqlstate) + " " + msg);
}

bool ResultOk(PGresult* r) {
  const auto st = PQresultStatus(r);
  return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void IgnoreNotice(void*, const char*) {}

class PgConnection final : public internal::Connection {
 public:
  ~PgConnection() override { PQfinish(conn_); }

  static Result<std::unique_ptr<PgConnection>> Open(const std::string& conninfo) {
    auto c = std::unique_ptr<PgConnection>(new PgConnection());
    c->conn_ = PQconnectdb(conninfo.c_str());
    if (c->conn_ == nullptr) return Error(StatusCode::kIoError, "postgres: out of memory");
    RETURN_IF_ERROR(c->Setup());
    return c;
  }

  Result<QueryResult> Exec(std::string_view sql, std::span<const Param> params) override {
    std::string key(sql);
    auto it = names_.find(key);
    if (it == names_.end()) {
      // Rewrite ? placeholders as $1, $2, ... (our SQL has no ? inside literals).
      std::string text;
      int n = 0;
      for (char ch : sql) {
        if (ch == '?') {
          text += "$" + std::to_string(++n);
        } else {
          text.push_back(ch);
        }
      }
      std::string name = "s" + std::to_string(names_.size());
      PgResult r(PQprepare(conn_, name.c_str(), text.c_str(), 0, nullptr));
      if (!r || !ResultOk(r.get())) return PgError(conn_, r.get());
      it = names_.emplace(std::move(key), std::move(name)).first;
    }
    std::vector<std::string> storage(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    std::vector<int> lengths(params.size(), 0);
    std::vector<int> formats(params.size(), 0);
    for (size_t i = 0; i < params.size(); ++i) {
      if (std::holds_alternative<int64_t>(params[i])) {
        storage[i] = std::to_string(std::get<int64_t>(params[i]));
        values[i] = storage[i].c_str();
      } else if (std::holds_alternative<std::string_view>(params[i])) {
        storage[i] = std::string(std::get<std::string_view>(params[i]));
        values[i] = storage[i].c_str();
      } else if (std::holds_alternative<ByteView>(params[i])) {
        auto v = std::get<ByteView>(params[i]);
        storage[i] = std::string(AsStringView(v));
        values[i] = storage[i].data();
        lengths[i] = static_cast<int>(v.size());
        formats[i] = 1;  // binary: the raw bytes of a bytea
      }
    }
    PgResult r(PQexecPrepared(conn_, it->second.c_str(), static_cast<int>(params.size()), values.data(),
                              lengths.data(), formats.data(), 0));
    if (!r || !ResultOk(r.get())) return PgError(conn_, r.get());
    QueryResult out;
    const int rows = PQntuples(r.get());
    const int cols = PQnfields(r.get());
    out.rows.reserve(static_cast<size_t>(rows));
    for (int row = 0; row < rows; ++row) {
      auto& cells = out.rows.emplace_back();
      for (int col = 0; col < cols; ++col) {
        if (PQgetisnull(r.get(), row, col)) {
          cells.emplace_back(std::nullopt);
          continue;
        }
        std::string_view v(PQgetvalue(r.get(), row, col),
                           static_cast<size_t>(PQgetlength(r.get(), row, col)));
        if (PQftype(r.get(), col) == kByteaOid) {
          // Text output of bytea is hex: \x0a1b...
          if (v.size() < 2 || v[0] != '\\' || v[1] != 'x' || v.size() % 2 != 0) {
            return Error(StatusCode::kInternal, "postgres: unexpected bytea encoding");
          }
          std::string bytes;
          for (size_t k = 2; k < v.size(); k += 2) {
            const int hi = HexValue(v[k]);
            const int lo = HexValue(v[k + 1]);
            if (hi < 0 || lo < 0) return Error(StatusCode::kInternal, "postgres: bad bytea hex");
            bytes.push_back(static_cast<char>(hi * 16 + lo));
          }
          cells.emplace_back(std::move(bytes));
        } else {
          cells.emplace_back(std::string(v));
        }
      }
    }
    std::string_view affected = PQcmdTuples(r.get());
    if (!affected.empty()) {
      std::from_chars(affected.data(), affected.data() + affected.size(), out.rows_affected);
    }
    return out;
  }

  Status ExecScript(std::string_view sql) override {
    std::string s(sql);
    PgResult r(PQexec(conn_, s.c_str()));
    if (!r || !ResultOk(r.get())) return PgError(conn_, r.get());
    return OkStatus();
  }

  bool Healthy() override { return PQstatus(conn_) == CONNECTION_OK; }

  Status Reset() override {
    names_.clear();
    PQreset(conn_);
    return Setup();
  }

 private:
  PgConnection() = default;

  Status Setup() {
    if (PQstatus(conn_) != CONNECTION_OK) {
      std::string msg = PQerrorMessage(conn_);
      while (!msg.empty() && msg.back() == '\n') msg.pop_back();
      return Error(StatusCode::kIoError, "postgres: cannot connect: " + msg);
    }
    PQsetNoticeProcessor(conn_, IgnoreNotice, nullptr);
    return ExecScript("SET client_encoding = 'UTF8'");
  }

  PGconn* conn_ = nullptr;
  std::unordered_map<std::string, std::string> names_;
};

}  // namespace

Result<std::unique_ptr<IssuerStore>> PostgresStore::Open(const std::string& conninfo,
                                                         const Options& options) {
  if (options.connections < 1 || options.connections > 64) {
    return Error(StatusCode::kInvalidArgument, "postgres: options out of range");
  }
  std::vector<std::unique_ptr<internal::Connection>> conns;
  for (int i = 0; i < options.connections; ++i) {
    ASSIGN_OR_RETURN(auto c, PgConnection::Open(conninfo));
    if (i == 0) RETURN_IF_ERROR(internal::Migrate(*c, internal::Dialect::kPostgres));
    conns.push_back(std::move(c));
  }
  return internal::MakeSqlStore(std::make_unique<internal::ConnectionPool>(std::move(conns)),
                                internal::Dialect::kPostgres);
}

namespace internal {
Result<std::unique_ptr<Connection>> OpenPostgresConnection(const std::string& conninfo) {
  ASSIGN_OR_RETURN(auto c, PgConnection::Open(conninfo));
  return std::unique_ptr<Connection>(std::move(c));
}
}  // namespace internal

Status PostgresStore::InsecureExecForTesting(const std::string& conninfo, std::string_view sql) {
  ASSIGN_OR_RETURN(auto c, PgConnection::Open(conninfo));
  return c->ExecScript(sql);
}

}  // namespace bonafide::store
