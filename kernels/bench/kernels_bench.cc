// GFLOP/s of SGEMM and convolution on the shapes of resnet18/resnet50
// (im2col GEMMs and real convolutions) and BERT-base linear layers, and the
// share of the FMA peak that rate reaches. The peak per core comes from the
// environment variable NPUJAR_BENCH_PEAK_GFLOPS (default 117, measured on a
// 2-core AMD Zen 4 with AVX-512); set it for other machines. Convolution rates count
// direct-convolution FLOPs, so Winograd can exceed the peak.
#include <benchmark/benchmark.h>

#include <array>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "npujar/kernels/kernels.h"
#include "npujar/runtime/thread_pool.h"

namespace {

// The runtime's own pool (runtime/src/thread_pool.cc), so that the 2-thread
// rows include the same dispatch cost as a model run: workers spin briefly
// between loops instead of sleeping after each one.
using npujar::runtime::ThreadPool;

// FMA peak of `threads` cores in FLOP/s.
double peak_flops(int threads) {
  const char* text = std::getenv("NPUJAR_BENCH_PEAK_GFLOPS");
  const double per_core = text != nullptr ? std::atof(text) : 117.0;
  return per_core * 1e9 * threads;
}

float* aligned_floats(int64_t count, float value) {
  const size_t bytes = static_cast<size_t>((count * 4 + 63) / 64 * 64 + 64);
  float* p = static_cast<float*>(std::aligned_alloc(64, bytes));
  for (int64_t i = 0; i < count; ++i) p[i] = value;
  return p;
}

// Args: M, N, K, threads.
void BM_Sgemm(benchmark::State& state) {
  const int64_t m = state.range(0), n = state.range(1), k = state.range(2);
  const int threads = static_cast<int>(state.range(3));
  float* a = aligned_floats(m * k, 0.5f);
  float* b = aligned_floats(k * n, 0.25f);
  float* c = aligned_floats(m * n, 0.0f);
  float* packed = aligned_floats(npk_gemm_packed_b_size(k, n) / 4, 0.0f);
  npk_gemm_pack_b(k, n, b, n, 1, packed);
  ThreadPool pool(threads);
  npujar_model_args args{};
  args.parallel_for = &ThreadPool::parallel_for_entry;
  args.pool = &pool;
  args.num_threads = threads;
  for (auto _ : state) {
    npk_gemm(&args, m, n, k, a, k, 1, packed, c, n, 1, nullptr, nullptr, NPK_ACTIVATION_NONE, 0, 0);
    benchmark::ClobberMemory();
  }
  const double flops = 2.0 * m * n * k;
  state.counters["GFLOP"] = benchmark::Counter(flops / 1e9, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["peak_share"] =
      benchmark::Counter(flops / peak_flops(threads), benchmark::Counter::kIsIterationInvariantRate);
  std::free(a);
  std::free(b);
  std::free(c);
  std::free(packed);
}

// Args: C, H (=W), O, kernel, stride, threads. Padding keeps "same" size.
void BM_Conv2d(benchmark::State& state) {
  npk_conv2d_params p{};
  p.batch = 1;
  p.in_channels = state.range(0);
  p.in_h = p.in_w = state.range(1);
  p.out_channels = state.range(2);
  p.kernel_h = p.kernel_w = state.range(3);
  p.stride_h = p.stride_w = state.range(4);
  p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = p.kernel_h / 2;
  p.dilation_h = p.dilation_w = 1;
  p.groups = 1;
  p.out_h = (p.in_h + 2 * p.pad_top - p.kernel_h) / p.stride_h + 1;
  p.out_w = p.out_h;

  const int threads = static_cast<int>(state.range(5));
  const int64_t weight_count = p.out_channels * p.in_channels * p.kernel_h * p.kernel_w;
  float* x = aligned_floats(p.in_channels * p.in_h * p.in_w, 0.5f);
  float* w = aligned_floats(weight_count, 0.25f);
  float* packed = aligned_floats(npk_conv2d_packed_weight_size(&p) / 4, 0.0f);
  float* scratch = aligned_floats(npk_conv2d_scratch_size(&p) / 4 + 16, 0.0f);
  float* y = aligned_floats(p.out_channels * p.out_h * p.out_w, 0.0f);
  npk_conv2d_pack_weight(&p, w, packed);

  ThreadPool pool(threads);
  npujar_model_args args{};
  args.parallel_for = &ThreadPool::parallel_for_entry;
  args.pool = &pool;
  args.num_threads = threads;

  for (auto _ : state) {
    npk_conv2d(&args, &p, x, packed, nullptr, nullptr, NPK_ACTIVATION_RELU, 0, 0, y, scratch);
    benchmark::ClobberMemory();
  }
  const double flops = 2.0 * p.out_channels * p.out_h * p.out_w * p.in_channels * p.kernel_h * p.kernel_w;
  state.counters["GFLOP"] = benchmark::Counter(flops / 1e9, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["peak_share"] =
      benchmark::Counter(flops / peak_flops(threads), benchmark::Counter::kIsIterationInvariantRate);
  for (float* buffer : {x, w, packed, scratch, y}) std::free(buffer);
}

// Args: channels, H (=W), stride, threads. 3x3 depthwise convolution as in
// mobilenet_v2; reports GB/s of input plus output, since it is memory-bound.
void BM_Depthwise(benchmark::State& state) {
  npk_conv2d_params p{};
  p.batch = 1;
  p.in_channels = p.out_channels = p.groups = state.range(0);
  p.in_h = p.in_w = state.range(1);
  p.kernel_h = p.kernel_w = 3;
  p.stride_h = p.stride_w = state.range(2);
  p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = 1;
  p.dilation_h = p.dilation_w = 1;
  p.out_h = p.out_w = (p.in_h + 2 - 3) / p.stride_h + 1;
  float* x = aligned_floats(p.in_channels * p.in_h * p.in_w, 0.5f);
  float* w = aligned_floats(p.out_channels * 9, 0.25f);
  float* packed = aligned_floats(npk_conv2d_packed_weight_size(&p) / 4, 0.0f);
  float* y = aligned_floats(p.out_channels * p.out_h * p.out_w, 0.0f);
  npk_conv2d_pack_weight(&p, w, packed);

  const int threads = static_cast<int>(state.range(3));
  ThreadPool pool(threads);
  npujar_model_args args{};
  args.parallel_for = &ThreadPool::parallel_for_entry;
  args.pool = &pool;
  args.num_threads = threads;

  for (auto _ : state) {
    npk_conv2d(&args, &p, x, packed, nullptr, nullptr, NPK_ACTIVATION_CLAMP, 0, 6, y, nullptr);
    benchmark::ClobberMemory();
  }
  const double bytes = 4.0 * (p.in_channels * p.in_h * p.in_w + p.out_channels * p.out_h * p.out_w);
  state.counters["GB"] = benchmark::Counter(bytes / 1e9, benchmark::Counter::kIsIterationInvariantRate);
  for (float* buffer : {x, w, packed, y}) std::free(buffer);
}

// Args: channels, H (=W), stride. Serial 3x3 max pooling with padding 1, as
// after resnet18's stem (64, 112, 2). Reports GB/s of input plus output.
void BM_MaxPool2d(benchmark::State& state) {
  npk_pool2d_params p{};
  p.batch = 1;
  p.channels = state.range(0);
  p.in_h = p.in_w = state.range(1);
  p.kernel_h = p.kernel_w = 3;
  p.stride_h = p.stride_w = state.range(2);
  p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = 1;
  p.dilation_h = p.dilation_w = 1;
  p.out_h = p.out_w = (p.in_h + 2 - 3) / p.stride_h + 1;
  float* x = aligned_floats(p.channels * p.in_h * p.in_w, 0.5f);
  float* y = aligned_floats(p.channels * p.out_h * p.out_w, 0.0f);
  for (auto _ : state) {
    npk_max_pool2d(nullptr, &p, x, y);
    benchmark::ClobberMemory();
  }
  const double bytes = 4.0 * p.channels * (p.in_h * p.in_w + p.out_h * p.out_w);
  state.counters["GB"] = benchmark::Counter(bytes / 1e9, benchmark::Counter::kIsIterationInvariantRate);
  std::free(x);
  std::free(y);
}

template <int threads>
void gemm_shapes(benchmark::internal::Benchmark* b) {
  {
    // resnet50 im2col GEMMs: M = output pixels, N = output channels, K = C*KH*KW.
    b->Args({3136, 64, 576, threads});
    b->Args({3136, 256, 64, threads});
    b->Args({784, 128, 1152, threads});
    b->Args({196, 256, 2304, threads});
    b->Args({49, 512, 4608, threads});
    // BERT-base linear layers, sequence 128.
    b->Args({128, 768, 768, threads});
    b->Args({128, 3072, 768, threads});
    b->Args({128, 768, 3072, threads});
  }
}

// The 3x3 depthwise convolutions of mobilenet_v2 at 224x224, each shape once.
template <int threads>
void depthwise_shapes(benchmark::internal::Benchmark* b) {
  for (auto [channels, size, stride] : {std::array<int64_t, 3>{32, 112, 1}, {96, 112, 2},
                                        {144, 56, 1}, {144, 56, 2}, {192, 28, 1}, {192, 28, 2},
                                        {384, 14, 1}, {576, 14, 1}, {576, 14, 2}, {960, 7, 1}}) {
    b->Args({channels, size, stride, threads});
  }
}

template <int threads>
void conv_shapes(benchmark::internal::Benchmark* b) {
  {
    // resnet18 3x3 stages and the stem, resnet50 1x1 bottlenecks, the
    // mobilenet_v2 stem, resnet18's strided 3x3 convolutions and its first
    // 1x1 downsample.
    b->Args({64, 56, 64, 3, 1, threads});
    b->Args({128, 28, 128, 3, 1, threads});
    b->Args({256, 14, 256, 3, 1, threads});
    b->Args({512, 7, 512, 3, 1, threads});
    b->Args({3, 224, 64, 7, 2, threads});
    b->Args({256, 56, 64, 1, 1, threads});
    b->Args({64, 56, 256, 1, 1, threads});
    b->Args({3, 224, 32, 3, 2, threads});
    b->Args({64, 56, 128, 3, 2, threads});
    b->Args({64, 56, 128, 1, 2, threads});
    b->Args({128, 28, 256, 3, 2, threads});
    b->Args({256, 14, 512, 3, 2, threads});
  }
}

// One thread: rates use the thread's CPU time, which stays meaningful when
// other processes share the cores. Two threads: rates use wall time, so run
// them on an otherwise idle machine.
BENCHMARK(BM_Sgemm)->Apply(gemm_shapes<1>)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Sgemm)->Apply(gemm_shapes<2>)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Conv2d)->Apply(conv_shapes<1>)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Conv2d)->Apply(conv_shapes<2>)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Depthwise)->Apply(depthwise_shapes<1>)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Depthwise)->Apply(depthwise_shapes<2>)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_MaxPool2d)->Args({64, 112, 2})->Args({64, 56, 1})->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
