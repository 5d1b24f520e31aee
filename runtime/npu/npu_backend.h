// The Level Zero NPU backend: runs `npu` variants in the `openvino-ir`
// format on an Intel NPU through the graph extension. docs/npu.md describes
// the whole path; npu_backend.cc explains the load steps.
#pragma once

#include <memory>
#include <string>

#include "npujar/runtime/backend.h"

namespace npujar::runtime {

std::unique_ptr<Backend> make_level_zero_npu_backend();

// One line for logs and `npujar targets`: the NPU and its graph extension,
// or why there is none.
std::string describe_npu();

}  // namespace npujar::runtime
