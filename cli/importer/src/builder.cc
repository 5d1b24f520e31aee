// ImportValue, GraphBuilder and LoweringContext: the torch-free half of the
// importer that every lowering function uses.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <sstream>

#include "lowering.h"
#include "npujar/ir/error.h"
#include "npujar/ir/shape_inference.h"

namespace npujar::importer {

ImportValue ImportValue::of_tensor(int index) {
  ImportValue value;
  value.kind = Kind::kTensor;
  value.tensor = index;
  return value;
}

ImportValue ImportValue::of_int(ir::Dim dim) {
  ImportValue value;
  value.kind = Kind::kInt;
  value.integer = std::move(dim);
  return value;
}

ImportValue ImportValue::of_float(double real) {
  ImportValue value;
  value.kind = Kind::kFloat;
  value.real = real;
  return value;
}

ImportValue ImportValue::of_bool(bool flag) {
  ImportValue value;
  value.kind = Kind::kBool;
  value.flag = flag;
  return value;
}

ImportValue ImportValue::of_string(std::string text) {
  ImportValue value;
  value.kind = Kind::kString;
  value.text = std::move(text);
  return value;
}

ImportValue ImportValue::of_list(std::vector<ImportValue> items) {
  ImportValue value;
  value.kind = Kind::kList;
  value.items = std::make_shared<std::vector<ImportValue>>(std::move(items));
  return value;
}

ImportValue ImportValue::of_tuple(std::vector<ImportValue> items) {
  ImportValue value = of_list(std::move(items));
  value.kind = Kind::kTuple;
  return value;
}

ImportValue ImportValue::opaque(std::string what) {
  ImportValue value;
  value.kind = Kind::kOpaque;
  value.text = std::move(what);
  return value;
}

ImportValue ImportValue::invalid(std::string why) {
  ImportValue value;
  value.kind = Kind::kInvalid;
  value.text = std::move(why);
  return value;
}

std::string describe(const ImportValue& value, const ir::Graph& graph) {
  using Kind = ImportValue::Kind;
  switch (value.kind) {
    case Kind::kNone:
      return "None";
    case Kind::kTensor: {
      const ir::Value& tensor = graph.values.at(static_cast<size_t>(value.tensor));
      return std::string("tensor ") + ir::dtype_name(tensor.dtype) + ir::shape_to_string(tensor.shape);
    }
    case Kind::kInt:
      return "int " + dim_text(value.integer);
    case Kind::kFloat: {
      std::ostringstream text;
      text << "float " << value.real;
      return text.str();
    }
    case Kind::kBool:
      return value.flag ? "bool True" : "bool False";
    case Kind::kString:
      return "str '" + value.text + "'";
    case Kind::kList:
    case Kind::kTuple: {
      std::string text = value.kind == Kind::kList ? "[" : "(";
      for (size_t i = 0; i < value.items->size(); ++i) {
        if (i > 0) text += ", ";
        text += describe((*value.items)[i], graph);
      }
      return text + (value.kind == Kind::kList ? "]" : ")");
    }
    case Kind::kOpaque:
      return value.text;
    case Kind::kInvalid:
      return "unusable value (" + value.text + ")";
  }
  return "?";
}

// ---------------------------------------------------------------- GraphBuilder

int GraphBuilder::add_input(const std::string& name, ir::DType dtype, ir::Shape shape) {
  ir::Value value;
  value.name = name;
  value.dtype = dtype;
  value.shape = std::move(shape);
  value.kind = ir::ValueKind::kInput;
  int index = graph_.add_value(std::move(value));
  graph_.inputs.push_back(index);
  return index;
}

int GraphBuilder::add_constant(const std::string& name, ir::DType dtype,
                               const std::vector<int64_t>& shape, std::vector<uint8_t> data) {
  ir::Value value;
  value.name = name;
  value.dtype = dtype;
  for (int64_t extent : shape) value.shape.push_back(ir::Dim::fixed(extent));
  value.kind = ir::ValueKind::kConstant;
  value.data = std::move(data);
  return graph_.add_value(std::move(value));
}

namespace {

template <typename T>
std::vector<uint8_t> bytes_of(T element) {
  std::vector<uint8_t> bytes(sizeof(T));
  std::memcpy(bytes.data(), &element, sizeof(T));
  return bytes;
}

}  // namespace

int GraphBuilder::add_scalar(double value, ir::DType dtype) {
  std::vector<uint8_t> data;
  switch (dtype) {
    case ir::DType::kF32:
      data = bytes_of(static_cast<float>(value));
      break;
    case ir::DType::kI64:
      data = bytes_of(static_cast<int64_t>(value));
      break;
    case ir::DType::kI32:
      data = bytes_of(static_cast<int32_t>(value));
      break;
    case ir::DType::kI8:
      data = bytes_of(static_cast<int8_t>(value));
      break;
    case ir::DType::kU8:
      data = bytes_of(static_cast<uint8_t>(value));
      break;
    case ir::DType::kBool:
      data = bytes_of(static_cast<uint8_t>(value != 0 ? 1 : 0));
      break;
    default:
      throw ImportError(std::string("cannot make a ") + ir::dtype_name(dtype) +
                        " constant; only f32 and integer scalars are supported");
  }
  return add_constant("", dtype, {}, std::move(data));
}

int GraphBuilder::add_i64s(const std::vector<int64_t>& values) {
  std::vector<uint8_t> data(values.size() * sizeof(int64_t));
  if (!values.empty()) std::memcpy(data.data(), values.data(), data.size());
  return add_constant("", ir::DType::kI64, {static_cast<int64_t>(values.size())}, std::move(data));
}

int GraphBuilder::emit(const std::string& op, std::vector<int> inputs, ir::Attributes attributes,
                       const ir::Shape* output_shape) {
  ir::Value output;
  if (output_shape != nullptr) output.shape = *output_shape;
  if (!inputs.empty() && inputs[0] >= 0) output.dtype = dtype(inputs[0]);
  int output_index = graph_.add_value(std::move(output));

  ir::Node node;
  node.op = op;
  node.inputs = std::move(inputs);
  node.outputs = {output_index};
  node.attributes = std::move(attributes);
  node.source = source_;
  graph_.nodes.push_back(std::move(node));

  try {
    ir::infer_shapes(graph_, graph_.nodes.size() - 1);
  } catch (const ir::IrError& error) {
    throw ImportError(error.what());
  }
  return output_index;
}

int GraphBuilder::cast(int value, ir::DType target) {
  if (dtype(value) == target) return value;
  return emit("cast", {value}, {{"to", static_cast<int64_t>(target)}});
}

int GraphBuilder::reshape(int value, const ir::Shape& target) {
  if (shape(value) == target) return value;
  return emit("reshape", {value}, {}, &target);
}

// ---------------------------------------------------------------- LoweringContext

const ImportValue& LoweringContext::at(size_t i) const {
  if (i >= inputs.size()) {
    fail("argument " + std::to_string(i) + " is missing; the node has " +
         std::to_string(inputs.size()) + " inputs");
  }
  return inputs[i];
}

int LoweringContext::tensor(size_t i, ir::DType number_dtype) const {
  const ImportValue& value = at(i);
  if (value.is_tensor()) return value.tensor;
  if (value.is_number()) {
    if (value.kind == ImportValue::Kind::kInt && !value.integer.is_static()) {
      fail("argument " + std::to_string(i) + " is the symbolic size " +
           dim_text(value.integer) + ", which cannot become a tensor at import time");
    }
    return builder.add_scalar(number(i), number_dtype);
  }
  fail("argument " + std::to_string(i) + " must be a tensor, got " + describe(value, builder.graph()));
}

int LoweringContext::optional_tensor(size_t i) const { return is_none(i) ? -1 : tensor(i); }

ir::Dim LoweringContext::dim(size_t i) const {
  const ImportValue& value = at(i);
  if (value.kind == ImportValue::Kind::kInt) return value.integer;
  if (value.kind == ImportValue::Kind::kBool) return ir::Dim::fixed(value.flag ? 1 : 0);
  fail("argument " + std::to_string(i) + " must be an int, got " + describe(value, builder.graph()));
}

int64_t LoweringContext::static_int(size_t i) const {
  ir::Dim value = dim(i);
  if (!value.is_static()) {
    fail("argument " + std::to_string(i) + " is the symbolic size " + dim_text(value) +
         " where a static int is needed; give that dim a fixed extent with --input");
  }
  return value.coefficient;
}

double LoweringContext::number(size_t i) const {
  const ImportValue& value = at(i);
  if (value.kind == ImportValue::Kind::kFloat) return value.real;
  return static_cast<double>(static_int(i));
}

bool LoweringContext::flag(size_t i) const {
  const ImportValue& value = at(i);
  if (value.kind == ImportValue::Kind::kBool) return value.flag;
  if (value.kind == ImportValue::Kind::kInt) return static_int(i) != 0;
  fail("argument " + std::to_string(i) + " must be a bool, got " + describe(value, builder.graph()));
}

const std::string& LoweringContext::string(size_t i) const {
  const ImportValue& value = at(i);
  if (value.kind != ImportValue::Kind::kString) {
    fail("argument " + std::to_string(i) + " must be a str, got " + describe(value, builder.graph()));
  }
  return value.text;
}

std::vector<ImportValue> LoweringContext::list(size_t i) const {
  const ImportValue& value = at(i);
  if (value.kind != ImportValue::Kind::kList && value.kind != ImportValue::Kind::kTuple) {
    fail("argument " + std::to_string(i) + " must be a list, got " + describe(value, builder.graph()));
  }
  return *value.items;
}

std::vector<ir::Dim> LoweringContext::dims(size_t i) const {
  const ImportValue& value = at(i);
  if (value.kind == ImportValue::Kind::kInt) return {value.integer};
  std::vector<ir::Dim> result;
  for (const ImportValue& item : list(i)) {
    if (item.kind != ImportValue::Kind::kInt) {
      fail("argument " + std::to_string(i) + " must be a list of ints, got " + describe(value, builder.graph()));
    }
    result.push_back(item.integer);
  }
  return result;
}

std::vector<int64_t> LoweringContext::ints(size_t i, size_t repeat) const {
  const ImportValue& value = at(i);
  if (value.kind == ImportValue::Kind::kInt && repeat > 0) {
    return std::vector<int64_t>(repeat, static_int(i));
  }
  std::vector<int64_t> result;
  for (const ir::Dim& item : dims(i)) {
    if (!item.is_static()) {
      fail("argument " + std::to_string(i) + " contains the symbolic size " + dim_text(item) +
           " where static ints are needed");
    }
    result.push_back(item.coefficient);
  }
  if (repeat > 1 && result.size() == 1) result.assign(repeat, result[0]);
  return result;
}

size_t LoweringContext::axis(int64_t axis, size_t rank) const {
  int64_t normalized = axis < 0 ? axis + static_cast<int64_t>(rank) : axis;
  if (normalized < 0 || normalized >= static_cast<int64_t>(rank)) {
    fail("dim " + std::to_string(axis) + " is out of range for a tensor of rank " + std::to_string(rank));
  }
  return static_cast<size_t>(normalized);
}

void LoweringContext::fail(const std::string& message) const {
  std::string where = builder.source().empty() ? "" : " at " + builder.source();
  throw ImportError(kind + where + ": " + message);
}

// ---------------------------------------------------------------- helpers

std::string dim_text(const ir::Dim& dim) {
  std::string text = ir::shape_to_string({dim});
  return text.substr(1, text.size() - 2);
}

bool is_float_dtype(ir::DType dtype) {
  return dtype == ir::DType::kF32 || dtype == ir::DType::kF16 || dtype == ir::DType::kBF16;
}

ir::Dim add_dims(const LoweringContext& context, const ir::Dim& a, const ir::Dim& b) {
  if (a.is_static() && b.is_static()) return ir::Dim::fixed(a.coefficient + b.coefficient);
  if (a.is_static() && a.coefficient == 0) return b;
  if (b.is_static() && b.coefficient == 0) return a;
  if (a.symbol == b.symbol) {
    int64_t sum = a.coefficient + b.coefficient;
    return sum == 0 ? ir::Dim::fixed(0) : ir::Dim::symbolic(a.symbol, sum);
  }
  context.fail("the sum of sizes " + dim_text(a) + " and " + dim_text(b) +
               " is not a multiple of one symbol; give the symbolic dims fixed extents with --input");
}

ir::Dim negate_dim(const ir::Dim& a) { return ir::Dim{-a.coefficient, a.symbol}; }

int64_t static_extent(const LoweringContext& context, const ir::Dim& dim, const std::string& what) {
  if (!dim.is_static()) {
    context.fail(what + " is the symbolic size " + dim_text(dim) +
                 " but must be static; give it a fixed extent with --input");
  }
  return dim.coefficient;
}

ShapeProduct shape_product(const ir::Shape& shape) {
  ShapeProduct product;
  for (const ir::Dim& dim : shape) {
    product.extent *= dim.coefficient;
    if (!dim.is_static()) product.symbols.push_back(dim.symbol);
  }
  std::sort(product.symbols.begin(), product.symbols.end());
  return product;
}

}  // namespace npujar::importer
