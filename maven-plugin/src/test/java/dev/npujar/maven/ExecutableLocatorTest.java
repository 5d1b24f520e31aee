package dev.npujar.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.logging.SystemStreamLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExecutableLocatorTest {
  @TempDir Path temp;

  private Path executableIn(Path directory) throws IOException {
    Files.createDirectories(directory);
    Path file = Files.writeString(directory.resolve("npujar"), "#!/bin/sh\n");
    assertTrue(file.toFile().setExecutable(true));
    return file;
  }

  @Test
  void explicitPathWinsOverPath() throws Exception {
    Path explicit = executableIn(temp.resolve("explicit"));
    Path onPath = executableIn(temp.resolve("on-path"));

    Path found = ExecutableLocator.locate(explicit.toString(), onPath.getParent().toString(), new SystemStreamLog());

    assertEquals(explicit.toAbsolutePath(), found);
  }

  @Test
  void pathIsSearchedInOrder() throws Exception {
    Path first = executableIn(temp.resolve("first"));
    executableIn(temp.resolve("second"));
    String path = temp.resolve("empty") + File.pathSeparator + first.getParent() + File.pathSeparator
        + temp.resolve("second");

    assertEquals(first.toAbsolutePath(), ExecutableLocator.locate(null, path, new SystemStreamLog()));
  }

  @Test
  void nonExecutableFileOnPathIsSkipped() throws Exception {
    Path plain = Files.writeString(Files.createDirectories(temp.resolve("plain")).resolve("npujar"), "");
    Path real = executableIn(temp.resolve("real"));
    String path = plain.getParent() + File.pathSeparator + real.getParent();

    assertEquals(real.toAbsolutePath(), ExecutableLocator.locate(" ", path, new SystemStreamLog()));
  }

  @Test
  void explicitNonExecutableIsRejected() throws Exception {
    Path plain = Files.writeString(temp.resolve("npujar"), "");

    MojoExecutionException error = assertThrows(MojoExecutionException.class,
        () -> ExecutableLocator.locate(plain.toString(), null, new SystemStreamLog()));

    assertTrue(error.getMessage().contains("npujar.executable is " + plain.toAbsolutePath()), error.getMessage());
  }

  @Test
  void missingEverywhereNamesPropertyAndPath() {
    String path = temp.resolve("a") + File.pathSeparator + temp.resolve("b");

    MojoExecutionException error = assertThrows(MojoExecutionException.class,
        () -> ExecutableLocator.locate(null, path, new SystemStreamLog()));

    assertTrue(error.getMessage().contains("npujar.executable is not set"), error.getMessage());
    assertTrue(error.getMessage().contains("PATH (" + path + ")"), error.getMessage());
  }
}
