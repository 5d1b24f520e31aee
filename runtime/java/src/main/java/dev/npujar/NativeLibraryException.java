package dev.npujar;

/**
 * Thrown when the JNI library {@code npujar_jni} cannot be loaded: no library for this platform, an
 * extraction directory that is not writable or mounted {@code noexec}, a checksum mismatch, a C
 * library (glibc) older than the one the library was built for, or a second class loader loading
 * npujar. The message names the cause and the system property that fixes it; see {@link
 * Npujar#loadNativeLibrary()} for the search order.
 *
 * <p>This is a Java-side error with no C API counterpart ({@link ErrorCode#NATIVE_LIBRARY}).
 */
public class NativeLibraryException extends NpujarException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message the cause and what to do
   */
  public NativeLibraryException(String message) {
    super(ErrorCode.NATIVE_LIBRARY, message);
  }

  /**
   * Creates the exception with the underlying error.
   *
   * @param message the cause and what to do
   * @param cause the error from the JVM or file system
   */
  public NativeLibraryException(String message, Throwable cause) {
    super(ErrorCode.NATIVE_LIBRARY, message, cause);
  }
}
