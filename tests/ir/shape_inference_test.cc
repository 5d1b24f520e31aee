// Shape inference, checked against shapes worked out by hand from
// PyTorch's documented formulas.
#include <gtest/gtest.h>

#include "graph_builder.h"
#include "npujar/ir/error.h"
#include "npujar/ir/shape_inference.h"

namespace npujar::ir {
namespace {

using testing::GraphBuilder;
using testing::static_shape;
using IntList = std::vector<int64_t>;

const Dim N = Dim::symbolic("N");

TEST(DimArithmetic, MultiplyDivideAndBroadcast) {
  EXPECT_EQ(multiply(N, Dim::fixed(12)), Dim::symbolic("N", 12));
  EXPECT_THROW(multiply(N, N), IrError);
  EXPECT_EQ(divide_exact(Dim::symbolic("N", 12), 4), Dim::symbolic("N", 3));
  EXPECT_FALSE(divide_exact(Dim::symbolic("N", 6), 4).has_value());
  EXPECT_FALSE(divide_exact(N, 2).has_value());
  EXPECT_EQ(broadcast_dim(Dim::fixed(1), N), N);
  EXPECT_FALSE(broadcast_dim(Dim::fixed(2), N).has_value());
  EXPECT_TRUE(same_numel({N, Dim::fixed(12), Dim::fixed(64)}, {Dim::symbolic("N", 12), Dim::fixed(64)}));
  EXPECT_FALSE(same_numel({N, Dim::fixed(12)}, {Dim::fixed(12)}));
}

TEST(ShapeInference, Conv2dKeepsSymbolicBatch) {
  GraphBuilder builder;
  int x = builder.input("x", DType::kF32, Shape{N, Dim::fixed(3), Dim::fixed(224), Dim::fixed(224)});
  int w = builder.constant("w", HostTensor::zeros(DType::kF32, {64, 3, 7, 7}));
  int y = builder.node("conv2d", {x, w}, {{"strides", IntList{2, 2}}, {"pads", IntList{3, 3, 3, 3}}});
  EXPECT_EQ(builder.graph().values[y].shape, (Shape{N, Dim::fixed(64), Dim::fixed(112), Dim::fixed(112)}));
}

TEST(ShapeInference, MaxPoolCeilModeLastWindow) {
  // PyTorch: out = ceil((in + pads - kernel) / stride) + 1, minus one when
  // the last window would start at or past in + pad_begin.
  GraphBuilder builder;
  int x = builder.input("x", DType::kF32, {1, 1, 7, 6});
  int y = builder.node("max_pool2d", {x}, {{"kernel", IntList{2, 2}}, {"strides", IntList{2, 2}}, {"ceil_mode", int64_t{1}}});
  // H: ceil(5/2)+1 = 4; W: ceil(4/2)+1 = 3.
  EXPECT_EQ(builder.graph().values[y].shape, static_shape({1, 1, 4, 3}));
  int z = builder.node("max_pool2d", {x}, {{"kernel", IntList{2, 2}}, {"strides", IntList{2, 2}}, {"pads", IntList{1, 1, 1, 1}},
                                           {"ceil_mode", int64_t{1}}});
  // H: ceil(7/2)+1 = 5, but window 5 starts at 8 >= 7+1, so 4.
  // W: ceil(6/2)+1 = 4, and window 4 starts at 6 < 6+1, so it stays.
  EXPECT_EQ(builder.graph().values[z].shape, static_shape({1, 1, 4, 4}));
}

TEST(ShapeInference, MatmulPromotesVectorsAndBroadcastsBatch) {
  GraphBuilder builder;
  int a = builder.input("a", DType::kF32, Shape{N, Dim::fixed(1), Dim::fixed(4), Dim::fixed(5)});
  int b = builder.input("b", DType::kF32, {3, 5, 7});
  int v = builder.input("v", DType::kF32, {5});
  Graph& graph = builder.graph();
  EXPECT_EQ(graph.values[builder.node("matmul", {a, b})].shape, (Shape{N, Dim::fixed(3), Dim::fixed(4), Dim::fixed(7)}));
  EXPECT_EQ(graph.values[builder.node("matmul", {v, b})].shape, static_shape({3, 7}));
  EXPECT_EQ(graph.values[builder.node("matmul", {a, v})].shape, (Shape{N, Dim::fixed(1), Dim::fixed(4)}));
  EXPECT_EQ(graph.values[builder.node("matmul", {v, v})].shape, Shape{});
}

TEST(ShapeInference, ReshapeChecksSymbolicElementCount) {
  GraphBuilder builder;
  int x = builder.input("x", DType::kF32, Shape{N, Dim::fixed(12), Dim::fixed(64)});
  EXPECT_NO_THROW(builder.node("reshape", {x}, {}, Shape{Dim::symbolic("N", 12), Dim::fixed(64)}));
  EXPECT_THROW(builder.node("reshape", {x}, {}, Shape{Dim::symbolic("N", 6), Dim::fixed(64)}), IrError);
}

TEST(ShapeInference, ConcatAddsSymbolicExtents) {
  GraphBuilder builder;
  int a = builder.input("a", DType::kF32, Shape{N, Dim::fixed(2)});
  int b = builder.input("b", DType::kF32, Shape{Dim::symbolic("N", 3), Dim::fixed(2)});
  int y = builder.node("concat", {a, b, a}, {{"axis", int64_t{0}}});
  EXPECT_EQ(builder.graph().values[y].shape, (Shape{Dim::symbolic("N", 5), Dim::fixed(2)}));
}

TEST(ShapeInference, SliceGatherPadAndReduce) {
  GraphBuilder builder;
  int x = builder.input("x", DType::kF32, {5, 17});
  Graph& graph = builder.graph();
  EXPECT_EQ(graph.values[builder.node("slice", {x}, {{"axis", int64_t{1}}, {"start", int64_t{1}}, {"end", int64_t{17}}, {"step", int64_t{5}}})].shape,
            static_shape({5, 4}));
  int indices = builder.input("i", DType::kI64, {2, 3});
  EXPECT_EQ(graph.values[builder.node("gather", {x, indices}, {{"axis", int64_t{0}}})].shape, static_shape({2, 3, 17}));
  EXPECT_EQ(graph.values[builder.node("pad", {x}, {{"pads", IntList{1, 2, 3, 4}}, {"mode", std::string("reflect")}})].shape,
            static_shape({9, 23}));
  EXPECT_EQ(graph.values[builder.node("reduce_mean", {x}, {{"axes", IntList{-1}}, {"keepdims", int64_t{1}}})].shape,
            static_shape({5, 1}));
  int comparison = builder.node("less", {x, x});
  EXPECT_EQ(graph.values[comparison].dtype, DType::kBool);
}

TEST(ShapeInference, ErrorNamesNodeSourceAndShapes) {
  GraphBuilder builder;
  int a = builder.input("a", DType::kF32, {2, 3});
  int b = builder.input("b", DType::kF32, {4, 5});
  try {
    builder.node("matmul", {a, b});
    FAIL() << "expected IrError";
  } catch (const IrError& error) {
    std::string message = error.what();
    EXPECT_NE(message.find("matmul at test:matmul"), std::string::npos) << message;
    EXPECT_NE(message.find("f32[2,3], f32[4,5]"), std::string::npos) << message;
  }
}

TEST(ShapeInference, RejectsBadAttributes) {
  GraphBuilder builder;
  int x = builder.input("x", DType::kF32, {1, 4, 8, 8});
  int w = builder.constant("w", HostTensor::zeros(DType::kF32, {4, 2, 3, 3}));
  EXPECT_THROW(builder.node("conv2d", {x, w}, {{"groups", int64_t{3}}}), IrError);
  EXPECT_THROW(builder.node("permute", {x}, {{"perm", IntList{0, 1, 1, 2}}}), IrError);
  EXPECT_THROW(builder.node("softmax", {builder.input("i", DType::kI64, {3})}), IrError);
  EXPECT_THROW(builder.node("pad", {x}, {{"pads", IntList{8, 0}}, {"mode", std::string("reflect")}}), IrError);
  EXPECT_THROW(builder.node("max_pool2d", {x}, {{"kernel", IntList{3, 3}}, {"pads", IntList{-1, 0, 0, 0}}}), IrError);
  EXPECT_THROW(builder.node("softmax", {x}, {{"axis", int64_t{4}}}), IrError);
  EXPECT_THROW(builder.node("layer_norm", {x}, {{"axes", int64_t{5}}}), IrError);
}

TEST(ShapeInference, RejectsMismatchedNormParameters) {
  GraphBuilder builder;
  int x = builder.input("x", DType::kF32, {2, 4, 6});
  int four = builder.constant("four", HostTensor::zeros(DType::kF32, {4}));
  int six = builder.constant("six", HostTensor::zeros(DType::kF32, {6}));
  EXPECT_NO_THROW(builder.node("layer_norm", {x, six, six}, {{"axes", int64_t{1}}}));
  EXPECT_THROW(builder.node("layer_norm", {x, four, -1}, {{"axes", int64_t{1}}}), IrError);
  EXPECT_NO_THROW(builder.node("batch_norm", {x, four, four, -1, four}));
  EXPECT_THROW(builder.node("batch_norm", {x, six, four}), IrError);
}

}  // namespace
}  // namespace npujar::ir
