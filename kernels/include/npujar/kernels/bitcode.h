/* The kernel library as LLVM bitcode, embedded in the CLI so the code
 * generator can link it with per-model code. One entry per (architecture,
 * vector width); each was compiled without -march, so the code generator
 * sets target-cpu and target-features on every function before compiling
 * it for a variant. */
#ifndef NPUJAR_KERNELS_BITCODE_H_
#define NPUJAR_KERNELS_BITCODE_H_

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct npk_bitcode {
  /* "x86_64" or "aarch64", the architecture of the bitcode's triple. */
  const char* arch;
  /* NPK_VECTOR_BYTES it was built with: 16 (SSE4.2, NEON), 32 (AVX2),
   * 64 (AVX-512). */
  int vector_bytes;
  const unsigned char* data;
  size_t size;
} npk_bitcode;

extern const npk_bitcode npk_kernel_bitcode[];
extern const int npk_kernel_bitcode_count;

#ifdef __cplusplus
}
#endif

#endif /* NPUJAR_KERNELS_BITCODE_H_ */
