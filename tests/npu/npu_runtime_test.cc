// The runtime's NPU path end to end, with the Level Zero NPU test double in
// place of an NPU: archives packed by `npujar pack --targets
// cpu-x86-64-v2,npu` load through the graph extension, the double compiles
// the archive's OpenVINO IR for OpenVINO's CPU device, and the outputs must
// match LibTorch's saved outputs within |ours - torch| <= 1e-4 + 1e-4*|torch|.
//
// Level Zero state is per process, so CTest runs each suite in its own
// process with its own environment (tests/npu/CMakeLists.txt):
//   NPUJAR_NPU_TEST_ARCHIVES  directory of <model>.npujar archives
//   NPUJAR_TEST_MODELS        make_models.py output (inputs, LibTorch outputs)
//   NPUJAR_NPU_TEST_EXPECT    "npu" or "cpu": the variant kind that must load
//   NPUJAR_ZE_TEST_STATS      counters written by the test double
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <thread>

#include "npujar/ir/host_tensor.h"
#include "npujar/runtime/model.h"
#include "test_models.h"

namespace npujar::runtime {
namespace {

using importer::testing::TestModel;

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

const TestModel* find_model(const std::string& name) {
  static const std::vector<TestModel> models = importer::testing::load_test_models();
  for (const TestModel& model : models) {
    if (model.name == name) return &model;
  }
  return nullptr;
}

std::string archive_path(const std::string& model) {
  return env("NPUJAR_NPU_TEST_ARCHIVES") + "/" + model + ".npujar";
}

std::optional<npujar_dtype> runtime_dtype(ir::DType dtype) {
  return dtype_from_name(ir::dtype_name(dtype));
}

// Counters of the test double: "compiles", "native_loads", "executions".
std::map<std::string, long> read_stats() {
  std::map<std::string, long> stats;
  std::ifstream file(env("NPUJAR_ZE_TEST_STATS"));
  std::string key;
  long value = 0;
  while (file >> key >> value) stats[key] = value;
  return stats;
}

std::unique_ptr<Model> load(const std::string& name, RuntimeOptions options = {}) {
  Result<std::unique_ptr<Model>> model = Model::load_file(archive_path(name), options);
  EXPECT_TRUE(model) << model.status().message();
  return model ? std::move(*model) : nullptr;
}

// Runs every case of `name` and checks each output against LibTorch.
void expect_matches_libtorch(Model& model, const std::string& name) {
  const TestModel* test_model = find_model(name);
  ASSERT_NE(test_model, nullptr) << name << " is not in " << importer::testing::models_dir();
  const std::string dir = importer::testing::models_dir();
  for (const auto& test_case : test_model->cases) {
    std::vector<ir::HostTensor> host_inputs;
    std::vector<std::unique_ptr<Tensor>> wrapped;
    std::vector<const Tensor*> inputs;
    for (const std::string& file : test_case.inputs) {
      host_inputs.push_back(ir::read_npy(dir + "/" + file));
    }
    for (ir::HostTensor& host : host_inputs) {
      Result<std::unique_ptr<Tensor>> tensor = Tensor::wrap(
          *runtime_dtype(host.dtype), host.shape, host.data.data(), host.data.size());
      ASSERT_TRUE(tensor) << tensor.status().message();
      inputs.push_back(tensor->get());
      wrapped.push_back(std::move(*tensor));
    }
    std::vector<Tensor*> outputs(model.outputs().size(), nullptr);
    std::vector<std::unique_ptr<Tensor>> created;
    Status status = model.run(inputs, outputs, created);
    ASSERT_TRUE(status) << status.message();

    for (size_t i = 0; i < outputs.size(); ++i) {
      ir::HostTensor expected = ir::read_npy(dir + "/" + test_case.outputs[i]);
      ir::HostTensor actual;
      actual.dtype = expected.dtype;
      actual.shape = outputs[i]->dims();
      const uint8_t* bytes = static_cast<const uint8_t*>(outputs[i]->data());
      actual.data.assign(bytes, bytes + outputs[i]->byte_size());
      ASSERT_EQ(actual.shape, expected.shape) << name << " output " << i;
      ASSERT_EQ(actual.data.size(), expected.data.size()) << name << " output " << i;
      std::vector<double> a = ir::to_doubles(actual);
      std::vector<double> b = ir::to_doubles(expected);
      size_t mismatches = 0;
      double max_abs = 0;
      for (size_t k = 0; k < a.size(); ++k) {
        double difference = std::fabs(a[k] - b[k]);
        max_abs = std::max(max_abs, difference);
        if (!(difference <= 1e-4 + 1e-4 * std::fabs(b[k]))) ++mismatches;
      }
      EXPECT_EQ(mismatches, 0u) << name << " output " << i << ": " << mismatches << " of "
                                << a.size() << " elements beyond tolerance, max abs " << max_abs;
    }
  }
}

std::string expected_kind() {
  std::string kind = env("NPUJAR_NPU_TEST_EXPECT");
  return kind.empty() ? "npu" : kind;
}

class NpuModels : public ::testing::TestWithParam<std::string> {};

TEST_P(NpuModels, SelectedVariantMatchesLibTorch) {
  std::unique_ptr<Model> model = load(GetParam());
  ASSERT_NE(model, nullptr);
  const format::Variant* variant = model->manifest().find_variant(model->variant_name());
  ASSERT_NE(variant, nullptr);
  EXPECT_EQ(variant->kind, expected_kind()) << "variant " << model->variant_name() << ": "
                                            << model->variant_reason();
  expect_matches_libtorch(*model, GetParam());
}

INSTANTIATE_TEST_SUITE_P(Archives, NpuModels,
                         ::testing::Values("resnet18_traced", "mobilenet_v3_small_traced",
                                           "transformer_decomposed", "tiny_bert",
                                           "avg_pool_exclude_pad_ceil", "interpolate_bilinear",
                                           "conv_pad_reflect", "gelu_both"));

TEST(NpuCache, SecondLoadSkipsCompilation) {
  char directory[] = "/tmp/npujar-npu-cache-XXXXXX";
  ASSERT_NE(mkdtemp(directory), nullptr);
  RuntimeOptions options;
  options.cache_dir = directory;

  std::unique_ptr<Model> first = load("conv_plain", options);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->variant_name(), "npu-openvino");
  EXPECT_FALSE(first->load_stats().cache_hit);
  std::map<std::string, long> after_first = read_stats();

  std::unique_ptr<Model> second = load("conv_plain", options);
  ASSERT_NE(second, nullptr);
  EXPECT_TRUE(second->load_stats().cache_hit);
  std::map<std::string, long> after_second = read_stats();
  EXPECT_EQ(after_second["compiles"], after_first["compiles"]) << "the second load compiled again";
  EXPECT_EQ(after_second["native_loads"], after_first["native_loads"] + 1);
  expect_matches_libtorch(*second, "conv_plain");
  std::system((std::string("rm -rf ") + directory).c_str());
}

TEST(NpuConcurrency, ParallelRunsMatchLibTorch) {
  std::unique_ptr<Model> model = load("mobilenet_v3_small_traced");
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(model->variant_name(), "npu-openvino");
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int run = 0; run < 5; ++run) expect_matches_libtorch(*model, "mobilenet_v3_small_traced");
    });
  }
  for (std::thread& thread : threads) thread.join();
}

TEST(NpuPreference, CpuPreferenceSkipsTheNpu) {
  RuntimeOptions options;
  options.device = NPUJAR_DEVICE_CPU;
  std::unique_ptr<Model> model = load("conv_plain", options);
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(model->manifest().find_variant(model->variant_name())->kind, "cpu");
  expect_matches_libtorch(*model, "conv_plain");
}

// Run with NPUJAR_ZE_TEST_MAX_OPSET=11: resnet18's pools use opset14, so
// the runtime must not hand the IR to that compiler and runs the CPU variant.
TEST(NpuOpsetLimit, NewerOpsetFallsBackToCpu) {
  if (env("NPUJAR_ZE_TEST_MAX_OPSET").empty()) {
    GTEST_SKIP() << "needs NPUJAR_ZE_TEST_MAX_OPSET=11 for the test double";
  }
  std::unique_ptr<Model> model = load("resnet18_traced");
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(model->manifest().find_variant(model->variant_name())->kind, "cpu");
  expect_matches_libtorch(*model, "resnet18_traced");
}

TEST(NpuStaticShapes, OtherBatchIsRejected) {
  // mlp_traced is packed with N=1 for the NPU; a batch of 5 must fail with a
  // shape error naming the remedy rather than run with the wrong shape.
  std::unique_ptr<Model> model = load("mlp_traced");
  ASSERT_NE(model, nullptr);
  ASSERT_EQ(model->variant_name(), "npu-openvino");
  std::vector<float> data(5 * 20, 0.5f);
  Result<std::unique_ptr<Tensor>> input =
      Tensor::wrap(NPUJAR_DTYPE_F32, {5, 20}, data.data(), data.size() * sizeof(float));
  ASSERT_TRUE(input);
  std::vector<const Tensor*> inputs = {input->get()};
  std::vector<Tensor*> outputs(1, nullptr);
  std::vector<std::unique_ptr<Tensor>> created;
  Status status = model->run(inputs, outputs, created);
  EXPECT_EQ(status.code(), NPUJAR_ERROR_SHAPE_MISMATCH) << status.message();
  EXPECT_NE(status.message().find("--npu-batch"), std::string::npos) << status.message();
}

}  // namespace
}  // namespace npujar::runtime
