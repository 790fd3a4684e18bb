package org.maect.eval.lowshot;

/**
 * Low-shot settings.
 *
 * @param shots labelled samples per class, e.g. {1, 2, 5}
 * @param splits random splits per shot count, averaged (paper: 3)
 * @param lambdaTimesN λ·n: the L2 weight is {@code λ = lambdaTimesN / n} with n the number of labelled
 *     samples (MAE-CT/MSN: 0.00025)
 * @param seed base seed; split s of shot count k uses a stream derived from (seed, k, s)
 * @param lbfgs solver options
 */
public record LowShotConfig(int[] shots, int splits, double lambdaTimesN, long seed, Lbfgs.Options lbfgs) {

  public LowShotConfig {
    if (shots == null || shots.length == 0) throw new IllegalArgumentException("low-shot needs shot counts");
    for (int s : shots) if (s < 1) throw new IllegalArgumentException("Invalid shots per class: " + s);
    if (splits < 1) throw new IllegalArgumentException("Invalid number of splits: " + splits);
    if (!(lambdaTimesN >= 0)) throw new IllegalArgumentException("Invalid lambda: " + lambdaTimesN);
    shots = shots.clone();
  }

  /** The paper's protocol: 1, 2 and 5 shots, 3 splits, λ = 0.00025 / n. */
  public static LowShotConfig paper(long seed) {
    return new LowShotConfig(new int[] {1, 2, 5}, 3, 0.00025, seed, Lbfgs.Options.tight());
  }
}
