// The JIT cache through Model loads: a miss compiles and stores, a hit
// links the stored object, and a corrupt entry is detected and rebuilt.
#include "npujar/runtime/jit_cache.h"

#include <gtest/gtest.h>
#include <dirent.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "npujar/runtime/model.h"
#include "test_archive.h"

namespace npujar::runtime {
namespace {

std::vector<std::string> cache_entries(const std::string& directory) {
  std::vector<std::string> entries;
  DIR* dir = opendir(directory.c_str());
  if (dir == nullptr) {
    return entries;
  }
  while (dirent* entry = readdir(dir)) {
    std::string name = entry->d_name;
    if (name != "." && name != "..") {
      entries.push_back(directory + "/" + name);
    }
  }
  closedir(dir);
  return entries;
}

std::unique_ptr<Model> load_jit(const std::vector<uint8_t>& archive, const std::string& cache) {
  RuntimeOptions options;
  options.num_threads = 1;
  options.jit_mode = NPUJAR_JIT_FORCE;
  options.cache_dir = cache;
  Result<std::unique_ptr<Model>> model = Model::load_buffer(archive.data(), archive.size(), options);
  EXPECT_TRUE(model) << model.status().message();
  return model ? std::move(*model) : nullptr;
}

float run_one(Model& model, float value) {
  std::vector<float> x(4, value);
  auto input = Tensor::wrap(NPUJAR_DTYPE_F32, {1, 4}, x.data(), x.size() * sizeof(float));
  std::vector<const Tensor*> inputs = {input->get()};
  std::vector<Tensor*> outputs = {nullptr};
  std::vector<std::unique_ptr<Tensor>> created;
  EXPECT_TRUE(model.run(inputs, outputs, created));
  return static_cast<const float*>(outputs[0]->data())[0];
}

TEST(JitCache, SecondLoadHitsCache) {
  std::string cache = testing::make_temp_dir("npujar-jit-cache");
  std::vector<uint8_t> archive =
      testing::build_archive({testing::bitcode_variant("bitcode-x86_64", "tiny_model.bc")});

  std::unique_ptr<Model> first = load_jit(archive, cache);
  ASSERT_NE(first, nullptr);
  EXPECT_FALSE(first->load_stats().cache_hit);
  EXPECT_GT(first->load_stats().compile_seconds, 0.0);
  ASSERT_EQ(cache_entries(cache).size(), 1u);

  std::unique_ptr<Model> second = load_jit(archive, cache);
  ASSERT_NE(second, nullptr);
  EXPECT_TRUE(second->load_stats().cache_hit);
  EXPECT_EQ(second->load_stats().compile_seconds, 0.0);
  EXPECT_NEAR(run_one(*second, 0.5f), testing::tiny_reference({0.5f, 0.5f, 0.5f, 0.5f})[0], 1e-6);
}

TEST(JitCache, CorruptEntryIsRebuilt) {
  std::string cache = testing::make_temp_dir("npujar-jit-cache");
  std::vector<uint8_t> archive =
      testing::build_archive({testing::bitcode_variant("bitcode-x86_64", "tiny_model.bc")});
  ASSERT_NE(load_jit(archive, cache), nullptr);
  std::vector<std::string> entries = cache_entries(cache);
  ASSERT_EQ(entries.size(), 1u);

  // Flip a byte of the stored object; the checksum no longer matches.
  std::vector<uint8_t> bytes = testing::read_file(entries[0]);
  bytes[bytes.size() / 2] ^= 0x5A;
  std::ofstream(entries[0], std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));

  std::unique_ptr<Model> rebuilt = load_jit(archive, cache);
  ASSERT_NE(rebuilt, nullptr);
  EXPECT_FALSE(rebuilt->load_stats().cache_hit);
  EXPECT_NEAR(run_one(*rebuilt, -0.25f),
              testing::tiny_reference({-0.25f, -0.25f, -0.25f, -0.25f})[0], 1e-6);

  std::unique_ptr<Model> after = load_jit(archive, cache);
  ASSERT_NE(after, nullptr);
  EXPECT_TRUE(after->load_stats().cache_hit);
}

TEST(JitCache, TruncatedEntryIsAMiss) {
  std::string cache = testing::make_temp_dir("npujar-jit-cache");
  JitCache store(cache);
  ASSERT_TRUE(store.store("0123", {1, 2, 3, 4, 5}));
  ASSERT_TRUE(store.load("0123").has_value());
  EXPECT_EQ(*store.load("0123"), (std::vector<uint8_t>{1, 2, 3, 4, 5}));

  std::ofstream(store.entry_path("0123"), std::ios::binary | std::ios::trunc).write("NPUJ", 4);
  EXPECT_FALSE(store.load("0123").has_value());
  EXPECT_TRUE(cache_entries(cache).empty());
}

TEST(JitCache, KeyDependsOnEveryInput) {
  JitTarget target{"x86_64-unknown-linux-gnu", "znver3", "+avx2", "15.0.6"};
  std::vector<uint8_t> bitcode = {1, 2, 3};
  std::string base = jit_cache_key(bitcode.data(), bitcode.size(), "hash", target);
  EXPECT_EQ(base.size(), 32u);

  std::vector<uint8_t> other_bitcode = {1, 2, 4};
  EXPECT_NE(jit_cache_key(other_bitcode.data(), 3, "hash", target), base);
  EXPECT_NE(jit_cache_key(bitcode.data(), 3, "other", target), base);
  JitTarget other_features = target;
  other_features.features = "+avx2,+avx512f";
  EXPECT_NE(jit_cache_key(bitcode.data(), 3, "hash", other_features), base);
  JitTarget other_llvm = target;
  other_llvm.llvm_version = "16.0.6";
  EXPECT_NE(jit_cache_key(bitcode.data(), 3, "hash", other_llvm), base);
}

TEST(JitCache, ConcurrentLoadsShareOneEntry) {
  std::string cache = testing::make_temp_dir("npujar-jit-cache");
  std::vector<uint8_t> archive =
      testing::build_archive({testing::bitcode_variant("bitcode-x86_64", "tiny_model.bc")});
  std::vector<std::thread> loaders;
  std::atomic<int> failures{0};
  for (int i = 0; i < 4; ++i) {
    loaders.emplace_back([&] {
      std::unique_ptr<Model> model = load_jit(archive, cache);
      failures += model == nullptr ? 1 : 0;
    });
  }
  for (std::thread& loader : loaders) {
    loader.join();
  }
  EXPECT_EQ(failures.load(), 0);
  // Temporary files were renamed or removed: only the entry remains, and it is valid.
  ASSERT_EQ(cache_entries(cache).size(), 1u);
  std::unique_ptr<Model> after = load_jit(archive, cache);
  ASSERT_NE(after, nullptr);
  EXPECT_TRUE(after->load_stats().cache_hit);
}

TEST(JitCache, UnwritableDirectoryStillLoads) {
  std::vector<uint8_t> archive =
      testing::build_archive({testing::bitcode_variant("bitcode-x86_64", "tiny_model.bc")});
  // A regular file where the cache directory should be makes every store fail.
  std::string parent = testing::make_temp_dir("npujar-jit-cache");
  std::ofstream(parent + "/file") << "not a directory";
  std::unique_ptr<Model> model = load_jit(archive, parent + "/file/cache");
  ASSERT_NE(model, nullptr);
  EXPECT_FALSE(model->load_stats().cache_hit);
}

}  // namespace
}  // namespace npujar::runtime
