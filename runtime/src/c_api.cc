// The C API of npujar_runtime.h over the C++ core. Every entry point zeroes
// its out-parameters first, converts core Status values to npujar_status
// objects, and lets no C++ exception cross the boundary.
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "npujar/runtime/log.h"
#include "npujar/runtime/model.h"
#include "npujar/runtime/options.h"
#include "npujar/runtime/status.h"
#include "npujar/runtime/tensor.h"
#include "npujar_runtime.h"

#ifndef NPUJAR_RUNTIME_VERSION
#define NPUJAR_RUNTIME_VERSION "0.0.0"
#endif

struct npujar_status {
  npujar_error_code code;
  std::string message;
};

struct npujar_options {
  npujar::runtime::RuntimeOptions options;
};

struct npujar_model {
  std::unique_ptr<npujar::runtime::Model> model;
};

struct npujar_tensor {
  std::unique_ptr<npujar::runtime::Tensor> tensor;
};

namespace {

using npujar::runtime::Status;

// Returned when even the status object cannot be allocated; release
// recognizes it and does not free it.
npujar_status g_out_of_memory{NPUJAR_ERROR_OUT_OF_MEMORY, "out of memory"};

npujar_status* make_status(npujar_error_code code, const std::string& message) {
  npujar_status* status = new (std::nothrow) npujar_status{code, std::string()};
  if (status == nullptr) {
    return &g_out_of_memory;
  }
  try {
    status->message = message;
  } catch (const std::bad_alloc&) {
  }
  return status;
}

npujar_status* to_c(const Status& status) {
  return status.is_ok() ? nullptr : make_status(status.code(), status.message());
}

npujar_status* null_argument(const char* function, const char* parameter) {
  return make_status(NPUJAR_ERROR_INVALID_ARGUMENT,
                     std::string(function) + ": " + parameter + " is NULL");
}

// Returns the integer a C caller passed in an enum parameter. C allows any
// int there, but loading an out-of-range value as the C++ enum type is
// undefined, so the bytes are read as an int.
template <typename Enum>
int enum_value(const Enum& value) {
  static_assert(sizeof(Enum) == sizeof(int), "C enums are int-sized");
  int raw = 0;
  std::memcpy(&raw, &value, sizeof(raw));
  return raw;
}

npujar_status* check_dtype(const char* function, const npujar_dtype& dtype) {
  int raw = enum_value(dtype);
  if (raw < NPUJAR_DTYPE_F32 || raw > NPUJAR_DTYPE_BOOL) {
    return make_status(NPUJAR_ERROR_INVALID_ARGUMENT, std::string(function) + ": dtype " +
                                                          std::to_string(raw) +
                                                          " is not an npujar_dtype value");
  }
  return nullptr;
}

// Runs `body`, turning escaped exceptions into statuses.
template <typename Body>
npujar_status* guarded(const char* function, Body body) {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return make_status(NPUJAR_ERROR_OUT_OF_MEMORY, std::string(function) + ": out of memory");
  } catch (const std::exception& error) {
    return make_status(NPUJAR_ERROR_INTERNAL, std::string(function) + ": " + error.what());
  }
}

npujar_status* tensor_info(const npujar_model* model, size_t index, bool input,
                           npujar_tensor_info* out_info) {
  const char* function = input ? "npujar_model_input_info" : "npujar_model_output_info";
  if (out_info == nullptr) {
    return null_argument(function, "out_info");
  }
  std::memset(out_info, 0, sizeof(*out_info));
  if (model == nullptr) {
    return null_argument(function, "model");
  }
  const auto& tensors = input ? model->model->inputs() : model->model->outputs();
  if (index >= tensors.size()) {
    return make_status(NPUJAR_ERROR_INVALID_ARGUMENT,
                       std::string(function) + ": index " + std::to_string(index) +
                           " is out of range; the model has " + std::to_string(tensors.size()) +
                           (input ? " inputs" : " outputs"));
  }
  const npujar::runtime::TensorDescription& tensor = tensors[index];
  out_info->name = tensor.name.c_str();
  out_info->dtype = tensor.dtype;
  out_info->rank = tensor.dims.size();
  out_info->dims = tensor.dims.data();
  out_info->symbols = tensor.symbol_pointers.data();
  return nullptr;
}

npujar_status* load(const char* function, const npujar_options* options, npujar_model** out_model,
                    npujar::runtime::Result<std::unique_ptr<npujar::runtime::Model>> (*open)(
                        const void*, const void*, size_t, const npujar::runtime::RuntimeOptions&),
                    const void* path_or_data, const void* data, size_t size) {
  npujar::runtime::RuntimeOptions defaults;
  const npujar::runtime::RuntimeOptions& resolved = options != nullptr ? options->options : defaults;
  auto model = open(path_or_data, data, size, resolved);
  if (!model) {
    npujar::runtime::log_error(model.status().message());
    return to_c(model.status());
  }
  *out_model = new npujar_model{std::move(*model)};
  return nullptr;
}

}  // namespace

extern "C" {

npujar_error_code npujar_status_code(const npujar_status* status) {
  return status != nullptr ? status->code : NPUJAR_OK;
}

const char* npujar_status_message(const npujar_status* status) {
  return status != nullptr ? status->message.c_str() : "";
}

void npujar_status_release(npujar_status* status) {
  if (status != &g_out_of_memory) {
    delete status;
  }
}

const char* npujar_version(void) { return NPUJAR_RUNTIME_VERSION; }

npujar_status* npujar_options_create(npujar_options** out_options) {
  if (out_options == nullptr) {
    return null_argument("npujar_options_create", "out_options");
  }
  *out_options = nullptr;
  return guarded("npujar_options_create", [&]() -> npujar_status* {
    *out_options = new npujar_options();
    return nullptr;
  });
}

void npujar_options_release(npujar_options* options) { delete options; }

npujar_status* npujar_options_set_num_threads(npujar_options* options, int32_t num_threads) {
  if (options == nullptr) {
    return null_argument("npujar_options_set_num_threads", "options");
  }
  if (num_threads < 0) {
    return make_status(NPUJAR_ERROR_INVALID_ARGUMENT,
                       "npujar_options_set_num_threads: num_threads is " +
                           std::to_string(num_threads) + "; expected 0 (physical cores) or more");
  }
  options->options.num_threads = num_threads;
  return nullptr;
}

npujar_status* npujar_options_set_jit_mode(npujar_options* options, npujar_jit_mode mode) {
  if (options == nullptr) {
    return null_argument("npujar_options_set_jit_mode", "options");
  }
  int raw = enum_value(mode);
  if (raw < NPUJAR_JIT_AUTO || raw > NPUJAR_JIT_FORCE) {
    return make_status(NPUJAR_ERROR_INVALID_ARGUMENT,
                       "npujar_options_set_jit_mode: mode " + std::to_string(raw) +
                           " is not an npujar_jit_mode value");
  }
  options->options.jit_mode = mode;
  return nullptr;
}

npujar_status* npujar_options_set_device(npujar_options* options,
                                         npujar_device_preference device) {
  if (options == nullptr) {
    return null_argument("npujar_options_set_device", "options");
  }
  int raw = enum_value(device);
  if (raw < NPUJAR_DEVICE_AUTO || raw > NPUJAR_DEVICE_GPU) {
    return make_status(NPUJAR_ERROR_INVALID_ARGUMENT,
                       "npujar_options_set_device: device " + std::to_string(raw) +
                           " is not an npujar_device_preference value");
  }
  options->options.device = device;
  return nullptr;
}

npujar_status* npujar_options_set_variant(npujar_options* options, const char* variant_name) {
  if (options == nullptr) {
    return null_argument("npujar_options_set_variant", "options");
  }
  return guarded("npujar_options_set_variant", [&]() -> npujar_status* {
    if (variant_name == nullptr) {
      options->options.variant.reset();
    } else {
      options->options.variant = std::string(variant_name);
    }
    return nullptr;
  });
}

npujar_status* npujar_options_set_cache_dir(npujar_options* options, const char* path) {
  if (options == nullptr) {
    return null_argument("npujar_options_set_cache_dir", "options");
  }
  return guarded("npujar_options_set_cache_dir", [&]() -> npujar_status* {
    if (path == nullptr) {
      options->options.cache_dir.reset();
    } else {
      options->options.cache_dir = std::string(path);
    }
    return nullptr;
  });
}

npujar_status* npujar_model_load_file(const char* path, const npujar_options* options,
                                      npujar_model** out_model) {
  if (out_model == nullptr) {
    return null_argument("npujar_model_load_file", "out_model");
  }
  *out_model = nullptr;
  if (path == nullptr) {
    return null_argument("npujar_model_load_file", "path");
  }
  return guarded("npujar_model_load_file", [&] {
    return load(
        "npujar_model_load_file", options, out_model,
        [](const void* file, const void*, size_t, const npujar::runtime::RuntimeOptions& opts) {
          return npujar::runtime::Model::load_file(static_cast<const char*>(file), opts);
        },
        path, nullptr, 0);
  });
}

npujar_status* npujar_model_load_buffer(const void* data, size_t size,
                                        const npujar_options* options, npujar_model** out_model) {
  if (out_model == nullptr) {
    return null_argument("npujar_model_load_buffer", "out_model");
  }
  *out_model = nullptr;
  if (data == nullptr) {
    return null_argument("npujar_model_load_buffer", "data");
  }
  return guarded("npujar_model_load_buffer", [&] {
    return load(
        "npujar_model_load_buffer", options, out_model,
        [](const void*, const void* bytes, size_t count,
           const npujar::runtime::RuntimeOptions& opts) {
          return npujar::runtime::Model::load_buffer(bytes, count, opts);
        },
        nullptr, data, size);
  });
}

void npujar_model_release(npujar_model* model) { delete model; }

size_t npujar_model_input_count(const npujar_model* model) {
  return model != nullptr ? model->model->inputs().size() : 0;
}

size_t npujar_model_output_count(const npujar_model* model) {
  return model != nullptr ? model->model->outputs().size() : 0;
}

npujar_status* npujar_model_input_info(const npujar_model* model, size_t index,
                                       npujar_tensor_info* out_info) {
  return tensor_info(model, index, true, out_info);
}

npujar_status* npujar_model_output_info(const npujar_model* model, size_t index,
                                        npujar_tensor_info* out_info) {
  return tensor_info(model, index, false, out_info);
}

const char* npujar_model_variant(const npujar_model* model) {
  return model != nullptr ? model->model->variant_name().c_str() : "";
}

const char* npujar_model_variant_reason(const npujar_model* model) {
  return model != nullptr ? model->model->variant_reason().c_str() : "";
}

npujar_status* npujar_model_run(npujar_model* model, const npujar_tensor* const* inputs,
                                size_t input_count, npujar_tensor** outputs,
                                size_t output_count) {
  if (model == nullptr) {
    return null_argument("npujar_model_run", "model");
  }
  if (inputs == nullptr && input_count > 0) {
    return null_argument("npujar_model_run", "inputs");
  }
  if (outputs == nullptr && output_count > 0) {
    return null_argument("npujar_model_run", "outputs");
  }
  return guarded("npujar_model_run", [&]() -> npujar_status* {
    std::vector<const npujar::runtime::Tensor*> input_tensors;
    for (size_t i = 0; i < input_count; ++i) {
      input_tensors.push_back(inputs[i] != nullptr ? inputs[i]->tensor.get() : nullptr);
    }
    std::vector<npujar::runtime::Tensor*> output_tensors;
    for (size_t i = 0; i < output_count; ++i) {
      output_tensors.push_back(outputs[i] != nullptr ? outputs[i]->tensor.get() : nullptr);
    }

    std::vector<std::unique_ptr<npujar::runtime::Tensor>> created;
    Status status = model->model->run(input_tensors, output_tensors, created);
    if (!status) {
      return to_c(status);
    }

    // Hand each new tensor to the slot that was NULL on entry.
    size_t next_created = 0;
    for (size_t i = 0; i < output_count; ++i) {
      if (outputs[i] == nullptr) {
        outputs[i] = new npujar_tensor{std::move(created[next_created++])};
      }
    }
    return nullptr;
  });
}

npujar_status* npujar_tensor_create(npujar_dtype dtype, const int64_t* dims, size_t rank,
                                    npujar_tensor** out_tensor) {
  if (out_tensor == nullptr) {
    return null_argument("npujar_tensor_create", "out_tensor");
  }
  *out_tensor = nullptr;
  if (dims == nullptr && rank > 0) {
    return null_argument("npujar_tensor_create", "dims");
  }
  if (npujar_status* invalid = check_dtype("npujar_tensor_create", dtype)) {
    return invalid;
  }
  return guarded("npujar_tensor_create", [&]() -> npujar_status* {
    std::vector<int64_t> extents(dims, dims + rank);
    auto tensor = npujar::runtime::Tensor::create(dtype, std::move(extents));
    if (!tensor) {
      return to_c(tensor.status());
    }
    *out_tensor = new npujar_tensor{std::move(*tensor)};
    return nullptr;
  });
}

npujar_status* npujar_tensor_wrap(npujar_dtype dtype, const int64_t* dims, size_t rank,
                                  void* data, size_t size, npujar_tensor** out_tensor) {
  if (out_tensor == nullptr) {
    return null_argument("npujar_tensor_wrap", "out_tensor");
  }
  *out_tensor = nullptr;
  if (dims == nullptr && rank > 0) {
    return null_argument("npujar_tensor_wrap", "dims");
  }
  if (npujar_status* invalid = check_dtype("npujar_tensor_wrap", dtype)) {
    return invalid;
  }
  return guarded("npujar_tensor_wrap", [&]() -> npujar_status* {
    std::vector<int64_t> extents(dims, dims + rank);
    auto tensor = npujar::runtime::Tensor::wrap(dtype, std::move(extents), data, size);
    if (!tensor) {
      return to_c(tensor.status());
    }
    *out_tensor = new npujar_tensor{std::move(*tensor)};
    return nullptr;
  });
}

void npujar_tensor_release(npujar_tensor* tensor) { delete tensor; }

npujar_dtype npujar_tensor_dtype(const npujar_tensor* tensor) {
  return tensor != nullptr ? tensor->tensor->dtype() : static_cast<npujar_dtype>(0);
}

size_t npujar_tensor_rank(const npujar_tensor* tensor) {
  return tensor != nullptr ? tensor->tensor->dims().size() : 0;
}

const int64_t* npujar_tensor_dims(const npujar_tensor* tensor) {
  return tensor != nullptr ? tensor->tensor->dims().data() : nullptr;
}

void* npujar_tensor_data(npujar_tensor* tensor) {
  return tensor != nullptr ? tensor->tensor->data() : nullptr;
}

size_t npujar_tensor_byte_size(const npujar_tensor* tensor) {
  return tensor != nullptr ? tensor->tensor->byte_size() : 0;
}

}  // extern "C"
