// bonafide: the command-line tool over the bonafide libraries.
#include <exception>
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/allocator.h"
#include "cli/commands.h"
#include "cli/io.h"

int main(int argc, char** argv) {
  CLI::App app("bonafide: digital identity credentials (SD-JWT VC, W3C VC-JWT, status lists)", "bonafide");
  app.require_subcommand(1);
  app.set_version_flag("--version", "bonafide 0.1.0 (allocator: " + bonafide::cli::AllocatorDescription() + ")");
  int exit_code = 0;
  bonafide::cli::RegisterKeyCommands(app, exit_code);
  bonafide::cli::RegisterSdJwtCommands(app, exit_code);
  bonafide::cli::RegisterVcCommands(app, exit_code);
  bonafide::cli::RegisterStatusCommands(app, exit_code);
  bonafide::cli::RegisterPkiCommands(app, exit_code);
  bonafide::cli::RegisterMdocCommands(app, exit_code);
  bonafide::cli::RegisterWalletCommands(app, exit_code);
  bonafide::cli::RegisterIssuerCommands(app, exit_code);
  bonafide::cli::RegisterIssuerAdminCommands(app, exit_code);
  bonafide::cli::RegisterRegistryCommands(app, exit_code);
  bonafide::cli::RegisterVerifierCommands(app, exit_code);
  bonafide::cli::RegisterUpCommand(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help / --version exit 0; every usage error exits 2.
    return app.exit(e) == 0 ? 0 : 2;
  } catch (const std::exception& e) {
    // Library code returns Status; reaching here is a bug, reported without a stack trace.
    return bonafide::cli::ReportError(bonafide::Error(bonafide::StatusCode::kInternal, e.what()));
  }
  return exit_code;
}
