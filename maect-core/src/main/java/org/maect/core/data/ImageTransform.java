package org.maect.core.data;

import java.util.SplittableRandom;

/**
 * A seeded image transform on CHW float images (values in [0,1] until {@link Normalize}).
 *
 * <p>{@code apply} reads {@code src[0 .. c*h*w)} as {@code [c, h, w]} and writes the result of shape
 * {@link #outShape(int, int, int)} to {@code dst[dstOff ..]}. {@code dst} must not overlap {@code src}
 * ({@link Compose} guarantees this). All randomness comes from {@code rng}, so equal seeds give equal
 * outputs. Transforms hold no mutable state and may be used from several threads.
 *
 * <p>{@link #outChannels()}, {@link #outHeight()}, {@link #outWidth()} give the fixed output shape, or
 * {@link #SAME} for a dimension the transform keeps from its input.
 */
public interface ImageTransform {
  /** Marker for "same as the input" in {@link #outChannels()}, {@link #outHeight()}, {@link #outWidth()}. */
  int SAME = -1;

  int outChannels();

  int outHeight();

  int outWidth();

  void apply(float[] src, int c, int h, int w, float[] dst, int dstOff, SplittableRandom rng);

  /** The output shape {@code {C, H, W}} for an input of shape {@code [c, h, w]}. */
  default int[] outShape(int c, int h, int w) {
    return new int[] {
      outChannels() == SAME ? c : outChannels(),
      outHeight() == SAME ? h : outHeight(),
      outWidth() == SAME ? w : outWidth()
    };
  }

  /** This transform followed by {@code next}. */
  default ImageTransform then(ImageTransform next) {
    return Compose.of(this, next);
  }

  /** The identity transform (copies). */
  static ImageTransform identity() {
    return Compose.of();
  }
}
