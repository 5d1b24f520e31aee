// Times the reference executor on graphs shaped like resnet50 and a
// 12-layer BERT-base encoder (sequence 128), built with random weights.
// Not a CTest test: it runs for tens of seconds. Usage:
//   ir_reference_speed [resnet50|bert]
#include <chrono>
#include <cstdio>
#include <random>
#include <string>

#include "graph_builder.h"
#include "npujar/ir/passes.h"
#include "npujar/ir/reference.h"
#include "npujar/ir/validate.h"

namespace {

using namespace npujar::ir;
using testing::GraphBuilder;
using IntList = std::vector<int64_t>;

class ModelBuilder {
 public:
  GraphBuilder builder;
  std::mt19937 rng{1};

  int weight(const IntList& shape, double scale) { return builder.constant("w", testing::random_tensor(rng, shape, -scale, scale)); }

  int conv_bn(int x, int64_t in, int64_t out, int64_t kernel, int64_t stride, bool relu) {
    int64_t pad = kernel / 2;
    int y = builder.node("conv2d", {x, weight({out, in, kernel, kernel}, 1.0 / std::sqrt(in * kernel * kernel))},
                         {{"strides", IntList{stride, stride}}, {"pads", IntList{pad, pad, pad, pad}}});
    y = builder.node("batch_norm", {y, weight({out}, 0.1), builder.constant("var", testing::random_tensor(rng, {out}, 0.5, 1.5)),
                                    builder.constant("gamma", testing::random_tensor(rng, {out}, 0.5, 1.5)), weight({out}, 0.1)});
    return relu ? builder.node("relu", {y}) : y;
  }

  int bottleneck(int x, int64_t in, int64_t width, int64_t stride) {
    int64_t out = width * 4;
    int y = conv_bn(x, in, width, 1, 1, true);
    y = conv_bn(y, width, width, 3, stride, true);
    y = conv_bn(y, width, out, 1, 1, false);
    int shortcut = (stride != 1 || in != out) ? conv_bn(x, in, out, 1, stride, false) : x;
    return builder.node("relu", {builder.node("add", {y, shortcut})});
  }

  Graph resnet50() {
    int x = builder.input("x", DType::kF32, {1, 3, 224, 224});
    int y = conv_bn(x, 3, 64, 7, 2, true);
    y = builder.node("max_pool2d", {y}, {{"kernel", IntList{3, 3}}, {"strides", IntList{2, 2}}, {"pads", IntList{1, 1, 1, 1}}});
    int64_t in = 64;
    const int64_t blocks[] = {3, 4, 6, 3};
    for (int stage = 0; stage < 4; ++stage) {
      int64_t width = 64 << stage;
      for (int64_t b = 0; b < blocks[stage]; ++b) {
        y = bottleneck(y, in, width, (b == 0 && stage > 0) ? 2 : 1);
        in = width * 4;
      }
    }
    y = builder.node("adaptive_avg_pool2d", {y}, {}, testing::static_shape({1, 2048, 1, 1}));
    y = builder.node("reshape", {y}, {}, testing::static_shape({1, 2048}));
    builder.output(builder.node("linear", {y, weight({1000, 2048}, 0.02), weight({1000}, 0.02)}));
    return builder.graph();
  }

  int linear(int x, int64_t in, int64_t out) { return builder.node("linear", {x, weight({out, in}, 1.0 / std::sqrt(in)), weight({out}, 0.02)}); }

  Graph bert(int64_t layers, int64_t seq, int64_t hidden, int64_t heads, int64_t ffn) {
    int64_t head = hidden / heads;
    int x = builder.input("x", DType::kF32, {1, seq, hidden});
    int mask = builder.input("mask", DType::kF32, {1, 1, 1, seq});
    for (int64_t l = 0; l < layers; ++l) {
      auto split = [&](int t, const IntList& perm) {
        int r = builder.node("reshape", {t}, {}, testing::static_shape({1, seq, heads, head}));
        return builder.node("permute", {r}, {{"perm", perm}});
      };
      int q = split(linear(x, hidden, hidden), {0, 2, 1, 3});
      int k = split(linear(x, hidden, hidden), {0, 2, 3, 1});
      int v = split(linear(x, hidden, hidden), {0, 2, 1, 3});
      int scores = builder.node("matmul", {q, k});
      scores = builder.node("mul", {scores, builder.constant("scale", HostTensor::from_f32({1}, {0.125f}))});
      scores = builder.node("add", {scores, mask});
      int probs = builder.node("softmax", {scores}, {{"axis", int64_t{-1}}});
      int context = builder.node("permute", {builder.node("matmul", {probs, v})}, {{"perm", IntList{0, 2, 1, 3}}});
      context = builder.node("reshape", {context}, {}, testing::static_shape({1, seq, hidden}));
      int attention = builder.node("add", {linear(context, hidden, hidden), x});
      x = builder.node("layer_norm", {attention, weight({hidden}, 1), weight({hidden}, 0.1)}, {{"axes", int64_t{1}}});
      int inner = builder.node("gelu", {linear(x, hidden, ffn)});
      int out = builder.node("add", {linear(inner, ffn, hidden), x});
      x = builder.node("layer_norm", {out, weight({hidden}, 1), weight({hidden}, 0.1)}, {{"axes", int64_t{1}}});
    }
    builder.output(x);
    return builder.graph();
  }
};

double seconds_to_run(const Graph& graph, std::mt19937& rng) {
  std::vector<HostTensor> inputs;
  for (int index : graph.inputs) {
    std::vector<int64_t> shape;
    for (const Dim& dim : graph.values[index].shape) shape.push_back(dim.coefficient);
    inputs.push_back(testing::random_tensor(rng, shape));
  }
  auto start = std::chrono::steady_clock::now();
  run_reference(graph, inputs);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  std::string model = argc > 1 ? argv[1] : "resnet50";
  ModelBuilder builder;
  Graph graph = model == "bert" ? builder.bert(12, 128, 768, 12, 3072) : builder.resnet50();
  validate(graph);
  std::mt19937 rng(2);
  std::printf("%s: %zu nodes, reference run %.1f s\n", model.c_str(), graph.nodes.size(), seconds_to_run(graph, rng));
  optimize(graph);
  validate(graph);
  std::printf("%s after optimize(): %zu nodes, reference run %.1f s\n", model.c_str(), graph.nodes.size(), seconds_to_run(graph, rng));
  return 0;
}
