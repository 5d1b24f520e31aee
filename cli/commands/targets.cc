// `npujar targets [M.npujar ...]`: shows what this machine offers (CPU
// architecture, features and cores; Level Zero state and devices) and, for
// each archive given, which variant the runtime would load and why, without
// loading or compiling anything.
#include <cstdio>
#include <string>
#include <vector>

#include "commands.h"

#if __has_include("npujar/runtime/selection.h")
#define NPUJAR_CLI_HAS_RUNTIME 1
#include "npujar/format/reader.h"
#include "npujar/runtime/host_probe.h"
#include "npujar/runtime/options.h"
#include "npujar/runtime/selection.h"
#endif
#if defined(NPUJAR_RUNTIME_HAS_NPU_BACKEND)
#include "npu_backend.h"
#endif

// Code generation's headers are visible only when the tool links it.
#if __has_include("targets.h") && defined(NPUJAR_CLI_HAS_RUNTIME)
#define NPUJAR_CLI_HAS_CODEGEN_TARGETS 1
#include "targets.h"
#endif

namespace npujar::cli {
namespace {

struct TargetsOptions {
  std::vector<std::string> archives;
  std::string variant;
  std::string jit = "auto";
  std::string device = "auto";
};

#ifdef NPUJAR_CLI_HAS_RUNTIME

void print_host(const runtime::CpuInfo& cpu, const runtime::LevelZeroInfo& level_zero) {
  std::printf("host\n");
  std::printf("  arch:       %s\n", cpu.arch.c_str());
  std::printf("  cpu:        %s (name for logs only; selection uses features)\n",
              cpu.cpu_name.c_str());
  std::printf("  cores:      %d physical, %d logical\n", cpu.physical_cores, cpu.logical_cpus);
  std::string features;
  for (const std::string& feature : cpu.features) {
    features += (features.empty() ? "" : " ") + feature;
  }
  std::printf("  features:   %s\n", features.c_str());
  std::printf("  level zero: %s\n", runtime::describe_level_zero(level_zero).c_str());
  for (const runtime::DeviceInfo& device : level_zero.devices) {
    std::printf("    %s '%s' vendor 0x%04x device 0x%04x\n", runtime::device_type_name(device.type),
                device.name.c_str(), device.vendor_id, device.device_id);
  }
#if defined(NPUJAR_RUNTIME_HAS_NPU_BACKEND)
  std::printf("  %s\n", runtime::describe_npu().c_str());
#endif
}

#ifdef NPUJAR_CLI_HAS_CODEGEN_TARGETS
// Lists the targets `npujar pack --targets` accepts and whether this host
// can run each one precompiled.
void print_pack_targets(const runtime::CpuInfo& cpu) {
  std::printf("\npack targets (npujar pack --targets)\n");
  for (const codegen::TargetSpec& target : codegen::all_targets()) {
    std::string missing;
    for (const std::string& feature : target.features) {
      if (!cpu.has_feature(feature)) {
        missing += (missing.empty() ? "" : " ") + feature;
      }
    }
    const char* verdict = "runs here";
    std::string detail;
    if (target.arch != cpu.arch) {
      verdict = "other arch";
    } else if (target.format == codegen::OutputFormat::kBitcode) {
      verdict = "JIT-compiled here";
    } else if (!missing.empty()) {
      verdict = "missing features";
      detail = " (" + missing + ")";
    }
    std::printf("  %-18s %s%s\n", target.variant_name.c_str(), verdict, detail.c_str());
  }
}
#endif

// Prints the selection for one archive. Returns false when the archive
// cannot be opened or is invalid.
bool print_archive(const std::string& path, const runtime::SelectionInput& input) {
  std::printf("\n%s\n", path.c_str());
  try {
    format::ArchiveReader reader = format::ArchiveReader::open_file(path);
    runtime::Result<runtime::Selection> selection =
        runtime::select_variants(reader.manifest(), input);
    if (!selection) {
      std::printf("  no variant: %s\n", selection.status().message().c_str());
      return true;
    }
    for (size_t i = 0; i < selection->candidates.size(); ++i) {
      const runtime::Candidate& candidate = selection->candidates[i];
      std::printf("  %s %-22s %s: %s\n", i == 0 ? "=>" : "  ", candidate.variant->name.c_str(),
                  runtime::load_action_name(candidate.action), candidate.reason.c_str());
    }
    for (const runtime::SkippedVariant& skipped : selection->skipped) {
      std::printf("     %-22s skipped: %s\n", skipped.name.c_str(), skipped.reason.c_str());
    }
    std::printf("  the runtime loads the first candidate (=>) and falls back in order if it "
                "fails\n");
  } catch (const format::FormatError& error) {
    std::printf("  invalid archive: %s\n", error.message().c_str());
    return false;
  }
  return true;
}

void targets_command(const TargetsOptions& options) {
  auto jit = runtime::parse_jit_mode(options.jit);
  if (!jit) {
    throw CommandError{"targets: --jit '" + options.jit + "' is invalid; use auto, forbid or force"};
  }
  auto device = runtime::parse_device_preference(options.device);
  if (!device) {
    throw CommandError{"targets: --device '" + options.device +
                       "' is invalid; use auto, cpu, npu or gpu"};
  }

  const runtime::CpuInfo& cpu = runtime::host_cpu();
  const runtime::LevelZeroInfo& level_zero = runtime::host_level_zero();
  print_host(cpu, level_zero);
#ifdef NPUJAR_CLI_HAS_CODEGEN_TARGETS
  print_pack_targets(cpu);
#endif

  runtime::SelectionInput input;
  input.cpu = &cpu;
  input.level_zero = &level_zero;
  input.jit_mode = *jit;
  input.device = *device;
  input.forced_variant = options.variant;
#if defined(NPUJAR_RUNTIME_HAS_NPU_BACKEND)
  input.device_backends.insert("npu");
#endif
  size_t failed = 0;
  for (const std::string& path : options.archives) {
    if (!print_archive(path, input)) {
      ++failed;
    }
  }
  if (failed > 0) {
    throw CommandError{"targets: " + std::to_string(failed) + " of " +
                       std::to_string(options.archives.size()) +
                       " archives could not be opened; see the messages above"};
  }
}

#else

void targets_command(const TargetsOptions&) {
  throw CommandError{
      "targets: this npujar was built without the runtime; configure with -DNPUJAR_WITH_LLVM=ON"};
}

#endif

}  // namespace

void add_targets_command(CLI::App& app) {
  auto options = std::make_shared<TargetsOptions>();
  CLI::App* command = app.add_subcommand(
      "targets", "Show this machine's CPU and devices, and which variant each archive would get");
  command->add_option("archives", options->archives, "Archives to select a variant for");
  command->add_option("--variant", options->variant, "Select as if this variant were forced");
  command->add_option("--jit", options->jit, "JIT mode to select with: auto, forbid or force");
  command->add_option("--device", options->device,
                      "Device preference to select with: auto, cpu, npu or gpu");
  command->callback([options] { targets_command(*options); });
}

}  // namespace npujar::cli
