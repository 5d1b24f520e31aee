// Decoding of the untrusted graph section; see the top of serialize.cc.
#include <cstring>

#include "npujar/ir/error.h"
#include "npujar/ir/serialize.h"
#include "npujar/ir/shape_inference.h"
#include "npujar/ir/validate.h"
#include "graph_encoding.h"

namespace npujar::ir {

namespace {

using encoding::AttributeType;
using encoding::kNoSymbol;

// Static extents and coefficients above this are rejected, which keeps
// shape arithmetic on a decoded graph far from int64_t overflow.
constexpr int64_t kMaxExtent = int64_t{1} << 40;

class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  template <typename T>
  T get(const char* field) {
    require(sizeof(T), field);
    T value;
    std::memcpy(&value, data_ + position_, sizeof(T));
    position_ += sizeof(T);
    return value;
  }

  // A count of items that each take at least `min_item_bytes`, checked
  // against the bytes left so that no allocation exceeds the input.
  uint32_t get_count(const char* field, size_t min_item_bytes) {
    uint32_t count = get<uint32_t>(field);
    if (static_cast<uint64_t>(count) * min_item_bytes > remaining()) {
      fail(std::string(field) + " " + std::to_string(count) + " exceeds the " + std::to_string(remaining()) + " bytes left");
    }
    return count;
  }

  std::string get_bytes(size_t length, const char* field) {
    require(length, field);
    std::string text(reinterpret_cast<const char*>(data_ + position_), length);
    position_ += length;
    return text;
  }

  size_t remaining() const { return size_ - position_; }
  size_t position() const { return position_; }

  [[noreturn]] void fail(const std::string& message) const {
    throw IrError("graph section: at byte " + std::to_string(position_) + ": " + message);
  }

 private:
  void require(size_t bytes, const char* field) {
    if (bytes > remaining()) {
      fail(std::string("truncated: ") + field + " needs " + std::to_string(bytes) + " bytes, " +
           std::to_string(remaining()) + " left");
    }
  }

  const uint8_t* data_;
  size_t size_;
  size_t position_ = 0;
};

// True when `size` bytes are exactly what a constant of this dtype and
// static shape holds.
bool check_constant_size(const Value& value, uint64_t size) {
  uint64_t expected = dtype_size(value.dtype);
  for (const Dim& dim : value.shape) {
    if (!dim.is_static() || dim.coefficient < 0) return false;
    uint64_t extent = static_cast<uint64_t>(dim.coefficient);
    if (extent != 0 && expected > (uint64_t{1} << 62) / extent) return false;
    expected *= extent;
  }
  return expected == size;
}

struct Decoder {
  Reader reader;
  const uint8_t* weights;  // nullptr: check constant extents without copying data
  size_t weights_size;
  std::vector<std::string> strings;

  const std::string& string(const char* field) {
    uint32_t index = reader.get<uint32_t>(field);
    if (index >= strings.size()) {
      reader.fail(std::string(field) + " refers to string " + std::to_string(index) + " of " + std::to_string(strings.size()));
    }
    return strings[index];
  }

  void read_header() {
    uint32_t magic = reader.get<uint32_t>("magic");
    if (magic != kGraphMagic) reader.fail("not an npujar graph section (bad magic)");
    uint16_t major = reader.get<uint16_t>("major version");
    uint16_t minor = reader.get<uint16_t>("minor version");
    if (major != kGraphVersionMajor || minor > kGraphVersionMinor) {
      reader.fail("unsupported version " + std::to_string(major) + "." + std::to_string(minor) + "; this reader supports " +
                  std::to_string(kGraphVersionMajor) + ".0 to " + std::to_string(kGraphVersionMajor) + "." +
                  std::to_string(kGraphVersionMinor) + "; rebuild the archive with a matching npujar");
    }
    if (reader.get<uint32_t>("flags") != 0) reader.fail("reserved flags are not zero");
    uint32_t count = reader.get_count("string count", 4);
    strings.reserve(count);
    for (uint32_t i = 0; i < count; ++i) {
      uint32_t length = reader.get<uint32_t>("string length");
      if (length > kMaxStringLength) reader.fail("string of " + std::to_string(length) + " bytes exceeds the limit");
      strings.push_back(reader.get_bytes(length, "string"));
    }
  }

  Value read_value() {
    Value value;
    value.name = string("value name");
    uint8_t dtype = reader.get<uint8_t>("dtype");
    if (dtype < 1 || dtype > 8) reader.fail("invalid dtype " + std::to_string(dtype));
    value.dtype = static_cast<DType>(dtype);
    uint8_t kind = reader.get<uint8_t>("value kind");
    if (kind < 1 || kind > 3) reader.fail("invalid value kind " + std::to_string(kind));
    value.kind = static_cast<ValueKind>(kind);
    if (reader.get<uint16_t>("reserved") != 0) reader.fail("reserved value field is not zero");

    uint32_t rank = reader.get<uint32_t>("rank");
    if (rank > kMaxRank) reader.fail("rank " + std::to_string(rank) + " exceeds " + std::to_string(kMaxRank));
    for (uint32_t d = 0; d < rank; ++d) {
      Dim dim;
      dim.coefficient = reader.get<int64_t>("dim coefficient");
      if (dim.coefficient < 0 || dim.coefficient > kMaxExtent) reader.fail("dim " + std::to_string(dim.coefficient) + " is out of range");
      uint32_t symbol = reader.get<uint32_t>("dim symbol");
      if (symbol != kNoSymbol) {
        if (symbol >= strings.size() || strings[symbol].empty()) reader.fail("dim symbol " + std::to_string(symbol) + " is invalid");
        dim.symbol = strings[symbol];
      }
      value.shape.push_back(dim);
    }

    if (value.kind == ValueKind::kConstant) {
      uint64_t offset = reader.get<uint64_t>("constant offset");
      uint64_t size = reader.get<uint64_t>("constant size");
      if (offset % kWeightsAlignment != 0) reader.fail("constant offset " + std::to_string(offset) + " is not 64-byte aligned");
      if (offset > weights_size || size > weights_size - offset) {
        reader.fail("constant [" + std::to_string(offset) + ", +" + std::to_string(size) + ") exceeds the weights section of " +
                    std::to_string(weights_size) + " bytes");
      }
      if (weights != nullptr) {
        value.data.assign(weights + offset, weights + offset + size);
      } else if (!check_constant_size(value, size)) {
        reader.fail("constant of " + std::to_string(size) + " bytes does not match its dtype " +
                    dtype_name(value.dtype) + " and shape " + shape_to_string(value.shape));
      }
    }
    return value;
  }

  Attribute read_attribute() {
    uint8_t type = reader.get<uint8_t>("attribute type");
    switch (static_cast<AttributeType>(type)) {
      case AttributeType::kInt: return reader.get<int64_t>("int attribute");
      case AttributeType::kFloat: return reader.get<double>("float attribute");
      case AttributeType::kString: return string("string attribute");
      case AttributeType::kInts: {
        uint32_t count = reader.get_count("int list length", 8);
        std::vector<int64_t> list(count);
        for (auto& item : list) item = reader.get<int64_t>("int list item");
        return list;
      }
      case AttributeType::kFloats: {
        uint32_t count = reader.get_count("float list length", 8);
        std::vector<double> list(count);
        for (auto& item : list) item = reader.get<double>("float list item");
        return list;
      }
    }
    reader.fail("invalid attribute type " + std::to_string(type));
  }

  std::vector<int> read_indices(const char* field) {
    uint32_t count = reader.get_count(field, 4);
    std::vector<int> indices(count);
    for (int& index : indices) index = reader.get<int32_t>(field);
    return indices;
  }

  Node read_node() {
    Node node;
    node.op = string("operator name");
    node.source = string("node source");
    node.inputs = read_indices("node inputs");
    node.outputs = read_indices("node outputs");
    uint32_t count = reader.get_count("attribute count", 5);
    for (uint32_t i = 0; i < count; ++i) {
      std::string key = string("attribute key");
      Attribute attribute = read_attribute();
      if (!node.attributes.emplace(key, std::move(attribute)).second) reader.fail("attribute " + key + " appears twice");
    }
    return node;
  }

  Graph read_graph() {
    read_header();
    Graph graph;
    graph.name = string("graph name");
    uint32_t value_count = reader.get_count("value count", 12);
    for (uint32_t i = 0; i < value_count; ++i) graph.values.push_back(read_value());
    uint32_t node_count = reader.get_count("node count", 20);
    for (uint32_t i = 0; i < node_count; ++i) graph.nodes.push_back(read_node());
    graph.inputs = read_indices("graph inputs");
    graph.outputs = read_indices("graph outputs");
    if (reader.remaining() != 0) reader.fail(std::to_string(reader.remaining()) + " trailing bytes after the graph");
    return graph;
  }
};

// Runs shape inference on a copy and requires the stored shapes to match,
// so that consumers may trust every value's dtype and shape.
void check_shapes(const Graph& graph) {
  Graph inferred = graph;
  for (size_t n = 0; n < graph.nodes.size(); ++n) {
    infer_shapes(inferred, n);
    int output = graph.nodes[n].outputs[0];
    const Value& stored = graph.values[output];
    const Value& expected = inferred.values[output];
    if (stored.dtype != expected.dtype || stored.shape != expected.shape) {
      throw IrError(describe_node(graph, n) + ": stored output " + dtype_name(stored.dtype) + shape_to_string(stored.shape) +
                    " differs from the inferred " + dtype_name(expected.dtype) + shape_to_string(expected.shape));
    }
  }
}

}  // namespace

Graph deserialize_graph(const uint8_t* graph_bytes, size_t graph_size, const uint8_t* weights_bytes,
                        size_t weights_size) {
  if (!graph_bytes && graph_size) throw IrError("graph section: null data");
  if (!weights_bytes && weights_size) throw IrError("weights section: null data");
  Decoder decoder{Reader(graph_bytes, graph_size), weights_bytes, weights_size, {}};
  Graph graph = decoder.read_graph();
  try {
    validate(graph);
    check_shapes(graph);
  } catch (const IrError& error) {
    throw IrError(std::string("graph section: invalid graph: ") + error.what());
  }
  return graph;
}

Graph deserialize_graph_structure(const uint8_t* graph_bytes, size_t graph_size, size_t weights_size) {
  if (!graph_bytes && graph_size) throw IrError("graph section: null data");
  Decoder decoder{Reader(graph_bytes, graph_size), nullptr, weights_size, {}};
  Graph graph = decoder.read_graph();
  try {
    validate(graph, /*constants_carry_data=*/false);
    check_shapes(graph);
  } catch (const IrError& error) {
    throw IrError(std::string("graph section: invalid graph: ") + error.what());
  }
  return graph;
}

Graph deserialize_graph(const std::vector<uint8_t>& graph_bytes, const std::vector<uint8_t>& weights_bytes) {
  return deserialize_graph(graph_bytes.data(), graph_bytes.size(), weights_bytes.data(), weights_bytes.size());
}

}  // namespace npujar::ir
