package dev.npujar;

/**
 * Thrown when no variant in the archive runs on this host, for example when JIT compilation is
 * forbidden and no precompiled variant matches the CPU, or a forced variant needs CPU features this
 * host lacks.
 *
 * <p>Mirrors {@code NPUJAR_ERROR_NO_USABLE_VARIANT} of the C API ({@link
 * ErrorCode#NO_USABLE_VARIANT}).
 */
public class NoUsableVariantException extends NpujarException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed and on which value
   */
  public NoUsableVariantException(String message) {
    super(ErrorCode.NO_USABLE_VARIANT, message);
  }
}
