// Compiles variants on worker threads, each in its own LLVMContext, because
// LLVM contexts share no state and a variant's compile is single-threaded.
// Sections and manifest entries are added afterwards in target order, so
// the archive does not depend on which thread finished first.
#include "variants.h"

#include <llvm/Config/llvm-config.h>
#include <llvm/IR/DiagnosticInfo.h>
#include <llvm/IR/DiagnosticPrinter.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/IR/Module.h>
#include <llvm/Target/TargetMachine.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <mutex>
#include <thread>

#include "entry_builder.h"
#include "error.h"
#include "module_pipeline.h"
#include "npujar_model_abi.h"
#include "prepack.h"

namespace npujar::codegen {
namespace {

// Runs `step` and reports its start and end through `progress`.
template <typename Step>
double timed_step(const ProgressCallback& progress, ProgressEvent event, Step step) {
  if (progress) progress(event);
  auto start = std::chrono::steady_clock::now();
  step();
  event.finished = true;
  event.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (progress) progress(event);
  return event.seconds;
}

// Collects LLVM's error diagnostics and drops warnings and remarks. The
// kernels' unroll pragmas warn whenever a trip count is not constant. That
// is no problem of the model, so those warnings stay out of pack's output.
void collect_errors(const llvm::DiagnosticInfo& info, void* context) {
  if (info.getSeverity() != llvm::DS_Error) return;
  std::string text;
  llvm::raw_string_ostream stream(text);
  llvm::DiagnosticPrinterRawOStream printer(stream);
  info.print(printer);
  static_cast<std::vector<std::string>*>(context)->push_back(stream.str());
}

format::Variant manifest_variant(const TargetSpec& target) {
  format::Variant variant;
  variant.name = target.variant_name;
  variant.kind = "cpu";
  variant.format = target.format == OutputFormat::kObject ? "object" : "bitcode";
  variant.arch = target.arch;
  variant.cpu_features = target.features;
  variant.sections = {variant_section_name(target)};
  variant.compiler = "LLVM " LLVM_VERSION_STRING;
  variant.abi_version = NPUJAR_MODEL_ABI_VERSION;
  variant.properties["triple"] = target.triple;
  variant.properties["vector_bytes"] = std::to_string(target.vector_bytes);
  if (!target.cpu.empty()) variant.properties["cpu"] = target.cpu;
  return variant;
}

}  // namespace

std::vector<CompiledVariant> compile_in_parallel(const ir::Graph& graph,
                                                 const ir::WeightsLayout& weights,
                                                 const MemoryPlan& plan,
                                                 const CodegenOptions& options) {
  size_t count = options.targets.size();
  std::vector<CompiledVariant> compiled(count);
  std::vector<std::exception_ptr> errors(count);
  std::mutex progress_mutex;
  ProgressCallback progress;
  if (options.progress) {
    progress = [&](const ProgressEvent& event) {
      std::lock_guard<std::mutex> lock(progress_mutex);
      options.progress(event);
    };
  }

  // Workers take the next target index until none is left.
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < count; i = next++) {
      try {
        compiled[i] = compile_variant(graph, weights, plan, options.targets[i], progress,
                                      static_cast<int>(i + 1), static_cast<int>(count));
      } catch (...) {
        errors[i] = std::current_exception();
      }
    }
  };
  size_t jobs = options.jobs > 0 ? static_cast<size_t>(options.jobs)
                                 : std::max(1u, std::thread::hardware_concurrency());
  jobs = std::min(jobs, count);
  initialize_llvm_targets();
  std::vector<std::thread> threads;
  for (size_t t = 1; t < jobs; ++t) threads.emplace_back(work);
  work();
  for (std::thread& thread : threads) thread.join();

  for (const std::exception_ptr& error : errors) {
    if (error) std::rethrow_exception(error);
  }
  return compiled;
}

std::string variant_section_name(const TargetSpec& target) {
  return "variant/" + target.variant_name;
}

MemoryPlan plan_graph_memory(const ir::Graph& graph) {
  return plan_memory(graph, node_scratch_bytes);
}

CompiledVariant compile_variant(const ir::Graph& graph, const ir::WeightsLayout& weights,
                                const MemoryPlan& plan, const TargetSpec& target,
                                const ProgressCallback& progress, int variant_index,
                                int variant_count) {
  PackedWeights packed = find_packed_weights(graph);
  llvm::LLVMContext context;
  std::vector<std::string> llvm_errors;
  context.setDiagnosticHandlerCallBack(collect_errors, &llvm_errors);
  std::unique_ptr<llvm::Module> module;
  std::unique_ptr<llvm::TargetMachine> machine;
  CompiledVariant result;
  result.target = target;

  ProgressEvent event;
  event.variant = target.variant_name;
  event.variant_index = variant_index;
  event.variant_count = variant_count;

  event.step = "build";
  result.seconds += timed_step(progress, event, [&] {
    module = build_entry_module(context, target.triple, EntryInputs{graph, plan, weights, packed});
  });

  event.step = "link";
  result.seconds += timed_step(progress, event, [&] {
    link_kernels(*module, target);
    internalize_except_entry(*module);
    set_target_attributes(*module, target);
  });

  event.step = "optimize";
  result.seconds += timed_step(progress, event, [&] {
    if (target.format == OutputFormat::kObject) {
      machine = create_target_machine(target);
      optimize_module(*module, *machine);
    } else {
      strip_unused(*module);
    }
    check_module_symbols(*module, target.variant_name);
  });

  event.step = "emit";
  result.seconds += timed_step(progress, event, [&] {
    if (target.format == OutputFormat::kObject) {
      result.bytes = emit_object(*module, *machine);
      check_object_symbols(result.bytes, target.variant_name);
    } else {
      result.bytes = emit_bitcode(*module);
    }
  });

  if (!llvm_errors.empty()) {
    throw CodegenError("variant " + target.variant_name + ": LLVM reported: " + llvm_errors.front());
  }
  return result;
}

std::vector<CompiledVariant> generate_variants(const ir::Graph& graph,
                                               const ir::WeightsLayout& weights,
                                               const CodegenOptions& options,
                                               format::ArchiveWriter& writer,
                                               format::Manifest& manifest) {
  std::vector<std::string> symbols = graph.symbols();
  if (!manifest.symbols.empty() && manifest.symbols != symbols) {
    throw CodegenError("the manifest lists other symbols than the graph's inputs use; set "
                       "manifest.symbols from Graph::symbols()");
  }
  MemoryPlan plan = plan_graph_memory(graph);
  manifest.arena.base_bytes = static_cast<uint64_t>(plan.arena_base_bytes);
  manifest.arena.per_symbol_bytes.clear();
  for (const auto& [symbol, bytes] : plan.arena_per_symbol_bytes) {
    manifest.arena.per_symbol_bytes[symbol] = static_cast<uint64_t>(bytes);
  }

  std::vector<CompiledVariant> compiled = compile_in_parallel(graph, weights, plan, options);
  for (const CompiledVariant& variant : compiled) {
    const TargetSpec& target = variant.target;
    format::SectionOptions section;
    section.compression = format::Compression::kZstd;
    section.zstd_level = options.zstd_level;
    format::SectionKind kind = target.format == OutputFormat::kObject ? format::SectionKind::kObject
                                                                       : format::SectionKind::kBitcode;
    writer.add_section(variant_section_name(target), kind, variant.bytes, section);

    auto& variants = manifest.variants;
    variants.erase(std::remove_if(variants.begin(), variants.end(),
                                  [&](const format::Variant& v) { return v.name == target.variant_name; }),
                   variants.end());
    format::Variant entry = manifest_variant(target);
    // The arena this variant's code was planned for; the runtime rejects a
    // manifest whose arena is smaller.
    entry.properties["arena_base_bytes"] = std::to_string(plan.arena_base_bytes);
    std::string per_symbol;
    for (const auto& [symbol, bytes] : plan.arena_per_symbol_bytes) {
      per_symbol += (per_symbol.empty() ? "" : ",") + symbol + "=" + std::to_string(bytes);
    }
    entry.properties["arena_per_symbol_bytes"] = per_symbol;
    variants.push_back(entry);
  }
  return compiled;
}

}  // namespace npujar::codegen
