package org.maect.core.config;

/**
 * Everything that determines an MAE pre-training run (stage 1); saved in {@code run.json} and in every
 * checkpoint.
 *
 * @param dataset dataset name for {@code Datasets.load} ({@code fashion-mnist}, {@code cifar10}, ...)
 * @param model the MAE (its input size/channels must match the dataset)
 * @param optim AdamW + warmup/cosine settings; peak lr = baseLr * batchSize / 256
 * @param seed seed of initialisation, data order, augmentation and masking
 * @param augment MAE's RandomResizedCrop(scale 0.2-1) + horizontal flip (else only normalisation)
 * @param trainLimit use only the first N training images (0 = all), for quick runs and tests
 */
public record MaePretrainConfig(
    String dataset, MaeConfig model, OptimConfig optim, long seed, boolean augment, int trainLimit) {

  public MaePretrainConfig {
    if (dataset == null || dataset.isBlank()) throw new IllegalArgumentException("dataset is required");
    if (model == null) throw new IllegalArgumentException("model config is required");
    if (optim == null) throw new IllegalArgumentException("optim config is required");
    if (trainLimit < 0) throw new IllegalArgumentException("Invalid trainLimit: " + trainLimit);
    if (trainLimit > 0 && trainLimit < optim.batchSize()) {
      throw new IllegalArgumentException(
          "trainLimit " + trainLimit + " is smaller than one batch of " + optim.batchSize());
    }
  }

  /**
   * Base lr (per 256 images) of the CPU presets {@link MaeConfig#CPU28} and {@link MaeConfig#CPU32}: 10x MAE's
   * 1.5e-4, which is tuned for batch 4096 over 800 ImageNet epochs; runs of a few Fashion-MNIST epochs at batch
   * 128-256 barely leave the warm-up loss with it. 1.5e-3 is what the measured CPU runs used (README).
   */
  public static final double CPU_BASE_LR = 1.5e-3;

  /** Default base lr for a model: {@link #CPU_BASE_LR} for the CPU presets, MAE's 1.5e-4 otherwise. */
  public static double defaultBaseLr(MaeConfig model) {
    boolean cpu = MaeConfig.CPU28.equals(model) || MaeConfig.CPU32.equals(model);
    return cpu ? CPU_BASE_LR : OptimConfig.maePretrain().baseLr();
  }

  /**
   * MAE's recipe (wd 0.05, betas 0.9/0.95, cosine to 0) for a preset, with warm-up over the first 5% of the steps
   * (the paper's 40 of 800 epochs) and the preset's {@link #defaultBaseLr}.
   */
  public static MaePretrainConfig of(String dataset, MaeConfig model, int epochs, int batchSize, long seed) {
    OptimConfig o = OptimConfig.maePretrain().withEpochs(epochs).withBatchSize(batchSize).withWarmupFraction(0.05)
        .withBaseLr(defaultBaseLr(model));
    return new MaePretrainConfig(dataset, model, o, seed, true, 0);
  }

  public MaePretrainConfig withOptim(OptimConfig o) {
    return new MaePretrainConfig(dataset, model, o, seed, augment, trainLimit);
  }

  public MaePretrainConfig withAugment(boolean a) {
    return new MaePretrainConfig(dataset, model, optim, seed, a, trainLimit);
  }

  public MaePretrainConfig withTrainLimit(int n) {
    return new MaePretrainConfig(dataset, model, optim, seed, augment, n);
  }
}
