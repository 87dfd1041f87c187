// store/migrations.cc: versioned schema migrations for both dialects.
//
// schema_version holds one row, the version reached. Migrate runs the missing steps in order in
// one transaction (PostgreSQL takes an advisory lock first so two processes opening at once do
// not both migrate). Append new steps; never edit a released one.
#include <string>

#include "store/internal/sql.h"

namespace bonafide::store::internal {

namespace {

constexpr std::string_view kSqliteV1 = R"sql(
CREATE TABLE citizens (
  id TEXT PRIMARY KEY, data TEXT NOT NULL,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE offers (
  offer_id TEXT PRIMARY KEY, citizen_id TEXT NOT NULL REFERENCES citizens(id),
  configuration_id TEXT NOT NULL, tx_code_hash BLOB,
  created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, redeemed INTEGER NOT NULL);
CREATE TABLE pre_authorized_codes (
  code_hash BLOB PRIMARY KEY, offer_id TEXT NOT NULL REFERENCES offers(offer_id),
  expires_at INTEGER NOT NULL, attempts INTEGER NOT NULL, max_attempts INTEGER NOT NULL,
  used INTEGER NOT NULL);
CREATE TABLE access_tokens (
  token_hash BLOB PRIMARY KEY, offer_id TEXT NOT NULL REFERENCES offers(offer_id),
  citizen_id TEXT NOT NULL, configuration_id TEXT NOT NULL, expires_at INTEGER NOT NULL);
CREATE TABLE nonces (nonce TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);
CREATE TABLE status_lists (
  id TEXT PRIMARY KEY, bits INTEGER NOT NULL, size INTEGER NOT NULL, list_bytes BLOB NOT NULL,
  version INTEGER NOT NULL, updated_at INTEGER NOT NULL, allocated INTEGER NOT NULL);
CREATE TABLE status_allocations (
  list_id TEXT NOT NULL REFERENCES status_lists(id), idx INTEGER NOT NULL,
  PRIMARY KEY (list_id, idx));
CREATE TABLE issued_credentials (
  id TEXT PRIMARY KEY, citizen_id TEXT NOT NULL REFERENCES citizens(id),
  configuration_id TEXT NOT NULL, format TEXT NOT NULL, batch_group_id TEXT NOT NULL,
  status_list_id TEXT NOT NULL REFERENCES status_lists(id), status_index INTEGER NOT NULL,
  issued_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, status INTEGER NOT NULL,
  notification INTEGER NOT NULL);
CREATE INDEX issued_by_citizen ON issued_credentials (citizen_id, configuration_id);
CREATE INDEX issued_by_batch ON issued_credentials (batch_group_id);
CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY, time INTEGER NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
  details TEXT NOT NULL, prev_hash BLOB NOT NULL, hash BLOB NOT NULL);
CREATE TABLE audit_head (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL,
  hash BLOB NOT NULL);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, zeroblob(32));
)sql";

constexpr std::string_view kPostgresV1 = R"sql(
CREATE TABLE citizens (
  id TEXT PRIMARY KEY, data TEXT NOT NULL,
  created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);
CREATE TABLE offers (
  offer_id TEXT PRIMARY KEY, citizen_id TEXT NOT NULL REFERENCES citizens(id),
  configuration_id TEXT NOT NULL, tx_code_hash BYTEA,
  created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, redeemed BIGINT NOT NULL);
CREATE TABLE pre_authorized_codes (
  code_hash BYTEA PRIMARY KEY, offer_id TEXT NOT NULL REFERENCES offers(offer_id),
  expires_at BIGINT NOT NULL, attempts BIGINT NOT NULL, max_attempts BIGINT NOT NULL,
  used BIGINT NOT NULL);
CREATE TABLE access_tokens (
  token_hash BYTEA PRIMARY KEY, offer_id TEXT NOT NULL REFERENCES offers(offer_id),
  citizen_id TEXT NOT NULL, configuration_id TEXT NOT NULL, expires_at BIGINT NOT NULL);
CREATE TABLE nonces (nonce TEXT PRIMARY KEY, expires_at BIGINT NOT NULL);
CREATE TABLE status_lists (
  id TEXT PRIMARY KEY, bits BIGINT NOT NULL, size BIGINT NOT NULL, list_bytes BYTEA NOT NULL,
  version BIGINT NOT NULL, updated_at BIGINT NOT NULL, allocated BIGINT NOT NULL);
CREATE TABLE status_allocations (
  list_id TEXT NOT NULL REFERENCES status_lists(id), idx BIGINT NOT NULL,
  PRIMARY KEY (list_id, idx));
CREATE TABLE issued_credentials (
  id TEXT PRIMARY KEY, citizen_id TEXT NOT NULL REFERENCES citizens(id),
  configuration_id TEXT NOT NULL, format TEXT NOT NULL, batch_group_id TEXT NOT NULL,
  status_list_id TEXT NOT NULL REFERENCES status_lists(id), status_index BIGINT NOT NULL,
  issued_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, status BIGINT NOT NULL,
  notification BIGINT NOT NULL);
CREATE INDEX issued_by_citizen ON issued_credentials (citizen_id, configuration_id);
CREATE INDEX issued_by_batch ON issued_credentials (batch_group_id);
CREATE TABLE audit_log (
  seq BIGINT PRIMARY KEY, time BIGINT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
  details TEXT NOT NULL, prev_hash BYTEA NOT NULL, hash BYTEA NOT NULL);
CREATE TABLE audit_head (id BIGINT PRIMARY KEY CHECK (id = 1), seq BIGINT NOT NULL,
  hash BYTEA NOT NULL);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, decode(repeat('00', 32), 'hex'));
)sql";

// V2: indexes for PurgeExpired (expiry scans, and the offer -> code / token references it
// checks before deleting an offer). The same statements in both dialects.
constexpr std::string_view kV2 = R"sql(
CREATE INDEX nonces_by_expiry ON nonces (expires_at);
CREATE INDEX tokens_by_expiry ON access_tokens (expires_at);
CREATE INDEX tokens_by_offer ON access_tokens (offer_id);
CREATE INDEX codes_by_expiry ON pre_authorized_codes (expires_at);
CREATE INDEX codes_by_offer ON pre_authorized_codes (offer_id);
CREATE INDEX offers_by_expiry ON offers (expires_at);
)sql";

// V3 (SQLite): the tables every issuance writes become WITHOUT ROWID tables keyed by their
// primary key. A rowid table with a TEXT or BLOB primary key is two B-trees (the rows by rowid
// and an automatic index on the key), so each insert dirtied two pages; now it is one. Each table
// is rebuilt (new table, copy, drop, rename) and its secondary indexes made again. PostgreSQL has
// no rowid tables: nothing to do there.
constexpr std::string_view kSqliteV3 = R"sql(
CREATE TABLE status_allocations_v3 (
  list_id TEXT NOT NULL REFERENCES status_lists(id), idx INTEGER NOT NULL,
  PRIMARY KEY (list_id, idx)) WITHOUT ROWID;
INSERT INTO status_allocations_v3 (list_id, idx) SELECT list_id, idx FROM status_allocations;
DROP TABLE status_allocations;
ALTER TABLE status_allocations_v3 RENAME TO status_allocations;

CREATE TABLE issued_credentials_v3 (
  id TEXT PRIMARY KEY, citizen_id TEXT NOT NULL REFERENCES citizens(id),
  configuration_id TEXT NOT NULL, format TEXT NOT NULL, batch_group_id TEXT NOT NULL,
  status_list_id TEXT NOT NULL REFERENCES status_lists(id), status_index INTEGER NOT NULL,
  issued_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, status INTEGER NOT NULL,
  notification INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO issued_credentials_v3 (id, citizen_id, configuration_id, format, batch_group_id,
  status_list_id, status_index, issued_at, expires_at, status, notification)
  SELECT id, citizen_id, configuration_id, format, batch_group_id, status_list_id, status_index,
         issued_at, expires_at, status, notification FROM issued_credentials;
DROP TABLE issued_credentials;
ALTER TABLE issued_credentials_v3 RENAME TO issued_credentials;
CREATE INDEX issued_by_citizen ON issued_credentials (citizen_id, configuration_id);
CREATE INDEX issued_by_batch ON issued_credentials (batch_group_id);

CREATE TABLE nonces_v3 (nonce TEXT PRIMARY KEY, expires_at INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO nonces_v3 (nonce, expires_at) SELECT nonce, expires_at FROM nonces;
DROP TABLE nonces;
ALTER TABLE nonces_v3 RENAME TO nonces;
CREATE INDEX nonces_by_expiry ON nonces (expires_at);

CREATE TABLE access_tokens_v3 (
  token_hash BLOB PRIMARY KEY, offer_id TEXT NOT NULL REFERENCES offers(offer_id),
  citizen_id TEXT NOT NULL, configuration_id TEXT NOT NULL, expires_at INTEGER NOT NULL)
  WITHOUT ROWID;
INSERT INTO access_tokens_v3 (token_hash, offer_id, citizen_id, configuration_id, expires_at)
  SELECT token_hash, offer_id, citizen_id, configuration_id, expires_at FROM access_tokens;
DROP TABLE access_tokens;
ALTER TABLE access_tokens_v3 RENAME TO access_tokens;
CREATE INDEX tokens_by_expiry ON access_tokens (expires_at);
CREATE INDEX tokens_by_offer ON access_tokens (offer_id);
)sql";

constexpr std::string_view kPostgresV3 = "SELECT 1";

// V4: status indices come from a shuffled pool per list (sql_store.cc AllocateStatusIndices)
// instead of one status_allocations row per taken index; status_cursors holds each pool's
// position and exists once the pool is made, on the list's next allocation, from the indices
// status_allocations does not hold. status_lists.allocated is no longer used.
constexpr std::string_view kSqliteV4 = R"sql(
CREATE TABLE status_pool (
  list_id TEXT NOT NULL REFERENCES status_lists(id), chunk INTEGER NOT NULL,
  entries BLOB NOT NULL, PRIMARY KEY (list_id, chunk)) WITHOUT ROWID;
CREATE TABLE status_cursors (
  list_id TEXT PRIMARY KEY REFERENCES status_lists(id), next INTEGER NOT NULL) WITHOUT ROWID;
)sql";

constexpr std::string_view kPostgresV4 = R"sql(
CREATE TABLE status_pool (
  list_id TEXT NOT NULL REFERENCES status_lists(id), chunk BIGINT NOT NULL,
  entries BYTEA NOT NULL, PRIMARY KEY (list_id, chunk));
CREATE TABLE status_cursors (
  list_id TEXT PRIMARY KEY REFERENCES status_lists(id), next BIGINT NOT NULL);
)sql";

// V5: access tokens are sealed by the issuer instead of stored (issuer/service.cc). Tokens
// stored by an earlier version stop working: they lived minutes, and a wallet holding one asks
// for a new offer.
constexpr std::string_view kV5 = "DROP TABLE access_tokens";

// V6: a batch of credential copies is stored as one issued_batches row instead of one
// issued_credentials row per copy (sql_store.cc InsertIssuedBatch): copy k's record id is the
// row's id_prefix followed by k in two hex digits, its status index the k-th 4-byte big-endian
// number of status_indices, its status the k-th character of statuses ('0' valid, '1' revoked,
// '2' suspended). Records already stored stay in issued_credentials and are read from there.
constexpr std::string_view kSqliteV6 = R"sql(
CREATE TABLE issued_batches (
  id_prefix TEXT PRIMARY KEY, citizen_id TEXT NOT NULL REFERENCES citizens(id),
  configuration_id TEXT NOT NULL, format TEXT NOT NULL, batch_group_id TEXT NOT NULL,
  status_list_id TEXT NOT NULL REFERENCES status_lists(id), status_indices BLOB NOT NULL,
  statuses TEXT NOT NULL, issued_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,
  notification INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX batches_by_citizen ON issued_batches (citizen_id, configuration_id);
CREATE INDEX batches_by_group ON issued_batches (batch_group_id);
)sql";

constexpr std::string_view kPostgresV6 = R"sql(
CREATE TABLE issued_batches (
  id_prefix TEXT PRIMARY KEY, citizen_id TEXT NOT NULL REFERENCES citizens(id),
  configuration_id TEXT NOT NULL, format TEXT NOT NULL, batch_group_id TEXT NOT NULL,
  status_list_id TEXT NOT NULL REFERENCES status_lists(id), status_indices BYTEA NOT NULL,
  statuses TEXT NOT NULL, issued_at BIGINT NOT NULL, expires_at BIGINT NOT NULL,
  notification BIGINT NOT NULL);
CREATE INDEX batches_by_citizen ON issued_batches (citizen_id, configuration_id);
CREATE INDEX batches_by_group ON issued_batches (batch_group_id);
)sql";

constexpr std::string_view kSqliteSteps[] = {kSqliteV1, kV2, kSqliteV3, kSqliteV4, kV5, kSqliteV6};
constexpr std::string_view kPostgresSteps[] = {kPostgresV1, kV2, kPostgresV3, kPostgresV4, kV5, kPostgresV6};

}  // namespace

std::span<const std::string_view> Migrations(Dialect dialect) {
  if (dialect == Dialect::kPostgres) return kPostgresSteps;
  return kSqliteSteps;
}

Status Migrate(Connection& conn, Dialect dialect) {
  const bool pg = dialect == Dialect::kPostgres;
  auto steps = Migrations(dialect);
  RETURN_IF_ERROR(conn.ExecScript(pg ? "BEGIN" : "BEGIN IMMEDIATE"));
  Status s = [&]() -> Status {
    // 0x626f6e61 is "bona": an arbitrary key for bonafide's migration lock.
    if (pg) RETURN_IF_ERROR(conn.ExecScript("SELECT pg_advisory_xact_lock(1651470945)"));
    RETURN_IF_ERROR(
        conn.ExecScript(pg ? "CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)"
                           : "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"));
    ASSIGN_OR_RETURN(auto r, conn.Exec("SELECT version FROM schema_version", {}));
    int64_t version = 0;
    if (r.rows.size() > 1) return Error(StatusCode::kInternal, "store: schema_version has 2 rows");
    if (r.rows.size() == 1) {
      ASSIGN_OR_RETURN(version, r.Int(0, 0));
    } else {
      RETURN_IF_ERROR(conn.ExecScript("INSERT INTO schema_version (version) VALUES (0)"));
    }
    const auto newest = static_cast<int64_t>(steps.size());
    if (version > newest) {
      return Error(StatusCode::kInvalidArgument, "database schema version " + std::to_string(version) +
                                                     " is newer than this build supports (" +
                                                     std::to_string(newest) + "); upgrade bonafide");
    }
    if (version < 0) return Error(StatusCode::kInternal, "store: negative schema version");
    for (int64_t v = version; v < newest; ++v) {
      RETURN_IF_ERROR(conn.ExecScript(steps[static_cast<size_t>(v)]));
    }
    if (version != newest) {
      const int64_t params_value = newest;
      const Param p[] = {params_value};
      RETURN_IF_ERROR(conn.Exec("UPDATE schema_version SET version = ?", p).status());
    }
    return OkStatus();
  }();
  if (!s.ok()) {
    (void)conn.ExecScript("ROLLBACK");
    return s;
  }
  s = conn.ExecScript("COMMIT");
  if (!s.ok()) (void)conn.ExecScript("ROLLBACK");
  return s;
}

}  // namespace bonafide::store::internal
