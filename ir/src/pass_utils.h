// Helpers shared by the graph passes.
#pragma once

#include <vector>

#include "npujar/ir/graph.h"

namespace npujar::ir::passes {

// users[v]: indices of the nodes reading value v, once per node.
std::vector<std::vector<size_t>> value_users(const Graph& graph);
bool is_graph_output(const Graph& graph, int value);
// Replaces every read of `from` (node inputs and graph outputs) by `to`.
void replace_uses(Graph& graph, int from, int to);
// The only node reading `value`, or -1 when it has other users or is a
// graph output.
int sole_user(const Graph& graph, const std::vector<std::vector<size_t>>& users, int value);
// Removes nodes whose index is marked in `erase`.
void erase_nodes(Graph& graph, const std::vector<bool>& erase);
// Removes values that nothing refers to (graph inputs stay) and renumbers.
void remove_unused_values(Graph& graph);
// A new f32 constant value.
int add_f32_constant(Graph& graph, const std::string& name, const Shape& shape, const std::vector<double>& values);
bool is_constant(const Graph& graph, int value);

}  // namespace npujar::ir::passes
