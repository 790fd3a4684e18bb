package org.maect.examples;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.maect.core.config.ContrastiveTuningConfig;
import org.maect.core.data.Augmentations;
import org.maect.core.data.Datasets;
import org.maect.core.data.ImageDataset;
import org.maect.core.data.ImageTransform;
import org.maect.core.data.Normalize;
import org.maect.core.data.Split;
import org.maect.core.train.RunDirectory;
import org.maect.eval.knn.KnnConfig;
import org.maect.eval.knn.WeightedKnn;
import org.maect.samediff.nnclr.ContrastiveTuner;
import org.maect.samediff.nnclr.EncoderCheckpoint;
import org.maect.samediff.nnclr.EncoderFeatures;
import org.maect.samediff.nnclr.HeadInitializer;
import org.maect.samediff.nnclr.NnclrModel;
import org.maect.samediff.nnclr.StageOptions;
import org.maect.samediff.nnclr.StageResult;
import org.nd4j.linalg.api.buffer.DataType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MAE-CT stages 2 and 3 after a stage-1 (MAE) run: NNCLR head initialisation, contrastive tuning, then the
 * weighted k-NN accuracy of the MAE encoder and of the tuned encoder (EMA) on the test split.
 *
 * <p>{@code main(stage1Dir, outRoot)} (defaults: {@code runs/mae-example} from {@link MaePretrainExample},
 * {@code runs/ct}) runs the CPU preset on Fashion-MNIST; {@code ./maect head-init},
 * {@code ./maect tune} are the command-line front ends of the two stages.
 */
public final class ContrastiveTuningExample {

  private static final Logger log = LoggerFactory.getLogger(ContrastiveTuningExample.class);

  /**
   * @param stage1 stage-1 run directory
   * @param outRoot where {@code head-init/} and {@code tune/} run directories go
   * @param config stages 2-3 configuration
   * @param evaluate compute k-NN accuracies of both encoders afterwards
   */
  public record Config(Path stage1, Path outRoot, ContrastiveTuningConfig config, String dataset, Path dataDir,
      long seed, boolean quiet, int trainLimit, boolean evaluate) {}

  /** Both stages' results and the k-NN accuracies (NaN when not evaluated). */
  public record Result(StageResult headInit, StageResult tune, Knn maeKnn, Knn tunedKnn) {}

  /** Weighted k-NN accuracy of one encoder. */
  public record Knn(Path encoder, double accuracy, int k, int trainSize, int testSize, double seconds) {}

  public static void main(String[] args) {
    Path s1 = Path.of(args.length > 0 ? args[0] : "runs/mae-example"); // what MaePretrainExample writes
    Path out = Path.of(args.length > 1 ? args[1] : "runs/ct");
    Result r = run(new Config(s1, out, ContrastiveTuningConfig.cpu(), "fashion-mnist", null, 0, false, 0, true));
    System.out.println(format(r));
  }

  public static Result run(Config c) {
    StageOptions o2 = new StageOptions(c.stage1(), c.outRoot().resolve("head-init"), c.config(), c.dataset(),
        c.dataDir(), c.seed(), false, c.quiet(), 0, c.trainLimit(), true);
    StageResult s2 = HeadInitializer.run(o2);
    StageOptions o3 = new StageOptions(s2.runDir(), c.outRoot().resolve("tune"), c.config(), c.dataset(),
        c.dataDir(), c.seed(), false, c.quiet(), 0, c.trainLimit(), true);
    StageResult s3 = ContrastiveTuner.run(o3);
    Knn mae = null;
    Knn tuned = null;
    if (c.evaluate()) {
      // with a training limit (tests, quick looks) k-NN uses that many train and test images too
      mae = knn(c.stage1(), c.config(), c.dataset(), c.dataDir(), 20, c.trainLimit(), c.trainLimit());
      tuned = knn(s3.runDir(), c.config(), c.dataset(), c.dataDir(), 20, c.trainLimit(), c.trainLimit());
    }
    return new Result(s2, s3, mae, tuned);
  }

  /**
   * Weighted k-NN (cosine, T = 0.07) of a run's encoder, trained on the train split, tested on the test split,
   * with the head's pooling and the training set's normalisation (as in the stages).
   */
  public static Knn knn(Path run, ContrastiveTuningConfig cfg, String dataset, Path dataDir, int k) {
    return knn(run, cfg, dataset, dataDir, k, 0, 0);
  }

  /** As {@link #knn(Path, ContrastiveTuningConfig, String, Path, int)} on the first n train / test images (0: all). */
  public static Knn knn(Path run, ContrastiveTuningConfig cfg, String dataset, Path dataDir, int k, int trainLimit,
      int testLimit) {
    long t0 = System.nanoTime();
    EncoderCheckpoint enc = EncoderCheckpoint.load(run);
    ImageDataset train = Datasets.load(dataset, Split.TRAIN, dataDir);
    ImageDataset test = Datasets.load(dataset, Split.TEST, dataDir);
    ImageTransform t = Augmentations.evalTransform(enc.vit().imageSize(), Normalize.forDataset(dataset));
    EncoderFeatures f = new EncoderFeatures(enc.vit(), enc.weights(), NnclrModel.vitPooling(cfg.head().pooling()),
        DataType.FLOAT);
    float[][] xtr = f.extract(train, t, 250, trainLimit);
    float[][] xte = f.extract(test, t, 250, testLimit);
    int[] ytr = java.util.Arrays.copyOf(labels(train), xtr.length);
    int[] yte = java.util.Arrays.copyOf(labels(test), xte.length);
    double acc = WeightedKnn.accuracy(KnnConfig.of(new int[] {k}, 0.07), xtr, ytr, xte, yte).get(k);
    double secs = (System.nanoTime() - t0) / 1e9;
    log.info("k-NN (k={}, T=0.07) of {}: {}", k, enc.file(), acc);
    return new Knn(enc.file(), acc, k, xtr.length, xte.length, secs);
  }

  static int[] labels(ImageDataset ds) {
    int[] y = new int[ds.size()];
    for (int i = 0; i < y.length; i++) y[i] = ds.label(i);
    return y;
  }

  /** The stage-1 run a tuning run descends from (tune -> head-init -> stage 1 via run.json "from"). */
  public static Path stage1Of(Path run) {
    Path cur = run;
    for (int i = 0; i < 3; i++) {
      Path rj = cur.resolve("run.json");
      if (!Files.isRegularFile(rj)) return cur;
      try {
        JsonNode n = RunDirectory.JSON.readTree(rj.toFile());
        JsonNode from = n.findValue("from");
        if (from == null || !from.isTextual()) return cur;
        cur = Path.of(from.asText());
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException("Cannot read " + rj, e);
      }
    }
    return cur;
  }

  public static String format(Result r) {
    StringBuilder s = new StringBuilder();
    s.append(String.format(Locale.ROOT, "head-init: %d steps, last loss %.4f, NN label agreement %.3f, %.0f s%n",
        r.headInit().steps(), r.headInit().lastLoss(), r.headInit().nnAccuracy(), r.headInit().seconds()));
    s.append(String.format(Locale.ROOT, "tune:      %d steps, last loss %.4f, NN label agreement %.3f, %.0f s%n",
        r.tune().steps(), r.tune().lastLoss(), r.tune().nnAccuracy(), r.tune().seconds()));
    if (r.maeKnn() != null) s.append(formatKnn("MAE encoder", r.maeKnn()));
    if (r.tunedKnn() != null) s.append(formatKnn("MAE-CT encoder", r.tunedKnn()));
    return s.toString();
  }

  public static String formatKnn(String what, Knn k) {
    return String.format(Locale.ROOT, "%s: weighted %d-NN accuracy %.4f (train %d, test %d; %s, %.0f s)%n",
        what, k.k(), k.accuracy(), k.trainSize(), k.testSize(), k.encoder(), k.seconds());
  }
}
