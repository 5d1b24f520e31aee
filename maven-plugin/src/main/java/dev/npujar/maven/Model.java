package dev.npujar.maven;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

/**
 * One {@code <model>} entry of the {@code pack} goal's configuration. Maven fills the fields
 * by name from the POM, so they keep the names of the XML elements.
 *
 * <pre>{@code
 * <model>
 *   <file>${project.basedir}/models/minilm.pt</file>
 *   <inputs>
 *     <input>input_ids:i64[N,128]</input>
 *     <input>attention_mask:i64[N,128]</input>
 *   </inputs>
 *   <targets><target>cpu-x86-64-v3</target></targets>
 *   <output>minilm.npujar</output>
 * </model>
 * }</pre>
 */
public class Model {
  /** The TorchScript model ({@code .pt}) to pack. Required. */
  private File file;

  /** Input declarations in {@code NAME:DTYPE[DIMS]} form, one per model input. Required. */
  private List<String> inputs = new ArrayList<>();

  /** Variant targets to build; empty means the CLI's default set. */
  private List<String> targets = new ArrayList<>();

  /** The archive's file name inside the JAR; defaults to the model's base name + .npujar. */
  private String output;

  /** The model name written into the manifest; empty means the CLI's default. */
  private String name;

  public File getFile() {
    return file;
  }

  public void setFile(File file) {
    this.file = file;
  }

  public List<String> getInputs() {
    return inputs;
  }

  public void setInputs(List<String> inputs) {
    this.inputs = inputs;
  }

  public List<String> getTargets() {
    return targets;
  }

  public void setTargets(List<String> targets) {
    this.targets = targets;
  }

  public String getOutput() {
    return output;
  }

  public void setOutput(String output) {
    this.output = output;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }
}
