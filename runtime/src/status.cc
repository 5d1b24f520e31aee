#include "npujar/runtime/status.h"

namespace npujar::runtime {

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case NPUJAR_OK: return "ok";
    case NPUJAR_ERROR_INVALID_ARGUMENT: return "invalid_argument";
    case NPUJAR_ERROR_INVALID_ARCHIVE: return "invalid_archive";
    case NPUJAR_ERROR_NO_USABLE_VARIANT: return "no_usable_variant";
    case NPUJAR_ERROR_SHAPE_MISMATCH: return "shape_mismatch";
    case NPUJAR_ERROR_DTYPE_MISMATCH: return "dtype_mismatch";
    case NPUJAR_ERROR_IO: return "io";
    case NPUJAR_ERROR_COMPILE: return "compile";
    case NPUJAR_ERROR_EXECUTION: return "execution";
    case NPUJAR_ERROR_OUT_OF_MEMORY: return "out_of_memory";
    case NPUJAR_ERROR_INTERNAL: return "internal";
  }
  return "unknown";
}

}  // namespace npujar::runtime
