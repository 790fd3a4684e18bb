package org.maect.core.data;

import java.util.SplittableRandom;

/**
 * Crops the centred {@code size x size} region (top = (h - size) / 2, left = (w - size) / 2, rounded half-to-even as
 * torchvision). An image smaller than {@code size} is first enlarged (bilinear) so its shorter side is
 * {@code size}.
 */
public record CenterCrop(int size) implements ImageTransform {
  public CenterCrop {
    if (size <= 0) {
      throw new IllegalArgumentException("Invalid crop size: " + size);
    }
  }

  @Override
  public int outChannels() {
    return SAME;
  }

  @Override
  public int outHeight() {
    return size;
  }

  @Override
  public int outWidth() {
    return size;
  }

  @Override
  public void apply(float[] src, int c, int h, int w, float[] dst, int dstOff, SplittableRandom rng) {
    if (h < size || w < size) {
      Resize up = new Resize(size);
      int[] s = up.outShape(c, h, w);
      float[] big = new float[s[0] * s[1] * s[2]];
      up.apply(src, c, h, w, big, 0, rng);
      apply(big, s[0], s[1], s[2], dst, dstOff, rng);
      return;
    }
    int top = (int) Math.rint((h - size) / 2.0);
    int left = (int) Math.rint((w - size) / 2.0);
    for (int k = 0; k < c; k++) {
      for (int y = 0; y < size; y++) {
        System.arraycopy(src, (k * h + top + y) * w + left, dst, dstOff + (k * size + y) * size, size);
      }
    }
  }
}
