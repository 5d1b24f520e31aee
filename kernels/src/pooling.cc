// Pooling and resizing on NCHW f32 tensors, one (n, c) plane per task,
// following PyTorch's CPU kernels for window bounds, divisors and source
// indices.
#include "common.h"

namespace npk {
namespace {

// Start of adaptive bin i of `out` bins over `in` elements: floor(i*in/out).
int64_t adaptive_start(int64_t i, int64_t in, int64_t out) { return i * in / out; }

// End of adaptive bin i: ceil((i+1)*in/out).
int64_t adaptive_end(int64_t i, int64_t in, int64_t out) { return ceil_div((i + 1) * in, out); }

template <typename PlaneFn>
void for_each_plane(const npujar_model_args* ctx, int64_t planes, const PlaneFn& plane_fn) {
  auto body = [&](int64_t begin, int64_t end) {
    for (int64_t plane = begin; plane < end; ++plane) plane_fn(plane);
  };
  parallel_for(ctx, planes, body);
}

// Maximum that propagates NaN like PyTorch's max pooling.
inline float nan_max(float max, float value) { return (value > max || value != value) ? value : max; }

// Output columns [begin, end) of max pooling whose window lies inside the
// input row, and the prefix [begin, vector_end) that max_pool_row computes
// kLanes columns at a time. Vector loads for stride 2 read one float past
// the last tap, so vector_end also keeps that float inside the row.
struct MaxPoolColumns {
  int64_t begin, end, vector_end;
};

MaxPoolColumns max_pool_columns(const npk_pool2d_params& p) {
  const int64_t out_w = p.out_w;
  const int64_t span = (p.kernel_w - 1) * p.dilation_w;
  MaxPoolColumns c;
  c.begin = min64(ceil_div(p.pad_left, p.stride_w), out_w);
  const int64_t last_start = p.in_w - 1 - span + p.pad_left;
  c.end = last_start < 0 ? 0 : min64(last_start / p.stride_w + 1, out_w);
  c.end = max64(c.end, c.begin);
  c.vector_end = c.begin;
  if (p.stride_w == 1 || p.stride_w == 2) {
    const int64_t last_read = last_start - (p.stride_w - 1);
    int64_t end = last_read < 0 ? 0 : min64(last_read / p.stride_w + 1, c.end);
    end = max64(end, c.begin);
    c.vector_end = c.begin + (end - c.begin) / kLanes * kLanes;
  }
  return c;
}

// Lanes 0, 2, 4, ... of the 2 * kLanes floats at p.
inline vf load_even(const float* p) {
  const vf low = load(p);
  const vf high = load(p + kLanes);
#if NPK_VECTOR_BYTES == 16
  return __builtin_shufflevector(low, high, 0, 2, 4, 6);
#elif NPK_VECTOR_BYTES == 32
  return __builtin_shufflevector(low, high, 0, 2, 4, 6, 8, 10, 12, 14);
#else
  return __builtin_shufflevector(low, high, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28,
                                 30);
#endif
}

// Lane-wise nan_max: the same comparison in the same tap order as the scalar
// path, so both give bit-identical results, signed zeros and NaNs included.
inline vf vnan_max(vf max, vf value) { return select((value > max) | (value != value), value, max); }

// Maximum of output column ow with a bounds check on every tap, for the
// columns whose window crosses the left or right edge of the input.
float max_pool_border(const npk_pool2d_params& p, const float* in, int64_t oh, int64_t ow) {
  float max = -__builtin_inff();
  for (int64_t kh = 0; kh < p.kernel_h; ++kh) {
    const int64_t ih = oh * p.stride_h - p.pad_top + kh * p.dilation_h;
    if (ih < 0 || ih >= p.in_h) continue;
    for (int64_t kw = 0; kw < p.kernel_w; ++kw) {
      const int64_t iw = ow * p.stride_w - p.pad_left + kw * p.dilation_w;
      if (iw < 0 || iw >= p.in_w) continue;
      max = nan_max(max, in[ih * p.in_w + iw]);
    }
  }
  return max;
}

// Computes output row oh of one plane: border columns with bounds checks,
// interior columns without them, kLanes at a time for strides 1 and 2.
void max_pool_row(const npk_pool2d_params& p, const MaxPoolColumns& c, const float* in, int64_t oh,
                  float* out) {
  for (int64_t ow = 0; ow < c.begin; ++ow) out[ow] = max_pool_border(p, in, oh, ow);

  const int64_t sw = p.stride_w;
  const int64_t dw = p.dilation_w;
  const int64_t ih0 = oh * p.stride_h - p.pad_top;
  for (int64_t ow = c.begin; ow < c.vector_end; ow += kLanes) {
    vf max = splat(-__builtin_inff());
    for (int64_t kh = 0; kh < p.kernel_h; ++kh) {
      const int64_t ih = ih0 + kh * p.dilation_h;
      if (ih < 0 || ih >= p.in_h) continue;
      const float* row = in + ih * p.in_w + ow * sw - p.pad_left;
      if (sw == 1) {
        for (int64_t kw = 0; kw < p.kernel_w; ++kw) max = vnan_max(max, load(row + kw * dw));
      } else {
        for (int64_t kw = 0; kw < p.kernel_w; ++kw) max = vnan_max(max, load_even(row + kw * dw));
      }
    }
    store(out + ow, max);
  }

  for (int64_t ow = c.vector_end; ow < c.end; ++ow) {
    float max = -__builtin_inff();
    for (int64_t kh = 0; kh < p.kernel_h; ++kh) {
      const int64_t ih = ih0 + kh * p.dilation_h;
      if (ih < 0 || ih >= p.in_h) continue;
      const float* row = in + ih * p.in_w + ow * sw - p.pad_left;
      for (int64_t kw = 0; kw < p.kernel_w; ++kw) max = nan_max(max, row[kw * dw]);
    }
    out[ow] = max;
  }

  for (int64_t ow = c.end; ow < p.out_w; ++ow) out[ow] = max_pool_border(p, in, oh, ow);
}

// Source coordinate ratio of PyTorch's area_pixel_compute_scale.
float source_ratio(int64_t in, int64_t out, bool align_corners, float scale) {
  if (align_corners) {
    return out > 1 ? static_cast<float>(in - 1) / static_cast<float>(out - 1) : 0.0f;
  }
  if (scale > 0.0f) return static_cast<float>(1.0 / static_cast<double>(scale));
  return static_cast<float>(in) / static_cast<float>(out);
}

// PyTorch's area_pixel_compute_source_index for linear modes.
float source_index(float ratio, int64_t dst, bool align_corners) {
  if (align_corners) return ratio * static_cast<float>(dst);
  const float src = ratio * (static_cast<float>(dst) + 0.5f) - 0.5f;
  return src < 0.0f ? 0.0f : src;
}

struct LinearTap {
  int64_t low, high;
  float low_weight, high_weight;
};

LinearTap linear_tap(float ratio, int64_t dst, int64_t in, bool align_corners) {
  const float src = source_index(ratio, dst, align_corners);
  int64_t low = static_cast<int64_t>(src);
  if (low > in - 1) low = in - 1;
  const int64_t high = low + (low < in - 1 ? 1 : 0);
  const float lambda = src - static_cast<float>(low);
  return {low, high, 1.0f - lambda, lambda};
}

int64_t nearest_index(float ratio, int64_t dst, int64_t in) {
  const int64_t src = static_cast<int64_t>(floorf(static_cast<float>(dst) * ratio));
  return src < in - 1 ? src : in - 1;
}

}  // namespace
}  // namespace npk

extern "C" {

void npk_max_pool2d(const npujar_model_args* ctx, const npk_pool2d_params* params,
                    const float* x, float* y) {
  const npk_pool2d_params& p = *params;
  const npk::MaxPoolColumns columns = npk::max_pool_columns(p);
  npk::for_each_plane(ctx, p.batch * p.channels, [&](int64_t plane) {
    const float* in = x + plane * p.in_h * p.in_w;
    float* out = y + plane * p.out_h * p.out_w;
    for (int64_t oh = 0; oh < p.out_h; ++oh) {
      npk::max_pool_row(p, columns, in, oh, out + oh * p.out_w);
    }
  });
}

void npk_avg_pool2d(const npujar_model_args* ctx, const npk_pool2d_params* params,
                    const float* x, float* y) {
  const npk_pool2d_params& p = *params;
  npk::for_each_plane(ctx, p.batch * p.channels, [&](int64_t plane) {
    const float* in = x + plane * p.in_h * p.in_w;
    float* out = y + plane * p.out_h * p.out_w;
    for (int64_t oh = 0; oh < p.out_h; ++oh) {
      for (int64_t ow = 0; ow < p.out_w; ++ow) {
        // Window clipped to input plus padding gives count_include_pad's
        // divisor; clipped to the input it gives the summed region.
        int64_t h0 = oh * p.stride_h - p.pad_top;
        int64_t w0 = ow * p.stride_w - p.pad_left;
        int64_t h1 = npk::min64(h0 + p.kernel_h, p.in_h + p.pad_bottom);
        int64_t w1 = npk::min64(w0 + p.kernel_w, p.in_w + p.pad_right);
        const int64_t padded_area = (h1 - h0) * (w1 - w0);
        h0 = npk::max64(h0, 0);
        w0 = npk::max64(w0, 0);
        h1 = npk::min64(h1, p.in_h);
        w1 = npk::min64(w1, p.in_w);
        if (h0 >= h1 || w0 >= w1) {
          out[oh * p.out_w + ow] = 0.0f;
          continue;
        }
        float sum = 0.0f;
        for (int64_t ih = h0; ih < h1; ++ih) {
          for (int64_t iw = w0; iw < w1; ++iw) sum += in[ih * p.in_w + iw];
        }
        int64_t divisor = (h1 - h0) * (w1 - w0);
        if (p.divisor != 0) {
          divisor = p.divisor;
        } else if (p.count_include_pad) {
          divisor = padded_area;
        }
        out[oh * p.out_w + ow] = sum / static_cast<float>(divisor);
      }
    }
  });
}

void npk_adaptive_avg_pool2d(const npujar_model_args* ctx, int64_t batch, int64_t channels,
                             int64_t in_h, int64_t in_w, int64_t out_h, int64_t out_w,
                             const float* x, float* y) {
  npk::for_each_plane(ctx, batch * channels, [&](int64_t plane) {
    const float* in = x + plane * in_h * in_w;
    float* out = y + plane * out_h * out_w;
    for (int64_t oh = 0; oh < out_h; ++oh) {
      const int64_t h0 = npk::adaptive_start(oh, in_h, out_h);
      const int64_t h1 = npk::adaptive_end(oh, in_h, out_h);
      for (int64_t ow = 0; ow < out_w; ++ow) {
        const int64_t w0 = npk::adaptive_start(ow, in_w, out_w);
        const int64_t w1 = npk::adaptive_end(ow, in_w, out_w);
        float sum = 0.0f;
        for (int64_t ih = h0; ih < h1; ++ih) {
          for (int64_t iw = w0; iw < w1; ++iw) sum += in[ih * in_w + iw];
        }
        out[oh * out_w + ow] = sum / static_cast<float>((h1 - h0) * (w1 - w0));
      }
    }
  });
}

void npk_adaptive_max_pool2d(const npujar_model_args* ctx, int64_t batch, int64_t channels,
                             int64_t in_h, int64_t in_w, int64_t out_h, int64_t out_w,
                             const float* x, float* y) {
  npk::for_each_plane(ctx, batch * channels, [&](int64_t plane) {
    const float* in = x + plane * in_h * in_w;
    float* out = y + plane * out_h * out_w;
    for (int64_t oh = 0; oh < out_h; ++oh) {
      const int64_t h0 = npk::adaptive_start(oh, in_h, out_h);
      const int64_t h1 = npk::adaptive_end(oh, in_h, out_h);
      for (int64_t ow = 0; ow < out_w; ++ow) {
        const int64_t w0 = npk::adaptive_start(ow, in_w, out_w);
        const int64_t w1 = npk::adaptive_end(ow, in_w, out_w);
        float max = -__builtin_inff();
        for (int64_t ih = h0; ih < h1; ++ih) {
          for (int64_t iw = w0; iw < w1; ++iw) max = npk::nan_max(max, in[ih * in_w + iw]);
        }
        out[oh * out_w + ow] = max;
      }
    }
  });
}

void npk_resize(const npujar_model_args* ctx, int32_t mode, int32_t align_corners,
                int64_t batch, int64_t channels, int64_t in_h, int64_t in_w, int64_t out_h,
                int64_t out_w, float scale_h, float scale_w, const float* x, float* y) {
  const bool corners = align_corners != 0;
  if (mode == NPK_RESIZE_NEAREST) {
    const float ratio_h = npk::source_ratio(in_h, out_h, false, scale_h);
    const float ratio_w = npk::source_ratio(in_w, out_w, false, scale_w);
    npk::for_each_plane(ctx, batch * channels, [&](int64_t plane) {
      const float* in = x + plane * in_h * in_w;
      float* out = y + plane * out_h * out_w;
      for (int64_t oh = 0; oh < out_h; ++oh) {
        const float* in_row = in + npk::nearest_index(ratio_h, oh, in_h) * in_w;
        for (int64_t ow = 0; ow < out_w; ++ow) {
          out[oh * out_w + ow] = in_row[npk::nearest_index(ratio_w, ow, in_w)];
        }
      }
    });
    return;
  }

  const float ratio_h = npk::source_ratio(in_h, out_h, corners, scale_h);
  const float ratio_w = npk::source_ratio(in_w, out_w, corners, scale_w);
  npk::for_each_plane(ctx, batch * channels, [&](int64_t plane) {
    const float* in = x + plane * in_h * in_w;
    float* out = y + plane * out_h * out_w;
    for (int64_t oh = 0; oh < out_h; ++oh) {
      const npk::LinearTap th = npk::linear_tap(ratio_h, oh, in_h, corners);
      const float* row0 = in + th.low * in_w;
      const float* row1 = in + th.high * in_w;
      for (int64_t ow = 0; ow < out_w; ++ow) {
        const npk::LinearTap tw = npk::linear_tap(ratio_w, ow, in_w, corners);
        out[oh * out_w + ow] =
            th.low_weight * (tw.low_weight * row0[tw.low] + tw.high_weight * row0[tw.high]) +
            th.high_weight * (tw.low_weight * row1[tw.low] + tw.high_weight * row1[tw.high]);
      }
    }
  });
}

}  // extern "C"
