// Elementwise operators: arithmetic with PyTorch's type promotion for the
// cases models use, comparisons, activations, casts and the operators that
// are no-ops at inference (dropout, contiguous, clone). Arithmetic on two
// import-time numbers (traced shape computations) stays at import time.
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "lowering.h"

namespace npujar::importer {

namespace {

using Values = std::vector<ImportValue>;

// The IR dtype of a torch.dtype int (c10::ScalarType); f64 maps to f32
// because the IR has no f64.
ir::DType dtype_from_scalar_type(const LoweringContext& c, int64_t code) {
  switch (code) {
    case 0: return ir::DType::kU8;
    case 1: return ir::DType::kI8;
    case 3: return ir::DType::kI32;
    case 4: return ir::DType::kI64;
    case 5: return ir::DType::kF16;
    case 6:
    case 7: return ir::DType::kF32;
    case 11: return ir::DType::kBool;
    case 15: return ir::DType::kBF16;
    default: c.fail("torch dtype code " + std::to_string(code) + " has no IR dtype");
  }
}

// Promotes a pair of operands, at least one of them a tensor, the way
// PyTorch does: a float side wins over an integer side, a number adopts the
// tensor's dtype, and a bool tensor combined with an int becomes i64.
std::pair<int, int> promote(LoweringContext& c, size_t ia, size_t ib) {
  const ImportValue& a = c.at(ia);
  const ImportValue& b = c.at(ib);
  GraphBuilder& g = c.builder;
  if (a.is_tensor() && b.is_tensor()) {
    int x = a.tensor, y = b.tensor;
    ir::DType dx = g.dtype(x), dy = g.dtype(y);
    if (dx == dy) return {x, y};
    if (is_float_dtype(dx) && !is_float_dtype(dy)) return {x, g.cast(y, dx)};
    if (is_float_dtype(dy) && !is_float_dtype(dx)) return {g.cast(x, dy), y};
    if (dx == ir::DType::kBool) return {g.cast(x, dy), y};
    if (dy == ir::DType::kBool) return {x, g.cast(y, dx)};
    return {g.cast(x, ir::DType::kI64), g.cast(y, ir::DType::kI64)};
  }

  bool tensor_first = a.is_tensor();
  int tensor = tensor_first ? a.tensor : b.tensor;
  const ImportValue& number = tensor_first ? b : a;
  size_t number_index = tensor_first ? ib : ia;
  if (!number.is_number()) {
    c.fail("argument " + std::to_string(number_index) + " must be a tensor or a number, got " +
           describe(number, g.graph()));
  }
  ir::DType dtype = g.dtype(tensor);
  if (!is_float_dtype(dtype) && number.kind == ImportValue::Kind::kFloat) {
    tensor = g.cast(tensor, ir::DType::kF32);
    dtype = ir::DType::kF32;
  } else if (dtype == ir::DType::kBool && number.kind == ImportValue::Kind::kInt) {
    tensor = g.cast(tensor, ir::DType::kI64);
    dtype = ir::DType::kI64;
  }
  int constant = c.tensor(number_index, dtype);
  return tensor_first ? std::make_pair(tensor, constant) : std::make_pair(constant, tensor);
}

bool both_numbers(const LoweringContext& c) { return c.at(0).is_number() && c.at(1).is_number(); }

// Multiplies operand `index` by alpha (aten::add and aten::sub's third argument).
ImportValue scaled_operand(LoweringContext& c, size_t index, size_t alpha_index) {
  if (c.is_none(alpha_index) || c.size() <= alpha_index || c.number(alpha_index) == 1.0) return c.at(index);
  LoweringContext scale(c.builder, "aten::mul", {c.at(index), c.at(alpha_index)}, 1);
  if (both_numbers(scale)) return number_binary(scale, "mul", scale.at(0), scale.at(1));
  auto [x, y] = promote(scale, 0, 1);
  return ImportValue::of_tensor(c.builder.emit("mul", {x, y}));
}

Values binary(LoweringContext& c, const std::string& number_op, const std::string& ir_op) {
  if (both_numbers(c)) return {number_binary(c, number_op, c.at(0), c.at(1))};
  auto [x, y] = promote(c, 0, 1);
  return {ImportValue::of_tensor(c.builder.emit(ir_op, {x, y}))};
}

Values lower_add(LoweringContext& c) {
  if (c.at(0).kind == ImportValue::Kind::kList) {
    // `list + list` concatenates in TorchScript.
    Values items = c.list(0);
    for (const ImportValue& item : c.list(1)) items.push_back(item);
    return {ImportValue::of_list(items)};
  }
  if (c.at(0).kind == ImportValue::Kind::kString) return {ImportValue::of_string(c.string(0) + c.string(1))};
  c.inputs[1] = scaled_operand(c, 1, 2);
  return binary(c, "add", "add");
}

Values lower_sub(LoweringContext& c) {
  c.inputs[1] = scaled_operand(c, 1, 2);
  return binary(c, "sub", "sub");
}

// rsub(a, b, alpha) = b - alpha * a
Values lower_rsub(LoweringContext& c) {
  ImportValue scaled = scaled_operand(c, 0, 2);
  c.inputs = {c.at(1), scaled};
  return binary(c, "sub", "sub");
}

Values lower_mul(LoweringContext& c) { return binary(c, "mul", "mul"); }

Values lower_div(LoweringContext& c) {
  std::string rounding = c.size() > 2 && !c.is_none(2) ? c.string(2) : "";
  if (both_numbers(c)) {
    if (rounding == "floor") return {number_binary(c, "floordiv", c.at(0), c.at(1))};
    ImportValue quotient = number_binary(c, "div", c.at(0), c.at(1));
    if (rounding == "trunc") {
      bool is_int = c.at(0).kind == ImportValue::Kind::kInt && c.at(1).kind == ImportValue::Kind::kInt;
      double truncated = std::trunc(quotient.real);
      quotient = is_int ? ImportValue::of_int(static_cast<int64_t>(truncated)) : ImportValue::of_float(truncated);
      quotient.number_tensor = c.at(0).number_tensor || c.at(1).number_tensor;
    }
    return {quotient};
  }
  if (!rounding.empty()) c.fail("division with rounding_mode='" + rounding + "' on tensors is not supported");
  // True division of integer tensors gives floats.
  auto [x, y] = promote(c, 0, 1);
  if (!is_float_dtype(c.builder.dtype(x))) {
    x = c.builder.cast(x, ir::DType::kF32);
    y = c.builder.cast(y, ir::DType::kF32);
  }
  return {ImportValue::of_tensor(c.builder.emit("div", {x, y}))};
}

Values lower_number_only(LoweringContext& c, const std::string& op) {
  if (!both_numbers(c)) c.fail("only supported on numbers known at import time, not on tensors");
  return {number_binary(c, op, c.at(0), c.at(1))};
}

Values lower_floordiv(LoweringContext& c) { return lower_number_only(c, "floordiv"); }
Values lower_remainder(LoweringContext& c) { return lower_number_only(c, "remainder"); }

Values lower_pow(LoweringContext& c) { return binary(c, "pow", "pow"); }
Values lower_maximum(LoweringContext& c) { return binary(c, "maximum", "maximum"); }
Values lower_minimum(LoweringContext& c) { return binary(c, "minimum", "minimum"); }

Values lower_compare(LoweringContext& c) {
  static const std::map<std::string, std::pair<const char*, const char*>> ops = {
      {"aten::eq", {"eq", "equal"}},         {"aten::ne", {"ne", "not_equal"}},
      {"aten::lt", {"lt", "less"}},          {"aten::le", {"le", "less_equal"}},
      {"aten::gt", {"gt", "greater"}},       {"aten::ge", {"ge", "greater_equal"}},
  };
  const auto& [number_op, ir_op] = ops.at(c.kind);
  const ImportValue& a = c.at(0);
  if (a.kind == ImportValue::Kind::kString || a.kind == ImportValue::Kind::kNone) {
    bool equal = a.kind == c.at(1).kind && a.text == c.at(1).text;
    if (c.kind == "aten::eq") return {ImportValue::of_bool(equal)};
    if (c.kind == "aten::ne") return {ImportValue::of_bool(!equal)};
  }
  if (a.kind == ImportValue::Kind::kList) {
    // int-list equality, as in `x.shape == [1, 3]`.
    Values left = c.list(0), right = c.list(1);
    bool equal = left.size() == right.size();
    for (size_t i = 0; equal && i < left.size(); ++i) {
      equal = number_binary(c, "eq", left[i], right[i]).flag;
    }
    if (c.kind == "aten::eq") return {ImportValue::of_bool(equal)};
    if (c.kind == "aten::ne") return {ImportValue::of_bool(!equal)};
  }
  return binary(c, number_op, ir_op);
}

Values lower_logical(LoweringContext& c) {
  int x = c.builder.cast(c.tensor(0), ir::DType::kBool);
  if (c.kind == "aten::logical_not") return {ImportValue::of_tensor(c.builder.emit("logical_not", {x}))};
  int y = c.builder.cast(c.tensor(1), ir::DType::kBool);
  return {ImportValue::of_tensor(c.builder.emit(c.kind == "aten::logical_and" ? "logical_and" : "logical_or", {x, y}))};
}

// where(condition, a, b) with a and b tensors or numbers.
int emit_where(LoweringContext& c, int condition, size_t ia, size_t ib) {
  LoweringContext pair(c.builder, c.kind, {c.at(ia), c.at(ib)}, 1);
  if (pair.at(0).is_number() && pair.at(1).is_number()) pair.inputs[0] = ImportValue::of_tensor(pair.tensor(0));
  auto [x, y] = promote(pair, 0, 1);
  return c.builder.emit("where", {c.builder.cast(condition, ir::DType::kBool), x, y});
}

Values lower_where(LoweringContext& c) {
  if (c.size() < 3) c.fail("the one-argument form of where() (nonzero indices) is not supported");
  return {ImportValue::of_tensor(emit_where(c, c.tensor(0), 1, 2))};
}

// masked_fill(x, mask, value) = where(mask, value, x), in x's dtype.
Values lower_masked_fill(LoweringContext& c) {
  int x = c.tensor(0);
  LoweringContext swapped(c.builder, c.kind, {c.at(2), c.at(0)}, 1);
  if (swapped.at(0).is_number()) swapped.inputs[0] = ImportValue::of_tensor(swapped.tensor(0, c.builder.dtype(x)));
  int result = emit_where(swapped, c.tensor(1), 0, 1);
  return {ImportValue::of_tensor(c.builder.cast(result, c.builder.dtype(x)))};
}

double unary_number(const LoweringContext& c, double x) {
  if (c.kind == "aten::neg") return -x;
  if (c.kind == "aten::abs") return std::fabs(x);
  if (c.kind == "aten::sqrt") return std::sqrt(x);
  if (c.kind == "aten::exp") return std::exp(x);
  if (c.kind == "aten::log") return std::log(x);
  c.fail("not supported on a number");
}

Values lower_unary(LoweringContext& c) {
  const ImportValue& x = c.at(0);
  if (x.is_number()) {
    if (c.kind == "aten::neg" && x.kind == ImportValue::Kind::kInt) {
      ImportValue result = ImportValue::of_int(negate_dim(x.integer));
      result.number_tensor = x.number_tensor;
      return {result};
    }
    ImportValue result = ImportValue::of_float(unary_number(c, c.number(0)));
    result.number_tensor = x.number_tensor;
    return {result};
  }
  std::string op = c.kind.substr(c.kind.find("::") + 2);
  int input = c.tensor(0);
  static const std::set<std::string> float_only = {"sigmoid", "tanh", "exp", "log", "sqrt", "rsqrt", "erf",
                                                   "reciprocal", "silu", "hardswish", "hardsigmoid"};
  if (float_only.count(op) != 0 && !is_float_dtype(c.builder.dtype(input))) input = c.builder.cast(input, ir::DType::kF32);
  return {ImportValue::of_tensor(c.builder.emit(op, {input}))};
}

Values lower_gelu(LoweringContext& c) {
  std::string approximate = c.size() > 1 && !c.is_none(1) ? c.string(1) : "none";
  if (approximate != "none" && approximate != "tanh") c.fail("unknown gelu approximation '" + approximate + "'");
  return {ImportValue::of_tensor(c.builder.emit("gelu", {c.tensor(0)}, {{"approximate", approximate}}))};
}

Values emit_clamp(LoweringContext& c, double low, double high) {
  return {ImportValue::of_tensor(c.builder.emit("clamp", {c.tensor(0)}, {{"min", low}, {"max", high}}))};
}

Values lower_clamp(LoweringContext& c) {
  constexpr double kInfinity = std::numeric_limits<double>::infinity();
  if ((c.size() > 1 && c.at(1).is_tensor()) || (c.size() > 2 && c.at(2).is_tensor())) {
    c.fail("clamp with tensor bounds is not supported; only numbers");
  }
  if (c.kind == "aten::clamp_min") return emit_clamp(c, c.number(1), kInfinity);
  if (c.kind == "aten::clamp_max") return emit_clamp(c, -kInfinity, c.number(1));
  double low = c.is_none(1) ? -kInfinity : c.number(1);
  double high = c.is_none(2) ? kInfinity : c.number(2);
  return emit_clamp(c, low, high);
}

Values lower_hardtanh(LoweringContext& c) {
  return emit_clamp(c, c.size() > 1 ? c.number(1) : -1.0, c.size() > 2 ? c.number(2) : 1.0);
}

Values lower_relu6(LoweringContext& c) { return emit_clamp(c, 0.0, 6.0); }

Values lower_leaky_relu(LoweringContext& c) {
  double slope = c.size() > 1 ? c.number(1) : 0.01;
  return {ImportValue::of_tensor(c.builder.emit("leaky_relu", {c.tensor(0)}, {{"negative_slope", slope}}))};
}

// elu(x, alpha, scale, input_scale) =
//   scale * (x > 0 ? x : alpha * (exp(x * input_scale) - 1))
Values lower_elu(LoweringContext& c) {
  GraphBuilder& g = c.builder;
  int x = c.tensor(0);
  ir::DType dtype = g.dtype(x);
  double alpha = c.size() > 1 ? c.number(1) : 1.0;
  double scale = c.size() > 2 ? c.number(2) : 1.0;
  double input_scale = c.size() > 3 ? c.number(3) : 1.0;
  int zero = g.add_scalar(0.0, dtype);
  int positive = g.emit("greater", {x, zero});
  int exponential = g.emit("exp", {g.emit("mul", {x, g.add_scalar(input_scale, dtype)})});
  int negative = g.emit("mul", {g.emit("sub", {exponential, g.add_scalar(1.0, dtype)}), g.add_scalar(alpha, dtype)});
  int selected = g.emit("where", {positive, x, negative});
  return {ImportValue::of_tensor(scale == 1.0 ? selected : g.emit("mul", {selected, g.add_scalar(scale, dtype)}))};
}

Values lower_square(LoweringContext& c) {
  int x = c.tensor(0);
  return {ImportValue::of_tensor(c.builder.emit("mul", {x, x}))};
}

Values lower_softmax(LoweringContext& c) {
  int x = c.tensor(0);
  if (c.size() > 2 && !c.is_none(2)) x = c.builder.cast(x, dtype_from_scalar_type(c, c.static_int(2)));
  std::string op = c.kind == "aten::softmax" ? "softmax" : "log_softmax";
  return {ImportValue::of_tensor(c.builder.emit(op, {x}, {{"axis", c.static_int(1)}}))};
}

// Dropout at inference is the identity; training=True is rejected earlier
// when it is a constant, and here when it comes from elsewhere.
Values lower_dropout(LoweringContext& c) {
  if (c.size() > 2 && c.flag(2)) {
    c.fail("dropout with train=True; call model.eval() before exporting the model");
  }
  return {c.at(0)};
}

Values lower_identity(LoweringContext& c) { return {c.at(0)}; }

Values lower_to(LoweringContext& c) {
  int x = c.tensor(0);
  const ImportValue& first = c.at(1);
  if (first.is_tensor()) return {ImportValue::of_tensor(c.builder.cast(x, c.builder.dtype(first.tensor)))};
  size_t dtype_index = first.kind == ImportValue::Kind::kOpaque || first.is_none() ? 2 : 1;
  if (c.is_none(dtype_index) || c.at(dtype_index).kind != ImportValue::Kind::kInt) return {c.at(0)};
  return {ImportValue::of_tensor(c.builder.cast(x, dtype_from_scalar_type(c, c.static_int(dtype_index))))};
}

Values lower_type_as(LoweringContext& c) {
  return {ImportValue::of_tensor(c.builder.cast(c.tensor(0), c.builder.dtype(c.tensor(1))))};
}

}  // namespace

std::vector<Lowering> elementwise_lowerings() {
  return {
      {"aten::add", lower_add, "add (alpha != 1 adds a mul); list and str concatenation at import time", "", true},
      {"aten::sub", lower_sub, "sub (alpha != 1 adds a mul)", "", true},
      {"aten::rsub", lower_rsub, "sub with swapped operands", ""},
      {"aten::mul", lower_mul, "mul", "", true},
      {"aten::div", lower_div, "div; integer tensors are divided as f32",
       "rounding_mode only on import-time numbers", true},
      {"aten::floor_divide", lower_floordiv, "import-time int", "numbers only, not tensors"},
      {"aten::floordiv", lower_floordiv, "import-time int", "numbers only, not tensors"},
      {"aten::remainder", lower_remainder, "import-time number", "numbers only, not tensors"},
      {"aten::pow", lower_pow, "pow", "", true},
      {"aten::maximum", lower_maximum, "maximum", ""},
      {"aten::minimum", lower_minimum, "minimum", ""},
      {"aten::eq", lower_compare, "equal (or an import-time bool)", ""},
      {"aten::ne", lower_compare, "not_equal (or an import-time bool)", ""},
      {"aten::lt", lower_compare, "less (or an import-time bool)", ""},
      {"aten::le", lower_compare, "less_equal (or an import-time bool)", ""},
      {"aten::gt", lower_compare, "greater (or an import-time bool)", ""},
      {"aten::ge", lower_compare, "greater_equal (or an import-time bool)", ""},
      {"aten::logical_and", lower_logical, "logical_and", ""},
      {"aten::logical_or", lower_logical, "logical_or", ""},
      {"aten::logical_not", lower_logical, "logical_not", ""},
      {"aten::where", lower_where, "where", "the one-argument form is rejected"},
      {"aten::masked_fill", lower_masked_fill, "where(mask, value, x)", "", true},
      {"aten::relu", lower_unary, "relu", "", true},
      {"aten::sigmoid", lower_unary, "sigmoid", "", true},
      {"aten::tanh", lower_unary, "tanh", "", true},
      {"aten::exp", lower_unary, "exp", "", true},
      {"aten::log", lower_unary, "log", "", true},
      {"aten::sqrt", lower_unary, "sqrt", "", true},
      {"aten::rsqrt", lower_unary, "rsqrt", "", true},
      {"aten::neg", lower_unary, "neg", "", true},
      {"aten::abs", lower_unary, "abs", "", true},
      {"aten::erf", lower_unary, "erf", "", true},
      {"aten::reciprocal", lower_unary, "reciprocal", "", true},
      {"aten::silu", lower_unary, "silu", "", true},
      {"aten::hardswish", lower_unary, "hardswish", "", true},
      {"aten::hardsigmoid", lower_unary, "hardsigmoid", "", true},
      {"aten::gelu", lower_gelu, "gelu with approximate 'none' or 'tanh'", "", true},
      {"aten::clamp", lower_clamp, "clamp", "number bounds only", true},
      {"aten::clamp_min", lower_clamp, "clamp", "number bounds only", true},
      {"aten::clamp_max", lower_clamp, "clamp", "number bounds only", true},
      {"aten::hardtanh", lower_hardtanh, "clamp", "", true},
      {"aten::relu6", lower_relu6, "clamp(0, 6)", "", true},
      {"aten::leaky_relu", lower_leaky_relu, "leaky_relu", "", true},
      {"aten::elu", lower_elu, "greater, exp, sub, mul, where", "", true},
      {"aten::square", lower_square, "mul(x, x)", ""},
      {"aten::softmax", lower_softmax, "softmax", ""},
      {"aten::log_softmax", lower_softmax, "log_softmax", ""},
      {"aten::dropout", lower_dropout, "removed (identity)", "train=True is rejected", true},
      {"aten::feature_dropout", lower_dropout, "removed (identity)", "train=True is rejected", true},
      {"aten::alpha_dropout", lower_dropout, "removed (identity)", "train=True is rejected", true},
      {"aten::feature_alpha_dropout", lower_dropout, "removed (identity)", "train=True is rejected", true},
      {"aten::contiguous", lower_identity, "removed (IR tensors are contiguous)", ""},
      {"aten::clone", lower_identity, "removed (values are immutable after import)", ""},
      {"aten::detach", lower_identity, "removed", ""},
      {"aten::alias", lower_identity, "removed", ""},
      {"aten::to", lower_to, "cast, or nothing when the dtype is kept", "devices are ignored (always cpu)"},
      {"aten::type_as", lower_type_as, "cast", ""},
  };
}

}  // namespace npujar::importer
