package dev.npujar.samples.images;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Reads the raw little-endian float32 files that scripts/export_model.py writes. */
final class ReferenceFiles {
  private ReferenceFiles() {}

  static float[] readFloats(String resource) throws IOException {
    try (InputStream in = ReferenceFiles.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " is not on the test classpath;"
            + " run scripts/export-model.sh before building the sample");
      }
      ByteBuffer bytes = ByteBuffer.wrap(in.readAllBytes()).order(ByteOrder.LITTLE_ENDIAN);
      float[] values = new float[bytes.remaining() / Float.BYTES];
      bytes.asFloatBuffer().get(values);
      return values;
    }
  }
}
