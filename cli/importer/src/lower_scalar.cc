// Import-time values: sizes, ints, floats, bools, lists, tuples and
// strings. None of these become IR nodes. Ints are ir::Dim, so `x.size(0)`
// of a symbolic batch is `N`, and `N * 12` is `12*N`. Arithmetic whose
// result is not a multiple of one symbol is rejected with advice to fix the
// dim's extent.
#include <cmath>

#include "lowering.h"

namespace npujar::importer {

namespace {

using Kind = ImportValue::Kind;
using Values = std::vector<ImportValue>;

// Sizes of a tensor argument, or the failure naming it.
const ir::Shape& tensor_shape(LoweringContext& c, size_t i) { return c.builder.shape(c.tensor(i)); }

Values lower_size(LoweringContext& c) {
  const ir::Shape& shape = tensor_shape(c, 0);
  if (c.size() >= 2 && !c.is_none(1)) {
    return {ImportValue::of_int(shape[c.axis(c.static_int(1), shape.size())])};
  }
  Values dims;
  for (const ir::Dim& dim : shape) dims.push_back(ImportValue::of_int(dim));
  return {ImportValue::of_list(std::move(dims))};
}

Values lower_dim(LoweringContext& c) {
  return {ImportValue::of_int(static_cast<int64_t>(tensor_shape(c, 0).size()))};
}

Values lower_len(LoweringContext& c) {
  const ImportValue& value = c.at(0);
  if (value.is_tensor()) {
    const ir::Shape& shape = tensor_shape(c, 0);
    if (shape.empty()) c.fail("len() of a 0-d tensor");
    return {ImportValue::of_int(shape[0])};
  }
  return {ImportValue::of_int(static_cast<int64_t>(c.list(0).size()))};
}

Values lower_numel(LoweringContext& c) {
  ShapeProduct product = shape_product(tensor_shape(c, 0));
  if (product.symbols.size() > 1) c.fail("numel() of a shape with several symbolic dims is not representable");
  if (product.symbols.empty()) return {ImportValue::of_int(product.extent)};
  return {ImportValue::of_int(ir::Dim::symbolic(product.symbols[0], product.extent))};
}

// aten::Int, aten::Float, aten::Bool, aten::ScalarImplicit, prim::NumToTensor
// and aten::item keep the number and only change its kind.
Values lower_to_int(LoweringContext& c) {
  const ImportValue& value = c.at(0);
  if (value.kind == Kind::kFloat) return {ImportValue::of_int(static_cast<int64_t>(value.real))};
  return {ImportValue::of_int(c.dim(0))};
}

Values lower_to_float(LoweringContext& c) { return {ImportValue::of_float(c.number(0))}; }

Values lower_to_bool(LoweringContext& c) { return {ImportValue::of_bool(c.number(0) != 0)}; }

Values lower_keep_number(LoweringContext& c) {
  ImportValue value = c.at(0);
  if (!value.is_number()) {
    c.fail("expected a number known at import time, got " + describe(value, c.builder.graph()) +
           "; values computed from tensor data cannot steer the graph");
  }
  value.number_tensor = c.kind == "prim::NumToTensor";
  return {value};
}

Values lower_list_construct(LoweringContext& c) { return {ImportValue::of_list(c.inputs)}; }

Values lower_tuple_construct(LoweringContext& c) { return {ImportValue::of_tuple(c.inputs)}; }

Values lower_unpack(LoweringContext& c) {
  Values items = c.list(0);
  if (items.size() != c.num_outputs) {
    c.fail("unpacking " + std::to_string(items.size()) + " items into " + std::to_string(c.num_outputs) + " values");
  }
  return items;
}

Values lower_get_item(LoweringContext& c) {
  Values items = c.list(0);
  int64_t index = c.static_int(1);
  int64_t count = static_cast<int64_t>(items.size());
  if (index < -count || index >= count) {
    c.fail("index " + std::to_string(index) + " is out of range for a list of " + std::to_string(count));
  }
  return {items[static_cast<size_t>(index < 0 ? index + count : index)]};
}

Values lower_append(LoweringContext& c) {
  const ImportValue& list = c.at(0);
  if (list.kind != Kind::kList) c.fail("append() needs a list");
  list.items->push_back(c.at(1));
  return {list};
}

Values lower_passthrough(LoweringContext& c) { return {c.at(0)}; }

Values lower_uninitialized(LoweringContext&) { return {ImportValue::invalid("prim::Uninitialized")}; }

Values lower_nothing(LoweringContext& c) { return Values(c.num_outputs, ImportValue::none()); }

Values lower_format(LoweringContext& c) {
  std::string text = c.string(0);
  std::string result;
  size_t argument = 1;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text.compare(i, 2, "{}") == 0 && argument < c.size()) {
      const ImportValue& value = c.at(argument++);
      result += value.kind == Kind::kString ? value.text : describe(value, c.builder.graph());
      ++i;
    } else {
      result += text[i];
    }
  }
  return {ImportValue::of_string(result)};
}

Values lower_not(LoweringContext& c) { return {ImportValue::of_bool(!c.flag(0))}; }

Values lower_and(LoweringContext& c) { return {ImportValue::of_bool(c.flag(0) && c.flag(1))}; }

Values lower_or(LoweringContext& c) { return {ImportValue::of_bool(c.flag(0) || c.flag(1))}; }

// `x is None` is decidable because every None is known at import time.
Values lower_is(LoweringContext& c) {
  bool same = c.at(0).is_none() && c.at(1).is_none();
  bool result = c.kind == "aten::__is__" ? same : !same;
  if (!c.at(0).is_none() && !c.at(1).is_none()) {
    c.fail("identity comparison of two values that are not None is not supported");
  }
  return {ImportValue::of_bool(result)};
}

Values lower_min_max(LoweringContext& c) {
  Values items = c.size() == 1 ? c.list(0) : c.inputs;
  if (items.empty()) c.fail("min()/max() of an empty list");
  bool is_min = c.kind == "prim::min";
  bool any_float = false;
  for (const ImportValue& item : items) any_float = any_float || item.kind == Kind::kFloat;
  LoweringContext one(c.builder, c.kind, items, 1);
  double best = one.number(0);
  for (size_t i = 1; i < items.size(); ++i) best = is_min ? std::min(best, one.number(i)) : std::max(best, one.number(i));
  if (any_float) return {ImportValue::of_float(best)};
  return {ImportValue::of_int(static_cast<int64_t>(best))};
}

Values lower_round(LoweringContext& c) {
  double value = c.number(0);
  double rounded = c.kind == "aten::floor" ? std::floor(value) : std::ceil(value);
  return {ImportValue::of_int(static_cast<int64_t>(rounded))};
}

// torch.dtype values are ints (c10::ScalarType).
Values lower_dtype(LoweringContext& c) {
  switch (c.builder.dtype(c.tensor(0))) {
    case ir::DType::kF32: return {ImportValue::of_int(6)};
    case ir::DType::kF16: return {ImportValue::of_int(5)};
    case ir::DType::kBF16: return {ImportValue::of_int(15)};
    case ir::DType::kI64: return {ImportValue::of_int(4)};
    case ir::DType::kI32: return {ImportValue::of_int(3)};
    case ir::DType::kI8: return {ImportValue::of_int(1)};
    case ir::DType::kU8: return {ImportValue::of_int(0)};
    case ir::DType::kBool: return {ImportValue::of_int(11)};
  }
  return {ImportValue::of_int(6)};
}

Values lower_device(LoweringContext&) { return {ImportValue::opaque("device cpu")}; }

Values lower_range_length(LoweringContext& c) {
  int64_t low = c.static_int(0), high = c.static_int(1), step = c.static_int(2);
  if (step == 0) c.fail("range() step is 0");
  int64_t length = step > 0 ? (high - low + step - 1) / step : (low - high - step - 1) / -step;
  return {ImportValue::of_int(std::max<int64_t>(0, length))};
}

Values lower_derive_index(LoweringContext& c) {
  return {ImportValue::of_int(c.static_int(1) + c.static_int(0) * c.static_int(2))};
}

int64_t floor_divide(int64_t a, int64_t b) {
  int64_t quotient = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --quotient;
  return quotient;
}

ImportValue int_binary(const LoweringContext& c, const std::string& op, const ir::Dim& a, const ir::Dim& b) {
  if (op == "add") return ImportValue::of_int(add_dims(c, a, b));
  if (op == "sub") return ImportValue::of_int(add_dims(c, a, negate_dim(b)));
  if (op == "mul") {
    if (!a.is_static() && !b.is_static()) {
      c.fail("the product of symbolic sizes " + dim_text(a) + " and " + dim_text(b) +
             " is not representable; give one of them a fixed extent with --input");
    }
    return ImportValue::of_int(a.is_static() ? ir::Dim{a.coefficient * b.coefficient, b.symbol}
                                             : ir::Dim{a.coefficient * b.coefficient, a.symbol});
  }
  if (op == "eq" || op == "ne") {
    bool equal = a == b;
    if (!equal && (!a.is_static() || !b.is_static())) {
      c.fail("comparing the symbolic size " + dim_text(a) + " with " + dim_text(b) +
             " depends on the symbol's value; give that dim a fixed extent with --input");
    }
    return ImportValue::of_bool(op == "eq" ? equal : !equal);
  }

  int64_t divisor = static_extent(c, b, "the right operand");
  if (op == "floordiv" && !a.is_static()) {
    if (divisor <= 0 || a.coefficient % divisor != 0) {
      c.fail("the symbolic size " + dim_text(a) + " is not divisible by " + std::to_string(divisor) +
             "; give that dim a fixed extent with --input");
    }
    return ImportValue::of_int(ir::Dim::symbolic(a.symbol, a.coefficient / divisor));
  }
  int64_t x = static_extent(c, a, "the left operand");
  int64_t y = divisor;
  if ((op == "floordiv" || op == "remainder") && y == 0) c.fail("integer division by zero");
  if (op == "floordiv") return ImportValue::of_int(floor_divide(x, y));
  if (op == "remainder") return ImportValue::of_int(x - floor_divide(x, y) * y);
  if (op == "lt") return ImportValue::of_bool(x < y);
  if (op == "le") return ImportValue::of_bool(x <= y);
  if (op == "gt") return ImportValue::of_bool(x > y);
  if (op == "ge") return ImportValue::of_bool(x >= y);
  if (op == "maximum") return ImportValue::of_int(std::max(x, y));
  if (op == "minimum") return ImportValue::of_int(std::min(x, y));
  if (op == "div") return ImportValue::of_float(static_cast<double>(x) / static_cast<double>(y));
  if (op == "pow") return ImportValue::of_int(static_cast<int64_t>(std::pow(x, y)));
  c.fail("no import-time rule for " + op + " on ints");
}

ImportValue float_binary(const LoweringContext& c, const std::string& op, double x, double y) {
  if (op == "add") return ImportValue::of_float(x + y);
  if (op == "sub") return ImportValue::of_float(x - y);
  if (op == "mul") return ImportValue::of_float(x * y);
  if (op == "div") return ImportValue::of_float(x / y);
  if (op == "floordiv") return ImportValue::of_float(std::floor(x / y));
  if (op == "remainder") return ImportValue::of_float(x - std::floor(x / y) * y);
  if (op == "pow") return ImportValue::of_float(std::pow(x, y));
  if (op == "eq") return ImportValue::of_bool(x == y);
  if (op == "ne") return ImportValue::of_bool(x != y);
  if (op == "lt") return ImportValue::of_bool(x < y);
  if (op == "le") return ImportValue::of_bool(x <= y);
  if (op == "gt") return ImportValue::of_bool(x > y);
  if (op == "ge") return ImportValue::of_bool(x >= y);
  if (op == "maximum") return ImportValue::of_float(std::max(x, y));
  if (op == "minimum") return ImportValue::of_float(std::min(x, y));
  c.fail("no import-time rule for " + op + " on floats");
}

}  // namespace

ImportValue number_binary(const LoweringContext& c, const std::string& op, const ImportValue& a,
                          const ImportValue& b) {
  ImportValue result;
  if (a.kind == Kind::kFloat || b.kind == Kind::kFloat) {
    LoweringContext pair(c.builder, c.kind, {a, b}, 1);
    result = float_binary(c, op, pair.number(0), pair.number(1));
  } else {
    LoweringContext pair(c.builder, c.kind, {a, b}, 1);
    result = int_binary(c, op, pair.dim(0), pair.dim(1));
  }
  result.number_tensor = a.number_tensor || b.number_tensor;
  return result;
}

std::vector<Lowering> scalar_lowerings() {
  return {
      {"aten::size", lower_size, "import-time int or list of ints (symbolic dims stay symbolic)", ""},
      {"aten::dim", lower_dim, "import-time int", ""},
      {"aten::len", lower_len, "import-time int", ""},
      {"aten::numel", lower_numel, "import-time int", "at most one symbolic dim"},
      {"aten::Int", lower_to_int, "import-time int", "the value must be known at import time"},
      {"aten::Float", lower_to_float, "import-time float", "the value must be static"},
      {"aten::Bool", lower_to_bool, "import-time bool", "the value must be static"},
      {"aten::ScalarImplicit", lower_keep_number, "import-time number", "the value must be known at import time"},
      {"aten::item", lower_keep_number, "import-time number", "only numbers known at import time, never tensor data"},
      {"prim::NumToTensor", lower_keep_number, "import-time number used as a 0-d tensor", ""},
      {"prim::ListConstruct", lower_list_construct, "import-time list", ""},
      {"prim::TupleConstruct", lower_tuple_construct, "import-time tuple", ""},
      {"prim::ListUnpack", lower_unpack, "import-time unpacking", ""},
      {"prim::TupleUnpack", lower_unpack, "import-time unpacking", ""},
      {"prim::TupleIndex", lower_get_item, "import-time indexing", ""},
      {"aten::__getitem__", lower_get_item, "import-time list indexing", "lists only"},
      {"aten::append", lower_append, "import-time list append", ""},
      {"prim::unchecked_cast", lower_passthrough, "no-op", ""},
      {"aten::warn", lower_nothing, "dropped", ""},
      {"prim::Uninitialized", lower_uninitialized, "placeholder on paths that raise", "must not be used"},
      {"aten::format", lower_format, "import-time string, for exception messages", ""},
      {"aten::__not__", lower_not, "import-time bool", ""},
      {"aten::__and__", lower_and, "import-time bool", "bools only"},
      {"aten::__or__", lower_or, "import-time bool", "bools only"},
      {"aten::__is__", lower_is, "import-time None check", "one side must be None"},
      {"aten::__isnot__", lower_is, "import-time None check", "one side must be None"},
      {"prim::min", lower_min_max, "import-time number", "static numbers"},
      {"prim::max", lower_min_max, "import-time number", "static numbers"},
      {"aten::floor", lower_round, "import-time int", "numbers only, not tensors"},
      {"aten::ceil", lower_round, "import-time int", "numbers only, not tensors"},
      {"prim::dtype", lower_dtype, "import-time dtype", ""},
      {"prim::device", lower_device, "import-time device (always cpu)", ""},
      {"aten::__range_length", lower_range_length, "import-time int", "static bounds"},
      {"aten::__derive_index", lower_derive_index, "import-time int", "static bounds"},
  };
}

}  // namespace npujar::importer
