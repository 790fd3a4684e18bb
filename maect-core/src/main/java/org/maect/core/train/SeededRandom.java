package org.maect.core.train;

import java.util.SplittableRandom;

/**
 * Reproducible random numbers whose whole state is one {@code long}, so it can be saved in checkpoints and
 * restored exactly ({@link #state()}, {@link #fromState(long)}).
 *
 * <p>The generator is SplitMix64 (Steele, Lea, Flood 2014; the algorithm behind {@link SplittableRandom}).
 * {@link #derive(long...)} gives independent streams keyed by numbers (e.g. epoch, step) without consuming
 * this generator, which makes resumed runs draw the same numbers as uninterrupted ones.
 */
public final class SeededRandom {
  private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;

  private long state;

  private SeededRandom(long state) {
    this.state = state;
  }

  /** A generator seeded with {@code seed}. */
  public static SeededRandom of(long seed) {
    return new SeededRandom(mix64(seed));
  }

  /** Restores a generator from {@link #state()}. */
  public static SeededRandom fromState(long state) {
    return new SeededRandom(state);
  }

  /** The whole state; {@code fromState(state())} continues the same sequence. */
  public long state() {
    return state;
  }

  /** An independent generator for the stream named by {@code keys}; does not advance this generator. */
  public SeededRandom derive(long... keys) {
    long s = state;
    for (long k : keys) s = mix64(s ^ mix64(k + GOLDEN_GAMMA));
    return new SeededRandom(s);
  }

  /** A {@link SplittableRandom} seeded from this generator (advances it by one draw). */
  public SplittableRandom nextSplittable() {
    return new SplittableRandom(nextLong());
  }

  public long nextLong() {
    state += GOLDEN_GAMMA;
    return mix64(state);
  }

  public int nextInt() {
    return (int) (nextLong() >>> 32);
  }

  /** Uniform in [0, bound). */
  public int nextInt(int bound) {
    if (bound <= 0) throw new IllegalArgumentException("Invalid bound (must be > 0): " + bound);
    // Lemire's multiply-shift with rejection: unbiased.
    long m = (nextLong() >>> 32) * bound;
    long l = m & 0xffffffffL;
    if (l < bound) {
      long t = (0x100000000L - bound) % bound;
      while (l < t) {
        m = (nextLong() >>> 32) * bound;
        l = m & 0xffffffffL;
      }
    }
    return (int) (m >>> 32);
  }

  /** Uniform in [0, 1) with 53 random bits. */
  public double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  /** Uniform in [0, 1) with 24 random bits. */
  public float nextFloat() {
    return (nextLong() >>> 40) * 0x1.0p-24f;
  }

  /** Standard normal (Box-Muller, one value per call, no cached spare so the state stays one long). */
  public double nextGaussian() {
    double u1;
    do {
      u1 = nextDouble();
    } while (u1 == 0.0);
    double u2 = nextDouble();
    return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
  }

  /** Fisher-Yates shuffle of {@code a} in place. */
  public void shuffle(int[] a) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  private static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
