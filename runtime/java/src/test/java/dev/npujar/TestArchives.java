package dev.npujar;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;

/**
 * The packed archives and LibTorch reference files of the model tests, from the directory named by
 * {@code -Dnpujar.test.archives}. scripts/test.sh fills it: {@code tests/models/make_models.py}
 * writes each model's TorchScript file, inputs and LibTorch outputs as .npy plus manifest.txt, and
 * {@code npujar pack} turns the chosen models into {@code <name>.npujar}. Tests that need it are
 * skipped when the property is unset.
 */
final class TestArchives {
  static final String PROPERTY = "npujar.test.archives";

  /** One set of input files and LibTorch's outputs for them. */
  static final class Case {
    final List<Path> inputs = new ArrayList<>();
    final List<Path> outputs = new ArrayList<>();
  }

  /** A model listed in manifest.txt. */
  static final class Entry {
    final String name;
    final List<String> inputSpecs = new ArrayList<>();
    final List<Case> cases = new ArrayList<>();
    final Path archive;

    Entry(String name, Path archive) {
      this.name = name;
      this.archive = archive;
    }
  }

  private TestArchives() {}

  /** The archives directory; skips the calling test when the property is unset. */
  static Path directory() {
    String value = System.getProperty(PROPERTY, "");
    Assumptions.assumeFalse(
        value.isEmpty(),
        "-D" + PROPERTY + " is not set; scripts/test.sh sets it after packing the test models");
    Path directory = Paths.get(value);
    assertTrue(Files.isDirectory(directory), PROPERTY + "=" + value + " is not a directory");
    return directory;
  }

  /** Every model of manifest.txt that has a packed archive, in manifest order. */
  static Map<String, Entry> packedModels() throws IOException {
    Path directory = directory();
    Path manifest = directory.resolve("manifest.txt");
    assertTrue(
        Files.isRegularFile(manifest), manifest + " is missing; run tests/models/make_models.py");
    Map<String, Entry> entries = new LinkedHashMap<>();
    Entry current = null;
    for (String line : Files.readAllLines(manifest)) {
      String[] words = line.trim().split("\\s+");
      switch (words[0]) {
        case "model":
          Path archive = directory.resolve(words[1] + ".npujar");
          current = Files.isRegularFile(archive) ? new Entry(words[1], archive) : null;
          if (current != null) {
            entries.put(current.name, current);
          }
          break;
        case "input":
          if (current != null) {
            current.inputSpecs.add(words[1]);
          }
          break;
        case "case":
          if (current != null) {
            Case testCase = new Case();
            for (String file : words[1].split(",")) {
              testCase.inputs.add(directory.resolve(file));
            }
            for (String file : words[2].split(",")) {
              testCase.outputs.add(directory.resolve(file));
            }
            current.cases.add(testCase);
          }
          break;
        default:
          break;
      }
    }
    if (entries.isEmpty()) {
      fail(
          "no <model>.npujar next to "
              + manifest
              + "; scripts/test.sh packs them with npujar pack");
    }
    return entries;
  }

  /** The named model, which scripts/test.sh always packs; fails if it is missing. */
  static Entry require(String name) throws IOException {
    Entry entry = packedModels().get(name);
    if (entry == null) {
      fail(name + ".npujar is missing from " + directory() + "; scripts/test.sh packs it");
    }
    return entry;
  }
}
