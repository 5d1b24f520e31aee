#include "npu_device.h"

#include <cstdio>
#include <cstring>
#include <mutex>
#include <optional>
#include <vector>

namespace npujar::runtime::npu {
namespace {

std::string version_text(uint32_t version) {
  return std::to_string(ze_graph::version_major(version)) + "." +
         std::to_string(ze_graph::version_minor(version));
}

std::string hex(uint32_t value) {
  char buffer[16];
  std::snprintf(buffer, sizeof(buffer), "0x%04x", value);
  return buffer;
}

Status ze_failure(const std::string& call, ze_result_t result) {
  return Status(NPUJAR_ERROR_NO_USABLE_VARIANT, call + " returned " + ze_result_name(result));
}

// Picks the newest "ZE_extension_graph*" entry the driver lists. Returns
// false when the driver lists none.
bool find_graph_extension(const LevelZeroApi& api, ze_driver_handle_t driver,
                          NpuDevice& device) {
  uint32_t count = 0;
  if (api.driver_get_extension_properties(driver, &count, nullptr) != ZE_RESULT_SUCCESS) {
    return false;
  }
  std::vector<ze_driver_extension_properties_t> extensions(count);
  if (count == 0 ||
      api.driver_get_extension_properties(driver, &count, extensions.data()) != ZE_RESULT_SUCCESS) {
    return false;
  }
  size_t prefix = std::strlen(ze_graph::kExtensionName);
  bool found = false;
  for (uint32_t i = 0; i < count; ++i) {
    const ze_driver_extension_properties_t& extension = extensions[i];
    std::string name(extension.name, strnlen(extension.name, ZE_MAX_EXTENSION_NAME));
    if (name.compare(0, prefix, ze_graph::kExtensionName) != 0) continue;
    if (!found || extension.version > device.extension_version) {
      device.extension_name = name;
      device.extension_version = extension.version;
      found = true;
    }
  }
  return found;
}

// Opens the graph extension of `driver` for `device.device`, or returns why not.
Status open_graph_extension(const LevelZeroApi& api, ze_driver_handle_t driver, NpuDevice& device) {
  if (!find_graph_extension(api, driver, device)) {
    return Status(NPUJAR_ERROR_NO_USABLE_VARIANT,
                  "the NPU driver does not offer the ZE_extension_graph extension");
  }
  // Only major version 1 is known; a new major may change the table.
  if (ze_graph::version_major(device.extension_version) != 1) {
    return Status(NPUJAR_ERROR_NO_USABLE_VARIANT,
                  "the NPU driver's graph extension '" + device.extension_name + "' has version " +
                      version_text(device.extension_version) +
                      ", this runtime supports major version 1");
  }
  void* table = nullptr;
  ze_result_t result =
      api.driver_get_extension_function_address(driver, device.extension_name.c_str(), &table);
  if (result != ZE_RESULT_SUCCESS || table == nullptr) {
    return ze_failure("zeDriverGetExtensionFunctionAddress('" + device.extension_name + "')",
                      result);
  }
  // NOTE: the table's functions take driver handles. Loader 1.8 passes
  // handles through unchanged only when it loaded a single driver; a host
  // with both a GPU and an NPU driver is untested.
  device.graph = static_cast<const ze_graph::DdiTable*>(table);
  if (device.graph->device_get_graph_properties == nullptr || device.graph->create == nullptr) {
    return Status(NPUJAR_ERROR_NO_USABLE_VARIANT,
                  "the graph extension table of '" + device.extension_name + "' lacks functions");
  }

  device.graph_properties.stype = ze_graph::kStructureDeviceGraphProperties;
  result = device.graph->device_get_graph_properties(device.device, &device.graph_properties);
  if (result != ZE_RESULT_SUCCESS) {
    return ze_failure("pfnDeviceGetGraphProperties", result);
  }
  return Status::ok();
}

Result<NpuDevice> find_device() {
  std::string error;
  const LevelZeroApi* api = level_zero_api(&error);
  if (api == nullptr) {
    return Status(NPUJAR_ERROR_NO_USABLE_VARIANT, error);
  }
  // zeInit is idempotent; the host probe has usually called it already.
  ze_result_t result = api->init(0);
  if (result != ZE_RESULT_SUCCESS) {
    return ze_failure("zeInit", result);
  }
  uint32_t driver_count = 0;
  result = api->driver_get(&driver_count, nullptr);
  std::vector<ze_driver_handle_t> drivers(driver_count);
  if (result == ZE_RESULT_SUCCESS && driver_count > 0) {
    result = api->driver_get(&driver_count, drivers.data());
  }
  if (result != ZE_RESULT_SUCCESS) {
    return ze_failure("zeDriverGet", result);
  }

  Status last_reason(NPUJAR_ERROR_NO_USABLE_VARIANT, "no Level Zero device of type NPU (VPU)");
  for (ze_driver_handle_t driver : drivers) {
    uint32_t device_count = 0;
    if (api->device_get(driver, &device_count, nullptr) != ZE_RESULT_SUCCESS) continue;
    std::vector<ze_device_handle_t> devices(device_count);
    if (device_count == 0 ||
        api->device_get(driver, &device_count, devices.data()) != ZE_RESULT_SUCCESS) {
      continue;
    }
    for (ze_device_handle_t handle : devices) {
      ze_device_properties_t properties{};
      properties.stype = ZE_STRUCTURE_TYPE_DEVICE_PROPERTIES;
      if (api->device_get_properties(handle, &properties) != ZE_RESULT_SUCCESS ||
          properties.type != ZE_DEVICE_TYPE_VPU) {
        continue;
      }
      NpuDevice device;
      device.api = api;
      device.driver = driver;
      device.device = handle;
      device.name.assign(properties.name, strnlen(properties.name, ZE_MAX_DEVICE_NAME));
      device.vendor_id = properties.vendorId;
      device.device_id = properties.deviceId;
      ze_driver_properties_t driver_properties{};
      driver_properties.stype = ZE_STRUCTURE_TYPE_DRIVER_PROPERTIES;
      if (api->driver_get_properties(driver, &driver_properties) == ZE_RESULT_SUCCESS) {
        device.driver_version = driver_properties.driverVersion;
      }

      Status opened = open_graph_extension(*api, driver, device);
      if (!opened) {
        last_reason = opened.with_context("NPU '" + device.name + "'");
        continue;
      }
      ze_context_desc_t context_desc{ZE_STRUCTURE_TYPE_CONTEXT_DESC, nullptr, 0};
      result = api->context_create(driver, &context_desc, &device.context);
      if (result != ZE_RESULT_SUCCESS) {
        last_reason = ze_failure("zeContextCreate", result).with_context("NPU '" + device.name + "'");
        continue;
      }
      return device;
    }
  }
  return last_reason;
}

}  // namespace

std::string NpuDevice::describe() const {
  return "NPU '" + name + "' (" + hex(vendor_id) + ":" + hex(device_id) + "), driver version " +
         std::to_string(driver_version) + ", graph extension " + version_text(extension_version) +
         ", compiler " + std::to_string(graph_properties.compiler_version.major) + "." +
         std::to_string(graph_properties.compiler_version.minor) + ", opsets up to " +
         std::to_string(graph_properties.max_opset_supported);
}

std::string NpuDevice::cache_identity() const {
  return hex(vendor_id) + ":" + hex(device_id) + " driver " + std::to_string(driver_version) +
         " extension " + version_text(extension_version) + " compiler " +
         std::to_string(graph_properties.compiler_version.major) + "." +
         std::to_string(graph_properties.compiler_version.minor);
}

Result<const NpuDevice*> open_npu_device() {
  static std::once_flag once;
  static std::optional<Result<NpuDevice>> opened;
  std::call_once(once, [] { opened.emplace(find_device()); });
  if (!*opened) {
    return opened->status();
  }
  return &opened->value();
}

}  // namespace npujar::runtime::npu
