// The runtime's one JIT factory. Everything LLVM-specific lives behind this
// header: the host's target machine settings, linking a relocatable object
// with ORC LLJIT and JITLink, and compiling portable bitcode for the host.
//
// Compiled code may only refer to the symbols NPUJAR_RUNTIME_SYMBOLS lists
// (npujar_model_abi.h). They are defined as absolute addresses of this
// process's libc and libm functions, and no other process symbol is visible.
// An object or module that needs another symbol is rejected before linking,
// with an error naming the symbol.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "npujar/runtime/status.h"
#include "npujar_model_abi.h"

namespace llvm::orc {
class LLJIT;
}

namespace npujar::runtime {

// Target machine settings for code that runs on this host.
struct JitTarget {
  std::string triple;    // e.g. "x86_64-unknown-linux-gnu"
  std::string cpu;       // LLVM's host CPU name
  std::string features;  // "+avx2,+fma,-avx512f,...": every host feature, on or off
  std::string llvm_version;
};

// Chooses the JIT target for this host once per process (detectHost), and
// logs it at debug level.
Result<JitTarget> host_jit_target();

// The symbols compiled code may import, from NPUJAR_RUNTIME_SYMBOLS.
const std::vector<std::string>& runtime_symbol_names();

// A linked variant. Owns the JIT session that contains its code, so the
// entry function stays valid while this object lives.
class LinkedCode {
 public:
  ~LinkedCode();
  LinkedCode(const LinkedCode&) = delete;
  LinkedCode& operator=(const LinkedCode&) = delete;

  npujar_model_entry_fn entry() const { return entry_; }

 private:
  friend Result<std::unique_ptr<LinkedCode>> link_object(const uint8_t*, size_t,
                                                         const std::string&);
  LinkedCode() = default;

  std::unique_ptr<llvm::orc::LLJIT> jit_;
  npujar_model_entry_fn entry_ = nullptr;
};

// Checks that an ELF relocatable object is for this host's architecture,
// defines NPUJAR_ENTRY_SYMBOL and imports only runtime symbols, then links
// it. `label` names the object in errors, e.g. "variant 'cpu-x86-64-v3'".
// Fails with NPUJAR_ERROR_COMPILE. The object is parsed and checked before
// JITLink sees it, so corrupt bytes become an error, not a crash.
Result<std::unique_ptr<LinkedCode>> link_object(const uint8_t* data, size_t size,
                                                const std::string& label);

// Parses bitcode, checks that it imports only runtime symbols, sets
// target-cpu and target-features of every function to `target`'s, optimizes
// at O3 and emits an ELF object for the host. Fails with
// NPUJAR_ERROR_COMPILE naming `label`.
Result<std::vector<uint8_t>> compile_bitcode(const uint8_t* data, size_t size,
                                             const JitTarget& target, const std::string& label);

}  // namespace npujar::runtime
