package dev.npujar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TensorInfoTest {
  private final TensorInfo image =
      new TensorInfo("x", DType.F32, new long[] {-1, 3, 224, 224}, Arrays.asList("N", "", "", ""));

  @Test
  void toStringShowsSymbols() {
    assertEquals("x: f32[N,3,224,224]", image.toString());
  }

  @Test
  void acceptsAnyExtentForSymbols() {
    assertTrue(image.accepts(new long[] {7, 3, 224, 224}));
    assertFalse(image.accepts(new long[] {1, 3, 224, 225}));
    assertFalse(image.accepts(new long[] {3, 224, 224}));
    assertFalse(image.isStatic());
  }

  @Test
  void symbolicDimensionNeedsAName() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new TensorInfo("x", DType.F32, new long[] {-1}, Arrays.asList("")));
  }

  @Test
  void shapeMismatchMessageNamesInputAndShapes() {
    ShapeMismatchException error = new ShapeMismatchException(image, new long[] {1, 3, 64, 64});
    assertEquals(
        "input 'x' has shape [1,3,64,64] but the model expects f32[N,3,224,224]",
        error.getMessage());
    assertEquals("x", error.inputName());
    assertEquals(ErrorCode.SHAPE_MISMATCH, error.code());
  }
}
