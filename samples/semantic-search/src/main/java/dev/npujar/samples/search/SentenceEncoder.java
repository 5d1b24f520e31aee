package dev.npujar.samples.search;

import dev.npujar.Model;
import dev.npujar.Outputs;
import dev.npujar.Tensor;
import java.util.List;
import java.util.Map;

/**
 * Turns sentences into unit-length embeddings with the packed MiniLM encoder: tokenize, run the
 * model on the batch, average the token vectors that the attention mask marks, L2-normalize.
 * The dot product of two embeddings is then their cosine similarity.
 */
public final class SentenceEncoder {
  /** The sequence length the model was traced with; see scripts/export_model.py. */
  public static final int SEQUENCE_LENGTH = 128;

  private final Model model;
  private final BertTokenizer tokenizer;

  /** Uses {@code model} without owning it: the caller closes the model. */
  public SentenceEncoder(Model model, BertTokenizer tokenizer) {
    this.model = model;
    this.tokenizer = tokenizer;
  }

  /** Returns one embedding per sentence, in order. */
  public double[][] encode(List<String> sentences) {
    int count = sentences.size();
    long[] inputIds = new long[count * SEQUENCE_LENGTH];
    long[] attentionMask = new long[count * SEQUENCE_LENGTH];
    for (int i = 0; i < count; i++) {
      BertTokenizer.Encoding encoding = tokenizer.encode(sentences.get(i), SEQUENCE_LENGTH);
      System.arraycopy(encoding.inputIds, 0, inputIds, i * SEQUENCE_LENGTH, SEQUENCE_LENGTH);
      System.arraycopy(encoding.attentionMask, 0, attentionMask, i * SEQUENCE_LENGTH, SEQUENCE_LENGTH);
    }

    try (Tensor ids = Tensor.of(inputIds, count, SEQUENCE_LENGTH);
        Tensor mask = Tensor.of(attentionMask, count, SEQUENCE_LENGTH);
        Outputs outputs = model.run(Map.of("input_ids", ids, "attention_mask", mask))) {
      float[] hidden = outputs.get(0).toFloatArray();
      return meanPoolAndNormalize(hidden, attentionMask, count);
    }
  }

  /** Averages the hidden states [count, S, H] over unmasked positions, in double precision. */
  static double[][] meanPoolAndNormalize(float[] hidden, long[] attentionMask, int count) {
    int width = hidden.length / (count * SEQUENCE_LENGTH);
    double[][] embeddings = new double[count][width];
    for (int sentence = 0; sentence < count; sentence++) {
      double[] sum = embeddings[sentence];
      int tokens = 0;
      for (int position = 0; position < SEQUENCE_LENGTH; position++) {
        if (attentionMask[sentence * SEQUENCE_LENGTH + position] == 0) {
          continue;
        }
        tokens++;
        int offset = (sentence * SEQUENCE_LENGTH + position) * width;
        for (int k = 0; k < width; k++) {
          sum[k] += hidden[offset + k];
        }
      }
      double norm = 0;
      for (int k = 0; k < width; k++) {
        sum[k] /= Math.max(tokens, 1);
        norm += sum[k] * sum[k];
      }
      norm = Math.max(Math.sqrt(norm), 1e-12);
      for (int k = 0; k < width; k++) {
        sum[k] /= norm;
      }
    }
    return embeddings;
  }

  /** Returns the cosine similarity of two unit-length embeddings. */
  public static double cosine(double[] a, double[] b) {
    double dot = 0;
    for (int k = 0; k < a.length; k++) {
      dot += a[k] * b[k];
    }
    return dot;
  }
}
