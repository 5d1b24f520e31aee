#include "npujar/ir/host_tensor.h"

#include <cmath>
#include <cstring>

#include "npujar/ir/error.h"

namespace npujar::ir {

int64_t HostTensor::numel() const {
  int64_t count = 1;
  for (int64_t extent : shape) count *= extent;
  return count;
}

HostTensor HostTensor::zeros(DType dtype, std::vector<int64_t> shape) {
  HostTensor tensor;
  tensor.dtype = dtype;
  tensor.shape = std::move(shape);
  for (int64_t extent : tensor.shape) {
    if (extent < 0) throw IrError("negative extent " + std::to_string(extent) + " in a tensor shape");
  }
  tensor.data.assign(static_cast<size_t>(tensor.numel()) * dtype_size(dtype), 0);
  return tensor;
}

HostTensor HostTensor::from_f32(std::vector<int64_t> shape, const std::vector<float>& values) {
  HostTensor tensor = zeros(DType::kF32, std::move(shape));
  if (values.size() != static_cast<size_t>(tensor.numel())) {
    throw IrError("from_f32: " + std::to_string(values.size()) + " values for " +
                  std::to_string(tensor.numel()) + " elements");
  }
  std::memcpy(tensor.data.data(), values.data(), tensor.data.size());
  return tensor;
}

HostTensor HostTensor::from_i64(std::vector<int64_t> shape, const std::vector<int64_t>& values) {
  HostTensor tensor = zeros(DType::kI64, std::move(shape));
  if (values.size() != static_cast<size_t>(tensor.numel())) {
    throw IrError("from_i64: " + std::to_string(values.size()) + " values for " +
                  std::to_string(tensor.numel()) + " elements");
  }
  std::memcpy(tensor.data.data(), values.data(), tensor.data.size());
  return tensor;
}

float f16_to_float(uint16_t bits) {
  uint32_t sign = static_cast<uint32_t>(bits & 0x8000) << 16;
  uint32_t exponent = (bits >> 10) & 0x1F;
  uint32_t mantissa = bits & 0x3FF;
  float magnitude;
  if (exponent == 0) {
    magnitude = std::ldexp(static_cast<float>(mantissa), -24);
  } else if (exponent == 31) {
    magnitude = mantissa ? NAN : INFINITY;
  } else {
    magnitude = std::ldexp(static_cast<float>(mantissa | 0x400), static_cast<int>(exponent) - 25);
  }
  float result = magnitude;
  if (sign) result = -result;
  return result;
}

uint16_t float_to_f16(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, 4);
  uint16_t sign = static_cast<uint16_t>((bits >> 16) & 0x8000);
  float magnitude = std::fabs(value);
  if (std::isnan(value)) return sign | 0x7E00;
  if (magnitude >= 65520.0f) return sign | 0x7C00;  // rounds to infinity
  if (magnitude < std::ldexp(1.0f, -14)) {
    // Subnormal: units of 2^-24, nearbyint rounds half to even.
    return sign | static_cast<uint16_t>(std::nearbyint(std::ldexp(magnitude, 24)));
  }
  int exponent;
  float fraction = std::frexp(magnitude, &exponent);  // magnitude = fraction * 2^exponent, fraction in [0.5, 1)
  // 11 significant bits; rounding may carry into the exponent, which the
  // addition below handles.
  uint32_t significand = static_cast<uint32_t>(std::nearbyint(std::ldexp(fraction, 11)));
  uint32_t biased = static_cast<uint32_t>(exponent - 1 + 15);
  return sign | static_cast<uint16_t>((biased << 10) + (significand - 0x400));
}

float bf16_to_float(uint16_t bits) {
  uint32_t wide = static_cast<uint32_t>(bits) << 16;
  float value;
  std::memcpy(&value, &wide, 4);
  return value;
}

uint16_t float_to_bf16(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, 4);
  if (std::isnan(value)) return static_cast<uint16_t>((bits >> 16) | 0x40);
  uint32_t rounding = 0x7FFF + ((bits >> 16) & 1);
  return static_cast<uint16_t>((bits + rounding) >> 16);
}

namespace {

template <typename T>
T load(const HostTensor& tensor, size_t i) {
  T value;
  std::memcpy(&value, tensor.data.data() + i * sizeof(T), sizeof(T));
  return value;
}

template <typename T>
void store(HostTensor& tensor, size_t i, T value) {
  std::memcpy(tensor.data.data() + i * sizeof(T), &value, sizeof(T));
}

// Float to integer conversion: truncation toward zero, saturating at the
// int64 range and mapping NaN to 0, where a plain cast would be undefined
// behaviour. Narrower integer dtypes then wrap modulo 2^bits.
int64_t truncate_to_int64(double value) {
  if (std::isnan(value)) return 0;
  if (value >= 9223372036854775807.0) return INT64_MAX;
  if (value <= -9223372036854775808.0) return INT64_MIN;
  return static_cast<int64_t>(std::trunc(value));
}

void check_size(const HostTensor& tensor) {
  if (tensor.data.size() != static_cast<size_t>(tensor.numel()) * dtype_size(tensor.dtype)) {
    throw IrError(std::string("tensor ") + dtype_name(tensor.dtype) + " with " +
                  std::to_string(tensor.numel()) + " elements has " +
                  std::to_string(tensor.data.size()) + " bytes of data");
  }
}

}  // namespace

std::vector<double> to_doubles(const HostTensor& tensor) {
  check_size(tensor);
  size_t count = static_cast<size_t>(tensor.numel());
  std::vector<double> values(count);
  for (size_t i = 0; i < count; ++i) {
    switch (tensor.dtype) {
      case DType::kF32: values[i] = load<float>(tensor, i); break;
      case DType::kF16: values[i] = f16_to_float(load<uint16_t>(tensor, i)); break;
      case DType::kBF16: values[i] = bf16_to_float(load<uint16_t>(tensor, i)); break;
      case DType::kI64: values[i] = static_cast<double>(load<int64_t>(tensor, i)); break;
      case DType::kI32: values[i] = load<int32_t>(tensor, i); break;
      case DType::kI8: values[i] = load<int8_t>(tensor, i); break;
      case DType::kU8: values[i] = load<uint8_t>(tensor, i); break;
      case DType::kBool: values[i] = load<uint8_t>(tensor, i) != 0; break;
    }
  }
  return values;
}

std::vector<int64_t> to_int64s(const HostTensor& tensor) {
  check_size(tensor);
  size_t count = static_cast<size_t>(tensor.numel());
  std::vector<int64_t> values(count);
  if (tensor.dtype == DType::kF32 || tensor.dtype == DType::kF16 || tensor.dtype == DType::kBF16) {
    std::vector<double> doubles = to_doubles(tensor);
    for (size_t i = 0; i < count; ++i) values[i] = truncate_to_int64(doubles[i]);
    return values;
  }
  for (size_t i = 0; i < count; ++i) {
    switch (tensor.dtype) {
      case DType::kI64: values[i] = load<int64_t>(tensor, i); break;
      case DType::kI32: values[i] = load<int32_t>(tensor, i); break;
      case DType::kI8: values[i] = load<int8_t>(tensor, i); break;
      case DType::kU8: values[i] = load<uint8_t>(tensor, i); break;
      case DType::kBool: values[i] = load<uint8_t>(tensor, i) != 0; break;
      default: break;
    }
  }
  return values;
}

HostTensor from_doubles(DType dtype, std::vector<int64_t> shape, const std::vector<double>& values) {
  HostTensor tensor = HostTensor::zeros(dtype, std::move(shape));
  if (values.size() != static_cast<size_t>(tensor.numel())) {
    throw IrError("from_doubles: " + std::to_string(values.size()) + " values for " +
                  std::to_string(tensor.numel()) + " elements");
  }
  for (size_t i = 0; i < values.size(); ++i) {
    double v = values[i];
    switch (dtype) {
      case DType::kF32: store<float>(tensor, i, static_cast<float>(v)); break;
      case DType::kF16: store<uint16_t>(tensor, i, float_to_f16(static_cast<float>(v))); break;
      case DType::kBF16: store<uint16_t>(tensor, i, float_to_bf16(static_cast<float>(v))); break;
      // Integer results of float arithmetic truncate, as torch's casts do.
      case DType::kI64: store<int64_t>(tensor, i, truncate_to_int64(v)); break;
      case DType::kI32: store<int32_t>(tensor, i, static_cast<int32_t>(truncate_to_int64(v))); break;
      case DType::kI8: store<int8_t>(tensor, i, static_cast<int8_t>(truncate_to_int64(v))); break;
      case DType::kU8: store<uint8_t>(tensor, i, static_cast<uint8_t>(truncate_to_int64(v))); break;
      case DType::kBool: store<uint8_t>(tensor, i, v != 0.0); break;
    }
  }
  return tensor;
}

HostTensor from_int64s(DType dtype, std::vector<int64_t> shape, const std::vector<int64_t>& values) {
  if (dtype == DType::kF32 || dtype == DType::kF16 || dtype == DType::kBF16) {
    return from_doubles(dtype, std::move(shape), std::vector<double>(values.begin(), values.end()));
  }
  HostTensor tensor = HostTensor::zeros(dtype, std::move(shape));
  if (values.size() != static_cast<size_t>(tensor.numel())) {
    throw IrError("from_int64s: " + std::to_string(values.size()) + " values for " +
                  std::to_string(tensor.numel()) + " elements");
  }
  for (size_t i = 0; i < values.size(); ++i) {
    int64_t v = values[i];
    switch (dtype) {
      case DType::kI64: store<int64_t>(tensor, i, v); break;
      case DType::kI32: store<int32_t>(tensor, i, static_cast<int32_t>(v)); break;
      case DType::kI8: store<int8_t>(tensor, i, static_cast<int8_t>(v)); break;
      case DType::kU8: store<uint8_t>(tensor, i, static_cast<uint8_t>(v)); break;
      case DType::kBool: store<uint8_t>(tensor, i, v != 0); break;
      default: break;
    }
  }
  return tensor;
}

}  // namespace npujar::ir
