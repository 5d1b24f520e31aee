// Fusion marks (ops.h): folds the add of a bias, the add of a residual and
// a following activation into conv2d, linear and matmul. Each rewrite
// merges the producer P with its only user U: P takes over U's output and
// moves to U's position, which is safe because every input of P and of U
// is defined before U.
#include <algorithm>
#include <cmath>
#include <optional>

#include "npujar/ir/passes.h"
#include "pass_utils.h"

namespace npujar::ir {

using namespace passes;

namespace {

bool is_fusable(const std::string& op) { return op == "conv2d" || op == "linear" || op == "matmul"; }

bool has_input(const Node& node, size_t i) { return node.inputs.size() > i && node.inputs[i] >= 0; }

// The 1-D extent a bias for `producer` must have, or nullopt when the
// operator's output has no channel dim a bias could apply to.
std::optional<Dim> bias_extent(const Graph& graph, const Node& producer) {
  const Shape& out = graph.values[producer.outputs[0]].shape;
  if (producer.op == "conv2d") return out.size() == 4 ? std::optional<Dim>(out[1]) : std::nullopt;
  if (producer.op == "matmul" && graph.values[producer.inputs[1]].shape.size() < 2) return std::nullopt;
  return out.empty() ? std::nullopt : std::optional<Dim>(out.back());
}

// True when `constant` is a bias for `producer`: its elements vary only
// along the channel dim and the add does not broadcast the output.
bool is_bias_shape(const Graph& graph, const Node& producer, int constant) {
  auto channels = bias_extent(graph, producer);
  if (!channels || !channels->is_static()) return false;
  const Shape& shape = graph.values[constant].shape;
  const Shape& out = graph.values[producer.outputs[0]].shape;
  if (shape.empty() || shape.size() > out.size()) return false;
  // The channel dim's position counted from the end: 3rd last for NCHW
  // convolution output, last otherwise.
  size_t channel_from_end = producer.op == "conv2d" ? 3 : 1;
  for (size_t i = 0; i < shape.size(); ++i) {
    size_t from_end = shape.size() - i;
    Dim expected = from_end == channel_from_end ? *channels : Dim::fixed(1);
    if (shape[i] != expected) return false;
  }
  return shape.size() >= channel_from_end;
}

bool fuse_bias(Graph& graph, Node& producer, const Node& add) {
  if (has_input(producer, 2) || has_input(producer, 3) || !producer.get_string("activation", "").empty()) return false;
  int y = producer.outputs[0];
  int other = add.inputs[0] == y ? add.inputs[1] : add.inputs[0];
  if (!is_constant(graph, other) || graph.values[other].dtype != graph.values[y].dtype) return false;
  if (!is_bias_shape(graph, producer, other)) return false;

  Value bias = graph.values[other];
  bias.name += "_bias";
  bias.shape = {*bias_extent(graph, producer)};
  int bias_index = graph.add_value(std::move(bias));
  producer.inputs.resize(std::max<size_t>(producer.inputs.size(), 3), -1);
  producer.inputs[2] = bias_index;
  return true;
}

bool fuse_residual(Graph& graph, Node& producer, const Node& add) {
  if (has_input(producer, 3) || !producer.get_string("activation", "").empty()) return false;
  int y = producer.outputs[0];
  int other = add.inputs[0] == y ? add.inputs[1] : add.inputs[0];
  if (other == y || graph.values[other].shape != graph.values[y].shape || graph.values[other].dtype != graph.values[y].dtype) {
    return false;
  }
  producer.inputs.resize(4, -1);
  producer.inputs[3] = other;
  return true;
}

bool fuse_activation(Node& producer, const Node& activation) {
  if (!producer.get_string("activation", "").empty()) return false;
  const std::string& op = activation.op;
  if (op == "relu" || op == "sigmoid" || op == "silu" || op == "hardswish") {
    producer.attributes["activation"] = op;
  } else if (op == "gelu") {
    std::string approximate = activation.get_string("approximate", "none");
    if (approximate != "none" && approximate != "tanh") return false;
    producer.attributes["activation"] = std::string(approximate == "tanh" ? "gelu_tanh" : "gelu");
  } else if (op == "clamp") {
    producer.attributes["activation"] = std::string("clamp");
    producer.attributes["clamp_min"] = activation.get_float("min", -INFINITY);
    producer.attributes["clamp_max"] = activation.get_float("max", INFINITY);
  } else {
    return false;
  }
  return true;
}

// Tries one rewrite of node `p` with its only user; returns true if done.
bool fuse_one(Graph& graph, size_t p) {
  if (!is_fusable(graph.nodes[p].op)) return false;
  auto users = value_users(graph);
  int y = graph.nodes[p].outputs[0];
  int u = sole_user(graph, users, y);
  if (u < 0) return false;

  Node producer = graph.nodes[p];
  const Node user = graph.nodes[u];
  bool fused = false;
  if (user.op == "add") {
    fused = fuse_bias(graph, producer, user) || fuse_residual(graph, producer, user);
  } else {
    fused = fuse_activation(producer, user);
  }
  if (!fused) return false;

  producer.outputs[0] = user.outputs[0];
  graph.nodes[u] = std::move(producer);
  graph.nodes.erase(graph.nodes.begin() + static_cast<std::ptrdiff_t>(p));
  return true;
}

}  // namespace

size_t fuse_operators(Graph& graph) {
  size_t fused = 0;
  // A fused node moves later, to its user's position, and may fuse again
  // from there, so the scan restarts at the node that moved.
  for (size_t p = 0; p < graph.nodes.size();) {
    if (fuse_one(graph, p)) {
      ++fused;
      continue;  // the node now at p is the next one; the moved node is reached later
    }
    ++p;
  }
  remove_unused_values(graph);
  return fused;
}

}  // namespace npujar::ir
