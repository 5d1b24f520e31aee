package dev.npujar.gradle;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import org.gradle.api.Plugin;
import org.gradle.api.Project;
import org.gradle.api.plugins.JavaPlugin;
import org.gradle.api.plugins.JavaPluginConvention;
import org.gradle.api.tasks.SourceSet;

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

    File outputDirectory = new File(project.getBuildDir(), "generated-resources/npujar");
    NpujarPackTask pack = project.getTasks().create(TASK_NAME, NpujarPackTask.class);
    pack.setGroup("build");
    pack.setDescription("Packs the models of npujar.models into .npujar archives.");
    pack.configure(extension, outputDirectory);

    SourceSet main = project.getConvention().getPlugin(JavaPluginConvention.class)
        .getSourceSets().getByName(SourceSet.MAIN_SOURCE_SET_NAME);
    main.getResources().srcDir(outputDirectory);
    project.getTasks().getByName(main.getProcessResourcesTaskName()).dependsOn(pack);

    project.afterEvaluate(evaluated -> addRuntimeDependency(evaluated, extension));
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
