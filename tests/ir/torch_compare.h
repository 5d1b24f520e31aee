// Conversions between HostTensor and torch::Tensor and the closeness check
// used by the tests that take LibTorch as the reference. Include only from
// translation units that already pay for torch headers.
#pragma once

#include <torch/torch.h>

#include <cmath>
#include <cstring>
#include <sstream>

#include <gtest/gtest.h>

#include "npujar/ir/host_tensor.h"

namespace npujar::ir::testing {

inline c10::ScalarType torch_type(DType dtype) {
  switch (dtype) {
    case DType::kF32: return torch::kFloat;
    case DType::kF16: return torch::kHalf;
    case DType::kBF16: return torch::kBFloat16;
    case DType::kI64: return torch::kLong;
    case DType::kI32: return torch::kInt;
    case DType::kI8: return torch::kChar;
    case DType::kU8: return torch::kByte;
    case DType::kBool: return torch::kBool;
  }
  return torch::kFloat;
}

inline DType ir_type(c10::ScalarType type) {
  switch (type) {
    case torch::kFloat: return DType::kF32;
    case torch::kHalf: return DType::kF16;
    case torch::kBFloat16: return DType::kBF16;
    case torch::kLong: return DType::kI64;
    case torch::kInt: return DType::kI32;
    case torch::kChar: return DType::kI8;
    case torch::kByte: return DType::kU8;
    case torch::kBool: return DType::kBool;
    default: throw std::runtime_error("no IR dtype for this torch dtype");
  }
}

inline torch::Tensor to_torch(const HostTensor& tensor) {
  torch::Tensor result = torch::empty(tensor.shape, torch::TensorOptions().dtype(torch_type(tensor.dtype)));
  std::memcpy(result.data_ptr(), tensor.data.data(), tensor.data.size());
  return result;
}

inline HostTensor from_torch(const torch::Tensor& tensor) {
  torch::Tensor contiguous = tensor.contiguous();
  HostTensor result = HostTensor::zeros(ir_type(contiguous.scalar_type()), contiguous.sizes().vec());
  std::memcpy(result.data.data(), contiguous.data_ptr(), result.data.size());
  return result;
}

// Checks dtype, shape and |ours - expected| <= atol + rtol * |expected| for
// every element, reporting the worst element.
inline ::testing::AssertionResult tensors_close(const HostTensor& ours, const torch::Tensor& expected_tensor,
                                                double atol = 1e-5, double rtol = 1e-4) {
  HostTensor expected = from_torch(expected_tensor);
  if (ours.dtype != expected.dtype) {
    return ::testing::AssertionFailure() << "dtype " << dtype_name(ours.dtype) << ", expected " << dtype_name(expected.dtype);
  }
  if (ours.shape != expected.shape) {
    std::ostringstream text;
    text << "shape [";
    for (int64_t e : ours.shape) text << e << ' ';
    text << "], expected [";
    for (int64_t e : expected.shape) text << e << ' ';
    return ::testing::AssertionFailure() << text.str() << "]";
  }
  std::vector<double> a = to_doubles(ours), b = to_doubles(expected);
  double worst = 0;
  size_t worst_index = 0;
  bool ok = true;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(a[i]) && std::isnan(b[i])) continue;
    double error = std::fabs(a[i] - b[i]);
    double excess = error - (atol + rtol * std::fabs(b[i]));
    if (std::isnan(error) || excess > 0) ok = false;
    if (std::isnan(error) || error > worst) {
      worst = std::isnan(error) ? INFINITY : error;
      worst_index = i;
    }
  }
  if (ok) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "element " << worst_index << ": " << a[worst_index] << " vs expected "
                                       << b[worst_index] << " (abs error " << worst << ")";
}

}  // namespace npujar::ir::testing
