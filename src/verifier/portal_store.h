// verifier/portal_store.h: the employer portal's list of the checks its staff started.
//
// The verifier's sessions are purged once their results' retention ends; the checks a business
// made are its evidence for years (check_record.h), so the portal keeps its own row per check:
// who started it and when, and once finished its status, outcome and signed check record. Rows
// live in the verifier's database (table portal_checks, created if missing) on SQLite or
// PostgreSQL.
//
// Thread safety: safe for concurrent use.
#ifndef BONAFIDE_VERIFIER_PORTAL_STORE_H_
#define BONAFIDE_VERIFIER_PORTAL_STORE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"

namespace bonafide::verifier {

// PortalCheck is one check started from the portal.
struct PortalCheck {
  std::string session_id{};
  std::string check{};
  std::string started_by{};
  int64_t created_at = 0;
  std::string status = "created";  // the verifier session's status when last seen
  std::string outcome{};           // the decision's outcome, or the error code when failed
  std::string check_record{};      // the check-record JWT, when the decision was confirmed
  int64_t finished_at = 0;         // 0 while pending
  bool finished() const { return finished_at != 0; }
};

// PortalCheckStore keeps PortalChecks.
class PortalCheckStore {
 public:
  virtual ~PortalCheckStore() = default;

  // OpenSqlite / OpenPostgres open the verifier's database and create the table if missing.
  // kIoError when the database cannot be opened.
  static Result<std::unique_ptr<PortalCheckStore>> OpenSqlite(const std::string& path);
  static Result<std::unique_ptr<PortalCheckStore>> OpenPostgres(const std::string& conninfo);

  // Insert adds a check. kInvalidArgument for an empty session id, check or user, or a session id
  // already present.
  virtual Status Insert(const PortalCheck& check) = 0;
  // Finish records the final status, outcome, check record and time of `session_id` once (a
  // finished row is never changed again). kNotFound for an unknown session id.
  virtual Status Finish(const std::string& session_id, const std::string& status, const std::string& outcome,
                        const std::string& check_record, int64_t finished_at) = 0;
  // Get returns one check. kNotFound for an unknown session id.
  virtual Result<PortalCheck> Get(const std::string& session_id) = 0;
  // List returns up to `limit` checks (1..500), newest first, skipping `offset`.
  virtual Result<std::vector<PortalCheck>> List(int limit, int offset) = 0;
  // Count returns how many checks there are.
  virtual Result<int64_t> Count() = 0;
};

}  // namespace bonafide::verifier

#endif  // BONAFIDE_VERIFIER_PORTAL_STORE_H_
