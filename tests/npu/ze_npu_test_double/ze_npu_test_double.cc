// A Level Zero driver for tests: one NPU (device type VPU, Intel's vendor
// id) with the graph extension, which compiles OpenVINO IR for OpenVINO's
// CPU device (test_graph.cc). Load it with
// ZE_ENABLE_ALT_DRIVERS=/absolute/path/libnpujar_ze_npu_test_double.so; the
// loader accepts it because it exports every ze*, zet* and zes*
// Get...ProcAddrTable function of loader 1.8, zero-filled except what is
// implemented here.
//
// Environment:
//   NPUJAR_OPENVINO_C_LIBRARY      path of libopenvino_c.so.* (required to compile)
//   NPUJAR_ZE_TEST_GRAPH_EXTENSION graph extension version, default "1.4"
//   NPUJAR_ZE_TEST_COMPILER        compiler version, default "5.0"
//   NPUJAR_ZE_TEST_MAX_OPSET       highest opset the compiler takes, default 14
//   NPUJAR_ZE_TEST_FAIL_COMPILE=1  every IR compilation fails
//   NPUJAR_ZE_TEST_STATS           file that receives the counters of test_double.h
//
// Command lists are recorded and run synchronously on submission, so a
// fence is signaled when zeCommandQueueExecuteCommandLists returns.
#include <level_zero/ze_api.h>
#include <level_zero/ze_ddi.h>
#include <level_zero/zes_ddi.h>
#include <level_zero/zet_ddi.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <string>
#include <vector>

#include "test_double.h"

namespace npujar::testing {
namespace {

namespace zg = runtime::ze_graph;

constexpr uint32_t kDriverVersion = 0x00010002;

uint32_t parse_version(const char* text, uint32_t fallback) {
  if (text == nullptr || std::strchr(text, '.') == nullptr) return fallback;
  char* end = nullptr;
  unsigned long major = std::strtoul(text, &end, 10);
  unsigned long minor = std::strtoul(end + 1, nullptr, 10);
  return zg::make_version(static_cast<uint32_t>(major), static_cast<uint32_t>(minor));
}

struct Device {
  int unused = 0;
};
struct Context {
  int unused = 0;
};
struct Queue {
  int unused = 0;
};
struct Fence {
  std::atomic<bool> signaled{false};
};
struct CommandList {
  std::mutex mutex;
  std::vector<ze_graph_handle_t> executions;  // graphs to run, in order
  bool closed = false;
};

Device the_device;
int the_driver;

std::atomic<uint64_t> compiles{0};
std::atomic<uint64_t> native_loads{0};
std::atomic<uint64_t> executions{0};
std::mutex stats_mutex;

template <typename Handle>
ze_result_t list_one(uint32_t* count, Handle* handles, Handle only) {
  if (count == nullptr) return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
  if (*count == 0 || handles == nullptr) {
    *count = 1;
    return ZE_RESULT_SUCCESS;
  }
  handles[0] = only;
  *count = 1;
  return ZE_RESULT_SUCCESS;
}

ze_result_t ZE_APICALL init(ze_init_flags_t) { return ZE_RESULT_SUCCESS; }

ze_result_t ZE_APICALL driver_get(uint32_t* count, ze_driver_handle_t* drivers) {
  return list_one(count, drivers, reinterpret_cast<ze_driver_handle_t>(&the_driver));
}

ze_result_t ZE_APICALL driver_get_api_version(ze_driver_handle_t, ze_api_version_t* version) {
  if (version == nullptr) return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
  *version = ZE_API_VERSION_CURRENT;
  return ZE_RESULT_SUCCESS;
}

ze_result_t ZE_APICALL driver_get_properties(ze_driver_handle_t, ze_driver_properties_t* properties) {
  if (properties == nullptr) return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
  std::memset(properties->uuid.id, 0x4e, sizeof(properties->uuid.id));
  properties->driverVersion = kDriverVersion;
  return ZE_RESULT_SUCCESS;
}

// The graph extension is listed under the names the NPU driver uses: the
// bare name for 1.0 and a versioned name for the configured version.
ze_result_t ZE_APICALL driver_get_extension_properties(ze_driver_handle_t, uint32_t* count,
                                                       ze_driver_extension_properties_t* properties) {
  if (count == nullptr) return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
  uint32_t version = config().extension_version;
  std::vector<ze_driver_extension_properties_t> all(2);
  std::snprintf(all[0].name, ZE_MAX_EXTENSION_NAME, "%s", zg::kExtensionName);
  all[0].version = zg::make_version(zg::version_major(version), 0);
  std::snprintf(all[1].name, ZE_MAX_EXTENSION_NAME, "%s_%u_%u", zg::kExtensionName,
                zg::version_major(version), zg::version_minor(version));
  all[1].version = version;
  if (*count == 0 || properties == nullptr) {
    *count = static_cast<uint32_t>(all.size());
    return ZE_RESULT_SUCCESS;
  }
  uint32_t written = std::min<uint32_t>(*count, static_cast<uint32_t>(all.size()));
  for (uint32_t i = 0; i < written; ++i) properties[i] = all[i];
  *count = written;
  return ZE_RESULT_SUCCESS;
}

ze_result_t ZE_APICALL driver_get_extension_function_address(ze_driver_handle_t, const char* name,
                                                             void** function) {
  if (name == nullptr || function == nullptr) return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
  if (std::strncmp(name, zg::kExtensionName, std::strlen(zg::kExtensionName)) != 0) {
    return ZE_RESULT_ERROR_INVALID_ARGUMENT;
  }
  *function = const_cast<zg::DdiTable*>(graph_table());
  return ZE_RESULT_SUCCESS;
}

ze_result_t ZE_APICALL device_get(ze_driver_handle_t, uint32_t* count, ze_device_handle_t* devices) {
  return list_one(count, devices, reinterpret_cast<ze_device_handle_t>(&the_device));
}

ze_result_t ZE_APICALL device_get_properties(ze_device_handle_t, ze_device_properties_t* properties) {
  if (properties == nullptr) return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
  properties->type = ZE_DEVICE_TYPE_VPU;
  properties->vendorId = 0x8086;
  properties->deviceId = 0x7d1d;  // Meteor Lake's NPU 3720
  std::memset(properties->name, 0, sizeof(properties->name));
  std::snprintf(properties->name, sizeof(properties->name), "npujar test NPU (OpenVINO CPU)");
  return ZE_RESULT_SUCCESS;
}

ze_result_t ZE_APICALL context_create(ze_driver_handle_t, const ze_context_desc_t*,
                                      ze_context_handle_t* context) {
  if (context == nullptr) return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
  *context = reinterpret_cast<ze_context_handle_t>(new Context);
  return ZE_RESULT_SUCCESS;
}

ze_result_t ZE_APICALL context_destroy(ze_context_handle_t context) {
  delete reinterpret_cast<Context*>(context);
  return ZE_RESULT_SUCCESS;
}

ze_result_t ZE_APICALL queue_create(ze_context_handle_t, ze_device_handle_t,
                                    const ze_command_queue_desc_t*, ze_command_queue_handle_t* queue) {
  if (queue == nullptr) return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
  *queue = reinterpret_cast<ze_command_queue_handle_t>(new Queue);
  return ZE_RESULT_SUCCESS;
}

ze_result_t ZE_APICALL queue_destroy(ze_command_queue_handle_t queue) {
  delete reinterpret_cast<Queue*>(queue);
  return ZE_RESULT_SUCCESS;
}

ze_result_t ZE_APICALL queue_execute(ze_command_queue_handle_t, uint32_t count,
                                     ze_command_list_handle_t* lists, ze_fence_handle_t fence) {
  for (uint32_t i = 0; i < count; ++i) {
    CommandList& list = *reinterpret_cast<CommandList*>(lists[i]);
    std::vector<ze_graph_handle_t> graphs;
    {
      std::lock_guard<std::mutex> lock(list.mutex);
      if (!list.closed) return ZE_RESULT_ERROR_INVALID_ARGUMENT;
      graphs = list.executions;
    }
    for (ze_graph_handle_t graph : graphs) {
      ze_result_t result = execute_graph(graph);
      if (result != ZE_RESULT_SUCCESS) return result;
    }
  }
  if (fence != nullptr) reinterpret_cast<Fence*>(fence)->signaled = true;
  return ZE_RESULT_SUCCESS;
}

ze_result_t ZE_APICALL list_create(ze_context_handle_t, ze_device_handle_t,
                                   const ze_command_list_desc_t*, ze_command_list_handle_t* list) {
  if (list == nullptr) return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
  *list = reinterpret_cast<ze_command_list_handle_t>(new CommandList);
  return ZE_RESULT_SUCCESS;
}

ze_result_t ZE_APICALL list_destroy(ze_command_list_handle_t list) {
  delete reinterpret_cast<CommandList*>(list);
  return ZE_RESULT_SUCCESS;
}

ze_result_t ZE_APICALL list_close(ze_command_list_handle_t handle) {
  CommandList& list = *reinterpret_cast<CommandList*>(handle);
  std::lock_guard<std::mutex> lock(list.mutex);
  list.closed = true;
  return ZE_RESULT_SUCCESS;
}

ze_result_t ZE_APICALL list_reset(ze_command_list_handle_t handle) {
  CommandList& list = *reinterpret_cast<CommandList*>(handle);
  std::lock_guard<std::mutex> lock(list.mutex);
  list.executions.clear();
  list.closed = false;
  return ZE_RESULT_SUCCESS;
}

ze_result_t ZE_APICALL fence_create(ze_command_queue_handle_t, const ze_fence_desc_t*,
                                    ze_fence_handle_t* fence) {
  if (fence == nullptr) return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
  *fence = reinterpret_cast<ze_fence_handle_t>(new Fence);
  return ZE_RESULT_SUCCESS;
}

ze_result_t ZE_APICALL fence_destroy(ze_fence_handle_t fence) {
  delete reinterpret_cast<Fence*>(fence);
  return ZE_RESULT_SUCCESS;
}

ze_result_t ZE_APICALL fence_host_synchronize(ze_fence_handle_t fence, uint64_t) {
  return reinterpret_cast<Fence*>(fence)->signaled ? ZE_RESULT_SUCCESS : ZE_RESULT_NOT_READY;
}

ze_result_t ZE_APICALL fence_reset(ze_fence_handle_t fence) {
  reinterpret_cast<Fence*>(fence)->signaled = false;
  return ZE_RESULT_SUCCESS;
}

ze_result_t ZE_APICALL mem_alloc_host(ze_context_handle_t, const ze_host_mem_alloc_desc_t*,
                                      size_t size, size_t alignment, void** pointer) {
  if (pointer == nullptr) return ZE_RESULT_ERROR_INVALID_NULL_POINTER;
  size_t align = alignment < 64 ? 64 : alignment;
  size_t rounded = (size + align - 1) / align * align;
  *pointer = std::aligned_alloc(align, rounded == 0 ? align : rounded);
  return *pointer != nullptr ? ZE_RESULT_SUCCESS : ZE_RESULT_ERROR_OUT_OF_HOST_MEMORY;
}

ze_result_t ZE_APICALL mem_free(ze_context_handle_t, void* pointer) {
  std::free(pointer);
  return ZE_RESULT_SUCCESS;
}

void fill(ze_global_dditable_t* table) { table->pfnInit = init; }
void fill(ze_driver_dditable_t* table) {
  table->pfnGet = driver_get;
  table->pfnGetApiVersion = driver_get_api_version;
  table->pfnGetProperties = driver_get_properties;
  table->pfnGetExtensionProperties = driver_get_extension_properties;
  table->pfnGetExtensionFunctionAddress = driver_get_extension_function_address;
}
void fill(ze_device_dditable_t* table) {
  table->pfnGet = device_get;
  table->pfnGetProperties = device_get_properties;
}
void fill(ze_context_dditable_t* table) {
  table->pfnCreate = context_create;
  table->pfnDestroy = context_destroy;
}
void fill(ze_command_queue_dditable_t* table) {
  table->pfnCreate = queue_create;
  table->pfnDestroy = queue_destroy;
  table->pfnExecuteCommandLists = queue_execute;
}
void fill(ze_command_list_dditable_t* table) {
  table->pfnCreate = list_create;
  table->pfnDestroy = list_destroy;
  table->pfnClose = list_close;
  table->pfnReset = list_reset;
}
void fill(ze_fence_dditable_t* table) {
  table->pfnCreate = fence_create;
  table->pfnDestroy = fence_destroy;
  table->pfnHostSynchronize = fence_host_synchronize;
  table->pfnReset = fence_reset;
}
void fill(ze_mem_dditable_t* table) {
  table->pfnAllocHost = mem_alloc_host;
  table->pfnFree = mem_free;
}
template <typename Table>
void fill(Table*) {}

}  // namespace

const DoubleConfig& config() {
  static const DoubleConfig instance = [] {
    DoubleConfig result;
    result.extension_version =
        parse_version(std::getenv("NPUJAR_ZE_TEST_GRAPH_EXTENSION"), zg::make_version(1, 4));
    uint32_t compiler = parse_version(std::getenv("NPUJAR_ZE_TEST_COMPILER"), zg::make_version(5, 0));
    result.compiler = {static_cast<uint16_t>(zg::version_major(compiler)),
                       static_cast<uint16_t>(zg::version_minor(compiler))};
    if (const char* opset = std::getenv("NPUJAR_ZE_TEST_MAX_OPSET")) {
      result.max_opset = static_cast<uint32_t>(std::strtoul(opset, nullptr, 10));
    }
    const char* fail = std::getenv("NPUJAR_ZE_TEST_FAIL_COMPILE");
    result.fail_compile = fail != nullptr && std::strcmp(fail, "1") == 0;
    if (const char* stats = std::getenv("NPUJAR_ZE_TEST_STATS")) result.stats_file = stats;
    return result;
  }();
  return instance;
}

void count(Counter counter) {
  switch (counter) {
    case Counter::kCompiles: ++compiles; break;
    case Counter::kNativeLoads: ++native_loads; break;
    case Counter::kExecutions: ++executions; break;
  }
  if (config().stats_file.empty()) return;
  std::lock_guard<std::mutex> lock(stats_mutex);
  std::ofstream file(config().stats_file, std::ios::trunc);
  file << "compiles " << compiles << "\nnative_loads " << native_loads << "\nexecutions "
       << executions << "\n";
}

ze_result_t append_graph_initialize(ze_command_list_handle_t list, ze_graph_handle_t graph,
                                    ze_event_handle_t, uint32_t, ze_event_handle_t*) {
  if (list == nullptr || graph == nullptr) return ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
  return ZE_RESULT_SUCCESS;
}

ze_result_t append_graph_execute(ze_command_list_handle_t handle, ze_graph_handle_t graph, void*,
                                 ze_event_handle_t, uint32_t, ze_event_handle_t*) {
  if (handle == nullptr || graph == nullptr) return ZE_RESULT_ERROR_INVALID_NULL_HANDLE;
  CommandList& list = *reinterpret_cast<CommandList*>(handle);
  std::lock_guard<std::mutex> lock(list.mutex);
  if (list.closed) return ZE_RESULT_ERROR_INVALID_ARGUMENT;
  list.executions.push_back(graph);
  return ZE_RESULT_SUCCESS;
}

}  // namespace npujar::testing

// Every Get...ProcAddrTable function loader 1.8 looks up, from ze_ddi.h,
// zet_ddi.h and zes_ddi.h.
#define NPUJAR_NPU_DOUBLE_TABLES(X)                                   \
  X(zeGetGlobalProcAddrTable, ze_global_dditable_t)                   \
  X(zeGetDriverProcAddrTable, ze_driver_dditable_t)                   \
  X(zeGetDeviceProcAddrTable, ze_device_dditable_t)                   \
  X(zeGetDeviceExpProcAddrTable, ze_device_exp_dditable_t)            \
  X(zeGetContextProcAddrTable, ze_context_dditable_t)                 \
  X(zeGetCommandQueueProcAddrTable, ze_command_queue_dditable_t)      \
  X(zeGetCommandListProcAddrTable, ze_command_list_dditable_t)        \
  X(zeGetImageProcAddrTable, ze_image_dditable_t)                     \
  X(zeGetImageExpProcAddrTable, ze_image_exp_dditable_t)              \
  X(zeGetFenceProcAddrTable, ze_fence_dditable_t)                     \
  X(zeGetEventPoolProcAddrTable, ze_event_pool_dditable_t)            \
  X(zeGetEventProcAddrTable, ze_event_dditable_t)                     \
  X(zeGetEventExpProcAddrTable, ze_event_exp_dditable_t)              \
  X(zeGetModuleProcAddrTable, ze_module_dditable_t)                   \
  X(zeGetModuleBuildLogProcAddrTable, ze_module_build_log_dditable_t) \
  X(zeGetKernelProcAddrTable, ze_kernel_dditable_t)                   \
  X(zeGetKernelExpProcAddrTable, ze_kernel_exp_dditable_t)            \
  X(zeGetSamplerProcAddrTable, ze_sampler_dditable_t)                 \
  X(zeGetPhysicalMemProcAddrTable, ze_physical_mem_dditable_t)        \
  X(zeGetMemProcAddrTable, ze_mem_dditable_t)                         \
  X(zeGetVirtualMemProcAddrTable, ze_virtual_mem_dditable_t)          \
  X(zeGetFabricVertexExpProcAddrTable, ze_fabric_vertex_exp_dditable_t) \
  X(zeGetFabricEdgeExpProcAddrTable, ze_fabric_edge_exp_dditable_t)   \
  X(zetGetDeviceProcAddrTable, zet_device_dditable_t)                 \
  X(zetGetContextProcAddrTable, zet_context_dditable_t)               \
  X(zetGetCommandListProcAddrTable, zet_command_list_dditable_t)      \
  X(zetGetModuleProcAddrTable, zet_module_dditable_t)                 \
  X(zetGetKernelProcAddrTable, zet_kernel_dditable_t)                 \
  X(zetGetMetricGroupProcAddrTable, zet_metric_group_dditable_t)      \
  X(zetGetMetricGroupExpProcAddrTable, zet_metric_group_exp_dditable_t) \
  X(zetGetMetricProcAddrTable, zet_metric_dditable_t)                 \
  X(zetGetMetricStreamerProcAddrTable, zet_metric_streamer_dditable_t) \
  X(zetGetMetricQueryPoolProcAddrTable, zet_metric_query_pool_dditable_t) \
  X(zetGetMetricQueryProcAddrTable, zet_metric_query_dditable_t)      \
  X(zetGetTracerExpProcAddrTable, zet_tracer_exp_dditable_t)          \
  X(zetGetDebugProcAddrTable, zet_debug_dditable_t)                   \
  X(zesGetDriverProcAddrTable, zes_driver_dditable_t)                 \
  X(zesGetDeviceProcAddrTable, zes_device_dditable_t)                 \
  X(zesGetSchedulerProcAddrTable, zes_scheduler_dditable_t)           \
  X(zesGetPerformanceFactorProcAddrTable, zes_performance_factor_dditable_t) \
  X(zesGetPowerProcAddrTable, zes_power_dditable_t)                   \
  X(zesGetFrequencyProcAddrTable, zes_frequency_dditable_t)           \
  X(zesGetEngineProcAddrTable, zes_engine_dditable_t)                 \
  X(zesGetStandbyProcAddrTable, zes_standby_dditable_t)               \
  X(zesGetFirmwareProcAddrTable, zes_firmware_dditable_t)             \
  X(zesGetMemoryProcAddrTable, zes_memory_dditable_t)                 \
  X(zesGetFabricPortProcAddrTable, zes_fabric_port_dditable_t)        \
  X(zesGetTemperatureProcAddrTable, zes_temperature_dditable_t)       \
  X(zesGetPsuProcAddrTable, zes_psu_dditable_t)                       \
  X(zesGetFanProcAddrTable, zes_fan_dditable_t)                       \
  X(zesGetLedProcAddrTable, zes_led_dditable_t)                       \
  X(zesGetRasProcAddrTable, zes_ras_dditable_t)                       \
  X(zesGetDiagnosticsProcAddrTable, zes_diagnostics_dditable_t)

#define NPUJAR_NPU_DOUBLE_GET_TABLE(function, table_type)                            \
  extern "C" ZE_DLLEXPORT ze_result_t ZE_APICALL function(ze_api_version_t,        \
                                                          table_type* table) {     \
    if (table == nullptr) return ZE_RESULT_ERROR_INVALID_NULL_POINTER;              \
    std::memset(table, 0, sizeof(*table));                                          \
    npujar::testing::fill(table);                                                   \
    return ZE_RESULT_SUCCESS;                                                       \
  }

NPUJAR_NPU_DOUBLE_TABLES(NPUJAR_NPU_DOUBLE_GET_TABLE)
