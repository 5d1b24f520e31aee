package dev.npujar;

/**
 * Thrown when a file cannot be read or written: an archive path that does not exist, an unreadable
 * file or class path resource, or a JIT cache directory that is not writable.
 *
 * <p>Mirrors {@code NPUJAR_ERROR_IO} of the C API ({@link ErrorCode#IO}).
 */
public class NpujarIOException extends NpujarException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed and on which value
   */
  public NpujarIOException(String message) {
    super(ErrorCode.IO, message);
  }
}
