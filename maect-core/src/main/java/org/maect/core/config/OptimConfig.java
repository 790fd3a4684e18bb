package org.maect.core.config;

/**
 * Optimiser and schedule settings of one training stage (AdamW + linear warmup + half-cosine).
 *
 * <p>The peak learning rate follows the linear scaling rule of MAE / MAE-CT:
 * {@code lr = baseLr * batchSize * views / 256} (see {@link #peakLr(int)}); {@code minLr} is the absolute
 * learning rate the cosine ends at. Warm-up is given either in epochs ({@code warmupEpochs > 0}) or as a
 * fraction of all steps ({@code warmupFraction > 0}), not both.
 *
 * @param baseLr learning rate per 256 images (per view)
 * @param minLr absolute end learning rate of the cosine, {@code >= 0}
 * @param weightDecay decoupled weight decay (torch.optim.AdamW semantics)
 * @param beta1 first-moment decay, in [0, 1)
 * @param beta2 second-moment decay, in [0, 1)
 * @param eps AdamW epsilon (added to the bias-corrected sqrt(v), as in PyTorch)
 * @param warmupEpochs warm-up length in epochs (may be fractional), 0 when {@code warmupFraction} is used
 * @param warmupFraction warm-up length as a fraction of all steps, 0 when {@code warmupEpochs} is used
 * @param epochs number of epochs, {@code >= 1}
 * @param batchSize images per step (per view), {@code >= 1}
 */
public record OptimConfig(
    double baseLr,
    double minLr,
    double weightDecay,
    double beta1,
    double beta2,
    double eps,
    double warmupEpochs,
    double warmupFraction,
    int epochs,
    int batchSize) {

  public OptimConfig {
    requireFinite("baseLr", baseLr);
    requireFinite("minLr", minLr);
    requireFinite("weightDecay", weightDecay);
    requireFinite("eps", eps);
    requireFinite("warmupEpochs", warmupEpochs);
    requireFinite("warmupFraction", warmupFraction);
    if (baseLr <= 0) throw new IllegalArgumentException("Invalid baseLr (must be > 0): " + baseLr);
    if (minLr < 0) throw new IllegalArgumentException("Invalid minLr (must be >= 0): " + minLr);
    if (weightDecay < 0) {
      throw new IllegalArgumentException("Invalid weightDecay (must be >= 0): " + weightDecay);
    }
    if (!(beta1 >= 0 && beta1 < 1)) throw new IllegalArgumentException("Invalid beta1 (must be in [0,1)): " + beta1);
    if (!(beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException("Invalid beta2 (must be in [0,1)): " + beta2);
    if (eps <= 0) throw new IllegalArgumentException("Invalid eps (must be > 0): " + eps);
    if (epochs < 1) throw new IllegalArgumentException("Invalid epochs (must be >= 1): " + epochs);
    if (batchSize < 1) throw new IllegalArgumentException("Invalid batchSize (must be >= 1): " + batchSize);
    if (warmupEpochs < 0) throw new IllegalArgumentException("Invalid warmupEpochs (must be >= 0): " + warmupEpochs);
    if (warmupFraction < 0 || warmupFraction > 1) {
      throw new IllegalArgumentException("Invalid warmupFraction (must be in [0,1]): " + warmupFraction);
    }
    if (warmupEpochs > 0 && warmupFraction > 0) {
      throw new IllegalArgumentException(
          "Give warm-up either in epochs or as a fraction, not both: warmupEpochs="
              + warmupEpochs + ", warmupFraction=" + warmupFraction);
    }
    if (warmupEpochs > epochs) {
      throw new IllegalArgumentException(
          "Invalid warmupEpochs " + warmupEpochs + ": longer than the run (" + epochs + " epochs)");
    }
  }

  private static void requireFinite(String name, double v) {
    if (!Double.isFinite(v)) throw new IllegalArgumentException("Invalid " + name + " (not finite): " + v);
  }

  /** Peak learning rate by the linear scaling rule {@code baseLr * batchSize * views / 256}. */
  public double peakLr(int views) {
    if (views < 1) throw new IllegalArgumentException("Invalid views (must be >= 1): " + views);
    return baseLr * batchSize * (double) views / 256.0;
  }

  /** Total optimiser steps for a given number of steps per epoch. */
  public long totalSteps(long stepsPerEpoch) {
    if (stepsPerEpoch < 1) throw new IllegalArgumentException("Invalid stepsPerEpoch: " + stepsPerEpoch);
    return stepsPerEpoch * epochs;
  }

  /** Warm-up steps for a given number of steps per epoch (rounded to the nearest step). */
  public long warmupSteps(long stepsPerEpoch) {
    long total = totalSteps(stepsPerEpoch);
    double w = warmupEpochs > 0 ? warmupEpochs * stepsPerEpoch : warmupFraction * total;
    return Math.min(total, Math.round(w));
  }

  /**
   * MAE pre-training (He et al., Table 8 / facebookresearch/mae): base lr 1.5e-4, wd 0.05, betas (0.9, 0.95),
   * 40 warm-up epochs of 800, batch 4096.
   */
  public static OptimConfig maePretrain() {
    return new OptimConfig(1.5e-4, 0.0, 0.05, 0.9, 0.95, 1e-8, 40, 0, 800, 4096);
  }

  /** MAE-CT head initialisation / contrastive tuning defaults: betas (0.9, 0.95), wd 0.05, 20% warm-up. */
  public static OptimConfig contrastive(double baseLr, int epochs, int batchSize) {
    return new OptimConfig(baseLr, 0.0, 0.05, 0.9, 0.95, 1e-8, 0, 0.2, epochs, batchSize);
  }

  public OptimConfig withEpochs(int e) {
    double we = Math.min(warmupEpochs, e);
    return new OptimConfig(baseLr, minLr, weightDecay, beta1, beta2, eps, we, warmupFraction, e, batchSize);
  }

  public OptimConfig withBatchSize(int b) {
    return new OptimConfig(baseLr, minLr, weightDecay, beta1, beta2, eps, warmupEpochs, warmupFraction, epochs, b);
  }

  public OptimConfig withBaseLr(double lr) {
    return new OptimConfig(lr, minLr, weightDecay, beta1, beta2, eps, warmupEpochs, warmupFraction, epochs, batchSize);
  }

  public OptimConfig withMinLr(double lr) {
    return new OptimConfig(baseLr, lr, weightDecay, beta1, beta2, eps, warmupEpochs, warmupFraction, epochs, batchSize);
  }

  public OptimConfig withWeightDecay(double wd) {
    return new OptimConfig(baseLr, minLr, wd, beta1, beta2, eps, warmupEpochs, warmupFraction, epochs, batchSize);
  }

  /** Warm-up in epochs (clears the fraction). */
  public OptimConfig withWarmupEpochs(double we) {
    return new OptimConfig(baseLr, minLr, weightDecay, beta1, beta2, eps, we, 0, epochs, batchSize);
  }

  /** Warm-up as a fraction of all steps (clears the epochs). */
  public OptimConfig withWarmupFraction(double f) {
    return new OptimConfig(baseLr, minLr, weightDecay, beta1, beta2, eps, 0, f, epochs, batchSize);
  }
}
