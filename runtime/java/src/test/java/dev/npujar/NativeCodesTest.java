package dev.npujar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Checks the Java enums against the C API header, which is the contract they mirror. */
class NativeCodesTest {
  private static Map<String, Integer> enumValues(String prefix) throws IOException {
    Path header =
        Paths.get(System.getProperty("npujar.test.header", "../include/npujar_runtime.h"));
    String text = Files.readString(header);
    Matcher matcher = Pattern.compile("\\b" + prefix + "([A-Z0-9_]+)\\s*=\\s*(\\d+)").matcher(text);
    Map<String, Integer> values = new LinkedHashMap<>();
    while (matcher.find()) {
      values.put(matcher.group(1), Integer.parseInt(matcher.group(2)));
    }
    assertTrue(!values.isEmpty(), "no " + prefix + "* constants found in " + header);
    return values;
  }

  @Test
  void errorCodesMatchTheHeader() throws IOException {
    Map<String, Integer> header = enumValues("NPUJAR_ERROR_");
    for (Map.Entry<String, Integer> entry : header.entrySet()) {
      ErrorCode code = ErrorCode.valueOf(entry.getKey());
      assertEquals((int) entry.getValue(), code.nativeCode(), entry.getKey());
    }
    // Every Java code except the Java-only NATIVE_LIBRARY exists in the header.
    assertEquals(ErrorCode.values().length - 1, header.size());
  }

  @Test
  void dtypesMatchTheHeader() throws IOException {
    Map<String, Integer> header = enumValues("NPUJAR_DTYPE_");
    assertEquals(DType.values().length, header.size());
    for (Map.Entry<String, Integer> entry : header.entrySet()) {
      assertEquals(
          (int) entry.getValue(), DType.valueOf(entry.getKey()).nativeCode(), entry.getKey());
      assertEquals(
          entry.getKey().toLowerCase(Locale.ROOT), DType.valueOf(entry.getKey()).shortName());
    }
  }

  @Test
  void devicesAndJitModesMatchTheHeader() throws IOException {
    Map<String, Integer> devices = enumValues("NPUJAR_DEVICE_");
    assertEquals(Device.values().length, devices.size());
    for (Map.Entry<String, Integer> entry : devices.entrySet()) {
      assertEquals(
          (int) entry.getValue(), Device.valueOf(entry.getKey()).nativeCode(), entry.getKey());
    }
    Map<String, Integer> modes = enumValues("NPUJAR_JIT_");
    assertEquals(JitMode.values().length, modes.size());
    for (Map.Entry<String, Integer> entry : modes.entrySet()) {
      assertEquals(
          (int) entry.getValue(), JitMode.valueOf(entry.getKey()).nativeCode(), entry.getKey());
    }
  }

  @Test
  void eachNativeCodeHasItsExceptionType() {
    Map<ErrorCode, Class<? extends NpujarException>> expected = new LinkedHashMap<>();
    expected.put(ErrorCode.INVALID_ARGUMENT, InvalidArgumentException.class);
    expected.put(ErrorCode.INVALID_ARCHIVE, InvalidArchiveException.class);
    expected.put(ErrorCode.NO_USABLE_VARIANT, NoUsableVariantException.class);
    expected.put(ErrorCode.SHAPE_MISMATCH, ShapeMismatchException.class);
    expected.put(ErrorCode.DTYPE_MISMATCH, DtypeMismatchException.class);
    expected.put(ErrorCode.IO, NpujarIOException.class);
    expected.put(ErrorCode.COMPILE, CompileException.class);
    expected.put(ErrorCode.EXECUTION, ModelExecutionException.class);
    expected.put(ErrorCode.OUT_OF_MEMORY, NativeOutOfMemoryException.class);
    expected.put(ErrorCode.INTERNAL, InternalErrorException.class);
    for (Map.Entry<ErrorCode, Class<? extends NpujarException>> entry : expected.entrySet()) {
      NpujarException error = NpujarException.fromNative(entry.getKey().nativeCode(), "message");
      assertInstanceOf(entry.getValue(), error);
      assertEquals(entry.getKey(), error.code());
      assertEquals("message", error.getMessage());
    }
  }

  @Test
  void unknownNativeCodeBecomesInternalError() {
    NpujarException error = NpujarException.fromNative(99, "new failure");
    assertInstanceOf(InternalErrorException.class, error);
    assertEquals("unknown native error code 99: new failure", error.getMessage());
  }
}
