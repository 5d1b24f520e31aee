#include "level_zero_api.h"

#include <dlfcn.h>

#include <cstdlib>
#include <mutex>
#include <sstream>

namespace npujar::runtime::npu {
namespace {

struct LoadedApi {
  LevelZeroApi api;
  std::string error;  // empty when every function resolved
};

template <typename Function>
bool resolve(void* library, const char* name, Function& function, std::string& error) {
  function = reinterpret_cast<Function>(dlsym(library, name));
  if (function == nullptr && error.empty()) {
    error = std::string("the Level Zero loader has no ") + name;
  }
  return function != nullptr;
}

LoadedApi load_api() {
  LoadedApi loaded;
  const char* override_name = std::getenv("NPUJAR_ZE_LOADER");
  std::string name = (override_name != nullptr && *override_name != '\0') ? override_name
                                                                          : "libze_loader.so.1";
  // Never closed, like the probe's handle: drivers keep threads alive.
  void* library = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    const char* error = dlerror();
    loaded.error = "opening " + name + " failed: " + (error != nullptr ? error : "dlopen failed");
    return loaded;
  }

  LevelZeroApi& api = loaded.api;
  std::string& error = loaded.error;
  resolve(library, "zeInit", api.init, error);
  resolve(library, "zeDriverGet", api.driver_get, error);
  resolve(library, "zeDriverGetProperties", api.driver_get_properties, error);
  resolve(library, "zeDriverGetExtensionProperties", api.driver_get_extension_properties, error);
  resolve(library, "zeDriverGetExtensionFunctionAddress",
          api.driver_get_extension_function_address, error);
  resolve(library, "zeDeviceGet", api.device_get, error);
  resolve(library, "zeDeviceGetProperties", api.device_get_properties, error);
  resolve(library, "zeContextCreate", api.context_create, error);
  resolve(library, "zeContextDestroy", api.context_destroy, error);
  resolve(library, "zeCommandQueueCreate", api.command_queue_create, error);
  resolve(library, "zeCommandQueueDestroy", api.command_queue_destroy, error);
  resolve(library, "zeCommandQueueExecuteCommandLists", api.command_queue_execute_command_lists,
          error);
  resolve(library, "zeCommandListCreate", api.command_list_create, error);
  resolve(library, "zeCommandListDestroy", api.command_list_destroy, error);
  resolve(library, "zeCommandListClose", api.command_list_close, error);
  resolve(library, "zeCommandListReset", api.command_list_reset, error);
  resolve(library, "zeFenceCreate", api.fence_create, error);
  resolve(library, "zeFenceDestroy", api.fence_destroy, error);
  resolve(library, "zeFenceHostSynchronize", api.fence_host_synchronize, error);
  resolve(library, "zeFenceReset", api.fence_reset, error);
  resolve(library, "zeMemAllocHost", api.mem_alloc_host, error);
  resolve(library, "zeMemFree", api.mem_free, error);
  return loaded;
}

}  // namespace

const LevelZeroApi* level_zero_api(std::string* error) {
  static std::once_flag once;
  static LoadedApi loaded;
  std::call_once(once, [] { loaded = load_api(); });
  if (!loaded.error.empty()) {
    if (error != nullptr) *error = loaded.error;
    return nullptr;
  }
  return &loaded.api;
}

std::string ze_result_name(ze_result_t result) {
  switch (result) {
    case ZE_RESULT_SUCCESS: return "ZE_RESULT_SUCCESS";
    case ZE_RESULT_NOT_READY: return "ZE_RESULT_NOT_READY";
    case ZE_RESULT_ERROR_DEVICE_LOST: return "ZE_RESULT_ERROR_DEVICE_LOST";
    case ZE_RESULT_ERROR_OUT_OF_HOST_MEMORY: return "ZE_RESULT_ERROR_OUT_OF_HOST_MEMORY";
    case ZE_RESULT_ERROR_OUT_OF_DEVICE_MEMORY: return "ZE_RESULT_ERROR_OUT_OF_DEVICE_MEMORY";
    case ZE_RESULT_ERROR_MODULE_BUILD_FAILURE: return "ZE_RESULT_ERROR_MODULE_BUILD_FAILURE";
    case ZE_RESULT_ERROR_UNINITIALIZED: return "ZE_RESULT_ERROR_UNINITIALIZED";
    case ZE_RESULT_ERROR_UNSUPPORTED_VERSION: return "ZE_RESULT_ERROR_UNSUPPORTED_VERSION";
    case ZE_RESULT_ERROR_UNSUPPORTED_FEATURE: return "ZE_RESULT_ERROR_UNSUPPORTED_FEATURE";
    case ZE_RESULT_ERROR_INVALID_ARGUMENT: return "ZE_RESULT_ERROR_INVALID_ARGUMENT";
    case ZE_RESULT_ERROR_INVALID_NULL_POINTER: return "ZE_RESULT_ERROR_INVALID_NULL_POINTER";
    case ZE_RESULT_ERROR_INVALID_SIZE: return "ZE_RESULT_ERROR_INVALID_SIZE";
    case ZE_RESULT_ERROR_UNKNOWN: return "ZE_RESULT_ERROR_UNKNOWN";
    default: break;
  }
  std::ostringstream text;
  text << "ze_result_t 0x" << std::hex << static_cast<uint32_t>(result);
  return text.str();
}

}  // namespace npujar::runtime::npu
