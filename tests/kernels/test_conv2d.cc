// conv2d against a float64 direct convolution.
#include "test_util.h"

namespace {

using npk_test::all_close;
using npk_test::AlignedBuffer;
using npk_test::random_floats;

struct ConvCase {
  int64_t batch, c, h, w, o, kh, kw;
  int64_t stride_h, stride_w;
  int64_t pad_top, pad_left, pad_bottom, pad_right;
  int64_t dilation_h, dilation_w, groups;
  bool with_bias, with_residual;
  int32_t activation;
  int threads;
};

void check_conv(const ConvCase& t) {
  npk_conv2d_params p{};
  p.batch = t.batch;
  p.in_channels = t.c;
  p.in_h = t.h;
  p.in_w = t.w;
  p.out_channels = t.o;
  p.kernel_h = t.kh;
  p.kernel_w = t.kw;
  p.stride_h = t.stride_h;
  p.stride_w = t.stride_w;
  p.pad_top = t.pad_top;
  p.pad_left = t.pad_left;
  p.pad_bottom = t.pad_bottom;
  p.pad_right = t.pad_right;
  p.dilation_h = t.dilation_h;
  p.dilation_w = t.dilation_w;
  p.groups = t.groups;
  p.out_h = (t.h + t.pad_top + t.pad_bottom - t.dilation_h * (t.kh - 1) - 1) / t.stride_h + 1;
  p.out_w = (t.w + t.pad_left + t.pad_right - t.dilation_w * (t.kw - 1) - 1) / t.stride_w + 1;
  SCOPED_TRACE(::testing::Message()
               << "N=" << t.batch << " C=" << t.c << " H=" << t.h << " W=" << t.w << " O=" << t.o
               << " kernel=" << t.kh << "x" << t.kw << " stride=" << t.stride_h << "," << t.stride_w
               << " pads=" << t.pad_top << "," << t.pad_left << "," << t.pad_bottom << ","
               << t.pad_right << " dilation=" << t.dilation_h << "," << t.dilation_w
               << " groups=" << t.groups << " activation=" << t.activation
               << " threads=" << t.threads);

  const int64_t group_in = t.c / t.groups, group_out = t.o / t.groups;
  const auto x = random_floats(t.batch * t.c * t.h * t.w, 11);
  const auto weight = random_floats(t.o * group_in * t.kh * t.kw, 12);
  const auto bias = random_floats(t.o, 13);
  const int64_t out_count = t.batch * t.o * p.out_h * p.out_w;
  const auto residual = random_floats(out_count, 14);

  AlignedBuffer packed(npk_conv2d_packed_weight_size(&p));
  npk_conv2d_pack_weight(&p, weight.data(), packed.floats());
  AlignedBuffer scratch(npk_conv2d_scratch_size(&p));
  std::vector<float> y(out_count, 777.0f);
  npujar_model_args args = npk_test::threaded_args(t.threads);
  npk_conv2d(t.threads == 0 ? nullptr : &args, &p, x.data(), packed.floats(),
             t.with_bias ? bias.data() : nullptr, t.with_residual ? residual.data() : nullptr,
             t.activation, 0.0f, 6.0f, y.data(), scratch.data);

  std::vector<double> expected(out_count);
  for (int64_t n = 0; n < t.batch; ++n) {
    for (int64_t o = 0; o < t.o; ++o) {
      const int64_t g = o / group_out;
      for (int64_t oh = 0; oh < p.out_h; ++oh) {
        for (int64_t ow = 0; ow < p.out_w; ++ow) {
          double sum = t.with_bias ? bias[o] : 0.0;
          for (int64_t ci = 0; ci < group_in; ++ci) {
            for (int64_t i = 0; i < t.kh; ++i) {
              for (int64_t j = 0; j < t.kw; ++j) {
                const int64_t ih = oh * t.stride_h - t.pad_top + i * t.dilation_h;
                const int64_t iw = ow * t.stride_w - t.pad_left + j * t.dilation_w;
                if (ih < 0 || ih >= t.h || iw < 0 || iw >= t.w) continue;
                const int64_t c = g * group_in + ci;
                sum += static_cast<double>(x[((n * t.c + c) * t.h + ih) * t.w + iw]) *
                       weight[((o * group_in + ci) * t.kh + i) * t.kw + j];
              }
            }
          }
          const int64_t at = ((n * t.o + o) * p.out_h + oh) * p.out_w + ow;
          if (t.with_residual) sum += residual[at];
          expected[at] = npk_test::reference_activation(t.activation, sum, 0.0, 6.0);
        }
      }
    }
  }
  EXPECT_TRUE(all_close(y, expected, 1e-4, 1e-5 * group_in * t.kh * t.kw));
}

TEST(Conv2d, RegularConvolutionsMatchReference) {
  // batch c h w o kh kw sh sw pt pl pb pr dh dw groups bias residual activation threads
  check_conv({1, 3, 17, 17, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, true, false, 0, 0});
  check_conv({2, 7, 9, 11, 17, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, true, true, 1, 2});
  check_conv({1, 3, 32, 32, 64, 7, 7, 2, 2, 3, 3, 3, 3, 1, 1, 1, true, false, 1, 2});
  check_conv({1, 16, 14, 14, 33, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1, 1, false, true, 0, 3});
  check_conv({1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, true, false, 0, 0});
  check_conv({1, 64, 7, 7, 70, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, true, true, 1, 2});
}

TEST(Conv2d, PaddingStrideDilationEdgesMatchReference) {
  // Asymmetric pads, unequal strides and dilation, kernel wider than input.
  check_conv({1, 4, 10, 13, 5, 3, 5, 2, 3, 0, 2, 1, 3, 1, 1, 1, true, false, 0, 0});
  check_conv({1, 4, 12, 12, 6, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 1, true, false, 0, 2});
  check_conv({2, 5, 9, 7, 3, 3, 2, 1, 2, 1, 0, 0, 1, 3, 2, 1, false, false, 0, 0});
  check_conv({1, 2, 3, 3, 4, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1, 1, true, false, 0, 0});
}

TEST(Conv2d, PointwiseMatchesReference) {
  check_conv({1, 64, 14, 14, 256, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, true, true, 1, 2});
  check_conv({2, 7, 5, 3, 9, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, true, false, 0, 0});
  // 64 and 576 pixels take the transposed path (input packed as B, bias
  // per row of C), including odd channel counts, batch and threads.
  check_conv({1, 16, 8, 8, 40, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, true, true, 1, 0});
  check_conv({2, 17, 24, 24, 35, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, true, true, 4, 3});
  check_conv({1, 7, 28, 28, 64, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, false, false, 0, 2});
  // Strided 1x1 (resnet downsample) goes through im2col.
  check_conv({1, 17, 9, 9, 20, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1, 1, true, false, 0, 0});
}

TEST(Conv2d, GroupedMatchesReference) {
  check_conv({1, 8, 9, 9, 12, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 4, true, true, 1, 2});
  check_conv({2, 6, 7, 8, 6, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 2, true, false, 0, 0});
  check_conv({1, 32, 8, 8, 64, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 32 / 16, true, false, 2, 3});
}

TEST(Conv2d, DepthwiseMatchesReference) {
  check_conv({1, 32, 17, 17, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 32, true, false, 2, 2});
  check_conv({2, 7, 10, 9, 7, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 7, true, true, 1, 0});
  check_conv({1, 5, 11, 11, 10, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1, 5, false, false, 0, 0});
  check_conv({1, 3, 13, 40, 3, 3, 3, 1, 2, 0, 1, 2, 0, 2, 3, 3, true, false, 4, 3});
  check_conv({1, 4, 6, 6, 4, 7, 7, 1, 1, 3, 3, 3, 3, 1, 1, 4, true, false, 0, 0});
  // A plane too large for the padded-plane buffer (rows buffered one by
  // one), and rows too long for the row buffer (every tap checked).
  check_conv({1, 2, 100, 120, 2, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2, true, true, 1, 2});
  check_conv({1, 2, 3, 3000, 4, 3, 3, 1, 2, 1, 1, 1, 1, 1, 1, 2, true, false, 0, 0});
  // Narrow rows use 4-lane vectors; 5x5 has its own unrolled instance.
  check_conv({1, 3, 5, 5, 3, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1, 3, true, false, 0, 0});
  check_conv({1, 3, 9, 21, 6, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1, 3, false, true, 2, 0});
}

// Depthwise convolutions with channel counts that leave a partial block of
// vector lanes (3, 7, 17, 33, 255), channel multiplier 2, strides, dilation,
// asymmetric pads, 5x5 and 7x7 kernels and planes from 1x1 to 112x112.
TEST(Conv2d, DepthwiseChannelBlocksMatchReference) {
  // batch c h w o kh kw sh sw pt pl pb pr dh dw groups bias residual activation threads
  check_conv({1, 3, 7, 7, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 3, true, false, 2, 0});
  check_conv({1, 7, 14, 14, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 7, true, true, 1, 2});
  check_conv({1, 17, 14, 14, 17, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 17, true, false, 2, 3});
  check_conv({2, 255, 7, 7, 255, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 255, true, true, 2, 2});
  check_conv({1, 255, 14, 14, 255, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 255, false, false, 1, 0});
  check_conv({1, 33, 1, 1, 33, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 33, true, true, 1, 0});
  check_conv({1, 17, 1, 1, 17, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 17, true, false, 0, 0});
  check_conv({1, 5, 112, 112, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 5, true, true, 2, 2});
  check_conv({1, 16, 112, 112, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 16, true, true, 2, 2});
  check_conv({1, 17, 112, 112, 17, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 17, true, false, 2, 3});
  check_conv({1, 48, 56, 56, 48, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 48, true, false, 2, 2});
  check_conv({1, 32, 28, 28, 32, 3, 3, 2, 2, 0, 0, 1, 1, 1, 1, 32, true, false, 2, 0});
}

TEST(Conv2d, DepthwiseMultiplierMatchesReference) {
  check_conv({1, 7, 14, 14, 14, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 7, true, false, 0, 0});
  check_conv({2, 17, 9, 11, 34, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 17, true, true, 1, 2});
  check_conv({1, 3, 7, 7, 9, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1, 3, false, true, 2, 0});
}

TEST(Conv2d, DepthwiseGeometryEdgesMatchReference) {
  // Dilation 2, asymmetric pads, unequal strides, 5x5 and 7x7 kernels,
  // a kernel larger than the input, non-square planes.
  check_conv({1, 19, 14, 14, 19, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 19, true, false, 1, 0});
  check_conv({1, 19, 15, 13, 19, 3, 3, 2, 1, 0, 2, 1, 0, 2, 1, 19, true, true, 2, 2});
  check_conv({1, 21, 14, 14, 21, 5, 5, 2, 2, 2, 2, 2, 2, 1, 1, 21, true, false, 1, 0});
  check_conv({1, 21, 7, 7, 21, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1, 21, false, true, 0, 3});
  check_conv({1, 9, 12, 10, 9, 7, 7, 1, 1, 3, 3, 3, 3, 1, 1, 9, true, false, 2, 0});
  check_conv({1, 9, 3, 3, 9, 5, 5, 1, 1, 3, 1, 2, 4, 1, 1, 9, true, true, 1, 0});
  check_conv({1, 20, 28, 9, 20, 3, 3, 3, 2, 1, 0, 2, 1, 1, 2, 20, true, false, 2, 2});
  // Odd-width rows whose bands start mid-row, wide rows with bands of
  // whole rows, and rows too wide for the block buffer (per-plane kernel).
  check_conv({1, 31, 40, 101, 31, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 31, true, true, 2, 2});
  check_conv({1, 32, 30, 224, 32, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 32, true, false, 1, 3});
  check_conv({1, 31, 3, 1000, 31, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 31, true, true, 1, 0});
  // With 16-float vectors, the 961 taps of a 31x31 kernel do not fit the
  // block buffer, so this case takes the per-plane path there.
  check_conv({1, 16, 40, 40, 16, 31, 31, 1, 1, 15, 15, 15, 15, 1, 1, 16, true, false, 0, 0});
}

TEST(Conv2d, DepthwiseEpiloguesMatchReference) {
  for (int32_t act = NPK_ACTIVATION_NONE; act <= NPK_ACTIVATION_GELU_TANH; ++act) {
    check_conv({1, 19, 7, 7, 19, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 19, true, true, act, 0});
    check_conv({1, 19, 14, 14, 19, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 19, false, true, act, 2});
    check_conv({1, 3, 56, 56, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 3, true, false, act, 0});
  }
}

TEST(Conv2d, WinogradShapesMatchReference) {
  // 3x3 stride 1 with >= 32 channels: odd and even output sizes, pads 0, 1
  // and asymmetric, more tiles per row than vector lanes, batch and threads.
  check_conv({1, 32, 9, 9, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, true, false, 0, 0});
  check_conv({2, 33, 8, 11, 40, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1, 1, true, true, 1, 2});
  check_conv({1, 48, 15, 70, 35, 3, 3, 1, 1, 2, 0, 1, 1, 1, 1, 1, false, true, 4, 3});
  check_conv({1, 64, 56, 56, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, true, true, 1, 2});
  check_conv({1, 40, 3, 3, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, true, false, 2, 0});
}

// Ungrouped non-1x1 convolutions with at most 4 input channels take the
// direct path. The cases cover output widths 1, 3, 7, 17 and 255 (partial
// vectors and several chunks per row) and channel counts that leave a
// partial channel tile. They also cover strides 1 to 3, dilation,
// asymmetric pads, bands of several rows, batch and threads.
TEST(Conv2d, FewInputChannelsMatchReference) {
  // batch c h w o kh kw sh sw pt pl pb pr dh dw groups bias residual activation threads
  check_conv({1, 3, 224, 224, 64, 7, 7, 2, 2, 3, 3, 3, 3, 1, 1, 1, true, false, 1, 2});
  check_conv({1, 3, 224, 224, 32, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, true, true, 2, 0});
  check_conv({2, 1, 9, 1, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, true, true, 1, 2});
  check_conv({1, 2, 5, 3, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, false, false, 0, 0});
  check_conv({1, 4, 7, 7, 17, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1, 1, true, true, 1, 3});
  check_conv({1, 3, 20, 17, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, true, false, 0, 0});
  check_conv({2, 3, 30, 255, 70, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, true, true, 1, 2});
  check_conv({1, 4, 40, 511, 9, 3, 5, 3, 2, 0, 2, 1, 3, 1, 1, 1, true, false, 0, 3});
  check_conv({1, 3, 31, 29, 12, 3, 3, 2, 3, 1, 0, 0, 2, 2, 3, 1, true, true, 1, 0});
  check_conv({1, 1, 3, 3, 5, 7, 7, 1, 1, 3, 3, 3, 3, 1, 1, 1, true, false, 0, 0});
  check_conv({1, 2, 16, 16, 8, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1, 1, false, true, 2, 2});
  // Rows too long for the band buffer go through the implicit GEMM.
  check_conv({1, 4, 4, 3000, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, true, true, 1, 0});
  // Strided 1x1 convolutions keep the GEMM.
  check_conv({1, 3, 9, 9, 20, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1, 1, true, false, 0, 0});
}

TEST(Conv2d, FewInputChannelEpiloguesMatchReference) {
  for (int32_t act = NPK_ACTIVATION_NONE; act <= NPK_ACTIVATION_GELU_TANH; ++act) {
    check_conv({1, 3, 12, 21, 19, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, true, true, act, 0});
    check_conv({1, 3, 14, 14, 6, 7, 7, 2, 2, 3, 3, 3, 3, 1, 1, 1, false, true, act, 2});
  }
}

// Implicit-GEMM convolutions whose pixel count suits the GEMM's column
// tiles (64-byte build), which pack runs of pixels per output row. The
// cases cover stride 2 (vectorized) and 3, dilation, asymmetric pads, two
// K blocks, batch and threads.
TEST(Conv2d, ImplicitGemmColumnTilesMatchReference) {
  // batch c h w o kh kw sh sw pt pl pb pr dh dw groups bias residual activation threads
  check_conv({1, 64, 56, 56, 128, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, true, true, 1, 2});
  check_conv({1, 64, 56, 56, 128, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1, 1, true, false, 1, 0});
  check_conv({2, 5, 40, 70, 19, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, true, true, 2, 3});
  check_conv({1, 30, 24, 24, 40, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 1, false, true, 0, 0});
  check_conv({1, 6, 50, 50, 8, 5, 5, 3, 3, 2, 1, 0, 2, 1, 1, 1, true, false, 0, 2});
  check_conv({1, 8, 30, 34, 16, 3, 3, 2, 2, 0, 1, 1, 0, 1, 1, 2, true, true, 1, 0});
  for (int32_t act = NPK_ACTIVATION_NONE; act <= NPK_ACTIVATION_GELU_TANH; ++act) {
    check_conv({1, 5, 18, 18, 9, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, true, true, act, 0});
  }
}

// The row tiles' NCHW output with K = 1152 (one K block of fewer rows)
// and K = 2304 (several K blocks, each adding into C).
TEST(Conv2d, ImplicitGemmLargeKMatchReference) {
  // batch c h w o kh kw sh sw pt pl pb pr dh dw groups bias residual activation threads
  check_conv({1, 128, 28, 28, 40, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, true, true, 1, 2});
  check_conv({1, 256, 7, 7, 20, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, true, true, 2, 0});
}

// Output rows whose tiles end exactly at or one column past a whole
// vector of tiles, odd input widths and pads 0 to 2, so that the
// transforms' vector and scalar edges meet at every vector width.
TEST(Conv2d, WinogradVectorEdgesMatchReference) {
  // batch c h w o kh kw sh sw pt pl pb pr dh dw groups bias residual activation threads
  check_conv({1, 32, 9, 33, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, true, true, 1, 0});
  check_conv({1, 32, 7, 64, 33, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, true, false, 2, 2});
  check_conv({1, 35, 6, 98, 32, 3, 3, 1, 1, 0, 2, 1, 0, 1, 1, 1, false, true, 0, 0});
  check_conv({1, 32, 5, 131, 40, 3, 3, 1, 1, 2, 0, 2, 2, 1, 1, 1, true, true, 1, 3});
}

// With 2 or 3 threads, planes of whole cache lines (256 pixels or more,
// a multiple of 16) are split into one segment of pixels per thread, and
// smaller or unaligned planes by output channels (see Segments in
// kernels/src/common.h). The segments start mid-row and cut bands, K blocks and tiles.
TEST(Conv2d, ThreadSegmentsMatchReference) {
  // batch c h w o kh kw sh sw pt pl pb pr dh dw groups bias residual activation threads
  // Depthwise: segments of pixels, stride 2, a 5x5 kernel, odd channels.
  check_conv({1, 33, 16, 16, 33, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 33, true, true, 2, 3});
  check_conv({1, 20, 32, 40, 20, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 20, true, false, 2, 2});
  check_conv({1, 17, 20, 16, 17, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1, 17, false, true, 1, 3});
  // Depthwise on 14x14: channel blocks.
  check_conv({1, 40, 14, 14, 40, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 40, true, true, 2, 3});
  // 1x1 with the NCHW output as a column-major C: rows (pixels) split.
  check_conv({1, 96, 16, 16, 24, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, true, true, 0, 2});
  check_conv({1, 40, 20, 20, 24, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, true, false, 1, 3});
  // 14x14 outputs: columns (output channels) split.
  check_conv({1, 96, 14, 14, 40, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, true, true, 2, 2});
  check_conv({1, 96, 14, 14, 72, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, true, false, 0, 3});
  check_conv({1, 32, 28, 28, 48, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, true, true, 1, 3});
  // The tile with the least work on the busiest thread (64-byte build):
  // column tiles for 96 channels at 14x14, 8x32 row tiles at 7x7.
  check_conv({1, 64, 14, 14, 96, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, true, true, 2, 2});
  check_conv({1, 96, 7, 7, 160, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, true, true, 0, 2});
  // Transposed 1x1 (pixels are C's columns): column tiles split.
  check_conv({1, 16, 32, 32, 64, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, true, true, 2, 3});
}

TEST(Conv2d, ScratchOnlyForWinogradAndTransposed1x1) {
  npk_conv2d_params winograd{1, 64, 14, 14, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 14, 14};
  EXPECT_GT(npk_conv2d_scratch_size(&winograd), 0);
  npk_conv2d_params strided = winograd;
  strided.stride_h = strided.stride_w = 2;
  strided.out_h = strided.out_w = 7;
  EXPECT_EQ(npk_conv2d_scratch_size(&strided), 0);
  npk_conv2d_params expanding{1, 64, 24, 24, 256, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 24, 24};
  EXPECT_EQ(npk_conv2d_scratch_size(&expanding), npk_gemm_packed_b_size(64, 576));
  npk_conv2d_params reducing = expanding;
  reducing.in_channels = 256;
  reducing.out_channels = 64;
  EXPECT_EQ(npk_conv2d_scratch_size(&reducing), 0);
  npk_conv2d_params stem{1, 3, 224, 224, 64, 7, 7, 2, 2, 3, 3, 3, 3, 1, 1, 1, 112, 112};
  EXPECT_EQ(npk_conv2d_scratch_size(&stem), 0);
}

TEST(Conv2d, EpilogueActivationsMatchReference) {
  for (int32_t act = NPK_ACTIVATION_NONE; act <= NPK_ACTIVATION_GELU_TANH; ++act) {
    check_conv({1, 5, 6, 6, 19, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, true, true, act, 0});
    check_conv({1, 6, 6, 6, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 6, true, true, act, 0});
  }
}

}  // namespace
