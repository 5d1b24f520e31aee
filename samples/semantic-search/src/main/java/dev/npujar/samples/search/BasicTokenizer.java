package dev.npujar.samples.search;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * BERT's basic tokenizer for uncased models: removes control characters, normalizes whitespace,
 * puts spaces around CJK ideographs, lower-cases, strips accents and splits off punctuation.
 * It follows the rules of {@code BasicTokenizer} in Hugging Face transformers (with
 * {@code do_lower_case=True} and {@code tokenize_chinese_chars=True}), working on Unicode
 * code points so that characters outside the BMP count as one character.
 */
final class BasicTokenizer {
  private BasicTokenizer() {}

  /** Splits {@code text} into lower-cased words and single punctuation characters. */
  static List<String> tokenize(String text) {
    String cleaned = spaceOutCjk(clean(text));
    List<String> tokens = new ArrayList<>();
    for (String word : cleaned.trim().split(" +")) {
      if (word.isEmpty()) {
        continue;
      }
      splitPunctuation(stripAccents(word.toLowerCase(Locale.ROOT)), tokens);
    }
    return tokens;
  }

  /** Drops NUL, U+FFFD and control characters and turns every whitespace character into a space. */
  private static String clean(String text) {
    StringBuilder out = new StringBuilder(text.length());
    text.codePoints().forEach(cp -> {
      if (cp == 0 || cp == 0xFFFD || isControl(cp)) {
        return;
      }
      out.appendCodePoint(isWhitespace(cp) ? ' ' : cp);
    });
    return out.toString();
  }

  private static String spaceOutCjk(String text) {
    StringBuilder out = new StringBuilder(text.length());
    text.codePoints().forEach(cp -> {
      if (isCjk(cp)) {
        out.append(' ').appendCodePoint(cp).append(' ');
      } else {
        out.appendCodePoint(cp);
      }
    });
    return out.toString();
  }

  private static String stripAccents(String word) {
    StringBuilder out = new StringBuilder(word.length());
    Normalizer.normalize(word, Normalizer.Form.NFD).codePoints().forEach(cp -> {
      if (Character.getType(cp) != Character.NON_SPACING_MARK) {
        out.appendCodePoint(cp);
      }
    });
    return out.toString();
  }

  private static void splitPunctuation(String word, List<String> tokens) {
    StringBuilder current = new StringBuilder();
    for (int cp : word.codePoints().toArray()) {
      if (isPunctuation(cp)) {
        if (current.length() > 0) {
          tokens.add(current.toString());
          current.setLength(0);
        }
        tokens.add(new String(Character.toChars(cp)));
      } else {
        current.appendCodePoint(cp);
      }
    }
    if (current.length() > 0) {
      tokens.add(current.toString());
    }
  }

  private static boolean isWhitespace(int cp) {
    return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r'
        || Character.getType(cp) == Character.SPACE_SEPARATOR;
  }

  private static boolean isControl(int cp) {
    if (cp == '\t' || cp == '\n' || cp == '\r') {
      return false;
    }
    int type = Character.getType(cp);
    return type == Character.CONTROL || type == Character.FORMAT;
  }

  /** ASCII symbols count as punctuation, as in BERT, besides every Unicode P* category. */
  private static boolean isPunctuation(int cp) {
    if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)) {
      return true;
    }
    switch (Character.getType(cp)) {
      case Character.CONNECTOR_PUNCTUATION:
      case Character.DASH_PUNCTUATION:
      case Character.START_PUNCTUATION:
      case Character.END_PUNCTUATION:
      case Character.INITIAL_QUOTE_PUNCTUATION:
      case Character.FINAL_QUOTE_PUNCTUATION:
      case Character.OTHER_PUNCTUATION:
        return true;
      default:
        return false;
    }
  }

  /** Returns whether {@code cp} lies in the CJK Unified Ideographs blocks, which BERT treats as one-character words. */
  private static boolean isCjk(int cp) {
    return (cp >= 0x4E00 && cp <= 0x9FFF)
        || (cp >= 0x3400 && cp <= 0x4DBF)
        || (cp >= 0x20000 && cp <= 0x2A6DF)
        || (cp >= 0x2A700 && cp <= 0x2B73F)
        || (cp >= 0x2B740 && cp <= 0x2B81F)
        || (cp >= 0x2B820 && cp <= 0x2CEAF)
        || (cp >= 0xF900 && cp <= 0xFAFF)
        || (cp >= 0x2F800 && cp <= 0x2FA1F);
  }
}
