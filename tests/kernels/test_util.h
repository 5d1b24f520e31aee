// Helpers for the kernel tests: a thread pool that implements the model
// ABI's parallel_for, deterministic random tensors and float64 comparison.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#include "npujar/kernels/kernels.h"

namespace npk_test {

// Splits [0, count) into chunks of at most 3 items and runs them on
// `threads` std::threads, so kernels see several uneven chunks per thread.
inline void test_parallel_for(void* pool, int64_t count, npujar_task_fn body, void* context) {
  const int threads = static_cast<int>(reinterpret_cast<intptr_t>(pool));
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([=] {
      for (int64_t begin = t * 3; begin < count; begin += threads * 3) {
        int64_t end = begin + 3 < count ? begin + 3 : count;
        body(context, begin, end);
      }
    });
  }
  for (auto& worker : workers) worker.join();
}

// Arguments that make kernels split work over `threads` threads.
inline npujar_model_args threaded_args(int threads) {
  npujar_model_args args{};
  args.parallel_for = &test_parallel_for;
  args.pool = reinterpret_cast<void*>(static_cast<intptr_t>(threads));
  args.num_threads = threads;
  return args;
}

// Uniform values in [low, high) from a fixed linear congruential sequence.
inline std::vector<float> random_floats(size_t count, uint32_t seed, float low = -1.0f,
                                        float high = 1.0f) {
  std::vector<float> values(count);
  uint64_t state = seed * 6364136223846793005ULL + 1442695040888963407ULL;
  for (auto& value : values) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    const double unit = static_cast<double>(state >> 11) / 9007199254740992.0;
    value = static_cast<float>(low + (high - low) * unit);
  }
  return values;
}

// Vector storage aligned to 64 bytes, as kernels require for packed and
// scratch buffers.
struct AlignedBuffer {
  explicit AlignedBuffer(int64_t bytes) : data(std::aligned_alloc(64, round(bytes))) {
    std::memset(data, 0xCD, round(bytes));
  }
  ~AlignedBuffer() { std::free(data); }
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;
  float* floats() { return static_cast<float*>(data); }
  static size_t round(int64_t bytes) { return static_cast<size_t>((bytes + 63) / 64 * 64 + 64); }
  void* data;
};

// Checks |actual - expected| <= atol + rtol * |expected| element-wise and
// reports the first failing index.
inline ::testing::AssertionResult all_close(const std::vector<float>& actual,
                                            const std::vector<double>& expected, double rtol,
                                            double atol) {
  if (actual.size() != expected.size()) {
    return ::testing::AssertionFailure()
           << "size " << actual.size() << " != expected size " << expected.size();
  }
  for (size_t i = 0; i < actual.size(); ++i) {
    const double difference = std::fabs(static_cast<double>(actual[i]) - expected[i]);
    const bool both_nan = std::isnan(actual[i]) && std::isnan(expected[i]);
    const bool same_infinity = std::isinf(expected[i]) && actual[i] == expected[i];
    if (!both_nan && !same_infinity && !(difference <= atol + rtol * std::fabs(expected[i]))) {
      return ::testing::AssertionFailure() << "element " << i << ": " << actual[i]
                                           << " != expected " << expected[i];
    }
  }
  return ::testing::AssertionSuccess();
}

// float64 activations matching NPK_ACTIVATION_*.
inline double reference_activation(int32_t kind, double x, double low, double high) {
  switch (kind) {
    case NPK_ACTIVATION_RELU: return x > 0 ? x : 0;
    case NPK_ACTIVATION_CLAMP: return std::fmin(std::fmax(x, low), high);
    case NPK_ACTIVATION_SIGMOID: return 1 / (1 + std::exp(-x));
    case NPK_ACTIVATION_SILU: return x / (1 + std::exp(-x));
    case NPK_ACTIVATION_HARDSWISH: return x * std::fmin(std::fmax(x + 3, 0.0), 6.0) / 6;
    case NPK_ACTIVATION_GELU: return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0)));
    case NPK_ACTIVATION_GELU_TANH:
      return 0.5 * x * (1 + std::tanh(std::sqrt(2 / M_PI) * (x + 0.044715 * x * x * x)));
    default: return x;
  }
}

}  // namespace npk_test
