package dev.npujar.gradle;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Checks the plugin's wiring in real Gradle builds: task order, declared inputs and outputs,
 * resources and the runtime dependency. These builds run {@code test-doubles/npujar-stub.sh}, a
 * test double that writes its arguments instead of an archive; {@link NpujarPluginRealCliTest}
 * packs with the real CLI.
 */
public class NpujarPluginTest {
  @Rule public TemporaryFolder temp = new TemporaryFolder();

  private TestProject project;
  private Path stub;

  @Before
  public void setUp() throws Exception {
    project = new TestProject(temp.getRoot().toPath());
    stub = project.installStub("npujar-stub.sh", "npujar 0.0.0-stub");
  }

  private String modelBlock(String executable, String inputs) {
    return "npujar {\n"
        + "    executable = " + executable + "\n"
        + "    addRuntimeDependency = false\n"
        + "    models {\n"
        + "        create('linear') {\n"
        + "            file = file('models/linear.pt')\n"
        + "            inputs = [" + inputs + "]\n"
        + "            targets = ['cpu-x86-64-v3']\n"
        + "        }\n"
        + "    }\n"
        + "}\n";
  }

  private void writeBuild(Path executable, String inputs) throws Exception {
    project.writeBuildScript(modelBlock(TestProject.quote(executable), inputs));
  }

  @Test
  public void packWritesArchiveWithEveryOption() throws Exception {
    writeBuild(stub, "'x:f32[N,4]'");

    TestProject.Run result = project.build("npujarPack");

    assertEquals("EXECUTED", result.outcome(":npujarPack"));
    File archive = project.file("build/generated-resources/npujar/linear.npujar");
    List<String> arguments = Files.readAllLines(archive.toPath(), StandardCharsets.UTF_8);
    assertEquals(java.util.Arrays.asList("pack", project.file("models/linear.pt").getAbsolutePath(), "-o",
        archive.getAbsolutePath(), "--input", "x:f32[N,4]", "--name", "linear", "--targets", "cpu-x86-64-v3"),
        arguments);
  }

  @Test
  public void secondRunIsUpToDate() throws Exception {
    writeBuild(stub, "'x:f32[N,4]'");
    project.build("npujarPack");

    TestProject.Run second = project.build("npujarPack");

    assertEquals("UP-TO-DATE", second.outcome(":npujarPack"));
  }

  @Test
  public void changedModelFileRerunsPack() throws Exception {
    writeBuild(stub, "'x:f32[N,4]'");
    project.build("npujarPack");
    TestProject.copyResource("/models/linear-retrained.pt", project.directory.resolve("models/linear.pt"));

    TestProject.Run second = project.build("npujarPack");

    assertEquals("EXECUTED", second.outcome(":npujarPack"));
  }

  @Test
  public void changedInputsRerunPack() throws Exception {
    writeBuild(stub, "'x:f32[N,4]'");
    project.build("npujarPack");
    writeBuild(stub, "'x:f32[1,4]'");

    TestProject.Run second = project.build("npujarPack");

    assertEquals("EXECUTED", second.outcome(":npujarPack"));
  }

  @Test
  public void newNpujarVersionRerunsPack() throws Exception {
    writeBuild(stub, "'x:f32[N,4]'");
    project.build("npujarPack");
    Path newer = project.installStub("npujar-stub-newer.sh", "npujar 0.0.1-stub");
    writeBuild(newer, "'x:f32[N,4]'");

    TestProject.Run second = project.build("npujarPack");

    assertEquals("EXECUTED", second.outcome(":npujarPack"));
  }

  @Test
  public void deletedArchiveRerunsPack() throws Exception {
    writeBuild(stub, "'x:f32[N,4]'");
    project.build("npujarPack");
    Files.delete(project.file("build/generated-resources/npujar/linear.npujar").toPath());

    TestProject.Run second = project.build("npujarPack");

    assertEquals("EXECUTED", second.outcome(":npujarPack"));
  }

  @Test
  public void archiveLandsAtJarRoot() throws Exception {
    writeBuild(stub, "'x:f32[N,4]'");

    TestProject.Run result = project.build("jar");

    assertEquals("EXECUTED", result.outcome(":npujarPack"));
    assertEquals("EXECUTED", result.outcome(":processResources"));
    try (JarFile jar = new JarFile(project.file("build/libs/app.jar"))) {
      assertNotNull("linear.npujar is missing from the JAR", jar.getEntry("linear.npujar"));
    }
  }

  @Test
  public void packRunsBeforeProcessResources() throws Exception {
    writeBuild(stub, "'x:f32[N,4]'");

    TestProject.Run result = project.build("processResources", "--dry-run");

    String output = result.output;
    int pack = output.indexOf(":npujarPack SKIPPED");
    int resources = output.indexOf(":processResources SKIPPED");
    assertTrue(output, pack >= 0);
    assertTrue(output, resources > pack);
  }

  @Test
  public void runtimeDependencyIsAdded() throws Exception {
    project.writeBuildScript("npujar {\n    runtimeVersion = '9.8.7'\n}\n"
        + "task printDependencies {\n"
        + "    doLast {\n"
        + "        configurations.implementation.dependencies.each {\n"
        + "            println \"dependency ${it.group}:${it.name}:${it.version}\"\n"
        + "        }\n"
        + "    }\n"
        + "}\n");

    TestProject.Run result = project.build("printDependencies");

    assertTrue(result.output, result.output.contains("dependency dev.npujar:npujar-runtime:9.8.7"));
  }

  @Test
  public void runtimeDependencyDefaultsToPluginVersion() throws Exception {
    project.writeBuildScript("task printDependencies {\n"
        + "    doLast {\n"
        + "        configurations.implementation.dependencies.each {\n"
        + "            println \"dependency ${it.group}:${it.name}:${it.version}\"\n"
        + "        }\n"
        + "    }\n"
        + "}\n");

    TestProject.Run result = project.build("printDependencies");

    String expected = "dependency dev.npujar:npujar-runtime:" + System.getProperty("npujar.plugin.version");
    assertTrue(result.output, result.output.contains(expected));
  }

  @Test
  public void missingConfiguredExecutableFailsNamingSetting() throws Exception {
    Path missing = project.directory.resolve("no-such-dir/npujar");
    writeBuild(missing, "'x:f32[N,4]'");

    TestProject.Run result = project.buildAndFail("npujarPack");

    assertTrue(result.output, result.output.contains("npujar.executable is " + missing));
  }

  @Test
  public void projectPropertyNamesExecutable() throws Exception {
    project.writeBuildScript(modelBlock("null", "'x:f32[N,4]'"));

    TestProject.Run result = project.build("npujarPack", "-Pnpujar.executable=" + stub);

    assertEquals("EXECUTED", result.outcome(":npujarPack"));
    assertTrue(project.file("build/generated-resources/npujar/linear.npujar").isFile());
  }

  @Test
  public void skipPropertySkipsPack() throws Exception {
    writeBuild(project.directory.resolve("no-such-dir/npujar"), "'x:f32[N,4]'");

    TestProject.Run result = project.build("processResources", "-Pnpujar.skip=true");

    assertEquals("SKIPPED", result.outcome(":npujarPack"));
    assertTrue(!project.file("build/generated-resources/npujar/linear.npujar").exists());
  }

  @Test
  public void invalidInputIsRejected() throws Exception {
    writeBuild(stub, "'x:float[N,4]'");

    TestProject.Run result = project.buildAndFail("npujarPack");

    assertTrue(result.output, result.output.contains("invalid input 'x:float[N,4]'"));
  }
}
