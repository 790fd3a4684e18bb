package org.maect.examples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.maect.core.data.Augmentations;
import org.maect.core.data.BatchIterator;
import org.maect.core.data.Datasets;
import org.maect.core.data.ImageDataset;
import org.maect.core.data.ImageGrid;
import org.maect.core.data.ImageTransform;
import org.maect.core.data.Split;

/**
 * Summarises a dataset (per split: size, shape, samples per class, per-channel mean/std) and optionally
 * writes a PNG grid: one row per class (its first training image), columns = the image, then
 * {@code views} MAE-CT<sub>min</sub> views, then {@code views} MAE-CT<sub>aug</sub> views.
 *
 * <p>{@code main} runs Fashion-MNIST and writes {@code target/dataset-grid.png}; {@code ./maect data} is
 * the command-line front end.
 */
public final class DatasetSummaryExample {

  /**
   * @param dataset a {@link Datasets#NAMES} entry
   * @param dataDir user data directory or null
   * @param grid PNG path for the sample grid, or null for none
   * @param rows classes shown in the grid (first {@code rows} classes)
   * @param views augmented views per augmentation preset
   * @param seed augmentation seed (views use {@link BatchIterator#sampleRng} of (seed, epoch 0, index, view))
   */
  public record Config(String dataset, Path dataDir, Path grid, int rows, int views, long seed) {
    public Config {
      if (dataset == null || dataset.isBlank()) {
        throw new IllegalArgumentException("Invalid dataset name: " + dataset);
      }
      if (rows <= 0 || views < 0) {
        throw new IllegalArgumentException("Invalid grid: rows " + rows + ", views " + views);
      }
    }

    public static Config defaults() {
      return new Config("fashion-mnist", null, Paths.get("target", "dataset-grid.png"), 10, 4, 0);
    }
  }

  /** One split's numbers; {@code mean}/{@code std} per channel over all pixels in [0,1]. */
  public record SplitSummary(
      Split split, int size, int channels, int height, int width, int[] classCounts, double[] mean, double[] std) {}

  public record Result(String dataset, List<String> classNames, List<SplitSummary> splits, Path grid) {
    public SplitSummary split(Split s) {
      return splits.stream().filter(x -> x.split() == s).findFirst().orElseThrow();
    }
  }

  private DatasetSummaryExample() {}

  public static void main(String[] args) {
    Config cfg = Config.defaults();
    if (args.length > 0) {
      cfg = new Config(args[0], args.length > 1 ? Paths.get(args[1]) : null, cfg.grid(), cfg.rows(), cfg.views(), 0);
    }
    System.out.print(format(run(cfg)));
  }

  public static Result run(Config cfg) {
    List<SplitSummary> splits = new ArrayList<>();
    ImageDataset train = null;
    for (Split s : Split.values()) {
      ImageDataset ds;
      try {
        ds = Datasets.load(cfg.dataset(), s, cfg.dataDir());
      } catch (RuntimeException e) {
        if (s == Split.TEST && train != null) {
          continue; // e.g. an image folder without val/: summarise what exists
        }
        throw e;
      }
      if (s == Split.TRAIN) {
        train = ds;
      }
      double[][] ms = Datasets.meanStd(ds);
      splits.add(new SplitSummary(s, ds.size(), ds.channels(), ds.height(), ds.width(), Datasets.classCounts(ds),
          ms[0], ms[1]));
    }
    Path grid = null;
    if (cfg.grid() != null) {
      grid = writeGrid(train, cfg);
    }
    return new Result(cfg.dataset(), train.classNames(), List.copyOf(splits), grid);
  }

  private static Path writeGrid(ImageDataset ds, Config cfg) {
    int c = ds.channels();
    int h = ds.height();
    int w = ds.width();
    int size = Math.min(h, w);
    List<ImageTransform> columns = new ArrayList<>();
    columns.add(Augmentations.evalTransform(size));
    for (int v = 0; v < cfg.views(); v++) {
      columns.add(Augmentations.maeCtMin(size));
    }
    for (int v = 0; v < cfg.views(); v++) {
      columns.add(Augmentations.maeCtAug(size));
    }
    int rows = Math.min(cfg.rows(), ds.numClasses());
    int scale = Math.max(1, 96 / size);
    ImageGrid grid = new ImageGrid(rows, columns.size(), size, size, scale, 2);
    float[] raw = new float[ds.imageSize()];
    float[] out = new float[c * size * size];
    for (int r = 0; r < rows; r++) {
      int idx = firstOfClass(ds, r);
      if (idx < 0) {
        continue;
      }
      ds.image(idx, raw, 0);
      for (int col = 0; col < columns.size(); col++) {
        columns.get(col).apply(raw, c, h, w, out, 0, BatchIterator.sampleRng(cfg.seed(), 0, idx, col));
        grid.set(r, col, out, 0, c, size, size);
      }
    }
    try {
      grid.write(cfg.grid());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write grid " + cfg.grid() + ": " + e.getMessage(), e);
    }
    return cfg.grid();
  }

  private static int firstOfClass(ImageDataset ds, int label) {
    for (int i = 0; i < ds.size(); i++) {
      if (ds.label(i) == label) {
        return i;
      }
    }
    return -1;
  }

  /** The summary as printed by {@code ./maect data}. */
  public static String format(Result r) {
    StringBuilder sb = new StringBuilder();
    sb.append("dataset ").append(r.dataset()).append(", ").append(r.classNames().size()).append(" classes\n");
    for (SplitSummary s : r.splits()) {
      sb.append(String.format(Locale.ROOT, "%s: %d images, shape [%d, %d, %d]%n", s.split().id(), s.size(),
          s.channels(), s.height(), s.width()));
      sb.append("  mean ").append(fmt(s.mean())).append("  std ").append(fmt(s.std())).append('\n');
    }
    sb.append(String.format(Locale.ROOT, "  %-3s %-20s", "#", "class"));
    for (SplitSummary s : r.splits()) {
      sb.append(String.format(Locale.ROOT, " %8s", s.split().id()));
    }
    sb.append('\n');
    for (int k = 0; k < r.classNames().size(); k++) {
      sb.append(String.format(Locale.ROOT, "  %-3d %-20s", k, r.classNames().get(k)));
      for (SplitSummary s : r.splits()) {
        sb.append(String.format(Locale.ROOT, " %8d", s.classCounts()[k]));
      }
      sb.append('\n');
    }
    if (r.grid() != null) {
      sb.append("grid ").append(r.grid()).append(": one row per class; columns: image (eval transform), then ")
          .append("MAE-CT_min views, then MAE-CT_aug views\n");
    }
    return sb.toString();
  }

  private static String fmt(double[] v) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < v.length; i++) {
      sb.append(i > 0 ? ", " : "").append(String.format(Locale.ROOT, "%.4f", v[i]));
    }
    return sb.append(']').toString();
  }
}
