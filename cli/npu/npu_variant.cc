#include "npu_variant.h"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <string>

#include "npujar_model_abi.h"
#include "openvino_ir.h"

namespace npujar::npu {
namespace {

// Intel's PCI vendor id: ZE_extension_graph is the extension of Intel's NPU driver.
constexpr uint32_t kIntelVendorId = 0x8086;

std::string static_shape_text(const ir::Value& value, const std::map<std::string, int64_t>& symbols) {
  std::string text = value.name + "=[";
  for (size_t i = 0; i < value.shape.size(); ++i) {
    text += (i > 0 ? "," : "") + std::to_string(value.shape[i].resolve(symbols));
  }
  return text + "]";
}

// The highest opset number in "opset1 opset8 opset14", so the runtime can
// compare it with the driver's maxOVOpsetVersionSupported.
int max_opset(const std::string& opsets) {
  int highest = 0;
  size_t position = 0;
  while ((position = opsets.find("opset", position)) != std::string::npos) {
    position += 5;
    highest = std::max(highest, std::stoi(opsets.substr(position)));
  }
  return highest;
}

}  // namespace

NpuVariant build_npu_variant(const ir::Graph& graph, const NpuVariantOptions& options) {
  std::map<std::string, int64_t> symbols;
  for (const std::string& symbol : graph.symbols()) {
    symbols[symbol] = options.batch;
  }

  OpenVinoIr exported = export_openvino_ir(graph, OpenVinoExportOptions{symbols});
  NpuVariant npu;
  npu.unsupported = std::move(exported.unsupported);
  if (!npu.unsupported.empty()) {
    return npu;
  }
  npu.xml = std::move(exported.xml);
  npu.weights = std::move(exported.weights);

  format::Variant& variant = npu.variant;
  variant.name = kNpuVariantName;
  variant.kind = "npu";
  variant.format = kNpuFormat;
  variant.device = format::DeviceRequirement{kIntelVendorId, 0, "level-zero"};
  variant.sections = {kNpuModelSection, kNpuWeightsSection};
  variant.compiler = "OpenVINO IR v11, compiled by the NPU driver at load time";
  variant.abi_version = NPUJAR_MODEL_ABI_VERSION;

  std::string shapes;
  for (int input : graph.inputs) {
    shapes += (shapes.empty() ? "" : " ") + static_shape_text(graph.values[input], symbols);
  }
  std::string symbol_values;
  for (const auto& [symbol, value] : symbols) {
    symbol_values += (symbol_values.empty() ? "" : " ") + symbol + "=" + std::to_string(value);
  }
  variant.properties["opsets"] = exported.opsets;
  variant.properties["max_opset"] = std::to_string(max_opset(exported.opsets));
  variant.properties["static_shapes"] = shapes;
  if (!symbol_values.empty()) {
    variant.properties["symbol_values"] = symbol_values;
  }
  variant.properties["graph_extension_min"] = kGraphExtensionMin;
  variant.properties["graph_extension_max"] = kGraphExtensionMax;
  return npu;
}

void add_npu_variant(const NpuVariant& npu, format::ArchiveWriter& writer,
                     format::Manifest& manifest) {
  std::vector<uint8_t> xml(npu.xml.begin(), npu.xml.end());
  format::SectionOptions xml_options;
  xml_options.compression = format::Compression::kZstd;
  writer.add_section(kNpuModelSection, format::SectionKind::kDeviceBlob, std::move(xml), xml_options);

  // Weights stay uncompressed and page aligned, so a loader can map them;
  // only the XML is compressed.
  format::SectionOptions weights_options;
  weights_options.alignment = 4096;
  writer.add_section(kNpuWeightsSection, format::SectionKind::kDeviceBlob, npu.weights,
                     weights_options);
  manifest.variants.push_back(npu.variant);
}

std::vector<std::string> add_npu_variant_or_explain(const NpuVariant& npu,
                                                    format::ArchiveWriter& writer,
                                                    format::Manifest& manifest) {
  std::vector<std::string> lines;
  if (!npu.unsupported.empty()) {
    lines.push_back("npu variant left out: " + std::to_string(npu.unsupported.size()) +
                    " operators have no OpenVINO equivalent; the cpu variants are unaffected");
    for (const std::string& reason : npu.unsupported) {
      lines.push_back("  " + reason);
    }
    return lines;
  }
  add_npu_variant(npu, writer, manifest);
  lines.push_back(std::string("variant ") + kNpuVariantName + ": OpenVINO IR, " +
                  std::to_string(npu.xml.size()) + " bytes of XML, " +
                  std::to_string(npu.weights.size()) + " bytes of weights, " +
                  npu.variant.properties.at("opsets") + ", static shapes " +
                  npu.variant.properties.at("static_shapes"));
  return lines;
}

bool take_npu_target(std::string& targets) {
  std::vector<std::string> kept;
  bool found = false;
  size_t start = 0;
  while (start <= targets.size()) {
    size_t comma = targets.find(',', start);
    if (comma == std::string::npos) comma = targets.size();
    std::string name = targets.substr(start, comma - start);
    name.erase(0, name.find_first_not_of(" \t"));
    name.erase(name.find_last_not_of(" \t") + 1);
    if (name == "npu") {
      found = true;
    } else if (name.rfind("npu-", 0) == 0) {
      throw std::invalid_argument(
          "target '" + name + "': precompiled NPU blobs need Intel's NPU compiler, which the "
          "openvino PyPI package does not ship and which otherwise runs only inside the NPU "
          "driver with a device present; use --targets npu, which the driver compiles at load "
          "time (docs/npu.md)");
    } else if (!name.empty()) {
      kept.push_back(name);
    }
    start = comma + 1;
  }
  std::string rest;
  for (const std::string& name : kept) rest += (rest.empty() ? "" : ",") + name;
  targets = rest;
  return found;
}

}  // namespace npujar::npu
