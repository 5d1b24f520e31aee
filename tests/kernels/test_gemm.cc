// SGEMM and batched matmul against a float64 triple loop.
#include <tuple>

#include "test_util.h"

namespace {

using npk_test::all_close;
using npk_test::AlignedBuffer;
using npk_test::random_floats;

struct GemmCase {
  int64_t m, n, k;
  bool transposed_a;  // A stored column-major (stride_am 1)
  bool transposed_c;  // C stored column-major (stride_cm 1), like conv2d's NCHW output
  bool with_bias;
  bool with_residual;
  int32_t activation;
  int threads;  // 0 = serial (ctx NULL)
};

// Runs npk_gemm on B given as weight[N][K] (linear layout) and compares it
// with activation(A @ W^T + bias + residual) computed in double.
void check_gemm(const GemmCase& c) {
  SCOPED_TRACE(::testing::Message() << "M=" << c.m << " N=" << c.n << " K=" << c.k
                                    << " transposed_a=" << c.transposed_a
                                    << " transposed_c=" << c.transposed_c
                                    << " activation=" << c.activation << " threads=" << c.threads);
  const auto a = random_floats(c.m * c.k, 1);
  const auto w = random_floats(c.n * c.k, 2);
  const auto bias = random_floats(c.n, 3);
  const auto residual = random_floats(c.m * c.n, 4);
  const float clamp_min = -0.25f, clamp_max = 0.5f;

  const int64_t stride_am = c.transposed_a ? 1 : c.k;
  const int64_t stride_ak = c.transposed_a ? c.m : 1;
  const int64_t stride_cm = c.transposed_c ? 1 : c.n;
  const int64_t stride_cn = c.transposed_c ? c.m : 1;

  AlignedBuffer packed(npk_gemm_packed_b_size(c.k, c.n));
  npk_gemm_pack_b(c.k, c.n, w.data(), 1, c.k, packed.floats());

  std::vector<float> out(c.m * c.n, 12345.0f);
  npujar_model_args args = npk_test::threaded_args(c.threads);
  npk_gemm(c.threads == 0 ? nullptr : &args, c.m, c.n, c.k, a.data(), stride_am, stride_ak,
           packed.floats(), out.data(), stride_cm, stride_cn, c.with_bias ? bias.data() : nullptr,
           c.with_residual ? residual.data() : nullptr, c.activation, clamp_min, clamp_max);

  std::vector<double> expected(c.m * c.n);
  for (int64_t i = 0; i < c.m; ++i) {
    for (int64_t j = 0; j < c.n; ++j) {
      double sum = 0;
      for (int64_t p = 0; p < c.k; ++p) {
        // a is read through the same strides as the kernel: element (i, p).
        sum += static_cast<double>(a[i * stride_am + p * stride_ak]) * w[j * c.k + p];
      }
      const int64_t at = i * stride_cm + j * stride_cn;
      if (c.with_bias) sum += bias[j];
      if (c.with_residual) sum += residual[at];
      expected[at] = npk_test::reference_activation(c.activation, sum, clamp_min, clamp_max);
    }
  }
  EXPECT_TRUE(all_close(out, expected, 1e-4, 2e-6 * c.k));
}

TEST(Gemm, OddShapesMatchReference) {
  const int64_t ms[] = {1, 3, 7, 8, 17, 49, 255};
  const int64_t ns[] = {1, 3, 17, 64, 255};
  const int64_t ks[] = {1, 7, 255, 300};
  for (int64_t m : ms) {
    for (int64_t n : ns) {
      for (int64_t k : ks) check_gemm({m, n, k, false, false, false, false, 0, 0});
    }
  }
}

TEST(Gemm, ThreadedMatchesReference) {
  check_gemm({128, 768, 96, false, false, true, false, NPK_ACTIVATION_NONE, 2});
  check_gemm({49, 512, 600, false, false, true, true, NPK_ACTIVATION_RELU, 3});
  check_gemm({3, 1000, 64, false, false, true, false, NPK_ACTIVATION_NONE, 2});
  check_gemm({300, 40, 37, true, true, true, true, NPK_ACTIVATION_SILU, 4});
}

TEST(Gemm, StridedOperandsMatchReference) {
  for (bool ta : {false, true}) {
    for (bool tc : {false, true}) {
      check_gemm({17, 33, 19, ta, tc, true, true, NPK_ACTIVATION_NONE, 0});
      check_gemm({64, 64, 257, ta, tc, true, true, NPK_ACTIVATION_RELU, 2});
    }
  }
}

// Column-major C with M close to a multiple of 32 or 48 rows runs the
// column tiles: partial last tiles and vectors, several K blocks (K 300),
// several row tiles per task, N not a multiple of the 8-column tile.
TEST(Gemm, ColumnMajorOutputMatchesReference) {
  const int64_t ms[] = {17, 32, 48, 95, 255, 784};
  const int64_t ns[] = {3, 17, 64, 255};
  const int64_t ks[] = {1, 7, 64, 300};
  for (int64_t m : ms) {
    for (int64_t n : ns) {
      for (int64_t k : ks) {
        check_gemm({m, n, k, false, true, true, true, NPK_ACTIVATION_RELU, 0});
        check_gemm({m, n, k, true, true, false, false, NPK_ACTIVATION_NONE, 2});
      }
    }
  }
  check_gemm({3136, 64, 256, true, true, true, true, NPK_ACTIVATION_RELU, 3});
}

TEST(Gemm, ColumnMajorActivationsMatchReference) {
  for (int32_t act = NPK_ACTIVATION_NONE; act <= NPK_ACTIVATION_GELU_TANH; ++act) {
    check_gemm({255, 70, 13, true, true, true, true, act, 0});
    check_gemm({96, 17, 300, false, true, true, true, act, 2});
  }
}

TEST(Gemm, EveryActivationMatchesReference) {
  for (int32_t act = NPK_ACTIVATION_NONE; act <= NPK_ACTIVATION_GELU_TANH; ++act) {
    check_gemm({19, 70, 13, false, false, true, true, act, 0});
    check_gemm({16, 64, 13, false, false, true, true, act, 0});
  }
}

TEST(Gemm, PackedLayoutIsPanelsOf16) {
  const int64_t k = 3, n = 20;
  const auto w = random_floats(k * n, 5);
  ASSERT_EQ(npk_gemm_packed_b_size(k, n), 64 * k * 4);
  AlignedBuffer packed(npk_gemm_packed_b_size(k, n));
  // B given row-major [K][N].
  npk_gemm_pack_b(k, n, w.data(), n, 1, packed.floats());
  for (int64_t panel = 0; panel < 4; ++panel) {
    for (int64_t row = 0; row < k; ++row) {
      for (int64_t lane = 0; lane < 16; ++lane) {
        const int64_t column = panel * 16 + lane;
        const float expected = column < n ? w[row * n + column] : 0.0f;
        ASSERT_EQ(packed.floats()[(panel * k + row) * 16 + lane], expected)
            << "panel " << panel << " row " << row << " lane " << lane;
      }
    }
  }
}

// C_i = A_i @ B_i^T, as attention's Q @ K^T: B is given transposed.
void check_batch_matmul(int64_t batch, int64_t m, int64_t n, int64_t k, bool broadcast_b,
                        int threads) {
  SCOPED_TRACE(::testing::Message() << "batch=" << batch << " M=" << m << " N=" << n
                                    << " K=" << k << " broadcast_b=" << broadcast_b);
  const auto a = random_floats(batch * m * k, 6);
  const auto b = random_floats(batch * n * k, 7);  // [batch][N][K]
  const auto bias = random_floats(n, 8);
  const int64_t batch_stride_b = broadcast_b ? 0 : n * k;
  AlignedBuffer scratch(npk_batch_matmul_scratch_size(batch, k, n));
  std::vector<float> out(batch * m * n);
  npujar_model_args args = npk_test::threaded_args(threads);
  npk_batch_matmul(threads == 0 ? nullptr : &args, batch, m, n, k, a.data(), m * k, k, 1,
                   b.data(), batch_stride_b, 1, k, out.data(), m * n, n, 1, bias.data(),
                   nullptr, NPK_ACTIVATION_NONE, 0, 0, scratch.data);

  std::vector<double> expected(batch * m * n);
  for (int64_t i = 0; i < batch; ++i) {
    for (int64_t r = 0; r < m; ++r) {
      for (int64_t col = 0; col < n; ++col) {
        double sum = bias[col];
        for (int64_t p = 0; p < k; ++p) {
          sum += static_cast<double>(a[(i * m + r) * k + p]) * b[i * batch_stride_b + col * k + p];
        }
        expected[(i * m + r) * n + col] = sum;
      }
    }
  }
  EXPECT_TRUE(all_close(out, expected, 1e-4, 2e-6 * k));
}

TEST(BatchMatmul, MatchesReference) {
  check_batch_matmul(12, 17, 17, 64, false, 0);
  check_batch_matmul(12, 128, 128, 64, false, 2);
  check_batch_matmul(1, 7, 255, 3, false, 2);
  check_batch_matmul(3, 9, 5, 7, true, 0);
  check_batch_matmul(5, 9, 5, 7, true, 3);
}

}  // namespace
