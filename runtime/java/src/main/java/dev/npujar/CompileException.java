package dev.npujar;

/**
 * Thrown when JIT compilation of the archive's portable bitcode or linking of a precompiled object
 * fails.
 *
 * <p>Mirrors {@code NPUJAR_ERROR_COMPILE} of the C API ({@link ErrorCode#COMPILE}).
 */
public class CompileException extends NpujarException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed and on which value
   */
  public CompileException(String message) {
    super(ErrorCode.COMPILE, message);
  }
}
