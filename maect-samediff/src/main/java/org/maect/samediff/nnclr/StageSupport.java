package org.maect.samediff.nnclr;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import org.maect.core.config.ContrastiveTuningConfig;
import org.maect.core.data.Augmentations;
import org.maect.core.data.Batch;
import org.maect.core.data.BatchIterator;
import org.maect.core.data.Compose;
import org.maect.core.data.Datasets;
import org.maect.core.data.ImageDataset;
import org.maect.core.data.ImageTransform;
import org.maect.core.data.Normalize;
import org.maect.core.data.Split;
import org.maect.core.train.TrainingListener;
import org.maect.core.train.TrainingStatus;
import org.maect.samediff.train.BatchSource;
import org.maect.samediff.train.StepFunction;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Pieces shared by {@link HeadInitializer} and {@link ContrastiveTuner}. */
final class StageSupport {

  private StageSupport() {}

  /** Length of a stage: steps per epoch, epochs begun, total steps (the last epoch may be partial). */
  record Length(int stepsPerEpoch, int epochs, long totalSteps) {}

  static Length length(double epochs, long steps, int fullStepsPerEpoch) {
    if (fullStepsPerEpoch < 1) {
      throw new IllegalArgumentException("The training set is smaller than one batch");
    }
    long total = steps > 0 ? steps : Math.max(1, Math.round(epochs * fullStepsPerEpoch));
    int ep = (int) Math.max(1, (total + fullStepsPerEpoch - 1) / fullStepsPerEpoch);
    return new Length(fullStepsPerEpoch, ep, total);
  }

  static ImageDataset trainSet(StageOptions o) {
    ImageDataset ds = Datasets.load(o.dataset(), Split.TRAIN, o.dataDir());
    return ds;
  }

  static int[] subset(ImageDataset ds, int limit) {
    if (limit <= 0 || limit >= ds.size()) return null;
    int[] s = new int[limit];
    for (int i = 0; i < limit; i++) s[i] = i;
    return s;
  }

  /**
   * The stage's augmentation per view at the encoder's image size, optionally followed by the dataset
   * normalisation: {@code "min"} = the same crop & flip for both views (MAE-CT_min); {@code "aug"} = BYOL's
   * asymmetric pair {@link Augmentations#maeCtAugViews} (MAE-CT_aug).
   */
  static List<ImageTransform> transform(ContrastiveTuningConfig c, String dataset, ImageDataset ds, int size,
      boolean normalize) {
    List<ImageTransform> views = "aug".equals(c.augmentation()) ? Augmentations.maeCtAugViews(size)
        : List.of(Augmentations.maeCtMin(size, c.cropScaleMin()), Augmentations.maeCtMin(size, c.cropScaleMin()));
    if (!normalize) return views;
    Normalize n = normalization(dataset, ds);
    return List.of(Compose.of(views.get(0), n), Compose.of(views.get(1), n));
  }

  /** The normalisation stage 1 uses: {@link Normalize#forDataset} (published statistics, else ImageNet's). */
  static Normalize normalization(String dataset, ImageDataset ds) {
    return Normalize.forDataset(dataset);
  }

  static BatchSource<Batch> batches(ImageDataset ds, int[] subset, int batchSize, List<ImageTransform> t, long seed,
      int stepsPerEpoch) {
    return new BatchSource<>() {
      @Override
      public int stepsPerEpoch() {
        return stepsPerEpoch;
      }

      @Override
      public Iterator<Batch> epoch(int epoch) {
        BatchIterator.Builder b = BatchIterator.builder(ds).batchSize(batchSize).viewTransforms(t).seed(seed)
            .epoch(epoch).shuffle(true).dropLast(true);
        if (subset != null) b.subset(subset);
        return b.build();
      }
    };
  }

  static int fullStepsPerEpoch(ImageDataset ds, int[] subset, int batchSize) {
    int n = subset == null ? ds.size() : subset.length;
    return n / batchSize;
  }

  /** Both views stacked view-major: {@code [2B, C, H, W]}. */
  static INDArray images(Batch b, DataType dt) {
    int n = b.size() * b.imageSize();
    float[] all = new float[2 * n];
    System.arraycopy(b.view(0), 0, all, 0, n);
    System.arraycopy(b.view(1), 0, all, n, n);
    return Nd4j.create(all, new long[] {2L * b.size(), b.channels(), b.height(), b.width()}).castTo(dt);
  }

  /** Dice for both views from the step's random stream. */
  static int[][] dice(StepFunction.Context ctx, int batch, int k) {
    SplittableRandom r = ctx.rng().derive(7).nextSplittable();
    return new int[][] {TopKNeighbourSampler.dice(batch, k, r), TopKNeighbourSampler.dice(batch, k, r)};
  }

  /** Collects nn_accuracy of the steps for the result (mean over the last 10%). */
  static final class NnAccuracyTail implements TrainingListener {
    private final List<Double> values = new ArrayList<>();

    @Override
    public void onStep(TrainingStatus s) {
      Double v = s.metrics().get("nn_accuracy");
      if (v != null) values.add(v);
    }

    double mean() {
      if (values.isEmpty()) return Double.NaN;
      int from = values.size() - Math.max(1, values.size() / 10);
      double sum = 0;
      for (int i = from; i < values.size(); i++) sum += values.get(i);
      return sum / (values.size() - from);
    }
  }
}
