// Data movement: strided copy (permute, slice, expand, concat), pad, gather
// and reductions. Every kernel walks its output row by row (the last
// dimension) and derives the input position of each row from the outer
// index.
#include "common.h"

namespace npk {
namespace {

constexpr int64_t kChunkElements = 16384;

int64_t product(const int64_t* shape, int32_t count) {
  int64_t n = 1;
  for (int32_t d = 0; d < count; ++d) n *= shape[d];
  return n;
}

// Runs row_fn(row) for every row of [rows][row_length] elements in chunks.
template <typename RowFn>
void for_each_row(const npujar_model_args* ctx, int64_t rows, int64_t row_length,
                  const RowFn& row_fn) {
  if (rows == 0 || row_length == 0) return;
  const int64_t rows_per_task = max64(1, kChunkElements / row_length);
  auto body = [&](int64_t begin, int64_t end) {
    for (int64_t task = begin; task < end; ++task) {
      const int64_t last = min64(rows, (task + 1) * rows_per_task);
      for (int64_t r = task * rows_per_task; r < last; ++r) row_fn(r);
    }
  };
  parallel_for(ctx, ceil_div(rows, rows_per_task), body);
}

// Offset of outer row `row` (an index over shape[0 .. rank-2]) in a tensor
// with the given strides.
int64_t row_offset(int64_t row, int32_t rank, const int64_t* shape, const int64_t* strides) {
  int64_t offset = 0;
  for (int32_t d = rank - 2; d >= 0; --d) {
    offset += (row % shape[d]) * strides[d];
    row /= shape[d];
  }
  return offset;
}

template <typename E>
void strided_copy_typed(const npujar_model_args* ctx, int32_t rank, const int64_t* shape,
                        const E* x, const int64_t* xs, E* y, const int64_t* ys) {
  if (rank == 0) {
    y[0] = x[0];
    return;
  }
  const int64_t n = shape[rank - 1];
  const int64_t sx = xs[rank - 1], sy = ys[rank - 1];
  for_each_row(ctx, product(shape, rank - 1), n, [&](int64_t r) {
    const E* src = x + row_offset(r, rank, shape, xs);
    E* dst = y + row_offset(r, rank, shape, ys);
    if (sx == 1 && sy == 1) {
      for (int64_t i = 0; i < n; ++i) dst[i] = src[i];
    } else if (sy == 1) {
      for (int64_t i = 0; i < n; ++i) dst[i] = src[i * sx];
    } else {
      for (int64_t i = 0; i < n; ++i) dst[i * sy] = src[i * sx];
    }
  });
}

// Input index for output index `out` of a padded dimension, or -1 when the
// output element is the constant.
int64_t pad_source(int32_t mode, int64_t out, int64_t begin, int64_t extent) {
  int64_t i = out - begin;
  if (i >= 0 && i < extent) return i;
  switch (mode) {
    case NPK_PAD_REFLECT:
      if (i < 0) i = -i;
      if (i >= extent) i = 2 * (extent - 1) - i;
      return i;
    case NPK_PAD_REPLICATE:
      return i < 0 ? 0 : extent - 1;
    case NPK_PAD_CIRCULAR:
      return ((i % extent) + extent) % extent;
    default:
      return -1;
  }
}

}  // namespace
}  // namespace npk

extern "C" {

void npk_strided_copy(const npujar_model_args* ctx, int64_t element_size, int32_t rank,
                      const int64_t* shape, const void* x, const int64_t* x_strides, void* y,
                      const int64_t* y_strides) {
  switch (element_size) {
    case 1:
      return npk::strided_copy_typed(ctx, rank, shape, static_cast<const uint8_t*>(x), x_strides,
                                     static_cast<uint8_t*>(y), y_strides);
    case 2:
      return npk::strided_copy_typed(ctx, rank, shape, static_cast<const uint16_t*>(x),
                                     x_strides, static_cast<uint16_t*>(y), y_strides);
    case 4:
      return npk::strided_copy_typed(ctx, rank, shape, static_cast<const uint32_t*>(x),
                                     x_strides, static_cast<uint32_t*>(y), y_strides);
    default:
      return npk::strided_copy_typed(ctx, rank, shape, static_cast<const uint64_t*>(x),
                                     x_strides, static_cast<uint64_t*>(y), y_strides);
  }
}

void npk_pad(const npujar_model_args* ctx, int32_t mode, int32_t rank, const int64_t* in_shape,
             const int64_t* pads, float value, const float* x, float* y) {
  int64_t out_shape[NPK_MAX_RANK] = {};
  int64_t in_strides[NPK_MAX_RANK] = {};
  for (int32_t d = 0; d < rank; ++d) out_shape[d] = pads[d] + in_shape[d] + pads[rank + d];
  int64_t stride = 1;
  for (int32_t d = rank - 1; d >= 0; --d) {
    in_strides[d] = stride;
    stride *= in_shape[d];
  }
  if (rank == 0) {
    y[0] = x[0];
    return;
  }

  const int64_t n = out_shape[rank - 1];
  npk::for_each_row(ctx, npk::product(out_shape, rank - 1), n, [&](int64_t r) {
    float* dst = y + r * n;
    // Map the outer output index to an input row, or to the constant.
    int64_t offset = 0;
    int64_t rest = r;
    bool constant_row = false;
    for (int32_t d = rank - 2; d >= 0; --d) {
      const int64_t source = npk::pad_source(mode, rest % out_shape[d], pads[d], in_shape[d]);
      rest /= out_shape[d];
      if (source < 0) constant_row = true;
      offset += source * in_strides[d];
    }
    if (constant_row) {
      for (int64_t i = 0; i < n; ++i) dst[i] = value;
      return;
    }
    const float* src = x + offset;
    const int64_t begin = pads[rank - 1];
    const int64_t extent = in_shape[rank - 1];
    for (int64_t i = 0; i < n; ++i) {
      const int64_t source = npk::pad_source(mode, i, begin, extent);
      dst[i] = source < 0 ? value : src[source];
    }
  });
}

void npk_reduce(const npujar_model_args* ctx, int32_t op, int32_t rank, const int64_t* shape,
                int64_t axes_mask, const float* x, float* y) {
  // Split the dims into kept ones (output order) and reduced ones.
  int64_t strides[NPK_MAX_RANK] = {};
  int64_t kept_shape[NPK_MAX_RANK] = {}, kept_strides[NPK_MAX_RANK] = {};
  int64_t reduced_shape[NPK_MAX_RANK] = {}, reduced_strides[NPK_MAX_RANK] = {};
  int32_t kept = 0, reduced = 0;
  int64_t stride = 1;
  for (int32_t d = rank - 1; d >= 0; --d) {
    strides[d] = stride;
    stride *= shape[d];
  }
  for (int32_t d = 0; d < rank; ++d) {
    if ((axes_mask >> d) & 1) {
      reduced_shape[reduced] = shape[d];
      reduced_strides[reduced++] = strides[d];
    } else {
      kept_shape[kept] = shape[d];
      kept_strides[kept++] = strides[d];
    }
  }
  const int64_t outputs = npk::product(kept_shape, kept);
  const int64_t count = npk::product(reduced_shape, reduced);

  auto body = [&](int64_t begin, int64_t end) {
    for (int64_t o = begin; o < end; ++o) {
      int64_t base = 0;
      int64_t rest = o;
      for (int32_t d = kept - 1; d >= 0; --d) {
        base += (rest % kept_shape[d]) * kept_strides[d];
        rest /= kept_shape[d];
      }
      // Walk the reduced index space; the innermost reduced dim varies fastest.
      double sum = 0.0;
      float extreme = count > 0 ? x[base] : 0.0f;
      for (int64_t i = 0; i < count; ++i) {
        int64_t offset = base;
        int64_t index = i;
        for (int32_t d = reduced - 1; d >= 0; --d) {
          offset += (index % reduced_shape[d]) * reduced_strides[d];
          index /= reduced_shape[d];
        }
        const float v = x[offset];
        sum += v;
        if (op == NPK_REDUCE_MAX && (v > extreme || v != v)) extreme = v;
        if (op == NPK_REDUCE_MIN && (v < extreme || v != v)) extreme = v;
      }
      float result = static_cast<float>(sum);
      if (op == NPK_REDUCE_MEAN) result = static_cast<float>(sum / static_cast<double>(count));
      if (op == NPK_REDUCE_MAX || op == NPK_REDUCE_MIN) result = extreme;
      y[o] = result;
    }
  };
  npk::parallel_for(ctx, outputs, body);
}

int32_t npk_gather(const npujar_model_args* ctx, int64_t element_size, int64_t outer,
                   int64_t axis_size, int64_t inner, const void* data, int32_t index_dtype,
                   const void* indices, int64_t index_count, void* y) {
  // Validate every index before copying anything in parallel.
  const int64_t* indices64 = static_cast<const int64_t*>(indices);
  const int32_t* indices32 = static_cast<const int32_t*>(indices);
  const bool wide = index_dtype == NPK_DTYPE_I64;
  for (int64_t j = 0; j < index_count; ++j) {
    const int64_t index = wide ? indices64[j] : indices32[j];
    if (index < 0 || index >= axis_size) return NPK_STATUS_INDEX_OUT_OF_RANGE;
  }

  const int64_t row_bytes = inner * element_size;
  const char* src = static_cast<const char*>(data);
  char* dst = static_cast<char*>(y);
  auto body = [&](int64_t begin, int64_t end) {
    for (int64_t task = begin; task < end; ++task) {
      const int64_t o = task / index_count;
      const int64_t j = task % index_count;
      const int64_t index = wide ? indices64[j] : indices32[j];
      __builtin_memcpy(dst + task * row_bytes, src + (o * axis_size + index) * row_bytes,
                       static_cast<size_t>(row_bytes));
    }
  };
  npk::parallel_for(ctx, outer * index_count, body);
  return NPK_STATUS_OK;
}

}  // extern "C"
