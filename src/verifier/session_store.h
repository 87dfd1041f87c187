// verifier/session_store.h: durable OpenID4VP presentation sessions of the verifier service
// (verifier/service.h), on SQLite (the default, DATA_DIR/verifier.db, WAL, synchronous=FULL) or
// PostgreSQL (several verifier processes sharing one database).
//
// Durability. Insert, CompleteResponse, ClaimResponse and Complete return only once their write is
// committed durably. On SQLite these writes are group-committed: concurrent writes run in one
// transaction on a writer connection, each in its own SAVEPOINT, and share one COMMIT (one fsync);
// each caller still returns only after that COMMIT. MarkRequestFetched is informational and NOT
// durable: it is visible at once to this store object, and is written in the background (to
// other processes it shows after that write commits; a crash before then leaves the session in
// "created", which changes nothing a response or a result depends on).
//
// A session has two random identifiers: `id`, the verifier's own handle (the employer's front end
// polls the result with it; it never leaves the verifier's side), and `request_id`, the public
// one that appears in the request_uri and response_uri and therefore in the QR code. Knowing a
// request_id lets a party fetch the request and answer it, never read the result.
//
// Single use. CompleteResponse moves a session from created / request_fetched straight to
// completed / failed (and ClaimResponse to responded) in ONE conditional UPDATE, so of two
// responses for the same session (two threads, or two processes on one database) exactly one is
// accepted: the nonce is used once.
//
// Schema: table verifier_schema (version) and verifier_sessions; version 1. Times are Unix seconds.
// Every value travels as a statement parameter.
//
// Thread safety: all methods may be called concurrently (a connection pool). Ownership: the
// caller owns the store; it runs one background thread (the request_fetched writes), which its
// destructor stops after writing what is pending.
#ifndef BONAFIDE_VERIFIER_SESSION_STORE_H_
#define BONAFIDE_VERIFIER_SESSION_STORE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace bonafide::verifier {

// SessionStatus is the life cycle of a session.
enum class SessionStatus { kCreated, kRequestFetched, kResponded, kCompleted, kFailed, kExpired };

// SessionStatusName returns "created", "request_fetched", "responded", "completed", "failed" or
// "expired".
std::string_view SessionStatusName(SessionStatus status);
// ParseSessionStatus is the inverse; kInvalidArgument for another name.
Result<SessionStatus> ParseSessionStatus(std::string_view name);

// Session is one row.
struct Session {
  std::string id{};          // secret handle (result polling)
  std::string request_id{};  // public handle (request_uri, response_uri)
  std::string check{};       // a named check, or empty for a raw DCQL query
  std::string dcql_query{};  // the DCQL query sent (JSON text)
  std::string nonce{};
  std::string state{};
  // encryption_jwk: the ephemeral private JWK (JSON text) of direct_post.jwt; empty for
  // direct_post and once the session has been answered (it is wiped by Complete).
  std::string encryption_jwk{};
  std::string encryption_kid{};
  std::string response_mode{};  // "direct_post.jwt" or "direct_post"
  bool same_device = false;
  std::string request_object{};  // the signed Request Object served at the request_uri
  SessionStatus status = SessionStatus::kCreated;
  std::string result{};         // result JSON text once completed / failed
  std::string response_code{};  // same-device: the code the result is released with
  std::string webhook_url{};
  int64_t created_at = 0;
  int64_t expires_at = 0;  // responses are refused from this time on
  int64_t updated_at = 0;
};

// SessionStore keeps sessions.
class SessionStore {
 public:
  // kSchemaVersion is the schema this build writes.
  static constexpr int64_t kSchemaVersion = 1;

  // OpenSqlite opens (creating) the database file `path` and migrates it. kIoError when it cannot
  // be opened; kInvalidArgument when its schema is newer than this build.
  static Result<std::unique_ptr<SessionStore>> OpenSqlite(const std::string& path, int connections = 4);
  // OpenPostgres connects to `conninfo` (a postgresql:// URL or key=value string) and migrates.
  // kIoError when the server cannot be reached; kInvalidArgument as above.
  static Result<std::unique_ptr<SessionStore>> OpenPostgres(const std::string& conninfo, int connections = 4);

  virtual ~SessionStore() = default;

  // Insert stores a new session. kInvalidArgument when the id or request_id exists already or a
  // required field (id, request_id, nonce, dcql_query, response_mode) is empty.
  virtual Status Insert(const Session& session) = 0;
  // Get returns the session `id`; kNotFound when there is none.
  virtual Result<Session> Get(std::string_view id) = 0;
  // GetByRequestId returns the session whose request_id is `request_id`; kNotFound otherwise.
  virtual Result<Session> GetByRequestId(std::string_view request_id) = 0;
  // MarkRequestFetched moves a created session to request_fetched; the caller has just seen it in
  // "created" (or stored it). It queues the mark without reading the session, so it never waits
  // on the database; a mark for a session in any other state, or for none, changes nothing. Not
  // durable (see the file comment): Get and GetByRequestId of this store report request_fetched
  // at once.
  virtual void MarkRequestFetched(std::string_view request_id, int64_t now) = 0;
  // ClaimResponse atomically moves the session with `request_id` from created / request_fetched
  // to responded, provided now < expires_at, and returns it as it was claimed. kNotFound for an
  // unknown request_id; kExpired when it expired; kNonceMismatch when it was answered already
  // (the nonce is spent).
  virtual Result<Session> ClaimResponse(std::string_view request_id, int64_t now) = 0;
  // Complete moves a responded session to completed or failed with `result` (JSON text) and the
  // same-device `response_code` (may be empty), and wipes its encryption key. kInvalidArgument for
  // another target status; kNotFound unless the session is in responded.
  virtual Status Complete(std::string_view id, SessionStatus status, std::string_view result,
                          std::string_view response_code, int64_t now) = 0;
  // CompleteResponse is ClaimResponse and Complete in one durable write: it atomically moves the
  // session with `request_id` from created / request_fetched to `status` (completed or failed)
  // with `result`, `response_code`, and its encryption key wiped, provided now < expires_at.
  // kInvalidArgument for another target status; kNotFound for an unknown request_id; kExpired
  // when it expired; kNonceMismatch when it was answered already (the nonce is spent).
  virtual Status CompleteResponse(std::string_view request_id, SessionStatus status, std::string_view result,
                                  std::string_view response_code, int64_t now) = 0;
  // PurgeExpired deletes sessions whose expires_at is at or before `before` and returns how many.
  virtual Result<int64_t> PurgeExpired(int64_t before) = 0;
};

}  // namespace bonafide::verifier

#endif  // BONAFIDE_VERIFIER_SESSION_STORE_H_
