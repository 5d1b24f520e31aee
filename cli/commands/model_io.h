// Helpers that `npujar run` and `npujar compare` share: binding NAME=FILE
// arguments to a model's tensors, reading .npy inputs, and running tensors
// through the runtime. Every error is a CommandError whose message starts
// with the command's name.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "commands.h"

#if __has_include("npujar/runtime/model.h") && __has_include("npujar/ir/reference.h")
#define NPUJAR_CLI_HAS_RUNTIME 1
#include "npujar/ir/error.h"
#include "npujar/ir/host_tensor.h"
#include "npujar/runtime/model.h"
#endif

namespace npujar::cli {

// Splits "name=path" into its parts; a bare path gets an empty name.
std::pair<std::string, std::string> split_binding(const std::string& binding);

// Orders `bindings` by the tensor names in `names`; bare paths fill the
// remaining positions in order. `role` is "input" or "output". With
// `require_all`, a tensor without a file is an error; otherwise its path
// stays empty.
std::vector<std::string> order_paths(const std::string& command,
                                     const std::vector<std::string>& bindings,
                                     const std::vector<std::string>& names, const char* role,
                                     bool require_all);

#ifdef NPUJAR_CLI_HAS_RUNTIME

// Reads the .npy file for input `name`, whose manifest dtype is `dtype`.
// Rejects f64 files, which read_npy would narrow silently.
ir::HostTensor read_input(const std::string& command, const std::string& path,
                          const std::string& name, const std::string& dtype);

// Runs the IR reference executor on the graph and weights of `archive`.
std::vector<ir::HostTensor> run_reference_executor(const std::string& command,
                                                   const std::string& archive,
                                                   const std::vector<ir::HostTensor>& inputs);

// Runs `model` on `inputs` and returns its outputs in manifest order.
std::vector<ir::HostTensor> run_with_runtime(const std::string& command, runtime::Model& model,
                                             std::vector<ir::HostTensor>& inputs);

#endif

}  // namespace npujar::cli
