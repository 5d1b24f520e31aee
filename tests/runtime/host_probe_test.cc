#include "npujar/runtime/host_probe.h"

#include <gtest/gtest.h>
#include <sched.h>

#include <fstream>
#include <set>
#include <string>
#include <utility>

namespace npujar::runtime {
namespace {

// Distinct (physical id, core id) pairs of the CPUs this process may use,
// read from /proc/cpuinfo rather than /sys as the probe does.
int physical_cores_from_cpuinfo() {
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0) {
    return 0;
  }
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::set<std::pair<int, int>> cores;
  std::string line;
  int processor = -1;
  int package = 0;
  while (std::getline(cpuinfo, line)) {
    auto value = [&line] { return std::stoi(line.substr(line.find(':') + 1)); };
    if (line.rfind("processor", 0) == 0) {
      processor = value();
    } else if (line.rfind("physical id", 0) == 0) {
      package = value();
    } else if (line.rfind("core id", 0) == 0 && processor >= 0 && CPU_ISSET(processor, &allowed)) {
      cores.insert({package, value()});
    }
  }
  return static_cast<int>(cores.size());
}

TEST(HostProbe, ArchMatchesCompiledTarget) {
#if defined(__x86_64__)
  EXPECT_EQ(probe_cpu().arch, "x86_64");
#elif defined(__aarch64__)
  EXPECT_EQ(probe_cpu().arch, "aarch64");
#endif
}

TEST(HostProbe, BaselineFeaturesPresent) {
  CpuInfo cpu = probe_cpu();
#if defined(__x86_64__)
  // Every x86-64 CPU has SSE2; __AVX2__ is set when this test was built
  // for a host that has AVX2.
  EXPECT_TRUE(cpu.has_feature("sse2"));
#if defined(__AVX2__)
  EXPECT_TRUE(cpu.has_feature("avx2"));
#endif
#elif defined(__aarch64__)
  EXPECT_TRUE(cpu.has_feature("neon"));
#endif
  EXPECT_FALSE(cpu.has_feature("no-such-feature"));
}

TEST(HostProbe, LogicalCpusMatchAffinity) {
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  ASSERT_EQ(sched_getaffinity(0, sizeof(allowed), &allowed), 0);
  EXPECT_EQ(probe_cpu().logical_cpus, CPU_COUNT(&allowed));
}

TEST(HostProbe, PhysicalCoresMatchCpuinfo) {
  int expected = physical_cores_from_cpuinfo();
  if (expected == 0) {
    GTEST_SKIP() << "/proc/cpuinfo lists no core ids on this host";
  }
  CpuInfo cpu = probe_cpu();
  EXPECT_EQ(cpu.physical_cores, expected);
  EXPECT_LE(cpu.physical_cores, cpu.logical_cpus);
}

TEST(HostProbe, DescriptionNamesArchAndCores) {
  CpuInfo cpu = probe_cpu();
  std::string text = describe_cpu(cpu);
  EXPECT_NE(text.find("arch " + cpu.arch), std::string::npos) << text;
  EXPECT_NE(text.find(std::to_string(cpu.physical_cores) + " physical cores"), std::string::npos)
      << text;
}

}  // namespace
}  // namespace npujar::runtime
