// Measures code generation time per target for a ResNet-18-shaped graph
// (random weights, batch-norm folded, fusion marks set as ir::optimize
// would set them) and runs the v3 variant once against the reference.
// Not a test: run it by hand to refresh the numbers in docs/codegen.md.
//   pack_time [targets]   (default: all)
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <string>

#include "jit_harness.h"
#include "npujar/ir/reference.h"

namespace codegen = npujar::codegen;
namespace ir = npujar::ir;
using ir::Dim;

namespace {

struct ResNetBuilder {
  ir::Graph graph;
  unsigned seed = 100;

  ir::Shape image(int64_t channels, int64_t size) {
    return {Dim::fixed(1), Dim::fixed(channels), Dim::fixed(size), Dim::fixed(size)};
  }

  int conv(int x, int64_t out_channels, int64_t kernel, int64_t stride, bool relu,
           int residual = -1) {
    const ir::Shape& in = graph.values[x].shape;
    int64_t in_channels = in[1].coefficient;
    int64_t size = in[2].coefficient;
    int64_t pad = kernel / 2;
    int64_t out_size = (size + 2 * pad - kernel) / stride + 1;
    int weight = codegen::testing::add_constant(
        graph, "w" + std::to_string(seed), {out_channels, in_channels, kernel, kernel}, seed);
    ++seed;
    int bias = codegen::testing::add_constant(graph, "b" + std::to_string(seed), {out_channels}, seed);
    ++seed;
    int y = codegen::testing::add_intermediate(graph, "y" + std::to_string(seed),
                                               image(out_channels, out_size));
    std::vector<int> inputs = {x, weight, bias};
    if (residual >= 0) inputs.push_back(residual);
    ir::Node& node = codegen::testing::add_node(graph, "conv2d", inputs, {y});
    node.attributes["strides"] = std::vector<int64_t>{stride, stride};
    node.attributes["pads"] = std::vector<int64_t>{pad, pad, pad, pad};
    node.attributes["dilations"] = std::vector<int64_t>{1, 1};
    node.attributes["groups"] = int64_t{1};
    if (relu) node.attributes["activation"] = std::string("relu");
    return y;
  }

  int basic_block(int x, int64_t channels, int64_t stride) {
    int shortcut = x;
    if (stride != 1 || graph.values[x].shape[1].coefficient != channels) {
      shortcut = conv(x, channels, 1, stride, false);
    }
    int h = conv(x, channels, 3, stride, true);
    return conv(h, channels, 3, 1, true, shortcut);
  }

  ir::Graph build() {
    int x = codegen::testing::add_input(graph, "image", image(3, 224));
    int h = conv(x, 64, 7, 2, true);
    int pooled = codegen::testing::add_intermediate(graph, "pooled", image(64, 56));
    ir::Node& pool = codegen::testing::add_node(graph, "max_pool2d", {h}, {pooled});
    pool.attributes["kernel"] = std::vector<int64_t>{3, 3};
    pool.attributes["strides"] = std::vector<int64_t>{2, 2};
    pool.attributes["pads"] = std::vector<int64_t>{1, 1, 1, 1};
    pool.attributes["dilations"] = std::vector<int64_t>{1, 1};
    h = pooled;
    for (int64_t channels : {64, 128, 256, 512}) {
      h = basic_block(h, channels, channels == 64 ? 1 : 2);
      h = basic_block(h, channels, 1);
    }
    int averaged = codegen::testing::add_intermediate(graph, "averaged", image(512, 1));
    codegen::testing::add_node(graph, "adaptive_avg_pool2d", {h}, {averaged});
    int flat = codegen::testing::add_intermediate(graph, "flat", {Dim::fixed(1), Dim::fixed(512)});
    codegen::testing::add_node(graph, "reshape", {averaged}, {flat});
    int fc = codegen::testing::add_constant(graph, "fc.weight", {1000, 512}, 1);
    int logits = codegen::testing::add_intermediate(graph, "logits", {Dim::fixed(1), Dim::fixed(1000)});
    codegen::testing::add_node(graph, "linear", {flat, fc}, {logits});
    graph.outputs = {logits};
    return graph;
  }
};

// CPU time of the calling thread, which other processes on a shared machine
// do not inflate as they do wall time.
double thread_cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  std::string targets_text = argc > 1 ? argv[1] : "all";
  auto start = std::chrono::steady_clock::now();
  codegen::testing::PreparedGraph prepared = codegen::testing::prepare(ResNetBuilder().build());
  std::printf("graph: %zu nodes, weights %.1f MB, arena %lld bytes, prepared in %.2f s\n",
              prepared.graph.nodes.size(), prepared.weights.size() / 1e6,
              static_cast<long long>(prepared.plan.arena_base_bytes), seconds_since(start));

  for (const codegen::TargetSpec& target : codegen::parse_targets(targets_text)) {
    double cpu_start = thread_cpu_seconds();
    codegen::CompiledVariant variant =
        codegen::compile_variant(prepared.graph, prepared.layout, prepared.plan, target);
    std::printf("%-16s %9zu bytes  %6.2f s wall  %6.2f s CPU\n", target.variant_name.c_str(),
                variant.bytes.size(), variant.seconds, thread_cpu_seconds() - cpu_start);
    if (target.variant_name != "cpu-x86-64-v3" || !codegen::testing::host_supports(target)) continue;

    std::vector<ir::HostTensor> inputs = {codegen::testing::random_tensor({1, 3, 224, 224}, 7)};
    auto run_start = std::chrono::steady_clock::now();
    std::vector<ir::HostTensor> actual = codegen::testing::run_variant(prepared, variant, inputs);
    double run_seconds = seconds_since(run_start);
    std::vector<ir::HostTensor> expected = ir::run_reference(prepared.graph, inputs);
    double largest = 0;
    for (double value : ir::to_doubles(expected[0])) largest = std::max(largest, std::abs(value));
    std::printf("  load + one serial run %.3f s, max |difference| to reference %.3g of max |value| %.3g\n",
                run_seconds, codegen::testing::max_abs_difference(actual[0], expected[0]), largest);
  }
  return 0;
}
