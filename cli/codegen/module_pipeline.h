// The LLVM steps that turn an entry module into a variant: link the kernel
// bitcode, internalize, set the target's CPU and features, optimize, check
// external symbols, and emit an object file or bitcode.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "targets.h"

namespace llvm {
class Module;
class TargetMachine;
}  // namespace llvm

namespace npujar::codegen {

// Registers the X86 and AArch64 targets with LLVM once per process.
void initialize_llvm_targets();

// Links the embedded kernel bitcode for the target's architecture and
// vector width into `module`, taking only the functions the module uses,
// and gives `module` the kernels' triple and data layout.
void link_kernels(llvm::Module& module, const TargetSpec& target);

// Gives every global except NPUJAR_ENTRY_SYMBOL internal linkage, so the
// optimizer may specialize and drop kernels freely.
void internalize_except_entry(llvm::Module& module);

// Sets target-cpu and target-features on every function definition to the
// target's. For portable bitcode (empty cpu) it removes both, so the JIT on
// the host sets its own. Without this the kernels keep clang's default
// (x86-64 with SSE2 only) and run several times slower.
void set_target_attributes(llvm::Module& module, const TargetSpec& target);

// A target machine for an object target: PIC, small code model, O3.
std::unique_ptr<llvm::TargetMachine> create_target_machine(const TargetSpec& target);

// Runs the O3 module pipeline of the new pass manager, with the target's
// cost model.
void optimize_module(llvm::Module& module, llvm::TargetMachine& machine);

// Removes declarations and definitions nothing refers to, for portable
// bitcode that the host optimizes later.
void strip_unused(llvm::Module& module);

// Throws CodegenError naming the first function or global that `module`
// declares but does not define and that is not in NPUJAR_RUNTIME_SYMBOLS.
// LLVM intrinsics are allowed here; their library calls are checked in the
// object file.
void check_module_symbols(const llvm::Module& module, const std::string& variant_name);

// Throws CodegenError naming the first undefined symbol of an ELF object
// that is not in NPUJAR_RUNTIME_SYMBOLS.
void check_object_symbols(const std::vector<uint8_t>& object, const std::string& variant_name);

std::vector<uint8_t> emit_object(llvm::Module& module, llvm::TargetMachine& machine);
std::vector<uint8_t> emit_bitcode(const llvm::Module& module);

// The names in NPUJAR_RUNTIME_SYMBOLS.
const std::vector<std::string>& runtime_symbols();

}  // namespace npujar::codegen
