// The code generation targets `npujar pack --targets` accepts: one entry
// per compiled variant, with the LLVM triple, CPU and features it is built
// for and the host CPU features the runtime must find before loading it.
#pragma once

#include <string>
#include <vector>

namespace npujar::codegen {

enum class OutputFormat { kObject, kBitcode };

struct TargetSpec {
  std::string variant_name;   // manifest variant and section suffix, e.g. "cpu-x86-64-v3"
  std::string arch;           // manifest arch: x86_64 | aarch64
  std::string triple;         // LLVM target triple
  std::string cpu;            // LLVM target-cpu; empty for portable bitcode
  // LLVM feature names without "+", for target-features and the manifest's
  // cpu_features (every one must be present on the host).
  std::vector<std::string> features;
  int vector_bytes = 16;      // which kernel bitcode build is linked in
  OutputFormat format = OutputFormat::kObject;
};

// Every known target, in the order variants are written.
const std::vector<TargetSpec>& all_targets();

// The default of --targets: every target.
std::string default_targets_text();

// Parses a comma-separated list of target names. "bitcode" selects both
// portable bitcode targets and "all" every target; duplicates collapse and
// the result keeps all_targets() order. Throws CodegenError naming an
// unknown entry and listing the valid ones.
std::vector<TargetSpec> parse_targets(const std::string& text);

// "+sse4.2,+popcnt,..." for LLVM's target-features attribute.
std::string llvm_feature_string(const TargetSpec& target);

}  // namespace npujar::codegen
