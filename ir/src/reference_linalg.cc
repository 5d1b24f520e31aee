// matmul, linear and conv2d with their fusion marks. Sums accumulate in
// double. The result is rounded to the output dtype after the bias, after
// the residual and after the activation, where the unfused graph rounds.
#include <cmath>

#include "reference_kernels.h"

namespace npujar::ir::reference {

namespace {

// c[m][n] += sum_k a[m][k] * b[k][n], row-major. The inner loop runs over
// contiguous n so that it vectorizes without reassociating any sum.
void gemm_accumulate(const double* a, const double* b, double* c, int64_t m_count, int64_t k_count,
                     int64_t n_count) {
  for (int64_t m = 0; m < m_count; ++m) {
    double* c_row = c + m * n_count;
    for (int64_t k = 0; k < k_count; ++k) {
      double a_mk = a[m * k_count + k];
      const double* b_row = b + k * n_count;
      for (int64_t n = 0; n < n_count; ++n) c_row[n] += a_mk * b_row[n];
    }
  }
}

// Adds the residual (input 3) and applies the fused activation in place.
void apply_epilogue(const OpContext& c, DType dtype, std::vector<double>& values) {
  Activation activation = Activation::from_node(c);
  std::vector<double> residual;
  if (c.has(3)) {
    residual = to_doubles(c.in(3));
    if (residual.size() != values.size()) c.fail("residual has " + std::to_string(residual.size()) + " elements, expected " + std::to_string(values.size()));
  }
  if (residual.empty() && activation.name.empty()) return;
  for (size_t i = 0; i < values.size(); ++i) {
    double v = values[i];
    if (!residual.empty()) v = round_to(dtype, v) + residual[i];
    if (!activation.name.empty()) v = activation.apply(round_to(dtype, v));
    values[i] = v;
  }
}

// Adds a bias over the last dim (matmul, linear).
void add_row_bias(const OpContext& c, std::vector<double>& values, int64_t n_count) {
  if (!c.has(2)) return;
  std::vector<double> bias = to_doubles(c.in(2));
  if (static_cast<int64_t>(bias.size()) != n_count) c.fail("bias has " + std::to_string(bias.size()) + " elements, expected " + std::to_string(n_count));
  for (size_t i = 0; i < values.size(); ++i) values[i] += bias[i % n_count];
}

HostTensor run_matmul(const OpContext& c) {
  const HostTensor& a = c.in(0);
  const HostTensor& b = c.in(1);
  if (a.shape.empty() || b.shape.empty()) c.fail("operands must have rank >= 1");
  std::vector<int64_t> a_shape = a.shape, b_shape = b.shape;
  bool a_vector = a_shape.size() == 1, b_vector = b_shape.size() == 1;
  if (a_vector) a_shape.insert(a_shape.begin(), 1);
  if (b_vector) b_shape.push_back(1);
  int64_t m_count = a_shape[a_shape.size() - 2], k_count = a_shape.back();
  int64_t n_count = b_shape.back();
  if (b_shape[b_shape.size() - 2] != k_count) {
    c.fail("contraction extents differ: " + std::to_string(k_count) + " and " + std::to_string(b_shape[b_shape.size() - 2]));
  }

  std::vector<int64_t> a_batch(a_shape.begin(), a_shape.end() - 2), b_batch(b_shape.begin(), b_shape.end() - 2);
  std::vector<int64_t> batch = broadcast_extents(c, a_batch, b_batch);
  std::vector<int64_t> a_strides = broadcast_strides(a_batch, batch), b_strides = broadcast_strides(b_batch, batch);
  int64_t batch_count = 1;
  for (int64_t extent : batch) batch_count *= extent;

  std::vector<double> va = to_doubles(a), vb = to_doubles(b);
  std::vector<double> out(batch_count * m_count * n_count, 0.0);
  std::vector<int64_t> index(batch.size(), 0);
  for (int64_t i = 0; i < batch_count; ++i) {
    int64_t a_offset = 0, b_offset = 0, rest = i;
    for (size_t d = batch.size(); d-- > 0;) {
      int64_t coordinate = rest % batch[d];
      rest /= batch[d];
      a_offset += coordinate * a_strides[d];
      b_offset += coordinate * b_strides[d];
    }
    gemm_accumulate(va.data() + a_offset * m_count * k_count, vb.data() + b_offset * k_count * n_count,
                    out.data() + i * m_count * n_count, m_count, k_count, n_count);
  }

  std::vector<int64_t> shape = batch;
  if (!a_vector) shape.push_back(m_count);
  if (!b_vector) shape.push_back(n_count);
  add_row_bias(c, out, b_vector ? 1 : n_count);
  apply_epilogue(c, a.dtype, out);
  return from_doubles(a.dtype, shape, out);
}

HostTensor run_linear(const OpContext& c) {
  const HostTensor& x = c.in(0);
  const HostTensor& weight = c.in(1);
  if (x.shape.empty() || weight.shape.size() != 2 || weight.shape[1] != x.shape.back()) {
    c.fail("x's last extent must equal the weight's in_features");
  }
  int64_t in_features = weight.shape[1], out_features = weight.shape[0];
  int64_t rows = in_features == 0 ? 0 : x.numel() / in_features;

  std::vector<double> vx = to_doubles(x), vw = to_doubles(weight);
  std::vector<double> transposed(in_features * out_features);
  for (int64_t o = 0; o < out_features; ++o) {
    for (int64_t i = 0; i < in_features; ++i) transposed[i * out_features + o] = vw[o * in_features + i];
  }
  std::vector<double> out(rows * out_features, 0.0);
  gemm_accumulate(vx.data(), transposed.data(), out.data(), rows, in_features, out_features);

  std::vector<int64_t> shape = x.shape;
  shape.back() = out_features;
  add_row_bias(c, out, out_features);
  apply_epilogue(c, x.dtype, out);
  return from_doubles(x.dtype, shape, out);
}

struct ConvGeometry {
  int64_t batch, in_channels, height, width;
  int64_t out_channels, group_in, kernel_h, kernel_w;
  int64_t groups, stride_h, stride_w, pad_top, pad_left, pad_bottom, pad_right, dilation_h, dilation_w;
  int64_t out_h, out_w;
};

ConvGeometry conv_geometry(const OpContext& c) {
  const HostTensor& x = c.in(0);
  const HostTensor& w = c.in(1);
  if (x.shape.size() != 4 || w.shape.size() != 4) c.fail("x and weight must be 4-D");
  auto ints = [&](const char* key, std::vector<int64_t> fallback) {
    std::vector<int64_t> values = c.node.get_ints(key);
    if (values.empty()) values = fallback;
    if (values.size() != fallback.size()) c.fail(std::string("attribute ") + key + " has the wrong length");
    return values;
  };
  auto strides = ints("strides", {1, 1});
  auto pads = ints("pads", {0, 0, 0, 0});
  auto dilations = ints("dilations", {1, 1});
  ConvGeometry g{x.shape[0], x.shape[1], x.shape[2], x.shape[3], w.shape[0], w.shape[1], w.shape[2], w.shape[3],
                 c.node.get_int("groups", 1), strides[0], strides[1], pads[0], pads[1], pads[2], pads[3],
                 dilations[0], dilations[1], 0, 0};
  if (g.groups < 1 || g.in_channels != g.group_in * g.groups || g.out_channels % g.groups != 0) {
    c.fail("channels " + std::to_string(g.in_channels) + " and weight " + std::to_string(g.out_channels) + "x" +
           std::to_string(g.group_in) + " do not match groups " + std::to_string(g.groups));
  }
  if (g.stride_h < 1 || g.stride_w < 1 || g.dilation_h < 1 || g.dilation_w < 1) c.fail("strides and dilations must be >= 1");
  g.out_h = (g.height + g.pad_top + g.pad_bottom - g.dilation_h * (g.kernel_h - 1) - 1) / g.stride_h + 1;
  g.out_w = (g.width + g.pad_left + g.pad_right - g.dilation_w * (g.kernel_w - 1) - 1) / g.stride_w + 1;
  if (g.out_h < 1 || g.out_w < 1) c.fail("kernel is larger than the padded input");
  return g;
}

// First and one-past-last output column whose input column
// ow * stride - pad + offset lies inside [0, width).
void valid_range(int64_t offset, int64_t stride, int64_t pad, int64_t width, int64_t out_w, int64_t* begin,
                 int64_t* end) {
  int64_t shift = pad - offset;  // iw = ow * stride - shift
  *begin = shift <= 0 ? 0 : (shift + stride - 1) / stride;
  int64_t last = width - 1 + shift;  // ow * stride <= last
  *end = last < 0 ? 0 : std::min(out_w, last / stride + 1);
  if (*begin > *end) *begin = *end;
}

HostTensor run_conv2d(const OpContext& c) {
  ConvGeometry g = conv_geometry(c);
  std::vector<double> x = to_doubles(c.in(0)), w = to_doubles(c.in(1));
  std::vector<double> bias = c.has(2) ? to_doubles(c.in(2)) : std::vector<double>(g.out_channels, 0.0);
  if (static_cast<int64_t>(bias.size()) != g.out_channels) c.fail("bias must have one element per output channel");

  int64_t plane = g.out_h * g.out_w;
  int64_t group_out = g.out_channels / g.groups;
  std::vector<double> out(g.batch * g.out_channels * plane, 0.0);
  for (int64_t n = 0; n < g.batch; ++n) {
    for (int64_t o = 0; o < g.out_channels; ++o) {
      double* acc = out.data() + (n * g.out_channels + o) * plane;
      int64_t first_channel = (o / group_out) * g.group_in;
      for (int64_t ci = 0; ci < g.group_in; ++ci) {
        const double* in_plane = x.data() + (n * g.in_channels + first_channel + ci) * g.height * g.width;
        for (int64_t kh = 0; kh < g.kernel_h; ++kh) {
          for (int64_t kw = 0; kw < g.kernel_w; ++kw) {
            double weight = w[((o * g.group_in + ci) * g.kernel_h + kh) * g.kernel_w + kw];
            int64_t ow_begin, ow_end;
            valid_range(kw * g.dilation_w, g.stride_w, g.pad_left, g.width, g.out_w, &ow_begin, &ow_end);
            for (int64_t oh = 0; oh < g.out_h; ++oh) {
              int64_t ih = oh * g.stride_h - g.pad_top + kh * g.dilation_h;
              if (ih < 0 || ih >= g.height) continue;
              const double* in_row = in_plane + ih * g.width;
              int64_t column_offset = kw * g.dilation_w - g.pad_left;
              double* acc_row = acc + oh * g.out_w;
              for (int64_t ow = ow_begin; ow < ow_end; ++ow) {
                acc_row[ow] += weight * in_row[ow * g.stride_w + column_offset];
              }
            }
          }
        }
      }
      for (int64_t i = 0; i < plane; ++i) acc[i] += bias[o];
    }
  }
  apply_epilogue(c, c.in(0).dtype, out);
  return from_doubles(c.in(0).dtype, {g.batch, g.out_channels, g.out_h, g.out_w}, out);
}

}  // namespace

HostTensor run_linalg(const OpContext& c) {
  if (c.node.op == "matmul") return run_matmul(c);
  if (c.node.op == "linear") return run_linear(c);
  return run_conv2d(c);
}

}  // namespace npujar::ir::reference
