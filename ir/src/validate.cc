#include "npujar/ir/validate.h"

#include <algorithm>
#include <string>
#include <vector>

#include "npujar/ir/error.h"
#include "op_table.h"

namespace npujar::ir {

namespace {

std::string value_label(int index) { return "value " + std::to_string(index); }

bool in_range(const Graph& graph, int index) {
  return index >= 0 && static_cast<size_t>(index) < graph.values.size();
}

// Byte size of a static shape, or -1 when it overflows 2^62.
int64_t static_byte_size(const Shape& shape, DType dtype) {
  int64_t bytes = static_cast<int64_t>(dtype_size(dtype));
  for (const Dim& dim : shape) {
    if (dim.coefficient != 0 && bytes > (int64_t{1} << 62) / dim.coefficient) return -1;
    bytes *= dim.coefficient;
  }
  return bytes;
}

void validate_value(const Graph& graph, int index, bool constants_carry_data) {
  const Value& value = graph.values[index];
  std::string label = value_label(index) + " (" + value.name + ")";
  if (!parse_dtype(dtype_name(value.dtype))) throw IrError(label + ": invalid dtype");
  for (const Dim& dim : value.shape) {
    if (dim.is_static() && dim.coefficient < 0) {
      throw IrError(label + ": negative extent in shape " + shape_to_string(value.shape));
    }
    if (!dim.is_static() && dim.coefficient < 1) {
      throw IrError(label + ": symbolic dim needs a coefficient >= 1 in shape " +
                    shape_to_string(value.shape));
    }
  }

  switch (value.kind) {
    case ValueKind::kConstant: {
      if (!shape_is_static(value.shape)) {
        throw IrError(label + ": constant has symbolic shape " + shape_to_string(value.shape));
      }
      int64_t expected = static_byte_size(value.shape, value.dtype);
      bool size_matches = !constants_carry_data || static_cast<uint64_t>(expected) == value.data.size();
      if (expected < 0 || !size_matches) {
        throw IrError(label + ": constant " + dtype_name(value.dtype) +
                      shape_to_string(value.shape) + " has " +
                      std::to_string(value.data.size()) + " bytes of data, expected " +
                      std::to_string(expected));
      }
      break;
    }
    case ValueKind::kInput:
    case ValueKind::kIntermediate:
      if (!value.data.empty()) throw IrError(label + ": only constants may carry data");
      break;
    default:
      throw IrError(label + ": invalid value kind " + std::to_string(static_cast<int>(value.kind)));
  }
}

}  // namespace

void validate(const Graph& graph, bool constants_carry_data) {
  for (size_t i = 0; i < graph.values.size(); ++i) {
    validate_value(graph, static_cast<int>(i), constants_carry_data);
  }

  // defined[i]: value i is available at the current point of the node list.
  std::vector<bool> defined(graph.values.size(), false);
  std::vector<bool> listed_input(graph.values.size(), false);
  for (int index : graph.inputs) {
    if (!in_range(graph, index)) throw IrError("graph input " + value_label(index) + " is out of range");
    if (graph.values[index].kind != ValueKind::kInput) {
      throw IrError("graph input " + value_label(index) + " is not of kind input");
    }
    if (listed_input[index]) throw IrError("graph input " + value_label(index) + " is listed twice");
    listed_input[index] = true;
    defined[index] = true;
  }
  for (size_t i = 0; i < graph.values.size(); ++i) {
    if (graph.values[i].kind == ValueKind::kInput && !listed_input[i]) {
      throw IrError(value_label(static_cast<int>(i)) + " is of kind input but not a graph input");
    }
    if (graph.values[i].kind == ValueKind::kConstant) defined[i] = true;
  }

  for (size_t n = 0; n < graph.nodes.size(); ++n) {
    const Node& node = graph.nodes[n];
    const OperatorArity* arity = find_operator(node.op);
    if (!arity) throw IrError(describe_node(graph, n) + ": unknown operator '" + node.op + "'");
    int input_count = static_cast<int>(node.inputs.size());
    if (input_count < arity->min_inputs || input_count > arity->max_inputs) {
      throw IrError(describe_node(graph, n) + ": has " + std::to_string(input_count) +
                    " inputs, expected " + std::to_string(arity->min_inputs) +
                    (arity->max_inputs == arity->min_inputs
                         ? std::string()
                         : " to " + std::to_string(arity->max_inputs)));
    }
    for (int i = 0; i < input_count; ++i) {
      int index = node.inputs[i];
      if (index == -1 && i >= arity->min_inputs) continue;
      if (!in_range(graph, index)) {
        throw IrError(describe_node(graph, n) + ": input " + std::to_string(i) + " refers to " +
                      value_label(index) + ", out of range or absent where required");
      }
      if (!defined[index]) {
        throw IrError(describe_node(graph, n) + ": input " + std::to_string(i) + " " +
                      value_label(index) + " is used before it is produced");
      }
    }
    if (node.outputs.size() != 1) {
      throw IrError(describe_node(graph, n) + ": has " + std::to_string(node.outputs.size()) +
                    " outputs, expected 1");
    }
    for (int index : node.outputs) {
      if (!in_range(graph, index)) {
        throw IrError(describe_node(graph, n) + ": output " + value_label(index) + " is out of range");
      }
      if (graph.values[index].kind != ValueKind::kIntermediate) {
        throw IrError(describe_node(graph, n) + ": output " + value_label(index) +
                      " is not of kind intermediate");
      }
      if (defined[index]) {
        throw IrError(describe_node(graph, n) + ": output " + value_label(index) +
                      " is produced twice");
      }
      defined[index] = true;
    }
  }

  for (int index : graph.outputs) {
    if (!in_range(graph, index)) throw IrError("graph output " + value_label(index) + " is out of range");
    if (!defined[index]) throw IrError("graph output " + value_label(index) + " is never produced");
  }

  // Symbols get their values from the graph inputs, so every symbol must
  // appear in an input shape.
  std::vector<std::string> symbols = graph.symbols();
  for (size_t i = 0; i < graph.values.size(); ++i) {
    for (const Dim& dim : graph.values[i].shape) {
      if (!dim.is_static() && !std::binary_search(symbols.begin(), symbols.end(), dim.symbol)) {
        throw IrError(value_label(static_cast<int>(i)) + " (" + graph.values[i].name + ") uses symbol " + dim.symbol +
                      ", which no graph input shape defines");
      }
    }
  }
}

}  // namespace npujar::ir
