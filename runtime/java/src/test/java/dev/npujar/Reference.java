package dev.npujar;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Comparison of npujar's outputs with LibTorch's saved outputs. */
final class Reference {
  // Kernels may sum in another order than LibTorch's; these bounds hold for float32 models of a
  // few layers.
  static final double ABSOLUTE_TOLERANCE = 1e-4;
  static final double RELATIVE_TOLERANCE = 1e-3;

  private Reference() {}

  static void assertClose(float[] expected, float[] actual, String what) {
    assertEquals(expected.length, actual.length, what + ": element count");
    for (int i = 0; i < expected.length; i++) {
      double difference = Math.abs((double) expected[i] - actual[i]);
      double bound = ABSOLUTE_TOLERANCE + RELATIVE_TOLERANCE * Math.abs(expected[i]);
      if (!(difference <= bound) && !(Float.isNaN(expected[i]) && Float.isNaN(actual[i]))) {
        fail(
            what
                + ": element "
                + i
                + " is "
                + actual[i]
                + ", LibTorch gives "
                + expected[i]
                + " (difference "
                + difference
                + " exceeds "
                + bound
                + ")");
      }
    }
  }

  /** Checks one output tensor against a LibTorch .npy file. */
  static void assertMatches(Path expectedFile, Tensor actual, String what) throws IOException {
    Npy expected = Npy.read(expectedFile);
    assertArrayEquals(expected.shape, actual.shape(), what + ": shape");
    assertEquals(expected.dtype(), actual.dtype(), what + ": dtype");
    if (actual.dtype() == DType.F32) {
      assertClose(expected.toFloatArray(), actual.toFloatArray(), what);
    } else {
      byte[] bytes = new byte[expected.data.remaining()];
      expected.data.duplicate().get(bytes);
      assertArrayEquals(bytes, actual.toByteArray(), what);
    }
  }

  /** Creates the input tensors of a case; the caller closes them. */
  static List<Tensor> inputs(TestArchives.Case testCase) throws IOException {
    List<Tensor> tensors = new ArrayList<>();
    for (Path file : testCase.inputs) {
      tensors.add(Npy.read(file).toTensor());
    }
    return tensors;
  }

  static void closeAll(List<Tensor> tensors) {
    for (Tensor tensor : tensors) {
      tensor.close();
    }
  }
}
