package dev.npujar;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Describes one input or output of a {@link Model}: its name, dtype and shape. A dimension that the
 * model leaves open (such as the batch size) has extent -1 in {@link #shape()} and a symbol name,
 * e.g. {@code N}, in {@link #symbols()}; {@link #toString()} prints {@code x: f32[N,3,224,224]}.
 *
 * <p>Immutable and thread-safe. It owns no native resource.
 */
public final class TensorInfo {
  /** Extent of a symbolic dimension in {@link #shape()}. */
  public static final long SYMBOLIC = -1;

  private final String name;
  private final DType dtype;
  private final long[] shape;
  private final List<String> symbols;

  /**
   * Creates a descriptor.
   *
   * @param name the tensor's name
   * @param dtype the element type
   * @param shape extents, {@link #SYMBOLIC} for an open dimension
   * @param symbols one entry per dimension: the symbol's name, or "" for a static dimension
   * @throws IllegalArgumentException if an argument is null, {@code symbols} differs in length from
   *     {@code shape}, or a symbolic dimension has no symbol name
   */
  public TensorInfo(String name, DType dtype, long[] shape, List<String> symbols) {
    this.name = Arguments.requireNonNull(name, "name");
    this.dtype = Arguments.requireNonNull(dtype, "dtype");
    Arguments.requireNonNull(shape, "shape");
    Arguments.requireNonNull(symbols, "symbols");
    if (symbols.size() != shape.length) {
      throw new IllegalArgumentException(
          "tensor '" + name + "': " + symbols.size() + " symbols for rank " + shape.length);
    }
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] < SYMBOLIC) {
        throw new IllegalArgumentException(
            "tensor '" + name + "': dimension " + i + " has invalid extent " + shape[i]);
      }
      if (shape[i] == SYMBOLIC && symbols.get(i).isEmpty()) {
        throw new IllegalArgumentException(
            "tensor '" + name + "': symbolic dimension " + i + " has no symbol name");
      }
    }
    this.shape = shape.clone();
    this.symbols = Collections.unmodifiableList(new ArrayList<>(symbols));
  }

  /**
   * Returns the tensor's name as the model declares it.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * Returns the element type.
   *
   * @return the dtype
   */
  public DType dtype() {
    return dtype;
  }

  /**
   * Returns the extents, with {@link #SYMBOLIC} (-1) for each open dimension.
   *
   * @return a copy of the shape
   */
  public long[] shape() {
    return shape.clone();
  }

  /**
   * Returns the number of dimensions.
   *
   * @return the rank
   */
  public int rank() {
    return shape.length;
  }

  /**
   * Returns one entry per dimension: the symbol name of an open dimension, "" for a static one.
   *
   * @return an unmodifiable list as long as the rank
   */
  public List<String> symbols() {
    return symbols;
  }

  /**
   * Tells whether every dimension has a fixed extent.
   *
   * @return true if no dimension is symbolic
   */
  public boolean isStatic() {
    for (long extent : shape) {
      if (extent == SYMBOLIC) {
        return false;
      }
    }
    return true;
  }

  /**
   * Tells whether a concrete shape fits this descriptor: same rank, and equal extents wherever the
   * dimension is static. Symbol bindings across inputs are checked by the native runtime.
   */
  boolean accepts(long[] concreteShape) {
    if (concreteShape.length != shape.length) {
      return false;
    }
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] != SYMBOLIC && shape[i] != concreteShape[i]) {
        return false;
      }
    }
    return true;
  }

  /** Formats the shape with symbols, e.g. {@code f32[N,3,224,224]}. */
  String shapeString() {
    StringBuilder text = new StringBuilder(dtype.shortName()).append('[');
    for (int i = 0; i < shape.length; i++) {
      if (i > 0) {
        text.append(',');
      }
      if (shape[i] == SYMBOLIC) {
        text.append(symbols.get(i));
      } else {
        text.append(shape[i]);
      }
    }
    return text.append(']').toString();
  }

  /** Formats a concrete shape, e.g. {@code [1,3,224,224]}. */
  static String formatShape(long[] shape) {
    StringBuilder text = new StringBuilder("[");
    for (int i = 0; i < shape.length; i++) {
      if (i > 0) {
        text.append(',');
      }
      text.append(shape[i]);
    }
    return text.append(']').toString();
  }

  /**
   * Returns the descriptor as {@code name: dtype[dims]}, e.g. {@code x: f32[N,3,224,224]}.
   *
   * @return the descriptor text
   */
  @Override
  public String toString() {
    return name + ": " + shapeString();
  }

  @Override
  public boolean equals(Object other) {
    if (this == other) {
      return true;
    }
    if (!(other instanceof TensorInfo)) {
      return false;
    }
    TensorInfo that = (TensorInfo) other;
    return name.equals(that.name)
        && dtype == that.dtype
        && Arrays.equals(shape, that.shape)
        && symbols.equals(that.symbols);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, dtype, Arrays.hashCode(shape), symbols);
  }
}
