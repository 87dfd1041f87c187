// cli/status_check.h: wiring a fetched status list file into credential verification.
#ifndef BONAFIDE_CLI_STATUS_CHECK_H_
#define BONAFIDE_CLI_STATUS_CHECK_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/json.h"
#include "base/status.h"
#include "crypto/keys.h"
#include "crypto/x509.h"

namespace bonafide::cli {

// TokenStatusChecker returns a callback for the SD-JWT `status` claim that verifies the Status
// List Token in `token` (its sub must equal the claim's uri) with `key`, or with the key of an
// x5c chain in the token header that leads to one of `anchors`, and checks the entry.
std::function<Status(const Json&)> TokenStatusChecker(std::string token, std::optional<crypto::PublicKey> key,
                                                      std::vector<crypto::Certificate> anchors,
                                                      const Clock& clock);

}  // namespace bonafide::cli

#endif  // BONAFIDE_CLI_STATUS_CHECK_H_
