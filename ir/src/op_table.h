// Input counts of each operator (every operator has exactly one output).
#pragma once

#include <string>

namespace npujar::ir {

struct OperatorArity {
  std::string name;
  int min_inputs;
  int max_inputs;
};

// The entry for `op`, or nullptr when ops.h does not list it.
const OperatorArity* find_operator(const std::string& op);

}  // namespace npujar::ir
