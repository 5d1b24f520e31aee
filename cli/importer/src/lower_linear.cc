// Linear algebra, normalization and reductions.
#include "lowering.h"

namespace npujar::importer {

namespace {

using Values = std::vector<ImportValue>;

ImportValue tensor_value(int index) { return ImportValue::of_tensor(index); }

Values lower_linear(LoweringContext& c) {
  std::vector<int> inputs = {c.tensor(0), c.tensor(1)};
  int bias = c.optional_tensor(2);
  if (bias >= 0) inputs.push_back(bias);
  return {tensor_value(c.builder.emit("linear", inputs))};
}

Values lower_matmul(LoweringContext& c) {
  return {tensor_value(c.builder.emit("matmul", {c.tensor(0), c.tensor(1)}))};
}

// addmm(bias, a, b, beta, alpha) = beta * bias + alpha * (a @ b)
Values lower_addmm(LoweringContext& c) {
  GraphBuilder& g = c.builder;
  int product = g.emit("matmul", {c.tensor(1), c.tensor(2)});
  ir::DType dtype = g.dtype(product);
  double beta = c.size() > 3 ? c.number(3) : 1.0;
  double alpha = c.size() > 4 ? c.number(4) : 1.0;
  if (alpha != 1.0) product = g.emit("mul", {product, g.add_scalar(alpha, dtype)});
  int bias = c.tensor(0);
  if (beta == 0.0) return {tensor_value(product)};
  if (beta != 1.0) bias = g.emit("mul", {bias, g.add_scalar(beta, dtype)});
  return {tensor_value(g.emit("add", {product, bias}))};
}

// layer_norm(x, normalized_shape, weight?, bias?, eps, cudnn_enable)
Values lower_layer_norm(LoweringContext& c) {
  int64_t axes = static_cast<int64_t>(c.dims(1).size());
  std::vector<int> inputs = {c.tensor(0), c.optional_tensor(2), c.optional_tensor(3)};
  while (inputs.back() < 0 && inputs.size() > 1) inputs.pop_back();
  return {tensor_value(c.builder.emit("layer_norm", inputs, {{"axes", axes}, {"epsilon", c.number(4)}}))};
}

// The reduced axes of argument `index`: None or [] means every axis.
std::vector<int64_t> reduce_axes(LoweringContext& c, size_t index, size_t rank) {
  if (c.is_none(index)) return {};
  std::vector<int64_t> axes = c.ints(index);
  for (int64_t& axis : axes) axis = static_cast<int64_t>(c.axis(axis, rank));
  return axes;
}

int emit_reduce(LoweringContext& c, const std::string& op, int x, std::vector<int64_t> axes, bool keepdims) {
  return c.builder.emit(op, {x}, {{"axes", std::move(axes)}, {"keepdims", int64_t{keepdims ? 1 : 0}}});
}

// mean/sum(x, dim?, keepdim, dtype?) and mean/sum(x, dtype?).
Values lower_mean_sum(LoweringContext& c) {
  int x = c.tensor(0);
  std::string op = c.kind == "aten::mean" ? "reduce_mean" : "reduce_sum";
  if (c.size() <= 2) return {tensor_value(emit_reduce(c, op, x, {}, false))};
  if (c.kind == "aten::sum" && !is_float_dtype(c.builder.dtype(x)) && c.builder.dtype(x) != ir::DType::kI64) {
    x = c.builder.cast(x, ir::DType::kI64);  // PyTorch sums integers and bools as i64
  }
  return {tensor_value(emit_reduce(c, op, x, reduce_axes(c, 1, c.builder.rank(x)), c.flag(2)))};
}

Values lower_amax_amin(LoweringContext& c) {
  int x = c.tensor(0);
  std::string op = c.kind == "aten::amax" ? "reduce_max" : "reduce_min";
  bool keepdim = c.size() > 2 && c.flag(2);
  return {tensor_value(emit_reduce(c, op, x, c.size() > 1 ? reduce_axes(c, 1, c.builder.rank(x)) : std::vector<int64_t>{}, keepdim))};
}

// max/min(x) -> reduction over everything; max/min(x, other) -> elementwise;
// max/min(x, dim, keepdim) -> (values, indices), indices unsupported.
Values lower_max_min(LoweringContext& c) {
  bool is_max = c.kind == "aten::max";
  int x = c.tensor(0);
  if (c.size() == 1) return {tensor_value(emit_reduce(c, is_max ? "reduce_max" : "reduce_min", x, {}, false))};
  if (c.at(1).is_tensor()) {
    return {tensor_value(c.builder.emit(is_max ? "maximum" : "minimum", {x, c.tensor(1)}))};
  }
  std::vector<int64_t> axes = {static_cast<int64_t>(c.axis(c.static_int(1), c.builder.rank(x)))};
  bool keepdim = c.size() > 2 && c.flag(2);
  int values = emit_reduce(c, is_max ? "reduce_max" : "reduce_min", x, axes, keepdim);
  return {tensor_value(values), ImportValue::invalid("the indices of max()/min() over a dim are not supported")};
}

}  // namespace

std::vector<Lowering> linear_lowerings() {
  return {
      {"aten::linear", lower_linear, "linear", ""},
      {"aten::matmul", lower_matmul, "matmul", ""},
      {"aten::mm", lower_matmul, "matmul", ""},
      {"aten::bmm", lower_matmul, "matmul", ""},
      {"aten::addmm", lower_addmm, "matmul, add (mul for beta or alpha != 1)", ""},
      {"aten::layer_norm", lower_layer_norm, "layer_norm", ""},
      {"aten::mean", lower_mean_sum, "reduce_mean", ""},
      {"aten::sum", lower_mean_sum, "reduce_sum", ""},
      {"aten::amax", lower_amax_amin, "reduce_max", ""},
      {"aten::amin", lower_amax_amin, "reduce_min", ""},
      {"aten::max", lower_max_min, "reduce_max, or maximum for two tensors",
       "the indices output of max(x, dim) cannot be used"},
      {"aten::min", lower_max_min, "reduce_min, or minimum for two tensors",
       "the indices output of min(x, dim) cannot be used"},
  };
}

}  // namespace npujar::importer
