// Shared helpers of the operator lowerings in kernel_calls*.cc. Each
// lower_* function emits the kernel calls of one node through the
// EntryEmitter; node_scratch_bytes() sizes their scratch at pack time.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "entry_builder.h"

namespace llvm {
class Value;
}

namespace npujar::codegen {

// A shape's dims as IR values, for shape arguments.
std::vector<llvm::Value*> dims_of(EntryEmitter& emitter, const ir::Shape& shape);

// Strides to read `input` (shape, contiguous) broadcast to `output`'s
// rank and extents: stride 0 where the input lacks the dim or has the
// static extent 1 and the output does not.
std::vector<llvm::Value*> broadcast_strides(EntryEmitter& emitter, const ir::Shape& input,
                                            const ir::Shape& output);

// Normalizes a possibly negative axis against `rank`; throws CodegenError
// naming the node when it is out of range.
size_t normalize_axis(const EntryEmitter& emitter, size_t node_index, int64_t axis, size_t rank);

// Throws CodegenError naming the node unless value `value_index` has
// `dtype`.
void require_dtype(const EntryEmitter& emitter, size_t node_index, int value_index,
                   ir::DType dtype);

// npk_conv2d_params of a conv2d node as int64 values in field order, with
// `batch` in place of the input's batch extent. Packing the weight and
// running the convolution must use the same values, because the kernels
// choose the algorithm, and with it the packed layout, from them.
std::array<int64_t, 18> conv2d_params(const ir::Graph& graph, const ir::Node& node,
                                      int64_t batch);

// NPK_ACTIVATION_* of a fusion mark, and the clamp bounds it uses.
struct Epilogue {
  int32_t activation = 0;
  float clamp_min = 0;
  float clamp_max = 0;
};
Epilogue fused_epilogue(const EntryEmitter& emitter, size_t node_index);

void lower_linear(EntryEmitter& emitter, size_t node_index);
void lower_matmul(EntryEmitter& emitter, size_t node_index);
void lower_conv2d(EntryEmitter& emitter, size_t node_index);
void lower_layer_norm(EntryEmitter& emitter, size_t node_index);
void lower_softmax(EntryEmitter& emitter, size_t node_index);
void lower_batch_norm(EntryEmitter& emitter, size_t node_index);
void lower_pool2d(EntryEmitter& emitter, size_t node_index);
void lower_adaptive_pool2d(EntryEmitter& emitter, size_t node_index);
void lower_resize(EntryEmitter& emitter, size_t node_index);

}  // namespace npujar::codegen
