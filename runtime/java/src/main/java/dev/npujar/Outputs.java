package dev.npujar;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The output tensors of one {@link Model#run}, in the model's output order and addressable by name.
 *
 * <pre>{@code
 * try (Outputs outputs = model.run(Map.of("x", input))) {
 *   float[] logits = outputs.get("logits").toFloatArray();
 * }
 * }</pre>
 *
 * <p><b>Lifetime.</b> Owns its tensors: {@link #close()} closes all of them and is idempotent;
 * {@link #get(int)}, {@link #get(String)}, {@link #size()} and {@link #names()} throw {@link
 * IllegalStateException} afterwards. To keep one tensor beyond the outputs, copy its data out
 * first. Unclosed outputs are released by a {@link java.lang.ref.Cleaner}, with a logged warning.
 *
 * <p><b>Threads.</b> Safe to read from several threads; close it once, after the readers finish.
 */
public final class Outputs implements AutoCloseable {
  private final List<TensorInfo> infos;
  private final Tensor[] tensors;
  private volatile boolean closed;

  Outputs(List<TensorInfo> infos, Tensor[] tensors) {
    this.infos = infos;
    this.tensors = tensors;
  }

  /**
   * Returns the output at {@code index} in model order.
   *
   * @param index 0-based position among the model's outputs
   * @return the tensor, owned by these outputs
   * @throws IndexOutOfBoundsException if {@code index} is not below {@link #size()}
   * @throws IllegalStateException if the outputs are closed
   */
  public Tensor get(int index) {
    checkOpen("Outputs.get");
    if (index < 0 || index >= tensors.length) {
      throw new IndexOutOfBoundsException(
          "output index "
              + index
              + " is out of range; the model has "
              + tensors.length
              + " outputs");
    }
    return tensors[index];
  }

  /**
   * Returns the output with the given name.
   *
   * @param name an output name as {@link Model#outputs()} lists it
   * @return the tensor, owned by these outputs
   * @throws IllegalArgumentException if the model has no output of that name
   * @throws IllegalStateException if the outputs are closed
   */
  public Tensor get(String name) {
    checkOpen("Outputs.get");
    for (int i = 0; i < tensors.length; i++) {
      if (infos.get(i).name().equals(name)) {
        return tensors[i];
      }
    }
    throw new IllegalArgumentException(
        "the model has no output named '" + name + "'; its outputs are " + names());
  }

  /**
   * Returns the number of outputs.
   *
   * @return the output count
   * @throws IllegalStateException if the outputs are closed
   */
  public int size() {
    checkOpen("Outputs.size");
    return tensors.length;
  }

  /**
   * Returns the output names in model order.
   *
   * @return an unmodifiable list of names
   * @throws IllegalStateException if the outputs are closed
   */
  public List<String> names() {
    checkOpen("Outputs.names");
    List<String> names = new ArrayList<>(infos.size());
    for (TensorInfo info : infos) {
      names.add(info.name());
    }
    return Collections.unmodifiableList(names);
  }

  /** Closes every output tensor. Calling it again has no effect. */
  @Override
  public void close() {
    closed = true;
    for (Tensor tensor : tensors) {
      tensor.close();
    }
  }

  private void checkOpen(String call) {
    if (closed) {
      throw new IllegalStateException(call + " called after close()");
    }
  }

  /**
   * Lists the outputs with their concrete shapes, e.g. {@code Outputs[logits: Tensor f32[1,1000]]}.
   *
   * @return the description
   */
  @Override
  public String toString() {
    StringBuilder text = new StringBuilder("Outputs[");
    for (int i = 0; i < tensors.length; i++) {
      if (i > 0) {
        text.append(", ");
      }
      text.append(infos.get(i).name()).append(": ").append(tensors[i]);
    }
    return text.append(closed ? "] (closed)" : "]").toString();
  }
}
