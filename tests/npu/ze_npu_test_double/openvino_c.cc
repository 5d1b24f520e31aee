#include "openvino_c.h"

#include <dlfcn.h>

#include <cstdlib>
#include <mutex>

namespace npujar::testing {
namespace {

struct Loaded {
  OpenVinoC api;
  std::string error;
};

template <typename Function>
void resolve(void* library, const char* name, Function& function, std::string& error) {
  function = reinterpret_cast<Function>(dlsym(library, name));
  if (function == nullptr && error.empty()) {
    error = std::string("OpenVINO's C library has no ") + name;
  }
}

Loaded load() {
  Loaded loaded;
  const char* path = std::getenv("NPUJAR_OPENVINO_C_LIBRARY");
  if (path == nullptr || *path == '\0') {
    loaded.error = "NPUJAR_OPENVINO_C_LIBRARY is not set; point it at libopenvino_c.so.* of the "
                   "openvino Python package";
    return loaded;
  }
  void* library = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    const char* error = dlerror();
    loaded.error = std::string("opening '") + path + "' failed: " + (error ? error : "dlopen failed");
    return loaded;
  }

  OpenVinoC& ov = loaded.api;
  std::string& error = loaded.error;
  resolve(library, "ov_core_create", ov.core_create, error);
  resolve(library, "ov_core_read_model_from_memory_buffer", ov.read_model_from_memory_buffer, error);
  resolve(library, "ov_core_compile_model_props", ov.compile_model_props, error);
  resolve(library, "ov_model_free", ov.model_free, error);
  resolve(library, "ov_compiled_model_inputs_size", ov.inputs_size, error);
  resolve(library, "ov_compiled_model_outputs_size", ov.outputs_size, error);
  resolve(library, "ov_compiled_model_input_by_index", ov.input_by_index, error);
  resolve(library, "ov_compiled_model_output_by_index", ov.output_by_index, error);
  resolve(library, "ov_compiled_model_create_infer_request", ov.create_infer_request, error);
  resolve(library, "ov_compiled_model_free", ov.compiled_model_free, error);
  resolve(library, "ov_port_get_any_name", ov.port_get_any_name, error);
  resolve(library, "ov_const_port_get_shape", ov.const_port_get_shape, error);
  resolve(library, "ov_port_get_element_type", ov.port_get_element_type, error);
  resolve(library, "ov_output_const_port_free", ov.output_const_port_free, error);
  resolve(library, "ov_shape_create", ov.shape_create, error);
  resolve(library, "ov_shape_free", ov.shape_free, error);
  resolve(library, "ov_tensor_create_from_host_ptr", ov.tensor_create_from_host_ptr, error);
  resolve(library, "ov_tensor_free", ov.tensor_free, error);
  resolve(library, "ov_infer_request_set_input_tensor_by_index", ov.set_input_tensor_by_index, error);
  resolve(library, "ov_infer_request_set_output_tensor_by_index", ov.set_output_tensor_by_index,
          error);
  resolve(library, "ov_infer_request_infer", ov.infer, error);
  resolve(library, "ov_infer_request_free", ov.infer_request_free, error);
  resolve(library, "ov_free", ov.free, error);
  resolve(library, "ov_get_last_err_msg", ov.last_error_message, error);
  if (!error.empty()) return loaded;

  ov_status_e status = ov.core_create(&ov.core);
  if (status != OK) {
    error = "ov_core_create failed: " + openvino_error(ov, status);
  }
  return loaded;
}

}  // namespace

const OpenVinoC* openvino_c(std::string* error) {
  static std::once_flag once;
  static Loaded loaded;
  std::call_once(once, [] { loaded = load(); });
  if (!loaded.error.empty()) {
    if (error != nullptr) *error = loaded.error;
    return nullptr;
  }
  return &loaded.api;
}

std::string openvino_error(const OpenVinoC& ov, ov_status_e status) {
  const char* message = ov.last_error_message != nullptr ? ov.last_error_message() : nullptr;
  return "OpenVINO status " + std::to_string(static_cast<int>(status)) + ": " +
         (message != nullptr ? message : "no message");
}

}  // namespace npujar::testing
