// Selection policy over synthetic hosts, so the expected choice follows
// from the test's own feature lists and not from the machine running it.
#include "npujar/runtime/selection.h"

#include <gtest/gtest.h>

#include "test_archive.h"

namespace npujar::runtime {
namespace {

using testing::x86_64_v2_features;
using testing::x86_64_v3_features;
using testing::x86_64_v4_features;

format::Variant variant(const std::string& name, const std::string& kind,
                        const std::string& format_name, std::vector<std::string> features = {}) {
  format::Variant result;
  result.name = name;
  result.kind = kind;
  result.format = format_name;
  result.arch = kind == "cpu" ? "x86_64" : "";
  result.cpu_features = std::move(features);
  result.sections = {"variant/" + name};
  result.abi_version = 1;
  return result;
}

format::Manifest manifest_with_levels() {
  format::Manifest manifest = testing::tiny_manifest();
  manifest.variants = {
      variant("cpu-x86-64-v2", "cpu", "object", x86_64_v2_features()),
      variant("cpu-x86-64-v4", "cpu", "object", x86_64_v4_features()),
      variant("cpu-x86-64-v3", "cpu", "object", x86_64_v3_features()),
      variant("bitcode-x86_64", "cpu", "bitcode"),
  };
  return manifest;
}

CpuInfo host_with(const std::vector<std::string>& features) {
  CpuInfo cpu;
  cpu.arch = "x86_64";
  cpu.cpu_name = "test-cpu";
  cpu.features.insert("sse2");
  cpu.features.insert(features.begin(), features.end());
  return cpu;
}

std::vector<std::string> candidate_names(const Selection& selection) {
  std::vector<std::string> names;
  for (const Candidate& candidate : selection.candidates) {
    names.push_back(candidate.variant->name);
  }
  return names;
}

TEST(Selection, RichestIsaFirstThenBitcode) {
  CpuInfo cpu = host_with(x86_64_v4_features());
  SelectionInput input;
  input.cpu = &cpu;
  format::Manifest manifest = manifest_with_levels();
  Result<Selection> selection = select_variants(manifest, input);
  ASSERT_TRUE(selection) << selection.status().message();
  std::vector<std::string> expected = {"cpu-x86-64-v4", "cpu-x86-64-v3", "cpu-x86-64-v2",
                                       "bitcode-x86_64"};
  EXPECT_EQ(candidate_names(*selection), expected);
  EXPECT_EQ(selection->candidates[3].action, LoadAction::kJitBitcode);
  EXPECT_NE(selection->candidates[0].reason.find("avx512f"), std::string::npos)
      << selection->candidates[0].reason;
  EXPECT_NE(selection->candidates[0].reason.find("richest ISA of 3"), std::string::npos)
      << selection->candidates[0].reason;
  EXPECT_EQ(selection->candidates[1].reason.find("richest"), std::string::npos)
      << selection->candidates[1].reason;
}

TEST(Selection, MissingFeatureSkipsVariant) {
  CpuInfo cpu = host_with(x86_64_v3_features());
  SelectionInput input;
  input.cpu = &cpu;
  format::Manifest manifest = manifest_with_levels();
  Result<Selection> selection = select_variants(manifest, input);
  ASSERT_TRUE(selection);
  EXPECT_EQ(selection->candidates[0].variant->name, "cpu-x86-64-v3");
  ASSERT_EQ(selection->skipped.size(), 1u);
  EXPECT_EQ(selection->skipped[0].name, "cpu-x86-64-v4");
  EXPECT_NE(selection->skipped[0].reason.find("avx512f"), std::string::npos)
      << selection->skipped[0].reason;
}

TEST(Selection, NoFittingObjectFallsBackToBitcode) {
  CpuInfo cpu = host_with({});
  SelectionInput input;
  input.cpu = &cpu;
  format::Manifest manifest = manifest_with_levels();
  Result<Selection> selection = select_variants(manifest, input);
  ASSERT_TRUE(selection);
  EXPECT_EQ(candidate_names(*selection), std::vector<std::string>{"bitcode-x86_64"});
  EXPECT_NE(selection->candidates[0].reason.find("no precompiled variant fits"),
            std::string::npos)
      << selection->candidates[0].reason;
}

TEST(Selection, ForbidJitWithoutFittingObjectFails) {
  CpuInfo cpu = host_with({});
  SelectionInput input;
  input.cpu = &cpu;
  input.jit_mode = NPUJAR_JIT_FORBID;
  format::Manifest manifest = manifest_with_levels();
  Result<Selection> selection = select_variants(manifest, input);
  ASSERT_FALSE(selection);
  EXPECT_EQ(selection.status().code(), NPUJAR_ERROR_NO_USABLE_VARIANT);
  EXPECT_NE(selection.status().message().find("JIT is forbidden"), std::string::npos)
      << selection.status().message();
}

TEST(Selection, ForceJitKeepsOnlyBitcode) {
  CpuInfo cpu = host_with(x86_64_v4_features());
  SelectionInput input;
  input.cpu = &cpu;
  input.jit_mode = NPUJAR_JIT_FORCE;
  format::Manifest manifest = manifest_with_levels();
  Result<Selection> selection = select_variants(manifest, input);
  ASSERT_TRUE(selection);
  EXPECT_EQ(candidate_names(*selection), std::vector<std::string>{"bitcode-x86_64"});
}

TEST(Selection, ForcedVariantIsOnlyCandidate) {
  CpuInfo cpu = host_with(x86_64_v4_features());
  SelectionInput input;
  input.cpu = &cpu;
  input.forced_variant = "cpu-x86-64-v2";
  format::Manifest manifest = manifest_with_levels();
  Result<Selection> selection = select_variants(manifest, input);
  ASSERT_TRUE(selection);
  EXPECT_EQ(candidate_names(*selection), std::vector<std::string>{"cpu-x86-64-v2"});
  EXPECT_EQ(selection->candidates[0].reason.rfind("forced", 0), 0u)
      << selection->candidates[0].reason;
}

TEST(Selection, ForcedVariantMissingFeatureFails) {
  CpuInfo cpu = host_with(x86_64_v2_features());
  SelectionInput input;
  input.cpu = &cpu;
  input.forced_variant = "cpu-x86-64-v4";
  format::Manifest manifest = manifest_with_levels();
  Result<Selection> selection = select_variants(manifest, input);
  ASSERT_FALSE(selection);
  EXPECT_EQ(selection.status().code(), NPUJAR_ERROR_NO_USABLE_VARIANT);
  EXPECT_NE(selection.status().message().find("cpu-x86-64-v4"), std::string::npos);
  EXPECT_NE(selection.status().message().find("avx2"), std::string::npos)
      << selection.status().message();
}

TEST(Selection, UnknownForcedVariantNamesAlternatives) {
  CpuInfo cpu = host_with({});
  SelectionInput input;
  input.cpu = &cpu;
  input.forced_variant = "cpu-riscv";
  format::Manifest manifest = manifest_with_levels();
  Result<Selection> selection = select_variants(manifest, input);
  ASSERT_FALSE(selection);
  EXPECT_EQ(selection.status().code(), NPUJAR_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(selection.status().message().find("cpu-x86-64-v3"), std::string::npos)
      << selection.status().message();
}

TEST(Selection, UnknownKindAndFormatAreSkipped) {
  CpuInfo cpu = host_with({});
  SelectionInput input;
  input.cpu = &cpu;
  format::Manifest manifest = testing::tiny_manifest();
  manifest.variants = {variant("tpu-v5", "tpu", "tpu-blob"), variant("cpu-wasm", "cpu", "wasm"),
                       variant("cpu-x86-64", "cpu", "object")};
  Result<Selection> selection = select_variants(manifest, input);
  ASSERT_TRUE(selection) << selection.status().message();
  EXPECT_EQ(candidate_names(*selection), std::vector<std::string>{"cpu-x86-64"});
  ASSERT_EQ(selection->skipped.size(), 2u);
  EXPECT_NE(selection->skipped[0].reason.find("unknown kind 'tpu'"), std::string::npos);
  EXPECT_NE(selection->skipped[1].reason.find("unknown format 'wasm'"), std::string::npos);
}

TEST(Selection, OtherArchAndAbiAreSkipped) {
  CpuInfo cpu = host_with({});
  SelectionInput input;
  input.cpu = &cpu;
  format::Manifest manifest = testing::tiny_manifest();
  format::Variant arm = variant("cpu-aarch64", "cpu", "object");
  arm.arch = "aarch64";
  format::Variant future = variant("cpu-abi2", "cpu", "object");
  future.abi_version = 2;
  manifest.variants = {arm, future};
  Result<Selection> selection = select_variants(manifest, input);
  ASSERT_FALSE(selection);
  EXPECT_NE(selection.status().message().find("arch 'aarch64'"), std::string::npos)
      << selection.status().message();
  EXPECT_NE(selection.status().message().find("model ABI 2"), std::string::npos)
      << selection.status().message();
}

TEST(Selection, DeviceVariantWithoutProbeIsSkipped) {
  CpuInfo cpu = host_with({});
  SelectionInput input;
  input.cpu = &cpu;
  input.device_backends = {"npu"};
  format::Manifest manifest = testing::tiny_manifest();
  manifest.variants = {variant("npu", "npu", "npu-blob"), variant("cpu", "cpu", "object")};
  Result<Selection> selection = select_variants(manifest, input);
  ASSERT_TRUE(selection);
  EXPECT_EQ(candidate_names(*selection), std::vector<std::string>{"cpu"});
}

TEST(Selection, DevicePreferenceFiltersKinds) {
  CpuInfo cpu = host_with({});
  LevelZeroInfo level_zero;
  level_zero.state = LevelZeroState::kReady;
  level_zero.devices = {DeviceInfo{DeviceType::kNpu, "npu0", 0x8086, 1, "level-zero"},
                        DeviceInfo{DeviceType::kGpu, "gpu0", 0x8086, 2, "level-zero"}};
  SelectionInput input;
  input.cpu = &cpu;
  input.level_zero = &level_zero;
  input.device_backends = {"npu", "gpu"};
  format::Manifest manifest = testing::tiny_manifest();
  manifest.variants = {variant("cpu", "cpu", "object"), variant("gpu", "gpu", "openvino-ir"),
                       variant("npu", "npu", "npu-blob")};

  Result<Selection> automatic = select_variants(manifest, input);
  ASSERT_TRUE(automatic);
  EXPECT_EQ(candidate_names(*automatic), (std::vector<std::string>{"npu", "gpu", "cpu"}));

  input.device = NPUJAR_DEVICE_CPU;
  Result<Selection> cpu_only = select_variants(manifest, input);
  ASSERT_TRUE(cpu_only);
  EXPECT_EQ(candidate_names(*cpu_only), std::vector<std::string>{"cpu"});

  input.device = NPUJAR_DEVICE_GPU;
  Result<Selection> gpu_only = select_variants(manifest, input);
  ASSERT_TRUE(gpu_only);
  EXPECT_EQ(candidate_names(*gpu_only), std::vector<std::string>{"gpu"});
}

TEST(Selection, DeviceIdMismatchIsSkipped) {
  CpuInfo cpu = host_with({});
  LevelZeroInfo level_zero;
  level_zero.state = LevelZeroState::kReady;
  level_zero.devices = {DeviceInfo{DeviceType::kNpu, "npu0", 0x8086, 0x7d1d, "level-zero"}};
  SelectionInput input;
  input.cpu = &cpu;
  input.level_zero = &level_zero;
  input.device_backends = {"npu"};
  format::Manifest manifest = testing::tiny_manifest();
  format::Variant npu = variant("npu-other", "npu", "npu-blob");
  npu.device = format::DeviceRequirement{0x8086, 0x643e, "level-zero"};
  manifest.variants = {npu, variant("cpu", "cpu", "object")};
  Result<Selection> selection = select_variants(manifest, input);
  ASSERT_TRUE(selection);
  EXPECT_EQ(candidate_names(*selection), std::vector<std::string>{"cpu"});
  EXPECT_NE(selection->skipped[0].reason.find("0x643e"), std::string::npos)
      << selection->skipped[0].reason;
}

}  // namespace
}  // namespace npujar::runtime
