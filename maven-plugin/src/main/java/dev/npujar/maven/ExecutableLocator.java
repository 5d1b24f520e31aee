package dev.npujar.maven;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Optional;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.logging.Log;

/**
 * Finds the npujar executable: the explicit {@code npujar.executable} setting first, then the
 * directories of {@code PATH} in order.
 */
final class ExecutableLocator {
  static final String EXECUTABLE_NAME = "npujar";

  private ExecutableLocator() {}

  /**
   * Returns the executable to run.
   *
   * @param explicit the configured path, or null/blank to search {@code pathVariable}
   * @param pathVariable the value of {@code PATH}, may be null
   * @throws MojoExecutionException naming both places when neither yields an executable file
   */
  static Path locate(String explicit, String pathVariable, Log log) throws MojoExecutionException {
    if (explicit != null && !explicit.isBlank()) {
      Path configured = Paths.get(explicit.trim()).toAbsolutePath();
      if (!Files.isRegularFile(configured) || !Files.isExecutable(configured)) {
        throw new MojoExecutionException(
            "npujar.executable is " + configured + ", which is not an executable file;"
                + " point it at a built npujar (e.g. build/cli/npujar) or unset it to search PATH");
      }
      return configured;
    }

    Optional<Path> found = searchPath(pathVariable);
    if (found.isEmpty()) {
      throw new MojoExecutionException(
          "npujar executable not found: npujar.executable is not set and no '" + EXECUTABLE_NAME
              + "' is on PATH (" + (pathVariable == null ? "unset" : pathVariable) + ");"
              + " set -Dnpujar.executable=/path/to/npujar or <executable> in the plugin"
              + " configuration, or add npujar's directory to PATH");
    }
    log.warn("npujar.executable is not set; using " + found.get() + " found on PATH");
    return found.get();
  }

  private static Optional<Path> searchPath(String pathVariable) {
    if (pathVariable == null) {
      return Optional.empty();
    }
    for (String directory : pathVariable.split(File.pathSeparator)) {
      if (directory.isEmpty()) {
        continue;
      }
      Path candidate = Paths.get(directory, EXECUTABLE_NAME);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate.toAbsolutePath());
      }
    }
    return Optional.empty();
  }
}
