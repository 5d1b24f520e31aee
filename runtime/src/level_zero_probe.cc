// Level Zero side of the host probe. The loader is opened with dlopen so
// that the runtime loads where neither the loader nor any driver is
// installed, which is the common case on CPU-only hosts.
//
// The loader (1.8 on Debian 12) has no zeInitDrivers; newer loaders have it
// and deprecate zeInit. Both are looked up at run time. zeInitDrivers'
// types are declared here because the installed headers predate it.
#include <dlfcn.h>
#include <level_zero/ze_api.h>

#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "npujar/runtime/host_probe.h"

namespace npujar::runtime {
namespace {

constexpr const char* kDefaultLoader = "libze_loader.so.1";

// Mirrors ze_init_driver_type_desc_t of Level Zero API 1.10.
struct InitDriverTypeDesc {
  uint32_t stype;
  const void* next;
  uint32_t flags;
};
constexpr uint32_t kStructureTypeInitDriverTypeDesc = 0x00020021;
constexpr uint32_t kInitDriverTypeGpu = 1u << 0;
constexpr uint32_t kInitDriverTypeNpu = 1u << 1;

using InitFn = ze_result_t (*)(ze_init_flags_t);
using InitDriversFn = ze_result_t (*)(uint32_t*, ze_driver_handle_t*, InitDriverTypeDesc*);
using DriverGetFn = ze_result_t (*)(uint32_t*, ze_driver_handle_t*);
using DeviceGetFn = ze_result_t (*)(ze_driver_handle_t, uint32_t*, ze_device_handle_t*);
using DeviceGetPropertiesFn = ze_result_t (*)(ze_device_handle_t, ze_device_properties_t*);

struct LoaderFunctions {
  InitFn init = nullptr;
  InitDriversFn init_drivers = nullptr;
  DriverGetFn driver_get = nullptr;
  DeviceGetFn device_get = nullptr;
  DeviceGetPropertiesFn device_get_properties = nullptr;
};

std::string result_name(ze_result_t result) {
  switch (result) {
    case ZE_RESULT_SUCCESS: return "ZE_RESULT_SUCCESS";
    case ZE_RESULT_ERROR_UNINITIALIZED: return "ZE_RESULT_ERROR_UNINITIALIZED";
    case ZE_RESULT_ERROR_DEVICE_LOST: return "ZE_RESULT_ERROR_DEVICE_LOST";
    case ZE_RESULT_ERROR_UNSUPPORTED_VERSION: return "ZE_RESULT_ERROR_UNSUPPORTED_VERSION";
    case ZE_RESULT_ERROR_UNSUPPORTED_FEATURE: return "ZE_RESULT_ERROR_UNSUPPORTED_FEATURE";
    case ZE_RESULT_ERROR_INVALID_ARGUMENT: return "ZE_RESULT_ERROR_INVALID_ARGUMENT";
    case ZE_RESULT_ERROR_OUT_OF_HOST_MEMORY: return "ZE_RESULT_ERROR_OUT_OF_HOST_MEMORY";
    default: break;
  }
  std::ostringstream text;
  text << "ze_result_t 0x" << std::hex << static_cast<uint32_t>(result);
  return text.str();
}

DeviceType device_type_from(ze_device_type_t type) {
  // ZE_DEVICE_TYPE_VPU (5) is how Level Zero names an NPU.
  switch (static_cast<int>(type)) {
    case ZE_DEVICE_TYPE_GPU: return DeviceType::kGpu;
    case ZE_DEVICE_TYPE_VPU: return DeviceType::kNpu;
    default: return DeviceType::kOther;
  }
}

// Initializes the loader and returns its drivers, or sets `info` to the
// failure state and returns false.
bool initialize_drivers(const LoaderFunctions& loader, LevelZeroInfo& info,
                        std::vector<ze_driver_handle_t>& drivers) {
  uint32_t count = 0;
  if (loader.init_drivers != nullptr) {
    info.init_function = "zeInitDrivers";
    InitDriverTypeDesc desc{kStructureTypeInitDriverTypeDesc, nullptr,
                            kInitDriverTypeGpu | kInitDriverTypeNpu};
    ze_result_t result = loader.init_drivers(&count, nullptr, &desc);
    if (result == ZE_RESULT_SUCCESS && count > 0) {
      drivers.resize(count);
      result = loader.init_drivers(&count, drivers.data(), &desc);
    }
    if (result != ZE_RESULT_SUCCESS || count == 0) {
      info.state = LevelZeroState::kNoDriver;
      info.detail = "zeInitDrivers returned " + result_name(result) + " with " +
                    std::to_string(count) + " drivers";
      return false;
    }
    drivers.resize(count);
    return true;
  }

  info.init_function = "zeInit";
  ze_result_t result = loader.init(0);
  if (result == ZE_RESULT_ERROR_UNINITIALIZED) {
    info.state = LevelZeroState::kNoDriver;
    info.detail = "zeInit returned ZE_RESULT_ERROR_UNINITIALIZED: the loader found no driver";
    return false;
  }
  if (result != ZE_RESULT_SUCCESS) {
    info.state = LevelZeroState::kInitFailed;
    info.detail = "zeInit returned " + result_name(result);
    return false;
  }

  result = loader.driver_get(&count, nullptr);
  if (result == ZE_RESULT_SUCCESS && count > 0) {
    drivers.resize(count);
    result = loader.driver_get(&count, drivers.data());
  }
  if (result != ZE_RESULT_SUCCESS) {
    info.state = LevelZeroState::kInitFailed;
    info.detail = "zeDriverGet returned " + result_name(result);
    return false;
  }
  if (count == 0) {
    info.state = LevelZeroState::kNoDriver;
    info.detail = "zeDriverGet listed no driver";
    return false;
  }
  drivers.resize(count);
  return true;
}

bool list_devices(const LoaderFunctions& loader, ze_driver_handle_t driver, LevelZeroInfo& info) {
  uint32_t count = 0;
  ze_result_t result = loader.device_get(driver, &count, nullptr);
  std::vector<ze_device_handle_t> devices;
  if (result == ZE_RESULT_SUCCESS && count > 0) {
    devices.resize(count);
    result = loader.device_get(driver, &count, devices.data());
  }
  if (result != ZE_RESULT_SUCCESS) {
    info.detail = "zeDeviceGet returned " + result_name(result);
    return false;
  }
  devices.resize(count);

  for (ze_device_handle_t device : devices) {
    ze_device_properties_t properties{};
    properties.stype = ZE_STRUCTURE_TYPE_DEVICE_PROPERTIES;
    result = loader.device_get_properties(device, &properties);
    if (result != ZE_RESULT_SUCCESS) {
      info.detail = "zeDeviceGetProperties returned " + result_name(result);
      return false;
    }
    DeviceInfo entry;
    entry.type = device_type_from(properties.type);
    properties.name[ZE_MAX_DEVICE_NAME - 1] = '\0';
    entry.name = properties.name;
    entry.vendor_id = properties.vendorId;
    entry.device_id = properties.deviceId;
    info.devices.push_back(entry);
  }
  return true;
}

}  // namespace

const char* device_type_name(DeviceType type) {
  switch (type) {
    case DeviceType::kGpu: return "gpu";
    case DeviceType::kNpu: return "npu";
    case DeviceType::kOther: return "other";
  }
  return "other";
}

const char* level_zero_state_name(LevelZeroState state) {
  switch (state) {
    case LevelZeroState::kLoaderMissing: return "loader-missing";
    case LevelZeroState::kNoDriver: return "no-driver";
    case LevelZeroState::kInitFailed: return "init-failed";
    case LevelZeroState::kReady: return "ready";
  }
  return "unknown";
}

LevelZeroInfo probe_level_zero() {
  LevelZeroInfo info;
  const char* override_name = std::getenv("NPUJAR_ZE_LOADER");
  info.loader = (override_name != nullptr && *override_name != '\0') ? override_name
                                                                      : kDefaultLoader;

  // The handle is never closed: drivers the loader opened may keep threads
  // and callbacks alive for the life of the process.
  void* library = dlopen(info.loader.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    info.state = LevelZeroState::kLoaderMissing;
    const char* error = dlerror();
    info.detail = error != nullptr ? error : "dlopen failed";
    return info;
  }

  LoaderFunctions loader;
  loader.init = reinterpret_cast<InitFn>(dlsym(library, "zeInit"));
  loader.init_drivers = reinterpret_cast<InitDriversFn>(dlsym(library, "zeInitDrivers"));
  loader.driver_get = reinterpret_cast<DriverGetFn>(dlsym(library, "zeDriverGet"));
  loader.device_get = reinterpret_cast<DeviceGetFn>(dlsym(library, "zeDeviceGet"));
  loader.device_get_properties =
      reinterpret_cast<DeviceGetPropertiesFn>(dlsym(library, "zeDeviceGetProperties"));
  if ((loader.init == nullptr && loader.init_drivers == nullptr) ||
      loader.driver_get == nullptr || loader.device_get == nullptr ||
      loader.device_get_properties == nullptr) {
    info.state = LevelZeroState::kInitFailed;
    info.detail = info.loader + " lacks zeInit, zeDriverGet, zeDeviceGet or zeDeviceGetProperties";
    return info;
  }

  std::vector<ze_driver_handle_t> drivers;
  if (!initialize_drivers(loader, info, drivers)) {
    return info;
  }
  for (ze_driver_handle_t driver : drivers) {
    if (!list_devices(loader, driver, info)) {
      info.state = LevelZeroState::kInitFailed;
      return info;
    }
  }
  info.state = LevelZeroState::kReady;
  info.detail = std::to_string(drivers.size()) + " drivers, " +
                std::to_string(info.devices.size()) + " devices";
  return info;
}

std::string describe_level_zero(const LevelZeroInfo& info) {
  std::ostringstream text;
  text << level_zero_state_name(info.state) << " (" << info.loader;
  if (!info.init_function.empty()) {
    text << " via " << info.init_function;
  }
  text << "): " << info.detail;
  return text.str();
}

}  // namespace npujar::runtime
