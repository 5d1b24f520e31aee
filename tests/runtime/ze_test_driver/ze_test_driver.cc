// A Level Zero test double: a driver library that the Level Zero loader
// accepts (it exports every ze*, zet* and zes* Get...ProcAddrTable function)
// and that reports the devices listed in NPUJAR_ZE_TEST_DEVICES. Load it
// with ZE_ENABLE_ALT_DRIVERS=/absolute/path/libnpujar_ze_test_double.so.
//
// NPUJAR_ZE_TEST_DEVICES is a comma-separated list of devices, each
//   npu | gpu [:vendor_id[:device_id[:name]]]
// with ids in C notation (0x8086). Unset means "npu,gpu"; empty means none.
//
// Only zeInit, zeDriverGet, zeDriverGetApiVersion, zeDriverGetProperties,
// zeDeviceGet and zeDeviceGetProperties are implemented; every other table
// entry is NULL, which the loader reports as unsupported.
#include <level_zero/ze_api.h>
#include <level_zero/ze_ddi.h>
#include <level_zero/zes_ddi.h>
#include <level_zero/zet_ddi.h>

#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct TestDevice {
  ze_device_type_t type = ZE_DEVICE_TYPE_VPU;
  uint32_t vendor_id = 0x8086;
  uint32_t device_id = 0;
  std::string name;
};

struct TestDriver {
  std::vector<TestDevice> devices;
};

TestDevice parse_device(const std::string& entry) {
  std::vector<std::string> fields;
  std::stringstream stream(entry);
  std::string field;
  while (std::getline(stream, field, ':')) {
    fields.push_back(field);
  }

  TestDevice device;
  bool is_gpu = !fields.empty() && fields[0] == "gpu";
  device.type = is_gpu ? ZE_DEVICE_TYPE_GPU : ZE_DEVICE_TYPE_VPU;
  device.device_id = is_gpu ? 0x56a0 : 0x7d1d;
  device.name = is_gpu ? "npujar test GPU" : "npujar test NPU";
  if (fields.size() > 1) {
    device.vendor_id = static_cast<uint32_t>(std::strtoul(fields[1].c_str(), nullptr, 0));
  }
  if (fields.size() > 2) {
    device.device_id = static_cast<uint32_t>(std::strtoul(fields[2].c_str(), nullptr, 0));
  }
  if (fields.size() > 3) {
    device.name = fields[3];
  }
  return device;
}

TestDriver& driver() {
  static TestDriver instance = [] {
    TestDriver result;
    const char* list = std::getenv("NPUJAR_ZE_TEST_DEVICES");
    std::stringstream stream(list != nullptr ? list : "npu,gpu");
    std::string entry;
    while (std::getline(stream, entry, ',')) {
      if (!entry.empty()) {
        result.devices.push_back(parse_device(entry));
      }
    }
    return result;
  }();
  return instance;
}

// Fills a handle array following Level Zero's two-call count protocol.
template <typename Handle>
ze_result_t list_handles(uint32_t* count, Handle* handles, const std::vector<Handle>& all) {
  if (count == nullptr) {
    return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
  }
  if (*count == 0 || handles == nullptr) {
    *count = static_cast<uint32_t>(all.size());
    return ZE_RESULT_SUCCESS;
  }
  uint32_t written = *count < all.size() ? *count : static_cast<uint32_t>(all.size());
  for (uint32_t i = 0; i < written; ++i) {
    handles[i] = all[i];
  }
  *count = written;
  return ZE_RESULT_SUCCESS;
}

ze_result_t ZE_APICALL test_init(ze_init_flags_t) { return ZE_RESULT_SUCCESS; }

ze_result_t ZE_APICALL test_driver_get(uint32_t* count, ze_driver_handle_t* drivers) {
  std::vector<ze_driver_handle_t> all = {reinterpret_cast<ze_driver_handle_t>(&driver())};
  return list_handles(count, drivers, all);
}

ze_result_t ZE_APICALL test_driver_get_api_version(ze_driver_handle_t, ze_api_version_t* version) {
  if (version == nullptr) {
    return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
  }
  *version = ZE_API_VERSION_CURRENT;
  return ZE_RESULT_SUCCESS;
}

ze_result_t ZE_APICALL test_driver_get_properties(ze_driver_handle_t,
                                                  ze_driver_properties_t* properties) {
  if (properties == nullptr) {
    return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
  }
  std::memset(properties->uuid.id, 0x4e, sizeof(properties->uuid.id));
  properties->driverVersion = 1;
  return ZE_RESULT_SUCCESS;
}

ze_result_t ZE_APICALL test_device_get(ze_driver_handle_t, uint32_t* count,
                                       ze_device_handle_t* devices) {
  std::vector<ze_device_handle_t> all;
  for (TestDevice& device : driver().devices) {
    all.push_back(reinterpret_cast<ze_device_handle_t>(&device));
  }
  return list_handles(count, devices, all);
}

ze_result_t ZE_APICALL test_device_get_properties(ze_device_handle_t handle,
                                                  ze_device_properties_t* properties) {
  if (handle == nullptr || properties == nullptr) {
    return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
  }
  const TestDevice& device = *reinterpret_cast<const TestDevice*>(handle);
  properties->type = device.type;
  properties->vendorId = device.vendor_id;
  properties->deviceId = device.device_id;
  std::memset(properties->name, 0, sizeof(properties->name));
  std::strncpy(properties->name, device.name.c_str(), sizeof(properties->name) - 1);
  return ZE_RESULT_SUCCESS;
}

// Tables start zero-filled; these fill in what the double implements.
void fill(ze_global_dditable_t* table) { table->pfnInit = test_init; }
void fill(ze_driver_dditable_t* table) {
  table->pfnGet = test_driver_get;
  table->pfnGetApiVersion = test_driver_get_api_version;
  table->pfnGetProperties = test_driver_get_properties;
}
void fill(ze_device_dditable_t* table) {
  table->pfnGet = test_device_get;
  table->pfnGetProperties = test_device_get_properties;
}
template <typename Table>
void fill(Table*) {}

}  // namespace

// The loader looks up each of these by name and rejects a driver that
// lacks one. X(function, table type) lists them all, from ze_ddi.h,
// zet_ddi.h and zes_ddi.h of loader 1.8.
#define NPUJAR_ZE_PROC_ADDR_TABLES(X) \
  X(zeGetGlobalProcAddrTable, ze_global_dditable_t) \
  X(zeGetDriverProcAddrTable, ze_driver_dditable_t) \
  X(zeGetDeviceProcAddrTable, ze_device_dditable_t) \
  X(zeGetDeviceExpProcAddrTable, ze_device_exp_dditable_t) \
  X(zeGetContextProcAddrTable, ze_context_dditable_t) \
  X(zeGetCommandQueueProcAddrTable, ze_command_queue_dditable_t) \
  X(zeGetCommandListProcAddrTable, ze_command_list_dditable_t) \
  X(zeGetImageProcAddrTable, ze_image_dditable_t) \
  X(zeGetImageExpProcAddrTable, ze_image_exp_dditable_t) \
  X(zeGetFenceProcAddrTable, ze_fence_dditable_t) \
  X(zeGetEventPoolProcAddrTable, ze_event_pool_dditable_t) \
  X(zeGetEventProcAddrTable, ze_event_dditable_t) \
  X(zeGetEventExpProcAddrTable, ze_event_exp_dditable_t) \
  X(zeGetModuleProcAddrTable, ze_module_dditable_t) \
  X(zeGetModuleBuildLogProcAddrTable, ze_module_build_log_dditable_t) \
  X(zeGetKernelProcAddrTable, ze_kernel_dditable_t) \
  X(zeGetKernelExpProcAddrTable, ze_kernel_exp_dditable_t) \
  X(zeGetSamplerProcAddrTable, ze_sampler_dditable_t) \
  X(zeGetPhysicalMemProcAddrTable, ze_physical_mem_dditable_t) \
  X(zeGetMemProcAddrTable, ze_mem_dditable_t) \
  X(zeGetVirtualMemProcAddrTable, ze_virtual_mem_dditable_t) \
  X(zeGetFabricVertexExpProcAddrTable, ze_fabric_vertex_exp_dditable_t) \
  X(zeGetFabricEdgeExpProcAddrTable, ze_fabric_edge_exp_dditable_t) \
  X(zetGetDeviceProcAddrTable, zet_device_dditable_t) \
  X(zetGetContextProcAddrTable, zet_context_dditable_t) \
  X(zetGetCommandListProcAddrTable, zet_command_list_dditable_t) \
  X(zetGetModuleProcAddrTable, zet_module_dditable_t) \
  X(zetGetKernelProcAddrTable, zet_kernel_dditable_t) \
  X(zetGetMetricGroupProcAddrTable, zet_metric_group_dditable_t) \
  X(zetGetMetricGroupExpProcAddrTable, zet_metric_group_exp_dditable_t) \
  X(zetGetMetricProcAddrTable, zet_metric_dditable_t) \
  X(zetGetMetricStreamerProcAddrTable, zet_metric_streamer_dditable_t) \
  X(zetGetMetricQueryPoolProcAddrTable, zet_metric_query_pool_dditable_t) \
  X(zetGetMetricQueryProcAddrTable, zet_metric_query_dditable_t) \
  X(zetGetTracerExpProcAddrTable, zet_tracer_exp_dditable_t) \
  X(zetGetDebugProcAddrTable, zet_debug_dditable_t) \
  X(zesGetDriverProcAddrTable, zes_driver_dditable_t) \
  X(zesGetDeviceProcAddrTable, zes_device_dditable_t) \
  X(zesGetSchedulerProcAddrTable, zes_scheduler_dditable_t) \
  X(zesGetPerformanceFactorProcAddrTable, zes_performance_factor_dditable_t) \
  X(zesGetPowerProcAddrTable, zes_power_dditable_t) \
  X(zesGetFrequencyProcAddrTable, zes_frequency_dditable_t) \
  X(zesGetEngineProcAddrTable, zes_engine_dditable_t) \
  X(zesGetStandbyProcAddrTable, zes_standby_dditable_t) \
  X(zesGetFirmwareProcAddrTable, zes_firmware_dditable_t) \
  X(zesGetMemoryProcAddrTable, zes_memory_dditable_t) \
  X(zesGetFabricPortProcAddrTable, zes_fabric_port_dditable_t) \
  X(zesGetTemperatureProcAddrTable, zes_temperature_dditable_t) \
  X(zesGetPsuProcAddrTable, zes_psu_dditable_t) \
  X(zesGetFanProcAddrTable, zes_fan_dditable_t) \
  X(zesGetLedProcAddrTable, zes_led_dditable_t) \
  X(zesGetRasProcAddrTable, zes_ras_dditable_t) \
  X(zesGetDiagnosticsProcAddrTable, zes_diagnostics_dditable_t)

#define NPUJAR_DEFINE_GET_TABLE(function, table_type)                                   \
  extern "C" ZE_DLLEXPORT ze_result_t ZE_APICALL function(                            \
      ze_api_version_t, table_type* table) {                                            \
    if (table == nullptr) {                                                             \
      return ZE_RESULT_ERROR_INVALID_NULL_POINTER;                                      \
    }                                                                                   \
    std::memset(table, 0, sizeof(*table));                                              \
    fill(table);                                                                        \
    return ZE_RESULT_SUCCESS;                                                           \
  }

NPUJAR_ZE_PROC_ADDR_TABLES(NPUJAR_DEFINE_GET_TABLE)
