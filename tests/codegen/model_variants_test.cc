// Each TorchScript test model of tests/models/make_models.py is imported,
// optimized, pre-packed and stored as `npujar pack` stores it, compiled to
// the x86-64-v3 object, loaded with ORC LLJIT and run. Its outputs must match
// LibTorch's forward() outputs in float64: |ours - torch| <= 1e-4 + 1e-4 *
// max|torch output| for every element. The relative part uses the output's
// largest magnitude because float32 rounding grows with the activations.
// LibTorch's own float32 resnet50 logits differ from the float64 ones by
// 1.1e-4 where the largest logit is 3. An element-wise rule would reject
// LibTorch itself. `npujar compare` applies the same rule.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>

#include "jit_harness.h"
#include "npujar/importer/importer.h"
#include "npujar/ir/host_tensor.h"
#include "npujar/ir/passes.h"
#include "test_models.h"

namespace npujar::codegen {
namespace {

using importer::testing::TestModel;

constexpr double kAbsoluteTolerance = 1e-4;
constexpr double kRelativeTolerance = 1e-4;

void expect_close(const ir::HostTensor& actual, const ir::HostTensor& expected,
                  const std::string& what) {
  ASSERT_EQ(actual.shape, expected.shape) << what << ": shape";
  std::vector<double> a = ir::to_doubles(actual);
  std::vector<double> b = ir::to_doubles(expected);
  double scale = 0;
  for (double value : b) {
    if (std::isfinite(value)) scale = std::max(scale, std::fabs(value));
  }

  size_t mismatches = 0;
  size_t first_mismatch = 0;
  double max_abs = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] == b[i] || (std::isnan(a[i]) && std::isnan(b[i]))) continue;
    double difference = std::fabs(a[i] - b[i]);
    max_abs = std::max(max_abs, difference);
    if (!(difference <= kAbsoluteTolerance + kRelativeTolerance * scale)) {
      if (mismatches++ == 0) first_mismatch = i;
    }
  }
  std::printf("%s: %zu elements, max abs error %.3g, max |expected| %.3g\n", what.c_str(), a.size(),
              max_abs, scale);
  EXPECT_EQ(mismatches, 0u) << what << ": " << mismatches << " of " << a.size()
                            << " elements differ beyond 1e-4 + 1e-4*max|expected|; first at flat "
                            << "index " << first_mismatch << ": got " << a[first_mismatch]
                            << ", LibTorch " << b[first_mismatch];
}

class ModelVariant : public ::testing::TestWithParam<TestModel> {};

TEST_P(ModelVariant, MatchesLibTorch) {
  const TestModel& model = GetParam();
  const TargetSpec& target = testing::target_named("cpu-x86-64-v3");
  if (!testing::host_supports(target)) GTEST_SKIP() << "host lacks x86-64-v3";
  const std::string dir = importer::testing::models_dir();

  std::vector<importer::InputSpec> specs;
  for (const std::string& text : model.input_specs) specs.push_back(importer::parse_input_spec(text));
  ir::Graph graph = importer::import_torchscript(dir + "/" + model.file, specs);
  ir::optimize(graph);
  testing::PreparedGraph prepared = testing::prepare_round_trip(std::move(graph));

  auto started = std::chrono::steady_clock::now();
  CompiledVariant variant = compile_variant(prepared.graph, prepared.layout, prepared.plan, target);
  std::printf("%s: %zu nodes, %s compiled in %.2f s (%zu bytes), arena %s bytes\n",
              model.name.c_str(), prepared.graph.nodes.size(), target.variant_name.c_str(),
              std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(),
              variant.bytes.size(), linear_size_to_string(prepared.plan.arena_bytes).c_str());

  ASSERT_FALSE(model.cases.empty()) << model.name << " has no input cases";
  for (size_t c = 0; c < model.cases.size(); ++c) {
    std::vector<ir::HostTensor> inputs;
    for (const std::string& file : model.cases[c].inputs) inputs.push_back(ir::read_npy(dir + "/" + file));
    std::vector<ir::HostTensor> outputs = testing::run_variant(prepared, variant, inputs);
    ASSERT_EQ(outputs.size(), model.cases[c].outputs.size()) << model.name << ": number of outputs";
    for (size_t o = 0; o < outputs.size(); ++o) {
      expect_close(outputs[o], ir::read_npy(dir + "/" + model.cases[c].outputs[o]),
                   model.name + " case " + std::to_string(c) + " output " + std::to_string(o));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Models, ModelVariant, ::testing::ValuesIn(importer::testing::load_test_models()),
                         [](const ::testing::TestParamInfo<TestModel>& info) { return info.param.name; });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(ModelVariant);

}  // namespace
}  // namespace npujar::codegen
