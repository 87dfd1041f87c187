// `bonafide vc ...`: W3C VCDM 2.0 credentials as JWT (jwt_vc_json). Filled in below.
#include "cli/commands.h"

namespace bonafide::cli {
void RegisterVcCommands(CLI::App&, int&) {}
}  // namespace bonafide::cli
