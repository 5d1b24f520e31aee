package dev.npujar.samples.images;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import dev.npujar.Model;
import java.io.File;
import javax.imageio.ImageIO;
import org.junit.Test;

/**
 * Runs the packed model through the npujar runtime and compares its logits with PyTorch's.
 * Skipped when the build packed no archive ({@code -Pnpujar.skip=true}).
 */
public class ImageClassifierTest {
  private static final double TOLERANCE = 1e-3;

  @Test
  public void logitsMatchPyTorch() throws Exception {
    assumeTrue("mobilenet_v2.npujar is not on the classpath; the npujar task was skipped",
        ImageClassifierTest.class.getResource("/mobilenet_v2.npujar") != null);
    float[] expected = ReferenceFiles.readFloats("/reference-logits.f32");

    float[] actual;
    try (Model model = Model.fromResource("/mobilenet_v2.npujar")) {
      actual = ImageClassifier.logits(model, ImageIO.read(new File("images/example.png")));
    }

    assertEquals(expected.length, actual.length);
    double worst = 0;
    for (int i = 0; i < expected.length; i++) {
      worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
    }
    assertTrue("max logit difference " + worst + " exceeds " + TOLERANCE, worst <= TOLERANCE);
  }

  @Test
  public void softmaxSumsToOne() {
    float[] probabilities = ImageClassifier.softmax(new float[] {1f, 2f, 3f, 1000f});

    double sum = 0;
    for (float p : probabilities) {
      sum += p;
    }
    assertEquals(1.0, sum, 1e-6);
    assertEquals(1.0, probabilities[3], 1e-6);
  }
}
