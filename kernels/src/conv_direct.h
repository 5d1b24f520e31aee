// Direct convolution for few input channels (network stems), chosen by
// npk_conv2d where it applies; see conv_direct.cc.
#pragma once

#include "common.h"

namespace npk {

// True for ungrouped, non-1x1 convolutions with at most 4 input channels
// whose input rows fit the kernel's stack buffer.
bool direct_conv_applies(const npk_conv2d_params& p);

// Runs the convolution with the weight packed as the GEMM B of the
// implicit-GEMM path (K = C*KH*KW, N = O); needs no scratch.
void direct_conv(const npujar_model_args* ctx, const npk_conv2d_params& p, const float* x,
                 const float* packed_weight, const float* bias, const float* residual,
                 const Activation& activation, float* y);

}  // namespace npk
