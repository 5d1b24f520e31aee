package dev.npujar;

import java.util.Objects;

/**
 * Which variant of an archive a {@link Model} runs and why the runtime chose it, e.g. {@code
 * cpu-x86-64-v3} because the host has AVX2 and FMA, or a JIT-compiled variant because nothing
 * precompiled fits. Immutable and thread-safe.
 */
public final class VariantInfo {
  private final String name;
  private final String reason;

  VariantInfo(String name, String reason) {
    this.name = Objects.requireNonNull(name, "name");
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /**
   * Returns the variant's name as the archive's manifest lists it, e.g. {@code cpu-x86-64-v3}.
   *
   * @return the variant name
   */
  public String name() {
    return name;
  }

  /**
   * Returns the runtime's explanation of the choice, e.g. the host features that matched.
   *
   * @return the reason, possibly empty
   */
  public String reason() {
    return reason;
  }

  /**
   * Returns {@code name (reason)}.
   *
   * @return the description
   */
  @Override
  public String toString() {
    return reason.isEmpty() ? name : name + " (" + reason + ")";
  }
}
