// Strided copy, pad, reduce and gather against index arithmetic written out
// in the test.
#include <algorithm>

#include "test_util.h"

namespace {

using npk_test::all_close;
using npk_test::random_floats;

TEST(StridedCopy, PermuteMatchesReference) {
  // x [2,3,4,5] permuted by (0,2,3,1) -> y [2,4,5,3].
  const int64_t d0 = 2, d1 = 3, d2 = 4, d3 = 5;
  const auto x = random_floats(d0 * d1 * d2 * d3, 81);
  const int64_t shape[] = {d0, d2, d3, d1};
  const int64_t x_strides[] = {d1 * d2 * d3, d3, 1, d2 * d3};
  const int64_t y_strides[] = {d2 * d3 * d1, d3 * d1, d1, 1};
  std::vector<float> y(x.size());
  npujar_model_args args = npk_test::threaded_args(2);
  npk_strided_copy(&args, 4, 4, shape, x.data(), x_strides, y.data(), y_strides);
  for (int64_t a = 0; a < d0; ++a)
    for (int64_t b = 0; b < d1; ++b)
      for (int64_t c = 0; c < d2; ++c)
        for (int64_t d = 0; d < d3; ++d)
          ASSERT_EQ(y[((a * d2 + c) * d3 + d) * d1 + b], x[((a * d1 + b) * d2 + c) * d3 + d]);
}

TEST(StridedCopy, SliceExpandAndConcatMatchReference) {
  // Slice x[1:7:3] of a [9] int64 vector.
  std::vector<int64_t> x64 = {0, 1, 2, 3, 4, 5, 6, 7, 8};
  std::vector<int64_t> s64(2);
  const int64_t slice_shape[] = {2}, slice_x[] = {3}, unit[] = {1};
  npk_strided_copy(nullptr, 8, 1, slice_shape, x64.data() + 1, slice_x, s64.data(), unit);
  EXPECT_EQ(s64, (std::vector<int64_t>{1, 4}));

  // Expand a [3,1] float to [3,4].
  const std::vector<float> column = {1, 2, 3};
  std::vector<float> expanded(12);
  const int64_t expand_shape[] = {3, 4}, expand_x[] = {1, 0}, expand_y[] = {4, 1};
  npk_strided_copy(nullptr, 4, 2, expand_shape, column.data(), expand_x, expanded.data(), expand_y);
  EXPECT_EQ(expanded, (std::vector<float>{1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3}));

  // Concat [2,1] and [2,2] bool along axis 1 into [2,3].
  const std::vector<uint8_t> a = {1, 0}, b = {0, 1, 1, 0};
  std::vector<uint8_t> cat(6, 9);
  const int64_t a_shape[] = {2, 1}, a_strides[] = {1, 1}, b_shape[] = {2, 2}, b_strides[] = {2, 1};
  const int64_t cat_strides[] = {3, 1};
  npk_strided_copy(nullptr, 1, 2, a_shape, a.data(), a_strides, cat.data(), cat_strides);
  npk_strided_copy(nullptr, 1, 2, b_shape, b.data(), b_strides, cat.data() + 1, cat_strides);
  EXPECT_EQ(cat, (std::vector<uint8_t>{1, 0, 1, 0, 1, 0}));

  // Rank 0 copies one element.
  float scalar = 0, source = 4.5f;
  npk_strided_copy(nullptr, 4, 0, nullptr, &source, nullptr, &scalar, nullptr);
  EXPECT_EQ(scalar, 4.5f);
}

// Source index of a padded position, written from the torch.nn.functional.pad
// definitions: reflect mirrors without repeating the edge, replicate repeats
// it, circular wraps.
int64_t reference_source(int32_t mode, int64_t out, int64_t begin, int64_t n) {
  int64_t i = out - begin;
  if (i >= 0 && i < n) return i;
  if (mode == NPK_PAD_CONSTANT) return -1;
  if (mode == NPK_PAD_REPLICATE) return std::clamp<int64_t>(i, 0, n - 1);
  if (mode == NPK_PAD_CIRCULAR) return ((i % n) + n) % n;
  const int64_t period = 2 * (n - 1);
  i = ((i % period) + period) % period;
  return i < n ? i : period - i;
}

TEST(Pad, EveryModeMatchesReference) {
  const int64_t in_shape[] = {2, 3, 4};
  const auto x = random_floats(24, 82);
  const std::vector<std::vector<int64_t>> pad_sets = {
      {0, 1, 2, 0, 2, 3}, {0, 0, 3, 0, 0, 3}, {1, 2, 1, 0, 1, 2}, {0, 0, 0, 0, 0, 0}};
  for (int32_t mode = NPK_PAD_CONSTANT; mode <= NPK_PAD_CIRCULAR; ++mode) {
    for (const auto& pads : pad_sets) {
      if (mode == NPK_PAD_REFLECT && (pads[0] > 1 || pads[3] > 1)) continue;
      SCOPED_TRACE(::testing::Message() << "mode=" << mode << " pads=" << pads[0] << "," << pads[1]
                                        << "," << pads[2] << "," << pads[3] << "," << pads[4]
                                        << "," << pads[5]);
      int64_t out_shape[3];
      for (int d = 0; d < 3; ++d) out_shape[d] = pads[d] + in_shape[d] + pads[3 + d];
      std::vector<float> y(out_shape[0] * out_shape[1] * out_shape[2]);
      npujar_model_args args = npk_test::threaded_args(2);
      npk_pad(&args, mode, 3, in_shape, pads.data(), -7.5f, x.data(), y.data());
      std::vector<double> expected(y.size());
      for (int64_t a = 0; a < out_shape[0]; ++a) {
        for (int64_t b = 0; b < out_shape[1]; ++b) {
          for (int64_t c = 0; c < out_shape[2]; ++c) {
            const int64_t sa = reference_source(mode, a, pads[0], in_shape[0]);
            const int64_t sb = reference_source(mode, b, pads[1], in_shape[1]);
            const int64_t sc = reference_source(mode, c, pads[2], in_shape[2]);
            const bool constant = sa < 0 || sb < 0 || sc < 0;
            expected[(a * out_shape[1] + b) * out_shape[2] + c] =
                constant ? -7.5 : x[(sa * in_shape[1] + sb) * in_shape[2] + sc];
          }
        }
      }
      EXPECT_TRUE(all_close(y, expected, 0, 0));
    }
  }
}

TEST(Pad, NegativePadsCrop) {
  const int64_t in_shape[] = {6};
  const int64_t pads[] = {-2, -1};
  const std::vector<float> x = {0, 1, 2, 3, 4, 5};
  std::vector<float> y(3);
  npk_pad(nullptr, NPK_PAD_CONSTANT, 1, in_shape, pads, 0.0f, x.data(), y.data());
  EXPECT_EQ(y, (std::vector<float>{2, 3, 4}));
}

TEST(Reduce, EveryOpAndAxisSetMatchesReference) {
  const int64_t shape[] = {3, 4, 5, 2};
  const auto x = random_floats(120, 83);
  for (int64_t mask = 0; mask < 16; ++mask) {
    for (int32_t op = NPK_REDUCE_SUM; op <= NPK_REDUCE_MIN; ++op) {
      SCOPED_TRACE(::testing::Message() << "mask=" << mask << " op=" << op);
      int64_t outputs = 1;
      for (int d = 0; d < 4; ++d) {
        if (!((mask >> d) & 1)) outputs *= shape[d];
      }
      std::vector<float> y(outputs);
      npujar_model_args args = npk_test::threaded_args(2);
      npk_reduce(&args, op, 4, shape, mask, x.data(), y.data());

      std::vector<double> sum(outputs, 0), max(outputs, -INFINITY), min(outputs, INFINITY);
      std::vector<int64_t> count(outputs, 0);
      for (int64_t flat = 0; flat < 120; ++flat) {
        int64_t index[4], rest = flat;
        for (int d = 3; d >= 0; --d) {
          index[d] = rest % shape[d];
          rest /= shape[d];
        }
        int64_t o = 0;
        for (int d = 0; d < 4; ++d) {
          if (!((mask >> d) & 1)) o = o * shape[d] + index[d];
        }
        sum[o] += x[flat];
        max[o] = std::fmax(max[o], x[flat]);
        min[o] = std::fmin(min[o], x[flat]);
        ++count[o];
      }
      std::vector<double> expected(outputs);
      for (int64_t o = 0; o < outputs; ++o) {
        const double results[] = {sum[o], sum[o] / count[o], max[o], min[o]};
        expected[o] = results[op];
      }
      EXPECT_TRUE(all_close(y, expected, 1e-6, 1e-6));
    }
  }
}

TEST(Gather, EmbeddingLookupMatchesReference) {
  // table [10][7] f32, ids [5] i64 -> [5][7]; and axis 1 of [2][10][3] with i32.
  const auto table = random_floats(70, 84);
  const std::vector<int64_t> ids = {3, 0, 9, 3, 7};
  std::vector<float> y(35);
  npujar_model_args args = npk_test::threaded_args(2);
  ASSERT_EQ(npk_gather(&args, 4, 1, 10, 7, table.data(), NPK_DTYPE_I64, ids.data(), 5, y.data()),
            NPK_STATUS_OK);
  for (int64_t j = 0; j < 5; ++j) {
    for (int64_t k = 0; k < 7; ++k) ASSERT_EQ(y[j * 7 + k], table[ids[j] * 7 + k]);
  }

  const auto data = random_floats(60, 85);
  const std::vector<int32_t> idx = {9, 1};
  std::vector<float> z(12);
  ASSERT_EQ(npk_gather(nullptr, 4, 2, 10, 3, data.data(), NPK_DTYPE_I32, idx.data(), 2, z.data()),
            NPK_STATUS_OK);
  for (int64_t o = 0; o < 2; ++o)
    for (int64_t j = 0; j < 2; ++j)
      for (int64_t k = 0; k < 3; ++k)
        ASSERT_EQ(z[(o * 2 + j) * 3 + k], data[(o * 10 + idx[j]) * 3 + k]);
}

TEST(Gather, OutOfRangeIndexIsRejected) {
  const std::vector<float> table(20, 1.0f);
  std::vector<float> y(8);
  const std::vector<int64_t> too_large = {1, 10};
  EXPECT_EQ(npk_gather(nullptr, 4, 1, 10, 2, table.data(), NPK_DTYPE_I64, too_large.data(), 2, y.data()),
            NPK_STATUS_INDEX_OUT_OF_RANGE);
  const std::vector<int32_t> negative = {-1};
  EXPECT_EQ(npk_gather(nullptr, 4, 1, 10, 2, table.data(), NPK_DTYPE_I32, negative.data(), 1, y.data()),
            NPK_STATUS_INDEX_OUT_OF_RANGE);
}

}  // namespace
