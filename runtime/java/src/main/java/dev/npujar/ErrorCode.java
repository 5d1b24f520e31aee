package dev.npujar;

/**
 * Error codes of the native runtime, one per {@code npujar_error_code} in {@code npujar_runtime.h},
 * plus {@link #NATIVE_LIBRARY} for failures to load the JNI library itself.
 *
 * <p>The numbers are stable: the native side only appends new codes. Each code maps to exactly one
 * exception type, listed on the constant.
 */
public enum ErrorCode {
  /** A Java-only code: the JNI library could not be loaded ({@link NativeLibraryException}). */
  NATIVE_LIBRARY(-1),
  /** A NULL handle or a bad option value ({@link InvalidArgumentException}). */
  INVALID_ARGUMENT(1),
  /**
   * The archive's structure, checksums or manifest are invalid ({@link InvalidArchiveException}).
   */
  INVALID_ARCHIVE(2),
  /** No variant in the archive runs on this host ({@link NoUsableVariantException}). */
  NO_USABLE_VARIANT(3),
  /** An input's shape differs from the model's ({@link ShapeMismatchException}). */
  SHAPE_MISMATCH(4),
  /** An input's dtype differs from the model's ({@link DtypeMismatchException}). */
  DTYPE_MISMATCH(5),
  /**
   * A file was not found or unreadable, or the JIT cache was not writable ({@link
   * NpujarIOException}).
   */
  IO(6),
  /** JIT compilation or object linking failed ({@link CompileException}). */
  COMPILE(7),
  /**
   * The model failed while running, e.g. an index out of range ({@link ModelExecutionException}).
   */
  EXECUTION(8),
  /** The runtime could not allocate memory ({@link NativeOutOfMemoryException}). */
  OUT_OF_MEMORY(9),
  /**
   * A bug in npujar ({@link InternalErrorException}); also used for codes this version does not
   * know.
   */
  INTERNAL(10);

  private final int nativeCode;

  ErrorCode(int nativeCode) {
    this.nativeCode = nativeCode;
  }

  /**
   * Returns the value of the matching {@code npujar_error_code}, or -1 for {@link #NATIVE_LIBRARY}.
   *
   * @return the native error code
   */
  public int nativeCode() {
    return nativeCode;
  }

  /**
   * Returns the constant for a native error code.
   *
   * @param nativeCode a value of {@code npujar_error_code}
   * @return the matching constant, or {@link #INTERNAL} for a code this version does not know
   */
  public static ErrorCode fromNative(int nativeCode) {
    for (ErrorCode code : values()) {
      if (code.nativeCode == nativeCode && code != NATIVE_LIBRARY) {
        return code;
      }
    }
    return INTERNAL;
  }
}
