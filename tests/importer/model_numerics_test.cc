// Each test model goes through import, the IR passes, the graph and weights
// encoding and the reference executor. Its outputs must match the outputs
// that make_models.py computed with LibTorch in float64 and saved as float32:
// |ours - expected| <= 1e-4 + 1e-4 * |expected| for every element. Max abs
// and rel errors are reported.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "npujar/importer/importer.h"
#include "npujar/ir/host_tensor.h"
#include "npujar/ir/passes.h"
#include "npujar/ir/reference.h"
#include "npujar/ir/serialize.h"
#include "test_models.h"

namespace npujar::importer::testing {
namespace {

constexpr double kAbsoluteTolerance = 1e-4;
constexpr double kRelativeTolerance = 1e-4;

std::vector<InputSpec> parse_specs(const std::vector<std::string>& texts) {
  std::vector<InputSpec> specs;
  for (const std::string& text : texts) specs.push_back(parse_input_spec(text));
  return specs;
}

// Encodes and decodes the graph as `npujar pack` stores it, so the test
// runs what an archive holds.
ir::Graph round_trip(const ir::Graph& graph) {
  std::vector<uint8_t> graph_bytes = ir::serialize_graph(graph, nullptr);
  std::vector<uint8_t> weights = ir::serialize_weights(graph);
  return ir::deserialize_graph(graph_bytes, weights);
}

void expect_close(const ir::HostTensor& actual, const ir::HostTensor& expected, const std::string& what) {
  ASSERT_EQ(actual.shape, expected.shape) << what << ": shape";
  std::vector<double> a = ir::to_doubles(actual);
  std::vector<double> b = ir::to_doubles(expected);
  double max_abs = 0, max_rel = 0;
  size_t mismatches = 0, first_mismatch = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    double difference = std::fabs(a[i] - b[i]);
    bool both_nan = std::isnan(a[i]) && std::isnan(b[i]);
    if (both_nan || a[i] == b[i]) continue;
    max_abs = std::max(max_abs, difference);
    if (b[i] != 0) max_rel = std::max(max_rel, difference / std::fabs(b[i]));
    if (!(difference <= kAbsoluteTolerance + kRelativeTolerance * std::fabs(b[i]))) {
      if (mismatches++ == 0) first_mismatch = i;
    }
  }
  std::printf("%s: %zu elements, max abs error %.3g, max rel error %.3g\n", what.c_str(), a.size(), max_abs, max_rel);
  EXPECT_EQ(mismatches, 0u) << what << ": " << mismatches << " of " << a.size()
                            << " elements differ beyond 1e-4 + 1e-4*|expected|; first at flat index "
                            << first_mismatch << ": got " << (a.empty() ? 0 : a[first_mismatch]) << ", LibTorch "
                            << (b.empty() ? 0 : b[first_mismatch]) << " (max abs " << max_abs << ", max rel "
                            << max_rel << ")";
}

class ModelNumerics : public ::testing::TestWithParam<TestModel> {};

TEST_P(ModelNumerics, MatchesLibTorch) {
  const TestModel& model = GetParam();
  const std::string dir = models_dir();
  auto started = std::chrono::steady_clock::now();
  ir::Graph graph = import_torchscript(dir + "/" + model.file, parse_specs(model.input_specs));
  auto imported = std::chrono::steady_clock::now();
  ir::optimize(graph);
  graph = round_trip(graph);
  auto optimized = std::chrono::steady_clock::now();
  ASSERT_FALSE(model.cases.empty()) << model.name << " has no input cases";

  for (size_t c = 0; c < model.cases.size(); ++c) {
    const ModelCase& test_case = model.cases[c];
    std::vector<ir::HostTensor> inputs;
    for (const std::string& file : test_case.inputs) inputs.push_back(ir::read_npy(dir + "/" + file));
    auto run_started = std::chrono::steady_clock::now();
    std::vector<ir::HostTensor> outputs = ir::run_reference(graph, inputs);
    auto run_ended = std::chrono::steady_clock::now();
    std::printf("%s case %zu: reference run %.2f s\n", model.name.c_str(), c,
                std::chrono::duration<double>(run_ended - run_started).count());
    ASSERT_EQ(outputs.size(), test_case.outputs.size()) << model.name << ": number of outputs";
    for (size_t o = 0; o < outputs.size(); ++o) {
      expect_close(outputs[o], ir::read_npy(dir + "/" + test_case.outputs[o]),
                   model.name + " case " + std::to_string(c) + " output " + std::to_string(o));
    }
  }
  std::printf("%s: import %.2f s, passes and encoding %.2f s, %zu nodes\n", model.name.c_str(),
              std::chrono::duration<double>(imported - started).count(),
              std::chrono::duration<double>(optimized - imported).count(), graph.nodes.size());
}

INSTANTIATE_TEST_SUITE_P(Models, ModelNumerics, ::testing::ValuesIn(load_test_models()),
                         [](const ::testing::TestParamInfo<TestModel>& info) { return info.param.name; });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(ModelNumerics);

}  // namespace
}  // namespace npujar::importer::testing
