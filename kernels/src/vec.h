// Portable SIMD vocabulary for the kernels: one float vector type whose
// width is fixed at compile time by NPK_VECTOR_BYTES (16 = SSE/NEON,
// 32 = AVX2, 64 = AVX-512), built on the GCC/clang vector extension so the
// same source compiles with g++ 12, clang-15 natively and clang-15 to
// bitcode. Nothing here may pull in the C++ runtime: no exceptions, RTTI,
// heap or static constructors.
#pragma once

#include <stddef.h>
#include <stdint.h>

#ifndef NPK_VECTOR_BYTES
#define NPK_VECTOR_BYTES 16
#endif

#if NPK_VECTOR_BYTES != 16 && NPK_VECTOR_BYTES != 32 && NPK_VECTOR_BYTES != 64
#error "NPK_VECTOR_BYTES must be 16, 32 or 64"
#endif

// Loop unrolling hints. Both spellings are standard _Pragma uses, and a
// compiler that supports neither simply does not unroll.
#if defined(__clang__)
#define NPK_UNROLL _Pragma("unroll")
#elif defined(__GNUC__)
#define NPK_UNROLL _Pragma("GCC unroll 16")
#else
#define NPK_UNROLL
#endif

// The math functions generated code may call (NPUJAR_RUNTIME_SYMBOLS).
// Declared here because the bitcode build is freestanding and includes no
// libm headers.
extern "C" {
float expf(float);
float logf(float);
float tanhf(float);
float erff(float);
float sqrtf(float);
float powf(float, float);
float floorf(float);
float ceilf(float);
}

namespace npk {

constexpr int kVectorBytes = NPK_VECTOR_BYTES;
constexpr int kLanes = kVectorBytes / 4;

typedef float vf __attribute__((vector_size(NPK_VECTOR_BYTES)));
typedef int32_t vi __attribute__((vector_size(NPK_VECTOR_BYTES)));
// A 4-lane vector, legal on every target, for rows narrower than vf.
typedef float v4 __attribute__((vector_size(16)));

inline vf splat(float s) {
  vf v = {};
  return v + s;
}

inline vi splat_int(int32_t s) {
  vi v = {};
  return v + s;
}

// Unaligned load and store; memcpy keeps them free of aliasing assumptions
// and compiles to one vector move.
inline vf load(const float* p) {
  vf v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}

inline void store(float* p, vf v) { __builtin_memcpy(p, &v, sizeof v); }

// Lane-wise mask ? a : b, where mask lanes are all ones or all zeros.
inline vf select(vi mask, vf a, vf b) { return (vf)(((vi)a & mask) | ((vi)b & ~mask)); }

// Lanes 0 .. kLanes/2-1 of a and b, interleaved (a0 b0 a1 b1 ...), and the
// same for the upper halves.
inline vf interleave_low(vf a, vf b) {
#if NPK_VECTOR_BYTES == 64
  return __builtin_shufflevector(a, b, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
#elif NPK_VECTOR_BYTES == 32
  return __builtin_shufflevector(a, b, 0, 8, 1, 9, 2, 10, 3, 11);
#else
  return __builtin_shufflevector(a, b, 0, 4, 1, 5);
#endif
}

inline vf interleave_high(vf a, vf b) {
#if NPK_VECTOR_BYTES == 64
  return __builtin_shufflevector(a, b, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15,
                                 31);
#elif NPK_VECTOR_BYTES == 32
  return __builtin_shufflevector(a, b, 4, 12, 5, 13, 6, 14, 7, 15);
#else
  return __builtin_shufflevector(a, b, 2, 6, 3, 7);
#endif
}

// The even lanes of the concatenation a:b (a0 a2 ... b0 b2 ...), and the
// odd ones: the inverse of interleave_low and interleave_high.
inline vf even_lanes(vf a, vf b) {
#if NPK_VECTOR_BYTES == 64
  return __builtin_shufflevector(a, b, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
#elif NPK_VECTOR_BYTES == 32
  return __builtin_shufflevector(a, b, 0, 2, 4, 6, 8, 10, 12, 14);
#else
  return __builtin_shufflevector(a, b, 0, 2, 4, 6);
#endif
}

inline vf odd_lanes(vf a, vf b) {
#if NPK_VECTOR_BYTES == 64
  return __builtin_shufflevector(a, b, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
#elif NPK_VECTOR_BYTES == 32
  return __builtin_shufflevector(a, b, 1, 3, 5, 7, 9, 11, 13, 15);
#else
  return __builtin_shufflevector(a, b, 1, 3, 5, 7);
#endif
}

// Maximum and minimum that return a when a is NaN, so NaN inputs propagate
// through relu and clamp as in PyTorch.
inline vf vmax(vf a, vf b) { return select(b > a, b, a); }
inline vf vmin(vf a, vf b) { return select(b < a, b, a); }

inline float hsum(vf v) {
  float s = 0.0f;
  NPK_UNROLL
  for (int i = 0; i < kLanes; ++i) s += v[i];
  return s;
}

inline float hmax(vf v) {
  float m = v[0];
  NPK_UNROLL
  for (int i = 1; i < kLanes; ++i) m = v[i] > m ? v[i] : m;
  return m;
}

// 2^n for integer lanes n in [-126, 127], built from the exponent bits.
inline vf pow2i(vi n) { return (vf)((n + 127) << 23); }

// e^x with a Cephes-style range reduction and degree-6 polynomial. The
// relative error stays below 1e-6 over [-87, 88.5], which the unit tests
// check against double precision. Results below 2^-126 are subnormal (with
// fewer significant bits), results above 88.72 are +inf, and NaN stays NaN.
inline vf vexp(vf x) {
  x = vmin(x, splat(89.0f));
  x = vmax(x, splat(-104.0f));

  // n = round(x / ln 2) via the 1.5 * 2^23 trick (exact for |n| < 2^22).
  const vf magic = splat(12582912.0f);
  vf fn = (x * 1.44269504088896341f + magic) - magic;
  vf r = x - fn * 0.693359375f;
  r = r - fn * -2.12194440e-4f;

  vf p = splat(1.9875691500e-4f);
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  vf y = p * r * r + r + 1.0f;

  // Scale in two steps so that n down to -150 stays representable. NaN
  // lanes convert 0 instead, because converting NaN is undefined; y is
  // already NaN there.
  vi n = __builtin_convertvector(select(fn == fn, fn, splat(0.0f)), vi);
  vi half = n >> 1;
  return y * pow2i(half) * pow2i(n - half);
}

inline vf vsigmoid(vf x) { return 1.0f / (1.0f + vexp(-x)); }

// tanh: odd polynomial for |x| < 0.625 (Cephes tanhf), else
// 1 - 2 / (e^{2|x|} + 1) with the sign restored.
inline vf vtanh(vf x) {
  vf ax = select(x < 0.0f, -x, x);
  vf z = x * x;
  vf p = splat(-5.70498872745e-3f);
  p = p * z + 2.06390887954e-2f;
  p = p * z + -5.37397155531e-2f;
  p = p * z + 1.33314422036e-1f;
  p = p * z + -3.33332819422e-1f;
  vf small = p * z * x + x;

  vf large = 1.0f - 2.0f / (vexp(ax + ax) + 1.0f);
  large = select(x < 0.0f, -large, large);
  return select(ax < 0.625f, small, large);
}

// erfc(|x|) from the Numerical Recipes approximation erfcc, whose
// fractional error is below 1.2e-7 everywhere.
inline vf verfc_abs(vf x) {
  vf z = select(x < 0.0f, -x, x);
  vf t = 1.0f / (1.0f + 0.5f * z);
  vf p = splat(0.17087277f);
  p = p * t + -0.82215223f;
  p = p * t + 1.48851587f;
  p = p * t + -1.13520398f;
  p = p * t + 0.27886807f;
  p = p * t + -0.18628806f;
  p = p * t + 0.09678418f;
  p = p * t + 0.37409196f;
  p = p * t + 1.00002368f;
  p = p * t + -1.26551223f;
  return t * vexp(p - z * z);
}

// GELU as 0.5 x erfc(-x / sqrt(2)), which keeps full relative accuracy for
// large negative x where 1 + erf(x / sqrt(2)) would cancel.
inline vf vgelu(vf x) {
  vf tail = verfc_abs(x * 0.70710678118654752f);
  vf one_plus_erf = select(x < 0.0f, tail, 2.0f - tail);
  return 0.5f * x * one_plus_erf;
}

// PyTorch's approximate="tanh" GELU, 0.5 x (1 + tanh(u)), evaluated as
// x * sigmoid(2u) to avoid the same cancellation.
inline vf vgelu_tanh(vf x) {
  vf u = 0.79788456080286536f * (x + 0.044715f * x * x * x);
  return x * vsigmoid(u + u);
}

inline vf vhardswish(vf x) {
  vf t = vmin(vmax(x + 3.0f, splat(0.0f)), splat(6.0f));
  return x * t * (1.0f / 6.0f);
}

}  // namespace npk
