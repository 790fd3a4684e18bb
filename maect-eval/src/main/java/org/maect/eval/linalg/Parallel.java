package org.maect.eval.linalg;

import java.util.stream.IntStream;

/** A parallel for-loop over {@code [0, n)} in chunks, on the common fork-join pool. */
public final class Parallel {
  private Parallel() {}

  /** Body receives half-open chunk bounds {@code [from, to)}. */
  @FunctionalInterface
  public interface RangeBody {
    void run(int from, int to);
  }

  /**
   * Runs {@code body} over chunks of at most {@code grain} indices; chunks run in parallel when there
   * is more than one. Exceptions propagate to the caller.
   */
  public static void forRange(int n, int grain, RangeBody body) {
    if (n <= 0) return;
    int g = Math.max(1, grain);
    int chunks = (int) Math.min(Integer.MAX_VALUE, ((long) n + g - 1) / g);
    if (chunks == 1) {
      body.run(0, n);
      return;
    }
    IntStream.range(0, chunks)
        .parallel()
        .forEach(c -> body.run(c * g, (int) Math.min(n, (long) c * g + g)));
  }

  /** Chunk size giving about {@code perThread} chunks per available processor. */
  public static int grain(int n, int perThread) {
    int p = Runtime.getRuntime().availableProcessors();
    return Math.max(1, (n + p * perThread - 1) / (p * perThread));
  }
}
