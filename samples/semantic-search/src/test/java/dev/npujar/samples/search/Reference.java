package dev.npujar.samples.search;

import com.google.gson.Gson;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The token ids and embeddings that scripts/export_model.py computed with Hugging Face
 * transformers for a few fixed sentences ({@code reference.json}).
 */
final class Reference {
  /** One sentence of the file. */
  static final class Sentence {
    String text;
    List<Integer> input_ids;
    double[] embedding;
  }

  String source;
  int sequence_length;
  List<Sentence> sentences;

  static Reference load() throws Exception {
    InputStream in = Reference.class.getResourceAsStream("/reference.json");
    if (in == null) {
      throw new IllegalStateException("reference.json is not on the test classpath;"
          + " run scripts/export-model.sh before building the sample");
    }
    try (InputStreamReader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
      return new Gson().fromJson(reader, Reference.class);
    }
  }
}
