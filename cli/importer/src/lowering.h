// The interface of lowering functions: TorchScript values translated into
// ImportValue, a builder that appends IR nodes, and the registry that maps a
// node kind to its lowering function. Free of LibTorch on purpose: only the
// walker (torch_graph.cc) and the loader (torch_module.cc) include torch
// headers, so the many lowering files compile quickly.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "npujar/importer/importer.h"
#include "npujar/ir/graph.h"

namespace npujar::importer {

struct ImportValue;
using ValueList = std::shared_ptr<std::vector<ImportValue>>;

// A TorchScript value during import. Tensors live in the IR graph; every
// other value (ints, floats, lists, strings, None) is known at import time
// and is kept here. Ints are ir::Dim so that a size read from a symbolic dim
// stays symbolic (`N`, `12*N`).
struct ImportValue {
  enum class Kind { kNone, kTensor, kInt, kFloat, kBool, kString, kList, kTuple, kOpaque, kInvalid };

  Kind kind = Kind::kNone;
  int tensor = -1;   // IR value index, for kTensor
  ir::Dim integer;   // kInt
  double real = 0;   // kFloat
  bool flag = false; // kBool
  // kString: the string; kOpaque: what the value is (a device, a module);
  // kInvalid: why the value cannot be used (e.g. the indices of max()).
  std::string text;
  // kList and kTuple. Shared, so aten::append on one alias shows in all.
  ValueList items;
  // Set on numbers wrapped into tensors by prim::NumToTensor and on the
  // results of arithmetic on them (traced shape computations). They stay
  // import-time numbers until a real tensor operation needs them.
  bool number_tensor = false;

  static ImportValue none() { return {}; }
  static ImportValue of_tensor(int index);
  static ImportValue of_int(ir::Dim value);
  static ImportValue of_int(int64_t value) { return of_int(ir::Dim::fixed(value)); }
  static ImportValue of_float(double value);
  static ImportValue of_bool(bool value);
  static ImportValue of_string(std::string value);
  static ImportValue of_list(std::vector<ImportValue> items);
  static ImportValue of_tuple(std::vector<ImportValue> items);
  static ImportValue opaque(std::string what);
  static ImportValue invalid(std::string why);

  bool is_tensor() const { return kind == Kind::kTensor; }
  bool is_none() const { return kind == Kind::kNone; }
  // An int, float or bool, including numbers wrapped by prim::NumToTensor.
  bool is_number() const { return kind == Kind::kInt || kind == Kind::kFloat || kind == Kind::kBool; }
};

// "int 3", "float 0.5", "tensor f32[N,3]", ... for messages.
std::string describe(const ImportValue& value, const ir::Graph& graph);

// Appends values and nodes to a Graph and infers output shapes as it goes.
class GraphBuilder {
 public:
  explicit GraphBuilder(ir::Graph& graph) : graph_(graph) {}

  int add_input(const std::string& name, ir::DType dtype, ir::Shape shape);
  // A constant with row-major `data` of dtype_size(dtype) * numel bytes.
  int add_constant(const std::string& name, ir::DType dtype, const std::vector<int64_t>& shape,
                   std::vector<uint8_t> data);
  // A 0-d constant of `dtype` holding `value` (converted as a cast would).
  int add_scalar(double value, ir::DType dtype);
  // A 1-d i64 constant.
  int add_i64s(const std::vector<int64_t>& values);

  // Appends a node with one output and returns the output's index. For
  // operators whose output shape is not a function of their inputs (see
  // ir/shape_inference.h), pass `output_shape`; the rest is inferred.
  int emit(const std::string& op, std::vector<int> inputs, ir::Attributes attributes = {},
           const ir::Shape* output_shape = nullptr);

  // Casts `value` to `dtype` unless it already has it.
  int cast(int value, ir::DType dtype);
  // Reshapes `value` unless it already has `shape`.
  int reshape(int value, const ir::Shape& shape);

  const ir::Value& value(int index) const { return graph_.values.at(static_cast<size_t>(index)); }
  const ir::Shape& shape(int index) const { return value(index).shape; }
  ir::DType dtype(int index) const { return value(index).dtype; }
  size_t rank(int index) const { return shape(index).size(); }
  ir::Graph& graph() { return graph_; }

  // Source location stamped on the nodes emitted next.
  void set_source(std::string source) { source_ = std::move(source); }
  const std::string& source() const { return source_; }

 private:
  ir::Graph& graph_;
  std::string source_;
};

// The inputs of one TorchScript node and accessors that check their kinds.
// Every accessor throws ImportError naming the node kind, the argument and
// the source location.
class LoweringContext {
 public:
  LoweringContext(GraphBuilder& builder, std::string kind, std::vector<ImportValue> inputs,
                  size_t num_outputs)
      : builder(builder), kind(std::move(kind)), inputs(std::move(inputs)), num_outputs(num_outputs) {}

  GraphBuilder& builder;
  std::string kind;
  std::vector<ImportValue> inputs;
  size_t num_outputs;

  size_t size() const { return inputs.size(); }
  const ImportValue& at(size_t i) const;
  bool is_none(size_t i) const { return i >= inputs.size() || inputs[i].is_none(); }

  // The IR value of a tensor argument. Numbers are turned into 0-d
  // constants of `number_dtype` (static numbers only).
  int tensor(size_t i, ir::DType number_dtype = ir::DType::kF32) const;
  // An optional tensor argument: -1 when None.
  int optional_tensor(size_t i) const;
  ir::Dim dim(size_t i) const;
  int64_t static_int(size_t i) const;
  double number(size_t i) const;
  bool flag(size_t i) const;
  const std::string& string(size_t i) const;
  std::vector<ImportValue> list(size_t i) const;
  std::vector<ir::Dim> dims(size_t i) const;
  // A list of static ints; a single int is repeated `repeat` times, as
  // PyTorch expands `stride=2` to [2, 2].
  std::vector<int64_t> ints(size_t i, size_t repeat = 0) const;

  // Normalizes a possibly negative axis for `rank` dims.
  size_t axis(int64_t axis, size_t rank) const;

  [[noreturn]] void fail(const std::string& message) const;
};

using LowerFunction = std::vector<ImportValue> (*)(LoweringContext& context);

// One registry row: a TorchScript node kind, its lowering and its limits.
struct Lowering {
  const char* kind;
  LowerFunction lower;   // nullptr for kinds the walker handles itself
  const char* ir_ops;    // what it becomes, for the documentation
  const char* limits;    // what is rejected, for the documentation
  bool has_inplace = false;  // the `kind_` in-place form is lowered too
};

// Each family file returns its rows.
std::vector<Lowering> scalar_lowerings();
std::vector<Lowering> elementwise_lowerings();
std::vector<Lowering> shape_lowerings();
std::vector<Lowering> nn_lowerings();
std::vector<Lowering> linear_lowerings();
std::vector<Lowering> transformer_lowerings();
std::vector<Lowering> walker_handled_kinds();

// The row for `kind`, or nullptr. In-place kinds (`aten::relu_`) find the
// row of their functional form when it has has_inplace set.
const Lowering* find_lowering(const std::string& kind);
// The functional form of an in-place kind ("aten::add_" -> "aten::add"),
// or an empty string when `kind` is not an in-place kind.
std::string functional_kind(const std::string& kind);

// Helpers shared by the lowering files.
// "224", "N" or "12*N".
std::string dim_text(const ir::Dim& dim);
bool is_float_dtype(ir::DType dtype);
// Static arithmetic on import-time ints; throws ImportError through
// `context` when a symbolic result is not representable as an ir::Dim.
ir::Dim add_dims(const LoweringContext& context, const ir::Dim& a, const ir::Dim& b);
ir::Dim negate_dim(const ir::Dim& a);
// `op` (add, sub, mul, div, floordiv, remainder, pow, eq, ne, lt, le, gt,
// ge, maximum, minimum) on two import-time numbers.
ImportValue number_binary(const LoweringContext& context, const std::string& op, const ImportValue& a,
                          const ImportValue& b);
// Extent of a static dim, or a failure naming `what`.
int64_t static_extent(const LoweringContext& context, const ir::Dim& dim, const std::string& what);
// The element count of `shape` split into a static product and the symbols.
struct ShapeProduct {
  int64_t extent = 1;
  std::vector<std::string> symbols;  // sorted
};
ShapeProduct shape_product(const ir::Shape& shape);

}  // namespace npujar::importer
