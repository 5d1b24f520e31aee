package dev.npujar;

/** Checks of public methods' arguments, which throw {@link IllegalArgumentException}. */
final class Arguments {
  private Arguments() {}

  /** Returns {@code value}, or throws if it is null. */
  static <T> T requireNonNull(T value, String name) {
    if (value == null) {
      throw new IllegalArgumentException(name + " must not be null");
    }
    return value;
  }
}
