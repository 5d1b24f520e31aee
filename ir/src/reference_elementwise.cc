// Elementwise operators. Float dtypes compute in double and round once to
// the output dtype; integer and bool dtypes compute in int64_t, so integer
// results are exact.
#include <array>
#include <cmath>
#include <cstring>
#include <functional>

#include "reference_kernels.h"

namespace npujar::ir::reference {

namespace {

// Calls body(i, offsets) for every flat output index i of `shape`, with the
// element offset of each input under its broadcast strides.
template <size_t K, typename Body>
void broadcast_loop(const std::vector<int64_t>& shape, const std::array<std::vector<int64_t>, K>& strides,
                    Body body) {
  int64_t total = 1;
  for (int64_t extent : shape) total *= extent;
  std::vector<int64_t> index(shape.size(), 0);
  std::array<int64_t, K> offsets{};
  for (int64_t i = 0; i < total; ++i) {
    body(i, offsets);
    for (size_t d = shape.size(); d-- > 0;) {
      ++index[d];
      for (size_t k = 0; k < K; ++k) offsets[k] += strides[k][d];
      if (index[d] < shape[d]) break;
      for (size_t k = 0; k < K; ++k) offsets[k] -= strides[k][d] * shape[d];
      index[d] = 0;
    }
  }
}

int64_t floor_divide(const OpContext& c, int64_t a, int64_t b) {
  if (b == 0) c.fail("integer division by zero");
  int64_t quotient = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --quotient;
  return quotient;
}

// torch.pow on integers; a negative exponent gives 0 unless |base| is 1.
int64_t integer_power(int64_t base, int64_t exponent) {
  if (exponent < 0) {
    if (base == 1) return 1;
    if (base == -1) return exponent % 2 != 0 ? -1 : 1;
    return 0;
  }
  int64_t result = 1;
  for (int64_t i = 0; i < exponent; ++i) result *= base;
  return result;
}

double float_binary(const std::string& op, double a, double b) {
  if (op == "add") return a + b;
  if (op == "sub") return a - b;
  if (op == "mul") return a * b;
  if (op == "div") return a / b;
  if (op == "pow") return std::pow(a, b);
  // torch.maximum and torch.minimum propagate NaN.
  if (op == "maximum") return std::isnan(a) || std::isnan(b) ? NAN : std::max(a, b);
  if (op == "minimum") return std::isnan(a) || std::isnan(b) ? NAN : std::min(a, b);
  if (op == "equal") return a == b;
  if (op == "not_equal") return a != b;
  if (op == "less") return a < b;
  if (op == "less_equal") return a <= b;
  if (op == "greater") return a > b;
  if (op == "greater_equal") return a >= b;
  if (op == "logical_and") return a != 0 && b != 0;
  return a != 0 || b != 0;  // logical_or
}

int64_t integer_binary(const OpContext& c, const std::string& op, int64_t a, int64_t b) {
  if (op == "add") return a + b;
  if (op == "sub") return a - b;
  if (op == "mul") return a * b;
  // NOTE: integer div rounds toward negative infinity like torch's
  // floor_divide (Python's //), the form integer shape arithmetic uses.
  if (op == "div") return floor_divide(c, a, b);
  if (op == "pow") return integer_power(a, b);
  if (op == "maximum") return std::max(a, b);
  if (op == "minimum") return std::min(a, b);
  if (op == "equal") return a == b;
  if (op == "not_equal") return a != b;
  if (op == "less") return a < b;
  if (op == "less_equal") return a <= b;
  if (op == "greater") return a > b;
  if (op == "greater_equal") return a >= b;
  if (op == "logical_and") return a != 0 && b != 0;
  return a != 0 || b != 0;  // logical_or
}

bool outputs_bool(const std::string& op) {
  return op == "equal" || op == "not_equal" || op == "less" || op == "less_equal" ||
         op == "greater" || op == "greater_equal" || op == "logical_and" || op == "logical_or" ||
         op == "logical_not";
}

HostTensor run_binary(const OpContext& c) {
  const HostTensor& a = c.in(0);
  const HostTensor& b = c.in(1);
  const std::string& op = c.node.op;
  bool logical = op == "logical_and" || op == "logical_or";
  if (a.dtype != b.dtype && !logical) {
    c.fail(std::string("operand dtypes differ: ") + dtype_name(a.dtype) + " and " + dtype_name(b.dtype));
  }
  std::vector<int64_t> shape = broadcast_extents(c, a.shape, b.shape);
  std::array<std::vector<int64_t>, 2> strides = {broadcast_strides(a.shape, shape),
                                                broadcast_strides(b.shape, shape)};
  DType out_dtype = outputs_bool(op) ? DType::kBool : a.dtype;
  int64_t total = 1;
  for (int64_t extent : shape) total *= extent;

  if (is_float_dtype(a.dtype) || is_float_dtype(b.dtype)) {
    std::vector<double> va = to_doubles(a), vb = to_doubles(b), out(total);
    broadcast_loop<2>(shape, strides, [&](int64_t i, const std::array<int64_t, 2>& o) {
      out[i] = float_binary(op, va[o[0]], vb[o[1]]);
    });
    return from_doubles(out_dtype, shape, out);
  }
  std::vector<int64_t> va = to_int64s(a), vb = to_int64s(b), out(total);
  broadcast_loop<2>(shape, strides, [&](int64_t i, const std::array<int64_t, 2>& o) {
    out[i] = integer_binary(c, op, va[o[0]], vb[o[1]]);
  });
  return from_int64s(out_dtype, shape, out);
}

HostTensor run_where(const OpContext& c) {
  const HostTensor& condition = c.in(0);
  const HostTensor& a = c.in(1);
  const HostTensor& b = c.in(2);
  if (condition.dtype != DType::kBool) c.fail("condition must be bool");
  if (a.dtype != b.dtype) c.fail("a and b must have the same dtype");
  std::vector<int64_t> shape = broadcast_extents(c, broadcast_extents(c, condition.shape, a.shape), b.shape);
  std::array<std::vector<int64_t>, 3> strides = {broadcast_strides(condition.shape, shape),
                                                broadcast_strides(a.shape, shape),
                                                broadcast_strides(b.shape, shape)};
  HostTensor out = HostTensor::zeros(a.dtype, shape);
  size_t size = dtype_size(a.dtype);
  broadcast_loop<3>(shape, strides, [&](int64_t i, const std::array<int64_t, 3>& o) {
    const HostTensor& source = condition.data[o[0]] ? a : b;
    std::memcpy(out.data.data() + i * size, source.data.data() + (condition.data[o[0]] ? o[1] : o[2]) * size, size);
  });
  return out;
}

double float_unary(const OpContext& c, double x) {
  const std::string& op = c.node.op;
  if (op == "relu") return x > 0 ? x : 0.0;
  if (op == "sigmoid") return 1.0 / (1.0 + std::exp(-x));
  if (op == "tanh") return std::tanh(x);
  if (op == "exp") return std::exp(x);
  if (op == "log") return std::log(x);
  if (op == "sqrt") return std::sqrt(x);
  if (op == "rsqrt") return 1.0 / std::sqrt(x);
  if (op == "neg") return -x;
  if (op == "abs") return std::fabs(x);
  if (op == "erf") return std::erf(x);
  if (op == "reciprocal") return 1.0 / x;
  if (op == "silu") return x / (1.0 + std::exp(-x));
  if (op == "hardswish") return x * std::min(std::max(x + 3.0, 0.0), 6.0) / 6.0;
  if (op == "hardsigmoid") return std::min(std::max(x + 3.0, 0.0), 6.0) / 6.0;
  if (op == "identity") return x;
  if (op == "gelu") {
    std::string approximate = c.node.get_string("approximate", "none");
    if (approximate != "none" && approximate != "tanh") c.fail("unknown gelu approximation '" + approximate + "'");
    return gelu(x, approximate == "tanh");
  }
  if (op == "clamp") {
    // NaN passes through, as in torch.clamp.
    if (std::isnan(x)) return x;
    return std::min(std::max(x, c.node.get_float("min", -INFINITY)), c.node.get_float("max", INFINITY));
  }
  if (op == "leaky_relu") return x >= 0 ? x : x * c.node.get_float("negative_slope", 0.01);
  c.fail("is not defined for float inputs");
}

int64_t integer_unary(const OpContext& c, int64_t x) {
  const std::string& op = c.node.op;
  if (op == "relu") return x > 0 ? x : 0;
  if (op == "neg") return -x;
  if (op == "abs") return x < 0 ? -x : x;
  if (op == "identity") return x;
  if (op == "clamp") {
    double clamped = std::min(std::max(static_cast<double>(x), c.node.get_float("min", -INFINITY)),
                              c.node.get_float("max", INFINITY));
    return static_cast<int64_t>(clamped);
  }
  c.fail("is not defined for integer inputs; cast to f32 first");
}

HostTensor run_unary(const OpContext& c) {
  const HostTensor& x = c.in(0);
  if (c.node.op == "logical_not") {
    std::vector<int64_t> values = to_int64s(x);
    for (int64_t& v : values) v = v == 0;
    return from_int64s(DType::kBool, x.shape, values);
  }
  if (c.node.op == "identity") return x;
  if (is_float_dtype(x.dtype)) {
    std::vector<double> values = to_doubles(x);
    for (double& v : values) v = float_unary(c, v);
    return from_doubles(x.dtype, x.shape, values);
  }
  std::vector<int64_t> values = to_int64s(x);
  for (int64_t& v : values) v = integer_unary(c, v);
  return from_int64s(x.dtype, x.shape, values);
}

HostTensor run_cast(const OpContext& c) {
  const HostTensor& x = c.in(0);
  int64_t to = c.node.get_int("to", -1);
  auto dtype = static_cast<DType>(to);
  if (to < 1 || to > 8) c.fail("cast target " + std::to_string(to) + " is no dtype");
  if (is_float_dtype(x.dtype)) {
    std::vector<double> values = to_doubles(x);
    // Float to bool tests for nonzero; float to integer truncates.
    return from_doubles(dtype, x.shape, values);
  }
  return from_int64s(dtype, x.shape, to_int64s(x));
}

}  // namespace

HostTensor run_elementwise(const OpContext& c) {
  const std::string& op = c.node.op;
  if (op == "where") return run_where(c);
  if (op == "cast") return run_cast(c);
  if (c.node.inputs.size() == 2) return run_binary(c);
  return run_unary(c);
}

}  // namespace npujar::ir::reference
