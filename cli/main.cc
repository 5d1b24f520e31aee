// Entry point of the npujar tool: builds the subcommand table and dispatches.
#include <cstdio>
#include <exception>
#include <string>

#include "commands.h"

namespace {

struct CommandEntry {
  const char* name;
  void (*add)(CLI::App& app);
};

// Every subcommand, in the order `npujar --help` lists them.
const CommandEntry kCommands[] = {
    {"pack", npujar::cli::add_pack_command},
    {"inspect", npujar::cli::add_inspect_command},
    {"verify", npujar::cli::add_verify_command},
    {"run", npujar::cli::add_run_command},
    {"compare", npujar::cli::add_compare_command},
    {"targets", npujar::cli::add_targets_command},
    {"bench", npujar::cli::add_bench_command},
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"npujar: pack PyTorch models into archives that JVM applications run natively"};
  const std::string version = std::string("npujar ") + NPUJAR_VERSION_STRING;
  app.set_version_flag("--version", version);
  app.require_subcommand(1);
  for (const CommandEntry& command : kCommands) {
    command.add(app);
  }

  // `npujar <command> --version` works too; a command that registered its
  // own flag keeps it.
  for (CLI::App* subcommand : app.get_subcommands([](CLI::App*) { return true; })) {
    if (subcommand->get_option_no_throw("--version") == nullptr) {
      subcommand->set_version_flag("--version", version);
    }
  }

  // CLI11 reports an unknown subcommand only as "A subcommand is required".
  if (argc > 1 && argv[1][0] != '-') {
    std::string known;
    bool found = false;
    for (const CommandEntry& command : kCommands) {
      known += (known.empty() ? "" : ", ") + std::string(command.name);
      found = found || argv[1] == std::string(command.name);
    }
    if (!found) {
      std::fprintf(stderr, "npujar: unknown subcommand '%s'; the subcommands are: %s\n",
                   argv[1], known.c_str());
      return 1;
    }
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    // app.exit prints CLI11's message and returns 0 for --help and --version.
    // Every other argument error exits 1, as docs/cli.md states.
    return app.exit(error) == 0 ? 0 : 1;
  } catch (const npujar::cli::CommandError& error) {
    std::fprintf(stderr, "npujar: %s\n", error.message.c_str());
    return error.exit_code;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "npujar: internal error: %s\n", error.what());
    return 2;
  }
  return 0;
}
