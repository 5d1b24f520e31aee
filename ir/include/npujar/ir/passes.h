// Graph passes. Each keeps the graph valid and its results equal to the
// input graph's up to float rounding, because batch-norm folding and bias
// fusion reassociate a few float operations. Each returns how many
// rewrites it made, so callers and tests can see that it fired.
#pragma once

#include <cstddef>

#include "npujar/ir/graph.h"

namespace npujar::ir {

// Removes nodes whose outputs reach no graph output, then values that no
// node and no graph output refers to (graph inputs are kept). Renumbers
// values.
size_t eliminate_dead_code(Graph& graph);

// Replaces no-op nodes with their input: `identity`, casts to the same
// dtype, reshapes, expands and slices to the same shape, permutes by the
// identity permutation, single-input concats and pads by zero.
size_t remove_identities(Graph& graph);

// Evaluates nodes whose inputs are all constants and whose outputs have
// static shapes of at most `max_bytes` in total, with the reference
// executor, and turns their outputs into constants.
size_t fold_constants(Graph& graph, size_t max_bytes = 64 * 1024);

// Folds an inference batch_norm into the conv2d (or linear with 2-D output)
// that produces its input, when that output has no other user and all
// batch-norm parameters and the weights are f32 constants.
size_t fold_batch_norm(Graph& graph);

// Sets the fusion marks of ops.h on conv2d, linear and matmul. A following
// add of a constant bias becomes the bias input. An add of a same-shape
// tensor becomes the residual input. A following activation (relu, clamp,
// sigmoid, silu, hardswish, gelu) becomes the activation attribute.
size_t fuse_operators(Graph& graph);

// Runs every pass above in a fixed order until nothing changes.
void optimize(Graph& graph);

}  // namespace npujar::ir
