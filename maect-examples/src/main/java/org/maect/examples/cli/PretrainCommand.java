package org.maect.examples.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.maect.core.config.MaeConfig;
import org.maect.core.config.MaePretrainConfig;
import org.maect.core.config.OptimConfig;
import org.maect.examples.MaePretrainExample;
import org.maect.samediff.mae.MaePretrainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./maect pretrain}: stage 1, MAE pre-training. */
@Command(
    name = "pretrain",
    mixinStandardHelpOptions = true,
    description = {
      "Stage 1: masked-autoencoder pre-training (75% of patches masked, norm-pix loss, AdamW + warmup/cosine).",
      "Writes run.json, metrics.jsonl, checkpoints/last.ckpt and reconstructions.png (original / masked /",
      "reconstruction of 8 test images, refreshed every epoch) into --out."
    })
public final class PretrainCommand implements Callable<Integer> {

  @Option(names = "--preset", defaultValue = "cpu28",
      description = "model preset: cpu28, cpu32, vit_b16, vit_l16, vit_h16, vit_h14 (default: ${DEFAULT-VALUE})")
  String preset;

  @Option(names = "--dataset", defaultValue = "fashion-mnist", description = "dataset (default: ${DEFAULT-VALUE})")
  String dataset;

  @Option(names = "--data-dir", description = "directory holding the dataset files")
  Path dataDir;

  @Option(names = "--epochs", defaultValue = "2", description = "epochs (default: ${DEFAULT-VALUE})")
  int epochs;

  @Option(names = "--batch-size", defaultValue = "256", description = "images per step (default: ${DEFAULT-VALUE})")
  int batchSize;

  @Option(names = "--base-lr",
      description = "lr per 256 images; actual lr = base-lr * batch / 256 (default: " + MaePretrainConfig.CPU_BASE_LR
          + " for cpu28/cpu32, MAE's 1.5e-4 for the paper presets)")
  Double baseLr;

  @Option(names = "--warmup", defaultValue = "0.05", description = "warm-up fraction of all steps (default: ${DEFAULT-VALUE})")
  double warmup;

  @Option(names = "--limit", defaultValue = "0", description = "use only the first N training images (0 = all)")
  int limit;

  @Option(names = "--no-augment", description = "no RandomResizedCrop/flip, only normalisation")
  boolean noAugment;

  @Option(names = "--seed", defaultValue = "0", description = "seed (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--out", description = "run directory (default: runs/mae-<preset>)")
  Path out;

  @Option(names = "--resume", description = "continue from <out>/checkpoints/last.ckpt")
  boolean resume;

  @Option(names = "--checkpoint-every", defaultValue = "50", description = "checkpoint interval in steps (default: ${DEFAULT-VALUE})")
  long checkpointEvery;

  @Option(names = "--stop-after", defaultValue = "0", description = "stop after this many steps in total (0 = all)")
  long stopAfter;

  @Option(names = "--quiet", description = "no progress output")
  boolean quiet;

  /** The run's configuration from the options (base lr: the option, else the preset's default). */
  MaePretrainConfig config() {
    MaeConfig model = MaeConfig.preset(preset);
    double lr = baseLr != null ? baseLr : MaePretrainConfig.defaultBaseLr(model);
    OptimConfig optim = OptimConfig.maePretrain().withEpochs(epochs).withBatchSize(batchSize).withBaseLr(lr)
        .withWarmupFraction(warmup);
    return new MaePretrainConfig(dataset, model, optim, seed, !noAugment, limit);
  }

  @Override
  public Integer call() {
    MaePretrainConfig cfg = config();
    Path dir = out != null ? out : Path.of("runs", "mae-" + preset);
    MaePretrainer.Result r = MaePretrainExample.run(cfg,
        new MaePretrainer.Options(dir, resume, quiet, stopAfter, checkpointEvery, dataDir));
    System.out.printf("pretrain: steps %d..%d, loss %.4f -> %.4f, %.1f s, %.1f images/s, preview MSE %.4f%n",
        r.firstStep() + 1, r.lastStep(), r.firstLoss(), r.lastLoss(), r.seconds(), r.imagesPerSecond(),
        r.reconstructionMse());
    System.out.println("run directory: " + r.runDir().toAbsolutePath() + "  (reconstructions.png, metrics.jsonl)");
    return 0;
  }
}
