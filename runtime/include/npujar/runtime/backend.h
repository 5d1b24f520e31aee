// The seam between the model, which validates inputs and owns buffers, and
// the backends that run a variant. The CPU backend links or JIT-compiles
// host code; NPU and GPU backends plug in here without touching the CPU
// path: a Backend accepts the variants it handles and loads them into an
// Executable, and a Device describes one accelerator it runs on.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "npujar/format/manifest.h"
#include "npujar/format/reader.h"
#include "npujar/runtime/host_probe.h"
#include "npujar/runtime/options.h"
#include "npujar/runtime/selection.h"
#include "npujar/runtime/status.h"

namespace npujar::runtime {

class ThreadPool;

// Buffers of one validated call, in manifest order.
struct ExecutionRequest {
  const void* const* inputs = nullptr;
  void* const* outputs = nullptr;
  const int64_t* symbols = nullptr;  // values in manifest.symbols order
  void* arena = nullptr;             // 64-byte aligned, arena_bytes long
  uint64_t arena_bytes = 0;
};

// A loaded variant. execute() is called from many threads at once, each
// with its own arena and outputs.
class Executable {
 public:
  virtual ~Executable() = default;
  virtual Status execute(const ExecutionRequest& request) = 0;
};

// Timings and cache outcome of one load, for logs and `npujar bench`.
struct LoadStats {
  double load_seconds = 0;     // the backend's whole load
  double compile_seconds = 0;  // JIT compilation alone; 0 when none ran
  bool jit = false;
  bool cache_hit = false;
};

struct LoadRequest {
  const format::ArchiveReader* archive = nullptr;
  const format::Variant* variant = nullptr;
  LoadAction action = LoadAction::kLinkObject;
  const void* weights = nullptr;  // 64-byte aligned; nullptr when the model has none
  const ResolvedOptions* options = nullptr;
  ThreadPool* pool = nullptr;
  std::string label;  // "model 'm': variant 'v'", the prefix of every message
  LoadStats* stats = nullptr;
};

class Backend {
 public:
  virtual ~Backend() = default;
  // "cpu", "level-zero-npu", ...
  virtual const char* name() const = 0;
  virtual bool handles(const format::Variant& variant, LoadAction action) const = 0;
  virtual Result<std::unique_ptr<Executable>> load(const LoadRequest& request) = 0;
};

// One accelerator a device backend runs on.
class Device {
 public:
  virtual ~Device() = default;
  virtual const DeviceInfo& info() const = 0;
};

std::unique_ptr<Backend> make_cpu_backend();

}  // namespace npujar::runtime
