// The entry point `npujar pack` calls: compiles a graph for every selected
// target and adds the variants to the archive and its manifest.
//
// Order of use in pack, after graph optimization:
//   1. prepack_weights(graph)            adds packed constants (prepack.h)
//   2. serialize the graph and weights   (ir::serialize_graph, with its
//                                         WeightsLayout)
//   3. generate_variants(graph, layout, options, writer, manifest)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "memory_plan.h"
#include "npujar/format/manifest.h"
#include "npujar/format/writer.h"
#include "npujar/ir/graph.h"
#include "npujar/ir/serialize.h"
#include "progress.h"
#include "targets.h"

namespace npujar::codegen {

struct CodegenOptions {
  std::vector<TargetSpec> targets = parse_targets(default_targets_text());
  // May be empty. Called from the compiling threads, one call at a time.
  ProgressCallback progress;
  int zstd_level = 3;  // compression level of the variant sections
  // Variants compiled at once, each on its own thread; 0 means one per
  // hardware thread. Each one keeps an LLVM module in memory.
  int jobs = 0;
};

// One compiled variant before it goes into an archive.
struct CompiledVariant {
  TargetSpec target;
  std::vector<uint8_t> bytes;  // ELF relocatable object or LLVM bitcode
  double seconds = 0;          // time spent compiling it
};

// The memory plan generated code uses; plan_memory with the kernels'
// scratch sizes.
MemoryPlan plan_graph_memory(const ir::Graph& graph);

// Compiles one variant of a graph whose weights are placed by `weights`
// and packed weights recorded by prepack_weights. Throws CodegenError.
CompiledVariant compile_variant(const ir::Graph& graph, const ir::WeightsLayout& weights,
                                const MemoryPlan& plan, const TargetSpec& target,
                                const ProgressCallback& progress = {}, int variant_index = 1,
                                int variant_count = 1);

// Compiles every target of `options`, adds one zstd-compressed section
// "variant/<name>" per variant to `writer`, and fills manifest.arena and
// manifest.variants (replacing variants of the same name). Returns the
// compiled variants with their sizes and times.
std::vector<CompiledVariant> generate_variants(const ir::Graph& graph,
                                               const ir::WeightsLayout& weights,
                                               const CodegenOptions& options,
                                               format::ArchiveWriter& writer,
                                               format::Manifest& manifest);

// Compiles every target of `options` on up to options.jobs threads and
// returns the variants in target order. Rethrows the first target's error.
std::vector<CompiledVariant> compile_in_parallel(const ir::Graph& graph,
                                                 const ir::WeightsLayout& weights,
                                                 const MemoryPlan& plan,
                                                 const CodegenOptions& options);

// "variant/cpu-x86-64-v3" for a target.
std::string variant_section_name(const TargetSpec& target);

}  // namespace npujar::codegen
