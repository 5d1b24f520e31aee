// The one error type of code generation. Unsupported operators, sizes the
// planner cannot express, LLVM failures (converted from llvm::Error where
// they happen) and unresolved symbols raise it, with a message naming the
// node, tensor, variant or symbol involved.
#pragma once

#include <stdexcept>
#include <string>

namespace npujar::codegen {

class CodegenError : public std::runtime_error {
 public:
  explicit CodegenError(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace npujar::codegen
