// Graph passes: each test checks that the pass fires (the graph changes as
// expected) and that the reference executor gives the same results before
// and after on random inputs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "graph_builder.h"
#include "npujar/ir/dump.h"
#include "npujar/ir/passes.h"
#include "npujar/ir/reference.h"
#include "npujar/ir/validate.h"

namespace npujar::ir {
namespace {

using testing::GraphBuilder;
using testing::random_tensor;
using IntList = std::vector<int64_t>;

size_t count_op(const Graph& graph, const std::string& op) {
  return std::count_if(graph.nodes.begin(), graph.nodes.end(), [&](const Node& node) { return node.op == op; });
}

std::vector<HostTensor> random_inputs(const Graph& graph, std::mt19937& rng) {
  std::vector<HostTensor> inputs;
  for (int index : graph.inputs) {
    std::vector<int64_t> shape;
    for (const Dim& dim : graph.values[index].shape) shape.push_back(dim.is_static() ? dim.coefficient : 2 * dim.coefficient);
    inputs.push_back(random_tensor(rng, shape, -2, 2));
  }
  return inputs;
}

// Applies `pass` and checks the graph stays valid and its outputs stay
// within float rounding of the original's.
template <typename Pass>
size_t apply_and_compare(Graph& graph, Pass pass, double tolerance = 1e-5) {
  validate(graph);
  std::mt19937 rng(99);
  std::vector<HostTensor> inputs = random_inputs(graph, rng);
  std::vector<HostTensor> before = run_reference(graph, inputs);
  size_t changes = pass(graph);
  validate(graph);
  std::vector<HostTensor> after = run_reference(graph, inputs);
  EXPECT_EQ(before.size(), after.size());
  for (size_t i = 0; i < before.size() && i < after.size(); ++i) {
    EXPECT_EQ(before[i].shape, after[i].shape);
    std::vector<double> a = to_doubles(before[i]), b = to_doubles(after[i]);
    EXPECT_EQ(a.size(), b.size());
    for (size_t k = 0; k < a.size() && k < b.size(); ++k) {
      if (std::fabs(a[k] - b[k]) > tolerance * (1 + std::fabs(a[k]))) {
        ADD_FAILURE() << "output " << i << " element " << k << ": " << b[k] << " after the pass, " << a[k] << " before";
        break;
      }
    }
  }
  return changes;
}

HostTensor weights(std::mt19937& rng, const IntList& shape) { return random_tensor(rng, shape, -0.5, 0.5); }

TEST(Passes, DeadCodeEliminationRemovesUnusedBranch) {
  GraphBuilder builder;
  int x = builder.input("x", DType::kF32, {2, 3});
  int used = builder.node("relu", {x});
  int unused = builder.node("exp", {x});
  builder.node("neg", {unused});
  builder.output(used);
  Graph& graph = builder.graph();
  EXPECT_GT(apply_and_compare(graph, eliminate_dead_code), 0u);
  EXPECT_EQ(graph.nodes.size(), 1u);
  EXPECT_EQ(graph.values.size(), 2u);
}

TEST(Passes, IdentityRemovalDropsNoOps) {
  GraphBuilder builder;
  int x = builder.input("x", DType::kF32, {2, 3});
  int a = builder.node("identity", {x});
  int b = builder.node("cast", {a}, {{"to", static_cast<int64_t>(DType::kF32)}});
  int c = builder.node("reshape", {b}, {}, testing::static_shape({2, 3}));
  int d = builder.node("permute", {c}, {{"perm", IntList{0, 1}}});
  int e = builder.node("slice", {d}, {{"axis", int64_t{1}}, {"start", int64_t{0}}, {"end", int64_t{3}}, {"step", int64_t{1}}});
  int f = builder.node("concat", {e}, {{"axis", int64_t{0}}});
  int g = builder.node("pad", {f}, {{"pads", IntList{0, 0}}});
  int h = builder.node("relu", {g});
  builder.output(builder.node("identity", {h}));
  Graph& graph = builder.graph();
  EXPECT_EQ(apply_and_compare(graph, remove_identities), 8u);
  ASSERT_EQ(graph.nodes.size(), 1u);
  EXPECT_EQ(graph.nodes[0].op, "relu");
}

TEST(Passes, IdentityRemovalKeepsRealSlices) {
  GraphBuilder builder;
  int x = builder.input("x", DType::kF32, {2, 3});
  builder.output(builder.node("slice", {x}, {{"axis", int64_t{1}}, {"start", int64_t{1}}, {"end", int64_t{3}}}));
  builder.output(builder.node("pad", {x}, {{"pads", IntList{0, 1}}}));
  EXPECT_EQ(remove_identities(builder.graph()), 0u);
}

TEST(Passes, ConstantFoldingEvaluatesConstantSubgraph) {
  GraphBuilder builder;
  int x = builder.input("x", DType::kF32, {4});
  int a = builder.constant("a", HostTensor::from_f32({4}, {1, 2, 3, 4}));
  int b = builder.constant("b", HostTensor::from_f32({1}, {0.5}));
  int scaled = builder.node("mul", {a, b});
  int shifted = builder.node("sqrt", {scaled});
  builder.output(builder.node("add", {x, shifted}));
  Graph& graph = builder.graph();
  EXPECT_EQ(apply_and_compare(graph, [](Graph& g) { return fold_constants(g); }), 2u);
  ASSERT_EQ(graph.nodes.size(), 1u);
  EXPECT_EQ(graph.nodes[0].op, "add");
  // sqrt(0.5 * 3), computed independently in double and rounded to float.
  std::vector<double> folded = to_doubles(constant_tensor(graph.values[graph.nodes[0].inputs[1]]));
  EXPECT_EQ(folded[2], static_cast<double>(static_cast<float>(std::sqrt(1.5))));
}

TEST(Passes, ConstantFoldingSkipsLargeResults) {
  GraphBuilder builder;
  int a = builder.constant("a", HostTensor::zeros(DType::kF32, {1024}));
  builder.output(builder.node("exp", {a}));
  EXPECT_EQ(fold_constants(builder.graph(), 1024), 0u);
}

Graph conv_bn_graph(std::mt19937& rng, bool second_user) {
  GraphBuilder builder;
  int x = builder.input("x", DType::kF32, {1, 3, 9, 9});
  int conv = builder.node("conv2d", {x, builder.constant("w", weights(rng, {5, 3, 3, 3})), builder.constant("b", weights(rng, {5}))},
                          {{"pads", IntList{1, 1, 1, 1}}});
  HostTensor var = random_tensor(rng, {5}, 0.2, 2);
  int bn = builder.node("batch_norm", {conv, builder.constant("mean", weights(rng, {5})), builder.constant("var", var),
                                       builder.constant("gamma", weights(rng, {5})), builder.constant("beta", weights(rng, {5}))},
                        {{"epsilon", 1e-5}});
  builder.output(builder.node("relu", {bn}));
  if (second_user) builder.output(conv);
  return builder.graph();
}

TEST(Passes, BatchNormFoldsIntoConv) {
  std::mt19937 rng(5);
  Graph graph = conv_bn_graph(rng, false);
  EXPECT_EQ(apply_and_compare(graph, fold_batch_norm), 1u);
  EXPECT_EQ(count_op(graph, "batch_norm"), 0u);
  EXPECT_EQ(count_op(graph, "conv2d"), 1u);
}

TEST(Passes, BatchNormKeptForSharedConvOutput) {
  std::mt19937 rng(5);
  Graph graph = conv_bn_graph(rng, true);
  EXPECT_EQ(fold_batch_norm(graph), 0u);
  EXPECT_EQ(count_op(graph, "batch_norm"), 1u);
}

TEST(Passes, BatchNormFoldsIntoLinearWithoutBias) {
  std::mt19937 rng(6);
  GraphBuilder builder;
  int x = builder.input("x", DType::kF32, {3, 7});
  int linear = builder.node("linear", {x, builder.constant("w", weights(rng, {4, 7}))});
  builder.output(builder.node("batch_norm", {linear, builder.constant("mean", weights(rng, {4})),
                                             builder.constant("var", random_tensor(rng, {4}, 0.2, 2))}));
  Graph& graph = builder.graph();
  EXPECT_EQ(apply_and_compare(graph, fold_batch_norm), 1u);
  ASSERT_EQ(graph.nodes.size(), 1u);
  EXPECT_EQ(graph.nodes[0].op, "linear");
}

TEST(Passes, FusionMarksConvBiasResidualAndActivation) {
  std::mt19937 rng(7);
  GraphBuilder builder;
  int x = builder.input("x", DType::kF32, {1, 4, 7, 7});
  int shortcut = builder.node("conv2d", {x, builder.constant("w0", weights(rng, {4, 4, 1, 1}))});
  int conv = builder.node("conv2d", {x, builder.constant("w1", weights(rng, {4, 4, 3, 3}))}, {{"pads", IntList{1, 1, 1, 1}}});
  int biased = builder.node("add", {conv, builder.constant("bias", weights(rng, {1, 4, 1, 1}))});
  int sum = builder.node("add", {biased, shortcut});
  builder.output(builder.node("relu", {sum}));
  Graph& graph = builder.graph();
  EXPECT_EQ(apply_and_compare(graph, fuse_operators), 3u);
  ASSERT_EQ(graph.nodes.size(), 2u) << dump_graph(graph);
  // The add of two convolutions can become the residual of either one.
  // The scan fuses it into the first conv, so the biased conv now runs first.
  const Node& first = graph.nodes[0];
  const Node& fused = graph.nodes[1];
  EXPECT_EQ(first.op, "conv2d");
  ASSERT_EQ(first.inputs.size(), 3u) << dump_graph(graph);
  EXPECT_EQ(graph.values[first.inputs[2]].shape, testing::static_shape({4})) << dump_graph(graph);
  EXPECT_EQ(fused.op, "conv2d");
  EXPECT_EQ(fused.get_string("activation", ""), "relu");
  ASSERT_EQ(fused.inputs.size(), 4u);
  EXPECT_EQ(fused.inputs[3], first.outputs[0]);
}

TEST(Passes, FusionMovesConvAfterLaterResidualProducer) {
  std::mt19937 rng(8);
  GraphBuilder builder;
  int x = builder.input("x", DType::kF32, {1, 2, 5, 5});
  int conv = builder.node("conv2d", {x, builder.constant("w", weights(rng, {2, 2, 1, 1}))});
  int other = builder.node("sigmoid", {x});  // produced after the conv, used as residual
  builder.output(builder.node("add", {other, conv}));
  Graph& graph = builder.graph();
  EXPECT_EQ(apply_and_compare(graph, fuse_operators), 1u);
  ASSERT_EQ(graph.nodes.size(), 2u);
  EXPECT_EQ(graph.nodes[1].op, "conv2d");
}

TEST(Passes, FusionCoversEveryActivationOnLinearAndMatmul) {
  struct Case {
    std::string op;
    Attributes attributes;
    std::string mark;
  };
  const Case cases[] = {
      {"relu", {}, "relu"},
      {"clamp", {{"min", 0.0}, {"max", 6.0}}, "clamp"},
      {"sigmoid", {}, "sigmoid"},
      {"silu", {}, "silu"},
      {"hardswish", {}, "hardswish"},
      {"gelu", {}, "gelu"},
      {"gelu", {{"approximate", std::string("tanh")}}, "gelu_tanh"},
  };
  for (const std::string producer : {"linear", "matmul"}) {
    for (const Case& c : cases) {
      SCOPED_TRACE(producer + " + " + c.mark);
      std::mt19937 rng(9);
      GraphBuilder builder;
      int x = builder.input("x", DType::kF32, {2, 3, 6});
      int y = builder.node(producer, {x, builder.constant("w", weights(rng, {producer == "linear" ? 5 : 6, producer == "linear" ? 6 : 5}))});
      int biased = builder.node("add", {builder.constant("bias", weights(rng, {5})), y});
      builder.output(builder.node(c.op, {biased}, c.attributes));
      Graph& graph = builder.graph();
      EXPECT_EQ(apply_and_compare(graph, fuse_operators), 2u);
      ASSERT_EQ(graph.nodes.size(), 1u);
      EXPECT_EQ(graph.nodes[0].get_string("activation", ""), c.mark);
      EXPECT_GE(graph.nodes[0].inputs.size(), 3u);
    }
  }
}

TEST(Passes, FusionLeavesSharedOutputsAlone) {
  std::mt19937 rng(10);
  GraphBuilder builder;
  int x = builder.input("x", DType::kF32, {2, 6});
  int y = builder.node("linear", {x, builder.constant("w", weights(rng, {4, 6}))});
  builder.output(builder.node("relu", {y}));
  builder.output(y);
  EXPECT_EQ(fuse_operators(builder.graph()), 0u);
}

TEST(Passes, OptimizeSimplifiesResidualBlock) {
  std::mt19937 rng(11);
  GraphBuilder builder;
  int x = builder.input("x", DType::kF32, Shape{Dim::symbolic("N"), Dim::fixed(4), Dim::fixed(6), Dim::fixed(6)});
  int a = builder.node("conv2d", {x, builder.constant("w1", weights(rng, {4, 4, 3, 3}))}, {{"pads", IntList{1, 1, 1, 1}}});
  int bn = builder.node("batch_norm", {a, builder.constant("m", weights(rng, {4})), builder.constant("v", random_tensor(rng, {4}, 0.5, 1.5)),
                                       builder.constant("g", weights(rng, {4})), builder.constant("b", weights(rng, {4}))});
  int relu = builder.node("clamp", {bn}, {{"min", 0.0}, {"max", 6.0}});
  int copy = builder.node("identity", {relu});
  int two = builder.node("add", {builder.constant("one", HostTensor::from_f32({1}, {1})), builder.constant("one2", HostTensor::from_f32({1}, {1}))});
  int scaled = builder.node("mul", {copy, two});
  int sum = builder.node("add", {scaled, x});
  builder.output(builder.node("relu", {sum}));
  Graph& graph = builder.graph();
  apply_and_compare(graph, [](Graph& g) {
    optimize(g);
    return size_t{0};
  });
  EXPECT_EQ(count_op(graph, "batch_norm"), 0u);
  EXPECT_EQ(count_op(graph, "identity"), 0u);
  EXPECT_EQ(count_op(graph, "conv2d"), 1u);
  // conv2d with the clamp fused, then mul, add and relu, which follow no
  // fusable operator.
  EXPECT_EQ(graph.nodes.size(), 4u) << dump_graph(graph);
}

}  // namespace
}  // namespace npujar::ir
