package dev.npujar.gradle;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import org.gradle.api.GradleException;
import org.gradle.api.logging.Logger;

/**
 * The npujar executable: where it is found and how it runs. The search order is the explicit
 * setting ({@code npujar.executable} in the extension or as a project property), then the
 * directories of {@code PATH}.
 */
final class NpujarTool {
  /** How many trailing output lines an error message quotes. */
  private static final int TAIL_LINES = 40;

  private final Path executable;

  private NpujarTool(Path executable) {
    this.executable = executable;
  }

  Path executable() {
    return executable;
  }

  /**
   * Finds the executable.
   *
   * @param explicit the configured path, or null/empty to search {@code pathVariable}
   * @throws GradleException naming the setting and {@code PATH} when neither yields an executable
   */
  static NpujarTool locate(String explicit, String pathVariable, Logger logger) {
    if (explicit != null && !explicit.trim().isEmpty()) {
      Path configured = Paths.get(explicit.trim()).toAbsolutePath();
      if (!Files.isRegularFile(configured) || !Files.isExecutable(configured)) {
        throw new GradleException("npujar.executable is " + configured + ", which is not an executable"
            + " file; point it at a built npujar (e.g. build/cli/npujar) or unset it to search PATH");
      }
      return new NpujarTool(configured);
    }

    if (pathVariable != null) {
      for (String directory : pathVariable.split(File.pathSeparator)) {
        Path candidate = directory.isEmpty() ? null : Paths.get(directory, "npujar");
        if (candidate != null && Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          logger.warn("npujar.executable is not set; using {} found on PATH", candidate.toAbsolutePath());
          return new NpujarTool(candidate.toAbsolutePath());
        }
      }
    }
    throw new GradleException("npujar executable not found: npujar.executable is not set and no 'npujar'"
        + " is on PATH (" + (pathVariable == null ? "unset" : pathVariable) + "); set npujar.executable"
        + " in the npujar { } block or with -Pnpujar.executable=/path/to/npujar, or add npujar's"
        + " directory to PATH");
  }

  /** Returns the first line of {@code npujar --version}. */
  String version() {
    List<String> command = Arrays.asList(executable.toString(), "--version");
    Result result = run(command, null);
    String firstLine = result.output.split("\n", 2)[0].trim();
    if (result.exitCode != 0 || firstLine.isEmpty()) {
      throw new GradleException(executable + " --version failed with exit status " + result.exitCode
          + "; check that npujar.executable points at a working npujar. Output:\n" + result.output);
    }
    return firstLine;
  }

  /** Runs {@code npujar ARGS}, logging each output line at info level, and fails the build on a non-zero exit. */
  void runOrFail(List<String> arguments, String what, Logger logger) {
    Result result = run(arguments, logger);
    if (result.exitCode != 0) {
      throw new GradleException(what + " failed with exit status " + result.exitCode + ". Output:\n" + result.output);
    }
  }

  private static final class Result {
    final int exitCode;
    final String output;

    Result(int exitCode, String output) {
      this.exitCode = exitCode;
      this.output = output;
    }
  }

  private Result run(List<String> command, Logger logger) {
    Deque<String> tail = new ArrayDeque<>();
    Process process;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new GradleException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
    }
    try (BufferedReader reader = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        if (logger != null) {
          logger.info("npujar: {}", line);
        }
        tail.addLast(line);
        if (tail.size() > TAIL_LINES) {
          tail.removeFirst();
        }
      }
      return new Result(process.waitFor(), String.join("\n", tail));
    } catch (IOException e) {
      throw new GradleException("cannot read the output of " + command.get(0) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      // Gradle cancels a build by interrupting its workers: keep the interrupt for Gradle to see.
      Thread.currentThread().interrupt();
      throw new GradleException("interrupted while running " + command.get(0), e);
    } finally {
      if (process.isAlive()) {
        process.destroyForcibly();
      }
    }
  }
}
