package dev.npujar;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativeLibraryExtractorTest {
  private static final String FILE = "libnpujar_jni.so";

  @TempDir Path cache;

  private final byte[] library = randomBytes(300_000);
  private final String sha256 = sha256Of(library);

  private static byte[] randomBytes(int size) {
    byte[] bytes = new byte[size];
    new Random(42).nextBytes(bytes);
    return bytes;
  }

  private static String sha256Of(byte[] bytes) {
    try {
      StringBuilder text = new StringBuilder();
      for (byte value : MessageDigest.getInstance("SHA-256").digest(bytes)) {
        text.append(String.format("%02x", value & 0xff));
      }
      return text.toString();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private NativeLibraryExtractor.ResourceOpener opener(byte[] bytes, AtomicInteger opens) {
    return () -> {
      opens.incrementAndGet();
      return new ByteArrayInputStream(bytes);
    };
  }

  private List<String> listing(Path directory) throws IOException {
    try (Stream<Path> files = Files.list(directory)) {
      return files.map(path -> path.getFileName().toString()).sorted().collect(Collectors.toList());
    }
  }

  @Test
  void extractsVerifiedExecutableCopy() throws IOException {
    Path directory = NativeLibraryExtractor.versionedDirectory(cache, "1.2.3", sha256);
    Path extracted =
        NativeLibraryExtractor.extract(
            opener(library, new AtomicInteger()), sha256, library.length, directory, FILE);

    assertEquals(cache.resolve("1.2.3-" + sha256.substring(0, 16)).resolve(FILE), extracted);
    assertArrayEquals(library, Files.readAllBytes(extracted));
    assertTrue(Files.isExecutable(extracted));
    assertEquals(List.of(FILE), listing(directory));
  }

  @Test
  void reusesAnExistingVerifiedCopy() throws IOException {
    Path directory = cache.resolve("v");
    AtomicInteger opens = new AtomicInteger();
    Path first =
        NativeLibraryExtractor.extract(
            opener(library, opens), sha256, library.length, directory, FILE);
    FileTime written = FileTime.from(Instant.parse("2020-01-01T00:00:00Z"));
    Files.setLastModifiedTime(first, written);

    Path second =
        NativeLibraryExtractor.extract(
            opener(library, opens), sha256, library.length, directory, FILE);

    assertEquals(first, second);
    assertEquals(1, opens.get());
    assertEquals(written, Files.getLastModifiedTime(second));
  }

  @Test
  void replacesACorruptedCopy() throws IOException {
    Path directory = cache.resolve("v");
    Files.createDirectories(directory);
    Files.write(directory.resolve(FILE), new byte[] {1, 2, 3});

    Path extracted =
        NativeLibraryExtractor.extract(
            opener(library, new AtomicInteger()), sha256, library.length, directory, FILE);

    assertArrayEquals(library, Files.readAllBytes(extracted));
  }

  @Test
  void unknownSizeReusesOnlyAMatchingChecksum() throws IOException {
    Path directory = cache.resolve("v");
    Files.createDirectories(directory);
    byte[] sameSizeOtherContent = new byte[library.length];
    Files.write(directory.resolve(FILE), sameSizeOtherContent);
    AtomicInteger opens = new AtomicInteger();

    Path extracted =
        NativeLibraryExtractor.extract(opener(library, opens), sha256, -1, directory, FILE);

    assertArrayEquals(library, Files.readAllBytes(extracted));
    assertEquals(1, opens.get());
    NativeLibraryExtractor.extract(opener(library, opens), sha256, -1, directory, FILE);
    assertEquals(1, opens.get());
  }

  @Test
  void checksumMismatchLeavesNoFile() throws IOException {
    Path directory = cache.resolve("v");
    byte[] damaged = library.clone();
    damaged[1000] ^= 1;

    NativeLibraryException error =
        assertThrows(
            NativeLibraryException.class,
            () ->
                NativeLibraryExtractor.extract(
                    opener(damaged, new AtomicInteger()), sha256, library.length, directory, FILE));

    assertTrue(error.getMessage().contains("checksum mismatch"), error.getMessage());
    assertTrue(error.getMessage().contains(sha256), error.getMessage());
    assertEquals(List.of(), listing(directory));
  }

  @Test
  void readFailureLeavesNoTemporaryFile() throws IOException {
    Path directory = cache.resolve("v");
    NativeLibraryExtractor.ResourceOpener failing =
        () ->
            new InputStream() {
              private int served;

              @Override
              public int read() throws IOException {
                if (served++ > 1000) {
                  throw new IOException("simulated read failure");
                }
                return 0;
              }
            };

    assertThrows(
        IOException.class,
        () -> NativeLibraryExtractor.extract(failing, sha256, library.length, directory, FILE));
    assertEquals(List.of(), listing(directory));
  }

  @Test
  void unwritableDirectoryFails() throws IOException {
    Path file = Files.write(cache.resolve("plain-file"), new byte[] {0});
    Path directory = file.resolve("sub");

    assertThrows(
        IOException.class,
        () ->
            NativeLibraryExtractor.extract(
                opener(library, new AtomicInteger()), sha256, library.length, directory, FILE));
  }

  @Test
  void removesStaleTemporaryFiles() throws IOException {
    Path directory = cache.resolve("v");
    Files.createDirectories(directory);
    Path stale =
        Files.write(
            directory.resolve(FILE + ".123" + NativeLibraryExtractor.TEMP_SUFFIX), new byte[10]);
    Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minusSeconds(7200)));
    Path fresh =
        Files.write(
            directory.resolve(FILE + ".456" + NativeLibraryExtractor.TEMP_SUFFIX), new byte[10]);

    NativeLibraryExtractor.extract(
        opener(library, new AtomicInteger()), sha256, library.length, directory, FILE);

    assertFalse(Files.exists(stale));
    assertTrue(Files.exists(fresh), "a temporary file of a running extraction must survive");
  }

  @Test
  void concurrentExtractionsAgree() throws Exception {
    Path directory = cache.resolve("v");
    int threads = 8;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Path>> results = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        Callable<Path> task =
            () -> {
              start.await();
              return NativeLibraryExtractor.extract(
                  opener(library, new AtomicInteger()), sha256, library.length, directory, FILE);
            };
        results.add(pool.submit(task));
      }
      start.countDown();
      for (Future<Path> result : results) {
        Path extracted = result.get();
        assertArrayEquals(library, Files.readAllBytes(extracted));
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(List.of(FILE), listing(directory));
  }
}
