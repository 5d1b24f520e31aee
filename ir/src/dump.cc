#include "npujar/ir/dump.h"

#include <cmath>
#include <sstream>

namespace npujar::ir {

namespace {

std::string value_ref(const Graph& graph, int index) {
  if (index < 0) return "_";
  if (static_cast<size_t>(index) >= graph.values.size()) return "%<invalid " + std::to_string(index) + ">";
  const std::string& name = graph.values[index].name;
  return "%" + (name.empty() ? std::to_string(index) : name);
}

std::string value_type(const Value& value) { return dtype_name(value.dtype) + shape_to_string(value.shape); }

std::string format_double(double value) {
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  std::ostringstream out;
  out.precision(9);
  out << value;
  std::string text = out.str();
  // Keep floats recognizable as floats: 1 prints as 1.0.
  if (text.find_first_of(".eEn") == std::string::npos) text += ".0";
  return text;
}

std::string quote(const std::string& text) {
  std::string quoted = "\"";
  for (char ch : text) {
    if (ch == '"' || ch == '\\') quoted += '\\';
    quoted += ch;
  }
  return quoted + "\"";
}

}  // namespace

std::string format_attribute(const Attribute& attribute) {
  if (auto* v = std::get_if<int64_t>(&attribute)) return std::to_string(*v);
  if (auto* v = std::get_if<double>(&attribute)) return format_double(*v);
  if (auto* v = std::get_if<std::string>(&attribute)) return quote(*v);
  std::string text = "[";
  if (auto* list = std::get_if<std::vector<int64_t>>(&attribute)) {
    for (size_t i = 0; i < list->size(); ++i) text += (i ? "," : "") + std::to_string((*list)[i]);
  } else {
    const auto& floats = std::get<std::vector<double>>(attribute);
    for (size_t i = 0; i < floats.size(); ++i) text += (i ? "," : "") + format_double(floats[i]);
  }
  return text + "]";
}

std::string dump_node(const Graph& graph, const Node& node) {
  std::string line;
  for (size_t i = 0; i < node.outputs.size(); ++i) line += (i ? ", " : "") + value_ref(graph, node.outputs[i]);
  line += " = " + node.op + "(";
  for (size_t i = 0; i < node.inputs.size(); ++i) line += (i ? ", " : "") + value_ref(graph, node.inputs[i]);
  line += ")";
  if (!node.attributes.empty()) {
    line += " {";
    bool first = true;
    for (const auto& [key, attribute] : node.attributes) {
      line += (first ? "" : ", ") + key + "=" + format_attribute(attribute);
      first = false;
    }
    line += "}";
  }
  std::string types;
  for (int index : node.outputs) {
    if (index < 0 || static_cast<size_t>(index) >= graph.values.size()) continue;
    types += (types.empty() ? "" : ", ") + value_type(graph.values[index]);
  }
  line += " : " + types;
  if (!node.source.empty()) line += "  # " + node.source;
  return line;
}

std::string dump_graph(const Graph& graph) {
  std::string text = "graph " + graph.name + "(";
  for (size_t i = 0; i < graph.inputs.size(); ++i) {
    int index = graph.inputs[i];
    text += (i ? ", " : "") + value_ref(graph, index);
    if (index >= 0 && static_cast<size_t>(index) < graph.values.size()) text += ": " + value_type(graph.values[index]);
  }
  text += ") -> (";
  for (size_t i = 0; i < graph.outputs.size(); ++i) text += (i ? ", " : "") + value_ref(graph, graph.outputs[i]);
  text += ")\n";
  for (size_t i = 0; i < graph.values.size(); ++i) {
    const Value& value = graph.values[i];
    if (value.kind != ValueKind::kConstant) continue;
    text += "  " + value_ref(graph, static_cast<int>(i)) + " = constant : " + value_type(value) + "\n";
  }
  for (const Node& node : graph.nodes) text += "  " + dump_node(graph, node) + "\n";
  return text;
}

}  // namespace npujar::ir
