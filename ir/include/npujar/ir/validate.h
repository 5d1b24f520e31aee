// Structural checks of a Graph: what every consumer of the IR relies on.
#pragma once

#include "npujar/ir/graph.h"

namespace npujar::ir {

// Checks that value indices are in range, every node input is defined
// before use (topological order), each value has at most one producer,
// operators are known with a valid number of inputs and outputs, graph
// inputs are kInput values and every kInput value is listed once, constants
// carry exactly dtype_size * numel bytes of data with a static shape, dims
// are non-negative, and every symbol appears in a graph input's shape.
// Throws IrError naming the first violation.
void validate(const Graph& graph);

}  // namespace npujar::ir
