package dev.npujar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the packed test models and compares every output with LibTorch's. Needs {@code
 * -Dnpujar.test.archives}, see {@link TestArchives}.
 */
class ModelRunTest {
  /** A model with one f32 input [N, ...] whose rows are computed independently. */
  static final String ROW_MODEL = System.getProperty("npujar.test.rowModel", "mlp_traced");

  @TestFactory
  Stream<DynamicTest> everyPackedModelMatchesLibTorch() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    for (TestArchives.Entry entry : TestArchives.packedModels().values()) {
      tests.add(DynamicTest.dynamicTest(entry.name, () -> checkModel(entry)));
    }
    return tests.stream();
  }

  private static void checkModel(TestArchives.Entry entry) throws IOException {
    try (Model model = Model.load(entry.archive)) {
      assertDescriptorsMatchSpecs(entry, model.inputs());
      for (int c = 0; c < entry.cases.size(); c++) {
        TestArchives.Case testCase = entry.cases.get(c);
        List<Tensor> inputs = Reference.inputs(testCase);
        try (Outputs outputs = model.run(inputs.toArray(new Tensor[0]))) {
          assertEquals(testCase.outputs.size(), outputs.size(), entry.name + ": output count");
          for (int o = 0; o < outputs.size(); o++) {
            Reference.assertMatches(
                testCase.outputs.get(o),
                outputs.get(o),
                entry.name + " case " + c + " output " + o);
          }
        } finally {
          Reference.closeAll(inputs);
        }
      }
    }
  }

  /** Compares descriptors with the {@code --input} specs, e.g. {@code x:f32[N,20]}. */
  private static void assertDescriptorsMatchSpecs(
      TestArchives.Entry entry, List<TensorInfo> inputs) {
    assertEquals(entry.inputSpecs.size(), inputs.size(), entry.name + ": input count");
    for (int i = 0; i < inputs.size(); i++) {
      String spec = entry.inputSpecs.get(i);
      String name = spec.substring(0, spec.indexOf(':'));
      String dtypeAndShape = spec.substring(spec.indexOf(':') + 1);
      assertEquals(
          name + ": " + dtypeAndShape, inputs.get(i).toString(), entry.name + ": input " + i);
    }
  }

  private static Map<String, Tensor> named(Model model, List<Tensor> tensors) {
    Map<String, Tensor> map = new LinkedHashMap<>();
    for (int i = 0; i < tensors.size(); i++) {
      map.put(model.inputs().get(i).name(), tensors.get(i));
    }
    return map;
  }

  private static void assertRunMatches(Model model, TestArchives.Case testCase) throws IOException {
    List<Tensor> inputs = Reference.inputs(testCase);
    try (Outputs outputs = model.run(named(model, inputs))) {
      Reference.assertMatches(testCase.outputs.get(0), outputs.get(0), model.toString());
    } finally {
      Reference.closeAll(inputs);
    }
  }

  @Test
  void namedInputsAndOutputsWork() throws IOException {
    TestArchives.Entry entry = TestArchives.require(ROW_MODEL);
    try (Model model = Model.load(entry.archive)) {
      assertRunMatches(model, entry.cases.get(0));
      List<Tensor> inputs = Reference.inputs(entry.cases.get(0));
      try (Outputs outputs = model.run(named(model, inputs))) {
        String outputName = model.outputs().get(0).name();
        assertSame(outputs.get(0), outputs.get(outputName));
        assertEquals(List.of(outputName), outputs.names().subList(0, 1));
        IllegalArgumentException unknown =
            assertThrows(IllegalArgumentException.class, () -> outputs.get("no_such_output"));
        assertTrue(unknown.getMessage().contains(outputName), unknown.getMessage());
      } finally {
        Reference.closeAll(inputs);
      }
    }
  }

  @Test
  void wrappedDirectBufferInputMatchesLibTorch() throws IOException {
    TestArchives.Entry entry = TestArchives.require(ROW_MODEL);
    Npy input = Npy.read(entry.cases.get(0).inputs.get(0));
    ByteBuffer buffer =
        ByteBuffer.allocateDirect(input.data.remaining()).order(ByteOrder.nativeOrder());
    buffer.put(input.data.duplicate()).flip();
    try (Model model = Model.load(entry.archive);
        Tensor wrapped = Tensor.wrap(buffer, input.dtype(), input.shape);
        Outputs outputs = model.run(wrapped)) {
      Reference.assertMatches(entry.cases.get(0).outputs.get(0), outputs.get(0), "wrapped input");
    }
  }

  @Test
  void bytesBuffersAndResourcesLoadTheSameModel() throws Exception {
    TestArchives.Entry entry = TestArchives.require(ROW_MODEL);
    byte[] bytes = Files.readAllBytes(entry.archive);
    ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length + 3);
    direct.position(3);
    direct.put(bytes).position(3);

    try (Model fromBytes = Model.load(bytes);
        Model fromDirect = Model.load(direct);
        Model fromHeap = Model.load(ByteBuffer.wrap(bytes))) {
      assertRunMatches(fromBytes, entry.cases.get(0));
      assertRunMatches(fromDirect, entry.cases.get(0));
      assertRunMatches(fromHeap, entry.cases.get(0));
      assertEquals(3, direct.position());
    }

    URL directory = entry.archive.getParent().toUri().toURL();
    try (URLClassLoader loader = new URLClassLoader(new URL[] {directory}, null);
        Model fromResource =
            Model.fromResource(
                loader, "/" + entry.archive.getFileName(), Model.Options.defaults())) {
      assertRunMatches(fromResource, entry.cases.get(0));
      NpujarIOException missing =
          assertThrows(
              NpujarIOException.class,
              () -> Model.fromResource(loader, "models/missing.npujar", Model.Options.defaults()));
      assertTrue(missing.getMessage().contains("models/missing.npujar"), missing.getMessage());
    }
  }

  @Test
  void resourceInsideAJarIsLoaded(@TempDir Path directory) throws Exception {
    TestArchives.Entry entry = TestArchives.require(ROW_MODEL);
    Path jar = directory.resolve("models.jar");
    try (JarOutputStream output = new JarOutputStream(Files.newOutputStream(jar))) {
      output.putNextEntry(new JarEntry("models/row.npujar"));
      output.write(Files.readAllBytes(entry.archive));
      output.closeEntry();
    }

    try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null);
        Model model = Model.fromResource(loader, "models/row.npujar", Model.Options.defaults())) {
      assertRunMatches(model, entry.cases.get(0));
      assertTrue(model.toString().contains("models/row.npujar"), model.toString());
    }
  }

  @Test
  void wrongShapeNamesInputAndShapes() throws IOException {
    TestArchives.Entry entry = TestArchives.require(ROW_MODEL);
    try (Model model = Model.load(entry.archive)) {
      TensorInfo input = model.inputs().get(0);
      long[] shape = input.shape();
      shape[0] = 2;
      shape[shape.length - 1] += 1;
      try (Tensor wrong = Tensor.zeros(DType.F32, shape)) {
        ShapeMismatchException error =
            assertThrows(ShapeMismatchException.class, () -> model.run(wrong));
        assertEquals(input.name(), error.inputName());
        assertTrue(error.getMessage().contains(TensorInfo.formatShape(shape)), error.getMessage());
        assertTrue(
            error.getMessage().contains(input.toString().substring(input.name().length() + 2)),
            error.getMessage());
      }
    }
  }

  @Test
  void wrongDtypeNamesBothDtypes() throws IOException {
    TestArchives.Entry entry = TestArchives.require(ROW_MODEL);
    try (Model model = Model.load(entry.archive)) {
      long[] shape = model.inputs().get(0).shape();
      shape[0] = 1;
      try (Tensor wrong = Tensor.zeros(DType.I64, shape)) {
        DtypeMismatchException error =
            assertThrows(DtypeMismatchException.class, () -> model.run(wrong));
        assertEquals(DType.F32, error.expectedDtype());
        assertEquals(DType.I64, error.actualDtype());
      }
    }
  }

  @Test
  void inputMapProblemsAreArgumentErrors() throws IOException {
    TestArchives.Entry entry = TestArchives.require(ROW_MODEL);
    try (Model model = Model.load(entry.archive)) {
      List<Tensor> inputs = Reference.inputs(entry.cases.get(0));
      try {
        Map<String, Tensor> extra = new HashMap<>(named(model, inputs));
        extra.put("surplus", inputs.get(0));
        IllegalArgumentException unknown =
            assertThrows(IllegalArgumentException.class, () -> model.run(extra));
        assertTrue(unknown.getMessage().contains("surplus"), unknown.getMessage());

        IllegalArgumentException missing =
            assertThrows(IllegalArgumentException.class, () -> model.run(new HashMap<>()));
        assertTrue(
            missing.getMessage().contains(model.inputs().get(0).name()), missing.getMessage());

        assertThrows(IllegalArgumentException.class, () -> model.run(new Tensor[0]));
        assertThrows(IllegalArgumentException.class, () -> model.run((Tensor) null));
      } finally {
        Reference.closeAll(inputs);
      }
    }
  }

  @Test
  void closedModelAndTensorsAreRejected() throws IOException {
    TestArchives.Entry entry = TestArchives.require(ROW_MODEL);
    Model model = Model.load(entry.archive);
    List<Tensor> inputs = Reference.inputs(entry.cases.get(0));
    try {
      Outputs outputs = model.run(inputs.toArray(new Tensor[0]));
      model.close();
      model.close();
      assertTrue(model.isClosed());
      // Outputs own their memory and outlive the model.
      Reference.assertMatches(
          entry.cases.get(0).outputs.get(0), outputs.get(0), "output after model close");
      outputs.close();
      outputs.close();
      IllegalStateException afterOutputsClose =
          assertThrows(IllegalStateException.class, () -> outputs.get(0));
      assertEquals("Outputs.get called after close()", afterOutputsClose.getMessage());

      IllegalStateException afterClose =
          assertThrows(IllegalStateException.class, () -> model.run(inputs.toArray(new Tensor[0])));
      assertEquals("Model.run called after close()", afterClose.getMessage());
      IllegalStateException inputsAfterClose =
          assertThrows(IllegalStateException.class, model::inputs);
      assertEquals("Model.inputs called after close()", inputsAfterClose.getMessage());
      assertThrows(IllegalStateException.class, model::variant);
      assertThrows(IllegalStateException.class, outputs::size);
    } finally {
      Reference.closeAll(inputs);
    }

    try (Model reopened = Model.load(entry.archive)) {
      IllegalStateException closedInput =
          assertThrows(
              IllegalStateException.class, () -> reopened.run(inputs.toArray(new Tensor[0])));
      assertTrue(closedInput.getMessage().contains("closed tensor"), closedInput.getMessage());
    }
  }

  @Test
  void variantIsReportedAndCanBeForced() throws IOException {
    TestArchives.Entry entry = TestArchives.require(ROW_MODEL);
    String chosen;
    try (Model model = Model.load(entry.archive)) {
      chosen = model.variant().name();
      assertFalse(chosen.isEmpty());
      assertTrue(model.toString().contains(chosen), model.toString());
    }

    Model.Options forced =
        Model.Options.builder().variant(chosen).threads(1).device(Device.CPU).build();
    try (Model model = Model.load(entry.archive, forced)) {
      assertEquals(chosen, model.variant().name());
      assertRunMatches(model, entry.cases.get(0));
    }

    Model.Options missing = Model.Options.builder().variant("no-such-variant").build();
    InvalidArgumentException error =
        assertThrows(InvalidArgumentException.class, () -> Model.load(entry.archive, missing));
    assertTrue(error.getMessage().contains("no-such-variant"), error.getMessage());
  }

  @Test
  void forcedJitMatchesLibTorch() throws IOException {
    TestArchives.Entry entry = TestArchives.require(ROW_MODEL);
    Model.Options jit =
        Model.Options.builder()
            .jitMode(JitMode.FORCE)
            .jitCacheDir(entry.archive.getParent().resolve("jit-cache"))
            .build();
    try (Model model = Model.load(entry.archive, jit)) {
      for (TestArchives.Case testCase : entry.cases) {
        assertRunMatches(model, testCase);
      }
    }
  }

  @Test
  void closeWhileRunningIsSafe() throws Exception {
    TestArchives.Entry entry = TestArchives.require(ROW_MODEL);
    Model model = Model.load(entry.archive);
    List<Tensor> inputs = Reference.inputs(entry.cases.get(0));
    List<Throwable> unexpected = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      Thread thread =
          new Thread(
              () -> {
                try {
                  while (true) {
                    try (Outputs outputs = model.run(inputs.toArray(new Tensor[0]))) {
                      outputs.get(0).toFloatArray();
                    }
                  }
                } catch (IllegalStateException expected) {
                  // The model was closed; every later run must fail this way.
                } catch (Throwable other) {
                  synchronized (unexpected) {
                    unexpected.add(other);
                  }
                }
              });
      thread.start();
      threads.add(thread);
    }
    Thread.sleep(200);
    model.close();
    for (Thread thread : threads) {
      thread.join(10_000);
      assertFalse(thread.isAlive(), "a run thread did not stop after close()");
    }
    Reference.closeAll(inputs);
    assertEquals(List.of(), unexpected);
  }

  @Test
  void forgottenObjectsAreReleasedByTheCleaner() throws Exception {
    TestArchives.Entry entry = TestArchives.require(ROW_MODEL);
    long before = NativeResource.cleanedCount();
    loadAndForget(entry);
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (NativeResource.cleanedCount() < before + 3 && System.nanoTime() < deadline) {
      System.gc();
      Thread.sleep(20);
    }
    // The model, its input tensor and its output tensor.
    assertTrue(
        NativeResource.cleanedCount() >= before + 3,
        "Cleaner released " + (NativeResource.cleanedCount() - before) + " objects, expected 3");
  }

  private static void loadAndForget(TestArchives.Entry entry) throws IOException {
    Model model = Model.load(entry.archive);
    Tensor input = Npy.read(entry.cases.get(0).inputs.get(0)).toTensor();
    model.run(input).get(0).toFloatArray();
    assertEquals(1, Arrays.asList(input).size());
  }
}
