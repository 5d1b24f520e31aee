// The NPU the backend runs on: the first Level Zero device of type VPU
// (Level Zero's name for an NPU) whose driver offers the graph extension
// with major version 1, with its context and the extension's function
// table. Opened once per process on first use and never closed, because
// drivers do not expect their context to be destroyed during exit.
#pragma once

#include <cstdint>
#include <string>

#include "level_zero_api.h"
#include "npujar/runtime/status.h"
#include "ze_graph_ext_types.h"

namespace npujar::runtime::npu {

struct NpuDevice {
  const LevelZeroApi* api = nullptr;
  ze_driver_handle_t driver = nullptr;
  ze_device_handle_t device = nullptr;
  ze_context_handle_t context = nullptr;
  const ze_graph::DdiTable* graph = nullptr;

  std::string name;             // from zeDeviceGetProperties
  uint32_t vendor_id = 0;
  uint32_t device_id = 0;
  uint32_t driver_version = 0;  // zeDriverGetProperties' driverVersion
  std::string extension_name;   // e.g. "ZE_extension_graph_1_5"
  uint32_t extension_version = 0;
  ze_graph::DeviceGraphProperties graph_properties{};

  // "NPU 'Intel(R) AI Boost' (0x8086:0x7d1d), driver version 65538, graph
  // extension 1.5, compiler 7.3, opsets up to 14".
  std::string describe() const;
  // Identifies what a compiled blob depends on: device, driver, extension
  // and compiler versions.
  std::string cache_identity() const;
};

// Returns the process's NPU, or the reason there is none (no loader, no
// driver, no VPU device, no graph extension, an unsupported extension
// major version). The reason is computed once and returned to every caller.
Result<const NpuDevice*> open_npu_device();

}  // namespace npujar::runtime::npu
