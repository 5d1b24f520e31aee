package dev.npujar.maven;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.logging.Log;

/**
 * Packs models with one npujar executable, skipping each model whose archive is up to date.
 * Goals create one runner per execution. A runner keeps no state shared between projects, so
 * parallel builds may run several at once.
 */
final class PackRunner {
  /** The result of {@link #pack} for one request. */
  enum Outcome {
    PACKED,
    UP_TO_DATE
  }

  private final Path executable;
  private final Path stampDirectory;
  private final Log log;
  private String version;

  PackRunner(Path executable, Path stampDirectory, Log log) {
    this.executable = executable;
    this.stampDirectory = stampDirectory;
    this.log = log;
  }

  /**
   * Returns the first line of {@code npujar --version}, queried once per runner.
   *
   * @throws MojoExecutionException when the executable cannot run or exits with an error
   */
  String version() throws MojoExecutionException, InterruptedException {
    if (version != null) {
      return version;
    }
    List<String> command = List.of(executable.toString(), "--version");
    ToolProcess.Result result = runTool(command, log::debug);
    String firstLine = result.outputTail.lines().findFirst().orElse("").trim();
    if (result.exitCode != 0 || firstLine.isEmpty()) {
      throw new MojoExecutionException(
          executable + " --version failed with exit status " + result.exitCode
              + "; check that npujar.executable points at a working npujar. Output:\n" + result.outputTail);
    }
    version = firstLine;
    return version;
  }

  /**
   * Packs one model unless its archive and stamp show that nothing changed since the last pack.
   *
   * @throws MojoExecutionException when hashing, packing or writing the stamp fails
   * @throws InterruptedException when the build thread is interrupted; npujar is stopped first
   */
  Outcome pack(PackRequest request) throws MojoExecutionException, InterruptedException {
    Path archive = request.outputFile();
    Path stampFile = stampDirectory.resolve(archive.getFileName() + ".stamp");
    PackStamp stamp = computeStamp(request);
    if (Files.isRegularFile(archive) && stamp.matches(stampFile)) {
      log.info("npujar: " + archive.getFileName() + " is up to date");
      return Outcome.UP_TO_DATE;
    }

    try {
      // A stamp left from an earlier pack must not vouch for a half-written archive.
      Files.deleteIfExists(stampFile);
      Files.createDirectories(archive.getParent());
    } catch (IOException e) {
      throw new MojoExecutionException("cannot prepare " + archive + ": " + e.getMessage(), e);
    }

    List<String> command = request.command(executable);
    log.info("npujar: packing " + request.modelFile() + " into " + archive);
    log.debug("npujar: running " + String.join(" ", command));
    ToolProcess.Result result = runTool(command, line -> log.info("npujar: " + line));
    if (result.exitCode != 0) {
      throw new MojoExecutionException(
          "npujar pack failed for " + request.modelFile() + " with exit status " + result.exitCode
              + ". Output:\n" + result.outputTail);
    }
    if (!Files.isRegularFile(archive)) {
      throw new MojoExecutionException(
          "npujar pack exited 0 but wrote no " + archive + "; check the npujar version. Output:\n"
              + result.outputTail);
    }

    try {
      stamp.write(stampFile);
    } catch (IOException e) {
      throw new MojoExecutionException("cannot write " + stampFile + ": " + e.getMessage(), e);
    }
    return Outcome.PACKED;
  }

  private PackStamp computeStamp(PackRequest request) throws MojoExecutionException, InterruptedException {
    try {
      return PackStamp.compute(request, version());
    } catch (IOException e) {
      throw new MojoExecutionException("cannot read model file " + request.modelFile() + ": " + e.getMessage(), e);
    }
  }

  private ToolProcess.Result runTool(List<String> command, Consumer<String> outputLine)
      throws MojoExecutionException, InterruptedException {
    try {
      return ToolProcess.run(command, outputLine);
    } catch (IOException e) {
      throw new MojoExecutionException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
    }
  }
}
