#include "targets.h"

#include <algorithm>
#include <set>
#include <sstream>

#include "error.h"

namespace npujar::codegen {
namespace {

// The x86-64 microarchitecture levels of the System V psABI, in LLVM 15's
// feature names. Each level includes the previous one.
const std::vector<std::string> kX86V2 = {"cx16", "sahf", "popcnt", "sse3", "ssse3", "sse4.1",
                                         "sse4.2"};
const std::vector<std::string> kX86V3Extra = {"avx", "avx2", "bmi", "bmi2", "f16c",
                                              "fma", "lzcnt", "movbe", "xsave"};
const std::vector<std::string> kX86V4Extra = {"avx512f", "avx512bw", "avx512cd", "avx512dq",
                                              "avx512vl"};

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

std::vector<TargetSpec> make_targets() {
  const std::string x86_triple = "x86_64-unknown-linux-gnu";
  const std::string arm_triple = "aarch64-unknown-linux-gnu";
  std::vector<std::string> v3 = concat(kX86V2, kX86V3Extra);
  std::vector<std::string> v4 = concat(v3, kX86V4Extra);
  return {
      {"cpu-x86-64-v2", "x86_64", x86_triple, "x86-64-v2", kX86V2, 16, OutputFormat::kObject},
      {"cpu-x86-64-v3", "x86_64", x86_triple, "x86-64-v3", v3, 32, OutputFormat::kObject},
      {"cpu-x86-64-v4", "x86_64", x86_triple, "x86-64-v4", v4, 64, OutputFormat::kObject},
      {"cpu-aarch64", "aarch64", arm_triple, "generic", {"neon"}, 16, OutputFormat::kObject},
      // Portable bitcode: no CPU and no features, so that the JIT on the
      // host sets them. x86-64 links the 32-byte kernels: native on AVX2,
      // split into two SSE operations on older hosts.
      {"bitcode-x86_64", "x86_64", x86_triple, "", {}, 32, OutputFormat::kBitcode},
      {"bitcode-aarch64", "aarch64", arm_triple, "", {}, 16, OutputFormat::kBitcode},
  };
}

std::string trim(const std::string& text) {
  size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string::npos) return "";
  size_t end = text.find_last_not_of(" \t");
  return text.substr(begin, end - begin + 1);
}

std::string valid_names() {
  std::string names;
  for (const TargetSpec& target : all_targets()) names += target.variant_name + ", ";
  return names + "bitcode, all";
}

}  // namespace

const std::vector<TargetSpec>& all_targets() {
  static const std::vector<TargetSpec> targets = make_targets();
  return targets;
}

std::string default_targets_text() {
  return "cpu-x86-64-v2,cpu-x86-64-v3,cpu-x86-64-v4,cpu-aarch64,bitcode";
}

std::vector<TargetSpec> parse_targets(const std::string& text) {
  std::set<std::string> selected;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) {
    item = trim(item);
    if (item.empty()) continue;
    if (item == "all") {
      for (const TargetSpec& target : all_targets()) selected.insert(target.variant_name);
      continue;
    }
    if (item == "bitcode") {
      selected.insert("bitcode-x86_64");
      selected.insert("bitcode-aarch64");
      continue;
    }
    bool known = std::any_of(all_targets().begin(), all_targets().end(),
                             [&](const TargetSpec& target) { return target.variant_name == item; });
    if (!known) {
      throw CodegenError("unknown target '" + item + "'; valid targets are " + valid_names());
    }
    selected.insert(item);
  }
  if (selected.empty()) {
    throw CodegenError("no target given in '" + text + "'; valid targets are " + valid_names());
  }

  std::vector<TargetSpec> targets;
  for (const TargetSpec& target : all_targets()) {
    if (selected.count(target.variant_name)) targets.push_back(target);
  }
  return targets;
}

std::string llvm_feature_string(const TargetSpec& target) {
  std::string text;
  for (const std::string& feature : target.features) {
    if (!text.empty()) text += ",";
    text += "+" + feature;
  }
  return text;
}

}  // namespace npujar::codegen
