// Test entry point: skips every test when the CPU lacks the instructions the
// kernels under test were compiled for.
#include <gtest/gtest.h>

#ifndef NPK_TEST_VECTOR_BYTES
#error "NPK_TEST_VECTOR_BYTES must name the kernels' vector width"
#endif

namespace {

bool cpu_supports_kernels() {
#if defined(__x86_64__) && NPK_TEST_VECTOR_BYTES == 64
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
#elif defined(__x86_64__) && NPK_TEST_VECTOR_BYTES == 32
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  return true;
#endif
}

class CpuCheck : public ::testing::Environment {
 public:
  void SetUp() override {
    if (!cpu_supports_kernels()) {
      GTEST_SKIP() << "this CPU lacks the instructions of the " << NPK_TEST_VECTOR_BYTES
                   << "-byte kernel build";
    }
  }
};

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new CpuCheck);
  return RUN_ALL_TESTS();
}
