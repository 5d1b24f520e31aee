// Winograd F(2x2, 3x3) convolution for 3x3, stride-1, undilated, ungrouped
// convolutions (Lavin and Gray, "Fast Algorithms for Convolutional Neural
// Networks", 2016). Each 2x2 output tile comes from a 4x4 input tile with
// 16 multiplications per input channel instead of 36, so the GEMM work
// drops by 2.25x.
//
// With T output tiles, the 16 transform points xi each give one GEMM
//   M_xi[T][O] = V_xi[T][C] @ U_xi[C][O]
// where U = G g G^T is the transformed weight (packed at pack time as 16
// GEMM B matrices) and V = B^T d B the transformed input. V is stored
// [xi][C][T_pad] (a column-major A) and M as [xi][O][T_pad] (a column-major
// C), so both transforms run over tiles in vectors: the input transform
// reads even and odd input columns from deinterleaved padded rows, the
// output transform writes Y = A^T M A into NCHW rows and then applies bias,
// residual and activation per row.
#include "winograd.h"

#include "gemm.h"

namespace npk {
namespace {

constexpr int64_t kPoints = 16;
// Maximum floats of one deinterleaved half row (even or odd columns) of the
// input transform; each thread keeps 8 of them on its stack (32 KiB).
constexpr int64_t kMaxHalfRow = 1024;
// Lanes of the widest build (64-byte vectors). Padding and the applicability
// check use it instead of kLanes so that scratch sizes and the algorithm
// choice are the same in every build, as kernels.h promises.
constexpr int64_t kMaxLanes = 16;

struct Geometry {
  int64_t tiles_h, tiles_w, tiles;
  int64_t tiles_pad;  // T_pad: T plus slack for whole-vector writes
  int64_t lanes_w;    // tiles_w rounded up to whole vectors
};

Geometry geometry(const npk_conv2d_params& p) {
  Geometry g;
  g.tiles_h = ceil_div(p.out_h, 2);
  g.tiles_w = ceil_div(p.out_w, 2);
  g.tiles = g.tiles_h * g.tiles_w;
  g.tiles_pad = g.tiles + kMaxLanes;
  g.lanes_w = round_up(g.tiles_w, kLanes);
  return g;
}

int64_t packed_point_floats(const npk_conv2d_params& p) {
  return npk_gemm_packed_b_size(p.in_channels, p.out_channels) / 4;
}

// Fills deinterleaved padded input rows first_r .. 3 of tile row th for
// one channel: even_rows[r][k] = input(2th - pad_top + r, 2k - pad_left),
// odd_rows[r][k] the column after, zero outside the input.
void load_tile_rows(const npk_conv2d_params& p, const Geometry& g, const float* plane,
                    int64_t th, int64_t first_r, float* const* even_rows,
                    float* const* odd_rows) {
  const int64_t half = g.lanes_w + 1;
  for (int64_t r = first_r; r < 4; ++r) {
    const int64_t ih = 2 * th - p.pad_top + r;
    float* e = even_rows[r];
    float* o = odd_rows[r];
    if (ih < 0 || ih >= p.in_h) {
      for (int64_t k = 0; k < half; ++k) e[k] = o[k] = 0.0f;
      continue;
    }
    const float* row = plane + ih * p.in_w;
    // Columns k in [inner_begin, inner_end) have both 2k - pad_left and the
    // next input column inside the row and need no checks. Whole vectors
    // of them are split into even and odd columns by shuffles.
    const int64_t inner_begin = min64(half, (p.pad_left + 1) / 2);
    const int64_t inner_end = max64(inner_begin, min64(half, (p.in_w + p.pad_left) / 2));
    for (int64_t k = 0; k < half; ++k) {
      if (k == inner_begin) {
        const float* pair = row + 2 * k - p.pad_left;
        for (; k + kLanes <= inner_end; k += kLanes, pair += 2 * kLanes) {
          const vf first = load(pair);
          const vf second = load(pair + kLanes);
          store(e + k, even_lanes(first, second));
          store(o + k, odd_lanes(first, second));
        }
        // A last vector that overlaps the previous one rewrites the same
        // values and leaves no scalar tail.
        if (k < inner_end && inner_end - kLanes >= inner_begin) {
          const int64_t last = inner_end - kLanes;
          const float* last_pair = row + 2 * last - p.pad_left;
          const vf first = load(last_pair);
          const vf second = load(last_pair + kLanes);
          store(e + last, even_lanes(first, second));
          store(o + last, odd_lanes(first, second));
          pair += 2 * (inner_end - k);
          k = inner_end;
        }
        for (; k < inner_end; ++k, pair += 2) {
          e[k] = pair[0];
          o[k] = pair[1];
        }
        if (k == half) break;
      }
      const int64_t iw = 2 * k - p.pad_left;
      e[k] = iw >= 0 && iw < p.in_w ? row[iw] : 0.0f;
      o[k] = iw + 1 >= 0 && iw + 1 < p.in_w ? row[iw + 1] : 0.0f;
    }
  }
}

// V = B^T d B for kLanes tiles starting at tile column tw of one tile row.
void transform_input_vectors(const float* const* even_rows, const float* const* odd_rows,
                             int64_t tw, float* v_base, int64_t point_stride) {
  vf d[4][4];
  for (int r = 0; r < 4; ++r) {
    d[r][0] = load(even_rows[r] + tw);
    d[r][1] = load(odd_rows[r] + tw);
    d[r][2] = load(even_rows[r] + tw + 1);
    d[r][3] = load(odd_rows[r] + tw + 1);
  }
  vf t[4][4];
  for (int j = 0; j < 4; ++j) {
    t[0][j] = d[0][j] - d[2][j];
    t[1][j] = d[1][j] + d[2][j];
    t[2][j] = d[2][j] - d[1][j];
    t[3][j] = d[1][j] - d[3][j];
  }
  for (int i = 0; i < 4; ++i) {
    store(v_base + (i * 4 + 0) * point_stride, t[i][0] - t[i][2]);
    store(v_base + (i * 4 + 1) * point_stride, t[i][1] + t[i][2]);
    store(v_base + (i * 4 + 2) * point_stride, t[i][2] - t[i][1]);
    store(v_base + (i * 4 + 3) * point_stride, t[i][1] - t[i][3]);
  }
}

void transform_input(const npujar_model_args* ctx, const npk_conv2d_params& p, const Geometry& g,
                     const float* x, float* v) {
  const int64_t half = g.lanes_w + 1;
  const int64_t point_stride = p.in_channels * g.tiles_pad;
  auto body = [&](int64_t begin, int64_t end) {
    alignas(64) float even[4 * kMaxHalfRow];
    alignas(64) float odd[4 * kMaxHalfRow];
    for (int64_t c = begin; c < end; ++c) {
      const float* plane = x + c * p.in_h * p.in_w;
      for (int64_t th = 0; th < g.tiles_h; ++th) {
        // Tile row th reads input rows 2th - pad_top + r, r = 0 .. 3, kept
        // in buffer slot (2th + r) % 4. Its rows 0 and 1 are the previous
        // tile row's rows 2 and 3, so only the first tile row loads four.
        float* even_rows[4];
        float* odd_rows[4];
        for (int64_t r = 0; r < 4; ++r) {
          even_rows[r] = even + (2 * th + r) % 4 * half;
          odd_rows[r] = odd + (2 * th + r) % 4 * half;
        }
        load_tile_rows(p, g, plane, th, th == 0 ? 0 : 2, even_rows, odd_rows);

        // Writes past tiles_w land in the next tile row's slots (rewritten
        // later) or in the T_pad slack after the last row.
        float* v_row = v + c * g.tiles_pad + th * g.tiles_w;
        for (int64_t tw = 0; tw < g.tiles_w; tw += kLanes) {
          transform_input_vectors(even_rows, odd_rows, tw, v_row + tw, point_stride);
        }
      }
    }
  };
  parallel_for(ctx, p.in_channels, body);
}

// Y = A^T M A for kLanes tiles, written into output rows 2th and 2th + 1.
void transform_output_vectors(const float* m_base, int64_t point_stride, float bias,
                              int64_t tw, int64_t valid, bool second_row, float* row0,
                              float* row1, int64_t out_w) {
  vf m[4][4];
  for (int i = 0; i < 4; ++i) {
    for (int j = 0; j < 4; ++j) m[i][j] = load(m_base + (i * 4 + j) * point_stride);
  }
  vf s[2][4];
  for (int j = 0; j < 4; ++j) {
    s[0][j] = m[0][j] + m[1][j] + m[2][j];
    s[1][j] = m[1][j] - m[2][j] - m[3][j];
  }
  vf y[2][2];
  for (int i = 0; i < 2; ++i) {
    y[i][0] = s[i][0] + s[i][1] + s[i][2] + bias;
    y[i][1] = s[i][1] - s[i][2] - s[i][3] + bias;
  }
  // Whole vectors of tiles interleave their two output columns into two
  // vectors per output row.
  if (valid == kLanes && 2 * (tw + kLanes) <= out_w) {
    store(row0 + 2 * tw, interleave_low(y[0][0], y[0][1]));
    store(row0 + 2 * tw + kLanes, interleave_high(y[0][0], y[0][1]));
    if (second_row) {
      store(row1 + 2 * tw, interleave_low(y[1][0], y[1][1]));
      store(row1 + 2 * tw + kLanes, interleave_high(y[1][0], y[1][1]));
    }
    return;
  }
  for (int64_t l = 0; l < valid; ++l) {
    const int64_t ow = 2 * (tw + l);
    row0[ow] = y[0][0][l];
    if (ow + 1 < out_w) row0[ow + 1] = y[0][1][l];
    if (second_row) {
      row1[ow] = y[1][0][l];
      if (ow + 1 < out_w) row1[ow + 1] = y[1][1][l];
    }
  }
}

void transform_output(const npujar_model_args* ctx, const npk_conv2d_params& p, const Geometry& g,
                      const float* m, const float* bias, const float* residual,
                      const Activation& activation, float* y) {
  const int64_t point_stride = p.out_channels * g.tiles_pad;
  const int64_t out_pixels = p.out_h * p.out_w;
  auto body = [&](int64_t begin, int64_t end) {
    for (int64_t o = begin; o < end; ++o) {
      const float b = bias != nullptr ? bias[o] : 0.0f;
      float* out = y + o * out_pixels;
      for (int64_t th = 0; th < g.tiles_h; ++th) {
        const bool second_row = 2 * th + 1 < p.out_h;
        float* row0 = out + 2 * th * p.out_w;
        float* row1 = row0 + p.out_w;
        const float* m_row = m + o * g.tiles_pad + th * g.tiles_w;
        for (int64_t tw = 0; tw < g.tiles_w; tw += kLanes) {
          transform_output_vectors(m_row + tw, point_stride, b, tw, min64(kLanes, g.tiles_w - tw),
                                   second_row, row0, row1, p.out_w);
        }
        for (int64_t r = 2 * th; r < 2 * th + (second_row ? 2 : 1); ++r) {
          float* row = out + r * p.out_w;
          if (residual != nullptr) {
            const float* residual_row = residual + o * out_pixels + r * p.out_w;
            for (int64_t i = 0; i < p.out_w; ++i) row[i] += residual_row[i];
          }
          activation.apply_row(row, p.out_w);
        }
      }
    }
  };
  parallel_for(ctx, p.out_channels, body);
}

}  // namespace

bool winograd_applies(const npk_conv2d_params& p) {
  if (p.kernel_h != 3 || p.kernel_w != 3 || p.stride_h != 1 || p.stride_w != 1) return false;
  if (p.dilation_h != 1 || p.dilation_w != 1 || p.groups != 1) return false;
  // Few channels leave the transforms, not the GEMMs, as the main cost.
  if (p.in_channels < 32 || p.out_channels < 32) return false;
  // The padded rows of the input transform live on the stack.
  return round_up(geometry(p).tiles_w, kMaxLanes) + 1 <= kMaxHalfRow;
}

int64_t winograd_packed_weight_bytes(const npk_conv2d_params& p) {
  return kPoints * packed_point_floats(p) * 4;
}

void winograd_pack_weight(const npk_conv2d_params& p, const float* weight, float* packed) {
  const int64_t point_floats = packed_point_floats(p);
  for (int64_t i = 0; i < kPoints * point_floats; ++i) packed[i] = 0.0f;

  // U = G g G^T in double, scattered into the 16 packed B matrices:
  // element (k = c, n = o) of point xi sits at panel o/16, row c, lane o%16.
  for (int64_t o = 0; o < p.out_channels; ++o) {
    for (int64_t c = 0; c < p.in_channels; ++c) {
      const float* g = weight + (o * p.in_channels + c) * 9;
      double t[4][3];
      for (int j = 0; j < 3; ++j) {
        t[0][j] = g[j];
        t[1][j] = 0.5 * (g[j] + g[3 + j] + g[6 + j]);
        t[2][j] = 0.5 * (g[j] - g[3 + j] + g[6 + j]);
        t[3][j] = g[6 + j];
      }
      const int64_t offset = ((o / 16) * p.in_channels + c) * 16 + o % 16;
      for (int i = 0; i < 4; ++i) {
        const double u[4] = {t[i][0], 0.5 * (t[i][0] + t[i][1] + t[i][2]),
                             0.5 * (t[i][0] - t[i][1] + t[i][2]), t[i][2]};
        for (int j = 0; j < 4; ++j) {
          packed[(i * 4 + j) * point_floats + offset] = static_cast<float>(u[j]);
        }
      }
    }
  }
}

int64_t winograd_scratch_bytes(const npk_conv2d_params& p) {
  const Geometry g = geometry(p);
  return kPoints * (p.in_channels + p.out_channels) * g.tiles_pad * 4;
}

void winograd_conv(const npujar_model_args* ctx, const npk_conv2d_params& p, const float* x,
                   const float* packed, const float* bias, const float* residual,
                   const Activation& activation, float* y, void* scratch) {
  const Geometry g = geometry(p);
  const int64_t point_floats = packed_point_floats(p);
  float* v = static_cast<float*>(scratch);
  float* m = v + kPoints * p.in_channels * g.tiles_pad;
  const Activation none{NPK_ACTIVATION_NONE, 0.0f, 0.0f};

  for (int64_t n = 0; n < p.batch; ++n) {
    const float* x_image = x + n * p.in_channels * p.in_h * p.in_w;
    const int64_t out_offset = n * p.out_channels * p.out_h * p.out_w;
    transform_input(ctx, p, g, x_image, v);

    // The 16 GEMMs are independent: one task each, run serially inside,
    // costs one thread-pool dispatch instead of sixteen.
    auto gemms = [&](int64_t begin, int64_t end) {
      for (int64_t point = begin; point < end; ++point) {
        gemm_packed(nullptr, g.tiles, p.out_channels, p.in_channels,
                    v + point * p.in_channels * g.tiles_pad, 1, g.tiles_pad,
                    packed + point * point_floats, m + point * p.out_channels * g.tiles_pad, 1,
                    g.tiles_pad, nullptr, nullptr, none);
      }
    };
    parallel_for(ctx, kPoints, gemms);

    transform_output(ctx, p, g, m, bias, residual != nullptr ? residual + out_offset : nullptr,
                     activation, y + out_offset);
  }
}

}  // namespace npk
