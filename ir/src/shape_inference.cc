// Shape inference: one function per operator family. Each reads the input
// values' dtypes and shapes and writes the output value's, or, for operators
// whose output shape the importer sets (reshape, expand, resize, adaptive
// pools), checks that shape against the inputs.
#include "npujar/ir/shape_inference.h"

#include <algorithm>
#include <functional>
#include <unordered_map>

#include "npujar/ir/error.h"

namespace npujar::ir {

namespace {

// Context for inferring one node: accessors and error reporting.
struct NodeContext {
  Graph& graph;
  size_t index;
  Node& node;

  const Value& input(size_t i) const { return graph.values.at(node.inputs.at(i)); }
  bool has_input(size_t i) const { return i < node.inputs.size() && node.inputs[i] >= 0; }
  Value& output() const { return graph.values.at(node.outputs.at(0)); }

  [[noreturn]] void fail(const std::string& message) const {
    std::string shapes;
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      if (!shapes.empty()) shapes += ", ";
      shapes += has_input(i) ? std::string(dtype_name(input(i).dtype)) +
                                   shape_to_string(input(i).shape)
                             : "_";
    }
    throw IrError(describe_node(graph, index) + ": " + message + " (inputs: " + shapes + ")");
  }

  void set_output(DType dtype, Shape shape) const {
    output().dtype = dtype;
    output().shape = std::move(shape);
  }

  int64_t static_dim(const Dim& dim, const char* role) const {
    if (!dim.is_static()) fail(std::string("symbolic ") + role + " " + shape_to_string({dim}) + " is not supported");
    return dim.coefficient;
  }

  // Normalizes a possibly negative axis for a tensor of `rank` dims.
  size_t axis(int64_t axis, size_t rank) const {
    int64_t normalized = axis < 0 ? axis + static_cast<int64_t>(rank) : axis;
    if (normalized < 0 || normalized >= static_cast<int64_t>(rank)) {
      fail("axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
    }
    return static_cast<size_t>(normalized);
  }
};

bool is_float(DType dtype) {
  return dtype == DType::kF32 || dtype == DType::kF16 || dtype == DType::kBF16;
}

bool is_index(DType dtype) { return dtype == DType::kI64 || dtype == DType::kI32; }

void infer_broadcast(const NodeContext& c, DType dtype) {
  Shape shape = c.input(0).shape;
  for (size_t i = 1; i < c.node.inputs.size(); ++i) {
    auto result = broadcast_shapes(shape, c.input(i).shape);
    if (!result) c.fail("shapes do not broadcast");
    shape = *result;
  }
  c.set_output(dtype, shape);
}

void infer_where(const NodeContext& c) {
  if (c.input(0).dtype != DType::kBool) c.fail("condition must be bool");
  if (c.input(1).dtype != c.input(2).dtype) c.fail("a and b must have the same dtype");
  Shape shape = c.input(0).shape;
  for (size_t i = 1; i < 3; ++i) {
    auto result = broadcast_shapes(shape, c.input(i).shape);
    if (!result) c.fail("shapes do not broadcast");
    shape = *result;
  }
  c.set_output(c.input(1).dtype, shape);
}

// Bias (input 2) and residual (input 3) of matmul, linear and conv2d.
void check_fusion_inputs(const NodeContext& c, const Shape& output) {
  if (c.has_input(2)) {
    const Shape& bias = c.input(2).shape;
    const Dim& channels = c.node.op == "conv2d" ? output.at(1) : output.back();
    if (bias.size() != 1 || bias[0] != channels) {
      c.fail("bias must be 1-D with the output's channel extent " + shape_to_string({channels}));
    }
  }
  if (c.has_input(3) && c.input(3).shape != output) {
    c.fail("residual must have the output's shape " + shape_to_string(output));
  }
}

void infer_matmul(const NodeContext& c) {
  Shape a = c.input(0).shape;
  Shape b = c.input(1).shape;
  if (a.empty() || b.empty()) c.fail("matmul operands must have rank >= 1");
  if (a.size() == 1 && b.size() == 1 && (c.has_input(2) || c.has_input(3))) {
    c.fail("a matmul of two vectors takes no bias or residual");
  }
  bool a_vector = a.size() == 1;
  bool b_vector = b.size() == 1;
  if (a_vector) a.insert(a.begin(), Dim::fixed(1));
  if (b_vector) b.push_back(Dim::fixed(1));
  if (a.back() != b[b.size() - 2]) c.fail("contraction extents differ");

  Shape batch_a(a.begin(), a.end() - 2);
  Shape batch_b(b.begin(), b.end() - 2);
  auto batch = broadcast_shapes(batch_a, batch_b);
  if (!batch) c.fail("batch dims do not broadcast");
  Shape shape = *batch;
  if (!a_vector) shape.push_back(a[a.size() - 2]);
  if (!b_vector) shape.push_back(b.back());
  check_fusion_inputs(c, shape);
  c.set_output(c.input(0).dtype, shape);
}

void infer_linear(const NodeContext& c) {
  const Shape& x = c.input(0).shape;
  const Shape& weight = c.input(1).shape;
  if (x.empty() || weight.size() != 2) c.fail("linear needs x of rank >= 1 and a 2-D weight");
  if (x.back() != weight[1]) c.fail("x's last extent differs from the weight's in_features");
  Shape shape = x;
  shape.back() = weight[0];
  check_fusion_inputs(c, shape);
  c.set_output(c.input(0).dtype, shape);
}

// Window attributes above this are rejected, which keeps the arithmetic
// below far from int64_t overflow.
constexpr int64_t kMaxWindowAttribute = int64_t{1} << 40;

// PyTorch's output size of a convolution or pooling window along one dim.
int64_t window_output_size(const NodeContext& c, int64_t in, int64_t kernel, int64_t stride,
                           int64_t pad_begin, int64_t pad_end, int64_t dilation, bool ceil_mode) {
  for (int64_t attribute : {kernel, stride, dilation}) {
    if (attribute < 1 || attribute > kMaxWindowAttribute) c.fail("kernel, strides and dilations must be in [1, 2^40]");
  }
  for (int64_t pad : {pad_begin, pad_end}) {
    if (pad < 0 || pad > kMaxWindowAttribute) c.fail("pads must be in [0, 2^40]");
  }
  if (in > kMaxWindowAttribute) c.fail("input extent " + std::to_string(in) + " exceeds 2^40");
  int64_t extent;
  if (__builtin_mul_overflow(dilation, kernel - 1, &extent) || extent > kMaxWindowAttribute) {
    c.fail("dilated kernel extent exceeds 2^40");
  }
  int64_t span = in + pad_begin + pad_end - extent - 1;
  if (span < 0) c.fail("window of extent " + std::to_string(kernel) + " is larger than the padded input " +
                       std::to_string(in + pad_begin + pad_end));
  int64_t out = (span + (ceil_mode ? stride - 1 : 0)) / stride + 1;
  // The last window must start inside the input or its left padding.
  if (ceil_mode && (out - 1) * stride >= in + pad_begin) --out;
  return out;
}

std::vector<int64_t> ints_or(const Node& node, const char* key, std::vector<int64_t> fallback) {
  std::vector<int64_t> values = node.get_ints(key);
  return values.empty() ? fallback : values;
}

void check_length(const NodeContext& c, const char* key, const std::vector<int64_t>& values,
                  size_t expected) {
  if (values.size() != expected) {
    c.fail(std::string("attribute ") + key + " needs " + std::to_string(expected) + " values");
  }
}

void infer_conv2d(const NodeContext& c) {
  const Shape& x = c.input(0).shape;
  const Shape& w = c.input(1).shape;
  if (x.size() != 4 || w.size() != 4) c.fail("conv2d needs 4-D x and weight");
  auto strides = ints_or(c.node, "strides", {1, 1});
  auto pads = ints_or(c.node, "pads", {0, 0, 0, 0});
  auto dilations = ints_or(c.node, "dilations", {1, 1});
  check_length(c, "strides", strides, 2);
  check_length(c, "pads", pads, 4);
  check_length(c, "dilations", dilations, 2);
  int64_t groups = c.node.get_int("groups", 1);
  if (groups < 1) c.fail("groups must be >= 1");
  if (w[0].is_static() && w[0].coefficient % groups != 0) c.fail("output channels not divisible by groups");
  if (x[1] != multiply(w[1], Dim::fixed(groups))) c.fail("input channels differ from weight channels * groups");

  int64_t h = c.static_dim(x[2], "height");
  int64_t width = c.static_dim(x[3], "width");
  int64_t kh = c.static_dim(w[2], "kernel height");
  int64_t kw = c.static_dim(w[3], "kernel width");
  Shape shape = {x[0], w[0],
                 Dim::fixed(window_output_size(c, h, kh, strides[0], pads[0], pads[2], dilations[0], false)),
                 Dim::fixed(window_output_size(c, width, kw, strides[1], pads[1], pads[3], dilations[1], false))};
  check_fusion_inputs(c, shape);
  c.set_output(c.input(0).dtype, shape);
}

void infer_pool(const NodeContext& c) {
  const Shape& x = c.input(0).shape;
  if (x.size() != 4) c.fail("pooling needs a 4-D input");
  auto kernel = c.node.get_ints("kernel");
  check_length(c, "kernel", kernel, 2);
  auto strides = ints_or(c.node, "strides", kernel);
  auto pads = ints_or(c.node, "pads", {0, 0, 0, 0});
  auto dilations = ints_or(c.node, "dilations", {1, 1});
  check_length(c, "strides", strides, 2);
  check_length(c, "pads", pads, 4);
  check_length(c, "dilations", dilations, 2);
  bool ceil_mode = c.node.get_int("ceil_mode", 0) != 0;
  int64_t h = c.static_dim(x[2], "height");
  int64_t w = c.static_dim(x[3], "width");
  c.set_output(c.input(0).dtype,
               {x[0], x[1],
                Dim::fixed(window_output_size(c, h, kernel[0], strides[0], pads[0], pads[2], dilations[0], ceil_mode)),
                Dim::fixed(window_output_size(c, w, kernel[1], strides[1], pads[1], pads[3], dilations[1], ceil_mode))});
}

// adaptive pools and resize: N and C carry over, H and W come from the
// output value.
void check_spatial_output(const NodeContext& c) {
  const Shape& x = c.input(0).shape;
  const Shape& out = c.output().shape;
  if (x.size() != 4) c.fail("needs a 4-D input");
  if (out.size() != 4 || out[0] != x[0] || out[1] != x[1]) {
    c.fail("output shape " + shape_to_string(out) + " must be 4-D with the input's N and C");
  }
  c.static_dim(out[2], "output height");
  c.static_dim(out[3], "output width");
  if (c.node.op == "resize") {
    std::string mode = c.node.get_string("mode", "nearest");
    if (mode != "nearest" && mode != "bilinear") c.fail("unknown resize mode '" + mode + "'");
    if (c.node.has("scales")) {
      auto* scales = std::get_if<std::vector<double>>(&c.node.attributes.at("scales"));
      if (!scales || scales->size() != 2) c.fail("attribute scales must be 2 floats");
      for (double scale : *scales) {
        if (!(scale >= 0.0)) c.fail("scales must be >= 0 (0 derives the scale from the sizes)");
      }
    }
  }
  c.output().dtype = c.input(0).dtype;
}

void infer_reduce(const NodeContext& c) {
  const Shape& x = c.input(0).shape;
  auto axes = c.node.get_ints("axes");
  bool keepdims = c.node.get_int("keepdims", 0) != 0;
  std::vector<bool> reduced(x.size(), axes.empty());
  for (int64_t axis : axes) reduced[c.axis(axis, x.size())] = true;
  Shape shape;
  for (size_t i = 0; i < x.size(); ++i) {
    if (!reduced[i]) {
      shape.push_back(x[i]);
    } else if (keepdims) {
      shape.push_back(Dim::fixed(1));
    }
  }
  // Integer sums widen to i64, as torch.sum does.
  DType dtype = c.input(0).dtype;
  if (c.node.op == "reduce_sum" && !is_float(dtype)) dtype = DType::kI64;
  c.set_output(dtype, shape);
}

void infer_permute(const NodeContext& c) {
  const Shape& x = c.input(0).shape;
  auto perm = c.node.get_ints("perm");
  if (perm.size() != x.size()) c.fail("perm has " + std::to_string(perm.size()) + " entries for rank " + std::to_string(x.size()));
  std::vector<bool> seen(x.size(), false);
  Shape shape;
  for (int64_t p : perm) {
    size_t axis = c.axis(p, x.size());
    if (seen[axis]) c.fail("perm repeats axis " + std::to_string(p));
    seen[axis] = true;
    shape.push_back(x[axis]);
  }
  c.set_output(c.input(0).dtype, shape);
}

void infer_slice(const NodeContext& c) {
  Shape shape = c.input(0).shape;
  size_t axis = c.axis(c.node.get_int("axis", 0), shape.size());
  int64_t start = c.node.get_int("start", 0);
  int64_t end = c.node.get_int("end", 0);
  int64_t step = c.node.get_int("step", 1);
  if (step < 1) c.fail("step must be >= 1");
  const Dim& dim = shape[axis];
  if (!dim.is_static()) {
    // Only a full slice can keep a symbolic extent.
    if (start == 0 && step == 1 && end >= (int64_t{1} << 62)) {
      c.set_output(c.input(0).dtype, shape);
      return;
    }
    c.fail("slice of symbolic extent " + shape_to_string({dim}) + " is not supported");
  }
  if (start < 0 || end > dim.coefficient || start > end) {
    c.fail("slice [" + std::to_string(start) + ":" + std::to_string(end) + "] is not clamped to extent " +
           std::to_string(dim.coefficient));
  }
  shape[axis] = Dim::fixed(end == start ? 0 : (end - start - 1) / step + 1);
  c.set_output(c.input(0).dtype, shape);
}

void infer_concat(const NodeContext& c) {
  Shape shape = c.input(0).shape;
  size_t axis = c.axis(c.node.get_int("axis", 0), shape.size());
  for (size_t i = 1; i < c.node.inputs.size(); ++i) {
    const Shape& other = c.input(i).shape;
    if (other.size() != shape.size() || c.input(i).dtype != c.input(0).dtype) c.fail("inputs differ in rank or dtype");
    for (size_t d = 0; d < shape.size(); ++d) {
      if (d == axis) continue;
      if (other[d] != shape[d]) c.fail("inputs differ outside the concat axis");
    }
    Dim& sum = shape[axis];
    if (sum.symbol == other[axis].symbol) {
      if (__builtin_add_overflow(sum.coefficient, other[axis].coefficient, &sum.coefficient)) c.fail("concat extent overflows");
    } else if (sum == Dim::fixed(0)) {
      sum = other[axis];
    } else if (other[axis] != Dim::fixed(0)) {
      c.fail("cannot add extents " + shape_to_string({sum}) + " and " + shape_to_string({other[axis]}));
    }
  }
  c.set_output(c.input(0).dtype, shape);
}

void infer_gather(const NodeContext& c) {
  const Shape& data = c.input(0).shape;
  if (!is_index(c.input(1).dtype)) c.fail("indices must be i64 or i32");
  size_t axis = c.axis(c.node.get_int("axis", 0), data.size());
  Shape shape(data.begin(), data.begin() + axis);
  shape.insert(shape.end(), c.input(1).shape.begin(), c.input(1).shape.end());
  shape.insert(shape.end(), data.begin() + axis + 1, data.end());
  c.set_output(c.input(0).dtype, shape);
}

void infer_pad(const NodeContext& c) {
  Shape shape = c.input(0).shape;
  auto pads = c.node.get_ints("pads");
  if (pads.size() % 2 != 0 || pads.size() / 2 > shape.size()) c.fail("pads needs 2*k values for k <= rank");
  std::string mode = c.node.get_string("mode", "constant");
  if (mode != "constant" && mode != "reflect" && mode != "replicate" && mode != "circular") {
    c.fail("unknown pad mode '" + mode + "'");
  }
  for (int64_t pad : pads) {
    if (pad < -kMaxWindowAttribute || pad > kMaxWindowAttribute) c.fail("pads must be in [-2^40, 2^40]");
  }
  size_t k = pads.size() / 2;
  for (size_t i = 0; i < k; ++i) {
    size_t axis = shape.size() - k + i;
    int64_t extra = pads[i] + pads[k + i];
    if (extra == 0) continue;
    int64_t extent = c.static_dim(shape[axis], "padded extent");
    if (mode == "reflect" && (pads[i] >= extent || pads[k + i] >= extent)) c.fail("reflect padding must be smaller than the extent");
    if (mode == "circular" && (pads[i] > extent || pads[k + i] > extent)) c.fail("circular padding must not exceed the extent");
    if (extent + extra < 0) c.fail("padding makes an extent negative");
    shape[axis] = Dim::fixed(extent + extra);
  }
  c.set_output(c.input(0).dtype, shape);
}

void infer_same(const NodeContext& c) { c.set_output(c.input(0).dtype, c.input(0).shape); }

// Requires optional input i, when present, to have `shape`.
void check_parameter(const NodeContext& c, size_t i, const Shape& shape, const char* role) {
  if (c.has_input(i) && c.input(i).shape != shape) {
    c.fail(std::string(role) + " must have shape " + shape_to_string(shape));
  }
}

void infer_batch_norm(const NodeContext& c) {
  const Shape& x = c.input(0).shape;
  if (x.size() < 2) c.fail("batch_norm needs an input of rank >= 2");
  const char* const roles[] = {"", "mean", "var", "weight", "bias"};
  for (size_t i = 1; i < c.node.inputs.size(); ++i) check_parameter(c, i, {x[1]}, roles[i]);
  c.set_output(c.input(0).dtype, x);
}

void infer_layer_norm(const NodeContext& c) {
  const Shape& x = c.input(0).shape;
  int64_t axes = c.node.get_int("axes", 1);
  if (axes < 1 || axes > static_cast<int64_t>(x.size())) {
    c.fail("axes " + std::to_string(axes) + " must be in [1, " + std::to_string(x.size()) + "]");
  }
  Shape normalized(x.end() - axes, x.end());
  check_parameter(c, 1, normalized, "weight");
  check_parameter(c, 2, normalized, "bias");
  c.set_output(c.input(0).dtype, x);
}

void infer_softmax(const NodeContext& c) {
  c.axis(c.node.get_int("axis", -1), c.input(0).shape.size());
  c.set_output(c.input(0).dtype, c.input(0).shape);
}

void infer_float_same(const NodeContext& c) {
  if (!is_float(c.input(0).dtype)) c.fail(c.node.op + " needs a float input");
  infer_same(c);
}

using InferFunction = std::function<void(const NodeContext&)>;

const std::unordered_map<std::string, InferFunction>& infer_table() {
  static const std::unordered_map<std::string, InferFunction> table = [] {
    std::unordered_map<std::string, InferFunction> t;
    for (const char* op : {"add", "sub", "mul", "div", "pow", "maximum", "minimum"}) {
      t[op] = [](const NodeContext& c) {
        if (c.input(0).dtype != c.input(1).dtype) c.fail("operands have different dtypes");
        infer_broadcast(c, c.input(0).dtype);
      };
    }
    for (const char* op : {"equal", "not_equal", "less", "less_equal", "greater", "greater_equal"}) {
      t[op] = [](const NodeContext& c) {
        if (c.input(0).dtype != c.input(1).dtype) c.fail("operands have different dtypes");
        infer_broadcast(c, DType::kBool);
      };
    }
    for (const char* op : {"logical_and", "logical_or"}) {
      t[op] = [](const NodeContext& c) { infer_broadcast(c, DType::kBool); };
    }
    t["logical_not"] = [](const NodeContext& c) { c.set_output(DType::kBool, c.input(0).shape); };
    t["where"] = infer_where;
    for (const char* op : {"relu", "neg", "abs", "identity", "clamp", "leaky_relu"}) t[op] = infer_same;
    for (const char* op : {"sigmoid", "tanh", "exp", "log", "sqrt", "rsqrt", "erf", "reciprocal",
                           "silu", "hardswish", "hardsigmoid", "gelu"}) {
      t[op] = infer_float_same;
    }
    t["batch_norm"] = [](const NodeContext& c) {
      infer_float_same(c);
      infer_batch_norm(c);
    };
    t["layer_norm"] = [](const NodeContext& c) {
      infer_float_same(c);
      infer_layer_norm(c);
    };
    for (const char* op : {"softmax", "log_softmax"}) {
      t[op] = [](const NodeContext& c) {
        infer_float_same(c);
        infer_softmax(c);
      };
    }
    t["cast"] = [](const NodeContext& c) {
      int64_t to = c.node.get_int("to", -1);
      auto dtype = static_cast<DType>(to);
      if (to < 0 || to > 255 || !parse_dtype(dtype_name(dtype))) c.fail("cast target " + std::to_string(to) + " is no dtype");
      c.set_output(dtype, c.input(0).shape);
    };
    t["matmul"] = infer_matmul;
    t["linear"] = infer_linear;
    t["conv2d"] = infer_conv2d;
    t["max_pool2d"] = infer_pool;
    t["avg_pool2d"] = infer_pool;
    t["adaptive_avg_pool2d"] = check_spatial_output;
    t["adaptive_max_pool2d"] = check_spatial_output;
    t["resize"] = check_spatial_output;
    for (const char* op : {"reduce_sum", "reduce_mean", "reduce_max", "reduce_min"}) t[op] = infer_reduce;
    t["reshape"] = [](const NodeContext& c) {
      if (!same_numel(c.input(0).shape, c.output().shape)) {
        c.fail("output shape " + shape_to_string(c.output().shape) + " has another element count");
      }
      c.output().dtype = c.input(0).dtype;
    };
    t["expand"] = [](const NodeContext& c) {
      auto shape = broadcast_shapes(c.input(0).shape, c.output().shape);
      if (!shape || *shape != c.output().shape) {
        c.fail("cannot expand to output shape " + shape_to_string(c.output().shape));
      }
      c.output().dtype = c.input(0).dtype;
    };
    t["permute"] = infer_permute;
    t["slice"] = infer_slice;
    t["concat"] = infer_concat;
    t["gather"] = infer_gather;
    t["pad"] = infer_pad;
    return t;
  }();
  return table;
}

}  // namespace

void infer_shapes(Graph& graph, size_t node_index) {
  if (node_index >= graph.nodes.size()) throw IrError("node index " + std::to_string(node_index) + " is out of range");
  Node& node = graph.nodes[node_index];
  NodeContext context{graph, node_index, node};
  if (node.outputs.size() != 1) context.fail("expected exactly one output");
  for (size_t i = 0; i < node.inputs.size(); ++i) {
    int index = node.inputs[i];
    if (index < -1 || index >= static_cast<int>(graph.values.size()) || (index == -1 && i == 0)) {
      throw IrError(describe_node(graph, node_index) + ": input " + std::to_string(i) + " is out of range");
    }
  }
  if (node.outputs[0] < 0 || node.outputs[0] >= static_cast<int>(graph.values.size())) {
    throw IrError(describe_node(graph, node_index) + ": output is out of range");
  }
  auto it = infer_table().find(node.op);
  if (it == infer_table().end()) context.fail("unknown operator '" + node.op + "'");
  it->second(context);
}

void infer_all_shapes(Graph& graph) {
  for (size_t i = 0; i < graph.nodes.size(); ++i) infer_shapes(graph, i);
}

}  // namespace npujar::ir
