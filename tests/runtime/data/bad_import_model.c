/* Refers to puts, which is outside NPUJAR_RUNTIME_SYMBOLS, so the runtime
 * must reject it before linking. */
#include <stdio.h>

#include "npujar_model_abi.h"

int32_t npujar_model_run(const npujar_model_args* args) {
  puts("generated code must not call puts");
  return args->num_threads > 0 ? 0 : 1;
}
