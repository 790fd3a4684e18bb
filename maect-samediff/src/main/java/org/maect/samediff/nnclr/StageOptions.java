package org.maect.samediff.nnclr;

import java.nio.file.Path;
import org.maect.core.config.ContrastiveTuningConfig;

/**
 * Where and how a contrastive stage (head initialisation or tuning) runs.
 *
 * @param from run directory of the previous stage (stage 1 for head initialisation; stage 2 for tuning, or
 *     stage 1 with the skip-head-init ablation)
 * @param out run directory of this stage (run.json, metrics.jsonl, checkpoints/)
 * @param config stages 2-3 hyperparameters
 * @param dataset dataset name for {@code Datasets.load} (e.g. {@code fashion-mnist})
 * @param dataDir dataset directory or null for the default location
 * @param seed run seed (data order, augmentation, head init, neighbour draws)
 * @param resume continue from {@code out/checkpoints/last.ckpt} if it exists
 * @param quiet no progress lines (CI)
 * @param checkpointEvery write {@code last.ckpt} every this many steps (0: at the end only)
 * @param trainLimit use only the first this many training images (0: all; tests)
 * @param normalize normalise inputs with {@code Normalize.forDataset(dataset)} (as stage 1 does)
 */
public record StageOptions(
    Path from,
    Path out,
    ContrastiveTuningConfig config,
    String dataset,
    Path dataDir,
    long seed,
    boolean resume,
    boolean quiet,
    long checkpointEvery,
    int trainLimit,
    boolean normalize) {

  public StageOptions {
    if (from == null) throw new IllegalArgumentException("from (previous stage's run directory) must be set");
    if (out == null) throw new IllegalArgumentException("out (run directory) must be set");
    if (config == null) throw new IllegalArgumentException("config must be set");
    if (dataset == null || dataset.isBlank()) throw new IllegalArgumentException("dataset must be set");
    if (checkpointEvery < 0) throw new IllegalArgumentException("Invalid checkpointEvery: " + checkpointEvery);
    if (trainLimit < 0) throw new IllegalArgumentException("Invalid trainLimit: " + trainLimit);
  }

  public StageOptions withConfig(ContrastiveTuningConfig c) {
    return new StageOptions(from, out, c, dataset, dataDir, seed, resume, quiet, checkpointEvery, trainLimit,
        normalize);
  }
}
