// Winograd F(2x2, 3x3) convolution, chosen by npk_conv2d for 3x3 stride-1
// convolutions where it applies; see winograd.cc.
#pragma once

#include "common.h"

namespace npk {

bool winograd_applies(const npk_conv2d_params& p);
int64_t winograd_packed_weight_bytes(const npk_conv2d_params& p);
// Transforms weight[O][C][3][3] into 16 packed GEMM B matrices, one per
// transform point, each npk_gemm_packed_b_size(C, O) bytes.
void winograd_pack_weight(const npk_conv2d_params& p, const float* weight, float* packed);
int64_t winograd_scratch_bytes(const npk_conv2d_params& p);
void winograd_conv(const npujar_model_args* ctx, const npk_conv2d_params& p, const float* x,
                   const float* packed, const float* bias, const float* residual,
                   const Activation& activation, float* y, void* scratch);

}  // namespace npk
