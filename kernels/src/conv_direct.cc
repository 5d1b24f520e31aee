// Direct convolution for few input channels, such as the 7x7 stride-2 stem
// of resnet (3 -> 64 channels). With K = C*KH*KW small, the implicit GEMM
// spends much of its time packing A (one scalar gather per pixel and tap),
// and the packed tile is reused for only a few column tiles.
//
// Here the vector lanes run along the output row. A task takes a band of
// output rows of one image and copies the input rows under the band into a
// zero-padded stack buffer, split by column phase modulo stride_w: element
// [c][row][phase][j] is padded column j*stride_w + phase. The inputs of
// consecutive output pixels under one tap are then contiguous at any stride
// or dilation. The micro-kernel accumulates kChannelTile output channels by
// up to kMaxPixelVectors vectors of pixels, with one load per pixel vector
// and one broadcast weight per channel for each tap. Results go straight into
// the NCHW output rows, with bias, residual and activation applied there.
// The weight is the GEMM's packed B (see gemm.cc), where the kChannelTile
// channels of a tap are adjacent floats of one panel.
#include "conv_direct.h"

namespace npk {
namespace {

constexpr int64_t kPanelWidth = 16;  // columns per panel of the packed B
constexpr int64_t kMaxInputChannels = 4;
constexpr int64_t kMaxTaps = 1024;        // C*KH*KW
constexpr int64_t kBufferFloats = 16384;  // 64 KiB of stack per task
// Lanes of the widest build. Rows are padded to it, so that the choice of
// this path is the same in every build.
constexpr int64_t kMaxLanes = 16;

// The register tile is kChannelTile channels by up to kMaxPixelVectors
// vectors of pixels. Each tap keeps the pixel vectors and one broadcast
// weight in registers besides the accumulators, so 8 x 3 takes 28 of 32
// registers and 4 x 2 takes 11 of 16. A 4 x 7 tile needs 36, and with it
// clang-15 spilled in the tap loop: the resnet stem took 2.4 ms, no faster
// than the implicit GEMM.
#if NPK_VECTOR_BYTES == 64 || defined(__aarch64__)
constexpr int64_t kChannelTile = 8;
constexpr int kMaxPixelVectors = 3;
#else
constexpr int64_t kChannelTile = 4;
constexpr int kMaxPixelVectors = 2;
#endif

// Floats of one phase of a padded input row: every output pixel of the row
// rounded up to whole vectors, plus the reach of the kernel's columns.
int64_t phase_floats(const npk_conv2d_params& p) {
  return round_up(p.out_w, kMaxLanes) + (p.kernel_w - 1) * p.dilation_w / p.stride_w;
}

int64_t input_rows(const npk_conv2d_params& p, int64_t out_rows) {
  return (out_rows - 1) * p.stride_h + (p.kernel_h - 1) * p.dilation_h + 1;
}

int64_t band_floats(const npk_conv2d_params& p, int64_t out_rows) {
  return p.in_channels * input_rows(p, out_rows) * p.stride_w * phase_floats(p);
}

struct DirectConv {
  const npk_conv2d_params& p;
  const float* packed_weight;
  const float* bias;
  const float* residual;
  const Activation& activation;
  float* y;
  int64_t phase_len;  // phase_floats(p)
  int64_t in_rows;    // buffer rows per channel
  int32_t taps[kMaxTaps];  // buffer offset of tap k for output row 0, pixel 0

  void set_taps() {
    int64_t k = 0;
    for (int64_t c = 0; c < p.in_channels; ++c) {
      for (int64_t kh = 0; kh < p.kernel_h; ++kh) {
        for (int64_t kw = 0; kw < p.kernel_w; ++kw, ++k) {
          const int64_t column = kw * p.dilation_w;
          const int64_t row = c * in_rows + kh * p.dilation_h;
          taps[k] = static_cast<int32_t>((row * p.stride_w + column % p.stride_w) * phase_len +
                                         column / p.stride_w);
        }
      }
    }
  }

  // Writes the buffer rows for input rows ih0 .. ih0+in_rows-1 of one
  // image: the input where it exists, zeros in the padding.
  void fill_band(const float* image, int64_t ih0, float* buffer) const {
    const int64_t sw = p.stride_w;
    for (int64_t c = 0; c < p.in_channels; ++c) {
      for (int64_t r = 0; r < in_rows; ++r) {
        const int64_t ih = ih0 + r;
        const bool inside = ih >= 0 && ih < p.in_h;
        const float* row = image + (c * p.in_h + ih) * p.in_w;
        for (int64_t phase = 0; phase < sw; ++phase) {
          float* dst = buffer + ((c * in_rows + r) * sw + phase) * phase_len;

          // Columns j with 0 <= j*sw + phase - pad_left < in_w.
          int64_t first = phase_len, end = phase_len;
          if (inside) {
            const int64_t lead = p.pad_left - phase;
            const int64_t last_iw = p.in_w - 1 + lead;
            first = min64(phase_len, lead > 0 ? ceil_div(lead, sw) : 0);
            end = last_iw < 0 ? first : max64(first, min64(phase_len, last_iw / sw + 1));
          }

          for (int64_t j = 0; j < first; ++j) dst[j] = 0.0f;
          const float* src = row + first * sw + phase - p.pad_left;
          if (sw == 1) {
            for (int64_t j = first; j < end; ++j) dst[j] = src[j - first];
          } else {
            for (int64_t j = first; j < end; ++j) dst[j] = src[(j - first) * sw];
          }
          for (int64_t j = end; j < phase_len; ++j) dst[j] = 0.0f;
        }
      }
    }
  }

  // Computes channels o0 .. o0+kChannelTile-1 at output pixels ow0 .. ow0+PV*kLanes-1 of
  // row oh, reading the band row at in, and stores the valid ones.
  template <int PV>
  void tile(const float* in, int64_t n, int64_t oh, int64_t o0, int64_t ow0) const {
    const int64_t k_count = p.in_channels * p.kernel_h * p.kernel_w;
    const float* w = packed_weight + (o0 / kPanelWidth) * k_count * kPanelWidth + o0 % kPanelWidth;
    vf acc[kChannelTile][PV];
    NPK_UNROLL
    for (int i = 0; i < kChannelTile; ++i) {
      const float b = bias != nullptr && o0 + i < p.out_channels ? bias[o0 + i] : 0.0f;
      NPK_UNROLL
      for (int v = 0; v < PV; ++v) acc[i][v] = splat(b);
    }

    for (int64_t k = 0; k < k_count; ++k) {
      const float* src = in + taps[k];
      vf xv[PV];
      NPK_UNROLL
      for (int v = 0; v < PV; ++v) xv[v] = load(src + v * kLanes);
      const float* wk = w + k * kPanelWidth;
      NPK_UNROLL
      for (int i = 0; i < kChannelTile; ++i) {
        const float wi = wk[i];
        NPK_UNROLL
        for (int v = 0; v < PV; ++v) acc[i][v] += wi * xv[v];
      }
    }

    // The epilogue reads the sums back from memory. With the accumulators
    // live across its calls of Activation::apply, clang-15 spilled some of
    // them inside the tap loop.
    alignas(64) float sums[kChannelTile][PV * kLanes];
    NPK_UNROLL
    for (int i = 0; i < kChannelTile; ++i) {
      NPK_UNROLL
      for (int v = 0; v < PV; ++v) store(sums[i] + v * kLanes, acc[i][v]);
    }

    const int64_t channels = min64(kChannelTile, p.out_channels - o0);
    for (int64_t i = 0; i < channels; ++i) {
      const int64_t at = ((n * p.out_channels + o0 + i) * p.out_h + oh) * p.out_w + ow0;
      for (int64_t v = 0; v < PV; ++v) {
        const int64_t count = min64(kLanes, p.out_w - ow0 - v * kLanes);
        if (count <= 0) break;
        store_lanes(at + v * kLanes, load(sums[i] + v * kLanes), count);
      }
    }
  }

  // Adds the residual, applies the activation and stores count <= kLanes
  // floats at y[at].
  void store_lanes(int64_t at, vf v, int64_t count) const {
    if (count == kLanes) {
      if (residual != nullptr) v += load(residual + at);
      store(y + at, activation.apply(v));
      return;
    }
    float lanes[kLanes] = {};
    if (residual != nullptr) {
      for (int64_t l = 0; l < count; ++l) lanes[l] = residual[at + l];
      v += load(lanes);
    }
    store(lanes, activation.apply(v));
    for (int64_t l = 0; l < count; ++l) y[at + l] = lanes[l];
  }

  // Runs tile<PV> for pv == PV, else the next smaller instance.
  template <int PV>
  void tile_of_width(int pv, const float* in, int64_t n, int64_t oh, int64_t o0,
                     int64_t ow0) const {
    if (pv == PV) return tile<PV>(in, n, oh, o0, ow0);
    if constexpr (PV > 1) tile_of_width<PV - 1>(pv, in, n, oh, o0, ow0);
  }

  // Computes output rows oh0 .. oh0+rows-1 of image n from the filled band.
  void band(const float* buffer, int64_t n, int64_t oh0, int64_t rows) const {
    // The row is split into near-equal chunks of at most kMaxPixelVectors
    // vectors: 7 vectors run as 3 + 2 + 2, not 3 + 3 + 1.
    const int64_t vectors = ceil_div(p.out_w, kLanes);
    const int64_t chunks = ceil_div(vectors, kMaxPixelVectors);
    const int64_t row_step = p.stride_h * p.stride_w * phase_len;

    for (int64_t r = 0; r < rows; ++r) {
      const float* row = buffer + r * row_step;
      for (int64_t o0 = 0; o0 < p.out_channels; o0 += kChannelTile) {
        int64_t v0 = 0;
        for (int64_t chunk = 0; chunk < chunks; ++chunk) {
          const int pv = static_cast<int>(vectors / chunks + (chunk < vectors % chunks ? 1 : 0));
          tile_of_width<kMaxPixelVectors>(pv, row + v0 * kLanes, n, oh0 + r, o0, v0 * kLanes);
          v0 += pv;
        }
      }
    }
  }
};

}  // namespace

bool direct_conv_applies(const npk_conv2d_params& p) {
  if (p.groups != 1 || p.in_channels > kMaxInputChannels) return false;
  // 1x1 convolutions read their input in place as the GEMM's A.
  if (p.kernel_h == 1 && p.kernel_w == 1) return false;
  if (p.in_channels * p.kernel_h * p.kernel_w > kMaxTaps) return false;
  return band_floats(p, 1) <= kBufferFloats;
}

void direct_conv(const npujar_model_args* ctx, const npk_conv2d_params& p, const float* x,
                 const float* packed_weight, const float* bias, const float* residual,
                 const Activation& activation, float* y) {
  // About four bands per thread where the plane has the rows, shrunk until
  // a band fits the buffer.
  const int64_t threads = thread_count(ctx);
  int64_t band_rows = max64(1, min64(p.out_h, ceil_div(p.out_h, 4 * threads)));
  while (band_rows > 1 && band_floats(p, band_rows) > kBufferFloats) --band_rows;
  const int64_t bands = ceil_div(p.out_h, band_rows);

  DirectConv conv{p, packed_weight, bias, residual, activation, y, phase_floats(p),
                  input_rows(p, band_rows), {}};
  conv.set_taps();

  const int64_t image_floats = p.in_channels * p.in_h * p.in_w;
  auto body = [&](int64_t begin, int64_t end) {
    alignas(64) float buffer[kBufferFloats];
    for (int64_t task = begin; task < end; ++task) {
      const int64_t n = task / bands;
      const int64_t oh0 = task % bands * band_rows;
      conv.fill_band(x + n * image_floats, oh0 * p.stride_h - p.pad_top, buffer);
      conv.band(buffer, n, oh0, min64(band_rows, p.out_h - oh0));
    }
  };
  parallel_for(ctx, p.batch * bands, body);
}

}  // namespace npk
