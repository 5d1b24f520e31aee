package dev.npujar.gradle;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.gradle.api.DefaultTask;
import org.gradle.api.GradleException;
import org.gradle.api.tasks.Input;
import org.gradle.api.tasks.InputFiles;
import org.gradle.api.tasks.Internal;
import org.gradle.api.tasks.OutputDirectory;
import org.gradle.api.tasks.PathSensitive;
import org.gradle.api.tasks.PathSensitivity;
import org.gradle.api.tasks.TaskAction;

/**
 * Packs every model of {@code npujar.models} into {@code outputDirectory}. Its inputs are the
 * model files, each model's options and the npujar version, so Gradle reports the task
 * UP_TO_DATE when none of them changed and runs it again when one did.
 */
public class NpujarPackTask extends DefaultTask {
  private static final Pattern INPUT_SPEC =
      Pattern.compile("[A-Za-z_][A-Za-z0-9_.]*:(f32|f16|bf16|i64|i32|i8|u8|bool)"
          + "\\[(DIM(,DIM)*)?\\]".replace("DIM", "(\\d+|(\\d+\\*)?[A-Za-z_][A-Za-z0-9_]*)"));

  private NpujarExtension extension;
  private File outputDirectory;
  private String executableProperty;
  private NpujarTool tool;
  private String toolVersion;

  /**
   * Connects the task to its extension. {@code executableProperty} is the project property
   * {@code npujar.executable}, or null; read at configuration time so that the task action
   * does not touch the Project.
   */
  void configure(NpujarExtension extension, File outputDirectory, String executableProperty) {
    this.extension = extension;
    this.outputDirectory = outputDirectory;
    this.executableProperty = executableProperty;
  }

  /** Returns the TorchScript files of all models. */
  @InputFiles
  @PathSensitive(PathSensitivity.NAME_ONLY)
  public List<File> getModelFiles() {
    List<File> files = new ArrayList<>();
    for (NpujarModel model : extension.getModels()) {
      files.add(requireModelFile(model));
    }
    return files;
  }

  /** Returns one line per model with every option that reaches {@code npujar pack}, paths excluded. */
  @Input
  public List<String> getModelOptions() {
    List<String> options = new ArrayList<>();
    for (NpujarModel model : extension.getModels()) {
      options.add(model.getName() + " output=" + model.getOutput() + " inputs=" + String.join(";", model.getInputs())
          + " targets=" + String.join(",", model.getTargets()));
    }
    return options;
  }

  /** Returns the first line of {@code npujar --version}, so a new npujar re-packs every model. */
  @Input
  public String getNpujarVersion() {
    if (toolVersion == null) {
      toolVersion = tool().version();
    }
    return toolVersion;
  }

  @OutputDirectory
  public File getOutputDirectory() {
    return outputDirectory;
  }

  @Internal
  NpujarTool tool() {
    if (tool == null) {
      String explicit = extension.getExecutable() != null ? extension.getExecutable() : executableProperty;
      tool = NpujarTool.locate(explicit, System.getenv("PATH"), getLogger());
    }
    return tool;
  }

  @TaskAction
  public void pack() {
    validateModels();
    deleteStaleArchives();
    for (NpujarModel model : extension.getModels()) {
      File archive = new File(outputDirectory, model.getOutput());
      getLogger().lifecycle("npujar: packing {} into {}", model.getFile(), archive);
      tool().runOrFail(packArguments(model, archive), "npujar pack of model '" + model.getName() + "'", getLogger());
      if (!archive.isFile()) {
        throw new GradleException("npujar pack exited 0 but wrote no " + archive + "; check the npujar version");
      }
    }
  }

  /** Builds the command line that packs {@code model} into {@code archive}. */
  List<String> packArguments(NpujarModel model, File archive) {
    List<String> command = new ArrayList<>();
    command.add(tool().executable().toString());
    command.add("pack");
    command.add(model.getFile().getAbsolutePath());
    command.add("-o");
    command.add(archive.getAbsolutePath());
    for (String input : model.getInputs()) {
      command.add("--input");
      command.add(input);
    }
    command.add("--name");
    command.add(model.getName());
    if (!model.getTargets().isEmpty()) {
      command.add("--targets");
      command.add(String.join(",", model.getTargets()));
    }
    return command;
  }

  private void validateModels() {
    if (extension.getModels().isEmpty()) {
      throw new GradleException("npujar.models is empty; add one with npujar { models { create('NAME') {"
          + " file = file('model.pt'); inputs = ['x:f32[N,4]'] } } }");
    }
    Set<String> outputs = new HashSet<>();
    for (NpujarModel model : extension.getModels()) {
      if (model.getInputs().isEmpty()) {
        throw new GradleException("npujar model '" + model.getName() + "' has no inputs; declare each as"
            + " NAME:DTYPE[DIMS], e.g. inputs = ['input_ids:i64[N,128]']");
      }
      for (String input : model.getInputs()) {
        if (!INPUT_SPEC.matcher(input).matches()) {
          throw new GradleException("npujar model '" + model.getName() + "': invalid input '" + input
              + "'; expected NAME:DTYPE[DIMS] with DTYPE one of f32, f16, bf16, i64, i32, i8, u8, bool");
        }
      }
      String output = model.getOutput();
      if (output.contains("/") || output.contains("\\") || output.startsWith(".")) {
        throw new GradleException("npujar model '" + model.getName() + "': invalid output '" + output
            + "'; use a plain file name such as minilm.npujar");
      }
      if (!outputs.add(output)) {
        throw new GradleException("two npujar models write " + output + "; give each its own output");
      }
    }
  }

  private File requireModelFile(NpujarModel model) {
    File file = model.getFile();
    if (file == null) {
      throw new GradleException("npujar model '" + model.getName() + "' has no file; set file = file('model.pt')");
    }
    if (!file.isFile()) {
      throw new GradleException("npujar model '" + model.getName() + "': model file " + file
          + " not found; export the model first or fix its file setting");
    }
    return file;
  }

  /** Removes archives of models that are no longer configured, so they leave the JAR too. */
  private void deleteStaleArchives() {
    File[] existing = outputDirectory.listFiles();
    if (existing == null) {
      return;
    }
    Set<String> expected = new HashSet<>();
    for (NpujarModel model : extension.getModels()) {
      expected.add(model.getOutput());
    }
    for (File file : existing) {
      if (!expected.contains(file.getName())) {
        try {
          Files.deleteIfExists(file.toPath());
        } catch (IOException e) {
          throw new GradleException("cannot delete stale archive " + file + ": " + e.getMessage(), e);
        }
      }
    }
  }
}
