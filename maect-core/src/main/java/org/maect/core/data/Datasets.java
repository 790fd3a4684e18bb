package org.maect.core.data;

import java.lang.ref.SoftReference;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a dataset by name.
 *
 * <table>
 *   <caption>names</caption>
 *   <tr><td>{@code fashion-mnist}</td><td>28x28 grey, 10 classes, 60000/10000 (the default; ships in the repo)</td></tr>
 *   <tr><td>{@code mnist}</td><td>28x28 grey, 10 classes, 60000/10000</td></tr>
 *   <tr><td>{@code cifar10}</td><td>32x32 RGB, 10 classes, 50000/10000 (binary version)</td></tr>
 *   <tr><td>{@code cifar100}</td><td>32x32 RGB, 100 fine classes, 50000/10000 (binary version)</td></tr>
 *   <tr><td>{@code folder:<root>}</td><td>ImageNet layout {@code <root>/[train|val]/<class>/<image>}, see
 *       {@link ImageFolderDataset}</td></tr>
 * </table>
 *
 * In-memory datasets are cached (softly) per name, split and data directory, so repeated loads in one JVM
 * (tests, CLI stages) decode the files once.
 */
public final class Datasets {
  private static final Logger LOG = LoggerFactory.getLogger(Datasets.class);
  /** The names {@link #load} accepts ({@code folder:} takes a root directory after the colon). */
  public static final List<String> NAMES = List.of("fashion-mnist", "mnist", "cifar10", "cifar100", "folder:<root>");

  private static final Map<String, SoftReference<ImageDataset>> CACHE = new ConcurrentHashMap<>();

  private Datasets() {}

  /**
   * @param name one of {@link #NAMES}
   * @param split train or test
   * @param dataDirOrNull the user's data directory ({@code --data-dir}), or null for the default lookup
   * @throws DatasetException when the files are missing or bad (the message names them)
   * @throws IllegalArgumentException for an unknown name
   */
  public static ImageDataset load(String name, Split split, Path dataDirOrNull) {
    String key = name + "|" + split + "|" + (dataDirOrNull == null ? "" : dataDirOrNull.toAbsolutePath().normalize());
    SoftReference<ImageDataset> ref = CACHE.get(key);
    ImageDataset cached = ref == null ? null : ref.get();
    if (cached != null) {
      return cached;
    }
    long t0 = System.nanoTime();
    ImageDataset ds = open(name, split, dataDirOrNull);
    LOG.info("{} {}: {} ({} ms)", name, split.id(), ds.describe(), (System.nanoTime() - t0) / 1_000_000);
    CACHE.put(key, new SoftReference<>(ds));
    return ds;
  }

  private static ImageDataset open(String name, Split split, Path dataDir) {
    String n = name.strip();
    if (n.regionMatches(true, 0, "folder:", 0, 7)) {
      String root = n.substring(7);
      if (root.isEmpty()) {
        throw new IllegalArgumentException("dataset 'folder:' needs a root directory, e.g. folder:/data/imagenet");
      }
      return ImageFolderDataset.open(Paths.get(root), split);
    }
    switch (n.toLowerCase(Locale.ROOT)) {
      case "fashion-mnist":
      case "fashionmnist":
      case "fashion_mnist":
        return FashionMnist.load(split, dataDir);
      case "mnist":
        return FashionMnist.loadMnist(split, dataDir);
      case "cifar10":
      case "cifar-10":
        return CifarReader.loadCifar10(split, dataDir);
      case "cifar100":
      case "cifar-100":
        return CifarReader.loadCifar100(split, dataDir);
      default:
        throw new IllegalArgumentException("unknown dataset '" + name + "'; known: " + String.join(", ", NAMES));
    }
  }

  /** Per-channel mean and std of a dataset's images in [0,1] (population std), computed in one pass. */
  public static double[][] meanStd(ImageDataset ds) {
    int c = ds.channels();
    int hw = ds.height() * ds.width();
    double[] sum = new double[c];
    double[] sq = new double[c];
    float[] buf = new float[ds.imageSize()];
    for (int i = 0; i < ds.size(); i++) {
      ds.image(i, buf, 0);
      for (int ch = 0; ch < c; ch++) {
        double s = 0;
        double q = 0;
        for (int k = ch * hw, e = k + hw; k < e; k++) {
          s += buf[k];
          q += (double) buf[k] * buf[k];
        }
        sum[ch] += s;
        sq[ch] += q;
      }
    }
    double count = (double) ds.size() * hw;
    double[] mean = new double[c];
    double[] std = new double[c];
    for (int ch = 0; ch < c; ch++) {
      mean[ch] = sum[ch] / count;
      std[ch] = Math.sqrt(Math.max(0, sq[ch] / count - mean[ch] * mean[ch]));
    }
    return new double[][] {mean, std};
  }

  /** Number of samples per class, index = label. */
  public static int[] classCounts(ImageDataset ds) {
    int[] counts = new int[ds.numClasses()];
    for (int i = 0; i < ds.size(); i++) {
      counts[ds.label(i)]++;
    }
    return counts;
  }
}
