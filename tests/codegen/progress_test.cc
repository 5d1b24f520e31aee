// Tests of TerminalProgress: plain lines for logs, one redrawn line on a
// terminal.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "progress.h"

namespace npujar::codegen {
namespace {

// Feeds the events of one variant with two steps to a TerminalProgress and
// returns what it wrote.
std::string render(bool is_terminal) {
  char* buffer = nullptr;
  size_t size = 0;
  std::FILE* stream = open_memstream(&buffer, &size);
  {
    TerminalProgress progress(stream, is_terminal);
    ProgressCallback callback = progress.callback();
    for (const char* step : {"optimize", "emit"}) {
      ProgressEvent event{"cpu-x86-64-v3", step, 2, 3, false, 0};
      callback(event);
      event.finished = true;
      event.seconds = 1.5;
      callback(event);
    }
  }
  std::fclose(stream);
  std::string text(buffer, size);
  std::free(buffer);
  return text;
}

TEST(Progress, PlainLinesWhenNotTerminal) {
  std::string text = render(false);
  EXPECT_EQ(text,
            "codegen [2/3] cpu-x86-64-v3: optimize took 1.50 s\n"
            "codegen [2/3] cpu-x86-64-v3: emit took 1.50 s\n");
}

TEST(Progress, TerminalRedrawsOneLine) {
  std::string text = render(true);
  EXPECT_EQ(text.find('\n'), text.size() - 1) << "only the summary ends a line: " << text;
  EXPECT_NE(text.find("\r\033[Kcodegen [2/3] cpu-x86-64-v3: optimize..."), std::string::npos);
  EXPECT_NE(text.find("done in 3.00 s\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace npujar::codegen
