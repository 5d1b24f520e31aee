// Builds small graphs for tests: each node() call appends a node and runs
// shape inference on it, as the importer does.
#pragma once

#include <initializer_list>
#include <random>
#include <string>
#include <vector>

#include "npujar/ir/graph.h"
#include "npujar/ir/host_tensor.h"
#include "npujar/ir/shape_inference.h"

namespace npujar::ir::testing {

inline Shape static_shape(const std::vector<int64_t>& extents) {
  Shape shape;
  for (int64_t extent : extents) shape.push_back(Dim::fixed(extent));
  return shape;
}

class GraphBuilder {
 public:
  int input(const std::string& name, DType dtype, Shape shape) {
    int index = graph_.add_value(Value{name, dtype, std::move(shape), ValueKind::kInput, {}});
    graph_.inputs.push_back(index);
    return index;
  }
  int input(const std::string& name, DType dtype, const std::vector<int64_t>& extents) {
    return input(name, dtype, static_shape(extents));
  }
  // Makes input("x", DType::kF32, {2, 3}) mean static extents.
  int input(const std::string& name, DType dtype, std::initializer_list<int64_t> extents) {
    return input(name, dtype, static_shape(extents));
  }

  int constant(const std::string& name, const HostTensor& tensor) {
    return graph_.add_value(Value{name, tensor.dtype, static_shape(tensor.shape), ValueKind::kConstant, tensor.data});
  }

  // Appends `op`; `output_shape` is needed only by operators whose output
  // shape comes from the output value (reshape, expand, resize, adaptive pools).
  int node(const std::string& op, std::vector<int> inputs, Attributes attributes = {}, Shape output_shape = {}) {
    int output = graph_.add_value(Value{"v" + std::to_string(graph_.values.size()), DType::kF32,
                                        std::move(output_shape), ValueKind::kIntermediate, {}});
    graph_.nodes.push_back(Node{op, std::move(inputs), {output}, std::move(attributes), "test:" + op});
    infer_shapes(graph_, graph_.nodes.size() - 1);
    return output;
  }

  void output(int value) { graph_.outputs.push_back(value); }
  Graph& graph() { return graph_; }

 private:
  Graph graph_;
};

// A tensor of uniform random values in [low, high).
inline HostTensor random_tensor(std::mt19937& rng, const std::vector<int64_t>& shape, double low = -1.0,
                                double high = 1.0) {
  std::uniform_real_distribution<float> distribution(static_cast<float>(low), static_cast<float>(high));
  HostTensor tensor = HostTensor::zeros(DType::kF32, shape);
  std::vector<float> values(static_cast<size_t>(tensor.numel()));
  for (float& v : values) v = distribution(rng);
  return HostTensor::from_f32(shape, values);
}

}  // namespace npujar::ir::testing
