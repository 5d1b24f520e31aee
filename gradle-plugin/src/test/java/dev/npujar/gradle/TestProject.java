package dev.npujar.gradle;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway Gradle project that applies the plugin under test, built by running the
 * {@code gradle} command. It loads the plugin JAR named by the system property
 * {@code npujar.plugin.jar} through a flatDir buildscript repository.
 */
final class TestProject {
  /** Exit status and console output of one build. */
  static final class Run {
    final int exitCode;
    final String output;

    Run(int exitCode, String output) {
      this.exitCode = exitCode;
      this.output = output;
    }

    /**
     * Returns a task's outcome as Gradle 4.4.1's plain console prints it: {@code EXECUTED} for a
     * bare task line, otherwise the word after the path (UP-TO-DATE, SKIPPED, NO-SOURCE, FAILED).
     */
    String outcome(String taskPath) {
      for (String line : output.split("\n")) {
        String trimmed = line.trim();
        if (trimmed.equals(taskPath)) {
          return "EXECUTED";
        }
        if (trimmed.startsWith(taskPath + " ")) {
          return trimmed.substring(taskPath.length() + 1).trim();
        }
      }
      throw new AssertionError("task " + taskPath + " did not run. Output:\n" + output);
    }
  }

  private static final long TIMEOUT_MINUTES = 5;

  final Path directory;

  TestProject(Path directory) throws IOException {
    this.directory = directory;
    Files.createDirectories(directory.resolve("models"));
    copyResource("/models/linear.pt", directory.resolve("models/linear.pt"));
    Files.write(directory.resolve("settings.gradle"), "rootProject.name = 'app'\n".getBytes(StandardCharsets.UTF_8));
  }

  /** Copies a test resource to {@code target}, replacing what is there. */
  static void copyResource(String resource, Path target) throws IOException {
    try (InputStream in = TestProject.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("test resource " + resource + " is missing");
      }
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Copies the CLI test double into the project, optionally with another version line. */
  Path installStub(String fileName, String version) throws IOException {
    Path stub = directory.resolve(fileName);
    copyResource("/test-doubles/npujar-stub.sh", stub);
    String text = new String(Files.readAllBytes(stub), StandardCharsets.UTF_8);
    Files.write(stub, text.replace("npujar 0.0.0-stub", version).getBytes(StandardCharsets.UTF_8));
    if (!stub.toFile().setExecutable(true)) {
      throw new IOException("cannot make " + stub + " executable");
    }
    return stub;
  }

  /** Writes build.gradle: the plugin from its JAR, then {@code body}. */
  void writeBuildScript(String body) throws IOException {
    File pluginJar = new File(requiredProperty("npujar.plugin.jar"));
    String jarName = pluginJar.getName().replaceFirst("\\.jar$", "");
    String script = "buildscript {\n"
        + "    repositories {\n"
        + "        flatDir dirs: " + quote(pluginJar.getParentFile().toPath()) + "\n"
        + "    }\n"
        + "    dependencies {\n"
        + "        classpath name: '" + jarName + "'\n"
        + "    }\n"
        + "}\n"
        + "apply plugin: 'dev.npujar'\n\n"
        + "repositories {\n    mavenLocal()\n}\n\n"
        + body;
    Files.write(directory.resolve("build.gradle"), script.getBytes(StandardCharsets.UTF_8));
  }

  /** Returns a Groovy single-quoted string literal of {@code path}. */
  static String quote(Path path) {
    return "'" + path.toAbsolutePath().toString().replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  /** Runs {@code gradle ARGS} and requires it to succeed. */
  Run build(String... arguments) throws IOException, InterruptedException {
    Run run = run(arguments);
    if (run.exitCode != 0) {
      throw new AssertionError("gradle " + String.join(" ", arguments) + " failed with exit status "
          + run.exitCode + ". Output:\n" + run.output);
    }
    return run;
  }

  /** Runs {@code gradle ARGS} and requires it to fail. */
  Run buildAndFail(String... arguments) throws IOException, InterruptedException {
    Run run = run(arguments);
    if (run.exitCode == 0) {
      throw new AssertionError("gradle " + String.join(" ", arguments) + " succeeded but was expected to fail."
          + " Output:\n" + run.output);
    }
    return run;
  }

  private Run run(String... arguments) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(requiredProperty("gradle.executable"));
    command.addAll(Arrays.asList("--offline", "--no-daemon", "--console=plain", "--stacktrace"));
    command.addAll(Arrays.asList(arguments));
    Path log = Files.createTempFile(directory, "gradle", ".log");
    Process process = new ProcessBuilder(command)
        .directory(directory.toFile())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError("gradle " + String.join(" ", arguments) + " timed out after "
          + TIMEOUT_MINUTES + " minutes");
    }
    return new Run(process.exitValue(), new String(Files.readAllBytes(log), StandardCharsets.UTF_8));
  }

  File file(String relative) {
    return directory.resolve(relative).toFile();
  }

  private static String requiredProperty(String name) {
    String value = System.getProperty(name);
    if (value == null || value.isEmpty()) {
      throw new IllegalStateException("system property " + name + " is not set; run the tests through gradle test");
    }
    return value;
  }
}
