// Output dtype and shape of each operator in ops.h, with symbolic dims.
//
// Operators whose output shape is not a function of the input shapes
// (reshape, expand, resize, adaptive_avg_pool2d, adaptive_max_pool2d) take
// the shape already set on the output value and only check that it is
// consistent with the inputs.
#pragma once

#include <optional>

#include "npujar/ir/graph.h"

namespace npujar::ir {

// Dim arithmetic. A product of two symbolic dims is not representable and
// multiply() throws IrError for it.
Dim multiply(const Dim& a, const Dim& b);
// a / divisor when the division is exact (static, or the coefficient is
// divisible); std::nullopt otherwise.
std::optional<Dim> divide_exact(const Dim& a, int64_t divisor);
// The broadcast of two dims by numpy rules; std::nullopt when they differ
// and neither is the static extent 1.
std::optional<Dim> broadcast_dim(const Dim& a, const Dim& b);
std::optional<Shape> broadcast_shapes(const Shape& a, const Shape& b);
// True when both shapes have the same number of elements for every value of
// the symbols, comparing the static product and the multiset of symbols.
bool same_numel(const Shape& a, const Shape& b);

// Sets dtype and shape of every output of graph.nodes[node_index] from its
// inputs (or checks them, see above). Throws IrError naming the node, its
// source location and the shapes involved.
void infer_shapes(Graph& graph, size_t node_index);
// Runs infer_shapes on every node in order.
void infer_all_shapes(Graph& graph);

}  // namespace npujar::ir
