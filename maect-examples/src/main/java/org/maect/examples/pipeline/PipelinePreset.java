package org.maect.examples.pipeline;

import java.util.List;
import java.util.Locale;
import org.maect.core.config.ContrastiveTuningConfig;
import org.maect.core.config.MaeConfig;
import org.maect.core.config.MaePretrainConfig;
import org.maect.core.config.OptimConfig;
import org.maect.eval.EvalConfig;
import org.maect.eval.cluster.KMeansConfig;

/**
 * Everything the end-to-end pipeline runs with, in one place: stage 1 (MAE), stages 2/3 (head initialisation and
 * contrastive tuning), and the evaluation protocol. <b>Hyperparameters of the named presets live only here</b>
 * ({@link #cpuSmall()}, {@link #cpuLarge()}); the CLI and the example main only pick a name.
 *
 * @param name preset name ({@code cpu-small}, {@code cpu-large})
 * @param mae stage 1: dataset, MAE model, optimiser, augmentation, training-set limit
 * @param contrastive stages 2 and 3 ({@code augmentation "min"} = MAE-CT_min, {@code "aug"} = MAE-CT_aug)
 * @param contrastiveTrainLimit stages 2/3 use only the first N training images (0 = all)
 * @param eval evaluation protocol run on both encoders (k-NN, linear probe, low-shot, k-means, silhouette)
 * @param evalTrainLimit embed only the first N training images for evaluation (0 = all 60k)
 * @param evalTestLimit embed only the first N test images (0 = all 10k)
 * @param tsnePoints test points in the 2-D embedding figure
 * @param checkpointEvery periodic checkpoint interval of every training stage, in steps
 * @param seed run seed (all stages)
 */
public record PipelinePreset(
    String name,
    MaePretrainConfig mae,
    ContrastiveTuningConfig contrastive,
    int contrastiveTrainLimit,
    EvalConfig eval,
    int evalTrainLimit,
    int evalTestLimit,
    int tsnePoints,
    long checkpointEvery,
    long seed) {

  public PipelinePreset {
    if (name == null || name.isBlank()) throw new IllegalArgumentException("preset name is required");
    if (mae == null || contrastive == null || eval == null) {
      throw new IllegalArgumentException("preset " + name + ": mae, contrastive and eval configs are required");
    }
    if (contrastiveTrainLimit < 0 || evalTrainLimit < 0 || evalTestLimit < 0 || tsnePoints < 0) {
      throw new IllegalArgumentException("preset " + name + ": limits must be >= 0");
    }
    if (checkpointEvery < 0) throw new IllegalArgumentException("Invalid checkpointEvery: " + checkpointEvery);
  }

  /** Dataset of all stages. */
  public String dataset() {
    return mae.dataset();
  }

  /** Preset names accepted by {@link #of(String)}. */
  public static List<String> names() {
    return List.of("cpu-small", "cpu-large");
  }

  /** Named preset (case-insensitive); an unknown name lists the known ones. */
  public static PipelinePreset of(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "cpu-small", "small" -> cpuSmall();
      case "cpu-large", "large" -> cpuLarge();
      default -> throw new IllegalArgumentException("Unknown pipeline preset '" + name + "'; known: " + names());
    };
  }

  /**
   * Default: Fashion-MNIST, {@link MaeConfig#CPU28} (D=64, 4 blocks, patch 4), meant to finish end to end
   * (both evaluations included) in at most 30 minutes on a 2-core machine: stage 1 4 epochs over all 60k
   * training images (batch 128, 1872 steps), stage 2 300 steps, stage 3 500 steps (batch 64 x 2 views), with
   * {@link ContrastiveTuningConfig#cpu()}'s recipe; evaluation with the first 20k training images as the k-NN /
   * probe training set and all 10k test images.
   */
  public static PipelinePreset cpuSmall() {
    return cpu("cpu-small", 4, 0, new Length(0, 300), new Length(0, 500), 20_000, 2000, 100);
  }

  /**
   * Longer runs of the same model and recipe: 10 MAE epochs over all 60k images, 1 + 3 NNCLR epochs (937 + 2811
   * steps at batch 64), evaluation on all images. Measured (session 3, one thread): 27.9 min; MAE -> MAE-CT
   * k-NN@20 0.800 -> 0.834, k-means accuracy 0.435 -> 0.596, NMI 0.479 -> 0.606 (README).
   */
  public static PipelinePreset cpuLarge() {
    return cpu("cpu-large", 10, 0, new Length(1, 0), new Length(3, 0), 0, 3000, 100);
  }

  /** A stage length: whole epochs, or (when {@code epochs == 0}) optimiser steps. */
  private record Length(int epochs, int steps) {}

  /**
   * The CPU presets: {@link MaeConfig#CPU28} on Fashion-MNIST (batch 128, base lr 1.5e-3, 5% warm-up) with
   * {@link ContrastiveTuningConfig#cpu()} for stages 2-3; only the lengths and evaluation sizes differ.
   *
   * @param maeLimit first N training images for stage 1 (0: all)
   * @param evalTrainLimit first N training images for k-NN / probe (0: all)
   */
  private static PipelinePreset cpu(String name, int maeEpochs, int maeLimit, Length headInit, Length tuning,
      int evalTrainLimit, int tsnePoints, long checkpointEvery) {
    OptimConfig mo = OptimConfig.maePretrain().withEpochs(maeEpochs).withBatchSize(128).withBaseLr(1.5e-3)
        .withWarmupFraction(0.05);
    MaePretrainConfig mae = new MaePretrainConfig("fashion-mnist", MaeConfig.CPU28, mo, 0, true, maeLimit);
    ContrastiveTuningConfig base = ContrastiveTuningConfig.cpu();
    ContrastiveTuningConfig.HeadInit hi = base.headInit();
    ContrastiveTuningConfig.Tuning tu = base.tuning();
    ContrastiveTuningConfig ct = base
        .withHeadInit(new ContrastiveTuningConfig.HeadInit(headInit.epochs(), headInit.steps(), hi.baseLr(),
            hi.weightDecay(), hi.topK()))
        .withTuning(new ContrastiveTuningConfig.Tuning(tuning.epochs(), tuning.steps(), tu.encoderBaseLr(),
            tu.encoderWeightDecay(), tu.layerDecay(), tu.frozenBlocks(), tu.headBaseLr(), tu.headWeightDecay(),
            tu.topK(), tu.encoderEma()));
    return new PipelinePreset(name, mae, ct, 0, evalProtocol(0), evalTrainLimit, 0, tsnePoints, checkpointEvery,
        0);
  }

  /** The paper's protocol (k-NN k in {10, 20, 100, 200}, probe sweep, 1/2/5-shot, k-means with 10 restarts). */
  static EvalConfig evalProtocol(long seed) {
    return EvalConfig.defaults(seed).withKMeans(KMeansConfig.of(0, 10, seed));
  }

  /** MAE-CT_aug instead of MAE-CT_min: the BYOL augmentations during stages 2 and 3. */
  public PipelinePreset withAugmentation(boolean byol) {
    ContrastiveTuningConfig c = contrastive;
    ContrastiveTuningConfig a = new ContrastiveTuningConfig(c.head(), c.batchSize(), c.views(), byol ? "aug" : "min",
        c.cropScaleMin(), c.warmupFraction(), c.beta1(), c.beta2(), c.headInit(), c.tuning(), c.ablation());
    return withContrastive(a);
  }

  /** Command-line overrides of the stage lengths (null = keep the preset's value). */
  public PipelinePreset withOverrides(Integer maeEpochs, Integer maeLimit, Long headInitSteps, Long tuneSteps,
      Integer evalTrainLimitOverride) {
    PipelinePreset p = this;
    if (maeEpochs != null) p = p.withMae(p.mae.withOptim(p.mae.optim().withEpochs(maeEpochs)));
    if (maeLimit != null) p = p.withMae(p.mae.withTrainLimit(maeLimit));
    ContrastiveTuningConfig c = p.contrastive;
    if (headInitSteps != null) {
      ContrastiveTuningConfig.HeadInit h = c.headInit();
      c = c.withHeadInit(new ContrastiveTuningConfig.HeadInit(0, headInitSteps, h.baseLr(), h.weightDecay(), h.topK()));
    }
    if (tuneSteps != null) {
      ContrastiveTuningConfig.Tuning t = c.tuning();
      c = c.withTuning(new ContrastiveTuningConfig.Tuning(0, tuneSteps, t.encoderBaseLr(), t.encoderWeightDecay(),
          t.layerDecay(), t.frozenBlocks(), t.headBaseLr(), t.headWeightDecay(), t.topK(), t.encoderEma()));
    }
    p = p.withContrastive(c);
    if (evalTrainLimitOverride != null) p = p.withEval(p.eval, evalTrainLimitOverride, p.evalTestLimit, p.tsnePoints);
    return p;
  }

  /**
   * The same preset with another run seed: stage 1's seed (initialisation, masking, augmentation, shuffling), the
   * seed of stages 2-3 and of the evaluation (probe, low-shot splits, k-means restarts, t-SNE) all become {@code s}.
   * The evaluation is rebuilt as the paper's protocol ({@link #evalProtocol}) with that seed, which is what every
   * named preset uses; apply {@link #withEval} after this method to keep a custom protocol.
   */
  public PipelinePreset withSeed(long s) {
    MaePretrainConfig m = new MaePretrainConfig(mae.dataset(), mae.model(), mae.optim(), s, mae.augment(),
        mae.trainLimit());
    return new PipelinePreset(name, m, contrastive, contrastiveTrainLimit, evalProtocol(s), evalTrainLimit,
        evalTestLimit, tsnePoints, checkpointEvery, s);
  }

  public PipelinePreset withMae(MaePretrainConfig m) {
    return new PipelinePreset(name, m, contrastive, contrastiveTrainLimit, eval, evalTrainLimit, evalTestLimit,
        tsnePoints, checkpointEvery, seed);
  }

  public PipelinePreset withContrastive(ContrastiveTuningConfig c) {
    return new PipelinePreset(name, mae, c, contrastiveTrainLimit, eval, evalTrainLimit, evalTestLimit, tsnePoints,
        checkpointEvery, seed);
  }

  public PipelinePreset withContrastiveTrainLimit(int n) {
    return new PipelinePreset(name, mae, contrastive, n, eval, evalTrainLimit, evalTestLimit, tsnePoints,
        checkpointEvery, seed);
  }

  public PipelinePreset withEval(EvalConfig e, int trainLimit, int testLimit, int tsne) {
    return new PipelinePreset(name, mae, contrastive, contrastiveTrainLimit, e, trainLimit, testLimit, tsne,
        checkpointEvery, seed);
  }
}
