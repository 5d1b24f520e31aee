// Load options: what the caller set through the API, completed from the
// environment. A value the caller set wins; a value left unset is taken from
// its environment variable when that is set, else from the default.
//
//   NPUJAR_VARIANT=name               force one variant
//   NPUJAR_JIT=auto|forbid|force      JIT policy
//   NPUJAR_DEVICE=auto|cpu|npu|gpu    device preference
//   NPUJAR_NUM_THREADS=n              threads per model, 0 = physical cores
//   NPUJAR_CACHE_DIR=path             JIT cache directory
//   NPUJAR_LOG_LEVEL=error|warn|info|debug   (read by log.h)
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "npujar/runtime/status.h"
#include "npujar_runtime.h"

namespace npujar::runtime {

struct RuntimeOptions {
  std::optional<int32_t> num_threads;
  std::optional<npujar_jit_mode> jit_mode;
  std::optional<npujar_device_preference> device;
  std::optional<std::string> variant;
  std::optional<std::string> cache_dir;
  // Set false to ignore the JIT cache entirely (tests, `npujar bench`).
  bool use_cache = true;
};

// Options after the environment and defaults were applied.
struct ResolvedOptions {
  int32_t num_threads = 1;  // >= 1
  npujar_jit_mode jit_mode = NPUJAR_JIT_AUTO;
  npujar_device_preference device = NPUJAR_DEVICE_AUTO;
  std::string variant;    // empty: no forced variant
  std::string cache_dir;  // empty: caching disabled
  bool use_cache = true;
};

// Fills unset values from the environment and defaults. Rejects an invalid
// environment value with an error naming the variable and the valid values.
Result<ResolvedOptions> resolve_options(const RuntimeOptions& options);

// $NPUJAR_CACHE_DIR, else $XDG_CACHE_HOME/npujar, else $HOME/.cache/npujar;
// empty when none of them is set.
std::string default_cache_dir();

const char* jit_mode_name(npujar_jit_mode mode);
const char* device_preference_name(npujar_device_preference device);
std::optional<npujar_jit_mode> parse_jit_mode(const std::string& text);
std::optional<npujar_device_preference> parse_device_preference(const std::string& text);

}  // namespace npujar::runtime
