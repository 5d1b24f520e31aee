package dev.npujar;

/**
 * Thrown when an archive is not a valid {@code .npujar} file: wrong magic or version, truncated or
 * overlapping sections, a checksum mismatch or an invalid manifest.
 *
 * <p>Mirrors {@code NPUJAR_ERROR_INVALID_ARCHIVE} of the C API ({@link ErrorCode#INVALID_ARCHIVE}).
 */
public class InvalidArchiveException extends NpujarException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed and on which value
   */
  public InvalidArchiveException(String message) {
    super(ErrorCode.INVALID_ARCHIVE, message);
  }
}
