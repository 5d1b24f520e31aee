#include "npujar/runtime/log.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>

namespace npujar::runtime {
namespace {

LogLevel initial_log_level() {
  LogLevel level = LogLevel::kWarn;
  const char* text = std::getenv("NPUJAR_LOG_LEVEL");
  if (text != nullptr && *text != '\0' && !parse_log_level(text, &level)) {
    std::fprintf(stderr,
                 "npujar[warn] NPUJAR_LOG_LEVEL='%s' is invalid; expected error, warn, info or "
                 "debug, using warn\n",
                 text);
  }
  return level;
}

std::atomic<int>& level_storage() {
  static std::atomic<int> level{static_cast<int>(initial_log_level())};
  return level;
}

const char* level_name(LogLevel level) {
  switch (level) {
    case LogLevel::kError: return "error";
    case LogLevel::kWarn: return "warn";
    case LogLevel::kInfo: return "info";
    case LogLevel::kDebug: return "debug";
  }
  return "?";
}

}  // namespace

bool parse_log_level(const std::string& text, LogLevel* level) {
  static const struct {
    const char* name;
    LogLevel level;
  } kLevels[] = {{"error", LogLevel::kError},
                 {"warn", LogLevel::kWarn},
                 {"info", LogLevel::kInfo},
                 {"debug", LogLevel::kDebug}};
  for (const auto& entry : kLevels) {
    if (text == entry.name) {
      *level = entry.level;
      return true;
    }
  }
  return false;
}

LogLevel log_level() { return static_cast<LogLevel>(level_storage().load()); }

void set_log_level(LogLevel level) { level_storage().store(static_cast<int>(level)); }

bool log_enabled(LogLevel level) { return static_cast<int>(level) <= level_storage().load(); }

void log_message(LogLevel level, const std::string& message) {
  if (!log_enabled(level)) {
    return;
  }
  static std::mutex mutex;
  std::lock_guard<std::mutex> lock(mutex);
  std::fprintf(stderr, "npujar[%s] %s\n", level_name(level), message.c_str());
}

}  // namespace npujar::runtime
