/* Calls C API functions with arbitrary ints in enum parameters, as C code
 * may: C allows any int there, while creating such a value in C++ is
 * undefined, so the tests route these calls through C. */
#include "npujar_runtime.h"

npujar_status* call_set_jit_mode(npujar_options* options, int mode) {
  return npujar_options_set_jit_mode(options, (npujar_jit_mode)mode);
}

npujar_status* call_set_device(npujar_options* options, int device) {
  return npujar_options_set_device(options, (npujar_device_preference)device);
}

npujar_status* call_tensor_create(int dtype, const int64_t* dims, size_t rank,
                                  npujar_tensor** out_tensor) {
  return npujar_tensor_create((npujar_dtype)dtype, dims, rank, out_tensor);
}
