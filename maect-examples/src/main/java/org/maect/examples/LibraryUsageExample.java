package org.maect.examples;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.maect.core.config.ViTConfig;
import org.maect.core.data.Augmentations;
import org.maect.core.data.Datasets;
import org.maect.core.data.ImageDataset;
import org.maect.core.data.ImageTransform;
import org.maect.core.data.Normalize;
import org.maect.core.data.Split;
import org.maect.eval.knn.KnnConfig;
import org.maect.eval.knn.WeightedKnn;
import org.maect.samediff.nnclr.EncoderCheckpoint;
import org.maect.samediff.nnclr.EncoderFeatures;
import org.maect.samediff.vit.Params;
import org.maect.samediff.vit.Pooling;
import org.maect.samediff.vit.VitEncoder;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Using maect as a library: an encoder from a {@link ViTConfig} (randomly initialised, or the weights of any
 * run directory / checkpoint), pooled features of a few images, and weighted k-NN on them. No training, no CLI.
 *
 * <pre>
 *   LibraryUsageExample [checkpointOrRunDir]    (default: runs/pipeline-cpu-small/3-tune if it exists, else a
 *                                                random ViTConfig.CPU28 encoder)
 * </pre>
 */
public final class LibraryUsageExample {
  private LibraryUsageExample() {}

  /**
   * @param checkpoint run directory or checkpoint file; null = random encoder of {@code vit}
   * @param vit encoder architecture when {@code checkpoint} is null
   * @param trainImages first N training images used as k-NN memory
   * @param testImages first N test images classified
   * @param k neighbours
   */
  public record Config(Path checkpoint, ViTConfig vit, int trainImages, int testImages, int k) {}

  /** Feature width, the k-NN accuracy and the features of the first test image (to show what comes out). */
  public record Result(ViTConfig vit, int dim, double knnAccuracy, float[] firstTestFeature, double seconds) {}

  public static void main(String[] args) {
    Path def = Path.of("runs", "pipeline-cpu-small", "3-tune");
    Path ckpt = args.length > 0 ? Path.of(args[0]) : Files.isDirectory(def) ? def : null;
    Result r = run(new Config(ckpt, ViTConfig.CPU28, 5000, 1000, 20));
    System.out.printf(Locale.ROOT, "encoder %s (%s): %d-d features, weighted 20-NN accuracy %.4f (5000 train / "
        + "1000 test images), %.1f s%n", r.vit(), ckpt == null ? "random weights" : ckpt, r.dim(), r.knnAccuracy(),
        r.seconds());
  }

  public static Result run(Config c) {
    long t0 = System.nanoTime();
    // 1. the encoder: weights by timm key, from a checkpoint or freshly initialised
    ViTConfig vit;
    Map<String, INDArray> weights;
    if (c.checkpoint() != null) {
      EncoderCheckpoint e = EncoderCheckpoint.load(c.checkpoint());
      vit = e.vit();
      weights = e.weights();
    } else {
      vit = c.vit();
      weights = randomWeights(vit, 0);
    }
    EncoderFeatures encoder = new EncoderFeatures(vit, weights, Pooling.MEAN_PATCH, DataType.FLOAT);
    // 2. data: images as CHW floats in [0,1], evaluation transform + the dataset's normalisation
    ImageDataset train = Datasets.load("fashion-mnist", Split.TRAIN, null);
    ImageDataset test = Datasets.load("fashion-mnist", Split.TEST, null);
    ImageTransform t = Augmentations.evalTransform(vit.imageSize(), Normalize.forDataset("fashion-mnist"));
    // 3. embed: [N, D] pooled features
    float[][] xtr = encoder.extract(train, t, 256, c.trainImages());
    float[][] xte = encoder.extract(test, t, 256, c.testImages());
    // 4. weighted k-NN (cosine similarity, votes exp(sim / 0.07))
    double acc = WeightedKnn.accuracy(KnnConfig.of(new int[] {c.k()}, 0.07), xtr, labels(train, xtr.length), xte,
        labels(test, xte.length)).get(c.k());
    return new Result(vit, xtr[0].length, acc, xte[0], (System.nanoTime() - t0) / 1e9);
  }

  /** A randomly initialised encoder's weights by timm key (as stage 1 starts). */
  public static Map<String, INDArray> randomWeights(ViTConfig vit, long seed) {
    SameDiff sd = SameDiff.create();
    VitEncoder.build(new Params(sd, DataType.FLOAT, seed), vit,
        sd.placeHolder("images", DataType.FLOAT, -1, vit.inChannels(), vit.imageSize(), vit.imageSize()), null, "");
    Map<String, INDArray> w = new LinkedHashMap<>();
    for (String n : VitEncoder.parameterNames(vit)) w.put(n, sd.getVariable(n).getArr());
    return w;
  }

  private static int[] labels(ImageDataset ds, int n) {
    int[] y = new int[n];
    for (int i = 0; i < n; i++) y[i] = ds.label(i);
    return y;
  }
}
