package dev.npujar.maven;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;

/**
 * Runs an external command to completion, passing each line of its merged stdout and stderr
 * to a consumer and keeping the last lines for error messages.
 */
final class ToolProcess {
  /** How many trailing output lines an error message quotes. */
  private static final int TAIL_LINES = 40;

  /** Exit status and the last lines of output of a finished command. */
  static final class Result {
    final int exitCode;
    final String outputTail;

    Result(int exitCode, String outputTail) {
      this.exitCode = exitCode;
      this.outputTail = outputTail;
    }
  }

  private ToolProcess() {}

  /**
   * Runs {@code command} and waits for it.
   *
   * @throws IOException when the command cannot be started or its output cannot be read
   * @throws InterruptedException when the calling thread is interrupted; the process is
   *     destroyed first, and the caller keeps the interrupt
   */
  static Result run(List<String> command, Consumer<String> outputLine)
      throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    Deque<String> tail = new ArrayDeque<>();
    try (BufferedReader reader = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        outputLine.accept(line);
        tail.addLast(line);
        if (tail.size() > TAIL_LINES) {
          tail.removeFirst();
        }
      }
      return new Result(process.waitFor(), String.join("\n", tail));
    } finally {
      if (process.isAlive()) {
        process.destroyForcibly();
      }
    }
  }
}
