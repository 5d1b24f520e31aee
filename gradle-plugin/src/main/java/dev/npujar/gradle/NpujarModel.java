package dev.npujar.gradle;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

/**
 * One entry of {@code npujar.models}: a TorchScript model and the options it is packed with.
 * The entry's name is the default archive name ({@code NAME.npujar}) and the manifest name.
 *
 * <pre>{@code
 * npujar {
 *     models {
 *         create('minilm') {
 *             file = file('models/minilm.pt')
 *             inputs = ['input_ids:i64[N,128]', 'attention_mask:i64[N,128]']
 *             targets = ['cpu-x86-64-v3']
 *         }
 *     }
 * }
 * }</pre>
 */
public class NpujarModel {
  private final String name;
  private File file;
  private List<String> inputs = new ArrayList<>();
  private List<String> targets = new ArrayList<>();
  private String output;

  public NpujarModel(String name) {
    this.name = name;
  }

  /** The entry's name, given by {@code create(NAME)} or {@code register(NAME)}. */
  public String getName() {
    return name;
  }

  /** The TorchScript model ({@code .pt}) to pack. Required. */
  public File getFile() {
    return file;
  }

  public void setFile(File file) {
    this.file = file;
  }

  /** Input declarations in {@code NAME:DTYPE[DIMS]} form, one per model input. Required. */
  public List<String> getInputs() {
    return inputs;
  }

  public void setInputs(List<String> inputs) {
    this.inputs = new ArrayList<>(inputs);
  }

  /** Variant targets to build, e.g. {@code cpu-x86-64-v3}; empty means the CLI's default set. */
  public List<String> getTargets() {
    return targets;
  }

  public void setTargets(List<String> targets) {
    this.targets = new ArrayList<>(targets);
  }

  /** The archive's file name in the JAR; defaults to {@code NAME.npujar}. */
  public String getOutput() {
    return output == null || output.isEmpty() ? name + ".npujar" : output;
  }

  public void setOutput(String output) {
    this.output = output;
  }
}
