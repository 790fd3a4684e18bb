package org.maect.samediff.mae;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import org.maect.core.config.MaeConfig;
import org.maect.core.config.MaePretrainConfig;
import org.maect.core.config.ViTConfig;
import org.maect.core.data.Batch;
import org.maect.core.data.BatchIterator;
import org.maect.core.data.Compose;
import org.maect.core.data.Augmentations;
import org.maect.core.data.Datasets;
import org.maect.core.data.ImageDataset;
import org.maect.core.data.ImageTransform;
import org.maect.core.data.Normalize;
import org.maect.core.data.Split;
import org.maect.core.train.LrSchedule;
import org.maect.core.train.ProgressReporter;
import org.maect.core.train.RunDirectory;
import org.maect.core.train.TrainingListener;
import org.maect.core.train.TrainingStatus;
import org.maect.samediff.optim.AdamW;
import org.maect.samediff.train.BatchSource;
import org.maect.samediff.train.SameDiffStep;
import org.maect.samediff.train.TrainLoop;
import org.nd4j.linalg.api.buffer.DataType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stage 1: MAE pre-training ({@code main_pretrain.py}) on a {@link TrainLoop}: AdamW (betas 0.9/0.95, wd 0.05,
 * no decay on 1-D parameters and biases, as MAE), lr = base_lr * batch / 256 with linear warm-up then cosine, random
 * masking per step from the loop's reproducible RNG, checkpoints and {@code --resume}, and a PNG of
 * original / masked / reconstructed test images after every epoch ({@code reconstructions.png}).
 */
public final class MaePretrainer {
  private static final Logger log = LoggerFactory.getLogger(MaePretrainer.class);
  static final String STAGE = "mae-pretrain";

  private MaePretrainer() {}

  /**
   * How to run (not part of the resolved config).
   *
   * @param out run directory (run.json, metrics.jsonl, checkpoints/, reconstructions.png)
   * @param resume continue from {@code out/checkpoints/last.ckpt} if present
   * @param quiet no progress lines (CI)
   * @param stopAfterStep stop after this many steps in total (0 = run all epochs); a checkpoint is written
   * @param checkpointEverySteps periodic checkpoint interval (0 = only at the end)
   * @param dataDir dataset directory, or null for the default lookup
   */
  public record Options(Path out, boolean resume, boolean quiet, long stopAfterStep, long checkpointEverySteps,
      Path dataDir) {
    public Options {
      if (out == null) throw new IllegalArgumentException("an output directory is required");
    }
  }

  /** What the run did. */
  public record Result(long firstStep, long lastStep, List<Double> losses, double seconds, double imagesPerSecond,
      Path runDir, Path reconstructions, double reconstructionMse, boolean stoppedEarly) {
    public double firstLoss() {
      return losses.isEmpty() ? Double.NaN : losses.get(0);
    }

    public double lastLoss() {
      return losses.isEmpty() ? Double.NaN : losses.get(losses.size() - 1);
    }
  }

  public static Result run(MaePretrainConfig cfg, Options o) {
    MaeConfig mc = cfg.model();
    ViTConfig e = mc.encoder();
    ImageDataset train = Datasets.load(cfg.dataset(), Split.TRAIN, o.dataDir());
    ImageDataset test = Datasets.load(cfg.dataset(), Split.TEST, o.dataDir());
    if (train.channels() != e.inChannels() || train.height() != e.imageSize() || train.width() != e.imageSize()) {
      throw new IllegalArgumentException("dataset " + cfg.dataset() + " has images " + train.channels() + "x"
          + train.height() + "x" + train.width() + " but the model expects " + e.inChannels() + "x"
          + e.imageSize() + "x" + e.imageSize() + " (pick a matching --preset)");
    }
    Normalize norm = Normalize.forDataset(cfg.dataset());
    ImageTransform transform = cfg.augment()
        ? Compose.of(Augmentations.maePretrain(e.imageSize()), norm) : norm;
    int batch = cfg.optim().batchSize();
    int n = cfg.trainLimit() > 0 ? Math.min(cfg.trainLimit(), train.size()) : train.size();
    int[] subset = java.util.stream.IntStream.range(0, n).toArray();
    BatchSource<Batch> data = new BatchSource<>() {
      @Override
      public int stepsPerEpoch() {
        return n / batch;
      }

      @Override
      public Iterator<Batch> epoch(int epoch) {
        return BatchIterator.builder(train).batchSize(batch).views(1).transform(transform).seed(cfg.seed())
            .epoch(epoch).shuffle(true).dropLast(true).subset(subset).build();
      }
    };
    MaeModel model = new MaeModel(mc, DataType.FLOAT, cfg.seed());
    LrSchedule schedule = LrSchedule.of(cfg.optim(), data.stepsPerEpoch(), 1);
    log.info("MAE pre-training: {} images, {} steps/epoch x {} epochs, batch {}, base lr {}, actual lr {}, "
        + "warmup {} steps, {} encoder + decoder parameters", n, data.stepsPerEpoch(), cfg.optim().epochs(),
        batch, cfg.optim().baseLr(), schedule.peakLr(), schedule.warmupSteps(),
        model.parameters().values().stream().mapToLong(a -> a.length()).sum());
    SameDiffStep<Batch> step = SameDiffStep.of(model.sameDiff(), MaeModel.LOSS,
        (b, ctx) -> model.inputs(b.view(0), b.size(),
            RandomMasking.sample(b.size(), e.numPatches(), mc.numKeep(), ctx.rng().nextSplittable())).placeholders(),
        Batch::size).ownsPlaceholders(); // fresh arrays every step: free them now, not at some later GC
    float[] preview = previewImages(test, norm, 8);
    Path png = o.out().resolve("reconstructions.png");
    double[] mse = {Double.NaN};
    TrainingListener pictures = new TrainingListener() {
      @Override
      public void onEpochEnd(TrainingStatus s) {
        mse[0] = writePng(model, preview, norm, cfg.seed(), png);
        log.info("epoch {}: mean loss {}, preview reconstruction MSE {} -> {}", s.epoch() + 1,
            String.format("%.4f", s.loss()), String.format("%.4f", mse[0]), png);
      }
    };
    try (RunDirectory run = RunDirectory.open(o.out())) {
      TrainLoop.Result r = TrainLoop.builder(STAGE, model.sameDiff())
          .optimizer(adamW(cfg, model))
          .schedule(schedule)
          .epochs(cfg.optim().epochs())
          .runDirectory(run)
          .config(cfg)
          .seed(cfg.seed())
          .checkpointEverySteps(o.checkpointEverySteps())
          .stopAfterStep(o.stopAfterStep())
          .resume(o.resume())
          .listener(ProgressReporter.stderr(o.quiet()))
          .listener(pictures)
          .build()
          .run(data, step);
      if (Double.isNaN(mse[0]) || r.stoppedEarly()) mse[0] = writePng(model, preview, norm, cfg.seed(), png);
      org.maect.samediff.train.ExecutionPlans.release(model.sameDiff()); // this stage's replay buffers
      long steps = r.lastStep() - r.firstStep();
      double ips = r.seconds() > 0 ? steps * (double) batch / r.seconds() : 0;
      return new Result(r.firstStep(), r.lastStep(), r.losses(), r.seconds(), ips, o.out(), png, mse[0],
          r.stoppedEarly());
    }
  }

  /**
   * AdamW as MAE's {@code optim_factory.add_weight_decay(model, wd)}: no decay for 1-D parameters (biases,
   * LayerNorm weights) and {@code *.bias}; {@code cls_token} and {@code mask_token} ([1, 1, D]) are decayed.
   *
   * <p>Deliberately not {@link AdamW#DEFAULT_NO_DECAY} (which also spares the tokens, as timm's
   * {@code VisionTransformer.no_weight_decay()} does for supervised training and fine-tuning): both references of
   * stage 1 decay the tokens. facebookresearch/mae {@code main_pretrain.py} calls timm 0.3.2's
   * {@code add_weight_decay} without a skip list, and {@code MaskedAutoencoderViT} has no
   * {@code no_weight_decay()}; ml-jku/MAE-CT {@code yamls/stage1_mae/*.yaml} use {@code OptimizerWrapper}'s
   * bias / ndim-1 exclusion without its {@code ExcludeClsTokenFromWDModifier}. {@code pos_embed} and
   * {@code decoder_pos_embed} are fixed sin-cos constants there and here (not trained at all).
   */
  static AdamW adamW(MaePretrainConfig cfg, MaeModel model) {
    java.util.Set<String> oneD = new java.util.HashSet<>();
    model.parameters().forEach((n, a) -> {
      if (a.rank() <= 1) oneD.add(n);
    });
    var o = cfg.optim();
    return new AdamW(o.beta1(), o.beta2(), o.eps(), o.weightDecay(), List.of(),
        n -> oneD.contains(n) || n.endsWith(".bias"));
  }

  private static double writePng(MaeModel model, float[] preview, Normalize norm, long seed, Path png) {
    try {
      return Reconstructions.write(model, preview, 8, norm, seed, png);
    } catch (IOException ex) {
      throw new UncheckedIOException("cannot write " + png, ex);
    }
  }

  /** The first {@code count} test images, normalised (fixed, so PNGs of different epochs compare). */
  static float[] previewImages(ImageDataset test, Normalize norm, int count) {
    try (BatchIterator it = BatchIterator.sequential(test, count, norm)) {
      return it.next().view(0).clone();
    }
  }
}
