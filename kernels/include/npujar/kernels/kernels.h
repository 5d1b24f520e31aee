/* npujar's CPU kernel library: the entry points that generated per-model code
 * calls, and the packing functions that `npujar pack` runs natively.
 *
 * Conventions for every function below:
 * - Sizes, extents, strides and offsets are int64_t. Strides count elements,
 *   not bytes. A stride of 0 broadcasts along that dimension.
 * - Tensors are row-major. Image tensors are NCHW, as in PyTorch; no kernel
 *   expects a blocked activation layout.
 * - `ctx` supplies the thread pool: only its parallel_for, pool and
 *   num_threads fields are read. ctx == NULL, or ctx->parallel_for == NULL,
 *   runs the kernel serially on the calling thread.
 * - Outputs never alias inputs unless a function allows it.
 * - Size functions return bytes. Scratch buffers and packed buffers must be
 *   64-byte aligned; their contents on entry do not matter. Size functions
 *   and the choice of algorithm return the same in every vector-width
 *   build, because `npujar pack` calls them once in the native 16-byte
 *   build and every variant uses the result.
 * - Functions that can fail at run time return int32_t: NPK_STATUS_OK (0) or
 *   a status code below. The others cannot fail for arguments within their
 *   documented domain and do not check them.
 * - dtype arguments use the numeric values of npujar::ir::DType
 *   (NPK_DTYPE_*). bool tensors hold one byte per element, 0 or 1.
 *
 * The same source is compiled natively (pack time, tests) and to LLVM bitcode
 * once per vector width; see kernels/README.md. */
#ifndef NPUJAR_KERNELS_KERNELS_H_
#define NPUJAR_KERNELS_KERNELS_H_

#include <stdint.h>

#include "npujar_model_abi.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Status codes --------------------------------------------------- */

#define NPK_STATUS_OK 0
/* A gather index was negative or not below the axis extent. */
#define NPK_STATUS_INDEX_OUT_OF_RANGE 1

/* ---- dtypes (values of npujar::ir::DType) --------------------------- */

#define NPK_DTYPE_F32 1
#define NPK_DTYPE_I64 4
#define NPK_DTYPE_I32 5
#define NPK_DTYPE_I8 6
#define NPK_DTYPE_U8 7
#define NPK_DTYPE_BOOL 8

/* ---- Fused epilogue ------------------------------------------------- *
 * GEMM and convolution compute y = activation(acc + bias + residual):
 * bias is per output column (GEMM) or per output channel (convolution) and
 * may be NULL; residual has the output's shape and strides and may be NULL;
 * clamp_min and clamp_max are read only for NPK_ACTIVATION_CLAMP. */
#define NPK_ACTIVATION_NONE 0
#define NPK_ACTIVATION_RELU 1
#define NPK_ACTIVATION_CLAMP 2     /* min(max(x, clamp_min), clamp_max) */
#define NPK_ACTIVATION_SIGMOID 3
#define NPK_ACTIVATION_SILU 4      /* x * sigmoid(x) */
#define NPK_ACTIVATION_HARDSWISH 5 /* x * min(max(x + 3, 0), 6) / 6 */
#define NPK_ACTIVATION_GELU 6      /* 0.5 x (1 + erf(x / sqrt(2))) */
#define NPK_ACTIVATION_GELU_TANH 7 /* PyTorch's approximate="tanh" */

/* ---- GEMM with pre-packed B ----------------------------------------- *
 * C[M,N] = epilogue(A[M,K] @ B[K,N]).
 *
 * Packed B layout, the same for every vector width and architecture: the
 * N columns are padded with zeros to a multiple of 64 and split into panels
 * of 16 consecutive columns. Panel p contains B[k][16p .. 16p+15] for
 * k = 0 .. K-1, one 64-byte row per k, so the buffer is float
 * [ceil(N/64)*4][K][16]. A linear layer's weight W[out,in] is B = W^T
 * (K = in, N = out, stride_bk = 1, stride_bn = in); a constant matmul RHS
 * B[K,N] has stride_bk = N, stride_bn = 1. */

/* Bytes of the packed form of a K x N matrix B. */
int64_t npk_gemm_packed_b_size(int64_t k, int64_t n);

/* Packs B (element (k, n) at b[k*stride_bk + n*stride_bn]) into `packed`,
 * which has room for npk_gemm_packed_b_size(k, n) bytes. Serial; run at pack time
 * or by npk_batch_matmul. */
void npk_gemm_pack_b(int64_t k, int64_t n, const float* b, int64_t stride_bk, int64_t stride_bn,
                     float* packed);

/* C = epilogue(A @ B). Element (m, k) of A is a[m*stride_am + k*stride_ak],
 * so transposed views need no copy. Element (m, n) of C and of residual is
 * at m*stride_cm + n*stride_cn; stride_cn == 1 is the fast path. bias has N
 * elements. M, N, K >= 1. */
void npk_gemm(const npujar_model_args* ctx, int64_t m, int64_t n, int64_t k, const float* a,
              int64_t stride_am, int64_t stride_ak, const float* packed_b, float* c,
              int64_t stride_cm, int64_t stride_cn, const float* bias, const float* residual,
              int32_t activation, float clamp_min, float clamp_max);

/* ---- Matmul of two runtime operands (attention) --------------------- *
 * For each batch index i < batch:
 *   C_i[M,N] = epilogue(A_i[M,K] @ B_i[K,N])
 * with A_i(m, k) = a[i*batch_stride_a + m*stride_am + k*stride_ak], B_i(k, n)
 * = b[i*batch_stride_b + k*stride_bk + n*stride_bn] and C_i(m, n) =
 * c[i*batch_stride_c + m*stride_cm + n*stride_cn]. A batch stride of 0
 * broadcasts that operand. residual uses C's strides; bias has N elements.
 * Broadcasting over more than one batch dimension is a loop by the caller.
 * scratch has room for npk_batch_matmul_scratch_size(batch, k, n) bytes, used to
 * pack each B_i. */
int64_t npk_batch_matmul_scratch_size(int64_t batch, int64_t k, int64_t n);
void npk_batch_matmul(const npujar_model_args* ctx, int64_t batch, int64_t m, int64_t n,
                      int64_t k, const float* a, int64_t batch_stride_a, int64_t stride_am,
                      int64_t stride_ak, const float* b, int64_t batch_stride_b,
                      int64_t stride_bk, int64_t stride_bn, float* c, int64_t batch_stride_c,
                      int64_t stride_cm, int64_t stride_cn, const float* bias,
                      const float* residual, int32_t activation, float clamp_min,
                      float clamp_max, void* scratch);

/* ---- 2-D convolution ------------------------------------------------ *
 * y[N,O,OH,OW] = epilogue(conv2d(x[N,C,H,W], weight[O,C/groups,KH,KW]))
 * with zero padding, PyTorch's semantics. All fields are int64_t, so the
 * struct has the layout of int64_t[18] and generated code may pass a
 * constant array. out_h/out_w must equal
 *   (H + pad_top + pad_bottom - dilation_h*(KH-1) - 1) / stride_h + 1
 * (likewise for W); the caller computes them. */
typedef struct npk_conv2d_params {
  int64_t batch, in_channels, in_h, in_w;
  int64_t out_channels, kernel_h, kernel_w;
  int64_t stride_h, stride_w;
  int64_t pad_top, pad_left, pad_bottom, pad_right;
  int64_t dilation_h, dilation_w;
  int64_t groups;
  int64_t out_h, out_w;
} npk_conv2d_params;

/* Bytes of the packed weight. Its layout depends on the algorithm that
 * npk_conv2d picks from the parameters, so pack and run with the same
 * params:
 * - depthwise (groups == in_channels > 1, out_channels a multiple of
 *   groups): weight[O][KH][KW] unchanged;
 * - Winograd F(2x2, 3x3) (3x3, stride 1, dilation 1, groups 1, at least 32
 *   input and output channels): 16 packed B matrices (K = C, N = O) of the
 *   transformed weight G g G^T, one per transform point;
 * - 1x1, stride 1, unpadded, groups 1, O >= 2*C, with OH*OW a multiple of
 *   64 or at least 512: weight[O][C] unchanged (the input becomes the
 *   packed B);
 * - otherwise, per group, the GEMM B of K = (C/groups)*KH*KW rows
 *   (k = (c*KH + kh)*KW + kw) and N = O/groups columns in the packed-B
 *   layout above, groups one after another, each group's part starting at
 *   a multiple of 64 bytes. */
int64_t npk_conv2d_packed_weight_size(const npk_conv2d_params* params);
void npk_conv2d_pack_weight(const npk_conv2d_params* params, const float* weight,
                            float* packed);

/* Bytes of scratch that npk_conv2d needs: 0 for the im2col GEMM and
 * depthwise paths (the im2col matrix is packed on the fly), the transformed
 * input and output tiles for Winograd, the packed input for the transposed
 * 1x1 path. */
int64_t npk_conv2d_scratch_size(const npk_conv2d_params* params);

/* Runs the convolution. packed_weight comes from npk_conv2d_pack_weight;
 * bias has O elements; residual has y's shape [N,O,OH,OW]. */
void npk_conv2d(const npujar_model_args* ctx, const npk_conv2d_params* params, const float* x,
                const float* packed_weight, const float* bias, const float* residual,
                int32_t activation, float clamp_min, float clamp_max, float* y, void* scratch);

/* ---- Unary elementwise, contiguous f32 ------------------------------ *
 * y[i] = op(x[i]) for i < count; y may equal x. alpha and beta are the
 * attributes: clamp (min, max), leaky_relu (negative_slope, unused). */
#define NPK_UNARY_IDENTITY 0
#define NPK_UNARY_RELU 1
#define NPK_UNARY_SIGMOID 2
#define NPK_UNARY_TANH 3
#define NPK_UNARY_EXP 4
#define NPK_UNARY_LOG 5
#define NPK_UNARY_SQRT 6
#define NPK_UNARY_RSQRT 7
#define NPK_UNARY_NEG 8
#define NPK_UNARY_ABS 9
#define NPK_UNARY_ERF 10
#define NPK_UNARY_RECIPROCAL 11
#define NPK_UNARY_SILU 12
#define NPK_UNARY_HARDSWISH 13
#define NPK_UNARY_HARDSIGMOID 14 /* min(max(x / 6 + 0.5, 0), 1) */
#define NPK_UNARY_GELU 15
#define NPK_UNARY_GELU_TANH 16
#define NPK_UNARY_CLAMP 17
#define NPK_UNARY_LEAKY_RELU 18
void npk_unary_f32(const npujar_model_args* ctx, int32_t op, int64_t count, const float* x,
                   float* y, float alpha, float beta);

/* ---- Broadcasting binary elementwise -------------------------------- *
 * y is contiguous with shape[rank] (rank 0..6); a and b are read at
 * sum(index[d] * a_strides[d]) and likewise for b, so broadcasting uses
 * stride 0.
 * npk_binary: arithmetic ops on dtype F32, I64 or I32; y has that dtype.
 *   Integer div truncates toward zero (PyTorch's rounding_mode="trunc";
 *   the importer lowers true division to f32) and returns 0 for a zero
 *   divisor instead of trapping; integer pow is unsupported.
 * npk_compare: comparison ops on dtype F32, I64, I32 or BOOL; y is bool.
 * npk_logical: logical_and/or on bool inputs; y is bool. */
#define NPK_BINARY_ADD 0
#define NPK_BINARY_SUB 1
#define NPK_BINARY_MUL 2
#define NPK_BINARY_DIV 3
#define NPK_BINARY_POW 4
#define NPK_BINARY_MAXIMUM 5
#define NPK_BINARY_MINIMUM 6
#define NPK_COMPARE_EQUAL 0
#define NPK_COMPARE_NOT_EQUAL 1
#define NPK_COMPARE_LESS 2
#define NPK_COMPARE_LESS_EQUAL 3
#define NPK_COMPARE_GREATER 4
#define NPK_COMPARE_GREATER_EQUAL 5
#define NPK_LOGICAL_AND 0
#define NPK_LOGICAL_OR 1
#define NPK_MAX_RANK 6
void npk_binary(const npujar_model_args* ctx, int32_t op, int32_t dtype, int32_t rank,
                const int64_t* shape, const void* a, const int64_t* a_strides, const void* b,
                const int64_t* b_strides, void* y);
void npk_compare(const npujar_model_args* ctx, int32_t op, int32_t dtype, int32_t rank,
                 const int64_t* shape, const void* a, const int64_t* a_strides, const void* b,
                 const int64_t* b_strides, uint8_t* y);
void npk_logical(const npujar_model_args* ctx, int32_t op, int32_t rank, const int64_t* shape,
                 const uint8_t* a, const int64_t* a_strides, const uint8_t* b,
                 const int64_t* b_strides, uint8_t* y);
/* y[i] = !x[i] on bool. */
void npk_logical_not(const npujar_model_args* ctx, int64_t count, const uint8_t* x, uint8_t* y);

/* where: y = condition ? a : b, broadcasting like npk_binary. element_size
 * is the byte size of a, b and y's dtype (1, 2, 4 or 8). */
void npk_where(const npujar_model_args* ctx, int64_t element_size, int32_t rank,
               const int64_t* shape, const uint8_t* condition, const int64_t* condition_strides,
               const void* a, const int64_t* a_strides, const void* b, const int64_t* b_strides,
               void* y);

/* cast: contiguous, count elements, between F32, I64, I32, I8, U8 and BOOL.
 * Float to integer truncates toward zero; to bool is x != 0. */
void npk_cast(const npujar_model_args* ctx, int64_t count, int32_t from_dtype, const void* x,
              int32_t to_dtype, void* y);

/* ---- Normalization -------------------------------------------------- */

/* Normalizes each of `rows` contiguous rows of `cols` elements:
 * y = (x - mean) / sqrt(var + epsilon) * weight + bias, with the biased
 * variance; weight and bias have `cols` elements and may be NULL. */
void npk_layer_norm(const npujar_model_args* ctx, int64_t rows, int64_t cols, const float* x,
                    const float* weight, const float* bias, float epsilon, float* y);

/* Softmax along an axis of extent axis_size: x viewed as
 * [outer][axis_size][inner], contiguous. Subtracts the maximum first. */
void npk_softmax(const npujar_model_args* ctx, int64_t outer, int64_t axis_size, int64_t inner,
                 const float* x, float* y);
void npk_log_softmax(const npujar_model_args* ctx, int64_t outer, int64_t axis_size,
                     int64_t inner, const float* x, float* y);

/* Inference batch norm over dim 1 of x viewed as [batch][channels][inner]:
 * y = (x - mean[c]) / sqrt(var[c] + epsilon) * weight[c] + bias[c];
 * weight and bias may be NULL. y may equal x. */
void npk_batch_norm(const npujar_model_args* ctx, int64_t batch, int64_t channels,
                    int64_t inner, const float* x, const float* mean, const float* var,
                    const float* weight, const float* bias, float epsilon, float* y);

/* ---- Pooling and resizing (NCHW f32) -------------------------------- *
 * The struct has the layout of int64_t[19]. out_h/out_w come from the
 * output shape (the caller applies ceil_mode and PyTorch's rule that the
 * last window must start inside the input or left padding). divisor 0 means
 * none; count_include_pad and divisor are read by avg pooling only, and
 * dilation by max pooling only (avg pooling has none). */
typedef struct npk_pool2d_params {
  int64_t batch, channels, in_h, in_w;
  int64_t out_h, out_w;
  int64_t kernel_h, kernel_w;
  int64_t stride_h, stride_w;
  int64_t pad_top, pad_left, pad_bottom, pad_right;
  int64_t dilation_h, dilation_w;
  int64_t ceil_mode, count_include_pad, divisor;
} npk_pool2d_params;
void npk_max_pool2d(const npujar_model_args* ctx, const npk_pool2d_params* params,
                    const float* x, float* y);
void npk_avg_pool2d(const npujar_model_args* ctx, const npk_pool2d_params* params,
                    const float* x, float* y);

/* Adaptive pooling with PyTorch's bins: for output row i the input rows are
 * [floor(i*H/OH), ceil((i+1)*H/OH)). */
void npk_adaptive_avg_pool2d(const npujar_model_args* ctx, int64_t batch, int64_t channels,
                             int64_t in_h, int64_t in_w, int64_t out_h, int64_t out_w,
                             const float* x, float* y);
void npk_adaptive_max_pool2d(const npujar_model_args* ctx, int64_t batch, int64_t channels,
                             int64_t in_h, int64_t in_w, int64_t out_h, int64_t out_w,
                             const float* x, float* y);

/* Resize following torch.nn.functional.interpolate. scale_h/scale_w are the
 * user's scale factors (0 = none, derive in/out from the sizes); as in
 * PyTorch they set the source-index ratio 1/scale when given and
 * align_corners is 0. Nearest uses the legacy rule
 * src = min(floor(dst * ratio), in - 1) and ignores align_corners. */
#define NPK_RESIZE_NEAREST 0
#define NPK_RESIZE_BILINEAR 1
void npk_resize(const npujar_model_args* ctx, int32_t mode, int32_t align_corners,
                int64_t batch, int64_t channels, int64_t in_h, int64_t in_w, int64_t out_h,
                int64_t out_w, float scale_h, float scale_w, const float* x, float* y);

/* ---- Data movement -------------------------------------------------- */

/* Pads a contiguous f32 tensor of in_shape[rank] into a contiguous
 * y with out_shape[d] = pads[d] + in_shape[d] + pads[rank + d]. pads
 * contains rank begin values, then rank end values (full rank, zero for
 * unpadded dims). Negative pads crop. reflect needs pads < extent, and
 * circular needs pads <= extent. */
#define NPK_PAD_CONSTANT 0
#define NPK_PAD_REFLECT 1
#define NPK_PAD_REPLICATE 2
#define NPK_PAD_CIRCULAR 3
void npk_pad(const npujar_model_args* ctx, int32_t mode, int32_t rank, const int64_t* in_shape,
             const int64_t* pads, float value, const float* x, float* y);

/* Reduces a contiguous f32 tensor of shape[rank] over the dims whose bit is
 * set in axes_mask (bit d = dim d; 0 reduces nothing, i.e. copies). y is
 * contiguous with the reduced dims removed (keepdims does not change the
 * layout). Mean of an empty set is NaN, sum 0, max/min of an empty set is
 * not allowed. */
#define NPK_REDUCE_SUM 0
#define NPK_REDUCE_MEAN 1
#define NPK_REDUCE_MAX 2
#define NPK_REDUCE_MIN 3
void npk_reduce(const npujar_model_args* ctx, int32_t op, int32_t rank, const int64_t* shape,
                int64_t axes_mask, const float* x, float* y);

/* Strided copy of shape[rank] (rank 0..6) elements of element_size bytes
 * (1, 2, 4 or 8): y[sum(i_d * y_strides[d])] = x[sum(i_d * x_strides[d])].
 * Covers permute (x_strides permuted), slice (x offset by the start,
 * x stride times step), expand (x stride 0) and concat (one call per input
 * into an offset y). */
void npk_strided_copy(const npujar_model_args* ctx, int64_t element_size, int32_t rank,
                      const int64_t* shape, const void* x, const int64_t* x_strides, void* y,
                      const int64_t* y_strides);

/* Gather / index_select / embedding: data viewed as [outer][axis_size]
 * [inner] of element_size bytes, indices (I64 or I32, index_count of them)
 * contiguous; y is [outer][index_count][inner]. Returns
 * NPK_STATUS_INDEX_OUT_OF_RANGE, with y partly written, when an index is
 * negative or >= axis_size. */
int32_t npk_gather(const npujar_model_args* ctx, int64_t element_size, int64_t outer,
                   int64_t axis_size, int64_t inner, const void* data, int32_t index_dtype,
                   const void* indices, int64_t index_count, void* y);

#ifdef __cplusplus
}
#endif

#endif /* NPUJAR_KERNELS_KERNELS_H_ */
