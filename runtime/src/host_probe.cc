// CPU side of the host probe. Features come from LLVM's own detection, so
// the names match what code generation writes into manifests and what the
// JIT passes to the target machine.
#include "npujar/runtime/host_probe.h"

#include <sched.h>

#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>
#include <utility>

#include <llvm/ADT/StringMap.h>
#include <llvm/Support/Host.h>

namespace npujar::runtime {
namespace {

const char* compiled_arch() {
#if defined(__x86_64__)
  return "x86_64";
#elif defined(__aarch64__)
  return "aarch64";
#else
  return "unknown";
#endif
}

bool read_int_file(const std::string& path, long* value) {
  std::ifstream file(path);
  return static_cast<bool>(file >> *value);
}

}  // namespace

int count_physical_cores() {
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0) {
    return 0;
  }

  std::set<std::pair<long, long>> cores;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (!CPU_ISSET(cpu, &allowed)) {
      continue;
    }
    std::string topology = "/sys/devices/system/cpu/cpu" + std::to_string(cpu) + "/topology/";
    long package = 0;
    long core = 0;
    if (!read_int_file(topology + "physical_package_id", &package) ||
        !read_int_file(topology + "core_id", &core)) {
      return 0;
    }
    cores.insert({package, core});
  }
  return static_cast<int>(cores.size());
}

CpuInfo probe_cpu() {
  CpuInfo info;
  info.arch = compiled_arch();
  info.cpu_name = llvm::sys::getHostCPUName().str();

  llvm::StringMap<bool> features;
  if (llvm::sys::getHostCPUFeatures(features)) {
    for (const auto& feature : features) {
      if (feature.getValue()) {
        info.features.insert(feature.getKey().str());
      }
    }
  }

  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  int logical = 0;
  if (sched_getaffinity(0, sizeof(allowed), &allowed) == 0) {
    logical = CPU_COUNT(&allowed);
  }
  if (logical <= 0) {
    logical = static_cast<int>(std::thread::hardware_concurrency());
  }
  info.logical_cpus = logical > 0 ? logical : 1;

  int physical = count_physical_cores();
  info.physical_cores = physical > 0 ? physical : info.logical_cpus;
  return info;
}

const CpuInfo& host_cpu() {
  static const CpuInfo info = probe_cpu();
  return info;
}

const LevelZeroInfo& host_level_zero() {
  static const LevelZeroInfo info = probe_level_zero();
  return info;
}

std::string describe_cpu(const CpuInfo& cpu) {
  std::ostringstream text;
  text << "arch " << cpu.arch << ", cpu " << cpu.cpu_name << ", " << cpu.physical_cores
       << " physical cores, " << cpu.logical_cpus << " logical cpus, features";
  for (const std::string& feature : cpu.features) {
    text << ' ' << feature;
  }
  return text.str();
}

}  // namespace npujar::runtime
