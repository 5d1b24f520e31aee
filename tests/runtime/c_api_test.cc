// The C API contract, tested against libnpujar_runtime.so.
#include "npujar_runtime.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "test_archive.h"

// c_api_raw_enums.c: calls that pass arbitrary ints in enum parameters.
extern "C" {
npujar_status* call_set_jit_mode(npujar_options* options, int mode);
npujar_status* call_set_device(npujar_options* options, int device);
npujar_status* call_tensor_create(int dtype, const int64_t* dims, size_t rank,
                                  npujar_tensor** out_tensor);
}

namespace {

using npujar::runtime::testing::build_archive;
using npujar::runtime::testing::object_variant;

// Releases a status and returns its code, so one assert shows it.
npujar_error_code take_code(npujar_status* status) {
  npujar_error_code code = npujar_status_code(status);
  npujar_status_release(status);
  return code;
}

std::string take_message(npujar_status* status) {
  std::string message = status != nullptr ? npujar_status_message(status) : "";
  npujar_status_release(status);
  return message;
}

npujar_model* load_tiny() {
  std::vector<uint8_t> archive = build_archive({object_variant("cpu", "tiny_model_v2.o", {})});
  npujar_options* options = nullptr;
  EXPECT_EQ(take_code(npujar_options_create(&options)), NPUJAR_OK);
  EXPECT_EQ(take_code(npujar_options_set_num_threads(options, 2)), NPUJAR_OK);
  npujar_model* model = nullptr;
  npujar_status* status = npujar_model_load_buffer(archive.data(), archive.size(), options, &model);
  EXPECT_EQ(status, nullptr) << npujar_status_message(status);
  npujar_status_release(status);
  npujar_options_release(options);
  return model;
}

TEST(CApi, ReleaseAcceptsNull) {
  npujar_status_release(nullptr);
  npujar_options_release(nullptr);
  npujar_model_release(nullptr);
  npujar_tensor_release(nullptr);
  SUCCEED();
}

TEST(CApi, VersionIsProjectVersion) { EXPECT_STREQ(npujar_version(), "0.1.0"); }

TEST(CApi, FailedLoadZeroesOutModel) {
  npujar_model* model = reinterpret_cast<npujar_model*>(0x1234);
  uint8_t garbage[16] = {1, 2, 3};
  npujar_status* status = npujar_model_load_buffer(garbage, sizeof(garbage), nullptr, &model);
  EXPECT_EQ(model, nullptr);
  EXPECT_EQ(take_code(status), NPUJAR_ERROR_INVALID_ARCHIVE);
}

TEST(CApi, MissingFileIsIoError) {
  npujar_model* model = reinterpret_cast<npujar_model*>(0x1234);
  npujar_status* status = npujar_model_load_file("/nonexistent.npujar", nullptr, &model);
  EXPECT_EQ(model, nullptr);
  EXPECT_EQ(npujar_status_code(status), NPUJAR_ERROR_IO);
  EXPECT_NE(std::string(npujar_status_message(status)).find("/nonexistent.npujar"),
            std::string::npos);
  npujar_status_release(status);
}

TEST(CApi, NullArgumentsAreInvalid) {
  npujar_model* model = reinterpret_cast<npujar_model*>(0x1234);
  EXPECT_EQ(take_code(npujar_model_load_file(nullptr, nullptr, &model)),
            NPUJAR_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(model, nullptr);
  EXPECT_EQ(take_code(npujar_model_load_file("x", nullptr, nullptr)),
            NPUJAR_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(take_code(npujar_options_set_num_threads(nullptr, 1)), NPUJAR_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(take_code(npujar_model_run(nullptr, nullptr, 0, nullptr, 0)),
            NPUJAR_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(npujar_model_input_count(nullptr), 0u);
  EXPECT_STREQ(npujar_model_variant(nullptr), "");
}

TEST(CApi, InvalidOptionValuesAreRejected) {
  npujar_options* options = nullptr;
  ASSERT_EQ(take_code(npujar_options_create(&options)), NPUJAR_OK);
  EXPECT_EQ(take_code(npujar_options_set_num_threads(options, -1)), NPUJAR_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(take_code(call_set_jit_mode(options, 9)), NPUJAR_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(take_code(call_set_device(options, 9)), NPUJAR_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(take_code(call_set_jit_mode(options, NPUJAR_JIT_FORCE)), NPUJAR_OK);
  EXPECT_EQ(take_code(npujar_options_set_variant(options, nullptr)), NPUJAR_OK);
  EXPECT_EQ(take_code(npujar_options_set_cache_dir(options, nullptr)), NPUJAR_OK);
  npujar_options_release(options);
}

TEST(CApi, TensorWrapChecksSize) {
  float data[6] = {};
  int64_t dims[2] = {2, 3};
  npujar_tensor* tensor = reinterpret_cast<npujar_tensor*>(0x1234);
  npujar_status* status = npujar_tensor_wrap(NPUJAR_DTYPE_F32, dims, 2, data, 20, &tensor);
  EXPECT_EQ(tensor, nullptr);
  EXPECT_EQ(take_code(status), NPUJAR_ERROR_INVALID_ARGUMENT);

  ASSERT_EQ(npujar_tensor_wrap(NPUJAR_DTYPE_F32, dims, 2, data, sizeof(data), &tensor), nullptr);
  EXPECT_EQ(npujar_tensor_data(tensor), data);
  EXPECT_EQ(npujar_tensor_byte_size(tensor), sizeof(data));
  EXPECT_EQ(npujar_tensor_rank(tensor), 2u);
  EXPECT_EQ(npujar_tensor_dims(tensor)[1], 3);
  npujar_tensor_release(tensor);
}

TEST(CApi, TensorCreateRejectsUnknownDtype) {
  int64_t dims[1] = {4};
  npujar_tensor* tensor = reinterpret_cast<npujar_tensor*>(0x1234);
  EXPECT_EQ(take_code(call_tensor_create(42, dims, 1, &tensor)), NPUJAR_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(tensor, nullptr);
}

TEST(CApi, TensorCreateRejectsNegativeExtent) {
  int64_t dims[2] = {2, -3};
  npujar_tensor* tensor = reinterpret_cast<npujar_tensor*>(0x1234);
  EXPECT_EQ(take_code(npujar_tensor_create(NPUJAR_DTYPE_F32, dims, 2, &tensor)),
            NPUJAR_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(tensor, nullptr);
}

TEST(CApi, InfoDescribesSymbolicInput) {
  npujar_model* model = load_tiny();
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(npujar_model_input_count(model), 1u);
  EXPECT_EQ(npujar_model_output_count(model), 1u);
  EXPECT_STREQ(npujar_model_variant(model), "cpu");

  npujar_tensor_info info;
  ASSERT_EQ(npujar_model_input_info(model, 0, &info), nullptr);
  EXPECT_STREQ(info.name, "x");
  EXPECT_EQ(info.dtype, NPUJAR_DTYPE_F32);
  ASSERT_EQ(info.rank, 2u);
  EXPECT_EQ(info.dims[0], -1);
  EXPECT_EQ(info.dims[1], 4);
  EXPECT_STREQ(info.symbols[0], "N");
  EXPECT_STREQ(info.symbols[1], "");

  std::memset(&info, 0x7f, sizeof(info));
  EXPECT_EQ(take_code(npujar_model_output_info(model, 1, &info)), NPUJAR_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(info.name, nullptr);
  EXPECT_EQ(info.rank, 0u);
  npujar_model_release(model);
}

TEST(CApi, RunAllocatesOutputs) {
  npujar_model* model = load_tiny();
  ASSERT_NE(model, nullptr);
  std::vector<float> x = {0.1f, -0.2f, 0.3f, -0.4f, 1.5f, 2.5f, -3.5f, 0.0f};
  int64_t dims[2] = {2, 4};
  npujar_tensor* input = nullptr;
  ASSERT_EQ(npujar_tensor_wrap(NPUJAR_DTYPE_F32, dims, 2, x.data(), x.size() * 4, &input), nullptr);
  npujar_tensor* output = nullptr;
  npujar_status* status = npujar_model_run(model, &input, 1, &output, 1);
  ASSERT_EQ(status, nullptr) << npujar_status_message(status);
  ASSERT_NE(output, nullptr);
  std::vector<double> expected = npujar::runtime::testing::tiny_reference(x);
  const float* y = static_cast<const float*>(npujar_tensor_data(output));
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_NEAR(y[i], expected[i], 1e-5) << "element " << i;
  }
  npujar_tensor_release(output);
  npujar_tensor_release(input);
  npujar_model_release(model);
}

TEST(CApi, FailedRunLeavesOutputSlotNull) {
  npujar_model* model = load_tiny();
  ASSERT_NE(model, nullptr);
  int64_t dims[2] = {2, 5};
  npujar_tensor* input = nullptr;
  ASSERT_EQ(npujar_tensor_create(NPUJAR_DTYPE_F32, dims, 2, &input), nullptr);
  npujar_tensor* output = nullptr;
  npujar_status* status = npujar_model_run(model, &input, 1, &output, 1);
  EXPECT_EQ(output, nullptr);
  EXPECT_EQ(npujar_status_code(status), NPUJAR_ERROR_SHAPE_MISMATCH);
  EXPECT_EQ(take_message(status), "input 'x': expected shape [N,4], got [2,5]");
  npujar_tensor_release(input);
  npujar_model_release(model);
}

TEST(CApi, JitThroughSharedLibrary) {
  std::vector<uint8_t> archive = build_archive(
      {npujar::runtime::testing::bitcode_variant("bitcode-x86_64", "tiny_model.bc")});
  std::string cache = npujar::runtime::testing::make_temp_dir("npujar-c-api-cache");
  npujar_options* options = nullptr;
  ASSERT_EQ(take_code(npujar_options_create(&options)), NPUJAR_OK);
  ASSERT_EQ(take_code(npujar_options_set_jit_mode(options, NPUJAR_JIT_FORCE)), NPUJAR_OK);
  ASSERT_EQ(take_code(npujar_options_set_cache_dir(options, cache.c_str())), NPUJAR_OK);
  npujar_model* model = nullptr;
  npujar_status* status = npujar_model_load_buffer(archive.data(), archive.size(), options, &model);
  ASSERT_EQ(status, nullptr) << npujar_status_message(status);
  EXPECT_STREQ(npujar_model_variant(model), "bitcode-x86_64");

  std::vector<float> x = {0.7f, -0.7f, 1.9f, -2.2f};
  int64_t dims[2] = {1, 4};
  npujar_tensor* input = nullptr;
  ASSERT_EQ(npujar_tensor_wrap(NPUJAR_DTYPE_F32, dims, 2, x.data(), x.size() * 4, &input), nullptr);
  npujar_tensor* output = nullptr;
  ASSERT_EQ(npujar_model_run(model, &input, 1, &output, 1), nullptr);
  std::vector<double> expected = npujar::runtime::testing::tiny_reference(x);
  const float* y = static_cast<const float*>(npujar_tensor_data(output));
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_NEAR(y[i], expected[i], 1e-5) << "element " << i;
  }
  npujar_tensor_release(output);
  npujar_tensor_release(input);
  npujar_model_release(model);
  npujar_options_release(options);
}

TEST(CApi, ForcedUnknownVariantNamesIt) {
  std::vector<uint8_t> archive = build_archive({object_variant("cpu", "tiny_model_v2.o", {})});
  npujar_options* options = nullptr;
  ASSERT_EQ(take_code(npujar_options_create(&options)), NPUJAR_OK);
  ASSERT_EQ(take_code(npujar_options_set_variant(options, "cpu-x86-64-v9")), NPUJAR_OK);
  npujar_model* model = nullptr;
  npujar_status* status = npujar_model_load_buffer(archive.data(), archive.size(), options, &model);
  EXPECT_EQ(model, nullptr);
  EXPECT_NE(take_message(status).find("cpu-x86-64-v9"), std::string::npos);
  npujar_options_release(options);
}

}  // namespace
