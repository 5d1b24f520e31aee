package dev.npujar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * Checks the JAR that Maven packaged: its bundled library and checksum, and what happens when two
 * sibling class loaders each load npujar from it. This class must not touch dev.npujar classes
 * through its own class loader, or the library would already be bound to that loader.
 */
class PackagedJarIT {
  private static final String LIBRARY = "dev/npujar/native/linux-x86_64/libnpujar_jni.so";

  private static Path jar() {
    Path jar = Paths.get(System.getProperty("npujar.test.jar"));
    assertTrue(Files.isRegularFile(jar), jar + " is missing; run the package phase first");
    return jar;
  }

  private static String invokeRuntimeVersion(ClassLoader loader) throws Exception {
    Class<?> npujar = Class.forName("dev.npujar.Npujar", true, loader);
    return (String) npujar.getMethod("runtimeVersion").invoke(null);
  }

  @Test
  void jarBundlesLibraryWithMatchingChecksum() throws Exception {
    try (JarFile file = new JarFile(jar().toFile())) {
      JarEntry library = file.getJarEntry(LIBRARY);
      JarEntry checksum = file.getJarEntry(LIBRARY + ".sha256");
      assertNotNull(library, LIBRARY + " is not in the JAR");
      assertNotNull(checksum, LIBRARY + ".sha256 is not in the JAR");

      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      try (InputStream input = file.getInputStream(library)) {
        digest.update(input.readAllBytes());
      }
      StringBuilder actual = new StringBuilder();
      for (byte value : digest.digest()) {
        actual.append(String.format("%02x", value & 0xff));
      }
      String expected;
      try (InputStream input = file.getInputStream(checksum)) {
        expected =
            new String(input.readAllBytes(), StandardCharsets.US_ASCII).trim().split("\\s+")[0];
      }
      assertEquals(expected, actual.toString());
    }
  }

  @Test
  void siblingClassLoadersGetAnExplainedError() throws Exception {
    URL[] urls = {jar().toUri().toURL()};
    ClassLoader platform = ClassLoader.getPlatformClassLoader();
    try (URLClassLoader first = new URLClassLoader("npujar-first", urls, platform);
        URLClassLoader second = new URLClassLoader("npujar-second", urls, platform)) {
      String version = invokeRuntimeVersion(first);
      assertTrue(version.matches("\\d+\\.\\d+\\.\\d+.*"), version);

      InvocationTargetException failure = null;
      try {
        invokeRuntimeVersion(second);
      } catch (InvocationTargetException expected) {
        failure = expected;
      }
      assertNotNull(failure, "the second class loader loaded the library a second time");
      Throwable cause = failure.getCause();
      assertEquals("dev.npujar.NativeLibraryException", cause.getClass().getName());
      assertTrue(cause.getMessage().contains("another class loader"), cause.getMessage());
      assertTrue(cause.getMessage().contains("common parent class loader"), cause.getMessage());

      // The first class loader keeps working.
      assertEquals(version, invokeRuntimeVersion(first));
    }
  }
}
