package org.maect.examples.bench;

import java.util.List;
import java.util.Locale;
import org.maect.core.config.ContrastiveTuningConfig;
import org.maect.core.config.MaeConfig;
import org.maect.core.config.NnclrHeadConfig;
import org.maect.core.config.ViTConfig;

/**
 * Model sizes the benchmark knows: the MAE model, the contrastive-tuning settings (head, queue, top-k) and
 * the default batch sizes of each step.
 *
 * @param name preset id
 * @param mae encoder + decoder (the encoder is also the CT and embedding encoder)
 * @param ct head, queue, top-k, frozen blocks (half), EMA factors
 * @param maeBatch images per MAE step
 * @param ctBatch images per view per CT step (two views)
 * @param embedBatch images per embedding batch
 */
public record BenchPreset(
    String name, MaeConfig mae, ContrastiveTuningConfig ct, int maeBatch, int ctBatch, int embedBatch) {

  /**
   * ViT-Ti (D 192, depth 12, 3 heads, MLP 768) on 28x28 grey images with 4x4 patches (49 tokens), decoder
   * 128d 2 blocks 4 heads, mask ratio 0.75, norm-pix loss.
   */
  public static final ViTConfig VIT_TI28 = new ViTConfig(28, 4, 1, 192, 12, 3, 4.0);

  public static List<String> names() {
    return List.of("cpu28", "cpu32", "vit_ti");
  }

  /** Preset by name (case-insensitive). */
  public static BenchPreset of(String name) {
    ContrastiveTuningConfig cpuCt = ContrastiveTuningConfig.cpu();
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "cpu28" -> new BenchPreset("cpu28", MaeConfig.CPU28, cpuCt, 256, cpuCt.batchSize(), 256);
      case "cpu32" -> new BenchPreset("cpu32", MaeConfig.CPU32, cpuCt, 256, cpuCt.batchSize(), 256);
      case "vit_ti", "vit_ti28" -> new BenchPreset("vit_ti",
          new MaeConfig(VIT_TI28, 128, 2, 4, 0.75, true), cpuCt, 256, cpuCt.batchSize(), 256);
      default -> throw new IllegalArgumentException("Unknown bench preset '" + name + "'; known: " + names());
    };
  }

  /** Default batch of a step kind. */
  public int defaultBatch(String step) {
    return switch (step) {
      case "mae_step" -> maeBatch;
      case "ct_step" -> ctBatch;
      case "embed" -> embedBatch;
      default -> throw new IllegalArgumentException("Unknown step '" + step + "'");
    };
  }

  public NnclrHeadConfig head() {
    return ct.head();
  }
}
