// Convolution, pooling, resizing and batch norm. 1-d convolution and
// pooling run as their 2-d forms on a height-1 image.
#include <cmath>

#include "lowering.h"

namespace npujar::importer {

namespace {

using Values = std::vector<ImportValue>;

ImportValue tensor_value(int index) { return ImportValue::of_tensor(index); }

ir::Shape with_height_one(const ir::Shape& shape) {
  ir::Shape result = shape;
  result.insert(result.end() - 1, ir::Dim::fixed(1));
  return result;
}

struct ConvArguments {
  int x, weight, bias;
  std::vector<int64_t> strides, pads, dilations;
  std::string padding_mode;  // "" or "same"/"valid" for string padding
  int64_t groups;
};

// Emits conv2d (or conv1d through a height-1 conv2d) for PyTorch's
// symmetric [ph, pw] padding or the "same"/"valid" strings.
Values emit_conv(LoweringContext& c, ConvArguments a) {
  GraphBuilder& g = c.builder;
  size_t weight_rank = g.rank(a.weight);
  if (weight_rank != 3 && weight_rank != 4) {
    c.fail("only 1-d and 2-d convolution are supported; the weight has rank " + std::to_string(weight_rank));
  }
  bool one_d = weight_rank == 3;
  size_t spatial = one_d ? 1 : 2;
  auto widen = [&](std::vector<int64_t> values, int64_t fill) {
    if (values.size() == 1 && spatial == 2) values.push_back(values[0]);
    if (one_d) values.insert(values.begin(), fill);
    return values;
  };
  a.strides = widen(a.strides, 1);
  a.dilations = widen(a.dilations, 1);
  std::vector<int64_t> symmetric = a.padding_mode.empty() ? widen(a.pads, 0) : std::vector<int64_t>{0, 0};

  int x = a.x, weight = a.weight;
  if (one_d) {
    x = g.reshape(x, with_height_one(g.shape(x)));
    const ir::Value& w = g.value(weight);
    ir::Shape shape = with_height_one(w.shape);
    weight = g.reshape(weight, shape);
  }

  const ir::Shape& kernel = g.shape(weight);
  std::vector<int64_t> pads = {symmetric[0], symmetric[1], symmetric[0], symmetric[1]};
  if (a.padding_mode == "same") {
    for (size_t i = 0; i < 2; ++i) {
      int64_t total = a.dilations[i] * (static_extent(c, kernel[2 + i], "the kernel size") - 1);
      pads[i] = total / 2;
      pads[2 + i] = total - total / 2;
    }
  } else if (!a.padding_mode.empty() && a.padding_mode != "valid") {
    c.fail("padding '" + a.padding_mode + "' is not supported; use 'same', 'valid' or numbers");
  }

  std::vector<int> inputs = {x, weight};
  if (a.bias >= 0) inputs.push_back(a.bias);
  int y = g.emit("conv2d", inputs,
                 {{"strides", a.strides}, {"pads", pads}, {"dilations", a.dilations}, {"groups", a.groups}});
  if (!one_d) return {tensor_value(y)};
  ir::Shape out = g.shape(y);
  out.erase(out.end() - 2);
  return {tensor_value(g.reshape(y, out))};
}

// aten::_convolution(input, weight, bias, stride, padding, dilation,
//   transposed, output_padding, groups, benchmark, deterministic,
//   cudnn_enabled[, allow_tf32])
Values lower_convolution(LoweringContext& c) {
  if (c.flag(6)) c.fail("transposed convolution is not supported");
  return emit_conv(c, {c.tensor(0), c.tensor(1), c.optional_tensor(2), c.ints(3), c.ints(4), c.ints(5), "",
                       c.static_int(8)});
}

// aten::conv2d / conv1d (input, weight, bias, stride, padding, dilation,
// groups), padding being numbers or "same"/"valid"; also
// aten::_convolution_mode with the same arguments.
Values lower_conv(LoweringContext& c) {
  bool string_padding = c.at(4).kind == ImportValue::Kind::kString;
  return emit_conv(c, {c.tensor(0), c.tensor(1), c.optional_tensor(2), c.ints(3),
                       string_padding ? std::vector<int64_t>{0} : c.ints(4), c.ints(5),
                       string_padding ? c.string(4) : "", c.static_int(6)});
}

// Runs `emit` on x, as a height-1 image when x is 3-d (1-d pooling).
template <typename Emit>
Values pool_in_2d(LoweringContext& c, int x, bool one_d, Emit emit) {
  GraphBuilder& g = c.builder;
  if (!one_d) return {tensor_value(emit(x))};
  int y = emit(g.reshape(x, with_height_one(g.shape(x))));
  ir::Shape out = g.shape(y);
  out.erase(out.end() - 2);
  return {tensor_value(g.reshape(y, out))};
}

std::vector<int64_t> pool_pair(LoweringContext& c, size_t index, bool one_d, int64_t fill) {
  std::vector<int64_t> values = c.ints(index, one_d ? 1 : 2);
  if (one_d) values.insert(values.begin(), fill);
  return values;
}

// max_pool{1,2}d(x, kernel, stride, padding, dilation, ceil_mode)
Values lower_max_pool(LoweringContext& c) {
  bool one_d = c.kind == "aten::max_pool1d";
  std::vector<int64_t> kernel = pool_pair(c, 1, one_d, 1);
  std::vector<int64_t> strides = c.list(2).empty() ? kernel : pool_pair(c, 2, one_d, 1);
  std::vector<int64_t> pads = pool_pair(c, 3, one_d, 0);
  std::vector<int64_t> dilations = pool_pair(c, 4, one_d, 1);
  int64_t ceil_mode = c.flag(5) ? 1 : 0;
  return pool_in_2d(c, c.tensor(0), one_d, [&](int x) {
    return c.builder.emit("max_pool2d", {x},
                          {{"kernel", kernel}, {"strides", strides}, {"pads", std::vector<int64_t>{pads[0], pads[1], pads[0], pads[1]}},
                           {"dilations", dilations}, {"ceil_mode", ceil_mode}});
  });
}

// avg_pool{1,2}d(x, kernel, stride, padding, ceil_mode, count_include_pad
// [, divisor_override])
Values lower_avg_pool(LoweringContext& c) {
  bool one_d = c.kind == "aten::avg_pool1d";
  std::vector<int64_t> kernel = pool_pair(c, 1, one_d, 1);
  std::vector<int64_t> strides = c.list(2).empty() ? kernel : pool_pair(c, 2, one_d, 1);
  std::vector<int64_t> pads = pool_pair(c, 3, one_d, 0);
  int64_t ceil_mode = c.flag(4) ? 1 : 0;
  int64_t count_include_pad = c.flag(5) ? 1 : 0;
  int64_t divisor = c.size() > 6 && !c.is_none(6) ? c.static_int(6) : 0;
  return pool_in_2d(c, c.tensor(0), one_d, [&](int x) {
    return c.builder.emit("avg_pool2d", {x},
                          {{"kernel", kernel}, {"strides", strides}, {"pads", std::vector<int64_t>{pads[0], pads[1], pads[0], pads[1]}},
                           {"ceil_mode", ceil_mode}, {"count_include_pad", count_include_pad}, {"divisor", divisor}});
  });
}

Values lower_adaptive_pool(LoweringContext& c) {
  bool is_max = c.kind == "aten::adaptive_max_pool2d" || c.kind == "aten::adaptive_max_pool1d";
  bool one_d = c.kind == "aten::adaptive_avg_pool1d" || c.kind == "aten::adaptive_max_pool1d";
  if (is_max && c.num_outputs > 1) {
    // adaptive_max_pool2d always returns indices too; only the values may be used.
    LoweringContext values_only(c.builder, c.kind, c.inputs, 1);
    Values result = lower_adaptive_pool(values_only);
    result.push_back(ImportValue::invalid("the indices of adaptive max pooling are not supported"));
    return result;
  }
  std::vector<int64_t> size = pool_pair(c, 1, one_d, 1);
  return pool_in_2d(c, c.tensor(0), one_d, [&](int x) {
    ir::Shape out = c.builder.shape(x);
    out[2] = ir::Dim::fixed(size[0]);
    out[3] = ir::Dim::fixed(size[1]);
    return c.builder.emit(is_max ? "adaptive_max_pool2d" : "adaptive_avg_pool2d", {x}, {}, &out);
  });
}

// upsample_{nearest,bilinear}2d in both overloads:
//   nearest:  (x, output_size?, scale_factors?)      or (x, output_size, scales_h?, scales_w?)
//   bilinear: (x, output_size?, align_corners, scale_factors?)
//             or (x, output_size, align_corners, scales_h?, scales_w?)
Values lower_upsample(LoweringContext& c) {
  bool bilinear = c.kind == "aten::upsample_bilinear2d";
  size_t scales_index = bilinear ? 3 : 2;
  int64_t align_corners = bilinear && c.flag(2) ? 1 : 0;
  int x = c.tensor(0);
  ir::Shape out = c.builder.shape(x);
  if (out.size() != 4) c.fail("only 4-d (NCHW) inputs can be resized");

  std::vector<double> scales = {0.0, 0.0};
  bool vector_form = c.size() == scales_index + 1;
  if (vector_form && !c.is_none(scales_index)) {
    std::vector<ImportValue> factors = c.list(scales_index);
    LoweringContext items(c.builder, c.kind, factors, 1);
    for (size_t i = 0; i < 2; ++i) scales[i] = items.number(factors.size() == 1 ? 0 : i);
  } else if (!vector_form) {
    for (size_t i = 0; i < 2; ++i) scales[i] = c.is_none(scales_index + i) ? 0.0 : c.number(scales_index + i);
  }

  if (!c.is_none(1)) {
    std::vector<int64_t> size = c.ints(1, 2);
    out[2] = ir::Dim::fixed(size[0]);
    out[3] = ir::Dim::fixed(size[1]);
  } else {
    for (size_t i = 0; i < 2; ++i) {
      if (scales[i] <= 0) c.fail("neither an output size nor a scale factor is given");
      int64_t extent = static_extent(c, out[2 + i], "the resized dim");
      out[2 + i] = ir::Dim::fixed(static_cast<int64_t>(std::floor(static_cast<double>(extent) * scales[i])));
    }
  }
  return {tensor_value(c.builder.emit("resize", {x},
                                      {{"mode", std::string(bilinear ? "bilinear" : "nearest")},
                                       {"align_corners", align_corners},
                                       {"scales", scales}},
                                      &out))};
}

// batch_norm(x, weight, bias, running_mean, running_var, training,
// momentum, eps, cudnn_enabled)
Values lower_batch_norm(LoweringContext& c) {
  if (c.flag(5)) c.fail("batch_norm in training mode; call model.eval() before exporting the model");
  int mean = c.optional_tensor(3), var = c.optional_tensor(4);
  if (mean < 0 || var < 0) c.fail("batch_norm without running statistics is not supported");
  return {tensor_value(c.builder.emit("batch_norm", {c.tensor(0), mean, var, c.optional_tensor(1), c.optional_tensor(2)},
                                      {{"epsilon", c.number(7)}}))};
}

}  // namespace

std::vector<Lowering> nn_lowerings() {
  return {
      {"aten::_convolution", lower_convolution, "conv2d (1-d as height-1 conv2d)",
       "transposed and 3-d convolution are rejected"},
      {"aten::_convolution_mode", lower_conv, "conv2d with 'same' or 'valid' padding", "1-d and 2-d only"},
      {"aten::conv2d", lower_conv, "conv2d; other padding modes arrive as a pad node before it", ""},
      {"aten::conv1d", lower_conv, "conv2d on a height-1 image", ""},
      {"aten::max_pool2d", lower_max_pool, "max_pool2d", "indices are not supported"},
      {"aten::max_pool1d", lower_max_pool, "max_pool2d on a height-1 image", ""},
      {"aten::avg_pool2d", lower_avg_pool, "avg_pool2d", ""},
      {"aten::avg_pool1d", lower_avg_pool, "avg_pool2d on a height-1 image", ""},
      {"aten::adaptive_avg_pool2d", lower_adaptive_pool, "adaptive_avg_pool2d", "the spatial dims must be static"},
      {"aten::adaptive_avg_pool1d", lower_adaptive_pool, "adaptive_avg_pool2d on a height-1 image", ""},
      {"aten::adaptive_max_pool2d", lower_adaptive_pool, "adaptive_max_pool2d", "indices are not supported"},
      {"aten::adaptive_max_pool1d", lower_adaptive_pool, "adaptive_max_pool2d on a height-1 image",
       "indices are not supported"},
      {"aten::upsample_nearest2d", lower_upsample, "resize (nearest, PyTorch's legacy rule)",
       "4-d inputs; the spatial dims must be static"},
      {"aten::upsample_bilinear2d", lower_upsample, "resize (bilinear, align_corners either way)",
       "4-d inputs; the spatial dims must be static"},
      {"aten::batch_norm", lower_batch_norm, "batch_norm (usually folded into the convolution by freezing)",
       "training=True is rejected"},
  };
}

}  // namespace npujar::importer
