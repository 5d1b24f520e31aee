/* Compiled for aarch64 on any host, so an x86-64 runtime sees an object
 * for another architecture (and vice versa on aarch64 with x86_64). */
#include "npujar_model_abi.h"

int32_t npujar_model_run(const npujar_model_args* args) { return args->num_threads > 0 ? 0 : 1; }
