package dev.npujar.samples.images;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.awt.image.BufferedImage;
import java.io.File;
import javax.imageio.ImageIO;
import org.junit.Test;

public class ImagePreprocessorTest {
  /**
   * Allowed difference in normalized units (about 0.006 on the 0..255 pixel scale). The
   * interpolation weights are float32 values near 1e-7 apart from PyTorch's, and the example's
   * sharp edges (steps of up to 255) magnify that to about 2.5e-5.
   */
  private static final double TOLERANCE = 1e-4;

  @Test
  public void exampleMatchesPyTorchPreprocessing() throws Exception {
    BufferedImage image = ImageIO.read(new File("images/example.png"));
    float[] expected = ReferenceFiles.readFloats("/reference-input.f32");

    float[] actual = ImagePreprocessor.toTensor(image);

    assertEquals(expected.length, actual.length);
    double worst = 0;
    for (int i = 0; i < expected.length; i++) {
      worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
    }
    assertTrue("max difference " + worst + " exceeds " + TOLERANCE, worst <= TOLERANCE);
  }

  @Test
  public void uniformImageNormalizesToConstantPlanes() {
    BufferedImage image = new BufferedImage(300, 260, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 260; y++) {
      for (int x = 0; x < 300; x++) {
        image.setRGB(x, y, (255 << 16) | (128 << 8));
      }
    }

    float[] tensor = ImagePreprocessor.toTensor(image);

    int plane = ImagePreprocessor.CROP * ImagePreprocessor.CROP;
    assertEquals((1f - 0.485f) / 0.229f, tensor[0], 1e-5);
    assertEquals((128f / 255f - 0.456f) / 0.224f, tensor[plane + 1234], 1e-5);
    assertEquals((0f - 0.406f) / 0.225f, tensor[2 * plane + plane - 1], 1e-5);
  }

  @Test
  public void onePixelImageFillsWholeCrop() {
    BufferedImage image = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
    image.setRGB(0, 0, 0xFFFFFF);

    float[] tensor = ImagePreprocessor.toTensor(image);

    assertEquals(3 * ImagePreprocessor.CROP * ImagePreprocessor.CROP, tensor.length);
    assertEquals((1f - 0.406f) / 0.225f, tensor[tensor.length - 1], 1e-5);
  }
}
