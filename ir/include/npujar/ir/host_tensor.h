// A tensor in host memory, used by the reference executor, by `npujar run`
// and by tests. Storage is row-major contiguous; f16 and bf16 elements are
// stored as their 16-bit patterns.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "npujar/ir/graph.h"

namespace npujar::ir {

struct HostTensor {
  DType dtype = DType::kF32;
  std::vector<int64_t> shape;
  std::vector<uint8_t> data;

  int64_t numel() const;
  // A zero-filled tensor; throws IrError on negative extents.
  static HostTensor zeros(DType dtype, std::vector<int64_t> shape);
  static HostTensor from_f32(std::vector<int64_t> shape, const std::vector<float>& values);
  static HostTensor from_i64(std::vector<int64_t> shape, const std::vector<int64_t>& values);
};

// Element access converting to and from double or int64_t, for any dtype.
// Float to integer conversion truncates toward zero, as casts do in PyTorch.
std::vector<double> to_doubles(const HostTensor& tensor);
std::vector<int64_t> to_int64s(const HostTensor& tensor);
HostTensor from_doubles(DType dtype, std::vector<int64_t> shape, const std::vector<double>& values);
HostTensor from_int64s(DType dtype, std::vector<int64_t> shape, const std::vector<int64_t>& values);

// IEEE half and bfloat16 conversions, rounding to nearest even.
float f16_to_float(uint16_t bits);
uint16_t float_to_f16(float value);
float bf16_to_float(uint16_t bits);
uint16_t float_to_bf16(float value);

// NumPy .npy (format 1.0-3.0, little-endian, C order) for f32, f64, f16, i64,
// i32, i8, u8 and bool. f64 arrays are read as f32, since the IR has no f64
// dtype. Throws IrError naming the file and the unsupported or invalid field.
HostTensor parse_npy(const std::vector<uint8_t>& bytes, const std::string& name);
std::vector<uint8_t> encode_npy(const HostTensor& tensor);
HostTensor read_npy(const std::string& path);
void write_npy(const std::string& path, const HostTensor& tensor);

}  // namespace npujar::ir
