package dev.npujar.samples.images;

import dev.npujar.Model;
import dev.npujar.Outputs;
import dev.npujar.Tensor;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;

/**
 * Classifies an image file with mobilenet_v2, packed into this application's JAR by the npujar
 * Gradle plugin, and prints the five most probable ImageNet classes. The sample's weights are
 * random, so the classes show the pipeline, not a real prediction.
 *
 * <pre>build/install/image-classification/bin/image-classification images/example.png</pre>
 */
public final class ImageClassifier {
  private static final int TOP = 5;

  private ImageClassifier() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: image-classification IMAGE (PNG, JPEG, BMP or GIF)");
      System.exit(2);
    }
    Path path = Paths.get(args[0]);
    BufferedImage image = ImageIO.read(path.toFile());
    if (image == null) {
      System.err.println("image-classification: " + path + " is not an image format that javax.imageio reads");
      System.exit(1);
    }
    List<String> labels = readLabels();

    try (Model model = Model.fromResource("/mobilenet_v2.npujar")) {
      float[] probabilities = softmax(logits(model, image));
      List<Integer> best = IntStream.range(0, probabilities.length).boxed()
          .sorted(Comparator.comparingDouble((Integer i) -> probabilities[i]).reversed())
          .limit(TOP)
          .collect(Collectors.toList());
      System.out.println("top-" + TOP + " for " + path + ":");
      for (int index : best) {
        System.out.printf("  %.4f  %s%n", probabilities[index], labels.get(index));
      }
    }
  }

  /** Runs the model on one image and returns its 1000 logits. */
  static float[] logits(Model model, BufferedImage image) {
    float[] input = ImagePreprocessor.toTensor(image);
    int crop = ImagePreprocessor.CROP;
    try (Tensor x = Tensor.of(input, 1, 3, crop, crop);
        Outputs outputs = model.run(x)) {
      return outputs.get(0).toFloatArray();
    }
  }

  static float[] softmax(float[] logits) {
    double max = Double.NEGATIVE_INFINITY;
    for (float value : logits) {
      max = Math.max(max, value);
    }
    double sum = 0;
    double[] exponentials = new double[logits.length];
    for (int i = 0; i < logits.length; i++) {
      exponentials[i] = Math.exp(logits[i] - max);
      sum += exponentials[i];
    }
    float[] probabilities = new float[logits.length];
    for (int i = 0; i < logits.length; i++) {
      probabilities[i] = (float) (exponentials[i] / sum);
    }
    return probabilities;
  }

  private static List<String> readLabels() {
    InputStream in = ImageClassifier.class.getResourceAsStream("/imagenet_classes.txt");
    if (in == null) {
      throw new IllegalStateException("imagenet_classes.txt is missing from the classpath");
    }
    List<String> labels = new ArrayList<>();
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        labels.add(line);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read imagenet_classes.txt", e);
    }
    return labels;
  }
}
