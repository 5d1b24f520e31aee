// Shared state of the NPU test double (libnpujar_ze_npu_test_double.so), a
// Level Zero driver for tests only. It reports one NPU and implements the
// graph extension by compiling the OpenVINO IR it receives for OpenVINO's
// CPU device; see ze_npu_test_double.cc for the environment it reads.
#pragma once

#include <level_zero/ze_api.h>

#include <cstdint>
#include <string>

#include "ze_graph_ext_types.h"

namespace npujar::testing {

struct DoubleConfig {
  uint32_t extension_version = 0;                          // NPUJAR_ZE_TEST_GRAPH_EXTENSION
  runtime::ze_graph::CompilerVersion compiler{5, 0};       // NPUJAR_ZE_TEST_COMPILER
  uint32_t max_opset = 14;                                 // NPUJAR_ZE_TEST_MAX_OPSET
  bool fail_compile = false;                               // NPUJAR_ZE_TEST_FAIL_COMPILE=1
  std::string stats_file;                                  // NPUJAR_ZE_TEST_STATS
};

const DoubleConfig& config();

// Counters written to NPUJAR_ZE_TEST_STATS after every change, as lines
// "compiles N", "native_loads N", "executions N".
enum class Counter { kCompiles, kNativeLoads, kExecutions };
void count(Counter counter);

// The graph extension's function table (through version 1.4).
const runtime::ze_graph::DdiTable* graph_table();

// Runs the graphs an AppendGraphExecute recorded into a command list.
// Returns the first failure.
ze_result_t execute_graph(ze_graph_handle_t graph);

}  // namespace npujar::testing
