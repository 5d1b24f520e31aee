// libFuzzer target for deserialize_graph(). The input is split into a graph
// section and a weights section at a position given by its first two
// bytes, so that the fuzzer can reach constants. Every input must either
// decode or throw IrError; anything else (a crash, a sanitizer report, a
// different exception) is a bug.
#include <cstddef>
#include <cstdint>

#include "npujar/ir/dump.h"
#include "npujar/ir/error.h"
#include "npujar/ir/serialize.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  size_t split = static_cast<size_t>(data[0] | (data[1] << 8));
  data += 2;
  size -= 2;
  if (split > size) split = size;
  try {
    npujar::ir::Graph graph = npujar::ir::deserialize_graph(data, split, data + split, size - split);
    // A decoded graph must dump and re-encode without error.
    (void)npujar::ir::dump_graph(graph);
    (void)npujar::ir::serialize_graph(graph, nullptr);
  } catch (const npujar::ir::IrError&) {
  }
  return 0;
}
