// Internal interface between the translation units that include LibTorch:
// the loader (torch_module.cc), which opens and checks the file and freezes
// the module, the walker (torch_graph.cc), which lowers the frozen graph's
// nodes, and the schemas of newer PyTorch versions (torch_newer_schemas.cc).
// Nothing else may include this header, because each LibTorch include costs
// tens of seconds of compile time.
#pragma once

#include <torch/script.h>

#include <string>

namespace npujar::importer {

// Opens `path`, checks that it is TorchScript that this LibTorch can read
// and that no dropout or batch norm is in training mode, then switches to
// eval mode and freezes. Throws ImportError naming the file on failure.
torch::jit::Module load_frozen_module(const std::string& path);

// The forward graph of a frozen module with every call inlined.
std::shared_ptr<torch::jit::Graph> inlined_forward_graph(const torch::jit::Module& module,
                                                         const std::string& path);

// Registers the PyTorch 2.x operator schemas this LibTorch lacks
// (torch_newer_schemas.cc), once per process, so that files saved by a newer
// PyTorch load. Thread-safe.
void register_newer_schemas();

// "file.py:12:8" for a node's TorchScript source range, or "unknown location".
std::string source_location(const torch::jit::Node* node);
// The source line that produced `node`, without leading blanks; empty when
// the file has no source text.
std::string source_line(const torch::jit::Node* node);

}  // namespace npujar::importer
