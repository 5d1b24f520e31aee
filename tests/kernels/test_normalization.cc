// layer_norm, softmax, log_softmax and batch_norm against float64 loops.
#include "test_util.h"

namespace {

using npk_test::all_close;
using npk_test::random_floats;

TEST(LayerNorm, MatchesReference) {
  for (int64_t cols : {1, 7, 17, 255, 768}) {
    for (bool affine : {false, true}) {
      SCOPED_TRACE(::testing::Message() << "cols=" << cols << " affine=" << affine);
      const int64_t rows = 5;
      const auto x = random_floats(rows * cols, 41, -3.0f, 5.0f);
      const auto weight = random_floats(cols, 42);
      const auto bias = random_floats(cols, 43);
      std::vector<float> y(rows * cols);
      npujar_model_args args = npk_test::threaded_args(2);
      npk_layer_norm(&args, rows, cols, x.data(), affine ? weight.data() : nullptr,
                     affine ? bias.data() : nullptr, 1e-5f, y.data());
      std::vector<double> expected(rows * cols);
      for (int64_t r = 0; r < rows; ++r) {
        double mean = 0, var = 0;
        for (int64_t i = 0; i < cols; ++i) mean += x[r * cols + i];
        mean /= cols;
        for (int64_t i = 0; i < cols; ++i) var += (x[r * cols + i] - mean) * (x[r * cols + i] - mean);
        var /= cols;
        for (int64_t i = 0; i < cols; ++i) {
          double v = (x[r * cols + i] - mean) / std::sqrt(var + 1e-5);
          if (affine) v = v * weight[i] + bias[i];
          expected[r * cols + i] = v;
        }
      }
      EXPECT_TRUE(all_close(y, expected, 1e-5, 1e-5));
    }
  }
}

void check_softmax(int64_t outer, int64_t axis, int64_t inner, bool log, float scale) {
  SCOPED_TRACE(::testing::Message() << "outer=" << outer << " axis=" << axis
                                    << " inner=" << inner << " log=" << log);
  auto x = random_floats(outer * axis * inner, 51, -scale, scale);
  std::vector<float> y(x.size());
  npujar_model_args args = npk_test::threaded_args(3);
  if (log) {
    npk_log_softmax(&args, outer, axis, inner, x.data(), y.data());
  } else {
    npk_softmax(&args, outer, axis, inner, x.data(), y.data());
  }
  std::vector<double> expected(x.size());
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t j = 0; j < inner; ++j) {
      double max = -1e300, sum = 0;
      for (int64_t a = 0; a < axis; ++a) max = std::fmax(max, x[(o * axis + a) * inner + j]);
      for (int64_t a = 0; a < axis; ++a) sum += std::exp(x[(o * axis + a) * inner + j] - max);
      for (int64_t a = 0; a < axis; ++a) {
        const double shifted = x[(o * axis + a) * inner + j] - max;
        expected[(o * axis + a) * inner + j] = log ? shifted - std::log(sum) : std::exp(shifted) / sum;
      }
    }
  }
  EXPECT_TRUE(all_close(y, expected, 1e-5, 1e-6));
}

TEST(Softmax, LastAxisMatchesReference) {
  for (int64_t axis : {1, 3, 17, 128, 255}) {
    check_softmax(7, axis, 1, false, 5.0f);
    check_softmax(7, axis, 1, true, 5.0f);
  }
}

TEST(Softmax, InnerAxisMatchesReference) {
  for (int64_t inner : {2, 7, 17, 64}) {
    check_softmax(3, 5, inner, false, 5.0f);
    check_softmax(3, 5, inner, true, 5.0f);
  }
}

TEST(Softmax, LargeLogitsDoNotOverflow) {
  check_softmax(2, 33, 1, false, 1000.0f);
  check_softmax(2, 33, 1, true, 1000.0f);
  check_softmax(2, 9, 17, false, 1000.0f);
}

TEST(BatchNorm, MatchesReference) {
  const int64_t batch = 2, channels = 5, inner = 17;
  const auto x = random_floats(batch * channels * inner, 61);
  const auto mean = random_floats(channels, 62);
  const auto var = random_floats(channels, 63, 0.1f, 2.0f);
  const auto weight = random_floats(channels, 64);
  const auto bias = random_floats(channels, 65);
  for (bool affine : {false, true}) {
    std::vector<float> y(x.size());
    npk_batch_norm(nullptr, batch, channels, inner, x.data(), mean.data(), var.data(),
                   affine ? weight.data() : nullptr, affine ? bias.data() : nullptr, 1e-5f, y.data());
    std::vector<double> expected(x.size());
    for (int64_t i = 0; i < static_cast<int64_t>(x.size()); ++i) {
      const int64_t c = i / inner % channels;
      double v = (x[i] - mean[c]) / std::sqrt(var[c] + 1e-5);
      if (affine) v = v * weight[c] + bias[c];
      expected[i] = v;
    }
    EXPECT_TRUE(all_close(y, expected, 1e-5, 1e-6)) << "affine=" << affine;
  }
}

}  // namespace
