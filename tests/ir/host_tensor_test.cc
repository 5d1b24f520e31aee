// HostTensor conversions and .npy files. Expected bit patterns come from the
// IEEE 754 binary16 and bfloat16 definitions; expected .npy bytes from the
// NumPy format specification (format 1.0).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>

#include "npujar/ir/error.h"
#include "npujar/ir/host_tensor.h"

namespace npujar::ir {
namespace {

TEST(HalfFloat, KnownBitPatternsConvertBothWays) {
  const std::pair<float, uint16_t> cases[] = {
      {1.0f, 0x3C00}, {-2.0f, 0xC000}, {65504.0f, 0x7BFF}, {std::ldexp(1.0f, -24), 0x0001},
      {std::ldexp(1.0f, -14), 0x0400}, {0.0f, 0x0000}, {INFINITY, 0x7C00}, {0.5f, 0x3800},
  };
  for (const auto& [value, bits] : cases) {
    EXPECT_EQ(float_to_f16(value), bits) << value;
    EXPECT_EQ(f16_to_float(bits), value) << bits;
  }
  EXPECT_EQ(float_to_f16(0.1f), 0x2E66);             // nearest binary16 to 0.1
  EXPECT_EQ(float_to_f16(1.0f + std::ldexp(1.0f, -11)), 0x3C00);  // tie rounds to even
  EXPECT_EQ(float_to_f16(70000.0f), 0x7C00);         // overflow to infinity
  EXPECT_TRUE(std::isnan(f16_to_float(float_to_f16(NAN))));
}

TEST(BFloat16, RoundsToNearestEven) {
  EXPECT_EQ(float_to_bf16(1.0f), 0x3F80);
  EXPECT_EQ(bf16_to_float(0x3F80), 1.0f);
  EXPECT_EQ(float_to_bf16(1.0f + std::ldexp(1.0f, -8)), 0x3F80);  // tie, even stays
  EXPECT_EQ(float_to_bf16(1.0f + 3 * std::ldexp(1.0f, -8)), 0x3F82);  // tie, odd rounds up
}

TEST(HostTensor, FloatToIntegerTruncatesTowardZero) {
  HostTensor x = HostTensor::from_f32({4}, {-2.7f, -0.5f, 0.5f, 2.7f});
  EXPECT_EQ(to_int64s(x), (std::vector<int64_t>{-2, 0, 0, 2}));
}

TEST(HostTensor, OutOfRangeFloatToIntegerSaturates) {
  HostTensor x = HostTensor::from_f32({3}, {1e30f, -1e30f, NAN});
  EXPECT_EQ(to_int64s(x), (std::vector<int64_t>{INT64_MAX, INT64_MIN, 0}));
  EXPECT_EQ(to_int64s(from_doubles(DType::kI64, {3}, {1e30, -1e30, NAN})), (std::vector<int64_t>{INT64_MAX, INT64_MIN, 0}));
}

std::vector<uint8_t> npy_bytes(const std::string& header, const std::vector<uint8_t>& payload) {
  std::vector<uint8_t> bytes = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
  bytes.push_back(static_cast<uint8_t>(header.size() & 0xFF));
  bytes.push_back(static_cast<uint8_t>(header.size() >> 8));
  bytes.insert(bytes.end(), header.begin(), header.end());
  bytes.insert(bytes.end(), payload.begin(), payload.end());
  return bytes;
}

TEST(Npy, ParsesHandWrittenFile) {
  int32_t values[6] = {1, -2, 3, -4, 5, -6};
  std::vector<uint8_t> payload(reinterpret_cast<uint8_t*>(values), reinterpret_cast<uint8_t*>(values) + sizeof(values));
  HostTensor tensor = parse_npy(npy_bytes("{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }\n", payload), "t.npy");
  EXPECT_EQ(tensor.dtype, DType::kI32);
  EXPECT_EQ(tensor.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(to_int64s(tensor), (std::vector<int64_t>{1, -2, 3, -4, 5, -6}));
}

TEST(Npy, ReadsF64AsF32) {
  double values[2] = {0.5, -1.25};
  std::vector<uint8_t> payload(reinterpret_cast<uint8_t*>(values), reinterpret_cast<uint8_t*>(values) + sizeof(values));
  HostTensor tensor = parse_npy(npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }\n", payload), "t.npy");
  EXPECT_EQ(tensor.dtype, DType::kF32);
  EXPECT_EQ(to_doubles(tensor), (std::vector<double>{0.5, -1.25}));
}

TEST(Npy, RejectsUnsupportedFiles) {
  std::vector<uint8_t> payload(8, 0);
  EXPECT_THROW(parse_npy(npy_bytes("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }\n", payload), "t"), IrError);
  EXPECT_THROW(parse_npy(npy_bytes("{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }\n", payload), "t"), IrError);
  EXPECT_THROW(parse_npy(npy_bytes("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }\n", payload), "t"), IrError);
  EXPECT_THROW(parse_npy(npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }\n", payload), "t"), IrError);
  EXPECT_THROW(parse_npy({0x93, 'N', 'U'}, "t"), IrError);
  // A huge shape is rejected before anything is allocated.
  EXPECT_THROW(parse_npy(npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (999999999999999, 999999999999999), }\n", payload), "t"), IrError);
}

TEST(Npy, WriteThenReadRoundTripsEveryDtype) {
  const HostTensor tensors[] = {
      HostTensor::from_f32({2, 3}, {1, 2, 3, 4, 5, 6}),
      HostTensor::from_i64({3}, {-1, 0, 1 << 30}),
      from_int64s(DType::kI32, {1, 1}, {-7}),
      from_int64s(DType::kI8, {2}, {-128, 127}),
      from_int64s(DType::kU8, {2}, {0, 255}),
      from_int64s(DType::kBool, {3}, {1, 0, 1}),
      from_doubles(DType::kF16, {2}, {0.5, -3}),
      HostTensor::zeros(DType::kF32, {}),
  };
  std::string path = ::testing::TempDir() + "/npujar_host_tensor_test.npy";
  for (const HostTensor& tensor : tensors) {
    SCOPED_TRACE(dtype_name(tensor.dtype));
    write_npy(path, tensor);
    HostTensor read = read_npy(path);
    EXPECT_EQ(read.dtype, tensor.dtype);
    EXPECT_EQ(read.shape, tensor.shape);
    EXPECT_EQ(read.data, tensor.data);
    std::vector<uint8_t> bytes = encode_npy(tensor);
    size_t header = bytes[8] | (bytes[9] << 8);
    EXPECT_EQ((10 + header) % 64, 0u) << "data must start 64-byte aligned";
  }
  std::remove(path.c_str());
  EXPECT_THROW(encode_npy(HostTensor::zeros(DType::kBF16, {1})), IrError);
}

}  // namespace
}  // namespace npujar::ir
