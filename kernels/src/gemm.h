// The SGEMM driver behind npk_gemm, for the other kernels that lower onto it.
#pragma once

#include "common.h"

namespace npk {

// The implicit im2col matrix of one image and group of a convolution:
// A(m, k) is the input value under tap k = (c*KH + kh)*KW + kw for output
// pixel m = oh*out_w + ow, or 0 in the padding. The GEMM packs A from it
// directly, so no im2col buffer exists.
struct ConvGeometry {
  const float* x;  // first channel of the group in one image, NCHW
  int64_t in_h, in_w, out_w;
  int64_t kernel_h, kernel_w;
  int64_t stride_h, stride_w;
  int64_t pad_top, pad_left;
  int64_t dilation_h, dilation_w;
};

// C = activation(A @ B + bias + residual) with B packed by npk_gemm_pack_b;
// the arguments mean what they mean for npk_gemm.
void gemm_packed(const npujar_model_args* ctx, int64_t m, int64_t n, int64_t k, const float* a,
                 int64_t stride_am, int64_t stride_ak, const float* packed_b, float* c,
                 int64_t stride_cm, int64_t stride_cn, const float* bias, const float* residual,
                 Activation activation);

// The same GEMM with the bias per row of C (M elements) instead of per
// column. Its tasks walk C's columns outermost, so that thread i of N gets
// about the i-th N-th of the columns: the pixels when C is an NCHW output
// (see the pool's note in runtime/src/thread_pool.cc).
void gemm_row_bias(const npujar_model_args* ctx, int64_t m, int64_t n, int64_t k, const float* a,
                   int64_t stride_am, int64_t stride_ak, const float* packed_b, float* c,
                   int64_t stride_cm, int64_t stride_cn, const float* row_bias,
                   const float* residual, Activation activation);

// Packs B like npk_gemm_pack_b, splitting the panels over the threads.
void pack_b_parallel(const npujar_model_args* ctx, int64_t k, int64_t n, const float* b,
                     int64_t stride_bk, int64_t stride_bn, float* packed);

// The same GEMM with A given implicitly by a convolution; a is unused.
void gemm_conv(const npujar_model_args* ctx, int64_t m, int64_t n, int64_t k,
               const ConvGeometry& conv, const float* packed_b, float* c, int64_t stride_cm,
               int64_t stride_cn, const float* bias, const float* residual,
               Activation activation);

}  // namespace npk
