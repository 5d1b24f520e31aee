// `npujar bench M.npujar`: measures how long loading takes on each path the
// runtime can take (a precompiled object, a cold JIT compile, a JIT cache
// hit) and the latency percentiles of runs on the variant the runtime
// selects. Inputs are generated: symbolic dimensions take --batch, floats
// are uniform in [-1, 1], integers and booleans are zero.
//
// The JIT paths use a temporary cache directory that is removed afterwards,
// so the user's cache is neither read nor changed.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "commands.h"

#if __has_include("npujar/runtime/model.h")
#define NPUJAR_CLI_HAS_RUNTIME 1
#include <dirent.h>
#include <stdlib.h>
#include <unistd.h>

#include "npujar/runtime/model.h"
#endif

namespace npujar::cli {
namespace {

struct BenchOptions {
  std::string archive;
  int threads = 0;
  int iterations = 100;
  int warmup = 10;
  int64_t batch = 1;
};

#ifdef NPUJAR_CLI_HAS_RUNTIME

using Clock = std::chrono::steady_clock;

double milliseconds_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

struct LoadResult {
  std::unique_ptr<runtime::Model> model;
  double milliseconds = 0;
  std::string error;
};

LoadResult timed_load(const std::string& path, const runtime::RuntimeOptions& options) {
  LoadResult result;
  auto start = Clock::now();
  auto model = runtime::Model::load_file(path, options);
  result.milliseconds = milliseconds_since(start);
  if (model) {
    result.model = std::move(*model);
  } else {
    result.error = model.status().message();
  }
  return result;
}

void print_load(const char* path_name, const LoadResult& result) {
  if (!result.model) {
    std::printf("  %-14s unavailable: %s\n", path_name, result.error.c_str());
    return;
  }
  const runtime::LoadStats& stats = result.model->load_stats();
  std::printf("  %-14s %9.1f ms  variant %s", path_name, result.milliseconds,
              result.model->variant_name().c_str());
  if (stats.jit) {
    std::printf(stats.cache_hit ? ", cache hit" : ", compile %.1f ms", stats.compile_seconds * 1e3);
  }
  std::printf("\n");
}

std::string make_temporary_directory() {
  std::string pattern = "/tmp/npujar-bench-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    throw CommandError{"bench: cannot create a temporary cache directory under /tmp"};
  }
  return pattern;
}

void remove_directory(const std::string& path) {
  if (DIR* dir = opendir(path.c_str())) {
    while (dirent* entry = readdir(dir)) {
      std::string name = entry->d_name;
      if (name != "." && name != "..") {
        unlink((path + "/" + name).c_str());
      }
    }
    closedir(dir);
  }
  rmdir(path.c_str());
}

std::vector<std::unique_ptr<runtime::Tensor>> make_inputs(const runtime::Model& model,
                                                          int64_t batch) {
  std::mt19937 random(42);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  std::vector<std::unique_ptr<runtime::Tensor>> tensors;
  for (const runtime::TensorDescription& input : model.inputs()) {
    std::vector<int64_t> dims;
    for (const auto& dim : input.shape) {
      dims.push_back(dim.is_static() ? dim.coefficient : dim.coefficient * batch);
    }
    auto tensor = runtime::Tensor::create(input.dtype, dims);
    if (!tensor) {
      throw CommandError{"bench: input '" + input.name + "': " + tensor.status().message()};
    }
    if (input.dtype == NPUJAR_DTYPE_F32) {
      float* data = static_cast<float*>((*tensor)->data());
      for (size_t i = 0; i < (*tensor)->byte_size() / sizeof(float); ++i) {
        data[i] = uniform(random);
      }
    }
    tensors.push_back(std::move(*tensor));
  }
  return tensors;
}

double percentile(const std::vector<double>& sorted, double fraction) {
  size_t rank = static_cast<size_t>(fraction * static_cast<double>(sorted.size()) + 0.999999);
  rank = std::min(std::max<size_t>(rank, 1), sorted.size());
  return sorted[rank - 1];
}

void measure_latency(runtime::Model& model, const BenchOptions& options) {
  std::vector<std::unique_ptr<runtime::Tensor>> inputs = make_inputs(model, options.batch);
  std::vector<const runtime::Tensor*> input_pointers;
  for (const auto& tensor : inputs) {
    input_pointers.push_back(tensor.get());
  }

  std::vector<double> latencies;
  for (int i = 0; i < options.warmup + options.iterations; ++i) {
    std::vector<runtime::Tensor*> outputs(model.outputs().size(), nullptr);
    std::vector<std::unique_ptr<runtime::Tensor>> created;
    auto start = Clock::now();
    runtime::Status status = model.run(input_pointers, outputs, created);
    double elapsed = milliseconds_since(start);
    if (!status) {
      throw CommandError{"bench: " + status.message()};
    }
    if (i >= options.warmup) {
      latencies.push_back(elapsed);
    }
  }
  std::sort(latencies.begin(), latencies.end());
  std::printf("latency (variant %s, %d threads, batch %lld, %d runs after %d warmup)\n",
              model.variant_name().c_str(), model.num_threads(),
              static_cast<long long>(options.batch), options.iterations, options.warmup);
  std::printf("  p50 %.3f ms  p90 %.3f ms  p99 %.3f ms  min %.3f ms  max %.3f ms\n",
              percentile(latencies, 0.50), percentile(latencies, 0.90),
              percentile(latencies, 0.99), latencies.front(), latencies.back());
}

void bench_command(const BenchOptions& options) {
  runtime::RuntimeOptions base;
  base.use_cache = false;
  if (options.threads > 0) {
    base.num_threads = options.threads;
  }

  std::printf("load (%s)\n", options.archive.c_str());
  runtime::RuntimeOptions precompiled = base;
  precompiled.jit_mode = NPUJAR_JIT_FORBID;
  LoadResult precompiled_load = timed_load(options.archive, precompiled);
  print_load("precompiled", precompiled_load);

  std::string cache = make_temporary_directory();
  runtime::RuntimeOptions jit = base;
  jit.jit_mode = NPUJAR_JIT_FORCE;
  jit.use_cache = true;
  jit.cache_dir = cache;
  LoadResult cold = timed_load(options.archive, jit);
  print_load("JIT cold", cold);
  LoadResult cached = timed_load(options.archive, jit);
  print_load("JIT cached", cached);
  remove_directory(cache);

  runtime::Model* model = precompiled_load.model ? precompiled_load.model.get()
                                                 : cold.model ? cold.model.get() : nullptr;
  if (model == nullptr) {
    throw CommandError{"bench: no variant of " + options.archive + " loads on this host"};
  }
  measure_latency(*model, options);
}

#else

void bench_command(const BenchOptions&) {
  throw CommandError{
      "bench: this npujar was built without the runtime; configure with -DNPUJAR_WITH_LLVM=ON"};
}

#endif

}  // namespace

void add_bench_command(CLI::App& app) {
  auto options = std::make_shared<BenchOptions>();
  CLI::App* command = app.add_subcommand(
      "bench", "Measure load time per path (precompiled, JIT cold, JIT cached) and run latency");
  command->add_option("archive", options->archive, "The .npujar archive")->required();
  command->add_option("--threads", options->threads, "Threads per run; 0 = physical cores")
      ->check(CLI::NonNegativeNumber);
  command->add_option("--iterations", options->iterations, "Timed runs")
      ->check(CLI::PositiveNumber);
  command->add_option("--warmup", options->warmup, "Untimed runs before timing")
      ->check(CLI::NonNegativeNumber);
  command->add_option("--batch", options->batch, "Value of every symbolic dimension")
      ->check(CLI::PositiveNumber);
  command->callback([options] { bench_command(*options); });
}

}  // namespace npujar::cli
