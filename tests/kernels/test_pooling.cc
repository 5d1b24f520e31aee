// Pooling and resize against float64 loops that follow PyTorch's documented
// formulas (torch.nn.MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, interpolate).
#include "test_util.h"

namespace {

using npk_test::all_close;
using npk_test::random_floats;

// PyTorch's pooling output size, including the ceil_mode rule that the last
// window must start inside the input or the left padding.
int64_t pooled_size(int64_t in, int64_t kernel, int64_t stride, int64_t pad_begin, int64_t pad_end,
                    int64_t dilation, bool ceil_mode) {
  const int64_t span = in + pad_begin + pad_end - dilation * (kernel - 1) - 1;
  int64_t out = (ceil_mode ? (span + stride - 1) / stride : span / stride) + 1;
  if (ceil_mode && (out - 1) * stride >= in + pad_begin) --out;
  return out;
}

struct PoolCase {
  int64_t h, w, kh, kw, sh, sw, pt, pl, pb, pr, dh, dw;
  bool ceil_mode, count_include_pad;
  int64_t divisor;
};

npk_pool2d_params make_params(const PoolCase& c, int64_t batch, int64_t channels) {
  npk_pool2d_params p{};
  p.batch = batch;
  p.channels = channels;
  p.in_h = c.h;
  p.in_w = c.w;
  p.kernel_h = c.kh;
  p.kernel_w = c.kw;
  p.stride_h = c.sh;
  p.stride_w = c.sw;
  p.pad_top = c.pt;
  p.pad_left = c.pl;
  p.pad_bottom = c.pb;
  p.pad_right = c.pr;
  p.dilation_h = c.dh;
  p.dilation_w = c.dw;
  p.ceil_mode = c.ceil_mode;
  p.count_include_pad = c.count_include_pad;
  p.divisor = c.divisor;
  p.out_h = pooled_size(c.h, c.kh, c.sh, c.pt, c.pb, c.dh, c.ceil_mode);
  p.out_w = pooled_size(c.w, c.kw, c.sw, c.pl, c.pr, c.dw, c.ceil_mode);
  return p;
}

const PoolCase kPoolCases[] = {
    {112, 112, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, false, true, 0},  // resnet stem
    {7, 7, 3, 3, 2, 2, 0, 0, 0, 0, 1, 1, true, true, 0},
    {8, 9, 2, 3, 2, 2, 1, 1, 1, 1, 1, 1, true, false, 0},
    {10, 10, 3, 3, 3, 3, 1, 1, 1, 1, 1, 1, true, true, 0},
    {5, 6, 3, 2, 1, 2, 1, 0, 1, 1, 1, 1, false, false, 5},
    {9, 9, 3, 3, 1, 1, 0, 1, 2, 1, 2, 2, false, true, 0},
    {1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, false, true, 0},
};

TEST(MaxPool2d, MatchesReference) {
  for (const auto& c : kPoolCases) {
    const npk_pool2d_params p = make_params(c, 2, 3);
    SCOPED_TRACE(::testing::Message() << c.h << "x" << c.w << " kernel " << c.kh << "x" << c.kw
                                      << " ceil=" << c.ceil_mode << " out " << p.out_h << "x" << p.out_w);
    const auto x = random_floats(2 * 3 * c.h * c.w, 71);
    std::vector<float> y(2 * 3 * p.out_h * p.out_w);
    npujar_model_args args = npk_test::threaded_args(2);
    npk_max_pool2d(&args, &p, x.data(), y.data());
    std::vector<double> expected(y.size());
    for (int64_t plane = 0; plane < 6; ++plane) {
      for (int64_t oh = 0; oh < p.out_h; ++oh) {
        for (int64_t ow = 0; ow < p.out_w; ++ow) {
          double max = -INFINITY;
          for (int64_t i = 0; i < c.kh; ++i) {
            for (int64_t j = 0; j < c.kw; ++j) {
              const int64_t ih = oh * c.sh - c.pt + i * c.dh, iw = ow * c.sw - c.pl + j * c.dw;
              if (ih >= 0 && ih < c.h && iw >= 0 && iw < c.w) {
                max = std::fmax(max, x[(plane * c.h + ih) * c.w + iw]);
              }
            }
          }
          expected[(plane * p.out_h + oh) * p.out_w + ow] = max;
        }
      }
    }
    EXPECT_TRUE(all_close(y, expected, 0, 0));
  }
}

// Max pooling in float64 where a NaN tap makes the window's result NaN, as
// in PyTorch (std::fmax would drop it).
std::vector<double> reference_max_pool(const PoolCase& c, const npk_pool2d_params& p,
                                       const std::vector<float>& x, int64_t planes) {
  std::vector<double> expected(planes * p.out_h * p.out_w);
  for (int64_t plane = 0; plane < planes; ++plane) {
    for (int64_t oh = 0; oh < p.out_h; ++oh) {
      for (int64_t ow = 0; ow < p.out_w; ++ow) {
        double max = -INFINITY;
        for (int64_t i = 0; i < c.kh; ++i) {
          for (int64_t j = 0; j < c.kw; ++j) {
            const int64_t ih = oh * c.sh - c.pt + i * c.dh, iw = ow * c.sw - c.pl + j * c.dw;
            if (ih < 0 || ih >= c.h || iw < 0 || iw >= c.w) continue;
            const double value = x[(plane * c.h + ih) * c.w + iw];
            if (std::isnan(value) || value > max) max = value;
          }
        }
        expected[(plane * p.out_h + oh) * p.out_w + ow] = max;
      }
    }
  }
  return expected;
}

// Large planes take the vectorized interior path for strides 1 and 2, with
// border columns and leftover interior columns on both sides of it.
TEST(MaxPool2d, LargePlanesPropagateNaN) {
  const PoolCase cases[] = {
      {112, 112, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, false, true, 0},
      {112, 112, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, true, true, 0},
      {112, 112, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, false, true, 0},
      {112, 112, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, true, true, 0},
      {113, 113, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, true, true, 0},
      {57, 61, 3, 2, 2, 2, 0, 1, 0, 1, 2, 2, true, true, 0},
      {57, 61, 2, 3, 1, 1, 1, 0, 1, 0, 1, 2, false, true, 0},
      {40, 70, 3, 3, 3, 3, 1, 1, 1, 1, 1, 1, true, true, 0},
  };
  const int64_t channels = 64;
  for (const auto& c : cases) {
    const npk_pool2d_params p = make_params(c, 1, channels);
    SCOPED_TRACE(::testing::Message() << c.h << "x" << c.w << " kernel " << c.kh << "x" << c.kw
                                      << " stride " << c.sh << "x" << c.sw << " ceil=" << c.ceil_mode
                                      << " out " << p.out_h << "x" << p.out_w);
    auto x = random_floats(channels * c.h * c.w, 73);
    for (size_t i = 0; i < x.size(); i += 97) x[i] = NAN;
    std::vector<float> y(channels * p.out_h * p.out_w);
    npujar_model_args args = npk_test::threaded_args(2);
    npk_max_pool2d(&args, &p, x.data(), y.data());
    EXPECT_TRUE(all_close(y, reference_max_pool(c, p, x, channels), 0, 0));
  }
}

TEST(AvgPool2d, MatchesReference) {
  for (const auto& base : kPoolCases) {
    for (bool include_pad : {false, true}) {
      PoolCase c = base;
      c.dh = c.dw = 1;
      c.count_include_pad = include_pad;
      const npk_pool2d_params p = make_params(c, 1, 2);
      SCOPED_TRACE(::testing::Message() << c.h << "x" << c.w << " kernel " << c.kh << "x" << c.kw
                                        << " ceil=" << c.ceil_mode << " include_pad=" << include_pad
                                        << " divisor=" << c.divisor);
      const auto x = random_floats(2 * c.h * c.w, 72);
      std::vector<float> y(2 * p.out_h * p.out_w);
      npk_avg_pool2d(nullptr, &p, x.data(), y.data());
      std::vector<double> expected(y.size());
      for (int64_t plane = 0; plane < 2; ++plane) {
        for (int64_t oh = 0; oh < p.out_h; ++oh) {
          for (int64_t ow = 0; ow < p.out_w; ++ow) {
            double sum = 0;
            int64_t inside = 0, padded = 0;
            for (int64_t i = 0; i < c.kh; ++i) {
              for (int64_t j = 0; j < c.kw; ++j) {
                const int64_t ih = oh * c.sh - c.pt + i, iw = ow * c.sw - c.pl + j;
                // Positions in the padded input count for count_include_pad;
                // positions past the padding (ceil_mode overhang) never do.
                if (ih < c.h + c.pb && iw < c.w + c.pr) ++padded;
                if (ih >= 0 && ih < c.h && iw >= 0 && iw < c.w) {
                  sum += x[(plane * c.h + ih) * c.w + iw];
                  ++inside;
                }
              }
            }
            const int64_t divisor = c.divisor != 0 ? c.divisor : (include_pad ? padded : inside);
            expected[(plane * p.out_h + oh) * p.out_w + ow] = inside == 0 ? 0.0 : sum / divisor;
          }
        }
      }
      EXPECT_TRUE(all_close(y, expected, 1e-6, 1e-7));
    }
  }
}

void check_adaptive(int64_t h, int64_t w, int64_t oh_count, int64_t ow_count) {
  SCOPED_TRACE(::testing::Message() << h << "x" << w << " -> " << oh_count << "x" << ow_count);
  const auto x = random_floats(3 * h * w, 73);
  std::vector<float> avg(3 * oh_count * ow_count), max(avg.size());
  npujar_model_args args = npk_test::threaded_args(2);
  npk_adaptive_avg_pool2d(&args, 1, 3, h, w, oh_count, ow_count, x.data(), avg.data());
  npk_adaptive_max_pool2d(&args, 1, 3, h, w, oh_count, ow_count, x.data(), max.data());
  std::vector<double> expected_avg(avg.size()), expected_max(avg.size());
  for (int64_t c = 0; c < 3; ++c) {
    for (int64_t i = 0; i < oh_count; ++i) {
      const int64_t h0 = static_cast<int64_t>(std::floor(double(i) * h / oh_count));
      const int64_t h1 = static_cast<int64_t>(std::ceil(double(i + 1) * h / oh_count));
      for (int64_t j = 0; j < ow_count; ++j) {
        const int64_t w0 = static_cast<int64_t>(std::floor(double(j) * w / ow_count));
        const int64_t w1 = static_cast<int64_t>(std::ceil(double(j + 1) * w / ow_count));
        double sum = 0, m = -INFINITY;
        for (int64_t a = h0; a < h1; ++a) {
          for (int64_t b = w0; b < w1; ++b) {
            sum += x[(c * h + a) * w + b];
            m = std::fmax(m, x[(c * h + a) * w + b]);
          }
        }
        expected_avg[(c * oh_count + i) * ow_count + j] = sum / ((h1 - h0) * (w1 - w0));
        expected_max[(c * oh_count + i) * ow_count + j] = m;
      }
    }
  }
  EXPECT_TRUE(all_close(avg, expected_avg, 1e-6, 1e-7));
  EXPECT_TRUE(all_close(max, expected_max, 0, 0));
}

TEST(AdaptivePool2d, NonDividingBinsMatchReference) {
  check_adaptive(7, 7, 1, 1);
  check_adaptive(7, 7, 3, 3);
  check_adaptive(10, 5, 4, 3);
  check_adaptive(3, 3, 5, 7);
  check_adaptive(17, 1, 7, 1);
}

// Reference resize in double following interpolate's documented rules.
std::vector<double> reference_resize(const std::vector<float>& x, int64_t h, int64_t w, int64_t oh,
                                     int64_t ow, bool bilinear, bool corners, double scale_h,
                                     double scale_w) {
  auto ratio = [&](int64_t in, int64_t out, double scale) {
    if (bilinear && corners) return out > 1 ? double(in - 1) / (out - 1) : 0.0;
    return scale > 0 ? 1.0 / scale : double(in) / out;
  };
  const double rh = ratio(h, oh, scale_h), rw = ratio(w, ow, scale_w);
  std::vector<double> y(oh * ow);
  for (int64_t i = 0; i < oh; ++i) {
    for (int64_t j = 0; j < ow; ++j) {
      if (!bilinear) {
        const int64_t si = std::min<int64_t>(static_cast<int64_t>(std::floor(i * rh)), h - 1);
        const int64_t sj = std::min<int64_t>(static_cast<int64_t>(std::floor(j * rw)), w - 1);
        y[i * ow + j] = x[si * w + sj];
        continue;
      }
      double sh = corners ? i * rh : std::max(0.0, (i + 0.5) * rh - 0.5);
      double sw = corners ? j * rw : std::max(0.0, (j + 0.5) * rw - 0.5);
      const int64_t h0 = std::min<int64_t>(static_cast<int64_t>(sh), h - 1);
      const int64_t w0 = std::min<int64_t>(static_cast<int64_t>(sw), w - 1);
      const int64_t h1 = std::min<int64_t>(h0 + 1, h - 1), w1 = std::min<int64_t>(w0 + 1, w - 1);
      const double lh = sh - h0, lw = sw - w0;
      y[i * ow + j] = (1 - lh) * ((1 - lw) * x[h0 * w + w0] + lw * x[h0 * w + w1]) +
                      lh * ((1 - lw) * x[h1 * w + w0] + lw * x[h1 * w + w1]);
    }
  }
  return y;
}

TEST(Resize, NearestAndBilinearMatchReference) {
  struct Case {
    int64_t h, w, oh, ow;
    float scale_h, scale_w;
  };
  const Case cases[] = {{4, 5, 8, 10, 0, 0}, {5, 7, 3, 4, 0, 0}, {3, 3, 7, 5, 0, 0},
                        {4, 4, 8, 8, 2.0f, 2.0f}, {5, 5, 12, 7, 2.5f, 1.5f}, {1, 6, 3, 6, 0, 0},
                        {6, 1, 1, 1, 0, 0}};
  for (const auto& c : cases) {
    const auto x = random_floats(c.h * c.w, 74);
    for (int32_t mode : {NPK_RESIZE_NEAREST, NPK_RESIZE_BILINEAR}) {
      for (int32_t corners : {0, 1}) {
        SCOPED_TRACE(::testing::Message() << c.h << "x" << c.w << " -> " << c.oh << "x" << c.ow
                                          << " mode=" << mode << " align_corners=" << corners
                                          << " scales=" << c.scale_h << "," << c.scale_w);
        std::vector<float> y(c.oh * c.ow);
        npk_resize(nullptr, mode, corners, 1, 1, c.h, c.w, c.oh, c.ow, c.scale_h, c.scale_w,
                   x.data(), y.data());
        const auto expected = reference_resize(x, c.h, c.w, c.oh, c.ow, mode == NPK_RESIZE_BILINEAR,
                                               corners != 0, c.scale_h, c.scale_w);
        EXPECT_TRUE(all_close(y, expected, 1e-5, 1e-6));
      }
    }
  }
}

}  // namespace
