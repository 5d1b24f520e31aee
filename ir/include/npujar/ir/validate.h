// Structural checks of a Graph: what every consumer of the IR relies on.
#pragma once

#include "npujar/ir/graph.h"

namespace npujar::ir {

// Checks the structure and throws IrError naming the first violation:
// - value indices are in range and every node input is produced before use
//   (topological order), with at most one producer per value;
// - operators are known, with a valid number of inputs and one output;
// - graph inputs are kInput values, and every kInput value is listed once;
// - constants have a static shape and exactly dtype_size * numel bytes;
// - dims are non-negative, and every symbol appears in a graph input's shape.
// With `constants_carry_data` false, constants may have no data (a graph
// decoded without copying its weights); their shapes are still checked.
void validate(const Graph& graph, bool constants_carry_data = true);

}  // namespace npujar::ir
