// The reference executor's driver: binds symbols from the inputs, evaluates
// nodes in order, frees each intermediate after its last use, and
// dispatches each node to its operator family.
#include "npujar/ir/reference.h"

#include <cmath>
#include <cstring>
#include <optional>

#include "npujar/ir/ops.h"
#include "reference_kernels.h"

namespace npujar::ir {

namespace reference {

const HostTensor& OpContext::in(size_t i) const {
  if (!has(i)) fail("input " + std::to_string(i) + " is absent");
  return *inputs[i];
}

std::vector<int64_t> OpContext::declared_output_shape() const {
  std::vector<int64_t> shape;
  for (const Dim& dim : graph.values.at(node.outputs.at(0)).shape) shape.push_back(dim.resolve(symbols));
  return shape;
}

DType OpContext::declared_output_dtype() const { return graph.values.at(node.outputs.at(0)).dtype; }

void OpContext::fail(const std::string& message) const {
  std::string where = node.op;
  if (!node.source.empty()) where += " at " + node.source;
  throw IrError(where + ": " + message);
}

bool is_float_dtype(DType dtype) {
  return dtype == DType::kF32 || dtype == DType::kF16 || dtype == DType::kBF16;
}

double round_to(DType dtype, double value) {
  switch (dtype) {
    case DType::kF32: return static_cast<float>(value);
    case DType::kF16: return f16_to_float(float_to_f16(static_cast<float>(value)));
    case DType::kBF16: return bf16_to_float(float_to_bf16(static_cast<float>(value)));
    default: return value;
  }
}

std::vector<int64_t> contiguous_strides(const std::vector<int64_t>& shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (size_t i = shape.size(); i-- > 1;) strides[i - 1] = strides[i] * shape[i];
  return strides;
}

std::vector<int64_t> broadcast_strides(const std::vector<int64_t>& shape,
                                       const std::vector<int64_t>& target) {
  std::vector<int64_t> own = contiguous_strides(shape);
  std::vector<int64_t> strides(target.size(), 0);
  size_t offset = target.size() - shape.size();
  for (size_t i = 0; i < shape.size(); ++i) strides[offset + i] = shape[i] == 1 ? 0 : own[i];
  return strides;
}

std::vector<int64_t> broadcast_extents(const OpContext& context, const std::vector<int64_t>& a,
                                       const std::vector<int64_t>& b) {
  size_t rank = std::max(a.size(), b.size());
  std::vector<int64_t> result(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1) {
      context.fail("extents " + std::to_string(da) + " and " + std::to_string(db) +
                   " do not broadcast");
    }
    result[i] = da == 1 ? db : da;
  }
  return result;
}

double gelu(double x, bool tanh_approximation) {
  if (tanh_approximation) {
    const double k = std::sqrt(2.0 / 3.14159265358979323846);  // sqrt(2 / pi)
    return 0.5 * x * (1.0 + std::tanh(k * (x + 0.044715 * x * x * x)));
  }
  return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0)));
}

Activation Activation::from_node(const OpContext& context) {
  Activation activation{context.node.get_string("activation", ""),
                        context.node.get_float("clamp_min", -INFINITY),
                        context.node.get_float("clamp_max", INFINITY)};
  static const char* const kKnown[] = {"", "relu", "clamp", "sigmoid", "silu", "hardswish", "gelu", "gelu_tanh"};
  for (const char* known : kKnown) {
    if (activation.name == known) return activation;
  }
  context.fail("unknown fused activation '" + activation.name + "'");
}

double Activation::apply(double x) const {
  if (name.empty()) return x;
  if (name == "relu") return x > 0 ? x : 0.0;
  if (name == "clamp") return std::min(std::max(x, clamp_min), clamp_max);
  if (name == "sigmoid") return 1.0 / (1.0 + std::exp(-x));
  if (name == "silu") return x / (1.0 + std::exp(-x));
  if (name == "hardswish") return x * std::min(std::max(x + 3.0, 0.0), 6.0) / 6.0;
  if (name == "gelu") return gelu(x, false);
  return gelu(x, true);
}

}  // namespace reference

using reference::OpContext;

HostTensor constant_tensor(const Value& value) {
  HostTensor tensor;
  tensor.dtype = value.dtype;
  for (const Dim& dim : value.shape) {
    if (!dim.is_static()) throw IrError("constant " + value.name + " has a symbolic shape");
    tensor.shape.push_back(dim.coefficient);
  }
  tensor.data = value.data;
  return tensor;
}

std::map<std::string, int64_t> bind_symbols(const Graph& graph, const std::vector<HostTensor>& inputs) {
  if (inputs.size() != graph.inputs.size()) {
    throw IrError("graph " + graph.name + " takes " + std::to_string(graph.inputs.size()) +
                  " inputs, got " + std::to_string(inputs.size()));
  }
  std::map<std::string, int64_t> symbols;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Value& value = graph.values.at(graph.inputs[i]);
    const HostTensor& tensor = inputs[i];
    std::string label = "input " + std::to_string(i) + " (" + value.name + ")";
    if (tensor.dtype != value.dtype) {
      throw IrError(label + " has dtype " + dtype_name(tensor.dtype) + ", expected " + dtype_name(value.dtype));
    }
    if (tensor.shape.size() != value.shape.size()) {
      throw IrError(label + " has rank " + std::to_string(tensor.shape.size()) + ", expected shape " +
                    shape_to_string(value.shape));
    }
    if (tensor.data.size() != static_cast<size_t>(tensor.numel()) * dtype_size(tensor.dtype)) {
      throw IrError(label + " has " + std::to_string(tensor.data.size()) + " bytes for its shape");
    }
    for (size_t d = 0; d < tensor.shape.size(); ++d) {
      const Dim& dim = value.shape[d];
      int64_t extent = tensor.shape[d];
      if (dim.is_static()) {
        if (extent != dim.coefficient) {
          throw IrError(label + " has extent " + std::to_string(extent) + " in dim " + std::to_string(d) +
                        ", expected shape " + shape_to_string(value.shape));
        }
        continue;
      }
      if (extent % dim.coefficient != 0) {
        throw IrError(label + " extent " + std::to_string(extent) + " in dim " + std::to_string(d) +
                      " is not a multiple of " + std::to_string(dim.coefficient));
      }
      int64_t symbol_value = extent / dim.coefficient;
      auto [it, inserted] = symbols.emplace(dim.symbol, symbol_value);
      if (!inserted && it->second != symbol_value) {
        throw IrError(label + " gives symbol " + dim.symbol + " the value " + std::to_string(symbol_value) +
                      ", another input gave " + std::to_string(it->second));
      }
    }
  }
  return symbols;
}

namespace {

bool is_elementwise(const std::string& op) {
  static const char* const kOps[] = {
      "add", "sub", "mul", "div", "pow", "maximum", "minimum", "equal", "not_equal", "less",
      "less_equal", "greater", "greater_equal", "logical_and", "logical_or", "where", "relu",
      "sigmoid", "tanh", "exp", "log", "sqrt", "rsqrt", "neg", "abs", "erf", "reciprocal", "silu",
      "hardswish", "hardsigmoid", "logical_not", "identity", "gelu", "clamp", "leaky_relu", "cast"};
  for (const char* name : kOps) {
    if (op == name) return true;
  }
  return false;
}

}  // namespace

std::vector<HostTensor> run_node(const Graph& graph, const Node& node,
                                 const std::vector<const HostTensor*>& inputs,
                                 const std::map<std::string, int64_t>& symbols) {
  OpContext context{graph, node, inputs, symbols};
  if (inputs.empty() || !inputs[0]) context.fail("first input is absent");
  const std::string& op = node.op;
  if (is_elementwise(op)) return {reference::run_elementwise(context)};
  if (op == "matmul" || op == "linear" || op == "conv2d") return {reference::run_linalg(context)};
  if (op == "batch_norm" || op == "layer_norm" || op == "softmax" || op == "log_softmax" ||
      op == "max_pool2d" || op == "avg_pool2d" || op == "adaptive_avg_pool2d" ||
      op == "adaptive_max_pool2d" || op == "resize") {
    return {reference::run_nn(context)};
  }
  if (is_known_operator(op)) return {reference::run_data(context)};
  context.fail("unknown operator");
}

std::vector<HostTensor> run_reference(const Graph& graph, const std::vector<HostTensor>& inputs) {
  std::map<std::string, int64_t> symbols = bind_symbols(graph, inputs);

  // last_use[v]: the last node reading value v, so its tensor can be freed
  // after it; graph outputs are never freed.
  std::vector<int64_t> last_use(graph.values.size(), -1);
  for (size_t n = 0; n < graph.nodes.size(); ++n) {
    for (int index : graph.nodes[n].inputs) {
      if (index >= 0) last_use.at(index) = static_cast<int64_t>(n);
    }
  }
  for (int index : graph.outputs) last_use.at(index) = static_cast<int64_t>(graph.nodes.size());

  std::vector<std::optional<HostTensor>> tensors(graph.values.size());
  for (size_t i = 0; i < inputs.size(); ++i) tensors[graph.inputs[i]] = inputs[i];
  for (size_t v = 0; v < graph.values.size(); ++v) {
    if (graph.values[v].kind == ValueKind::kConstant) tensors[v] = constant_tensor(graph.values[v]);
  }

  for (size_t n = 0; n < graph.nodes.size(); ++n) {
    const Node& node = graph.nodes[n];
    std::vector<const HostTensor*> node_inputs;
    for (int index : node.inputs) {
      if (index < 0) {
        node_inputs.push_back(nullptr);
        continue;
      }
      if (!tensors.at(index)) throw IrError(describe_node(graph, n) + ": input value " + std::to_string(index) + " has not been computed");
      node_inputs.push_back(&*tensors[index]);
    }
    std::vector<HostTensor> results = run_node(graph, node, node_inputs, symbols);
    for (size_t i = 0; i < results.size(); ++i) tensors.at(node.outputs.at(i)) = std::move(results[i]);
    for (int index : node.inputs) {
      if (index >= 0 && last_use[index] == static_cast<int64_t>(n) &&
          graph.values[index].kind == ValueKind::kIntermediate) {
        tensors[index].reset();
      }
    }
  }

  std::vector<HostTensor> outputs;
  for (int index : graph.outputs) {
    if (!tensors.at(index)) throw IrError("graph output value " + std::to_string(index) + " was never computed");
    outputs.push_back(*tensors[index]);
  }
  return outputs;
}

}  // namespace npujar::ir
