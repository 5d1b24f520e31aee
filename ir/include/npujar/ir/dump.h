// Human-readable text of a Graph, one line per node, for
// `npujar inspect --graph` and for debugging:
//
//   graph resnet18(%x: f32[N,3,224,224]) -> (%y)
//   %w1 = constant : f32[64,3,7,7]
//   %12 = conv2d(%x, %w1, %b1) {pads=[3,3,3,3], strides=[2,2]} : f32[N,64,112,112]
//
// Values print as %name, or %index when unnamed; absent optional inputs as _.
#pragma once

#include <string>

#include "npujar/ir/graph.h"

namespace npujar::ir {

std::string dump_graph(const Graph& graph);
std::string dump_node(const Graph& graph, const Node& node);
std::string format_attribute(const Attribute& attribute);

}  // namespace npujar::ir
