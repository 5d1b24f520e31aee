package dev.npujar;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Load failures that need no packed model. */
class ModelLoadErrorsTest {
  @TempDir Path directory;

  @Test
  void missingFileIsAnIoError() {
    Path missing = directory.resolve("missing.npujar");
    NpujarIOException error = assertThrows(NpujarIOException.class, () -> Model.load(missing));
    assertTrue(error.getMessage().contains(missing.toString()), error.getMessage());
  }

  @Test
  void garbageBytesAreAnInvalidArchive() {
    byte[] garbage =
        "this is not an npujar archive, just text that is long enough"
            .repeat(4)
            .getBytes(StandardCharsets.US_ASCII);
    assertThrows(InvalidArchiveException.class, () -> Model.load(garbage));
  }

  @Test
  void truncatedFileIsAnInvalidArchive() throws Exception {
    Path truncated =
        Files.write(directory.resolve("truncated.npujar"), new byte[] {'N', 'P', 'U', 'J'});
    InvalidArchiveException error =
        assertThrows(InvalidArchiveException.class, () -> Model.load(truncated));
    assertTrue(error.getMessage().contains("truncated"), error.getMessage());
  }

  @Test
  void missingResourceIsAnIoError() {
    NpujarIOException error =
        assertThrows(
            NpujarIOException.class, () -> Model.fromResource("models/not-packaged.npujar"));
    assertTrue(error.getMessage().contains("models/not-packaged.npujar"), error.getMessage());
  }

  @Test
  void nullArgumentsAreRejectedInJava() {
    assertThrows(IllegalArgumentException.class, () -> Model.load((Path) null));
    assertThrows(IllegalArgumentException.class, () -> Model.load(new byte[0], null));
    assertThrows(IllegalArgumentException.class, () -> Model.Options.builder().threads(-1));
    assertThrows(IllegalArgumentException.class, () -> Model.Options.builder().variant(""));
  }
}
