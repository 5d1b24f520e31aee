// Subcommands of the npujar tool. Each add_*_command registers one
// subcommand, its options and its callback on `app`; main.cc lists them all.
#pragma once

#include <CLI/CLI.hpp>

namespace npujar::cli {

// Thrown by a command's callback to end with a message and exit status 1.
// main() prints it as "npujar <command>: <message>".
struct CommandError {
  std::string message;
  int exit_code = 1;
};

void add_pack_command(CLI::App& app);
void add_inspect_command(CLI::App& app);
void add_verify_command(CLI::App& app);
void add_run_command(CLI::App& app);
void add_compare_command(CLI::App& app);
void add_targets_command(CLI::App& app);
void add_bench_command(CLI::App& app);

}  // namespace npujar::cli
