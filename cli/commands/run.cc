// `npujar run M.npujar --input x=in.npy --output out.npy`: runs an archive
// on NumPy inputs through the runtime (the variant the runtime selects, one
// forced with --variant, or the JIT with --jit), or through the IR's
// reference executor with --reference, and writes NumPy outputs.
//
// Inputs and outputs are given as name=path, or as bare paths taken in the
// manifest's order. The command is built only when the runtime and the IR
// libraries are part of the build; otherwise it reports how to enable them.
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "model_io.h"

#ifdef NPUJAR_CLI_HAS_RUNTIME
#include "npujar/format/reader.h"
#endif

namespace npujar::cli {
namespace {

struct RunOptions {
  std::string archive;
  std::vector<std::string> inputs;
  std::vector<std::string> outputs;
  std::string variant;
  bool jit = false;
  bool reference = false;
  int threads = 0;
};

// Rejects input paths that are directories and output paths that are
// directories or whose directory does not exist, before the model runs.
[[maybe_unused]] void check_paths(const std::vector<std::string>& inputs,
                                  const std::vector<std::string>& outputs) {
  std::error_code error;
  for (const std::string& binding : inputs) {
    std::string path = split_binding(binding).second;
    if (std::filesystem::is_directory(path, error)) {
      throw CommandError{"run: input " + path + " is a directory; pass a .npy file"};
    }
  }
  for (const std::string& binding : outputs) {
    std::filesystem::path path = split_binding(binding).second;
    if (std::filesystem::is_directory(path, error)) {
      throw CommandError{"run: output " + path.string() +
                         " is a directory; pass the path of the .npy file to write"};
    }
    std::filesystem::path parent = path.parent_path();
    if (!parent.empty() && !std::filesystem::is_directory(parent, error)) {
      throw CommandError{"run: output " + path.string() + ": directory " + parent.string() +
                         " does not exist; create it first"};
    }
  }
}

#ifdef NPUJAR_CLI_HAS_RUNTIME

std::vector<ir::HostTensor> read_inputs(const std::vector<std::string>& paths,
                                        const std::vector<std::string>& names,
                                        const std::vector<std::string>& dtypes) {
  std::vector<ir::HostTensor> tensors;
  for (size_t i = 0; i < paths.size(); ++i) {
    tensors.push_back(read_input("run", paths[i], names[i], dtypes[i]));
  }
  return tensors;
}

void run_command(const RunOptions& options) {
  if (options.jit && !options.variant.empty()) {
    throw CommandError{"run: --jit and --variant exclude each other; give one of them"};
  }

  runtime::RuntimeOptions runtime_options;
  if (options.threads > 0) {
    runtime_options.num_threads = options.threads;
  }
  if (options.jit) {
    runtime_options.jit_mode = NPUJAR_JIT_FORCE;
  }
  if (!options.variant.empty()) {
    runtime_options.variant = options.variant;
  }

  check_paths(options.inputs, options.outputs);

  // The manifest names the inputs; the reference path needs no compiled variant.
  std::vector<std::string> input_names;
  std::vector<std::string> input_dtypes;
  std::vector<std::string> output_names;
  std::unique_ptr<runtime::Model> model;
  if (options.reference) {
    try {
      format::ArchiveReader reader = format::ArchiveReader::open_file(options.archive);
      for (const auto& spec : reader.manifest().inputs) {
        input_names.push_back(spec.name);
        input_dtypes.push_back(spec.dtype);
      }
      for (const auto& spec : reader.manifest().outputs) output_names.push_back(spec.name);
    } catch (const format::FormatError& error) {
      throw CommandError{"run: " + options.archive + ": " + error.message()};
    }
  } else {
    auto loaded = runtime::Model::load_file(options.archive, runtime_options);
    if (!loaded) {
      throw CommandError{"run: " + loaded.status().message()};
    }
    model = std::move(*loaded);
    for (const auto& input : model->inputs()) {
      input_names.push_back(input.name);
      input_dtypes.push_back(runtime::dtype_name(input.dtype));
    }
    for (const auto& output : model->outputs()) output_names.push_back(output.name);
  }

  std::vector<ir::HostTensor> inputs =
      read_inputs(order_paths("run", options.inputs, input_names, "input", true), input_names, input_dtypes);
  std::vector<std::string> output_paths = order_paths("run", options.outputs, output_names, "output", true);

  std::vector<ir::HostTensor> outputs;
  if (options.reference) {
    outputs = run_reference_executor("run", options.archive, inputs);
    std::printf("executor: reference\n");
  } else {
    outputs = run_with_runtime("run", *model, inputs);
    std::printf("variant: %s (%s)\n", model->variant_name().c_str(),
                model->variant_reason().c_str());
  }

  for (size_t i = 0; i < outputs.size(); ++i) {
    try {
      ir::write_npy(output_paths[i], outputs[i]);
    } catch (const ir::IrError& error) {
      throw CommandError{std::string("run: ") + error.what()};
    }
    std::printf("output '%s': %s %s -> %s\n", output_names[i].c_str(),
                ir::dtype_name(outputs[i].dtype), runtime::dims_to_string(outputs[i].shape).c_str(),
                output_paths[i].c_str());
  }
}

#else

void run_command(const RunOptions&) {
  throw CommandError{
      "run: this npujar was built without the runtime or the IR library; configure with "
      "-DNPUJAR_WITH_LLVM=ON"};
}

#endif

}  // namespace

void add_run_command(CLI::App& app) {
  auto options = std::make_shared<RunOptions>();
  CLI::App* command = app.add_subcommand("run", "Run an archive on NumPy .npy inputs");
  command->add_option("archive", options->archive, "The .npujar archive")->required();
  command->add_option("--input,-i", options->inputs, "Input as NAME=FILE.npy, or FILE.npy in model order")
      ->required();
  command->add_option("--output,-o", options->outputs,
                      "Output as NAME=FILE.npy, or FILE.npy in model order")
      ->required();
  command->add_option("--variant", options->variant, "Run this variant instead of the selected one");
  command->add_flag("--jit", options->jit, "JIT-compile the portable bitcode for this host");
  command->add_flag("--reference", options->reference,
                    "Run the IR reference executor on the archive's graph instead");
  command->add_option("--threads", options->threads, "Threads for the run; 0 = physical cores")
      ->check(CLI::NonNegativeNumber);
  command->callback([options] { run_command(*options); });
}

}  // namespace npujar::cli
