package dev.npujar;

import java.util.Arrays;

/**
 * Thrown when an input tensor's shape does not match the model's declared shape for that input, or
 * when inputs bind one symbolic dimension to different extents.
 *
 * <p>Mirrors {@code NPUJAR_ERROR_SHAPE_MISMATCH} of the C API ({@link ErrorCode#SHAPE_MISMATCH}).
 * When the Java API detects the mismatch itself, {@link #inputName()}, {@link #expected()} and
 * {@link #actualShape()} describe it; when the native runtime does, only the message does.
 */
public class ShapeMismatchException extends NpujarException {
  private static final long serialVersionUID = 1L;

  /** The mismatching input's name; null when the native runtime reported the mismatch. */
  private final String inputName;

  // TensorInfo is not serializable; a deserialized exception keeps only the message, the name and
  // the actual shape.
  private final transient TensorInfo expected;

  /** The shape passed in; null when the native runtime reported the mismatch. */
  private final long[] actualShape;

  /**
   * Creates the exception from a native message.
   *
   * @param message what failed and on which value
   */
  public ShapeMismatchException(String message) {
    super(ErrorCode.SHAPE_MISMATCH, message);
    this.inputName = null;
    this.expected = null;
    this.actualShape = null;
  }

  /**
   * Creates the exception for an input whose shape does not match its descriptor.
   *
   * @param expected the model's descriptor of the input
   * @param actualShape the shape of the tensor passed in
   */
  public ShapeMismatchException(TensorInfo expected, long[] actualShape) {
    super(
        ErrorCode.SHAPE_MISMATCH,
        "input '"
            + expected.name()
            + "' has shape "
            + TensorInfo.formatShape(actualShape)
            + " but the model expects "
            + expected.shapeString());
    this.inputName = expected.name();
    this.expected = expected;
    this.actualShape = actualShape.clone();
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
   * Returns the model's descriptor of the mismatching input, including symbolic dimensions.
   *
   * @return the descriptor, or null when the native runtime reported the mismatch
   */
  public TensorInfo expected() {
    return expected;
  }

  /**
   * Returns the shape of the tensor that was passed in.
   *
   * @return a copy of the shape, or null when the native runtime reported the mismatch
   */
  public long[] actualShape() {
    return actualShape == null ? null : Arrays.copyOf(actualShape, actualShape.length);
  }
}
