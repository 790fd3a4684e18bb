package org.maect.samediff.nnclr;

import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Top-k nearest-neighbour sampling: per row of a similarity matrix, find the k largest entries and draw one
 * of them uniformly (ml-jku/MAE-CT {@code find_nn}: {@code topk} then {@code randint(high=k)}; k = 1 is the
 * plain nearest neighbour).
 *
 * <p>Done outside the graph in plain Java (no gradient is needed): a bounded insertion into a sorted
 * k-buffer per row, rows in parallel. ND4J's {@code top_k} takes 0.4-45 s for 256 x 4096 on this CPU, this
 * 10-20 ms (see DESIGN.md). Ties keep the lower column first; candidates are ordered by decreasing
 * similarity, so {@code dice = 0} is the nearest neighbour.
 */
public final class TopKNeighbourSampler {

  /** Similarities below which rows stay on the calling thread. */
  private static final long PARALLEL_MIN_WORK = 1L << 16;

  private TopKNeighbourSampler() {}

  /**
   * Column indices of the k largest entries of each row, in decreasing order of similarity.
   *
   * @param sim {@code [rows, cols]} row-major
   * @return {@code [rows, k]} row-major
   */
  public static int[] topK(float[] sim, int rows, int cols, int k) {
    check(sim, rows, cols, k);
    int[] out = new int[rows * k];
    IntStream range = IntStream.range(0, rows);
    if (parallel((long) rows * cols)) range = range.parallel();
    range.forEach(r -> rowTopK(sim, r * (long) cols, cols, k, out, r * k));
    return out;
  }

  /**
   * One neighbour per row: the {@code dice[r]}-th of the row's k nearest.
   *
   * @param dice {@code [rows]}, each in {@code [0, k)}
   * @return {@code [rows]} column indices
   */
  public static int[] sample(float[] sim, int rows, int cols, int k, int[] dice) {
    checkDice(dice, rows, k, cols);
    int[] top = topK(sim, rows, cols, k);
    int[] out = new int[rows];
    for (int r = 0; r < rows; r++) out[r] = top[r * k + dice[r]];
    return out;
  }

  /** As {@link #sample(float[], int, int, int, int[])} with dice drawn uniformly from {@code rng}, row by row. */
  public static int[] sample(float[] sim, int rows, int cols, int k, SplittableRandom rng) {
    return sample(sim, rows, cols, k, dice(rows, k, rng));
  }

  /** {@code rows} uniform draws from {@code [0, k)} (drawn in row order, so runs are reproducible). */
  public static int[] dice(int rows, int k, SplittableRandom rng) {
    int[] d = new int[rows];
    for (int r = 0; r < rows; r++) d[r] = k == 1 ? 0 : rng.nextInt(k);
    return d;
  }

  /**
   * Whether work over {@code work} similarities runs rows in parallel: when it is large enough and ND4J may use
   * more than one thread (a run limited to one thread, e.g. {@code OMP_NUM_THREADS=1}, stays on one core).
   */
  static boolean parallel(long work) {
    return work >= PARALLEL_MIN_WORK && org.nd4j.linalg.factory.Nd4j.getEnvironment().maxThreads() > 1;
  }

  /** Dice of {@link #sample}: one per row, each in {@code [0, k)}, k at most the columns. */
  static void checkDice(int[] dice, int rows, int k, int cols) {
    if (dice.length != rows) {
      throw new IllegalArgumentException("dice has " + dice.length + " entries for " + rows + " rows");
    }
    if (k < 1 || k > cols) throw new IllegalArgumentException("Invalid k " + k + " for " + cols + " columns");
    for (int d : dice) {
      if (d < 0 || d >= k) throw new IllegalArgumentException("dice value " + d + " outside [0, " + k + ")");
    }
  }

  private static void rowTopK(float[] sim, long off, int cols, int k, int[] out, int outOff) {
    rowTopK(sim, Math.toIntExact(off), cols, k, null, 0, out, outOff);
  }

  /**
   * The k largest of {@code sim[off .. off + cols)} into {@code out[outOff ..]}, in decreasing order (ties: lower
   * column first); with {@code colIds}, columns whose id is {@code excludeId} count as similarity -1 (checked only
   * for the columns that would enter the top k).
   */
  static void rowTopK(float[] sim, int off, int cols, int k, long[] colIds, long excludeId, int[] out, int outOff) {
    float[] val = new float[k];
    int[] idx = new int[k];
    int filled = 0;
    int base = off;
    for (int c = 0; c < cols; c++) {
      float s = sim[base + c];
      if (s != s) { // NaN never wins, unless it is the query's own entry (then -1)
        if (colIds == null || colIds[c] != excludeId) continue;
        s = -1f;
      }
      if (filled == k && s <= val[k - 1]) continue;
      if (colIds != null && colIds[c] == excludeId) {
        s = -1f;
        if (filled == k && s <= val[k - 1]) continue;
      }
      int pos = filled == k ? k - 1 : filled++;
      while (pos > 0 && val[pos - 1] < s) { // strictly smaller moves down: ties keep the lower column first
        val[pos] = val[pos - 1];
        idx[pos] = idx[pos - 1];
        pos--;
      }
      val[pos] = s;
      idx[pos] = c;
    }
    if (filled < k) throw new IllegalArgumentException("row has fewer than k=" + k + " comparable entries");
    System.arraycopy(idx, 0, out, outOff, k);
  }

  private static void check(float[] sim, int rows, int cols, int k) {
    if (rows < 0 || cols < 1) throw new IllegalArgumentException("Invalid shape [" + rows + ", " + cols + "]");
    if ((long) rows * cols != sim.length) {
      throw new IllegalArgumentException(
          "similarity has " + sim.length + " values, expected " + rows + " x " + cols);
    }
    if (k < 1 || k > cols) throw new IllegalArgumentException("Invalid k " + k + " for " + cols + " columns");
  }
}
