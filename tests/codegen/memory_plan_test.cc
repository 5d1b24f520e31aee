// Tests of the static memory planner: live buffers never overlap for any
// symbol value, dead buffers are reused, offsets are aligned, symbolic sizes
// scale, and graph-level storage (caller buffers, aliases, copies) is right.
// Overlap is checked by brute force over byte ranges, independently of the
// planner's own bookkeeping.
#include <gtest/gtest.h>

#include <random>

#include "error.h"
#include "memory_plan.h"

namespace npujar::codegen {
namespace {

using ir::Dim;
using ir::DType;
using ir::Graph;
using ir::Node;
using ir::Value;
using ir::ValueKind;

struct ByteRange {
  int64_t begin;
  int64_t end;
};

ByteRange range_of(const LinearSize& offset, const LinearSize& bytes,
                   const std::map<std::string, int64_t>& symbols) {
  int64_t begin = offset.evaluate(symbols);
  return ByteRange{begin, begin + bytes.evaluate(symbols)};
}

// Fails when two requests with overlapping live ranges share a byte, or a
// request reaches past the arena, for the given symbol values.
void expect_valid_layout(const std::vector<BufferRequest>& requests, const ArenaLayout& layout,
                         const std::map<std::string, int64_t>& symbols) {
  int64_t arena = layout.total_bytes().evaluate(symbols);
  for (size_t i = 0; i < requests.size(); ++i) {
    ByteRange a = range_of(layout.offsets[i], requests[i].bytes, symbols);
    EXPECT_GE(a.begin, 0) << "request " << i;
    EXPECT_LE(a.end, arena) << "request " << i << " reaches past the arena";
    EXPECT_EQ(a.begin % kArenaAlignment, 0) << "request " << i << " is misaligned";
    for (size_t j = i + 1; j < requests.size(); ++j) {
      bool live_together = requests[i].first_step <= requests[j].last_step &&
                           requests[j].first_step <= requests[i].last_step;
      if (!live_together) continue;
      ByteRange b = range_of(layout.offsets[j], requests[j].bytes, symbols);
      bool empty = a.begin == a.end || b.begin == b.end;
      bool disjoint = a.end <= b.begin || b.end <= a.begin;
      EXPECT_TRUE(empty || disjoint) << "requests " << i << " and " << j << " overlap";
    }
  }
}

LinearSize scaled(int64_t base, const std::string& symbol, int64_t coefficient) {
  LinearSize size = LinearSize::fixed(base);
  size.coefficients[symbol] = coefficient;
  return size;
}

TEST(PlanArena, RandomRequestsNeverOverlap) {
  std::mt19937 random(1234);
  for (int round = 0; round < 50; ++round) {
    std::vector<BufferRequest> requests;
    int count = 1 + static_cast<int>(random() % 40);
    for (int i = 0; i < count; ++i) {
      int first = static_cast<int>(random() % 30);
      int last = first + static_cast<int>(random() % 6);
      LinearSize bytes;
      switch (random() % 4) {
        case 0: bytes = LinearSize::fixed(1 + random() % 5000); break;
        case 1: bytes = scaled(0, "N", 1 + random() % 3000); break;
        case 2: bytes = scaled(random() % 700, "S", 1 + random() % 900); break;
        default: bytes = LinearSize::fixed(0); break;
      }
      requests.push_back(BufferRequest{bytes, first, last});
    }
    ArenaLayout layout = plan_arena(requests, {"N", "S"});
    ASSERT_EQ(layout.offsets.size(), requests.size());
    for (int64_t n : {1, 2, 7}) {
      for (int64_t s : {1, 5, 128}) {
        expect_valid_layout(requests, layout, {{"N", n}, {"S", s}});
      }
    }
  }
}

TEST(PlanArena, DeadBuffersAreReused) {
  // A chain: each buffer is read by the step after the one producing it.
  std::vector<BufferRequest> requests;
  for (int step = 0; step < 8; ++step) {
    requests.push_back(BufferRequest{LinearSize::fixed(1024), step, step + 1});
  }
  ArenaLayout layout = plan_arena(requests, {});
  EXPECT_EQ(layout.base_bytes, 2 * 1024);
  expect_valid_layout(requests, layout, {});
}

TEST(PlanArena, SmallBufferFillsBestGap) {
  // Steps: A [0,2] 4096 and B [0,2] 1024 stay live while C [1,1] and D [2,2]
  // come and go; D fits where C was.
  std::vector<BufferRequest> requests = {
      {LinearSize::fixed(4096), 0, 2},
      {LinearSize::fixed(1024), 0, 2},
      {LinearSize::fixed(2048), 1, 1},
      {LinearSize::fixed(2048), 2, 2},
  };
  ArenaLayout layout = plan_arena(requests, {});
  EXPECT_EQ(layout.base_bytes, 4096 + 1024 + 2048);
  EXPECT_EQ(layout.offsets[2].base, layout.offsets[3].base);
}

TEST(PlanArena, OffsetsAreAligned) {
  std::vector<BufferRequest> requests = {
      {LinearSize::fixed(3), 0, 5},
      {LinearSize::fixed(100), 0, 5},
      {scaled(0, "N", 12), 0, 5},
      {scaled(0, "N", 1), 0, 5},
  };
  ArenaLayout layout = plan_arena(requests, {"N"});
  for (int64_t n : {1, 3, 9, 1000}) {
    for (size_t i = 0; i < requests.size(); ++i) {
      EXPECT_EQ(layout.offsets[i].evaluate({{"N", n}}) % kArenaAlignment, 0)
          << "request " << i << " at N=" << n;
    }
  }
}

TEST(PlanArena, SymbolicSizesScaleWithSymbol) {
  std::vector<BufferRequest> requests = {
      {LinearSize::fixed(256), 0, 1},
      {scaled(0, "N", 640), 0, 1},
      {scaled(0, "N", 640), 1, 2},
  };
  ArenaLayout layout = plan_arena(requests, {"N"});
  EXPECT_EQ(layout.base_bytes, 256);
  EXPECT_EQ(layout.per_symbol_bytes.at("N"), 2 * 640);
  EXPECT_EQ(layout.total_bytes().evaluate({{"N", 10}}), 256 + 10 * 2 * 640);
  // Symbolic buffers start after the constant region at every N.
  EXPECT_GE(layout.offsets[1].evaluate({{"N", 1}}), 256);
  expect_valid_layout(requests, layout, {{"N", 33}});
}

TEST(PlanArena, TwoSymbolsInOneRequestAreRejected) {
  LinearSize bytes = scaled(0, "N", 4);
  bytes.coefficients["S"] = 4;
  EXPECT_THROW(plan_arena({BufferRequest{bytes, 0, 0}}, {"N", "S"}), CodegenError);
}

TEST(PlanArena, UnknownSymbolIsRejected) {
  EXPECT_THROW(plan_arena({BufferRequest{scaled(0, "B", 4), 0, 0}}, {"N"}), CodegenError);
}

TEST(LinearNumel, TwoSymbolicDimsAreRejected) {
  ir::Shape shape = {Dim::symbolic("N"), Dim::symbolic("S"), Dim::fixed(8)};
  EXPECT_THROW(linear_numel(shape, "x"), CodegenError);
}

TEST(LinearNumel, ScaledSymbolMultipliesOut) {
  ir::Shape shape = {Dim::symbolic("N", 12), Dim::fixed(5), Dim::fixed(7)};
  LinearSize numel = linear_numel(shape, "x");
  EXPECT_EQ(numel.base, 0);
  EXPECT_EQ(numel.coefficients.at("N"), 12 * 5 * 7);
}

// Graph builders for plan_memory.
int add_tensor(Graph& graph, const std::string& name, ir::Shape shape,
               ValueKind kind = ValueKind::kIntermediate) {
  Value value;
  value.name = name;
  value.shape = std::move(shape);
  value.kind = kind;
  if (kind == ValueKind::kConstant) {
    value.data.resize(4 * static_cast<size_t>(linear_numel(value.shape, name).base));
  }
  return graph.add_value(std::move(value));
}

void add_node(Graph& graph, const std::string& op, std::vector<int> inputs,
              std::vector<int> outputs) {
  Node node;
  node.op = op;
  node.inputs = std::move(inputs);
  node.outputs = std::move(outputs);
  graph.nodes.push_back(std::move(node));
}

// x -> relu -> a -> relu -> b -> reshape -> c -> relu -> y
Graph make_chain_graph(ir::Shape shape, ir::Shape reshaped) {
  Graph graph;
  int x = add_tensor(graph, "x", shape, ValueKind::kInput);
  int a = add_tensor(graph, "a", shape);
  int b = add_tensor(graph, "b", shape);
  int c = add_tensor(graph, "c", reshaped);
  int y = add_tensor(graph, "y", reshaped);
  add_node(graph, "relu", {x}, {a});
  add_node(graph, "relu", {a}, {b});
  add_node(graph, "reshape", {b}, {c});
  add_node(graph, "relu", {c}, {y});
  graph.inputs = {x};
  graph.outputs = {y};
  return graph;
}

TEST(PlanMemory, InputsAndOutputsUseCallerBuffers) {
  Graph graph = make_chain_graph({Dim::fixed(4), Dim::fixed(16)}, {Dim::fixed(64)});
  MemoryPlan plan = plan_memory(graph, nullptr);
  EXPECT_EQ(plan.values[0].kind, StorageKind::kInput);
  EXPECT_EQ(plan.values[0].index, 0);
  EXPECT_EQ(plan.values[4].kind, StorageKind::kOutput);
  EXPECT_EQ(plan.values[4].index, 0);
  EXPECT_TRUE(plan.output_copies.empty());
}

TEST(PlanMemory, ReshapeAliasesItsInput) {
  Graph graph = make_chain_graph({Dim::fixed(4), Dim::fixed(16)}, {Dim::fixed(64)});
  MemoryPlan plan = plan_memory(graph, nullptr);
  EXPECT_TRUE(plan.node_is_alias[2]);
  ASSERT_EQ(plan.values[2].kind, StorageKind::kArena);
  ASSERT_EQ(plan.values[3].kind, StorageKind::kArena);
  EXPECT_EQ(plan.values[2].arena_offset, plan.values[3].arena_offset);
  // a dies when b is produced at step 1, but b and its alias c live until
  // step 3; a and b are live together at step 1, so the arena contains two.
  EXPECT_EQ(plan.arena_base_bytes, 2 * 256);
  EXPECT_NE(plan.values[1].arena_offset, plan.values[2].arena_offset);
}

TEST(PlanMemory, SymbolicGraphArenaScales) {
  Graph graph = make_chain_graph({Dim::symbolic("N"), Dim::fixed(16)},
                                 {Dim::symbolic("N", 16)});
  MemoryPlan plan = plan_memory(graph, nullptr);
  EXPECT_EQ(plan.arena_base_bytes, 0);
  EXPECT_EQ(plan.arena_per_symbol_bytes.at("N"), 2 * 64);
  EXPECT_EQ(plan.arena_bytes.evaluate({{"N", 5}}), 5 * 2 * 64);
}

TEST(PlanMemory, ReshapedInputAsOutputIsCopied) {
  Graph graph;
  int x = add_tensor(graph, "x", {Dim::fixed(2), Dim::fixed(8)}, ValueKind::kInput);
  int y = add_tensor(graph, "y", {Dim::fixed(16)});
  add_node(graph, "reshape", {x}, {y});
  graph.inputs = {x};
  graph.outputs = {y};
  MemoryPlan plan = plan_memory(graph, nullptr);
  EXPECT_FALSE(plan.node_is_alias[0]);
  EXPECT_EQ(plan.values[y].kind, StorageKind::kOutput);
  EXPECT_TRUE(plan.output_copies.empty());
}

TEST(PlanMemory, RepeatedOutputIsCopied) {
  Graph graph;
  int x = add_tensor(graph, "x", {Dim::fixed(16)}, ValueKind::kInput);
  int y = add_tensor(graph, "y", {Dim::fixed(16)});
  add_node(graph, "relu", {x}, {y});
  graph.inputs = {x};
  graph.outputs = {y, y, x};
  MemoryPlan plan = plan_memory(graph, nullptr);
  ASSERT_EQ(plan.output_copies.size(), 2u);
  EXPECT_EQ(plan.output_copies[0], std::make_pair(1, y));
  EXPECT_EQ(plan.output_copies[1], std::make_pair(2, x));
}

TEST(PlanMemory, ScratchIsPlacedApartFromLiveTensors) {
  Graph graph = make_chain_graph({Dim::fixed(4), Dim::fixed(16)}, {Dim::fixed(64)});
  ScratchFunction scratch = [](const Graph& g, size_t node) {
    return node == 1 ? LinearSize::fixed(1000) : LinearSize{};
  };
  MemoryPlan plan = plan_memory(graph, scratch);
  EXPECT_EQ(plan.scratch_bytes[1].base, 1000);
  ByteRange scratch_range = range_of(plan.scratch_offsets[1], plan.scratch_bytes[1], {});
  for (int value : {1, 2}) {
    ByteRange tensor = range_of(plan.values[value].arena_offset, LinearSize::fixed(256), {});
    bool disjoint = scratch_range.end <= tensor.begin || tensor.end <= scratch_range.begin;
    EXPECT_TRUE(disjoint) << "scratch overlaps value " << value;
  }
  EXPECT_GE(plan.arena_base_bytes, 2 * 256 + 1024);
}

}  // namespace
}  // namespace npujar::codegen
