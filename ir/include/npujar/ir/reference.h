// The reference executor: plain loops that define the numerics of every
// operator in ops.h. It is the oracle every backend is tested against, so
// it favours obvious correctness over speed (single-threaded; long sums
// such as matmul, convolution, reductions, norms and softmax accumulate in
// double). Fusion marks are honoured.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "npujar/ir/graph.h"
#include "npujar/ir/host_tensor.h"

namespace npujar::ir {

// Runs `graph` on `inputs` (one per graph input, in order; dtype and rank
// must match, symbolic dims take their values from the input extents) and
// returns the graph outputs in order. Throws IrError on a mismatch or on
// an invalid input at run time (for example a gather index out of range).
std::vector<HostTensor> run_reference(const Graph& graph, const std::vector<HostTensor>& inputs);

// Binds each symbol of the graph inputs' shapes to its value from `inputs`;
// throws IrError when an extent is not a multiple of its coefficient or a
// symbol gets two values.
std::map<std::string, int64_t> bind_symbols(const Graph& graph,
                                            const std::vector<HostTensor>& inputs);

// Evaluates one node on already computed inputs (nullptr for an absent
// optional input). `symbols` resolves output shapes that come from the
// output value (reshape, expand, resize, adaptive pools).
std::vector<HostTensor> run_node(const Graph& graph, const Node& node,
                                 const std::vector<const HostTensor*>& inputs,
                                 const std::map<std::string, int64_t>& symbols);

// The tensor stored in a kConstant value.
HostTensor constant_tensor(const Value& value);

}  // namespace npujar::ir
