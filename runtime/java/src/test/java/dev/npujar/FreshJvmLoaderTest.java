package dev.npujar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loads the bundled library in new JVMs, each starting with an empty or shared cache directory, the
 * way separate applications on one machine do.
 */
class FreshJvmLoaderTest {
  @TempDir Path cache;

  private static String classPath() throws URISyntaxException {
    Path mainClasses =
        Paths.get(Npujar.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Path testClasses =
        Paths.get(LoaderProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    return mainClasses + java.io.File.pathSeparator + testClasses;
  }

  private static Process start(String... properties) throws IOException, URISyntaxException {
    List<String> command = new ArrayList<>();
    command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(classPath());
    for (String property : properties) {
      command.add("-D" + property);
    }
    command.add(LoaderProbe.class.getName());
    return new ProcessBuilder(command).redirectErrorStream(true).start();
  }

  private static String output(Process process) throws IOException, InterruptedException {
    String text =
        new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish");
    assertEquals(0, process.exitValue(), text);
    return text;
  }

  private static List<Path> filesUnder(Path root) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(Files::isRegularFile).collect(Collectors.toList());
    }
  }

  @Test
  void secondJvmReusesTheExtractedLibrary() throws Exception {
    String first = output(start("npujar.native.cacheDir=" + cache));
    assertTrue(first.startsWith("loaded: extracted from the JAR to " + cache), first);
    List<Path> files = filesUnder(cache);
    assertEquals(1, files.size(), files.toString());
    Path library = files.get(0);
    FileTime extractedAt = FileTime.fromMillis(1_000_000_000_000L);
    Files.setLastModifiedTime(library, extractedAt);

    String second = output(start("npujar.native.cacheDir=" + cache));

    assertTrue(second.startsWith("loaded: extracted from the JAR to " + library), second);
    assertEquals(extractedAt, Files.getLastModifiedTime(library), "the library was written again");
  }

  @Test
  void concurrentJvmsShareOneCopy() throws Exception {
    List<Process> processes = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      processes.add(start("npujar.native.cacheDir=" + cache));
    }
    for (Process process : processes) {
      String text = output(process);
      assertTrue(text.startsWith("loaded: "), text);
    }
    List<Path> files = filesUnder(cache);
    assertEquals(1, files.size(), "expected one library and no temporary files: " + files);
  }

  @Test
  void unwritableCacheDirectoryNamesTheProperty() throws Exception {
    Path plainFile = Files.write(cache.resolve("not-a-directory"), new byte[] {0});

    String text = output(start("npujar.native.cacheDir=" + plainFile.resolve("native")));

    assertTrue(text.startsWith("failed: dev.npujar.NativeLibraryException: cannot extract"), text);
    assertTrue(text.contains("-Dnpujar.native.cacheDir"), text);
  }

  @Test
  void missingExplicitPathIsReported() throws Exception {
    Path missing = cache.resolve("libnpujar_jni.so");

    String text = output(start("npujar.native.path=" + missing));

    assertTrue(text.startsWith("failed: dev.npujar.NativeLibraryException"), text);
    assertTrue(text.contains(missing.toString()), text);
  }

  @Test
  void skipWithoutLoadingExplainsTheProperty() throws Exception {
    String text = output(start("npujar.native.skip=true"));

    assertTrue(text.startsWith("failed: dev.npujar.NativeLibraryException"), text);
    assertTrue(text.contains("npujar.native.skip"), text);
  }

  /**
   * Needs a writable directory on a file system mounted noexec, passed as {@code
   * -Dnpujar.test.noexecDir}; scripts/test.sh mounts a small tmpfs for it when it runs as root.
   */
  @Test
  void noexecCacheDirectoryIsExplained() throws Exception {
    String noexec = System.getProperty("npujar.test.noexecDir", "");
    Assumptions.assumeFalse(noexec.isEmpty(), "-Dnpujar.test.noexecDir is not set");

    String text = output(start("npujar.native.cacheDir=" + noexec));

    assertTrue(text.startsWith("failed: dev.npujar.NativeLibraryException"), text);
    assertTrue(text.contains("noexec"), text);
    assertTrue(text.contains("-Dnpujar.native.cacheDir"), text);
  }
}
