// libFuzzer target for deserialize_graph(). The input is split into a graph
// section and a weights section at a position given by its first two
// bytes, so that the fuzzer can reach constants. A graph that decodes is
// also dumped, re-encoded and, when every tensor is small, run by the
// reference executor on zero inputs. Every input must either succeed or
// throw IrError. Anything else (a crash, a sanitizer report, another
// exception) is a bug.
#include <cstddef>
#include <cstdint>

#include "npujar/ir/dump.h"
#include "npujar/ir/error.h"
#include "npujar/ir/reference.h"
#include "npujar/ir/serialize.h"

namespace {

using namespace npujar::ir;

// Element count of `shape` with every symbol set to 1, or -1 above `limit`.
int64_t small_numel(const Shape& shape, int64_t limit) {
  int64_t numel = 1;
  for (const Dim& dim : shape) {
    if (dim.coefficient > limit) return -1;
    numel *= dim.coefficient;
    if (numel > limit) return -1;
  }
  return numel;
}

// Runs the graph when every value has at most 4096 elements, which keeps
// each run fast and its memory small.
void run_if_small(const Graph& graph) {
  constexpr int64_t kLimit = 4096;
  for (const Value& value : graph.values) {
    if (small_numel(value.shape, kLimit) < 0) return;
  }
  std::vector<HostTensor> inputs;
  for (int index : graph.inputs) {
    std::vector<int64_t> extents;
    for (const Dim& dim : graph.values[index].shape) extents.push_back(dim.coefficient);
    inputs.push_back(HostTensor::zeros(graph.values[index].dtype, extents));
  }
  (void)run_reference(graph, inputs);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  size_t split = static_cast<size_t>(data[0] | (data[1] << 8));
  data += 2;
  size -= 2;
  if (split > size) split = size;
  try {
    Graph graph = deserialize_graph(data, split, data + split, size - split);
    (void)dump_graph(graph);
    (void)serialize_graph(graph, nullptr);
    run_if_small(graph);
  } catch (const IrError&) {
  }
  return 0;
}
