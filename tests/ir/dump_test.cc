#include <gtest/gtest.h>

#include "graph_builder.h"
#include "npujar/ir/dump.h"

namespace npujar::ir {
namespace {

using testing::GraphBuilder;
using IntList = std::vector<int64_t>;

TEST(Dump, GraphTextLines) {
  GraphBuilder builder;
  int x = builder.input("x", DType::kF32, Shape{Dim::symbolic("N"), Dim::fixed(3), Dim::fixed(8), Dim::fixed(8)});
  int w = builder.constant("w1", HostTensor::zeros(DType::kF32, {4, 3, 3, 3}));
  int y = builder.node("conv2d", {x, w, -1}, {{"strides", IntList{2, 2}}, {"pads", IntList{1, 1, 1, 1}},
                                              {"activation", std::string("relu")}, {"clamp_max", 6.0}});
  builder.graph().values[y].name = "y";
  builder.graph().nodes[0].source = "net.py:7";
  builder.output(y);
  builder.graph().name = "net";

  const std::string expected =
      "graph net(%x: f32[N,3,8,8]) -> (%y)\n"
      "  %w1 = constant : f32[4,3,3,3]\n"
      "  %y = conv2d(%x, %w1, _) {activation=\"relu\", clamp_max=6.0, pads=[1,1,1,1], strides=[2,2]} : f32[N,4,4,4]"
      "  # net.py:7\n";
  EXPECT_EQ(dump_graph(builder.graph()), expected);
}

TEST(Dump, FormatsEveryAttributeType) {
  EXPECT_EQ(format_attribute(int64_t{-3}), "-3");
  EXPECT_EQ(format_attribute(0.25), "0.25");
  EXPECT_EQ(format_attribute(-INFINITY), "-inf");
  EXPECT_EQ(format_attribute(std::string("a\"b")), "\"a\\\"b\"");
  EXPECT_EQ(format_attribute(IntList{}), "[]");
  EXPECT_EQ(format_attribute(std::vector<double>{1.0, 0.5}), "[1.0,0.5]");
}

}  // namespace
}  // namespace npujar::ir
