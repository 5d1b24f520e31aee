package dev.npujar.samples.search;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The WordPiece tokenizer of uncased BERT models: {@link BasicTokenizer}, then greedy
 * longest-match-first WordPiece over the model's {@code vocab.txt}, wrapped in [CLS] ... [SEP]
 * and padded to a fixed sequence length. Immutable and safe to share between threads.
 */
public final class BertTokenizer {
  /** Words longer than this many characters become [UNK], as in BERT. */
  private static final int MAX_WORD_CHARS = 100;

  /** Token ids and attention mask of one sentence, both {@code sequenceLength} long. */
  public static final class Encoding {
    public final long[] inputIds;
    public final long[] attentionMask;
    /** How many positions hold tokens; the rest is padding. */
    public final int length;

    Encoding(long[] inputIds, long[] attentionMask, int length) {
      this.inputIds = inputIds;
      this.attentionMask = attentionMask;
      this.length = length;
    }
  }

  private final Map<String, Integer> vocabulary;
  private final int unknownId;
  private final int classifierId;
  private final int separatorId;
  private final int paddingId;

  private BertTokenizer(Map<String, Integer> vocabulary) {
    this.vocabulary = vocabulary;
    this.unknownId = requireToken(vocabulary, "[UNK]");
    this.classifierId = requireToken(vocabulary, "[CLS]");
    this.separatorId = requireToken(vocabulary, "[SEP]");
    this.paddingId = requireToken(vocabulary, "[PAD]");
  }

  /** Reads a vocabulary with one token per line; the line number (from 0) is the token id. */
  public static BertTokenizer fromVocabulary(InputStream vocabulary) {
    Map<String, Integer> ids = new HashMap<>();
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(vocabulary, StandardCharsets.UTF_8))) {
      int id = 0;
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        ids.put(line, id++);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the vocabulary", e);
    }
    return new BertTokenizer(ids);
  }

  /** Reads {@code vocab.txt} from the classpath, where the export script puts it. */
  public static BertTokenizer fromClasspath(String resource) {
    InputStream in = BertTokenizer.class.getResourceAsStream(resource);
    if (in == null) {
      throw new IllegalStateException(resource + " is not on the classpath; run scripts/export-model.sh,"
          + " which copies the model's vocabulary into src/main/resources");
    }
    return fromVocabulary(in);
  }

  private static int requireToken(Map<String, Integer> vocabulary, String token) {
    Integer id = vocabulary.get(token);
    if (id == null) {
      throw new IllegalArgumentException("the vocabulary has no " + token + " token; is it a BERT vocab.txt?");
    }
    return id;
  }

  /** Returns the token ids of {@code text} with [CLS] and [SEP] and without padding or truncation. */
  public List<Integer> tokenIds(String text) {
    List<Integer> ids = new ArrayList<>();
    ids.add(classifierId);
    for (String word : BasicTokenizer.tokenize(text)) {
      appendWordPieces(word, ids);
    }
    ids.add(separatorId);
    return ids;
  }

  /** Encodes {@code text}, truncated to {@code sequenceLength - 2} tokens and padded to {@code sequenceLength}. */
  public Encoding encode(String text, int sequenceLength) {
    if (sequenceLength < 2) {
      throw new IllegalArgumentException("sequenceLength is " + sequenceLength + "; it must fit [CLS] and [SEP]");
    }
    List<Integer> ids = tokenIds(text);
    if (ids.size() > sequenceLength) {
      ids = new ArrayList<>(ids.subList(0, sequenceLength - 1));
      ids.add(separatorId);
    }
    long[] inputIds = new long[sequenceLength];
    long[] attentionMask = new long[sequenceLength];
    for (int i = 0; i < sequenceLength; i++) {
      boolean token = i < ids.size();
      inputIds[i] = token ? ids.get(i) : paddingId;
      attentionMask[i] = token ? 1 : 0;
    }
    return new Encoding(inputIds, attentionMask, ids.size());
  }

  /** Splits one word greedily into the longest vocabulary pieces; a word with no split is [UNK]. */
  private void appendWordPieces(String word, List<Integer> ids) {
    int[] codePoints = word.codePoints().toArray();
    if (codePoints.length > MAX_WORD_CHARS) {
      ids.add(unknownId);
      return;
    }
    List<Integer> pieces = new ArrayList<>();
    int start = 0;
    while (start < codePoints.length) {
      Integer match = null;
      int end = codePoints.length;
      for (; end > start; end--) {
        String piece = (start > 0 ? "##" : "") + new String(codePoints, start, end - start);
        match = vocabulary.get(piece);
        if (match != null) {
          break;
        }
      }
      if (match == null) {
        ids.add(unknownId);
        return;
      }
      pieces.add(match);
      start = end;
    }
    ids.addAll(pieces);
  }
}
