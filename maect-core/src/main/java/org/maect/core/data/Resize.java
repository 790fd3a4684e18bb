package org.maect.core.data;

import java.util.SplittableRandom;

/**
 * Deterministic resize so that the shorter side becomes {@code shorter} (aspect ratio kept, longer side
 * {@code round(longer * shorter / shorterIn)}), with {@code filter} (bicubic by default, as the MAE-CT
 * evaluation), antialiased as {@link Resample}, clamped to [0,1].
 */
public record Resize(int shorter, Resample.Filter filter) implements ImageTransform {
  public Resize {
    if (shorter <= 0) {
      throw new IllegalArgumentException("Invalid resize target: " + shorter);
    }
    java.util.Objects.requireNonNull(filter, "filter");
  }

  /** Bicubic. */
  public Resize(int shorter) {
    this(shorter, Resample.Filter.BICUBIC);
  }

  @Override
  public int outChannels() {
    return SAME;
  }

  /** {@link #SAME}: the output size depends on the input's aspect ratio (see {@link #outShape}). */
  @Override
  public int outHeight() {
    return SAME;
  }

  @Override
  public int outWidth() {
    return SAME;
  }

  @Override
  public int[] outShape(int c, int h, int w) {
    if (h <= w) {
      return new int[] {c, shorter, (int) Math.round((double) w * shorter / h)};
    }
    return new int[] {c, (int) Math.round((double) h * shorter / w), shorter};
  }

  @Override
  public void apply(float[] src, int c, int h, int w, float[] dst, int dstOff, SplittableRandom rng) {
    int[] o = outShape(c, h, w);
    Resample.resizeClamped(filter, src, c, h, w, 0, 0, h, w, dst, dstOff, o[1], o[2]);
  }
}
