// LLVM side of the runtime. A loaded variant gets its own LLJIT instance
// with a JITLink ObjectLinkingLayer. Its main JITDylib contains only the
// runtime symbols as absolute addresses, so an object cannot reach any
// other function of the process even if the import check missed a symbol.
//
// Bitcode is compiled here instead of through LLJIT's IR layer so that the
// JIT cache can store the emitted object; the cached and the fresh path then
// link the same bytes the same way.
#include "npujar/runtime/jit.h"

#include <cmath>
#include <cstring>
#include <mutex>
#include <set>
#include <sstream>

#include <llvm/ADT/StringRef.h>
#include <llvm/Bitcode/BitcodeReader.h>
#include <llvm/Config/llvm-config.h>
#include <llvm/ExecutionEngine/JITLink/JITLinkMemoryManager.h>
#include <llvm/ExecutionEngine/Orc/CompileUtils.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/ExecutionEngine/Orc/ObjectLinkingLayer.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Object/ELFObjectFile.h>
#include <llvm/Object/ObjectFile.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Target/TargetMachine.h>

#include "npujar/runtime/log.h"

namespace npujar::runtime {
namespace {

std::string to_string(llvm::Error error) { return llvm::toString(std::move(error)); }

Status compile_error(const std::string& label, const std::string& message) {
  return Status(NPUJAR_ERROR_COMPILE, label + ": " + message);
}

void initialize_llvm() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
}

// Addresses of the runtime symbols in this process. The casts pick the
// float overloads and force real function addresses instead of builtins.
struct RuntimeSymbol {
  const char* name;
  void* address;
};

using UnaryF = float (*)(float);
using BinaryF = float (*)(float, float);

std::vector<RuntimeSymbol> runtime_symbol_addresses() {
  return {
      {"memcpy", reinterpret_cast<void*>(&::memcpy)},
      {"memset", reinterpret_cast<void*>(&::memset)},
      {"memmove", reinterpret_cast<void*>(&::memmove)},
      {"expf", reinterpret_cast<void*>(static_cast<UnaryF>(&::expf))},
      {"logf", reinterpret_cast<void*>(static_cast<UnaryF>(&::logf))},
      {"tanhf", reinterpret_cast<void*>(static_cast<UnaryF>(&::tanhf))},
      {"erff", reinterpret_cast<void*>(static_cast<UnaryF>(&::erff))},
      {"sqrtf", reinterpret_cast<void*>(static_cast<UnaryF>(&::sqrtf))},
      {"powf", reinterpret_cast<void*>(static_cast<BinaryF>(&::powf))},
      {"fmaxf", reinterpret_cast<void*>(static_cast<BinaryF>(&::fmaxf))},
      {"fminf", reinterpret_cast<void*>(static_cast<BinaryF>(&::fminf))},
      {"floorf", reinterpret_cast<void*>(static_cast<UnaryF>(&::floorf))},
      {"ceilf", reinterpret_cast<void*>(static_cast<UnaryF>(&::ceilf))},
      {"roundf", reinterpret_cast<void*>(static_cast<UnaryF>(&::roundf))},
  };
}

bool is_runtime_symbol(llvm::StringRef name) {
  static const std::set<std::string> names(runtime_symbol_names().begin(),
                                           runtime_symbol_names().end());
  return names.count(name.str()) != 0;
}

std::string host_arch_name() {
#if defined(__x86_64__)
  return "x86_64";
#elif defined(__aarch64__)
  return "aarch64";
#else
  return "unknown";
#endif
}

// Bytes a relocation of `type` patches, or 0 for a type the runtime does
// not accept. On x86-64 the list covers the data, PC-relative, PLT and GOT
// relocations of small-code-model objects; JITLink still returns an error
// for any of them it cannot link. On AArch64 every type is passed on.
size_t relocation_width(llvm::Triple::ArchType arch, uint64_t type) {
  if (arch == llvm::Triple::x86_64) {
    switch (type) {
      case 1:   // R_X86_64_64
      case 24:  // R_X86_64_PC64
      case 25:  // R_X86_64_GOTOFF64
      case 27:  // R_X86_64_GOT64
      case 28:  // R_X86_64_GOTPCREL64
      case 29:  // R_X86_64_GOTPC64
        return 8;
      case 2:   // R_X86_64_PC32
      case 4:   // R_X86_64_PLT32
      case 9:   // R_X86_64_GOTPCREL
      case 10:  // R_X86_64_32
      case 11:  // R_X86_64_32S
      case 26:  // R_X86_64_GOTPC32
      case 41:  // R_X86_64_GOTPCRELX
      case 42:  // R_X86_64_REX_GOTPCRELX
        return 4;
      default:
        return 0;
    }
  }
  return type == 257 /* R_AARCH64_ABS64 */ || type == 260 /* R_AARCH64_PREL64 */ ? 8 : 4;
}

// Checks that a relocation's symbol is one JITLink puts into its link
// graph: an external (global or weak) undefined symbol, or a function,
// object, section or untyped symbol defined in an allocated section. With
// corrupted symbols, JITLink 15 crashed while formatting its error message
// (found by the corrupted-object test).
Status check_relocation_symbol(const llvm::object::ELF64LEFile& elf,
                               llvm::ArrayRef<llvm::object::ELF64LE::Shdr> sections,
                               const llvm::object::ELF64LE::Shdr& symbol_table, uint32_t index,
                               const std::string& label) {
  auto symbol = elf.getEntry<llvm::object::ELF64LE::Sym>(symbol_table, index);
  if (!symbol) {
    return compile_error(label, "invalid symbol " + std::to_string(index) + ": " +
                                    to_string(symbol.takeError()));
  }
  const llvm::object::ELF64LE::Sym& entry = **symbol;
  std::string where = "relocation symbol " + std::to_string(index);
  if (entry.st_shndx == llvm::ELF::SHN_UNDEF) {
    if (entry.getBinding() != llvm::ELF::STB_GLOBAL && entry.getBinding() != llvm::ELF::STB_WEAK) {
      return compile_error(label, where + " is undefined but not global");
    }
    return Status::ok();
  }
  uint8_t type = entry.getType();
  if (type != llvm::ELF::STT_NOTYPE && type != llvm::ELF::STT_FUNC &&
      type != llvm::ELF::STT_OBJECT && type != llvm::ELF::STT_SECTION) {
    return compile_error(label, where + " has unsupported type " + std::to_string(type));
  }
  if (entry.st_shndx >= sections.size() ||
      (sections[entry.st_shndx].sh_flags & llvm::ELF::SHF_ALLOC) == 0) {
    return compile_error(label, where + " is not defined in an allocated section");
  }
  return Status::ok();
}

// JITLink 15 trusts relocation offsets and symbol indices (it checks them
// only with asserts, which release builds of LLVM compile out), and the
// generic ObjectFile relocation accessors abort on malformed tables. So the
// relocation tables are read here through ELFFile, whose accessors return
// errors, and every entry is checked before JITLink reads the object.
Status check_relocations(const llvm::object::ObjectFile& object, const std::string& label) {
  const auto* elf_object = llvm::dyn_cast<llvm::object::ELF64LEObjectFile>(&object);
  if (elf_object == nullptr) {
    return compile_error(label, "object is not a 64-bit little-endian ELF file");
  }
  const llvm::object::ELF64LEFile& elf = elf_object->getELFFile();
  auto sections = elf.sections();
  if (!sections) {
    return compile_error(label, "invalid section table: " + to_string(sections.takeError()));
  }

  for (const auto& section : *sections) {
    if (section.sh_type != llvm::ELF::SHT_RELA) {
      if (section.sh_type == llvm::ELF::SHT_REL) {
        return compile_error(label, "REL relocation sections are not supported; expected RELA");
      }
      continue;
    }
    if (section.sh_info >= sections->size() || section.sh_link >= sections->size()) {
      return compile_error(label, "relocation section refers to section " +
                                      std::to_string(section.sh_info) + " or symbol table " +
                                      std::to_string(section.sh_link) + " that does not exist");
    }
    const auto& symbol_table = (*sections)[section.sh_link];
    uint64_t target_size = (*sections)[section.sh_info].sh_size;
    uint64_t symbol_count = symbol_table.sh_size / sizeof(llvm::object::ELF64LE::Sym);
    // JITLink links only allocated sections and skips relocations of others
    // (debug information, for example).
    bool target_allocated = ((*sections)[section.sh_info].sh_flags & llvm::ELF::SHF_ALLOC) != 0;
    auto relocations = elf.relas(section);
    if (!relocations) {
      return compile_error(label, "invalid relocation table: " +
                                      to_string(relocations.takeError()));
    }
    for (const auto& relocation : *relocations) {
      uint32_t type = relocation.getType(false);
      size_t width = relocation_width(object.getArch(), type);
      if (width == 0) {
        return compile_error(label, "unsupported relocation type " + std::to_string(type));
      }
      uint64_t offset = relocation.r_offset;
      if (offset > target_size || target_size - offset < width) {
        return compile_error(label, "relocation at offset " + std::to_string(offset) +
                                        " lies outside its section of " +
                                        std::to_string(target_size) + " bytes");
      }
      if (relocation.getSymbol(false) >= symbol_count) {
        return compile_error(label, "relocation names symbol " +
                                        std::to_string(relocation.getSymbol(false)) + " of " +
                                        std::to_string(symbol_count));
      }
      if (target_allocated) {
        Status symbol_ok = check_relocation_symbol(elf, *sections, symbol_table,
                                                   relocation.getSymbol(false), label);
        if (!symbol_ok) {
          return symbol_ok;
        }
      }
    }
  }
  return Status::ok();
}

// Rejects an object for another architecture, without the entry symbol, or
// importing symbols outside the runtime's list.
Status check_object(const llvm::MemoryBufferRef& buffer, const std::string& label) {
  auto object = llvm::object::ObjectFile::createObjectFile(buffer);
  if (!object) {
    return compile_error(label, "invalid object file: " + to_string(object.takeError()));
  }
  if ((*object)->getArch() == llvm::Triple::UnknownArch) {
    return compile_error(label, "object is not for a known architecture; expected an ELF "
                                "relocatable object for " + host_arch_name());
  }
  std::string arch = llvm::Triple::getArchTypeName((*object)->getArch()).str();
  if (arch != host_arch_name()) {
    return compile_error(label, "object is for " + arch + ", host is " + host_arch_name());
  }

  bool has_entry = false;
  std::vector<std::string> unknown_imports;
  for (const llvm::object::SymbolRef& symbol : (*object)->symbols()) {
    auto name = symbol.getName();
    auto flags = symbol.getFlags();
    if (!name || !flags) {
      llvm::consumeError(name.takeError());
      llvm::consumeError(flags.takeError());
      return compile_error(label, "object has an unreadable symbol table entry");
    }
    bool undefined = (*flags & llvm::object::SymbolRef::SF_Undefined) != 0;
    if (!undefined) {
      has_entry |= *name == NPUJAR_ENTRY_SYMBOL;
      continue;
    }
    // JITLink synthesizes the GOT symbol that position-independent code names.
    if (name->empty() || *name == "_GLOBAL_OFFSET_TABLE_" || is_runtime_symbol(*name)) {
      continue;
    }
    unknown_imports.push_back(name->str());
  }
  if (!unknown_imports.empty()) {
    std::string names;
    for (const std::string& name : unknown_imports) {
      names += (names.empty() ? "" : " ") + name;
    }
    return compile_error(label, "object needs symbols the runtime does not provide: " + names +
                                    " (allowed: " NPUJAR_RUNTIME_SYMBOLS ")");
  }
  if (!has_entry) {
    return compile_error(label, std::string("object does not define ") + NPUJAR_ENTRY_SYMBOL);
  }
  return check_relocations(**object, label);
}

Status check_module_imports(const llvm::Module& module, const std::string& label) {
  std::string unknown;
  for (const llvm::Function& function : module.functions()) {
    if (function.isDeclaration() && !function.isIntrinsic() &&
        !is_runtime_symbol(function.getName())) {
      unknown += (unknown.empty() ? "" : " ") + function.getName().str();
    }
  }
  for (const llvm::GlobalVariable& global : module.globals()) {
    if (global.isDeclaration()) {
      unknown += (unknown.empty() ? "" : " ") + global.getName().str();
    }
  }
  if (!unknown.empty()) {
    return compile_error(label, "bitcode needs symbols the runtime does not provide: " + unknown +
                                    " (allowed: " NPUJAR_RUNTIME_SYMBOLS ")");
  }
  const llvm::Function* entry = module.getFunction(NPUJAR_ENTRY_SYMBOL);
  if (entry == nullptr || entry->isDeclaration()) {
    return compile_error(label, std::string("bitcode does not define ") + NPUJAR_ENTRY_SYMBOL);
  }
  return Status::ok();
}

Result<llvm::orc::JITTargetMachineBuilder> host_machine_builder() {
  initialize_llvm();
  auto builder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!builder) {
    return internal_error("detecting the host target failed: " + to_string(builder.takeError()));
  }
  // JITLink links small-code-model, position-independent ELF objects; the
  // same settings as LLJIT's own defaults for JITLink.
  builder->setRelocationModel(llvm::Reloc::PIC_);
  builder->setCodeModel(llvm::CodeModel::Small);
  builder->setCodeGenOptLevel(llvm::CodeGenOpt::Aggressive);
  return std::move(*builder);
}

Result<std::unique_ptr<llvm::orc::LLJIT>> create_linking_jit() {
  Result<llvm::orc::JITTargetMachineBuilder> machine = host_machine_builder();
  if (!machine) {
    return machine.status();
  }
  auto jit =
      llvm::orc::LLJITBuilder()
          .setJITTargetMachineBuilder(std::move(*machine))
          .setObjectLinkingLayerCreator(
              [](llvm::orc::ExecutionSession& session, const llvm::Triple&)
                  -> llvm::Expected<std::unique_ptr<llvm::orc::ObjectLayer>> {
                auto memory = llvm::jitlink::InProcessMemoryManager::Create();
                if (!memory) {
                  return memory.takeError();
                }
                return std::make_unique<llvm::orc::ObjectLinkingLayer>(session, std::move(*memory));
              })
          .create();
  if (!jit) {
    return internal_error("creating the JIT failed: " + to_string(jit.takeError()));
  }

  llvm::orc::SymbolMap symbols;
  for (const RuntimeSymbol& symbol : runtime_symbol_addresses()) {
    symbols[(*jit)->mangleAndIntern(symbol.name)] = llvm::JITEvaluatedSymbol(
        llvm::pointerToJITTargetAddress(symbol.address),
        llvm::JITSymbolFlags::Exported | llvm::JITSymbolFlags::Callable);
  }
  if (llvm::Error error =
          (*jit)->getMainJITDylib().define(llvm::orc::absoluteSymbols(std::move(symbols)))) {
    return internal_error("defining runtime symbols failed: " + to_string(std::move(error)));
  }
  return std::move(*jit);
}

void optimize_module(llvm::Module& module, llvm::TargetMachine& machine) {
  llvm::LoopAnalysisManager loops;
  llvm::FunctionAnalysisManager functions;
  llvm::CGSCCAnalysisManager cgscc;
  llvm::ModuleAnalysisManager modules;
  llvm::PassBuilder builder(&machine);
  builder.registerModuleAnalyses(modules);
  builder.registerCGSCCAnalyses(cgscc);
  builder.registerFunctionAnalyses(functions);
  builder.registerLoopAnalyses(loops);
  builder.crossRegisterProxies(loops, functions, cgscc, modules);
  llvm::ModulePassManager passes = builder.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O3);
  passes.run(module, modules);
}

}  // namespace

const std::vector<std::string>& runtime_symbol_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> result;
    std::istringstream words(NPUJAR_RUNTIME_SYMBOLS);
    std::string word;
    while (words >> word) {
      result.push_back(word);
    }
    return result;
  }();
  return names;
}

Result<JitTarget> host_jit_target() {
  static const Result<JitTarget> target = []() -> Result<JitTarget> {
    Result<llvm::orc::JITTargetMachineBuilder> machine = host_machine_builder();
    if (!machine) {
      return machine.status();
    }
    JitTarget result;
    result.triple = machine->getTargetTriple().str();
    result.cpu = machine->getCPU();
    result.features = machine->getFeatures().getString();
    result.llvm_version = LLVM_VERSION_STRING;
    log_debug("jit target: triple " + result.triple + ", cpu " + result.cpu + ", LLVM " +
              result.llvm_version + ", O3, PIC, small code model, features " + result.features);
    return result;
  }();
  return target;
}

LinkedCode::~LinkedCode() = default;

Result<std::unique_ptr<LinkedCode>> link_object(const uint8_t* data, size_t size,
                                                const std::string& label) {
  initialize_llvm();
  // The copy gives JITLink an owned, suitably aligned buffer.
  std::unique_ptr<llvm::MemoryBuffer> buffer = llvm::MemoryBuffer::getMemBufferCopy(
      llvm::StringRef(reinterpret_cast<const char*>(data), size), label);
  Status checked = check_object(buffer->getMemBufferRef(), label);
  if (!checked) {
    return checked;
  }

  Result<std::unique_ptr<llvm::orc::LLJIT>> jit = create_linking_jit();
  if (!jit) {
    return jit.status().with_context(label);
  }
  if (llvm::Error error = (*jit)->addObjectFile(std::move(buffer))) {
    return compile_error(label, "adding the object failed: " + to_string(std::move(error)));
  }
  // The lookup materializes the object: relocation errors surface here.
  auto entry = (*jit)->lookup(NPUJAR_ENTRY_SYMBOL);
  if (!entry) {
    return compile_error(label, "linking failed: " + to_string(entry.takeError()));
  }

  std::unique_ptr<LinkedCode> code(new LinkedCode());
  code->entry_ = entry->toPtr<npujar_model_entry_fn>();
  code->jit_ = std::move(*jit);
  return code;
}

Result<std::vector<uint8_t>> compile_bitcode(const uint8_t* data, size_t size,
                                             const JitTarget& target, const std::string& label) {
  Result<llvm::orc::JITTargetMachineBuilder> machine_builder = host_machine_builder();
  if (!machine_builder) {
    return machine_builder.status();
  }
  auto machine = machine_builder->createTargetMachine();
  if (!machine) {
    return compile_error(label, "creating the target machine failed: " +
                                    to_string(machine.takeError()));
  }

  llvm::LLVMContext context;
  llvm::MemoryBufferRef buffer(llvm::StringRef(reinterpret_cast<const char*>(data), size), label);
  auto module = llvm::parseBitcodeFile(buffer, context);
  if (!module) {
    return compile_error(label, "invalid bitcode: " + to_string(module.takeError()));
  }
  if (llvm::verifyModule(**module, nullptr)) {
    return compile_error(label, "bitcode fails LLVM's module verifier");
  }
  Status checked = check_module_imports(**module, label);
  if (!checked) {
    return checked;
  }

  // Bitcode built without -march carries target-cpu=x86-64 (SSE2 only) on
  // each function. Overwriting it lets the JIT use the host's vector units.
  for (llvm::Function& function : (*module)->functions()) {
    if (function.isDeclaration()) {
      continue;
    }
    function.removeFnAttr("target-cpu");
    function.removeFnAttr("target-features");
    function.addFnAttr("target-cpu", target.cpu);
    function.addFnAttr("target-features", target.features);
  }
  (*module)->setTargetTriple(target.triple);
  (*module)->setDataLayout((*machine)->createDataLayout());

  optimize_module(**module, **machine);

  llvm::orc::SimpleCompiler compiler(**machine);
  auto object = compiler(**module);
  if (!object) {
    return compile_error(label, "code generation failed: " + to_string(object.takeError()));
  }
  const llvm::MemoryBuffer& bytes = **object;
  return std::vector<uint8_t>(bytes.getBufferStart(), bytes.getBufferEnd());
}

}  // namespace npujar::runtime
