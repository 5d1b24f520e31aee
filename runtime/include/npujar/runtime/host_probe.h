// What the host offers to run a model: the CPU's architecture, features and
// core count, and the accelerators the Level Zero loader reports.
//
// Variants are selected by CPU features, never by CPU name: LLVM 15, for
// example, names a Zen 4 "znver3" although it has AVX-512. The name is kept
// for logs only.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace npujar::runtime {

struct CpuInfo {
  std::string arch;                // "x86_64" or "aarch64", as manifests spell it
  std::string cpu_name;            // LLVM's host CPU name, for logs only
  std::set<std::string> features;  // enabled features, LLVM names ("avx2", "fma", ...)
  int physical_cores = 1;          // distinct cores this process may run on
  int logical_cpus = 1;            // hardware threads this process may run on

  bool has_feature(const std::string& feature) const { return features.count(feature) != 0; }
};

// Probes the CPU. Thread-safe; not cached.
CpuInfo probe_cpu();

// Counts distinct (package, core) pairs in /sys/devices/system/cpu for the
// CPUs in this process's affinity mask. Returns 0 when the topology cannot
// be read, so callers fall back to std::thread::hardware_concurrency().
int count_physical_cores();

enum class DeviceType { kGpu, kNpu, kOther };

// "gpu", "npu", "other".
const char* device_type_name(DeviceType type);

struct DeviceInfo {
  DeviceType type = DeviceType::kOther;
  std::string name;
  uint32_t vendor_id = 0;
  uint32_t device_id = 0;
  std::string platform = "level-zero";
};

// Result of asking the Level Zero loader for devices.
enum class LevelZeroState {
  kLoaderMissing,  // dlopen of the loader failed
  kNoDriver,       // the loader is present but reports no driver
  kInitFailed,     // a driver is present but initialization or a query failed
  kReady,          // drivers initialized; `devices` lists what they report
};

// "loader-missing", "no-driver", "init-failed", "ready".
const char* level_zero_state_name(LevelZeroState state);

struct LevelZeroInfo {
  LevelZeroState state = LevelZeroState::kLoaderMissing;
  std::string loader;   // the library name or path that was opened
  std::string detail;   // one line explaining the state, e.g. the dlerror() text
  std::string init_function;  // "zeInitDrivers" or "zeInit" when the loader was opened
  std::vector<DeviceInfo> devices;
};

// Opens the Level Zero loader with dlopen at run time (the runtime never
// links it), initializes it and lists the devices of every driver. The
// loader's name is $NPUJAR_ZE_LOADER when set, else "libze_loader.so.1".
// Uses zeInitDrivers when the loader has it and falls back to zeInit.
// The loader initializes once per process, so a second probe in the same
// process reports what the first saw. Never fails: problems become the state.
LevelZeroInfo probe_level_zero();

struct HostInfo {
  CpuInfo cpu;
  LevelZeroInfo level_zero;
  bool level_zero_probed = false;  // false when the probe was skipped
};

// The CPU probe, computed once per process.
const CpuInfo& host_cpu();
// The Level Zero probe, computed once per process on first use.
const LevelZeroInfo& host_level_zero();

// One line each, for logs and `npujar targets`. The Level Zero line starts
// with the state name, e.g. "no-driver (libze_loader.so.1 via zeInit): ...".
std::string describe_cpu(const CpuInfo& cpu);
std::string describe_level_zero(const LevelZeroInfo& info);

}  // namespace npujar::runtime
