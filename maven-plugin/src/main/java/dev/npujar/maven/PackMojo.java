package dev.npujar.maven;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.maven.model.Resource;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;

/**
 * Packs TorchScript models into {@code .npujar} archives with {@code npujar pack} and adds the
 * output directory to the project's resources, so the archives land at the root of the JAR and
 * load with {@code Model.fromResource("/NAME.npujar")}. A model is packed again only when its
 * file, its options or the npujar version changed.
 */
@Mojo(name = "pack", defaultPhase = LifecyclePhase.GENERATE_RESOURCES, threadSafe = true)
public class PackMojo extends AbstractMojo {
  @Parameter(defaultValue = "${project}", readonly = true, required = true)
  private MavenProject project;

  /** The models to pack; see {@link Model} for the fields of each entry. */
  @Parameter(required = true)
  private List<Model> models;

  /** Path of the npujar executable. When unset, the goal searches {@code PATH}. */
  @Parameter(property = "npujar.executable")
  private String executable;

  /** Skips packing, and adds no resource directory. */
  @Parameter(property = "npujar.skip", defaultValue = "false")
  private boolean skip;

  /** Where the archives are written; this directory becomes a resource directory. */
  @Parameter(
      property = "npujar.outputDirectory",
      defaultValue = "${project.build.directory}/generated-resources/npujar",
      required = true)
  private File outputDirectory;

  /** Where the up-to-date stamps are kept, outside the resources. */
  @Parameter(defaultValue = "${project.build.directory}/npujar-stamps", readonly = true, required = true)
  private File stampDirectory;

  @Override
  public void execute() throws MojoExecutionException, MojoFailureException {
    if (skip) {
      getLog().info("npujar: skipped because npujar.skip is true");
      return;
    }

    List<PackRequest> requests = validateModels();
    Path tool = ExecutableLocator.locate(executable, System.getenv("PATH"), getLog());
    PackRunner runner = new PackRunner(tool, stampDirectory.toPath(), getLog());
    try {
      for (PackRequest request : requests) {
        runner.pack(request);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MojoExecutionException("npujar: interrupted while packing models", e);
    }

    addResourceDirectory();
  }

  private List<PackRequest> validateModels() throws MojoFailureException {
    if (models == null || models.isEmpty()) {
      throw new MojoFailureException("npujar: <models> is empty; add a <model> with <file> and <inputs>");
    }
    List<PackRequest> requests = new ArrayList<>();
    Set<Path> archives = new HashSet<>();
    for (Model model : models) {
      try {
        requests.add(PackRequest.of(
            model.getFile() == null ? null : model.getFile().toPath(),
            model.getInputs(),
            model.getTargets(),
            model.getOutput(),
            model.getName(),
            outputDirectory.toPath()));
      } catch (IllegalArgumentException e) {
        throw new MojoFailureException("npujar: " + e.getMessage(), e);
      }
      PackRequest added = requests.get(requests.size() - 1);
      if (!archives.add(added.outputFile())) {
        throw new MojoFailureException("npujar: two models write " + added.outputFile().getFileName()
            + "; give each <model> its own <output>");
      }
    }
    return requests;
  }

  private void addResourceDirectory() {
    String directory = outputDirectory.getAbsolutePath();
    for (Resource existing : project.getResources()) {
      if (directory.equals(existing.getDirectory())) {
        return;
      }
    }
    Resource resource = new Resource();
    resource.setDirectory(directory);
    project.addResource(resource);
  }
}
