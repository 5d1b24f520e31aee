// End-to-end: archives that `npujar pack` built from the importer's test
// models, run through the runtime with each variant forced in turn and
// through the JIT, compared with LibTorch's saved outputs.
//
// NPUJAR_E2E_MODELS_DIR is make_models.py's output directory (inputs and
// LibTorch outputs as .npy, listed in manifest.txt), NPUJAR_E2E_ARCHIVES_DIR
// contains <model>.npujar from pack_models.sh, and NPUJAR_E2E_MODELS lists the
// models to check, comma-separated. The build defines all three; the two
// directories may be overridden by environment variables of the same names.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>
#include <string>
#include <vector>

#include "npujar/ir/host_tensor.h"
#include "npujar/runtime/host_probe.h"
#include "npujar/runtime/model.h"

namespace npujar::runtime {
namespace {

constexpr double kTolerance = 1e-4;

struct TestCase {
  std::vector<std::string> inputs;
  std::vector<std::string> outputs;
};

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::stringstream stream(text);
  std::string part;
  while (std::getline(stream, part, separator)) {
    if (!part.empty()) {
      parts.push_back(part);
    }
  }
  return parts;
}

std::string directory(const char* variable, const char* built_in) {
  const char* value = std::getenv(variable);
  return value != nullptr && *value != '\0' ? value : built_in;
}

// The "case IN,IN OUT,OUT" lines of manifest.txt for `model`.
std::vector<TestCase> load_cases(const std::string& models_dir, const std::string& model) {
  std::ifstream manifest(models_dir + "/manifest.txt");
  std::vector<TestCase> cases;
  std::string line;
  std::string current;
  while (std::getline(manifest, line)) {
    std::vector<std::string> words = split(line, ' ');
    if (words.size() == 3 && words[0] == "model") {
      current = words[1];
    } else if (words.size() == 3 && words[0] == "case" && current == model) {
      cases.push_back({split(words[1], ','), split(words[2], ',')});
    }
  }
  return cases;
}

bool host_runs(const format::Variant& variant) {
  if (variant.arch != host_cpu().arch) {
    return false;
  }
  for (const std::string& feature : variant.cpu_features) {
    if (!host_cpu().has_feature(feature)) {
      return false;
    }
  }
  return true;
}

// Runs one case and compares every output with LibTorch's within kTolerance
// (absolute, plus the same relative to the expected value's magnitude).
void check_case(Model& model, const std::string& models_dir, const TestCase& test_case) {
  std::vector<ir::HostTensor> inputs;
  std::vector<std::unique_ptr<Tensor>> views;
  std::vector<const Tensor*> input_pointers;
  for (const std::string& file : test_case.inputs) {
    inputs.push_back(ir::read_npy(models_dir + "/" + file));
  }
  for (ir::HostTensor& input : inputs) {
    auto view = Tensor::wrap(static_cast<npujar_dtype>(input.dtype), input.shape,
                             input.data.data(), input.data.size());
    ASSERT_TRUE(view) << view.status().message();
    input_pointers.push_back(view->get());
    views.push_back(std::move(*view));
  }

  std::vector<Tensor*> outputs(model.outputs().size(), nullptr);
  std::vector<std::unique_ptr<Tensor>> created;
  Status status = model.run(input_pointers, outputs, created);
  ASSERT_TRUE(status) << status.message();
  ASSERT_EQ(outputs.size(), test_case.outputs.size());

  for (size_t o = 0; o < outputs.size(); ++o) {
    ir::HostTensor expected = ir::read_npy(models_dir + "/" + test_case.outputs[o]);
    ASSERT_EQ(outputs[o]->dims(), expected.shape) << "output " << o;
    ir::HostTensor actual;
    actual.dtype = static_cast<ir::DType>(outputs[o]->dtype());
    actual.shape = outputs[o]->dims();
    const uint8_t* bytes = static_cast<const uint8_t*>(outputs[o]->data());
    actual.data.assign(bytes, bytes + outputs[o]->byte_size());

    std::vector<double> want = ir::to_doubles(expected);
    std::vector<double> got = ir::to_doubles(actual);
    size_t bad = 0;
    size_t first_bad = 0;
    for (size_t i = 0; i < want.size(); ++i) {
      if (!(std::fabs(got[i] - want[i]) <= kTolerance * (1.0 + std::fabs(want[i])))) {
        first_bad = bad == 0 ? i : first_bad;
        ++bad;
      }
    }
    EXPECT_EQ(bad, 0u) << "output " << o << " (" << test_case.outputs[o] << "): " << bad
                       << " elements differ; first at " << first_bad << ": got "
                       << got[first_bad] << ", LibTorch " << want[first_bad];
  }
}

class EndToEnd : public ::testing::TestWithParam<std::string> {};

TEST_P(EndToEnd, EveryVariantMatchesLibTorch) {
  std::string models_dir = directory("NPUJAR_E2E_MODELS_DIR", NPUJAR_E2E_MODELS_DIR);
  std::string archive =
      directory("NPUJAR_E2E_ARCHIVES_DIR", NPUJAR_E2E_ARCHIVES_DIR) + "/" + GetParam() + ".npujar";
  if (!std::ifstream(archive)) {
    GTEST_SKIP() << "no archive " << archive << "; run through ctest, which packs the models";
  }
  std::vector<TestCase> cases = load_cases(models_dir, GetParam());
  ASSERT_FALSE(cases.empty()) << "manifest.txt lists no case for " << GetParam();

  // Load once to read the manifest, then force each variant in turn.
  RuntimeOptions probe_options;
  probe_options.use_cache = false;
  auto first = Model::load_file(archive, probe_options);
  ASSERT_TRUE(first) << first.status().message();
  std::vector<format::Variant> variants = (*first)->manifest().variants;

  int checked = 0;
  for (const format::Variant& variant : variants) {
    if (variant.kind != "cpu" || !host_runs(variant)) {
      continue;
    }
    SCOPED_TRACE("variant " + variant.name);
    RuntimeOptions options;
    options.use_cache = false;
    options.variant = variant.name;
    auto model = Model::load_file(archive, options);
    ASSERT_TRUE(model) << model.status().message();
    ASSERT_EQ((*model)->variant_name(), variant.name);
    for (const TestCase& test_case : cases) {
      check_case(**model, models_dir, test_case);
    }
    ++checked;
  }
  EXPECT_GT(checked, 0) << "no variant of " << archive << " runs on this host";
}

// 8 threads x 1,000 runs (50 for slow models) of generated code on one
// model, each run's output bitwise equal to the single-threaded run of the
// same input. Inputs cycle through the model's cases, scaled differently.
TEST_P(EndToEnd, ConcurrentRunsMatchSequential) {
  std::string models_dir = directory("NPUJAR_E2E_MODELS_DIR", NPUJAR_E2E_MODELS_DIR);
  std::string archive =
      directory("NPUJAR_E2E_ARCHIVES_DIR", NPUJAR_E2E_ARCHIVES_DIR) + "/" + GetParam() + ".npujar";
  if (!std::ifstream(archive)) {
    GTEST_SKIP() << "no archive " << archive << "; run through ctest, which packs the models";
  }
  std::vector<TestCase> cases = load_cases(models_dir, GetParam());
  ASSERT_FALSE(cases.empty());
  RuntimeOptions options;
  options.use_cache = false;
  options.num_threads = 2;
  auto loaded = Model::load_file(archive, options);
  ASSERT_TRUE(loaded) << loaded.status().message();
  Model& model = **loaded;

  // Distinct f32 inputs: case inputs scaled by a per-variant factor.
  constexpr int kDistinct = 16;
  std::vector<std::vector<ir::HostTensor>> inputs;
  for (int k = 0; k < kDistinct; ++k) {
    std::vector<ir::HostTensor> set;
    for (const std::string& file : cases[static_cast<size_t>(k) % cases.size()].inputs) {
      ir::HostTensor tensor = ir::read_npy(models_dir + "/" + file);
      if (tensor.dtype == ir::DType::kF32) {
        std::vector<double> values = ir::to_doubles(tensor);
        for (double& value : values) {
          value *= 1.0 + 0.03125 * k;
        }
        tensor = ir::from_doubles(tensor.dtype, tensor.shape, values);
      }
      set.push_back(std::move(tensor));
    }
    inputs.push_back(std::move(set));
  }

  auto run_once = [&model](std::vector<ir::HostTensor>& set, std::vector<std::vector<uint8_t>>& out) {
    std::vector<std::unique_ptr<Tensor>> views;
    std::vector<const Tensor*> pointers;
    for (ir::HostTensor& tensor : set) {
      auto view = Tensor::wrap(static_cast<npujar_dtype>(tensor.dtype), tensor.shape,
                               tensor.data.data(), tensor.data.size());
      if (!view) {
        return false;
      }
      pointers.push_back(view->get());
      views.push_back(std::move(*view));
    }
    std::vector<Tensor*> outputs(model.outputs().size(), nullptr);
    std::vector<std::unique_ptr<Tensor>> created;
    if (!model.run(pointers, outputs, created)) {
      return false;
    }
    out.clear();
    for (Tensor* tensor : outputs) {
      const uint8_t* bytes = static_cast<const uint8_t*>(tensor->data());
      out.emplace_back(bytes, bytes + tensor->byte_size());
    }
    return true;
  };

  std::vector<std::vector<std::vector<uint8_t>>> sequential(kDistinct);
  auto start = std::chrono::steady_clock::now();
  for (int k = 0; k < kDistinct; ++k) {
    ASSERT_TRUE(run_once(inputs[static_cast<size_t>(k)], sequential[static_cast<size_t>(k)]));
  }
  double run_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / kDistinct;
  // 1,000 runs per thread for models that run in under 2 ms; larger models
  // (resnet18 takes tens of ms on two cores) get 50, which still overlaps
  // every run with seven others.
  const int runs_per_thread = run_seconds < 2e-3 ? 1000 : 50;
  RecordProperty("runs_per_thread", runs_per_thread);

  std::atomic<int> failures{0};
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      std::vector<std::vector<ir::HostTensor>> own = inputs;  // private input copies
      std::vector<std::vector<uint8_t>> out;
      for (int run = 0; run < runs_per_thread; ++run) {
        size_t k = static_cast<size_t>((t * 5 + run) % kDistinct);
        if (!run_once(own[k], out)) {
          ++failures;
        } else if (out != sequential[k]) {
          ++mismatches;
        }
      }
    });
  }
  for (std::thread& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(mismatches.load(), 0);
}

std::vector<std::string> e2e_models() {
  return split(NPUJAR_E2E_MODELS, ',');
}

INSTANTIATE_TEST_SUITE_P(Models, EndToEnd, ::testing::ValuesIn(e2e_models()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

}  // namespace
}  // namespace npujar::runtime
