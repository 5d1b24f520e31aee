// A loaded model: the archive, the chosen variant's executable, the thread
// pool and a pool of activation arenas. run() is safe to call from many
// threads at once: each call validates its own inputs, takes its own arena
// and writes its own outputs.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "npujar/format/reader.h"
#include "npujar/runtime/backend.h"
#include "npujar/runtime/options.h"
#include "npujar/runtime/selection.h"
#include "npujar/runtime/status.h"
#include "npujar/runtime/tensor.h"
#include "npujar/runtime/thread_pool.h"

namespace npujar::runtime {

// An input or output as the manifest declares it, in the C API's terms.
struct TensorDescription {
  std::string name;
  npujar_dtype dtype = NPUJAR_DTYPE_F32;
  std::vector<format::Dimension> shape;
  std::vector<int64_t> dims;               // -1 for a symbolic dimension
  std::vector<std::string> symbols;        // "" for a static dimension
  std::vector<const char*> symbol_pointers;  // into `symbols`, for npujar_tensor_info
};

// "[N,3,224,224]".
std::string shape_to_string(const std::vector<format::Dimension>& shape);

// Returns the input for selecting a variant of `manifest` on this host:
// the host's CPU, Level Zero's devices where the selection may need them,
// the device backends built in, and `options`. Model loading uses it, and
// so can a tool that shows the selection without loading anything.
SelectionInput host_selection_input(const format::Manifest& manifest,
                                    const ResolvedOptions& options);

class Model {
 public:
  static Result<std::unique_ptr<Model>> load_file(const std::string& path,
                                                  const RuntimeOptions& options);
  // Copies the bytes.
  static Result<std::unique_ptr<Model>> load_buffer(const void* data, size_t size,
                                                    const RuntimeOptions& options);
  ~Model();

  const format::Manifest& manifest() const { return archive_.manifest(); }
  const std::string& name() const { return name_; }
  const std::vector<TensorDescription>& inputs() const { return inputs_; }
  const std::vector<TensorDescription>& outputs() const { return outputs_; }
  const std::string& variant_name() const { return variant_name_; }
  const std::string& variant_reason() const { return variant_reason_; }
  LoadAction load_action() const { return load_action_; }
  const LoadStats& load_stats() const { return load_stats_; }
  const Selection& selection() const { return selection_; }
  int num_threads() const { return pool_->num_threads(); }

  // Validates `inputs` against the manifest and runs the model. Each null
  // entry of `outputs` receives a new tensor, which `created` owns; non-null
  // entries must match the output's dtype and shape exactly.
  Status run(const std::vector<const Tensor*>& inputs, std::vector<Tensor*>& outputs,
             std::vector<std::unique_ptr<Tensor>>& created);

 private:
  struct ArenaPool;

  Model(format::ArchiveReader archive, std::string name);
  static Result<std::unique_ptr<Model>> finish_load(std::unique_ptr<Model> model,
                                                    const RuntimeOptions& options);
  Status describe_tensors();
  Status prepare_weights();
  Status load_variant(const ResolvedOptions& options);
  Result<std::vector<int64_t>> bind_symbols(const std::vector<const Tensor*>& inputs) const;
  Status prepare_outputs(const std::vector<int64_t>& symbols, std::vector<Tensor*>& outputs,
                         std::vector<std::unique_ptr<Tensor>>& created) const;

  format::ArchiveReader archive_;
  std::string name_;
  std::vector<TensorDescription> inputs_;
  std::vector<TensorDescription> outputs_;
  const void* weights_ = nullptr;
  AlignedBuffer weights_copy_;  // used when the section is not 64-byte aligned in place

  Selection selection_;
  std::string variant_name_;
  std::string variant_reason_;
  LoadAction load_action_ = LoadAction::kLinkObject;
  LoadStats load_stats_;

  std::unique_ptr<ThreadPool> pool_;
  std::vector<std::unique_ptr<Backend>> backends_;
  std::unique_ptr<Executable> executable_;
  std::unique_ptr<ArenaPool> arenas_;
};

}  // namespace npujar::runtime
