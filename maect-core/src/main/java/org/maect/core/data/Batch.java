package org.maect.core.data;

/**
 * One batch of {@code size} samples, each in {@code views} augmented versions.
 *
 * <p>{@code images[v]} is view {@code v} of the whole batch as NCHW floats: {@code [B, C, H, W]} flattened,
 * sample {@code b} at offset {@code b * C*H*W}. {@code labels}, {@code sampleIds}, {@code indices} (the
 * dataset indices) are per sample, shared by all views.
 */
public record Batch(
    int size,
    int channels,
    int height,
    int width,
    int views,
    float[][] images,
    int[] labels,
    long[] sampleIds,
    int[] indices) {

  public Batch {
    if (images.length != views || labels.length != size || sampleIds.length != size || indices.length != size) {
      throw new IllegalArgumentException("inconsistent batch: size " + size + ", views " + views);
    }
    for (float[] v : images) {
      if (v.length != size * channels * height * width) {
        throw new IllegalArgumentException("view of " + v.length + " floats is not [" + size + ", " + channels
            + ", " + height + ", " + width + "]");
      }
    }
  }

  /** {@code C*H*W}. */
  public int imageSize() {
    return channels * height * width;
  }

  /** View {@code v}: {@code [B, C, H, W]} flattened. */
  public float[] view(int v) {
    return images[v];
  }

  /** The NCHW shape {@code {B, C, H, W}} of one view. */
  public long[] shape() {
    return new long[] {size, channels, height, width};
  }
}
