package dev.npujar.gradle;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assume.assumeTrue;

import java.io.File;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.jar.JarFile;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Packs a real TorchScript model with the real npujar CLI, named by the system property
 * {@code npujar.it.executable}; skipped when the CLI is not built.
 */
public class NpujarPluginRealCliTest {
  @Rule public TemporaryFolder temp = new TemporaryFolder();

  @Test
  public void realPackIsUpToDateOnRerun() throws Exception {
    String configured = System.getProperty("npujar.it.executable", "");
    assumeTrue("npujar.it.executable is not set; the CLI is not built", !configured.isEmpty());
    Path executable = Paths.get(configured);
    assumeTrue("npujar.it.executable " + executable + " is not executable", executable.toFile().canExecute());
    TestProject project = new TestProject(temp.getRoot().toPath());
    project.writeBuildScript("npujar {\n"
        + "    executable = " + TestProject.quote(executable) + "\n"
        + "    addRuntimeDependency = false\n"
        + "    models {\n"
        + "        create('linear') {\n"
        + "            file = file('models/linear.pt')\n"
        + "            inputs = ['x:f32[N,4]']\n"
        // Bitcode compiles in well under a second; CPU variants take tens of seconds each.
        + "            targets = ['bitcode-x86_64']\n"
        + "        }\n"
        + "    }\n"
        + "}\n");

    TestProject.Run first = project.build("jar");
    TestProject.Run second = project.build("jar");

    assertEquals("EXECUTED", first.outcome(":npujarPack"));
    assertEquals("UP-TO-DATE", second.outcome(":npujarPack"));
    File archive = project.file("build/generated-resources/npujar/linear.npujar");
    try (JarFile jar = new JarFile(project.file("build/libs/app.jar"))) {
      assertNotNull("linear.npujar is missing from the JAR", jar.getEntry("linear.npujar"));
      assertEquals(archive.length(), jar.getEntry("linear.npujar").getSize());
    }
  }
}
