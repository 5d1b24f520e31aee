#include "module_pipeline.h"

#include <llvm/Analysis/CGSCCPassManager.h>
#include <llvm/Analysis/LoopAnalysisManager.h>
#include <llvm/Bitcode/BitcodeReader.h>
#include <llvm/Bitcode/BitcodeWriter.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/PassManager.h>
#include <llvm/Linker/Linker.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Object/ObjectFile.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/Error.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/Target/TargetOptions.h>
#include <llvm/Transforms/IPO/GlobalDCE.h>
#include <llvm/Transforms/IPO/Internalize.h>

#include <algorithm>
#include <mutex>
#include <sstream>

#include "error.h"
#include "npujar/kernels/bitcode.h"
#include "npujar_model_abi.h"

extern "C" {
void LLVMInitializeX86TargetInfo();
void LLVMInitializeX86Target();
void LLVMInitializeX86TargetMC();
void LLVMInitializeX86AsmPrinter();
void LLVMInitializeAArch64TargetInfo();
void LLVMInitializeAArch64Target();
void LLVMInitializeAArch64TargetMC();
void LLVMInitializeAArch64AsmPrinter();
}

namespace npujar::codegen {
namespace {

std::string error_text(llvm::Error error) { return llvm::toString(std::move(error)); }

bool is_runtime_symbol(llvm::StringRef name) {
  const std::vector<std::string>& allowed = runtime_symbols();
  return std::find(allowed.begin(), allowed.end(), name.str()) != allowed.end();
}

}  // namespace

const std::vector<std::string>& runtime_symbols() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> result;
    std::istringstream stream(NPUJAR_RUNTIME_SYMBOLS);
    std::string name;
    while (stream >> name) result.push_back(name);
    return result;
  }();
  return names;
}

void initialize_llvm_targets() {
  static std::once_flag once;
  std::call_once(once, [] {
    LLVMInitializeX86TargetInfo();
    LLVMInitializeX86Target();
    LLVMInitializeX86TargetMC();
    LLVMInitializeX86AsmPrinter();
    LLVMInitializeAArch64TargetInfo();
    LLVMInitializeAArch64Target();
    LLVMInitializeAArch64TargetMC();
    LLVMInitializeAArch64AsmPrinter();
  });
}

void link_kernels(llvm::Module& module, const TargetSpec& target) {
  const npk_bitcode* found = nullptr;
  for (int i = 0; i < npk_kernel_bitcode_count; ++i) {
    const npk_bitcode& candidate = npk_kernel_bitcode[i];
    if (target.arch == candidate.arch && target.vector_bytes == candidate.vector_bytes) {
      found = &candidate;
    }
  }
  if (found == nullptr) {
    throw CodegenError("variant " + target.variant_name + ": no kernel bitcode for " +
                       target.arch + " with " + std::to_string(target.vector_bytes) +
                       "-byte vectors is embedded in this build");
  }

  llvm::StringRef bytes(reinterpret_cast<const char*>(found->data), found->size);
  llvm::MemoryBufferRef buffer(bytes, "kernels_" + target.arch + "_" +
                                          std::to_string(target.vector_bytes) + ".bc");
  llvm::Expected<std::unique_ptr<llvm::Module>> kernels =
      llvm::parseBitcodeFile(buffer, module.getContext());
  if (!kernels) {
    throw CodegenError("variant " + target.variant_name + ": embedded kernel bitcode is invalid: " +
                       error_text(kernels.takeError()));
  }
  module.setTargetTriple((*kernels)->getTargetTriple());
  module.setDataLayout((*kernels)->getDataLayout());
  if (llvm::Linker::linkModules(module, std::move(*kernels), llvm::Linker::LinkOnlyNeeded)) {
    throw CodegenError("variant " + target.variant_name +
                       ": linking the kernel bitcode failed; a kernel's signature may differ "
                       "from the call the entry function makes");
  }
}

void internalize_except_entry(llvm::Module& module) {
  llvm::internalizeModule(module, [](const llvm::GlobalValue& value) {
    return value.getName() == NPUJAR_ENTRY_SYMBOL;
  });
}

void set_target_attributes(llvm::Module& module, const TargetSpec& target) {
  std::string features = llvm_feature_string(target);
  for (llvm::Function& function : module) {
    if (function.isDeclaration()) continue;
    function.removeFnAttr("target-cpu");
    function.removeFnAttr("target-features");
    function.removeFnAttr("tune-cpu");
    if (target.cpu.empty()) continue;
    function.addFnAttr("target-cpu", target.cpu);
    function.addFnAttr("target-features", features);
  }
}

std::unique_ptr<llvm::TargetMachine> create_target_machine(const TargetSpec& target) {
  initialize_llvm_targets();
  std::string error;
  const llvm::Target* llvm_target = llvm::TargetRegistry::lookupTarget(target.triple, error);
  if (llvm_target == nullptr) {
    throw CodegenError("variant " + target.variant_name + ": LLVM has no target for triple " +
                       target.triple + ": " + error);
  }
  llvm::TargetOptions options;
  std::unique_ptr<llvm::TargetMachine> machine(llvm_target->createTargetMachine(
      target.triple, target.cpu, llvm_feature_string(target), options, llvm::Reloc::PIC_,
      llvm::CodeModel::Small, llvm::CodeGenOpt::Aggressive));
  if (!machine) {
    throw CodegenError("variant " + target.variant_name + ": creating the LLVM target machine for " +
                       target.cpu + " failed");
  }
  return machine;
}

void optimize_module(llvm::Module& module, llvm::TargetMachine& machine) {
  module.setDataLayout(machine.createDataLayout());
  llvm::LoopAnalysisManager loop_analyses;
  llvm::FunctionAnalysisManager function_analyses;
  llvm::CGSCCAnalysisManager cgscc_analyses;
  llvm::ModuleAnalysisManager module_analyses;
  llvm::PassBuilder builder(&machine);
  builder.registerModuleAnalyses(module_analyses);
  builder.registerCGSCCAnalyses(cgscc_analyses);
  builder.registerFunctionAnalyses(function_analyses);
  builder.registerLoopAnalyses(loop_analyses);
  builder.crossRegisterProxies(loop_analyses, function_analyses, cgscc_analyses, module_analyses);
  llvm::ModulePassManager passes = builder.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O3);
  passes.run(module, module_analyses);
}

void strip_unused(llvm::Module& module) {
  llvm::ModuleAnalysisManager module_analyses;
  llvm::PassBuilder builder;
  builder.registerModuleAnalyses(module_analyses);
  llvm::ModulePassManager passes;
  passes.addPass(llvm::GlobalDCEPass());
  passes.run(module, module_analyses);
}

void check_module_symbols(const llvm::Module& module, const std::string& variant_name) {
  for (const llvm::Function& function : module) {
    if (!function.isDeclaration() || function.isIntrinsic()) continue;
    if (function.use_empty()) continue;
    if (!is_runtime_symbol(function.getName())) {
      throw CodegenError("variant " + variant_name + ": generated code calls " +
                         function.getName().str() +
                         ", which is neither a kernel in the embedded bitcode nor a runtime "
                         "symbol; add the kernel or lower the operator differently");
    }
  }
  for (const llvm::GlobalVariable& global : module.globals()) {
    if (global.isDeclaration() && !global.use_empty()) {
      throw CodegenError("variant " + variant_name + ": generated code refers to the undefined "
                         "global " + global.getName().str());
    }
  }
}

void check_object_symbols(const std::vector<uint8_t>& object, const std::string& variant_name) {
  llvm::StringRef bytes(reinterpret_cast<const char*>(object.data()), object.size());
  llvm::Expected<std::unique_ptr<llvm::object::ObjectFile>> file =
      llvm::object::ObjectFile::createObjectFile(llvm::MemoryBufferRef(bytes, variant_name));
  if (!file) {
    throw CodegenError("variant " + variant_name + ": emitted object cannot be read: " +
                       error_text(file.takeError()));
  }
  for (const llvm::object::SymbolRef& symbol : (*file)->symbols()) {
    llvm::Expected<uint32_t> flags = symbol.getFlags();
    if (!flags) throw CodegenError(error_text(flags.takeError()));
    if (!(*flags & llvm::object::SymbolRef::SF_Undefined)) continue;
    llvm::Expected<llvm::StringRef> name = symbol.getName();
    if (!name) throw CodegenError(error_text(name.takeError()));
    if (name->empty() || is_runtime_symbol(*name)) continue;
    throw CodegenError("variant " + variant_name + ": the object needs symbol " + name->str() +
                       ", which the runtime does not provide (allowed: " +
                       NPUJAR_RUNTIME_SYMBOLS + ")");
  }
}

std::vector<uint8_t> emit_object(llvm::Module& module, llvm::TargetMachine& machine) {
  module.setDataLayout(machine.createDataLayout());
  llvm::SmallVector<char, 0> buffer;
  llvm::raw_svector_ostream stream(buffer);
  llvm::legacy::PassManager passes;
  if (machine.addPassesToEmitFile(passes, stream, nullptr, llvm::CGFT_ObjectFile)) {
    throw CodegenError("LLVM cannot emit object files for " + machine.getTargetTriple().str());
  }
  passes.run(module);
  return std::vector<uint8_t>(buffer.begin(), buffer.end());
}

std::vector<uint8_t> emit_bitcode(const llvm::Module& module) {
  llvm::SmallVector<char, 0> buffer;
  llvm::raw_svector_ostream stream(buffer);
  llvm::WriteBitcodeToFile(module, stream);
  return std::vector<uint8_t>(buffer.begin(), buffer.end());
}

}  // namespace npujar::codegen
