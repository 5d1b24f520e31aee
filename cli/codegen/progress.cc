#include "progress.h"

#include <unistd.h>

namespace npujar::codegen {

TerminalProgress::TerminalProgress(std::FILE* stream)
    : TerminalProgress(stream, isatty(fileno(stream)) != 0) {}

TerminalProgress::TerminalProgress(std::FILE* stream, bool is_terminal)
    : stream_(stream), is_terminal_(is_terminal) {}

void TerminalProgress::report(const ProgressEvent& event) {
  if (event.finished) variant_seconds_ += event.seconds;
  bool variant_done = event.finished && event.step == "emit";

  if (!is_terminal_) {
    if (event.finished) {
      std::fprintf(stream_, "codegen [%d/%d] %s: %s took %.2f s\n", event.variant_index,
                   event.variant_count, event.variant.c_str(), event.step.c_str(), event.seconds);
    }
  } else if (variant_done) {
    // "\r\033[K" returns to the line start and clears it before the summary.
    std::fprintf(stream_, "\r\033[Kcodegen [%d/%d] %s: done in %.2f s\n", event.variant_index,
                 event.variant_count, event.variant.c_str(), variant_seconds_);
  } else if (!event.finished) {
    std::fprintf(stream_, "\r\033[Kcodegen [%d/%d] %s: %s...", event.variant_index,
                 event.variant_count, event.variant.c_str(), event.step.c_str());
  }
  if (variant_done) variant_seconds_ = 0;
  std::fflush(stream_);
}

ProgressCallback TerminalProgress::callback() {
  return [this](const ProgressEvent& event) { report(event); };
}

}  // namespace npujar::codegen
