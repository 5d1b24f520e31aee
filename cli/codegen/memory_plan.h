// Static memory planning: where every tensor of a graph lives when compiled
// code runs it. Graph inputs and outputs live in the caller's buffers,
// constants in the weights section, and everything else (intermediate
// tensors and per-kernel scratch) in one activation arena whose layout is
// fixed at pack time.
//
// Sizes may depend on the graph's symbols. The IR allows one symbol per
// dimension, so a tensor's size is linear in one symbol; scratch sizes may
// add a constant part. The arena has a constant region first, then one
// region per symbol, in the order of Graph::symbols():
//
//   [ constant region: base_bytes ][ region of S0: p0 * S0 ][ region of S1 ] ...
//
// A tensor in the region of S_j sits at
//   base_bytes + sum over i < j of p_i * S_i  +  k * S_j
// so every offset, and the arena's size, is linear in the symbol values.
// Each region is planned by greedy-by-size with best fit on the tensors'
// live ranges. Offsets and coefficients are multiples of kArenaAlignment, so
// every tensor is 64-byte aligned for any symbol value.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "npujar/ir/graph.h"

namespace npujar::codegen {

inline constexpr int64_t kArenaAlignment = 64;

// base + sum over s of coefficients[s] * value(s), in bytes or elements.
struct LinearSize {
  int64_t base = 0;
  std::map<std::string, int64_t> coefficients;

  static LinearSize fixed(int64_t bytes) { return LinearSize{bytes, {}}; }
  bool is_static() const { return coefficients.empty(); }
  int64_t evaluate(const std::map<std::string, int64_t>& symbol_values) const;
  bool operator==(const LinearSize& other) const {
    return base == other.base && coefficients == other.coefficients;
  }
  bool operator!=(const LinearSize& other) const { return !(*this == other); }
};

// "64", "3072*N" or "128+512*N", for messages and dumps.
std::string linear_size_to_string(const LinearSize& size);

// Number of elements of `shape`. Throws CodegenError when two dims are
// symbolic, because the product is then not linear in the symbols.
LinearSize linear_numel(const ir::Shape& shape, const std::string& tensor_name);

// One buffer for the planner: its size and the range of steps (node indices)
// during which it must keep its contents, both ends included.
struct BufferRequest {
  LinearSize bytes;
  int first_step = 0;
  int last_step = 0;
};

// The plan of a set of requests: one offset per request, each a LinearSize
// (base + coefficient * symbol value), and the arena size.
struct ArenaLayout {
  std::vector<LinearSize> offsets;
  int64_t base_bytes = 0;
  // Bytes per unit of each symbol; the map lists only symbols with a region.
  std::map<std::string, int64_t> per_symbol_bytes;

  LinearSize total_bytes() const;
};

// Places `requests` in the arena. Requests whose live ranges overlap never
// share bytes. `symbol_order` fixes the order of the symbol regions; every
// symbol a request uses must be in it. A request of the form b + c * S
// (scratch) takes ceil(b / S) + c per unit of S, which holds for S >= 1.
// Throws CodegenError for a request that depends on two symbols or has a
// negative size.
ArenaLayout plan_arena(const std::vector<BufferRequest>& requests,
                       const std::vector<std::string>& symbol_order);

// The storage of one value at run time.
enum class StorageKind {
  kNone,      // unused value (dead code or an absent optional input)
  kInput,     // the caller's input buffer `index`
  kOutput,    // the caller's output buffer `index`
  kWeights,   // the constant's bytes in the weights section
  kArena,     // activation arena at `arena_offset`
};

struct Storage {
  StorageKind kind = StorageKind::kNone;
  int index = -1;           // input or output position for kInput/kOutput
  LinearSize arena_offset;  // for kArena
};

// Node outputs that reshape or identity nodes let share their input's
// storage, and graph outputs that need a copy at the end.
struct MemoryPlan {
  std::vector<Storage> values;  // one per Graph::values entry
  // For each node, the scratch buffer's arena offset and size (size zero
  // when the node needs none).
  std::vector<LinearSize> scratch_offsets;
  std::vector<LinearSize> scratch_bytes;
  // Nodes whose output shares the input's storage, so no code is emitted.
  std::vector<bool> node_is_alias;
  // Graph outputs (by position) that must be copied from another value's
  // storage after all nodes ran: the output is a graph input, a constant, a
  // value listed as output twice, or an alias of one of those.
  std::vector<std::pair<int, int>> output_copies;  // (output position, source value)
  LinearSize arena_bytes;
  int64_t arena_base_bytes = 0;
  std::map<std::string, int64_t> arena_per_symbol_bytes;
};

// Bytes of scratch a node needs, as returned by the kernels' size functions.
using ScratchFunction = std::function<LinearSize(const ir::Graph& graph, size_t node_index)>;

// Computes liveness and aliasing for `graph` and plans its arena. Expects a
// valid graph (ir::validate) with inferred shapes.
MemoryPlan plan_memory(const ir::Graph& graph, const ScratchFunction& scratch_bytes);

// True when `node` may give its output the storage of its input without a
// copy: reshape and identity of same-dtype, same-size tensors.
bool node_can_alias(const ir::Graph& graph, const ir::Node& node);

}  // namespace npujar::codegen
