// The TorchScript importer: turns a `.pt` file saved by torch.jit.save into
// npujar's graph IR. It is the only part of npujar that links LibTorch; this
// header is free of LibTorch so that the CLI and tests include it cheaply.
//
// TorchScript does not record input shapes, so the caller names each
// forward() argument with its dtype and shape, and the importer infers every
// shape from there. Dims may be symbolic (`N`); sizes read from a symbolic
// dim stay symbolic through integer arithmetic, and shape checks in the
// model (prim::If on input sizes) are decided at import time.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "npujar/ir/graph.h"
#include "npujar/ir/host_tensor.h"

namespace npujar::importer {

// The one error type of the importer. Its message names the model file and,
// for problems with a node, the TorchScript source location.
class ImportError : public std::runtime_error {
 public:
  explicit ImportError(const std::string& message) : std::runtime_error(message) {}
};

// One forward() argument as given on the command line: "x:f32[N,3,224,224]".
struct InputSpec {
  std::string name;
  ir::DType dtype = ir::DType::kF32;
  ir::Shape shape;
};

// Parses "NAME:DTYPE[D0,D1,...]" where each dim is an extent (224), a symbol
// (N) or a product (4*N), and "[]" is a scalar. Throws ImportError naming the
// text and the expected form.
InputSpec parse_input_spec(const std::string& text);

struct ImportOptions {
  // The graph's name; the file name without its extension when empty.
  std::string model_name;
};

// Loads, checks, freezes and lowers the TorchScript model at `path`. Every
// failure (unreadable or non-TorchScript file, newer file format, modules in
// training mode, unsupported operators, shapes that do not fit) throws
// ImportError; nothing is written anywhere.
ir::Graph import_torchscript(const std::string& path, const std::vector<InputSpec>& inputs,
                             const ImportOptions& options = {});

// Runs the TorchScript model at `path` with LibTorch's own forward(), in
// eval mode and without autograd, on `inputs` in forward()'s argument order.
// Returns the outputs with tuples and lists flattened depth-first, the order
// in which the importer names them output0, output1, ...; f64 outputs are
// narrowed to f32, since the IR has no f64. Used by `npujar compare` as the
// reference. Throws ImportError for a file import_torchscript would reject
// as unreadable, for a forward() that fails on these inputs (the message
// carries LibTorch's first line) and for outputs that are not tensors.
//
// With `float64`, the module's floating-point parameters and buffers and
// the floating-point inputs are converted to f64 first, which removes
// LibTorch's own float32 rounding from the reference. Models whose code
// creates float32 tensors of its own then fail with LibTorch's dtype error.
std::vector<ir::HostTensor> run_torchscript(const std::string& path,
                                            const std::vector<ir::HostTensor>& inputs,
                                            bool float64 = false);

// One row of the operator registry, for docs/operators.md.
struct OperatorDoc {
  std::string kind;     // TorchScript node kind, e.g. "aten::conv2d"
  std::string lowering; // IR operators it becomes, or how the importer handles it
  std::string limits;   // what is rejected; empty when nothing is
};

// Every TorchScript node kind the importer handles, sorted by kind.
std::vector<OperatorDoc> supported_operators();

// docs/operators.md: the registry as a Markdown document.
std::string operators_markdown();

}  // namespace npujar::importer
