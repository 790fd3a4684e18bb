package org.maect.core.io.weights;

import java.util.Arrays;

/**
 * A dense float32 tensor in row-major (C) order with its PyTorch shape, e.g. a Linear weight {@code [out, in]}.
 *
 * @param shape dimensions (empty for a scalar)
 * @param data {@code prod(shape)} values, row-major
 */
public record Tensor(int[] shape, float[] data) {

  public Tensor {
    shape = shape.clone();
    long n = numel(shape);
    if (n != data.length) {
      throw new IllegalArgumentException(
          "Tensor data length " + data.length + " != product of shape " + Arrays.toString(shape));
    }
  }

  /** Number of elements of {@code shape}; throws on negative dimensions or more than {@link #MAX_ELEMENTS}. */
  public static long numel(int[] shape) {
    long n = 1;
    for (int d : shape) {
      if (d < 0) throw new IllegalArgumentException("Negative dimension in shape " + Arrays.toString(shape));
      n *= d;
      if (n > MAX_ELEMENTS) {
        throw new IllegalArgumentException("Shape " + Arrays.toString(shape) + " exceeds " + MAX_ELEMENTS + " elements");
      }
    }
    return n;
  }

  /** Largest tensor a Java float[] can hold. */
  public static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

  public int rank() {
    return shape.length;
  }

  public int numel() {
    return data.length;
  }

  /** The shape as a string like {@code [768, 3, 16, 16]}. */
  public String shapeString() {
    return Arrays.toString(shape);
  }

  @Override
  public int[] shape() {
    return shape.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Tensor t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "Tensor" + shapeString();
  }
}
