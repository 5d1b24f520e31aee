package dev.npujar;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class TensorTest {
  @Test
  void floatArrayRoundTrips() {
    float[] values = {1.5f, -2f, 3.25f, Float.NaN, Float.MAX_VALUE, -0f};
    try (Tensor tensor = Tensor.of(values, 2, 3)) {
      assertEquals(DType.F32, tensor.dtype());
      assertArrayEquals(new long[] {2, 3}, tensor.shape());
      assertEquals(6, tensor.elementCount());
      assertEquals(24, tensor.byteSize());
      assertArrayEquals(values, tensor.toFloatArray());
    }
  }

  @Test
  void intLongAndByteArraysRoundTrip() {
    try (Tensor ints = Tensor.of(new int[] {1, -2, Integer.MIN_VALUE}, 3);
        Tensor longs = Tensor.of(new long[] {Long.MAX_VALUE, -1}, 1, 2);
        Tensor bytes = Tensor.of(new byte[] {-128, 0, 127, 5}, 2, 2)) {
      assertEquals(DType.I32, ints.dtype());
      assertArrayEquals(new int[] {1, -2, Integer.MIN_VALUE}, ints.toIntArray());
      assertEquals(DType.I64, longs.dtype());
      assertArrayEquals(new long[] {Long.MAX_VALUE, -1}, longs.toLongArray());
      assertEquals(DType.I8, bytes.dtype());
      assertArrayEquals(new byte[] {-128, 0, 127, 5}, bytes.toByteArray());
    }
  }

  @Test
  void rawBytesKeepNativeOrder() {
    ByteBuffer expected = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
    expected.putFloat(1f).putFloat(-3f);
    try (Tensor tensor = Tensor.of(DType.F32, expected.array(), 2)) {
      assertArrayEquals(new float[] {1f, -3f}, tensor.toFloatArray());
      assertArrayEquals(expected.array(), tensor.toByteArray());
    }
  }

  @Test
  void zerosAndScalarShapes() {
    try (Tensor zeros = Tensor.zeros(DType.I64, 2, 0, 3);
        Tensor scalar = Tensor.of(new float[] {7f})) {
      assertEquals(0, zeros.elementCount());
      assertEquals(0, zeros.toLongArray().length);
      assertEquals(0, scalar.rank());
      assertEquals(1, scalar.elementCount());
      assertArrayEquals(new float[] {7f}, scalar.toFloatArray());
    }
  }

  @Test
  void lengthMismatchNamesBothValues() {
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(new float[5], 2, 3));
    assertTrue(error.getMessage().contains("length 5"), error.getMessage());
    assertTrue(error.getMessage().contains("[2,3]"), error.getMessage());
    assertTrue(error.getMessage().contains("6 elements"), error.getMessage());
  }

  @Test
  void negativeExtentIsRejected() {
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(new float[0], 2, -1));
    assertTrue(error.getMessage().contains("-1"), error.getMessage());
  }

  @Test
  void overflowingShapeIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(DType.F32, Long.MAX_VALUE, 4));
  }

  @Test
  void nullArgumentsAreRejected() {
    IllegalArgumentException noData =
        assertThrows(IllegalArgumentException.class, () -> Tensor.of((float[]) null, 1));
    assertEquals("data must not be null", noData.getMessage());
    IllegalArgumentException noShape =
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(new float[1], (long[]) null));
    assertEquals("shape must not be null", noShape.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Tensor.wrap(null, DType.F32, 1));
  }

  @Test
  void wrapSharesTheBuffersMemory() {
    ByteBuffer buffer = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
    buffer.asFloatBuffer().put(new float[] {1f, 2f, 3f, 4f});
    try (Tensor tensor = Tensor.wrap(buffer, DType.F32, 2, 2)) {
      buffer.putFloat(4, 20f);
      assertArrayEquals(new float[] {1f, 20f, 3f, 4f}, tensor.toFloatArray());
      assertEquals(0, buffer.position());
    }
  }

  @Test
  void wrapStartsAtThePosition() {
    ByteBuffer buffer = ByteBuffer.allocateDirect(12).order(ByteOrder.nativeOrder());
    buffer.putFloat(0, 9f).putFloat(4, 1f).putFloat(8, 2f);
    buffer.position(4);
    try (Tensor tensor = Tensor.wrap(buffer, DType.F32, 2)) {
      assertArrayEquals(new float[] {1f, 2f}, tensor.toFloatArray());
    }
  }

  @Test
  void wrapRejectsHeapBuffers() {
    ByteBuffer heap = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> Tensor.wrap(heap, DType.F32, 4));
    assertTrue(error.getMessage().contains("direct"), error.getMessage());
  }

  @Test
  void wrapRejectsForeignByteOrder() {
    ByteOrder foreign =
        ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN
            ? ByteOrder.BIG_ENDIAN
            : ByteOrder.LITTLE_ENDIAN;
    ByteBuffer buffer = ByteBuffer.allocateDirect(16).order(foreign);
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> Tensor.wrap(buffer, DType.F32, 4));
    assertTrue(error.getMessage().contains(foreign.toString()), error.getMessage());
  }

  @Test
  void wrapRejectsTooSmallBuffers() {
    ByteBuffer buffer = ByteBuffer.allocateDirect(15).order(ByteOrder.nativeOrder());
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> Tensor.wrap(buffer, DType.F32, 4));
    assertTrue(error.getMessage().contains("15 bytes remaining"), error.getMessage());
    assertTrue(error.getMessage().contains("needs 16"), error.getMessage());
  }

  @Test
  void closeIsIdempotent() {
    Tensor tensor = Tensor.of(new float[] {1f}, 1);
    tensor.close();
    tensor.close();
    assertTrue(tensor.isClosed());
  }

  @Test
  void useAfterCloseNamesTheCall() {
    Tensor tensor = Tensor.of(new float[] {1f}, 1);
    tensor.close();
    IllegalStateException error = assertThrows(IllegalStateException.class, tensor::toFloatArray);
    assertEquals("Tensor.toFloatArray called after close()", error.getMessage());
    IllegalStateException shape = assertThrows(IllegalStateException.class, tensor::shape);
    assertEquals("Tensor.shape called after close()", shape.getMessage());
    assertThrows(IllegalStateException.class, tensor::dtype);
    assertThrows(IllegalStateException.class, () -> tensor.copyTo(ByteBuffer.allocate(4)));
  }

  @Test
  void wrongAccessorNamesTheDtype() {
    try (Tensor tensor = Tensor.of(new long[] {1}, 1)) {
      IllegalStateException error = assertThrows(IllegalStateException.class, tensor::toFloatArray);
      assertTrue(error.getMessage().contains("i64"), error.getMessage());
    }
  }

  @Test
  void copyToFillsAndAdvancesTheBuffer() {
    try (Tensor tensor = Tensor.of(new int[] {3, 4}, 2)) {
      ByteBuffer destination = ByteBuffer.allocate(12).order(ByteOrder.nativeOrder());
      destination.putInt(-1);
      tensor.copyTo(destination);
      assertEquals(12, destination.position());
      assertEquals(3, destination.getInt(4));
      assertEquals(4, destination.getInt(8));
      assertThrows(IllegalArgumentException.class, () -> tensor.copyTo(ByteBuffer.allocate(7)));
    }
  }

  @Test
  void toStringShowsDtypeAndShape() {
    Tensor tensor = Tensor.of(new float[6], 1, 2, 3);
    assertEquals("Tensor f32[1,2,3]", tensor.toString());
    tensor.close();
    assertEquals("Tensor f32[1,2,3] (closed)", tensor.toString());
  }
}
