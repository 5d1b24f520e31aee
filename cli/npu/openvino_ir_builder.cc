#include "openvino_ir_builder.h"

#include <cstdio>
#include <cstring>
#include <set>
#include <sstream>

namespace npujar::npu {
namespace {

const char* precision_name(ir::DType dtype) {
  switch (dtype) {
    case ir::DType::kF32: return "FP32";
    case ir::DType::kF16: return "FP16";
    case ir::DType::kBF16: return "BF16";
    case ir::DType::kI64: return "I64";
    case ir::DType::kI32: return "I32";
    case ir::DType::kI8: return "I8";
    case ir::DType::kU8: return "U8";
    case ir::DType::kBool: return "BOOL";
  }
  return "UNSPECIFIED";
}

std::string escape_xml(const std::string& text) {
  std::string escaped;
  for (char c : text) {
    switch (c) {
      case '&': escaped += "&amp;"; break;
      case '<': escaped += "&lt;"; break;
      case '>': escaped += "&gt;"; break;
      case '"': escaped += "&quot;"; break;
      default: escaped += c;
    }
  }
  return escaped;
}

void write_port(std::ostringstream& out, int id, const Port& port, const std::string& names) {
  out << "\t\t\t\t<port id=\"" << id << "\" precision=\"" << precision_name(port.dtype) << "\"";
  if (!names.empty()) {
    out << " names=\"" << escape_xml(names) << "\"";
  }
  if (port.shape.empty()) {
    out << " />\n";
    return;
  }
  out << ">\n";
  for (int64_t extent : port.shape) {
    out << "\t\t\t\t\t<dim>" << extent << "</dim>\n";
  }
  out << "\t\t\t\t</port>\n";
}

}  // namespace

const char* openvino_element_type(ir::DType dtype) {
  switch (dtype) {
    case ir::DType::kF32: return "f32";
    case ir::DType::kF16: return "f16";
    case ir::DType::kBF16: return "bf16";
    case ir::DType::kI64: return "i64";
    case ir::DType::kI32: return "i32";
    case ir::DType::kI8: return "i8";
    case ir::DType::kU8: return "u8";
    case ir::DType::kBool: return "boolean";
  }
  return "undefined";
}

std::string join_ints(const std::vector<int64_t>& values) {
  std::string text;
  for (size_t i = 0; i < values.size(); ++i) {
    if (i != 0) text += ",";
    text += std::to_string(values[i]);
  }
  return text;
}

std::string format_float(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.9g", value);
  return buffer;
}

Port OpenVinoIrBuilder::parameter(const std::string& name, ir::DType dtype,
                                  const std::vector<int64_t>& shape) {
  Layer layer;
  layer.id = static_cast<int>(layers_.size());
  layer.name = name;
  layer.type = "Parameter";
  layer.version = "opset1";
  layer.attributes = {{"shape", join_ints(shape)}, {"element_type", openvino_element_type(dtype)}};
  layer.outputs.push_back(Port{layer.id, 0, shape, dtype});
  layer.output_tensor_name = name;
  layers_.push_back(layer);
  return layers_.back().outputs[0];
}

Port OpenVinoIrBuilder::constant(ir::DType dtype, const std::vector<int64_t>& shape,
                                 const void* data, size_t bytes) {
  // 64-byte alignment lets a loader map the blob and use constants in place.
  while (weights_.size() % 64 != 0) weights_.push_back(0);
  size_t offset = weights_.size();
  weights_.resize(offset + bytes);
  if (bytes != 0) std::memcpy(weights_.data() + offset, data, bytes);

  Layer layer;
  layer.id = static_cast<int>(layers_.size());
  layer.name = "const_" + std::to_string(layer.id);
  layer.type = "Const";
  layer.version = "opset1";
  layer.attributes = {{"element_type", openvino_element_type(dtype)},
                      {"shape", join_ints(shape)},
                      {"offset", std::to_string(offset)},
                      {"size", std::to_string(bytes)}};
  layer.outputs.push_back(Port{layer.id, 0, shape, dtype});
  layers_.push_back(layer);
  return layers_.back().outputs[0];
}

Port OpenVinoIrBuilder::constant_i64(const std::vector<int64_t>& values) {
  return constant(ir::DType::kI64, {static_cast<int64_t>(values.size())}, values.data(),
                  values.size() * sizeof(int64_t));
}

Port OpenVinoIrBuilder::scalar_f32(float value) {
  return constant(ir::DType::kF32, {}, &value, sizeof(value));
}

std::vector<Port> OpenVinoIrBuilder::layer(
    const std::string& type, const std::string& version, const XmlAttributes& attributes,
    const std::vector<Port>& inputs,
    const std::vector<std::pair<std::vector<int64_t>, ir::DType>>& outputs) {
  Layer layer;
  layer.id = static_cast<int>(layers_.size());
  layer.name = type + "_" + std::to_string(layer.id);
  layer.type = type;
  layer.version = version;
  layer.attributes = attributes;
  layer.inputs = inputs;
  // Output ports are numbered after the input ports.
  int port_id = static_cast<int>(inputs.size());
  for (const auto& [shape, dtype] : outputs) {
    layer.outputs.push_back(Port{layer.id, port_id++, shape, dtype});
  }
  layers_.push_back(layer);
  return layers_.back().outputs;
}

Port OpenVinoIrBuilder::unary_layer(const std::string& type, const std::string& version,
                                    const XmlAttributes& attributes,
                                    const std::vector<Port>& inputs,
                                    const std::vector<int64_t>& shape, ir::DType dtype) {
  return layer(type, version, attributes, inputs, {{shape, dtype}})[0];
}

void OpenVinoIrBuilder::result(const Port& port, const std::string& name) {
  // The tensor name belongs to the producing port, so OpenVINO reports the
  // model output under the graph's output name.
  layers_[port.layer].output_tensor_name = name;

  Layer layer;
  layer.id = static_cast<int>(layers_.size());
  layer.name = name + "/result";
  layer.type = "Result";
  layer.version = "opset1";
  layer.inputs.push_back(port);
  layers_.push_back(layer);
}

std::string OpenVinoIrBuilder::xml() const {
  std::ostringstream out;
  out << "<?xml version=\"1.0\"?>\n";
  out << "<net name=\"" << escape_xml(model_name_) << "\" version=\"11\">\n";
  out << "\t<layers>\n";
  for (const Layer& layer : layers_) {
    out << "\t\t<layer id=\"" << layer.id << "\" name=\"" << escape_xml(layer.name)
        << "\" type=\"" << layer.type << "\" version=\"" << layer.version << "\">\n";
    if (!layer.attributes.empty()) {
      out << "\t\t\t<data";
      for (const auto& [key, value] : layer.attributes) {
        out << " " << key << "=\"" << escape_xml(value) << "\"";
      }
      out << " />\n";
    }
    if (!layer.inputs.empty()) {
      out << "\t\t\t<input>\n";
      for (size_t i = 0; i < layer.inputs.size(); ++i) {
        write_port(out, static_cast<int>(i), layer.inputs[i], "");
      }
      out << "\t\t\t</input>\n";
    }
    if (!layer.outputs.empty()) {
      out << "\t\t\t<output>\n";
      for (size_t i = 0; i < layer.outputs.size(); ++i) {
        write_port(out, layer.outputs[i].port, layer.outputs[i],
                   i == 0 ? layer.output_tensor_name : "");
      }
      out << "\t\t\t</output>\n";
    }
    out << "\t\t</layer>\n";
  }
  out << "\t</layers>\n";
  out << "\t<edges>\n";
  for (const Layer& layer : layers_) {
    for (size_t i = 0; i < layer.inputs.size(); ++i) {
      out << "\t\t<edge from-layer=\"" << layer.inputs[i].layer << "\" from-port=\""
          << layer.inputs[i].port << "\" to-layer=\"" << layer.id << "\" to-port=\"" << i
          << "\" />\n";
    }
  }
  out << "\t</edges>\n";
  out << "</net>\n";
  return out.str();
}

std::string OpenVinoIrBuilder::opsets() const {
  std::set<std::string> versions;
  for (const Layer& layer : layers_) versions.insert(layer.version);
  std::string text;
  for (const std::string& version : versions) {
    if (!text.empty()) text += " ";
    text += version;
  }
  return text;
}

}  // namespace npujar::npu
