package dev.npujar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;

class NativeLoaderTest {
  private final Path library = Paths.get("/cache/0.1.0-abc/libnpujar_jni.so");

  private static void assertContains(String text, String... parts) {
    for (String part : parts) {
      assertTrue(text.contains(part), "expected '" + part + "' in: " + text);
    }
  }

  @Test
  void noexecDirectoryNamesCacheDirProperty() {
    // glibc's text when mmap with PROT_EXEC fails on a noexec mount.
    UnsatisfiedLinkError error =
        new UnsatisfiedLinkError(
            library + ": " + library + ": failed to map segment from shared object");
    NativeLibraryException explained =
        NativeLoader.explainLoadFailure(error, library, "extracted from the JAR");
    assertContains(
        explained.getMessage(), "noexec", "-Dnpujar.native.cacheDir", library.toString());
  }

  @Test
  void oldGlibcNamesTheRequiredVersion() {
    UnsatisfiedLinkError error =
        new UnsatisfiedLinkError(
            library
                + ": /lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.34' not found (required by "
                + library
                + ")");
    NativeLibraryException explained =
        NativeLoader.explainLoadFailure(error, library, "extracted from the JAR");
    assertContains(
        explained.getMessage(),
        "GLIBC_2.34",
        "newer than this system's glibc",
        "-Dnpujar.native.path");
  }

  @Test
  void wrongArchitectureNamesThePlatform() {
    UnsatisfiedLinkError error =
        new UnsatisfiedLinkError(library + ": " + library + ": wrong ELF class: ELFCLASS32");
    NativeLibraryException explained =
        NativeLoader.explainLoadFailure(error, library, "set by npujar.native.path");
    assertContains(explained.getMessage(), Platform.current(), "-Dnpujar.native.path");
  }

  @Test
  void secondClassLoaderExplainsTheFix() {
    UnsatisfiedLinkError error =
        new UnsatisfiedLinkError(
            "Native Library " + library + " already loaded in another classloader");
    NativeLibraryException explained =
        NativeLoader.explainLoadFailure(error, library, "extracted from the JAR");
    assertContains(explained.getMessage(), "single class loader", "common parent class loader");
    assertEquals(ErrorCode.NATIVE_LIBRARY, explained.code());
  }

  @Test
  void platformNamesFollowTheJarLayout() {
    assertEquals("linux-x86_64", Platform.of("Linux", "amd64"));
    assertEquals("linux-aarch64", Platform.of("Linux", "aarch64"));
    assertEquals("osx-aarch64", Platform.of("Mac OS X", "aarch64"));
    assertEquals("osx-x86_64", Platform.of("Mac OS X", "x86_64"));
    assertEquals("windows-x86_64", Platform.of("Windows 11", "amd64"));
    assertEquals("freebsd-riscv64", Platform.of("FreeBSD", "riscv64"));
  }

  @Test
  void bundledLibraryIsLoadedFromTheCache() {
    Npujar.loadNativeLibrary();
    String source = Npujar.nativeLibrarySource();
    assertContains(source, "extracted from the JAR", NativeLoader.cacheRoot().toString());
    assertEquals(Npujar.version(), Npujar.runtimeVersion());
  }
}
