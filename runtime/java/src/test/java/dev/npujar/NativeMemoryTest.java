package dev.npujar;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Runs one model 100,000 times with batch sizes 1 to 16 and checks that the process's resident
 * memory stays flat. The Java heap is fixed and pre-touched by the Surefire configuration ({@code
 * -Xms} = {@code -Xmx}, {@code -XX:+AlwaysPreTouch}), so growth in VmRSS is native memory: leaked
 * tensors, statuses or per-run allocations of the runtime or the JNI layer.
 */
@Tag("stress")
class NativeMemoryTest {
  private static final int WARM_UP_RUNS = 10_000;
  private static final int RUNS = Integer.getInteger("npujar.test.memoryRuns", 100_000);
  private static final int MAX_BATCH = 16;
  // Without a leak VmRSS grew by 0.3 to 1.7 MiB on the build machine. Never releasing the output
  // tensors (a deliberate break of Tensor's releaser) made it grow by 62 MiB.
  private static final long MAX_GROWTH_KIB = 8 * 1024;

  private static long residentKib() throws IOException {
    for (String line : Files.readAllLines(Paths.get("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IllegalStateException("/proc/self/status has no VmRSS line");
  }

  private static void runBatches(Model model, RowModel rows, int start, int count) {
    for (int run = start; run < start + count; run++) {
      int batch = 1 + run % MAX_BATCH;
      try (Tensor input = rows.input(batch, run);
          Outputs outputs = model.run(input)) {
        float[] values = outputs.get(0).toFloatArray();
        if (run % 997 == 0) {
          Reference.assertClose(
              rows.expected(batch, run), values, "run " + run + " batch " + batch);
        }
      }
    }
  }

  @Test
  void repeatedRunsDoNotGrowNativeMemory() throws Exception {
    RowModel rows = new RowModel();
    try (Model model = Model.load(rows.entry.archive)) {
      runBatches(model, rows, 0, WARM_UP_RUNS);
      System.gc();
      long before = residentKib();

      runBatches(model, rows, WARM_UP_RUNS, RUNS);
      System.gc();
      long after = residentKib();

      long growth = after - before;
      System.out.printf(
          "NativeMemoryTest: VmRSS %d KiB before, %d KiB after %d runs (growth %d KiB)%n",
          before, after, RUNS, growth);
      assertTrue(
          growth < MAX_GROWTH_KIB,
          "VmRSS grew by "
              + growth
              + " KiB over "
              + RUNS
              + " runs (from "
              + before
              + " to "
              + after
              + " KiB); limit "
              + MAX_GROWTH_KIB
              + " KiB");
    }
  }
}
