// The Level Zero loader functions the NPU backend calls, resolved with
// dlsym from the loader the host probe opens ($NPUJAR_ZE_LOADER, else
// libze_loader.so.1). The runtime never links the loader, so it loads on
// hosts without one; dlopen of the same name returns the probe's handle, so
// both share one initialized loader.
#pragma once

#include <level_zero/ze_api.h>

#include <string>

namespace npujar::runtime::npu {

struct LevelZeroApi {
  decltype(&::zeInit) init = nullptr;
  decltype(&::zeDriverGet) driver_get = nullptr;
  decltype(&::zeDriverGetProperties) driver_get_properties = nullptr;
  decltype(&::zeDriverGetExtensionProperties) driver_get_extension_properties = nullptr;
  decltype(&::zeDriverGetExtensionFunctionAddress) driver_get_extension_function_address = nullptr;
  decltype(&::zeDeviceGet) device_get = nullptr;
  decltype(&::zeDeviceGetProperties) device_get_properties = nullptr;
  decltype(&::zeContextCreate) context_create = nullptr;
  decltype(&::zeContextDestroy) context_destroy = nullptr;
  decltype(&::zeCommandQueueCreate) command_queue_create = nullptr;
  decltype(&::zeCommandQueueDestroy) command_queue_destroy = nullptr;
  decltype(&::zeCommandQueueExecuteCommandLists) command_queue_execute_command_lists = nullptr;
  decltype(&::zeCommandListCreate) command_list_create = nullptr;
  decltype(&::zeCommandListDestroy) command_list_destroy = nullptr;
  decltype(&::zeCommandListClose) command_list_close = nullptr;
  decltype(&::zeCommandListReset) command_list_reset = nullptr;
  decltype(&::zeFenceCreate) fence_create = nullptr;
  decltype(&::zeFenceDestroy) fence_destroy = nullptr;
  decltype(&::zeFenceHostSynchronize) fence_host_synchronize = nullptr;
  decltype(&::zeFenceReset) fence_reset = nullptr;
  decltype(&::zeMemAllocHost) mem_alloc_host = nullptr;
  decltype(&::zeMemFree) mem_free = nullptr;
};

// Opens the loader and resolves every function above once per process.
// Returns nullptr and sets `error` (the dlerror text or the missing symbol)
// when the loader or one of the functions is missing.
const LevelZeroApi* level_zero_api(std::string* error);

// "ZE_RESULT_ERROR_DEVICE_LOST" for known codes, "ze_result_t 0x..." otherwise.
std::string ze_result_name(ze_result_t result);

}  // namespace npujar::runtime::npu
