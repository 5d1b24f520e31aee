package dev.npujar.samples.search;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class BertTokenizerTest {
  private static BertTokenizer tokenizer;
  private static Reference reference;

  @BeforeAll
  static void load() throws Exception {
    tokenizer = BertTokenizer.fromClasspath("/vocab.txt");
    reference = Reference.load();
  }

  @Test
  void idsMatchTransformersTokenizer() {
    assertFalse(reference.sentences.isEmpty());
    for (Reference.Sentence sentence : reference.sentences) {
      assertEquals(sentence.input_ids, tokenizer.tokenIds(sentence.text), sentence.text);
    }
  }

  @Test
  void encodingPadsWithMaskedZeros() {
    BertTokenizer.Encoding encoding = tokenizer.encode("A man is eating food.", 12);

    assertEquals(8, encoding.length);
    assertArrayEquals(new long[] {101, 1037, 2158, 2003, 5983, 2833, 1012, 102, 0, 0, 0, 0}, encoding.inputIds);
    assertArrayEquals(new long[] {1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0}, encoding.attentionMask);
  }

  @Test
  void longTextIsTruncatedBeforeSeparator() {
    String text = String.join(" ", java.util.Collections.nCopies(200, "food"));

    BertTokenizer.Encoding encoding = tokenizer.encode(text, 8);

    assertEquals(8, encoding.length);
    assertEquals(101, encoding.inputIds[0]);
    assertEquals(102, encoding.inputIds[7]);
    assertEquals(List.of(2833L), Arrays.stream(encoding.inputIds, 1, 7).distinct().boxed().collect(
        java.util.stream.Collectors.toList()));
  }
}
