#include "prepack.h"

#include <array>
#include <cstring>

#include "error.h"
#include "kernel_calls_internal.h"
#include "npujar/ir/error.h"
#include "npujar/kernels/kernels.h"

namespace npujar::codegen {
namespace {

bool is_f32_constant(const ir::Graph& graph, int value_index, size_t rank) {
  if (value_index < 0) return false;
  const ir::Value& value = graph.values[value_index];
  return value.kind == ir::ValueKind::kConstant && value.dtype == ir::DType::kF32 &&
         value.shape.size() == rank && ir::shape_is_static(value.shape);
}

const float* float_data(const ir::Value& value) {
  return reinterpret_cast<const float*>(value.data.data());
}

// Packs the weight of node `node_index` into a new vector of floats.
std::vector<float> pack_node_weight(const ir::Graph& graph, size_t node_index) {
  const ir::Node& node = graph.nodes[node_index];
  const ir::Value& weight = graph.values[node.inputs[1]];
  const ir::Shape& shape = weight.shape;

  if (node.op == "conv2d") {
    // The batch extent does not affect the packed layout.
    std::array<int64_t, 18> fields = conv2d_params(graph, node, 1);
    const auto* params = reinterpret_cast<const npk_conv2d_params*>(fields.data());
    std::vector<float> packed(static_cast<size_t>(npk_conv2d_packed_weight_size(params)) / 4);
    npk_conv2d_pack_weight(params, float_data(weight), packed.data());
    return packed;
  }

  // linear: B = weight^T with weight [N, K]; matmul: B = weight [K, N].
  bool is_linear = node.op == "linear";
  int64_t k = is_linear ? shape[1].coefficient : shape[0].coefficient;
  int64_t n = is_linear ? shape[0].coefficient : shape[1].coefficient;
  int64_t stride_bk = is_linear ? 1 : n;
  int64_t stride_bn = is_linear ? k : 1;
  std::vector<float> packed(static_cast<size_t>(npk_gemm_packed_b_size(k, n)) / 4);
  npk_gemm_pack_b(k, n, float_data(weight), stride_bk, stride_bn, packed.data());
  return packed;
}

}  // namespace

bool wants_packed_weight(const ir::Graph& graph, size_t node_index) {
  const ir::Node& node = graph.nodes[node_index];
  if (node.inputs.size() < 2) return false;
  if (node.op == "conv2d") return true;
  if (node.op == "linear") return is_f32_constant(graph, node.inputs[1], 2);
  if (node.op == "matmul") return is_f32_constant(graph, node.inputs[1], 2);
  return false;
}

PackedWeights prepack_weights(ir::Graph& graph) {
  std::map<int, int> packed_of_weight;
  for (size_t index = 0; index < graph.nodes.size(); ++index) {
    if (!wants_packed_weight(graph, index) || graph.nodes[index].has(kPackedWeightAttribute)) {
      continue;
    }
    int weight = graph.nodes[index].inputs[1];
    if (graph.nodes[index].op == "conv2d" && !is_f32_constant(graph, weight, 4)) {
      throw CodegenError(ir::describe_node(graph, index) +
                         ": the CPU convolution needs an f32 constant weight; run constant "
                         "folding so that the weight is known at pack time");
    }

    auto existing = packed_of_weight.find(weight);
    if (existing == packed_of_weight.end()) {
      std::vector<float> packed = pack_node_weight(graph, index);
      ir::Value value;
      value.name = graph.values[weight].name + ".packed";
      value.dtype = ir::DType::kF32;
      value.shape = {ir::Dim::fixed(static_cast<int64_t>(packed.size()))};
      value.kind = ir::ValueKind::kConstant;
      value.data.resize(packed.size() * sizeof(float));
      std::memcpy(value.data.data(), packed.data(), value.data.size());
      existing = packed_of_weight.emplace(weight, graph.add_value(std::move(value))).first;
    }
    graph.nodes[index].attributes[kPackedWeightAttribute] = static_cast<int64_t>(existing->second);
  }
  return find_packed_weights(graph);
}

PackedWeights find_packed_weights(const ir::Graph& graph) {
  PackedWeights packed;
  for (size_t index = 0; index < graph.nodes.size(); ++index) {
    const ir::Node& node = graph.nodes[index];
    if (!node.has(kPackedWeightAttribute)) continue;
    int64_t value = node.get_int(kPackedWeightAttribute, -1);
    bool valid = value >= 0 && value < static_cast<int64_t>(graph.values.size()) &&
                 graph.values[value].kind == ir::ValueKind::kConstant;
    if (!valid) {
      throw CodegenError(ir::describe_node(graph, index) + ": attribute " +
                         kPackedWeightAttribute + " = " + std::to_string(value) +
                         " names no constant value");
    }
    packed.packed_value_of_node[index] = static_cast<int>(value);
  }
  return packed;
}

}  // namespace npujar::codegen
