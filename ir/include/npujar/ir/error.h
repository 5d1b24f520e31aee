// The one error type of the IR layer. Validation, shape inference,
// deserialization and the reference executor throw it; callers add context
// (model path, archive section) on the way up.
#pragma once

#include <stdexcept>
#include <string>

namespace npujar::ir {

class IrError : public std::runtime_error {
 public:
  explicit IrError(const std::string& message) : std::runtime_error(message) {}
};

struct Graph;
struct Node;

// "node 12 (conv2d at model.py:40)" for messages about a node.
std::string describe_node(const Graph& graph, size_t node_index);

}  // namespace npujar::ir
