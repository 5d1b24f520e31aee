package dev.npujar;

/**
 * Thrown when the native runtime cannot allocate memory for weights, workspaces or tensors.
 *
 * <p>Mirrors {@code NPUJAR_ERROR_OUT_OF_MEMORY} of the C API ({@link ErrorCode#OUT_OF_MEMORY}).
 */
public class NativeOutOfMemoryException extends NpujarException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed and on which value
   */
  public NativeOutOfMemoryException(String message) {
    super(ErrorCode.OUT_OF_MEMORY, message);
  }
}
