// Maps each npujar operator onto OpenVINO operations.
//
// Most operations come from opset1. The exceptions and their opsets:
//   opset4:  Swish, HSwish
//   opset5:  HSigmoid, LogSoftmax, BatchNormInference
//   opset6:  MVN
//   opset7:  Gelu
//   opset8:  Slice, Gather, SoftMax, AdaptiveAvgPool, AdaptiveMaxPool
//   opset11: Interpolate
//   opset12: Pad
//   opset14: MaxPool and AvgPool, whose "ceil_torch" rounding is PyTorch's ceil_mode
#include "openvino_ir.h"

#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <stdexcept>

#include "npujar/ir/error.h"
#include "openvino_ir_builder.h"

namespace npujar::npu {
namespace {

// Thrown for a node with no OpenVINO equivalent; collected, not fatal.
struct Unsupported {
  std::string reason;
};

using ir::DType;

class Exporter {
 public:
  Exporter(const ir::Graph& graph, const OpenVinoExportOptions& options)
      : graph_(graph), options_(options), builder_(graph.name.empty() ? "model" : graph.name) {}

  OpenVinoIr run() {
    OpenVinoIr result;
    for (int input : graph_.inputs) {
      const ir::Value& value = graph_.values[input];
      ports_[input] = builder_.parameter(value.name, value.dtype, static_shape(value));
    }

    for (size_t i = 0; i < graph_.nodes.size(); ++i) {
      try {
        export_node(graph_.nodes[i]);
      } catch (const Unsupported& unsupported) {
        result.unsupported.push_back(ir::describe_node(graph_, i) + ": " + unsupported.reason);
        // Later nodes that read this node's outputs would report it again;
        // give the outputs placeholder ports so export continues.
        for (int output : graph_.nodes[i].outputs) {
          const ir::Value& value = graph_.values[output];
          ports_[output] = Port{-1, -1, static_shape(value), value.dtype};
        }
      }
    }
    if (!result.unsupported.empty()) return result;

    for (int output : graph_.outputs) {
      builder_.result(port(output), graph_.values[output].name);
    }
    result.xml = builder_.xml();
    result.weights = builder_.take_weights();
    result.opsets = builder_.opsets();
    return result;
  }

 private:
  std::vector<int64_t> static_shape(const ir::Value& value) const {
    std::vector<int64_t> shape;
    for (const ir::Dim& dim : value.shape) {
      if (!dim.is_static() && options_.symbol_values.count(dim.symbol) == 0) {
        throw ir::IrError("value '" + value.name + "': symbol '" + dim.symbol +
                          "' has no value; static shapes are required for OpenVINO IR");
      }
      shape.push_back(dim.resolve(options_.symbol_values));
    }
    return shape;
  }

  const ir::Value& value(int index) const { return graph_.values[index]; }

  Port port(int index) {
    auto found = ports_.find(index);
    if (found != ports_.end()) return found->second;
    const ir::Value& constant = graph_.values[index];
    if (constant.kind != ir::ValueKind::kConstant) {
      throw ir::IrError("value '" + constant.name + "' is used before it is produced");
    }
    Port created = builder_.constant(constant.dtype, static_shape(constant), constant.data.data(),
                                     constant.data.size());
    ports_[index] = created;
    return created;
  }

  // A constant copy of `index` with another shape of the same size, used to
  // give biases and grouped weights the layout OpenVINO expects.
  Port reshaped_constant(int index, const std::vector<int64_t>& shape) {
    const ir::Value& constant = graph_.values[index];
    if (constant.kind != ir::ValueKind::kConstant) {
      Port source = port(index);
      return builder_.unary_layer("Reshape", "opset1", {{"special_zero", "false"}},
                                  {source, builder_.constant_i64(shape)}, shape, source.dtype);
    }
    return builder_.constant(constant.dtype, shape, constant.data.data(), constant.data.size());
  }

  bool has_input(const ir::Node& node, size_t position) const {
    return node.inputs.size() > position && node.inputs[position] >= 0;
  }

  void set_output(const ir::Node& node, const Port& result) { ports_[node.outputs[0]] = result; }

  void export_node(const ir::Node& node);
  Port apply_activation(const ir::Node& node, Port x, const std::string& activation);
  Port apply_epilogue(const ir::Node& node, Port y, size_t bias_position, bool channel_bias);

  void export_binary(const ir::Node& node, const std::string& type);
  void export_unary(const ir::Node& node, const std::string& type, const std::string& version,
                    const XmlAttributes& attributes = {});
  void export_conv2d(const ir::Node& node);
  void export_matmul(const ir::Node& node, bool transpose_b);
  void export_pool(const ir::Node& node, bool is_max);
  void export_resize(const ir::Node& node);
  void export_pad(const ir::Node& node);
  void export_slice(const ir::Node& node);
  void export_reduce(const ir::Node& node, const std::string& type);
  void export_layer_norm(const ir::Node& node);
  void export_batch_norm(const ir::Node& node);

  const ir::Graph& graph_;
  const OpenVinoExportOptions& options_;
  OpenVinoIrBuilder builder_;
  std::map<int, Port> ports_;
};

const std::map<std::string, std::string>& binary_types() {
  static const std::map<std::string, std::string> types = {
      {"add", "Add"},           {"sub", "Subtract"},        {"mul", "Multiply"},
      {"div", "Divide"},        {"pow", "Power"},           {"maximum", "Maximum"},
      {"minimum", "Minimum"},   {"equal", "Equal"},         {"not_equal", "NotEqual"},
      {"less", "Less"},         {"less_equal", "LessEqual"}, {"greater", "Greater"},
      {"greater_equal", "GreaterEqual"}, {"logical_and", "LogicalAnd"},
      {"logical_or", "LogicalOr"},
  };
  return types;
}

struct UnaryType {
  const char* type;
  const char* version;
};

const std::map<std::string, UnaryType>& unary_types() {
  static const std::map<std::string, UnaryType> types = {
      {"relu", {"Relu", "opset1"}},          {"sigmoid", {"Sigmoid", "opset1"}},
      {"tanh", {"Tanh", "opset1"}},          {"exp", {"Exp", "opset1"}},
      {"log", {"Log", "opset1"}},            {"sqrt", {"Sqrt", "opset1"}},
      {"neg", {"Negative", "opset1"}},       {"abs", {"Abs", "opset1"}},
      {"erf", {"Erf", "opset1"}},            {"silu", {"Swish", "opset4"}},
      {"hardswish", {"HSwish", "opset4"}},   {"hardsigmoid", {"HSigmoid", "opset5"}},
      {"logical_not", {"LogicalNot", "opset1"}},
  };
  return types;
}

double clamp_bound(double value) {
  // OpenVINO's Clamp takes finite bounds; float's range covers every f32.
  const double limit = std::numeric_limits<float>::max();
  if (value > limit) return limit;
  if (value < -limit) return -limit;
  return value;
}

void Exporter::export_node(const ir::Node& node) {
  const std::string& op = node.op;
  if (binary_types().count(op)) return export_binary(node, binary_types().at(op));
  auto unary = unary_types().find(op);
  if (unary != unary_types().end()) {
    return export_unary(node, unary->second.type, unary->second.version);
  }

  const ir::Value& out = value(node.outputs[0]);
  std::vector<int64_t> out_shape = static_shape(out);

  if (op == "identity") {
    set_output(node, port(node.inputs[0]));
  } else if (op == "gelu") {
    std::string mode = node.get_string("approximate", "none") == "tanh" ? "TANH" : "ERF";
    export_unary(node, "Gelu", "opset7", {{"approximation_mode", mode}});
  } else if (op == "clamp") {
    double low = clamp_bound(node.get_float("min", -INFINITY));
    double high = clamp_bound(node.get_float("max", INFINITY));
    export_unary(node, "Clamp", "opset1", {{"min", format_float(low)}, {"max", format_float(high)}});
  } else if (op == "leaky_relu") {
    float slope = static_cast<float>(node.get_float("negative_slope", 0.01));
    Port slope_port = builder_.constant(DType::kF32, {1}, &slope, sizeof(slope));
    set_output(node, builder_.unary_layer("PRelu", "opset1", {}, {port(node.inputs[0]), slope_port},
                                          out_shape, out.dtype));
  } else if (op == "rsqrt" || op == "reciprocal") {
    Port x = port(node.inputs[0]);
    Port exponent = builder_.scalar_f32(op == "rsqrt" ? -0.5f : -1.0f);
    set_output(node, builder_.unary_layer("Power", "opset1", {{"auto_broadcast", "numpy"}},
                                          {x, exponent}, out_shape, out.dtype));
  } else if (op == "cast") {
    set_output(node, builder_.unary_layer("Convert", "opset1",
                                          {{"destination_type", openvino_element_type(out.dtype)}},
                                          {port(node.inputs[0])}, out_shape, out.dtype));
  } else if (op == "where") {
    set_output(node, builder_.unary_layer(
                         "Select", "opset1", {{"auto_broadcast", "numpy"}},
                         {port(node.inputs[0]), port(node.inputs[1]), port(node.inputs[2])},
                         out_shape, out.dtype));
  } else if (op == "conv2d") {
    export_conv2d(node);
  } else if (op == "linear") {
    export_matmul(node, true);
  } else if (op == "matmul") {
    export_matmul(node, false);
  } else if (op == "batch_norm") {
    export_batch_norm(node);
  } else if (op == "layer_norm") {
    export_layer_norm(node);
  } else if (op == "softmax" || op == "log_softmax") {
    bool is_log = op == "log_softmax";
    set_output(node, builder_.unary_layer(is_log ? "LogSoftmax" : "SoftMax",
                                          is_log ? "opset5" : "opset8",
                                          {{"axis", std::to_string(node.get_int("axis", -1))}},
                                          {port(node.inputs[0])}, out_shape, out.dtype));
  } else if (op == "max_pool2d") {
    export_pool(node, true);
  } else if (op == "avg_pool2d") {
    export_pool(node, false);
  } else if (op == "adaptive_avg_pool2d" || op == "adaptive_max_pool2d") {
    Port size = builder_.constant_i64({out_shape[2], out_shape[3]});
    if (op == "adaptive_avg_pool2d") {
      set_output(node, builder_.unary_layer("AdaptiveAvgPool", "opset8", {},
                                            {port(node.inputs[0]), size}, out_shape, out.dtype));
    } else {
      // The indices output is unused; i32 because OpenVINO's CPU plugin
      // rejects i64 here (2026.4) and NPU compilers prefer 32-bit indices.
      auto outputs = builder_.layer("AdaptiveMaxPool", "opset8", {{"index_element_type", "i32"}},
                                    {port(node.inputs[0]), size},
                                    {{out_shape, out.dtype}, {out_shape, DType::kI32}});
      set_output(node, outputs[0]);
    }
  } else if (op == "resize") {
    export_resize(node);
  } else if (op == "reduce_sum") {
    export_reduce(node, "ReduceSum");
  } else if (op == "reduce_mean") {
    export_reduce(node, "ReduceMean");
  } else if (op == "reduce_max") {
    export_reduce(node, "ReduceMax");
  } else if (op == "reduce_min") {
    export_reduce(node, "ReduceMin");
  } else if (op == "reshape") {
    set_output(node, builder_.unary_layer("Reshape", "opset1", {{"special_zero", "false"}},
                                          {port(node.inputs[0]), builder_.constant_i64(out_shape)},
                                          out_shape, out.dtype));
  } else if (op == "expand") {
    set_output(node, builder_.unary_layer("Broadcast", "opset3", {{"mode", "numpy"}},
                                          {port(node.inputs[0]), builder_.constant_i64(out_shape)},
                                          out_shape, out.dtype));
  } else if (op == "permute") {
    set_output(node, builder_.unary_layer("Transpose", "opset1", {},
                                          {port(node.inputs[0]),
                                           builder_.constant_i64(node.get_ints("perm"))},
                                          out_shape, out.dtype));
  } else if (op == "slice") {
    export_slice(node);
  } else if (op == "concat") {
    std::vector<Port> inputs;
    for (int input : node.inputs) inputs.push_back(port(input));
    int64_t axis = node.get_int("axis", 0);
    if (axis < 0) axis += static_cast<int64_t>(out_shape.size());
    set_output(node, builder_.unary_layer("Concat", "opset1", {{"axis", std::to_string(axis)}},
                                          inputs, out_shape, out.dtype));
  } else if (op == "gather") {
    int64_t axis = node.get_int("axis", 0);
    Port axis_port = builder_.constant(DType::kI64, {}, &axis, sizeof(axis));
    set_output(node, builder_.unary_layer("Gather", "opset8", {{"batch_dims", "0"}},
                                          {port(node.inputs[0]), port(node.inputs[1]), axis_port},
                                          out_shape, out.dtype));
  } else if (op == "pad") {
    export_pad(node);
  } else {
    throw Unsupported{"operator '" + op + "' has no OpenVINO mapping"};
  }
}

void Exporter::export_binary(const ir::Node& node, const std::string& type) {
  const ir::Value& out = value(node.outputs[0]);
  set_output(node, builder_.unary_layer(type, "opset1", {{"auto_broadcast", "numpy"}},
                                        {port(node.inputs[0]), port(node.inputs[1])},
                                        static_shape(out), out.dtype));
}

void Exporter::export_unary(const ir::Node& node, const std::string& type,
                            const std::string& version, const XmlAttributes& attributes) {
  const ir::Value& out = value(node.outputs[0]);
  set_output(node, builder_.unary_layer(type, version, attributes, {port(node.inputs[0])},
                                        static_shape(out), out.dtype));
}

Port Exporter::apply_activation(const ir::Node& node, Port x, const std::string& activation) {
  if (activation.empty()) return x;
  if (activation == "relu") return builder_.unary_layer("Relu", "opset1", {}, {x}, x.shape, x.dtype);
  if (activation == "sigmoid") {
    return builder_.unary_layer("Sigmoid", "opset1", {}, {x}, x.shape, x.dtype);
  }
  if (activation == "silu") return builder_.unary_layer("Swish", "opset4", {}, {x}, x.shape, x.dtype);
  if (activation == "hardswish") {
    return builder_.unary_layer("HSwish", "opset4", {}, {x}, x.shape, x.dtype);
  }
  if (activation == "gelu" || activation == "gelu_tanh") {
    return builder_.unary_layer("Gelu", "opset7",
                                {{"approximation_mode", activation == "gelu" ? "ERF" : "TANH"}},
                                {x}, x.shape, x.dtype);
  }
  if (activation == "clamp") {
    double low = clamp_bound(node.get_float("clamp_min", -INFINITY));
    double high = clamp_bound(node.get_float("clamp_max", INFINITY));
    return builder_.unary_layer("Clamp", "opset1",
                                {{"min", format_float(low)}, {"max", format_float(high)}}, {x},
                                x.shape, x.dtype);
  }
  throw Unsupported{"fused activation '" + activation + "' has no OpenVINO mapping"};
}

// y = activation(y + bias + residual), the fusion marks of conv2d, linear and matmul.
Port Exporter::apply_epilogue(const ir::Node& node, Port y, size_t bias_position,
                              bool channel_bias) {
  if (has_input(node, bias_position)) {
    int bias = node.inputs[bias_position];
    int64_t channels = static_cast<int64_t>(value(bias).data.size() / ir::dtype_size(value(bias).dtype));
    Port bias_port = channel_bias ? reshaped_constant(bias, {1, channels, 1, 1}) : port(bias);
    y = builder_.unary_layer("Add", "opset1", {{"auto_broadcast", "numpy"}}, {y, bias_port},
                             y.shape, y.dtype);
  }
  if (has_input(node, bias_position + 1)) {
    y = builder_.unary_layer("Add", "opset1", {{"auto_broadcast", "numpy"}},
                             {y, port(node.inputs[bias_position + 1])}, y.shape, y.dtype);
  }
  return apply_activation(node, y, node.get_string("activation", ""));
}

void Exporter::export_conv2d(const ir::Node& node) {
  const ir::Value& out = value(node.outputs[0]);
  std::vector<int64_t> out_shape = static_shape(out);
  std::vector<int64_t> pads = node.get_ints("pads");
  if (pads.empty()) pads = {0, 0, 0, 0};
  std::vector<int64_t> strides = node.get_ints("strides");
  if (strides.empty()) strides = {1, 1};
  std::vector<int64_t> dilations = node.get_ints("dilations");
  if (dilations.empty()) dilations = {1, 1};
  XmlAttributes attributes = {{"strides", join_ints(strides)},
                              {"dilations", join_ints(dilations)},
                              {"pads_begin", join_ints({pads[0], pads[1]})},
                              {"pads_end", join_ints({pads[2], pads[3]})},
                              {"auto_pad", "explicit"}};

  int64_t groups = node.get_int("groups", 1);
  Port x = port(node.inputs[0]);
  std::vector<int64_t> weight_shape = static_shape(value(node.inputs[1]));
  Port y;
  if (groups == 1) {
    y = builder_.unary_layer("Convolution", "opset1", attributes, {x, port(node.inputs[1])},
                             out_shape, out.dtype);
  } else {
    // GroupConvolution wants weights as [groups, O/groups, C/groups, KH, KW].
    std::vector<int64_t> grouped = {groups, weight_shape[0] / groups, weight_shape[1],
                                    weight_shape[2], weight_shape[3]};
    y = builder_.unary_layer("GroupConvolution", "opset1", attributes,
                             {x, reshaped_constant(node.inputs[1], grouped)}, out_shape, out.dtype);
  }
  set_output(node, apply_epilogue(node, y, 2, true));
}

void Exporter::export_matmul(const ir::Node& node, bool transpose_b) {
  const ir::Value& out = value(node.outputs[0]);
  Port y = builder_.unary_layer(
      "MatMul", "opset1",
      {{"transpose_a", "false"}, {"transpose_b", transpose_b ? "true" : "false"}},
      {port(node.inputs[0]), port(node.inputs[1])}, static_shape(out), out.dtype);
  set_output(node, apply_epilogue(node, y, 2, false));
}

void Exporter::export_pool(const ir::Node& node, bool is_max) {
  const ir::Value& out = value(node.outputs[0]);
  std::vector<int64_t> out_shape = static_shape(out);
  std::vector<int64_t> kernel = node.get_ints("kernel");
  std::vector<int64_t> strides = node.get_ints("strides");
  if (strides.empty()) strides = kernel;
  std::vector<int64_t> pads = node.get_ints("pads");
  if (pads.empty()) pads = {0, 0, 0, 0};

  std::string rounding = node.get_int("ceil_mode", 0) != 0 ? "ceil_torch" : "floor";
  XmlAttributes attributes = {{"kernel", join_ints(kernel)},
                              {"strides", join_ints(strides)},
                              {"pads_begin", join_ints({pads[0], pads[1]})},
                              {"pads_end", join_ints({pads[2], pads[3]})},
                              {"rounding_type", rounding},
                              {"auto_pad", "explicit"}};
  Port x = port(node.inputs[0]);

  if (is_max) {
    std::vector<int64_t> dilations = node.get_ints("dilations");
    if (dilations.empty()) dilations = {1, 1};
    attributes.push_back({"dilations", join_ints(dilations)});
    attributes.push_back({"index_element_type", "i32"});
    attributes.push_back({"axis", "0"});
    auto outputs = builder_.layer("MaxPool", "opset14", attributes, {x},
                                  {{out_shape, out.dtype}, {out_shape, DType::kI32}});
    set_output(node, outputs[0]);
    return;
  }

  if (node.get_int("divisor", 0) != 0) {
    throw Unsupported{"avg_pool2d with a divisor override has no OpenVINO equivalent"};
  }
  attributes.push_back({"exclude-pad", node.get_int("count_include_pad", 1) != 0 ? "false" : "true"});
  set_output(node, builder_.unary_layer("AvgPool", "opset14", attributes, {x}, out_shape, out.dtype));
}

void Exporter::export_resize(const ir::Node& node) {
  const ir::Value& out = value(node.outputs[0]);
  std::vector<int64_t> out_shape = static_shape(out);
  std::string mode = node.get_string("mode", "nearest");
  bool align_corners = node.get_int("align_corners", 0) != 0;
  std::vector<double> scales;
  if (node.has("scales")) scales = std::get<std::vector<double>>(node.attributes.at("scales"));
  bool explicit_scales = scales.size() == 2 && scales[0] > 0 && scales[1] > 0;

  XmlAttributes attributes;
  if (mode == "nearest") {
    // PyTorch's legacy nearest: source = floor(dst * in / out), or
    // floor(dst / scale) with an explicit scale factor.
    attributes = {{"mode", "nearest"}, {"coordinate_transformation_mode", "asymmetric"},
                  {"nearest_mode", "floor"}};
  } else if (mode == "bilinear") {
    attributes = {{"mode", "linear_onnx"},
                  {"coordinate_transformation_mode", align_corners ? "align_corners" : "pytorch_half_pixel"},
                  {"nearest_mode", "floor"}};
  } else {
    throw Unsupported{"resize mode '" + mode + "' has no OpenVINO mapping"};
  }
  attributes.push_back({"antialias", "false"});
  attributes.push_back({"pads_begin", "0,0,0,0"});
  attributes.push_back({"pads_end", "0,0,0,0"});
  attributes.push_back({"cube_coeff", "-0.75"});

  Port x = port(node.inputs[0]);
  Port axes = builder_.constant_i64({2, 3});
  Port y;
  if (explicit_scales && !align_corners) {
    attributes.push_back({"shape_calculation_mode", "scales"});
    std::vector<float> scale_values = {static_cast<float>(scales[0]), static_cast<float>(scales[1])};
    Port scale_port = builder_.constant(DType::kF32, {2}, scale_values.data(), 2 * sizeof(float));
    y = builder_.unary_layer("Interpolate", "opset11", attributes, {x, scale_port, axes}, out_shape,
                             out.dtype);
  } else {
    attributes.push_back({"shape_calculation_mode", "sizes"});
    y = builder_.unary_layer("Interpolate", "opset11", attributes,
                             {x, builder_.constant_i64({out_shape[2], out_shape[3]}), axes},
                             out_shape, out.dtype);
  }
  set_output(node, y);
}

void Exporter::export_slice(const ir::Node& node) {
  const ir::Value& out = value(node.outputs[0]);
  Port x = port(node.inputs[0]);
  int64_t axis = node.get_int("axis", 0);
  if (axis < 0) axis += static_cast<int64_t>(x.shape.size());
  Port y = builder_.unary_layer(
      "Slice", "opset8", {},
      {x, builder_.constant_i64({node.get_int("start", 0)}),
       builder_.constant_i64({node.get_int("end", x.shape[axis])}),
       builder_.constant_i64({node.get_int("step", 1)}), builder_.constant_i64({axis})},
      static_shape(out), out.dtype);
  set_output(node, y);
}

void Exporter::export_pad(const ir::Node& node) {
  const ir::Value& out = value(node.outputs[0]);
  Port x = port(node.inputs[0]);
  std::vector<int64_t> pads = node.get_ints("pads");
  size_t padded_dims = pads.size() / 2;
  size_t rank = x.shape.size();
  std::string mode = node.get_string("mode", "constant");

  if (mode == "circular") {
    // Circular padding is a concatenation of the input's own edges, one
    // padded dimension at a time.
    Port current = x;
    for (size_t k = 0; k < padded_dims; ++k) {
      int64_t axis = static_cast<int64_t>(rank - padded_dims + k);
      int64_t before = pads[k];
      int64_t after = pads[padded_dims + k];
      int64_t extent = current.shape[axis];
      std::vector<Port> pieces;
      auto slice = [&](int64_t start, int64_t end) {
        std::vector<int64_t> shape = current.shape;
        shape[axis] = end - start;
        return builder_.unary_layer("Slice", "opset8", {},
                                    {current, builder_.constant_i64({start}),
                                     builder_.constant_i64({end}), builder_.constant_i64({1}),
                                     builder_.constant_i64({axis})},
                                    shape, current.dtype);
      };
      if (before > 0) pieces.push_back(slice(extent - before, extent));
      pieces.push_back(current);
      if (after > 0) pieces.push_back(slice(0, after));
      std::vector<int64_t> shape = current.shape;
      shape[axis] = extent + before + after;
      current = builder_.unary_layer("Concat", "opset1", {{"axis", std::to_string(axis)}}, pieces,
                                     shape, current.dtype);
    }
    set_output(node, current);
    return;
  }

  std::vector<int64_t> begin(rank, 0);
  std::vector<int64_t> end(rank, 0);
  for (size_t k = 0; k < padded_dims; ++k) {
    begin[rank - padded_dims + k] = pads[k];
    end[rank - padded_dims + k] = pads[padded_dims + k];
  }
  std::string pad_mode = mode == "replicate" ? "edge" : mode;
  if (pad_mode != "constant" && pad_mode != "reflect" && pad_mode != "edge") {
    throw Unsupported{"pad mode '" + mode + "' has no OpenVINO mapping"};
  }
  std::vector<Port> inputs = {x, builder_.constant_i64(begin), builder_.constant_i64(end)};
  if (pad_mode == "constant") {
    inputs.push_back(builder_.scalar_f32(static_cast<float>(node.get_float("value", 0.0))));
  }
  set_output(node, builder_.unary_layer("Pad", "opset12", {{"pad_mode", pad_mode}}, inputs,
                                        static_shape(out), out.dtype));
}

void Exporter::export_reduce(const ir::Node& node, const std::string& type) {
  const ir::Value& out = value(node.outputs[0]);
  Port x = port(node.inputs[0]);
  std::vector<int64_t> axes = node.get_ints("axes");
  if (axes.empty()) {
    for (size_t i = 0; i < x.shape.size(); ++i) axes.push_back(static_cast<int64_t>(i));
  }
  set_output(node, builder_.unary_layer(
                       type, "opset1",
                       {{"keep_dims", node.get_int("keepdims", 0) != 0 ? "true" : "false"}},
                       {x, builder_.constant_i64(axes)}, static_shape(out), out.dtype));
}

void Exporter::export_layer_norm(const ir::Node& node) {
  const ir::Value& out = value(node.outputs[0]);
  std::vector<int64_t> out_shape = static_shape(out);
  Port x = port(node.inputs[0]);
  int64_t normalized = node.get_int("axes", 1);
  std::vector<int64_t> axes;
  for (int64_t k = normalized; k >= 1; --k) axes.push_back(-k);
  Port y = builder_.unary_layer("MVN", "opset6",
                                {{"eps", format_float(node.get_float("epsilon", 1e-5))},
                                 {"normalize_variance", "true"},
                                 {"eps_mode", "inside_sqrt"}},
                                {x, builder_.constant_i64(axes)}, out_shape, out.dtype);
  if (has_input(node, 1)) {
    y = builder_.unary_layer("Multiply", "opset1", {{"auto_broadcast", "numpy"}},
                             {y, port(node.inputs[1])}, out_shape, out.dtype);
  }
  if (has_input(node, 2)) {
    y = builder_.unary_layer("Add", "opset1", {{"auto_broadcast", "numpy"}},
                             {y, port(node.inputs[2])}, out_shape, out.dtype);
  }
  set_output(node, y);
}

void Exporter::export_batch_norm(const ir::Node& node) {
  const ir::Value& out = value(node.outputs[0]);
  Port x = port(node.inputs[0]);
  int64_t channels = x.shape.size() > 1 ? x.shape[1] : 1;
  auto filled = [&](float fill) {
    std::vector<float> values(static_cast<size_t>(channels), fill);
    return builder_.constant(DType::kF32, {channels}, values.data(), values.size() * sizeof(float));
  };
  Port gamma = has_input(node, 3) ? port(node.inputs[3]) : filled(1.0f);
  Port beta = has_input(node, 4) ? port(node.inputs[4]) : filled(0.0f);
  set_output(node, builder_.unary_layer(
                       "BatchNormInference", "opset5",
                       {{"epsilon", format_float(node.get_float("epsilon", 1e-5))}},
                       {x, gamma, beta, port(node.inputs[1]), port(node.inputs[2])},
                       static_shape(out), out.dtype));
}

}  // namespace

OpenVinoIr export_openvino_ir(const ir::Graph& graph, const OpenVinoExportOptions& options) {
  return Exporter(graph, options).run();
}

}  // namespace npujar::npu
