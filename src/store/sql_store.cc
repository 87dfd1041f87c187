// store/sql_store.cc: IssuerStore implemented once over the internal SQL seam (internal/sql.h).
//
// Every operation runs on one pooled connection. Operations that read and then write run in a
// transaction that locks what they read: SQLite takes the write lock up front (BEGIN IMMEDIATE),
// PostgreSQL locks the rows (SELECT ... FOR UPDATE). Hence the single-use and chain guarantees
// hold across processes as well as threads.
#include <algorithm>
#include <charconv>
#include <cstdint>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_set>
#include <utility>
#include <vector>

#include "base/encoding.h"
#include "base/json.h"
#include "crypto/constant_time.h"
#include "crypto/hash.h"
#include "store/internal/sql.h"
#include "store/store.h"

namespace bonafide::store {

namespace {

void AppendU32(Bytes& out, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<uint8_t>(v >> s));
}
void AppendU64(Bytes& out, uint64_t v) {
  for (int s = 56; s >= 0; s -= 8) out.push_back(static_cast<uint8_t>(v >> s));
}
void AppendField(Bytes& out, std::string_view s) {
  AppendU32(out, static_cast<uint32_t>(s.size()));
  out.insert(out.end(), s.begin(), s.end());
}

}  // namespace

std::string BatchCopyId(std::string_view id_prefix, size_t k) {
  const uint8_t copy = static_cast<uint8_t>(k);
  return std::string(id_prefix) + HexEncode(ByteView(&copy, 1));
}

Bytes AuditCanonicalBytes(const AuditRecord& r) {
  constexpr std::string_view kTag = "bonafide-audit-v1";
  Bytes out(kTag.begin(), kTag.end());
  out.reserve(kTag.size() + 28 + r.actor.size() + r.action.size() + r.details_json.size());
  AppendU64(out, static_cast<uint64_t>(r.seq));
  AppendU64(out, static_cast<uint64_t>(r.time));
  AppendField(out, r.actor);
  AppendField(out, r.action);
  AppendField(out, r.details_json);
  return out;
}

namespace internal {

// ---------------------------------------------------------------------------------------------
// QueryResult and ConnectionPool.

Result<int64_t> QueryResult::Int(size_t row, size_t col) const {
  const auto& cell = rows[row][col];
  if (!cell) return Error(StatusCode::kInternal, "store: unexpected NULL integer");
  int64_t v = 0;
  auto [p, ec] = std::from_chars(cell->data(), cell->data() + cell->size(), v);
  if (ec != std::errc() || p != cell->data() + cell->size()) {
    return Error(StatusCode::kInternal, "store: stored integer does not decode");
  }
  return v;
}

Result<std::string> QueryResult::Text(size_t row, size_t col) const {
  const auto& cell = rows[row][col];
  if (!cell) return Error(StatusCode::kInternal, "store: unexpected NULL text");
  return *cell;
}

Result<Bytes> QueryResult::Blob(size_t row, size_t col) const {
  const auto& cell = rows[row][col];
  if (!cell) return Error(StatusCode::kInternal, "store: unexpected NULL bytes");
  return ToBytes(*cell);
}

ConnectionPool::ConnectionPool(std::vector<std::unique_ptr<Connection>> connections)
    : all_(std::move(connections)) {
  for (auto& c : all_) free_.push_back(c.get());
}

ConnectionPool::Lease::~Lease() {
  if (conn_ != nullptr) pool_->Release(conn_);
}

ConnectionPool::Lease ConnectionPool::Acquire() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return !free_.empty(); });
  Connection* c = free_.back();
  free_.pop_back();
  return Lease(this, c);
}

void ConnectionPool::Release(Connection* conn) {
  {
    std::lock_guard lock(mu_);
    free_.push_back(conn);
  }
  cv_.notify_one();
}

namespace {

// A status pool entry is a 4-byte big-endian index (the shuffle draws its values the same way).
uint32_t LoadU32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}
void AppendU32(Bytes& out, uint32_t v) {
  out.insert(out.end(), {static_cast<uint8_t>(v >> 24), static_cast<uint8_t>(v >> 16), static_cast<uint8_t>(v >> 8),
                         static_cast<uint8_t>(v)});
}

// ---------------------------------------------------------------------------------------------
// Input validation.

Status CheckId(std::string_view what, std::string_view id) {
  if (id.empty()) return Error(StatusCode::kInvalidArgument, std::string(what) + " is empty");
  if (id.size() > kMaxIdBytes) {
    return Error(StatusCode::kInvalidArgument, std::string(what) + " is longer than 256 bytes");
  }
  if (!IsVisibleAscii(id)) {
    return Error(StatusCode::kInvalidArgument, std::string(what) + " must be printable ASCII without spaces");
  }
  return OkStatus();
}

// CheckJsonField checks JSON text about to be stored as `what`: a JSON object (CheckJsonObject)
// of at most 64 KiB.
Status CheckJsonField(std::string_view what, std::string_view json) {
  if (json.size() > kMaxJsonBytes) {
    return Error(StatusCode::kLimitExceeded, std::string(what) + " is larger than 64 KiB");
  }
  Status checked = CheckJsonObject(json);
  if (!checked.ok()) return Error(checked.code(), std::string(what) + ": " + checked.message());
  return OkStatus();
}

Status CheckHash(std::string_view what, ByteView h) {
  if (h.empty() || h.size() > kMaxHashBytes) {
    return Error(StatusCode::kInvalidArgument, std::string(what) + " must be 1..64 bytes");
  }
  return OkStatus();
}

Status CheckLimit(size_t limit) {
  if (limit == 0 || limit > kMaxListPage) {
    return Error(StatusCode::kInvalidArgument, "limit must be 1..1000");
  }
  return OkStatus();
}

int64_t I(size_t v) { return static_cast<int64_t>(v); }

Result<Citizen> CitizenRow(const QueryResult& r, size_t i) {
  Citizen c;
  ASSIGN_OR_RETURN(c.id, r.Text(i, 0));
  ASSIGN_OR_RETURN(c.data_json, r.Text(i, 1));
  ASSIGN_OR_RETURN(c.created_at, r.Int(i, 2));
  ASSIGN_OR_RETURN(c.updated_at, r.Int(i, 3));
  return c;
}

constexpr std::string_view kOfferColumns =
    "offer_id, citizen_id, configuration_id, tx_code_hash, created_at, expires_at, redeemed";

Result<CredentialOffer> OfferRow(const QueryResult& r, size_t i) {
  CredentialOffer o;
  ASSIGN_OR_RETURN(o.offer_id, r.Text(i, 0));
  ASSIGN_OR_RETURN(o.citizen_id, r.Text(i, 1));
  ASSIGN_OR_RETURN(o.credential_configuration_id, r.Text(i, 2));
  if (!r.IsNull(i, 3)) {
    ASSIGN_OR_RETURN(o.tx_code_hash, r.Blob(i, 3));
  }
  ASSIGN_OR_RETURN(o.created_at, r.Int(i, 4));
  ASSIGN_OR_RETURN(o.expires_at, r.Int(i, 5));
  ASSIGN_OR_RETURN(int64_t redeemed, r.Int(i, 6));
  o.redeemed = redeemed != 0;
  return o;
}

constexpr std::string_view kIssuedColumns =
    "id, citizen_id, configuration_id, format, batch_group_id, status_list_id, status_index, "
    "issued_at, expires_at, status, notification";

Result<IssuedCredential> IssuedRow(const QueryResult& r, size_t i) {
  IssuedCredential c;
  ASSIGN_OR_RETURN(c.id, r.Text(i, 0));
  ASSIGN_OR_RETURN(c.citizen_id, r.Text(i, 1));
  ASSIGN_OR_RETURN(c.credential_configuration_id, r.Text(i, 2));
  ASSIGN_OR_RETURN(c.format, r.Text(i, 3));
  ASSIGN_OR_RETURN(c.batch_group_id, r.Text(i, 4));
  ASSIGN_OR_RETURN(c.status_list_id, r.Text(i, 5));
  ASSIGN_OR_RETURN(c.status_index, r.Int(i, 6));
  ASSIGN_OR_RETURN(c.issued_at, r.Int(i, 7));
  ASSIGN_OR_RETURN(c.expires_at, r.Int(i, 8));
  ASSIGN_OR_RETURN(int64_t status, r.Int(i, 9));
  ASSIGN_OR_RETURN(int64_t notification, r.Int(i, 10));
  if (status < 0 || status > 2 || notification < 0 || notification > 3) {
    return Error(StatusCode::kInternal, "store: stored credential state does not decode");
  }
  c.status = static_cast<CredentialStatus>(status);
  c.notification = static_cast<NotificationState>(notification);
  return c;
}

// CopyRef names copy `copy` of the batch stored under `prefix` (IssuedBatch).
struct CopyRef {
  std::string_view prefix;
  size_t copy;
};

// SplitCopyId reads a record id as a batch copy's: nullopt when it does not end in two lowercase
// hex digits after at least one character, so that it can only be a record stored alone.
std::optional<CopyRef> SplitCopyId(std::string_view id) {
  if (id.size() < 3) return std::nullopt;
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  const int hi = hex(id[id.size() - 2]);
  const int lo = hex(id.back());
  if (hi < 0 || lo < 0) return std::nullopt;
  return CopyRef{id.substr(0, id.size() - 2), static_cast<size_t>(hi * 16 + lo)};
}

constexpr std::string_view kBatchColumns =
    "id_prefix, citizen_id, configuration_id, format, batch_group_id, status_list_id, status_indices, "
    "statuses, issued_at, expires_at, notification";

// AppendBatchCopies appends the record of every copy of batch row `i` (of copy `only` alone
// when given; nothing when the batch has no such copy) to `out`.
Status AppendBatchCopies(const QueryResult& r, size_t i, std::optional<size_t> only,
                         std::vector<IssuedCredential>& out) {
  IssuedCredential c;
  ASSIGN_OR_RETURN(const std::string prefix, r.Text(i, 0));
  ASSIGN_OR_RETURN(c.citizen_id, r.Text(i, 1));
  ASSIGN_OR_RETURN(c.credential_configuration_id, r.Text(i, 2));
  ASSIGN_OR_RETURN(c.format, r.Text(i, 3));
  ASSIGN_OR_RETURN(c.batch_group_id, r.Text(i, 4));
  ASSIGN_OR_RETURN(c.status_list_id, r.Text(i, 5));
  ASSIGN_OR_RETURN(const Bytes indices, r.Blob(i, 6));
  ASSIGN_OR_RETURN(const std::string statuses, r.Text(i, 7));
  ASSIGN_OR_RETURN(c.issued_at, r.Int(i, 8));
  ASSIGN_OR_RETURN(c.expires_at, r.Int(i, 9));
  ASSIGN_OR_RETURN(const int64_t notification, r.Int(i, 10));
  if (statuses.empty() || statuses.size() > kMaxBatchCopies || indices.size() != 4 * statuses.size() ||
      notification < 0 || notification > 3) {
    return Error(StatusCode::kInternal, "store: stored credential batch does not decode");
  }
  c.notification = static_cast<NotificationState>(notification);
  for (size_t k = 0; k < statuses.size(); ++k) {
    if (only.has_value() && k != *only) continue;
    if (statuses[k] < '0' || statuses[k] > '2') {
      return Error(StatusCode::kInternal, "store: stored credential state does not decode");
    }
    c.id = BatchCopyId(prefix, k);
    c.status_index = LoadU32(indices.data() + 4 * k);
    c.status = static_cast<CredentialStatus>(statuses[k] - '0');
    out.push_back(c);
  }
  return OkStatus();
}

Result<AuditRecord> AuditRow(const QueryResult& r, size_t i) {
  AuditRecord a;
  ASSIGN_OR_RETURN(a.seq, r.Int(i, 0));
  ASSIGN_OR_RETURN(a.time, r.Int(i, 1));
  ASSIGN_OR_RETURN(a.actor, r.Text(i, 2));
  ASSIGN_OR_RETURN(a.action, r.Text(i, 3));
  ASSIGN_OR_RETURN(a.details_json, r.Text(i, 4));
  ASSIGN_OR_RETURN(a.prev_hash, r.Blob(i, 5));
  ASSIGN_OR_RETURN(a.hash, r.Blob(i, 6));
  return a;
}

// PgTextArray renders `items` as a PostgreSQL array literal ({"a","b\"c"}); it travels as a
// parameter value, never as SQL.
std::string PgTextArray(const std::vector<const CitizenInput*>& rows, bool ids) {
  std::string out = "{";
  for (size_t i = 0; i < rows.size(); ++i) {
    if (i > 0) out.push_back(',');
    out.push_back('"');
    for (char c : ids ? rows[i]->id : rows[i]->data_json) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    out.push_back('"');
  }
  out.push_back('}');
  return out;
}

// ---------------------------------------------------------------------------------------------
// SqlOps: the operations on one connection, inside a caller's transaction or not.

class SqlOps final : public IssuerStore {
 public:
  SqlOps(Connection& conn, Dialect dialect, bool in_tx) : conn_(conn), dialect_(dialect), in_tx_(in_tx) {}

  Result<QueryResult> Q(std::string_view sql, std::initializer_list<Param> params) {
    return conn_.Exec(sql, std::span<const Param>(params.begin(), params.size()));
  }
  bool pg() const { return dialect_ == Dialect::kPostgres; }
  std::string_view ForUpdate() const { return pg() ? " FOR UPDATE" : ""; }

  Status Begin() { return conn_.ExecScript(pg() ? "BEGIN" : "BEGIN IMMEDIATE"); }
  Status Commit() { return conn_.ExecScript("COMMIT"); }
  void Rollback() { (void)conn_.ExecScript("ROLLBACK"); }

  // Tx runs `fn` in a transaction (or in the caller's).
  Status Tx(const std::function<Status()>& fn) {
    if (in_tx_) return fn();
    RETURN_IF_ERROR(Begin());
    Status s = fn();
    if (!s.ok()) {
      Rollback();
      return s;
    }
    s = Commit();
    if (!s.ok()) Rollback();
    return s;
  }

  // --- citizens ---
  Status UpsertCitizen(std::string_view id, std::string_view data_json, int64_t now) override {
    CitizenInput row{std::string(id), std::string(data_json)};
    return UpsertCitizens(std::span<const CitizenInput>(&row, 1), now);
  }

  Status UpsertCitizens(std::span<const CitizenInput> rows, int64_t now) override {
    for (size_t i = 0; i < rows.size(); ++i) {
      Status s = CheckId("citizen id", rows[i].id);
      if (s.ok()) s = CheckJsonField("citizen data", rows[i].data_json);
      if (!s.ok()) return Error(s.code(), "row " + std::to_string(i) + ": " + s.message());
    }
    if (rows.empty()) return OkStatus();
    // Keep the last row of a repeated id (one statement may not touch a row twice in PostgreSQL).
    std::vector<const CitizenInput*> unique;
    unique.reserve(rows.size());
    std::unordered_set<std::string_view> seen;
    for (size_t i = rows.size(); i-- > 0;) {
      if (seen.insert(rows[i].id).second) unique.push_back(&rows[i]);
    }
    return Tx([&]() -> Status {
      if (pg()) {
        constexpr size_t kChunk = 5000;
        for (size_t start = 0; start < unique.size(); start += kChunk) {
          std::vector<const CitizenInput*> chunk(
              unique.begin() + static_cast<std::ptrdiff_t>(start),
              unique.begin() + static_cast<std::ptrdiff_t>(std::min(unique.size(), start + kChunk)));
          std::string ids = PgTextArray(chunk, true);
          std::string data = PgTextArray(chunk, false);
          RETURN_IF_ERROR(
              Q("INSERT INTO citizens (id, data, created_at, updated_at) "
                "SELECT u.id, u.data, ?::bigint, ?::bigint "
                "FROM unnest(?::text[], ?::text[]) AS u(id, data) "
                "ON CONFLICT (id) DO UPDATE SET data = excluded.data, "
                "updated_at = excluded.updated_at",
                {now, now, std::string_view(ids), std::string_view(data)}));
        }
        return OkStatus();
      }
      for (const CitizenInput* r : unique) {
        RETURN_IF_ERROR(
            Q("INSERT INTO citizens (id, data, created_at, updated_at) "
              "VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
              "data = excluded.data, updated_at = excluded.updated_at",
              {std::string_view(r->id), std::string_view(r->data_json), now, now}));
      }
      return OkStatus();
    });
  }

  Result<Citizen> GetCitizen(std::string_view id) override {
    RETURN_IF_ERROR(CheckId("citizen id", id));
    ASSIGN_OR_RETURN(auto r, Q("SELECT id, data, created_at, updated_at FROM citizens "
                               "WHERE id = ?",
                               {id}));
    if (r.rows.empty()) return Error(StatusCode::kNotFound, "no such citizen");
    return CitizenRow(r, 0);
  }

  Result<std::vector<Citizen>> ListCitizens(std::string_view after_id, size_t limit) override {
    RETURN_IF_ERROR(CheckLimit(limit));
    if (!after_id.empty()) RETURN_IF_ERROR(CheckId("after_id", after_id));
    ASSIGN_OR_RETURN(auto r, Q("SELECT id, data, created_at, updated_at FROM citizens "
                               "WHERE id > ? ORDER BY id LIMIT ?",
                               {after_id, I(limit)}));
    std::vector<Citizen> out;
    for (size_t i = 0; i < r.rows.size(); ++i) {
      ASSIGN_OR_RETURN(auto c, CitizenRow(r, i));
      out.push_back(std::move(c));
    }
    return out;
  }

  Result<int64_t> CountCitizens() override {
    ASSIGN_OR_RETURN(auto r, Q("SELECT COUNT(*) FROM citizens", {}));
    return r.Int(0, 0);
  }

  // --- offers and codes ---
  Status CreateOffer(const CredentialOffer& o) override {
    RETURN_IF_ERROR(CheckId("offer id", o.offer_id));
    RETURN_IF_ERROR(CheckId("citizen id", o.citizen_id));
    RETURN_IF_ERROR(CheckId("credential configuration id", o.credential_configuration_id));
    Param tx = nullptr;
    if (o.tx_code_hash) {
      RETURN_IF_ERROR(CheckHash("tx_code hash", *o.tx_code_hash));
      tx = ByteView(*o.tx_code_hash);
    }
    return Q("INSERT INTO offers (offer_id, citizen_id, configuration_id, tx_code_hash, "
             "created_at, expires_at, redeemed) VALUES (?, ?, ?, ?, ?, ?, 0)",
             {std::string_view(o.offer_id), std::string_view(o.citizen_id),
              std::string_view(o.credential_configuration_id), tx, o.created_at, o.expires_at})
        .status();
  }

  Result<CredentialOffer> GetOffer(std::string_view offer_id) override {
    RETURN_IF_ERROR(CheckId("offer id", offer_id));
    ASSIGN_OR_RETURN(
        auto r, Q(std::string("SELECT ") + std::string(kOfferColumns) + " FROM offers WHERE offer_id = ?",
                  {offer_id}));
    if (r.rows.empty()) return Error(StatusCode::kNotFound, "no such offer");
    return OfferRow(r, 0);
  }

  Status CreatePreAuthorizedCode(const PreAuthorizedCode& c) override {
    RETURN_IF_ERROR(CheckHash("code hash", c.code_hash));
    RETURN_IF_ERROR(CheckId("offer id", c.offer_id));
    if (c.max_tx_code_attempts < 1 || c.max_tx_code_attempts > 100) {
      return Error(StatusCode::kInvalidArgument, "max_tx_code_attempts must be 1..100");
    }
    return Q("INSERT INTO pre_authorized_codes (code_hash, offer_id, expires_at, attempts, "
             "max_attempts, used) VALUES (?, ?, ?, 0, ?, 0)",
             {ByteView(c.code_hash), std::string_view(c.offer_id), c.expires_at, c.max_tx_code_attempts})
        .status();
  }

  // RedeemPreAuthorizedCode runs RedeemInTx in a transaction of its own (never inside
  // WithTransaction: a rollback there would undo the attempt counter).
  Result<CredentialOffer> RedeemPreAuthorizedCode(ByteView code_hash, std::optional<ByteView> tx_code_hash,
                                                  int64_t now) override {
    if (in_tx_) {
      return Error(StatusCode::kInvalidArgument, "redeeming a pre-authorized code must not run inside WithTransaction");
    }
    RETURN_IF_ERROR(CheckHash("code hash", code_hash));
    RETURN_IF_ERROR(Begin());
    Result<CredentialOffer> outcome = Error(StatusCode::kInternal, "unset");
    Status step = RedeemInTx(code_hash, tx_code_hash, now, outcome);
    if (!step.ok()) {
      Rollback();
      return step;
    }
    Status c = Commit();
    if (!c.ok()) {
      Rollback();
      return c;
    }
    return outcome;
  }

  // RedeemInTx is the body of RedeemPreAuthorizedCode inside the caller's transaction: `outcome`
  // is what the caller gets; the returned Status says whether the transaction's writes stay (a
  // wrong tx_code's attempt counter must, even though the call fails) or must be rolled back.
  Status RedeemInTx(ByteView code_hash, std::optional<ByteView> tx_code_hash, int64_t now,
                    Result<CredentialOffer>& outcome) {
    return [&]() -> Status {
      ASSIGN_OR_RETURN(auto r, Q(std::string("SELECT offer_id, expires_at, attempts, max_attempts, "
                                             "used FROM pre_authorized_codes WHERE code_hash = ?") +
                                     std::string(ForUpdate()),
                                 {code_hash}));
      if (r.rows.empty()) {
        outcome = Error(StatusCode::kNotFound, "unknown pre-authorized code");
        return OkStatus();
      }
      ASSIGN_OR_RETURN(std::string offer_id, r.Text(0, 0));
      ASSIGN_OR_RETURN(int64_t expires_at, r.Int(0, 1));
      ASSIGN_OR_RETURN(int64_t attempts, r.Int(0, 2));
      ASSIGN_OR_RETURN(int64_t max_attempts, r.Int(0, 3));
      ASSIGN_OR_RETURN(int64_t used, r.Int(0, 4));
      if (used != 0) {
        outcome = Error(StatusCode::kNotFound, "pre-authorized code already used");
        return OkStatus();
      }
      if (now >= expires_at) {
        outcome = Error(StatusCode::kExpired, "pre-authorized code expired");
        return OkStatus();
      }
      if (attempts >= max_attempts) {
        outcome = Error(StatusCode::kLimitExceeded, "tx_code attempts used up");
        return OkStatus();
      }
      ASSIGN_OR_RETURN(auto offer, Q(std::string("SELECT ") + std::string(kOfferColumns) +
                                         " FROM offers WHERE offer_id = ?",
                                     {std::string_view(offer_id)}));
      if (offer.rows.empty()) return Error(StatusCode::kInternal, "store: code without offer");
      ASSIGN_OR_RETURN(CredentialOffer o, OfferRow(offer, 0));
      // A tx_code missing where the offer needs one, or sent where it needs none, is a malformed
      // request rather than a guess: it changes nothing, and no attempt is counted.
      if (o.tx_code_hash.has_value() != tx_code_hash.has_value()) {
        outcome = Error(StatusCode::kMalformed,
                        tx_code_hash.has_value() ? "this offer takes no tx_code" : "this offer requires a tx_code");
        return OkStatus();
      }
      if (o.tx_code_hash.has_value()) {
        const bool match =
            tx_code_hash.has_value() && crypto::ConstantTimeEquals(ByteView(*o.tx_code_hash), *tx_code_hash);
        if (!match) {
          ASSIGN_OR_RETURN(auto u, Q("UPDATE pre_authorized_codes SET attempts = attempts + 1 "
                                     "WHERE code_hash = ? AND used = 0",
                                     {code_hash}));
          if (u.rows_affected != 1) return Error(StatusCode::kInternal, "store: lost code row");
          outcome = attempts + 1 >= max_attempts
                        ? Error(StatusCode::kLimitExceeded, "wrong tx_code; attempts used up")
                        : Error(StatusCode::kInvalidArgument, "wrong tx_code");
          return OkStatus();
        }
      }
      ASSIGN_OR_RETURN(auto u, Q("UPDATE pre_authorized_codes SET used = 1 "
                                 "WHERE code_hash = ? AND used = 0",
                                 {code_hash}));
      if (u.rows_affected != 1) {
        outcome = Error(StatusCode::kNotFound, "pre-authorized code already used");
        return OkStatus();
      }
      RETURN_IF_ERROR(Q("UPDATE offers SET redeemed = 1 WHERE offer_id = ?", {std::string_view(offer_id)}));
      o.redeemed = true;
      outcome = std::move(o);
      return OkStatus();
    }();
  }

  // --- nonces ---
  Status CreateNonce(std::string_view nonce, int64_t expires_at) override {
    RETURN_IF_ERROR(CheckId("nonce", nonce));
    return Q("INSERT INTO nonces (nonce, expires_at) VALUES (?, ?)", {nonce, expires_at}).status();
  }

  Status ConsumeNonce(std::string_view nonce, int64_t now) override {
    RETURN_IF_ERROR(CheckId("nonce", nonce));
    // One DELETE ... RETURNING: whoever deletes the row consumed it.
    ASSIGN_OR_RETURN(auto r, Q("DELETE FROM nonces WHERE nonce = ? RETURNING expires_at", {nonce}));
    if (r.rows.empty()) return Error(StatusCode::kNotFound, "unknown or used nonce");
    ASSIGN_OR_RETURN(int64_t expires_at, r.Int(0, 0));
    if (now >= expires_at) return Error(StatusCode::kExpired, "nonce expired");
    return OkStatus();
  }

  Result<int64_t> PurgeExpired(int64_t now) override {
    int64_t total = 0;
    Status tx_status = Tx([&]() -> Status {
      // Codes first: an offer goes only once no code references it any more.
      for (std::string_view sql :
           {"DELETE FROM nonces WHERE expires_at <= ?", "DELETE FROM pre_authorized_codes WHERE expires_at <= ?",
            "DELETE FROM offers WHERE expires_at <= ? "
            "AND NOT EXISTS (SELECT 1 FROM pre_authorized_codes p WHERE p.offer_id = offers.offer_id)"}) {
        ASSIGN_OR_RETURN(auto r, Q(sql, {now}));
        total += r.rows_affected;
      }
      return OkStatus();
    });
    RETURN_IF_ERROR(tx_status);
    return total;
  }

  // --- issued credentials ---
  // Copies of a batch are one issued_batches row (InsertIssuedBatch); records stored alone, and
  // every record written before schema version 6, are issued_credentials rows. A record id that
  // ends in two lowercase hex digits is looked up as a batch copy first.
  Status InsertIssuedCredential(const IssuedCredential& c) override {
    RETURN_IF_ERROR(CheckId("credential id", c.id));
    RETURN_IF_ERROR(CheckId("citizen id", c.citizen_id));
    RETURN_IF_ERROR(CheckId("credential configuration id", c.credential_configuration_id));
    RETURN_IF_ERROR(CheckId("format", c.format));
    RETURN_IF_ERROR(CheckId("batch group id", c.batch_group_id));
    RETURN_IF_ERROR(CheckId("status list id", c.status_list_id));
    if (c.status_index < 0) return Error(StatusCode::kInvalidArgument, "negative status index");
    static const std::string kInsert =
        "INSERT INTO issued_credentials (" + std::string(kIssuedColumns) + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    return Tx([&]() -> Status {
      if (const std::optional<CopyRef> ref = SplitCopyId(c.id)) {
        ASSIGN_OR_RETURN(auto held, Q("SELECT length(statuses) FROM issued_batches WHERE id_prefix = ?", {ref->prefix}));
        if (!held.rows.empty()) {
          ASSIGN_OR_RETURN(const int64_t copies, held.Int(0, 0));
          if (static_cast<int64_t>(ref->copy) < copies) {
            return Error(StatusCode::kInvalidArgument, "store: a row with that key already exists");
          }
        }
      }
      return Q(kInsert,
               {std::string_view(c.id), std::string_view(c.citizen_id),
                std::string_view(c.credential_configuration_id), std::string_view(c.format),
                std::string_view(c.batch_group_id), std::string_view(c.status_list_id), c.status_index,
                c.issued_at, c.expires_at, static_cast<int64_t>(c.status),
                static_cast<int64_t>(c.notification)})
          .status();
    });
  }

  Status InsertIssuedBatch(const IssuedBatch& b) override {
    RETURN_IF_ERROR(CheckId("credential id prefix", b.id_prefix));
    if (b.id_prefix.size() > kMaxIdBytes - 2) {
      return Error(StatusCode::kInvalidArgument, "credential id prefix is longer than 254 bytes");
    }
    RETURN_IF_ERROR(CheckId("citizen id", b.citizen_id));
    RETURN_IF_ERROR(CheckId("credential configuration id", b.credential_configuration_id));
    RETURN_IF_ERROR(CheckId("format", b.format));
    RETURN_IF_ERROR(CheckId("batch group id", b.batch_group_id));
    RETURN_IF_ERROR(CheckId("status list id", b.status_list_id));
    const size_t n = b.status_indices.size();
    if (n == 0 || n > kMaxBatchCopies) {
      return Error(StatusCode::kInvalidArgument, "a batch holds 1 to " + std::to_string(kMaxBatchCopies) + " copies");
    }
    Bytes packed;
    packed.reserve(4 * n);
    for (int64_t index : b.status_indices) {
      if (index < 0 || index > int64_t{UINT32_MAX}) return Error(StatusCode::kInvalidArgument, "status index out of range");
      AppendU32(packed, static_cast<uint32_t>(index));
    }
    const std::string statuses(n, '0');
    static const std::string kInsert = "INSERT INTO issued_batches (" + std::string(kBatchColumns) +
                                       ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)";
    return Tx([&]() -> Status {
      // A record stored alone must not hold a copy's id already: the copies' ids all lie between
      // the first's and the last's.
      const std::string first = BatchCopyId(b.id_prefix, 0);
      const std::string last = BatchCopyId(b.id_prefix, n - 1);
      ASSIGN_OR_RETURN(auto alone, Q("SELECT id FROM issued_credentials WHERE id >= ? AND id <= ?",
                                     {std::string_view(first), std::string_view(last)}));
      for (size_t i = 0; i < alone.rows.size(); ++i) {
        ASSIGN_OR_RETURN(const std::string id, alone.Text(i, 0));
        const std::optional<CopyRef> ref = SplitCopyId(id);
        if (ref.has_value() && ref->prefix == b.id_prefix && ref->copy < n) {
          return Error(StatusCode::kInvalidArgument, "store: a row with that key already exists");
        }
      }
      return Q(kInsert, {std::string_view(b.id_prefix), std::string_view(b.citizen_id),
                         std::string_view(b.credential_configuration_id), std::string_view(b.format),
                         std::string_view(b.batch_group_id), std::string_view(b.status_list_id),
                         ByteView(packed), std::string_view(statuses), b.issued_at, b.expires_at})
          .status();
    });
  }

  Result<IssuedCredential> GetIssuedCredential(std::string_view id) override {
    RETURN_IF_ERROR(CheckId("credential id", id));
    if (const std::optional<CopyRef> ref = SplitCopyId(id)) {
      static const std::string kSelect = "SELECT " + std::string(kBatchColumns) + " FROM issued_batches WHERE id_prefix = ?";
      ASSIGN_OR_RETURN(auto r, Q(kSelect, {ref->prefix}));
      if (!r.rows.empty()) {
        std::vector<IssuedCredential> one;
        RETURN_IF_ERROR(AppendBatchCopies(r, 0, ref->copy, one));
        if (!one.empty()) return std::move(one.front());
      }
    }
    ASSIGN_OR_RETURN(
        auto r, Q("SELECT " + std::string(kIssuedColumns) + " FROM issued_credentials WHERE id = ?", {id}));
    if (r.rows.empty()) return Error(StatusCode::kNotFound, "no such credential");
    return IssuedRow(r, 0);
  }

  Result<std::vector<IssuedCredential>> ListIssuedCredentials(
      std::string_view citizen_id, std::optional<std::string_view> configuration_id) override {
    RETURN_IF_ERROR(CheckId("citizen id", citizen_id));
    if (configuration_id) RETURN_IF_ERROR(CheckId("credential configuration id", *configuration_id));
    const std::string where = configuration_id ? " WHERE citizen_id = ? AND configuration_id = ?" : " WHERE citizen_id = ?";
    auto query = [&](std::string sql) {
      sql += where;
      return configuration_id ? Q(sql, {citizen_id, *configuration_id}) : Q(sql, {citizen_id});
    };
    std::vector<IssuedCredential> out;
    ASSIGN_OR_RETURN(auto batches, query("SELECT " + std::string(kBatchColumns) + " FROM issued_batches"));
    for (size_t i = 0; i < batches.rows.size(); ++i) RETURN_IF_ERROR(AppendBatchCopies(batches, i, std::nullopt, out));
    ASSIGN_OR_RETURN(auto alone, query("SELECT " + std::string(kIssuedColumns) + " FROM issued_credentials"));
    for (size_t i = 0; i < alone.rows.size(); ++i) {
      ASSIGN_OR_RETURN(auto c, IssuedRow(alone, i));
      out.push_back(std::move(c));
    }
    std::sort(out.begin(), out.end(), [](const IssuedCredential& a, const IssuedCredential& b) {
      return std::tie(a.issued_at, a.id) < std::tie(b.issued_at, b.id);
    });
    return out;
  }

  Status SetCredentialStatus(std::string_view id, CredentialStatus status) override {
    RETURN_IF_ERROR(CheckId("credential id", id));
    if (const std::optional<CopyRef> ref = SplitCopyId(id)) {
      // One statement rewrites the copy's character in place, so concurrent changes to other
      // copies of the batch are never lost (no read-modify-write).
      const char state = static_cast<char>('0' + static_cast<int>(status));
      const auto k = static_cast<int64_t>(ref->copy);
      ASSIGN_OR_RETURN(auto r, Q("UPDATE issued_batches SET statuses = substr(statuses, 1, CAST(? AS INTEGER)) || "
                                 "CAST(? AS TEXT) || substr(statuses, CAST(? AS INTEGER)) "
                                 "WHERE id_prefix = ? AND length(statuses) > CAST(? AS INTEGER)",
                                 {k, std::string_view(&state, 1), k + 2, ref->prefix, k}));
      if (r.rows_affected > 0) return OkStatus();
    }
    ASSIGN_OR_RETURN(auto r, Q("UPDATE issued_credentials SET status = ? WHERE id = ?",
                               {static_cast<int64_t>(status), id}));
    if (r.rows_affected == 0) return Error(StatusCode::kNotFound, "no such credential");
    return OkStatus();
  }

  Status SetNotificationState(std::string_view batch_group_id, NotificationState state) override {
    RETURN_IF_ERROR(CheckId("batch group id", batch_group_id));
    return Tx([&]() -> Status {
      int64_t changed = 0;
      for (std::string_view sql : {"UPDATE issued_batches SET notification = ? WHERE batch_group_id = ?",
                                   "UPDATE issued_credentials SET notification = ? WHERE batch_group_id = ?"}) {
        ASSIGN_OR_RETURN(auto r, Q(sql, {static_cast<int64_t>(state), batch_group_id}));
        changed += r.rows_affected;
      }
      if (changed == 0) return Error(StatusCode::kNotFound, "no such batch group");
      return OkStatus();
    });
  }

  // --- status lists ---
  Status CreateStatusList(std::string_view id, int bits, int64_t size, int64_t now) override {
    RETURN_IF_ERROR(CheckId("status list id", id));
    if (bits != 1 && bits != 2 && bits != 4 && bits != 8) {
      return Error(StatusCode::kInvalidArgument, "bits must be 1, 2, 4 or 8");
    }
    if (size < 1 || size > kMaxStatusListSize) {
      return Error(StatusCode::kInvalidArgument, "status list size out of range");
    }
    Bytes zeros(static_cast<size_t>((size * bits + 7) / 8), 0);
    return Q("INSERT INTO status_lists (id, bits, size, list_bytes, version, updated_at, "
             "allocated) VALUES (?, ?, ?, ?, 1, ?, 0)",
             {id, int64_t{bits}, size, ByteView(zeros), now})
        .status();
  }

  Result<StatusListRecord> GetStatusList(std::string_view id) override {
    RETURN_IF_ERROR(CheckId("status list id", id));
    ASSIGN_OR_RETURN(auto r, Q("SELECT id, bits, size, list_bytes, version, updated_at "
                               "FROM status_lists WHERE id = ?",
                               {id}));
    if (r.rows.empty()) return Error(StatusCode::kNotFound, "no such status list");
    StatusListRecord s;
    ASSIGN_OR_RETURN(s.id, r.Text(0, 0));
    ASSIGN_OR_RETURN(int64_t bits, r.Int(0, 1));
    s.bits = static_cast<int>(bits);
    ASSIGN_OR_RETURN(s.size, r.Int(0, 2));
    ASSIGN_OR_RETURN(s.list_bytes, r.Blob(0, 3));
    ASSIGN_OR_RETURN(s.version, r.Int(0, 4));
    ASSIGN_OR_RETURN(s.updated_at, r.Int(0, 5));
    return s;
  }

  Result<std::vector<std::string>> ListStatusListIds() override {
    ASSIGN_OR_RETURN(auto r, Q("SELECT id FROM status_lists ORDER BY id", {}));
    std::vector<std::string> out;
    for (size_t i = 0; i < r.rows.size(); ++i) {
      ASSIGN_OR_RETURN(auto id, r.Text(i, 0));
      out.push_back(std::move(id));
    }
    return out;
  }

  // Status indices come from the list's pool: a random permutation of its free indices, kept in
  // status_pool in chunks of kPoolChunk entries and made on the list's first allocation. The
  // list's row in status_cursors is the cursor into it: a batch takes the entries at positions
  // [next, next + count) and moves the cursor, so it rewrites one small row and reads one or two
  // chunks, instead of inserting one row per index at a random place in a B-tree (one dirtied
  // page per credential). Each index is still a uniform draw among the free ones, so it says
  // nothing about issue order. (The cursor is not a column of status_lists: rewriting that row
  // would copy the whole list with it.)
  Result<std::vector<int64_t>> AllocateStatusIndices(std::string_view id, int64_t count, Random& random) override {
    RETURN_IF_ERROR(CheckId("status list id", id));
    if (count < 1 || count > 1000) return Error(StatusCode::kInvalidArgument, "status index count must be 1 to 1000");
    std::vector<int64_t> chosen;
    Status tx_status = Tx([&]() -> Status {
      chosen.clear();
      ASSIGN_OR_RETURN(auto r, Q("SELECT size FROM status_lists WHERE id = ?", {id}));
      if (r.rows.empty()) return Error(StatusCode::kNotFound, "no such status list");
      ASSIGN_OR_RETURN(int64_t size, r.Int(0, 0));
      const std::string_view cursor_sql = pg() ? "SELECT next FROM status_cursors WHERE list_id = ? FOR UPDATE"
                                               : "SELECT next FROM status_cursors WHERE list_id = ?";
      ASSIGN_OR_RETURN(auto cursor, Q(cursor_sql, {id}));
      if (cursor.rows.empty() && pg()) {
        // No pool yet. Another process may be making it: wait on the list row, then look again.
        RETURN_IF_ERROR(Q("SELECT id FROM status_lists WHERE id = ? FOR UPDATE", {id}).status());
        ASSIGN_OR_RETURN(cursor, Q(cursor_sql, {id}));
      }
      int64_t allocated = 0;
      if (cursor.rows.empty()) {
        ASSIGN_OR_RETURN(allocated, MakeStatusPool(id, size, random));
      } else {
        ASSIGN_OR_RETURN(allocated, cursor.Int(0, 0));
      }
      if (allocated < 0 || allocated > size) return Error(StatusCode::kInternal, "store: status list cursor out of range");
      if (allocated > size - count) return Error(StatusCode::kLimitExceeded, "status list is full");
      const int64_t first = allocated / kPoolChunk;
      const int64_t last = (allocated + count - 1) / kPoolChunk;
      ASSIGN_OR_RETURN(auto chunks, Q("SELECT chunk, entries FROM status_pool WHERE list_id = ? AND chunk >= ? "
                                      "AND chunk <= ? ORDER BY chunk",
                                      {id, first, last}));
      if (static_cast<int64_t>(chunks.rows.size()) != last - first + 1) {
        return Error(StatusCode::kInternal, "store: status pool of list " + std::string(id) + " is missing chunks");
      }
      std::vector<Bytes> entries;
      for (size_t i = 0; i < chunks.rows.size(); ++i) {
        ASSIGN_OR_RETURN(int64_t chunk, chunks.Int(i, 0));
        if (chunk != first + static_cast<int64_t>(i)) {
          return Error(StatusCode::kInternal, "store: status pool of list " + std::string(id) + " is missing chunks");
        }
        ASSIGN_OR_RETURN(Bytes blob, chunks.Blob(i, 1));
        entries.push_back(std::move(blob));
      }
      for (int64_t pos = allocated; pos < allocated + count; ++pos) {
        const Bytes& e = entries[static_cast<size_t>(pos / kPoolChunk - first)];
        const auto at = static_cast<size_t>(pos % kPoolChunk) * 4;
        if (at + 4 > e.size()) return Error(StatusCode::kInternal, "store: status pool chunk is short");
        const int64_t idx = LoadU32(e.data() + at);
        if (idx >= size) return Error(StatusCode::kInternal, "store: status pool entry out of range");
        chosen.push_back(idx);
      }
      return Q("UPDATE status_cursors SET next = ? WHERE list_id = ?", {allocated + count, id}).status();
    });
    RETURN_IF_ERROR(tx_status);
    return chosen;
  }

  Status SetStatuses(std::string_view id, std::span<const int64_t> indices, uint8_t value, int64_t now) override {
    RETURN_IF_ERROR(CheckId("status list id", id));
    return Tx([&]() -> Status {
      ASSIGN_OR_RETURN(auto r, Q(std::string("SELECT bits, size, list_bytes FROM status_lists "
                                             "WHERE id = ?") +
                                     std::string(ForUpdate()),
                                 {id}));
      if (r.rows.empty()) return Error(StatusCode::kNotFound, "no such status list");
      ASSIGN_OR_RETURN(int64_t bits, r.Int(0, 0));
      ASSIGN_OR_RETURN(int64_t size, r.Int(0, 1));
      ASSIGN_OR_RETURN(Bytes list, r.Blob(0, 2));
      if (bits < 8 && value >= (1 << bits)) {
        return Error(StatusCode::kInvalidArgument, "status value does not fit in the list's bits");
      }
      for (int64_t index : indices) {
        if (index < 0 || index >= size) return Error(StatusCode::kInvalidArgument, "status index out of range");
      }
      for (int64_t index : indices) {
        const auto bit = static_cast<uint64_t>(index) * static_cast<uint64_t>(bits);
        const size_t byte = bit / 8;
        if (byte >= list.size()) return Error(StatusCode::kInternal, "store: list bytes too short");
        const auto shift = static_cast<unsigned>(bit % 8);
        const auto mask = static_cast<unsigned>(((1u << bits) - 1u) << shift);
        list[byte] = static_cast<uint8_t>((list[byte] & ~mask) | ((unsigned{value} << shift) & mask));
      }
      return Q("UPDATE status_lists SET list_bytes = ?, version = version + 1, updated_at = ? "
               "WHERE id = ?",
               {ByteView(list), now, id})
          .status();
    });
  }

  // --- audit ---
  Result<AuditRecord> AppendAudit(std::string_view actor, std::string_view action,
                                  std::string_view details_json, int64_t now) override {
    RETURN_IF_ERROR(CheckId("audit actor", actor));
    RETURN_IF_ERROR(CheckId("audit action", action));
    RETURN_IF_ERROR(CheckJsonField("audit details", details_json));
    AuditRecord rec;
    Status tx_status = Tx([&]() -> Status {
      // The head row is the lock every appender queues on.
      ASSIGN_OR_RETURN(
          auto h,
          Q(std::string("SELECT seq, hash FROM audit_head WHERE id = 1") + std::string(ForUpdate()), {}));
      if (h.rows.empty()) return Error(StatusCode::kInternal, "store: audit head missing");
      ASSIGN_OR_RETURN(int64_t seq, h.Int(0, 0));
      ASSIGN_OR_RETURN(rec.prev_hash, h.Blob(0, 1));
      rec.seq = seq + 1;
      rec.time = now;
      rec.actor = std::string(actor);
      rec.action = std::string(action);
      rec.details_json = std::string(details_json);
      Bytes input = rec.prev_hash;
      Bytes canon = AuditCanonicalBytes(rec);
      input.insert(input.end(), canon.begin(), canon.end());
      rec.hash = crypto::Sha256(input);
      RETURN_IF_ERROR(
          Q("INSERT INTO audit_log (seq, time, actor, action, details, prev_hash, "
            "hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
            {rec.seq, rec.time, actor, action, details_json, ByteView(rec.prev_hash), ByteView(rec.hash)}));
      return Q("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", {rec.seq, ByteView(rec.hash)})
          .status();
    });
    RETURN_IF_ERROR(tx_status);
    return rec;
  }

  Result<std::vector<AuditRecord>> ListAudit(int64_t after_seq, size_t limit) override {
    RETURN_IF_ERROR(CheckLimit(limit));
    ASSIGN_OR_RETURN(auto r, Q("SELECT seq, time, actor, action, details, prev_hash, hash "
                               "FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?",
                               {after_seq, I(limit)}));
    std::vector<AuditRecord> out;
    for (size_t i = 0; i < r.rows.size(); ++i) {
      ASSIGN_OR_RETURN(auto a, AuditRow(r, i));
      out.push_back(std::move(a));
    }
    return out;
  }

  Status VerifyAuditChain() override {
    ASSIGN_OR_RETURN(auto h, Q("SELECT seq, hash FROM audit_head WHERE id = 1", {}));
    if (h.rows.empty()) return Error(StatusCode::kInternal, "store: audit head missing");
    ASSIGN_OR_RETURN(int64_t head_seq, h.Int(0, 0));
    ASSIGN_OR_RETURN(Bytes head_hash, h.Blob(0, 1));
    auto broken = [](int64_t seq, const char* why) {
      return Error(StatusCode::kDigestMismatch, "audit record " + std::to_string(seq) + ": " + why);
    };
    Bytes prev(32, 0);
    int64_t expected = 1;
    while (expected <= head_seq) {
      ASSIGN_OR_RETURN(auto page, ListAudit(expected - 1, kMaxListPage));
      if (page.empty()) return broken(expected, "missing");
      for (const AuditRecord& a : page) {
        if (a.seq > head_seq) break;
        if (a.seq != expected) return broken(expected, "missing");
        if (a.prev_hash != prev) return broken(a.seq, "prev_hash does not link to the record before");
        Bytes input = a.prev_hash;
        Bytes canon = AuditCanonicalBytes(a);
        input.insert(input.end(), canon.begin(), canon.end());
        if (crypto::Sha256(input) != a.hash) {
          return broken(a.seq, "hash does not match its contents");
        }
        prev = a.hash;
        ++expected;
      }
    }
    if (prev != head_hash) return broken(head_seq, "chain head does not match the last record");
    return OkStatus();
  }

  Status WithTransaction(const std::function<Status(IssuerStore& tx)>& fn) override {
    if (in_tx_) return fn(*this);
    SqlOps inner(conn_, dialect_, true);
    return Tx([&] { return fn(inner); });
  }

 private:
  // kPoolChunk is the number of pool entries (4 bytes each, big-endian) in one status_pool row.
  static constexpr int64_t kPoolChunk = 512;

  // MakeStatusPool shuffles the free indices of list `id` (those not in status_allocations, where
  // lists allocated before schema version 4 recorded their taken indices) into the list's pool,
  // at positions [taken, size), records the cursor at `taken` and returns it. Runs inside the
  // allocating transaction, which holds the write lock (SQLite) or the list row (PostgreSQL).
  Result<int64_t> MakeStatusPool(std::string_view id, int64_t size, Random& random) {
    ASSIGN_OR_RETURN(auto taken, Q("SELECT idx FROM status_allocations WHERE list_id = ?", {id}));
    std::vector<bool> used(static_cast<size_t>(size), false);
    for (size_t i = 0; i < taken.rows.size(); ++i) {
      ASSIGN_OR_RETURN(int64_t t, taken.Int(i, 0));
      if (t < 0 || t >= size) return Error(StatusCode::kInternal, "store: taken status index out of range");
      used[static_cast<size_t>(t)] = true;
    }
    std::vector<uint32_t> free_slots;
    free_slots.reserve(static_cast<size_t>(size));
    for (int64_t i = 0; i < size; ++i) {
      if (!used[static_cast<size_t>(i)]) free_slots.push_back(static_cast<uint32_t>(i));
    }
    Shuffle(free_slots, random);
    const int64_t start = size - static_cast<int64_t>(free_slots.size());
    RETURN_IF_ERROR(Q("DELETE FROM status_pool WHERE list_id = ?", {id}).status());
    Bytes chunk;
    for (int64_t c = start / kPoolChunk; c * kPoolChunk < size; ++c) {
      chunk.clear();
      for (int64_t pos = c * kPoolChunk; pos < std::min(size, (c + 1) * kPoolChunk); ++pos) {
        const uint32_t v = pos < start ? 0 : free_slots[static_cast<size_t>(pos - start)];
        AppendU32(chunk, v);
      }
      RETURN_IF_ERROR(Q("INSERT INTO status_pool (list_id, chunk, entries) VALUES (?, ?, ?)", {id, c, ByteView(chunk)})
                          .status());
    }
    RETURN_IF_ERROR(Q("DELETE FROM status_allocations WHERE list_id = ?", {id}).status());
    RETURN_IF_ERROR(Q("INSERT INTO status_cursors (list_id, next) VALUES (?, ?)", {id, start}).status());
    return start;
  }

  // Shuffle puts `v` in uniformly random order (Fisher-Yates), drawing 32-bit values from
  // `random` a block at a time and rejecting the top partial range so every position is equally
  // likely. (A list has at most 2^24 entries, so 32 bits are plenty.)
  static void Shuffle(std::vector<uint32_t>& v, Random& random) {
    std::vector<uint8_t> block(16384);
    size_t used = block.size();
    auto next = [&]() -> uint32_t {
      if (used == block.size()) {
        random.Fill(block);
        used = 0;
      }
      const uint32_t x = LoadU32(block.data() + used);
      used += 4;
      return x;
    };
    for (size_t i = v.size(); i > 1; --i) {
      const auto bound = static_cast<uint32_t>(i);
      const uint32_t limit = UINT32_MAX - (UINT32_MAX % bound);
      uint32_t x = next();
      while (x >= limit) x = next();
      std::swap(v[i - 1], v[x % bound]);
    }
  }

  Connection& conn_;
  Dialect dialect_;
  bool in_tx_;
};

// GroupCommitter makes many small SQLite write transactions share one durable commit (group
// commit). With synchronous=FULL every COMMIT waits for an fsync (about a millisecond on the
// machines measured in docs/performance.md), so one transaction per request caps an issuer at a
// few hundred requests per second however many threads it has. Here each write runs as a job
// inside the current batch's transaction on one writer connection, in its own SAVEPOINT (a job
// that fails rolls back only its own writes); the batch commits once, and only then does each
// caller get its result, so "returned OK" still means "on disk". Jobs that arrive while a batch
// commits form the next batch.
//
// Leader/follower: the first waiting caller with no batch in progress runs the queued jobs
// (its own included) and commits; the others sleep on the condition variable until their job
// is done. If the COMMIT fails, every job of the batch that had succeeded gets that error (none
// of its writes is kept). Thread safety: Run may be called from any number of threads.
class GroupCommitter {
 public:
  GroupCommitter(std::unique_ptr<Connection> conn, Dialect dialect) : conn_(std::move(conn)), dialect_(dialect) {}

  using Job = std::function<Status(SqlOps&)>;

  Status Run(const Job& job) {
    // A job that wrote through the store instead of its transaction would wait for its own
    // batch forever: refuse it (it is a programming error) instead of hanging.
    if (in_job_) return Error(StatusCode::kInternal, "store: a write inside a transaction must use the transaction");
    Pending me{&job, OkStatus(), false};
    std::unique_lock lock(mu_);
    queue_.push_back(&me);
    while (!me.done) {
      if (leading_) {
        cv_.wait(lock);
        continue;
      }
      leading_ = true;
      std::vector<Pending*> batch;
      batch.swap(queue_);
      lock.unlock();
      RunBatch(batch);
      lock.lock();
      leading_ = false;
      for (Pending* p : batch) p->done = true;
      cv_.notify_all();
    }
    return me.result;
  }

 private:
  struct Pending {
    const Job* job;
    Status result;
    bool done;
  };

  void RunBatch(const std::vector<Pending*>& batch) {
    Status begin = conn_->ExecScript("BEGIN IMMEDIATE");
    if (!begin.ok()) {
      for (Pending* p : batch) p->result = begin;
      return;
    }
    SqlOps ops(*conn_, dialect_, /*in_tx=*/true);
    for (Pending* p : batch) {
      Status sp = conn_->ExecScript("SAVEPOINT job");
      if (!sp.ok()) {
        p->result = sp;
        continue;
      }
      in_job_ = true;
      // The leader runs other threads' jobs: an exception escaping one must not leave the batch
      // (and every later writer) stuck, so it becomes this job's kInternal.
      try {
        p->result = (*p->job)(ops);
      } catch (const std::exception& e) {
        p->result = Error(StatusCode::kInternal, std::string("store: exception in a write: ") + e.what());
      } catch (...) {
        p->result = Error(StatusCode::kInternal, "store: exception in a write");
      }
      in_job_ = false;
      if (!p->result.ok()) (void)conn_->ExecScript("ROLLBACK TO job");
      (void)conn_->ExecScript("RELEASE job");
    }
    Status commit = conn_->ExecScript("COMMIT");
    if (!commit.ok()) {
      (void)conn_->ExecScript("ROLLBACK");
      for (Pending* p : batch) {
        if (p->result.ok()) p->result = Status(commit.code(), "group commit failed: " + commit.message());
      }
    }
  }

  static thread_local bool in_job_;    // this thread is running a job of a batch
  std::unique_ptr<Connection> conn_;  // used only by the leader
  Dialect dialect_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Pending*> queue_;  // guarded by mu_
  bool leading_ = false;         // guarded by mu_
};

thread_local bool GroupCommitter::in_job_ = false;

// SqlStore leases a connection per call and runs the operation on it; with a group committer
// (SQLite), the write operations of the issuance path run through it instead.
class SqlStore final : public IssuerStore {
 public:
  SqlStore(std::unique_ptr<ConnectionPool> pool, Dialect dialect, std::unique_ptr<Connection> writer)
      : pool_(std::move(pool)), dialect_(dialect) {
    if (writer != nullptr) group_ = std::make_unique<GroupCommitter>(std::move(writer), dialect);
  }

  // Write runs `f` through the group committer when there is one, else like Run.
  Status Write(const std::function<Status(SqlOps&)>& f) {
    if (group_ != nullptr) return group_->Run(f);
    return Run(f);
  }

  template <typename F>
  auto Run(F&& f) -> decltype(f(std::declval<SqlOps&>())) {
    auto lease = pool_->Acquire();
    if (!lease->Healthy()) {
      Status s = lease->Reset();
      if (!s.ok()) return s;
    }
    SqlOps ops(*lease, dialect_, false);
    return f(ops);
  }

  Status UpsertCitizen(std::string_view id, std::string_view data, int64_t now) override {
    return Run([&](SqlOps& o) { return o.UpsertCitizen(id, data, now); });
  }
  Status UpsertCitizens(std::span<const CitizenInput> rows, int64_t now) override {
    return Run([&](SqlOps& o) { return o.UpsertCitizens(rows, now); });
  }
  Result<Citizen> GetCitizen(std::string_view id) override {
    return Run([&](SqlOps& o) { return o.GetCitizen(id); });
  }
  Result<std::vector<Citizen>> ListCitizens(std::string_view after, size_t limit) override {
    return Run([&](SqlOps& o) { return o.ListCitizens(after, limit); });
  }
  Result<int64_t> CountCitizens() override {
    return Run([&](SqlOps& o) { return o.CountCitizens(); });
  }
  Status CreateOffer(const CredentialOffer& offer) override {
    return Write([&](SqlOps& o) { return o.CreateOffer(offer); });
  }
  Result<CredentialOffer> GetOffer(std::string_view id) override {
    return Run([&](SqlOps& o) { return o.GetOffer(id); });
  }
  Status CreatePreAuthorizedCode(const PreAuthorizedCode& code) override {
    return Write([&](SqlOps& o) { return o.CreatePreAuthorizedCode(code); });
  }
  // RedeemPreAuthorizedCode redeems a code as one group-committed write, or in a transaction of
  // its own without a group committer.
  Result<CredentialOffer> RedeemPreAuthorizedCode(ByteView code_hash, std::optional<ByteView> tx_code_hash,
                                                  int64_t now) override {
    if (group_ == nullptr) return Run([&](SqlOps& o) { return o.RedeemPreAuthorizedCode(code_hash, tx_code_hash, now); });
    RETURN_IF_ERROR(CheckHash("code hash", code_hash));
    Result<CredentialOffer> outcome = Error(StatusCode::kInternal, "unset");
    RETURN_IF_ERROR(Write([&](SqlOps& o) { return o.RedeemInTx(code_hash, tx_code_hash, now, outcome); }));
    return outcome;
  }
  Status CreateNonce(std::string_view n, int64_t exp) override {
    return Write([&](SqlOps& o) { return o.CreateNonce(n, exp); });
  }
  Status ConsumeNonce(std::string_view n, int64_t now) override {
    // An expired nonce is deleted and reported: the deletion must stay although the call fails.
    Status outcome;
    RETURN_IF_ERROR(Write([&](SqlOps& o) {
      outcome = o.ConsumeNonce(n, now);
      return outcome.code() == StatusCode::kExpired ? OkStatus() : outcome;
    }));
    return outcome;
  }
  Result<int64_t> PurgeExpired(int64_t now) override {
    return Run([&](SqlOps& o) { return o.PurgeExpired(now); });
  }
  Status InsertIssuedCredential(const IssuedCredential& c) override {
    return Write([&](SqlOps& o) { return o.InsertIssuedCredential(c); });
  }
  Status InsertIssuedBatch(const IssuedBatch& b) override {
    return Write([&](SqlOps& o) { return o.InsertIssuedBatch(b); });
  }
  Result<IssuedCredential> GetIssuedCredential(std::string_view id) override {
    return Run([&](SqlOps& o) { return o.GetIssuedCredential(id); });
  }
  Result<std::vector<IssuedCredential>> ListIssuedCredentials(
      std::string_view citizen, std::optional<std::string_view> config) override {
    return Run([&](SqlOps& o) { return o.ListIssuedCredentials(citizen, config); });
  }
  Status SetCredentialStatus(std::string_view id, CredentialStatus s) override {
    return Write([&](SqlOps& o) { return o.SetCredentialStatus(id, s); });
  }
  Status SetNotificationState(std::string_view b, NotificationState s) override {
    return Write([&](SqlOps& o) { return o.SetNotificationState(b, s); });
  }
  Status CreateStatusList(std::string_view id, int bits, int64_t size, int64_t now) override {
    return Run([&](SqlOps& o) { return o.CreateStatusList(id, bits, size, now); });
  }
  Result<StatusListRecord> GetStatusList(std::string_view id) override {
    return Run([&](SqlOps& o) { return o.GetStatusList(id); });
  }
  Result<std::vector<std::string>> ListStatusListIds() override {
    return Run([&](SqlOps& o) { return o.ListStatusListIds(); });
  }
  Result<std::vector<int64_t>> AllocateStatusIndices(std::string_view id, int64_t count, Random& random) override {
    Result<std::vector<int64_t>> indices = Error(StatusCode::kInternal, "unset");
    RETURN_IF_ERROR(Write([&](SqlOps& o) {
      indices = o.AllocateStatusIndices(id, count, random);
      return indices.status();
    }));
    return indices;
  }
  Status SetStatuses(std::string_view id, std::span<const int64_t> indices, uint8_t value, int64_t now) override {
    return Run([&](SqlOps& o) { return o.SetStatuses(id, indices, value, now); });
  }
  Result<AuditRecord> AppendAudit(std::string_view actor, std::string_view action, std::string_view details,
                                  int64_t now) override {
    Result<AuditRecord> record = Error(StatusCode::kInternal, "unset");
    RETURN_IF_ERROR(Write([&](SqlOps& o) {
      record = o.AppendAudit(actor, action, details, now);
      return record.status();
    }));
    return record;
  }
  Result<std::vector<AuditRecord>> ListAudit(int64_t after, size_t limit) override {
    return Run([&](SqlOps& o) { return o.ListAudit(after, limit); });
  }
  Status VerifyAuditChain() override {
    return Run([&](SqlOps& o) { return o.VerifyAuditChain(); });
  }
  Status WithTransaction(const std::function<Status(IssuerStore& tx)>& fn) override {
    return Write([&](SqlOps& o) { return o.WithTransaction(fn); });
  }

 private:
  std::unique_ptr<ConnectionPool> pool_;
  Dialect dialect_;
  std::unique_ptr<GroupCommitter> group_;  // SQLite only
};

}  // namespace

std::unique_ptr<IssuerStore> MakeSqlStore(std::unique_ptr<ConnectionPool> pool, Dialect dialect,
                                          std::unique_ptr<Connection> group_writer) {
  return std::make_unique<SqlStore>(std::move(pool), dialect, std::move(group_writer));
}

}  // namespace internal
}  // namespace bonafide::store
