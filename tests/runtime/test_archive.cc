#include "test_archive.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace npujar::runtime::testing {

std::string test_data_path(const std::string& name) {
  return std::string(NPUJAR_RUNTIME_TEST_DATA_DIR) + "/" + name;
}

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    throw std::runtime_error("cannot open test file " + path);
  }
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(file)),
                              std::istreambuf_iterator<char>());
}

VariantSpec object_variant(const std::string& name, const std::string& object_file,
                           std::vector<std::string> cpu_features) {
  VariantSpec spec;
  spec.name = name;
  spec.cpu_features = std::move(cpu_features);
  spec.section = read_file(test_data_path(object_file));
  return spec;
}

VariantSpec bitcode_variant(const std::string& name, const std::string& bitcode_file) {
  VariantSpec spec;
  spec.name = name;
  spec.format = "bitcode";
  spec.section = read_file(test_data_path(bitcode_file));
  spec.section_kind = format::SectionKind::kBitcode;
  return spec;
}

format::Manifest tiny_manifest() {
  format::Manifest manifest;
  manifest.producer = {"npujar-runtime-tests", "0"};
  manifest.model.name = "tiny";
  format::TensorSpec x{"x", "f32", {format::Dimension::symbolic("N"), format::Dimension::fixed(4)}};
  format::TensorSpec y{"y", "f32", {format::Dimension::symbolic("N"), format::Dimension::fixed(4)}};
  manifest.inputs = {x};
  manifest.outputs = {y};
  manifest.symbols = {"N"};
  manifest.graph_section = "graph";
  manifest.weights_section = "weights";
  manifest.arena.base_bytes = 0;
  manifest.arena.per_symbol_bytes = {{"N", 16}};
  return manifest;
}

std::vector<float> tiny_weights() { return {0.5f, -1.25f, 2.0f, 0.75f, 0.1f, -0.2f, 0.3f, 0.0f}; }

std::vector<double> tiny_reference(const std::vector<float>& x) {
  std::vector<float> weights = tiny_weights();
  std::vector<double> y(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    size_t j = i % 4;
    y[i] = std::tanh(static_cast<double>(x[i]) * weights[j] + weights[4 + j]);
  }
  return y;
}

std::vector<uint8_t> build_archive(const std::vector<VariantSpec>& variants) {
  return build_archive(variants, tiny_manifest());
}

std::vector<uint8_t> build_archive(const std::vector<VariantSpec>& variants,
                                   format::Manifest manifest) {
  format::ArchiveWriter writer;
  // The runtime never reads the graph section; it only has to exist.
  writer.add_section("graph", format::SectionKind::kGraph, {0, 1, 2, 3});
  std::vector<float> weights = tiny_weights();
  std::vector<uint8_t> weight_bytes(weights.size() * sizeof(float));
  std::memcpy(weight_bytes.data(), weights.data(), weight_bytes.size());
  writer.add_section("weights", format::SectionKind::kWeights, weight_bytes);

  for (const VariantSpec& spec : variants) {
    std::string section = "variant/" + spec.name;
    writer.add_section(section, spec.section_kind, spec.section);
    format::Variant variant;
    variant.name = spec.name;
    variant.kind = spec.kind;
    variant.format = spec.format;
    variant.arch = spec.arch;
    variant.cpu_features = spec.cpu_features;
    variant.sections = {section};
    variant.compiler = "clang 15";
    variant.abi_version = spec.abi_version;
    manifest.variants.push_back(variant);
  }
  writer.set_manifest(manifest);
  return writer.write_to_buffer();
}

std::string make_temp_dir(const std::string& prefix) {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base != nullptr ? base : "/tmp") + "/" + prefix + "-XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (mkdtemp(buffer.data()) == nullptr) {
    throw std::runtime_error("mkdtemp failed for " + pattern);
  }
  return buffer.data();
}

// The levels' feature lists follow the x86-64 psABI micro-architecture
// levels, spelled as LLVM's host feature detection names them.
std::vector<std::string> x86_64_v2_features() {
  return {"cx16", "popcnt", "sse3", "sse4.1", "sse4.2", "ssse3"};
}

std::vector<std::string> x86_64_v3_features() {
  std::vector<std::string> features = x86_64_v2_features();
  for (const char* feature : {"avx", "avx2", "bmi", "bmi2", "f16c", "fma", "lzcnt", "movbe"}) {
    features.push_back(feature);
  }
  return features;
}

std::vector<std::string> x86_64_v4_features() {
  std::vector<std::string> features = x86_64_v3_features();
  for (const char* feature : {"avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"}) {
    features.push_back(feature);
  }
  return features;
}

}  // namespace npujar::runtime::testing
