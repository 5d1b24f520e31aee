// The operator set of npujar's graph IR. Every backend implements exactly
// these; the importer lowers TorchScript onto them; the reference executor
// defines their numerics. Semantics follow PyTorch's operator of the same
// name unless stated. Tensors are row-major; images are NCHW.
//
// Inputs are listed in order; "?" marks an optional input (-1 when absent).
// Attributes with a default may be missing from a node.
//
// Broadcasting binary operators (numpy rules, output dtype = input dtype;
// comparisons output bool):
//   add, sub, mul, div, pow, maximum, minimum         (a, b)
//     div on integer dtypes rounds toward negative infinity (Python's //).
//   equal, not_equal, less, less_equal, greater, greater_equal   (a, b) -> bool
//   logical_and, logical_or                          (a, b) bool -> bool
//   where                                            (condition bool, a, b)
//
// Unary elementwise (x):
//   relu, sigmoid, tanh, exp, log, sqrt, rsqrt, neg, abs, erf, reciprocal,
//   silu, hardswish, hardsigmoid, logical_not, identity
//   gelu       attrs: approximate: "none" | "tanh" (default "none")
//   clamp      attrs: min: float (default -inf), max: float (default +inf)
//   leaky_relu attrs: negative_slope: float
//   cast       attrs: to: int (a DType value). Float to int truncates.
//
// Linear algebra:
//   matmul (a, b, bias?, residual?): torch.matmul, batch dims broadcast;
//     1-D operands are promoted and the added dimension removed as in
//     PyTorch. bias is 1-D with the output's last extent.
//   linear (x, weight[out,in], bias?[out], residual?): x @ weight^T + bias.
//   conv2d (x[N,C,H,W], weight[O,C/groups,KH,KW], bias?[O], residual?):
//     attrs: strides [sh,sw], pads [top,left,bottom,right] (zero padding),
//     dilations [dh,dw], groups. Other padding modes are a `pad` node before.
//
// Fusion marks (set by graph passes on conv2d, linear and matmul; the
// reference executor honours them, so they never change results):
//   y = activation(op(x) + bias + residual)
//   attrs: activation: "" | "relu" | "clamp" | "sigmoid" | "silu" |
//          "hardswish" | "gelu" | "gelu_tanh"  (default "")
//          clamp_min, clamp_max: float (for "clamp", e.g. ReLU6)
//   The optional `residual` input has the output's shape.
//
// Normalization:
//   batch_norm (x, mean[C], var[C], weight?[C], bias?[C]) attrs: epsilon.
//     Inference form over dim 1.
//   layer_norm (x, weight?, bias?) attrs: axes: int (number of trailing
//     dims normalized), epsilon.
//   softmax, log_softmax (x) attrs: axis (negative counts from the end).
//
// Pooling and resizing (NCHW):
//   max_pool2d (x) attrs: kernel [kh,kw], strides, pads [t,l,b,r],
//     dilations, ceil_mode: 0|1.
//   avg_pool2d (x) attrs: kernel, strides, pads, ceil_mode,
//     count_include_pad: 0|1, divisor: int (0 = none).
//   adaptive_avg_pool2d, adaptive_max_pool2d (x): output H, W come from the
//     output value's shape; bins follow PyTorch's floor/ceil start and end.
//   resize (x) attrs: mode: "nearest" | "bilinear", align_corners: 0|1,
//     scales: [sh, sw] (0 = derive from sizes). Output size from the
//     output value's shape. Nearest uses PyTorch's legacy "nearest" rule.
//
// Reductions (x) attrs: axes [..] (empty = all), keepdims: 0|1:
//   reduce_sum, reduce_mean, reduce_max, reduce_min
//   reduce_sum of an integer dtype outputs i64, as torch.sum does.
//
// Data movement:
//   reshape (x): output shape is the output value's shape (same numel).
//   permute (x) attrs: perm [..].
//   slice (x) attrs: axis, start, end, step (already clamped to the input,
//     step >= 1).
//   concat (x0, x1, ...) attrs: axis.
//   gather (data, indices i64/i32) attrs: axis. torch.index_select /
//     embedding lookup: output = data.shape[:axis] + indices.shape +
//     data.shape[axis+1:]. Indices out of range are an error at run time.
//   expand (x): broadcast to the output value's shape.
//   pad (x) attrs: mode: "constant" | "reflect" | "replicate" | "circular",
//     pads [begin_0, ..., begin_k, end_0, ..., end_k] for the last k dims,
//     value: float (constant mode).
#pragma once

#include <string>
#include <vector>

namespace npujar::ir {

// Names of every operator above, for validation and documentation.
const std::vector<std::string>& operator_names();
bool is_known_operator(const std::string& op);

}  // namespace npujar::ir
