// 2-D convolution on NCHW tensors.
//
// Regular and grouped convolutions are GEMMs per image and group with
// M = OH*OW output pixels, N = O/groups output channels and
// K = (C/groups)*KH*KW: the weight is the pre-packed B, and A is the im2col
// matrix, which is never written out: the GEMM packs its A tiles straight
// from the input (implicit GEMM). A 1x1 stride-1 unpadded convolution's A
// is the input plane itself, column-major [C][H*W]. C is the NCHW output,
// written with stride_cm = 1 and stride_cn = OH*OW, and the fused epilogue
// runs in the GEMM's store.
//
// 3x3 stride-1 convolutions with at least 32 input and output channels use
// Winograd F(2x2, 3x3) instead (winograd.cc). Depthwise convolutions (one
// input channel per group) have too little reuse for a GEMM and get their
// own vector kernel.
#include "gemm.h"
#include "winograd.h"

namespace npk {
namespace {

bool is_depthwise(const npk_conv2d_params& p) {
  return p.groups > 1 && p.groups == p.in_channels && p.out_channels % p.groups == 0;
}

bool is_pointwise(const npk_conv2d_params& p) {
  return p.kernel_h == 1 && p.kernel_w == 1 && p.stride_h == 1 && p.stride_w == 1 &&
         p.pad_top == 0 && p.pad_left == 0 && p.pad_bottom == 0 && p.pad_right == 0;
}

// Ungrouped expanding 1x1 convolutions over enough pixels run transposed,
// as y[O][P] = weight[O][C] @ x[C][P]: the input is packed as the GEMM B
// (a copy of contiguous rows), the weight is a row-major A and the NCHW
// output a row-major C. That avoids packing the input as a column-major A
// and storing C column-major, but writes and rereads the packed input, so
// it pays only when O is large against C. Measured with clang-15 on Zen 4
// (CPU time, one thread): 64->256 channels at 56x56 went from 95 to 108
// GFLOP/s, while 256->64 dropped from 95 to 81. Pixel counts that pad badly
// to 32- or 64-column tiles (49, 196) keep the other orientation.
bool is_pointwise_transposed(const npk_conv2d_params& p) {
  const int64_t pixels = p.out_h * p.out_w;
  return is_pointwise(p) && p.groups == 1 && p.out_channels >= 2 * p.in_channels &&
         (pixels % 64 == 0 || pixels >= 512);
}

int64_t group_k(const npk_conv2d_params& p) {
  return p.in_channels / p.groups * p.kernel_h * p.kernel_w;
}

int64_t group_packed_floats(const npk_conv2d_params& p) {
  return npk_gemm_packed_b_size(group_k(p), p.out_channels / p.groups) / 4;
}

// Depthwise convolution, one output plane per task. The input plane (or,
// for large planes, the KH input rows of each output row) is copied into a
// zero-padded stack buffer, so that every output column is computed without
// bounds checks, a full vector (or
// 4 lanes for narrow rows) at a time for unit stride; 3x3 and 5x5 kernels
// get unrolled instances. Rows wider than the buffer fall back to checking
// every tap.
constexpr int64_t kDepthwiseBufferFloats = 8192;

struct DepthwisePlane {
  const npk_conv2d_params& p;
  const float* in;  // input plane [H][W]
  const float* w;   // weights [KH][KW]
  float bias;

  float checked_pixel(int64_t oh, int64_t ow) const {
    float sum = bias;
    for (int64_t kh = 0; kh < p.kernel_h; ++kh) {
      const int64_t ih = oh * p.stride_h - p.pad_top + kh * p.dilation_h;
      if (ih < 0 || ih >= p.in_h) continue;
      for (int64_t kw = 0; kw < p.kernel_w; ++kw) {
        const int64_t iw = ow * p.stride_w - p.pad_left + kw * p.dilation_w;
        if (iw >= 0 && iw < p.in_w) sum += w[kh * p.kernel_w + kw] * in[ih * p.in_w + iw];
      }
    }
    return sum;
  }

  // Sum over the taps of output column ow (lanes ow .. ow+lanes-1 for a
  // vector type V). Compilers unroll the tap loops fully for the constant
  // 3x3 and 5x5 extents without a pragma, which would fail to apply to the
  // runtime extents of the generic instance. rows points at the padded row
  // under kh = 0 and kh_pitch floats between kernel rows. KH and KW are the kernel
  // extents when known at compile time (dilation 1), else 0.
  template <int KH, int KW, typename V>
  V window(const float* rows, int64_t kh_pitch, int64_t ow) const {
    const int64_t kernel_h = KH > 0 ? KH : p.kernel_h;
    const int64_t kernel_w = KW > 0 ? KW : p.kernel_w;
    const int64_t dilation_w = KW > 0 ? 1 : p.dilation_w;
    V sum = V{} + bias;
    for (int64_t kh = 0; kh < kernel_h; ++kh) {
      const float* row = rows + kh * kh_pitch + ow;
        for (int64_t kw = 0; kw < kernel_w; ++kw) {
        V v;
        __builtin_memcpy(&v, row + kw * dilation_w, sizeof v);
        sum += w[kh * kernel_w + kw] * v;
      }
    }
    return sum;
  }

  template <int KH, int KW>
  float strided_pixel(const float* rows, int64_t kh_pitch, int64_t ow) const {
    const int64_t kernel_h = KH > 0 ? KH : p.kernel_h;
    const int64_t kernel_w = KW > 0 ? KW : p.kernel_w;
    const int64_t dilation_w = KW > 0 ? 1 : p.dilation_w;
    float sum = bias;
    for (int64_t kh = 0; kh < kernel_h; ++kh) {
      const float* row = rows + kh * kh_pitch + ow * p.stride_w;
        for (int64_t kw = 0; kw < kernel_w; ++kw) sum += w[kh * kernel_w + kw] * row[kw * dilation_w];
    }
    return sum;
  }

  // Stores windows of V's width over [0, out_w), the last one overlapping
  // its predecessor instead of leaving a scalar tail. Needs out_w >= lanes.
  template <int KH, int KW, typename V>
  void vector_row(const float* rows, int64_t kh_pitch, float* out_row) const {
    constexpr int64_t lanes = sizeof(V) / sizeof(float);
    int64_t ow = 0;
    for (; ow + lanes <= p.out_w; ow += lanes) {
      V v = window<KH, KW, V>(rows, kh_pitch, ow);
      __builtin_memcpy(out_row + ow, &v, sizeof v);
    }
    if (ow < p.out_w) {
      V v = window<KH, KW, V>(rows, kh_pitch, p.out_w - lanes);
      __builtin_memcpy(out_row + p.out_w - lanes, &v, sizeof v);
    }
  }

  template <int KH, int KW>
  void padded_row(const float* rows, int64_t kh_pitch, float* out_row) const {
    if (p.stride_w == 1 && p.out_w >= kLanes) return vector_row<KH, KW, vf>(rows, kh_pitch, out_row);
    if (p.stride_w == 1 && p.out_w >= 4) return vector_row<KH, KW, v4>(rows, kh_pitch, out_row);
    for (int64_t ow = 0; ow < p.out_w; ++ow) out_row[ow] = strided_pixel<KH, KW>(rows, kh_pitch, ow);
  }

  // Writes padded row dst for input row ih: pad_left zeros, the input row,
  // then zeros up to row_pitch; all zeros when ih is outside the input.
  void fill_padded_row(int64_t ih, float* dst, int64_t row_pitch) const {
    if (ih < 0 || ih >= p.in_h) {
      for (int64_t i = 0; i < row_pitch; ++i) dst[i] = 0.0f;
      return;
    }
    for (int64_t i = 0; i < p.pad_left; ++i) dst[i] = 0.0f;
    const float* src = in + ih * p.in_w;
    float* body = dst + p.pad_left;
    int64_t i = 0;
    for (; i + kLanes <= p.in_w; i += kLanes) store(body + i, load(src + i));
    for (; i + 4 <= p.in_w; i += 4) {
      v4 v;
      __builtin_memcpy(&v, src + i, sizeof v);
      __builtin_memcpy(body + i, &v, sizeof v);
    }
    for (; i < p.in_w; ++i) body[i] = src[i];
    for (i = p.pad_left + p.in_w; i < row_pitch; ++i) dst[i] = 0.0f;
  }

  // Computes one output row from padded rows (see window()).
  void padded_output_row(const float* rows, int64_t kh_pitch, float* out_row) const {
    const bool unit_dilation = p.dilation_h == 1 && p.dilation_w == 1;
    if (unit_dilation && p.kernel_h == 3 && p.kernel_w == 3) {
      return padded_row<3, 3>(rows, kh_pitch, out_row);
    }
    if (unit_dilation && p.kernel_h == 5 && p.kernel_w == 5) {
      return padded_row<5, 5>(rows, kh_pitch, out_row);
    }
    padded_row<0, 0>(rows, kh_pitch, out_row);
  }
};

void depthwise(const npujar_model_args* ctx, const npk_conv2d_params& p, const float* x,
               const float* weight, const float* bias, const float* residual,
               const Activation& activation, float* y) {
  const int64_t multiplier = p.out_channels / p.in_channels;
  const int64_t kernel_area = p.kernel_h * p.kernel_w;
  const int64_t out_pixels = p.out_h * p.out_w;

  // A padded row covers every column a window can read, plus kLanes of
  // slack for vector loads at the right edge. The whole padded plane is
  // built once when it fits the buffer, else the KH rows of each output row.
  const int64_t reach = (p.out_w - 1) * p.stride_w + (p.kernel_w - 1) * p.dilation_w + 1;
  const int64_t row_pitch = max64(reach, p.pad_left + p.in_w) + kLanes;
  const int64_t plane_rows = (p.out_h - 1) * p.stride_h + (p.kernel_h - 1) * p.dilation_h + 1;
  const bool whole_plane = plane_rows * row_pitch <= kDepthwiseBufferFloats;
  const bool row_buffer = row_pitch * p.kernel_h <= kDepthwiseBufferFloats;

  auto body = [&](int64_t begin, int64_t end) {
    alignas(64) float buffer[kDepthwiseBufferFloats];
    for (int64_t plane = begin; plane < end; ++plane) {
      const int64_t n = plane / p.out_channels;
      const int64_t o = plane % p.out_channels;
      const DepthwisePlane dw{p, x + (n * p.in_channels + o / multiplier) * p.in_h * p.in_w,
                              weight + o * kernel_area, bias != nullptr ? bias[o] : 0.0f};
      float* out = y + plane * out_pixels;
      if (whole_plane) {
        for (int64_t r = 0; r < plane_rows; ++r) {
          dw.fill_padded_row(r - p.pad_top, buffer + r * row_pitch, row_pitch);
        }
      }

      for (int64_t oh = 0; oh < p.out_h; ++oh) {
        float* out_row = out + oh * p.out_w;
        if (whole_plane) {
          dw.padded_output_row(buffer + oh * p.stride_h * row_pitch, p.dilation_h * row_pitch,
                               out_row);
        } else if (row_buffer) {
          for (int64_t kh = 0; kh < p.kernel_h; ++kh) {
            const int64_t ih = oh * p.stride_h - p.pad_top + kh * p.dilation_h;
            dw.fill_padded_row(ih, buffer + kh * row_pitch, row_pitch);
          }
          dw.padded_output_row(buffer, row_pitch, out_row);
        } else {
          for (int64_t ow = 0; ow < p.out_w; ++ow) out_row[ow] = dw.checked_pixel(oh, ow);
        }
        if (residual != nullptr) {
          const float* residual_row = residual + plane * out_pixels + oh * p.out_w;
          for (int64_t ow = 0; ow < p.out_w; ++ow) out_row[ow] += residual_row[ow];
        }
        activation.apply_row(out_row, p.out_w);
      }
    }
  };
  parallel_for(ctx, p.batch * p.out_channels, body);
}

}  // namespace
}  // namespace npk

extern "C" {

int64_t npk_conv2d_packed_weight_size(const npk_conv2d_params* params) {
  const npk_conv2d_params& p = *params;
  if (npk::is_depthwise(p)) {
    return npk::round_up(p.out_channels * p.kernel_h * p.kernel_w * 4, 64);
  }
  if (npk::winograd_applies(p)) return npk::winograd_packed_weight_bytes(p);
  if (npk::is_pointwise_transposed(p)) return npk::round_up(p.out_channels * p.in_channels * 4, 64);
  return p.groups * npk::group_packed_floats(p) * 4;
}

void npk_conv2d_pack_weight(const npk_conv2d_params* params, const float* weight,
                            float* packed) {
  const npk_conv2d_params& p = *params;
  if (npk::is_depthwise(p)) {
    const int64_t count = p.out_channels * p.kernel_h * p.kernel_w;
    for (int64_t i = 0; i < count; ++i) packed[i] = weight[i];
    return;
  }
  if (npk::winograd_applies(p)) {
    npk::winograd_pack_weight(p, weight, packed);
    return;
  }
  if (npk::is_pointwise_transposed(p)) {
    const int64_t count = p.out_channels * p.in_channels;
    for (int64_t i = 0; i < count; ++i) packed[i] = weight[i];
    return;
  }
  // Group g's B(k, n) is weight[g*Og + n][k] with k over (c, kh, kw).
  const int64_t k = npk::group_k(p);
  const int64_t group_out = p.out_channels / p.groups;
  for (int64_t g = 0; g < p.groups; ++g) {
    npk_gemm_pack_b(k, group_out, weight + g * group_out * k, 1, k,
                    packed + g * npk::group_packed_floats(p));
  }
}

int64_t npk_conv2d_scratch_size(const npk_conv2d_params* params) {
  // Winograd needs its transformed tiles and the transposed 1x1 path its
  // packed input; the other paths pack A from the input.
  const npk_conv2d_params& p = *params;
  if (npk::winograd_applies(p)) return npk::winograd_scratch_bytes(p);
  if (npk::is_pointwise_transposed(p)) {
    return npk_gemm_packed_b_size(p.in_channels, p.out_h * p.out_w);
  }
  return 0;
}

void npk_conv2d(const npujar_model_args* ctx, const npk_conv2d_params* params, const float* x,
                const float* packed_weight, const float* bias, const float* residual,
                int32_t activation, float clamp_min, float clamp_max, float* y, void* scratch) {
  const npk_conv2d_params& p = *params;
  const npk::Activation act{activation, clamp_min, clamp_max};
  if (npk::is_depthwise(p)) {
    npk::depthwise(ctx, p, x, packed_weight, bias, residual, act, y);
    return;
  }
  if (npk::winograd_applies(p)) {
    npk::winograd_conv(ctx, p, x, packed_weight, bias, residual, act, y, scratch);
    return;
  }
  if (npk::is_pointwise_transposed(p)) {
    const int64_t pixels = p.out_h * p.out_w;
    float* packed_x = static_cast<float*>(scratch);
    for (int64_t n = 0; n < p.batch; ++n) {
      const int64_t out_offset = n * p.out_channels * pixels;
      npk::pack_b_parallel(ctx, p.in_channels, pixels, x + n * p.in_channels * pixels, pixels, 1,
                           packed_x);
      npk::gemm_row_bias(ctx, p.out_channels, pixels, p.in_channels, packed_weight, p.in_channels,
                         1, packed_x, y + out_offset, pixels, 1, bias,
                         residual != nullptr ? residual + out_offset : nullptr, act);
    }
    return;
  }

  const int64_t pixels = p.out_h * p.out_w;
  const int64_t group_in = p.in_channels / p.groups;
  const int64_t group_out = p.out_channels / p.groups;
  const int64_t k = npk::group_k(p);
  const bool pointwise = npk::is_pointwise(p);

  for (int64_t n = 0; n < p.batch; ++n) {
    for (int64_t g = 0; g < p.groups; ++g) {
      const float* x_group = x + (n * p.in_channels + g * group_in) * p.in_h * p.in_w;
      const int64_t out_offset = (n * p.out_channels + g * group_out) * pixels;
      const float* packed_group = packed_weight + g * npk::group_packed_floats(p);
      const float* bias_group = bias != nullptr ? bias + g * group_out : nullptr;
      const float* residual_group = residual != nullptr ? residual + out_offset : nullptr;
      if (pointwise) {
        // The input plane is already the column-major [C][H*W] A.
        npk::gemm_packed(ctx, pixels, group_out, k, x_group, 1, pixels, packed_group,
                         y + out_offset, 1, pixels, bias_group, residual_group, act);
      } else {
        const npk::ConvGeometry conv{x_group,    p.in_h,     p.in_w,     p.out_w,
                                     p.kernel_h, p.kernel_w, p.stride_h, p.stride_w,
                                     p.pad_top,  p.pad_left, p.dilation_h, p.dilation_w};
        npk::gemm_conv(ctx, pixels, group_out, k, conv, packed_group, y + out_offset, 1, pixels,
                       bias_group, residual_group, act);
      }
    }
  }
}

}  // extern "C"
