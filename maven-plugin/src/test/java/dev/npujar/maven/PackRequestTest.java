package dev.npujar.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PackRequestTest {
  @TempDir Path temp;
  private Path model;
  private Path outputDirectory;

  @BeforeEach
  void createModel() throws IOException {
    model = Files.writeString(temp.resolve("MiniLM.pt"), "not a real model");
    outputDirectory = temp.resolve("out");
  }

  @Test
  void commandListsEveryOption() {
    PackRequest request = PackRequest.of(model,
        List.of("input_ids:i64[N,128]", " attention_mask:i64[N,128] "),
        List.of("cpu-x86-64-v3", "cpu-aarch64"), "minilm.npujar", "minilm", outputDirectory);

    List<String> command = request.command(Paths.get("/opt/npujar"));

    assertEquals(List.of("/opt/npujar", "pack", model.toAbsolutePath().toString(),
        "-o", outputDirectory.resolve("minilm.npujar").toString(),
        "--input", "input_ids:i64[N,128]", "--input", "attention_mask:i64[N,128]",
        "--name", "minilm", "--targets", "cpu-x86-64-v3,cpu-aarch64"), command);
  }

  @Test
  void defaultsOmitNameAndTargets() {
    PackRequest request = PackRequest.of(model, List.of("x:f32[N,3,224,224]"), null, null, " ", outputDirectory);

    assertEquals(outputDirectory.resolve("MiniLM.npujar"), request.outputFile());
    assertNull(request.name());
    assertEquals(List.of("/npujar", "pack", model.toAbsolutePath().toString(), "-o",
        outputDirectory.resolve("MiniLM.npujar").toString(), "--input", "x:f32[N,3,224,224]"),
        request.command(Paths.get("/npujar")));
  }

  @Test
  void multipleOfSymbolIsAccepted() {
    PackRequest request = PackRequest.of(model, List.of("x:f32[4*N,3]"), List.of(), null, null, outputDirectory);

    assertEquals(List.of("x:f32[4*N,3]"), request.inputs());
  }

  @Test
  void scalarInputIsAccepted() {
    PackRequest request = PackRequest.of(model, List.of("scale:f32[]"), List.of(), null, null, outputDirectory);

    assertEquals(List.of("scale:f32[]"), request.inputs());
  }

  @Test
  void missingModelFileIsRejected() {
    Path absent = temp.resolve("absent.pt");

    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> PackRequest.of(absent, List.of("x:f32[1]"), List.of(), null, null, outputDirectory));

    assertTrue(error.getMessage().contains(absent.toString()), error.getMessage());
  }

  @Test
  void emptyInputsAreRejected() {
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> PackRequest.of(model, List.of(), List.of(), null, null, outputDirectory));

    assertTrue(error.getMessage().contains("NAME:DTYPE[DIMS]"), error.getMessage());
  }

  @Test
  void malformedInputsAreRejected() {
    for (String input : List.of("x", "x:f32", "x:f31[N]", "x:f32[N,]", "x:f32(N)", ":f32[N]", "x:f32[N,3]y", "x:f32[N*4]", "x:f32[*N]")) {
      IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
          () -> PackRequest.of(model, List.of(input), List.of(), null, null, outputDirectory), input);
      assertTrue(error.getMessage().contains("'" + input + "'"), error.getMessage());
    }
  }

  @Test
  void outputNameWithDirectoryIsRejected() {
    for (String output : List.of("../escape.npujar", "sub/dir.npujar", ".hidden")) {
      assertThrows(IllegalArgumentException.class,
          () -> PackRequest.of(model, List.of("x:f32[1]"), List.of(), output, null, outputDirectory), output);
    }
  }

  @Test
  void invalidTargetIsRejected() {
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> PackRequest.of(model, List.of("x:f32[1]"), List.of("cpu x86"), null, null, outputDirectory));

    assertTrue(error.getMessage().contains("'cpu x86'"), error.getMessage());
  }
}
