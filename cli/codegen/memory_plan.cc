// Memory planning in two stages. plan_memory() works on the graph. It groups
// values that share storage (reshape and identity outputs with their
// input) and decides which groups live in caller buffers or the weights
// section. The rest, plus each node's scratch, become buffer requests with
// live ranges in node steps. plan_arena() places those
// requests, region by region, with greedy-by-size best fit: the largest
// request first, each into the smallest gap between already placed requests
// whose live ranges overlap it, or above all of them when no gap fits.
#include "memory_plan.h"

#include <algorithm>
#include <limits>
#include <numeric>

#include "error.h"

namespace npujar::codegen {
namespace {

int64_t align_up(int64_t value, int64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

struct Placement {
  int64_t offset = 0;
  int64_t size = 0;
  int first_step = 0;
  int last_step = 0;
};

bool live_ranges_overlap(const Placement& a, const BufferRequest& b) {
  return a.first_step <= b.last_step && b.first_step <= a.last_step;
}

// Places requests of one region, each `units[i]` large, and returns the
// region's size. `members` are indices into `requests`.
int64_t place_region(const std::vector<BufferRequest>& requests, const std::vector<int>& members,
                     const std::vector<int64_t>& units, std::vector<int64_t>& offsets) {
  std::vector<int> order = members;
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    if (units[a] != units[b]) return units[a] > units[b];
    return requests[a].first_step < requests[b].first_step;
  });

  std::vector<Placement> placed;
  int64_t region_size = 0;
  for (int request_index : order) {
    const BufferRequest& request = requests[request_index];
    int64_t size = units[request_index];
    if (size == 0) {
      offsets[request_index] = 0;
      continue;
    }

    std::vector<const Placement*> conflicts;
    for (const Placement& other : placed) {
      if (live_ranges_overlap(other, request)) conflicts.push_back(&other);
    }
    std::sort(conflicts.begin(), conflicts.end(),
              [](const Placement* a, const Placement* b) { return a->offset < b->offset; });

    int64_t best_offset = -1;
    int64_t best_gap = std::numeric_limits<int64_t>::max();
    int64_t gap_start = 0;
    for (const Placement* other : conflicts) {
      int64_t gap = other->offset - gap_start;
      if (gap >= size && gap < best_gap) {
        best_gap = gap;
        best_offset = gap_start;
      }
      gap_start = std::max(gap_start, other->offset + other->size);
    }
    if (best_offset < 0) best_offset = gap_start;

    offsets[request_index] = best_offset;
    placed.push_back(Placement{best_offset, size, request.first_step, request.last_step});
    region_size = std::max(region_size, best_offset + size);
  }
  return region_size;
}

}  // namespace

int64_t LinearSize::evaluate(const std::map<std::string, int64_t>& symbol_values) const {
  int64_t total = base;
  for (const auto& [symbol, coefficient] : coefficients) {
    auto it = symbol_values.find(symbol);
    if (it == symbol_values.end()) {
      throw CodegenError("symbol " + symbol + " has no value");
    }
    total += coefficient * it->second;
  }
  return total;
}

std::string linear_size_to_string(const LinearSize& size) {
  std::string text;
  if (size.base != 0 || size.coefficients.empty()) text = std::to_string(size.base);
  for (const auto& [symbol, coefficient] : size.coefficients) {
    if (!text.empty()) text += "+";
    text += std::to_string(coefficient) + "*" + symbol;
  }
  return text;
}

LinearSize linear_numel(const ir::Shape& shape, const std::string& tensor_name) {
  int64_t product = 1;
  std::string symbol;
  for (const ir::Dim& dim : shape) {
    product *= dim.coefficient;
    if (dim.is_static()) continue;
    if (!symbol.empty()) {
      throw CodegenError("tensor " + tensor_name + " has shape " + ir::shape_to_string(shape) +
                         " with two symbolic dimensions; the static arena plan needs sizes "
                         "linear in one symbol, so give all but one dimension a fixed extent");
    }
    symbol = dim.symbol;
  }
  if (symbol.empty()) return LinearSize::fixed(product);
  LinearSize size;
  if (product != 0) size.coefficients[symbol] = product;
  return size;
}

LinearSize ArenaLayout::total_bytes() const {
  LinearSize total = LinearSize::fixed(base_bytes);
  for (const auto& [symbol, bytes] : per_symbol_bytes) {
    if (bytes != 0) total.coefficients[symbol] = bytes;
  }
  return total;
}

ArenaLayout plan_arena(const std::vector<BufferRequest>& requests,
                       const std::vector<std::string>& symbol_order) {
  // Region 0 is the constant region, region j + 1 the region of
  // symbol_order[j]; units are bytes there and bytes per symbol unit here.
  std::map<std::string, size_t> region_of_symbol;
  for (size_t j = 0; j < symbol_order.size(); ++j) region_of_symbol[symbol_order[j]] = j + 1;

  std::vector<std::vector<int>> members(symbol_order.size() + 1);
  std::vector<int64_t> units(requests.size(), 0);
  for (size_t i = 0; i < requests.size(); ++i) {
    const LinearSize& bytes = requests[i].bytes;
    if (bytes.base < 0) {
      throw CodegenError("buffer request " + std::to_string(i) + " has negative size " +
                         linear_size_to_string(bytes));
    }
    if (requests[i].first_step > requests[i].last_step) {
      throw CodegenError("buffer request " + std::to_string(i) + " has live range [" +
                         std::to_string(requests[i].first_step) + ", " +
                         std::to_string(requests[i].last_step) + "] that ends before it starts");
    }
    if (bytes.coefficients.size() > 1) {
      throw CodegenError("buffer request " + std::to_string(i) + " of " +
                         linear_size_to_string(bytes) +
                         " bytes depends on two symbols; the arena supports one per buffer");
    }
    if (bytes.is_static()) {
      units[i] = align_up(bytes.base, kArenaAlignment);
      members[0].push_back(static_cast<int>(i));
      continue;
    }
    const auto& [symbol, coefficient] = *bytes.coefficients.begin();
    auto region = region_of_symbol.find(symbol);
    if (region == region_of_symbol.end()) {
      throw CodegenError("buffer request " + std::to_string(i) + " uses symbol " + symbol +
                         " that is not among the graph's symbols");
    }
    if (coefficient < 0) {
      throw CodegenError("buffer request " + std::to_string(i) + " has negative size " +
                         linear_size_to_string(bytes));
    }
    // b + c * S <= (b + c) * S for every S >= 1.
    units[i] = align_up(bytes.base + coefficient, kArenaAlignment);
    members[region->second].push_back(static_cast<int>(i));
  }

  std::vector<int64_t> region_offsets(requests.size(), 0);
  std::vector<int64_t> region_sizes(members.size(), 0);
  for (size_t region = 0; region < members.size(); ++region) {
    region_sizes[region] = place_region(requests, members[region], units, region_offsets);
  }

  ArenaLayout layout;
  layout.base_bytes = region_sizes[0];
  for (size_t j = 0; j < symbol_order.size(); ++j) {
    if (region_sizes[j + 1] != 0) layout.per_symbol_bytes[symbol_order[j]] = region_sizes[j + 1];
  }

  // A region starts where the constant region and all earlier symbol
  // regions end, which is itself linear in the symbols.
  std::vector<LinearSize> region_start(members.size());
  LinearSize start = LinearSize::fixed(layout.base_bytes);
  for (size_t j = 0; j < symbol_order.size(); ++j) {
    region_start[j + 1] = start;
    if (region_sizes[j + 1] != 0) start.coefficients[symbol_order[j]] = region_sizes[j + 1];
  }

  layout.offsets.resize(requests.size());
  for (size_t region = 0; region < members.size(); ++region) {
    for (int i : members[region]) {
      if (region == 0) {
        layout.offsets[i] = LinearSize::fixed(region_offsets[i]);
        continue;
      }
      LinearSize offset = region_start[region];
      if (region_offsets[i] != 0) offset.coefficients[symbol_order[region - 1]] += region_offsets[i];
      layout.offsets[i] = offset;
    }
  }
  return layout;
}

bool node_can_alias(const ir::Graph& graph, const ir::Node& node) {
  if (node.op != "reshape" && node.op != "identity") return false;
  if (node.inputs.size() != 1 || node.outputs.size() != 1 || node.inputs[0] < 0) return false;
  const ir::Value& input = graph.values[node.inputs[0]];
  const ir::Value& output = graph.values[node.outputs[0]];
  if (input.dtype != output.dtype) return false;
  return linear_numel(input.shape, input.name) == linear_numel(output.shape, output.name);
}

namespace {

// Values that share one storage: each value's group root, the producer
// step of every value and the last step that reads each group.
struct AliasGroups {
  std::vector<int> root;
  std::vector<int> producer;       // node index, -1 for inputs and constants
  std::vector<bool> has_output;    // per root: a member is a graph output
};

AliasGroups group_aliases(const ir::Graph& graph, std::vector<bool>& node_is_alias) {
  size_t value_count = graph.values.size();
  AliasGroups groups;
  groups.root.resize(value_count);
  std::iota(groups.root.begin(), groups.root.end(), 0);
  groups.producer.assign(value_count, -1);
  groups.has_output.assign(value_count, false);

  std::vector<bool> is_graph_output(value_count, false);
  for (int output : graph.outputs) is_graph_output[output] = true;
  for (size_t v = 0; v < value_count; ++v) groups.has_output[v] = is_graph_output[v];

  node_is_alias.assign(graph.nodes.size(), false);
  for (size_t step = 0; step < graph.nodes.size(); ++step) {
    const ir::Node& node = graph.nodes[step];
    for (int output : node.outputs) groups.producer[output] = static_cast<int>(step);
    if (!node_can_alias(graph, node)) continue;

    int output = node.outputs[0];
    int root = groups.root[node.inputs[0]];
    if (is_graph_output[output]) {
      // A graph output needs its own caller buffer: it cannot be a view of
      // an input, a constant or another graph output, so those get a copy.
      bool read_only_root = graph.values[root].kind != ir::ValueKind::kIntermediate;
      if (read_only_root || groups.has_output[root]) continue;
      groups.has_output[root] = true;
    }
    groups.root[output] = root;
    node_is_alias[step] = true;
  }
  return groups;
}

}  // namespace

MemoryPlan plan_memory(const ir::Graph& graph, const ScratchFunction& scratch_bytes) {
  MemoryPlan plan;
  size_t value_count = graph.values.size();
  plan.values.resize(value_count);
  AliasGroups groups = group_aliases(graph, plan.node_is_alias);

  // Inputs and constants keep their places; aliases inherit them below.
  for (size_t position = 0; position < graph.inputs.size(); ++position) {
    plan.values[graph.inputs[position]] = Storage{StorageKind::kInput, static_cast<int>(position), {}};
  }
  for (size_t v = 0; v < value_count; ++v) {
    if (graph.values[v].kind == ir::ValueKind::kConstant) {
      plan.values[v] = Storage{StorageKind::kWeights, -1, {}};
    }
  }

  // The first graph output position of each intermediate group owns the
  // group's storage.
  for (size_t position = 0; position < graph.outputs.size(); ++position) {
    int root = groups.root[graph.outputs[position]];
    if (graph.values[root].kind != ir::ValueKind::kIntermediate) continue;
    if (plan.values[root].kind == StorageKind::kNone) {
      plan.values[root] = Storage{StorageKind::kOutput, static_cast<int>(position), {}};
    }
  }

  // Live ranges of groups that go to the arena.
  std::vector<int> first_step(value_count, -1);
  std::vector<int> last_step(value_count, -1);
  auto touch = [&](int value, int step) {
    int root = groups.root[value];
    if (first_step[root] < 0 || step < first_step[root]) first_step[root] = step;
    last_step[root] = std::max(last_step[root], step);
  };
  for (size_t step = 0; step < graph.nodes.size(); ++step) {
    const ir::Node& node = graph.nodes[step];
    for (int input : node.inputs) {
      if (input >= 0) touch(input, static_cast<int>(step));
    }
    for (int output : node.outputs) touch(output, static_cast<int>(step));
  }

  std::vector<BufferRequest> requests;
  std::vector<int> request_value;  // value root, or -1 - node index for scratch
  for (size_t v = 0; v < value_count; ++v) {
    bool is_root = groups.root[v] == static_cast<int>(v);
    if (!is_root || groups.producer[v] < 0 || plan.values[v].kind != StorageKind::kNone) continue;
    const ir::Value& value = graph.values[v];
    LinearSize bytes = linear_numel(value.shape, value.name);
    int64_t element_size = static_cast<int64_t>(ir::dtype_size(value.dtype));
    bytes.base *= element_size;
    for (auto& entry : bytes.coefficients) entry.second *= element_size;
    requests.push_back(BufferRequest{bytes, first_step[v], last_step[v]});
    request_value.push_back(static_cast<int>(v));
  }

  plan.scratch_offsets.assign(graph.nodes.size(), LinearSize{});
  plan.scratch_bytes.assign(graph.nodes.size(), LinearSize{});
  for (size_t step = 0; step < graph.nodes.size(); ++step) {
    if (plan.node_is_alias[step] || !scratch_bytes) continue;
    LinearSize bytes = scratch_bytes(graph, step);
    if (bytes.base == 0 && bytes.coefficients.empty()) continue;
    plan.scratch_bytes[step] = bytes;
    requests.push_back(BufferRequest{bytes, static_cast<int>(step), static_cast<int>(step)});
    request_value.push_back(-1 - static_cast<int>(step));
  }

  ArenaLayout layout = plan_arena(requests, graph.symbols());
  for (size_t i = 0; i < requests.size(); ++i) {
    if (request_value[i] >= 0) {
      plan.values[request_value[i]] = Storage{StorageKind::kArena, -1, layout.offsets[i]};
    } else {
      plan.scratch_offsets[-1 - request_value[i]] = layout.offsets[i];
    }
  }
  plan.arena_bytes = layout.total_bytes();
  plan.arena_base_bytes = layout.base_bytes;
  plan.arena_per_symbol_bytes = layout.per_symbol_bytes;

  for (size_t v = 0; v < value_count; ++v) {
    int root = groups.root[v];
    if (root != static_cast<int>(v)) plan.values[v] = plan.values[root];
  }

  // A graph output whose storage is not its own caller buffer is copied.
  for (size_t position = 0; position < graph.outputs.size(); ++position) {
    int value = graph.outputs[position];
    const Storage& storage = plan.values[value];
    bool in_place = storage.kind == StorageKind::kOutput && storage.index == static_cast<int>(position);
    if (!in_place) plan.output_copies.emplace_back(static_cast<int>(position), value);
  }
  return plan;
}

}  // namespace npujar::codegen
