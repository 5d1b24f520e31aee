package dev.npujar.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.logging.SystemStreamLog;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks the up-to-date logic of {@link PackRunner} with a test double of the CLI
 * ({@code test-doubles/npujar-stub.sh}); the integration tests repeat these cases with the real CLI.
 */
class PackRunnerTest {
  @TempDir Path temp;
  private Path stub;
  private Path model;

  @BeforeEach
  void setUp() throws IOException {
    stub = temp.resolve("npujar-stub.sh");
    try (InputStream in = getClass().getResourceAsStream("/test-doubles/npujar-stub.sh")) {
      Files.copy(in, stub);
    }
    assertTrue(stub.toFile().setExecutable(true));
    model = Files.writeString(temp.resolve("model.pt"), "weights v1");
  }

  private PackRunner runner() {
    return new PackRunner(stub, temp.resolve("stamps"), new SystemStreamLog());
  }

  private PackRequest request(String... inputs) {
    return PackRequest.of(model, List.of(inputs), List.of(), null, null, temp.resolve("out"));
  }

  @Test
  void versionIsFirstOutputLine() throws Exception {
    assertEquals("npujar 0.0.0-stub", runner().version());
  }

  @Test
  void firstPackRunsTool() throws Exception {
    PackRequest request = request("x:f32[N,4]");

    assertEquals(PackRunner.Outcome.PACKED, runner().pack(request));

    List<String> arguments = Files.readAllLines(request.outputFile());
    assertEquals(request.command(stub).subList(1, request.command(stub).size()), arguments);
  }

  @Test
  void unchangedRequestIsUpToDate() throws Exception {
    runner().pack(request("x:f32[N,4]"));

    assertEquals(PackRunner.Outcome.UP_TO_DATE, runner().pack(request("x:f32[N,4]")));
  }

  @Test
  void changedModelFileIsRepacked() throws Exception {
    runner().pack(request("x:f32[N,4]"));
    Files.writeString(model, "weights v2");

    assertEquals(PackRunner.Outcome.PACKED, runner().pack(request("x:f32[N,4]")));
  }

  @Test
  void changedOptionsAreRepacked() throws Exception {
    runner().pack(request("x:f32[N,4]"));

    assertEquals(PackRunner.Outcome.PACKED, runner().pack(request("x:f32[N,8]")));
  }

  @Test
  void deletedArchiveIsRepacked() throws Exception {
    PackRequest request = request("x:f32[N,4]");
    runner().pack(request);
    Files.delete(request.outputFile());

    assertEquals(PackRunner.Outcome.PACKED, runner().pack(request));
  }

  @Test
  void failedPackReportsOutputAndDropsStamp() throws Exception {
    Path failing = temp.resolve("failing-npujar-stub.sh");
    Files.writeString(failing, Files.readString(stub).replace("[ -n \"$NPUJAR_STUB_FAIL\" ]", "true"));
    assertTrue(failing.toFile().setExecutable(true));
    runner().pack(request("x:f32[N,4]"));
    Files.writeString(model, "weights v2");
    PackRunner runner = new PackRunner(failing, temp.resolve("stamps"), new SystemStreamLog());

    MojoExecutionException error = assertThrows(MojoExecutionException.class,
        () -> runner.pack(request("x:f32[N,4]")));

    assertTrue(error.getMessage().contains("exit status 3"), error.getMessage());
    assertTrue(error.getMessage().contains("stub: failing on request"), error.getMessage());
    assertFalse(Files.exists(temp.resolve("stamps/model.npujar.stamp")));
  }
}
