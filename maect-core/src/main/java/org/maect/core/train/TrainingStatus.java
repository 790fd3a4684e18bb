package org.maect.core.train;

import java.util.Map;

/**
 * Snapshot of a running training stage, given to {@link TrainingListener}s after each optimiser step and at
 * the end of each epoch.
 *
 * @param stage stage name, e.g. {@code "pretrain"}, {@code "head-init"}, {@code "contrastive-tuning"}
 * @param epoch 0-based epoch the step belongs to
 * @param epochs number of epochs of the stage
 * @param step number of optimiser steps completed (1-based after the first step; global over epochs)
 * @param totalSteps total optimiser steps of the stage
 * @param loss loss of the last step (or the epoch mean for epoch-end events)
 * @param lr base learning rate used for the last step (before group scales)
 * @param imagesPerSecond throughput measured over recent steps (images per second, all views counted once)
 * @param elapsedSeconds wall time since the stage started (or resumed)
 * @param metrics further named scalars (e.g. {@code grad_norm}, {@code nn_accuracy}); never null
 */
public record TrainingStatus(
    String stage,
    int epoch,
    int epochs,
    long step,
    long totalSteps,
    double loss,
    double lr,
    double imagesPerSecond,
    double elapsedSeconds,
    Map<String, Double> metrics) {

  public TrainingStatus {
    metrics = metrics == null ? Map.of() : Map.copyOf(metrics);
  }

  /** Estimated seconds to the end of the stage at the current throughput, or NaN if unknown. */
  public double etaSeconds(long imagesPerStep) {
    if (!(imagesPerSecond > 0) || imagesPerStep <= 0) return Double.NaN;
    return (totalSteps - step) * (double) imagesPerStep / imagesPerSecond;
  }

  /** Fraction of the stage done, in [0, 1]. */
  public double progress() {
    return totalSteps <= 0 ? 0 : Math.min(1.0, (double) step / totalSteps);
  }
}
