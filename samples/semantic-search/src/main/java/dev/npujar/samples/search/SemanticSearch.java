package dev.npujar.samples.search;

import dev.npujar.Model;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Ranks a few documents against a query by the cosine similarity of their all-MiniLM-L6-v2
 * embeddings. The model comes from the JAR ({@code /minilm.npujar}, packed by the npujar Maven
 * plugin) and runs in this process through the npujar runtime.
 *
 * <pre>java -jar target/semantic-search-0.1.0.jar "how do I change my password"</pre>
 */
public final class SemanticSearch {
  static final List<String> DOCUMENTS = List.of(
      "To reset your password, open Settings, choose Security and click 'Forgot password'.",
      "Our office is closed on public holidays.",
      "The quarterly report shows revenue grew by 12 percent.",
      "You can change your login credentials from the account security page.",
      "A man is playing a guitar on the street.",
      "Shipping to Europe takes five to seven business days.",
      "Two-factor authentication adds a second step when you sign in.",
      "The cat sleeps on the warm windowsill.");

  private SemanticSearch() {}

  public static void main(String[] args) {
    String query = args.length > 0 ? String.join(" ", args) : "How do I change my password?";
    BertTokenizer tokenizer = BertTokenizer.fromClasspath("/vocab.txt");

    try (Model model = Model.fromResource("/minilm.npujar")) {
      SentenceEncoder encoder = new SentenceEncoder(model, tokenizer);
      List<String> sentences = new ArrayList<>(DOCUMENTS);
      sentences.add(query);
      double[][] embeddings = encoder.encode(sentences);
      double[] queryEmbedding = embeddings[DOCUMENTS.size()];

      List<Integer> order = new ArrayList<>();
      double[] scores = new double[DOCUMENTS.size()];
      for (int i = 0; i < DOCUMENTS.size(); i++) {
        scores[i] = SentenceEncoder.cosine(queryEmbedding, embeddings[i]);
        order.add(i);
      }
      order.sort(Comparator.comparingDouble((Integer i) -> scores[i]).reversed());

      System.out.println("query: " + query);
      for (int rank = 0; rank < order.size(); rank++) {
        int document = order.get(rank);
        System.out.printf("%d. %.4f  %s%n", rank + 1, scores[document], DOCUMENTS.get(document));
      }
    }
  }
}
