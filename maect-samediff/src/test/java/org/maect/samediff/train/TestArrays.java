package org.maect.samediff.train;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Seeded FLOAT test arrays for the kernel tests. */
final class TestArrays {
  private TestArrays() {}

  /** Standard normal values, row-major, of this shape. */
  static INDArray random(long seed, long... shape) {
    SplittableRandom rng = new SplittableRandom(seed);
    long n = 1;
    for (long s : shape) n *= s;
    float[] v = new float[(int) n];
    for (int i = 0; i < v.length; i++) v[i] = (float) rng.nextGaussian();
    return Nd4j.create(v, shape, 'c');
  }
}
