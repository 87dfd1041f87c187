// cli/commands.h: registration of the bonafide CLI's command groups. Each Register* adds a
// subcommand tree to `app`; when a command runs it stores its process exit code in `exit_code`.
#ifndef BONAFIDE_CLI_COMMANDS_H_
#define BONAFIDE_CLI_COMMANDS_H_

#include <CLI/CLI.hpp>

namespace bonafide::cli {

void RegisterKeyCommands(CLI::App& app, int& exit_code);
void RegisterSdJwtCommands(CLI::App& app, int& exit_code);
void RegisterVcCommands(CLI::App& app, int& exit_code);
void RegisterStatusCommands(CLI::App& app, int& exit_code);
void RegisterPkiCommands(CLI::App& app, int& exit_code);
void RegisterMdocCommands(CLI::App& app, int& exit_code);
void RegisterWalletCommands(CLI::App& app, int& exit_code);
// IssuerGroup returns the `issuer` subcommand group of `app`, creating it on first use, so the
// files that add issuer subcommands (issuer_commands.cc, issuer_admin_commands.cc) share one group.
CLI::App* IssuerGroup(CLI::App& app);
void RegisterIssuerCommands(CLI::App& app, int& exit_code);
// RegisterIssuerAdminCommands adds `issuer citizen|import|offer|revoke|audit` to IssuerGroup(app).
void RegisterIssuerAdminCommands(CLI::App& app, int& exit_code);
// RegisterRegistryCommands adds `registry init|add-issuer|add-rp|list|suspend-rp|publish`.
void RegisterRegistryCommands(CLI::App& app, int& exit_code);
// RegisterVerifierCommands adds `verifier init|serve|check|result`.
void RegisterVerifierCommands(CLI::App& app, int& exit_code);
// RegisterUpCommand adds `up`: issuer, verifier and web wallet on this machine (up_command.cc).
void RegisterUpCommand(CLI::App& app, int& exit_code);

}  // namespace bonafide::cli

#endif  // BONAFIDE_CLI_COMMANDS_H_
