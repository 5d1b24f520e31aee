// Entry point of the npujar tool: builds the subcommand table and dispatches.
#include <cstdio>
#include <exception>

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

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error);
  } catch (const npujar::cli::CommandError& error) {
    std::fprintf(stderr, "npujar: %s\n", error.message.c_str());
    return error.exit_code;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "npujar: internal error: %s\n", error.what());
    return 2;
  }
  return 0;
}
