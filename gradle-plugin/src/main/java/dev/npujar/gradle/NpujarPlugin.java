package dev.npujar.gradle;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import org.gradle.api.Plugin;
import org.gradle.api.Project;
import org.gradle.api.plugins.JavaPlugin;
import org.gradle.api.tasks.SourceSet;
import org.gradle.api.tasks.SourceSetContainer;

/**
 * The {@code dev.npujar} plugin: adds the {@code npujar} extension and the {@code npujarPack}
 * task, makes the archives resources of the main source set (so they land at the root of the
 * JAR) and adds {@code dev.npujar:npujar-runtime} to the application's dependencies.
 */
public class NpujarPlugin implements Plugin<Project> {
  static final String TASK_NAME = "npujarPack";
  static final String RUNTIME_MODULE = "dev.npujar:npujar-runtime";

  @Override
  public void apply(Project project) {
    project.getPluginManager().apply(JavaPlugin.class);
    NpujarExtension extension =
        project.getExtensions().create("npujar", NpujarExtension.class, project, pluginVersion());

    File outputDirectory =
        project.getLayout().getBuildDirectory().dir("generated-resources/npujar").get().getAsFile();
    NpujarPackTask pack = project.getTasks().create(TASK_NAME, NpujarPackTask.class);
    pack.setGroup("build");
    pack.setDescription("Packs the models of npujar.models into .npujar archives.");
    Object executableProperty = project.findProperty("npujar.executable");
    pack.configure(extension, outputDirectory, executableProperty == null ? null : executableProperty.toString());
    boolean skip = isSkipped(project);
    pack.onlyIf(task -> !skip);

    // "sourceSets" is a convention property up to Gradle 7 and an extension from 7.1 on, when
    // the convention API was deprecated. Looking it up by name works in both.
    SourceSetContainer sourceSets = (SourceSetContainer) project.property("sourceSets");
    SourceSet main = sourceSets.getByName(SourceSet.MAIN_SOURCE_SET_NAME);
    main.getResources().srcDir(outputDirectory);
    project.getTasks().getByName(main.getProcessResourcesTaskName()).dependsOn(pack);

    project.afterEvaluate(evaluated -> addRuntimeDependency(evaluated, extension));
  }

  /** Returns whether the project property {@code npujar.skip} is true, e.g. {@code -Pnpujar.skip=true}. */
  private static boolean isSkipped(Project project) {
    return project.hasProperty("npujar.skip") && Boolean.parseBoolean(String.valueOf(project.property("npujar.skip")));
  }

  private static void addRuntimeDependency(Project project, NpujarExtension extension) {
    if (!extension.isAddRuntimeDependency()) {
      return;
    }
    // "implementation" exists since Gradle 3.4; "compile" is the older name.
    String configuration = project.getConfigurations().findByName("implementation") != null
        ? "implementation"
        : "compile";
    project.getDependencies().add(configuration, RUNTIME_MODULE + ":" + extension.getRuntimeVersion());
  }

  /** Returns the plugin's version, which the build writes into {@code plugin.properties}. */
  static String pluginVersion() {
    Properties properties = new Properties();
    try (InputStream in = NpujarPlugin.class.getResourceAsStream("plugin.properties")) {
      if (in == null) {
        throw new IllegalStateException("plugin.properties is missing from the npujar Gradle plugin JAR");
      }
      properties.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the npujar Gradle plugin's plugin.properties", e);
    }
    return properties.getProperty("version");
  }
}
