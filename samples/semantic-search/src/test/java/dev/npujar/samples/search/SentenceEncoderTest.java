package dev.npujar.samples.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.npujar.Model;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Runs the packed model through the npujar runtime and compares the pooled embeddings with
 * those of transformers' BertModel. Skipped when the build packed no archive
 * ({@code -Dnpujar.skip=true}).
 */
class SentenceEncoderTest {
  private static final double TOLERANCE = 1e-4;

  @Test
  void embeddingsMatchPyTorch() throws Exception {
    assumeTrue(SentenceEncoderTest.class.getResource("/minilm.npujar") != null,
        "minilm.npujar is not on the classpath; the npujar plugin was skipped");
    Reference reference = Reference.load();
    assertEquals(SentenceEncoder.SEQUENCE_LENGTH, reference.sequence_length);
    List<String> texts = new ArrayList<>();
    for (Reference.Sentence sentence : reference.sentences) {
      texts.add(sentence.text);
    }

    double[][] embeddings;
    try (Model model = Model.fromResource("/minilm.npujar")) {
      embeddings = new SentenceEncoder(model, BertTokenizer.fromClasspath("/vocab.txt")).encode(texts);
    }

    for (int i = 0; i < texts.size(); i++) {
      double[] expected = reference.sentences.get(i).embedding;
      assertEquals(expected.length, embeddings[i].length, texts.get(i));
      double worst = 0;
      for (int k = 0; k < expected.length; k++) {
        worst = Math.max(worst, Math.abs(expected[k] - embeddings[i][k]));
      }
      assertTrue(worst <= TOLERANCE, texts.get(i) + ": max difference " + worst + " exceeds " + TOLERANCE);
    }
  }

  @Test
  void meanPoolingIgnoresMaskedPositions() {
    // Two positions of width 2 are real, the rest is padding whose values must not count.
    int length = SentenceEncoder.SEQUENCE_LENGTH;
    float[] hidden = new float[length * 2];
    long[] mask = new long[length];
    hidden[0] = 3;
    hidden[1] = 0;
    hidden[2] = 1;
    hidden[3] = 4;
    mask[0] = 1;
    mask[1] = 1;
    for (int i = 4; i < hidden.length; i++) {
      hidden[i] = 100;
    }

    double[] embedding = SentenceEncoder.meanPoolAndNormalize(hidden, mask, 1)[0];

    // Mean (2, 2) normalized is (1/sqrt 2, 1/sqrt 2).
    assertEquals(Math.sqrt(0.5), embedding[0], 1e-12);
    assertEquals(Math.sqrt(0.5), embedding[1], 1e-12);
  }
}
