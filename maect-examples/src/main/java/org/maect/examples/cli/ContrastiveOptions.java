package org.maect.examples.cli;

import java.nio.file.Path;
import org.maect.core.config.ContrastiveTuningConfig;
import picocli.CommandLine.Option;

/** Options shared by {@code ./maect head-init} and {@code ./maect tune} (a picocli mixin). */
public final class ContrastiveOptions {

  @Option(names = "--from", required = true, description = "run directory of the previous stage")
  Path from;

  @Option(names = "--out", required = true, description = "run directory of this stage")
  Path out;

  @Option(names = "--preset", defaultValue = "cpu",
      description = "cpu, paper-base, paper-large, paper-huge (default: ${DEFAULT-VALUE})")
  String preset;

  @Option(names = "--dataset", defaultValue = "fashion-mnist",
      description = "fashion-mnist, mnist, cifar10, cifar100 or folder:<root> (default: ${DEFAULT-VALUE})")
  String dataset;

  @Option(names = "--data-dir", description = "directory holding the dataset files")
  Path dataDir;

  @Option(names = "--steps", description = "optimiser steps (overrides the preset's epochs)")
  Long steps;

  @Option(names = "--epochs", description = "epochs (fractional allowed; overrides the preset)")
  Double epochs;

  @Option(names = "--batch-size", description = "images per step, each in 2 views (overrides the preset)")
  Integer batchSize;

  @Option(names = "--queue-size", description = "NN queue length (overrides the preset)")
  Integer queueSize;

  @Option(names = "--base-lr", description = "base learning rate of the head (and, for tune, of the encoder), per 256 images x views")
  Double baseLr;

  @Option(names = "--top-k", description = "neighbour candidates (stage 2 default 1, stage 3 preset's)")
  Integer topK;

  @Option(names = "--no-nn-lookup", description = "ablation: positive = the other view's own projection (SimCLR-style)")
  boolean noNnLookup;

  @Option(names = "--seed", defaultValue = "0", description = "seed (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--resume", description = "continue from OUT/checkpoints/last.ckpt")
  boolean resume;

  @Option(names = "--checkpoint-every", defaultValue = "200", description = "steps between checkpoints (default: ${DEFAULT-VALUE})")
  long checkpointEvery;

  @Option(names = "--train-limit", defaultValue = "0", description = "use only the first N training images (0: all)")
  int trainLimit;

  @Option(names = "--no-normalize", description = "do not normalise inputs (stage 1 normalises with the dataset statistics)")
  boolean noNormalize;

  @Option(names = {"-q", "--quiet"}, description = "no progress lines")
  boolean quiet;

  /** The preset with the options shared by both stages applied. */
  ContrastiveTuningConfig base() {
    ContrastiveTuningConfig c = ContrastiveTuningConfig.preset(preset);
    // order so that queueSize >= batchSize holds after each change
    boolean batchFirst = batchSize != null && batchSize <= c.head().queueSize();
    if (batchFirst) c = c.withBatchSize(batchSize);
    if (queueSize != null) c = c.withHead(c.head().withQueueSize(queueSize));
    if (batchSize != null && !batchFirst) c = c.withBatchSize(batchSize);
    if (noNnLookup) {
      ContrastiveTuningConfig.Ablation a = c.ablation();
      c = c.withAblation(new ContrastiveTuningConfig.Ablation(a.maskRatio(), a.skipHeadInit(), false));
    }
    return c;
  }
}
