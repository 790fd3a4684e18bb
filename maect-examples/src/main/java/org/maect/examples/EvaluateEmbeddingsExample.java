package org.maect.examples;

import java.nio.file.Path;
import java.util.Locale;
import org.maect.core.data.Datasets;
import org.maect.core.data.ImageDataset;
import org.maect.core.data.Split;
import org.maect.eval.EvalConfig;
import org.maect.eval.EvalResult;
import org.maect.eval.Evaluator;
import org.maect.eval.metrics.ConfusionMatrix;
import org.maect.eval.plot.ConfusionMatrixPlot;
import org.maect.eval.plot.ScatterPlot;
import org.maect.eval.plot.Tsne;

/**
 * Runs the evaluation protocol on raw pixels of a dataset (default Fashion-MNIST): the floor a learned
 * representation has to beat. Each image is flattened to a {@code C·H·W} vector in [0, 1].
 *
 * <p>{@code main} uses the full 60k/10k split; tests call {@link #run} with small subsets.
 */
public final class EvaluateEmbeddingsExample {

  /**
   * @param dataset a {@link Datasets#NAMES} entry
   * @param dataDir user data directory or null
   * @param trainSize first {@code trainSize} training images (0 = all)
   * @param testSize first {@code testSize} test images (0 = all)
   * @param eval what to evaluate
   * @param json where to write the JSON, or null
   * @param figures directory for {@code kmeans-confusion.png} and {@code tsne.png} (t-SNE of up to
   *     {@code tsnePoints} test samples), or null for none
   * @param tsnePoints test samples in the t-SNE figure
   */
  public record Config(
      String dataset, Path dataDir, int trainSize, int testSize, EvalConfig eval, Path json, Path figures, int tsnePoints) {
    public Config {
      if (trainSize < 0 || testSize < 0) throw new IllegalArgumentException("Invalid subset sizes " + trainSize + "/" + testSize);
    }

    public static Config defaults() {
      return new Config("fashion-mnist", null, 0, 0, EvalConfig.defaults(0), null, null, 2000);
    }
  }

  public record Result(EvalResult scores, int trainSize, int testSize, int dims, double seconds) {}

  private EvaluateEmbeddingsExample() {}

  public static void main(String[] args) throws Exception {
    Config c = Config.defaults();
    if (args.length >= 2) {
      c = new Config(c.dataset(), null, Integer.parseInt(args[0]), Integer.parseInt(args[1]), c.eval(), null,
          args.length >= 3 ? Path.of(args[2]) : null, 2000);
    }
    Result r = run(c);
    System.out.printf(Locale.ROOT, "%s raw pixels, %d train / %d test, %d dims, %.1f s%n%s%n",
        c.dataset(), r.trainSize(), r.testSize(), r.dims(), r.seconds(), r.scores().toTable());
    System.out.println(r.scores().toJson());
  }

  public static Result run(Config c) throws Exception {
    long t0 = System.nanoTime();
    ImageDataset train = Datasets.load(c.dataset(), Split.TRAIN, c.dataDir());
    ImageDataset test = Datasets.load(c.dataset(), Split.TEST, c.dataDir());
    float[][] xtr = pixels(train, c.trainSize());
    float[][] xte = pixels(test, c.testSize());
    int[] ytr = labels(train, xtr.length), yte = labels(test, xte.length);
    EvalResult r = Evaluator.evaluate(c.eval(), xtr, ytr, xte, yte);
    if (c.json() != null) r.writeJson(c.json());
    if (c.figures() != null) writeFigures(c, test, xte, yte, r);
    return new Result(r, xtr.length, xte.length, xtr[0].length, (System.nanoTime() - t0) / 1e9);
  }

  /** k-means confusion matrix (clusters in Hungarian order) and a t-SNE scatter of test samples. */
  static void writeFigures(Config c, ImageDataset test, float[][] xte, int[] yte, EvalResult r) throws java.io.IOException {
    java.nio.file.Files.createDirectories(c.figures());
    String[] names = test.classNames().toArray(new String[0]);
    if (r.kmeansLabels() != null) {
      ConfusionMatrix cm = ConfusionMatrix.matchedClusters(yte, r.kmeansLabels());
      ConfusionMatrixPlot.write(c.figures().resolve("kmeans-confusion.png"), cm.counts(), names, null,
          String.format(Locale.ROOT, "%s: k-means clusters (Hungarian order), acc %.3f", c.dataset(), r.kmeans().clusterAcc()));
    }
    int m = Math.min(c.tsnePoints(), xte.length);
    if (m >= 10) {
      float[][] xs = java.util.Arrays.copyOf(xte, m);
      float[][] e = Tsne.embed(xs, Tsne.Config.defaults(0));
      ScatterPlot.write(c.figures().resolve("tsne.png"), e, java.util.Arrays.copyOf(yte, m), names,
          "t-SNE of " + m + " " + c.dataset() + " test samples");
    }
  }

  /** Flattened images {@code [n, C·H·W]}. */
  static float[][] pixels(ImageDataset ds, int limit) {
    int n = limit == 0 ? ds.size() : Math.min(limit, ds.size());
    int dim = ds.channels() * ds.height() * ds.width();
    float[][] x = new float[n][dim];
    for (int i = 0; i < n; i++) ds.image(i, x[i], 0);
    return x;
  }

  static int[] labels(ImageDataset ds, int n) {
    int[] y = new int[n];
    for (int i = 0; i < n; i++) y[i] = ds.label(i);
    return y;
  }
}
