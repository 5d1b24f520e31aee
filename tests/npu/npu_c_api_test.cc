// The NPU path through the C API of the shipped libnpujar_runtime.so, which
// is what the JNI binding calls: with the NPU test double installed the npu
// variant loads, its reason names the NPU, outputs match LibTorch, and the
// CPU preference set with npujar_options_set_device selects a cpu variant.
// Environment as in npu_runtime_test.cc.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "npujar/ir/host_tensor.h"
#include "npujar_runtime.h"

namespace {

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

void expect_ok(npujar_status* status, const char* call) {
  EXPECT_EQ(status, nullptr) << call << ": " << npujar_status_message(status);
  npujar_status_release(status);
}

npujar_model* load(npujar_device_preference device) {
  npujar_options* options = nullptr;
  expect_ok(npujar_options_create(&options), "npujar_options_create");
  expect_ok(npujar_options_set_device(options, device), "npujar_options_set_device");
  npujar_model* model = nullptr;
  std::string path = env("NPUJAR_NPU_TEST_ARCHIVES") + "/conv_plain.npujar";
  expect_ok(npujar_model_load_file(path.c_str(), options, &model), "npujar_model_load_file");
  npujar_options_release(options);
  return model;
}

// Runs conv_plain's first case and returns the largest difference from LibTorch.
double max_error(npujar_model* model) {
  const std::string dir = env("NPUJAR_TEST_MODELS");
  npujar::ir::HostTensor input = npujar::ir::read_npy(dir + "/conv_plain.case0.in0.npy");
  npujar::ir::HostTensor expected = npujar::ir::read_npy(dir + "/conv_plain.case0.out0.npy");
  npujar_tensor* tensor = nullptr;
  expect_ok(npujar_tensor_wrap(NPUJAR_DTYPE_F32, input.shape.data(), input.shape.size(),
                               input.data.data(), input.data.size(), &tensor),
            "npujar_tensor_wrap");
  npujar_tensor* output = nullptr;
  expect_ok(npujar_model_run(model, &tensor, 1, &output, 1), "npujar_model_run");
  double error = INFINITY;
  if (output != nullptr && npujar_tensor_byte_size(output) == expected.data.size()) {
    const float* actual = static_cast<const float*>(npujar_tensor_data(output));
    const float* wanted = reinterpret_cast<const float*>(expected.data.data());
    error = 0;
    for (size_t i = 0; i < expected.data.size() / sizeof(float); ++i) {
      error = std::max(error, static_cast<double>(std::fabs(actual[i] - wanted[i])));
    }
  }
  npujar_tensor_release(output);
  npujar_tensor_release(tensor);
  return error;
}

TEST(NpuCApi, AutoSelectsTheNpu) {
  npujar_model* model = load(NPUJAR_DEVICE_AUTO);
  ASSERT_NE(model, nullptr);
  EXPECT_STREQ(npujar_model_variant(model), "npu-openvino");
  EXPECT_NE(std::string(npujar_model_variant_reason(model)).find("npujar test NPU"),
            std::string::npos)
      << npujar_model_variant_reason(model);
  EXPECT_LE(max_error(model), 1e-4);
  npujar_model_release(model);
}

TEST(NpuCApi, CpuPreferenceSelectsCpu) {
  npujar_model* model = load(NPUJAR_DEVICE_CPU);
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(std::string(npujar_model_variant(model)).rfind("cpu-", 0), 0u)
      << npujar_model_variant(model);
  EXPECT_LE(max_error(model), 1e-4);
  npujar_model_release(model);
}

}  // namespace
