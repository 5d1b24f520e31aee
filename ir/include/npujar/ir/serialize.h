// Binary encoding of a Graph: the graph section (structure) and the weights
// section (constant data), both stored in the archive. docs/ir.md specifies
// the encoding.
//
// The graph section refers to each constant's bytes by offset and size
// within the weights section; every constant starts at a multiple of
// kWeightsAlignment so that the runtime and generated code can use the
// weights section in place.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "npujar/ir/graph.h"

namespace npujar::ir {

inline constexpr uint32_t kGraphMagic = 0x474A504E;  // the bytes "NPJG" read as little-endian
inline constexpr uint16_t kGraphVersionMajor = 1;
inline constexpr uint16_t kGraphVersionMinor = 0;
inline constexpr uint64_t kWeightsAlignment = 64;

// Decoder limits; inputs beyond them are rejected as invalid.
inline constexpr uint32_t kMaxRank = 16;
inline constexpr uint32_t kMaxStringLength = 1 << 16;

struct ConstantPlacement {
  int value = -1;       // index of the kConstant value in Graph::values
  uint64_t offset = 0;  // byte offset in the weights section, a multiple of kWeightsAlignment
  uint64_t size = 0;    // bytes
};

struct WeightsLayout {
  std::vector<ConstantPlacement> constants;  // in value index order
  uint64_t total_size = 0;                   // bytes of the weights section

  // The placement of value `value_index`, or nullptr when it is no constant.
  const ConstantPlacement* find(int value_index) const;
};

// Places every constant of `graph` in the weights section.
WeightsLayout layout_weights(const Graph& graph);
// Encodes the graph section. `layout`, when not null, receives the weights
// layout that the encoding refers to.
std::vector<uint8_t> serialize_graph(const Graph& graph, WeightsLayout* layout);
// Concatenates the constants' data as layout_weights places them, with zero
// bytes between them.
std::vector<uint8_t> serialize_weights(const Graph& graph);

// Decodes an UNTRUSTED graph section and its weights section. Every count,
// length and offset is checked against the input; unknown major versions,
// nonzero reserved fields and structural errors (see validate()) are
// rejected with IrError. Never reads outside the given buffers.
Graph deserialize_graph(const uint8_t* graph_bytes, size_t graph_size,
                        const uint8_t* weights_bytes, size_t weights_size);

// Like deserialize_graph, with the same checks, but constants keep no data:
// each constant's declared extent is checked against the weights section
// and against its dtype and shape, and nothing is copied. For callers that
// only need the structure, such as the runtime's load-time archive check.
Graph deserialize_graph_structure(const uint8_t* graph_bytes, size_t graph_size,
                                  size_t weights_size);
Graph deserialize_graph(const std::vector<uint8_t>& graph_bytes,
                        const std::vector<uint8_t>& weights_bytes);

}  // namespace npujar::ir
