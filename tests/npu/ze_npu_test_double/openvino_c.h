// OpenVINO's C API, opened with dlopen from the library named by
// NPUJAR_OPENVINO_C_LIBRARY (libopenvino_c.so from the `openvino` PyPI
// package). The NPU test double compiles the graphs it receives with it for
// OpenVINO's CPU device, so the runtime's NPU path runs real IR bytes.
#pragma once

#include <openvino/c/openvino.h>

#include <string>

namespace npujar::testing {

struct OpenVinoC {
  decltype(&::ov_core_create) core_create = nullptr;
  decltype(&::ov_core_read_model_from_memory_buffer) read_model_from_memory_buffer = nullptr;
  decltype(&::ov_core_compile_model_props) compile_model_props = nullptr;
  decltype(&::ov_model_free) model_free = nullptr;
  decltype(&::ov_compiled_model_inputs_size) inputs_size = nullptr;
  decltype(&::ov_compiled_model_outputs_size) outputs_size = nullptr;
  decltype(&::ov_compiled_model_input_by_index) input_by_index = nullptr;
  decltype(&::ov_compiled_model_output_by_index) output_by_index = nullptr;
  decltype(&::ov_compiled_model_create_infer_request) create_infer_request = nullptr;
  decltype(&::ov_compiled_model_free) compiled_model_free = nullptr;
  decltype(&::ov_port_get_any_name) port_get_any_name = nullptr;
  decltype(&::ov_const_port_get_shape) const_port_get_shape = nullptr;
  decltype(&::ov_port_get_element_type) port_get_element_type = nullptr;
  decltype(&::ov_output_const_port_free) output_const_port_free = nullptr;
  decltype(&::ov_shape_create) shape_create = nullptr;
  decltype(&::ov_shape_free) shape_free = nullptr;
  decltype(&::ov_tensor_create_from_host_ptr) tensor_create_from_host_ptr = nullptr;
  decltype(&::ov_tensor_free) tensor_free = nullptr;
  decltype(&::ov_infer_request_set_input_tensor_by_index) set_input_tensor_by_index = nullptr;
  decltype(&::ov_infer_request_set_output_tensor_by_index) set_output_tensor_by_index = nullptr;
  decltype(&::ov_infer_request_infer) infer = nullptr;
  decltype(&::ov_infer_request_free) infer_request_free = nullptr;
  decltype(&::ov_free) free = nullptr;
  decltype(&::ov_get_last_err_msg) last_error_message = nullptr;

  ov_core_t* core = nullptr;
};

// Opens the library and creates one ov_core_t per process. Returns nullptr
// and sets `error` when the variable is unset or a symbol is missing.
const OpenVinoC* openvino_c(std::string* error);

// "OpenVINO status -5: <last error message>".
std::string openvino_error(const OpenVinoC& ov, ov_status_e status);

}  // namespace npujar::testing
