// Packed-panel SGEMM.
//
// B is packed once (at pack time for weights) into panels of 16 columns,
// [ceil(N/64)*4][K][16], the layout documented in kernels.h. A register tile
// of MR rows by NV vectors of C is accumulated by a micro-kernel that, for
// each k, loads NV vectors of B from the panels and multiplies each by a
// broadcast scalar of A. Tiles are 1, 2 or 4 panels wide (16, 32 or 64
// floats); padding N to 64 means a tile never reads past the packed buffer.
//
// The driver splits C into blocks of at most kMaxBlockRows rows by about 256
// columns, one task per block. Each task walks K in blocks of at most kMaxKc,
// copying its rows of A into a contiguous [MR-row tile][kc][MR] buffer on the
// stack (so any A strides run the same micro-kernel) and accumulating into
// C. Bias, residual and activation are applied when the last K block is
// stored. Packing also serves the column-major A of the convolution: read
// in place, its rows are pages apart and the micro-kernel stalls on TLB
// misses (measured about 30 % slower on the resnet 3x3 shape).
//
// The tile shape is a compile-time parameter chosen per call from the shape:
// small M gets a tile of exactly M rows, and on 64-byte vectors M = 49 (a
// 7x7 feature map) gets a 7-row tile instead of wasting 7 rows of 56. A
// column-major C gets a transposed tile (ColumnTile) where it fits M.
#include "gemm.h"

namespace npk {
namespace {

constexpr int64_t kPanelWidth = 16;
constexpr int64_t kPaddedColumns = 64;
constexpr int64_t kMaxKc = 256;
constexpr int64_t kMaxBlockRows = 64;
constexpr int64_t kTargetBlockColumns = 256;

struct GemmArgs {
  int64_t m, n, k;
  const float* a;
  int64_t stride_am, stride_ak;
  const float* packed_b;
  float* c;
  int64_t stride_cm, stride_cn;
  const float* bias;
  const float* residual;
  Activation activation;
  // When set, A is this convolution's implicit im2col matrix.
  const ConvGeometry* conv;
  // When set, a bias per row of C (M elements), added like bias.
  const float* row_bias;
  // Tasks walk column blocks outermost instead of row blocks.
  bool columns_outer;
};

template <int MR, int NV>
struct Tile {
  static constexpr int kWidth = NV * kLanes;
  static_assert(kWidth % kPanelWidth == 0, "tiles cover whole panels");
  static_assert(kPaddedColumns % kWidth == 0, "tiles divide the column padding");

  // acc[i][v] += sum over k of a[k*a_pitch + i] * B(k, v-th vector of the
  // tile), where A's MR values for one k are contiguous.
  static void multiply(int64_t kc, const float* a, int64_t a_pitch, const float* b,
                       int64_t panel_stride, vf (&acc)[MR][NV]) {
    for (int64_t k = 0; k < kc; ++k) {
      vf bv[NV];
      NPK_UNROLL
      for (int v = 0; v < NV; ++v) {
        const int column = v * kLanes;
        bv[v] = load(b + (column / kPanelWidth) * panel_stride + k * kPanelWidth +
                     column % kPanelWidth);
      }
      NPK_UNROLL
      for (int i = 0; i < MR; ++i) {
        const float ai = a[k * a_pitch + i];
        NPK_UNROLL
        for (int v = 0; v < NV; ++v) acc[i][v] += ai * bv[v];
      }
    }
  }

  // Stores a full tile into C with unit column stride.
  static void store_full(const GemmArgs& g, int64_t m0, int64_t n0, bool first, bool last,
                         vf (&acc)[MR][NV]) {
    NPK_UNROLL
    for (int i = 0; i < MR; ++i) {
      float* row = g.c + (m0 + i) * g.stride_cm + n0;
      const float* residual_row =
          g.residual != nullptr ? g.residual + (m0 + i) * g.stride_cm + n0 : nullptr;
      NPK_UNROLL
      for (int v = 0; v < NV; ++v) {
        vf x = acc[i][v];
        if (!first) x += load(row + v * kLanes);
        if (last) {
          if (g.bias != nullptr) x += load(g.bias + n0 + v * kLanes);
          if (g.row_bias != nullptr) x += g.row_bias[m0 + i];
          if (residual_row != nullptr) x += load(residual_row + v * kLanes);
          x = g.activation.apply(x);
        }
        store(row + v * kLanes, x);
      }
    }
  }

  // Stores the valid rows x columns of a tile for any strides of C, going
  // through a buffer so the arithmetic stays in vectors.
  static void store_partial(const GemmArgs& g, int64_t m0, int64_t n0, int rows, int columns,
                            bool first, bool last, vf (&acc)[MR][NV]) {
    float buffer[MR * kWidth];
    const int64_t scm = g.stride_cm;
    const int64_t scn = g.stride_cn;

    if (!first) {
      gather(buffer, g.c, m0, n0, rows, columns, scm, scn);
      add_buffer(acc, buffer);
    }
    if (last) {
      if (g.bias != nullptr) {
        float bias[kWidth] = {};
        for (int j = 0; j < columns; ++j) bias[j] = g.bias[n0 + j];
        NPK_UNROLL
        for (int i = 0; i < MR; ++i) {
          NPK_UNROLL
          for (int v = 0; v < NV; ++v) acc[i][v] += load(bias + v * kLanes);
        }
      }
      if (g.row_bias != nullptr) {
        NPK_UNROLL
        for (int i = 0; i < MR; ++i) {
          const float b = i < rows ? g.row_bias[m0 + i] : 0.0f;
          NPK_UNROLL
          for (int v = 0; v < NV; ++v) acc[i][v] += b;
        }
      }
      if (g.residual != nullptr) {
        gather(buffer, g.residual, m0, n0, rows, columns, scm, scn);
        add_buffer(acc, buffer);
      }
      NPK_UNROLL
      for (int i = 0; i < MR; ++i) {
        NPK_UNROLL
        for (int v = 0; v < NV; ++v) acc[i][v] = g.activation.apply(acc[i][v]);
      }
    }

    NPK_UNROLL
    for (int i = 0; i < MR; ++i) {
      NPK_UNROLL
      for (int v = 0; v < NV; ++v) store(buffer + i * kWidth + v * kLanes, acc[i][v]);
    }
    // Column-outer order writes runs of consecutive rows, which is the
    // contiguous direction for the convolution's NCHW output (stride_cm 1).
    if (rows == MR && columns == kWidth && scm == 1) {
      for (int j = 0; j < kWidth; ++j) {
        float* column = g.c + m0 + (n0 + j) * scn;
        NPK_UNROLL
        for (int i = 0; i < MR; ++i) column[i] = buffer[i * kWidth + j];
      }
      return;
    }
    for (int j = 0; j < columns; ++j) {
      for (int i = 0; i < rows; ++i) g.c[(m0 + i) * scm + (n0 + j) * scn] = buffer[i * kWidth + j];
    }
  }

  static void gather(float* buffer, const float* source, int64_t m0, int64_t n0, int rows,
                     int columns, int64_t scm, int64_t scn) {
    if (rows == MR && columns == kWidth && scm == 1) {
      for (int j = 0; j < kWidth; ++j) {
        const float* column = source + m0 + (n0 + j) * scn;
        NPK_UNROLL
        for (int i = 0; i < MR; ++i) buffer[i * kWidth + j] = column[i];
      }
      return;
    }
    for (int i = 0; i < MR * kWidth; ++i) buffer[i] = 0.0f;
    for (int j = 0; j < columns; ++j) {
      for (int i = 0; i < rows; ++i) buffer[i * kWidth + j] = source[(m0 + i) * scm + (n0 + j) * scn];
    }
  }

  static void add_buffer(vf (&acc)[MR][NV], const float* buffer) {
    NPK_UNROLL
    for (int i = 0; i < MR; ++i) {
      NPK_UNROLL
      for (int v = 0; v < NV; ++v) acc[i][v] += load(buffer + i * kWidth + v * kLanes);
    }
  }
};

// Copies rows [m0, m0 + rows) and columns [k0, k0 + kc) of A into
// packed[tile][k][MR], zero-filling rows past the end of the last tile.
template <int MR>
void pack_a_strided(const GemmArgs& g, int64_t m0, int64_t rows, int64_t k0, int64_t kc,
                    float* packed) {
  const int64_t full_tiles = rows / MR;
  const float* a = g.a + m0 * g.stride_am + k0 * g.stride_ak;

  // Whole tiles, tile by tile. (Walking k outer for a column-major A was
  // measured slower: its writes then spread over every tile.) A unit
  // stride_am gets its own loop so the MR floats move as one vector.
  for (int64_t t = 0; t < full_tiles; ++t) {
    if (g.stride_am == 1) {
      for (int64_t k = 0; k < kc; ++k) {
        float* dst = packed + (t * kc + k) * MR;
        const float* src = a + t * MR + k * g.stride_ak;
        // Whole vectors where MR allows, because clang-15 compiles the
        // unrolled scalar loop to single-float moves. MR of 5 to 8 floats
        // moves as two overlapping 16-byte copies instead.
        if constexpr (MR % kLanes == 0) {
          NPK_UNROLL
          for (int i = 0; i < MR; i += kLanes) store(dst + i, load(src + i));
        } else if constexpr (MR > 4 && MR <= 8) {
          __builtin_memcpy(dst, src, 4 * sizeof(float));
          __builtin_memcpy(dst + MR - 4, src + MR - 4, 4 * sizeof(float));
        } else {
          NPK_UNROLL
          for (int i = 0; i < MR; ++i) dst[i] = src[i];
        }
      }
      continue;
    }
    for (int64_t k = 0; k < kc; ++k) {
      float* dst = packed + (t * kc + k) * MR;
      const float* src = a + t * MR * g.stride_am + k * g.stride_ak;
      NPK_UNROLL
      for (int i = 0; i < MR; ++i) dst[i] = src[i * g.stride_am];
    }
  }

  // The partial last tile, zero-filled past the valid rows.
  const int64_t valid = rows - full_tiles * MR;
  if (valid == 0) return;
  float* dst = packed + full_tiles * kc * MR;
  const float* src = a + full_tiles * MR * g.stride_am;
  for (int64_t k = 0; k < kc; ++k) {
    for (int i = 0; i < MR; ++i) {
      dst[k * MR + i] = i < valid ? src[i * g.stride_am + k * g.stride_ak] : 0.0f;
    }
  }
}

// A tap of a convolution's implicit A: the input channel and kernel
// position of one K index. next() steps to the following K index.
struct ConvTap {
  const ConvGeometry& cv;
  int64_t c;
  int64_t kh;
  int64_t kw;

  ConvTap(const ConvGeometry& geometry, int64_t k)
      : cv(geometry),
        c(k / (geometry.kernel_h * geometry.kernel_w)),
        kh(k % (geometry.kernel_h * geometry.kernel_w) / geometry.kernel_w),
        kw(k % geometry.kernel_w) {}

  const float* plane() const { return cv.x + c * cv.in_h * cv.in_w; }
  int64_t dh() const { return kh * cv.dilation_h; }
  int64_t dw() const { return kw * cv.dilation_w; }

  void next() {
    if (++kw < cv.kernel_w) return;
    kw = 0;
    if (++kh < cv.kernel_h) return;
    kh = 0;
    ++c;
  }
};

// Packs A from a convolution's input for the row tiles (MR below kLanes).
// For each tile the MR pixels' window origins are computed once. A tile whose pixels lie in one output row, and
// whose taps stay inside the input row, copies MR input floats per tap
// without checks. Any other tile checks each pixel.
template <int MR>
void pack_a_conv_pixels(const ConvGeometry& cv, int64_t m0, int64_t rows, int64_t k0, int64_t kc,
                 float* packed) {
  const int64_t tiles = ceil_div(rows, MR);
  constexpr int64_t kOutside = -(int64_t(1) << 40);

  for (int64_t t = 0; t < tiles; ++t) {
    float* dst = packed + t * kc * MR;
    const int64_t first_pixel = m0 + t * MR;
    const int64_t valid = min64(MR, rows - t * MR);
    int64_t origin_h[MR], origin_w[MR];
    for (int i = 0; i < MR; ++i) {
      const int64_t pixel = first_pixel + i;
      origin_h[i] = i < valid ? (pixel / cv.out_w) * cv.stride_h - cv.pad_top : kOutside;
      origin_w[i] = i < valid ? (pixel % cv.out_w) * cv.stride_w - cv.pad_left : kOutside;
    }
    const bool one_row = valid == MR && first_pixel % cv.out_w + MR <= cv.out_w;
    const int64_t last_offset = (MR - 1) * cv.stride_w;

    ConvTap tap(cv, k0);
    for (int64_t k = 0; k < kc; ++k, tap.next()) {
      const float* plane = tap.plane();
      const int64_t dh = tap.dh();
      const int64_t dw = tap.dw();
      const int64_t ih = origin_h[0] + dh;
      const int64_t iw = origin_w[0] + dw;
      if (one_row && ih >= 0 && ih < cv.in_h && iw >= 0 && iw + last_offset < cv.in_w) {
        const float* src = plane + ih * cv.in_w + iw;
        if (cv.stride_w == 1) {
          NPK_UNROLL
          for (int i = 0; i < MR; ++i) dst[k * MR + i] = src[i];
        } else {
          NPK_UNROLL
          for (int i = 0; i < MR; ++i) dst[k * MR + i] = src[i * cv.stride_w];
        }
      } else {
        for (int i = 0; i < MR; ++i) {
          const int64_t h = origin_h[i] + dh;
          const int64_t w = origin_w[i] + dw;
          const bool inside = h >= 0 && h < cv.in_h && w >= 0 && w < cv.in_w;
          dst[k * MR + i] = inside ? plane[h * cv.in_w + w] : 0.0f;
        }
      }
    }
  }
}

// Packs A from a convolution's input for the column tiles (MR a multiple
// of kLanes), whose tiles span several output rows. A tile's MR pixels are
// split once into runs that lie in one output row. Per tap, a run is one
// input row read at stride_w, so it copies its inside part and zero-fills
// the pads at either end without per-pixel checks. Rows past the valid ones
// are zero. (With the 8-row tiles this was slower than checking each pixel:
// 1.04-1.12 against 0.89-1.02 ms on 64->128 channels, 3x3 stride 2.)
template <int MR>
void pack_a_conv_runs(const ConvGeometry& cv, int64_t m0, int64_t rows, int64_t k0, int64_t kc,
                 float* packed) {
  const int64_t tiles = ceil_div(rows, MR);

  for (int64_t t = 0; t < tiles; ++t) {
    float* dst = packed + t * kc * MR;
    const int64_t valid = min64(MR, rows - t * MR);

    // Runs of pixels within one output row: tile rows [offset, offset +
    // count), with the window origin of their first pixel.
    int64_t run_offset[MR], run_count[MR], run_h[MR], run_w[MR];
    int runs = 0;
    for (int64_t i = 0, pixel = m0 + t * MR; i < valid; ++runs) {
      const int64_t ow = pixel % cv.out_w;
      const int64_t count = min64(valid - i, cv.out_w - ow);
      run_offset[runs] = i;
      run_count[runs] = count;
      run_h[runs] = pixel / cv.out_w * cv.stride_h - cv.pad_top;
      run_w[runs] = ow * cv.stride_w - cv.pad_left;
      i += count;
      pixel += count;
    }
    const bool one_row = runs == 1 && valid == MR;

    ConvTap tap(cv, k0);
    for (int64_t k = 0; k < kc; ++k, tap.next()) {
      const float* plane = tap.plane();
      const int64_t dh = tap.dh();
      const int64_t dw = tap.dw();
      float* out = dst + k * MR;

      // A whole tile inside one input row copies MR floats unrolled.
      const int64_t h0 = run_h[0] + dh;
      const int64_t w0 = run_w[0] + dw;
      if (one_row && h0 >= 0 && h0 < cv.in_h && w0 >= 0 &&
          w0 + (MR - 1) * cv.stride_w < cv.in_w) {
        const float* src = plane + h0 * cv.in_w + w0;
        if (cv.stride_w == 1) {
          NPK_UNROLL
          for (int i = 0; i < MR; ++i) out[i] = src[i];
        } else {
          NPK_UNROLL
          for (int i = 0; i < MR; ++i) out[i] = src[i * cv.stride_w];
        }
      } else {
        for (int r = 0; r < runs; ++r) {
          float* run = out + run_offset[r];
          const int64_t count = run_count[r];
          const int64_t h = run_h[r] + dh;
          if (h < 0 || h >= cv.in_h) {
            for (int64_t j = 0; j < count; ++j) run[j] = 0.0f;
            continue;
          }

          // Pixels j in [inside_begin, inside_end) read 0 <= w + j*stride_w
          // < in_w.
          const int64_t w = run_w[r] + dw;
          const int64_t sw = cv.stride_w;
          const int64_t inside_begin = min64(count, w >= 0 ? 0 : ceil_div(-w, sw));
          const int64_t inside_end =
              max64(inside_begin, min64(count, w >= cv.in_w ? 0 : (cv.in_w - 1 - w) / sw + 1));
          const float* src = plane + h * cv.in_w + w;
          for (int64_t j = 0; j < inside_begin; ++j) run[j] = 0.0f;
          if (sw == 1) {
            for (int64_t j = inside_begin; j < inside_end; ++j) run[j] = src[j];
          } else if (sw == 2) {
            // Even lanes of two vectors, while both stay inside the row.
            int64_t j = inside_begin;
            for (; j + kLanes <= inside_end && w + 2 * (j + kLanes) <= cv.in_w; j += kLanes) {
              store(run + j, even_lanes(load(src + 2 * j), load(src + 2 * j + kLanes)));
            }
            for (; j < inside_end; ++j) run[j] = src[2 * j];
          } else {
            for (int64_t j = inside_begin; j < inside_end; ++j) run[j] = src[j * sw];
          }
          for (int64_t j = inside_end; j < count; ++j) run[j] = 0.0f;
        }
        for (int64_t i = valid; i < MR; ++i) out[i] = 0.0f;
      }
    }
  }
}

template <int MR>
void pack_a_conv(const ConvGeometry& cv, int64_t m0, int64_t rows, int64_t k0, int64_t kc,
                 float* packed) {
  if constexpr (MR % kLanes == 0) {
    pack_a_conv_runs<MR>(cv, m0, rows, k0, kc, packed);
  } else {
    pack_a_conv_pixels<MR>(cv, m0, rows, k0, kc, packed);
  }
}

// The tasks of one GEMM: blocks of block_rows rows by tiles_per_block
// column tiles. With several threads the blocks are grouped into one
// segment per thread (see Segments), of rows or of column tiles, so that
// each core writes whole cache lines of C and, across layers, keeps its
// part of the data:
// - a column-major C (an NCHW output, rows are pixels) is split by rows
//   when the plane's pixels split into whole cache lines (thread_splits_pixels),
//   else by columns (output channels, whole planes);
// - a C flagged columns_outer (the transposed 1x1 convolution, columns are
//   pixels) is split by columns;
// - any other C keeps row blocks outermost, so that consecutive rows (the
//   tokens of a sequence) stay on one thread.
struct TaskGrid {
  // Column tiles per cache line of C's columns.
  static int64_t line_tiles(int64_t tile_width) { return max64(1, kLineFloats / tile_width); }

  Segments rows;     // in rows of C
  Segments columns;  // in column tiles
  int64_t block_rows = 0;
  int64_t tiles_per_block = 0;
  int64_t m_blocks = 0;
  int64_t n_blocks = 0;
  bool columns_outer = false;

  TaskGrid(const npujar_model_args* ctx, const GemmArgs& g, int64_t n_tiles, int64_t tile_width,
           int64_t block_rows_in)
      : rows{g.m, 1, 1}, columns{n_tiles, 1, 1}, block_rows(block_rows_in) {
    const int64_t threads = thread_count(ctx);
    const bool column_major = g.stride_cm == 1 && g.n > 1;
    if (column_major && !g.columns_outer && thread_splits_pixels(ctx, g.m)) {
      rows = thread_segments(ctx, g.m, kLineFloats, true);
    } else if ((column_major || g.columns_outer) &&
               n_tiles >= threads * line_tiles(tile_width)) {
      // Segments of whole cache lines of columns: 16 channels of an NCHW
      // output are whole lines for any plane size.
      columns = thread_segments(ctx, n_tiles, line_tiles(tile_width), threads > 1);
    }
    columns_outer = g.columns_outer || columns.count > 1;
    m_blocks = ceil_div(rows.longest(), block_rows);

    // Split columns further while there are too few tasks to balance the
    // threads; four tasks per thread absorbs uneven block sizes. Blocks
    // keep whole cache lines where the columns are split.
    const int64_t min_tiles = columns.count > 1 ? columns.align : 1;
    tiles_per_block = max64(min_tiles, kTargetBlockColumns / tile_width);
    while (threads > 1 && tiles_per_block > min_tiles &&
           segments() * m_blocks * ceil_div(columns.longest(), tiles_per_block) < 4 * threads) {
      tiles_per_block = max64(min_tiles, round_up((tiles_per_block + 1) / 2, min_tiles));
    }
    n_blocks = ceil_div(columns.longest(), tiles_per_block);
  }

  int64_t segments() const { return rows.count * columns.count; }
  int64_t count() const { return segments() * m_blocks * n_blocks; }

  // The rows [m0, m0 + row_count) and column tiles [t_begin, t_end) of
  // task index; false when the task is empty.
  bool task(int64_t index, int64_t* m0, int64_t* row_count, int64_t* t_begin,
            int64_t* t_end) const {
    const int64_t segment = index / (m_blocks * n_blocks);
    const int64_t inner = index % (m_blocks * n_blocks);
    const int64_t m_block = columns_outer ? inner % m_blocks : inner / n_blocks;
    const int64_t n_block = columns_outer ? inner / m_blocks : inner % n_blocks;
    const int64_t row_segment = rows.count > 1 ? segment : 0;
    const int64_t column_segment = columns.count > 1 ? segment : 0;
    *m0 = rows.begin(row_segment) + m_block * block_rows;
    *row_count = min64(block_rows, rows.end(row_segment) - *m0);
    *t_begin = columns.begin(column_segment) + n_block * tiles_per_block;
    *t_end = min64(columns.end(column_segment), *t_begin + tiles_per_block);
    return *row_count > 0 && *t_begin < *t_end;
  }
};

template <int MR>
void pack_a(const GemmArgs& g, int64_t m0, int64_t rows, int64_t k0, int64_t kc, float* packed) {
  if (g.conv != nullptr) {
    pack_a_conv<MR>(*g.conv, m0, rows, k0, kc, packed);
  } else {
    pack_a_strided<MR>(g, m0, rows, k0, kc, packed);
  }
}

template <int MR, int NV>
void gemm_tiled(const npujar_model_args* ctx, const GemmArgs& g) {
  using T = Tile<MR, NV>;
  constexpr int64_t kWidth = T::kWidth;
  // Equal K blocks of at most kMaxKc. A C with non-unit column stride is
  // gathered and scattered one float at a time for every K block. So there
  // the whole K is one block, with fewer rows per block, when the A of two
  // tiles fits the packing buffer. Measured with kernels_bench (AVX-512,
  // one thread, CPU time), the 3x3 stride-2 convolution 128->256 at 28x28
  // (K = 1152) went from 0.79-0.82 to 0.72-0.75 ms. With one tile per
  // block (256->512 at 14x14, K = 2304) it went from 0.90-0.96 to 1.32 ms,
  // so that case keeps the K blocks.
  const int64_t buffer_floats = kMaxBlockRows * kMaxKc;
  const bool whole_k = g.stride_cn != 1 && 2 * MR * g.k <= buffer_floats;
  const int64_t k_blocks = whole_k ? 1 : ceil_div(g.k, kMaxKc);
  const int64_t kc_step = ceil_div(g.k, k_blocks);
  const int64_t block_rows =
      MR * (whole_k ? min64(kMaxBlockRows / MR, buffer_floats / (MR * g.k)) : kMaxBlockRows / MR);
  const int64_t n_tiles = ceil_div(g.n, kWidth);
  const TaskGrid grid(ctx, g, n_tiles, kWidth, block_rows);
  const int64_t panel_stride = g.k * kPanelWidth;

  // Stores one tile, through the fast path when it can.
  auto store_tile = [&](vf(&acc)[MR][NV], int64_t m, int64_t n0, int valid_rows, int columns,
                        bool first, bool last) {
    if (valid_rows == MR && columns == kWidth && g.stride_cn == 1) {
      T::store_full(g, m, n0, first, last, acc);
    } else {
      T::store_partial(g, m, n0, valid_rows, columns, first, last, acc);
    }
  };

  auto body = [&](int64_t begin, int64_t end) {
    alignas(64) float packed_a[kMaxBlockRows * kMaxKc];
    for (int64_t task = begin; task < end; ++task) {
      int64_t m0 = 0, rows = 0, t_begin = 0, t_end = 0;
      if (!grid.task(task, &m0, &rows, &t_begin, &t_end)) continue;

      for (int64_t k0 = 0; k0 < g.k; k0 += kc_step) {
        const int64_t kc = min64(kc_step, g.k - k0);
        const bool first = k0 == 0;
        const bool last = k0 + kc == g.k;
        pack_a<MR>(g, m0, rows, k0, kc, packed_a);

        for (int64_t t = t_begin; t < t_end; ++t) {
          const int64_t n0 = t * kWidth;
          const int columns = static_cast<int>(min64(kWidth, g.n - n0));
          const float* b = g.packed_b + (n0 / kPanelWidth) * panel_stride + k0 * kPanelWidth;
          for (int64_t r = 0; r < rows; r += MR) {
            vf acc[MR][NV] = {};
            T::multiply(kc, packed_a + (r / MR) * kc * MR, MR, b, panel_stride, acc);
            const int valid_rows = static_cast<int>(min64(MR, rows - r));
            store_tile(acc, m0 + r, n0, valid_rows, columns, first, last);
          }
        }
      }
    }
  };
  parallel_for(ctx, grid.count(), body);
}

// Column-major C (stride_cm == 1): the NCHW output of the convolutions'
// GEMMs and Winograd's [point][O][T] results. The row-major tile above would
// store such a C one float at a time. This tile runs transposed: vectors
// run down the columns of C (PV vectors of kLanes rows) and NR columns
// get a broadcast B value each, so every store is a whole vector. Per k it
// loads PV vectors of packed A and broadcasts NR values of one B panel.
template <int NR, int PV>
struct ColumnTile {
  static constexpr int kRows = PV * kLanes;
  static_assert(kPanelWidth % NR == 0, "a tile's columns lie in one panel");

  // acc[j][v] += sum over k of A(k, rows of vector v) * B(k, j), with A
  // packed as [k][kRows] and b at column 0 of the tile in its panel.
  static void multiply(int64_t kc, const float* a, const float* b, vf (&acc)[NR][PV]) {
    for (int64_t k = 0; k < kc; ++k) {
      vf av[PV];
      NPK_UNROLL
      for (int v = 0; v < PV; ++v) av[v] = load(a + k * kRows + v * kLanes);
      NPK_UNROLL
      for (int j = 0; j < NR; ++j) {
        const float bj = b[k * kPanelWidth + j];
        NPK_UNROLL
        for (int v = 0; v < PV; ++v) acc[j][v] += bj * av[v];
      }
    }
  }

  // Stores the valid rows x columns of a tile at (m0, n0), adding the
  // earlier K blocks' sums unless first and applying the epilogue if last.
  static void store(const GemmArgs& g, int64_t m0, int64_t n0, int rows, int columns, bool first,
                    bool last, vf (&acc)[NR][PV]) {
    // The epilogue reads the sums back from memory: with the accumulators
    // live across calls of Activation::apply, clang-15 spills some of them
    // inside the k loop.
    alignas(64) float sums[NR][kRows];
    NPK_UNROLL
    for (int j = 0; j < NR; ++j) {
      NPK_UNROLL
      for (int v = 0; v < PV; ++v) npk::store(sums[j] + v * kLanes, acc[j][v]);
    }

    for (int j = 0; j < columns; ++j) {
      const int64_t offset = (n0 + j) * g.stride_cn + m0;
      const float bias = last && g.bias != nullptr ? g.bias[n0 + j] : 0.0f;
      for (int v = 0; v < PV; ++v) {
        const int count = rows - v * kLanes < kLanes ? rows - v * kLanes : kLanes;
        if (count <= 0) break;
        const int64_t at = offset + v * kLanes;
        if (count == kLanes) {
          store_vector(g, at, m0 + v * kLanes, load(sums[j] + v * kLanes) + bias, first, last);
          continue;
        }
        store_partial_vector(g, at, m0 + v * kLanes, count, load(sums[j] + v * kLanes) + bias,
                             first, last);
      }
    }
  }

  // x (with the bias added) for kLanes rows from m, stored at g.c + at.
  static void store_vector(const GemmArgs& g, int64_t at, int64_t m, vf x, bool first,
                           bool last) {
    if (!first) x += load(g.c + at);
    if (last) {
      if (g.row_bias != nullptr) x += load(g.row_bias + m);
      if (g.residual != nullptr) x += load(g.residual + at);
      x = g.activation.apply(x);
    }
    npk::store(g.c + at, x);
  }

  // The same for count < kLanes rows, through a lane buffer.
  static void store_partial_vector(const GemmArgs& g, int64_t at, int64_t m, int count, vf x,
                                   bool first, bool last) {
    float* c = g.c + at;
    float lanes[kLanes] = {};
    if (!first) {
      for (int l = 0; l < count; ++l) lanes[l] = c[l];
      x += load(lanes);
    }
    if (last) {
      if (g.row_bias != nullptr) {
        for (int l = 0; l < count; ++l) lanes[l] = g.row_bias[m + l];
        x += load(lanes);
      }
      if (g.residual != nullptr) {
        for (int l = 0; l < count; ++l) lanes[l] = g.residual[at + l];
        x += load(lanes);
      }
      x = g.activation.apply(x);
    }
    npk::store(lanes, x);
    for (int l = 0; l < count; ++l) c[l] = lanes[l];
  }
};

template <int NR, int PV>
void gemm_columns(const npujar_model_args* ctx, const GemmArgs& g) {
  using T = ColumnTile<NR, PV>;
  constexpr int64_t kRows = T::kRows;

  // Equal K blocks of at most kMaxKc, and as many row tiles per block as
  // the 64 KiB packing buffer takes.
  const int64_t k_blocks = ceil_div(g.k, kMaxKc);
  const int64_t kc_step = ceil_div(g.k, k_blocks);
  const int64_t tiles_per_row_block = max64(1, kMaxBlockRows * kMaxKc / (kRows * kc_step));
  const int64_t block_rows = tiles_per_row_block * kRows;
  const int64_t n_tiles = ceil_div(g.n, NR);
  const TaskGrid grid(ctx, g, n_tiles, NR, block_rows);
  const int64_t panel_stride = g.k * kPanelWidth;

  auto body = [&](int64_t begin, int64_t end) {
    alignas(64) float packed_a[kMaxBlockRows * kMaxKc];
    for (int64_t task = begin; task < end; ++task) {
      int64_t m0 = 0, rows = 0, t_begin = 0, t_end = 0;
      if (!grid.task(task, &m0, &rows, &t_begin, &t_end)) continue;

      for (int64_t k0 = 0; k0 < g.k; k0 += kc_step) {
        const int64_t kc = min64(kc_step, g.k - k0);
        const bool first = k0 == 0;
        const bool last = k0 + kc == g.k;
        pack_a<kRows>(g, m0, rows, k0, kc, packed_a);

        // Row tiles outer, so that one packed A tile stays in L1 while the
        // B panels stream past it.
        for (int64_t r = 0; r < rows; r += kRows) {
          const float* a = packed_a + (r / kRows) * kc * kRows;
          const int valid_rows = static_cast<int>(min64(kRows, rows - r));
          for (int64_t t = t_begin; t < t_end; ++t) {
            const int64_t n0 = t * NR;
            const float* b = g.packed_b + (n0 / kPanelWidth) * panel_stride + k0 * kPanelWidth +
                             n0 % kPanelWidth;
            vf acc[NR][PV] = {};
            T::multiply(kc, a, b, acc);
            const int columns = static_cast<int>(min64(NR, g.n - n0));
            T::store(g, m0 + r, n0, valid_rows, columns, first, last, acc);
          }
        }
      }
    }
  };
  parallel_for(ctx, grid.count(), body);
}

// Runs a tile of exactly m rows (m below the main tile's rows), NV vectors
// wide.
template <int NV>
void gemm_small_m(const npujar_model_args* ctx, const GemmArgs& g) {
  switch (g.m) {
    case 1: return gemm_tiled<1, NV>(ctx, g);
    case 2: return gemm_tiled<2, NV>(ctx, g);
    case 3: return gemm_tiled<3, NV>(ctx, g);
    case 4: return gemm_tiled<4, NV>(ctx, g);
    case 5: return gemm_tiled<5, NV>(ctx, g);
    case 6: return gemm_tiled<6, NV>(ctx, g);
    default: return gemm_tiled<7, NV>(ctx, g);
  }
}

// True when C is column-major and the column tile's rows (rows of C per
// tile) waste at most an eighth of M. The column tile then stores whole
// vectors where the row tile stores single floats. Measured with
// kernels_bench, clang-15, one thread, CPU time (Xeon family 6 model 207):
// with 64-byte vectors the 1x1 convolution 256->64 at 56x56 went from
// 1.10-1.15 to 0.82-0.87 ms and Winograd 64->64 at 56x56 from 2.07-2.10 to
// 1.80-1.89 ms. With 32-byte vectors they went from 1.31 to 1.13 ms and
// from 2.19 to 2.00 ms. Winograd at 7x7 (M = 16) and 14x14 (M = 49) rows
// were slower with it.
[[maybe_unused]] bool prefers_columns(const GemmArgs& g, int64_t tile_rows) {
  return g.stride_cm == 1 && g.n > 1 && 8 * round_up(g.m, tile_rows) <= 9 * g.m;
}

// Picks the tile for a column-major C whose columns (output channels) the
// threads split, by the rows and columns the busiest thread computes:
// 0 for the 7x64 row tile, 1 for 8x32 and 2 for the 32-row column tile.
// A tile that leaves one thread with more columns or spare rows loses,
// even where it is faster on one thread. For example, a 14x14 1x1
// convolution to 64 channels has a single 64-column tile, so with that
// tile one core did all the work.
[[maybe_unused]] int split_column_tile(int64_t threads, const GemmArgs& g) {
  auto busiest = [&](int64_t rows, int64_t tile_width) {
    const int64_t group = TaskGrid::line_tiles(tile_width) * tile_width;
    return round_up(g.m, rows) * ceil_div(ceil_div(g.n, group), threads) * group;
  };
  // Every task packs its rows of A for each of its column blocks. With few
  // rows the column tile's partial row tile is packed one float at a time:
  // 960->160 channels at 7x7 took twice as long with it as with 8x32.
  const int64_t costs[3] = {busiest(7, 64), busiest(8, 32), busiest(2 * kLanes, 8)};
  const int candidates = g.m >= 8 * kLanes ? 3 : 2;
  int best = 0;
  for (int i = 1; i < candidates; ++i) {
    if (costs[i] < costs[best]) best = i;
  }
  return best;
}

void gemm_dispatch(const npujar_model_args* ctx, const GemmArgs& g) {
#if NPK_VECTOR_BYTES == 64
  // Column tiles: 8 columns by 3 or 2 vectors, with the A vectors and a
  // broadcast in registers too (at most 28 of 32). Convolutions use them
  // too: 64->128 channels at 56x56 went from 0.89 to 0.80-0.86 ms with a
  // 3x3 kernel and from 0.126 to 0.105 ms with a 1x1 kernel, both stride 2.
  if (prefers_columns(g, 3 * kLanes)) return gemm_columns<8, 3>(ctx, g);
  if (prefers_columns(g, 2 * kLanes)) return gemm_columns<8, 2>(ctx, g);
  const int64_t threads = thread_count(ctx);
  if (threads > 1 && g.stride_cm == 1 && g.n > 1 && g.m >= 8 && !thread_splits_pixels(ctx, g.m)) {
    switch (split_column_tile(threads, g)) {
      case 0: return gemm_tiled<7, 4>(ctx, g);
      case 1: return gemm_tiled<8, 2>(ctx, g);
      default: return gemm_columns<8, 2>(ctx, g);
    }
  }
  // 32 zmm registers: 8x2 (16 accumulators) or 7x4 (28 accumulators).
  if (g.m < 8) return gemm_small_m<4>(ctx, g);
  const int64_t cost_8x32 = round_up(g.m, 8) * round_up(g.n, 32);
  const int64_t cost_7x64 = round_up(g.m, 7) * round_up(g.n, 64);
  if (cost_7x64 < cost_8x32) return gemm_tiled<7, 4>(ctx, g);
  return gemm_tiled<8, 2>(ctx, g);
#elif NPK_VECTOR_BYTES == 32
  // Column tile 4 x 3: 12 accumulators, 3 A vectors and a broadcast fill
  // the 16 ymm registers. (4 x 2 was slower than the row tile.) Not for
  // convolutions, where it measured even on 64->128 channels 3x3 stride 2
  // at 56x56 and slower with a 1x1 kernel (0.175 against 0.168 ms).
  if (g.conv == nullptr && prefers_columns(g, 3 * kLanes)) return gemm_columns<4, 3>(ctx, g);
  // 16 ymm registers: 6x2 (12 accumulators), the classic AVX2 tile.
  if (g.m < 6) return gemm_small_m<2>(ctx, g);
  return gemm_tiled<6, 2>(ctx, g);
#elif defined(__aarch64__)
  // 32 NEON registers: 6x4 (24 accumulators).
  if (g.m < 6) return gemm_small_m<4>(ctx, g);
  return gemm_tiled<6, 4>(ctx, g);
#else
  // 16 xmm registers: 3x4 (12 accumulators).
  if (g.m < 3) return gemm_small_m<4>(ctx, g);
  return gemm_tiled<3, 4>(ctx, g);
#endif
}

}  // namespace

void gemm_packed(const npujar_model_args* ctx, int64_t m, int64_t n, int64_t k, const float* a,
                 int64_t stride_am, int64_t stride_ak, const float* packed_b, float* c,
                 int64_t stride_cm, int64_t stride_cn, const float* bias, const float* residual,
                 Activation activation) {
  GemmArgs g{m,         n,         k,    a,        stride_am,  stride_ak, packed_b,
             c,         stride_cm, stride_cn, bias, residual, activation, nullptr, nullptr,
             false};
  gemm_dispatch(ctx, g);
}

void gemm_row_bias(const npujar_model_args* ctx, int64_t m, int64_t n, int64_t k, const float* a,
                   int64_t stride_am, int64_t stride_ak, const float* packed_b, float* c,
                   int64_t stride_cm, int64_t stride_cn, const float* row_bias,
                   const float* residual, Activation activation) {
  GemmArgs g{m,         n,         k,       a,        stride_am,  stride_ak, packed_b,
             c,         stride_cm, stride_cn, nullptr, residual, activation, nullptr, row_bias,
             true};
  gemm_dispatch(ctx, g);
}

void gemm_conv(const npujar_model_args* ctx, int64_t m, int64_t n, int64_t k,
               const ConvGeometry& conv, const float* packed_b, float* c, int64_t stride_cm,
               int64_t stride_cn, const float* bias, const float* residual,
               Activation activation) {
  GemmArgs g{m,         n,         k,    nullptr,  0,          0,     packed_b,
             c,         stride_cm, stride_cn, bias, residual, activation, &conv, nullptr,
             false};
  gemm_dispatch(ctx, g);
}

void pack_b_parallel(const npujar_model_args* ctx, int64_t k, int64_t n, const float* b,
                     int64_t stride_bk, int64_t stride_bn, float* packed) {
  const int64_t panels = round_up(n, kPaddedColumns) / kPanelWidth;
  auto body = [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      const int64_t first_column = p * kPanelWidth;
      const bool full = first_column + kPanelWidth <= n;
      for (int64_t kk = 0; kk < k; ++kk) {
        float* dst = packed + (p * k + kk) * kPanelWidth;
        const float* src = b + kk * stride_bk + first_column * stride_bn;
        if (full && stride_bn == 1) {
          NPK_UNROLL
          for (int64_t j = 0; j < kPanelWidth; ++j) dst[j] = src[j];
          continue;
        }
        for (int64_t j = 0; j < kPanelWidth; ++j) {
          dst[j] = first_column + j < n ? src[j * stride_bn] : 0.0f;
        }
      }
    }
  };
  parallel_for(ctx, panels, body);
}

}  // namespace npk

extern "C" {

int64_t npk_gemm_packed_b_size(int64_t k, int64_t n) {
  return npk::round_up(n, npk::kPaddedColumns) * k * static_cast<int64_t>(sizeof(float));
}

void npk_gemm_pack_b(int64_t k, int64_t n, const float* b, int64_t stride_bk, int64_t stride_bn,
                     float* packed) {
  npk::pack_b_parallel(nullptr, k, n, b, stride_bk, stride_bn, packed);
}

void npk_gemm(const npujar_model_args* ctx, int64_t m, int64_t n, int64_t k, const float* a,
              int64_t stride_am, int64_t stride_ak, const float* packed_b, float* c,
              int64_t stride_cm, int64_t stride_cn, const float* bias, const float* residual,
              int32_t activation, float clamp_min, float clamp_max) {
  npk::gemm_packed(ctx, m, n, k, a, stride_am, stride_ak, packed_b, c, stride_cm, stride_cn,
                   bias, residual, npk::Activation{activation, clamp_min, clamp_max});
}

int64_t npk_batch_matmul_scratch_size(int64_t batch, int64_t k, int64_t n) {
  return batch * npk_gemm_packed_b_size(k, n);
}

void npk_batch_matmul(const npujar_model_args* ctx, int64_t batch, int64_t m, int64_t n,
                      int64_t k, const float* a, int64_t batch_stride_a, int64_t stride_am,
                      int64_t stride_ak, const float* b, int64_t batch_stride_b,
                      int64_t stride_bk, int64_t stride_bn, float* c, int64_t batch_stride_c,
                      int64_t stride_cm, int64_t stride_cn, const float* bias,
                      const float* residual, int32_t activation, float clamp_min,
                      float clamp_max, void* scratch) {
  const npk::Activation act{activation, clamp_min, clamp_max};
  const int64_t packed_floats = npk_gemm_packed_b_size(k, n) / static_cast<int64_t>(sizeof(float));
  float* packed = static_cast<float*>(scratch);
  const bool shared_b = batch_stride_b == 0;
  if (shared_b) npk_gemm_pack_b(k, n, b, stride_bk, stride_bn, packed);

  auto run_one = [&](int64_t i, const npujar_model_args* inner_ctx) {
    float* packed_i = shared_b ? packed : packed + i * packed_floats;
    if (!shared_b) npk_gemm_pack_b(k, n, b + i * batch_stride_b, stride_bk, stride_bn, packed_i);
    const float* residual_i = residual != nullptr ? residual + i * batch_stride_c : nullptr;
    npk::gemm_packed(inner_ctx, m, n, k, a + i * batch_stride_a, stride_am, stride_ak, packed_i,
                     c + i * batch_stride_c, stride_cm, stride_cn, bias, residual_i, act);
  };

  // With at least as many batch items as threads, one item per task runs
  // serially inside; otherwise each item's GEMM is split over the threads.
  if (batch >= npk::thread_count(ctx) && batch > 1) {
    auto body = [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) run_one(i, nullptr);
    };
    npk::parallel_for(ctx, batch, body);
  } else {
    for (int64_t i = 0; i < batch; ++i) run_one(i, ctx);
  }
}

}  // extern "C"
