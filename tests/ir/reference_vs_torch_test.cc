// The reference executor against LibTorch: for each operator family and its
// attribute combinations, a one-node graph runs on random inputs and its
// output is compared with the torch function on the same inputs.
#include <random>

#include "graph_builder.h"
#include "npujar/ir/error.h"
#include "npujar/ir/passes.h"
#include "npujar/ir/reference.h"
#include "npujar/ir/validate.h"
#include "torch_compare.h"

namespace npujar::ir {
namespace {

using testing::GraphBuilder;
using testing::random_tensor;
using testing::tensors_close;
using testing::to_torch;
using IntList = std::vector<int64_t>;

// Runs the graph built by `builder` with output `output` on `inputs`.
HostTensor run(GraphBuilder& builder, int output, const std::vector<HostTensor>& inputs) {
  builder.output(output);
  validate(builder.graph());
  return run_reference(builder.graph(), inputs).at(0);
}

class ReferenceVsTorch : public ::testing::Test {
 protected:
  std::mt19937 rng{1234};
  HostTensor random(const IntList& shape, double low = -1, double high = 1) { return random_tensor(rng, shape, low, high); }
};

struct ConvCase {
  IntList x;  // N, C, H, W
  int64_t out_channels, kernel_h, kernel_w;
  IntList strides, pads, dilations;  // pads symmetric [h, w]
  int64_t groups;
  bool bias;
};

TEST_F(ReferenceVsTorch, Conv2dMatchesTorch) {
  const ConvCase cases[] = {
      {{1, 3, 7, 7}, 4, 3, 3, {1, 1}, {1, 1}, {1, 1}, 1, true},
      {{2, 3, 17, 13}, 8, 7, 7, {2, 2}, {3, 3}, {1, 1}, 1, true},
      {{1, 6, 9, 9}, 6, 3, 3, {1, 1}, {1, 1}, {1, 1}, 6, false},    // depthwise
      {{1, 8, 11, 7}, 16, 3, 3, {2, 1}, {1, 0}, {1, 1}, 8, true},   // depthwise, multiplier 2
      {{1, 6, 10, 10}, 4, 3, 3, {1, 1}, {2, 2}, {2, 2}, 2, true},   // grouped and dilated
      {{1, 4, 17, 17}, 3, 1, 1, {1, 1}, {0, 0}, {1, 1}, 1, false},  // pointwise
      {{3, 2, 1, 1}, 5, 1, 1, {1, 1}, {0, 0}, {1, 1}, 1, true},     // 1x1 spatial
      {{1, 3, 8, 9}, 2, 2, 5, {3, 2}, {0, 2}, {1, 3}, 1, true},     // rectangular, dilated in w
  };
  for (const ConvCase& c : cases) {
    SCOPED_TRACE("x=" + std::to_string(c.x[2]) + "x" + std::to_string(c.x[3]) + " groups=" + std::to_string(c.groups));
    HostTensor x = random(c.x);
    HostTensor w = random({c.out_channels, c.x[1] / c.groups, c.kernel_h, c.kernel_w});
    HostTensor b = random({c.out_channels});
    GraphBuilder builder;
    int xi = builder.input("x", DType::kF32, c.x);
    int wi = builder.constant("w", w);
    std::vector<int> inputs = {xi, wi};
    if (c.bias) inputs.push_back(builder.constant("b", b));
    int y = builder.node("conv2d", inputs,
                         {{"strides", c.strides}, {"pads", IntList{c.pads[0], c.pads[1], c.pads[0], c.pads[1]}},
                          {"dilations", c.dilations}, {"groups", c.groups}});
    torch::Tensor expected = at::conv2d(to_torch(x), to_torch(w), c.bias ? to_torch(b) : torch::Tensor(), c.strides,
                                        c.pads, c.dilations, c.groups);
    EXPECT_TRUE(tensors_close(run(builder, y, {x}), expected));
  }
}

TEST_F(ReferenceVsTorch, Conv2dAsymmetricPadsMatchPadThenConv) {
  HostTensor x = random({1, 2, 7, 6});
  HostTensor w = random({3, 2, 3, 3});
  GraphBuilder builder;
  int y = builder.node("conv2d", {builder.input("x", DType::kF32, {1, 2, 7, 6}), builder.constant("w", w)},
                       {{"strides", IntList{2, 2}}, {"pads", IntList{0, 1, 2, 0}}});  // top, left, bottom, right
  torch::Tensor padded = at::constant_pad_nd(to_torch(x), {1, 0, 0, 2});  // left, right, top, bottom
  EXPECT_TRUE(tensors_close(run(builder, y, {x}), at::conv2d(padded, to_torch(w), {}, {2, 2})));
}

TEST_F(ReferenceVsTorch, FusedConvActivationsAndResidualMatchTorch) {
  struct Case {
    std::string activation;
    std::function<torch::Tensor(const torch::Tensor&)> reference;
  };
  const Case cases[] = {
      {"relu", [](const torch::Tensor& t) { return at::relu(t); }},
      {"clamp", [](const torch::Tensor& t) { return at::clamp(t, 0.0, 6.0); }},
      {"sigmoid", [](const torch::Tensor& t) { return at::sigmoid(t); }},
      {"silu", [](const torch::Tensor& t) { return at::silu(t); }},
      {"hardswish", [](const torch::Tensor& t) { return at::hardswish(t); }},
      {"gelu", [](const torch::Tensor& t) { return at::gelu(t); }},
      {"gelu_tanh", [](const torch::Tensor& t) { return at::gelu(t, "tanh"); }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.activation);
    HostTensor x = random({1, 3, 9, 9}, -3, 3), w = random({4, 3, 3, 3}), b = random({4}), r = random({1, 4, 9, 9}, -3, 3);
    GraphBuilder builder;
    int xi = builder.input("x", DType::kF32, {1, 3, 9, 9});
    int ri = builder.input("r", DType::kF32, {1, 4, 9, 9});
    Attributes attributes = {{"pads", IntList{1, 1, 1, 1}}, {"activation", c.activation}};
    if (c.activation == "clamp") {
      attributes["clamp_min"] = 0.0;
      attributes["clamp_max"] = 6.0;
    }
    int y = builder.node("conv2d", {xi, builder.constant("w", w), builder.constant("b", b), ri}, attributes);
    torch::Tensor expected = c.reference(at::conv2d(to_torch(x), to_torch(w), to_torch(b), 1, 1) + to_torch(r));
    EXPECT_TRUE(tensors_close(run(builder, y, {x, r}), expected));
  }
}

struct PoolCase {
  IntList x, kernel, strides, pads, dilations;  // pads symmetric [h, w]
  bool ceil_mode, count_include_pad;
  int64_t divisor;
};

TEST_F(ReferenceVsTorch, MaxPool2dMatchesTorch) {
  const PoolCase cases[] = {
      {{1, 2, 7, 7}, {3, 3}, {2, 2}, {1, 1}, {1, 1}, false, true, 0},
      {{1, 2, 7, 7}, {3, 3}, {2, 2}, {1, 1}, {1, 1}, true, true, 0},
      {{2, 3, 17, 13}, {2, 2}, {2, 2}, {0, 0}, {1, 1}, true, true, 0},
      {{1, 1, 8, 9}, {3, 2}, {2, 3}, {1, 0}, {2, 1}, true, true, 0},
      {{1, 1, 1, 1}, {1, 1}, {1, 1}, {0, 0}, {1, 1}, false, true, 0},
      {{1, 3, 6, 6}, {3, 3}, {3, 3}, {1, 1}, {1, 1}, true, true, 0},
  };
  for (const PoolCase& c : cases) {
    SCOPED_TRACE("x=" + std::to_string(c.x[2]) + "x" + std::to_string(c.x[3]) + " ceil=" + std::to_string(c.ceil_mode));
    HostTensor x = random(c.x);
    GraphBuilder builder;
    int y = builder.node("max_pool2d", {builder.input("x", DType::kF32, c.x)},
                         {{"kernel", c.kernel}, {"strides", c.strides}, {"pads", IntList{c.pads[0], c.pads[1], c.pads[0], c.pads[1]}},
                          {"dilations", c.dilations}, {"ceil_mode", int64_t{c.ceil_mode}}});
    torch::Tensor expected = at::max_pool2d(to_torch(x), c.kernel, c.strides, c.pads, c.dilations, c.ceil_mode);
    EXPECT_TRUE(tensors_close(run(builder, y, {x}), expected, 0, 0));
  }
}

TEST_F(ReferenceVsTorch, AvgPool2dMatchesTorch) {
  const PoolCase cases[] = {
      {{1, 2, 7, 7}, {3, 3}, {2, 2}, {1, 1}, {1, 1}, false, true, 0},
      {{1, 2, 7, 7}, {3, 3}, {2, 2}, {1, 1}, {1, 1}, false, false, 0},
      {{1, 2, 7, 7}, {3, 3}, {2, 2}, {1, 1}, {1, 1}, true, true, 0},
      {{1, 2, 7, 7}, {3, 3}, {2, 2}, {1, 1}, {1, 1}, true, false, 0},
      {{2, 1, 17, 10}, {2, 3}, {2, 2}, {1, 1}, {1, 1}, true, true, 0},
      {{1, 3, 6, 6}, {3, 3}, {3, 3}, {1, 1}, {1, 1}, true, true, 0},
      {{1, 2, 7, 5}, {3, 3}, {1, 1}, {1, 1}, {1, 1}, false, true, 5},
  };
  for (const PoolCase& c : cases) {
    SCOPED_TRACE("ceil=" + std::to_string(c.ceil_mode) + " include_pad=" + std::to_string(c.count_include_pad) +
                 " divisor=" + std::to_string(c.divisor));
    HostTensor x = random(c.x);
    GraphBuilder builder;
    int y = builder.node("avg_pool2d", {builder.input("x", DType::kF32, c.x)},
                         {{"kernel", c.kernel}, {"strides", c.strides}, {"pads", IntList{c.pads[0], c.pads[1], c.pads[0], c.pads[1]}},
                          {"ceil_mode", int64_t{c.ceil_mode}}, {"count_include_pad", int64_t{c.count_include_pad}},
                          {"divisor", c.divisor}});
    c10::optional<int64_t> divisor = c.divisor ? c10::optional<int64_t>(c.divisor) : c10::nullopt;
    torch::Tensor expected = at::avg_pool2d(to_torch(x), c.kernel, c.strides, c.pads, c.ceil_mode, c.count_include_pad, divisor);
    EXPECT_TRUE(tensors_close(run(builder, y, {x}), expected, 1e-6, 1e-5));
  }
}

TEST_F(ReferenceVsTorch, AdaptivePoolsMatchTorchBins) {
  const std::pair<IntList, IntList> cases[] = {
      {{1, 2, 7, 17}, {3, 5}}, {{1, 1, 17, 4}, {4, 3}}, {{2, 3, 1, 1}, {1, 1}},
      {{1, 2, 5, 3}, {7, 4}},  {{1, 2, 7, 7}, {1, 1}},  {{1, 1, 10, 10}, {3, 3}},
  };
  for (const auto& [shape, size] : cases) {
    SCOPED_TRACE(std::to_string(shape[2]) + "x" + std::to_string(shape[3]) + " -> " + std::to_string(size[0]) + "x" +
                 std::to_string(size[1]));
    HostTensor x = random(shape);
    Shape out = testing::static_shape({shape[0], shape[1], size[0], size[1]});
    for (const std::string op : {"adaptive_avg_pool2d", "adaptive_max_pool2d"}) {
      GraphBuilder builder;
      int y = builder.node(op, {builder.input("x", DType::kF32, shape)}, {}, out);
      torch::Tensor expected = op == "adaptive_avg_pool2d" ? at::adaptive_avg_pool2d(to_torch(x), size)
                                                           : std::get<0>(at::adaptive_max_pool2d(to_torch(x), size));
      EXPECT_TRUE(tensors_close(run(builder, y, {x}), expected, 1e-6, 1e-5)) << op;
    }
  }
}

TEST_F(ReferenceVsTorch, ResizeNearestMatchesTorch) {
  struct Case {
    IntList x, size;
    std::vector<double> scales;  // empty: derive from sizes
  };
  const Case cases[] = {
      {{1, 2, 7, 5}, {17, 3}, {}}, {{1, 1, 3, 4}, {6, 8}, {}}, {{1, 1, 5, 5}, {5, 5}, {}},
      {{1, 2, 7, 7}, {10, 10}, {}}, {{1, 1, 4, 6}, {6, 9}, {1.5, 1.5}}, {{1, 1, 7, 3}, {9, 4}, {1.3, 1.4}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::to_string(c.x[2]) + "x" + std::to_string(c.x[3]) + " -> " + std::to_string(c.size[0]) + "x" +
                 std::to_string(c.size[1]));
    HostTensor x = random(c.x);
    Attributes attributes = {{"mode", std::string("nearest")}};
    c10::optional<double> scale_h, scale_w;
    if (!c.scales.empty()) {
      attributes["scales"] = c.scales;
      scale_h = c.scales[0];
      scale_w = c.scales[1];
    }
    GraphBuilder builder;
    int y = builder.node("resize", {builder.input("x", DType::kF32, c.x)}, attributes,
                         testing::static_shape({c.x[0], c.x[1], c.size[0], c.size[1]}));
    torch::Tensor expected = at::upsample_nearest2d(to_torch(x), c.size, scale_h, scale_w);
    EXPECT_TRUE(tensors_close(run(builder, y, {x}), expected, 0, 0));
  }
}

TEST_F(ReferenceVsTorch, ResizeBilinearMatchesTorchBothAlignments) {
  struct Case {
    IntList x, size;
    std::vector<double> scales;
  };
  const Case cases[] = {
      {{1, 2, 7, 5}, {17, 3}, {}}, {{1, 1, 3, 4}, {6, 8}, {}}, {{1, 1, 17, 9}, {4, 5}, {}},
      {{1, 1, 1, 3}, {3, 1}, {}}, {{1, 1, 4, 6}, {6, 9}, {1.5, 1.5}}, {{2, 1, 5, 5}, {11, 7}, {2.3, 1.5}},
  };
  for (const Case& c : cases) {
    for (bool align_corners : {false, true}) {
      if (align_corners && !c.scales.empty()) continue;  // torch ignores scales with align_corners
      SCOPED_TRACE(std::to_string(c.x[2]) + "x" + std::to_string(c.x[3]) + " -> " + std::to_string(c.size[0]) + "x" +
                   std::to_string(c.size[1]) + " align_corners=" + std::to_string(align_corners));
      HostTensor x = random(c.x);
      Attributes attributes = {{"mode", std::string("bilinear")}, {"align_corners", int64_t{align_corners}}};
      c10::optional<double> scale_h, scale_w;
      if (!c.scales.empty()) {
        attributes["scales"] = c.scales;
        scale_h = c.scales[0];
        scale_w = c.scales[1];
      }
      GraphBuilder builder;
      int y = builder.node("resize", {builder.input("x", DType::kF32, c.x)}, attributes,
                           testing::static_shape({c.x[0], c.x[1], c.size[0], c.size[1]}));
      torch::Tensor expected = at::upsample_bilinear2d(to_torch(x), c.size, align_corners, scale_h, scale_w);
      EXPECT_TRUE(tensors_close(run(builder, y, {x}), expected, 1e-6, 1e-5));
    }
  }
}

TEST_F(ReferenceVsTorch, PadModesMatchTorch) {
  namespace F = torch::nn::functional;
  struct Case {
    std::string mode;
    IntList x, pads;  // IR order: begins then ends for the last dims
    IntList torch_pads;  // torch order: last dim first, (begin, end) pairs
    double value;
  };
  const Case cases[] = {
      {"constant", {1, 2, 5, 7}, {1, 2, 3, 0}, {2, 0, 1, 3}, 0.5},
      {"constant", {2, 3, 4}, {2, 1}, {2, 1}, -1.0},
      {"reflect", {1, 2, 5, 7}, {2, 3, 4, 1}, {3, 1, 2, 4}, 0},
      {"reflect", {1, 3, 7}, {3, 6}, {3, 6}, 0},
      {"replicate", {1, 2, 5, 7}, {3, 0, 1, 4}, {0, 4, 3, 1}, 0},
      {"replicate", {2, 1, 3}, {4, 2}, {4, 2}, 0},
      {"circular", {1, 2, 5, 7}, {2, 3, 5, 1}, {3, 1, 2, 5}, 0},
      {"circular", {1, 1, 4}, {4, 1}, {4, 1}, 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.mode + " rank " + std::to_string(c.x.size()));
    HostTensor x = random(c.x);
    GraphBuilder builder;
    int y = builder.node("pad", {builder.input("x", DType::kF32, c.x)},
                         {{"mode", c.mode}, {"pads", c.pads}, {"value", c.value}});
    F::PadFuncOptions options(c.torch_pads);
    if (c.mode == "constant") options.mode(torch::kConstant).value(c.value);
    if (c.mode == "reflect") options.mode(torch::kReflect);
    if (c.mode == "replicate") options.mode(torch::kReplicate);
    if (c.mode == "circular") options.mode(torch::kCircular);
    EXPECT_TRUE(tensors_close(run(builder, y, {x}), F::pad(to_torch(x), options), 0, 0));
  }
}

TEST_F(ReferenceVsTorch, UnaryOperatorsMatchTorch) {
  struct Case {
    std::string op;
    Attributes attributes;
    std::function<torch::Tensor(const torch::Tensor&)> reference;
    double low, high;
  };
  const Case cases[] = {
      {"relu", {}, [](const torch::Tensor& t) { return at::relu(t); }, -3, 3},
      {"sigmoid", {}, [](const torch::Tensor& t) { return at::sigmoid(t); }, -8, 8},
      {"tanh", {}, [](const torch::Tensor& t) { return at::tanh(t); }, -4, 4},
      {"exp", {}, [](const torch::Tensor& t) { return at::exp(t); }, -5, 5},
      {"log", {}, [](const torch::Tensor& t) { return at::log(t); }, 0.01, 10},
      {"sqrt", {}, [](const torch::Tensor& t) { return at::sqrt(t); }, 0, 10},
      {"rsqrt", {}, [](const torch::Tensor& t) { return at::rsqrt(t); }, 0.1, 10},
      {"neg", {}, [](const torch::Tensor& t) { return at::neg(t); }, -3, 3},
      {"abs", {}, [](const torch::Tensor& t) { return at::abs(t); }, -3, 3},
      {"erf", {}, [](const torch::Tensor& t) { return at::erf(t); }, -3, 3},
      {"reciprocal", {}, [](const torch::Tensor& t) { return at::reciprocal(t); }, 0.1, 5},
      {"silu", {}, [](const torch::Tensor& t) { return at::silu(t); }, -6, 6},
      {"hardswish", {}, [](const torch::Tensor& t) { return at::hardswish(t); }, -5, 5},
      {"hardsigmoid", {}, [](const torch::Tensor& t) { return at::hardsigmoid(t); }, -5, 5},
      {"gelu", {}, [](const torch::Tensor& t) { return at::gelu(t); }, -5, 5},
      {"gelu", {{"approximate", std::string("tanh")}}, [](const torch::Tensor& t) { return at::gelu(t, "tanh"); }, -5, 5},
      {"clamp", {{"min", -0.5}, {"max", 0.25}}, [](const torch::Tensor& t) { return at::clamp(t, -0.5, 0.25); }, -1, 1},
      {"clamp", {{"min", 0.0}}, [](const torch::Tensor& t) { return at::clamp_min(t, 0.0); }, -1, 1},
      {"leaky_relu", {{"negative_slope", 0.2}}, [](const torch::Tensor& t) { return at::leaky_relu(t, 0.2); }, -3, 3},
      {"identity", {}, [](const torch::Tensor& t) { return t.clone(); }, -3, 3},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.op);
    HostTensor x = random({3, 17}, c.low, c.high);
    GraphBuilder builder;
    int y = builder.node(c.op, {builder.input("x", DType::kF32, {3, 17})}, c.attributes);
    EXPECT_TRUE(tensors_close(run(builder, y, {x}), c.reference(to_torch(x)), 1e-6, 1e-5));
  }
}

TEST_F(ReferenceVsTorch, BroadcastingBinaryOperatorsMatchTorch) {
  struct Case {
    std::string op;
    std::function<torch::Tensor(const torch::Tensor&, const torch::Tensor&)> reference;
  };
  const Case cases[] = {
      {"add", [](const torch::Tensor& a, const torch::Tensor& b) { return a + b; }},
      {"sub", [](const torch::Tensor& a, const torch::Tensor& b) { return a - b; }},
      {"mul", [](const torch::Tensor& a, const torch::Tensor& b) { return a * b; }},
      {"div", [](const torch::Tensor& a, const torch::Tensor& b) { return a / b; }},
      {"pow", [](const torch::Tensor& a, const torch::Tensor& b) { return at::pow(a, b); }},
      {"maximum", [](const torch::Tensor& a, const torch::Tensor& b) { return at::maximum(a, b); }},
      {"minimum", [](const torch::Tensor& a, const torch::Tensor& b) { return at::minimum(a, b); }},
  };
  const std::pair<IntList, IntList> shapes[] = {{{2, 3, 4}, {4}}, {{3, 1, 5}, {1, 7, 1}}, {{1}, {2, 3}}, {{6}, {6}}};
  for (const Case& c : cases) {
    for (const auto& [shape_a, shape_b] : shapes) {
      SCOPED_TRACE(c.op);
      HostTensor a = random(shape_a, 0.5, 2), b = random(shape_b, 0.5, 2);
      GraphBuilder builder;
      int y = builder.node(c.op, {builder.input("a", DType::kF32, shape_a), builder.input("b", DType::kF32, shape_b)});
      EXPECT_TRUE(tensors_close(run(builder, y, {a, b}), c.reference(to_torch(a), to_torch(b)), 1e-6, 1e-6));
    }
  }
}

TEST_F(ReferenceVsTorch, ComparisonsAndWhereMatchTorch) {
  HostTensor a = random({4, 1, 5}), b = random({3, 5});
  // Equal elements exercise equal, less_equal and greater_equal.
  std::memcpy(b.data.data(), a.data.data(), 5 * sizeof(float));
  const std::pair<std::string, std::function<torch::Tensor(const torch::Tensor&, const torch::Tensor&)>> cases[] = {
      {"equal", [](const torch::Tensor& x, const torch::Tensor& y) { return at::eq(x, y); }},
      {"not_equal", [](const torch::Tensor& x, const torch::Tensor& y) { return at::ne(x, y); }},
      {"less", [](const torch::Tensor& x, const torch::Tensor& y) { return at::lt(x, y); }},
      {"less_equal", [](const torch::Tensor& x, const torch::Tensor& y) { return at::le(x, y); }},
      {"greater", [](const torch::Tensor& x, const torch::Tensor& y) { return at::gt(x, y); }},
      {"greater_equal", [](const torch::Tensor& x, const torch::Tensor& y) { return at::ge(x, y); }},
  };
  for (const auto& [op, reference] : cases) {
    SCOPED_TRACE(op);
    GraphBuilder builder;
    int y = builder.node(op, {builder.input("a", DType::kF32, {4, 1, 5}), builder.input("b", DType::kF32, {3, 5})});
    EXPECT_TRUE(tensors_close(run(builder, y, {a, b}), reference(to_torch(a), to_torch(b)), 0, 0));
  }

  GraphBuilder builder;
  int ai = builder.input("a", DType::kF32, {4, 1, 5});
  int bi = builder.input("b", DType::kF32, {3, 5});
  int condition = builder.node("greater", {ai, bi});
  int not_condition = builder.node("logical_not", {condition});
  int either = builder.node("logical_or", {condition, not_condition});
  int both = builder.node("logical_and", {either, condition});
  int y = builder.node("where", {both, ai, bi});
  torch::Tensor ta = to_torch(a), tb = to_torch(b);
  EXPECT_TRUE(tensors_close(run(builder, y, {a, b}), at::where(ta > tb, ta, tb), 0, 0));
}

TEST_F(ReferenceVsTorch, LayerNormMatchesTorch) {
  for (int64_t axes : {1, 2}) {
    SCOPED_TRACE("axes=" + std::to_string(axes));
    IntList shape = {2, 7, 17};
    IntList normalized(shape.end() - axes, shape.end());
    HostTensor x = random(shape, -2, 3), w = random(normalized), b = random(normalized);
    GraphBuilder builder;
    int y = builder.node("layer_norm", {builder.input("x", DType::kF32, shape), builder.constant("w", w), builder.constant("b", b)},
                         {{"axes", axes}, {"epsilon", 1e-5}});
    torch::Tensor expected = at::layer_norm(to_torch(x), normalized, to_torch(w), to_torch(b), 1e-5);
    EXPECT_TRUE(tensors_close(run(builder, y, {x}), expected));
  }
}

TEST_F(ReferenceVsTorch, BatchNormMatchesTorchInference) {
  HostTensor x = random({2, 5, 3, 7}), mean = random({5}), var = random({5}, 0.1, 2), w = random({5}), b = random({5});
  GraphBuilder builder;
  int y = builder.node("batch_norm", {builder.input("x", DType::kF32, {2, 5, 3, 7}), builder.constant("mean", mean),
                                      builder.constant("var", var), builder.constant("w", w), builder.constant("b", b)},
                       {{"epsilon", 1e-3}});
  torch::Tensor expected = at::batch_norm(to_torch(x), to_torch(w), to_torch(b), to_torch(mean), to_torch(var), false, 0.1, 1e-3, false);
  EXPECT_TRUE(tensors_close(run(builder, y, {x}), expected));
}

TEST_F(ReferenceVsTorch, SoftmaxAndLogSoftmaxMatchTorch) {
  for (int64_t axis : {-1, 1, 0}) {
    SCOPED_TRACE("axis=" + std::to_string(axis));
    HostTensor x = random({3, 17, 5}, -20, 20);
    for (const std::string op : {"softmax", "log_softmax"}) {
      GraphBuilder builder;
      int y = builder.node(op, {builder.input("x", DType::kF32, {3, 17, 5})}, {{"axis", axis}});
      torch::Tensor expected = op == "softmax" ? at::softmax(to_torch(x), axis) : at::log_softmax(to_torch(x), axis);
      EXPECT_TRUE(tensors_close(run(builder, y, {x}), expected, 1e-6, 1e-5)) << op;
    }
  }
}

TEST_F(ReferenceVsTorch, MatmulBroadcastingMatchesTorch) {
  const std::pair<IntList, IntList> cases[] = {
      {{3, 1, 4, 5}, {2, 5, 7}}, {{5}, {3, 5, 7}}, {{3, 4, 5}, {5}}, {{5}, {5}},
      {{17, 3}, {3, 1}},         {{2, 1, 7}, {7, 3}}, {{1, 1}, {1, 1}},
  };
  for (const auto& [shape_a, shape_b] : cases) {
    SCOPED_TRACE("ranks " + std::to_string(shape_a.size()) + "x" + std::to_string(shape_b.size()));
    HostTensor a = random(shape_a), b = random(shape_b);
    GraphBuilder builder;
    int y = builder.node("matmul", {builder.input("a", DType::kF32, shape_a), builder.input("b", DType::kF32, shape_b)});
    EXPECT_TRUE(tensors_close(run(builder, y, {a, b}), at::matmul(to_torch(a), to_torch(b))));
  }
}

TEST_F(ReferenceVsTorch, LinearWithBiasMatchesTorch) {
  HostTensor x = random({2, 3, 17}), w = random({7, 17}), b = random({7});
  GraphBuilder builder;
  int y = builder.node("linear", {builder.input("x", DType::kF32, {2, 3, 17}), builder.constant("w", w), builder.constant("b", b)});
  EXPECT_TRUE(tensors_close(run(builder, y, {x}), at::linear(to_torch(x), to_torch(w), to_torch(b))));
}

TEST_F(ReferenceVsTorch, GatherMatchesIndexSelect) {
  HostTensor data = random({5, 7, 3});
  for (DType index_dtype : {DType::kI64, DType::kI32}) {
    for (int64_t axis : {0, 1, 2}) {
      SCOPED_TRACE(std::string(dtype_name(index_dtype)) + " axis " + std::to_string(axis));
      int64_t extent = data.shape[axis];
      HostTensor indices = from_int64s(index_dtype, {2, 3}, {0, extent - 1, 1, 1, extent / 2, 0});
      GraphBuilder builder;
      int y = builder.node("gather", {builder.input("data", DType::kF32, {5, 7, 3}), builder.constant("indices", indices)},
                           {{"axis", axis}});
      // index_select takes 1-D indices; the IR output has indices' shape in place of the axis.
      torch::Tensor flat = at::index_select(to_torch(data), axis, to_torch(indices).reshape({-1}).to(torch::kLong));
      IntList shape = data.shape;
      shape.erase(shape.begin() + axis);
      shape.insert(shape.begin() + axis, {2, 3});
      EXPECT_TRUE(tensors_close(run(builder, y, {data}), flat.reshape(shape), 0, 0));
    }
  }
}

TEST_F(ReferenceVsTorch, GatherRejectsOutOfRangeIndex) {
  GraphBuilder builder;
  int y = builder.node("gather", {builder.input("data", DType::kF32, {4, 2}), builder.constant("i", HostTensor::from_i64({1}, {4}))});
  EXPECT_THROW(run(builder, y, {random({4, 2})}), IrError);
}

TEST_F(ReferenceVsTorch, SliceWithStepMatchesTorch) {
  struct Case {
    int64_t axis, start, end, step;
  };
  const Case cases[] = {{0, 1, 5, 2}, {1, 0, 7, 3}, {2, 2, 3, 1}, {1, 3, 3, 1}, {-1, 0, 17, 5}};
  for (const Case& c : cases) {
    SCOPED_TRACE("axis " + std::to_string(c.axis) + " [" + std::to_string(c.start) + ":" + std::to_string(c.end) + ":" +
                 std::to_string(c.step) + "]");
    IntList shape = {5, 7, c.axis == 2 ? 4 : 17};
    HostTensor x = random(shape);
    GraphBuilder builder;
    int y = builder.node("slice", {builder.input("x", DType::kF32, shape)},
                         {{"axis", c.axis}, {"start", c.start}, {"end", c.end}, {"step", c.step}});
    EXPECT_TRUE(tensors_close(run(builder, y, {x}), to_torch(x).slice(c.axis, c.start, c.end, c.step), 0, 0));
  }
}

TEST_F(ReferenceVsTorch, ConcatPermuteReshapeExpandMatchTorch) {
  HostTensor a = random({2, 3, 4}), b = random({2, 5, 4}), c = random({2, 1, 4});
  {
    GraphBuilder builder;
    int y = builder.node("concat", {builder.input("a", DType::kF32, {2, 3, 4}), builder.input("b", DType::kF32, {2, 5, 4}),
                                    builder.input("c", DType::kF32, {2, 1, 4})},
                         {{"axis", int64_t{1}}});
    EXPECT_TRUE(tensors_close(run(builder, y, {a, b, c}), at::cat({to_torch(a), to_torch(b), to_torch(c)}, 1), 0, 0));
  }
  {
    GraphBuilder builder;
    int y = builder.node("permute", {builder.input("b", DType::kF32, {2, 5, 4})}, {{"perm", IntList{2, 0, 1}}});
    EXPECT_TRUE(tensors_close(run(builder, y, {b}), to_torch(b).permute({2, 0, 1}), 0, 0));
  }
  {
    GraphBuilder builder;
    int y = builder.node("reshape", {builder.input("b", DType::kF32, {2, 5, 4})}, {}, testing::static_shape({4, 10}));
    EXPECT_TRUE(tensors_close(run(builder, y, {b}), to_torch(b).reshape({4, 10}), 0, 0));
  }
  {
    GraphBuilder builder;
    int y = builder.node("expand", {builder.input("c", DType::kF32, {2, 1, 4})}, {}, testing::static_shape({3, 2, 6, 4}));
    EXPECT_TRUE(tensors_close(run(builder, y, {c}), to_torch(c).expand({3, 2, 6, 4}), 0, 0));
  }
}

TEST_F(ReferenceVsTorch, ReductionsMatchTorch) {
  HostTensor x = random({3, 7, 5}, -2, 2);
  const IntList axes_cases[] = {{}, {1}, {0, 2}, {-1}};
  for (const IntList& axes : axes_cases) {
    for (int64_t keepdims : {0, 1}) {
      SCOPED_TRACE("axes " + std::to_string(axes.size()) + " keepdims " + std::to_string(keepdims));
      IntList dims = axes.empty() ? IntList{0, 1, 2} : axes;
      torch::Tensor t = to_torch(x);
      const std::pair<std::string, torch::Tensor> cases[] = {
          {"reduce_sum", at::sum(t, dims, keepdims)},
          {"reduce_mean", at::mean(t, dims, keepdims)},
          {"reduce_max", at::amax(t, dims, keepdims)},
          {"reduce_min", at::amin(t, dims, keepdims)},
      };
      for (const auto& [op, expected] : cases) {
        GraphBuilder builder;
        int y = builder.node(op, {builder.input("x", DType::kF32, {3, 7, 5})}, {{"axes", axes}, {"keepdims", keepdims}});
        EXPECT_TRUE(tensors_close(run(builder, y, {x}), expected, 1e-6, 1e-5)) << op;
      }
    }
  }
}

TEST_F(ReferenceVsTorch, IntegerSumPromotesToI64LikeTorch) {
  HostTensor x = from_int64s(DType::kI32, {2, 3}, {1, -2, 3, 2147483647, 1, 0});
  GraphBuilder builder;
  int y = builder.node("reduce_sum", {builder.input("x", DType::kI32, {2, 3})}, {{"axes", IntList{1}}});
  EXPECT_TRUE(tensors_close(run(builder, y, {x}), at::sum(to_torch(x), {1}), 0, 0));
}

TEST_F(ReferenceVsTorch, CastMatchesTorch) {
  HostTensor x = random({4, 5}, -7, 7);
  std::vector<double> values = to_doubles(x);
  values[0] = 0;  // a zero for the bool cast
  x = from_doubles(DType::kF32, x.shape, values);
  for (DType to : {DType::kI64, DType::kI32, DType::kI8, DType::kBool, DType::kF16, DType::kBF16, DType::kF32}) {
    SCOPED_TRACE(dtype_name(to));
    GraphBuilder builder;
    int y = builder.node("cast", {builder.input("x", DType::kF32, {4, 5})}, {{"to", static_cast<int64_t>(to)}});
    EXPECT_TRUE(tensors_close(run(builder, y, {x}), to_torch(x).to(testing::torch_type(to)), 0, 0));
  }
  HostTensor integers = from_int64s(DType::kI64, {5}, {-3, 0, 7, 1 << 20, 255});
  for (DType to : {DType::kF32, DType::kI32, DType::kU8, DType::kBool}) {
    SCOPED_TRACE(std::string("from i64 to ") + dtype_name(to));
    GraphBuilder builder;
    int y = builder.node("cast", {builder.input("x", DType::kI64, {5})}, {{"to", static_cast<int64_t>(to)}});
    EXPECT_TRUE(tensors_close(run(builder, y, {integers}), to_torch(integers).to(testing::torch_type(to)), 0, 0));
  }
}

TEST_F(ReferenceVsTorch, HalfPrecisionComputesThroughFloat) {
  HostTensor x32 = random({3, 9}, -4, 4);
  torch::Tensor half = to_torch(x32).to(torch::kHalf);
  HostTensor x = testing::from_torch(half);
  GraphBuilder builder;
  int y = builder.node("gelu", {builder.input("x", DType::kF16, {3, 9})});
  // Both compute in higher precision and round to f16 once. Torch's float
  // and the executor's double results may round to neighbouring f16
  // values, so one f16 ulp (2^-10 relative) is allowed.
  torch::Tensor expected = at::gelu(half.to(torch::kFloat)).to(torch::kHalf);
  EXPECT_TRUE(tensors_close(run(builder, y, {x}), expected, 0, 1.0 / 1024));
}

TEST_F(ReferenceVsTorch, FusedLinearAndMatmulMatchTorch) {
  HostTensor x = random({2, 3, 6}, -2, 2), w = random({5, 6}), b = random({5}), r = random({2, 3, 5}, -2, 2);
  {
    GraphBuilder builder;
    int xi = builder.input("x", DType::kF32, {2, 3, 6});
    int ri = builder.input("r", DType::kF32, {2, 3, 5});
    int y = builder.node("linear", {xi, builder.constant("w", w), builder.constant("b", b), ri}, {{"activation", std::string("gelu_tanh")}});
    torch::Tensor expected = at::gelu(at::linear(to_torch(x), to_torch(w), to_torch(b)) + to_torch(r), "tanh");
    EXPECT_TRUE(tensors_close(run(builder, y, {x, r}), expected)) << "linear";
  }
  {
    HostTensor m = random({6, 5});
    GraphBuilder builder;
    int xi = builder.input("x", DType::kF32, {2, 3, 6});
    int ri = builder.input("r", DType::kF32, {2, 3, 5});
    int y = builder.node("matmul", {xi, builder.constant("m", m), builder.constant("b", b), ri},
                         {{"activation", std::string("clamp")}, {"clamp_min", -0.5}, {"clamp_max", 0.5}});
    torch::Tensor expected = at::clamp(at::matmul(to_torch(x), to_torch(m)) + to_torch(b) + to_torch(r), -0.5, 0.5);
    EXPECT_TRUE(tensors_close(run(builder, y, {x, r}), expected)) << "matmul";
  }
}

TEST_F(ReferenceVsTorch, IntegerBinaryOperatorsMatchTorch) {
  HostTensor a = from_int64s(DType::kI64, {2, 4}, {7, -7, 9, 0, -1, 100, -100, 3});
  HostTensor b = from_int64s(DType::kI64, {4}, {2, 3, -4, 5});
  const std::pair<std::string, std::function<torch::Tensor(const torch::Tensor&, const torch::Tensor&)>> cases[] = {
      {"add", [](const torch::Tensor& x, const torch::Tensor& y) { return x + y; }},
      {"sub", [](const torch::Tensor& x, const torch::Tensor& y) { return x - y; }},
      {"mul", [](const torch::Tensor& x, const torch::Tensor& y) { return x * y; }},
      {"div", [](const torch::Tensor& x, const torch::Tensor& y) { return at::div(x, y, "floor"); }},
      {"maximum", [](const torch::Tensor& x, const torch::Tensor& y) { return at::maximum(x, y); }},
      {"minimum", [](const torch::Tensor& x, const torch::Tensor& y) { return at::minimum(x, y); }},
      {"less", [](const torch::Tensor& x, const torch::Tensor& y) { return at::lt(x, y); }},
  };
  for (const auto& [op, reference] : cases) {
    SCOPED_TRACE(op);
    GraphBuilder builder;
    int y = builder.node(op, {builder.input("a", DType::kI64, {2, 4}), builder.input("b", DType::kI64, {4})});
    EXPECT_TRUE(tensors_close(run(builder, y, {a, b}), reference(to_torch(a), to_torch(b)), 0, 0));
  }
}

TEST_F(ReferenceVsTorch, NormsWithoutOptionalParametersMatchTorch) {
  HostTensor x = random({2, 3, 5}, -2, 2), mean = random({3}), var = random({3}, 0.2, 2);
  {
    GraphBuilder builder;
    int y = builder.node("batch_norm", {builder.input("x", DType::kF32, {2, 3, 5}), builder.constant("m", mean), builder.constant("v", var)},
                         {{"epsilon", 1e-5}});
    torch::Tensor expected = at::batch_norm(to_torch(x), {}, {}, to_torch(mean), to_torch(var), false, 0.1, 1e-5, false);
    EXPECT_TRUE(tensors_close(run(builder, y, {x}), expected)) << "batch_norm";
  }
  {
    GraphBuilder builder;
    int y = builder.node("layer_norm", {builder.input("x", DType::kF32, {2, 3, 5})}, {{"axes", int64_t{2}}, {"epsilon", 1e-6}});
    EXPECT_TRUE(tensors_close(run(builder, y, {x}), at::layer_norm(to_torch(x), {3, 5}, {}, {}, 1e-6))) << "layer_norm";
  }
}

TEST_F(ReferenceVsTorch, NegativeConstantPadCropsLikeTorch) {
  HostTensor x = random({1, 2, 6, 7});
  GraphBuilder builder;
  int y = builder.node("pad", {builder.input("x", DType::kF32, {1, 2, 6, 7})},
                       {{"mode", std::string("constant")}, {"pads", IntList{-1, 2, 1, -3}}});  // H: -1, +1; W: +2, -3
  EXPECT_TRUE(tensors_close(run(builder, y, {x}), at::constant_pad_nd(to_torch(x), {2, -3, -1, 1}), 0, 0));
}

TEST_F(ReferenceVsTorch, BFloat16AddRoundsLikeTorch) {
  torch::Tensor a = to_torch(random({3, 7}, -100, 100)).to(torch::kBFloat16);
  torch::Tensor b = to_torch(random({7}, -1, 1)).to(torch::kBFloat16);
  GraphBuilder builder;
  int y = builder.node("add", {builder.input("a", DType::kBF16, {3, 7}), builder.input("b", DType::kBF16, {7})});
  EXPECT_TRUE(tensors_close(run(builder, y, {testing::from_torch(a), testing::from_torch(b)}), a + b, 0, 0));
}

TEST_F(ReferenceVsTorch, ConcatOnLastAxisMatchesTorch) {
  HostTensor a = random({2, 3}), b = random({2, 1}), empty = HostTensor::zeros(DType::kF32, {2, 0});
  GraphBuilder builder;
  int y = builder.node("concat", {builder.input("a", DType::kF32, {2, 3}), builder.input("e", DType::kF32, {2, 0}),
                                  builder.input("b", DType::kF32, {2, 1})},
                       {{"axis", int64_t{-1}}});
  EXPECT_TRUE(tensors_close(run(builder, y, {a, empty, b}), at::cat({to_torch(a), to_torch(empty), to_torch(b)}, -1), 0, 0));
}

TEST_F(ReferenceVsTorch, OptimizedResidualBlockMatchesTorch) {
  // conv-bn-relu6, conv-bn, add of the input, relu on a symbolic batch:
  // optimize() folds both batch norms and fuses the rest into two convs.
  HostTensor w1 = random({4, 4, 3, 3}), w2 = random({4, 2, 3, 3});
  HostTensor m1 = random({4}), v1 = random({4}, 0.5, 1.5), g1 = random({4}), b1 = random({4});
  HostTensor m2 = random({4}), v2 = random({4}, 0.5, 1.5), g2 = random({4}), b2 = random({4});
  GraphBuilder builder;
  int x = builder.input("x", DType::kF32, Shape{Dim::symbolic("N"), Dim::fixed(4), Dim::fixed(9), Dim::fixed(9)});
  IntList same = {1, 1, 1, 1};
  int y = builder.node("conv2d", {x, builder.constant("w1", w1)}, {{"pads", same}});
  y = builder.node("batch_norm", {y, builder.constant("m1", m1), builder.constant("v1", v1), builder.constant("g1", g1),
                                  builder.constant("b1", b1)}, {{"epsilon", 1e-5}});
  y = builder.node("clamp", {y}, {{"min", 0.0}, {"max", 6.0}});
  y = builder.node("conv2d", {y, builder.constant("w2", w2)}, {{"pads", same}, {"groups", int64_t{2}}});
  y = builder.node("batch_norm", {y, builder.constant("m2", m2), builder.constant("v2", v2), builder.constant("g2", g2),
                                  builder.constant("b2", b2)}, {{"epsilon", 1e-5}});
  y = builder.node("add", {x, y});
  builder.output(builder.node("relu", {y}));
  Graph& graph = builder.graph();
  optimize(graph);
  validate(graph);
  ASSERT_EQ(graph.nodes.size(), 2u);
  EXPECT_EQ(graph.nodes[1].get_string("activation", ""), "relu");

  HostTensor input = random({3, 4, 9, 9});
  torch::Tensor t = at::conv2d(to_torch(input), to_torch(w1), {}, 1, 1);
  t = at::batch_norm(t, to_torch(g1), to_torch(b1), to_torch(m1), to_torch(v1), false, 0.1, 1e-5, false);
  t = at::clamp(t, 0.0, 6.0);
  t = at::conv2d(t, to_torch(w2), {}, 1, 1, 1, 2);
  t = at::batch_norm(t, to_torch(g2), to_torch(b2), to_torch(m2), to_torch(v2), false, 0.1, 1e-5, false);
  torch::Tensor expected = at::relu(to_torch(input) + t);
  EXPECT_TRUE(tensors_close(run_reference(graph, {input}).at(0), expected));
}

}  // namespace
}  // namespace npujar::ir
