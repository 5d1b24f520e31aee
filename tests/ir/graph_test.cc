// Core types and validate().
#include <gtest/gtest.h>

#include "graph_builder.h"
#include "npujar/ir/error.h"
#include "npujar/ir/ops.h"
#include "npujar/ir/validate.h"

namespace npujar::ir {
namespace {

using testing::GraphBuilder;

TEST(Dtype, NamesRoundTrip) {
  for (DType dtype : {DType::kF32, DType::kF16, DType::kBF16, DType::kI64, DType::kI32, DType::kI8, DType::kU8, DType::kBool}) {
    EXPECT_EQ(parse_dtype(dtype_name(dtype)), dtype);
  }
  EXPECT_FALSE(parse_dtype("f64").has_value());
  EXPECT_EQ(dtype_size(DType::kBF16), 2u);
  EXPECT_EQ(dtype_size(DType::kI64), 8u);
}

TEST(Dim, ResolvesSymbolsAndPrints) {
  Shape shape = {Dim::symbolic("N"), Dim::fixed(3), Dim::symbolic("N", 12)};
  EXPECT_EQ(shape_to_string(shape), "[N,3,12*N]");
  EXPECT_EQ(shape_numel(shape, {{"N", 2}}), 2 * 3 * 24);
  EXPECT_FALSE(shape_is_static(shape));
  EXPECT_THROW(shape_numel(shape, {}), IrError);
}

TEST(Ops, EveryOperatorIsKnown) {
  const std::vector<std::string> expected = {"add", "where", "gelu", "cast", "matmul", "linear", "conv2d",
                                             "batch_norm", "layer_norm", "softmax", "log_softmax", "max_pool2d",
                                             "avg_pool2d", "adaptive_avg_pool2d", "adaptive_max_pool2d", "resize",
                                             "reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reshape",
                                             "permute", "slice", "concat", "gather", "expand", "pad", "identity"};
  for (const std::string& op : expected) EXPECT_TRUE(is_known_operator(op)) << op;
  EXPECT_FALSE(is_known_operator("conv3d"));
  EXPECT_EQ(operator_names().size(), 59u);
}

TEST(Graph, SymbolsComeFromInputsSorted) {
  GraphBuilder builder;
  builder.input("a", DType::kF32, Shape{Dim::symbolic("S"), Dim::fixed(4)});
  builder.input("b", DType::kF32, Shape{Dim::symbolic("N"), Dim::symbolic("S")});
  EXPECT_EQ(builder.graph().symbols(), (std::vector<std::string>{"N", "S"}));
}

Graph valid_graph() {
  GraphBuilder builder;
  int x = builder.input("x", DType::kF32, {2, 3});
  int y = builder.node("relu", {x});
  builder.output(builder.node("neg", {y}));
  return builder.graph();
}

TEST(Validate, AcceptsValidGraph) { EXPECT_NO_THROW(validate(valid_graph())); }

void expect_invalid(const Graph& graph, const std::string& fragment) {
  try {
    validate(graph);
    ADD_FAILURE() << "expected IrError containing '" << fragment << "'";
  } catch (const IrError& error) {
    EXPECT_NE(std::string(error.what()).find(fragment), std::string::npos) << error.what();
  }
}

TEST(Validate, RejectsUnknownOperator) {
  Graph graph = valid_graph();
  graph.nodes[0].op = "frobnicate";
  expect_invalid(graph, "unknown operator 'frobnicate'");
}

TEST(Validate, RejectsWrongInputCount) {
  Graph graph = valid_graph();
  graph.nodes[0].inputs.push_back(0);
  expect_invalid(graph, "has 2 inputs, expected 1");
}

TEST(Validate, RejectsUseBeforeDefinition) {
  Graph graph = valid_graph();
  std::swap(graph.nodes[0], graph.nodes[1]);
  expect_invalid(graph, "used before it is produced");
}

TEST(Validate, RejectsValueProducedTwice) {
  Graph graph = valid_graph();
  graph.nodes[1].outputs[0] = graph.nodes[0].outputs[0];
  graph.outputs[0] = graph.nodes[0].outputs[0];
  expect_invalid(graph, "produced twice");
}

TEST(Validate, RejectsOutOfRangeIndex) {
  Graph graph = valid_graph();
  graph.nodes[1].inputs[0] = 99;
  expect_invalid(graph, "out of range");
}

TEST(Validate, RejectsAbsentRequiredInput) {
  Graph graph = valid_graph();
  graph.nodes[0].inputs[0] = -1;
  expect_invalid(graph, "absent where required");
}

TEST(Validate, RejectsConstantWithWrongDataSize) {
  GraphBuilder builder;
  int c = builder.constant("c", HostTensor::from_f32({2}, {1, 2}));
  builder.output(builder.node("neg", {c}));
  Graph graph = builder.graph();
  graph.values[c].data.pop_back();
  expect_invalid(graph, "expected 8");
}

TEST(Validate, RejectsUnlistedInputValue) {
  Graph graph = valid_graph();
  graph.inputs.clear();
  expect_invalid(graph, "not a graph input");
}

TEST(Validate, RejectsSymbolNoInputDefines) {
  GraphBuilder builder;
  int x = builder.input("x", DType::kF32, Shape{Dim::symbolic("N"), Dim::fixed(4)});
  builder.output(builder.node("reshape", {x}, {}, Shape{Dim::symbolic("N", 2), Dim::fixed(2)}));
  EXPECT_NO_THROW(validate(builder.graph()));
  builder.graph().values[1].shape[0].symbol = "M";
  expect_invalid(builder.graph(), "uses symbol M, which no graph input shape defines");
}

TEST(Validate, RejectsOutputNeverProduced) {
  Graph graph = valid_graph();
  graph.nodes.pop_back();
  expect_invalid(graph, "never produced");
}

}  // namespace
}  // namespace npujar::ir
