// The NPU variant of an archive: the graph exported as OpenVINO IR with
// static shapes, which an Intel NPU driver compiles through Level Zero's
// graph extension when the model loads. `npujar pack --targets ...,npu`
// calls build_npu_variant on the optimized graph (before weights are
// pre-packed for code generation) and add_npu_variant_or_explain once the
// archive's writer and manifest exist. CPU variants do not depend on it, so
// an unsupported operator only leaves the NPU variant out.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "npujar/format/manifest.h"
#include "npujar/format/writer.h"
#include "npujar/ir/graph.h"

namespace npujar::npu {

// Variant and section names the runtime's NPU backend looks for.
inline constexpr const char* kNpuVariantName = "npu-openvino";
inline constexpr const char* kNpuFormat = "openvino-ir";
inline constexpr const char* kNpuModelSection = "variant/npu-openvino/model.xml";
inline constexpr const char* kNpuWeightsSection = "variant/npu-openvino/weights.bin";

// Graph extension versions (major.minor) the variant is written for. 1.0 has
// everything the runtime needs to compile and run IR; the runtime checks the
// driver's version against this range before handing it the IR.
inline constexpr const char* kGraphExtensionMin = "1.0";
inline constexpr const char* kGraphExtensionMax = "1.10";

struct NpuVariantOptions {
  // Value of every symbolic dimension (the batch N of `--npu-batch`); NPU
  // compilers need static shapes.
  int64_t batch = 1;
};

// The NPU variant ready to be added to an archive, or why it cannot be.
struct NpuVariant {
  std::vector<std::string> unsupported;  // empty when the variant was built
  format::Variant variant;
  std::string xml;
  std::vector<uint8_t> weights;
};

// Exports `graph` (after the IR passes) and describes the variant. Throws
// ir::IrError only for a graph that is itself invalid.
NpuVariant build_npu_variant(const ir::Graph& graph, const NpuVariantOptions& options);

// Adds the variant's sections to `writer` and its entry to `manifest`.
void add_npu_variant(const NpuVariant& npu, format::ArchiveWriter& writer,
                     format::Manifest& manifest);

// Adds the variant when it was built. Returns the lines pack prints: one
// summary line when the variant was added, or a line saying it was left out
// followed by one line per unsupported operator.
std::vector<std::string> add_npu_variant_or_explain(const NpuVariant& npu,
                                                    format::ArchiveWriter& writer,
                                                    format::Manifest& manifest);

// Removes the NPU target from a comma-separated --targets list and returns
// whether it was there, so the rest goes to code generation unchanged.
// Throws std::invalid_argument for "npu-<platform>" (precompiled blobs),
// which this build cannot produce; docs/npu.md explains why.
bool take_npu_target(std::string& targets);

}  // namespace npujar::npu
