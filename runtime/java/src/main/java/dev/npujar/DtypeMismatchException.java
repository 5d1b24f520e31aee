package dev.npujar;

/**
 * Thrown when an input tensor's dtype differs from the model's declared dtype for that input.
 *
 * <p>Mirrors {@code NPUJAR_ERROR_DTYPE_MISMATCH} of the C API ({@link ErrorCode#DTYPE_MISMATCH}).
 * When the Java API detects the mismatch itself, {@link #inputName()}, {@link #expectedDtype()} and
 * {@link #actualDtype()} describe it; when the native runtime does, only the message does.
 */
public class DtypeMismatchException extends NpujarException {
  private static final long serialVersionUID = 1L;

  /** The mismatching input's name; null when the native runtime reported the mismatch. */
  private final String inputName;

  /** The dtype the model declares; null when the native runtime reported the mismatch. */
  private final DType expectedDtype;

  /** The dtype passed in; null when the native runtime reported the mismatch. */
  private final DType actualDtype;

  /**
   * Creates the exception from a native message.
   *
   * @param message what failed and on which value
   */
  public DtypeMismatchException(String message) {
    super(ErrorCode.DTYPE_MISMATCH, message);
    this.inputName = null;
    this.expectedDtype = null;
    this.actualDtype = null;
  }

  /**
   * Creates the exception for an input whose dtype does not match its descriptor.
   *
   * @param inputName the input's name
   * @param expectedDtype the dtype the model declares
   * @param actualDtype the dtype of the tensor passed in
   */
  public DtypeMismatchException(String inputName, DType expectedDtype, DType actualDtype) {
    super(
        ErrorCode.DTYPE_MISMATCH,
        "input '"
            + inputName
            + "' has dtype "
            + actualDtype.shortName()
            + " but the model expects "
            + expectedDtype.shortName());
    this.inputName = inputName;
    this.expectedDtype = expectedDtype;
    this.actualDtype = actualDtype;
  }

  /**
   * Returns the name of the mismatching input.
   *
   * @return the input name, or null when the native runtime reported the mismatch
   */
  public String inputName() {
    return inputName;
  }

  /**
   * Returns the dtype the model declares for the input.
   *
   * @return the expected dtype, or null when the native runtime reported the mismatch
   */
  public DType expectedDtype() {
    return expectedDtype;
  }

  /**
   * Returns the dtype of the tensor that was passed in.
   *
   * @return the actual dtype, or null when the native runtime reported the mismatch
   */
  public DType actualDtype() {
    return actualDtype;
  }
}
