// Dead-code elimination, identity removal, constant folding and batch-norm
// folding. Operator fusion lives in passes_fusion.cc.
#include "npujar/ir/passes.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "npujar/ir/error.h"
#include "npujar/ir/host_tensor.h"
#include "npujar/ir/reference.h"
#include "pass_utils.h"

namespace npujar::ir {

namespace passes {

std::vector<std::vector<size_t>> value_users(const Graph& graph) {
  std::vector<std::vector<size_t>> users(graph.values.size());
  for (size_t n = 0; n < graph.nodes.size(); ++n) {
    for (int index : graph.nodes[n].inputs) {
      if (index >= 0 && (users[index].empty() || users[index].back() != n)) users[index].push_back(n);
    }
  }
  return users;
}

bool is_graph_output(const Graph& graph, int value) {
  return std::find(graph.outputs.begin(), graph.outputs.end(), value) != graph.outputs.end();
}

void replace_uses(Graph& graph, int from, int to) {
  for (Node& node : graph.nodes) std::replace(node.inputs.begin(), node.inputs.end(), from, to);
  std::replace(graph.outputs.begin(), graph.outputs.end(), from, to);
}

int sole_user(const Graph& graph, const std::vector<std::vector<size_t>>& users, int value) {
  if (users[value].size() != 1 || is_graph_output(graph, value)) return -1;
  const Node& user = graph.nodes[users[value][0]];
  if (std::count(user.inputs.begin(), user.inputs.end(), value) != 1) return -1;
  return static_cast<int>(users[value][0]);
}

void erase_nodes(Graph& graph, const std::vector<bool>& erase) {
  std::vector<Node> kept_nodes;
  for (size_t n = 0; n < graph.nodes.size(); ++n) {
    if (!erase[n]) kept_nodes.push_back(std::move(graph.nodes[n]));
  }
  graph.nodes = std::move(kept_nodes);
}

void remove_unused_values(Graph& graph) {
  std::vector<bool> used(graph.values.size(), false);
  auto mark = [&](int index) {
    if (index >= 0) used[index] = true;
  };
  for (int index : graph.inputs) mark(index);
  for (int index : graph.outputs) mark(index);
  for (const Node& node : graph.nodes) {
    for (int index : node.inputs) mark(index);
    for (int index : node.outputs) mark(index);
  }

  std::vector<int> new_index(graph.values.size(), -1);
  std::vector<Value> kept_values;
  for (size_t i = 0; i < graph.values.size(); ++i) {
    if (!used[i]) continue;
    new_index[i] = static_cast<int>(kept_values.size());
    kept_values.push_back(std::move(graph.values[i]));
  }
  graph.values = std::move(kept_values);
  auto remap = [&](int& index) {
    if (index >= 0) index = new_index[index];
  };
  for (int& index : graph.inputs) remap(index);
  for (int& index : graph.outputs) remap(index);
  for (Node& node : graph.nodes) {
    for (int& index : node.inputs) remap(index);
    for (int& index : node.outputs) remap(index);
  }
}

int add_f32_constant(Graph& graph, const std::string& name, const Shape& shape, const std::vector<double>& values) {
  std::vector<int64_t> extents;
  for (const Dim& dim : shape) extents.push_back(dim.coefficient);
  Value value;
  value.name = name;
  value.dtype = DType::kF32;
  value.shape = shape;
  value.kind = ValueKind::kConstant;
  value.data = from_doubles(DType::kF32, extents, values).data;
  return graph.add_value(std::move(value));
}

bool is_constant(const Graph& graph, int value) {
  return value >= 0 && graph.values[value].kind == ValueKind::kConstant;
}

}  // namespace passes

using namespace passes;

size_t eliminate_dead_code(Graph& graph) {
  std::vector<bool> live(graph.values.size(), false);
  for (int index : graph.outputs) live[index] = true;
  std::vector<bool> erase(graph.nodes.size(), false);
  size_t removed = 0;
  for (size_t n = graph.nodes.size(); n-- > 0;) {
    const Node& node = graph.nodes[n];
    bool needed = std::any_of(node.outputs.begin(), node.outputs.end(), [&](int index) { return live[index]; });
    if (!needed) {
      erase[n] = true;
      ++removed;
      continue;
    }
    for (int index : node.inputs) {
      if (index >= 0) live[index] = true;
    }
  }
  erase_nodes(graph, erase);
  size_t values_before = graph.values.size();
  remove_unused_values(graph);
  return removed + (values_before - graph.values.size());
}

namespace {

bool is_noop(const Graph& graph, const Node& node) {
  const Value& in = graph.values[node.inputs[0]];
  const Value& out = graph.values[node.outputs[0]];
  if (node.op == "identity") return true;
  if (node.op == "cast") return node.get_int("to", -1) == static_cast<int64_t>(in.dtype);
  if (node.op == "reshape" || node.op == "expand" || node.op == "slice") {
    // A slice with the output's shape equal to the input's takes every element.
    return in.shape == out.shape && in.dtype == out.dtype;
  }
  if (node.op == "concat") return node.inputs.size() == 1;
  if (node.op == "pad") {
    std::vector<int64_t> pads = node.get_ints("pads");
    return std::all_of(pads.begin(), pads.end(), [](int64_t pad) { return pad == 0; });
  }
  if (node.op == "permute") {
    std::vector<int64_t> perm = node.get_ints("perm");
    for (size_t i = 0; i < perm.size(); ++i) {
      if (perm[i] != static_cast<int64_t>(i)) return false;
    }
    return perm.size() == in.shape.size();
  }
  return false;
}

}  // namespace

size_t remove_identities(Graph& graph) {
  std::vector<bool> erase(graph.nodes.size(), false);
  size_t removed = 0;
  for (size_t n = 0; n < graph.nodes.size(); ++n) {
    const Node& node = graph.nodes[n];
    if (node.inputs.empty() || node.inputs[0] < 0 || !is_noop(graph, node)) continue;
    int in = node.inputs[0], out = node.outputs[0];
    if (!is_graph_output(graph, out)) {
      replace_uses(graph, out, in);
    } else if (graph.values[in].kind == ValueKind::kIntermediate && !is_graph_output(graph, in)) {
      // Keep the graph output's value: its producer now writes it directly.
      for (Node& producer : graph.nodes) std::replace(producer.outputs.begin(), producer.outputs.end(), in, out);
      replace_uses(graph, in, out);
    } else {
      continue;  // an output that aliases an input or constant stays a copy
    }
    erase[n] = true;
    ++removed;
  }
  erase_nodes(graph, erase);
  remove_unused_values(graph);
  return removed;
}

size_t fold_constants(Graph& graph, size_t max_bytes) {
  std::vector<bool> erase(graph.nodes.size(), false);
  size_t folded = 0;
  for (size_t n = 0; n < graph.nodes.size(); ++n) {
    const Node& node = graph.nodes[n];
    bool all_constant = std::all_of(node.inputs.begin(), node.inputs.end(),
                                    [&](int index) { return index < 0 || is_constant(graph, index); });
    Value& out = graph.values[node.outputs[0]];
    if (!all_constant || !shape_is_static(out.shape)) continue;
    if (static_cast<size_t>(shape_numel(out.shape, {})) * dtype_size(out.dtype) > max_bytes) continue;

    std::vector<HostTensor> tensors;
    tensors.reserve(node.inputs.size());
    std::vector<const HostTensor*> inputs;
    for (int index : node.inputs) {
      if (index < 0) {
        inputs.push_back(nullptr);
        continue;
      }
      tensors.push_back(constant_tensor(graph.values[index]));
      inputs.push_back(&tensors.back());
    }
    HostTensor result;
    try {
      result = run_node(graph, node, inputs, {}).at(0);
    } catch (const IrError&) {
      continue;  // for example an out-of-range gather: it fails at run time instead
    }
    out.kind = ValueKind::kConstant;
    out.dtype = result.dtype;
    out.data = std::move(result.data);
    erase[n] = true;
    ++folded;
  }
  erase_nodes(graph, erase);
  remove_unused_values(graph);
  return folded;
}

namespace {

bool is_f32_constant(const Graph& graph, int value) {
  return is_constant(graph, value) && graph.values[value].dtype == DType::kF32;
}

bool has_fusion(const Node& node) {
  return !node.get_string("activation", "").empty() || (node.inputs.size() > 3 && node.inputs[3] >= 0);
}

// Folds batch_norm node `bn` into `producer`; returns false when a
// precondition fails.
bool fold_into(Graph& graph, size_t producer_index, const Node& bn) {
  Node& producer = graph.nodes[producer_index];
  int weight = producer.inputs[1];
  int bias = producer.inputs.size() > 2 ? producer.inputs[2] : -1;
  if (has_fusion(producer) || !is_f32_constant(graph, weight) || (bias >= 0 && !is_f32_constant(graph, bias))) return false;
  if (producer.op == "linear" && graph.values[producer.outputs[0]].shape.size() != 2) return false;
  for (size_t i = 1; i < bn.inputs.size(); ++i) {
    if (bn.inputs[i] >= 0 && !is_f32_constant(graph, bn.inputs[i])) return false;
  }

  const Value& weight_value = graph.values[weight];
  int64_t channels = weight_value.shape[0].coefficient;
  auto parameter = [&](size_t i, double fallback) {
    if (i >= bn.inputs.size() || bn.inputs[i] < 0) return std::vector<double>(channels, fallback);
    return to_doubles(constant_tensor(graph.values[bn.inputs[i]]));
  };
  std::vector<double> mean = parameter(1, 0), var = parameter(2, 1), gamma = parameter(3, 1), beta = parameter(4, 0);
  std::vector<double> old_bias = bias >= 0 ? to_doubles(constant_tensor(graph.values[bias])) : std::vector<double>(channels, 0.0);
  if (static_cast<int64_t>(mean.size()) != channels || var.size() != mean.size() || gamma.size() != mean.size() ||
      beta.size() != mean.size() || old_bias.size() != mean.size()) {
    return false;
  }
  double epsilon = bn.get_float("epsilon", 1e-5);

  std::vector<double> weights = to_doubles(constant_tensor(weight_value));
  int64_t per_channel = static_cast<int64_t>(weights.size()) / channels;
  std::vector<double> new_bias(channels);
  for (int64_t o = 0; o < channels; ++o) {
    double scale = gamma[o] / std::sqrt(var[o] + epsilon);
    for (int64_t i = 0; i < per_channel; ++i) weights[o * per_channel + i] *= scale;
    new_bias[o] = (old_bias[o] - mean[o]) * scale + beta[o];
  }
  std::string name = weight_value.name;
  Shape weight_shape = weight_value.shape;
  int new_weight = add_f32_constant(graph, name + "_bn_folded", weight_shape, weights);
  int new_bias_value = add_f32_constant(graph, name + "_bn_folded_bias", {Dim::fixed(channels)}, new_bias);

  Node& target = graph.nodes[producer_index];  // add_value does not move nodes
  target.inputs.resize(std::max<size_t>(target.inputs.size(), 3), -1);
  target.inputs[1] = new_weight;
  target.inputs[2] = new_bias_value;
  target.outputs[0] = bn.outputs[0];
  return true;
}

}  // namespace

size_t fold_batch_norm(Graph& graph) {
  std::vector<int> producer_of(graph.values.size(), -1);
  for (size_t n = 0; n < graph.nodes.size(); ++n) producer_of[graph.nodes[n].outputs[0]] = static_cast<int>(n);
  auto users = value_users(graph);

  std::vector<bool> erase(graph.nodes.size(), false);
  size_t folded = 0;
  for (size_t n = 0; n < graph.nodes.size(); ++n) {
    const Node bn = graph.nodes[n];
    if (bn.op != "batch_norm") continue;
    int x = bn.inputs[0];
    int producer = producer_of[x];
    if (producer < 0 || sole_user(graph, users, x) != static_cast<int>(n)) continue;
    const std::string& op = graph.nodes[producer].op;
    if (op != "conv2d" && op != "linear") continue;
    if (!fold_into(graph, producer, bn)) continue;
    erase[n] = true;
    ++folded;
  }
  erase_nodes(graph, erase);
  remove_unused_values(graph);
  return folded;
}

void optimize(Graph& graph) {
  // Bounded so that a pass that keeps reporting changes cannot loop forever.
  for (int round = 0; round < 16; ++round) {
    size_t changes = remove_identities(graph);
    changes += fold_constants(graph);
    changes += fold_batch_norm(graph);
    changes += fuse_operators(graph);
    changes += eliminate_dead_code(graph);
    if (changes == 0) break;
  }
}

}  // namespace npujar::ir
