package dev.npujar;

/**
 * Library-wide functions: versions and loading of the native library.
 *
 * <p>Loading happens on first use of {@link Model} or {@link Tensor}; call {@link
 * #loadNativeLibrary()} at start-up to fail early instead. All methods are thread-safe.
 */
public final class Npujar {
  private Npujar() {}

  /**
   * Loads the JNI library {@code npujar_jni} if this class loader has not yet. The first step that
   * applies wins:
   *
   * <ol>
   *   <li>{@code -Dnpujar.native.skip=true}: the application has already loaded the library with
   *       {@link System#load} from a class of npujar's class loader; nothing is loaded.
   *   <li>{@code -Dnpujar.native.path=/path/to/libnpujar_jni.so}: that file is loaded.
   *   <li>The JAR's resource {@code dev/npujar/native/<os>-<arch>/libnpujar_jni.so} (for example
   *       {@code linux-x86_64}, {@code linux-aarch64}, {@code osx-aarch64}, {@code windows-x86_64},
   *       with the platform's file name) is extracted to {@code <cacheDir>/<version>-<sha256
   *       prefix>/} and loaded. {@code cacheDir} is {@code -Dnpujar.native.cacheDir}, by default
   *       {@code ~/.cache/npujar/native}. The copy is verified against the SHA-256 stored beside
   *       the resource, written under a temporary name and renamed into place atomically, and
   *       reused by later runs and other JVMs.
   *   <li>{@link System#loadLibrary} searches {@code java.library.path}.
   * </ol>
   *
   * <p>A JVM binds a native library to one class loader: if two sibling class loaders each hold the
   * npujar JAR, the second one fails with a message saying to load npujar from a common parent
   * class loader.
   *
   * @throws NativeLibraryException if the library cannot be loaded; the message names the cause (no
   *     library for this platform, an unwritable or {@code noexec} cache directory, a C library
   *     older than the one the library needs, another class loader) and the property to set
   */
  public static void loadNativeLibrary() {
    NativeLoader.ensureLoaded();
  }

  /**
   * Describes where the native library was loaded from, for diagnostics.
   *
   * @return e.g. {@code extracted from the JAR to
   *     /home/me/.cache/npujar/native/0.1.0-.../libnpujar_jni.so}
   * @throws NativeLibraryException if the library cannot be loaded
   */
  public static String nativeLibrarySource() {
    return NativeLoader.loadedFrom();
  }

  /**
   * Returns the version of the native runtime, {@code MAJOR.MINOR.PATCH}.
   *
   * @return the runtime version
   * @throws NativeLibraryException if the library cannot be loaded
   */
  public static String runtimeVersion() {
    NativeLoader.ensureLoaded();
    return NativeApi.runtimeVersion();
  }

  /**
   * Returns the version of this Java API, the Maven artifact's version.
   *
   * @return the npujar-runtime version
   */
  public static String version() {
    return NativeLoader.version();
  }
}
