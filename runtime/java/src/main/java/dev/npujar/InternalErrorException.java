package dev.npujar;

/**
 * Thrown for a bug in npujar, and for native error codes newer than this version of the Java API.
 *
 * <p>Mirrors {@code NPUJAR_ERROR_INTERNAL} of the C API ({@link ErrorCode#INTERNAL}).
 */
public class InternalErrorException extends NpujarException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed and on which value
   */
  public InternalErrorException(String message) {
    super(ErrorCode.INTERNAL, message);
  }
}
