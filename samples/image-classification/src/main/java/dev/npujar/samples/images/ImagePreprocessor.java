package dev.npujar.samples.images;

import java.awt.image.BufferedImage;

/**
 * Turns an image into the model's input tensor [1,3,224,224] (NCHW, float32): bilinear resize
 * so that the shorter side is 256, center crop to 224x224, scale to [0,1] and normalize each
 * channel with the ImageNet mean and standard deviation. The resize uses half-pixel centers
 * without antialiasing, the rule of PyTorch's {@code interpolate(mode="bilinear",
 * align_corners=False)}, which scripts/export_model.py applies to make the test reference.
 */
public final class ImagePreprocessor {
  public static final int RESIZE = 256;
  public static final int CROP = 224;
  private static final float[] MEAN = {0.485f, 0.456f, 0.406f};
  private static final float[] STD = {0.229f, 0.224f, 0.225f};

  private ImagePreprocessor() {}

  /** Returns the normalized tensor data in NCHW order, {@code 3 * CROP * CROP} values. */
  public static float[] toTensor(BufferedImage image) {
    int height = image.getHeight();
    int width = image.getWidth();
    int resizedHeight = height <= width ? RESIZE : RESIZE * height / width;
    int resizedWidth = height <= width ? RESIZE * width / height : RESIZE;
    float[][] channels = rgbChannels(image);
    int top = (resizedHeight - CROP) / 2;
    int left = (resizedWidth - CROP) / 2;

    float[] tensor = new float[3 * CROP * CROP];
    for (int y = 0; y < CROP; y++) {
      Sample rows = Sample.of(top + y, height, resizedHeight);
      for (int x = 0; x < CROP; x++) {
        Sample columns = Sample.of(left + x, width, resizedWidth);
        for (int c = 0; c < 3; c++) {
          float value = bilinear(channels[c], width, rows, columns) / 255f;
          tensor[(c * CROP + y) * CROP + x] = (value - MEAN[c]) / STD[c];
        }
      }
    }
    return tensor;
  }

  /** The two source indices and the weight of the second for one output coordinate. */
  private static final class Sample {
    final int low;
    final int high;
    final float weight;

    private Sample(int low, int high, float weight) {
      this.low = low;
      this.high = high;
      this.weight = weight;
    }

    static Sample of(int output, int inputSize, int outputSize) {
      float scale = (float) inputSize / outputSize;
      float source = Math.max((output + 0.5f) * scale - 0.5f, 0f);
      int low = Math.min((int) source, inputSize - 1);
      int high = Math.min(low + 1, inputSize - 1);
      return new Sample(low, high, source - low);
    }
  }

  private static float bilinear(float[] channel, int width, Sample rows, Sample columns) {
    float top = channel[rows.low * width + columns.low] * (1 - columns.weight)
        + channel[rows.low * width + columns.high] * columns.weight;
    float bottom = channel[rows.high * width + columns.low] * (1 - columns.weight)
        + channel[rows.high * width + columns.high] * columns.weight;
    return top * (1 - rows.weight) + bottom * rows.weight;
  }

  /** Splits the image into red, green and blue planes of 0..255 values. */
  private static float[][] rgbChannels(BufferedImage image) {
    int width = image.getWidth();
    int height = image.getHeight();
    float[][] channels = new float[3][width * height];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int rgb = image.getRGB(x, y);
        channels[0][y * width + x] = (rgb >> 16) & 0xFF;
        channels[1][y * width + x] = (rgb >> 8) & 0xFF;
        channels[2][y * width + x] = rgb & 0xFF;
      }
    }
    return channels;
  }
}
