// Lowering of linear algebra, convolution, normalization, pooling and
// resizing onto the npk_* kernels, and the scratch each of them needs.
// Scratch sizes come from the kernels' natively compiled size functions.
// When the batch is symbolic they are probed at two batch values and
// checked at a third, so the arena plan gets base + coefficient * symbol.
#include <llvm/IR/Value.h>

#include <array>
#include <cmath>
#include <map>

#include "error.h"
#include "kernel_calls_internal.h"
#include "npujar/ir/error.h"
#include "npujar/kernels/kernels.h"
#include "prepack.h"

namespace npujar::codegen {
namespace {

int optional_input(const ir::Node& node, size_t position) {
  return position < node.inputs.size() ? node.inputs[position] : -1;
}

int64_t static_extent(const EntryEmitter& emitter, size_t node_index, const ir::Dim& dim,
                      const char* what) {
  if (dim.is_static()) return dim.coefficient;
  throw CodegenError(emitter.describe(node_index) + ": " + what + " is symbolic (" +
                     std::to_string(dim.coefficient) + "*" + dim.symbol +
                     ") but the CPU kernel needs a fixed extent");
}

// The integer list attribute `key`, or `fallback` when it is missing or empty.
std::vector<int64_t> ints_or(const ir::Node& node, const std::string& key,
                             std::vector<int64_t> fallback) {
  if (!node.has(key)) return fallback;
  std::vector<int64_t> values = node.get_ints(key);
  return values.empty() ? fallback : values;
}

}  // namespace

// Generated code passes the params as an int64 array.
static_assert(sizeof(npk_conv2d_params) == 18 * sizeof(int64_t));
static_assert(sizeof(npk_pool2d_params) == 19 * sizeof(int64_t));

std::array<int64_t, 18> conv2d_params(const ir::Graph& graph, const ir::Node& node,
                                      int64_t batch) {
  const ir::Shape& x = graph.values[node.inputs[0]].shape;
  const ir::Shape& w = graph.values[node.inputs[1]].shape;
  const ir::Shape& y = graph.values[node.outputs[0]].shape;
  std::vector<int64_t> strides = ints_or(node, "strides", {1, 1});
  std::vector<int64_t> pads = ints_or(node, "pads", {0, 0, 0, 0});
  std::vector<int64_t> dilations = ints_or(node, "dilations", {1, 1});
  return {batch,          x[1].coefficient, x[2].coefficient, x[3].coefficient,
          w[0].coefficient, w[2].coefficient, w[3].coefficient,
          strides[0],     strides[1],
          pads[0],        pads[1],          pads[2],          pads[3],
          dilations[0],   dilations[1],
          node.get_int("groups", 1),
          y[2].coefficient, y[3].coefficient};
}

namespace {

void check_conv2d_shapes(const EntryEmitter& emitter, size_t node_index) {
  const ir::Node& node = emitter.node(node_index);
  const ir::Shape& x = emitter.value(node.inputs[0]).shape;
  const ir::Shape& y = emitter.value(node.outputs[0]).shape;
  if (x.size() != 4 || y.size() != 4 || emitter.value(node.inputs[1]).shape.size() != 4) {
    throw CodegenError(emitter.describe(node_index) + ": conv2d needs 4-D input, weight and output");
  }
  for (size_t d = 1; d < 4; ++d) {
    static_extent(emitter, node_index, x[d], "an input extent after the batch");
    static_extent(emitter, node_index, y[d], "an output extent after the batch");
  }
  require_dtype(emitter, node_index, node.inputs[0], ir::DType::kF32);
}

// Size of a scratch buffer as base + coefficient * symbol from a size
// function of the batch extent `batch_dim`.
template <typename SizeFunction>
LinearSize probe_batch_linear(const ir::Dim& batch_dim, const std::string& what,
                              SizeFunction size_of_batch) {
  if (batch_dim.is_static()) return LinearSize::fixed(size_of_batch(batch_dim.coefficient));
  int64_t c = batch_dim.coefficient;
  int64_t one = size_of_batch(c);
  int64_t two = size_of_batch(2 * c);
  int64_t three = size_of_batch(3 * c);
  LinearSize size = LinearSize::fixed(2 * one - two);
  int64_t per_unit = two - one;
  if (three != size.base + 3 * per_unit || size.base < 0) {
    throw CodegenError(what + ": scratch size is not linear in symbol " + batch_dim.symbol +
                       " (" + std::to_string(one) + ", " + std::to_string(two) + ", " +
                       std::to_string(three) + " bytes at 1, 2, 3 units)");
  }
  if (per_unit != 0) size.coefficients[batch_dim.symbol] = per_unit;
  return size;
}

// Operand layout of a matmul, with PyTorch's promotion of 1-D operands.
struct MatmulShape {
  ir::Dim m, k, n;
  ir::Shape a_batch, b_batch, out_batch;
};

MatmulShape matmul_shape(const ir::Graph& graph, const ir::Node& node) {
  const ir::Shape& a = graph.values[node.inputs[0]].shape;
  const ir::Shape& b = graph.values[node.inputs[1]].shape;
  const ir::Shape& y = graph.values[node.outputs[0]].shape;
  MatmulShape shape;
  shape.m = a.size() >= 2 ? a[a.size() - 2] : ir::Dim::fixed(1);
  shape.k = a.back();
  shape.n = b.size() >= 2 ? b.back() : ir::Dim::fixed(1);
  if (a.size() > 2) shape.a_batch.assign(a.begin(), a.end() - 2);
  if (b.size() > 2) shape.b_batch.assign(b.begin(), b.end() - 2);
  size_t out_matrix_dims = (a.size() >= 2 ? 1 : 0) + (b.size() >= 2 ? 1 : 0);
  shape.out_batch.assign(y.begin(), y.end() - out_matrix_dims);
  return shape;
}

// Batch stride of an operand of `matrix_elements` per matrix: the full
// stride when its batch dims equal the output's, 0 when it has none or only
// ones. Throws for broadcasting over part of several batch dims.
llvm::Value* batch_stride(EntryEmitter& emitter, size_t node_index, const ir::Shape& batch,
                          const ir::Shape& out_batch, llvm::Value* matrix_elements) {
  bool all_ones = true;
  for (const ir::Dim& dim : batch) all_ones = all_ones && dim == ir::Dim::fixed(1);
  if (all_ones) return emitter.i64(0);
  size_t leading = out_batch.size() - batch.size();
  bool equal = batch.size() <= out_batch.size();
  for (size_t d = 0; equal && d < batch.size(); ++d) equal = batch[d] == out_batch[leading + d];
  for (size_t d = 0; equal && d < leading; ++d) equal = out_batch[d] == ir::Dim::fixed(1);
  if (equal) return matrix_elements;
  throw CodegenError(emitter.describe(node_index) + ": matmul broadcasts batch dims " +
                     ir::shape_to_string(batch) + " to " + ir::shape_to_string(out_batch) +
                     ", which the CPU kernels do not cover");
}

}  // namespace

Epilogue fused_epilogue(const EntryEmitter& emitter, size_t node_index) {
  static const std::map<std::string, int32_t> activations = {
      {"", NPK_ACTIVATION_NONE},          {"relu", NPK_ACTIVATION_RELU},
      {"clamp", NPK_ACTIVATION_CLAMP},    {"sigmoid", NPK_ACTIVATION_SIGMOID},
      {"silu", NPK_ACTIVATION_SILU},      {"hardswish", NPK_ACTIVATION_HARDSWISH},
      {"gelu", NPK_ACTIVATION_GELU},      {"gelu_tanh", NPK_ACTIVATION_GELU_TANH}};
  const ir::Node& node = emitter.node(node_index);
  std::string name = node.get_string("activation", "");
  auto it = activations.find(name);
  if (it == activations.end()) {
    throw CodegenError(emitter.describe(node_index) + ": unknown fused activation '" + name + "'");
  }
  Epilogue epilogue;
  epilogue.activation = it->second;
  epilogue.clamp_min = static_cast<float>(node.get_float("clamp_min", -INFINITY));
  epilogue.clamp_max = static_cast<float>(node.get_float("clamp_max", INFINITY));
  return epilogue;
}

void lower_linear(EntryEmitter& emitter, size_t node_index) {
  const ir::Node& node = emitter.node(node_index);
  require_dtype(emitter, node_index, node.inputs[0], ir::DType::kF32);
  const ir::Shape& x = emitter.value(node.inputs[0]).shape;
  const ir::Shape& weight = emitter.value(node.inputs[1]).shape;
  llvm::Value* m = emitter.extent_product(x, 0, x.size() - 1);
  llvm::Value* n = emitter.dim(weight[0]);
  llvm::Value* k = emitter.dim(weight[1]);
  Epilogue epilogue = fused_epilogue(emitter, node_index);
  llvm::Value* bias = emitter.tensor_address(optional_input(node, 2));
  llvm::Value* residual = emitter.tensor_address(optional_input(node, 3));
  llvm::Value* y = emitter.tensor_address(node.outputs[0]);

  if (emitter.has_packed_weight(node_index)) {
    emitter.call_kernel("npk_gemm", nullptr,
                        {emitter.context_argument(), m, n, k, emitter.tensor_address(node.inputs[0]),
                         k, emitter.i64(1), emitter.packed_weight_address(node_index), y, n,
                         emitter.i64(1), bias, residual, emitter.i32(epilogue.activation),
                         emitter.f32(epilogue.clamp_min), emitter.f32(epilogue.clamp_max)});
    return;
  }
  // A weight computed at run time: B(k, n) = weight[n][k].
  llvm::Value* zero = emitter.i64(0);
  emitter.call_kernel("npk_batch_matmul", nullptr,
                      {emitter.context_argument(), emitter.i64(1), m, n, k,
                       emitter.tensor_address(node.inputs[0]), zero, k, emitter.i64(1),
                       emitter.tensor_address(node.inputs[1]), zero, emitter.i64(1), k, y, zero, n,
                       emitter.i64(1), bias, residual, emitter.i32(epilogue.activation),
                       emitter.f32(epilogue.clamp_min), emitter.f32(epilogue.clamp_max),
                       emitter.scratch_address(node_index)});
}

void lower_matmul(EntryEmitter& emitter, size_t node_index) {
  const ir::Node& node = emitter.node(node_index);
  require_dtype(emitter, node_index, node.inputs[0], ir::DType::kF32);
  MatmulShape shape = matmul_shape(emitter.graph(), node);
  llvm::Value* m = emitter.dim(shape.m);
  llvm::Value* k = emitter.dim(shape.k);
  llvm::Value* n = emitter.dim(shape.n);
  Epilogue epilogue = fused_epilogue(emitter, node_index);
  llvm::Value* bias = emitter.tensor_address(optional_input(node, 2));
  llvm::Value* residual = emitter.tensor_address(optional_input(node, 3));
  llvm::Value* a = emitter.tensor_address(node.inputs[0]);
  llvm::Value* y = emitter.tensor_address(node.outputs[0]);
  llvm::Value* one = emitter.i64(1);

  if (emitter.has_packed_weight(node_index)) {
    // A constant 2-D right operand: all rows of every batch in one GEMM.
    llvm::Value* rows = emitter.multiply(
        m, emitter.extent_product(shape.a_batch, 0, shape.a_batch.size()));
    emitter.call_kernel("npk_gemm", nullptr,
                        {emitter.context_argument(), rows, n, k, a, k, one,
                         emitter.packed_weight_address(node_index), y, n, one, bias, residual,
                         emitter.i32(epilogue.activation), emitter.f32(epilogue.clamp_min),
                         emitter.f32(epilogue.clamp_max)});
    return;
  }

  llvm::Value* batch = emitter.extent_product(shape.out_batch, 0, shape.out_batch.size());
  llvm::Value* stride_a = batch_stride(emitter, node_index, shape.a_batch, shape.out_batch,
                                       emitter.multiply(m, k));
  llvm::Value* stride_b = batch_stride(emitter, node_index, shape.b_batch, shape.out_batch,
                                       emitter.multiply(k, n));
  emitter.call_kernel("npk_batch_matmul", nullptr,
                      {emitter.context_argument(), batch, m, n, k, a, stride_a, k, one,
                       emitter.tensor_address(node.inputs[1]), stride_b, n, one, y,
                       emitter.multiply(m, n), n, one, bias, residual,
                       emitter.i32(epilogue.activation), emitter.f32(epilogue.clamp_min),
                       emitter.f32(epilogue.clamp_max), emitter.scratch_address(node_index)});
}

void lower_conv2d(EntryEmitter& emitter, size_t node_index) {
  const ir::Node& node = emitter.node(node_index);
  check_conv2d_shapes(emitter, node_index);
  std::array<int64_t, 18> params = conv2d_params(emitter.graph(), node, 0);
  std::vector<llvm::Value*> fields;
  for (int64_t field : params) fields.push_back(emitter.i64(field));
  fields[0] = emitter.dim(emitter.value(node.inputs[0]).shape[0]);

  Epilogue epilogue = fused_epilogue(emitter, node_index);
  emitter.call_kernel("npk_conv2d", nullptr,
                      {emitter.context_argument(), emitter.i64_array(fields),
                       emitter.tensor_address(node.inputs[0]),
                       emitter.packed_weight_address(node_index),
                       emitter.tensor_address(optional_input(node, 2)),
                       emitter.tensor_address(optional_input(node, 3)),
                       emitter.i32(epilogue.activation), emitter.f32(epilogue.clamp_min),
                       emitter.f32(epilogue.clamp_max), emitter.tensor_address(node.outputs[0]),
                       emitter.scratch_address(node_index)});
}

void lower_layer_norm(EntryEmitter& emitter, size_t node_index) {
  const ir::Node& node = emitter.node(node_index);
  require_dtype(emitter, node_index, node.inputs[0], ir::DType::kF32);
  const ir::Shape& x = emitter.value(node.inputs[0]).shape;
  auto normalized = static_cast<size_t>(node.get_int("axes", 1));
  if (normalized == 0 || normalized > x.size()) {
    throw CodegenError(emitter.describe(node_index) + ": layer_norm normalizes " +
                       std::to_string(normalized) + " trailing dims of a rank " +
                       std::to_string(x.size()) + " input");
  }
  size_t split = x.size() - normalized;
  emitter.call_kernel("npk_layer_norm", nullptr,
                      {emitter.context_argument(), emitter.extent_product(x, 0, split),
                       emitter.extent_product(x, split, x.size()),
                       emitter.tensor_address(node.inputs[0]),
                       emitter.tensor_address(optional_input(node, 1)),
                       emitter.tensor_address(optional_input(node, 2)),
                       emitter.f32(node.get_float("epsilon", 1e-5)),
                       emitter.tensor_address(node.outputs[0])});
}

void lower_softmax(EntryEmitter& emitter, size_t node_index) {
  const ir::Node& node = emitter.node(node_index);
  require_dtype(emitter, node_index, node.inputs[0], ir::DType::kF32);
  const ir::Shape& x = emitter.value(node.inputs[0]).shape;
  size_t axis = normalize_axis(emitter, node_index, node.get_int("axis", -1), x.size());
  const char* kernel = node.op == "softmax" ? "npk_softmax" : "npk_log_softmax";
  emitter.call_kernel(kernel, nullptr,
                      {emitter.context_argument(), emitter.extent_product(x, 0, axis),
                       emitter.dim(x[axis]), emitter.extent_product(x, axis + 1, x.size()),
                       emitter.tensor_address(node.inputs[0]),
                       emitter.tensor_address(node.outputs[0])});
}

void lower_batch_norm(EntryEmitter& emitter, size_t node_index) {
  const ir::Node& node = emitter.node(node_index);
  require_dtype(emitter, node_index, node.inputs[0], ir::DType::kF32);
  const ir::Shape& x = emitter.value(node.inputs[0]).shape;
  if (x.size() < 2) {
    throw CodegenError(emitter.describe(node_index) + ": batch_norm needs rank >= 2, got " +
                       std::to_string(x.size()));
  }
  emitter.call_kernel("npk_batch_norm", nullptr,
                      {emitter.context_argument(), emitter.dim(x[0]), emitter.dim(x[1]),
                       emitter.extent_product(x, 2, x.size()),
                       emitter.tensor_address(node.inputs[0]),
                       emitter.tensor_address(node.inputs[1]),
                       emitter.tensor_address(node.inputs[2]),
                       emitter.tensor_address(optional_input(node, 3)),
                       emitter.tensor_address(optional_input(node, 4)),
                       emitter.f32(node.get_float("epsilon", 1e-5)),
                       emitter.tensor_address(node.outputs[0])});
}

void lower_pool2d(EntryEmitter& emitter, size_t node_index) {
  const ir::Node& node = emitter.node(node_index);
  require_dtype(emitter, node_index, node.inputs[0], ir::DType::kF32);
  const ir::Shape& x = emitter.value(node.inputs[0]).shape;
  const ir::Shape& y = emitter.value(node.outputs[0]).shape;
  std::vector<int64_t> kernel = node.get_ints("kernel");
  if (x.size() != 4 || y.size() != 4 || kernel.size() != 2) {
    throw CodegenError(emitter.describe(node_index) + ": " + node.op +
                       " needs 4-D input and output and a 2-element kernel");
  }
  std::vector<int64_t> strides = ints_or(node, "strides", kernel);
  std::vector<int64_t> pads = ints_or(node, "pads", {0, 0, 0, 0});
  std::vector<int64_t> dilations = ints_or(node, "dilations", {1, 1});
  std::vector<llvm::Value*> fields = {
      emitter.dim(x[0]), emitter.dim(x[1]), emitter.dim(x[2]), emitter.dim(x[3]),
      emitter.dim(y[2]), emitter.dim(y[3]),
      emitter.i64(kernel[0]), emitter.i64(kernel[1]),
      emitter.i64(strides[0]), emitter.i64(strides[1]),
      emitter.i64(pads[0]), emitter.i64(pads[1]), emitter.i64(pads[2]), emitter.i64(pads[3]),
      emitter.i64(dilations[0]), emitter.i64(dilations[1]),
      emitter.i64(node.get_int("ceil_mode", 0)),
      emitter.i64(node.get_int("count_include_pad", 1)),
      emitter.i64(node.get_int("divisor", 0))};
  const char* kernel_name = node.op == "max_pool2d" ? "npk_max_pool2d" : "npk_avg_pool2d";
  emitter.call_kernel(kernel_name, nullptr,
                      {emitter.context_argument(), emitter.i64_array(fields),
                       emitter.tensor_address(node.inputs[0]),
                       emitter.tensor_address(node.outputs[0])});
}

void lower_adaptive_pool2d(EntryEmitter& emitter, size_t node_index) {
  const ir::Node& node = emitter.node(node_index);
  require_dtype(emitter, node_index, node.inputs[0], ir::DType::kF32);
  const ir::Shape& x = emitter.value(node.inputs[0]).shape;
  const ir::Shape& y = emitter.value(node.outputs[0]).shape;
  const char* kernel =
      node.op == "adaptive_avg_pool2d" ? "npk_adaptive_avg_pool2d" : "npk_adaptive_max_pool2d";
  emitter.call_kernel(kernel, nullptr,
                      {emitter.context_argument(), emitter.dim(x[0]), emitter.dim(x[1]),
                       emitter.dim(x[2]), emitter.dim(x[3]), emitter.dim(y[2]), emitter.dim(y[3]),
                       emitter.tensor_address(node.inputs[0]),
                       emitter.tensor_address(node.outputs[0])});
}

void lower_resize(EntryEmitter& emitter, size_t node_index) {
  const ir::Node& node = emitter.node(node_index);
  require_dtype(emitter, node_index, node.inputs[0], ir::DType::kF32);
  const ir::Shape& x = emitter.value(node.inputs[0]).shape;
  const ir::Shape& y = emitter.value(node.outputs[0]).shape;
  std::string mode = node.get_string("mode", "nearest");
  if (mode != "nearest" && mode != "bilinear") {
    throw CodegenError(emitter.describe(node_index) + ": unknown resize mode '" + mode + "'");
  }
  std::vector<double> scales = {0, 0};
  if (node.has("scales")) {
    const auto* values = std::get_if<std::vector<double>>(&node.attributes.at("scales"));
    if (values != nullptr && values->size() == 2) scales = *values;
  }
  emitter.call_kernel("npk_resize", nullptr,
                      {emitter.context_argument(),
                       emitter.i32(mode == "nearest" ? NPK_RESIZE_NEAREST : NPK_RESIZE_BILINEAR),
                       emitter.i32(static_cast<int32_t>(node.get_int("align_corners", 0))),
                       emitter.dim(x[0]), emitter.dim(x[1]), emitter.dim(x[2]), emitter.dim(x[3]),
                       emitter.dim(y[2]), emitter.dim(y[3]), emitter.f32(scales[0]),
                       emitter.f32(scales[1]), emitter.tensor_address(node.inputs[0]),
                       emitter.tensor_address(node.outputs[0])});
}

LinearSize node_scratch_bytes(const ir::Graph& graph, size_t node_index) {
  const ir::Node& node = graph.nodes[node_index];
  std::string what = ir::describe_node(graph, node_index);
  if (node.op == "conv2d") {
    const ir::Dim& batch = graph.values[node.inputs[0]].shape.at(0);
    return probe_batch_linear(batch, what, [&](int64_t batch_value) {
      std::array<int64_t, 18> params = conv2d_params(graph, node, batch_value);
      return npk_conv2d_scratch_size(reinterpret_cast<const npk_conv2d_params*>(params.data()));
    });
  }
  if (wants_packed_weight(graph, node_index)) return {};
  if (node.op == "linear") {
    const ir::Shape& weight = graph.values[node.inputs[1]].shape;
    return LinearSize::fixed(
        npk_batch_matmul_scratch_size(1, weight[1].coefficient, weight[0].coefficient));
  }
  if (node.op == "matmul") {
    MatmulShape shape = matmul_shape(graph, node);
    if (!shape.k.is_static() || !shape.n.is_static()) {
      throw CodegenError(what + ": matmul with a symbolic K or N extent needs scratch that is "
                         "not linear in the symbols");
    }
    ir::Dim batch = ir::Dim::fixed(1);
    for (const ir::Dim& dim : shape.out_batch) {
      if (!dim.is_static() && !batch.is_static()) {
        throw CodegenError(what + ": matmul batch dims " + ir::shape_to_string(shape.out_batch) +
                           " have two symbolic extents");
      }
      batch = ir::Dim{batch.coefficient * dim.coefficient, dim.is_static() ? batch.symbol : dim.symbol};
    }
    return probe_batch_linear(batch, what, [&](int64_t batch_value) {
      return npk_batch_matmul_scratch_size(batch_value, shape.k.coefficient, shape.n.coefficient);
    });
  }
  return {};
}

}  // namespace npujar::codegen
