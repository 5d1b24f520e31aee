// Level Zero discovery. Each suite runs in its own process with the
// environment CMakeLists.txt sets for it, because the loader initializes
// once per process.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "npujar/runtime/host_probe.h"
#include "npujar/runtime/selection.h"
#include "test_archive.h"

namespace npujar::runtime {
namespace {

bool environment_is(const char* name) { return std::getenv(name) != nullptr; }

TEST(LevelZeroNoDriver, LoaderWithoutDriverIsReported) {
  if (!environment_is("ZE_ENABLE_ALT_DRIVERS")) {
    GTEST_SKIP() << "run through ctest, which points ZE_ENABLE_ALT_DRIVERS at a missing driver";
  }
  LevelZeroInfo info = probe_level_zero();
  EXPECT_EQ(info.state, LevelZeroState::kNoDriver) << describe_level_zero(info);
  EXPECT_TRUE(info.devices.empty());
  EXPECT_EQ(info.loader, "libze_loader.so.1");
  EXPECT_FALSE(info.detail.empty());
}

TEST(LevelZeroNoDriver, ProbeTwiceGivesSameState) {
  if (!environment_is("ZE_ENABLE_ALT_DRIVERS")) {
    GTEST_SKIP() << "run through ctest";
  }
  LevelZeroState first = probe_level_zero().state;
  EXPECT_EQ(probe_level_zero().state, first);
}

TEST(LevelZeroLoaderMissing, DlopenFailureIsReported) {
  const char* loader = std::getenv("NPUJAR_ZE_LOADER");
  if (loader == nullptr) {
    GTEST_SKIP() << "run through ctest, which sets NPUJAR_ZE_LOADER to a missing file";
  }
  LevelZeroInfo info = probe_level_zero();
  EXPECT_EQ(info.state, LevelZeroState::kLoaderMissing);
  EXPECT_EQ(info.loader, loader);
  EXPECT_NE(info.detail.find("no-such-loader"), std::string::npos) << info.detail;
  EXPECT_TRUE(info.init_function.empty());
  EXPECT_NE(describe_level_zero(info).find("loader-missing"), std::string::npos);
}

TEST(LevelZeroTestDouble, NpuAndGpuAreDiscovered) {
  if (!environment_is("NPUJAR_ZE_TEST_DEVICES")) {
    GTEST_SKIP() << "run through ctest, which loads the test double";
  }
  LevelZeroInfo info = probe_level_zero();
  ASSERT_EQ(info.state, LevelZeroState::kReady) << describe_level_zero(info);
  ASSERT_EQ(info.devices.size(), 2u);

  // Expected values are those CMakeLists.txt puts in NPUJAR_ZE_TEST_DEVICES.
  EXPECT_EQ(info.devices[0].type, DeviceType::kNpu);
  EXPECT_EQ(info.devices[0].name, "Test NPU 3720");
  EXPECT_EQ(info.devices[0].vendor_id, 0x8086u);
  EXPECT_EQ(info.devices[0].device_id, 0x643eu);
  EXPECT_EQ(info.devices[1].type, DeviceType::kGpu);
  EXPECT_EQ(info.devices[1].vendor_id, 0x8086u);
  EXPECT_EQ(info.devices[1].device_id, 0x56a0u);
  EXPECT_EQ(info.init_function, "zeInit");
}

TEST(LevelZeroTestDouble, NpuWithoutNpuVariantSelectsCpu) {
  if (!environment_is("NPUJAR_ZE_TEST_DEVICES")) {
    GTEST_SKIP() << "run through ctest, which loads the test double";
  }
  const LevelZeroInfo& info = host_level_zero();
  ASSERT_EQ(info.state, LevelZeroState::kReady);

  format::Manifest manifest = testing::tiny_manifest();
  format::Variant cpu;
  cpu.name = "cpu-x86-64";
  cpu.kind = "cpu";
  cpu.format = "object";
  cpu.arch = host_cpu().arch;
  cpu.abi_version = 1;
  manifest.variants = {cpu};

  SelectionInput input;
  input.cpu = &host_cpu();
  input.level_zero = &info;
  Result<Selection> selection = select_variants(manifest, input);
  ASSERT_TRUE(selection) << selection.status().message();
  ASSERT_EQ(selection->candidates.size(), 1u);
  EXPECT_EQ(selection->candidates[0].variant->name, "cpu-x86-64");
}

TEST(LevelZeroTestDouble, NpuVariantNeedsBackend) {
  if (!environment_is("NPUJAR_ZE_TEST_DEVICES")) {
    GTEST_SKIP() << "run through ctest, which loads the test double";
  }
  format::Manifest manifest = testing::tiny_manifest();
  format::Variant npu;
  npu.name = "npu-3720";
  npu.kind = "npu";
  npu.format = "npu-blob";
  npu.device = format::DeviceRequirement{0x8086, 0x643e, "level-zero"};
  npu.abi_version = 1;
  format::Variant cpu;
  cpu.name = "cpu-x86-64";
  cpu.kind = "cpu";
  cpu.format = "object";
  cpu.arch = host_cpu().arch;
  cpu.abi_version = 1;
  manifest.variants = {npu, cpu};

  SelectionInput input;
  input.cpu = &host_cpu();
  input.level_zero = &host_level_zero();

  // This build has no NPU backend: the device is found but the variant is skipped.
  Result<Selection> without_backend = select_variants(manifest, input);
  ASSERT_TRUE(without_backend);
  EXPECT_EQ(without_backend->candidates[0].variant->name, "cpu-x86-64");
  ASSERT_EQ(without_backend->skipped.size(), 1u);
  EXPECT_NE(without_backend->skipped[0].reason.find("no npu backend"), std::string::npos);

  // With a backend registered, the test double's NPU matches the variant's ids.
  input.device_backends = {"npu"};
  Result<Selection> with_backend = select_variants(manifest, input);
  ASSERT_TRUE(with_backend);
  ASSERT_EQ(with_backend->candidates.size(), 2u);
  EXPECT_EQ(with_backend->candidates[0].variant->name, "npu-3720");
  EXPECT_EQ(with_backend->candidates[0].action, LoadAction::kDevice);
  EXPECT_NE(with_backend->candidates[0].reason.find("Test NPU 3720"), std::string::npos);
}

}  // namespace
}  // namespace npujar::runtime
