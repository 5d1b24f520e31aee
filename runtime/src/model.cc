// Loading: open and validate the archive, describe its tensors, select
// candidates, and load the first one that works, logging every fallback.
// Running: bind symbol values from the input shapes, validate, size the
// arena from the manifest's formula, and call the variant.
#include "npujar/runtime/model.h"

#include <cstring>
#include <map>

#include "npujar/format/error.h"
#include "npujar/runtime/archive_check.h"
#include "npujar/runtime/log.h"
#ifdef NPUJAR_RUNTIME_HAS_NPU_BACKEND
#include "npu_backend.h"
#endif

namespace npujar::runtime {

// Arenas are reused across calls: each call takes one that is large enough
// or allocates a new one, and returns it afterwards. The pool grows to the
// number of concurrent calls and never shrinks while the model lives.
struct Model::ArenaPool {
  struct Arena {
    AlignedBuffer buffer;
    uint64_t bytes = 0;
  };

  std::mutex mutex;
  std::vector<Arena> free;

  Result<Arena> acquire(uint64_t bytes) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      for (size_t i = 0; i < free.size(); ++i) {
        if (free[i].bytes >= bytes) {
          Arena arena = std::move(free[i]);
          free.erase(free.begin() + static_cast<std::ptrdiff_t>(i));
          return arena;
        }
      }
    }
    Arena arena;
    arena.bytes = bytes;
    arena.buffer = allocate_aligned(static_cast<size_t>(bytes), false);
    if (arena.buffer == nullptr || bytes > SIZE_MAX) {
      return Status(NPUJAR_ERROR_OUT_OF_MEMORY,
                    "allocating an activation arena of " + std::to_string(bytes) + " bytes failed");
    }
    return arena;
  }

  void release(Arena arena) {
    std::lock_guard<std::mutex> lock(mutex);
    free.push_back(std::move(arena));
  }
};

namespace {

Status from_format_error(const format::FormatError& error, const std::string& context) {
  ErrorCode code = error.code() == format::FormatErrorCode::kIoError ? NPUJAR_ERROR_IO
                                                                     : NPUJAR_ERROR_INVALID_ARCHIVE;
  return Status(code, context + ": " + error.message());
}

std::string file_stem(const std::string& path) {
  size_t slash = path.find_last_of('/');
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  size_t dot = name.find_last_of('.');
  return dot == std::string::npos || dot == 0 ? name : name.substr(0, dot);
}

std::string join_dims(const std::vector<int64_t>& dims) { return dims_to_string(dims); }

}  // namespace

std::string shape_to_string(const std::vector<format::Dimension>& shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    text += (i > 0 ? "," : "") + shape[i].to_string();
  }
  return text + "]";
}

Model::Model(format::ArchiveReader archive, std::string name)
    : archive_(std::move(archive)), name_(std::move(name)), arenas_(std::make_unique<ArenaPool>()) {}

Model::~Model() = default;

Result<std::unique_ptr<Model>> Model::load_file(const std::string& path,
                                                const RuntimeOptions& options) {
  try {
    format::ArchiveReader archive = format::ArchiveReader::open_file(path);
    std::string name = archive.manifest().model.name.empty() ? file_stem(path)
                                                             : archive.manifest().model.name;
    std::unique_ptr<Model> model(new Model(std::move(archive), std::move(name)));
    return finish_load(std::move(model), options);
  } catch (const format::FormatError& error) {
    return from_format_error(error, "archive '" + path + "'");
  }
}

Result<std::unique_ptr<Model>> Model::load_buffer(const void* data, size_t size,
                                                  const RuntimeOptions& options) {
  if (data == nullptr && size > 0) {
    return invalid_argument("archive buffer is NULL but its size is " + std::to_string(size));
  }
  try {
    format::ArchiveReader archive =
        format::ArchiveReader::open_buffer(data, size, format::BufferOwnership::kCopy);
    std::string name = archive.manifest().model.name.empty() ? std::string("buffer")
                                                             : archive.manifest().model.name;
    std::unique_ptr<Model> model(new Model(std::move(archive), std::move(name)));
    return finish_load(std::move(model), options);
  } catch (const format::FormatError& error) {
    return from_format_error(error, "archive buffer");
  }
}

Result<std::unique_ptr<Model>> Model::finish_load(std::unique_ptr<Model> model,
                                                  const RuntimeOptions& options) {
  Result<ResolvedOptions> resolved = resolve_options(options);
  if (!resolved) {
    return resolved.status();
  }
  for (Status status : {model->describe_tensors(), model->prepare_weights()}) {
    if (!status) {
      return status;
    }
  }
  // Output buffers, the arena and the weights that compiled code reads are
  // sized from the manifest, so it must agree with the graph and variants.
  Status consistent = check_manifest_against_graph(model->archive_);
  if (!consistent) {
    return consistent.with_context("model '" + model->name_ + "'");
  }
  for (const format::Variant& variant : model->archive_.manifest().variants) {
    Status arena = check_variant_arena(model->archive_.manifest(), variant);
    if (!arena) {
      return arena.with_context("model '" + model->name_ + "'");
    }
  }
  model->pool_ = std::make_unique<ThreadPool>(resolved->num_threads);
  model->backends_.push_back(make_cpu_backend());
#ifdef NPUJAR_RUNTIME_HAS_NPU_BACKEND
  model->backends_.push_back(make_level_zero_npu_backend());
#endif
  Status loaded = model->load_variant(*resolved);
  if (!loaded) {
    return loaded;
  }
  return Result<std::unique_ptr<Model>>(std::move(model));
}

Status Model::describe_tensors() {
  const format::Manifest& manifest = archive_.manifest();
  std::map<std::string, bool> bound;
  for (const std::string& symbol : manifest.symbols) {
    bound[symbol] = false;
  }

  auto describe = [&](const format::TensorSpec& spec, const char* role,
                      std::vector<TensorDescription>& out) -> Status {
    TensorDescription description;
    description.name = spec.name;
    auto dtype = dtype_from_name(spec.dtype);
    if (!dtype) {
      return Status(NPUJAR_ERROR_INVALID_ARCHIVE, "model '" + name_ + "': " + role + " '" +
                                                      spec.name + "' has unknown dtype '" +
                                                      spec.dtype + "'");
    }
    description.dtype = *dtype;
    description.shape = spec.shape;
    for (const format::Dimension& dim : spec.shape) {
      description.dims.push_back(dim.is_static() ? dim.coefficient : -1);
      description.symbols.push_back(dim.symbol);
      if (!dim.is_static() && dim.coefficient > 0 && std::string(role) == "input") {
        bound[dim.symbol] = true;
      }
    }
    for (const std::string& symbol : description.symbols) {
      description.symbol_pointers.push_back(symbol.c_str());
    }
    out.push_back(std::move(description));
    return Status::ok();
  };

  for (const format::TensorSpec& spec : manifest.inputs) {
    Status status = describe(spec, "input", inputs_);
    if (!status) {
      return status;
    }
  }
  for (const format::TensorSpec& spec : manifest.outputs) {
    Status status = describe(spec, "output", outputs_);
    if (!status) {
      return status;
    }
  }
  for (const auto& [symbol, is_bound] : bound) {
    if (!is_bound) {
      return Status(NPUJAR_ERROR_INVALID_ARCHIVE,
                    "model '" + name_ + "': symbol '" + symbol +
                        "' appears in no input shape, so its value cannot be derived");
    }
  }
  return Status::ok();
}

Status Model::prepare_weights() {
  const std::string& section = archive_.manifest().weights_section;
  if (section.empty()) {
    return Status::ok();
  }
  try {
    format::ByteView bytes = archive_.section_bytes(section);
    if (reinterpret_cast<uintptr_t>(bytes.data) % 64 == 0) {
      weights_ = bytes.data;
      return Status::ok();
    }
    weights_copy_ = allocate_aligned(bytes.size, false);
    if (weights_copy_ == nullptr) {
      return Status(NPUJAR_ERROR_OUT_OF_MEMORY,
                    "model '" + name_ + "': copying " + std::to_string(bytes.size) +
                        " bytes of weights failed");
    }
    std::memcpy(weights_copy_.get(), bytes.data, bytes.size);
    weights_ = weights_copy_.get();
    return Status::ok();
  } catch (const format::FormatError& error) {
    return from_format_error(error, "model '" + name_ + "'");
  }
}

SelectionInput host_selection_input(const format::Manifest& manifest,
                                    const ResolvedOptions& options) {
  SelectionInput input;
  input.cpu = &host_cpu();
  if (selection_needs_devices(manifest, options.device)) {
    input.level_zero = &host_level_zero();
  }
  input.jit_mode = options.jit_mode;
  input.device = options.device;
  input.forced_variant = options.variant;
#ifdef NPUJAR_RUNTIME_HAS_NPU_BACKEND
  input.device_backends.insert("npu");
#endif
  return input;
}

Status Model::load_variant(const ResolvedOptions& options) {
  const format::Manifest& manifest = archive_.manifest();
  Result<Selection> selection = select_variants(manifest, host_selection_input(manifest, options));
  if (!selection) {
    return selection.status().with_context("model '" + name_ + "'");
  }
  selection_ = std::move(*selection);
  for (const SkippedVariant& skipped : selection_.skipped) {
    log_info("model '" + name_ + "': variant '" + skipped.name + "' skipped: " + skipped.reason);
  }

  std::string failures;
  Status last_failure;
  for (const Candidate& candidate : selection_.candidates) {
    std::string label = "model '" + name_ + "': variant '" + candidate.variant->name + "'";
    Backend* backend = nullptr;
    for (const auto& entry : backends_) {
      if (entry->handles(*candidate.variant, candidate.action)) {
        backend = entry.get();
      }
    }
    Status failure;
    if (backend == nullptr) {
      failure = Status(NPUJAR_ERROR_NO_USABLE_VARIANT, label + ": no backend handles it");
    } else {
      LoadStats stats;
      LoadRequest request{&archive_, candidate.variant, candidate.action, weights_,
                          &options,  pool_.get(),       label,            &stats};
      Result<std::unique_ptr<Executable>> executable = backend->load(request);
      if (executable) {
        executable_ = std::move(*executable);
        variant_name_ = candidate.variant->name;
        variant_reason_ = candidate.reason;
        load_action_ = candidate.action;
        load_stats_ = stats;
        log_info(label + " selected (" + load_action_name(candidate.action) + ", " +
                 std::to_string(pool_->num_threads()) + " threads): " + candidate.reason);
        return Status::ok();
      }
      failure = executable.status();
    }
    log_warn(failure.message() + "; trying the next candidate");
    failures += (failures.empty() ? "" : "; ") + failure.message();
    last_failure = failure;
  }
  if (selection_.candidates.size() == 1) {
    return last_failure;
  }
  return Status(NPUJAR_ERROR_NO_USABLE_VARIANT,
                "model '" + name_ + "': every candidate variant failed to load: " + failures);
}

Result<std::vector<int64_t>> Model::bind_symbols(const std::vector<const Tensor*>& inputs) const {
  const format::Manifest& manifest = archive_.manifest();
  std::map<std::string, int64_t> values;
  std::map<std::string, std::string> bound_by;

  for (size_t i = 0; i < inputs_.size(); ++i) {
    const TensorDescription& expected = inputs_[i];
    const Tensor& tensor = *inputs[i];
    std::string mismatch = "input '" + expected.name + "': expected shape " +
                           shape_to_string(expected.shape) + ", got " + join_dims(tensor.dims());
    if (tensor.dtype() != expected.dtype) {
      return Status(NPUJAR_ERROR_DTYPE_MISMATCH, "input '" + expected.name + "': expected dtype " +
                                                     dtype_name(expected.dtype) + ", got " +
                                                     dtype_name(tensor.dtype()));
    }
    if (tensor.dims().size() != expected.shape.size()) {
      return Status(NPUJAR_ERROR_SHAPE_MISMATCH, mismatch + " (rank " +
                                                     std::to_string(expected.shape.size()) +
                                                     " expected, got " +
                                                     std::to_string(tensor.dims().size()) + ")");
    }
    for (size_t d = 0; d < expected.shape.size(); ++d) {
      const format::Dimension& dim = expected.shape[d];
      int64_t extent = tensor.dims()[d];
      if (dim.is_static()) {
        if (extent != dim.coefficient) {
          return Status(NPUJAR_ERROR_SHAPE_MISMATCH, mismatch);
        }
        continue;
      }
      if (dim.coefficient <= 0 || extent % dim.coefficient != 0) {
        return Status(NPUJAR_ERROR_SHAPE_MISMATCH,
                      mismatch + " (dimension " + std::to_string(d) + " must be a multiple of " +
                          std::to_string(dim.coefficient) + ")");
      }
      int64_t value = extent / dim.coefficient;
      auto [it, inserted] = values.emplace(dim.symbol, value);
      if (!inserted && it->second != value) {
        return Status(NPUJAR_ERROR_SHAPE_MISMATCH,
                      mismatch + " (dimension " + std::to_string(d) + " gives " + dim.symbol +
                          "=" + std::to_string(value) + " but input '" + bound_by[dim.symbol] +
                          "' gave " + dim.symbol + "=" + std::to_string(it->second) + ")");
      }
      bound_by.emplace(dim.symbol, expected.name);
    }
  }

  std::vector<int64_t> ordered;
  for (const std::string& symbol : manifest.symbols) {
    ordered.push_back(values.at(symbol));
  }
  return ordered;
}

Status Model::prepare_outputs(const std::vector<int64_t>& symbols, std::vector<Tensor*>& outputs,
                              std::vector<std::unique_ptr<Tensor>>& created) const {
  const format::Manifest& manifest = archive_.manifest();
  std::map<std::string, int64_t> values;
  for (size_t i = 0; i < symbols.size(); ++i) {
    values[manifest.symbols[i]] = symbols[i];
  }

  for (size_t i = 0; i < outputs_.size(); ++i) {
    const TensorDescription& expected = outputs_[i];
    std::vector<int64_t> dims;
    for (const format::Dimension& dim : expected.shape) {
      dims.push_back(dim.is_static() ? dim.coefficient : dim.coefficient * values.at(dim.symbol));
    }
    if (outputs[i] == nullptr) {
      Result<std::unique_ptr<Tensor>> tensor = Tensor::create(expected.dtype, dims);
      if (!tensor) {
        return tensor.status().with_context("output '" + expected.name + "'");
      }
      outputs[i] = tensor->get();
      created.push_back(std::move(*tensor));
      continue;
    }
    if (outputs[i]->dtype() != expected.dtype) {
      return Status(NPUJAR_ERROR_DTYPE_MISMATCH, "output '" + expected.name +
                                                     "': expected dtype " +
                                                     dtype_name(expected.dtype) + ", got " +
                                                     dtype_name(outputs[i]->dtype()));
    }
    if (outputs[i]->dims() != dims) {
      return Status(NPUJAR_ERROR_SHAPE_MISMATCH, "output '" + expected.name +
                                                     "': expected shape " + join_dims(dims) +
                                                     ", got " + join_dims(outputs[i]->dims()));
    }
  }
  return Status::ok();
}

Status Model::run(const std::vector<const Tensor*>& inputs, std::vector<Tensor*>& outputs,
                  std::vector<std::unique_ptr<Tensor>>& created) {
  if (inputs.size() != inputs_.size()) {
    return invalid_argument("model '" + name_ + "' expects " + std::to_string(inputs_.size()) +
                            " inputs, got " + std::to_string(inputs.size()));
  }
  if (outputs.size() != outputs_.size()) {
    return invalid_argument("model '" + name_ + "' has " + std::to_string(outputs_.size()) +
                            " outputs, got " + std::to_string(outputs.size()) + " output slots");
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i] == nullptr) {
      return invalid_argument("input '" + inputs_[i].name + "' (index " + std::to_string(i) +
                              ") is NULL");
    }
  }

  Result<std::vector<int64_t>> symbols = bind_symbols(inputs);
  if (!symbols) {
    return symbols.status();
  }
  Status prepared = prepare_outputs(*symbols, outputs, created);
  if (!prepared) {
    return prepared;
  }

  std::map<std::string, int64_t> values;
  for (size_t i = 0; i < symbols->size(); ++i) {
    values[manifest().symbols[i]] = (*symbols)[i];
  }
  std::optional<uint64_t> arena_bytes = manifest().arena.bytes_for(values);
  if (!arena_bytes) {
    return Status(NPUJAR_ERROR_SHAPE_MISMATCH,
                  "model '" + name_ + "': the activation arena for these input shapes exceeds "
                  "64 bits; use smaller inputs");
  }
  Result<ArenaPool::Arena> arena = arenas_->acquire(*arena_bytes);
  if (!arena) {
    return arena.status();
  }

  std::vector<const void*> input_data;
  for (const Tensor* tensor : inputs) {
    input_data.push_back(tensor->data());
  }
  std::vector<void*> output_data;
  for (Tensor* tensor : outputs) {
    output_data.push_back(tensor->data());
  }
  ExecutionRequest request;
  request.inputs = input_data.data();
  request.outputs = output_data.data();
  request.symbols = symbols->data();
  request.arena = arena->buffer.get();
  request.arena_bytes = *arena_bytes;
  Status status = executable_->execute(request);
  arenas_->release(std::move(*arena));
  return status;
}

}  // namespace npujar::runtime
