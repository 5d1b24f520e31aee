#include "npujar/ir/graph.h"

#include <set>
#include <sstream>

#include "npujar/ir/error.h"

namespace npujar::ir {

size_t dtype_size(DType dtype) {
  switch (dtype) {
    case DType::kF32: return 4;
    case DType::kF16: return 2;
    case DType::kBF16: return 2;
    case DType::kI64: return 8;
    case DType::kI32: return 4;
    case DType::kI8: return 1;
    case DType::kU8: return 1;
    case DType::kBool: return 1;
  }
  throw IrError("invalid dtype " + std::to_string(static_cast<int>(dtype)));
}

const char* dtype_name(DType dtype) {
  switch (dtype) {
    case DType::kF32: return "f32";
    case DType::kF16: return "f16";
    case DType::kBF16: return "bf16";
    case DType::kI64: return "i64";
    case DType::kI32: return "i32";
    case DType::kI8: return "i8";
    case DType::kU8: return "u8";
    case DType::kBool: return "bool";
  }
  return "invalid";
}

std::optional<DType> parse_dtype(const std::string& name) {
  for (DType dtype : {DType::kF32, DType::kF16, DType::kBF16, DType::kI64, DType::kI32,
                      DType::kI8, DType::kU8, DType::kBool}) {
    if (name == dtype_name(dtype)) return dtype;
  }
  return std::nullopt;
}

int64_t Dim::resolve(const std::map<std::string, int64_t>& symbols) const {
  if (is_static()) return coefficient;
  auto it = symbols.find(symbol);
  if (it == symbols.end()) throw IrError("symbol " + symbol + " has no value");
  return coefficient * it->second;
}

std::string shape_to_string(const Shape& shape) {
  std::ostringstream out;
  out << '[';
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) out << ',';
    const Dim& dim = shape[i];
    if (dim.is_static()) {
      out << dim.coefficient;
    } else if (dim.coefficient == 1) {
      out << dim.symbol;
    } else {
      out << dim.coefficient << '*' << dim.symbol;
    }
  }
  out << ']';
  return out.str();
}

bool shape_is_static(const Shape& shape) {
  for (const Dim& dim : shape) {
    if (!dim.is_static()) return false;
  }
  return true;
}

int64_t shape_numel(const Shape& shape, const std::map<std::string, int64_t>& symbols) {
  int64_t numel = 1;
  for (const Dim& dim : shape) numel *= dim.resolve(symbols);
  return numel;
}

namespace {

const Attribute* find_attribute(const Node& node, const std::string& key) {
  auto it = node.attributes.find(key);
  return it == node.attributes.end() ? nullptr : &it->second;
}

[[noreturn]] void throw_wrong_type(const Node& node, const std::string& key, const char* expected) {
  throw IrError(node.op + ": attribute " + key + " is not " + expected);
}

}  // namespace

int64_t Node::get_int(const std::string& key, int64_t fallback) const {
  const Attribute* attribute = find_attribute(*this, key);
  if (!attribute) return fallback;
  if (auto* value = std::get_if<int64_t>(attribute)) return *value;
  throw_wrong_type(*this, key, "an int");
}

double Node::get_float(const std::string& key, double fallback) const {
  const Attribute* attribute = find_attribute(*this, key);
  if (!attribute) return fallback;
  if (auto* value = std::get_if<double>(attribute)) return *value;
  // Importers may record an integral float attribute as an int.
  if (auto* value = std::get_if<int64_t>(attribute)) return static_cast<double>(*value);
  throw_wrong_type(*this, key, "a float");
}

std::string Node::get_string(const std::string& key, const std::string& fallback) const {
  const Attribute* attribute = find_attribute(*this, key);
  if (!attribute) return fallback;
  if (auto* value = std::get_if<std::string>(attribute)) return *value;
  throw_wrong_type(*this, key, "a string");
}

std::vector<int64_t> Node::get_ints(const std::string& key) const {
  const Attribute* attribute = find_attribute(*this, key);
  if (!attribute) return {};
  if (auto* value = std::get_if<std::vector<int64_t>>(attribute)) return *value;
  throw_wrong_type(*this, key, "a list of ints");
}

int Graph::add_value(Value value) {
  values.push_back(std::move(value));
  return static_cast<int>(values.size()) - 1;
}

std::vector<std::string> Graph::symbols() const {
  std::set<std::string> names;
  for (int index : inputs) {
    if (index < 0 || static_cast<size_t>(index) >= values.size()) continue;
    for (const Dim& dim : values[index].shape) {
      if (!dim.is_static()) names.insert(dim.symbol);
    }
  }
  return {names.begin(), names.end()};
}

std::string describe_node(const Graph& graph, size_t node_index) {
  std::string text = "node " + std::to_string(node_index);
  if (node_index >= graph.nodes.size()) return text;
  const Node& node = graph.nodes[node_index];
  text += " (" + node.op;
  if (!node.source.empty()) text += " at " + node.source;
  return text + ")";
}

}  // namespace npujar::ir
