// Normalization kernels: layer_norm, softmax, log_softmax and inference
// batch_norm. Row statistics accumulate in float vectors, whose pairwise
// partial sums keep the error near that of a float64 sum for rows of a few
// thousand elements.
#include "common.h"

namespace npk {
namespace {

float row_sum(const float* x, int64_t n) {
  vf acc = splat(0.0f);
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) acc += load(x + i);
  float sum = hsum(acc);
  for (; i < n; ++i) sum += x[i];
  return sum;
}

float row_centered_square_sum(const float* x, int64_t n, float mean) {
  vf acc = splat(0.0f);
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    vf d = load(x + i) - mean;
    acc += d * d;
  }
  float sum = hsum(acc);
  for (; i < n; ++i) sum += (x[i] - mean) * (x[i] - mean);
  return sum;
}

float row_max(const float* x, int64_t n) {
  float max = x[0];
  int64_t i = 0;
  if (n >= kLanes) {
    vf acc = load(x);
    for (i = kLanes; i + kLanes <= n; i += kLanes) acc = vmax(acc, load(x + i));
    max = hmax(acc);
  }
  for (; i < n; ++i) max = x[i] > max ? x[i] : max;
  return max;
}

// y[i] = exp(x[i] - shift) and returns the sum of y.
float row_exp_shifted(const float* x, float* y, int64_t n, float shift) {
  vf acc = splat(0.0f);
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    vf e = vexp(load(x + i) - shift);
    store(y + i, e);
    acc += e;
  }
  float sum = hsum(acc);
  for (; i < n; ++i) {
    y[i] = expf(x[i] - shift);
    sum += y[i];
  }
  return sum;
}

// Softmax or log_softmax of one contiguous row.
void softmax_row(const float* x, float* y, int64_t n, bool log) {
  const float max = row_max(x, n);
  const float sum = row_exp_shifted(x, y, n, max);
  if (log) {
    // (x - max) is exact for nearby values; adding max and log(sum) first
    // would round to the spacing of max.
    const float log_sum = logf(sum);
    for (int64_t i = 0; i < n; ++i) y[i] = (x[i] - max) - log_sum;
  } else {
    const float scale = 1.0f / sum;
    for (int64_t i = 0; i < n; ++i) y[i] *= scale;
  }
}

// Softmax of x[a*inner + j] over a for one column j of a block.
void softmax_column(const float* x, float* y, int64_t axis_size, int64_t inner, bool log) {
  float max = x[0];
  for (int64_t a = 1; a < axis_size; ++a) max = x[a * inner] > max ? x[a * inner] : max;
  float sum = 0.0f;
  for (int64_t a = 0; a < axis_size; ++a) {
    y[a * inner] = expf(x[a * inner] - max);
    sum += y[a * inner];
  }
  if (log) {
    const float log_sum = logf(sum);
    for (int64_t a = 0; a < axis_size; ++a) y[a * inner] = (x[a * inner] - max) - log_sum;
  } else {
    for (int64_t a = 0; a < axis_size; ++a) y[a * inner] /= sum;
  }
}

// Softmax over the axis of a [axis_size][inner] block, kLanes columns at a
// time, then the remaining columns one by one.
void softmax_block(const float* x, float* y, int64_t axis_size, int64_t inner, bool log) {
  int64_t j = 0;
  for (; j + kLanes <= inner; j += kLanes) {
    vf max = load(x + j);
    for (int64_t a = 1; a < axis_size; ++a) max = vmax(max, load(x + a * inner + j));
    vf sum = splat(0.0f);
    for (int64_t a = 0; a < axis_size; ++a) {
      vf e = vexp(load(x + a * inner + j) - max);
      store(y + a * inner + j, e);
      sum += e;
    }
    if (log) {
      vf log_sum = {};
      for (int l = 0; l < kLanes; ++l) log_sum[l] = logf(sum[l]);
      for (int64_t a = 0; a < axis_size; ++a) {
        store(y + a * inner + j, (load(x + a * inner + j) - max) - log_sum);
      }
    } else {
      vf scale = 1.0f / sum;
      for (int64_t a = 0; a < axis_size; ++a) {
        store(y + a * inner + j, load(y + a * inner + j) * scale);
      }
    }
  }
  for (; j < inner; ++j) softmax_column(x + j, y + j, axis_size, inner, log);
}

void softmax_any(const npujar_model_args* ctx, int64_t outer, int64_t axis_size, int64_t inner,
                 const float* x, float* y, bool log) {
  if (axis_size == 0) return;
  const int64_t block = axis_size * inner;
  auto body = [&](int64_t begin, int64_t end) {
    for (int64_t o = begin; o < end; ++o) {
      if (inner == 1) {
        softmax_row(x + o * block, y + o * block, axis_size, log);
      } else {
        softmax_block(x + o * block, y + o * block, axis_size, inner, log);
      }
    }
  };
  parallel_for(ctx, outer, body);
}

}  // namespace
}  // namespace npk

extern "C" {

void npk_layer_norm(const npujar_model_args* ctx, int64_t rows, int64_t cols, const float* x,
                    const float* weight, const float* bias, float epsilon, float* y) {
  auto body = [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const float* in = x + r * cols;
      float* out = y + r * cols;
      const float mean = npk::row_sum(in, cols) / static_cast<float>(cols);
      const float var = npk::row_centered_square_sum(in, cols, mean) / static_cast<float>(cols);
      const float inv_std = 1.0f / __builtin_sqrtf(var + epsilon);
      for (int64_t i = 0; i < cols; ++i) {
        float v = (in[i] - mean) * inv_std;
        if (weight != nullptr) v *= weight[i];
        if (bias != nullptr) v += bias[i];
        out[i] = v;
      }
    }
  };
  npk::parallel_for(ctx, rows, body);
}

void npk_softmax(const npujar_model_args* ctx, int64_t outer, int64_t axis_size, int64_t inner,
                 const float* x, float* y) {
  npk::softmax_any(ctx, outer, axis_size, inner, x, y, false);
}

void npk_log_softmax(const npujar_model_args* ctx, int64_t outer, int64_t axis_size,
                     int64_t inner, const float* x, float* y) {
  npk::softmax_any(ctx, outer, axis_size, inner, x, y, true);
}

void npk_batch_norm(const npujar_model_args* ctx, int64_t batch, int64_t channels,
                    int64_t inner, const float* x, const float* mean, const float* var,
                    const float* weight, const float* bias, float epsilon, float* y) {
  auto body = [&](int64_t begin, int64_t end) {
    for (int64_t plane = begin; plane < end; ++plane) {
      const int64_t c = plane % channels;
      float scale = 1.0f / __builtin_sqrtf(var[c] + epsilon);
      if (weight != nullptr) scale *= weight[c];
      const float shift = (bias != nullptr ? bias[c] : 0.0f) - mean[c] * scale;
      const float* in = x + plane * inner;
      float* out = y + plane * inner;
      for (int64_t i = 0; i < inner; ++i) out[i] = in[i] * scale + shift;
    }
  };
  npk::parallel_for(ctx, batch * channels, body);
}

}  // extern "C"
