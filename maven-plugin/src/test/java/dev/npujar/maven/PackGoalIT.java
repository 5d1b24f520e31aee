package dev.npujar.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Builds a real project that uses the plugin with a real {@code mvn}. Tests that pack need the
 * real npujar CLI, named by the system property {@code npujar.it.executable}; they are skipped
 * when it is not built yet. The error and skip cases run without it.
 */
class PackGoalIT {
  private static final String ARCHIVE = "target/generated-resources/npujar/linear.npujar";
  private static final String JAR = "target/pack-into-jar-1.0.jar";

  @TempDir Path temp;

  @Test
  void packedArchiveLandsInJar() throws Exception {
    SampleBuild build = SampleBuild.copy("pack-into-jar", temp);

    SampleBuild.Run run = build.mvn("package", "-Dnpujar.executable=" + npujarExecutable());

    assertEquals(0, run.exitCode, run.output);
    assertTrue(Files.isRegularFile(build.directory.resolve(ARCHIVE)), run.output);
    try (JarFile jar = new JarFile(build.directory.resolve(JAR).toFile())) {
      assertNotNull(jar.getEntry("linear.npujar"), "linear.npujar is missing from the JAR");
      assertNull(jar.getEntry("linear.npujar.stamp"), "the stamp must stay out of the JAR");
      assertEquals(Files.size(build.directory.resolve(ARCHIVE)), jar.getEntry("linear.npujar").getSize());
    }
  }

  @Test
  void unchangedModelIsNotRepacked() throws Exception {
    SampleBuild build = SampleBuild.copy("pack-into-jar", temp);
    String executableOption = "-Dnpujar.executable=" + npujarExecutable();
    Path archive = build.directory.resolve(ARCHIVE);
    assertEquals(0, build.mvn("package", executableOption).exitCode);
    FileTime packedAt = FileTime.fromMillis(1_000_000L);
    Files.setLastModifiedTime(archive, packedAt);

    SampleBuild.Run second = build.mvn("package", executableOption);

    assertEquals(0, second.exitCode, second.output);
    assertTrue(second.output.contains("linear.npujar is up to date"), second.output);
    assertEquals(packedAt, Files.getLastModifiedTime(archive));
  }

  @Test
  void changedModelFileIsRepacked() throws Exception {
    SampleBuild build = SampleBuild.copy("pack-into-jar", temp);
    String executableOption = "-Dnpujar.executable=" + npujarExecutable();
    Path archive = build.directory.resolve(ARCHIVE);
    assertEquals(0, build.mvn("package", executableOption).exitCode);
    FileTime packedAt = FileTime.fromMillis(1_000_000L);
    Files.setLastModifiedTime(archive, packedAt);
    Files.copy(Paths.get("src/it/models/linear-retrained.pt"), build.directory.resolve("models/linear.pt"),
        StandardCopyOption.REPLACE_EXISTING);

    SampleBuild.Run second = build.mvn("package", executableOption);

    assertEquals(0, second.exitCode, second.output);
    assertFalse(second.output.contains("is up to date"), second.output);
    assertNotEquals(packedAt, Files.getLastModifiedTime(archive));
  }

  @Test
  void changedOptionsAreRepacked() throws Exception {
    SampleBuild build = SampleBuild.copy("pack-into-jar", temp);
    String executableOption = "-Dnpujar.executable=" + npujarExecutable();
    assertEquals(0, build.mvn("package", executableOption).exitCode);
    Path pom = build.directory.resolve("pom.xml");
    String text = Files.readString(pom, StandardCharsets.UTF_8);
    Files.writeString(pom, text.replace("<name>linear</name>", "<name>linear-renamed</name>"));

    SampleBuild.Run second = build.mvn("package", executableOption);

    assertEquals(0, second.exitCode, second.output);
    assertTrue(second.output.contains("npujar: packing"), second.output);
  }

  @Test
  void missingConfiguredExecutableFailsNamingProperty() throws Exception {
    SampleBuild build = SampleBuild.copy("pack-into-jar", temp);
    Path missing = temp.resolve("no-such-dir/npujar");

    SampleBuild.Run run = build.mvn("package", "-Dnpujar.executable=" + missing);

    assertNotEquals(0, run.exitCode);
    assertTrue(run.output.contains("npujar.executable is " + missing), run.output);
  }

  @Test
  void executableNotOnPathFailsNamingBothPlaces() throws Exception {
    assumeTrue(!Files.exists(Paths.get("/usr/bin/npujar")) && !Files.exists(Paths.get("/bin/npujar")),
        "an npujar is installed in /usr/bin or /bin, so the PATH search would find it");
    SampleBuild build = SampleBuild.copy("pack-into-jar", temp);

    SampleBuild.Run run = build.mvn(Map.of("PATH", "/usr/bin:/bin"), "package");

    assertNotEquals(0, run.exitCode);
    assertTrue(run.output.contains("npujar executable not found"), run.output);
    assertTrue(run.output.contains("npujar.executable is not set"), run.output);
    assertTrue(run.output.contains("PATH (/usr/bin:/bin)"), run.output);
  }

  @Test
  void skipPropertyBuildsJarWithoutArchive() throws Exception {
    SampleBuild build = SampleBuild.copy("pack-into-jar", temp);

    SampleBuild.Run run = build.mvn(Map.of("PATH", "/usr/bin:/bin"), "package", "-Dnpujar.skip=true");

    assertEquals(0, run.exitCode, run.output);
    try (JarFile jar = new JarFile(build.directory.resolve(JAR).toFile())) {
      assertNull(jar.getEntry("linear.npujar"));
    }
  }

  /** Returns the real npujar CLI, or skips the calling test when it is not built. */
  private static Path npujarExecutable() throws IOException {
    String configured = System.getProperty("npujar.it.executable", "");
    assumeTrue(!configured.isBlank(), "npujar.it.executable is not set; the CLI is not built");
    Path executable = Paths.get(configured);
    assumeTrue(Files.isExecutable(executable), "npujar.it.executable " + executable + " is not executable");
    return executable;
  }
}
