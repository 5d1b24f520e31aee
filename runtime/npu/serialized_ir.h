// The input the NPU driver's compiler takes for ZE_GRAPH_FORMAT_NGRAPH_LITE,
// laid out as OpenVINO's NPU plugin writes it (little-endian):
//
//   u16 compiler major, u16 compiler minor   (the driver's, from pfnDeviceGetGraphProperties)
//   u32 number of buffers = 2
//   u64 XML size, XML bytes
//   u64 weights size, weights bytes
//
// and the build flags that name each argument's precision and layout.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "npujar/format/manifest.h"
#include "ze_graph_ext_types.h"

namespace npujar::runtime::npu {

std::vector<uint8_t> serialize_ir(const ze_graph::CompilerVersion& compiler, const uint8_t* xml,
                                  size_t xml_size, const uint8_t* weights, size_t weights_size);

// '--inputs_precisions="x:FP32" --inputs_layouts="x:NCHW" --outputs_precisions=...
// --outputs_layouts=... --config PERFORMANCE_HINT="LATENCY"', so the compiled
// graph reads and writes the manifest's dtypes in row-major order.
std::string build_flags(const format::Manifest& manifest);

// Splits a serialized IR back into XML and weights; returns false when the
// layout above does not hold. Used by the test driver and by tests.
bool parse_serialized_ir(const uint8_t* data, size_t size, ze_graph::CompilerVersion* compiler,
                         std::string* xml, std::vector<uint8_t>* weights);

}  // namespace npujar::runtime::npu
