// `npujar pack`: TorchScript model -> .npujar archive.
//
// Steps, each of which can stop packing before anything is written:
//   1. import the model (LibTorch) into the graph IR, with input shapes
//      from --input;
//   2. optimize the graph (dead code, constant and batch-norm folding,
//      fusion marks);
//   3. pre-pack weights for generated code, encode the graph and weights
//      sections, and fill the manifest;
//   4. compile code variants for --targets (when code generation is built);
//   5. write the archive through a temporary file and a rename.
//
// Code generation's include directory is visible only when the tool links
// npujar_codegen, so `__has_include("variants.h")` shows whether step 4 is
// built in.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "commands.h"

#if defined(NPUJAR_HAVE_IMPORTER)

#include "npujar/format/error.h"
#include "npujar/format/manifest.h"
#include "npujar/format/writer.h"
#include "npujar/importer/importer.h"
#include "npujar/ir/error.h"
#include "npujar/ir/passes.h"
#include "npujar/ir/serialize.h"

#if __has_include("variants.h")
#define NPUJAR_PACK_HAS_CODEGEN 1
#include "error.h"
#include "prepack.h"
#include "progress.h"
#include "variants.h"
#endif

// The NPU variant (cli/npu) is built when the tool links npujar_openvino_ir.
#if __has_include("npu_variant.h")
#define NPUJAR_PACK_HAS_NPU 1
#include <stdexcept>

#include "npu_variant.h"
#endif

namespace npujar::cli {

namespace {

struct PackOptions {
  std::string model_path;
  std::string output_path;
  std::vector<std::string> inputs;
  std::string name;
  std::string targets;
  int64_t npu_batch = 1;
};

// Section names of the graph and weights in every archive pack writes.
constexpr const char* kGraphSection = "graph";
constexpr const char* kWeightsSection = "weights";

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string format_bytes(size_t bytes) {
  char text[32];
  if (bytes < 1024) {
    std::snprintf(text, sizeof text, "%zu B", bytes);
  } else if (bytes < 1024 * 1024) {
    std::snprintf(text, sizeof text, "%.1f KiB", static_cast<double>(bytes) / 1024);
  } else {
    std::snprintf(text, sizeof text, "%.1f MiB", static_cast<double>(bytes) / (1024 * 1024));
  }
  return text;
}

format::TensorSpec tensor_spec(const ir::Value& value) {
  format::TensorSpec spec;
  spec.name = value.name;
  spec.dtype = ir::dtype_name(value.dtype);
  for (const ir::Dim& dim : value.shape) spec.shape.push_back(format::Dimension{dim.coefficient, dim.symbol});
  return spec;
}

format::Manifest make_manifest(const ir::Graph& graph, const std::vector<uint8_t>& graph_bytes,
                               const std::vector<uint8_t>& weights) {
  format::Manifest manifest;
  manifest.producer = {"npujar", NPUJAR_VERSION_STRING};
  manifest.model.name = graph.name;
  manifest.model.content_hash =
      format::compute_content_hash(graph_bytes.data(), graph_bytes.size(), weights.data(), weights.size());
  for (int input : graph.inputs) manifest.inputs.push_back(tensor_spec(graph.values[input]));
  for (int output : graph.outputs) manifest.outputs.push_back(tensor_spec(graph.values[output]));
  manifest.symbols = graph.symbols();
  manifest.graph_section = kGraphSection;
  manifest.weights_section = kWeightsSection;
  return manifest;
}

std::vector<importer::InputSpec> parse_inputs(const std::vector<std::string>& texts) {
  std::vector<importer::InputSpec> specs;
  for (const std::string& text : texts) specs.push_back(importer::parse_input_spec(text));
  return specs;
}

#if defined(NPUJAR_PACK_HAS_CODEGEN)
codegen::CodegenOptions codegen_options(const PackOptions& options) {
  codegen::CodegenOptions result;
  if (!options.targets.empty()) result.targets = codegen::parse_targets(options.targets);
  return result;
}
#endif

// Rejects a model path that is a directory, and an output path that is a
// directory or names the model file itself, which writing would destroy.
void check_paths(const PackOptions& options) {
  std::error_code error;
  if (std::filesystem::is_directory(options.model_path, error)) {
    throw CommandError{"pack: " + options.model_path +
                       " is a directory; pass the TorchScript .pt file"};
  }
  if (std::filesystem::is_directory(options.output_path, error)) {
    throw CommandError{"pack: output " + options.output_path +
                       " is a directory; pass the path of the .npujar file to write"};
  }
  if (std::filesystem::exists(options.output_path, error) &&
      std::filesystem::equivalent(options.model_path, options.output_path, error)) {
    throw CommandError{"pack: output " + options.output_path + " is the same file as the model " +
                       options.model_path + "; pass another -o path; nothing was written"};
  }
}

void run_pack(const PackOptions& options) {
  auto started = std::chrono::steady_clock::now();
  const char* nothing_written = "; nothing was written";
  check_paths(options);
  try {
    importer::ImportOptions import_options;
    import_options.model_name = options.name;
    ir::Graph graph = importer::import_torchscript(options.model_path, parse_inputs(options.inputs), import_options);
    double import_seconds = seconds_since(started);
    size_t imported_nodes = graph.nodes.size();

    ir::optimize(graph);
#if defined(NPUJAR_PACK_HAS_NPU)
    // Exported before weights are pre-packed for generated code.
    [[maybe_unused]] PackOptions cpu_options = options;
    std::optional<npu::NpuVariant> npu_variant;
    try {
      if (npu::take_npu_target(cpu_options.targets)) {
        npu_variant = npu::build_npu_variant(graph, npu::NpuVariantOptions{options.npu_batch});
      }
    } catch (const std::invalid_argument& error) {
      throw CommandError{std::string("pack: ") + error.what() + nothing_written};
    }
#else
    [[maybe_unused]] const PackOptions& cpu_options = options;
#endif
#if defined(NPUJAR_PACK_HAS_CODEGEN)
    codegen::CodegenOptions variant_options = codegen_options(cpu_options);
    codegen::prepack_weights(graph);
#else
    if (!options.targets.empty()) {
      std::fprintf(stderr, "npujar pack: this build has no code generation; --targets '%s' is ignored and the "
                           "archive holds only the graph and weights\n", options.targets.c_str());
    }
#endif

    ir::WeightsLayout layout;
    std::vector<uint8_t> graph_bytes = ir::serialize_graph(graph, &layout);
    std::vector<uint8_t> weights = ir::serialize_weights(graph);
    format::Manifest manifest = make_manifest(graph, graph_bytes, weights);
    size_t graph_size = graph_bytes.size();
    size_t weights_size = weights.size();

    format::ArchiveWriter writer;
    format::SectionOptions graph_options;
    graph_options.compression = format::Compression::kZstd;
    writer.add_section(kGraphSection, format::SectionKind::kGraph, std::move(graph_bytes), graph_options);
    // Uncompressed and 64-byte aligned, so the runtime uses the weights in place.
    writer.add_section(kWeightsSection, format::SectionKind::kWeights, std::move(weights), format::SectionOptions{});

#if defined(NPUJAR_PACK_HAS_CODEGEN)
    // Compiling the variants takes seconds each; show it as it happens.
    codegen::TerminalProgress progress(stderr);
    variant_options.progress = progress.callback();
    std::vector<codegen::CompiledVariant> variants =
        codegen::generate_variants(graph, layout, variant_options, writer, manifest);
#endif
#if defined(NPUJAR_PACK_HAS_NPU)
    std::vector<std::string> npu_lines;
    if (npu_variant) npu_lines = npu::add_npu_variant_or_explain(*npu_variant, writer, manifest);
#endif
    writer.set_manifest(manifest);
    writer.write_to_file(options.output_path);

    std::printf("packed %s into %s in %.2f s (import %.2f s)\n", graph.name.c_str(), options.output_path.c_str(),
                seconds_since(started), import_seconds);
    std::printf("  graph:   %zu nodes (%zu before optimization), %s before zstd\n", graph.nodes.size(),
                imported_nodes, format_bytes(graph_size).c_str());
    std::printf("  weights: %s\n", format_bytes(weights_size).c_str());
#if defined(NPUJAR_PACK_HAS_CODEGEN)
    for (const codegen::CompiledVariant& variant : variants) {
      std::printf("  variant %s: %s, compiled in %.2f s\n", variant.target.variant_name.c_str(),
                  format_bytes(variant.bytes.size()).c_str(), variant.seconds);
    }
#endif
#if defined(NPUJAR_PACK_HAS_NPU)
    for (const std::string& line : npu_lines) std::printf("  %s\n", line.c_str());
#endif
  } catch (const importer::ImportError& error) {
    throw CommandError{std::string("pack: ") + error.what() + nothing_written};
  } catch (const ir::IrError& error) {
    throw CommandError{"pack: " + options.model_path + ": " + error.what() + nothing_written};
  } catch (const format::FormatError& error) {
    throw CommandError{"pack: " + options.output_path + ": " + error.message() + nothing_written};
#if defined(NPUJAR_PACK_HAS_CODEGEN)
  } catch (const codegen::CodegenError& error) {
    throw CommandError{"pack: " + options.model_path + ": code generation failed: " + error.what() + nothing_written};
#endif
  }
}

}  // namespace

void add_pack_command(CLI::App& app) {
  auto options = std::make_shared<PackOptions>();
  CLI::App* command = app.add_subcommand("pack", "Pack a TorchScript model (.pt) into a .npujar archive");
  command->add_option("MODEL", options->model_path, "TorchScript file written by torch.jit.save")->required();
  command->add_option("-o,--output", options->output_path, "Archive to write (.npujar)")->required();
  command->add_option("--input", options->inputs,
                      "One forward() argument as NAME:DTYPE[SHAPE], e.g. x:f32[N,3,224,224]; repeat it for "
                      "each argument, in order. A dim is an extent, a symbol (N) or a multiple of one (4*N)")
      ->required();
  command->add_option("--name", options->name, "Model name in the manifest (default: the file name)");
  command->add_option("--targets", options->targets,
                      "Comma-separated code variants to compile (see `npujar targets`); default: all");
  command->add_option("--npu-batch", options->npu_batch,
                      "Value of every symbolic dim (the batch N) in the npu variant, whose shapes are "
                      "static; default 1")
      ->check(CLI::PositiveNumber);
  command->callback([options] { run_pack(*options); });
}

}  // namespace npujar::cli

#else  // !NPUJAR_HAVE_IMPORTER

namespace npujar::cli {

// Without LibTorch the command still exists, so scripts get a clear error.
void add_pack_command(CLI::App& app) {
  CLI::App* command = app.add_subcommand("pack", "Pack a TorchScript model (.pt) into a .npujar archive");
  command->allow_extras();
  command->callback([] {
    throw CommandError{"pack: this npujar was built without the TorchScript importer "
                       "(NPUJAR_WITH_TORCH=OFF); rebuild with -DNPUJAR_WITH_TORCH=ON"};
  });
}

}  // namespace npujar::cli

#endif
