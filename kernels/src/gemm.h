// The SGEMM driver behind npk_gemm, for the other kernels that lower onto it.
#pragma once

#include "common.h"

namespace npk {

// C = activation(A @ B + bias + residual) with B packed by npk_gemm_pack_b;
// the arguments mean what they mean for npk_gemm.
void gemm_packed(const npujar_model_args* ctx, int64_t m, int64_t n, int64_t k, const float* a,
                 int64_t stride_am, int64_t stride_ak, const float* packed_b, float* c,
                 int64_t stride_cm, int64_t stride_cn, const float* bias, const float* residual,
                 Activation activation);

}  // namespace npk
