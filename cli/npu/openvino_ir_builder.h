// A small writer for OpenVINO IR version 11 documents: layers with typed
// ports, edges, and constants gathered into one weights blob. It knows the
// file format, not the operators; openvino_ir.cc maps npujar's operators.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "npujar/ir/graph.h"

namespace npujar::npu {

// One output port of a layer, with its static shape and element type.
struct Port {
  int layer = -1;
  int port = -1;
  std::vector<int64_t> shape;
  ir::DType dtype = ir::DType::kF32;
};

using XmlAttributes = std::vector<std::pair<std::string, std::string>>;

class OpenVinoIrBuilder {
 public:
  explicit OpenVinoIrBuilder(std::string model_name) : model_name_(std::move(model_name)) {}

  Port parameter(const std::string& name, ir::DType dtype, const std::vector<int64_t>& shape);
  // Copies `bytes` into the weights blob, 64-byte aligned.
  Port constant(ir::DType dtype, const std::vector<int64_t>& shape, const void* data, size_t bytes);
  Port constant_i64(const std::vector<int64_t>& values);
  Port scalar_f32(float value);
  // Adds a layer. Output port i gets shape outputs[i].first and dtype
  // outputs[i].second. `version` is the opset, e.g. "opset8".
  std::vector<Port> layer(const std::string& type, const std::string& version,
                          const XmlAttributes& attributes, const std::vector<Port>& inputs,
                          const std::vector<std::pair<std::vector<int64_t>, ir::DType>>& outputs);
  // Single-output convenience.
  Port unary_layer(const std::string& type, const std::string& version,
                   const XmlAttributes& attributes, const std::vector<Port>& inputs,
                   const std::vector<int64_t>& shape, ir::DType dtype);
  void result(const Port& port, const std::string& name);

  std::string xml() const;
  std::vector<uint8_t> take_weights() { return std::move(weights_); }
  std::string opsets() const;

 private:
  struct Layer {
    int id;
    std::string name;
    std::string type;
    std::string version;
    XmlAttributes attributes;
    std::vector<Port> inputs;
    std::vector<Port> outputs;
    std::string output_tensor_name;  // names="" on output port 0, for parameters and results
  };

  std::string model_name_;
  std::vector<Layer> layers_;
  std::vector<uint8_t> weights_;
};

const char* openvino_element_type(ir::DType dtype);
std::string join_ints(const std::vector<int64_t>& values);
std::string format_float(double value);

}  // namespace npujar::npu
