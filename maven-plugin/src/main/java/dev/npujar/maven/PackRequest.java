package dev.npujar.maven;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A validated request to pack one model: the model file, its options and the archive to write.
 * Immutable. Construction rejects what {@code npujar pack} would reject later, so that the error
 * names the POM entry instead of surfacing as CLI output.
 */
public final class PackRequest {
  /** {@code NAME:DTYPE[DIMS]}, where each dimension is a number, a symbol such as N or a multiple such as 4*N. */
  private static final Pattern INPUT_SPEC =
      Pattern.compile("[A-Za-z_][A-Za-z0-9_.]*:(f32|f16|bf16|i64|i32|i8|u8|bool)"
          + "\\[(DIM(,DIM)*)?\\]".replace("DIM", "(\\d+|(\\d+\\*)?[A-Za-z_][A-Za-z0-9_]*)"));

  private static final Pattern TARGET = Pattern.compile("[a-z0-9][a-z0-9_.-]*");

  private final Path modelFile;
  private final Path outputFile;
  private final List<String> inputs;
  private final List<String> targets;
  private final String name;

  private PackRequest(
      Path modelFile, Path outputFile, List<String> inputs, List<String> targets, String name) {
    this.modelFile = modelFile;
    this.outputFile = outputFile;
    this.inputs = List.copyOf(inputs);
    this.targets = List.copyOf(targets);
    this.name = name;
  }

  /**
   * Validates one model entry and resolves its archive path under {@code outputDirectory}.
   *
   * @throws IllegalArgumentException naming the entry and the invalid value
   */
  public static PackRequest of(
      Path modelFile,
      List<String> inputs,
      List<String> targets,
      String outputName,
      String name,
      Path outputDirectory) {
    if (modelFile == null) {
      throw new IllegalArgumentException("a <model> entry has no <file>; set it to a TorchScript .pt file");
    }
    if (!Files.isRegularFile(modelFile)) {
      throw new IllegalArgumentException(
          "model file " + modelFile + " not found; export the model first or fix <file>");
    }
    if (inputs == null || inputs.isEmpty()) {
      throw new IllegalArgumentException(
          "model " + modelFile + " has no <inputs>; declare each as NAME:DTYPE[DIMS],"
              + " e.g. input_ids:i64[N,128]");
    }
    for (String input : inputs) {
      if (input == null || !INPUT_SPEC.matcher(input.trim()).matches()) {
        throw new IllegalArgumentException(
            "model " + modelFile + ": invalid input '" + input + "'; expected NAME:DTYPE[DIMS]"
                + " with DTYPE one of f32, f16, bf16, i64, i32, i8, u8, bool, e.g. x:f32[N,3,224,224]");
      }
    }
    List<String> targetList = targets == null ? List.of() : targets;
    for (String target : targetList) {
      if (target == null || !TARGET.matcher(target.trim()).matches()) {
        throw new IllegalArgumentException(
            "model " + modelFile + ": invalid target '" + target + "'; expected a name such as cpu-x86-64-v3");
      }
    }

    String archiveName = outputName == null || outputName.isBlank()
        ? defaultArchiveName(modelFile)
        : outputName.trim();
    if (archiveName.contains("/") || archiveName.contains("\\") || archiveName.startsWith(".")) {
      throw new IllegalArgumentException(
          "model " + modelFile + ": invalid output name '" + outputName
              + "'; use a plain file name such as minilm.npujar");
    }

    return new PackRequest(
        modelFile.toAbsolutePath().normalize(),
        outputDirectory.resolve(archiveName),
        trimAll(inputs),
        trimAll(targetList),
        name == null || name.isBlank() ? null : name.trim());
  }

  private static String defaultArchiveName(Path modelFile) {
    String fileName = modelFile.getFileName().toString();
    int dot = fileName.lastIndexOf('.');
    String stem = dot > 0 ? fileName.substring(0, dot) : fileName;
    return stem.toLowerCase(Locale.ROOT).endsWith(".npujar") ? stem : stem + ".npujar";
  }

  private static List<String> trimAll(List<String> values) {
    return values.stream().map(String::trim).collect(java.util.stream.Collectors.toList());
  }

  public Path modelFile() {
    return modelFile;
  }

  public Path outputFile() {
    return outputFile;
  }

  public List<String> inputs() {
    return inputs;
  }

  public List<String> targets() {
    return targets;
  }

  /** Returns the manifest name, or null for the CLI's default. */
  public String name() {
    return name;
  }

  /**
   * Builds the {@code npujar pack} command line for this request.
   *
   * @param executable the npujar executable to run
   */
  public List<String> command(Path executable) {
    List<String> command = new java.util.ArrayList<>();
    command.add(executable.toString());
    command.add("pack");
    command.add(modelFile.toString());
    command.add("-o");
    command.add(outputFile.toString());
    for (String input : inputs) {
      command.add("--input");
      command.add(input);
    }
    if (name != null) {
      command.add("--name");
      command.add(name);
    }
    if (!targets.isEmpty()) {
      command.add("--targets");
      command.add(String.join(",", targets));
    }
    return command;
  }

  /**
   * Returns the options that decide the archive's content, in a fixed order, excluding paths:
   * moving the project does not force a re-pack.
   */
  String optionsFingerprint() {
    return "output=" + outputFile.getFileName()
        + "\ninputs=" + String.join(";", inputs)
        + "\ntargets=" + String.join(",", targets)
        + "\nname=" + (name == null ? "" : name);
  }
}
