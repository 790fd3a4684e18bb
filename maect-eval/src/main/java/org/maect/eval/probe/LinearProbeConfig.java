package org.maect.eval.probe;

/**
 * Linear probe settings (SGD with momentum, no weight decay, linear warmup then cosine decay to 0).
 *
 * @param learningRates the sweep; every rate trains its own classifier on the same batches
 * @param epochs training epochs
 * @param warmupEpochs linear warmup length
 * @param batchSize mini-batch size (the last incomplete batch of an epoch is dropped)
 * @param momentum SGD momentum (paper: 0.9)
 * @param seed shuffling and initialisation seed
 */
public record LinearProbeConfig(
    double[] learningRates, int epochs, int warmupEpochs, int batchSize, double momentum, long seed) {

  public LinearProbeConfig {
    if (learningRates == null || learningRates.length == 0) {
      throw new IllegalArgumentException("linear probe needs at least one learning rate");
    }
    for (double lr : learningRates) {
      if (!(lr > 0) || !Double.isFinite(lr)) throw new IllegalArgumentException("Invalid learning rate: " + lr);
    }
    if (epochs < 1) throw new IllegalArgumentException("Invalid probe epochs: " + epochs);
    if (warmupEpochs < 0 || warmupEpochs >= epochs) {
      throw new IllegalArgumentException("Invalid probe warmup epochs: " + warmupEpochs + " of " + epochs);
    }
    if (batchSize < 2) throw new IllegalArgumentException("Invalid probe batch size: " + batchSize);
    if (!(momentum >= 0 && momentum < 1)) throw new IllegalArgumentException("Invalid momentum: " + momentum);
    learningRates = learningRates.clone();
  }

  /** A CPU-sized default: 5 rates from 0.01 to 1, 30 epochs, 3 warmup, batch 256, momentum 0.9. */
  public static LinearProbeConfig defaults(long seed) {
    return new LinearProbeConfig(new double[] {1.0, 0.3, 0.1, 0.03, 0.01}, 30, 3, 256, 0.9, seed);
  }

  public LinearProbeConfig withEpochs(int e, int warmup) {
    return new LinearProbeConfig(learningRates, e, warmup, batchSize, momentum, seed);
  }
}
