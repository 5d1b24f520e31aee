// Normalization, softmax, pooling and resizing. Where rounding is
// observable (pooling window sizes and divisors, adaptive bins, the float
// arithmetic of interpolation source indices) the code follows ATen's CPU
// kernels, and tests/ir/reference_vs_torch_test.cc checks it against
// LibTorch 1.13.
#include <cmath>
#include <limits>

#include "reference_kernels.h"

namespace npujar::ir::reference {

namespace {

HostTensor run_batch_norm(const OpContext& c) {
  const HostTensor& x = c.in(0);
  if (x.shape.size() < 2) c.fail("x must have rank >= 2");
  int64_t channels = x.shape[1];
  int64_t inner = 1;
  for (size_t d = 2; d < x.shape.size(); ++d) inner *= x.shape[d];
  auto parameter = [&](size_t i, double fallback) {
    if (!c.has(i)) return std::vector<double>(channels, fallback);
    std::vector<double> values = to_doubles(c.in(i));
    if (static_cast<int64_t>(values.size()) != channels) c.fail("parameter " + std::to_string(i) + " must have " + std::to_string(channels) + " elements");
    return values;
  };
  std::vector<double> mean = parameter(1, 0), var = parameter(2, 1), weight = parameter(3, 1), bias = parameter(4, 0);
  double epsilon = c.node.get_float("epsilon", 1e-5);

  std::vector<double> values = to_doubles(x);
  for (size_t i = 0; i < values.size(); ++i) {
    int64_t ch = (static_cast<int64_t>(i) / inner) % channels;
    values[i] = (values[i] - mean[ch]) / std::sqrt(var[ch] + epsilon) * weight[ch] + bias[ch];
  }
  return from_doubles(x.dtype, x.shape, values);
}

HostTensor run_layer_norm(const OpContext& c) {
  const HostTensor& x = c.in(0);
  int64_t axes = c.node.get_int("axes", 1);
  if (axes < 1 || axes > static_cast<int64_t>(x.shape.size())) c.fail("axes " + std::to_string(axes) + " is out of range");
  int64_t group = 1;
  for (size_t d = x.shape.size() - axes; d < x.shape.size(); ++d) group *= x.shape[d];
  std::vector<double> weight = c.has(1) ? to_doubles(c.in(1)) : std::vector<double>(group, 1.0);
  std::vector<double> bias = c.has(2) ? to_doubles(c.in(2)) : std::vector<double>(group, 0.0);
  if (static_cast<int64_t>(weight.size()) != group || static_cast<int64_t>(bias.size()) != group) {
    c.fail("weight and bias must have " + std::to_string(group) + " elements");
  }
  double epsilon = c.node.get_float("epsilon", 1e-5);

  std::vector<double> values = to_doubles(x);
  for (size_t start = 0; start < values.size(); start += group) {
    double mean = 0, var = 0;
    for (int64_t i = 0; i < group; ++i) mean += values[start + i];
    mean /= group;
    for (int64_t i = 0; i < group; ++i) var += (values[start + i] - mean) * (values[start + i] - mean);
    var /= group;  // biased, as torch.layer_norm
    double scale = 1.0 / std::sqrt(var + epsilon);
    for (int64_t i = 0; i < group; ++i) values[start + i] = (values[start + i] - mean) * scale * weight[i] + bias[i];
  }
  return from_doubles(x.dtype, x.shape, values);
}

HostTensor run_softmax(const OpContext& c) {
  const HostTensor& x = c.in(0);
  int64_t rank = static_cast<int64_t>(x.shape.size());
  int64_t axis = c.node.get_int("axis", -1);
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank) c.fail("axis is out of range for rank " + std::to_string(rank));
  int64_t extent = x.shape[axis], inner = 1, outer = 1;
  for (int64_t d = axis + 1; d < rank; ++d) inner *= x.shape[d];
  for (int64_t d = 0; d < axis; ++d) outer *= x.shape[d];
  bool log = c.node.op == "log_softmax";

  std::vector<double> values = to_doubles(x);
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i = 0; i < inner; ++i) {
      double* base = values.data() + o * extent * inner + i;
      double max = -INFINITY;
      for (int64_t k = 0; k < extent; ++k) max = std::max(max, base[k * inner]);
      double sum = 0;
      for (int64_t k = 0; k < extent; ++k) sum += std::exp(base[k * inner] - max);
      for (int64_t k = 0; k < extent; ++k) {
        double shifted = base[k * inner] - max;
        base[k * inner] = log ? shifted - std::log(sum) : std::exp(shifted) / sum;
      }
    }
  }
  return from_doubles(x.dtype, x.shape, values);
}

struct Window {
  int64_t kernel_h, kernel_w, stride_h, stride_w, pad_top, pad_left, pad_bottom, pad_right, dilation_h, dilation_w;
};

Window pool_window(const OpContext& c) {
  std::vector<int64_t> kernel = c.node.get_ints("kernel");
  std::vector<int64_t> strides = c.node.get_ints("strides");
  std::vector<int64_t> pads = c.node.get_ints("pads");
  std::vector<int64_t> dilations = c.node.get_ints("dilations");
  if (strides.empty()) strides = kernel;
  if (pads.empty()) pads = {0, 0, 0, 0};
  if (dilations.empty()) dilations = {1, 1};
  if (kernel.size() != 2 || strides.size() != 2 || pads.size() != 4 || dilations.size() != 2) {
    c.fail("kernel, strides, dilations need 2 values and pads 4");
  }
  return {kernel[0], kernel[1], strides[0], strides[1], pads[0], pads[1], pads[2], pads[3], dilations[0], dilations[1]};
}

// Output shape of a fixed window pool, computed as shape inference does.
std::vector<int64_t> pool_output_shape(const OpContext& c) {
  const HostTensor& x = c.in(0);
  if (x.shape.size() != 4) c.fail("x must be 4-D");
  Window w = pool_window(c);
  bool ceil_mode = c.node.get_int("ceil_mode", 0) != 0;
  auto size = [&](int64_t in, int64_t kernel, int64_t stride, int64_t begin, int64_t end, int64_t dilation) {
    int64_t span = in + begin + end - dilation * (kernel - 1) - 1;
    if (span < 0 || stride < 1) c.fail("window does not fit the padded input");
    int64_t out = (span + (ceil_mode ? stride - 1 : 0)) / stride + 1;
    if (ceil_mode && (out - 1) * stride >= in + begin) --out;
    return out;
  };
  return {x.shape[0], x.shape[1], size(x.shape[2], w.kernel_h, w.stride_h, w.pad_top, w.pad_bottom, w.dilation_h),
          size(x.shape[3], w.kernel_w, w.stride_w, w.pad_left, w.pad_right, w.dilation_w)};
}

// The kernel taps [begin, end) whose position start + tap * dilation lies
// in [0, extent), so that loops never visit taps outside the input.
void taps_inside(int64_t start, int64_t dilation, int64_t kernel, int64_t extent, int64_t* begin, int64_t* end) {
  *begin = start >= 0 ? 0 : (-start + dilation - 1) / dilation;
  int64_t last = extent - 1 - start;  // tap * dilation <= last
  *end = last < 0 ? 0 : std::min(kernel, last / dilation + 1);
  if (*begin > *end) *begin = *end;
}

HostTensor run_pool(const OpContext& c) {
  const HostTensor& x = c.in(0);
  if (x.shape.size() != 4) c.fail("x must be 4-D");
  Window w = pool_window(c);
  std::vector<int64_t> out_shape = pool_output_shape(c);
  int64_t height = x.shape[2], width = x.shape[3], out_h = out_shape[2], out_w = out_shape[3];
  int64_t planes = x.shape[0] * x.shape[1];
  bool max_pool = c.node.op == "max_pool2d";
  bool include_pad = c.node.get_int("count_include_pad", 1) != 0;
  int64_t divisor = c.node.get_int("divisor", 0);

  std::vector<double> in = to_doubles(x);
  std::vector<double> out(planes * out_h * out_w);
  for (int64_t p = 0; p < planes; ++p) {
    const double* plane = in.data() + p * height * width;
    for (int64_t oh = 0; oh < out_h; ++oh) {
      for (int64_t ow = 0; ow < out_w; ++ow) {
        int64_t h0 = oh * w.stride_h - w.pad_top, w0 = ow * w.stride_w - w.pad_left;
        double result;
        if (max_pool) {
          result = -INFINITY;
          int64_t kh_begin, kh_end, kw_begin, kw_end;
          taps_inside(h0, w.dilation_h, w.kernel_h, height, &kh_begin, &kh_end);
          taps_inside(w0, w.dilation_w, w.kernel_w, width, &kw_begin, &kw_end);
          for (int64_t kh = kh_begin; kh < kh_end; ++kh) {
            int64_t ih = h0 + kh * w.dilation_h;
            for (int64_t kw = kw_begin; kw < kw_end; ++kw) {
              double v = plane[ih * width + w0 + kw * w.dilation_w];
              if (v > result || std::isnan(v)) result = v;
            }
          }
        } else {
          // As in ATen's avg_pool2d, the count_include_pad divisor counts the
          // window clipped to the padded input, the other divisor the window
          // clipped to the input.
          int64_t h1 = std::min(h0 + w.kernel_h, height + w.pad_bottom);
          int64_t w1 = std::min(w0 + w.kernel_w, width + w.pad_right);
          int64_t padded_count = (h1 - h0) * (w1 - w0);
          int64_t hs = std::max<int64_t>(h0, 0), ws = std::max<int64_t>(w0, 0);
          int64_t he = std::min(h1, height), we = std::min(w1, width);
          double sum = 0;
          for (int64_t ih = hs; ih < he; ++ih) {
            for (int64_t iw = ws; iw < we; ++iw) sum += plane[ih * width + iw];
          }
          int64_t count = divisor != 0 ? divisor : (include_pad ? padded_count : (he - hs) * (we - ws));
          result = sum / static_cast<double>(count);
        }
        out[(p * out_h + oh) * out_w + ow] = result;
      }
    }
  }
  return from_doubles(x.dtype, out_shape, out);
}

HostTensor run_adaptive_pool(const OpContext& c) {
  const HostTensor& x = c.in(0);
  std::vector<int64_t> out_shape = c.declared_output_shape();
  if (x.shape.size() != 4 || out_shape.size() != 4) c.fail("x and output must be 4-D");
  int64_t height = x.shape[2], width = x.shape[3], out_h = out_shape[2], out_w = out_shape[3];
  if (out_h < 1 || out_w < 1) c.fail("output size must be >= 1");
  int64_t planes = x.shape[0] * x.shape[1];
  bool max_pool = c.node.op == "adaptive_max_pool2d";

  std::vector<double> in = to_doubles(x);
  std::vector<double> out(planes * out_h * out_w);
  for (int64_t p = 0; p < planes; ++p) {
    const double* plane = in.data() + p * height * width;
    for (int64_t oh = 0; oh < out_h; ++oh) {
      int64_t hs = (oh * height) / out_h;                        // floor
      int64_t he = ((oh + 1) * height + out_h - 1) / out_h;      // ceil
      for (int64_t ow = 0; ow < out_w; ++ow) {
        int64_t ws = (ow * width) / out_w;
        int64_t we = ((ow + 1) * width + out_w - 1) / out_w;
        double result = max_pool ? -INFINITY : 0.0;
        for (int64_t ih = hs; ih < he; ++ih) {
          for (int64_t iw = ws; iw < we; ++iw) {
            double v = plane[ih * width + iw];
            if (!max_pool) {
              result += v;
            } else if (v > result || std::isnan(v)) {
              result = v;
            }
          }
        }
        if (!max_pool) result /= static_cast<double>((he - hs) * (we - ws));
        out[(p * out_h + oh) * out_w + ow] = result;
      }
    }
  }
  return from_doubles(x.dtype, out_shape, out);
}

// ATen's compute_scales_value: 1/scale when a scale was given, else in/out.
float scale_value(double scale, int64_t in, int64_t out) {
  return scale > 0 ? static_cast<float>(1.0 / scale) : static_cast<float>(in) / static_cast<float>(out);
}

// The index below `source`, limited to [0, in - 1]. Unusual `scales`
// attributes can make `source` negative, huge or NaN, where a plain cast
// would be undefined behaviour.
int64_t source_index(float source, int64_t in) {
  if (!(source >= 0.0f)) return 0;
  if (source >= static_cast<float>(in - 1)) return in - 1;
  return static_cast<int64_t>(source);
}

// ATen's legacy nearest_idx.
int64_t nearest_index(int64_t dst, int64_t in, int64_t out, double scale) {
  if (out == in) return dst;
  if (out == 2 * in) return dst >> 1;
  float s = scale_value(scale, in, out);
  return source_index(std::floor(static_cast<float>(dst) * s), in);
}

struct LinearTap {
  int64_t index0, index1;
  double lambda0, lambda1;
};

// ATen's area_pixel_compute_scale and area_pixel_compute_source_index in
// float, negative source positions clamped to 0.
LinearTap linear_tap(int64_t dst, int64_t in, int64_t out, bool align_corners, double scale) {
  float s;
  if (align_corners) {
    s = out > 1 ? static_cast<float>(in - 1) / static_cast<float>(out - 1) : 0.0f;
  } else {
    s = scale_value(scale, in, out);
  }
  float source = align_corners ? s * static_cast<float>(dst)
                               : std::max(s * (static_cast<float>(dst) + 0.5f) - 0.5f, 0.0f);
  int64_t index0 = source_index(source, in);
  float lambda1 = source - static_cast<float>(index0);
  int64_t index1 = index0 + (index0 < in - 1 ? 1 : 0);
  return {index0, index1, 1.0f - lambda1, lambda1};
}

HostTensor run_resize(const OpContext& c) {
  const HostTensor& x = c.in(0);
  std::vector<int64_t> out_shape = c.declared_output_shape();
  if (x.shape.size() != 4 || out_shape.size() != 4) c.fail("x and output must be 4-D");
  int64_t height = x.shape[2], width = x.shape[3], out_h = out_shape[2], out_w = out_shape[3];
  int64_t planes = x.shape[0] * x.shape[1];
  std::string mode = c.node.get_string("mode", "nearest");
  bool align_corners = c.node.get_int("align_corners", 0) != 0;
  std::vector<double> scales = {0, 0};
  if (c.node.has("scales")) {
    auto* list = std::get_if<std::vector<double>>(&c.node.attributes.at("scales"));
    if (!list || list->size() != 2) c.fail("attribute scales must be 2 floats");
    scales = *list;
  }
  if (mode != "nearest" && mode != "bilinear") c.fail("unknown mode '" + mode + "'");
  if ((height == 0 || width == 0) && out_h * out_w > 0) c.fail("cannot resize an empty input to a non-empty output");

  std::vector<double> in = to_doubles(x);
  std::vector<double> out(planes * out_h * out_w);
  for (int64_t p = 0; p < planes; ++p) {
    const double* plane = in.data() + p * height * width;
    for (int64_t oh = 0; oh < out_h; ++oh) {
      for (int64_t ow = 0; ow < out_w; ++ow) {
        double result;
        if (mode == "nearest") {
          result = plane[nearest_index(oh, height, out_h, scales[0]) * width + nearest_index(ow, width, out_w, scales[1])];
        } else {
          LinearTap th = linear_tap(oh, height, out_h, align_corners, scales[0]);
          LinearTap tw = linear_tap(ow, width, out_w, align_corners, scales[1]);
          result = th.lambda0 * (tw.lambda0 * plane[th.index0 * width + tw.index0] + tw.lambda1 * plane[th.index0 * width + tw.index1]) +
                   th.lambda1 * (tw.lambda0 * plane[th.index1 * width + tw.index0] + tw.lambda1 * plane[th.index1 * width + tw.index1]);
        }
        out[(p * out_h + oh) * out_w + ow] = result;
      }
    }
  }
  return from_doubles(x.dtype, out_shape, out);
}

}  // namespace

HostTensor run_nn(const OpContext& c) {
  const std::string& op = c.node.op;
  if (!is_float_dtype(c.in(0).dtype)) c.fail(std::string("needs a float input, got ") + dtype_name(c.in(0).dtype));
  if (op == "batch_norm") return run_batch_norm(c);
  if (op == "layer_norm") return run_layer_norm(c);
  if (op == "softmax" || op == "log_softmax") return run_softmax(c);
  if (op == "adaptive_avg_pool2d" || op == "adaptive_max_pool2d") return run_adaptive_pool(c);
  if (op == "resize") return run_resize(c);
  return run_pool(c);
}

}  // namespace npujar::ir::reference
