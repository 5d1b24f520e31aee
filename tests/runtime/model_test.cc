// Loading and running the tiny model through the C++ core: variant choice
// and fallback, input validation, concurrency. Expected outputs come from a
// float64 computation of the same formula (tiny_reference).
#include "npujar/runtime/model.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <map>
#include <random>
#include <thread>

#include "npujar/runtime/host_probe.h"
#include "test_archive.h"

namespace npujar::runtime {
namespace {

using testing::bitcode_variant;
using testing::build_archive;
using testing::object_variant;
using testing::tiny_reference;
using testing::x86_64_v2_features;
using testing::x86_64_v3_features;
using testing::x86_64_v4_features;

bool host_has_all(const std::vector<std::string>& features) {
  for (const std::string& feature : features) {
    if (!host_cpu().has_feature(feature)) {
      return false;
    }
  }
  return true;
}

std::vector<testing::VariantSpec> level_variants() {
  return {object_variant("cpu-x86-64-v2", "tiny_model_v2.o", x86_64_v2_features()),
          object_variant("cpu-x86-64-v3", "tiny_model_v3.o", x86_64_v3_features()),
          object_variant("cpu-x86-64-v4", "tiny_model_v4.o", x86_64_v4_features()),
          bitcode_variant("bitcode-x86_64", "tiny_model.bc")};
}

RuntimeOptions options_without_cache(int threads = 2) {
  RuntimeOptions options;
  options.num_threads = threads;
  options.use_cache = false;
  return options;
}

std::unique_ptr<Model> load(const std::vector<uint8_t>& archive, const RuntimeOptions& options) {
  Result<std::unique_ptr<Model>> model = Model::load_buffer(archive.data(), archive.size(), options);
  EXPECT_TRUE(model) << model.status().message();
  return model ? std::move(*model) : nullptr;
}

std::vector<float> make_input(int64_t batch, int seed) {
  std::vector<float> x(static_cast<size_t>(batch * 4));
  for (size_t i = 0; i < x.size(); ++i) {
    x[i] = static_cast<float>(((seed * 131 + static_cast<int>(i) * 17) % 200) - 100) / 37.0f;
  }
  return x;
}

// Runs the model on `x` ([batch, 4]) and returns y, or fails the test.
std::vector<float> run_model(Model& model, std::vector<float> x) {
  int64_t batch = static_cast<int64_t>(x.size() / 4);
  auto input = Tensor::wrap(NPUJAR_DTYPE_F32, {batch, 4}, x.data(), x.size() * sizeof(float));
  EXPECT_TRUE(input);
  std::vector<const Tensor*> inputs = {input->get()};
  std::vector<Tensor*> outputs = {nullptr};
  std::vector<std::unique_ptr<Tensor>> created;
  Status status = model.run(inputs, outputs, created);
  EXPECT_TRUE(status) << status.message();
  if (!status) {
    return {};
  }
  EXPECT_EQ(outputs[0]->dims(), (std::vector<int64_t>{batch, 4}));
  const float* data = static_cast<const float*>(outputs[0]->data());
  return std::vector<float>(data, data + x.size());
}

void expect_matches_reference(const std::vector<float>& x, const std::vector<float>& y) {
  std::vector<double> expected = tiny_reference(x);
  ASSERT_EQ(y.size(), expected.size());
  for (size_t i = 0; i < y.size(); ++i) {
    ASSERT_NEAR(y[i], expected[i], 1e-5) << "element " << i;
  }
}

Status run_status(Model& model, npujar_dtype dtype, std::vector<int64_t> dims) {
  auto input = Tensor::create(dtype, std::move(dims));
  EXPECT_TRUE(input);
  std::vector<const Tensor*> inputs = {input->get()};
  std::vector<Tensor*> outputs = {nullptr};
  std::vector<std::unique_ptr<Tensor>> created;
  return model.run(inputs, outputs, created);
}

TEST(Model, EachLevelVariantMatchesReference) {
  std::vector<uint8_t> archive = build_archive(level_variants());
  for (const testing::VariantSpec& spec : level_variants()) {
    SCOPED_TRACE(spec.name);
    if (!host_has_all(spec.cpu_features)) {
      continue;
    }
    RuntimeOptions options = options_without_cache();
    options.variant = spec.name;
    std::unique_ptr<Model> model = load(archive, options);
    ASSERT_NE(model, nullptr);
    EXPECT_EQ(model->variant_name(), spec.name);
    for (int64_t batch : {1, 3, 17}) {
      std::vector<float> x = make_input(batch, static_cast<int>(batch));
      expect_matches_reference(x, run_model(*model, x));
    }
  }
}

TEST(Model, AutoPicksRichestUsableLevel) {
  std::vector<uint8_t> archive = build_archive(level_variants());
  std::unique_ptr<Model> model = load(archive, options_without_cache());
  ASSERT_NE(model, nullptr);
  std::string expected = host_has_all(x86_64_v4_features())   ? "cpu-x86-64-v4"
                         : host_has_all(x86_64_v3_features()) ? "cpu-x86-64-v3"
                         : host_has_all(x86_64_v2_features()) ? "cpu-x86-64-v2"
                                                              : "bitcode-x86_64";
  EXPECT_EQ(model->variant_name(), expected);
  EXPECT_FALSE(model->variant_reason().empty());
}

TEST(Model, JitPathMatchesReference) {
  std::vector<uint8_t> archive = build_archive(level_variants());
  RuntimeOptions options = options_without_cache();
  options.jit_mode = NPUJAR_JIT_FORCE;
  std::unique_ptr<Model> model = load(archive, options);
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(model->variant_name(), "bitcode-x86_64");
  EXPECT_EQ(model->load_action(), LoadAction::kJitBitcode);
  EXPECT_TRUE(model->load_stats().jit);
  std::vector<float> x = make_input(9, 4);
  expect_matches_reference(x, run_model(*model, x));
}

TEST(Model, GarbageObjectFallsBackToNextCandidate) {
  // The corrupt variant lists more features, so it ranks first and fails.
  testing::VariantSpec garbage = object_variant("cpu-garbage", "tiny_model_v2.o", {"sse2", "sse3"});
  garbage.section.assign(512, 0xAB);
  std::vector<uint8_t> archive = build_archive(
      {garbage, object_variant("cpu-baseline", "tiny_model_v2.o", {"sse2"})});
  std::unique_ptr<Model> model = load(archive, options_without_cache());
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(model->variant_name(), "cpu-baseline");
  std::vector<float> x = make_input(2, 1);
  expect_matches_reference(x, run_model(*model, x));
}

TEST(Model, ChecksumMismatchFallsBackToNextCandidate) {
  testing::VariantSpec first = object_variant("cpu-first", "tiny_model_v2.o", {"sse2", "sse3"});
  std::vector<uint8_t> archive = build_archive(
      {first, object_variant("cpu-second", "tiny_model_v2.o", {"sse2"})});
  // Flip one byte inside the first variant's object: the ELF header magic
  // appears first in that section.
  std::vector<uint8_t> magic = {0x7f, 'E', 'L', 'F'};
  auto position = std::search(archive.begin(), archive.end(), magic.begin(), magic.end());
  ASSERT_NE(position, archive.end());
  position[100] ^= 0xFF;
  std::unique_ptr<Model> model = load(archive, options_without_cache());
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(model->variant_name(), "cpu-second");
}

// Bytes flipped inside a checksummed object section: the archive is valid,
// the ELF inside is not. Each load must either link (the flip hit bytes the
// linker ignores) or fall back to the intact variant, never crash.
TEST(Model, CorruptedObjectBytesFallBack) {
  std::vector<uint8_t> object = testing::read_file(testing::test_data_path("tiny_model_v2.o"));
  std::mt19937 random(1234);
  int fallbacks = 0;
  for (int trial = 0; trial < 200; ++trial) {
    testing::VariantSpec corrupt = object_variant("cpu-corrupt", "tiny_model_v2.o", {"sse2", "sse3"});
    // Half the flips hit the ELF and section headers, half anywhere.
    size_t range = trial % 2 == 0 ? std::min<size_t>(object.size(), 64) : object.size();
    size_t position = random() % range;
    if (trial % 4 == 1) {
      position = object.size() - 1 - random() % std::min<size_t>(object.size(), 1024);
    }
    corrupt.section[position] ^= static_cast<uint8_t>(1u << (random() % 8));
    std::vector<uint8_t> archive =
        build_archive({corrupt, object_variant("cpu-intact", "tiny_model_v2.o", {"sse2"})});
    Result<std::unique_ptr<Model>> model =
        Model::load_buffer(archive.data(), archive.size(), options_without_cache(1));
    ASSERT_TRUE(model) << "trial " << trial << ": " << model.status().message();
    fallbacks += (*model)->variant_name() == "cpu-intact" ? 1 : 0;
  }
  EXPECT_GT(fallbacks, 0);
}

TEST(Model, ForcedGarbageObjectFailsCleanly) {
  testing::VariantSpec garbage = object_variant("cpu-garbage", "tiny_model_v2.o", {});
  garbage.section.assign(64, 0x00);
  std::vector<uint8_t> archive = build_archive({garbage});
  Result<std::unique_ptr<Model>> model =
      Model::load_buffer(archive.data(), archive.size(), options_without_cache());
  ASSERT_FALSE(model);
  EXPECT_EQ(model.status().code(), NPUJAR_ERROR_COMPILE);
  EXPECT_NE(model.status().message().find("cpu-garbage"), std::string::npos)
      << model.status().message();
}

TEST(Model, ForeignImportIsRejected) {
  std::vector<uint8_t> archive =
      build_archive({object_variant("cpu-bad", "bad_import_model.o", {})});
  Result<std::unique_ptr<Model>> model =
      Model::load_buffer(archive.data(), archive.size(), options_without_cache());
  ASSERT_FALSE(model);
  EXPECT_EQ(model.status().code(), NPUJAR_ERROR_COMPILE);
  EXPECT_NE(model.status().message().find("puts"), std::string::npos) << model.status().message();
}

TEST(Model, ForeignImportInBitcodeIsRejected) {
  std::vector<uint8_t> archive =
      build_archive({bitcode_variant("bitcode-bad", "bad_import_model.bc")});
  Result<std::unique_ptr<Model>> model =
      Model::load_buffer(archive.data(), archive.size(), options_without_cache());
  ASSERT_FALSE(model);
  EXPECT_EQ(model.status().code(), NPUJAR_ERROR_COMPILE);
  EXPECT_NE(model.status().message().find("puts"), std::string::npos) << model.status().message();
}

TEST(Model, ObjectForOtherArchIsRejected) {
  testing::VariantSpec foreign = object_variant("cpu-foreign", "arch_mismatch_model.o", {});
  std::vector<uint8_t> archive = build_archive({foreign});
  Result<std::unique_ptr<Model>> model =
      Model::load_buffer(archive.data(), archive.size(), options_without_cache());
  ASSERT_FALSE(model);
  EXPECT_NE(model.status().message().find("aarch64"), std::string::npos)
      << model.status().message();
}

TEST(Model, UnknownKindIsSkipped) {
  testing::VariantSpec tpu = object_variant("tpu-v5", "tiny_model_v2.o", {});
  tpu.kind = "tpu";
  std::vector<uint8_t> archive =
      build_archive({tpu, object_variant("cpu-x86-64", "tiny_model_v2.o", {})});
  std::unique_ptr<Model> model = load(archive, options_without_cache());
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(model->variant_name(), "cpu-x86-64");
  ASSERT_EQ(model->selection().skipped.size(), 1u);
  EXPECT_EQ(model->selection().skipped[0].name, "tpu-v5");
}

TEST(Model, InvalidArchiveIsRejected) {
  std::vector<uint8_t> bytes(100, 0x42);
  Result<std::unique_ptr<Model>> model =
      Model::load_buffer(bytes.data(), bytes.size(), options_without_cache());
  ASSERT_FALSE(model);
  EXPECT_EQ(model.status().code(), NPUJAR_ERROR_INVALID_ARCHIVE);
}

TEST(Model, MissingFileIsIoError) {
  Result<std::unique_ptr<Model>> model =
      Model::load_file("/nonexistent/model.npujar", options_without_cache());
  ASSERT_FALSE(model);
  EXPECT_EQ(model.status().code(), NPUJAR_ERROR_IO);
  EXPECT_NE(model.status().message().find("/nonexistent/model.npujar"), std::string::npos);
}

TEST(Model, ShapeMismatchNamesInputAndShapes) {
  std::unique_ptr<Model> model =
      load(build_archive({object_variant("cpu", "tiny_model_v2.o", {})}), options_without_cache());
  ASSERT_NE(model, nullptr);
  Status status = run_status(*model, NPUJAR_DTYPE_F32, {2, 5});
  EXPECT_EQ(status.code(), NPUJAR_ERROR_SHAPE_MISMATCH);
  EXPECT_EQ(status.message(), "input 'x': expected shape [N,4], got [2,5]");
}

TEST(Model, RankMismatchIsRejected) {
  std::unique_ptr<Model> model =
      load(build_archive({object_variant("cpu", "tiny_model_v2.o", {})}), options_without_cache());
  ASSERT_NE(model, nullptr);
  Status status = run_status(*model, NPUJAR_DTYPE_F32, {2, 4, 1});
  EXPECT_EQ(status.code(), NPUJAR_ERROR_SHAPE_MISMATCH);
  EXPECT_NE(status.message().find("got [2,4,1]"), std::string::npos) << status.message();
}

TEST(Model, DtypeMismatchIsRejected) {
  std::unique_ptr<Model> model =
      load(build_archive({object_variant("cpu", "tiny_model_v2.o", {})}), options_without_cache());
  ASSERT_NE(model, nullptr);
  Status status = run_status(*model, NPUJAR_DTYPE_I64, {2, 4});
  EXPECT_EQ(status.code(), NPUJAR_ERROR_DTYPE_MISMATCH);
  EXPECT_EQ(status.message(), "input 'x': expected dtype f32, got i64");
}

TEST(Model, InconsistentSymbolIsRejected) {
  format::Manifest manifest = testing::tiny_manifest();
  manifest.inputs.push_back(
      {"mask", "f32", {format::Dimension::symbolic("N"), format::Dimension::fixed(4)}});
  std::unique_ptr<Model> model = load(
      build_archive({object_variant("cpu", "tiny_model_v2.o", {})}, manifest),
      options_without_cache());
  ASSERT_NE(model, nullptr);
  auto x = Tensor::create(NPUJAR_DTYPE_F32, {2, 4});
  auto mask = Tensor::create(NPUJAR_DTYPE_F32, {3, 4});
  std::vector<const Tensor*> inputs = {x->get(), mask->get()};
  std::vector<Tensor*> outputs = {nullptr};
  std::vector<std::unique_ptr<Tensor>> created;
  Status status = model->run(inputs, outputs, created);
  EXPECT_EQ(status.code(), NPUJAR_ERROR_SHAPE_MISMATCH);
  EXPECT_NE(status.message().find("N=3 but input 'x' gave N=2"), std::string::npos)
      << status.message();
}

TEST(Model, WrongInputCountIsRejected) {
  std::unique_ptr<Model> model =
      load(build_archive({object_variant("cpu", "tiny_model_v2.o", {})}), options_without_cache());
  ASSERT_NE(model, nullptr);
  std::vector<const Tensor*> inputs;
  std::vector<Tensor*> outputs = {nullptr};
  std::vector<std::unique_ptr<Tensor>> created;
  Status status = model->run(inputs, outputs, created);
  EXPECT_EQ(status.code(), NPUJAR_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(status.message().find("expects 1 inputs, got 0"), std::string::npos);
}

TEST(Model, CallerOutputWithWrongShapeIsRejected) {
  std::unique_ptr<Model> model =
      load(build_archive({object_variant("cpu", "tiny_model_v2.o", {})}), options_without_cache());
  ASSERT_NE(model, nullptr);
  auto x = Tensor::create(NPUJAR_DTYPE_F32, {2, 4});
  auto y = Tensor::create(NPUJAR_DTYPE_F32, {3, 4});
  std::vector<const Tensor*> inputs = {x->get()};
  std::vector<Tensor*> outputs = {y->get()};
  std::vector<std::unique_ptr<Tensor>> created;
  Status status = model->run(inputs, outputs, created);
  EXPECT_EQ(status.code(), NPUJAR_ERROR_SHAPE_MISMATCH);
  EXPECT_EQ(status.message(), "output 'y': expected shape [2,4], got [3,4]");
}

TEST(Model, ModelErrorCodeBecomesExecutionError) {
  std::unique_ptr<Model> model =
      load(build_archive({object_variant("cpu", "tiny_model_v2.o", {})}), options_without_cache());
  ASSERT_NE(model, nullptr);
  std::vector<float> x = make_input(2, 0);
  x[5] = -1000.0f;
  auto input = Tensor::wrap(NPUJAR_DTYPE_F32, {2, 4}, x.data(), x.size() * sizeof(float));
  std::vector<const Tensor*> inputs = {input->get()};
  std::vector<Tensor*> outputs = {nullptr};
  std::vector<std::unique_ptr<Tensor>> created;
  Status status = model->run(inputs, outputs, created);
  EXPECT_EQ(status.code(), NPUJAR_ERROR_EXECUTION);
  EXPECT_NE(status.message().find("error 7"), std::string::npos) << status.message();
}

TEST(Model, SymbolNotInInputsIsRejectedAtLoad) {
  format::Manifest manifest = testing::tiny_manifest();
  manifest.symbols.push_back("M");
  manifest.outputs[0].shape[1] = format::Dimension::symbolic("M");
  std::vector<uint8_t> archive =
      build_archive({object_variant("cpu", "tiny_model_v2.o", {})}, manifest);
  Result<std::unique_ptr<Model>> model =
      Model::load_buffer(archive.data(), archive.size(), options_without_cache());
  ASSERT_FALSE(model);
  EXPECT_EQ(model.status().code(), NPUJAR_ERROR_INVALID_ARCHIVE);
  EXPECT_NE(model.status().message().find("'M'"), std::string::npos);
}

// Loads `manifest` with the graph section of the unmodified tiny manifest and
// returns the load error, or OK.
Status load_status_against_tiny_graph(const format::Manifest& manifest,
                                      std::vector<uint8_t> weights = {},
                                      std::map<std::string, std::string> properties = {}) {
  if (weights.empty()) {
    std::vector<float> values = testing::tiny_weights();
    weights.resize(values.size() * sizeof(float));
    std::memcpy(weights.data(), values.data(), weights.size());
  }
  testing::VariantSpec variant = object_variant("cpu", "tiny_model_v2.o", {});
  variant.properties = std::move(properties);
  std::vector<uint8_t> archive =
      build_archive({variant}, manifest, testing::tiny_graph_section(testing::tiny_manifest()),
                    weights);
  Result<std::unique_ptr<Model>> model =
      Model::load_buffer(archive.data(), archive.size(), options_without_cache());
  return model ? Status::ok() : model.status();
}

TEST(Model, OutputShapeDifferingFromGraphIsRejected) {
  format::Manifest manifest = testing::tiny_manifest();
  manifest.outputs[0].shape[1] = format::Dimension::fixed(1);
  Status status = load_status_against_tiny_graph(manifest);
  EXPECT_EQ(status.code(), NPUJAR_ERROR_INVALID_ARCHIVE);
  EXPECT_NE(status.message().find("manifest outputs[0] 'y': shape is [N,1] but the graph's is "
                                  "[N,4]"),
            std::string::npos)
      << status.message();
}

TEST(Model, OutputDtypeDifferingFromGraphIsRejected) {
  format::Manifest manifest = testing::tiny_manifest();
  manifest.outputs[0].dtype = "i8";
  Status status = load_status_against_tiny_graph(manifest);
  EXPECT_EQ(status.code(), NPUJAR_ERROR_INVALID_ARCHIVE);
  EXPECT_NE(status.message().find("dtype is i8 but the graph's is f32"), std::string::npos)
      << status.message();
}

TEST(Model, InputNameDifferingFromGraphIsRejected) {
  format::Manifest manifest = testing::tiny_manifest();
  manifest.inputs[0].name = "z";
  Status status = load_status_against_tiny_graph(manifest);
  EXPECT_EQ(status.code(), NPUJAR_ERROR_INVALID_ARCHIVE);
  EXPECT_NE(status.message().find("name is 'z' but the graph's is 'x'"), std::string::npos)
      << status.message();
}

TEST(Model, ExtraOutputIsRejected) {
  format::Manifest manifest = testing::tiny_manifest();
  manifest.outputs.push_back(manifest.outputs[0]);
  manifest.outputs[1].name = "y2";
  Status status = load_status_against_tiny_graph(manifest);
  EXPECT_EQ(status.code(), NPUJAR_ERROR_INVALID_ARCHIVE);
  EXPECT_NE(status.message().find("lists 2 but the graph has 1"), std::string::npos)
      << status.message();
}

TEST(Model, ShortWeightsSectionIsRejected) {
  // The graph's constant covers 32 bytes; the section has 16.
  Status status =
      load_status_against_tiny_graph(testing::tiny_manifest(), std::vector<uint8_t>(16, 0));
  EXPECT_EQ(status.code(), NPUJAR_ERROR_INVALID_ARCHIVE);
  EXPECT_NE(status.message().find("exceeds the weights section of 16 bytes"), std::string::npos)
      << status.message();
}

TEST(Model, ArenaBelowVariantNeedIsRejected) {
  format::Manifest manifest = testing::tiny_manifest();
  manifest.arena.per_symbol_bytes["N"] = 0;
  Status status = load_status_against_tiny_graph(
      manifest, {}, {{"arena_base_bytes", "0"}, {"arena_per_symbol_bytes", "N=16"}});
  EXPECT_EQ(status.code(), NPUJAR_ERROR_INVALID_ARCHIVE);
  EXPECT_NE(status.message().find("manifest arena.per_symbol_bytes.N is 0 but the compiled code "
                                  "needs 16"),
            std::string::npos)
      << status.message();

  manifest = testing::tiny_manifest();
  status = load_status_against_tiny_graph(
      manifest, {}, {{"arena_base_bytes", "64"}, {"arena_per_symbol_bytes", "N=16"}});
  EXPECT_EQ(status.code(), NPUJAR_ERROR_INVALID_ARCHIVE);
  EXPECT_NE(status.message().find("manifest arena.base_bytes is 0 but the compiled code needs 64"),
            std::string::npos)
      << status.message();
}

TEST(Model, MalformedArenaPropertyIsRejected) {
  Status status = load_status_against_tiny_graph(testing::tiny_manifest(), {},
                                                 {{"arena_per_symbol_bytes", "N:16"}});
  EXPECT_EQ(status.code(), NPUJAR_ERROR_INVALID_ARCHIVE);
  EXPECT_NE(status.message().find("is not a list of SYMBOL=BYTES"), std::string::npos)
      << status.message();
}

TEST(Model, ArenaMatchingVariantNeedLoads) {
  Status status = load_status_against_tiny_graph(
      testing::tiny_manifest(), {}, {{"arena_base_bytes", "0"}, {"arena_per_symbol_bytes", "N=16"}});
  EXPECT_TRUE(status) << status.message();
}

TEST(Model, ConcurrentRunsEqualSequentialRuns) {
  std::unique_ptr<Model> model = load(build_archive(level_variants()), options_without_cache(2));
  ASSERT_NE(model, nullptr);

  constexpr int kThreads = 8;
  constexpr int kRunsPerThread = 1000;
  constexpr int kDistinctInputs = 64;
  std::vector<std::vector<float>> inputs;
  std::vector<std::vector<float>> sequential;
  for (int i = 0; i < kDistinctInputs; ++i) {
    inputs.push_back(make_input(1 + i % 13, i));
    sequential.push_back(run_model(*model, inputs.back()));
    expect_matches_reference(inputs.back(), sequential.back());
  }

  std::atomic<int> mismatches{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int run = 0; run < kRunsPerThread; ++run) {
        int which = (t * 7919 + run * 31) % kDistinctInputs;
        std::vector<float> x = inputs[static_cast<size_t>(which)];
        int64_t batch = static_cast<int64_t>(x.size() / 4);
        auto input = Tensor::wrap(NPUJAR_DTYPE_F32, {batch, 4}, x.data(), x.size() * 4);
        std::vector<const Tensor*> in = {input->get()};
        std::vector<Tensor*> out = {nullptr};
        std::vector<std::unique_ptr<Tensor>> created;
        if (!model->run(in, out, created)) {
          ++failures;
          continue;
        }
        const std::vector<float>& expected = sequential[static_cast<size_t>(which)];
        if (std::memcmp(out[0]->data(), expected.data(), expected.size() * 4) != 0) {
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

}  // namespace
}  // namespace npujar::runtime
