package dev.npujar;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A minimal reader of NumPy's .npy format (versions 1 to 3), enough for the reference inputs and
 * outputs that LibTorch wrote through {@code numpy.save}: C-order arrays of little-endian numbers
 * or bools.
 */
final class Npy {
  private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']+)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order':\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

  final String descr;
  final long[] shape;
  final ByteBuffer data;

  private Npy(String descr, long[] shape, ByteBuffer data) {
    this.descr = descr;
    this.shape = shape;
    this.data = data;
  }

  static Npy read(Path file) throws IOException {
    ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    byte[] magic = new byte[6];
    bytes.get(magic);
    if (magic[0] != (byte) 0x93
        || !new String(magic, 1, 5, StandardCharsets.US_ASCII).equals("NUMPY")) {
      throw new IOException(file + " is not a .npy file");
    }
    int major = bytes.get();
    bytes.get();
    int headerLength = major == 1 ? Short.toUnsignedInt(bytes.getShort()) : bytes.getInt();
    byte[] headerBytes = new byte[headerLength];
    bytes.get(headerBytes);
    String header = new String(headerBytes, StandardCharsets.ISO_8859_1);

    String descr = group(DESCR, header, file);
    if (group(FORTRAN, header, file).equals("True")) {
      throw new IOException(file + " is in Fortran order, which this reader does not support");
    }
    String shapeText = group(SHAPE, header, file).trim();
    String[] parts = shapeText.isEmpty() ? new String[0] : shapeText.split("\\s*,\\s*");
    int rank =
        parts.length > 0 && parts[parts.length - 1].isEmpty() ? parts.length - 1 : parts.length;
    long[] shape = new long[rank];
    for (int i = 0; i < rank; i++) {
      shape[i] = Long.parseLong(parts[i]);
    }
    if (descr.startsWith(">")) {
      throw new IOException(file + " is big-endian (" + descr + ")");
    }
    ByteBuffer data = bytes.slice().order(ByteOrder.LITTLE_ENDIAN);
    return new Npy(descr, shape, data);
  }

  private static String group(Pattern pattern, String header, Path file) throws IOException {
    Matcher matcher = pattern.matcher(header);
    if (!matcher.find()) {
      throw new IOException(file + ": header '" + header + "' lacks " + pattern);
    }
    return matcher.group(1);
  }

  long elementCount() {
    long count = 1;
    for (long extent : shape) {
      count *= extent;
    }
    return count;
  }

  DType dtype() {
    switch (descr.substring(1)) {
      case "f4":
        return DType.F32;
      case "i8":
        return DType.I64;
      case "i4":
        return DType.I32;
      case "i1":
        return DType.I8;
      case "u1":
        return DType.U8;
      case "b1":
        return DType.BOOL;
      default:
        throw new IllegalStateException("no npujar dtype for .npy descr " + descr);
    }
  }

  float[] toFloatArray() {
    float[] values = new float[(int) elementCount()];
    data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
    return values;
  }

  /** Creates a tensor with this array's dtype, shape and bytes. */
  Tensor toTensor() {
    byte[] raw = new byte[(int) (elementCount() * dtype().byteSize())];
    data.duplicate().get(raw);
    if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN && dtype().byteSize() > 1) {
      throw new IllegalStateException("the tests assume a little-endian host");
    }
    return Tensor.of(dtype(), raw, shape);
  }
}
