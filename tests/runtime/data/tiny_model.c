/* A hand-written stand-in for generated code, compiled by the tests'
 * build into objects for x86-64-v2/v3/v4 and into portable bitcode.
 *
 *   input  x: f32 [N, 4]
 *   output y: f32 [N, 4], y[n][j] = tanhf(x[n][j] * w[j] + b[j])
 *   weights: w[4] then b[4], f32
 *   arena:  16 bytes per N (one row of 4 floats per batch element)
 *
 * Rows are computed in parallel into the arena and copied out, so the test
 * exercises the pool, the arena, the weights and a runtime symbol (tanhf).
 * An input value of exactly -1000 makes the model report error 7, standing
 * in for a run-time input check such as an index out of range. */
#include <math.h>
#include <string.h>

#include "npujar_model_abi.h"

typedef struct {
  const float* x;
  const float* w;
  const float* b;
  float* scratch;
} rows_context;

static void compute_rows(void* context, int64_t begin, int64_t end) {
  const rows_context* rows = (const rows_context*)context;
  for (int64_t n = begin; n < end; ++n) {
    for (int j = 0; j < 4; ++j) {
      rows->scratch[n * 4 + j] = tanhf(rows->x[n * 4 + j] * rows->w[j] + rows->b[j]);
    }
  }
}

int32_t npujar_model_run(const npujar_model_args* args) {
  int64_t batch = args->symbols[0];
  const float* x = (const float*)args->inputs[0];
  for (int64_t i = 0; i < batch * 4; ++i) {
    if (x[i] == -1000.0f) {
      return 7;
    }
  }

  const float* weights = (const float*)args->weights;
  rows_context rows = {x, weights, weights + 4, (float*)args->arena};
  args->parallel_for(args->pool, batch, compute_rows, &rows);
  memcpy(args->outputs[0], rows.scratch, (size_t)batch * 4 * sizeof(float));
  return 0;
}
