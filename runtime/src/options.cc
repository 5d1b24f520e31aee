#include "npujar/runtime/options.h"

#include <cerrno>
#include <cstdlib>

#include "npujar/runtime/host_probe.h"

namespace npujar::runtime {
namespace {

std::optional<std::string> environment(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') {
    return std::nullopt;
  }
  return std::string(value);
}

// Largest thread count accepted; more threads than this only add overhead.
constexpr long kMaxThreads = 1024;

Status check_num_threads(long value, const std::string& source) {
  if (value < 0 || value > kMaxThreads) {
    return invalid_argument(source + " is " + std::to_string(value) +
                            "; expected 0 (physical cores) to " + std::to_string(kMaxThreads));
  }
  return Status::ok();
}

}  // namespace

const char* jit_mode_name(npujar_jit_mode mode) {
  switch (mode) {
    case NPUJAR_JIT_AUTO: return "auto";
    case NPUJAR_JIT_FORBID: return "forbid";
    case NPUJAR_JIT_FORCE: return "force";
  }
  return "invalid";
}

const char* device_preference_name(npujar_device_preference device) {
  switch (device) {
    case NPUJAR_DEVICE_AUTO: return "auto";
    case NPUJAR_DEVICE_CPU: return "cpu";
    case NPUJAR_DEVICE_NPU: return "npu";
    case NPUJAR_DEVICE_GPU: return "gpu";
  }
  return "invalid";
}

std::optional<npujar_jit_mode> parse_jit_mode(const std::string& text) {
  for (npujar_jit_mode mode : {NPUJAR_JIT_AUTO, NPUJAR_JIT_FORBID, NPUJAR_JIT_FORCE}) {
    if (text == jit_mode_name(mode)) {
      return mode;
    }
  }
  return std::nullopt;
}

std::optional<npujar_device_preference> parse_device_preference(const std::string& text) {
  for (npujar_device_preference device :
       {NPUJAR_DEVICE_AUTO, NPUJAR_DEVICE_CPU, NPUJAR_DEVICE_NPU, NPUJAR_DEVICE_GPU}) {
    if (text == device_preference_name(device)) {
      return device;
    }
  }
  return std::nullopt;
}

std::string default_cache_dir() {
  if (auto dir = environment("NPUJAR_CACHE_DIR")) {
    return *dir;
  }
  if (auto dir = environment("XDG_CACHE_HOME")) {
    return *dir + "/npujar";
  }
  if (auto dir = environment("HOME")) {
    return *dir + "/.cache/npujar";
  }
  return "";
}

Result<ResolvedOptions> resolve_options(const RuntimeOptions& options) {
  ResolvedOptions resolved;
  resolved.use_cache = options.use_cache;

  long threads = 0;
  if (options.num_threads) {
    threads = *options.num_threads;
    Status status = check_num_threads(threads, "num_threads");
    if (!status) {
      return status;
    }
  } else if (auto text = environment("NPUJAR_NUM_THREADS")) {
    char* end = nullptr;
    errno = 0;
    threads = std::strtol(text->c_str(), &end, 10);
    if (errno != 0 || end == text->c_str() || *end != '\0') {
      return invalid_argument("NPUJAR_NUM_THREADS='" + *text +
                              "' is not an integer; expected 0 (physical cores) or a count");
    }
    Status status = check_num_threads(threads, "NPUJAR_NUM_THREADS");
    if (!status) {
      return status;
    }
  }
  resolved.num_threads = threads > 0 ? static_cast<int32_t>(threads) : host_cpu().physical_cores;

  if (options.jit_mode) {
    resolved.jit_mode = *options.jit_mode;
  } else if (auto text = environment("NPUJAR_JIT")) {
    auto mode = parse_jit_mode(*text);
    if (!mode) {
      return invalid_argument("NPUJAR_JIT='" + *text + "' is invalid; expected auto, forbid or force");
    }
    resolved.jit_mode = *mode;
  }

  if (options.device) {
    resolved.device = *options.device;
  } else if (auto text = environment("NPUJAR_DEVICE")) {
    auto device = parse_device_preference(*text);
    if (!device) {
      return invalid_argument("NPUJAR_DEVICE='" + *text +
                              "' is invalid; expected auto, cpu, npu or gpu");
    }
    resolved.device = *device;
  }

  if (options.variant) {
    resolved.variant = *options.variant;
  } else if (auto text = environment("NPUJAR_VARIANT")) {
    resolved.variant = *text;
  }

  resolved.cache_dir = options.cache_dir ? *options.cache_dir : default_cache_dir();
  return resolved;
}

}  // namespace npujar::runtime
