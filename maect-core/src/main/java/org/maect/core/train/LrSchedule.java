package org.maect.core.train;

import org.maect.core.config.OptimConfig;

/**
 * Learning rate by optimiser step: linear warm-up from 0 to {@code peakLr} over {@code warmupSteps}, then a
 * half-cosine from {@code peakLr} down to {@code endLr} at {@code totalSteps}.
 *
 * <p>Matches facebookresearch/mae {@code util/lr_sched.py} evaluated per step (its fractional epoch is
 * {@code step / stepsPerEpoch}): {@code lr(s) = peak * s / W} for {@code s < W}, else
 * {@code end + (peak - end) * 0.5 * (1 + cos(pi * (s - W) / (T - W)))}. Step 0 therefore has lr 0 when there
 * is a warm-up (as in MAE). Steps at or beyond {@code totalSteps} give {@code endLr}.
 */
public record LrSchedule(double peakLr, double endLr, long warmupSteps, long totalSteps) {

  public LrSchedule {
    if (!(peakLr >= 0) || !Double.isFinite(peakLr)) throw new IllegalArgumentException("Invalid peakLr: " + peakLr);
    if (!(endLr >= 0) || !Double.isFinite(endLr)) throw new IllegalArgumentException("Invalid endLr: " + endLr);
    if (totalSteps < 1) throw new IllegalArgumentException("Invalid totalSteps (must be >= 1): " + totalSteps);
    if (warmupSteps < 0 || warmupSteps > totalSteps) {
      throw new IllegalArgumentException(
          "Invalid warmupSteps " + warmupSteps + " (must be in [0, totalSteps=" + totalSteps + "])");
    }
  }

  /** Schedule of a stage: peak lr by the scaling rule with {@code views}, warm-up and end lr from the config. */
  public static LrSchedule of(OptimConfig config, long stepsPerEpoch, int views) {
    return new LrSchedule(
        config.peakLr(views), config.minLr(), config.warmupSteps(stepsPerEpoch), config.totalSteps(stepsPerEpoch));
  }

  /** Learning rate for the update made at (0-based) optimiser step {@code step}. */
  public double lr(long step) {
    if (step < 0) throw new IllegalArgumentException("Invalid step (must be >= 0): " + step);
    if (step < warmupSteps) return peakLr * step / warmupSteps;
    if (step >= totalSteps) return endLr;
    long decay = totalSteps - warmupSteps;
    double progress = (double) (step - warmupSteps) / decay;
    return endLr + (peakLr - endLr) * 0.5 * (1.0 + Math.cos(Math.PI * progress));
  }
}
