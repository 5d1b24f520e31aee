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
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "commands.h"

#if __has_include("npujar/runtime/model.h") && __has_include("npujar/ir/reference.h")
#define NPUJAR_CLI_HAS_RUNTIME 1
#include "npujar/format/reader.h"
#include "npujar/ir/error.h"
#include "npujar/ir/host_tensor.h"
#include "npujar/ir/reference.h"
#include "npujar/ir/serialize.h"
#include "npujar/runtime/model.h"
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

// Splits "name=path" into its parts; a bare path gets an empty name.
std::pair<std::string, std::string> split_binding(const std::string& binding) {
  size_t equals = binding.find('=');
  if (equals == std::string::npos) {
    return {"", binding};
  }
  return {binding.substr(0, equals), binding.substr(equals + 1)};
}

// Orders `bindings` by the tensor names in `names`; bare paths fill the
// remaining positions in order.
[[maybe_unused]] std::vector<std::string> order_paths(const std::vector<std::string>& bindings,
                                                      const std::vector<std::string>& names,
                                                      const char* role) {
  std::vector<std::string> paths(names.size());
  std::vector<std::string> bare;
  for (const std::string& binding : bindings) {
    auto [name, path] = split_binding(binding);
    if (name.empty()) {
      bare.push_back(path);
      continue;
    }
    size_t index = 0;
    while (index < names.size() && names[index] != name) {
      ++index;
    }
    if (index == names.size()) {
      std::string known;
      for (const std::string& candidate : names) {
        known += (known.empty() ? "" : ", ") + candidate;
      }
      throw CommandError{std::string("run: the model has no ") + role + " '" + name +
                         "'; its " + role + "s are: " + known};
    }
    paths[index] = path;
  }
  size_t next_bare = 0;
  for (std::string& path : paths) {
    if (path.empty() && next_bare < bare.size()) {
      path = bare[next_bare++];
    }
  }
  for (size_t i = 0; i < paths.size(); ++i) {
    if (paths[i].empty()) {
      throw CommandError{std::string("run: no file given for ") + role + " '" + names[i] +
                         "'; pass --" + role + " " + names[i] + "=FILE.npy"};
    }
  }
  if (next_bare < bare.size()) {
    throw CommandError{std::string("run: more --") + role + " files than the model's " +
                       std::to_string(names.size()) + " " + role + "s"};
  }
  return paths;
}

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

// Returns the descr field of a .npy file's header, such as "<f8", or an
// empty string when the file has no readable header (read_npy reports that).
std::string npy_descr(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::string header(4096, '\0');
  file.read(header.data(), static_cast<std::streamsize>(header.size()));
  header.resize(static_cast<size_t>(file.gcount()));
  size_t key = header.find("'descr':");
  if (key == std::string::npos) {
    return "";
  }
  size_t open = header.find('\'', key + 8);
  size_t close = open == std::string::npos ? open : header.find('\'', open + 1);
  if (close == std::string::npos) {
    return "";
  }
  return header.substr(open + 1, close - open - 1);
}

std::vector<ir::HostTensor> read_inputs(const std::vector<std::string>& paths,
                                        const std::vector<std::string>& names,
                                        const std::vector<std::string>& dtypes) {
  std::vector<ir::HostTensor> tensors;
  for (size_t i = 0; i < paths.size(); ++i) {
    const std::string& path = paths[i];
    // read_npy narrows f64 to f32; an input of another dtype is an error,
    // so f64 is rejected too instead of being converted silently.
    std::string descr = npy_descr(path);
    if (descr.size() == 3 && descr.substr(1) == "f8") {
      throw CommandError{"run: input '" + names[i] + "' (" + path + "): expected dtype " +
                         dtypes[i] + ", got f64; convert it, e.g. with numpy's astype"};
    }
    try {
      tensors.push_back(ir::read_npy(path));
    } catch (const ir::IrError& error) {
      throw CommandError{std::string("run: ") + error.what()};
    }
  }
  return tensors;
}

std::vector<ir::HostTensor> run_with_reference(const RunOptions& options,
                                               const std::vector<ir::HostTensor>& inputs) {
  try {
    format::ArchiveReader reader = format::ArchiveReader::open_file(options.archive);
    const format::Manifest& manifest = reader.manifest();
    format::ByteView graph = reader.section_bytes(manifest.graph_section);
    format::ByteView weights;
    if (!manifest.weights_section.empty()) {
      weights = reader.section_bytes(manifest.weights_section);
    }
    ir::Graph decoded = ir::deserialize_graph(graph.data, graph.size, weights.data, weights.size);
    return ir::run_reference(decoded, inputs);
  } catch (const format::FormatError& error) {
    throw CommandError{"run: " + options.archive + ": " + error.message()};
  } catch (const ir::IrError& error) {
    throw CommandError{"run: reference executor: " + std::string(error.what())};
  }
}

std::vector<ir::HostTensor> run_with_runtime(runtime::Model& model,
                                             std::vector<ir::HostTensor>& inputs) {
  // ir::DType and npujar_dtype share their numbers (f32 = 1 ... bool = 8).
  std::vector<std::unique_ptr<runtime::Tensor>> wrapped;
  std::vector<const runtime::Tensor*> input_tensors;
  for (ir::HostTensor& tensor : inputs) {
    auto view = runtime::Tensor::wrap(static_cast<npujar_dtype>(tensor.dtype), tensor.shape,
                                      tensor.data.data(), tensor.data.size());
    if (!view) {
      throw CommandError{"run: " + view.status().message()};
    }
    input_tensors.push_back(view->get());
    wrapped.push_back(std::move(*view));
  }

  std::vector<runtime::Tensor*> outputs(model.outputs().size(), nullptr);
  std::vector<std::unique_ptr<runtime::Tensor>> created;
  runtime::Status status = model.run(input_tensors, outputs, created);
  if (!status) {
    throw CommandError{"run: " + status.message()};
  }

  std::vector<ir::HostTensor> results;
  for (runtime::Tensor* tensor : outputs) {
    ir::HostTensor result;
    result.dtype = static_cast<ir::DType>(tensor->dtype());
    result.shape = tensor->dims();
    const uint8_t* bytes = static_cast<const uint8_t*>(tensor->data());
    result.data.assign(bytes, bytes + tensor->byte_size());
    results.push_back(std::move(result));
  }
  return results;
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
      read_inputs(order_paths(options.inputs, input_names, "input"), input_names, input_dtypes);
  std::vector<std::string> output_paths = order_paths(options.outputs, output_names, "output");

  std::vector<ir::HostTensor> outputs;
  if (options.reference) {
    outputs = run_with_reference(options, inputs);
    std::printf("executor: reference\n");
  } else {
    outputs = run_with_runtime(*model, inputs);
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
