// The graph extension of the NPU test double. pfnCreate takes the
// serialized IR (ZE_GRAPH_FORMAT_NGRAPH_LITE, parsed with the runtime's own
// parse_serialized_ir, whose layout follows OpenVINO's NPU plugin) or a
// native blob it produced earlier, and compiles the XML and weights with
// OpenVINO's CPU device in f32. The native blob is "NPUJARTB" followed by
// the serialized IR: OpenVINO still compiles it on load, but the double
// counts it as a native load, not a compile, which is what the cache test
// checks. Arguments are the model's inputs then outputs, as on an NPU.
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "openvino_c.h"
#include "serialized_ir.h"
#include "test_double.h"

namespace npujar::testing {
namespace {

namespace zg = runtime::ze_graph;

constexpr char kBlobMagic[8] = {'N', 'P', 'U', 'J', 'A', 'R', 'T', 'B'};

struct Argument {
  std::string name;
  bool is_input = true;
  std::vector<int64_t> dims;
  ov_element_type_e element_type = F32;
  const void* bound = nullptr;
};

struct TestGraph {
  // OpenVINO's constants point into this buffer instead of copying it, so
  // it lives as long as the compiled model.
  std::vector<uint8_t> weights;
  ov_compiled_model_t* compiled = nullptr;
  ov_infer_request_t* request = nullptr;
  std::vector<Argument> arguments;
  std::vector<uint8_t> blob;
  std::mutex mutex;
};

std::mutex log_mutex;
std::string last_build_log;

void set_build_log(const std::string& log) {
  std::lock_guard<std::mutex> lock(log_mutex);
  last_build_log = log;
}

uint32_t precision_of(ov_element_type_e type) {
  switch (type) {
    case F32: return zg::kPrecisionFp32;
    case F16: return zg::kPrecisionFp16;
    case BF16: return zg::kPrecisionBf16;
    case I64: return zg::kPrecisionInt64;
    case I32: return zg::kPrecisionInt32;
    case I8: return zg::kPrecisionInt8;
    case U8: return zg::kPrecisionUint8;
    case BOOLEAN: return zg::kPrecisionBoolean;
    default: return zg::kPrecisionUnknown;
  }
}

// Reads one port of the compiled model into `argument`.
bool describe_port(const OpenVinoC& ov, const ov_output_const_port_t* port, Argument& argument) {
  char* name = nullptr;
  if (ov.port_get_any_name(port, &name) == OK && name != nullptr) {
    argument.name = name;
    ov.free(name);
  }
  ov_shape_t shape{};
  if (ov.const_port_get_shape(port, &shape) != OK) return false;
  argument.dims.assign(shape.dims, shape.dims + shape.rank);
  ov.shape_free(&shape);
  return ov.port_get_element_type(port, &argument.element_type) == OK;
}

ze_result_t compile(const std::string& xml, TestGraph& graph) {
  const std::vector<uint8_t>& weights = graph.weights;
  std::string error;
  const OpenVinoC* ov = openvino_c(&error);
  if (ov == nullptr) {
    set_build_log(error);
    return ZE_RESULT_ERROR_UNINITIALIZED;
  }

  int64_t weight_count = static_cast<int64_t>(weights.size());
  ov_shape_t weight_shape{};
  ov_tensor_t* weight_tensor = nullptr;
  ov_model_t* model = nullptr;
  ov_status_e status = ov->shape_create(1, &weight_count, &weight_shape);
  // A model without constants has no weights; OpenVINO rejects a tensor
  // over an empty buffer, so none is passed.
  if (status == OK && !weights.empty()) {
    status = ov->tensor_create_from_host_ptr(U8, weight_shape, const_cast<uint8_t*>(weights.data()),
                                             &weight_tensor);
  }
  if (status == OK) {
    status = ov->read_model_from_memory_buffer(ov->core, xml.data(), xml.size(), weight_tensor,
                                               &model);
  }
  if (status == OK) {
    ov_property_t properties[] = {{"INFERENCE_PRECISION_HINT", "f32"}};
    status = ov->compile_model_props(ov->core, model, "CPU", 1, properties, &graph.compiled);
  }
  if (status == OK) status = ov->create_infer_request(graph.compiled, &graph.request);
  std::string failure = status == OK ? "" : openvino_error(*ov, status);
  if (model != nullptr) ov->model_free(model);
  if (weight_tensor != nullptr) ov->tensor_free(weight_tensor);
  ov->shape_free(&weight_shape);
  if (status != OK) {
    set_build_log("compiling the IR on OpenVINO's CPU device failed: " + failure);
    return ZE_RESULT_ERROR_UNKNOWN;
  }

  size_t inputs = 0;
  size_t outputs = 0;
  ov->inputs_size(graph.compiled, &inputs);
  ov->outputs_size(graph.compiled, &outputs);
  for (size_t i = 0; i < inputs + outputs; ++i) {
    bool is_input = i < inputs;
    ov_output_const_port_t* port = nullptr;
    status = is_input ? ov->input_by_index(graph.compiled, i, &port)
                      : ov->output_by_index(graph.compiled, i - inputs, &port);
    Argument argument;
    argument.is_input = is_input;
    bool described = status == OK && describe_port(*ov, port, argument);
    if (port != nullptr) ov->output_const_port_free(port);
    if (!described) return ZE_RESULT_ERROR_UNKNOWN;
    graph.arguments.push_back(argument);
  }
  return ZE_RESULT_SUCCESS;
}

void destroy(TestGraph* graph) {
  std::string error;
  const OpenVinoC* ov = openvino_c(&error);
  if (ov != nullptr) {
    if (graph->request != nullptr) ov->infer_request_free(graph->request);
    if (graph->compiled != nullptr) ov->compiled_model_free(graph->compiled);
  }
  delete graph;
}

ze_result_t graph_create(ze_context_handle_t, ze_device_handle_t, const zg::GraphDesc* desc,
                         ze_graph_handle_t* handle) {
  if (desc == nullptr || handle == nullptr || desc->input == nullptr) {
    return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
  }
  const uint8_t* input = desc->input;
  size_t size = desc->input_size;
  bool native = desc->format == zg::kFormatNative;
  if (native) {
    if (size < sizeof(kBlobMagic) || std::memcmp(input, kBlobMagic, sizeof(kBlobMagic)) != 0) {
      set_build_log("the native blob does not start with the test double's magic");
      return ZE_RESULT_ERROR_INVALID_NATIVE_BINARY;
    }
    input += sizeof(kBlobMagic);
    size -= sizeof(kBlobMagic);
  } else if (desc->format != zg::kFormatNgraphLite) {
    return ZE_RESULT_ERROR_INVALID_ENUMERATION;
  } else if (config().fail_compile) {
    set_build_log("compilation failed as NPUJAR_ZE_TEST_FAIL_COMPILE requests");
    return ZE_RESULT_ERROR_UNKNOWN;
  } else if (desc->build_flags == nullptr ||
             std::strstr(desc->build_flags, "--inputs_precisions=") == nullptr) {
    set_build_log("the build flags lack --inputs_precisions");
    return ZE_RESULT_ERROR_INVALID_ARGUMENT;
  }

  zg::CompilerVersion compiler{};
  std::string xml;
  std::vector<uint8_t> weights;
  if (!runtime::npu::parse_serialized_ir(input, size, &compiler, &xml, &weights)) {
    set_build_log("the serialized IR does not follow the NGRAPH_LITE layout");
    return ZE_RESULT_ERROR_INVALID_ARGUMENT;
  }
  if (compiler.major != config().compiler.major || compiler.minor != config().compiler.minor) {
    set_build_log("the serialized IR names compiler " + std::to_string(compiler.major) + "." +
                  std::to_string(compiler.minor) + ", this driver's is " +
                  std::to_string(config().compiler.major) + "." +
                  std::to_string(config().compiler.minor));
    return ZE_RESULT_ERROR_INVALID_ARGUMENT;
  }

  auto graph = std::make_unique<TestGraph>();
  graph->weights = std::move(weights);
  ze_result_t result = compile(xml, *graph);
  if (result != ZE_RESULT_SUCCESS) {
    destroy(graph.release());
    return result;
  }
  graph->blob.assign(kBlobMagic, kBlobMagic + sizeof(kBlobMagic));
  graph->blob.insert(graph->blob.end(), input, input + size);
  count(native ? Counter::kNativeLoads : Counter::kCompiles);
  *handle = reinterpret_cast<ze_graph_handle_t>(graph.release());
  return ZE_RESULT_SUCCESS;
}

TestGraph* from_handle(ze_graph_handle_t handle) { return reinterpret_cast<TestGraph*>(handle); }

ze_result_t graph_destroy(ze_graph_handle_t handle) {
  if (handle == nullptr) return ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
  destroy(from_handle(handle));
  return ZE_RESULT_SUCCESS;
}

ze_result_t graph_get_properties(ze_graph_handle_t handle, zg::GraphProperties* properties) {
  if (handle == nullptr || properties == nullptr) return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
  properties->num_graph_args = static_cast<uint32_t>(from_handle(handle)->arguments.size());
  return ZE_RESULT_SUCCESS;
}

ze_result_t graph_get_argument_properties(ze_graph_handle_t handle, uint32_t index,
                                          zg::ArgumentProperties* properties) {
  if (handle == nullptr || properties == nullptr) return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
  TestGraph& graph = *from_handle(handle);
  if (index >= graph.arguments.size()) return ZE_RESULT_ERROR_INVALID_ARGUMENT;
  const Argument& argument = graph.arguments[index];
  std::memset(properties->name, 0, sizeof(properties->name));
  std::strncpy(properties->name, argument.name.c_str(), sizeof(properties->name) - 1);
  properties->type = argument.is_input ? zg::kArgumentInput : zg::kArgumentOutput;
  for (size_t d = 0; d < zg::kMaxArgumentDims; ++d) {
    properties->dims[d] = d < argument.dims.size() ? static_cast<uint32_t>(argument.dims[d]) : 1;
  }
  properties->network_precision = precision_of(argument.element_type);
  properties->device_precision = properties->network_precision;
  properties->network_layout = 0;
  properties->device_layout = 0;
  return ZE_RESULT_SUCCESS;
}

ze_result_t graph_set_argument_value(ze_graph_handle_t handle, uint32_t index, const void* value) {
  if (handle == nullptr || value == nullptr) return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
  TestGraph& graph = *from_handle(handle);
  if (index >= graph.arguments.size()) return ZE_RESULT_ERROR_INVALID_ARGUMENT;
  std::lock_guard<std::mutex> lock(graph.mutex);
  graph.arguments[index].bound = value;
  return ZE_RESULT_SUCCESS;
}

ze_result_t graph_get_native_binary(ze_graph_handle_t handle, size_t* size, uint8_t* binary) {
  if (handle == nullptr || size == nullptr) return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
  const std::vector<uint8_t>& blob = from_handle(handle)->blob;
  if (binary == nullptr) {
    *size = blob.size();
    return ZE_RESULT_SUCCESS;
  }
  if (*size < blob.size()) return ZE_RESULT_ERROR_INVALID_SIZE;
  std::memcpy(binary, blob.data(), blob.size());
  *size = blob.size();
  return ZE_RESULT_SUCCESS;
}

ze_result_t device_get_graph_properties(ze_device_handle_t, zg::DeviceGraphProperties* properties) {
  if (properties == nullptr) return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
  properties->extension_version = config().extension_version;
  properties->compiler_version = config().compiler;
  properties->formats_supported = zg::kFormatNative | zg::kFormatNgraphLite;
  properties->max_opset_supported = config().max_opset;
  return ZE_RESULT_SUCCESS;
}

ze_result_t build_log_get_string(ze_graph_handle_t, uint32_t* size, char* log) {
  if (size == nullptr) return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
  std::lock_guard<std::mutex> lock(log_mutex);
  uint32_t needed = static_cast<uint32_t>(last_build_log.size() + 1);
  if (log == nullptr) {
    *size = needed;
    return ZE_RESULT_SUCCESS;
  }
  std::memcpy(log, last_build_log.c_str(), std::min(*size, needed));
  return ZE_RESULT_SUCCESS;
}

}  // namespace

// Defined in ze_npu_test_double.cc: records into a command list.
ze_result_t append_graph_initialize(ze_command_list_handle_t, ze_graph_handle_t, ze_event_handle_t,
                                    uint32_t, ze_event_handle_t*);
ze_result_t append_graph_execute(ze_command_list_handle_t, ze_graph_handle_t, void*,
                                 ze_event_handle_t, uint32_t, ze_event_handle_t*);

const zg::DdiTable* graph_table() {
  static const zg::DdiTable table = [] {
    zg::DdiTable filled{};
    filled.create = graph_create;
    filled.destroy = graph_destroy;
    filled.get_properties = graph_get_properties;
    filled.get_argument_properties = graph_get_argument_properties;
    filled.set_argument_value = graph_set_argument_value;
    filled.append_graph_initialize = append_graph_initialize;
    filled.append_graph_execute = append_graph_execute;
    filled.get_native_binary = graph_get_native_binary;
    filled.device_get_graph_properties = device_get_graph_properties;
    filled.build_log_get_string = build_log_get_string;
    return filled;
  }();
  return &table;
}

ze_result_t execute_graph(ze_graph_handle_t handle) {
  std::string error;
  const OpenVinoC* ov = openvino_c(&error);
  if (ov == nullptr) return ZE_RESULT_ERROR_UNINITIALIZED;
  TestGraph& graph = *from_handle(handle);
  std::lock_guard<std::mutex> lock(graph.mutex);

  // The bound buffers become OpenVINO tensors in place: no copies.
  std::vector<ov_tensor_t*> tensors;
  ze_result_t result = ZE_RESULT_SUCCESS;
  size_t input_index = 0;
  size_t output_index = 0;
  for (const Argument& argument : graph.arguments) {
    if (argument.bound == nullptr) {
      result = ZE_RESULT_ERROR_INVALID_ARGUMENT;
      break;
    }
    ov_shape_t shape{};
    ov_tensor_t* tensor = nullptr;
    ov_status_e status = ov->shape_create(static_cast<int64_t>(argument.dims.size()),
                                          argument.dims.data(), &shape);
    if (status == OK) {
      status = ov->tensor_create_from_host_ptr(argument.element_type, shape,
                                               const_cast<void*>(argument.bound), &tensor);
    }
    ov->shape_free(&shape);
    if (status == OK) {
      tensors.push_back(tensor);
      status = argument.is_input
                   ? ov->set_input_tensor_by_index(graph.request, input_index++, tensor)
                   : ov->set_output_tensor_by_index(graph.request, output_index++, tensor);
    }
    if (status != OK) {
      result = ZE_RESULT_ERROR_UNKNOWN;
      break;
    }
  }
  if (result == ZE_RESULT_SUCCESS && ov->infer(graph.request) != OK) {
    result = ZE_RESULT_ERROR_DEVICE_LOST;
  }
  for (ov_tensor_t* tensor : tensors) ov->tensor_free(tensor);
  if (result == ZE_RESULT_SUCCESS) count(Counter::kExecutions);
  return result;
}

}  // namespace npujar::testing
