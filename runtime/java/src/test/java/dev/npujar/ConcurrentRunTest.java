package dev.npujar;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Many threads running one model at once, each with its own inputs. */
@Tag("stress")
class ConcurrentRunTest {
  private static final int THREADS = 8;
  private static final int RUNS_PER_THREAD = 1_000;

  @Test
  void eightThreadsMatchSingleThreadedResults() throws Exception {
    RowModel rows = new RowModel();
    try (Model model = Model.load(rows.entry.archive)) {
      // Each thread gets a different batch size and starting row. Its single-threaded output is
      // checked against LibTorch, and every concurrent run must reproduce it bit for bit.
      float[][] singleThreaded = new float[THREADS][];
      for (int t = 0; t < THREADS; t++) {
        try (Tensor input = rows.input(t + 1, t);
            Outputs outputs = model.run(input)) {
          singleThreaded[t] = outputs.get(0).toFloatArray();
        }
        Reference.assertClose(
            rows.expected(t + 1, t), singleThreaded[t], "thread " + t + " reference");
      }

      CountDownLatch start = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      try {
        List<Future<Integer>> results = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          int thread = t;
          Callable<Integer> task =
              () -> {
                start.await();
                try (Tensor input = rows.input(thread + 1, thread)) {
                  for (int run = 0; run < RUNS_PER_THREAD; run++) {
                    try (Outputs outputs = model.run(input)) {
                      assertArrayEquals(
                          singleThreaded[thread],
                          outputs.get(0).toFloatArray(),
                          "thread " + thread + " run " + run);
                    }
                  }
                }
                return RUNS_PER_THREAD;
              };
          results.add(pool.submit(task));
        }
        start.countDown();
        for (Future<Integer> result : results) {
          result.get();
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }
}
