package dev.npujar.maven;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A copy of an integration-test project in a temporary directory, built by a real {@code mvn}
 * against the shared local repository into which {@code invoker:install} put this plugin.
 */
final class SampleBuild {
  /** Output and exit status of one {@code mvn} run. */
  static final class Run {
    final int exitCode;
    final String output;

    Run(int exitCode, String output) {
      this.exitCode = exitCode;
      this.output = output;
    }
  }

  private static final long TIMEOUT_MINUTES = 5;

  final Path directory;

  private SampleBuild(Path directory) {
    this.directory = directory;
  }

  /** Copies {@code src/it/projects/NAME} and the fixture models into {@code parent}. */
  static SampleBuild copy(String name, Path parent) throws IOException {
    Path source = Paths.get("src/it/projects", name);
    Path target = parent.resolve(name);
    try (Stream<Path> files = Files.walk(source)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Path destination = target.resolve(source.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(destination);
        } else {
          String text = Files.readString(file, StandardCharsets.UTF_8);
          Files.writeString(destination, text.replace("@npujar.plugin.version@", pluginVersion()));
        }
      }
    }
    Path models = Files.createDirectories(target.resolve("models"));
    Files.copy(Paths.get("src/it/models/linear.pt"), models.resolve("linear.pt"));
    return new SampleBuild(target);
  }

  /** Runs {@code mvn -B ARGS} in the project with the given extra environment. */
  Run mvn(Map<String, String> environment, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Paths.get(requiredProperty("maven.home"), "bin", "mvn").toString());
    command.add("-B");
    command.add("-Dmaven.repo.local=" + requiredProperty("it.localRepository"));
    command.addAll(List.of(args));

    Path log = Files.createTempFile(directory, "mvn", ".log");
    ProcessBuilder builder = new ProcessBuilder(command)
        .directory(directory.toFile())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    builder.environment().putAll(environment);
    Process process = builder.start();
    if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new IllegalStateException("mvn " + String.join(" ", args) + " in " + directory
          + " timed out after " + TIMEOUT_MINUTES + " minutes");
    }
    return new Run(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
  }

  Run mvn(String... args) throws IOException, InterruptedException {
    return mvn(Map.of(), args);
  }

  static String pluginVersion() {
    return requiredProperty("it.pluginVersion");
  }

  private static String requiredProperty(String name) {
    String value = System.getProperty(name);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException(
          "system property " + name + " is not set; run the integration tests through mvn verify");
    }
    return value;
  }
}
