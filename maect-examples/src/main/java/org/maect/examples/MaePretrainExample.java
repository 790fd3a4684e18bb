package org.maect.examples;

import java.nio.file.Path;
import org.maect.core.config.MaeConfig;
import org.maect.core.config.MaePretrainConfig;
import org.maect.samediff.mae.MaePretrainer;

/**
 * Stage 1 in a few lines: MAE pre-training of the {@code cpu28} preset on Fashion-MNIST.
 *
 * <pre>
 *   MaePretrainExample [epochs] [outDir]      (defaults: 1, runs/mae-example)
 * </pre>
 */
public final class MaePretrainExample {
  private MaePretrainExample() {}

  public static void main(String[] args) {
    int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 1;
    Path out = Path.of(args.length > 1 ? args[1] : "runs/mae-example");
    MaePretrainer.Result r = run(MaePretrainConfig.of("fashion-mnist", MaeConfig.CPU28, epochs, 256, 0),
        new MaePretrainer.Options(out, false, false, 0, 100, null));
    System.out.printf("loss %.4f -> %.4f over steps %d..%d, %.1f images/s, reconstructions: %s%n",
        r.firstLoss(), r.lastLoss(), r.firstStep() + 1, r.lastStep(), r.imagesPerSecond(), r.reconstructions());
  }

  /** Runs pre-training with the given config and options (tests call this with a few steps). */
  public static MaePretrainer.Result run(MaePretrainConfig config, MaePretrainer.Options options) {
    return MaePretrainer.run(config, options);
  }
}
