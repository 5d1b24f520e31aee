// Loading a TorchScript file safely: the checks run in layers, from the
// cheapest to the most expensive, so every kind of bad file gets a message
// that names what it is instead of a LibTorch stack trace:
//
//   1. the file opens and starts like a zip archive (TorchScript files are
//      zip archives; legacy torch.save files are bare pickles);
//   2. LibTorch's zip reader accepts it and its file-format version is one
//      this LibTorch reads (a newer PyTorch writes a higher version);
//   3. it contains TorchScript code, not only pickled tensors (torch.save of
//      a state dict writes a zip with data.pkl and no code/);
//   4. torch::jit::load succeeds;
//   5. no dropout or batch-norm submodule is in training mode, and no
//      dropout or batch_norm call has training=True baked in (traced models).
//
// Only then is the module switched to eval mode and frozen for the walker,
// or run unfrozen by run_torchscript, LibTorch's reference for `npujar
// compare`.
#include <caffe2/serialize/inline_container.h>
#include <torch/csrc/jit/passes/freeze_module.h>
#include <torch/csrc/jit/passes/frozen_graph_optimizations.h>
#include <torch/csrc/jit/passes/inliner.h>
#include <torch/script.h>
#include <torch/version.h>

#include <fstream>
#include <regex>
#include <set>

#include "npujar/importer/importer.h"
#include "torch_import.h"

namespace npujar::importer {

namespace {

// LibTorch's messages carry a C++ backtrace after the first line. Some
// (the TorchScript compiler's) start with a newline, so leading blank lines
// are skipped.
std::string first_line(const std::string& text) {
  size_t begin = text.find_first_not_of("\n ");
  if (begin == std::string::npos) return text;
  size_t end = text.find('\n', begin);
  return text.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

void check_file_header(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw ImportError(path + ": cannot open the model file; check the path and permissions");
  char magic[4] = {0, 0, 0, 0};
  file.read(magic, sizeof magic);
  if (file.gcount() < 4) {
    throw ImportError(path + ": the file has " + std::to_string(file.gcount()) +
                      " bytes, too short for a TorchScript archive; it is empty or truncated");
  }
  if (magic[0] == 'P' && magic[1] == 'K' && magic[2] == 3 && magic[3] == 4) return;
  if (static_cast<unsigned char>(magic[0]) == 0x80) {
    throw ImportError(path + ": the file is a legacy torch.save pickle, not TorchScript; export the "
                             "model with torch.jit.trace or torch.jit.script and save it with torch.jit.save");
  }
  throw ImportError(path + ": not a TorchScript file (it does not start like a zip archive); "
                           "export the model with torch.jit.save");
}

// The file-format version numbers in LibTorch's "too new" message.
bool describe_version_error(const std::string& message, const std::string& path, std::string* description) {
  static const std::regex pattern("version (\\d+), but the maximum supported version for reading is (\\d+)");
  std::smatch match;
  if (!std::regex_search(message, match, pattern)) return false;
  *description = path + ": the file was saved by a newer PyTorch (file format version " + match[1].str() +
                 "); this npujar's LibTorch " + TORCH_VERSION + " reads file format versions up to " +
                 match[2].str() + ". Save the model with PyTorch " + TORCH_VERSION +
                 " (or a version that writes format " + match[2].str() + " or lower), or build npujar against a newer LibTorch";
  return true;
}

void check_archive_records(const std::string& path) {
  std::vector<std::string> records;
  try {
    caffe2::serialize::PyTorchStreamReader reader(path);
    records = reader.getAllRecords();
  } catch (const c10::Error& error) {
    std::string description;
    if (describe_version_error(error.what(), path, &description)) throw ImportError(description);
    throw ImportError(path + ": the zip archive is truncated or corrupt (" + first_line(error.what_without_backtrace()) +
                      "); save the model again with torch.jit.save");
  } catch (const std::exception& error) {
    throw ImportError(path + ": cannot read the zip archive (" + first_line(error.what()) + ")");
  }

  bool has_code = false;
  bool has_data = false;
  for (const std::string& record : records) {
    if (record.rfind("code/", 0) == 0 || record == "constants.pkl") has_code = true;
    if (record == "data.pkl") has_data = true;
  }
  if (!has_code && has_data) {
    throw ImportError(path + ": the file is a torch.save checkpoint (a state dict or pickled objects) without "
                             "TorchScript code; export the model with torch.jit.trace or torch.jit.script and "
                             "save it with torch.jit.save");
  }
  if (!has_code) {
    throw ImportError(path + ": the zip archive contains no TorchScript code; save the model with torch.jit.save");
  }
}

bool is_training_sensitive(const std::string& type_name) {
  return type_name.find("Dropout") != std::string::npos || type_name.find("BatchNorm") != std::string::npos;
}

// Calls whose `training` argument is a constant true; a traced model in
// training mode carries them even after the module is switched to eval.
void find_training_calls(torch::jit::Block* block, std::vector<std::string>* found) {
  static const std::map<std::string, size_t> training_argument = {
      {"aten::dropout", 2}, {"aten::feature_dropout", 2}, {"aten::alpha_dropout", 2},
      {"aten::feature_alpha_dropout", 2}, {"aten::dropout_", 2}, {"aten::batch_norm", 5},
  };
  for (torch::jit::Node* node : block->nodes()) {
    auto it = training_argument.find(node->kind().toQualString());
    if (it != training_argument.end() && node->inputs().size() > it->second) {
      auto value = torch::jit::toIValue(node->input(it->second));
      if (value && value->isBool() && value->toBool()) {
        found->push_back(std::string(node->kind().toQualString()) + " at " + source_location(node));
      }
    }
    for (torch::jit::Block* inner : node->blocks()) find_training_calls(inner, found);
  }
}

void check_eval_mode(const torch::jit::Module& module, const std::string& path) {
  std::vector<std::string> found;
  for (const auto& submodule : module.named_modules()) {
    auto type_name = submodule.value.type()->name();
    std::string name = type_name ? type_name->name() : "";
    if (submodule.value.is_training() && is_training_sensitive(name)) {
      found.push_back(name + " '" + (submodule.name.empty() ? "<root>" : submodule.name) + "'");
    }
  }
  if (module.find_method("forward")) {
    auto graph = module.get_method("forward").graph()->copy();
    torch::jit::Inline(*graph);
    find_training_calls(graph->block(), &found);
  }
  if (found.empty()) return;

  std::string list;
  for (const std::string& item : found) list += "\n  " + item;
  throw ImportError(path + ": the model was saved in training mode; these dropout or batch-norm parts would "
                           "behave differently at inference:" + list +
                    "\nCall model.eval() before torch.jit.trace or torch.jit.script and save the model again");
}

}  // namespace

std::string source_location(const torch::jit::Node* node) {
  // The model's own Python source when the file carries debug info,
  // otherwise the serialized TorchScript code (code/__torch__/...).
  torch::jit::SourceRange range = node->sourceRange();
  if (auto original = range.findSourceRangeThatGenerated()) range = *original;
  auto location = range.file_line_col();
  if (!location) return "unknown location";
  const auto& [file, line, column] = *location;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

std::string source_line(const torch::jit::Node* node) {
  torch::jit::SourceRange range = node->sourceRange();
  if (auto original = range.findSourceRangeThatGenerated()) range = *original;
  if (!range.source()) return "";
  std::string text = range.source()->text_str().str();
  size_t start = std::min(range.start(), text.size());
  size_t begin = text.rfind('\n', start == 0 ? 0 : start - 1);
  begin = begin == std::string::npos || start == 0 ? 0 : begin + 1;
  size_t end = text.find('\n', start);
  std::string line = text.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
  size_t first = line.find_first_not_of(" \t");
  return first == std::string::npos ? "" : line.substr(first);
}

namespace {

// Steps 1 to 5 of the checks above; returns the module as saved.
torch::jit::Module load_checked_module(const std::string& path) {
  register_newer_schemas();
  check_file_header(path);
  check_archive_records(path);

  torch::jit::Module module;
  try {
    module = torch::jit::load(path, c10::Device(c10::kCPU));
  } catch (const c10::Error& error) {
    std::string description;
    if (describe_version_error(error.what(), path, &description)) throw ImportError(description);
    throw ImportError(path + ": LibTorch " + TORCH_VERSION + " cannot load this TorchScript file: " +
                      first_line(error.what_without_backtrace()));
  } catch (const std::exception& error) {
    throw ImportError(path + ": LibTorch " + TORCH_VERSION + " cannot load this TorchScript file: " +
                      first_line(error.what()));
  }
  if (!module.find_method("forward")) {
    throw ImportError(path + ": the TorchScript module has no forward() method to import");
  }

  check_eval_mode(module, path);
  return module;
}

}  // namespace

torch::jit::Module load_frozen_module(const std::string& path) {
  torch::jit::Module module = load_checked_module(path);
  try {
    module.eval();
    return torch::jit::freeze(module);
  } catch (const c10::Error& error) {
    throw ImportError(path + ": freezing the module failed: " + first_line(error.what_without_backtrace()));
  }
}

std::shared_ptr<torch::jit::Graph> inlined_forward_graph(const torch::jit::Module& module,
                                                         const std::string& path) {
  try {
    auto graph = module.get_method("forward").graph()->copy();
    torch::jit::Inline(*graph);
    return graph;
  } catch (const c10::Error& error) {
    throw ImportError(path + ": inlining forward() failed: " + first_line(error.what_without_backtrace()));
  }
}

namespace {

c10::ScalarType torch_dtype(ir::DType dtype) {
  switch (dtype) {
    case ir::DType::kF32: return c10::kFloat;
    case ir::DType::kF16: return c10::kHalf;
    case ir::DType::kBF16: return c10::kBFloat16;
    case ir::DType::kI64: return c10::kLong;
    case ir::DType::kI32: return c10::kInt;
    case ir::DType::kI8: return c10::kChar;
    case ir::DType::kU8: return c10::kByte;
    case ir::DType::kBool: return c10::kBool;
  }
  throw ImportError("run_torchscript: unknown dtype code " + std::to_string(static_cast<int>(dtype)));
}

ir::DType ir_dtype(c10::ScalarType type, const std::string& output_label) {
  switch (type) {
    case c10::kFloat: return ir::DType::kF32;
    case c10::kHalf: return ir::DType::kF16;
    case c10::kBFloat16: return ir::DType::kBF16;
    case c10::kLong: return ir::DType::kI64;
    case c10::kInt: return ir::DType::kI32;
    case c10::kChar: return ir::DType::kI8;
    case c10::kByte: return ir::DType::kU8;
    case c10::kBool: return ir::DType::kBool;
    default: break;
  }
  throw ImportError(output_label + " has dtype " + std::string(c10::toString(type)) +
                    ", which npujar's IR does not have");
}

// The TorchScript interpreter's errors start with a generic line and a
// traceback of serialized code; the cause ("RuntimeError: index out of
// range in self") is the last line.
std::string interpreter_error(const std::string& text) {
  if (text.rfind("The following operation failed", 0) != 0) return first_line(text);
  size_t end = text.find_last_not_of("\n ");
  if (end == std::string::npos) return first_line(text);
  size_t begin = text.rfind('\n', end);
  return text.substr(begin == std::string::npos ? 0 : begin + 1, end + 1 - (begin == std::string::npos ? 0 : begin + 1));
}

void flatten_outputs(const c10::IValue& value, const std::string& path,
                     std::vector<ir::HostTensor>* outputs) {
  if (value.isTuple()) {
    for (const c10::IValue& item : value.toTupleRef().elements()) flatten_outputs(item, path, outputs);
    return;
  }
  if (value.isList()) {
    for (const c10::IValue& item : value.toListRef()) flatten_outputs(item, path, outputs);
    return;
  }
  const std::string output_label = path + ": output" + std::to_string(outputs->size());
  if (!value.isTensor()) {
    throw ImportError(output_label + " of forward() is a " + value.tagKind() +
                      "; only tensors (and tuples or lists of them) can be model outputs");
  }

  at::Tensor tensor = value.toTensor().contiguous();
  if (tensor.scalar_type() == c10::kDouble) tensor = tensor.to(c10::kFloat);
  ir::HostTensor result;
  result.dtype = ir_dtype(tensor.scalar_type(), output_label);
  result.shape.assign(tensor.sizes().begin(), tensor.sizes().end());
  const auto* bytes = static_cast<const uint8_t*>(tensor.data_ptr());
  result.data.assign(bytes, bytes + tensor.nbytes());
  outputs->push_back(std::move(result));
}

}  // namespace

std::vector<ir::HostTensor> run_torchscript(const std::string& path,
                                            const std::vector<ir::HostTensor>& inputs,
                                            bool float64) {
  torch::jit::Module module = load_checked_module(path);
  module.eval();
  if (float64) module.to(c10::kDouble);

  std::vector<c10::IValue> arguments;
  for (const ir::HostTensor& input : inputs) {
    // from_blob borrows the bytes, so each argument is a copy (or an f64
    // conversion) that owns its own.
    auto tensor = at::from_blob(const_cast<uint8_t*>(input.data.data()), input.shape,
                                at::TensorOptions().dtype(torch_dtype(input.dtype)));
    arguments.emplace_back(float64 && tensor.is_floating_point() ? tensor.to(c10::kDouble) : tensor.clone());
  }

  c10::IValue result;
  try {
    c10::InferenceMode inference;
    result = module.forward(arguments);
  } catch (const c10::Error& error) {
    throw ImportError(path + ": LibTorch's forward() failed on these inputs: " +
                      interpreter_error(error.what_without_backtrace()));
  } catch (const std::exception& error) {
    throw ImportError(path + ": LibTorch's forward() failed on these inputs: " + interpreter_error(error.what()));
  }

  std::vector<ir::HostTensor> outputs;
  flatten_outputs(result, path, &outputs);
  return outputs;
}

}  // namespace npujar::importer
