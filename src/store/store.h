// store/store.h: the issuer's storage interface (issue 4, section 2).
//
// IssuerStore keeps what an OpenID4VCI 1.0 issuer needs between requests: citizen records,
// credential offers and their pre-authorized codes (OID4VCI 1.0 section 4.1.1, "urn:ietf:params:
// oauth:grant-type:pre-authorized_code"), spent c_nonce values (section 7), records of
// issued credentials, Token Status Lists (draft-ietf-oauth-status-list section 4.1) and an
// append-only, hash-chained audit log. Two adapters implement it: store/sqlite_store.h and
// store/postgres_store.h; both run one shared implementation over a small SQL seam, so their
// behaviour (including every error code below) is the same.
//
// Thread safety: every IssuerStore method is safe to call concurrently from many threads. The
// single-use operations (RedeemPreAuthorizedCode, ConsumeNonce) and the chain append (AppendAudit)
// are atomic also across processes that share one database.
//
// Times are Unix seconds passed in by the caller (take them from a base/clock.h Clock), so tests
// pin time. Secrets (pre-authorized codes, tx_codes) are never stored: callers pass
// a hash of them (e.g. SHA-256 or an HMAC under a server key: the caller's choice, used the same
// way when storing and when looking up), and the store compares hashes in constant time.
//
// Error codes (stable; callers branch on them):
//   kInvalidArgument  an id is empty, too long or not printable ASCII; a limit/size is out of range;
//                     a row with that id already exists; a wrong tx_code (attempts remain);
//                     RedeemPreAuthorizedCode called inside WithTransaction; the database schema is
//                     newer than this build.
//   kLimitExceeded    JSON larger than kMaxJsonBytes; tx_code attempts used up (the code is dead);
//                     a status list with no free index.
//   kMalformed        citizen data / audit details are not a strict JSON object (base/json.h).
//   kNotFound         no such row; also a pre-authorized code or nonce that was already consumed
//                     (a replay looks like an unknown code: both are OAuth invalid_grant); a row
//                     that references a missing citizen / offer / status list.
//   kExpired          a code, token or nonce at or past its expires_at (now >= expires_at).
//   kDigestMismatch   VerifyAuditChain found a record whose hash or link does not match; the
//                     message names the first broken seq.
//   kIoError          the database failed (I/O, lock timeout, lost connection).
//   kInternal         a bug (e.g. a stored row that does not decode).
#ifndef BONAFIDE_STORE_STORE_H_
#define BONAFIDE_STORE_STORE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/random.h"
#include "base/status.h"

namespace bonafide::store {

// kMaxIdBytes bounds every id (citizen, offer, configuration, credential, list, batch group).
inline constexpr size_t kMaxIdBytes = 256;
// kMaxJsonBytes bounds citizen data and audit details.
inline constexpr size_t kMaxJsonBytes = 64 * 1024;
// kMaxHashBytes bounds a stored hash (code, token, tx_code); 64 holds SHA-512.
inline constexpr size_t kMaxHashBytes = 64;
// kMaxListPage bounds the `limit` of paged listings.
inline constexpr size_t kMaxListPage = 1000;
// kMaxStatusListSize bounds the number of entries of one status list (2^24).
inline constexpr int64_t kMaxStatusListSize = int64_t{1} << 24;

// Citizen is one citizen record: an id and the JSON object the credential claims come from.
struct Citizen {
  std::string id;
  std::string data_json;   // a JSON object, stored as given
  int64_t created_at = 0;  // set on first insert, kept by updates
  int64_t updated_at = 0;
};

// CitizenInput is one row of an upsert.
struct CitizenInput {
  std::string id;
  std::string data_json;
};

// CredentialOffer is an offer of one credential configuration to one citizen (OID4VCI 1.0
// section 4.1). tx_code_hash is set when the offer requires a Transaction Code.
struct CredentialOffer {
  std::string offer_id;
  std::string citizen_id;
  std::string credential_configuration_id;
  std::optional<Bytes> tx_code_hash;
  int64_t created_at = 0;
  int64_t expires_at = 0;
  bool redeemed = false;  // set when its pre-authorized code is redeemed
};

// PreAuthorizedCode is the hash of a pre-authorized code pointing at an offer.
struct PreAuthorizedCode {
  Bytes code_hash;
  std::string offer_id;
  int64_t expires_at = 0;
  int64_t max_tx_code_attempts = 3;  // wrong tx_codes allowed before the code dies (>= 1)
};

enum class CredentialStatus { kValid = 0, kRevoked = 1, kSuspended = 2 };
// NotificationState follows the OID4VCI 1.0 section 11 events; kNone until the wallet reports.
enum class NotificationState { kNone = 0, kAccepted = 1, kFailure = 2, kDeleted = 3 };

// IssuedCredential is the record of one issued credential (one batch copy).
struct IssuedCredential {
  std::string id;
  std::string citizen_id;
  std::string credential_configuration_id;
  std::string format;          // "dc+sd-jwt", "mso_mdoc", "jwt_vc_json"
  std::string batch_group_id;  // shared by the copies of one batch; also the notification_id
  std::string status_list_id;
  int64_t status_index = 0;
  int64_t issued_at = 0;
  int64_t expires_at = 0;
  CredentialStatus status = CredentialStatus::kValid;
  NotificationState notification = NotificationState::kNone;
};

// IssuedBatch is the record of the copies of one batch issuance, stored as one row. Copy k has
// the record id BatchCopyId(id_prefix, k) and the status index status_indices[k]; every other
// field is the batch's. GetIssuedCredential and ListIssuedCredentials return one IssuedCredential
// per copy, and SetCredentialStatus changes one copy, as for records stored one by one.
struct IssuedBatch {
  std::string id_prefix;
  std::string citizen_id;
  std::string credential_configuration_id;
  std::string format;
  std::string batch_group_id;
  std::string status_list_id;
  std::vector<int64_t> status_indices;  // one per copy: 1 to kMaxBatchCopies
  int64_t issued_at = 0;
  int64_t expires_at = 0;
};
inline constexpr size_t kMaxBatchCopies = 256;

// BatchCopyId is the record id of copy `k` (< kMaxBatchCopies) of a batch: `id_prefix` followed
// by k as two lowercase hex digits.
std::string BatchCopyId(std::string_view id_prefix, size_t k);

// StatusListRecord is a stored Token Status List: `size` entries of `bits` bits, packed least
// significant bit first in `list_bytes` (draft-ietf-oauth-status-list section 4.1, the layout
// status/token_status_list.h reads). `version` increases on every change.
struct StatusListRecord {
  std::string id;
  int bits = 1;
  int64_t size = 0;
  Bytes list_bytes;
  int64_t version = 0;
  int64_t updated_at = 0;
};

// AuditRecord is one entry of the hash-chained audit log.
// hash = SHA-256(prev_hash || AuditCanonicalBytes(record)); the first record's prev_hash is 32
// zero bytes.
struct AuditRecord {
  int64_t seq = 0;  // 1, 2, 3, ...
  int64_t time = 0;
  std::string actor;
  std::string action;
  std::string details_json;
  Bytes prev_hash;
  Bytes hash;
};

// AuditCanonicalBytes returns the bytes an audit record's hash covers: "bonafide-audit-v1", then
// seq and time as 8-byte big-endian, then actor, action and details_json each as a 4-byte
// big-endian length and the bytes.
Bytes AuditCanonicalBytes(const AuditRecord& record);

// IssuerStore is the storage interface of the issuer. See the file comment for thread safety and
// the error codes.
class IssuerStore {
 public:
  virtual ~IssuerStore() = default;

  // --- citizens ---
  // UpsertCitizen inserts or replaces the record `id` (created_at kept on replace).
  virtual Status UpsertCitizen(std::string_view id, std::string_view data_json, int64_t now) = 0;
  // UpsertCitizens upserts `rows` in one transaction: all or nothing. A bad row fails the whole
  // call with its error and its position in the message. Callers import large files in batches
  // (e.g. 10,000 rows per call). A repeated id within `rows` keeps the last one.
  virtual Status UpsertCitizens(std::span<const CitizenInput> rows, int64_t now) = 0;
  // GetCitizen returns the record; kNotFound if absent.
  virtual Result<Citizen> GetCitizen(std::string_view id) = 0;
  // ListCitizens returns up to `limit` (1..kMaxListPage) records with id > `after_id` in id order;
  // pass the last id of a page to get the next ("" for the first page).
  virtual Result<std::vector<Citizen>> ListCitizens(std::string_view after_id, size_t limit) = 0;
  // CountCitizens returns the number of citizen records.
  virtual Result<int64_t> CountCitizens() = 0;

  // --- offers and pre-authorized codes ---
  // CreateOffer stores `offer` (redeemed is ignored); kNotFound if the citizen does not exist,
  // kInvalidArgument if the offer id exists.
  virtual Status CreateOffer(const CredentialOffer& offer) = 0;
  // GetOffer returns the offer; kNotFound if absent.
  virtual Result<CredentialOffer> GetOffer(std::string_view offer_id) = 0;
  // CreatePreAuthorizedCode stores `code`; kNotFound if its offer does not exist.
  virtual Status CreatePreAuthorizedCode(const PreAuthorizedCode& code) = 0;
  // RedeemPreAuthorizedCode consumes the code atomically and returns its offer. Exactly one of
  // any number of concurrent callers (threads or processes) succeeds. Checks in order: unknown or
  // already used -> kNotFound; now >= expires_at -> kExpired; attempts used up -> kLimitExceeded;
  // `tx_code_hash` missing where the offer has a tx_code_hash, or given where it has none ->
  // kMalformed, nothing written; then a `tx_code_hash` that differs -> the attempt counter goes up
  // (durably) and the call fails with kInvalidArgument, or kLimitExceeded if that was the last
  // allowed attempt. `tx_code_hash` is the caller's hash of the presented tx_code.
  virtual Result<CredentialOffer> RedeemPreAuthorizedCode(ByteView code_hash,
                                                          std::optional<ByteView> tx_code_hash,
                                                          int64_t now) = 0;

  // --- nonces ---
  // (Access tokens are not stored: the issuer seals what a token authorises into the token,
  // issuer/service.cc. Schema v5 dropped the access_tokens table of earlier versions.)
  // CreateNonce stores a c_nonce valid until `expires_at`; kInvalidArgument if it exists.
  virtual Status CreateNonce(std::string_view nonce, int64_t expires_at) = 0;
  // ConsumeNonce consumes `nonce` once, atomically: kNotFound if unknown or already consumed,
  // kExpired if now >= its expires_at (it is consumed all the same).
  virtual Status ConsumeNonce(std::string_view nonce, int64_t now) = 0;
  // PurgeExpired deletes, in one transaction, the nonces and pre-authorized codes that are
  // expired at `now` (now >= expires_at, the rule every lookup applies), then the expired offers
  // that no remaining code points at, and returns how many rows
  // went in all. Citizens, issued-credential records, status lists and the audit log are never
  // purged.
  virtual Result<int64_t> PurgeExpired(int64_t now) = 0;

  // --- issued credentials ---
  // InsertIssuedCredential stores `record`; kNotFound if the citizen or the status list does not
  // exist, kInvalidArgument if the id exists.
  virtual Status InsertIssuedCredential(const IssuedCredential& record) = 0;
  // InsertIssuedBatch stores the copies of one batch as one row (the issuance path: one B-tree
  // insert per batch instead of one per copy). kInvalidArgument for a batch without copies or
  // with more than kMaxBatchCopies, an id prefix that is empty, over 254 bytes or not printable
  // ASCII, a negative status index, or when any copy's id is taken (by a batch or a record);
  // kNotFound if the citizen or the status list does not exist.
  virtual Status InsertIssuedBatch(const IssuedBatch& batch) = 0;
  // GetIssuedCredential returns the record (of a copy of a batch, or stored alone); kNotFound if
  // absent.
  virtual Result<IssuedCredential> GetIssuedCredential(std::string_view id) = 0;
  // ListIssuedCredentials returns the citizen's records (of `configuration_id` only when given),
  // oldest first; an empty vector when there are none.
  virtual Result<std::vector<IssuedCredential>> ListIssuedCredentials(
      std::string_view citizen_id, std::optional<std::string_view> configuration_id) = 0;
  // SetCredentialStatus sets the record's status column (the status list bit is SetStatus's
  // job; do both in one WithTransaction). kNotFound if absent.
  virtual Status SetCredentialStatus(std::string_view id, CredentialStatus status) = 0;
  // SetNotificationState sets the state of every copy in `batch_group_id`; kNotFound if none.
  virtual Status SetNotificationState(std::string_view batch_group_id, NotificationState state) = 0;

  // --- status lists ---
  // CreateStatusList creates list `id` of `size` entries (1..kMaxStatusListSize) of `bits` bits
  // (1, 2, 4 or 8), all 0, version 1; kInvalidArgument for bad values or an existing id.
  virtual Status CreateStatusList(std::string_view id, int bits, int64_t size, int64_t now) = 0;
  // GetStatusList returns the list; kNotFound if absent.
  virtual Result<StatusListRecord> GetStatusList(std::string_view id) = 0;
  // ListStatusListIds returns the ids of all lists in id order.
  virtual Result<std::vector<std::string>> ListStatusListIds() = 0;
  // AllocateStatusIndex reserves an unused index of list `id` chosen uniformly at random with
  // `random` (so an index says nothing about issue order) and returns it. Atomic: concurrent
  // callers never get the same index. kNotFound for an unknown list, kLimitExceeded when full.
  Result<int64_t> AllocateStatusIndex(std::string_view id, Random& random) {
    ASSIGN_OR_RETURN(std::vector<int64_t> one, AllocateStatusIndices(id, 1, random));
    return one.front();
  }
  // AllocateStatusIndices reserves `count` (1 to 1,000) distinct unused indices the same way, in
  // one transaction on the list row (a batch of credentials takes its indices at once). All or
  // none: kLimitExceeded, and nothing reserved, when fewer than `count` are free. The SQL stores
  // draw from a shuffled pool of the list's indices, made (with `random`) on its first allocation.
  virtual Result<std::vector<int64_t>> AllocateStatusIndices(std::string_view id, int64_t count, Random& random) = 0;
  // SetStatuses writes `value` (< 2^bits) at each of `indices` (each < size) of list `id` and
  // bumps its version once, in one read-modify-write under a row lock: revoking a batch's copies
  // rewrites the list once, not once per copy. All or nothing: kNotFound for an unknown list,
  // kInvalidArgument for a value or any index out of range, and then nothing is written.
  virtual Status SetStatuses(std::string_view id, std::span<const int64_t> indices, uint8_t value, int64_t now) = 0;
  Status SetStatus(std::string_view id, int64_t index, uint8_t value, int64_t now) {
    return SetStatuses(id, std::span<const int64_t>(&index, 1), value, now);
  }

  // --- audit log ---
  // AppendAudit appends a record (details_json: a JSON object; actor and action: printable
  // ASCII) to the chain and returns it; concurrent appenders are serialised on the chain head.
  virtual Result<AuditRecord> AppendAudit(std::string_view actor, std::string_view action,
                                          std::string_view details_json, int64_t now) = 0;
  // ListAudit returns up to `limit` (1..kMaxListPage) records with seq > after_seq in order.
  virtual Result<std::vector<AuditRecord>> ListAudit(int64_t after_seq, size_t limit) = 0;
  // VerifyAuditChain recomputes every hash and link; OK, or kDigestMismatch naming the first
  // broken seq ("audit record 17: ...") when a record was edited, removed or reordered.
  virtual Status VerifyAuditChain() = 0;

  // --- transactions ---
  // WithTransaction runs `fn` with a store whose operations all belong to one transaction, and
  // commits durably if `fn` returns OK; otherwise rolls back and returns fn's error. Use only the
  // store passed to `fn` inside it (using `this` there may wait for the pool). Inside it,
  // RedeemPreAuthorizedCode returns kInvalidArgument (a rollback would undo the attempt counter)
  // and WithTransaction nests by running `fn` in the same transaction.
  virtual Status WithTransaction(const std::function<Status(IssuerStore& tx)>& fn) = 0;
};

}  // namespace bonafide::store

#endif  // BONAFIDE_STORE_STORE_H_
