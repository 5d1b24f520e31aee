#include "test_archive.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "npujar/ir/error.h"
#include "npujar/ir/graph.h"
#include "npujar/ir/serialize.h"

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

std::vector<uint8_t> tiny_graph_section(const format::Manifest& manifest) {
  ir::Graph graph;
  graph.name = manifest.model.name;
  auto shape_of = [](const format::TensorSpec& spec) {
    ir::Shape shape;
    for (const format::Dimension& dim : spec.shape) {
      shape.push_back(ir::Dim{dim.coefficient, dim.symbol});
    }
    return shape;
  };
  auto dtype_of = [](const format::TensorSpec& spec) {
    return ir::parse_dtype(spec.dtype).value_or(ir::DType::kF32);
  };
  for (const format::TensorSpec& spec : manifest.inputs) {
    graph.inputs.push_back(
        graph.add_value({spec.name, dtype_of(spec), shape_of(spec), ir::ValueKind::kInput, {}}));
  }
  // One f32[2,4] constant holding w then b, so that its bytes are exactly
  // tiny_weights() at offset 0, where the tiny model's code reads them.
  std::vector<float> weights = tiny_weights();
  std::vector<uint8_t> data(weights.size() * sizeof(float));
  std::memcpy(data.data(), weights.data(), data.size());
  graph.add_value({"wb", ir::DType::kF32, {ir::Dim::fixed(2), ir::Dim::fixed(4)},
                   ir::ValueKind::kConstant, data});
  // Each output is tanh of the first input: the graph only has to declare
  // the manifest's tensors, since the runtime runs the variants' code.
  for (const format::TensorSpec& spec : manifest.outputs) {
    int output = graph.add_value(
        {spec.name, dtype_of(spec), shape_of(spec), ir::ValueKind::kIntermediate, {}});
    ir::Node node;
    node.op = "tanh";
    node.inputs = {graph.inputs.empty() ? 0 : graph.inputs[0]};
    node.outputs = {output};
    graph.nodes.push_back(node);
    graph.outputs.push_back(output);
  }
  try {
    return ir::serialize_graph(graph, nullptr);
  } catch (const ir::IrError&) {
    // The manifest is invalid on purpose (an output symbol no input binds,
    // say), so no valid graph declares it. The runtime rejects the manifest
    // before it decodes the graph section.
    return {0, 1, 2, 3};
  }
}

std::vector<uint8_t> build_archive(const std::vector<VariantSpec>& variants) {
  return build_archive(variants, tiny_manifest());
}

std::vector<uint8_t> build_archive(const std::vector<VariantSpec>& variants,
                                   format::Manifest manifest) {
  std::vector<float> weights = tiny_weights();
  std::vector<uint8_t> weight_bytes(weights.size() * sizeof(float));
  std::memcpy(weight_bytes.data(), weights.data(), weight_bytes.size());
  std::vector<uint8_t> graph = tiny_graph_section(manifest);
  return build_archive(variants, std::move(manifest), graph, weight_bytes);
}

std::vector<uint8_t> build_archive(const std::vector<VariantSpec>& variants,
                                   format::Manifest manifest, const std::vector<uint8_t>& graph,
                                   const std::vector<uint8_t>& weights) {
  format::ArchiveWriter writer;
  writer.add_section("graph", format::SectionKind::kGraph, graph);
  writer.add_section("weights", format::SectionKind::kWeights, weights);

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
    variant.properties = spec.properties;
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
