// Compiles variants one at a time, each in its own LLVMContext so that the
// memory of one variant's modules is released before the next starts.
#include "variants.h"

#include <llvm/Config/llvm-config.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/Target/TargetMachine.h>

#include <algorithm>
#include <chrono>

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

  std::vector<CompiledVariant> compiled;
  int count = static_cast<int>(options.targets.size());
  for (int i = 0; i < count; ++i) {
    const TargetSpec& target = options.targets[i];
    compiled.push_back(compile_variant(graph, weights, plan, target, options.progress, i + 1, count));

    format::SectionOptions section;
    section.compression = format::Compression::kZstd;
    section.zstd_level = options.zstd_level;
    format::SectionKind kind = target.format == OutputFormat::kObject ? format::SectionKind::kObject
                                                                       : format::SectionKind::kBitcode;
    writer.add_section(variant_section_name(target), kind, compiled.back().bytes, section);

    auto& variants = manifest.variants;
    variants.erase(std::remove_if(variants.begin(), variants.end(),
                                  [&](const format::Variant& v) { return v.name == target.variant_name; }),
                   variants.end());
    variants.push_back(manifest_variant(target));
  }
  return compiled;
}

}  // namespace npujar::codegen
