package dev.npujar;

/**
 * Entry point of the child JVMs that {@link FreshJvmLoaderTest} starts: loads the native library as
 * an application would and prints either {@code loaded: <source>} or {@code failed: <exception
 * class>: <message>}.
 */
public final class LoaderProbe {
  private LoaderProbe() {}

  public static void main(String[] args) {
    try {
      Npujar.loadNativeLibrary();
      System.out.println("loaded: " + Npujar.nativeLibrarySource());
    } catch (NpujarException error) {
      System.out.println("failed: " + error.getClass().getName() + ": " + error.getMessage());
    }
  }
}
