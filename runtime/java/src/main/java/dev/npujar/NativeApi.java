package dev.npujar;

import java.nio.ByteBuffer;

/**
 * The JNI entry points, implemented in {@code runtime/jni/} on top of the C API {@code
 * npujar_runtime.h}. Each native method that calls a C API function throws the {@link
 * NpujarException} subclass for the returned status. Handles are the C pointers as {@code long};
 * callers keep them alive with {@link NativeResource}.
 *
 * <p>Callers must have run {@link NativeLoader#ensureLoaded()} first.
 */
final class NativeApi {
  /**
   * Version of the contract between this class and the JNI library. Raise it whenever a native
   * method is added, removed or changes its signature; the loader rejects a library built for
   * another version.
   */
  static final int BINDING_VERSION = 2;

  private NativeApi() {}

  static native int bindingVersion();

  /** Returns the runtime version, {@code npujar_version()}. */
  static native String runtimeVersion();

  /**
   * Loads an archive file. Option arguments map to {@code npujar_options_set_*}; null strings leave
   * the runtime's default.
   */
  static native long modelLoadFile(
      String path, int numThreads, int jitMode, int device, String variant, String cacheDir);

  /** Loads an archive from {@code length} bytes of an array starting at {@code offset}. */
  static native long modelLoadArray(
      byte[] data,
      int offset,
      int length,
      int numThreads,
      int jitMode,
      int device,
      String variant,
      String cacheDir);

  /** Loads an archive from a direct buffer's bytes {@code [offset, offset + length)}. */
  static native long modelLoadDirect(
      ByteBuffer data,
      long offset,
      long length,
      int numThreads,
      int jitMode,
      int device,
      String variant,
      String cacheDir);

  static native void modelRelease(long model);

  static native int modelInputCount(long model);

  static native int modelOutputCount(long model);

  /**
   * Describes input or output {@code index} as {name (String), dtype code (Integer), dims (long[]),
   * symbols (String[])}.
   */
  static native Object[] modelTensorInfo(long model, boolean output, int index);

  /** Returns {variant name, reason it was chosen}. */
  static native String[] modelVariant(long model);

  /**
   * Runs the model on input handles in model order and returns new output tensor handles in model
   * order, which the caller owns.
   */
  static native long[] modelRun(long model, long[] inputs);

  /** Creates a tensor owning zero-filled memory. */
  static native long tensorCreate(int dtype, long[] dims);

  /**
   * Creates a tensor owning a copy of a primitive array whose elements have {@code elementBytes}
   * bytes each; the array's byte length must equal the tensor's byte size.
   */
  static native long tensorCreateFrom(int dtype, long[] dims, Object values, int elementBytes);

  /** Wraps {@code size} bytes of a direct buffer starting at {@code offset} without copying. */
  static native long tensorWrap(int dtype, long[] dims, ByteBuffer data, long offset, long size);

  static native void tensorRelease(long tensor);

  /** Returns {dtype code, rank, dims...}. */
  static native long[] tensorDescribe(long tensor);

  /**
   * Returns a direct buffer over the tensor's memory, valid until the tensor is released, or null
   * for an empty tensor.
   */
  static native ByteBuffer tensorData(long tensor);
}
