// The operator table: names from ops.h with their input and output counts,
// used by validate() and by docs.
#include "npujar/ir/ops.h"

#include <algorithm>
#include <limits>

#include "op_table.h"

namespace npujar::ir {

namespace {

constexpr int kUnbounded = std::numeric_limits<int>::max();

const std::vector<OperatorArity>& arity_table() {
  static const std::vector<OperatorArity> table = [] {
    std::vector<OperatorArity> ops;
    for (const char* name : {"add", "sub", "mul", "div", "pow", "maximum", "minimum", "equal",
                             "not_equal", "less", "less_equal", "greater", "greater_equal",
                             "logical_and", "logical_or"}) {
      ops.push_back({name, 2, 2});
    }
    ops.push_back({"where", 3, 3});
    for (const char* name : {"relu", "sigmoid", "tanh", "exp", "log", "sqrt", "rsqrt", "neg",
                             "abs", "erf", "reciprocal", "silu", "hardswish", "hardsigmoid",
                             "logical_not", "identity", "gelu", "clamp", "leaky_relu", "cast"}) {
      ops.push_back({name, 1, 1});
    }
    ops.push_back({"matmul", 2, 4});
    ops.push_back({"linear", 2, 4});
    ops.push_back({"conv2d", 2, 4});
    ops.push_back({"batch_norm", 3, 5});
    ops.push_back({"layer_norm", 1, 3});
    for (const char* name : {"softmax", "log_softmax", "max_pool2d", "avg_pool2d",
                             "adaptive_avg_pool2d", "adaptive_max_pool2d", "resize",
                             "reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reshape",
                             "permute", "slice", "expand", "pad"}) {
      ops.push_back({name, 1, 1});
    }
    ops.push_back({"concat", 1, kUnbounded});
    ops.push_back({"gather", 2, 2});
    return ops;
  }();
  return table;
}

}  // namespace

const OperatorArity* find_operator(const std::string& op) {
  const auto& table = arity_table();
  auto it = std::find_if(table.begin(), table.end(),
                         [&](const OperatorArity& entry) { return entry.name == op; });
  return it == table.end() ? nullptr : &*it;
}

const std::vector<std::string>& operator_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> result;
    for (const auto& entry : arity_table()) result.push_back(entry.name);
    return result;
  }();
  return names;
}

bool is_known_operator(const std::string& op) { return find_operator(op) != nullptr; }

}  // namespace npujar::ir
