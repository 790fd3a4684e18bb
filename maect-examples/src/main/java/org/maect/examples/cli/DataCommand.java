package org.maect.examples.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.maect.examples.DatasetSummaryExample;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./maect data}: dataset summary and a PNG grid of samples with their augmented views. */
@Command(
    name = "data",
    mixinStandardHelpOptions = true,
    description = "Summarise a dataset (images per class, shape, per-channel mean/std for train and test) and"
        + " optionally write a PNG grid: one row per class, columns = image, MAE-CT_min views, MAE-CT_aug views.")
public final class DataCommand implements Callable<Integer> {

  @Option(names = "--dataset", defaultValue = "fashion-mnist",
      description = "fashion-mnist, mnist, cifar10, cifar100 or folder:<root> (default: ${DEFAULT-VALUE})")
  String dataset;

  @Option(names = "--data-dir", description = "directory holding the dataset files (default: repo data/, then /usr/share/datasets)")
  Path dataDir;

  @Option(names = "--grid", description = "write a PNG grid of samples and augmented views to this file")
  Path grid;

  @Option(names = "--views", defaultValue = "4", description = "augmented views per preset in the grid (default: ${DEFAULT-VALUE})")
  int views;

  @Option(names = "--rows", defaultValue = "10", description = "classes (rows) in the grid (default: ${DEFAULT-VALUE})")
  int rows;

  @Option(names = "--seed", defaultValue = "0", description = "augmentation seed (default: ${DEFAULT-VALUE})")
  long seed;

  @Override
  public Integer call() {
    DatasetSummaryExample.Result r =
        DatasetSummaryExample.run(new DatasetSummaryExample.Config(dataset, dataDir, grid, rows, views, seed));
    System.out.print(DatasetSummaryExample.format(r));
    return 0;
  }
}
