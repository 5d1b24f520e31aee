// Test helpers that compile a hand-built graph into a variant, load the
// object (or bitcode) with ORC LLJIT and JITLink the way the runtime does,
// resolving only NPUJAR_RUNTIME_SYMBOLS, and run npujar_model_run with a
// serial parallel_for.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "npujar/ir/graph.h"
#include "npujar/ir/host_tensor.h"
#include "targets.h"
#include "variants.h"

namespace npujar::codegen::testing {

// A graph prepared for code generation: packed weights added, weights
// laid out and serialized into a 64-byte-aligned buffer, memory planned.
struct PreparedGraph {
  ir::Graph graph;
  ir::WeightsLayout layout;
  std::vector<uint8_t> weights;
  MemoryPlan plan;
};

PreparedGraph prepare(ir::Graph graph);
// prepare() the way `npujar pack` stores a graph: packs weights, then
// serializes and decodes the graph and takes the weights layout of the
// encoding, so packed weights must survive the archive's graph section.
PreparedGraph prepare_round_trip(ir::Graph graph);

const TargetSpec& target_named(const std::string& name);

// Loads a compiled variant with LLJIT and runs it on `inputs`; outputs
// follow the graph's output order with shapes resolved from the inputs.
std::vector<ir::HostTensor> run_variant(const PreparedGraph& prepared,
                                        const CompiledVariant& variant,
                                        const std::vector<ir::HostTensor>& inputs);

// True when this host has every CPU feature the target needs.
bool host_supports(const TargetSpec& target);

// Largest absolute difference between two f32 tensors of the same shape;
// +inf when the shapes differ.
double max_abs_difference(const ir::HostTensor& a, const ir::HostTensor& b);

// Random f32 values in [-1, 1) from a fixed seed.
ir::HostTensor random_tensor(std::vector<int64_t> shape, unsigned seed);

// Graph-building helpers.
int add_input(ir::Graph& graph, const std::string& name, ir::Shape shape);
int add_intermediate(ir::Graph& graph, const std::string& name, ir::Shape shape);
int add_constant(ir::Graph& graph, const std::string& name, std::vector<int64_t> shape,
                 unsigned seed);
ir::Node& add_node(ir::Graph& graph, const std::string& op, std::vector<int> inputs,
                   std::vector<int> outputs);

}  // namespace npujar::codegen::testing
