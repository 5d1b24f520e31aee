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
// own vector kernel. Ungrouped convolutions with at most 4 input channels
// (network stems) run as direct convolutions (conv_direct.cc) on the same
// packed weight.
#include "conv_direct.h"
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

// Channel-blocked depthwise convolution. A task takes kLanes output
// channels of one image and a band of output rows (see DepthwiseBlockPlan).
// It transposes the band's input rows of those channels into a zero-padded
// stack buffer laid out as [rows][padded_w][kLanes]. Every tap of every output pixel is then one
// vector FMA over the kLanes channels, whatever the plane width, stride or
// dilation. The [rows][out_w][kLanes] result is transposed back into the
// kLanes NCHW output planes, with the residual and the activation applied
// on the way. The bias is the accumulators' initial value.
//
// Both transpositions treat a plane as a flat [H*W] array: a tile of
// kLanes consecutive pixels of kLanes channels is kLanes vector loads, one
// in-register transposition and kLanes vector stores, so rows narrower than
// a vector cost nothing extra.
constexpr int64_t kDepthwiseBlockFloats = 16384;  // 64 KiB of stack per task

// Transposes the kLanes x kLanes matrix in rows[] in place. Interleaving
// row i with row i + kLanes/2 maps element (r, c) to row (r << 1 | top bit
// of c) and column (c << 1 | top bit of r), both modulo kLanes, so
// log2(kLanes) rounds swap the row and column indices.
inline void transpose_lanes(vf* rows) {
  constexpr int half = kLanes / 2;
  NPK_UNROLL
  for (int round = 1; round < kLanes; round *= 2) {
    vf next[kLanes];
    NPK_UNROLL
    for (int i = 0; i < half; ++i) {
      next[2 * i] = interleave_low(rows[i], rows[i + half]);
      next[2 * i + 1] = interleave_high(rows[i], rows[i + half]);
    }
    NPK_UNROLL
    for (int i = 0; i < kLanes; ++i) rows[i] = next[i];
  }
}

// Copies count < kLanes floats in pieces of 8, 4, 2 and 1, which compile to
// a few moves where a copy of variable length becomes a memcpy call or a
// slow rep movs.
inline void copy_short(float* dst, const float* src, int64_t count) {
  int64_t i = 0;
  if (kLanes > 8 && (count & 8) != 0) {
    __builtin_memcpy(dst, src, 8 * sizeof(float));
    i += 8;
  }
  if (kLanes > 4 && (count & 4) != 0) {
    __builtin_memcpy(dst + i, src + i, 4 * sizeof(float));
    i += 4;
  }
  if ((count & 2) != 0) {
    __builtin_memcpy(dst + i, src + i, 2 * sizeof(float));
    i += 2;
  }
  if ((count & 1) != 0) dst[i] = src[i];
}

// Loads count < kLanes floats into the low lanes of a vector, zeros above.
inline vf load_partial(const float* src, int64_t count) {
  float lanes[kLanes] = {};
  copy_short(lanes, src, count);
  return load(lanes);
}

inline void store_partial(float* dst, vf v, int64_t count) {
  float lanes[kLanes];
  store(lanes, v);
  copy_short(dst, lanes, count);
}

// Applies the activation, with ReLU and clamp inlined because
// Activation::apply is an out-of-line call per vector.
template <int32_t kind>
inline vf activate(const Activation& activation, vf v) {
  if constexpr (kind == NPK_ACTIVATION_NONE) {
    return v;
  } else if constexpr (kind == NPK_ACTIVATION_RELU) {
    return vmax(v, splat(0.0f));
  } else if constexpr (kind == NPK_ACTIVATION_CLAMP) {
    return vmin(vmax(v, splat(activation.clamp_min)), splat(activation.clamp_max));
  } else {
    return activation.apply(v);
  }
}

// Transposes elements begin .. end-1 of the kLanes arrays sources[] into
// vectors: element e of every array goes to one vector at dst, and dst
// advances by kLanes floats per element plus skip floats after every
// width-th element (counted from begin). Tiles load kLanes elements of
// each array and may read past end. That is safe while they stay below
// limit, the end of the memory that the arrays lie in. sources[kLanes-1]
// must be the highest array.
inline void transpose_into_lanes(const float* const* sources, int64_t begin, int64_t end,
                                 const float* limit, int64_t width, int64_t skip, float* dst) {
  int64_t column = 0;
  for (int64_t e = begin; e < end; e += kLanes) {
    vf tile[kLanes];
    if (sources[kLanes - 1] + e + kLanes <= limit) {
      NPK_UNROLL
      for (int l = 0; l < kLanes; ++l) tile[l] = load(sources[l] + e);
    } else {
      for (int l = 0; l < kLanes; ++l) {
        const int64_t available = limit - (sources[l] + e);
        const float* at = sources[l] + e;
        tile[l] = available >= kLanes ? load(at) : load_partial(at, available);
      }
    }
    transpose_lanes(tile);

    const int64_t count = min64(kLanes, end - e);
    for (int64_t i = 0; i < count; ++i) {
      store(dst, tile[i]);
      dst += kLanes;
      if (++column == width) {
        column = 0;
        dst += skip;
      }
    }
  }
}

// The split of the channel-blocked path into tasks. A task stores a range of
// band_pixels flat output pixels and computes the output rows that the
// range touches. Ranges start at multiples of step, which is a multiple of
// kLanes, so that only the plane's last tile is partial. Where it fits,
// step is also a multiple of out_w, so that no two tasks compute the same
// row. The task's stack buffer contains the taps [KH*KW][kLanes], the
// padded input rows [in_rows][padded_w][kLanes] and the output rows
// [rows][out_w][kLanes].
struct DepthwiseBlockPlan {
  const npk_conv2d_params& p;
  int64_t padded_w = 0;     // buffer columns per input row, pads included
  int64_t step = 0;         // pixels; band_pixels is a multiple of it
  int64_t band_pixels = 0;  // output pixels per task
  int64_t bands = 0;        // tasks per image and channel block

  int64_t in_rows(int64_t out_rows) const {
    return (out_rows - 1) * p.stride_h + (p.kernel_h - 1) * p.dilation_h + 1;
  }

  // Output rows that a range of pixels starting at a multiple of step can
  // touch: one more when it may start mid-row.
  int64_t max_rows(int64_t pixels) const {
    if (step % p.out_w == 0) return min64(p.out_h, ceil_div(pixels, p.out_w));
    return min64(p.out_h, (pixels - 1) / p.out_w + 2);
  }

  int64_t buffer_floats(int64_t out_rows) const {
    const int64_t taps = p.kernel_h * p.kernel_w;
    return (taps + in_rows(out_rows) * padded_w + out_rows * p.out_w) * kLanes;
  }

  // Sizes the bands. With any_start, bands may start at any multiple of
  // kLanes, as the per-thread segments of the plane do. Returns false when
  // kLanes output pixels do not fit the buffer (very wide planes or large
  // kernels).
  bool fit(bool any_start) {
    const int64_t reach = (p.out_w - 1) * p.stride_w + (p.kernel_w - 1) * p.dilation_w + 1;
    padded_w = max64(reach, p.pad_left + p.in_w);
    int64_t divisor = kLanes;
    while (p.out_w % divisor != 0) divisor /= 2;
    step = any_start ? kLanes : p.out_w / divisor * kLanes;  // the least common multiple
    if (buffer_floats(max_rows(step)) > kDepthwiseBlockFloats) step = kLanes;
    if (buffer_floats(max_rows(step)) > kDepthwiseBlockFloats) return false;

    const int64_t plane = p.out_h * p.out_w;
    int64_t pixels = step;
    while (pixels < plane && buffer_floats(max_rows(pixels + step)) <= kDepthwiseBlockFloats) {
      pixels += step;
    }
    bands = ceil_div(plane, pixels);
    band_pixels = round_up(ceil_div(plane, bands), step);
    return true;
  }
};

// Sums the taps of count adjacent output pixels, starting at column 0 of
// in (the padded input under tap (0, 0)), into out[count][kLanes]. KH and
// KW are the kernel extents and S the stride (with dilation 1 along the
// row) when fixed at compile time, else 0. Fixed extents read the taps
// from the caller's local array fixed_taps, which (with the constant
// pitches) keeps clang 15 from reloading taps and pitches from the stack
// for every FMA; runtime extents read tap_floats [taps][kLanes].
template <int KH, int KW, int S, int count>
inline void block_pixels(const float* in, int64_t kh_pitch, int64_t kw_pitch, int64_t pixel_pitch,
                         int64_t kernel_h, int64_t kernel_w, const vf* fixed_taps,
                         const float* tap_floats, vf bias, float* out) {
  const int64_t extent_h = KH > 0 ? KH : kernel_h;
  const int64_t extent_w = KW > 0 ? KW : kernel_w;
  const int64_t tap_pitch = S > 0 ? kLanes : kw_pitch;
  const int64_t step = S > 0 ? S * kLanes : pixel_pitch;
  vf sum[count];
  NPK_UNROLL
  for (int j = 0; j < count; ++j) sum[j] = bias;
  for (int64_t kh = 0; kh < extent_h; ++kh) {
    const float* row = in + kh * kh_pitch;
    for (int64_t kw = 0; kw < extent_w; ++kw) {
      const int64_t t = kh * extent_w + kw;
      const vf w = KH * KW > 0 ? fixed_taps[t] : load(tap_floats + t * kLanes);
      NPK_UNROLL
      for (int j = 0; j < count; ++j) sum[j] += w * load(row + kw * tap_pitch + j * step);
    }
  }
  NPK_UNROLL
  for (int j = 0; j < count; ++j) store(out + j * kLanes, sum[j]);
}

// Computes out_rows output rows from the padded input rows, four pixels at
// a time so that the FMA chains of neighbouring pixels overlap.
template <int KH, int KW, int S>
void block_rows(const npk_conv2d_params& p, const float* band, int64_t padded_w, int64_t out_rows,
                const float* tap_vectors, vf bias, float* out) {
  constexpr int kFixedTaps = KH * KW > 0 ? KH * KW : 1;
  vf fixed_taps[kFixedTaps] = {};
  if (KH * KW > 0) {
    NPK_UNROLL
    for (int t = 0; t < kFixedTaps; ++t) fixed_taps[t] = load(tap_vectors + t * kLanes);
  }

  const int64_t row_pitch = padded_w * kLanes;
  const int64_t kh_pitch = p.dilation_h * row_pitch;
  const int64_t kw_pitch = p.dilation_w * kLanes;
  const int64_t pixel_pitch = p.stride_w * kLanes;
  for (int64_t r = 0; r < out_rows; ++r) {
    const float* in = band + r * p.stride_h * row_pitch;
    float* out_row = out + r * p.out_w * kLanes;
    int64_t ow = 0;
    for (; ow + 4 <= p.out_w; ow += 4) {
      block_pixels<KH, KW, S, 4>(in + ow * pixel_pitch, kh_pitch, kw_pitch, pixel_pitch,
                                 p.kernel_h, p.kernel_w, fixed_taps, tap_vectors, bias,
                                 out_row + ow * kLanes);
    }
    for (; ow < p.out_w; ++ow) {
      block_pixels<KH, KW, S, 1>(in + ow * pixel_pitch, kh_pitch, kw_pitch, pixel_pitch,
                                 p.kernel_h, p.kernel_w, fixed_taps, tap_vectors, bias,
                                 out_row + ow * kLanes);
    }
  }
}

// Picks the block_rows instance: unrolled 3x3 and 5x5 kernels with
// constant strides 1 and 2 along the row, else runtime extents.
template <int KH, int KW>
void block_rows_strided(const npk_conv2d_params& p, const float* band, int64_t padded_w,
                        int64_t out_rows, const float* tap_vectors, vf bias, float* out) {
  if (p.dilation_w == 1 && p.stride_w == 1) {
    return block_rows<KH, KW, 1>(p, band, padded_w, out_rows, tap_vectors, bias, out);
  }
  if (p.dilation_w == 1 && p.stride_w == 2) {
    return block_rows<KH, KW, 2>(p, band, padded_w, out_rows, tap_vectors, bias, out);
  }
  block_rows<KH, KW, 0>(p, band, padded_w, out_rows, tap_vectors, bias, out);
}

// One task of the channel-blocked path: output channels o0 .. o0+kLanes-1
// (those below out_channels) of image n, flat output pixels q0 .. q1-1.
struct DepthwiseBlockTask {
  const DepthwiseBlockPlan& plan;
  const float* x;
  const float* weight;
  const float* bias;
  const float* residual;
  const Activation& activation;
  float* y;

  void run(int64_t n, int64_t o0, int64_t q0, int64_t q1) const {
    const npk_conv2d_params& p = plan.p;
    const int64_t channels = min64(kLanes, p.out_channels - o0);
    const int64_t multiplier = p.out_channels / p.in_channels;
    const int64_t taps = p.kernel_h * p.kernel_w;
    const int64_t first_row = q0 / p.out_w;
    const int64_t out_rows = (q1 - 1) / p.out_w - first_row + 1;

    // Lanes past the last channel repeat the last channel; their results
    // are never stored. The division is skipped for the usual multiplier 1
    // because it costs more than the rest of a task's setup.
    const float* planes[kLanes];
    const float* weight_rows[kLanes];
    vf bias_vector = splat(0.0f);
    for (int64_t l = 0; l < kLanes; ++l) {
      const int64_t o = o0 + min64(l, channels - 1);
      const int64_t c = multiplier == 1 ? o : o / multiplier;
      planes[l] = x + (n * p.in_channels + c) * p.in_h * p.in_w;
      weight_rows[l] = weight + o * taps;
      if (bias != nullptr) bias_vector[l] = bias[o];
    }

    alignas(64) float buffer[kDepthwiseBlockFloats];
    float* tap_vectors = buffer;
    float* band = tap_vectors + taps * kLanes;
    float* out = band + plan.in_rows(out_rows) * plan.padded_w * kLanes;
    transpose_into_lanes(weight_rows, 0, taps, weight + p.out_channels * taps, taps, 0,
                         tap_vectors);

    fill_band(planes, first_row * p.stride_h - p.pad_top, plan.in_rows(out_rows), band);

    if (p.kernel_h == 3 && p.kernel_w == 3) {
      block_rows_strided<3, 3>(p, band, plan.padded_w, out_rows, tap_vectors, bias_vector, out);
    } else if (p.kernel_h == 5 && p.kernel_w == 5) {
      block_rows_strided<5, 5>(p, band, plan.padded_w, out_rows, tap_vectors, bias_vector, out);
    } else {
      block_rows<0, 0, 0>(p, band, plan.padded_w, out_rows, tap_vectors, bias_vector, out);
    }

    const float* stored = out + (q0 - first_row * p.out_w) * kLanes;
    const int64_t plane0 = (n * p.out_channels + o0) * p.out_h * p.out_w;
    switch (activation.kind) {
      case NPK_ACTIVATION_NONE:
        return store_band<NPK_ACTIVATION_NONE>(plane0, channels, q0, q1, stored);
      case NPK_ACTIVATION_RELU:
        return store_band<NPK_ACTIVATION_RELU>(plane0, channels, q0, q1, stored);
      case NPK_ACTIVATION_CLAMP:
        return store_band<NPK_ACTIVATION_CLAMP>(plane0, channels, q0, q1, stored);
      default:
        return store_band<-1>(plane0, channels, q0, q1, stored);
    }
  }

  // Writes buffer rows for input rows ih0 .. ih0+rows-1 of the kLanes
  // planes: zeros for rows and columns outside the input, the transposed
  // input elsewhere.
  void fill_band(const float* const* planes, int64_t ih0, int64_t rows, float* band) const {
    const npk_conv2d_params& p = plan.p;
    const int64_t row_pitch = plan.padded_w * kLanes;
    const int64_t body_begin = p.pad_left * kLanes;
    const int64_t body_end = (p.pad_left + p.in_w) * kLanes;
    for (int64_t r = 0; r < rows; ++r) {
      float* row = band + r * row_pitch;
      const int64_t ih = ih0 + r;
      if (ih < 0 || ih >= p.in_h) {
        for (int64_t i = 0; i < row_pitch; i += kLanes) store(row + i, splat(0.0f));
        continue;
      }
      for (int64_t i = 0; i < body_begin; i += kLanes) store(row + i, splat(0.0f));
      for (int64_t i = body_end; i < row_pitch; i += kLanes) store(row + i, splat(0.0f));
    }

    const int64_t first = max64(ih0, 0);
    const int64_t last = min64(ih0 + rows, p.in_h);
    if (first >= last) return;

    // Pixels first*W .. last*W of the flat planes; dst jumps over the pads
    // at the end of each input row. Tiles may read into the following
    // planes, up to the end of x.
    const float* x_end = x + p.batch * p.in_channels * p.in_h * p.in_w;
    float* dst = band + (first - ih0) * row_pitch + body_begin;
    transpose_into_lanes(planes, first * p.in_w, last * p.in_w, x_end, p.in_w,
                         (plan.padded_w - p.in_w) * kLanes, dst);
  }

  // Transposes out[q1-q0][kLanes] into flat pixels q0 .. q1-1 of the output
  // planes from plane0 on, adding the residual and applying the activation.
  template <int32_t kind>
  void store_band(int64_t plane0, int64_t channels, int64_t q0, int64_t q1,
                  const float* out) const {
    const npk_conv2d_params& p = plan.p;
    const int64_t plane_pixels = p.out_h * p.out_w;
    for (int64_t q = q0; q < q1; q += kLanes) {
      const int64_t count = min64(kLanes, q1 - q);
      const float* pixels = out + (q - q0) * kLanes;
      vf tile[kLanes];
      if (count == kLanes) {
        NPK_UNROLL
        for (int i = 0; i < kLanes; ++i) tile[i] = load(pixels + i * kLanes);
      } else {
        for (int i = 0; i < kLanes; ++i) tile[i] = i < count ? load(pixels + i * kLanes) : vf{};
      }
      transpose_lanes(tile);

      for (int64_t l = 0; l < channels; ++l) {
        const int64_t at = plane0 + l * plane_pixels + q;
        vf v = tile[l];
        if (count == kLanes) {
          if (residual != nullptr) v += load(residual + at);
          store(y + at, activate<kind>(activation, v));
        } else {
          if (residual != nullptr) v += load_partial(residual + at, count);
          store_partial(y + at, activate<kind>(activation, v), count);
        }
      }
    }
  }
};

// Runs the channel-blocked path. Returns false, having written nothing,
// when kLanes output pixels do not fit the stack buffer.
bool depthwise_blocked(const npujar_model_args* ctx, const npk_conv2d_params& p, const float* x,
                       const float* weight, const float* bias, const float* residual,
                       const Activation& activation, float* y) {
  // With fewer images than threads, and planes that split into whole cache
  // lines, each thread gets a segment of the plane's pixels (see Segments).
  // The segment is cut into bands of at most band_pixels, with the channel
  // blocks innermost. Otherwise the threads split the channel blocks.
  const int64_t plane = p.out_h * p.out_w;
  const bool split = p.batch < thread_count(ctx) && thread_splits_pixels(ctx, plane);
  DepthwiseBlockPlan plan{p};
  if (!plan.fit(split)) return false;
  const Segments segments = thread_segments(ctx, plane, kLineFloats, split);
  const int64_t segment_bands = ceil_div(segments.longest(), plan.band_pixels);

  const DepthwiseBlockTask task{plan, x, weight, bias, residual, activation, y};
  const int64_t blocks = ceil_div(p.out_channels, kLanes);
  auto body = [&](int64_t begin, int64_t end) {
    for (int64_t index = begin; index < end; ++index) {
      const int64_t block = index % blocks;
      const int64_t band = index / blocks % segment_bands;
      const int64_t segment = index / blocks / segment_bands % segments.count;
      const int64_t n = index / blocks / segment_bands / segments.count;
      const int64_t first = segments.begin(segment);
      const int64_t length = segments.end(segment) - first;
      const int64_t band_length = round_up(ceil_div(length, segment_bands), plan.step);
      const int64_t q0 = first + band * band_length;
      const int64_t q1 = min64(q0 + band_length, first + length);
      if (q0 >= q1) continue;
      task.run(n, block * kLanes, q0, q1);
    }
  };
  parallel_for(ctx, p.batch * segments.count * segment_bands * blocks, body);
  return true;
}

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

// The channel-blocked path fills every lane whatever the row width and
// stride, and the per-plane kernel fills every lane on wide stride-1 rows
// whatever the channel count. Measured with kernels_bench BM_Depthwise
// (3x3, AVX-512 build with GCC 12, one thread, CPU time, Xeon family 6
// model 207), blocks won on every mobilenet_v2 shape. 32 channels 112x112
// took 0.29 against 0.33 ms, 960 channels 7x7 0.04 against 0.23 ms and 144
// channels 56x56 stride 2 0.12 against 0.62 ms. With partly filled blocks
// at stride 1, blocks won on rows narrower than two vectors (8 channels
// 28x28: 0.006 against 0.009 ms) and with 12 of 16 lanes filled (12
// channels 56x56: 0.027 against 0.035 ms). They lost with half the lanes
// or fewer (8 channels 56x56: 0.026 against 0.024 ms, 4 channels 112x112:
// 0.10 against 0.04 ms).
// NOTE: the 16- and 32-byte builds use the same rule without having been
// measured separately.
bool depthwise_prefers_blocks(const npk_conv2d_params& p) {
  const int64_t lanes_used = p.out_channels;
  const int64_t lanes_total = ceil_div(p.out_channels, kLanes) * kLanes;
  const bool mostly_full = 4 * lanes_used >= 3 * lanes_total;
  return p.stride_w > 1 || p.out_w < 2 * kLanes || mostly_full;
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
    if (npk::depthwise_prefers_blocks(p) &&
        npk::depthwise_blocked(ctx, p, x, packed_weight, bias, residual, act, y)) {
      return;
    }
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
  if (npk::direct_conv_applies(p)) {
    npk::direct_conv(ctx, p, x, packed_weight, bias, residual, act, y);
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
