package org.maect.core.config;

/**
 * Stages 2 (NNCLR head initialisation) and 3 (contrastive tuning) of MAE-CT.
 *
 * <p>Learning rates follow the reference's linear scaling: {@code lr = baseLr * batchSize * views / 256},
 * linear warmup over {@code warmupFraction} of the steps, then cosine decay to 0; AdamW betas
 * ({@code beta1}, {@code beta2}); weight decay is not applied to biases and norm parameters.
 *
 * @param head the NNCLR head
 * @param batchSize images per step (each seen in {@code views} augmented views)
 * @param views augmented views per image (NNCLR: 2)
 * @param augmentation {@code "min"} (random resized crop + flip, the paper's MAE-CT) or {@code "aug"}
 *     (plus colour jitter, blur, grayscale, solarize: MAE-CT_aug)
 * @param cropScaleMin smallest random-resized-crop area share (paper 0.08 at 224 px)
 * @param warmupFraction share of each stage's steps with linear warmup (paper 0.2)
 * @param beta1 AdamW beta1 (paper 0.9)
 * @param beta2 AdamW beta2 (paper 0.95)
 * @param headInit stage 2 settings
 * @param tuning stage 3 settings
 * @param ablation switches of the paper's Tables 3/4
 */
public record ContrastiveTuningConfig(
    NnclrHeadConfig head,
    int batchSize,
    int views,
    String augmentation,
    double cropScaleMin,
    double warmupFraction,
    double beta1,
    double beta2,
    HeadInit headInit,
    Tuning tuning,
    Ablation ablation) {

  /**
   * Stage 2: the encoder is frozen (inference mode), only the head trains, neighbours by top-1 lookup.
   *
   * @param epochs passes over the training set (paper 20); ignored when {@code steps > 0}
   * @param steps optimiser steps, overriding {@code epochs} when positive
   * @param baseLr head base learning rate (paper 1e-4)
   * @param weightDecay head weight decay (paper 1e-5)
   * @param topK neighbour candidates (paper 1)
   */
  public record HeadInit(double epochs, long steps, double baseLr, double weightDecay, int topK) {
    public HeadInit {
      if (!(epochs >= 0) || (epochs == 0 && steps <= 0)) {
        throw new IllegalArgumentException("Invalid head-init length: epochs=" + epochs + " steps=" + steps);
      }
      if (steps < 0) throw new IllegalArgumentException("Invalid head-init steps: " + steps);
      if (!(baseLr > 0)) throw new IllegalArgumentException("Invalid head-init baseLr: " + baseLr);
      if (!(weightDecay >= 0)) throw new IllegalArgumentException("Invalid head-init weightDecay: " + weightDecay);
      if (topK < 1) throw new IllegalArgumentException("Invalid head-init topK: " + topK);
    }
  }

  /**
   * Stage 3: no masking, the lower {@code frozenBlocks} blocks frozen, layer-wise lr decay on the rest.
   *
   * @param epochs passes over the training set (paper 20 for B/L, 30 for H); ignored when {@code steps > 0}
   * @param steps optimiser steps, overriding {@code epochs} when positive
   * @param encoderBaseLr encoder base learning rate (paper 1e-4)
   * @param encoderWeightDecay encoder weight decay (paper 0.05)
   * @param layerDecay layer-wise lr decay: block i gets {@code decay^(depth - i)}, embeddings
   *     {@code decay^(depth + 1)}, the final norm 1 (paper 0.65)
   * @param frozenBlocks number of lowest blocks frozen (with patch embedding and CLS when block 0 is frozen);
   *     -1 = half of the depth (paper)
   * @param headBaseLr head base learning rate (paper 1e-4)
   * @param headWeightDecay head weight decay (paper 1e-5)
   * @param topK neighbour candidates, the positive drawn uniformly among them (paper 20)
   * @param encoderEma EMA factor of the encoder copy that is saved and evaluated (paper 0.9999); 0 keeps the
   *     online encoder
   */
  public record Tuning(
      double epochs,
      long steps,
      double encoderBaseLr,
      double encoderWeightDecay,
      double layerDecay,
      int frozenBlocks,
      double headBaseLr,
      double headWeightDecay,
      int topK,
      double encoderEma) {
    public Tuning {
      if (!(epochs >= 0) || (epochs == 0 && steps <= 0)) {
        throw new IllegalArgumentException("Invalid tuning length: epochs=" + epochs + " steps=" + steps);
      }
      if (steps < 0) throw new IllegalArgumentException("Invalid tuning steps: " + steps);
      if (!(encoderBaseLr >= 0)) throw new IllegalArgumentException("Invalid encoderBaseLr: " + encoderBaseLr);
      if (!(encoderWeightDecay >= 0)) {
        throw new IllegalArgumentException("Invalid encoderWeightDecay: " + encoderWeightDecay);
      }
      if (!(layerDecay > 0 && layerDecay <= 1)) {
        throw new IllegalArgumentException("Invalid layerDecay (need 0 < d <= 1): " + layerDecay);
      }
      if (frozenBlocks < -1) throw new IllegalArgumentException("Invalid frozenBlocks: " + frozenBlocks);
      if (!(headBaseLr > 0)) throw new IllegalArgumentException("Invalid headBaseLr: " + headBaseLr);
      if (!(headWeightDecay >= 0)) throw new IllegalArgumentException("Invalid headWeightDecay: " + headWeightDecay);
      if (topK < 1) throw new IllegalArgumentException("Invalid topK: " + topK);
      if (!(encoderEma >= 0 && encoderEma < 1)) {
        throw new IllegalArgumentException("Invalid encoderEma (need 0 <= f < 1): " + encoderEma);
      }
    }

    /** Frozen blocks for an encoder of the given depth ({@code -1} resolves to {@code depth / 2}). */
    public int frozenBlocks(int depth) {
      int n = frozenBlocks < 0 ? depth / 2 : frozenBlocks;
      if (n > depth) {
        throw new IllegalArgumentException("frozenBlocks " + n + " exceeds the encoder depth " + depth);
      }
      return n;
    }
  }

  /**
   * Ablations (paper Tables 3/4).
   *
   * @param maskRatio share of patch tokens masked during contrastive tuning (paper: 0, no masking)
   * @param skipHeadInit go straight to stage 3 with a randomly initialised head
   * @param nnLookup false: the positive is the other view's own projection (SimCLR-style) instead of a
   *     queue neighbour
   */
  public record Ablation(double maskRatio, boolean skipHeadInit, boolean nnLookup) {
    public Ablation {
      if (!(maskRatio >= 0 && maskRatio < 1)) {
        throw new IllegalArgumentException("Invalid maskRatio (need 0 <= r < 1): " + maskRatio);
      }
    }

    public static Ablation none() {
      return new Ablation(0.0, false, true);
    }
  }

  public ContrastiveTuningConfig {
    if (head == null || headInit == null || tuning == null || ablation == null) {
      throw new IllegalArgumentException("head, headInit, tuning and ablation must be set");
    }
    if (batchSize < 2) throw new IllegalArgumentException("Invalid batchSize (need >= 2 for BatchNorm): " + batchSize);
    if (views != 2) throw new IllegalArgumentException("Invalid views: " + views + " (NNCLR uses 2)");
    if (!"min".equals(augmentation) && !"aug".equals(augmentation)) {
      throw new IllegalArgumentException("Invalid augmentation '" + augmentation + "' (known: min, aug)");
    }
    if (!(cropScaleMin > 0 && cropScaleMin <= 1)) {
      throw new IllegalArgumentException("Invalid cropScaleMin (need 0 < s <= 1): " + cropScaleMin);
    }
    if (!(warmupFraction >= 0 && warmupFraction < 1)) {
      throw new IllegalArgumentException("Invalid warmupFraction: " + warmupFraction);
    }
    if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
      throw new IllegalArgumentException("Invalid AdamW betas: " + beta1 + ", " + beta2);
    }
    if (head.queueSize() < batchSize) {
      throw new IllegalArgumentException(
          "queueSize " + head.queueSize() + " is smaller than batchSize " + batchSize);
    }
  }

  /** {@code batch * views / 256}: the reference's linear lr scaling factor. */
  public double lrScale() {
    return batchSize * (double) views / 256.0;
  }

  /** Paper ViT-B/16 (Tables 7/8): batch 1024, 20 + 20 epochs, lr 1e-4, top-20, half the blocks frozen. */
  public static ContrastiveTuningConfig paperBase() {
    return paper(NnclrHeadConfig.paperBase(), 1024, 20);
  }

  /** Paper ViT-L/16: as B with CLS pooling and temperature 0.2. */
  public static ContrastiveTuningConfig paperLarge() {
    return paper(NnclrHeadConfig.paperLarge(), 1024, 20);
  }

  /** Paper ViT-H/16 and H/14: batch 512, 30 tuning epochs, temperature 0.3, projector EMA 0.995. */
  public static ContrastiveTuningConfig paperHuge() {
    return paper(NnclrHeadConfig.paperHuge(), 512, 30);
  }

  private static ContrastiveTuningConfig paper(NnclrHeadConfig head, int batch, int tuningEpochs) {
    return new ContrastiveTuningConfig(head, batch, 2, "min", 0.08, 0.2, 0.9, 0.95,
        new HeadInit(20, 0, 1e-4, 1e-5, 1),
        new Tuning(tuningEpochs, 0, 1e-4, 0.05, 0.65, -1, 1e-4, 1e-5, 20, 0.9999),
        Ablation.none());
  }

  /**
   * CPU preset for Fashion-MNIST-sized data and the small CPU encoders (minutes on 2 cores).
   *
   * <p>Hundreds of steps instead of the paper's ~25k, so: (1) learning rates 40x the paper's base (4e-3 for
   * the head and the encoder before the layer-wise scale; 2e-3 for head initialisation) at batch 64 x 2 views,
   * to move in that budget; (2) encoder EMA 0.99 instead of 0.9999: the paper's EMA averages over ~10k of
   * ~25k steps; 0.9999 over 500 steps would leave the saved model at 95% stage-1 weights, i.e. evaluate the
   * MAE encoder again; (3) the paper's top-k 20; (4) crops of at least 50% of the area: at 28 px the objects
   * fill the frame, and smaller crops (20% = a 12x12-pixel piece) taught texture rather than shape. (3)-(4) and
   * the head's temperature 0.3 ({@link NnclrHeadConfig#cpu()}) were chosen with the PyTorch reference
   * ({@code tools/reference/maect_torch.py}, README "How the CPU recipe was chosen"): on a 10-epoch MAE they
   * raised k-means accuracy after 500 steps from 0.50 to 0.60 where crop 0.2 / temperature 0.15 / top-5 gave
   * 0.50-0.52.
   */
  public static ContrastiveTuningConfig cpu() {
    return new ContrastiveTuningConfig(NnclrHeadConfig.cpu(), 64, 2, "min", 0.5, 0.1, 0.9, 0.95,
        new HeadInit(1, 0, 2e-3, 1e-5, 1),
        new Tuning(2, 0, 4e-3, 0.05, 0.65, -1, 4e-3, 1e-5, 20, 0.99),
        Ablation.none());
  }

  /** Looks a preset up by name: {@code paper-base}, {@code paper-large}, {@code paper-huge}, {@code cpu}. */
  public static ContrastiveTuningConfig preset(String name) {
    return switch (name) {
      case "paper-base", "base" -> paperBase();
      case "paper-large", "large" -> paperLarge();
      case "paper-huge", "huge" -> paperHuge();
      case "cpu" -> cpu();
      default -> throw new IllegalArgumentException(
          "Unknown contrastive-tuning preset '" + name + "' (known: paper-base, paper-large, paper-huge, cpu)");
    };
  }

  public ContrastiveTuningConfig withHead(NnclrHeadConfig h) {
    return new ContrastiveTuningConfig(h, batchSize, views, augmentation, cropScaleMin, warmupFraction, beta1, beta2, headInit,
        tuning, ablation);
  }

  public ContrastiveTuningConfig withBatchSize(int b) {
    return new ContrastiveTuningConfig(head, b, views, augmentation, cropScaleMin, warmupFraction, beta1, beta2, headInit,
        tuning, ablation);
  }

  public ContrastiveTuningConfig withHeadInit(HeadInit h) {
    return new ContrastiveTuningConfig(head, batchSize, views, augmentation, cropScaleMin, warmupFraction, beta1, beta2, h,
        tuning, ablation);
  }

  public ContrastiveTuningConfig withTuning(Tuning t) {
    return new ContrastiveTuningConfig(head, batchSize, views, augmentation, cropScaleMin, warmupFraction, beta1, beta2,
        headInit, t, ablation);
  }

  public ContrastiveTuningConfig withAblation(Ablation a) {
    return new ContrastiveTuningConfig(head, batchSize, views, augmentation, cropScaleMin, warmupFraction, beta1, beta2,
        headInit, tuning, a);
  }
}
