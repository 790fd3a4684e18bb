package org.maect.examples.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.maect.core.data.Split;
import org.maect.examples.EmbedFeatures;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./maect embed}: pooled encoder features of a dataset split or a .npy of images, as a .npy. */
@Command(
    name = "embed",
    mixinStandardHelpOptions = true,
    description = {
      "Write pooled encoder features [N, D] (float32 .npy) for a dataset split or for images in a .npy",
      "([N, C, H, W] float32, already normalised). Pooling: CLS or mean of patch tokens after the final norm."
    })
public final class EmbedCommand implements Callable<Integer> {

  @Option(names = "--checkpoint", required = true, description = "run directory or checkpoint file")
  Path checkpoint;

  static final class Input {
    @Option(names = "--dataset", required = true, description = "fashion-mnist, mnist, cifar10, cifar100 or folder:<root>")
    String dataset;

    @Option(names = "--images", required = true, description = ".npy of images [N, C, H, W], already normalised")
    Path images;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  Input input;

  @Option(names = "--split", defaultValue = "test", description = "train or test (default: ${DEFAULT-VALUE})")
  String split;

  @Option(names = "--data-dir", description = "directory holding the dataset files")
  Path dataDir;

  @Option(names = "--out", required = true, description = "output .npy of features [N, D]")
  Path out;

  @Option(names = "--labels-out", description = "also write the dataset labels [N] (int32 .npy) here")
  Path labelsOut;

  @Option(names = "--pool", description = "cls or mean (default: as configured in the checkpoint, else cls)")
  String pool;

  @Option(names = "--batch-size", defaultValue = "256", description = "images per forward pass (default: ${DEFAULT-VALUE})")
  int batchSize;

  @Option(names = "--state-prefix", description = "use the encoder stored as state arrays under this prefix (e.g. EMA)")
  String statePrefix;

  @Override
  public Integer call() throws Exception {
    Split s = Split.valueOf(split.toUpperCase(Locale.ROOT));
    EmbedFeatures.Result r =
        EmbedFeatures.run(new EmbedFeatures.Config(checkpoint, input.dataset, s, dataDir, input.images, out,
            pool == null ? null : EmbedFeatures.parsePooling(pool), batchSize, statePrefix, labelsOut));
    System.out.printf(Locale.ROOT, "wrote %s: %d x %d features (%s pooling) in %.1f s%n", r.out(), r.n(), r.dim(),
        r.pooling(), r.seconds());
    return 0;
  }
}
