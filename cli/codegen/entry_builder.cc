#include "entry_builder.h"

#include <llvm/IR/BasicBlock.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/DerivedTypes.h>
#include <llvm/IR/Function.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Support/raw_ostream.h>

#include "error.h"
#include "npujar/ir/error.h"
#include "npujar_model_abi.h"

namespace npujar::codegen {

// Field positions of npujar_model_args, in declaration order.
enum ArgsField : unsigned {
  kArgsInputs = 0,
  kArgsOutputs = 1,
  kArgsWeights = 2,
  kArgsArena = 3,
  kArgsSymbols = 4,
};

struct EntryEmitter::Impl {
  Impl(llvm::Module& module) : module(module), context(module.getContext()), builder(context) {}

  llvm::Module& module;
  llvm::LLVMContext& context;
  llvm::IRBuilder<> builder;
  llvm::Function* function = nullptr;
  llvm::Value* args = nullptr;
  llvm::StructType* args_type = nullptr;
  llvm::BasicBlock* entry_block = nullptr;
  llvm::BasicBlock* error_block = nullptr;
  llvm::PHINode* error_status = nullptr;
  llvm::Value* weights = nullptr;
  llvm::Value* arena = nullptr;
  std::map<std::string, llvm::Value*> symbol_values;
};

EntryEmitter::EntryEmitter(llvm::Module& module, const EntryInputs& inputs)
    : impl_(std::make_unique<Impl>(module)), inputs_(inputs) {}

EntryEmitter::~EntryEmitter() = default;

void EntryEmitter::build() {
  Impl& m = *impl_;
  llvm::Type* pointer = llvm::PointerType::get(m.context, 0);
  m.args_type = llvm::StructType::create(
      m.context, {pointer, pointer, pointer, pointer, pointer, pointer, pointer, int32_type()},
      "npujar_model_args");
  auto* function_type = llvm::FunctionType::get(int32_type(), {pointer}, false);
  m.function = llvm::Function::Create(function_type, llvm::Function::ExternalLinkage,
                                      NPUJAR_ENTRY_SYMBOL, m.module);
  m.args = m.function->getArg(0);
  m.args->setName("args");
  m.entry_block = llvm::BasicBlock::Create(m.context, "entry", m.function);
  m.builder.SetInsertPoint(m.entry_block);

  auto load_field = [&](ArgsField field, const char* name) {
    llvm::Value* address = m.builder.CreateStructGEP(m.args_type, m.args, field);
    return m.builder.CreateLoad(pointer, address, name);
  };
  m.weights = load_field(kArgsWeights, "weights");
  m.arena = load_field(kArgsArena, "arena");

  // Symbols arrive in the order of Graph::symbols(), as the manifest lists them.
  std::vector<std::string> symbols = graph().symbols();
  if (!symbols.empty()) {
    llvm::Value* symbol_array = load_field(kArgsSymbols, "symbols");
    for (size_t i = 0; i < symbols.size(); ++i) {
      llvm::Value* address = m.builder.CreateConstInBoundsGEP1_64(
          m.builder.getInt64Ty(), symbol_array, i);
      m.symbol_values[symbols[i]] = m.builder.CreateLoad(m.builder.getInt64Ty(), address,
                                                         symbols[i]);
    }
  }

  for (size_t index = 0; index < graph().nodes.size(); ++index) {
    if (inputs_.plan.node_is_alias[index]) continue;
    lower_node_unless_empty(index);
  }

  for (const auto& [position, source] : inputs_.plan.output_copies) {
    llvm::Value* outputs = load_field(kArgsOutputs, "outputs");
    llvm::Value* slot = m.builder.CreateConstInBoundsGEP1_64(pointer, outputs, position);
    llvm::Value* destination = m.builder.CreateLoad(pointer, slot);
    llvm::Value* bytes =
        multiply(numel(source), i64(static_cast<int64_t>(ir::dtype_size(value(source).dtype))));
    copy_bytes(destination, tensor_address(source), bytes);
  }
  m.builder.CreateRet(i32(0));

  std::string problems;
  llvm::raw_string_ostream stream(problems);
  if (llvm::verifyFunction(*m.function, &stream)) {
    throw CodegenError("generated entry function is invalid: " + stream.str());
  }
}

void EntryEmitter::lower_node_unless_empty(size_t node_index) {
  Impl& m = *impl_;
  int output = node(node_index).outputs.empty() ? -1 : node(node_index).outputs[0];
  if (output < 0 || ir::shape_is_static(value(output).shape)) {
    lower_node(*this, node_index);
    return;
  }

  // A symbol value of 0 empties the tensor. The kernels need extents >= 1,
  // so the node is skipped.
  llvm::BasicBlock* run = llvm::BasicBlock::Create(m.context, "run", m.function);
  llvm::BasicBlock* next = llvm::BasicBlock::Create(m.context, "next", m.function);
  m.builder.CreateCondBr(m.builder.CreateICmpEQ(numel(output), i64(0)), next, run);
  m.builder.SetInsertPoint(run);
  lower_node(*this, node_index);
  m.builder.CreateBr(next);
  m.builder.SetInsertPoint(next);
}

llvm::Value* EntryEmitter::context_argument() const { return impl_->args; }

llvm::Value* EntryEmitter::tensor_address(int value_index) {
  Impl& m = *impl_;
  if (value_index < 0) return null_pointer();
  llvm::Type* pointer = llvm::PointerType::get(m.context, 0);
  const Storage& storage = inputs_.plan.values[value_index];
  const std::string& name = value(value_index).name;
  switch (storage.kind) {
    case StorageKind::kInput:
    case StorageKind::kOutput: {
      ArgsField field = storage.kind == StorageKind::kInput ? kArgsInputs : kArgsOutputs;
      llvm::Value* array = m.builder.CreateLoad(
          pointer, m.builder.CreateStructGEP(m.args_type, m.args, field));
      llvm::Value* slot = m.builder.CreateConstInBoundsGEP1_64(pointer, array, storage.index);
      return m.builder.CreateLoad(pointer, slot, name);
    }
    case StorageKind::kWeights: {
      const ir::ConstantPlacement* placement = inputs_.weights.find(value_index);
      if (placement == nullptr) {
        throw CodegenError("constant " + name + " has no place in the weights layout");
      }
      return m.builder.CreateInBoundsGEP(m.builder.getInt8Ty(), m.weights,
                                         i64(static_cast<int64_t>(placement->offset)), name);
    }
    case StorageKind::kArena:
      return m.builder.CreateInBoundsGEP(m.builder.getInt8Ty(), m.arena,
                                         linear(storage.arena_offset), name);
    case StorageKind::kNone:
      break;
  }
  throw CodegenError("value " + name + " is used but has no storage in the memory plan");
}

llvm::Value* EntryEmitter::tensor_address_at(int value_index, llvm::Value* element_offset) {
  auto element_size = static_cast<int64_t>(ir::dtype_size(value(value_index).dtype));
  return impl_->builder.CreateInBoundsGEP(impl_->builder.getInt8Ty(), tensor_address(value_index),
                                          multiply(element_offset, i64(element_size)));
}

llvm::Value* EntryEmitter::scratch_address(size_t node_index) {
  const LinearSize& bytes = inputs_.plan.scratch_bytes[node_index];
  if (bytes.base == 0 && bytes.coefficients.empty()) return null_pointer();
  return impl_->builder.CreateInBoundsGEP(impl_->builder.getInt8Ty(), impl_->arena,
                                          linear(inputs_.plan.scratch_offsets[node_index]),
                                          "scratch");
}

bool EntryEmitter::has_packed_weight(size_t node_index) const {
  return inputs_.packed.packed_value_of_node.count(node_index) != 0;
}

llvm::Value* EntryEmitter::packed_weight_address(size_t node_index) {
  auto it = inputs_.packed.packed_value_of_node.find(node_index);
  if (it == inputs_.packed.packed_value_of_node.end()) {
    throw CodegenError(describe(node_index) + " has no pre-packed weight; run prepack_weights "
                       "on the graph before generating code");
  }
  return tensor_address(it->second);
}

llvm::Value* EntryEmitter::i64(int64_t value) { return impl_->builder.getInt64(value); }
llvm::Value* EntryEmitter::i32(int32_t value) { return impl_->builder.getInt32(value); }
llvm::Value* EntryEmitter::f32(double value) {
  return llvm::ConstantFP::get(impl_->builder.getFloatTy(), value);
}
llvm::Value* EntryEmitter::null_pointer() {
  return llvm::ConstantPointerNull::get(llvm::PointerType::get(impl_->context, 0));
}
llvm::Type* EntryEmitter::int32_type() { return impl_->builder.getInt32Ty(); }

llvm::Value* EntryEmitter::dim(const ir::Dim& dim) {
  if (dim.is_static()) return i64(dim.coefficient);
  auto it = impl_->symbol_values.find(dim.symbol);
  if (it == impl_->symbol_values.end()) {
    throw CodegenError("symbol " + dim.symbol + " is used by a tensor but by no graph input");
  }
  return multiply(i64(dim.coefficient), it->second);
}

llvm::Value* EntryEmitter::linear(const LinearSize& size) {
  llvm::Value* total = i64(size.base);
  for (const auto& [symbol, coefficient] : size.coefficients) {
    total = add(total, dim(ir::Dim::symbolic(symbol, coefficient)));
  }
  return total;
}

llvm::Value* EntryEmitter::multiply(llvm::Value* a, llvm::Value* b) {
  return impl_->builder.CreateMul(a, b);
}

llvm::Value* EntryEmitter::add(llvm::Value* a, llvm::Value* b) {
  return impl_->builder.CreateAdd(a, b);
}

llvm::Value* EntryEmitter::numel(int value_index) {
  const ir::Shape& shape = value(value_index).shape;
  return extent_product(shape, 0, shape.size());
}

llvm::Value* EntryEmitter::extent_product(const ir::Shape& shape, size_t begin, size_t end) {
  llvm::Value* product = i64(1);
  for (size_t d = begin; d < end && d < shape.size(); ++d) product = multiply(product, dim(shape[d]));
  return product;
}

std::vector<llvm::Value*> EntryEmitter::contiguous_strides(const ir::Shape& shape) {
  std::vector<llvm::Value*> strides(shape.size());
  llvm::Value* stride = i64(1);
  for (size_t d = shape.size(); d-- > 0;) {
    strides[d] = stride;
    stride = multiply(stride, dim(shape[d]));
  }
  return strides;
}

llvm::Value* EntryEmitter::i64_array(const std::vector<llvm::Value*>& elements) {
  Impl& m = *impl_;
  // Allocas go to the entry block so that SROA and mem2reg can promote them.
  llvm::IRBuilder<> entry_builder(m.entry_block, m.entry_block->begin());
  auto* array_type = llvm::ArrayType::get(m.builder.getInt64Ty(), std::max<size_t>(1, elements.size()));
  llvm::AllocaInst* array = entry_builder.CreateAlloca(array_type);
  array->setAlignment(llvm::Align(8));
  for (size_t i = 0; i < elements.size(); ++i) {
    llvm::Value* slot = m.builder.CreateConstInBoundsGEP2_64(array_type, array, 0, i);
    m.builder.CreateStore(elements[i], slot);
  }
  return array;
}

llvm::Value* EntryEmitter::call_kernel(const std::string& name, llvm::Type* return_type,
                                       const std::vector<llvm::Value*>& arguments) {
  Impl& m = *impl_;
  std::vector<llvm::Type*> parameter_types;
  for (llvm::Value* argument : arguments) parameter_types.push_back(argument->getType());
  if (return_type == nullptr) return_type = m.builder.getVoidTy();
  auto* type = llvm::FunctionType::get(return_type, parameter_types, false);

  llvm::Function* existing = m.module.getFunction(name);
  if (existing != nullptr && existing->getFunctionType() != type) {
    throw CodegenError("kernel " + name + " is called with two different signatures");
  }
  llvm::FunctionCallee callee = m.module.getOrInsertFunction(name, type);
  llvm::CallInst* call = m.builder.CreateCall(callee, arguments);
  return return_type->isVoidTy() ? nullptr : call;
}

void EntryEmitter::copy_bytes(llvm::Value* destination, llvm::Value* source, llvm::Value* bytes) {
  impl_->builder.CreateMemCpy(destination, llvm::MaybeAlign(4), source, llvm::MaybeAlign(4),
                              bytes);
}

void EntryEmitter::return_if_error(llvm::Value* status) {
  Impl& m = *impl_;
  if (m.error_block == nullptr) {
    m.error_block = llvm::BasicBlock::Create(m.context, "error", m.function);
    llvm::IRBuilder<> error_builder(m.error_block);
    m.error_status = error_builder.CreatePHI(int32_type(), 2, "status");
    error_builder.CreateRet(m.error_status);
  }
  llvm::BasicBlock* next = llvm::BasicBlock::Create(m.context, "ok", m.function);
  llvm::Value* failed = m.builder.CreateICmpNE(status, i32(0));
  m.error_status->addIncoming(status, m.builder.GetInsertBlock());
  m.builder.CreateCondBr(failed, m.error_block, next);
  m.builder.SetInsertPoint(next);
}

std::string EntryEmitter::describe(size_t node_index) const {
  return ir::describe_node(graph(), node_index);
}

std::unique_ptr<llvm::Module> build_entry_module(llvm::LLVMContext& context,
                                                 const std::string& triple,
                                                 const EntryInputs& inputs) {
  auto module = std::make_unique<llvm::Module>("npujar_model", context);
  module->setTargetTriple(triple);
  EntryEmitter emitter(*module, inputs);
  emitter.build();
  return module;
}

}  // namespace npujar::codegen
