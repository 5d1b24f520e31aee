// `npujar verify FILE`: validates an archive's structure, every section's
// checksum, the model content hash, and that the manifest's inputs, outputs
// and arena agree with the graph section and the variants. Exits 0 when all hold, otherwise 1
// with the first problem found and its error code.
#include <cstdio>

#include "commands.h"
#include "npujar/format/reader.h"
#include "npujar/runtime/archive_check.h"

namespace npujar::cli {
namespace {

struct VerifyOptions {
  std::string path;
};

void run_verify(const VerifyOptions& options) {
  try {
    format::ArchiveReader reader = format::ArchiveReader::open_file(options.path);
    reader.verify();
    runtime::Status consistent = runtime::check_manifest_against_graph(reader);
    for (const format::Variant& variant : reader.manifest().variants) {
      if (consistent) {
        consistent = runtime::check_variant_arena(reader.manifest(), variant);
      }
    }
    if (!consistent) {
      throw CommandError{"verify: " + options.path + ": " + consistent.message() +
                         " [malformed_manifest]"};
    }

    uint64_t raw_bytes = 0;
    for (const format::SectionInfo& section : reader.sections()) {
      raw_bytes += section.entry.raw_size;
    }
    std::printf("%s: ok (format %u.%u, %zu sections, %llu raw bytes checked)\n",
                options.path.c_str(), reader.header().major_version,
                reader.header().minor_version, reader.sections().size(),
                static_cast<unsigned long long>(raw_bytes));
  } catch (const format::FormatError& error) {
    throw CommandError{"verify: " + options.path + ": " + error.message() + " [" +
                       format::error_code_name(error.code()) + "]"};
  }
}

}  // namespace

void add_verify_command(CLI::App& app) {
  auto options = std::make_shared<VerifyOptions>();
  CLI::App* command = app.add_subcommand(
      "verify", "Check an archive's structure and every checksum; exit 1 on the first problem");
  command->set_version_flag("--version", std::string("npujar ") + NPUJAR_VERSION_STRING);
  command->add_option("FILE", options->path, "The .npujar archive to check")->required();
  command->callback([options] { run_verify(*options); });
}

}  // namespace npujar::cli
