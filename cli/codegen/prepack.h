// Weight pre-packing: the GEMM and convolution kernels read their constant
// operand in a packed layout (kernels.h), which `npujar pack` computes once
// with the natively compiled npk_*_pack_* functions and stores in the
// weights section. The layout is the same for every vector width and
// architecture, so all variants share one packed copy.
#pragma once

#include "entry_builder.h"
#include "npujar/ir/graph.h"

namespace npujar::codegen {

// Name of the node attribute that prepack_weights sets: the index of the
// kConstant value holding the node's packed weight.
inline constexpr const char* kPackedWeightAttribute = "packed_weight";

// True for the nodes whose constant operand generated code reads packed:
// linear with an f32 constant weight, matmul with an f32 constant 2-D right
// operand, and every conv2d.
bool wants_packed_weight(const ir::Graph& graph, size_t node_index);

// Adds one packed f32 constant per distinct weight of the nodes that want
// one and sets kPackedWeightAttribute on those nodes. Run it after every
// graph pass and before serializing the graph, because passes renumber
// values and may drop the new constants, which no operator reads. The
// original weights stay, so the graph still runs on the reference executor.
// Calling it again packs nothing new. Throws CodegenError for a conv2d
// whose weight is not an f32 constant.
PackedWeights prepack_weights(ir::Graph& graph);

// The packed weights recorded in `graph` by prepack_weights, for example
// after the graph went through serialization. Throws CodegenError when an
// attribute names a value that is not a constant.
PackedWeights find_packed_weights(const ir::Graph& graph);

}  // namespace npujar::codegen
