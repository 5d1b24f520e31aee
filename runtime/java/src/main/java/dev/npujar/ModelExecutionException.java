package dev.npujar;

/**
 * Thrown when a model fails while running, for example when an index input is out of range.
 *
 * <p>Mirrors {@code NPUJAR_ERROR_EXECUTION} of the C API ({@link ErrorCode#EXECUTION}).
 */
public class ModelExecutionException extends NpujarException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed and on which value
   */
  public ModelExecutionException(String message) {
    super(ErrorCode.EXECUTION, message);
  }
}
