/* The contract between code that `npujar pack` generates and the runtime
 * that loads it. A compiled variant (object file or bitcode) defines one
 * function, NPUJAR_ENTRY_SYMBOL, and refers to no symbol outside itself
 * except those listed in NPUJAR_RUNTIME_SYMBOLS below.
 *
 * This header is C so that generated code, kernels and the runtime agree on
 * one layout. Bump NPUJAR_MODEL_ABI_VERSION on any change; the manifest
 * records the version each variant was built for and the runtime rejects a
 * variant with another. */
#ifndef NPUJAR_MODEL_ABI_H_
#define NPUJAR_MODEL_ABI_H_

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NPUJAR_MODEL_ABI_VERSION 1
#define NPUJAR_ENTRY_SYMBOL "npujar_model_run"

/* Runs body(context, begin, end) over [0, count) split into chunks, possibly
 * on several threads, and returns when every chunk has finished. Tasks may
 * run in any order on any thread. For speed only, the runtime's pool runs
 * tasks [count * i / N, count * (i + 1) / N) on thread i of num_threads
 * first, and the kernels lay out their tasks to use that. */
typedef void (*npujar_task_fn)(void* context, int64_t begin, int64_t end);
typedef void (*npujar_parallel_for_fn)(void* pool, int64_t count, npujar_task_fn body,
                                       void* context);

typedef struct npujar_model_args {
  /* One pointer per graph input / output, in manifest order; each buffer is
   * row-major contiguous with the dtype and shape from the manifest. */
  const void* const* inputs;
  void* const* outputs;
  /* Start of the weights section, 64-byte aligned. */
  const void* weights;
  /* Activation arena: at least arena_bytes(symbols) bytes, 64-byte aligned,
   * owned by the caller and used by one call at a time. */
  void* arena;
  /* Values of the graph's symbolic dimensions, in the manifest's order. */
  const int64_t* symbols;
  npujar_parallel_for_fn parallel_for;
  void* pool;
  int32_t num_threads;
} npujar_model_args;

/* Returns 0 on success, or a non-zero code when an input is invalid at run
 * time (for example an index outside an embedding table). */
typedef int32_t (*npujar_model_entry_fn)(const npujar_model_args* args);

/* The external symbols compiled code may reference, separated by spaces.
 * The runtime resolves exactly these and rejects objects needing others. */
#define NPUJAR_RUNTIME_SYMBOLS \
  "memcpy memset memmove expf logf tanhf erff sqrtf powf fmaxf fminf floorf ceilf roundf"

#ifdef __cplusplus
}
#endif

#endif /* NPUJAR_MODEL_ABI_H_ */
