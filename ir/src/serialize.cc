// The graph section encoding; docs/ir.md has the field tables. This file
// writes it. deserialize.cc reads it as untrusted input: a bounds-checked
// Reader rejects every read past the end, and counts are checked against
// the bytes left before anything is allocated. The decoded graph must pass
// validate() and agree with shape inference before it is returned.
#include "npujar/ir/serialize.h"

#include <cstring>
#include <unordered_map>

#include "npujar/ir/error.h"
#include "npujar/ir/validate.h"
#include "graph_encoding.h"

namespace npujar::ir {

namespace {

using encoding::AttributeType;
using encoding::kNoSymbol;

class Writer {
 public:
  template <typename T>
  void put(T value) {
    uint8_t bytes[sizeof(T)];
    std::memcpy(bytes, &value, sizeof(T));  // little-endian hosts only, see docs/ir.md
    out_.insert(out_.end(), bytes, bytes + sizeof(T));
  }
  void put_bytes(const std::string& text) { out_.insert(out_.end(), text.begin(), text.end()); }
  std::vector<uint8_t>& bytes() { return out_; }

 private:
  std::vector<uint8_t> out_;
};

// Interns strings into the string table in order of first use.
class StringTable {
 public:
  uint32_t intern(const std::string& text) {
    auto [it, inserted] = index_.emplace(text, static_cast<uint32_t>(strings_.size()));
    if (inserted) {
      if (text.size() > kMaxStringLength) throw IrError("string of " + std::to_string(text.size()) + " bytes exceeds the graph section limit");
      strings_.push_back(text);
    }
    return it->second;
  }
  const std::vector<std::string>& strings() const { return strings_; }

 private:
  std::unordered_map<std::string, uint32_t> index_;
  std::vector<std::string> strings_;
};

void write_attribute(Writer& w, StringTable& strings, const Attribute& attribute) {
  if (auto* v = std::get_if<int64_t>(&attribute)) {
    w.put(static_cast<uint8_t>(AttributeType::kInt));
    w.put(*v);
  } else if (auto* v = std::get_if<double>(&attribute)) {
    w.put(static_cast<uint8_t>(AttributeType::kFloat));
    w.put(*v);
  } else if (auto* v = std::get_if<std::string>(&attribute)) {
    w.put(static_cast<uint8_t>(AttributeType::kString));
    w.put(strings.intern(*v));
  } else if (auto* v = std::get_if<std::vector<int64_t>>(&attribute)) {
    w.put(static_cast<uint8_t>(AttributeType::kInts));
    w.put(static_cast<uint32_t>(v->size()));
    for (int64_t item : *v) w.put(item);
  } else {
    const auto& list = std::get<std::vector<double>>(attribute);
    w.put(static_cast<uint8_t>(AttributeType::kFloats));
    w.put(static_cast<uint32_t>(list.size()));
    for (double item : list) w.put(item);
  }
}

// The body (everything after the string table), interning strings as it goes.
std::vector<uint8_t> write_body(const Graph& graph, const WeightsLayout& layout, StringTable& strings) {
  Writer w;
  w.put(strings.intern(graph.name));
  w.put(static_cast<uint32_t>(graph.values.size()));
  for (size_t i = 0; i < graph.values.size(); ++i) {
    const Value& value = graph.values[i];
    w.put(strings.intern(value.name));
    w.put(static_cast<uint8_t>(value.dtype));
    w.put(static_cast<uint8_t>(value.kind));
    w.put(uint16_t{0});
    w.put(static_cast<uint32_t>(value.shape.size()));
    for (const Dim& dim : value.shape) {
      w.put(dim.coefficient);
      w.put(dim.is_static() ? kNoSymbol : strings.intern(dim.symbol));
    }
    if (value.kind == ValueKind::kConstant) {
      const ConstantPlacement* placement = layout.find(static_cast<int>(i));
      w.put(placement->offset);
      w.put(placement->size);
    }
  }

  w.put(static_cast<uint32_t>(graph.nodes.size()));
  for (const Node& node : graph.nodes) {
    w.put(strings.intern(node.op));
    w.put(strings.intern(node.source));
    w.put(static_cast<uint32_t>(node.inputs.size()));
    for (int index : node.inputs) w.put(static_cast<int32_t>(index));
    w.put(static_cast<uint32_t>(node.outputs.size()));
    for (int index : node.outputs) w.put(static_cast<int32_t>(index));
    w.put(static_cast<uint32_t>(node.attributes.size()));
    for (const auto& [key, attribute] : node.attributes) {
      w.put(strings.intern(key));
      write_attribute(w, strings, attribute);
    }
  }

  for (const std::vector<int>* list : {&graph.inputs, &graph.outputs}) {
    w.put(static_cast<uint32_t>(list->size()));
    for (int index : *list) w.put(static_cast<int32_t>(index));
  }
  return std::move(w.bytes());
}

}  // namespace

const ConstantPlacement* WeightsLayout::find(int value_index) const {
  for (const ConstantPlacement& placement : constants) {
    if (placement.value == value_index) return &placement;
  }
  return nullptr;
}

WeightsLayout layout_weights(const Graph& graph) {
  WeightsLayout layout;
  for (size_t i = 0; i < graph.values.size(); ++i) {
    const Value& value = graph.values[i];
    if (value.kind != ValueKind::kConstant) continue;
    layout.total_size = (layout.total_size + kWeightsAlignment - 1) / kWeightsAlignment * kWeightsAlignment;
    layout.constants.push_back({static_cast<int>(i), layout.total_size, value.data.size()});
    layout.total_size += value.data.size();
  }
  return layout;
}

std::vector<uint8_t> serialize_graph(const Graph& graph, WeightsLayout* layout_out) {
  validate(graph);
  WeightsLayout layout = layout_weights(graph);
  StringTable strings;
  std::vector<uint8_t> body = write_body(graph, layout, strings);

  Writer w;
  w.put(kGraphMagic);
  w.put(kGraphVersionMajor);
  w.put(kGraphVersionMinor);
  w.put(uint32_t{0});  // reserved flags
  w.put(static_cast<uint32_t>(strings.strings().size()));
  for (const std::string& text : strings.strings()) {
    w.put(static_cast<uint32_t>(text.size()));
    w.put_bytes(text);
  }
  std::vector<uint8_t>& bytes = w.bytes();
  bytes.insert(bytes.end(), body.begin(), body.end());
  if (layout_out) *layout_out = std::move(layout);
  return std::move(bytes);
}

std::vector<uint8_t> serialize_weights(const Graph& graph) {
  WeightsLayout layout = layout_weights(graph);
  std::vector<uint8_t> weights(layout.total_size, 0);
  for (const ConstantPlacement& placement : layout.constants) {
    const std::vector<uint8_t>& data = graph.values[placement.value].data;
    if (!data.empty()) std::memcpy(weights.data() + placement.offset, data.data(), data.size());
  }
  return weights;
}

}  // namespace npujar::ir
