package dev.npujar.benchmark;

import dev.npujar.DType;
import dev.npujar.Model;
import dev.npujar.Outputs;
import dev.npujar.Tensor;
import dev.npujar.TensorInfo;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Time of one {@link Model#run} from Java, to compare with {@code npujar_native_run_benchmark} on
 * the same archive: the difference is the Java API's per-call overhead (JNI transition, input
 * checks, output wrapping and closing). Inputs are zero-filled with every symbolic dimension 1, and
 * the model runs on one thread, as in the native benchmark.
 *
 * <p>Run through the {@code benchmark} Maven profile, see docs/java.md.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RunOverheadBenchmark {
  /** Path of the .npujar archive to run. */
  @Param("")
  public String archive;

  private Model model;
  private Tensor[] inputs;
  private float[] inputValues;
  private long[] inputShape;

  @Setup
  public void load() {
    if (archive.isEmpty()) {
      throw new IllegalArgumentException("pass the archive with -Dnpujar.bench.archive=PATH");
    }
    model = Model.load(Paths.get(archive), Model.Options.builder().threads(1).build());
    List<TensorInfo> infos = model.inputs();
    inputs = new Tensor[infos.size()];
    for (int i = 0; i < inputs.length; i++) {
      long[] shape = infos.get(i).shape();
      for (int d = 0; d < shape.length; d++) {
        shape[d] = shape[d] == TensorInfo.SYMBOLIC ? 1 : shape[d];
      }
      inputs[i] = Tensor.zeros(infos.get(i).dtype(), shape);
      if (i == 0 && infos.get(i).dtype() == DType.F32) {
        inputShape = shape;
        inputValues = new float[(int) inputs[i].elementCount()];
      }
    }
  }

  @TearDown
  public void close() {
    for (Tensor input : inputs) {
      input.close();
    }
    model.close();
  }

  /** Runs once and closes the outputs at once, like the native benchmark's loop. */
  @Benchmark
  public int run() {
    try (Outputs outputs = model.run(inputs)) {
      return outputs.size();
    }
  }

  /** Runs once and copies the first output into a float[], as most applications do. */
  @Benchmark
  public float[] runAndCopyOut() {
    try (Outputs outputs = model.run(inputs)) {
      return outputs.get(0).dtype() == DType.F32 ? outputs.get(0).toFloatArray() : null;
    }
  }

  /** Creates an input tensor from a float[] and closes it. */
  @Benchmark
  public long createInputTensor() {
    if (inputValues == null) {
      return 0;
    }
    try (Tensor tensor = Tensor.of(inputValues, inputShape)) {
      return tensor.byteSize();
    }
  }
}
