// Internal interface of the reference executor: one entry point per
// operator family, each in its own reference_*.cc file.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "npujar/ir/error.h"
#include "npujar/ir/graph.h"
#include "npujar/ir/host_tensor.h"

namespace npujar::ir::reference {

// The node being evaluated with its inputs (nullptr for absent optional
// inputs) and the symbol values for output shapes taken from the graph.
struct OpContext {
  const Graph& graph;
  const Node& node;
  const std::vector<const HostTensor*>& inputs;
  const std::map<std::string, int64_t>& symbols;

  bool has(size_t i) const { return i < inputs.size() && inputs[i] != nullptr; }
  const HostTensor& in(size_t i) const;
  // The output value's shape with symbols resolved.
  std::vector<int64_t> declared_output_shape() const;
  DType declared_output_dtype() const;
  [[noreturn]] void fail(const std::string& message) const;
};

bool is_float_dtype(DType dtype);
// `value` rounded to the precision of `dtype` (f32, f16, bf16), unchanged for
// other dtypes.
double round_to(DType dtype, double value);
// Row-major strides in elements.
std::vector<int64_t> contiguous_strides(const std::vector<int64_t>& shape);
// Strides of `shape` viewed as broadcast to `target` (0 on broadcast dims).
std::vector<int64_t> broadcast_strides(const std::vector<int64_t>& shape,
                                       const std::vector<int64_t>& target);
std::vector<int64_t> broadcast_extents(const OpContext& context, const std::vector<int64_t>& a,
                                       const std::vector<int64_t>& b);

// The fused activation of conv2d, linear and matmul (see ops.h).
struct Activation {
  std::string name;
  double clamp_min;
  double clamp_max;
  static Activation from_node(const OpContext& context);
  double apply(double x) const;
};
double gelu(double x, bool tanh_approximation);

HostTensor run_elementwise(const OpContext& context);  // broadcasting, unary, where, cast
HostTensor run_linalg(const OpContext& context);       // matmul, linear, conv2d
HostTensor run_nn(const OpContext& context);           // norms, softmax, pools, resize
HostTensor run_data(const OpContext& context);         // reductions, data movement

}  // namespace npujar::ir::reference
