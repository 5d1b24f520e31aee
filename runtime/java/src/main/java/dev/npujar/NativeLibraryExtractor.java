package dev.npujar;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * Copies the JNI library out of the JAR into a cache directory, once per library build.
 *
 * <p>The directory name contains the npujar version and a prefix of the library's SHA-256, so
 * different builds never share a file. A new file is written to a temporary name in the same
 * directory, synced, verified against the SHA-256 and then renamed into place atomically. So a file
 * at the final path is always complete, and later loads reuse it when its size matches, without
 * hashing it again (hashing the 40 MB library took 0.2 to 0.7 s at JVM start on the build machine).
 * Concurrent JVMs each write their own temporary file and the renames replace identical content, so
 * a reader never sees a half-written library; a JVM that already loaded the old file keeps its
 * mapping. Temporary files are deleted on failure, and ones left by a crashed JVM are removed after
 * an hour.
 */
final class NativeLibraryExtractor {
  static final String TEMP_SUFFIX = ".tmp";
  private static final Duration STALE_TEMP_AGE = Duration.ofHours(1);
  private static final int SHA256_PREFIX_LENGTH = 16;

  private NativeLibraryExtractor() {}

  /** Returns the per-build directory under {@code cacheRoot}: {@code <version>-<sha256 prefix>}. */
  static Path versionedDirectory(Path cacheRoot, String version, String sha256) {
    return cacheRoot.resolve(version + "-" + sha256.substring(0, SHA256_PREFIX_LENGTH));
  }

  /**
   * Returns a verified copy of the resource at {@code directory/fileName}, extracting it unless a
   * file of {@code expectedSize} bytes is already there. With {@code expectedSize} -1 (unknown), an
   * existing file is reused only if its SHA-256 matches.
   *
   * @throws IOException if the directory or file cannot be written
   * @throws NativeLibraryException if the extracted bytes do not match {@code expectedSha256}
   */
  static Path extract(
      ResourceOpener resource,
      String expectedSha256,
      long expectedSize,
      Path directory,
      String fileName)
      throws IOException {
    Path target = directory.resolve(fileName);
    if (Files.isRegularFile(target)) {
      boolean complete =
          expectedSize >= 0
              ? Files.size(target) == expectedSize
              : expectedSha256.equals(sha256(target));
      if (complete) {
        return target;
      }
    }

    Files.createDirectories(directory);
    deleteStaleTemporaryFiles(directory, fileName);
    Path temporary = Files.createTempFile(directory, fileName + ".", TEMP_SUFFIX);
    try {
      String actualSha256 = copyAndHash(resource, temporary);
      if (!actualSha256.equals(expectedSha256)) {
        throw new NativeLibraryException(
            "checksum mismatch for the npujar native library extracted to "
                + temporary
                + ": SHA-256 "
                + actualSha256
                + ", expected "
                + expectedSha256
                + "; the JAR is damaged, rebuild or re-download it");
      }
      makeExecutable(temporary);
      moveAtomically(temporary, target);
      return target;
    } finally {
      Files.deleteIfExists(temporary);
    }
  }

  /** Opens the resource's bytes; a seam so tests can feed bytes without a JAR. */
  interface ResourceOpener {
    InputStream open() throws IOException;
  }

  private static String copyAndHash(ResourceOpener resource, Path temporary) throws IOException {
    MessageDigest digest = newSha256();
    byte[] buffer = new byte[1 << 16];
    try (InputStream input = resource.open();
        FileChannel output =
            FileChannel.open(
                temporary, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      int count;
      while ((count = input.read(buffer)) > 0) {
        digest.update(buffer, 0, count);
        ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, count);
        while (chunk.hasRemaining()) {
          output.write(chunk);
        }
      }
      // Synced before the rename, so a crash cannot leave a renamed but empty file behind.
      output.force(true);
    }
    return hex(digest.digest());
  }

  private static void makeExecutable(Path file) throws IOException {
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    } catch (UnsupportedOperationException notPosix) {
      // Windows has no execute bit; loading needs none.
    }
  }

  private static void moveAtomically(Path source, Path target) throws IOException {
    try {
      Files.move(
          source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException notSupported) {
      throw new IOException(
          "the file system of " + target.getParent() + " cannot rename files atomically",
          notSupported);
    } catch (FileSystemException replaceFailed) {
      // Windows refuses to replace a library another process has loaded. The file in place was
      // renamed there after the same verification, so it is as good as ours.
      if (!Files.isRegularFile(target)) {
        throw replaceFailed;
      }
    }
  }

  private static void deleteStaleTemporaryFiles(Path directory, String fileName) {
    Instant cutoff = Instant.now().minus(STALE_TEMP_AGE);
    try (DirectoryStream<Path> entries =
        Files.newDirectoryStream(directory, fileName + ".*" + TEMP_SUFFIX)) {
      for (Path entry : entries) {
        FileTime modified = Files.getLastModifiedTime(entry);
        if (modified.toInstant().isBefore(cutoff)) {
          Files.deleteIfExists(entry);
        }
      }
    } catch (IOException ignored) {
      // Stale files only waste space; extraction itself reports real I/O failures.
    }
  }

  static String sha256(Path file) throws IOException {
    MessageDigest digest = newSha256();
    byte[] buffer = new byte[1 << 16];
    try (InputStream input = Files.newInputStream(file)) {
      int count;
      while ((count = input.read(buffer)) > 0) {
        digest.update(buffer, 0, count);
      }
    }
    return hex(digest.digest());
  }

  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(
          "the JVM provides no SHA-256, which every Java SE JVM must", e);
    }
  }

  private static String hex(byte[] bytes) {
    StringBuilder text = new StringBuilder(bytes.length * 2);
    for (byte value : bytes) {
      text.append(String.format(Locale.ROOT, "%02x", value & 0xff));
    }
    return text.toString();
  }
}
