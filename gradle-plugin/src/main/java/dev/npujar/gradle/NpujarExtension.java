package dev.npujar.gradle;

import org.gradle.api.Action;
import org.gradle.api.NamedDomainObjectContainer;
import org.gradle.api.Project;

/** The {@code npujar { }} block: the models to pack and where npujar and its runtime come from. */
public class NpujarExtension {
  private final NamedDomainObjectContainer<NpujarModel> models;
  private String executable;
  private String runtimeVersion;
  private boolean addRuntimeDependency = true;

  public NpujarExtension(Project project, String pluginVersion) {
    this.models = project.container(NpujarModel.class, NpujarModel::new);
    this.runtimeVersion = pluginVersion;
  }

  /** The models to pack, one archive each. */
  public NamedDomainObjectContainer<NpujarModel> getModels() {
    return models;
  }

  /** Configures {@link #getModels()}; lets build scripts write {@code models { create('NAME') { } }}. */
  public void models(Action<? super NamedDomainObjectContainer<NpujarModel>> action) {
    action.execute(models);
  }

  /**
   * Path of the npujar executable. When unset, the project property {@code npujar.executable}
   * is used, then {@code PATH} is searched.
   */
  public String getExecutable() {
    return executable;
  }

  public void setExecutable(String executable) {
    this.executable = executable;
  }

  /** Version of {@code dev.npujar:npujar-runtime} added to the application; the plugin's own by default. */
  public String getRuntimeVersion() {
    return runtimeVersion;
  }

  public void setRuntimeVersion(String runtimeVersion) {
    this.runtimeVersion = runtimeVersion;
  }

  /** Whether the plugin adds the runtime library to the application's dependencies. */
  public boolean isAddRuntimeDependency() {
    return addRuntimeDependency;
  }

  public void setAddRuntimeDependency(boolean addRuntimeDependency) {
    this.addRuntimeDependency = addRuntimeDependency;
  }
}
