// npujar's graph IR: the model as the importer produced it and every backend
// compiles it. Free of LibTorch and LLVM so that cli/, runtime/ and tests can
// all use it.
//
// A Graph is a list of Values (tensors) and a list of Nodes (operator
// applications) in topological order. Values are referred to by index. The
// operator names and their attributes are listed in ops.h; shapes follow
// PyTorch's conventions (NCHW for images, row-major contiguous storage).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace npujar::ir {

// Element types. The numeric values are stored in the graph section and must
// not change.
enum class DType : uint8_t {
  kF32 = 1,
  kF16 = 2,
  kBF16 = 3,
  kI64 = 4,
  kI32 = 5,
  kI8 = 6,
  kU8 = 7,
  kBool = 8,
};

// Size in bytes of one element of `dtype`.
size_t dtype_size(DType dtype);
// The short name used in manifests and on the command line: f32, f16, bf16,
// i64, i32, i8, u8, bool.
const char* dtype_name(DType dtype);
std::optional<DType> parse_dtype(const std::string& name);

// One dimension: `coefficient * symbol` when `symbol` is not empty, otherwise
// the static extent `coefficient`. A single symbol with an integer
// coefficient covers the batch dimension and products of it with static
// extents (for example `12*N` after a reshape that merges heads into batch).
struct Dim {
  int64_t coefficient = 0;
  std::string symbol;

  static Dim fixed(int64_t extent) { return Dim{extent, {}}; }
  static Dim symbolic(std::string name, int64_t coefficient = 1) {
    return Dim{coefficient, std::move(name)};
  }
  bool is_static() const { return symbol.empty(); }
  // The extent once the symbols have values; `symbols` maps name to value.
  int64_t resolve(const std::map<std::string, int64_t>& symbols) const;
  bool operator==(const Dim& other) const {
    return coefficient == other.coefficient && symbol == other.symbol;
  }
  bool operator!=(const Dim& other) const { return !(*this == other); }
};

using Shape = std::vector<Dim>;

// "[N,3,224,224]" style text, as used by --input and in dumps.
std::string shape_to_string(const Shape& shape);
bool shape_is_static(const Shape& shape);
// Number of elements once symbols are resolved.
int64_t shape_numel(const Shape& shape, const std::map<std::string, int64_t>& symbols);

enum class ValueKind : uint8_t {
  kInput = 1,         // a graph input, supplied by the caller
  kIntermediate = 2,  // produced by a node
  kConstant = 3,      // data known at pack time (weights and small constants)
};

struct Value {
  std::string name;
  DType dtype = DType::kF32;
  Shape shape;
  ValueKind kind = ValueKind::kIntermediate;
  // Row-major contiguous bytes of a kConstant value; empty otherwise.
  std::vector<uint8_t> data;
};

// Attribute values. Integer lists cover strides, paddings, axes and
// permutations; strings cover modes such as "bilinear" or "reflect".
using Attribute = std::variant<int64_t, double, std::string, std::vector<int64_t>,
                               std::vector<double>>;
using Attributes = std::map<std::string, Attribute>;

struct Node {
  std::string op;             // a name from ops.h
  std::vector<int> inputs;    // value indices; -1 marks an absent optional input
  std::vector<int> outputs;   // value indices
  Attributes attributes;
  std::string source;         // TorchScript source location, for diagnostics

  bool has(const std::string& key) const { return attributes.count(key) != 0; }
  int64_t get_int(const std::string& key, int64_t fallback) const;
  double get_float(const std::string& key, double fallback) const;
  std::string get_string(const std::string& key, const std::string& fallback) const;
  std::vector<int64_t> get_ints(const std::string& key) const;
};

struct Graph {
  std::string name;
  std::vector<Value> values;
  std::vector<Node> nodes;     // topological order
  std::vector<int> inputs;     // value indices of kInput values, in call order
  std::vector<int> outputs;    // value indices, in result order

  int add_value(Value value);
  // Symbol names used by input shapes, sorted; the runtime passes their
  // values to compiled code in this order.
  std::vector<std::string> symbols() const;
};

}  // namespace npujar::ir
