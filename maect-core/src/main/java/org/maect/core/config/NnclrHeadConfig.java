package org.maect.core.config;

/**
 * The NNCLR head of MAE-CT: pooling of the encoder tokens, projector, predictor and the nearest-neighbour queue.
 *
 * <p>Projector {@code Linear(no bias)-BN-ReLU-Linear(no bias)-BN-ReLU-Linear(no bias)-BN(affine)} with
 * {@code projHiddenDim} hidden units and {@code outputDim} outputs; predictor
 * {@code Linear(no bias)-BN-ReLU-Linear(no bias)} with {@code predHiddenDim} hidden units (as in ml-jku/MAE-CT
 * {@code ContrastiveHeadBase.create_projector/create_predictor}).
 *
 * @param pooling how the encoder tokens become one vector per image (paper: mean of patch tokens for ViT-B,
 *     CLS token for ViT-L/H)
 * @param projHiddenDim projector hidden width (paper 2048)
 * @param predHiddenDim predictor hidden width (paper 4096)
 * @param outputDim projection width (paper 256)
 * @param queueSize nearest-neighbour queue length (paper 65536)
 * @param temperature InfoNCE temperature (paper 0.15 B, 0.2 L, 0.3 H)
 * @param targetFactor EMA factor of the target projector that feeds the queue during contrastive tuning
 *     (paper 0.99, 0.995 for H)
 * @param bnEps BatchNorm epsilon (torch default 1e-5)
 * @param bnMomentum BatchNorm running-statistics momentum in the torch convention:
 *     {@code running = (1 - m) * running + m * batch} (torch default 0.1)
 */
public record NnclrHeadConfig(
    Pooling pooling,
    int projHiddenDim,
    int predHiddenDim,
    int outputDim,
    int queueSize,
    double temperature,
    double targetFactor,
    double bnEps,
    double bnMomentum) {

  /** Encoder-token pooling feeding the head. */
  public enum Pooling {
    /** The CLS token (token 0). */
    CLS,
    /** Mean over the patch tokens (CLS excluded). */
    MEAN_PATCH
  }

  public NnclrHeadConfig {
    if (pooling == null) throw new IllegalArgumentException("pooling must be set");
    if (projHiddenDim < 1) throw new IllegalArgumentException("Invalid projHiddenDim: " + projHiddenDim);
    if (predHiddenDim < 1) throw new IllegalArgumentException("Invalid predHiddenDim: " + predHiddenDim);
    if (outputDim < 1) throw new IllegalArgumentException("Invalid outputDim: " + outputDim);
    if (queueSize < 1) throw new IllegalArgumentException("Invalid queueSize: " + queueSize);
    if (!(temperature > 0)) throw new IllegalArgumentException("Invalid temperature: " + temperature);
    if (!(targetFactor >= 0 && targetFactor < 1)) {
      throw new IllegalArgumentException("Invalid targetFactor (need 0 <= f < 1): " + targetFactor);
    }
    if (!(bnEps > 0)) throw new IllegalArgumentException("Invalid bnEps: " + bnEps);
    if (!(bnMomentum > 0 && bnMomentum <= 1)) {
      throw new IllegalArgumentException("Invalid bnMomentum (need 0 < m <= 1): " + bnMomentum);
    }
  }

  /** Paper, ViT-B/16 (Tables 7/8; ml-jku/MAE-CT yamls/stage3_maect_contrastive_tuning/base16.yaml). */
  public static NnclrHeadConfig paperBase() {
    return new NnclrHeadConfig(Pooling.MEAN_PATCH, 2048, 4096, 256, 65536, 0.15, 0.99, 1e-5, 0.1);
  }

  /** Paper, ViT-L/16: CLS pooling, temperature 0.2. */
  public static NnclrHeadConfig paperLarge() {
    return new NnclrHeadConfig(Pooling.CLS, 2048, 4096, 256, 65536, 0.2, 0.99, 1e-5, 0.1);
  }

  /** Paper, ViT-H/16 and H/14: CLS pooling, temperature 0.3, target projector EMA 0.995. */
  public static NnclrHeadConfig paperHuge() {
    return new NnclrHeadConfig(Pooling.CLS, 2048, 4096, 256, 65536, 0.3, 0.995, 1e-5, 0.1);
  }

  /**
   * CPU preset for the small Fashion-MNIST / CIFAR encoders: head widths scaled down 4x, queue of 8192
   * (~14% of Fashion-MNIST's 60k, the paper's 65536 is ~5% of ImageNet; a smaller share would leave few
   * same-class neighbours early on), mean-patch pooling as the paper's ViT-B, and temperature 0.3 (the paper's
   * ViT-H value; 0.15 gave lower k-means accuracy in the CPU runs, see {@link ContrastiveTuningConfig#cpu()}).
   */
  public static NnclrHeadConfig cpu() {
    return new NnclrHeadConfig(Pooling.MEAN_PATCH, 512, 1024, 128, 8192, 0.3, 0.99, 1e-5, 0.1);
  }

  /** Looks a preset up by name: {@code paper-base}, {@code paper-large}, {@code paper-huge}, {@code cpu}. */
  public static NnclrHeadConfig preset(String name) {
    return switch (name) {
      case "paper-base", "base" -> paperBase();
      case "paper-large", "large" -> paperLarge();
      case "paper-huge", "huge" -> paperHuge();
      case "cpu" -> cpu();
      default -> throw new IllegalArgumentException(
          "Unknown NNCLR head preset '" + name + "' (known: paper-base, paper-large, paper-huge, cpu)");
    };
  }

  public NnclrHeadConfig withQueueSize(int newQueueSize) {
    return new NnclrHeadConfig(pooling, projHiddenDim, predHiddenDim, outputDim, newQueueSize, temperature,
        targetFactor, bnEps, bnMomentum);
  }

  public NnclrHeadConfig withSizes(int newProjHidden, int newPredHidden, int newOutput) {
    return new NnclrHeadConfig(pooling, newProjHidden, newPredHidden, newOutput, queueSize, temperature,
        targetFactor, bnEps, bnMomentum);
  }

  public NnclrHeadConfig withPooling(Pooling newPooling) {
    return new NnclrHeadConfig(newPooling, projHiddenDim, predHiddenDim, outputDim, queueSize, temperature,
        targetFactor, bnEps, bnMomentum);
  }
}
