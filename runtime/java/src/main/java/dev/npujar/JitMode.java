package dev.npujar;

/**
 * Whether the runtime may JIT-compile the archive's portable bitcode; mirrors {@code
 * npujar_jit_mode}.
 */
public enum JitMode {
  /** Use a precompiled variant that fits the host, else JIT-compile the bitcode. */
  AUTO(0),
  /**
   * Never JIT-compile: loading fails with {@link NoUsableVariantException} when no variant fits.
   */
  FORBID(1),
  /** Always JIT-compile the bitcode for this host, ignoring precompiled variants. */
  FORCE(2);

  private final int nativeCode;

  JitMode(int nativeCode) {
    this.nativeCode = nativeCode;
  }

  int nativeCode() {
    return nativeCode;
  }
}
