package dev.npujar;

import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.Reference;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A loaded {@code .npujar} archive, ready to run.
 *
 * <pre>{@code
 * try (Model model = Model.fromResource("models/resnet18.npujar");
 *     Tensor image = Tensor.of(pixels, 1, 3, 224, 224);
 *     Outputs outputs = model.run(Map.of("x", image))) {
 *   System.out.println(model.inputs() + " ran as " + model.variant());
 *   float[] logits = outputs.get(0).toFloatArray();
 * }
 * }</pre>
 *
 * <p><b>Loading.</b> {@code load}/{@code fromResource} read the archive, pick the variant that
 * suits this host (or JIT-compile one, see {@link Options}) and load its weights; this can take
 * from milliseconds to seconds, so load once and reuse the model. The native library is loaded on
 * first use, see {@link Npujar#loadNativeLibrary()}.
 *
 * <p><b>Lifetime.</b> A model owns native memory until {@link #close()}; close it with
 * try-with-resources or when the application shuts down. {@code close()} is idempotent. Other
 * methods called afterwards, except {@code isClosed()} and {@code toString()}, throw {@link
 * IllegalStateException} naming the call, e.g. "Model.run called after close()". Closing while
 * other threads run the model is safe: the memory is freed when the last run returns. An
 * unreachable unclosed model is released by a {@link java.lang.ref.Cleaner}, with a warning on the
 * {@code dev.npujar} {@link System.Logger}.
 *
 * <p><b>Threads.</b> Thread-safe: any number of threads may call {@link #run} on one model at once,
 * and the descriptors and {@link #variant()} never change.
 */
public final class Model implements AutoCloseable {
  private final NativeResource resource;
  private final String source;
  private final List<TensorInfo> inputs;
  private final List<TensorInfo> outputs;
  private final VariantInfo variant;

  private Model(
      long handle,
      String source,
      List<TensorInfo> inputs,
      List<TensorInfo> outputs,
      VariantInfo variant) {
    this.source = source;
    this.inputs = inputs;
    this.outputs = outputs;
    this.variant = variant;
    this.resource =
        new NativeResource(this, handle, NativeApi::modelRelease, () -> "Model " + source, null);
  }

  /**
   * Loads an archive file with default options.
   *
   * @param archive path to a {@code .npujar} file
   * @return the model; the caller must close it
   * @throws IllegalArgumentException if {@code archive} is null
   * @throws NpujarIOException if the file does not exist or cannot be read
   * @throws InvalidArchiveException if it is not a valid archive
   * @throws NoUsableVariantException if nothing in the archive runs on this host
   * @throws CompileException if JIT compilation fails
   * @throws NativeLibraryException if the native library cannot be loaded
   */
  public static Model load(Path archive) {
    return load(archive, Options.defaults());
  }

  /**
   * Loads an archive file. A file on the default file system is memory-mapped. A path on another
   * file system, such as a ZIP file system, is read into memory first.
   *
   * @param archive path to a {@code .npujar} file
   * @param options how to choose and set up the variant
   * @return the model; the caller must close it
   * @throws IllegalArgumentException if an argument is null
   * @throws NpujarIOException if the file does not exist or cannot be read
   * @throws InvalidArchiveException if it is not a valid archive
   * @throws NoUsableVariantException if nothing in the archive runs on this host
   * @throws CompileException if JIT compilation fails
   * @throws NativeLibraryException if the native library cannot be loaded
   */
  public static Model load(Path archive, Options options) {
    Arguments.requireNonNull(archive, "archive");
    Arguments.requireNonNull(options, "options");
    if (archive.getFileSystem() != FileSystems.getDefault()) {
      return load(readAll(archive), options, archive.toUri().toString());
    }
    NativeLoader.ensureLoaded();
    String path = archive.toAbsolutePath().toString();
    long handle =
        NativeApi.modelLoadFile(
            path,
            options.threads,
            options.jitMode.nativeCode(),
            options.device.nativeCode(),
            options.variant,
            options.jitCacheDirString());
    return create(handle, "'" + path + "'");
  }

  /**
   * Loads an archive from bytes with default options.
   *
   * @param archive the archive's bytes; copied, so the array may be reused afterwards
   * @return the model; the caller must close it
   * @throws IllegalArgumentException if {@code archive} is null
   * @throws InvalidArchiveException if the bytes are not a valid archive
   * @throws NoUsableVariantException if nothing in the archive runs on this host
   * @throws CompileException if JIT compilation fails
   * @throws NativeLibraryException if the native library cannot be loaded
   */
  public static Model load(byte[] archive) {
    return load(archive, Options.defaults());
  }

  /**
   * Loads an archive from bytes.
   *
   * @param archive the archive's bytes; copied, so the array may be reused afterwards
   * @param options how to choose and set up the variant
   * @return the model; the caller must close it
   * @throws IllegalArgumentException if an argument is null
   * @throws InvalidArchiveException if the bytes are not a valid archive
   * @throws NoUsableVariantException if nothing in the archive runs on this host
   * @throws CompileException if JIT compilation fails
   * @throws NativeLibraryException if the native library cannot be loaded
   */
  public static Model load(byte[] archive, Options options) {
    Arguments.requireNonNull(archive, "archive");
    Arguments.requireNonNull(options, "options");
    return load(archive, options, "from a byte[] of " + archive.length + " bytes");
  }

  /**
   * Loads an archive from a buffer's remaining bytes with default options.
   *
   * @param archive heap or direct buffer; its position is not changed, and the bytes are copied
   * @return the model; the caller must close it
   * @throws IllegalArgumentException if {@code archive} is null
   * @throws InvalidArchiveException if the bytes are not a valid archive
   * @throws NoUsableVariantException if nothing in the archive runs on this host
   * @throws CompileException if JIT compilation fails
   * @throws NativeLibraryException if the native library cannot be loaded
   */
  public static Model load(ByteBuffer archive) {
    return load(archive, Options.defaults());
  }

  /**
   * Loads an archive from a buffer's remaining bytes, for example a memory-mapped region.
   *
   * @param archive heap or direct buffer; its position is not changed, and the bytes are copied
   * @param options how to choose and set up the variant
   * @return the model; the caller must close it
   * @throws IllegalArgumentException if an argument is null
   * @throws InvalidArchiveException if the bytes are not a valid archive
   * @throws NoUsableVariantException if nothing in the archive runs on this host
   * @throws CompileException if JIT compilation fails
   * @throws NativeLibraryException if the native library cannot be loaded
   */
  public static Model load(ByteBuffer archive, Options options) {
    Arguments.requireNonNull(archive, "archive");
    Arguments.requireNonNull(options, "options");
    String source = "from a ByteBuffer of " + archive.remaining() + " bytes";
    if (!archive.isDirect()) {
      if (archive.hasArray()) {
        return loadArray(
            archive.array(),
            archive.arrayOffset() + archive.position(),
            archive.remaining(),
            options,
            source);
      }
      byte[] copy = new byte[archive.remaining()];
      archive.duplicate().get(copy);
      return load(copy, options, source);
    }
    NativeLoader.ensureLoaded();
    long handle;
    try {
      handle =
          NativeApi.modelLoadDirect(
              archive,
              archive.position(),
              archive.remaining(),
              options.threads,
              options.jitMode.nativeCode(),
              options.device.nativeCode(),
              options.variant,
              options.jitCacheDirString());
    } finally {
      Reference.reachabilityFence(archive);
    }
    return create(handle, source);
  }

  /**
   * Loads an archive from the class path with default options, using the current thread's context
   * class loader (or npujar's own when there is none).
   *
   * @param name resource name such as {@code models/resnet18.npujar}; a leading {@code /} is
   *     ignored
   * @return the model; the caller must close it
   * @throws IllegalArgumentException if {@code name} is null
   * @throws NpujarIOException if no such resource exists or it cannot be read
   * @throws InvalidArchiveException if it is not a valid archive
   * @throws NoUsableVariantException if nothing in the archive runs on this host
   * @throws NativeLibraryException if the native library cannot be loaded
   */
  public static Model fromResource(String name) {
    return fromResource(defaultClassLoader(), name, Options.defaults());
  }

  /**
   * Loads an archive from the class path, using the current thread's context class loader (or
   * npujar's own when there is none).
   *
   * @param name resource name such as {@code models/resnet18.npujar}; a leading {@code /} is
   *     ignored
   * @param options how to choose and set up the variant
   * @return the model; the caller must close it
   * @throws IllegalArgumentException if an argument is null
   * @throws NpujarIOException if no such resource exists or it cannot be read
   * @throws InvalidArchiveException if it is not a valid archive
   * @throws NoUsableVariantException if nothing in the archive runs on this host
   * @throws NativeLibraryException if the native library cannot be loaded
   */
  public static Model fromResource(String name, Options options) {
    return fromResource(defaultClassLoader(), name, options);
  }

  /**
   * Loads an archive from the class path of {@code classLoader}. A resource that is a plain file
   * (an exploded class path directory) is memory-mapped; one inside a JAR is read into memory.
   *
   * @param classLoader the class loader that finds the resource
   * @param name resource name such as {@code models/resnet18.npujar}; a leading {@code /} is
   *     ignored
   * @param options how to choose and set up the variant
   * @return the model; the caller must close it
   * @throws IllegalArgumentException if an argument is null
   * @throws NpujarIOException if no such resource exists or it cannot be read
   * @throws InvalidArchiveException if it is not a valid archive
   * @throws NoUsableVariantException if nothing in the archive runs on this host
   * @throws NativeLibraryException if the native library cannot be loaded
   */
  public static Model fromResource(ClassLoader classLoader, String name, Options options) {
    Arguments.requireNonNull(classLoader, "classLoader");
    Arguments.requireNonNull(name, "name");
    Arguments.requireNonNull(options, "options");
    String resourceName = name.startsWith("/") ? name.substring(1) : name;
    URL url = classLoader.getResource(resourceName);
    if (url == null) {
      throw new NpujarIOException(
          "class path resource '"
              + resourceName
              + "' not found by "
              + classLoader
              + "; check that the archive is packaged under that name (e.g. src/main/resources/"
              + resourceName
              + ")");
    }
    if ("file".equals(url.getProtocol())) {
      try {
        return load(Paths.get(url.toURI()), options);
      } catch (URISyntaxException | IllegalArgumentException unusualUrl) {
        // Falls through to reading the stream.
      }
    }
    byte[] bytes;
    try (InputStream input = url.openStream()) {
      bytes = input.readAllBytes();
    } catch (IOException error) {
      throw new NpujarIOException(
          "cannot read class path resource '" + resourceName + "' (" + url + "): " + error);
    }
    return load(bytes, options, "'" + resourceName + "' from the class path");
  }

  private static Model load(byte[] archive, Options options, String source) {
    return loadArray(archive, 0, archive.length, options, source);
  }

  private static Model loadArray(
      byte[] archive, int offset, int length, Options options, String source) {
    NativeLoader.ensureLoaded();
    long handle =
        NativeApi.modelLoadArray(
            archive,
            offset,
            length,
            options.threads,
            options.jitMode.nativeCode(),
            options.device.nativeCode(),
            options.variant,
            options.jitCacheDirString());
    return create(handle, source);
  }

  /** Reads the descriptors, then hands the handle to a Model; frees the handle if reading fails. */
  private static Model create(long handle, String source) {
    List<TensorInfo> inputs;
    List<TensorInfo> outputs;
    VariantInfo variant;
    try {
      inputs = readInfos(handle, false);
      outputs = readInfos(handle, true);
      String[] chosen = NativeApi.modelVariant(handle);
      variant = new VariantInfo(chosen[0], chosen[1]);
    } catch (RuntimeException | Error failure) {
      NativeApi.modelRelease(handle);
      throw failure;
    }
    return new Model(handle, source, inputs, outputs, variant);
  }

  private static byte[] readAll(Path archive) {
    try {
      return Files.readAllBytes(archive);
    } catch (IOException error) {
      throw new NpujarIOException("cannot read archive " + archive.toUri() + ": " + error);
    }
  }

  private static ClassLoader defaultClassLoader() {
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    return context != null ? context : Model.class.getClassLoader();
  }

  private static List<TensorInfo> readInfos(long handle, boolean output) {
    int count = output ? NativeApi.modelOutputCount(handle) : NativeApi.modelInputCount(handle);
    List<TensorInfo> infos = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      Object[] fields = NativeApi.modelTensorInfo(handle, output, i);
      String[] symbols = (String[]) fields[3];
      infos.add(
          new TensorInfo(
              (String) fields[0],
              DType.fromNative((Integer) fields[1]),
              (long[]) fields[2],
              Arrays.asList(symbols)));
    }
    return Collections.unmodifiableList(infos);
  }

  /**
   * Returns the descriptors of the model's inputs, in the order {@link #run(Tensor...)} takes them.
   *
   * @return an unmodifiable list
   * @throws IllegalStateException if the model is closed
   */
  public List<TensorInfo> inputs() {
    resource.checkOpen("Model.inputs");
    return inputs;
  }

  /**
   * Returns the descriptors of the model's outputs, in the order {@link Outputs#get(int)} uses.
   *
   * @return an unmodifiable list
   * @throws IllegalStateException if the model is closed
   */
  public List<TensorInfo> outputs() {
    resource.checkOpen("Model.outputs");
    return outputs;
  }

  /**
   * Returns the variant the runtime chose for this host and the reason.
   *
   * @return the chosen variant
   * @throws IllegalStateException if the model is closed
   */
  public VariantInfo variant() {
    resource.checkOpen("Model.variant");
    return variant;
  }

  /**
   * Runs the model on named inputs.
   *
   * @param inputs one tensor per model input, keyed by the names {@link #inputs()} lists
   * @return the outputs; the caller must close them
   * @throws IllegalArgumentException if {@code inputs} is null, lacks an input, has a name the
   *     model does not know, or maps a name to null
   * @throws IllegalStateException if the model or an input tensor is closed
   * @throws ShapeMismatchException if an input's shape does not fit the model's
   * @throws DtypeMismatchException if an input's dtype differs from the model's
   * @throws ModelExecutionException if the model fails while running
   */
  public Outputs run(Map<String, Tensor> inputs) {
    resource.checkOpen("Model.run");
    Arguments.requireNonNull(inputs, "inputs");
    Tensor[] ordered = new Tensor[this.inputs.size()];
    for (int i = 0; i < ordered.length; i++) {
      String name = this.inputs.get(i).name();
      ordered[i] = inputs.get(name);
      if (ordered[i] == null) {
        throw new IllegalArgumentException(
            "Model.run: no tensor for input '"
                + name
                + "'; the model's inputs are "
                + this.inputs
                + " and the map has "
                + inputs.keySet());
      }
    }
    if (inputs.size() != ordered.length) {
      for (String name : inputs.keySet()) {
        if (!hasInput(name)) {
          throw new IllegalArgumentException(
              "Model.run: the model has no input named '"
                  + name
                  + "'; its inputs are "
                  + this.inputs);
        }
      }
    }
    return runOrdered(ordered);
  }

  /**
   * Runs the model on inputs given in model order.
   *
   * @param inputs one tensor per model input, in the order {@link #inputs()} lists them
   * @return the outputs; the caller must close them
   * @throws IllegalArgumentException if {@code inputs} is null, has the wrong count or contains
   *     null
   * @throws IllegalStateException if the model or an input tensor is closed
   * @throws ShapeMismatchException if an input's shape does not fit the model's
   * @throws DtypeMismatchException if an input's dtype differs from the model's
   * @throws ModelExecutionException if the model fails while running
   */
  public Outputs run(Tensor... inputs) {
    resource.checkOpen("Model.run");
    Arguments.requireNonNull(inputs, "inputs");
    if (inputs.length != this.inputs.size()) {
      throw new IllegalArgumentException(
          "Model.run: got "
              + inputs.length
              + " tensors but the model has "
              + this.inputs.size()
              + " inputs "
              + this.inputs);
    }
    for (int i = 0; i < inputs.length; i++) {
      if (inputs[i] == null) {
        throw new IllegalArgumentException(
            "Model.run: tensor for input '" + this.inputs.get(i).name() + "' is null");
      }
    }
    return runOrdered(inputs.clone());
  }

  private boolean hasInput(String name) {
    for (TensorInfo info : inputs) {
      if (info.name().equals(name)) {
        return true;
      }
    }
    return false;
  }

  private Outputs runOrdered(Tensor[] ordered) {
    resource.acquire("Model.run");
    int acquired = 0;
    try {
      long[] handles = new long[ordered.length];
      for (; acquired < ordered.length; acquired++) {
        Tensor tensor = ordered[acquired];
        if (!tensor.tryAcquire()) {
          throw new IllegalStateException(
              "Model.run called with a closed tensor for input '"
                  + inputs.get(acquired).name()
                  + "'");
        }
        handles[acquired] = tensor.handle();
      }
      checkInputs(ordered);
      long[] results = NativeApi.modelRun(resource.handle(), handles);
      return adoptOutputs(results);
    } finally {
      for (int i = 0; i < acquired; i++) {
        ordered[i].release();
      }
      resource.release();
      Reference.reachabilityFence(this);
      Reference.reachabilityFence(ordered);
    }
  }

  private void checkInputs(Tensor[] ordered) {
    for (int i = 0; i < ordered.length; i++) {
      TensorInfo expected = inputs.get(i);
      Tensor actual = ordered[i];
      if (actual.dtype() != expected.dtype()) {
        throw new DtypeMismatchException(expected.name(), expected.dtype(), actual.dtype());
      }
      if (!expected.accepts(actual.shape())) {
        throw new ShapeMismatchException(expected, actual.shape());
      }
    }
  }

  private Outputs adoptOutputs(long[] results) {
    Tensor[] tensors = new Tensor[results.length];
    int adopted = 0;
    try {
      for (; adopted < results.length; adopted++) {
        tensors[adopted] = Tensor.adopt(results[adopted], "output of Model " + source);
      }
      return new Outputs(outputs, tensors);
    } finally {
      if (adopted < results.length) {
        for (int i = 0; i < adopted; i++) {
          tensors[i].close();
        }
        // Tensor.adopt frees the handle it failed on.
        for (int i = adopted + 1; i < results.length; i++) {
          NativeApi.tensorRelease(results[i]);
        }
      }
    }
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
   * Frees the model's native memory, or marks it to be freed when the runs in progress finish.
   * Calling it again has no effect. Outputs already returned stay valid.
   */
  @Override
  public void close() {
    resource.close();
  }

  /**
   * Describes the model: source, inputs, outputs and variant.
   *
   * @return the description
   */
  @Override
  public String toString() {
    return "Model "
        + source
        + " "
        + inputs
        + " -> "
        + outputs
        + " on "
        + variant.name()
        + (isClosed() ? " (closed)" : "");
  }

  /**
   * Load settings of a model: threads, device, JIT policy, a forced variant and the JIT cache.
   * Build them with {@link #builder()}. Instances are immutable and thread-safe.
   *
   * <pre>{@code
   * Model.Options options = Model.Options.builder()
   *     .threads(2)
   *     .device(Device.CPU)
   *     .jitMode(JitMode.FORBID)
   *     .build();
   * }</pre>
   */
  public static final class Options {
    private static final Options DEFAULTS = builder().build();

    private final int threads;
    private final Device device;
    private final JitMode jitMode;
    private final String variant;
    private final Path jitCacheDir;

    private Options(Builder builder) {
      this.threads = builder.threads;
      this.device = builder.device;
      this.jitMode = builder.jitMode;
      this.variant = builder.variant;
      this.jitCacheDir = builder.jitCacheDir;
    }

    /**
     * Returns the default options: as many threads as physical cores, {@link Device#AUTO}, {@link
     * JitMode#AUTO}, no forced variant and the runtime's default JIT cache.
     *
     * @return the defaults
     */
    public static Options defaults() {
      return DEFAULTS;
    }

    /**
     * Starts building options from the defaults.
     *
     * @return a new builder
     */
    public static Builder builder() {
      return new Builder();
    }

    /**
     * Returns the number of threads one run may use; 0 means one per physical core.
     *
     * @return the thread count
     */
    public int threads() {
      return threads;
    }

    /**
     * Returns the device preference.
     *
     * @return the device
     */
    public Device device() {
      return device;
    }

    /**
     * Returns whether JIT compilation is allowed, forbidden or forced.
     *
     * @return the JIT mode
     */
    public JitMode jitMode() {
      return jitMode;
    }

    /**
     * Returns the name of the variant to force, or null to let the runtime choose.
     *
     * @return the variant name or null
     */
    public String variant() {
      return variant;
    }

    /**
     * Returns the directory for JIT results, or null for the runtime's default ({@code
     * $NPUJAR_CACHE_DIR}, else {@code $XDG_CACHE_HOME/npujar}, else {@code ~/.cache/npujar}).
     *
     * @return the directory or null
     */
    public Path jitCacheDir() {
      return jitCacheDir;
    }

    String jitCacheDirString() {
      return jitCacheDir == null ? null : jitCacheDir.toAbsolutePath().toString();
    }

    /**
     * Describes the options.
     *
     * @return the description
     */
    @Override
    public String toString() {
      return "Options[threads="
          + threads
          + ", device="
          + device
          + ", jitMode="
          + jitMode
          + ", variant="
          + variant
          + ", jitCacheDir="
          + jitCacheDir
          + "]";
    }

    /** Builds {@link Options}; not thread-safe. */
    public static final class Builder {
      private int threads;
      private Device device = Device.AUTO;
      private JitMode jitMode = JitMode.AUTO;
      private String variant;
      private Path jitCacheDir;

      private Builder() {}

      /**
       * Sets the number of threads one run may use.
       *
       * @param threads 1 or more, or 0 for one per physical core (the default)
       * @return this builder
       * @throws IllegalArgumentException if {@code threads} is negative
       */
      public Builder threads(int threads) {
        if (threads < 0) {
          throw new IllegalArgumentException(
              "threads must be 0 (one per physical core) or more, got " + threads);
        }
        this.threads = threads;
        return this;
      }

      /**
       * Sets the device preference; {@link Device#AUTO} (the default) tries NPU, GPU, then CPU.
       *
       * @param device the device
       * @return this builder
       * @throws IllegalArgumentException if {@code device} is null
       */
      public Builder device(Device device) {
        Arguments.requireNonNull(device, "device");
        this.device = device;
        return this;
      }

      /**
       * Sets whether the runtime may JIT-compile the archive's bitcode; {@link JitMode#AUTO} by
       * default.
       *
       * @param jitMode the JIT mode
       * @return this builder
       * @throws IllegalArgumentException if {@code jitMode} is null
       */
      public Builder jitMode(JitMode jitMode) {
        Arguments.requireNonNull(jitMode, "jitMode");
        this.jitMode = jitMode;
        return this;
      }

      /**
       * Forces the variant with this name, e.g. {@code cpu-x86-64-v2}. Loading fails with {@link
       * InvalidArgumentException} if the archive has no variant of that name, and with {@link
       * NoUsableVariantException} if that variant cannot run on this host.
       *
       * @param variant the variant name, or null to let the runtime choose (the default)
       * @return this builder
       * @throws IllegalArgumentException if {@code variant} is empty
       */
      public Builder variant(String variant) {
        if (variant != null && variant.isEmpty()) {
          throw new IllegalArgumentException("variant must be a variant name or null, got \"\"");
        }
        this.variant = variant;
        return this;
      }

      /**
       * Sets the directory where JIT-compiled code is cached between runs.
       *
       * @param jitCacheDir the directory, or null for the runtime's default
       * @return this builder
       */
      public Builder jitCacheDir(Path jitCacheDir) {
        this.jitCacheDir = jitCacheDir;
        return this;
      }

      /**
       * Creates the options.
       *
       * @return immutable options
       */
      public Options build() {
        return new Options(this);
      }
    }
  }
}
