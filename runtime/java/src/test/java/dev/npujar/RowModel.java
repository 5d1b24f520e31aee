package dev.npujar;

import java.io.IOException;
import java.util.Arrays;

/**
 * Inputs and LibTorch outputs of the row model (see {@link ModelRunTest#ROW_MODEL}) for any batch
 * size. Its rows are computed independently, so a batch assembled from rows of the saved LibTorch
 * case has, row for row, the saved outputs as its reference.
 */
final class RowModel {
  final TestArchives.Entry entry;
  final float[] inputRows;
  final float[] outputRows;
  final int rowCount;
  final long[] inputRowShape;
  final int inputRowLength;
  final int outputRowLength;

  RowModel() throws IOException {
    entry = TestArchives.require(ModelRunTest.ROW_MODEL);
    // The case with the largest batch gives the most distinct rows.
    TestArchives.Case largest = entry.cases.get(0);
    for (TestArchives.Case testCase : entry.cases) {
      if (Npy.read(testCase.inputs.get(0)).shape[0] > Npy.read(largest.inputs.get(0)).shape[0]) {
        largest = testCase;
      }
    }
    Npy input = Npy.read(largest.inputs.get(0));
    Npy output = Npy.read(largest.outputs.get(0));
    inputRows = input.toFloatArray();
    outputRows = output.toFloatArray();
    rowCount = (int) input.shape[0];
    inputRowShape = Arrays.copyOfRange(input.shape, 1, input.shape.length);
    inputRowLength = inputRows.length / rowCount;
    outputRowLength = outputRows.length / rowCount;
  }

  /** Creates the input of a batch whose row i is saved row (first + i) mod rowCount. */
  Tensor input(int batch, int first) {
    float[] values = new float[batch * inputRowLength];
    for (int i = 0; i < batch; i++) {
      int row = (first + i) % rowCount;
      System.arraycopy(inputRows, row * inputRowLength, values, i * inputRowLength, inputRowLength);
    }
    long[] shape = new long[inputRowShape.length + 1];
    shape[0] = batch;
    System.arraycopy(inputRowShape, 0, shape, 1, inputRowShape.length);
    return Tensor.of(values, shape);
  }

  /** LibTorch's output for {@link #input(int, int)}. */
  float[] expected(int batch, int first) {
    float[] values = new float[batch * outputRowLength];
    for (int i = 0; i < batch; i++) {
      int row = (first + i) % rowCount;
      System.arraycopy(
          outputRows, row * outputRowLength, values, i * outputRowLength, outputRowLength);
    }
    return values;
  }
}
