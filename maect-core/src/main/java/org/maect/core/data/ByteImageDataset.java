package org.maect.core.data;

import java.util.List;
import java.util.Objects;

/**
 * An in-memory dataset of 8-bit images, kept as one {@code byte[]} of {@code N*C*H*W} unsigned pixels
 * (CHW per sample) and converted to floats in [0,1] on demand. Fashion-MNIST's training split is
 * 60000 x 784 bytes = 47 MB this way instead of 188 MB of floats.
 */
public final class ByteImageDataset implements ImageDataset {
  private static final float[] TO_UNIT = new float[256];

  static {
    for (int v = 0; v < 256; v++) {
      TO_UNIT[v] = v / 255f;
    }
  }

  private final String name;
  private final int n;
  private final int c;
  private final int h;
  private final int w;
  private final byte[] pixels;
  private final int[] labels;
  private final List<String> classNames;

  /**
   * @param name for messages and summaries (e.g. {@code "fashion-mnist/train"})
   * @param pixels {@code [N, C, H, W]} unsigned bytes, not copied
   * @param labels {@code [N]}, each in {@code [0, classNames.size())}
   */
  public ByteImageDataset(String name, int c, int h, int w, byte[] pixels, int[] labels, List<String> classNames) {
    this.name = Objects.requireNonNull(name, "name");
    if (c <= 0 || h <= 0 || w <= 0) {
      throw new IllegalArgumentException(name + ": invalid image shape [" + c + ", " + h + ", " + w + "]");
    }
    this.c = c;
    this.h = h;
    this.w = w;
    this.n = labels.length;
    if ((long) n * c * h * w != pixels.length) {
      throw new IllegalArgumentException(
          name + ": " + pixels.length + " pixel bytes do not hold " + n + " images of [" + c + ", " + h + ", " + w + "]");
    }
    this.pixels = pixels;
    this.labels = labels;
    this.classNames = List.copyOf(classNames);
    for (int i = 0; i < n; i++) {
      if (labels[i] < 0 || labels[i] >= this.classNames.size()) {
        throw new DatasetException(
            name + ": label " + labels[i] + " of sample " + i + " is outside [0, " + this.classNames.size() + ")");
      }
    }
  }

  /** The name given at construction (e.g. {@code "fashion-mnist/train"}). */
  public String name() {
    return name;
  }

  @Override
  public int size() {
    return n;
  }

  @Override
  public int channels() {
    return c;
  }

  @Override
  public int height() {
    return h;
  }

  @Override
  public int width() {
    return w;
  }

  @Override
  public int numClasses() {
    return classNames.size();
  }

  @Override
  public List<String> classNames() {
    return classNames;
  }

  @Override
  public int label(int i) {
    return labels[Objects.checkIndex(i, n)];
  }

  @Override
  public long sampleId(int i) {
    return Objects.checkIndex(i, n);
  }

  @Override
  public void image(int i, float[] dst, int off) {
    int len = c * h * w;
    int src = Objects.checkIndex(i, n) * len;
    for (int k = 0; k < len; k++) {
      dst[off + k] = TO_UNIT[pixels[src + k] & 0xff];
    }
  }

  /** The raw pixel value (0..255) of sample {@code i} at channel {@code ch}, row {@code y}, column {@code x}. */
  public int pixel(int i, int ch, int y, int x) {
    return pixels[((Objects.checkIndex(i, n) * c + ch) * h + y) * w + x] & 0xff;
  }

  @Override
  public String toString() {
    return name + ": " + describe();
  }
}
