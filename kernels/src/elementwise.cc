// Elementwise kernels: unary f32 maps, broadcasting binary operators,
// comparisons, logical operators, where and cast.
//
// Broadcasting kernels walk the output row by row (the last dimension) and
// compute each row's input offsets from the strides, so any rank up to
// NPK_MAX_RANK and any mix of broadcast dimensions (stride 0) works. The
// row loop is specialized for unit and zero input strides so that compilers
// vectorize it.
#include "common.h"

namespace npk {
namespace {

// Elements per task for contiguous maps: large enough to amortize a task,
// small enough to balance two or more threads on mid-sized tensors.
constexpr int64_t kChunkElements = 16384;

// Applies f to count contiguous floats with full vectors and a padded tail.
template <typename F>
void map_vectors(const float* x, float* y, int64_t count, const F& f) {
  int64_t i = 0;
  for (; i + kLanes <= count; i += kLanes) store(y + i, f(load(x + i)));
  if (i < count) {
    float tail[kLanes] = {};
    for (int64_t j = i; j < count; ++j) tail[j - i] = x[j];
    store(tail, f(load(tail)));
    for (int64_t j = i; j < count; ++j) y[j] = tail[j - i];
  }
}

template <typename F>
void map_scalars(const float* x, float* y, int64_t count, const F& f) {
  for (int64_t i = 0; i < count; ++i) y[i] = f(x[i]);
}

void unary_range(int32_t op, const float* x, float* y, int64_t count, float alpha, float beta) {
  switch (op) {
    case NPK_UNARY_RELU:
      return map_vectors(x, y, count, [](vf v) { return vmax(v, splat(0.0f)); });
    case NPK_UNARY_SIGMOID:
      return map_vectors(x, y, count, [](vf v) { return vsigmoid(v); });
    case NPK_UNARY_TANH:
      return map_vectors(x, y, count, [](vf v) { return vtanh(v); });
    case NPK_UNARY_EXP:
      return map_vectors(x, y, count, [](vf v) { return vexp(v); });
    case NPK_UNARY_LOG:
      return map_scalars(x, y, count, [](float v) { return logf(v); });
    case NPK_UNARY_SQRT:
      return map_scalars(x, y, count, [](float v) { return __builtin_sqrtf(v); });
    case NPK_UNARY_RSQRT:
      return map_scalars(x, y, count, [](float v) { return 1.0f / __builtin_sqrtf(v); });
    case NPK_UNARY_NEG:
      return map_vectors(x, y, count, [](vf v) { return -v; });
    case NPK_UNARY_ABS:
      return map_scalars(x, y, count, [](float v) { return __builtin_fabsf(v); });
    case NPK_UNARY_ERF:
      return map_scalars(x, y, count, [](float v) { return erff(v); });
    case NPK_UNARY_RECIPROCAL:
      return map_vectors(x, y, count, [](vf v) { return 1.0f / v; });
    case NPK_UNARY_SILU:
      return map_vectors(x, y, count, [](vf v) { return v * vsigmoid(v); });
    case NPK_UNARY_HARDSWISH:
      return map_vectors(x, y, count, [](vf v) { return vhardswish(v); });
    case NPK_UNARY_HARDSIGMOID:
      return map_vectors(x, y, count, [](vf v) {
        return vmin(vmax(v * (1.0f / 6.0f) + 0.5f, splat(0.0f)), splat(1.0f));
      });
    case NPK_UNARY_GELU:
      return map_vectors(x, y, count, [](vf v) { return vgelu(v); });
    case NPK_UNARY_GELU_TANH:
      return map_vectors(x, y, count, [](vf v) { return vgelu_tanh(v); });
    case NPK_UNARY_CLAMP:
      // Scalar so that NaN propagates as in torch.clamp.
      return map_scalars(x, y, count, [=](float v) {
        if (v != v) return v;
        return v < alpha ? alpha : (v > beta ? beta : v);
      });
    case NPK_UNARY_LEAKY_RELU:
      return map_scalars(x, y, count, [=](float v) { return v > 0.0f ? v : v * alpha; });
    default:
      if (x != y) {
        for (int64_t i = 0; i < count; ++i) y[i] = x[i];
      }
      return;
  }
}

// Output rows of a broadcast walk: the output is [rows][row_length] and each
// row's input offsets come from the outer index.
struct BroadcastShape {
  int32_t rank;
  const int64_t* shape;
  int64_t rows;
  int64_t row_length;

  BroadcastShape(int32_t rank_in, const int64_t* shape_in) : rank(rank_in), shape(shape_in) {
    row_length = rank > 0 ? shape[rank - 1] : 1;
    rows = 1;
    for (int32_t d = 0; d + 1 < rank; ++d) rows *= shape[d];
  }

  // Offset of the first element of output row `row` in a tensor with strides.
  int64_t row_offset(int64_t row, const int64_t* strides) const {
    int64_t offset = 0;
    for (int32_t d = rank - 2; d >= 0; --d) {
      offset += (row % shape[d]) * strides[d];
      row /= shape[d];
    }
    return offset;
  }

  int64_t inner_stride(const int64_t* strides) const { return rank > 0 ? strides[rank - 1] : 0; }
};

// Runs row(y_row_start, row_index) over all rows, in parallel chunks.
template <typename Row>
void for_each_row(const npujar_model_args* ctx, const BroadcastShape& s, const Row& row) {
  if (s.rows == 0 || s.row_length == 0) return;
  const int64_t rows_per_task = max64(1, kChunkElements / s.row_length);
  auto body = [&](int64_t begin, int64_t end) {
    for (int64_t task = begin; task < end; ++task) {
      const int64_t last = min64(s.rows, (task + 1) * rows_per_task);
      for (int64_t r = task * rows_per_task; r < last; ++r) row(r);
    }
  };
  parallel_for(ctx, ceil_div(s.rows, rows_per_task), body);
}

// y[i] = f(a[i*sa], b[i*sb]) with the common stride pairs made constant.
template <typename T, typename U, typename F>
void binary_row(const T* a, int64_t sa, const T* b, int64_t sb, U* y, int64_t n, const F& f) {
  if (sa == 1 && sb == 1) {
    for (int64_t i = 0; i < n; ++i) y[i] = f(a[i], b[i]);
  } else if (sa == 1 && sb == 0) {
    const T bv = b[0];
    for (int64_t i = 0; i < n; ++i) y[i] = f(a[i], bv);
  } else if (sa == 0 && sb == 1) {
    const T av = a[0];
    for (int64_t i = 0; i < n; ++i) y[i] = f(av, b[i]);
  } else {
    for (int64_t i = 0; i < n; ++i) y[i] = f(a[i * sa], b[i * sb]);
  }
}

template <typename T, typename U, typename F>
void broadcast_binary(const npujar_model_args* ctx, int32_t rank, const int64_t* shape,
                      const T* a, const int64_t* a_strides, const T* b, const int64_t* b_strides,
                      U* y, const F& f) {
  const BroadcastShape s(rank, shape);
  const int64_t sa = s.inner_stride(a_strides);
  const int64_t sb = s.inner_stride(b_strides);
  for_each_row(ctx, s, [&](int64_t r) {
    binary_row(a + s.row_offset(r, a_strides), sa, b + s.row_offset(r, b_strides), sb,
               y + r * s.row_length, s.row_length, f);
  });
}

template <typename T>
T trunc_div(T a, T b) {
  return b == 0 ? T(0) : a / b;
}

template <typename T>
void binary_typed(const npujar_model_args* ctx, int32_t op, int32_t rank, const int64_t* shape,
                  const T* a, const int64_t* as, const T* b, const int64_t* bs, T* y) {
  switch (op) {
    case NPK_BINARY_ADD:
      return broadcast_binary(ctx, rank, shape, a, as, b, bs, y, [](T p, T q) { return p + q; });
    case NPK_BINARY_SUB:
      return broadcast_binary(ctx, rank, shape, a, as, b, bs, y, [](T p, T q) { return p - q; });
    case NPK_BINARY_MUL:
      return broadcast_binary(ctx, rank, shape, a, as, b, bs, y, [](T p, T q) { return p * q; });
    case NPK_BINARY_MAXIMUM:
      // p != p is NaN: torch.maximum propagates NaN from either side.
      return broadcast_binary(ctx, rank, shape, a, as, b, bs, y, [](T p, T q) {
        return p != p ? p : (q != q ? q : (p > q ? p : q));
      });
    case NPK_BINARY_MINIMUM:
      return broadcast_binary(ctx, rank, shape, a, as, b, bs, y, [](T p, T q) {
        return p != p ? p : (q != q ? q : (p < q ? p : q));
      });
    default:
      return;
  }
}

template <typename T>
void compare_typed(const npujar_model_args* ctx, int32_t op, int32_t rank, const int64_t* shape,
                   const T* a, const int64_t* as, const T* b, const int64_t* bs, uint8_t* y) {
  switch (op) {
    case NPK_COMPARE_EQUAL:
      return broadcast_binary(ctx, rank, shape, a, as, b, bs, y,
                              [](T p, T q) -> uint8_t { return p == q; });
    case NPK_COMPARE_NOT_EQUAL:
      return broadcast_binary(ctx, rank, shape, a, as, b, bs, y,
                              [](T p, T q) -> uint8_t { return p != q; });
    case NPK_COMPARE_LESS:
      return broadcast_binary(ctx, rank, shape, a, as, b, bs, y,
                              [](T p, T q) -> uint8_t { return p < q; });
    case NPK_COMPARE_LESS_EQUAL:
      return broadcast_binary(ctx, rank, shape, a, as, b, bs, y,
                              [](T p, T q) -> uint8_t { return p <= q; });
    case NPK_COMPARE_GREATER:
      return broadcast_binary(ctx, rank, shape, a, as, b, bs, y,
                              [](T p, T q) -> uint8_t { return p > q; });
    case NPK_COMPARE_GREATER_EQUAL:
      return broadcast_binary(ctx, rank, shape, a, as, b, bs, y,
                              [](T p, T q) -> uint8_t { return p >= q; });
    default:
      return;
  }
}

template <typename E>
void where_typed(const npujar_model_args* ctx, int32_t rank, const int64_t* shape,
                 const uint8_t* condition, const int64_t* cs, const E* a, const int64_t* as,
                 const E* b, const int64_t* bs, E* y) {
  const BroadcastShape s(rank, shape);
  const int64_t sc = s.inner_stride(cs), sa = s.inner_stride(as), sb = s.inner_stride(bs);
  for_each_row(ctx, s, [&](int64_t r) {
    const uint8_t* c_row = condition + s.row_offset(r, cs);
    const E* a_row = a + s.row_offset(r, as);
    const E* b_row = b + s.row_offset(r, bs);
    E* y_row = y + r * s.row_length;
    for (int64_t i = 0; i < s.row_length; ++i) {
      y_row[i] = c_row[i * sc] ? a_row[i * sa] : b_row[i * sb];
    }
  });
}

template <typename From, typename To>
void cast_range(const From* x, To* y, int64_t count) {
  for (int64_t i = 0; i < count; ++i) y[i] = static_cast<To>(x[i]);
}

template <typename From>
void cast_to_bool(const From* x, uint8_t* y, int64_t count) {
  for (int64_t i = 0; i < count; ++i) y[i] = x[i] != From(0);
}

template <typename From>
void cast_from(const From* x, int32_t to, void* y, int64_t count) {
  switch (to) {
    case NPK_DTYPE_F32: return cast_range(x, static_cast<float*>(y), count);
    case NPK_DTYPE_I64: return cast_range(x, static_cast<int64_t*>(y), count);
    case NPK_DTYPE_I32: return cast_range(x, static_cast<int32_t*>(y), count);
    case NPK_DTYPE_I8: return cast_range(x, static_cast<int8_t*>(y), count);
    case NPK_DTYPE_U8: return cast_range(x, static_cast<uint8_t*>(y), count);
    case NPK_DTYPE_BOOL: return cast_to_bool(x, static_cast<uint8_t*>(y), count);
    default: return;
  }
}

int64_t dtype_bytes(int32_t dtype) {
  switch (dtype) {
    case NPK_DTYPE_F32: return 4;
    case NPK_DTYPE_I64: return 8;
    case NPK_DTYPE_I32: return 4;
    default: return 1;
  }
}

}  // namespace
}  // namespace npk

extern "C" {

void npk_unary_f32(const npujar_model_args* ctx, int32_t op, int64_t count, const float* x,
                   float* y, float alpha, float beta) {
  auto body = [&](int64_t begin, int64_t end) {
    const int64_t first = begin * npk::kChunkElements;
    const int64_t last = npk::min64(count, end * npk::kChunkElements);
    npk::unary_range(op, x + first, y + first, last - first, alpha, beta);
  };
  npk::parallel_for(ctx, npk::ceil_div(count, npk::kChunkElements), body);
}

void npk_binary(const npujar_model_args* ctx, int32_t op, int32_t dtype, int32_t rank,
                const int64_t* shape, const void* a, const int64_t* a_strides, const void* b,
                const int64_t* b_strides, void* y) {
  switch (dtype) {
    case NPK_DTYPE_F32: {
      const float* fa = static_cast<const float*>(a);
      const float* fb = static_cast<const float*>(b);
      float* fy = static_cast<float*>(y);
      if (op == NPK_BINARY_DIV) {
        npk::broadcast_binary(ctx, rank, shape, fa, a_strides, fb, b_strides, fy,
                              [](float p, float q) { return p / q; });
      } else if (op == NPK_BINARY_POW) {
        npk::broadcast_binary(ctx, rank, shape, fa, a_strides, fb, b_strides, fy,
                              [](float p, float q) { return powf(p, q); });
      } else {
        npk::binary_typed(ctx, op, rank, shape, fa, a_strides, fb, b_strides, fy);
      }
      return;
    }
    case NPK_DTYPE_I64: {
      const int64_t* ia = static_cast<const int64_t*>(a);
      const int64_t* ib = static_cast<const int64_t*>(b);
      int64_t* iy = static_cast<int64_t*>(y);
      if (op == NPK_BINARY_DIV) {
        npk::broadcast_binary(ctx, rank, shape, ia, a_strides, ib, b_strides, iy,
                              npk::trunc_div<int64_t>);
      } else {
        npk::binary_typed(ctx, op, rank, shape, ia, a_strides, ib, b_strides, iy);
      }
      return;
    }
    case NPK_DTYPE_I32: {
      const int32_t* ia = static_cast<const int32_t*>(a);
      const int32_t* ib = static_cast<const int32_t*>(b);
      int32_t* iy = static_cast<int32_t*>(y);
      if (op == NPK_BINARY_DIV) {
        npk::broadcast_binary(ctx, rank, shape, ia, a_strides, ib, b_strides, iy,
                              npk::trunc_div<int32_t>);
      } else {
        npk::binary_typed(ctx, op, rank, shape, ia, a_strides, ib, b_strides, iy);
      }
      return;
    }
    default:
      return;
  }
}

void npk_compare(const npujar_model_args* ctx, int32_t op, int32_t dtype, int32_t rank,
                 const int64_t* shape, const void* a, const int64_t* a_strides, const void* b,
                 const int64_t* b_strides, uint8_t* y) {
  switch (dtype) {
    case NPK_DTYPE_F32:
      return npk::compare_typed(ctx, op, rank, shape, static_cast<const float*>(a), a_strides,
                                static_cast<const float*>(b), b_strides, y);
    case NPK_DTYPE_I64:
      return npk::compare_typed(ctx, op, rank, shape, static_cast<const int64_t*>(a), a_strides,
                                static_cast<const int64_t*>(b), b_strides, y);
    case NPK_DTYPE_I32:
      return npk::compare_typed(ctx, op, rank, shape, static_cast<const int32_t*>(a), a_strides,
                                static_cast<const int32_t*>(b), b_strides, y);
    case NPK_DTYPE_BOOL:
      return npk::compare_typed(ctx, op, rank, shape, static_cast<const uint8_t*>(a), a_strides,
                                static_cast<const uint8_t*>(b), b_strides, y);
    default:
      return;
  }
}

void npk_logical(const npujar_model_args* ctx, int32_t op, int32_t rank, const int64_t* shape,
                 const uint8_t* a, const int64_t* a_strides, const uint8_t* b,
                 const int64_t* b_strides, uint8_t* y) {
  if (op == NPK_LOGICAL_AND) {
    npk::broadcast_binary(ctx, rank, shape, a, a_strides, b, b_strides, y,
                          [](uint8_t p, uint8_t q) -> uint8_t { return (p != 0) & (q != 0); });
  } else {
    npk::broadcast_binary(ctx, rank, shape, a, a_strides, b, b_strides, y,
                          [](uint8_t p, uint8_t q) -> uint8_t { return (p != 0) | (q != 0); });
  }
}

void npk_logical_not(const npujar_model_args* ctx, int64_t count, const uint8_t* x, uint8_t* y) {
  auto body = [&](int64_t begin, int64_t end) {
    const int64_t last = npk::min64(count, end * npk::kChunkElements);
    for (int64_t i = begin * npk::kChunkElements; i < last; ++i) y[i] = x[i] == 0;
  };
  npk::parallel_for(ctx, npk::ceil_div(count, npk::kChunkElements), body);
}

void npk_where(const npujar_model_args* ctx, int64_t element_size, int32_t rank,
               const int64_t* shape, const uint8_t* condition, const int64_t* condition_strides,
               const void* a, const int64_t* a_strides, const void* b, const int64_t* b_strides,
               void* y) {
  switch (element_size) {
    case 1:
      return npk::where_typed(ctx, rank, shape, condition, condition_strides,
                              static_cast<const uint8_t*>(a), a_strides,
                              static_cast<const uint8_t*>(b), b_strides, static_cast<uint8_t*>(y));
    case 2:
      return npk::where_typed(ctx, rank, shape, condition, condition_strides,
                              static_cast<const uint16_t*>(a), a_strides,
                              static_cast<const uint16_t*>(b), b_strides,
                              static_cast<uint16_t*>(y));
    case 4:
      return npk::where_typed(ctx, rank, shape, condition, condition_strides,
                              static_cast<const uint32_t*>(a), a_strides,
                              static_cast<const uint32_t*>(b), b_strides,
                              static_cast<uint32_t*>(y));
    default:
      return npk::where_typed(ctx, rank, shape, condition, condition_strides,
                              static_cast<const uint64_t*>(a), a_strides,
                              static_cast<const uint64_t*>(b), b_strides,
                              static_cast<uint64_t*>(y));
  }
}

void npk_cast(const npujar_model_args* ctx, int64_t count, int32_t from_dtype, const void* x,
              int32_t to_dtype, void* y) {
  const int64_t from_bytes = npk::dtype_bytes(from_dtype);
  const int64_t to_bytes = npk::dtype_bytes(to_dtype);
  auto body = [&](int64_t begin, int64_t end) {
    const int64_t first = begin * npk::kChunkElements;
    const int64_t n = npk::min64(count, end * npk::kChunkElements) - first;
    const char* src = static_cast<const char*>(x) + first * from_bytes;
    char* dst = static_cast<char*>(y) + first * to_bytes;
    switch (from_dtype) {
      case NPK_DTYPE_F32:
        return npk::cast_from(reinterpret_cast<const float*>(src), to_dtype, dst, n);
      case NPK_DTYPE_I64:
        return npk::cast_from(reinterpret_cast<const int64_t*>(src), to_dtype, dst, n);
      case NPK_DTYPE_I32:
        return npk::cast_from(reinterpret_cast<const int32_t*>(src), to_dtype, dst, n);
      case NPK_DTYPE_I8:
        return npk::cast_from(reinterpret_cast<const int8_t*>(src), to_dtype, dst, n);
      default:  // U8 and BOOL
        return npk::cast_from(reinterpret_cast<const uint8_t*>(src), to_dtype, dst, n);
    }
  };
  npk::parallel_for(ctx, npk::ceil_div(count, npk::kChunkElements), body);
}

}  // extern "C"
