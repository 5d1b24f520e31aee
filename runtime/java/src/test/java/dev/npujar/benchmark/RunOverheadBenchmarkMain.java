package dev.npujar.benchmark;

import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Starts {@link RunOverheadBenchmark} on the archive named by {@code -Dnpujar.bench.archive}; the
 * benchmark Maven profile runs it. Further JMH options (e.g. {@code -f 3}) can follow as arguments.
 */
public final class RunOverheadBenchmarkMain {
  private RunOverheadBenchmarkMain() {}

  public static void main(String[] args)
      throws RunnerException, org.openjdk.jmh.runner.options.CommandLineOptionException {
    String archive = System.getProperty("npujar.bench.archive", "");
    if (archive.isEmpty()) {
      throw new IllegalArgumentException(
          "set -Dnpujar.bench.archive to the .npujar archive to run");
    }
    Options options =
        new OptionsBuilder()
            .parent(new org.openjdk.jmh.runner.options.CommandLineOptions(args))
            .include(RunOverheadBenchmark.class.getName())
            .param("archive", archive)
            .jvmArgsAppend(
                "-Dnpujar.native.cacheDir=" + System.getProperty("npujar.native.cacheDir", ""))
            .build();
    new Runner(options).run();
  }
}
