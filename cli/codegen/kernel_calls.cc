// Lowering of elementwise and data-movement operators onto the npk_*
// kernels, and the table that dispatches every operator. The lowering of
// linear algebra, convolution, normalization and pooling is in
// kernel_calls_nn.cc.
#include <llvm/IR/Type.h>
#include <llvm/IR/Value.h>

#include <cmath>
#include <functional>
#include <map>

#include "error.h"
#include "kernel_calls_internal.h"
#include "npujar/kernels/kernels.h"

namespace npujar::codegen {
namespace {

void require_rank_at_most(const EntryEmitter& emitter, size_t node_index, size_t rank) {
  if (rank > NPK_MAX_RANK) {
    throw CodegenError(emitter.describe(node_index) + ": rank " + std::to_string(rank) +
                       " exceeds the kernels' maximum rank " + std::to_string(NPK_MAX_RANK));
  }
}

void lower_copy(EntryEmitter& emitter, size_t node_index) {
  const ir::Node& node = emitter.node(node_index);
  int output = node.outputs[0];
  auto element_size = static_cast<int64_t>(ir::dtype_size(emitter.value(output).dtype));
  llvm::Value* bytes = emitter.multiply(emitter.numel(output), emitter.i64(element_size));
  emitter.copy_bytes(emitter.tensor_address(output), emitter.tensor_address(node.inputs[0]), bytes);
}

const std::map<std::string, int32_t>& unary_codes() {
  static const std::map<std::string, int32_t> codes = {
      {"relu", NPK_UNARY_RELU},         {"sigmoid", NPK_UNARY_SIGMOID},
      {"tanh", NPK_UNARY_TANH},         {"exp", NPK_UNARY_EXP},
      {"log", NPK_UNARY_LOG},           {"sqrt", NPK_UNARY_SQRT},
      {"rsqrt", NPK_UNARY_RSQRT},       {"neg", NPK_UNARY_NEG},
      {"abs", NPK_UNARY_ABS},           {"erf", NPK_UNARY_ERF},
      {"reciprocal", NPK_UNARY_RECIPROCAL}, {"silu", NPK_UNARY_SILU},
      {"hardswish", NPK_UNARY_HARDSWISH}, {"hardsigmoid", NPK_UNARY_HARDSIGMOID},
      {"clamp", NPK_UNARY_CLAMP},       {"leaky_relu", NPK_UNARY_LEAKY_RELU},
      {"gelu", NPK_UNARY_GELU},
  };
  return codes;
}

void lower_unary(EntryEmitter& emitter, size_t node_index) {
  const ir::Node& node = emitter.node(node_index);
  require_dtype(emitter, node_index, node.inputs[0], ir::DType::kF32);
  int32_t code = unary_codes().at(node.op);
  double alpha = 0;
  double beta = 0;
  if (node.op == "gelu" && node.get_string("approximate", "none") == "tanh") {
    code = NPK_UNARY_GELU_TANH;
  } else if (node.op == "clamp") {
    alpha = node.get_float("min", -INFINITY);
    beta = node.get_float("max", INFINITY);
  } else if (node.op == "leaky_relu") {
    alpha = node.get_float("negative_slope", 0.01);
  }
  emitter.call_kernel("npk_unary_f32", nullptr,
                      {emitter.context_argument(), emitter.i32(code), emitter.numel(node.outputs[0]),
                       emitter.tensor_address(node.inputs[0]),
                       emitter.tensor_address(node.outputs[0]), emitter.f32(alpha),
                       emitter.f32(beta)});
}

// Arguments (rank, shape, a, a_strides, b, b_strides) of the broadcasting
// kernels, with `first_input` the position of `a` in the node's inputs.
std::vector<llvm::Value*> broadcast_arguments(EntryEmitter& emitter, size_t node_index,
                                              size_t first_input, size_t input_count) {
  const ir::Node& node = emitter.node(node_index);
  const ir::Shape& output_shape = emitter.value(node.outputs[0]).shape;
  require_rank_at_most(emitter, node_index, output_shape.size());
  std::vector<llvm::Value*> arguments = {
      emitter.i32(static_cast<int32_t>(output_shape.size())),
      emitter.i64_array(dims_of(emitter, output_shape))};
  for (size_t i = first_input; i < first_input + input_count; ++i) {
    int input = node.inputs[i];
    arguments.push_back(emitter.tensor_address(input));
    arguments.push_back(
        emitter.i64_array(broadcast_strides(emitter, emitter.value(input).shape, output_shape)));
  }
  return arguments;
}

int32_t kernel_dtype(const EntryEmitter& emitter, size_t node_index, int value_index) {
  ir::DType dtype = emitter.value(value_index).dtype;
  switch (dtype) {
    case ir::DType::kF32: return NPK_DTYPE_F32;
    case ir::DType::kI64: return NPK_DTYPE_I64;
    case ir::DType::kI32: return NPK_DTYPE_I32;
    case ir::DType::kI8: return NPK_DTYPE_I8;
    case ir::DType::kU8: return NPK_DTYPE_U8;
    case ir::DType::kBool: return NPK_DTYPE_BOOL;
    default: break;
  }
  throw CodegenError(emitter.describe(node_index) + ": dtype " + ir::dtype_name(dtype) +
                     " of " + emitter.value(value_index).name +
                     " has no CPU kernel; convert the model to f32");
}

void lower_binary(EntryEmitter& emitter, size_t node_index) {
  static const std::map<std::string, int32_t> codes = {
      {"add", NPK_BINARY_ADD},         {"sub", NPK_BINARY_SUB},
      {"mul", NPK_BINARY_MUL},         {"div", NPK_BINARY_DIV},
      {"pow", NPK_BINARY_POW},         {"maximum", NPK_BINARY_MAXIMUM},
      {"minimum", NPK_BINARY_MINIMUM},
  };
  const ir::Node& node = emitter.node(node_index);
  std::vector<llvm::Value*> arguments = {
      emitter.context_argument(), emitter.i32(codes.at(node.op)),
      emitter.i32(kernel_dtype(emitter, node_index, node.inputs[0]))};
  for (llvm::Value* argument : broadcast_arguments(emitter, node_index, 0, 2)) {
    arguments.push_back(argument);
  }
  arguments.push_back(emitter.tensor_address(node.outputs[0]));
  emitter.call_kernel("npk_binary", nullptr, arguments);
}

void lower_compare(EntryEmitter& emitter, size_t node_index) {
  static const std::map<std::string, int32_t> codes = {
      {"equal", NPK_COMPARE_EQUAL},         {"not_equal", NPK_COMPARE_NOT_EQUAL},
      {"less", NPK_COMPARE_LESS},           {"less_equal", NPK_COMPARE_LESS_EQUAL},
      {"greater", NPK_COMPARE_GREATER},     {"greater_equal", NPK_COMPARE_GREATER_EQUAL},
  };
  const ir::Node& node = emitter.node(node_index);
  std::vector<llvm::Value*> arguments = {
      emitter.context_argument(), emitter.i32(codes.at(node.op)),
      emitter.i32(kernel_dtype(emitter, node_index, node.inputs[0]))};
  for (llvm::Value* argument : broadcast_arguments(emitter, node_index, 0, 2)) {
    arguments.push_back(argument);
  }
  arguments.push_back(emitter.tensor_address(node.outputs[0]));
  emitter.call_kernel("npk_compare", nullptr, arguments);
}

void lower_logical(EntryEmitter& emitter, size_t node_index) {
  const ir::Node& node = emitter.node(node_index);
  int32_t code = node.op == "logical_and" ? NPK_LOGICAL_AND : NPK_LOGICAL_OR;
  std::vector<llvm::Value*> arguments = {emitter.context_argument(), emitter.i32(code)};
  for (llvm::Value* argument : broadcast_arguments(emitter, node_index, 0, 2)) {
    arguments.push_back(argument);
  }
  arguments.push_back(emitter.tensor_address(node.outputs[0]));
  emitter.call_kernel("npk_logical", nullptr, arguments);
}

void lower_logical_not(EntryEmitter& emitter, size_t node_index) {
  const ir::Node& node = emitter.node(node_index);
  emitter.call_kernel("npk_logical_not", nullptr,
                      {emitter.context_argument(), emitter.numel(node.outputs[0]),
                       emitter.tensor_address(node.inputs[0]),
                       emitter.tensor_address(node.outputs[0])});
}

void lower_where(EntryEmitter& emitter, size_t node_index) {
  const ir::Node& node = emitter.node(node_index);
  auto element_size = static_cast<int64_t>(ir::dtype_size(emitter.value(node.outputs[0]).dtype));
  std::vector<llvm::Value*> broadcast = broadcast_arguments(emitter, node_index, 0, 3);
  std::vector<llvm::Value*> arguments = {emitter.context_argument(), emitter.i64(element_size)};
  arguments.insert(arguments.end(), broadcast.begin(), broadcast.end());
  arguments.push_back(emitter.tensor_address(node.outputs[0]));
  emitter.call_kernel("npk_where", nullptr, arguments);
}

void lower_cast(EntryEmitter& emitter, size_t node_index) {
  const ir::Node& node = emitter.node(node_index);
  int input = node.inputs[0];
  int output = node.outputs[0];
  emitter.call_kernel("npk_cast", nullptr,
                      {emitter.context_argument(), emitter.numel(output),
                       emitter.i32(kernel_dtype(emitter, node_index, input)),
                       emitter.tensor_address(input),
                       emitter.i32(kernel_dtype(emitter, node_index, output)),
                       emitter.tensor_address(output)});
}

// One npk_strided_copy of `shape` elements from `x` to `y`.
void strided_copy(EntryEmitter& emitter, size_t node_index, const ir::Shape& shape,
                  llvm::Value* x, const std::vector<llvm::Value*>& x_strides, llvm::Value* y,
                  const std::vector<llvm::Value*>& y_strides) {
  const ir::Node& node = emitter.node(node_index);
  require_rank_at_most(emitter, node_index, shape.size());
  auto element_size = static_cast<int64_t>(ir::dtype_size(emitter.value(node.outputs[0]).dtype));
  emitter.call_kernel("npk_strided_copy", nullptr,
                      {emitter.context_argument(), emitter.i64(element_size),
                       emitter.i32(static_cast<int32_t>(shape.size())),
                       emitter.i64_array(dims_of(emitter, shape)), x, emitter.i64_array(x_strides),
                       y, emitter.i64_array(y_strides)});
}

void lower_permute(EntryEmitter& emitter, size_t node_index) {
  const ir::Node& node = emitter.node(node_index);
  const ir::Shape& input_shape = emitter.value(node.inputs[0]).shape;
  const ir::Shape& output_shape = emitter.value(node.outputs[0]).shape;
  std::vector<llvm::Value*> input_strides = emitter.contiguous_strides(input_shape);
  std::vector<llvm::Value*> x_strides;
  for (int64_t axis : node.get_ints("perm")) {
    x_strides.push_back(input_strides[normalize_axis(emitter, node_index, axis, input_shape.size())]);
  }
  strided_copy(emitter, node_index, output_shape, emitter.tensor_address(node.inputs[0]),
               x_strides, emitter.tensor_address(node.outputs[0]),
               emitter.contiguous_strides(output_shape));
}

void lower_slice(EntryEmitter& emitter, size_t node_index) {
  const ir::Node& node = emitter.node(node_index);
  const ir::Shape& input_shape = emitter.value(node.inputs[0]).shape;
  const ir::Shape& output_shape = emitter.value(node.outputs[0]).shape;
  size_t axis = normalize_axis(emitter, node_index, node.get_int("axis", 0), input_shape.size());
  int64_t start = node.get_int("start", 0);
  int64_t step = node.get_int("step", 1);

  std::vector<llvm::Value*> x_strides = emitter.contiguous_strides(input_shape);
  llvm::Value* start_offset = emitter.multiply(x_strides[axis], emitter.i64(start));
  x_strides[axis] = emitter.multiply(x_strides[axis], emitter.i64(step));
  strided_copy(emitter, node_index, output_shape,
               emitter.tensor_address_at(node.inputs[0], start_offset), x_strides,
               emitter.tensor_address(node.outputs[0]), emitter.contiguous_strides(output_shape));
}

void lower_concat(EntryEmitter& emitter, size_t node_index) {
  const ir::Node& node = emitter.node(node_index);
  int output = node.outputs[0];
  const ir::Shape& output_shape = emitter.value(output).shape;
  size_t axis = normalize_axis(emitter, node_index, node.get_int("axis", 0), output_shape.size());
  std::vector<llvm::Value*> y_strides = emitter.contiguous_strides(output_shape);

  llvm::Value* offset = emitter.i64(0);
  for (int input : node.inputs) {
    const ir::Shape& input_shape = emitter.value(input).shape;
    strided_copy(emitter, node_index, input_shape, emitter.tensor_address(input),
                 emitter.contiguous_strides(input_shape), emitter.tensor_address_at(output, offset),
                 y_strides);
    offset = emitter.add(offset, emitter.multiply(emitter.dim(input_shape[axis]), y_strides[axis]));
  }
}

void lower_expand(EntryEmitter& emitter, size_t node_index) {
  const ir::Node& node = emitter.node(node_index);
  const ir::Shape& output_shape = emitter.value(node.outputs[0]).shape;
  strided_copy(emitter, node_index, output_shape, emitter.tensor_address(node.inputs[0]),
               broadcast_strides(emitter, emitter.value(node.inputs[0]).shape, output_shape),
               emitter.tensor_address(node.outputs[0]), emitter.contiguous_strides(output_shape));
}

void lower_gather(EntryEmitter& emitter, size_t node_index) {
  const ir::Node& node = emitter.node(node_index);
  int data = node.inputs[0];
  int indices = node.inputs[1];
  const ir::Shape& data_shape = emitter.value(data).shape;
  size_t axis = normalize_axis(emitter, node_index, node.get_int("axis", 0), data_shape.size());
  auto element_size = static_cast<int64_t>(ir::dtype_size(emitter.value(data).dtype));
  llvm::Value* status = emitter.call_kernel(
      "npk_gather", emitter.int32_type(),
      {emitter.context_argument(), emitter.i64(element_size),
       emitter.extent_product(data_shape, 0, axis), emitter.dim(data_shape[axis]),
       emitter.extent_product(data_shape, axis + 1, data_shape.size()),
       emitter.tensor_address(data), emitter.i32(kernel_dtype(emitter, node_index, indices)),
       emitter.tensor_address(indices), emitter.numel(indices),
       emitter.tensor_address(node.outputs[0])});
  emitter.return_if_error(status);
}

void lower_pad(EntryEmitter& emitter, size_t node_index) {
  static const std::map<std::string, int32_t> modes = {
      {"constant", NPK_PAD_CONSTANT}, {"reflect", NPK_PAD_REFLECT},
      {"replicate", NPK_PAD_REPLICATE}, {"circular", NPK_PAD_CIRCULAR}};
  const ir::Node& node = emitter.node(node_index);
  require_dtype(emitter, node_index, node.inputs[0], ir::DType::kF32);
  const ir::Shape& input_shape = emitter.value(node.inputs[0]).shape;
  size_t rank = input_shape.size();
  require_rank_at_most(emitter, node_index, rank);

  std::string mode = node.get_string("mode", "constant");
  auto mode_code = modes.find(mode);
  if (mode_code == modes.end()) {
    throw CodegenError(emitter.describe(node_index) + ": unknown pad mode '" + mode + "'");
  }
  // The IR pads the last k dims; the kernel takes begin and end for all.
  std::vector<int64_t> pads = node.get_ints("pads");
  size_t padded = pads.size() / 2;
  if (pads.size() % 2 != 0 || padded > rank) {
    throw CodegenError(emitter.describe(node_index) + ": pads has " + std::to_string(pads.size()) +
                       " entries for rank " + std::to_string(rank));
  }
  std::vector<llvm::Value*> full(2 * rank, emitter.i64(0));
  for (size_t i = 0; i < padded; ++i) {
    full[rank - padded + i] = emitter.i64(pads[i]);
    full[2 * rank - padded + i] = emitter.i64(pads[padded + i]);
  }
  emitter.call_kernel("npk_pad", nullptr,
                      {emitter.context_argument(), emitter.i32(mode_code->second),
                       emitter.i32(static_cast<int32_t>(rank)),
                       emitter.i64_array(dims_of(emitter, input_shape)), emitter.i64_array(full),
                       emitter.f32(node.get_float("value", 0.0)),
                       emitter.tensor_address(node.inputs[0]),
                       emitter.tensor_address(node.outputs[0])});
}

void lower_reduce(EntryEmitter& emitter, size_t node_index) {
  static const std::map<std::string, int32_t> codes = {
      {"reduce_sum", NPK_REDUCE_SUM}, {"reduce_mean", NPK_REDUCE_MEAN},
      {"reduce_max", NPK_REDUCE_MAX}, {"reduce_min", NPK_REDUCE_MIN}};
  const ir::Node& node = emitter.node(node_index);
  require_dtype(emitter, node_index, node.inputs[0], ir::DType::kF32);
  const ir::Shape& input_shape = emitter.value(node.inputs[0]).shape;
  require_rank_at_most(emitter, node_index, input_shape.size());

  int64_t mask = 0;
  std::vector<int64_t> axes = node.get_ints("axes");
  if (axes.empty()) mask = (int64_t{1} << input_shape.size()) - 1;
  for (int64_t axis : axes) {
    mask |= int64_t{1} << normalize_axis(emitter, node_index, axis, input_shape.size());
  }
  emitter.call_kernel("npk_reduce", nullptr,
                      {emitter.context_argument(), emitter.i32(codes.at(node.op)),
                       emitter.i32(static_cast<int32_t>(input_shape.size())),
                       emitter.i64_array(dims_of(emitter, input_shape)), emitter.i64(mask),
                       emitter.tensor_address(node.inputs[0]),
                       emitter.tensor_address(node.outputs[0])});
}

using Lowering = std::function<void(EntryEmitter&, size_t)>;

const std::map<std::string, Lowering>& lowering_table() {
  static const std::map<std::string, Lowering> table = [] {
    std::map<std::string, Lowering> entries = {
        {"identity", lower_copy},        {"reshape", lower_copy},
        {"cast", lower_cast},            {"where", lower_where},
        {"logical_not", lower_logical_not},
        {"logical_and", lower_logical},  {"logical_or", lower_logical},
        {"permute", lower_permute},      {"slice", lower_slice},
        {"concat", lower_concat},        {"expand", lower_expand},
        {"gather", lower_gather},        {"pad", lower_pad},
        {"linear", lower_linear},        {"matmul", lower_matmul},
        {"conv2d", lower_conv2d},        {"layer_norm", lower_layer_norm},
        {"softmax", lower_softmax},      {"log_softmax", lower_softmax},
        {"batch_norm", lower_batch_norm},
        {"max_pool2d", lower_pool2d},    {"avg_pool2d", lower_pool2d},
        {"adaptive_avg_pool2d", lower_adaptive_pool2d},
        {"adaptive_max_pool2d", lower_adaptive_pool2d},
        {"resize", lower_resize},
    };
    for (const auto& entry : unary_codes()) entries[entry.first] = lower_unary;
    for (const char* op : {"add", "sub", "mul", "div", "pow", "maximum", "minimum"}) {
      entries[op] = lower_binary;
    }
    for (const char* op : {"equal", "not_equal", "less", "less_equal", "greater", "greater_equal"}) {
      entries[op] = lower_compare;
    }
    for (const char* op : {"reduce_sum", "reduce_mean", "reduce_max", "reduce_min"}) {
      entries[op] = lower_reduce;
    }
    return entries;
  }();
  return table;
}

}  // namespace

std::vector<llvm::Value*> dims_of(EntryEmitter& emitter, const ir::Shape& shape) {
  std::vector<llvm::Value*> dims;
  for (const ir::Dim& dim : shape) dims.push_back(emitter.dim(dim));
  return dims;
}

std::vector<llvm::Value*> broadcast_strides(EntryEmitter& emitter, const ir::Shape& input,
                                            const ir::Shape& output) {
  std::vector<llvm::Value*> input_strides = emitter.contiguous_strides(input);
  std::vector<llvm::Value*> strides(output.size(), emitter.i64(0));
  size_t leading = output.size() - std::min(output.size(), input.size());
  for (size_t d = leading; d < output.size(); ++d) {
    size_t input_dim = d - leading;
    bool broadcast = input[input_dim] == ir::Dim::fixed(1) && output[d] != ir::Dim::fixed(1);
    if (!broadcast) strides[d] = input_strides[input_dim];
  }
  return strides;
}

size_t normalize_axis(const EntryEmitter& emitter, size_t node_index, int64_t axis, size_t rank) {
  int64_t normalized = axis < 0 ? axis + static_cast<int64_t>(rank) : axis;
  if (normalized < 0 || normalized >= static_cast<int64_t>(rank)) {
    throw CodegenError(emitter.describe(node_index) + ": axis " + std::to_string(axis) +
                       " is out of range for rank " + std::to_string(rank));
  }
  return static_cast<size_t>(normalized);
}

void require_dtype(const EntryEmitter& emitter, size_t node_index, int value_index,
                   ir::DType dtype) {
  const ir::Value& value = emitter.value(value_index);
  if (value.dtype == dtype) return;
  throw CodegenError(emitter.describe(node_index) + ": " + value.name + " has dtype " +
                     ir::dtype_name(value.dtype) + " but the CPU kernel needs " +
                     ir::dtype_name(dtype));
}

void lower_node(EntryEmitter& emitter, size_t node_index) {
  const std::string& op = emitter.node(node_index).op;
  auto it = lowering_table().find(op);
  if (it == lowering_table().end()) {
    throw CodegenError(emitter.describe(node_index) + ": operator " + op +
                       " has no CPU kernel yet");
  }
  it->second(emitter, node_index);
}

}  // namespace npujar::codegen
