package dev.npujar.maven;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The record of what produced an archive: the npujar version, the SHA-256 of the model file and
 * the pack options. An archive is up to date when it exists and its stamp file holds exactly the
 * stamp computed now. The stamp lives outside the resource directory, so it never enters the JAR.
 */
final class PackStamp {
  private final String text;

  private PackStamp(String text) {
    this.text = text;
  }

  static PackStamp compute(PackRequest request, String npujarVersion) throws IOException {
    return new PackStamp("npujar-version=" + npujarVersion
        + "\nmodel-sha256=" + sha256(request.modelFile())
        + "\n" + request.optionsFingerprint()
        + "\n");
  }

  /** Returns whether {@code stampFile} records this stamp. A missing or unreadable file does not. */
  boolean matches(Path stampFile) {
    try {
      return Files.isRegularFile(stampFile)
          && Files.readString(stampFile, StandardCharsets.UTF_8).equals(text);
    } catch (IOException e) {
      return false;
    }
  }

  /** Writes the stamp through a temporary file and a rename, so no half-written stamp remains. */
  void write(Path stampFile) throws IOException {
    Files.createDirectories(stampFile.getParent());
    Path temporary = Files.createTempFile(stampFile.getParent(), stampFile.getFileName().toString(), ".tmp");
    try {
      Files.writeString(temporary, text, StandardCharsets.UTF_8);
      Files.move(temporary, stampFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(temporary);
    }
  }

  private static String sha256(Path file) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM, which every Java SE has", e);
    }
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    }
    StringBuilder hex = new StringBuilder();
    for (byte b : digest.digest()) {
      hex.append(String.format("%02x", b));
    }
    return hex.toString();
  }
}
