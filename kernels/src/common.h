// Helpers shared by the kernel sources: splitting work over the caller's
// thread pool and applying the fused activations.
#pragma once

#include "npujar/kernels/kernels.h"
#include "vec.h"

namespace npk {

template <typename Body>
void run_chunk(void* context, int64_t begin, int64_t end) {
  (*static_cast<Body*>(context))(begin, end);
}

// Calls body(begin, end) over [0, count), through ctx's parallel_for when
// there is one and more than one task, else on the calling thread.
template <typename Body>
void parallel_for(const npujar_model_args* ctx, int64_t count, Body& body) {
  if (count <= 0) return;
  if (ctx == nullptr || ctx->parallel_for == nullptr || count == 1 || ctx->num_threads == 1) {
    body(0, count);
    return;
  }
  ctx->parallel_for(ctx->pool, count, &run_chunk<Body>, &body);
}

inline int64_t thread_count(const npujar_model_args* ctx) {
  if (ctx == nullptr || ctx->parallel_for == nullptr || ctx->num_threads < 1) return 1;
  return ctx->num_threads;
}

inline int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }
inline int64_t round_up(int64_t a, int64_t b) { return ceil_div(a, b) * b; }
inline int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }
inline int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }

// Splits [0, extent) into `count` segments that start at multiples of
// align. The pool runs tasks [total * s / count, total * (s + 1) / count)
// on thread s of count first. So a kernel that gives every segment the same
// number of tasks, segment-major, has thread s work on segment s. The
// convolution kernels split a plane's pixels this way, with the same
// extent and align in consecutive layers, so that a layer reads mostly what
// its own core wrote in the layer before.
struct Segments {
  int64_t extent;
  int64_t align;
  int64_t count;

  int64_t begin(int64_t s) const { return min64(extent, round_up(extent * s / count, align)); }
  int64_t end(int64_t s) const { return begin(s + 1); }
  int64_t longest() const {
    int64_t length = 0;
    for (int64_t s = 0; s < count; ++s) length = max64(length, end(s) - begin(s));
    return length;
  }
};

// One segment per thread when `split`, else one segment.
inline Segments thread_segments(const npujar_model_args* ctx, int64_t extent, int64_t align,
                                bool split) {
  return Segments{extent, align, split ? thread_count(ctx) : 1};
}

// Floats per 64-byte cache line.
constexpr int64_t kLineFloats = 16;

// Returns true when the threads split planes of this many pixels into
// segments of whole cache lines, because the plane is whole lines and large
// enough to split. Smaller planes, such as 14x14 (784 bytes), are split by
// channels instead. Split by pixels, they shared cache lines between the
// cores at every plane, and the chunks of mobilenet_v2's 14x14 depthwise
// convolutions took 2.3 times their serial CPU time.
inline bool thread_splits_pixels(const npujar_model_args* ctx, int64_t pixels) {
  return thread_count(ctx) > 1 && pixels % kLineFloats == 0 && pixels >= 16 * kLineFloats;
}

// The fused epilogue's activation (NPK_ACTIVATION_*).
struct Activation {
  int32_t kind;
  float clamp_min;
  float clamp_max;

  vf apply(vf x) const {
    switch (kind) {
      case NPK_ACTIVATION_RELU:
        return vmax(x, splat(0.0f));
      case NPK_ACTIVATION_CLAMP:
        return vmin(vmax(x, splat(clamp_min)), splat(clamp_max));
      case NPK_ACTIVATION_SIGMOID:
        return vsigmoid(x);
      case NPK_ACTIVATION_SILU:
        return x * vsigmoid(x);
      case NPK_ACTIVATION_HARDSWISH:
        return vhardswish(x);
      case NPK_ACTIVATION_GELU:
        return vgelu(x);
      case NPK_ACTIVATION_GELU_TANH:
        return vgelu_tanh(x);
      default:
        return x;
    }
  }

  // Applies the activation to n contiguous floats in place.
  void apply_row(float* p, int64_t n) const {
    if (kind == NPK_ACTIVATION_NONE) return;
    int64_t i = 0;
    for (; i + kLanes <= n; i += kLanes) store(p + i, apply(load(p + i)));
    if (i < n) {
      float tail[kLanes] = {};
      for (int64_t j = i; j < n; ++j) tail[j - i] = p[j];
      vf v = apply(load(tail));
      store(tail, v);
      for (int64_t j = i; j < n; ++j) p[j] = tail[j - i];
    }
  }
};

}  // namespace npk
