package dev.npujar;

/**
 * Base class of every error the npujar runtime reports. Each {@link ErrorCode} has its own
 * subclass, so callers can catch, say, {@link ShapeMismatchException} alone; the message is the
 * native runtime's, unchanged.
 *
 * <p>The exceptions are unchecked so that models can be called from lambdas and streams; methods
 * document which subclasses they throw.
 */
public class NpujarException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The error code this exception stands for. */
  private final ErrorCode code;

  /**
   * Creates an exception with a code and message.
   *
   * @param code the error code
   * @param message the message, usually the native runtime's
   */
  protected NpujarException(ErrorCode code, String message) {
    super(message);
    this.code = code;
  }

  /**
   * Creates an exception with a code, message and cause.
   *
   * @param code the error code
   * @param message the message
   * @param cause the underlying error
   */
  protected NpujarException(ErrorCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  /**
   * Returns the error code this exception stands for.
   *
   * @return the error code
   */
  public ErrorCode code() {
    return code;
  }

  /**
   * Creates the exception type for a native error code. The JNI library calls this when a C API
   * function returns a status.
   *
   * @param nativeCode the {@code npujar_error_code}
   * @param message the status message
   * @return the exception to throw
   */
  static NpujarException fromNative(int nativeCode, String message) {
    ErrorCode code = ErrorCode.fromNative(nativeCode);
    switch (code) {
      case INVALID_ARGUMENT:
        return new InvalidArgumentException(message);
      case INVALID_ARCHIVE:
        return new InvalidArchiveException(message);
      case NO_USABLE_VARIANT:
        return new NoUsableVariantException(message);
      case SHAPE_MISMATCH:
        return new ShapeMismatchException(message);
      case DTYPE_MISMATCH:
        return new DtypeMismatchException(message);
      case IO:
        return new NpujarIOException(message);
      case COMPILE:
        return new CompileException(message);
      case EXECUTION:
        return new ModelExecutionException(message);
      case OUT_OF_MEMORY:
        return new NativeOutOfMemoryException(message);
      default:
        if (code.nativeCode() != nativeCode) {
          message = "unknown native error code " + nativeCode + ": " + message;
        }
        return new InternalErrorException(message);
    }
  }
}
