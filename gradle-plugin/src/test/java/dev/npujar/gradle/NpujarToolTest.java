package dev.npujar.gradle;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.gradle.api.GradleException;
import org.gradle.api.logging.Logger;
import org.gradle.api.logging.Logging;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class NpujarToolTest {
  private static final Logger LOGGER = Logging.getLogger(NpujarToolTest.class);

  @Rule public TemporaryFolder temp = new TemporaryFolder();

  private Path executableIn(String directory) throws Exception {
    Path folder = temp.newFolder(directory).toPath();
    Path file = Files.write(folder.resolve("npujar"), "#!/bin/sh\necho 'npujar 1.2.3'\n".getBytes(StandardCharsets.UTF_8));
    assertTrue(file.toFile().setExecutable(true));
    return file;
  }

  @Test
  public void explicitPathWinsOverPath() throws Exception {
    Path explicit = executableIn("explicit");
    Path onPath = executableIn("on-path");

    NpujarTool tool = NpujarTool.locate(explicit.toString(), onPath.getParent().toString(), LOGGER);

    assertEquals(explicit.toAbsolutePath(), tool.executable());
  }

  @Test
  public void pathIsSearchedInOrder() throws Exception {
    Path first = executableIn("first");
    Path second = executableIn("second");
    String path = temp.getRoot() + "/empty" + File.pathSeparator + first.getParent() + File.pathSeparator
        + second.getParent();

    assertEquals(first.toAbsolutePath(), NpujarTool.locate(null, path, LOGGER).executable());
  }

  @Test
  public void versionIsFirstOutputLine() throws Exception {
    NpujarTool tool = NpujarTool.locate(executableIn("tool").toString(), null, LOGGER);

    assertEquals("npujar 1.2.3", tool.version());
  }

  @Test
  public void missingEverywhereNamesSettingAndPath() {
    String path = temp.getRoot() + "/a" + File.pathSeparator + temp.getRoot() + "/b";
    try {
      NpujarTool.locate(" ", path, LOGGER);
      fail("locate found an npujar in an empty PATH");
    } catch (GradleException error) {
      assertTrue(error.getMessage(), error.getMessage().contains("npujar.executable is not set"));
      assertTrue(error.getMessage(), error.getMessage().contains("PATH (" + path + ")"));
    }
  }
}
