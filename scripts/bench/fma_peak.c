/* Register-only FMA throughput of one thread: the peak that the kernel
 * benchmark's NPUJAR_BENCH_PEAK_GFLOPS should be set to. Twelve independent
 * accumulators hide the FMA latency. Build with -DW512 for AVX-512 (16
 * lanes), without it for AVX2 (8 lanes):
 *
 *   clang-15 -O2 -march=native -DW512 scripts/bench/fma_peak.c -o /tmp/fma_peak && /tmp/fma_peak
 *
 * Times are thread CPU time, so the figure holds on a busy machine. */
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

int main(void) {
  const long iters = 200000000;
#ifdef W512
  __m512 a[12], b = _mm512_set1_ps(0.999f), c = _mm512_set1_ps(0.001f);
  for (int i = 0; i < 12; ++i) a[i] = _mm512_set1_ps(i);
#else
  __m256 a[12], b = _mm256_set1_ps(0.999f), c = _mm256_set1_ps(0.001f);
  for (int i = 0; i < 12; ++i) a[i] = _mm256_set1_ps(i);
#endif
  struct timespec t0, t1;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
  for (long n = 0; n < iters; ++n)
    for (int i = 0; i < 12; ++i)
#ifdef W512
      a[i] = _mm512_fmadd_ps(a[i], b, c);
#else
      a[i] = _mm256_fmadd_ps(a[i], b, c);
#endif
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
  double s = (t1.tv_sec - t0.tv_sec) + 1e-9 * (t1.tv_nsec - t0.tv_nsec);
  float sum = 0; float out[16];
  for (int i = 0; i < 12; ++i) {
#ifdef W512
    _mm512_storeu_ps(out, a[i]); sum += out[0];
#else
    _mm256_storeu_ps(out, a[i]); sum += out[0];
#endif
  }
  int lanes =
#ifdef W512
      16;
#else
      8;
#endif
  printf("%d lanes: %.1f GFLOP/s per thread (cpu time %.2f s, %g)\n", lanes, 2.0 * lanes * 12 * iters / s / 1e9, s, sum);
  return 0;
}
