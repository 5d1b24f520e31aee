// Elementwise kernels against float64 references computed with <cmath>.
#include <functional>
#include <limits>

#include "test_util.h"

namespace {

using npk_test::all_close;
using npk_test::random_floats;

double reference_unary(int32_t op, double x, double alpha, double beta) {
  switch (op) {
    case NPK_UNARY_IDENTITY: return x;
    case NPK_UNARY_RELU: return x > 0 ? x : 0;
    case NPK_UNARY_SIGMOID: return 1 / (1 + std::exp(-x));
    case NPK_UNARY_TANH: return std::tanh(x);
    case NPK_UNARY_EXP: return std::exp(x);
    case NPK_UNARY_LOG: return std::log(x);
    case NPK_UNARY_SQRT: return std::sqrt(x);
    case NPK_UNARY_RSQRT: return 1 / std::sqrt(x);
    case NPK_UNARY_NEG: return -x;
    case NPK_UNARY_ABS: return std::fabs(x);
    case NPK_UNARY_ERF: return std::erf(x);
    case NPK_UNARY_RECIPROCAL: return 1 / x;
    case NPK_UNARY_SILU: return x / (1 + std::exp(-x));
    case NPK_UNARY_HARDSWISH: return x * std::fmin(std::fmax(x + 3, 0.0), 6.0) / 6;
    case NPK_UNARY_HARDSIGMOID: return std::fmin(std::fmax(x / 6 + 0.5, 0.0), 1.0);
    case NPK_UNARY_GELU: return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0)));
    case NPK_UNARY_GELU_TANH:
      return 0.5 * x * (1 + std::tanh(std::sqrt(2 / M_PI) * (x + 0.044715 * x * x * x)));
    case NPK_UNARY_CLAMP: return std::fmin(std::fmax(x, alpha), beta);
    case NPK_UNARY_LEAKY_RELU: return x > 0 ? x : x * alpha;
    default: return 0;
  }
}

TEST(Unary, EveryOpMatchesReference) {
  for (int64_t count : {1, 3, 17, 255, 40000}) {
    auto x = random_floats(count, 21, -6.0f, 6.0f);
    for (int32_t op = NPK_UNARY_IDENTITY; op <= NPK_UNARY_LEAKY_RELU; ++op) {
      SCOPED_TRACE(::testing::Message() << "op=" << op << " count=" << count);
      std::vector<float> input = x;
      if (op == NPK_UNARY_LOG || op == NPK_UNARY_SQRT || op == NPK_UNARY_RSQRT) {
        for (auto& v : input) v = std::fabs(v) + 1e-3f;
      }
      std::vector<float> y(count);
      npujar_model_args args = npk_test::threaded_args(2);
      npk_unary_f32(&args, op, count, input.data(), y.data(), -0.5f, 2.0f);
      std::vector<double> expected(count);
      for (int64_t i = 0; i < count; ++i) expected[i] = reference_unary(op, input[i], -0.5, 2.0);
      EXPECT_TRUE(all_close(y, expected, 2e-6, 1e-7));
    }
  }
}

// Maximum relative error of op over a dense sweep of [low, high].
double max_relative_error(int32_t op, float low, float high) {
  const int64_t count = 200001;
  std::vector<float> x(count), y(count);
  for (int64_t i = 0; i < count; ++i) x[i] = low + (high - low) * static_cast<float>(i) / (count - 1);
  npk_unary_f32(nullptr, op, count, x.data(), y.data(), 0, 0);
  double worst = 0;
  for (int64_t i = 0; i < count; ++i) {
    const double expected = reference_unary(op, x[i], 0, 0);
    if (expected == 0) continue;
    worst = std::fmax(worst, std::fabs((y[i] - expected) / expected));
  }
  return worst;
}

TEST(Unary, VectorMathIsAccurate) {
  EXPECT_LT(max_relative_error(NPK_UNARY_EXP, -87.0f, 88.5f), 1e-6);
  EXPECT_LT(max_relative_error(NPK_UNARY_TANH, -10.0f, 10.0f), 1e-6);
  EXPECT_LT(max_relative_error(NPK_UNARY_TANH, -0.7f, 0.7f), 1e-6);
  EXPECT_LT(max_relative_error(NPK_UNARY_SIGMOID, -80.0f, 30.0f), 1e-6);
  // GELU's negative tail is exp(-x^2/2)-like: a rounding error of x^2 in
  // float (about |x|^2 * 6e-8) becomes a relative error of the result, so
  // the bound is looser there than for exp itself.
  EXPECT_LT(max_relative_error(NPK_UNARY_GELU, -5.0f, 10.0f), 4e-6);
  EXPECT_LT(max_relative_error(NPK_UNARY_GELU_TANH, -5.0f, 10.0f), 4e-6);
  EXPECT_LT(max_relative_error(NPK_UNARY_GELU, -1.0f, 10.0f), 1e-6);
  EXPECT_LT(max_relative_error(NPK_UNARY_SILU, -20.0f, 20.0f), 1e-6);
}

TEST(Unary, ExpHandlesInfinitiesAndNan) {
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> x = {-inf, inf, std::nanf(""), -200.0f, 100.0f, 0.0f};
  std::vector<float> y(x.size());
  npk_unary_f32(nullptr, NPK_UNARY_EXP, static_cast<int64_t>(x.size()), x.data(), y.data(), 0, 0);
  EXPECT_EQ(y[0], 0.0f);
  EXPECT_EQ(y[1], inf);
  EXPECT_TRUE(std::isnan(y[2]));
  EXPECT_EQ(y[3], 0.0f);
  EXPECT_EQ(y[4], inf);
  EXPECT_EQ(y[5], 1.0f);
}

// numpy-style broadcast strides of `shape` (aligned right) against `out`.
std::vector<int64_t> broadcast_strides(const std::vector<int64_t>& shape,
                                       const std::vector<int64_t>& out) {
  std::vector<int64_t> strides(out.size(), 0);
  int64_t stride = 1;
  for (int64_t i = static_cast<int64_t>(shape.size()) - 1, d = static_cast<int64_t>(out.size()) - 1;
       i >= 0; --i, --d) {
    strides[d] = shape[i] == 1 ? 0 : stride;
    stride *= shape[i];
  }
  return strides;
}

int64_t numel(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

// Offset of flat output index `flat` under `strides`.
int64_t offset_of(int64_t flat, const std::vector<int64_t>& out, const std::vector<int64_t>& strides) {
  int64_t offset = 0;
  for (int64_t d = static_cast<int64_t>(out.size()) - 1; d >= 0; --d) {
    offset += (flat % out[d]) * strides[d];
    flat /= out[d];
  }
  return offset;
}

struct BroadcastCase {
  std::vector<int64_t> a, b, out;
};

const BroadcastCase kBroadcastCases[] = {
    {{2, 3, 1, 5}, {3, 4, 1}, {2, 3, 4, 5}},
    {{7}, {7}, {7}},
    {{1}, {255}, {255}},
    {{17, 1}, {1, 3}, {17, 3}},
    {{}, {}, {}},
    {{2, 1, 3, 1, 2, 3}, {1, 2, 1, 3, 2, 1}, {2, 2, 3, 3, 2, 3}},
};

TEST(Binary, FloatBroadcastingMatchesReference) {
  for (const auto& c : kBroadcastCases) {
    const auto as = broadcast_strides(c.a, c.out), bs = broadcast_strides(c.b, c.out);
    const auto a = random_floats(numel(c.a), 31, 0.5f, 2.0f);
    const auto b = random_floats(numel(c.b), 32, -2.0f, 2.0f);
    const int64_t n = numel(c.out);
    for (int32_t op = NPK_BINARY_ADD; op <= NPK_BINARY_MINIMUM; ++op) {
      SCOPED_TRACE(::testing::Message() << "op=" << op << " rank=" << c.out.size());
      std::vector<float> y(n);
      npujar_model_args args = npk_test::threaded_args(2);
      npk_binary(&args, op, NPK_DTYPE_F32, static_cast<int32_t>(c.out.size()), c.out.data(),
                 a.data(), as.data(), b.data(), bs.data(), y.data());
      std::vector<double> expected(n);
      for (int64_t i = 0; i < n; ++i) {
        const double p = a[offset_of(i, c.out, as)], q = b[offset_of(i, c.out, bs)];
        const double results[] = {p + q, p - q, p * q, p / q, std::pow(p, q), std::fmax(p, q),
                                  std::fmin(p, q)};
        expected[i] = results[op];
      }
      EXPECT_TRUE(all_close(y, expected, 1e-6, 1e-7));
    }
  }
}

TEST(Binary, IntegerOpsMatchReference) {
  const std::vector<int64_t> a = {7, -7, 0, 5, -9, 100};
  const std::vector<int64_t> b = {2, 2, 3, -5, 4, 0};
  const int64_t shape[] = {6}, strides[] = {1};
  std::vector<int64_t> y(6);
  npk_binary(nullptr, NPK_BINARY_DIV, NPK_DTYPE_I64, 1, shape, a.data(), strides, b.data(), strides,
             y.data());
  EXPECT_EQ(y, (std::vector<int64_t>{3, -3, 0, -1, -2, 0}));
  npk_binary(nullptr, NPK_BINARY_SUB, NPK_DTYPE_I64, 1, shape, a.data(), strides, b.data(), strides,
             y.data());
  EXPECT_EQ(y, (std::vector<int64_t>{5, -9, -3, 10, -13, 100}));

  const std::vector<int32_t> a32 = {1, 2, 3}, b32 = {10};
  const int64_t shape3[] = {3}, zero[] = {0};
  std::vector<int32_t> y32(3);
  npk_binary(nullptr, NPK_BINARY_MUL, NPK_DTYPE_I32, 1, shape3, a32.data(), strides, b32.data(),
             zero, y32.data());
  EXPECT_EQ(y32, (std::vector<int32_t>{10, 20, 30}));
}

TEST(Compare, MatchesReferenceForEachDtype) {
  const std::vector<float> af = {1.0f, 2.0f, 3.0f, std::nanf("")};
  const std::vector<float> bf = {2.0f};
  const std::vector<int64_t> ai = {1, 2, 3, 4};
  const std::vector<int64_t> bi = {2};
  const int64_t shape[] = {4}, strides[] = {1}, zero[] = {0};
  const std::vector<std::vector<uint8_t>> expected = {
      {0, 1, 0, 0}, {1, 0, 1, 1}, {1, 0, 0, 0}, {1, 1, 0, 0}, {0, 0, 1, 0}, {0, 1, 1, 0}};
  const std::vector<std::vector<uint8_t>> expected_int = {
      {0, 1, 0, 0}, {1, 0, 1, 1}, {1, 0, 0, 0}, {1, 1, 0, 0}, {0, 0, 1, 1}, {0, 1, 1, 1}};
  for (int32_t op = NPK_COMPARE_EQUAL; op <= NPK_COMPARE_GREATER_EQUAL; ++op) {
    std::vector<uint8_t> y(4);
    npk_compare(nullptr, op, NPK_DTYPE_F32, 1, shape, af.data(), strides, bf.data(), zero, y.data());
    EXPECT_EQ(y, expected[op]) << "f32 op " << op;
    npk_compare(nullptr, op, NPK_DTYPE_I64, 1, shape, ai.data(), strides, bi.data(), zero, y.data());
    EXPECT_EQ(y, expected_int[op]) << "i64 op " << op;
  }
}

TEST(Logical, AndOrNotMatchReference) {
  const std::vector<uint8_t> a = {0, 0, 1, 1}, b = {0, 1, 0, 1};
  const int64_t shape[] = {4}, strides[] = {1};
  std::vector<uint8_t> y(4);
  npk_logical(nullptr, NPK_LOGICAL_AND, 1, shape, a.data(), strides, b.data(), strides, y.data());
  EXPECT_EQ(y, (std::vector<uint8_t>{0, 0, 0, 1}));
  npk_logical(nullptr, NPK_LOGICAL_OR, 1, shape, a.data(), strides, b.data(), strides, y.data());
  EXPECT_EQ(y, (std::vector<uint8_t>{0, 1, 1, 1}));
  npk_logical_not(nullptr, 4, b.data(), y.data());
  EXPECT_EQ(y, (std::vector<uint8_t>{1, 0, 1, 0}));
}

TEST(Where, BroadcastsConditionAndOperands) {
  // condition [2,1], a [2,3], b scalar: the BERT attention-mask pattern.
  const std::vector<uint8_t> condition = {1, 0};
  const std::vector<float> a = {1, 2, 3, 4, 5, 6};
  const std::vector<float> b = {-1e9f};
  const int64_t shape[] = {2, 3}, cs[] = {1, 0}, as[] = {3, 1}, bs[] = {0, 0};
  std::vector<float> y(6);
  npk_where(nullptr, 4, 2, shape, condition.data(), cs, a.data(), as, b.data(), bs, y.data());
  EXPECT_EQ(y, (std::vector<float>{1, 2, 3, -1e9f, -1e9f, -1e9f}));

  const std::vector<int64_t> a64 = {10, 20}, b64 = {-1, -2};
  const int64_t shape2[] = {2}, unit[] = {1};
  std::vector<int64_t> y64(2);
  npk_where(nullptr, 8, 1, shape2, condition.data(), unit, a64.data(), unit, b64.data(), unit,
            y64.data());
  EXPECT_EQ(y64, (std::vector<int64_t>{10, -2}));
}

TEST(Cast, ConvertsBetweenDtypes) {
  const std::vector<float> f = {-2.7f, -0.5f, 0.0f, 0.5f, 3.9f};
  std::vector<int64_t> i64(5);
  npk_cast(nullptr, 5, NPK_DTYPE_F32, f.data(), NPK_DTYPE_I64, i64.data());
  EXPECT_EQ(i64, (std::vector<int64_t>{-2, 0, 0, 0, 3}));
  std::vector<uint8_t> b(5);
  npk_cast(nullptr, 5, NPK_DTYPE_F32, f.data(), NPK_DTYPE_BOOL, b.data());
  EXPECT_EQ(b, (std::vector<uint8_t>{1, 1, 0, 1, 1}));
  std::vector<float> back(5);
  npk_cast(nullptr, 5, NPK_DTYPE_BOOL, b.data(), NPK_DTYPE_F32, back.data());
  EXPECT_EQ(back, (std::vector<float>{1, 1, 0, 1, 1}));
  std::vector<int32_t> i32(5);
  npk_cast(nullptr, 5, NPK_DTYPE_I64, i64.data(), NPK_DTYPE_I32, i32.data());
  EXPECT_EQ(i32, (std::vector<int32_t>{-2, 0, 0, 0, 3}));
  std::vector<float> f2(5);
  npk_cast(nullptr, 5, NPK_DTYPE_I32, i32.data(), NPK_DTYPE_F32, f2.data());
  EXPECT_EQ(f2, (std::vector<float>{-2, 0, 0, 0, 3}));
}

}  // namespace
