// Emits OpenVINO IR (version 11: an XML topology plus a binary weights file)
// from npujar's graph IR. This is the model description the Intel NPU driver
// compiles through Level Zero's graph extension, and what OpenVINO's own
// runtime reads, so the same bytes can be checked on OpenVINO's CPU device.
//
// NPU compilers need static shapes: symbolic dimensions are fixed to the
// values in ExportOptions. Operators are taken from opsets 1 to 14 as noted
// per operator in openvino_ir.cc.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "npujar/ir/graph.h"

namespace npujar::npu {

struct OpenVinoExportOptions {
  // Value of every symbolic dimension, e.g. {"N": 1}.
  std::map<std::string, int64_t> symbol_values;
};

struct OpenVinoIr {
  std::string xml;
  std::vector<uint8_t> weights;
  // One entry per node that has no OpenVINO equivalent, e.g.
  // "node 7 (avg_pool2d at model.py:12): divisor override has no OpenVINO equivalent".
  // When not empty, `xml` and `weights` are empty and no variant is written.
  std::vector<std::string> unsupported;
  // Opsets the XML uses, e.g. "opset1 opset4 opset8".
  std::string opsets;
};

OpenVinoIr export_openvino_ir(const ir::Graph& graph, const OpenVinoExportOptions& options);

}  // namespace npujar::npu
