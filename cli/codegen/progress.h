// Progress of the code generation steps that take seconds (per variant:
// build, link, optimize, emit). generate_variants() reports events through
// a callback; TerminalProgress turns them into output for a person.
#pragma once

#include <cstdio>
#include <functional>
#include <string>

namespace npujar::codegen {

struct ProgressEvent {
  std::string variant;  // e.g. "cpu-x86-64-v3"
  std::string step;     // "build", "link", "optimize", "emit"
  int variant_index = 0;  // 1-based
  int variant_count = 0;
  bool finished = false;  // false when the step starts, true when it ends
  double seconds = 0;     // duration of the step when finished
};

using ProgressCallback = std::function<void(const ProgressEvent&)>;

// Writes progress to a stream. On a terminal (isatty) it redraws one line
// while steps run and ends each variant with a summary line. Elsewhere it
// prints one plain line per finished step, so CI logs stay readable.
class TerminalProgress {
 public:
  explicit TerminalProgress(std::FILE* stream);
  TerminalProgress(std::FILE* stream, bool is_terminal);

  void report(const ProgressEvent& event);
  // A callback that forwards to report(); `this` must outlive it.
  ProgressCallback callback();

 private:
  std::FILE* stream_;
  bool is_terminal_;
  double variant_seconds_ = 0;
};

}  // namespace npujar::codegen
