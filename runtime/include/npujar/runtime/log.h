// The runtime's one logger. Lines go to stderr as
//   npujar[<level>] <message>
// and are filtered by a process-wide level, initialized from
// NPUJAR_LOG_LEVEL (error, warn, info, debug; default warn). Messages about a
// model start with "model '<name>'" and, where one is involved, the variant.
// Nothing on the hot path of a run logs.
#pragma once

#include <string>

namespace npujar::runtime {

enum class LogLevel { kError = 0, kWarn = 1, kInfo = 2, kDebug = 3 };

// Parses "error", "warn", "info", "debug"; returns false for anything else.
bool parse_log_level(const std::string& text, LogLevel* level);

LogLevel log_level();
void set_log_level(LogLevel level);
bool log_enabled(LogLevel level);

// Writes one line when `level` is enabled. Thread-safe; lines never interleave.
void log_message(LogLevel level, const std::string& message);

inline void log_error(const std::string& message) { log_message(LogLevel::kError, message); }
inline void log_warn(const std::string& message) { log_message(LogLevel::kWarn, message); }
inline void log_info(const std::string& message) { log_message(LogLevel::kInfo, message); }
inline void log_debug(const std::string& message) { log_message(LogLevel::kDebug, message); }

}  // namespace npujar::runtime
