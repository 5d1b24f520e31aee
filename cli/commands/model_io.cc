// Implementation of model_io.h.
#include "model_io.h"

#include <fstream>
#include <memory>

#ifdef NPUJAR_CLI_HAS_RUNTIME
#include "npujar/format/reader.h"
#include "npujar/ir/reference.h"
#include "npujar/ir/serialize.h"
#endif

namespace npujar::cli {

std::pair<std::string, std::string> split_binding(const std::string& binding) {
  size_t equals = binding.find('=');
  if (equals == std::string::npos) {
    return {"", binding};
  }
  return {binding.substr(0, equals), binding.substr(equals + 1)};
}

std::vector<std::string> order_paths(const std::string& command,
                                     const std::vector<std::string>& bindings,
                                     const std::vector<std::string>& names, const char* role,
                                     bool require_all) {
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
      throw CommandError{command + ": the model has no " + role + " '" + name + "'; its " + role +
                         "s are: " + known};
    }
    paths[index] = path;
  }

  size_t next_bare = 0;
  for (std::string& path : paths) {
    if (path.empty() && next_bare < bare.size()) {
      path = bare[next_bare++];
    }
  }
  for (size_t i = 0; i < paths.size() && require_all; ++i) {
    if (paths[i].empty()) {
      throw CommandError{command + ": no file given for " + role + " '" + names[i] + "'; pass --" +
                         role + " " + names[i] + "=FILE.npy"};
    }
  }
  if (next_bare < bare.size()) {
    throw CommandError{command + ": more --" + role + " files than the model's " +
                       std::to_string(names.size()) + " " + role + "s"};
  }
  return paths;
}

#ifdef NPUJAR_CLI_HAS_RUNTIME

namespace {

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

}  // namespace

ir::HostTensor read_input(const std::string& command, const std::string& path,
                          const std::string& name, const std::string& dtype) {
  std::string descr = npy_descr(path);
  if (descr.size() == 3 && descr.substr(1) == "f8") {
    throw CommandError{command + ": input '" + name + "' (" + path + "): expected dtype " + dtype +
                       ", got f64; convert it, e.g. with numpy's astype"};
  }
  try {
    return ir::read_npy(path);
  } catch (const ir::IrError& error) {
    throw CommandError{command + ": " + error.what()};
  }
}

std::vector<ir::HostTensor> run_reference_executor(const std::string& command,
                                                   const std::string& archive,
                                                   const std::vector<ir::HostTensor>& inputs) {
  try {
    format::ArchiveReader reader = format::ArchiveReader::open_file(archive);
    const format::Manifest& manifest = reader.manifest();
    format::ByteView graph = reader.section_bytes(manifest.graph_section);
    format::ByteView weights;
    if (!manifest.weights_section.empty()) {
      weights = reader.section_bytes(manifest.weights_section);
    }
    ir::Graph decoded = ir::deserialize_graph(graph.data, graph.size, weights.data, weights.size);
    return ir::run_reference(decoded, inputs);
  } catch (const format::FormatError& error) {
    throw CommandError{command + ": " + archive + ": " + error.message()};
  } catch (const ir::IrError& error) {
    throw CommandError{command + ": reference executor: " + std::string(error.what())};
  }
}

std::vector<ir::HostTensor> run_with_runtime(const std::string& command, runtime::Model& model,
                                             std::vector<ir::HostTensor>& inputs) {
  // ir::DType and npujar_dtype share their numbers (f32 = 1 ... bool = 8).
  std::vector<std::unique_ptr<runtime::Tensor>> wrapped;
  std::vector<const runtime::Tensor*> input_tensors;
  for (ir::HostTensor& tensor : inputs) {
    auto view = runtime::Tensor::wrap(static_cast<npujar_dtype>(tensor.dtype), tensor.shape,
                                      tensor.data.data(), tensor.data.size());
    if (!view) {
      throw CommandError{command + ": " + view.status().message()};
    }
    input_tensors.push_back(view->get());
    wrapped.push_back(std::move(*view));
  }

  std::vector<runtime::Tensor*> outputs(model.outputs().size(), nullptr);
  std::vector<std::unique_ptr<runtime::Tensor>> created;
  runtime::Status status = model.run(input_tensors, outputs, created);
  if (!status) {
    throw CommandError{command + ": " + status.message()};
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

#endif

}  // namespace npujar::cli
