// Measures npujar_model_run through the C API on zero-filled inputs, the
// baseline for the Java API's per-call overhead (the JMH benchmark
// RunOverheadBenchmark runs the same archive with the same options).
//
// Usage: npujar_native_run_benchmark ARCHIVE [THREADS] [RUNS]
// Symbolic dimensions take 1. Prints the median over 5 rounds of the mean
// time per run, each run including the creation and release of its outputs
// as a Java call does.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "npujar_runtime.h"

namespace {

bool check(npujar_status* status, const char* what) {
  if (status == nullptr) {
    return true;
  }
  std::fprintf(stderr, "npujar_native_run_benchmark: %s failed: %s\n", what,
               npujar_status_message(status));
  npujar_status_release(status);
  return false;
}

double mean_run_ns(npujar_model* model, const std::vector<const npujar_tensor*>& inputs,
                   size_t output_count, int runs) {
  std::vector<npujar_tensor*> outputs(output_count, nullptr);
  auto start = std::chrono::steady_clock::now();
  for (int run = 0; run < runs; ++run) {
    if (!check(npujar_model_run(model, inputs.data(), inputs.size(), outputs.data(), outputs.size()),
               "npujar_model_run")) {
      std::exit(1);
    }
    for (npujar_tensor*& output : outputs) {
      npujar_tensor_release(output);
      output = nullptr;
    }
  }
  std::chrono::duration<double, std::nano> elapsed = std::chrono::steady_clock::now() - start;
  return elapsed.count() / runs;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s ARCHIVE [THREADS] [RUNS]\n", argv[0]);
    return 2;
  }
  const int threads = argc > 2 ? std::atoi(argv[2]) : 1;
  const int runs = argc > 3 ? std::atoi(argv[3]) : 200000;

  npujar_options* options = nullptr;
  npujar_model* model = nullptr;
  if (!check(npujar_options_create(&options), "npujar_options_create") ||
      !check(npujar_options_set_num_threads(options, threads), "npujar_options_set_num_threads") ||
      !check(npujar_model_load_file(argv[1], options, &model), "npujar_model_load_file")) {
    return 1;
  }
  npujar_options_release(options);

  std::vector<npujar_tensor*> owned;
  std::vector<const npujar_tensor*> inputs;
  for (size_t i = 0; i < npujar_model_input_count(model); ++i) {
    npujar_tensor_info info{};
    if (!check(npujar_model_input_info(model, i, &info), "npujar_model_input_info")) {
      return 1;
    }
    std::vector<int64_t> dims(info.dims, info.dims + info.rank);
    for (int64_t& extent : dims) {
      extent = extent < 0 ? 1 : extent;
    }
    npujar_tensor* tensor = nullptr;
    if (!check(npujar_tensor_create(info.dtype, dims.data(), dims.size(), &tensor),
               "npujar_tensor_create")) {
      return 1;
    }
    owned.push_back(tensor);
    inputs.push_back(tensor);
  }
  const size_t output_count = npujar_model_output_count(model);

  mean_run_ns(model, inputs, output_count, runs / 10);
  std::vector<double> rounds;
  for (int round = 0; round < 5; ++round) {
    rounds.push_back(mean_run_ns(model, inputs, output_count, runs));
  }
  std::sort(rounds.begin(), rounds.end());
  std::printf("%s: variant %s, %d threads: median %.0f ns per run (rounds %.0f..%.0f ns, %d runs each)\n",
              argv[1], npujar_model_variant(model), threads, rounds[2], rounds.front(),
              rounds.back(), runs);

  for (npujar_tensor* tensor : owned) {
    npujar_tensor_release(tensor);
  }
  npujar_model_release(model);
  return 0;
}
