// Reference executor behaviour that needs no LibTorch: symbol binding,
// input checks and symbolic shapes resolved at run time. Expected values
// are worked out by hand.
#include <gtest/gtest.h>

#include "graph_builder.h"
#include "npujar/ir/error.h"
#include "npujar/ir/reference.h"
#include "npujar/ir/validate.h"

namespace npujar::ir {
namespace {

using testing::GraphBuilder;

TEST(Reference, SymbolicReshapeResolvesFromInputs) {
  GraphBuilder builder;
  int x = builder.input("x", DType::kF32, Shape{Dim::symbolic("N"), Dim::fixed(2), Dim::fixed(3)});
  int y = builder.node("reshape", {x}, {}, Shape{Dim::symbolic("N", 2), Dim::fixed(3)});
  builder.output(builder.node("reduce_sum", {y}, {{"axes", std::vector<int64_t>{1}}}));
  validate(builder.graph());

  HostTensor input = HostTensor::from_f32({2, 2, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
  std::vector<HostTensor> outputs = run_reference(builder.graph(), {input});
  ASSERT_EQ(outputs.size(), 1u);
  EXPECT_EQ(outputs[0].shape, (std::vector<int64_t>{4}));
  EXPECT_EQ(to_doubles(outputs[0]), (std::vector<double>{6, 15, 24, 33}));
}

TEST(Reference, BindSymbolsDividesByCoefficient) {
  GraphBuilder builder;
  builder.input("a", DType::kF32, Shape{Dim::symbolic("N", 3)});
  builder.input("b", DType::kF32, Shape{Dim::symbolic("N"), Dim::symbolic("S")});
  auto symbols = bind_symbols(builder.graph(), {HostTensor::zeros(DType::kF32, {6}), HostTensor::zeros(DType::kF32, {2, 5})});
  EXPECT_EQ(symbols.at("N"), 2);
  EXPECT_EQ(symbols.at("S"), 5);
}

TEST(Reference, BindSymbolsRejectsConflictingValues) {
  GraphBuilder builder;
  builder.input("a", DType::kF32, Shape{Dim::symbolic("N", 3)});
  builder.input("b", DType::kF32, Shape{Dim::symbolic("N")});
  EXPECT_THROW(bind_symbols(builder.graph(), {HostTensor::zeros(DType::kF32, {6}), HostTensor::zeros(DType::kF32, {3})}), IrError);
  EXPECT_THROW(bind_symbols(builder.graph(), {HostTensor::zeros(DType::kF32, {7}), HostTensor::zeros(DType::kF32, {2})}), IrError);
}

TEST(Reference, RejectsMismatchedInputs) {
  GraphBuilder builder;
  int x = builder.input("x", DType::kF32, {2, 3});
  builder.output(builder.node("relu", {x}));
  const Graph& graph = builder.graph();
  EXPECT_THROW(run_reference(graph, {}), IrError);
  EXPECT_THROW(run_reference(graph, {HostTensor::zeros(DType::kI64, {2, 3})}), IrError);
  EXPECT_THROW(run_reference(graph, {HostTensor::zeros(DType::kF32, {3, 2})}), IrError);
  EXPECT_THROW(run_reference(graph, {HostTensor::zeros(DType::kF32, {2})}), IrError);
}

TEST(Reference, IntegerArithmeticIsExact) {
  GraphBuilder builder;
  int a = builder.input("a", DType::kI64, {4});
  int b = builder.input("b", DType::kI64, {4});
  builder.output(builder.node("div", {a, b}));
  builder.output(builder.node("add", {a, b}));
  HostTensor va = HostTensor::from_i64({4}, {7, -7, (int64_t{1} << 60) + 1, 0});
  HostTensor vb = HostTensor::from_i64({4}, {2, 2, 1, 5});
  std::vector<HostTensor> outputs = run_reference(builder.graph(), {va, vb});
  // Floor division, as Python's //.
  EXPECT_EQ(to_int64s(outputs[0]), (std::vector<int64_t>{3, -4, (int64_t{1} << 60) + 1, 0}));
  EXPECT_EQ(to_int64s(outputs[1]), (std::vector<int64_t>{9, -5, (int64_t{1} << 60) + 2, 5}));
}

TEST(Reference, GraphOutputMayBeAnInput) {
  GraphBuilder builder;
  int x = builder.input("x", DType::kF32, {2});
  builder.output(x);
  HostTensor input = HostTensor::from_f32({2}, {1.5f, -2});
  EXPECT_EQ(run_reference(builder.graph(), {input}).at(0).data, input.data);
}

TEST(Reference, ValueUsedTwiceSurvivesFirstUse) {
  GraphBuilder builder;
  int x = builder.input("x", DType::kF32, {3});
  int e = builder.node("neg", {x});
  int f = builder.node("abs", {e});
  builder.output(builder.node("add", {e, f}));  // -x + |x|
  HostTensor input = HostTensor::from_f32({3}, {1, -2, 0});
  EXPECT_EQ(to_doubles(run_reference(builder.graph(), {input}).at(0)), (std::vector<double>{0, 4, 0}));
}

}  // namespace
}  // namespace npujar::ir
