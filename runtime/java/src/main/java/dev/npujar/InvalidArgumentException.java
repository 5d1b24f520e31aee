package dev.npujar;

/**
 * Thrown when the native runtime rejects an argument, such as an option value it does not support.
 * Arguments checked on the Java side throw {@link IllegalArgumentException} instead.
 *
 * <p>Mirrors {@code NPUJAR_ERROR_INVALID_ARGUMENT} of the C API ({@link
 * ErrorCode#INVALID_ARGUMENT}).
 */
public class InvalidArgumentException extends NpujarException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed and on which value
   */
  public InvalidArgumentException(String message) {
    super(ErrorCode.INVALID_ARGUMENT, message);
  }
}
