// Builds .npujar archives around the tiny test model (data/tiny_model.c),
// whose objects and bitcode the test build compiles with clang-15.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "npujar/format/format.h"

namespace npujar::runtime::testing {

// Path of a file compiled from data/ by the test build, e.g. "tiny_model_v3.o".
std::string test_data_path(const std::string& name);
std::vector<uint8_t> read_file(const std::string& path);

// A variant to put into a test archive with its section bytes.
struct VariantSpec {
  std::string name;
  std::string kind = "cpu";
  std::string format = "object";
  std::string arch = "x86_64";
  std::vector<std::string> cpu_features;
  std::vector<uint8_t> section;
  format::SectionKind section_kind = format::SectionKind::kObject;
  int64_t abi_version = 1;
  std::map<std::string, std::string> properties;
};

VariantSpec object_variant(const std::string& name, const std::string& object_file,
                           std::vector<std::string> cpu_features);
VariantSpec bitcode_variant(const std::string& name, const std::string& bitcode_file);

// The tiny model's manifest without variants: input x f32 [N,4], output y
// f32 [N,4], weights w[4] and b[4], arena 16 bytes per N.
format::Manifest tiny_manifest();

// The tiny model's weights: w then b.
std::vector<float> tiny_weights();

// y = tanh(x * w + b) per row, computed in double.
std::vector<double> tiny_reference(const std::vector<float>& x);

// Encodes a graph section that declares `manifest`'s inputs and outputs and
// one f32[2,4] constant whose bytes are tiny_weights().
std::vector<uint8_t> tiny_graph_section(const format::Manifest& manifest);

// Writes an archive with the tiny model's graph and weights sections and
// the given variants; `manifest` defaults to tiny_manifest().
std::vector<uint8_t> build_archive(const std::vector<VariantSpec>& variants);
std::vector<uint8_t> build_archive(const std::vector<VariantSpec>& variants,
                                   format::Manifest manifest);
// Writes an archive with the given graph and weights section bytes, which
// need not match `manifest`.
std::vector<uint8_t> build_archive(const std::vector<VariantSpec>& variants,
                                   format::Manifest manifest, const std::vector<uint8_t>& graph,
                                   const std::vector<uint8_t>& weights);

// A fresh empty directory under the system temp dir.
std::string make_temp_dir(const std::string& prefix);

// Host features of the x86-64 micro-architecture levels, as LLVM names them.
std::vector<std::string> x86_64_v2_features();
std::vector<std::string> x86_64_v3_features();
std::vector<std::string> x86_64_v4_features();

}  // namespace npujar::runtime::testing
