// Builds the LLVM IR of a model's entry function,
//   int32_t npujar_model_run(const npujar_model_args* args)
// (runtime/include/npujar_model_abi.h), which runs the graph's nodes in
// order by calling the kernels of kernels/include/npujar/kernels/kernels.h.
// Tensor addresses come from the memory plan: a caller's input or output
// pointer, the weights section plus the constant's offset, or the arena plus
// an offset that may scale with the symbols. Static extents are constants in
// the IR, so after linking the kernels and optimizing, each kernel call is
// specialized to its shapes; symbolic extents are loaded from args->symbols.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "memory_plan.h"
#include "npujar/ir/graph.h"
#include "npujar/ir/serialize.h"

namespace llvm {
class LLVMContext;
class Module;
class Value;
class Type;
class Function;
class BasicBlock;
}  // namespace llvm

namespace npujar::codegen {

// Pre-packed weights: for a linear, constant-RHS matmul or conv2d node, the
// index of the kConstant value that contains its weight in the kernels' packed
// layout (see prepack.h).
struct PackedWeights {
  std::map<size_t, int> packed_value_of_node;
};

// Everything the entry function depends on. All references must outlive
// the builder.
struct EntryInputs {
  const ir::Graph& graph;
  const MemoryPlan& plan;
  const ir::WeightsLayout& weights;
  const PackedWeights& packed;
};

// Builds a module for `triple` that defines NPUJAR_ENTRY_SYMBOL and declares
// the npk_* kernels it calls. Throws CodegenError naming the node for an
// operator, dtype or shape the kernels do not cover.
std::unique_ptr<llvm::Module> build_entry_module(llvm::LLVMContext& context,
                                                 const std::string& triple,
                                                 const EntryInputs& inputs);

// The state of one entry function under construction, shared by the
// lowering of each operator (kernel_calls*.cc). Methods emit IR at the
// builder's current position.
class EntryEmitter {
 public:
  EntryEmitter(llvm::Module& module, const EntryInputs& inputs);
  ~EntryEmitter();

  // Emits the whole function body.
  void build();

  const ir::Graph& graph() const { return inputs_.graph; }
  const ir::Node& node(size_t index) const { return inputs_.graph.nodes[index]; }
  const ir::Value& value(int index) const { return inputs_.graph.values[index]; }

  // The npujar_model_args pointer, passed to every kernel as `ctx`.
  llvm::Value* context_argument() const;
  // Address of a value's first byte; a null pointer for index -1.
  llvm::Value* tensor_address(int value_index);
  // tensor_address plus `element_offset` elements of the value's dtype.
  llvm::Value* tensor_address_at(int value_index, llvm::Value* element_offset);
  llvm::Value* scratch_address(size_t node_index);
  // The packed weight of a node; throws CodegenError when it has none.
  llvm::Value* packed_weight_address(size_t node_index);
  bool has_packed_weight(size_t node_index) const;

  llvm::Value* i64(int64_t value);
  llvm::Value* i32(int32_t value);
  llvm::Value* f32(double value);
  llvm::Value* null_pointer();
  llvm::Value* dim(const ir::Dim& dim);
  llvm::Value* linear(const LinearSize& size);
  llvm::Value* multiply(llvm::Value* a, llvm::Value* b);
  llvm::Value* add(llvm::Value* a, llvm::Value* b);
  // Number of elements of a value, in the element type int64.
  llvm::Value* numel(int value_index);
  // Product of dims [begin, end) of a shape.
  llvm::Value* extent_product(const ir::Shape& shape, size_t begin, size_t end);
  // Row-major strides of a shape, in elements.
  std::vector<llvm::Value*> contiguous_strides(const ir::Shape& shape);
  // A stack array of int64 holding `elements`, for shape and params
  // arguments; the optimizer forwards constant entries into the kernels.
  llvm::Value* i64_array(const std::vector<llvm::Value*>& elements);

  // Calls the kernel `name`, declaring it with the types of `arguments` and
  // `return_type` (null for void). Returns the call's result or nullptr.
  llvm::Value* call_kernel(const std::string& name, llvm::Type* return_type,
                           const std::vector<llvm::Value*>& arguments);
  // Emits a memcpy of `bytes` bytes.
  void copy_bytes(llvm::Value* destination, llvm::Value* source, llvm::Value* bytes);
  // Returns `status` from the entry function when it is not zero.
  void return_if_error(llvm::Value* status);

  llvm::Type* int32_type();
  // Emits node `node_index`, behind a check that skips it when its first
  // output has a symbolic shape and zero elements.
  void lower_node_unless_empty(size_t node_index);
  // Describes node `index` for error messages.
  std::string describe(size_t node_index) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  const EntryInputs& inputs_;
};

// Emits the calls for one node; defined in kernel_calls.cc. Throws
// CodegenError for an operator or case that has no kernel.
void lower_node(EntryEmitter& emitter, size_t node_index);

// The scratch bytes a node's kernel needs, from the kernels' natively
// compiled size functions; zero for most operators.
LinearSize node_scratch_bytes(const ir::Graph& graph, size_t node_index);

}  // namespace npujar::codegen
