// Writes the NPU variant of a TorchScript model as the files OpenVINO reads,
// for the tests that run those bytes on OpenVINO's CPU device. The graph goes
// through the same steps as in `npujar pack`: import, the IR passes, the
// graph encoding round trip, then build_npu_variant.
//
// Usage: npujar_npu_export MODEL.pt OUTPUT_PREFIX [--batch N] --input SPEC...
// Writes OUTPUT_PREFIX.xml and OUTPUT_PREFIX.bin. Exit status 0 when written,
// 3 when operators have no OpenVINO equivalent (listed on stdout), 1 on
// other errors.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "npu_variant.h"
#include "npujar/importer/importer.h"
#include "npujar/ir/passes.h"
#include "npujar/ir/serialize.h"

namespace {

void write_file(const std::string& path, const void* data, size_t size) {
  std::ofstream file(path, std::ios::binary);
  file.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
  if (!file) {
    throw std::runtime_error("writing '" + path + "' failed");
  }
}

int run(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s MODEL.pt OUTPUT_PREFIX [--batch N] --input SPEC...\n", argv[0]);
    return 1;
  }
  std::string model = argv[1];
  std::string prefix = argv[2];
  npujar::npu::NpuVariantOptions options;
  std::vector<npujar::importer::InputSpec> inputs;
  for (int i = 3; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--input") {
      inputs.push_back(npujar::importer::parse_input_spec(argv[i + 1]));
    } else if (flag == "--batch") {
      options.batch = std::atoll(argv[i + 1]);
    } else {
      std::fprintf(stderr, "unknown option '%s'; expected --input or --batch\n", flag.c_str());
      return 1;
    }
  }

  npujar::ir::Graph graph = npujar::importer::import_torchscript(model, inputs);
  npujar::ir::optimize(graph);
  std::vector<uint8_t> graph_bytes = npujar::ir::serialize_graph(graph, nullptr);
  std::vector<uint8_t> weights = npujar::ir::serialize_weights(graph);
  graph = npujar::ir::deserialize_graph(graph_bytes, weights);

  npujar::npu::NpuVariant npu = npujar::npu::build_npu_variant(graph, options);
  if (!npu.unsupported.empty()) {
    for (const std::string& reason : npu.unsupported) {
      std::printf("unsupported: %s\n", reason.c_str());
    }
    return 3;
  }
  write_file(prefix + ".xml", npu.xml.data(), npu.xml.size());
  write_file(prefix + ".bin", npu.weights.data(), npu.weights.size());
  for (const auto& [key, value] : npu.variant.properties) {
    std::printf("%s: %s\n", key.c_str(), value.c_str());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "npujar_npu_export: %s\n", error.what());
    return 1;
  }
}
