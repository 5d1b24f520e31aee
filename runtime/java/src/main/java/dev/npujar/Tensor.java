package dev.npujar;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * An n-dimensional array in native memory, used as a model input or returned as a model output.
 *
 * <pre>{@code
 * try (Tensor image = Tensor.of(pixels, 1, 3, 224, 224);
 *     Outputs outputs = model.run(image)) {
 *   float[] logits = outputs.get(0).toFloatArray();
 * }
 * }</pre>
 *
 * <p><b>Creation.</b> {@code of(...)} copies a Java array into memory the tensor owns; {@link
 * #wrap(ByteBuffer, DType, long...)} uses a direct buffer's memory without copying. Shapes are
 * given as extents, outermost first, in row-major (C) order like PyTorch's contiguous tensors.
 *
 * <p><b>Lifetime.</b> A tensor owns native memory until {@link #close()}; close it with
 * try-with-resources. {@code close()} is idempotent. Other methods called afterwards, except {@code
 * isClosed()} and {@code toString()}, throw {@link IllegalStateException}. A tensor that becomes
 * unreachable unclosed is released by a {@link java.lang.ref.Cleaner} later, and a warning is
 * logged to the {@code dev.npujar} {@link System.Logger}.
 *
 * <p><b>Threads.</b> A tensor's contents never change through this API, so it may be read and
 * passed to {@link Model#run} from many threads at once. Closing it while another thread uses it is
 * safe: the memory is freed when the last such call returns. A wrapped buffer must not be modified
 * while a run reads it.
 */
public final class Tensor implements AutoCloseable {
  private final DType dtype;
  private final long[] shape;
  private final long elementCount;
  private final NativeResource resource;
  // View of exactly byteSize() bytes, valid until the handle is freed. Tensors other than wrapped
  // ones create it on first read, which saves a JNI call and a buffer per tensor that is never
  // read, such as most inputs. Two threads may race to create it; both views are equivalent.
  private volatile ByteBuffer data;

  private Tensor(
      long handle, DType dtype, long[] shape, ByteBuffer data, Object borrowed, String origin) {
    this.resource =
        new NativeResource(
            this,
            handle,
            NativeApi::tensorRelease,
            () -> "Tensor " + describe(dtype, shape) + " " + origin,
            borrowed);
    this.dtype = dtype;
    this.shape = shape;
    this.elementCount = elementCount(shape);
    this.data = data;
  }

  /**
   * Creates an f32 tensor holding a copy of {@code data}.
   *
   * @param data the elements in row-major order
   * @param shape the extents; their product must equal {@code data.length}
   * @return a new tensor the caller must close
   * @throws IllegalArgumentException if {@code data} or {@code shape} is null, an extent is
   *     negative, or the element count differs from {@code data.length}
   * @throws NativeLibraryException if the native library cannot be loaded
   */
  public static Tensor of(float[] data, long... shape) {
    Arguments.requireNonNull(data, "data");
    return allocate(DType.F32, shape, data.length, "float[]", data, Float.BYTES);
  }

  /**
   * Creates an i32 tensor holding a copy of {@code data}.
   *
   * @param data the elements in row-major order
   * @param shape the extents; their product must equal {@code data.length}
   * @return a new tensor the caller must close
   * @throws IllegalArgumentException if the arguments are null or do not match
   * @throws NativeLibraryException if the native library cannot be loaded
   */
  public static Tensor of(int[] data, long... shape) {
    Arguments.requireNonNull(data, "data");
    return allocate(DType.I32, shape, data.length, "int[]", data, Integer.BYTES);
  }

  /**
   * Creates an i64 tensor holding a copy of {@code data}, such as token ids for a PyTorch model.
   *
   * @param data the elements in row-major order
   * @param shape the extents; their product must equal {@code data.length}
   * @return a new tensor the caller must close
   * @throws IllegalArgumentException if the arguments are null or do not match
   * @throws NativeLibraryException if the native library cannot be loaded
   */
  public static Tensor of(long[] data, long... shape) {
    Arguments.requireNonNull(data, "data");
    return allocate(DType.I64, shape, data.length, "long[]", data, Long.BYTES);
  }

  /**
   * Creates an i8 tensor holding a copy of {@code data}. For u8 or bool elements use {@link
   * #of(DType, byte[], long...)}.
   *
   * @param data the elements in row-major order
   * @param shape the extents; their product must equal {@code data.length}
   * @return a new tensor the caller must close
   * @throws IllegalArgumentException if the arguments are null or do not match
   * @throws NativeLibraryException if the native library cannot be loaded
   */
  public static Tensor of(byte[] data, long... shape) {
    return of(DType.I8, data, shape);
  }

  /**
   * Creates a tensor of any dtype from raw bytes in native byte order, e.g. u8 pixels, bool masks
   * or f16 values.
   *
   * @param dtype the element type
   * @param data the elements' bytes in row-major order, {@code dtype.byteSize()} bytes each
   * @param shape the extents; their product times the element size must equal {@code data.length}
   * @return a new tensor the caller must close
   * @throws IllegalArgumentException if the arguments are null or do not match
   * @throws NativeLibraryException if the native library cannot be loaded
   */
  public static Tensor of(DType dtype, byte[] data, long... shape) {
    Arguments.requireNonNull(dtype, "dtype");
    Arguments.requireNonNull(data, "data");
    long count = elementCount(shape);
    if (data.length != count * dtype.byteSize()) {
      throw new IllegalArgumentException(
          "byte[] of length "
              + data.length
              + " does not match shape "
              + TensorInfo.formatShape(shape)
              + " of "
              + dtype.shortName()
              + " ("
              + count
              + " elements of "
              + dtype.byteSize()
              + " bytes)");
    }
    return allocate(dtype, shape, count, "byte[]", data, Byte.BYTES);
  }

  /**
   * Creates a zero-filled tensor.
   *
   * @param dtype the element type
   * @param shape the extents
   * @return a new tensor the caller must close
   * @throws IllegalArgumentException if an argument is null or an extent is negative
   * @throws NativeLibraryException if the native library cannot be loaded
   */
  public static Tensor zeros(DType dtype, long... shape) {
    Arguments.requireNonNull(dtype, "dtype");
    return allocate(dtype, shape, elementCount(shape), null, null, 0);
  }

  /**
   * Wraps a direct buffer's memory without copying. The tensor uses the bytes from the buffer's
   * position on; the buffer's position and limit are not changed. The buffer must stay unmodified
   * while a {@link Model#run} reads the tensor, and it is kept reachable until the tensor is
   * closed.
   *
   * <pre>{@code
   * ByteBuffer buffer =
   *     ByteBuffer.allocateDirect(4 * 3 * 224 * 224).order(ByteOrder.nativeOrder());
   * buffer.asFloatBuffer().put(pixels);
   * try (Tensor image = Tensor.wrap(buffer, DType.F32, 1, 3, 224, 224)) { ... }
   * }</pre>
   *
   * @param buffer a direct buffer in {@link ByteOrder#nativeOrder()} with at least {@code product
   *     of shape * dtype.byteSize()} bytes remaining
   * @param dtype the element type
   * @param shape the extents
   * @return a new tensor the caller must close
   * @throws IllegalArgumentException if an argument is null, the buffer is not direct, its byte
   *     order is not native for a multi-byte dtype, or it has fewer bytes remaining than the shape
   *     needs
   * @throws NativeLibraryException if the native library cannot be loaded
   */
  public static Tensor wrap(ByteBuffer buffer, DType dtype, long... shape) {
    Arguments.requireNonNull(buffer, "buffer");
    Arguments.requireNonNull(dtype, "dtype");
    long count = elementCount(shape);
    if (!buffer.isDirect()) {
      throw new IllegalArgumentException(
          "Tensor.wrap needs a direct ByteBuffer (ByteBuffer.allocateDirect), got a heap buffer;"
              + " use Tensor.of to copy heap data");
    }
    if (dtype.byteSize() > 1 && buffer.order() != ByteOrder.nativeOrder()) {
      throw new IllegalArgumentException(
          "ByteBuffer has byte order "
              + buffer.order()
              + " but "
              + dtype.shortName()
              + " tensors use the native order "
              + ByteOrder.nativeOrder()
              + "; call buffer.order(ByteOrder.nativeOrder()) before writing to it");
    }
    long byteSize = count * dtype.byteSize();
    if (buffer.remaining() < byteSize) {
      throw new IllegalArgumentException(
          "ByteBuffer has "
              + buffer.remaining()
              + " bytes remaining but shape "
              + TensorInfo.formatShape(shape)
              + " of "
              + dtype.shortName()
              + " needs "
              + byteSize);
    }

    NativeLoader.ensureLoaded();
    long[] dims = shape.clone();
    int start = buffer.position();
    long handle = NativeApi.tensorWrap(dtype.nativeCode(), dims, buffer, start, byteSize);
    ByteBuffer view = buffer.duplicate();
    view.limit(start + (int) byteSize).position(start);
    return new Tensor(handle, dtype, dims, view.slice(), buffer, "wrapping a direct ByteBuffer");
  }

  /** Takes ownership of a tensor handle the native runtime created, such as a model output. */
  static Tensor adopt(long handle, String origin) {
    DType dtype;
    long[] dims;
    try {
      long[] description = NativeApi.tensorDescribe(handle);
      dtype = DType.fromNative((int) description[0]);
      dims = new long[(int) description[1]];
      System.arraycopy(description, 2, dims, 0, dims.length);
    } catch (RuntimeException | Error failure) {
      NativeApi.tensorRelease(handle);
      throw failure;
    }
    return new Tensor(handle, dtype, dims, null, null, origin);
  }

  /**
   * Creates a tensor, copying {@code array} into it in one JNI call, or zero-filled when {@code
   * array} is null. {@code dataLength} is the element count the shape must match, and {@code
   * arrayElementBytes} the size of one Java array element (1 for raw byte[] data of any dtype).
   */
  private static Tensor allocate(
      DType dtype,
      long[] shape,
      long dataLength,
      String arrayType,
      Object array,
      int arrayElementBytes) {
    long count = elementCount(shape);
    if (arrayType != null && dataLength != count) {
      throw new IllegalArgumentException(
          arrayType
              + " of length "
              + dataLength
              + " does not match shape "
              + TensorInfo.formatShape(shape)
              + " ("
              + count
              + " elements)");
    }
    NativeLoader.ensureLoaded();
    long[] dims = shape.clone();
    long handle =
        array == null
            ? NativeApi.tensorCreate(dtype.nativeCode(), dims)
            : NativeApi.tensorCreateFrom(dtype.nativeCode(), dims, array, arrayElementBytes);
    return new Tensor(
        handle, dtype, dims, null, null, array == null ? "of zeros" : "from " + arrayType);
  }

  /** Validates a shape and returns its element count. */
  static long elementCount(long[] shape) {
    Arguments.requireNonNull(shape, "shape");
    long count = 1;
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] < 0) {
        throw new IllegalArgumentException(
            "shape "
                + TensorInfo.formatShape(shape)
                + " has negative extent "
                + shape[i]
                + " at dimension "
                + i);
      }
      try {
        count = Math.multiplyExact(count, shape[i]);
      } catch (ArithmeticException overflow) {
        throw new IllegalArgumentException(
            "shape " + TensorInfo.formatShape(shape) + " has more than 2^63 elements", overflow);
      }
    }
    return count;
  }

  private static String describe(DType dtype, long[] shape) {
    return dtype.shortName() + TensorInfo.formatShape(shape);
  }

  /**
   * Returns the element type.
   *
   * @return the dtype
   * @throws IllegalStateException if the tensor is closed
   */
  public DType dtype() {
    resource.checkOpen("Tensor.dtype");
    return dtype;
  }

  /**
   * Returns the extents, outermost first.
   *
   * @return a copy of the shape
   * @throws IllegalStateException if the tensor is closed
   */
  public long[] shape() {
    resource.checkOpen("Tensor.shape");
    return shape.clone();
  }

  /**
   * Returns the number of dimensions; 0 for a scalar.
   *
   * @return the rank
   * @throws IllegalStateException if the tensor is closed
   */
  public int rank() {
    resource.checkOpen("Tensor.rank");
    return shape.length;
  }

  /**
   * Returns the number of elements, the product of the extents.
   *
   * @return the element count
   * @throws IllegalStateException if the tensor is closed
   */
  public long elementCount() {
    resource.checkOpen("Tensor.elementCount");
    return elementCount;
  }

  /**
   * Returns the size of the tensor's data.
   *
   * @return the element count times the element size, in bytes
   * @throws IllegalStateException if the tensor is closed
   */
  public long byteSize() {
    resource.checkOpen("Tensor.byteSize");
    return elementCount * dtype.byteSize();
  }

  /**
   * Copies the elements of an f32 tensor into a new array.
   *
   * @return the elements in row-major order
   * @throws IllegalStateException if the tensor is closed, not f32, or has more than {@code
   *     Integer.MAX_VALUE} elements
   */
  public float[] toFloatArray() {
    acquireForRead("Tensor.toFloatArray", DType.F32, "float[]");
    try {
      float[] values = new float[(int) elementCount];
      view().asFloatBuffer().get(values);
      return values;
    } finally {
      resource.release();
    }
  }

  /**
   * Copies the elements of an i32 tensor into a new array.
   *
   * @return the elements in row-major order
   * @throws IllegalStateException if the tensor is closed, not i32, or too large for an array
   */
  public int[] toIntArray() {
    acquireForRead("Tensor.toIntArray", DType.I32, "int[]");
    try {
      int[] values = new int[(int) elementCount];
      view().asIntBuffer().get(values);
      return values;
    } finally {
      resource.release();
    }
  }

  /**
   * Copies the elements of an i64 tensor into a new array.
   *
   * @return the elements in row-major order
   * @throws IllegalStateException if the tensor is closed, not i64, or too large for an array
   */
  public long[] toLongArray() {
    acquireForRead("Tensor.toLongArray", DType.I64, "long[]");
    try {
      long[] values = new long[(int) elementCount];
      view().asLongBuffer().get(values);
      return values;
    } finally {
      resource.release();
    }
  }

  /**
   * Copies the tensor's raw bytes, in native byte order, into a new array. Works for every dtype;
   * for i8, u8 and bool tensors each byte is one element.
   *
   * @return {@link #byteSize()} bytes
   * @throws IllegalStateException if the tensor is closed or too large for an array
   */
  public byte[] toByteArray() {
    acquireForRead("Tensor.toByteArray", null, "byte[]");
    try {
      byte[] values = new byte[(int) byteSize()];
      view().get(values);
      return values;
    } finally {
      resource.release();
    }
  }

  /**
   * Copies the tensor's raw bytes, in native byte order, into {@code destination} at its position
   * and advances the position by {@link #byteSize()}.
   *
   * @param destination a heap or direct buffer with at least {@link #byteSize()} bytes remaining
   * @throws IllegalArgumentException if {@code destination} is null or too small
   * @throws IllegalStateException if the tensor is closed
   */
  public void copyTo(ByteBuffer destination) {
    Arguments.requireNonNull(destination, "destination");
    resource.acquire("Tensor.copyTo");
    try {
      if (destination.remaining() < byteSize()) {
        throw new IllegalArgumentException(
            "destination has "
                + destination.remaining()
                + " bytes remaining but the tensor "
                + describe(dtype, shape)
                + " has "
                + byteSize());
      }
      destination.put(view());
    } finally {
      resource.release();
    }
  }

  private void acquireForRead(String call, DType required, String arrayType) {
    resource.acquire(call);
    boolean ok = false;
    try {
      if (required != null && dtype != required) {
        throw new IllegalStateException(
            call
                + " needs an "
                + required.shortName()
                + " tensor but this one is "
                + describe(dtype, shape)
                + "; use the method for "
                + dtype.shortName());
      }
      long length = required == null ? byteSize() : elementCount;
      if (length > Integer.MAX_VALUE) {
        throw new IllegalStateException(
            call
                + ": tensor "
                + describe(dtype, shape)
                + " has "
                + length
                + " entries, more than a "
                + arrayType
                + " holds; use copyTo(ByteBuffer)");
      }
      ok = true;
    } finally {
      if (!ok) {
        resource.release();
      }
    }
  }

  /** Returns a native-order view of the data; callers hold the resource acquired. */
  private ByteBuffer view() {
    ByteBuffer current = data;
    if (current == null) {
      current = NativeApi.tensorData(resource.handle());
      if (current == null) {
        current = ByteBuffer.allocateDirect(0);
      }
      data = current;
    }
    return current.duplicate().order(ByteOrder.nativeOrder());
  }

  /** Marks the tensor as used by a native call; false if it is closed. */
  boolean tryAcquire() {
    return resource.tryAcquire();
  }

  void release() {
    resource.release();
  }

  long handle() {
    return resource.handle();
  }

  /**
   * Tells whether {@link #close()} was called.
   *
   * @return true once closed
   */
  public boolean isClosed() {
    return resource.isClosed();
  }

  /**
   * Frees the tensor's native memory, or marks it to be freed when the runs using it finish.
   * Calling it again has no effect.
   */
  @Override
  public void close() {
    resource.close();
  }

  /**
   * Describes the tensor, e.g. {@code Tensor f32[1,3,224,224]}.
   *
   * @return the description
   */
  @Override
  public String toString() {
    return "Tensor " + describe(dtype, shape) + (isClosed() ? " (closed)" : "");
  }
}
