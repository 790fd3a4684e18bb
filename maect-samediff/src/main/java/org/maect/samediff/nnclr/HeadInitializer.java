package org.maect.samediff.nnclr;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.maect.core.config.ContrastiveTuningConfig;
import org.maect.core.config.NnclrHeadConfig;
import org.maect.core.config.ViTConfig;
import org.maect.core.data.Batch;
import org.maect.core.data.ImageDataset;
import org.maect.core.data.ImageTransform;
import org.maect.core.train.LrSchedule;
import org.maect.core.train.ProgressReporter;
import org.maect.core.train.RunDirectory;
import org.maect.samediff.optim.AdamW;
import org.maect.samediff.optim.ParamGroup;
import org.maect.samediff.train.StepFunction;
import org.maect.samediff.train.TrainLoop;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stage 2 of MAE-CT: NNCLR head initialisation on a frozen MAE encoder.
 *
 * <p>The encoder (stage 1's weights) runs in inference as a separate graph; only the projector and predictor
 * train, neighbours come from top-{@code headInit.topK} (1) lookups in the queue of online projections,
 * AdamW with {@code lr = headInit.baseLr * batch * views / 256}, weight decay {@code headInit.weightDecay}
 * (none on biases and BatchNorm parameters), linear warmup over {@code warmupFraction} of the steps, then cosine.
 *
 * <p>The checkpoint holds the head (weights and running buffers), the queue and the unchanged encoder, so
 * {@link ContrastiveTuner} starts from this run directory alone.
 */
public final class HeadInitializer {

  private static final Logger log = LoggerFactory.getLogger(HeadInitializer.class);

  /** Stage name in run.json, metrics and checkpoints. */
  public static final String STAGE = "head-init";

  /** The configuration recorded in run.json and checkpoints. */
  public record RunConfig(String stage, ContrastiveTuningConfig contrastive, ViTConfig encoder, String dataset,
      String from, boolean normalize, int trainLimit) {}

  private HeadInitializer() {}

  public static StageResult run(StageOptions o) {
    ContrastiveTuningConfig c = o.config();
    NnclrHeadConfig hc = c.head();
    EncoderCheckpoint enc = EncoderCheckpoint.load(o.from());
    ViTConfig vit = enc.vit();
    DataType dt = DataType.FLOAT;
    ImageDataset ds = StageSupport.trainSet(o);
    int[] subset = StageSupport.subset(ds, o.trainLimit());
    List<ImageTransform> t = StageSupport.transform(c, o.dataset(), ds, vit.imageSize(), o.normalize());
    StageSupport.Length len = StageSupport.length(c.headInit().epochs(), c.headInit().steps(),
        StageSupport.fullStepsPerEpoch(ds, subset, c.batchSize()));

    EncoderFeatures frozen = new EncoderFeatures(vit, enc.weights(), NnclrModel.vitPooling(hc.pooling()), dt);
    SplittableRandom init = new SplittableRandom(o.seed() ^ 0x4EADL);
    Map<String, INDArray> head = new LinkedHashMap<>();
    head.putAll(NnclrHead.initProjector(NnclrHead.PROJECTOR, vit.dim(), hc, dt, init));
    head.putAll(NnclrHead.initPredictor(NnclrHead.PREDICTOR, hc, dt, init));
    NnclrModel model = NnclrModel.onPooled(vit.dim(), hc, dt, head, false);
    NnQueue queue = new NnQueue(hc.queueSize(), hc.outputDim(), init);
    NnclrStep step = new NnclrStep(model, queue, c.headInit().topK(), c.ablation().nnLookup(), 0);

    Map<String, INDArray> params = model.trainable();
    AdamW opt = new AdamW(c.beta1(), c.beta2(), 1e-8, c.headInit().weightDecay(),
        List.of(ParamGroup.all(c.headInit().weightDecay())),
        AdamW.DEFAULT_NO_DECAY.or(NnclrHead.noWeightDecay(params)));
    double peak = c.headInit().baseLr() * c.lrScale();
    LrSchedule schedule = new LrSchedule(peak, 0.0, Math.round(c.warmupFraction() * len.totalSteps()),
        len.totalSteps());
    log.info("[{}] encoder {} from {} (frozen, inference); head {}; {} steps ({} per epoch x {}), batch {} x 2 views,"
        + " base lr {} -> peak lr {}, top-{}", STAGE, vit, enc.file(), hc, len.totalSteps(), len.stepsPerEpoch(),
        len.epochs(), c.batchSize(), c.headInit().baseLr(), peak, c.headInit().topK());

    Map<String, INDArray> weights = new LinkedHashMap<>(params);
    weights.putAll(enc.weights());
    Map<String, INDArray> state = new LinkedHashMap<>(model.buffers());
    state.putAll(queue.stateArrays("queue."));
    StageSupport.NnAccuracyTail acc = new StageSupport.NnAccuracyTail();
    StepFunction<Batch> fn = new StepFunction<>() {
      boolean synced;

      @Override
      public Result step(Batch b, Context ctx) {
        if (!synced) { // after a resume the queue's state arrays were restored in place
          queue.syncFromState();
          synced = true;
        }
        INDArray images = StageSupport.images(b, dt);
        INDArray pooled = frozen.pooled(images); // (2B, C, H, W) -> (2B, D)
        int[][] dice = StageSupport.dice(ctx, b.size(), c.headInit().topK());
        NnclrStep.Output out = step.forwardBackward(Map.of(NnclrModel.POOLED, pooled), b.size(), b.sampleIds(),
            b.labels(), dice[0], dice[1]);
        for (INDArray a : new INDArray[] {images, pooled}) {
          if (a.closeable()) a.close(); // this step's inputs: free now, not at a later GC
        }
        return new Result(out.loss(), out.gradients(), 2 * b.size(), Map.of("nn_accuracy", out.nnAccuracy()));
      }

      @Override
      public void afterUpdate(Context ctx) {
        step.afterUpdate();
      }
    };
    TrainLoop.Result r;
    try (RunDirectory rd = RunDirectory.open(o.out())) {
      r = TrainLoop.builder(STAGE, params, weights)
          .optimizer(opt)
          .schedule(schedule)
          .totalSteps(len.totalSteps())
          .runDirectory(rd)
          .config(new RunConfig(STAGE, c, vit, o.dataset(), o.from().toString(), o.normalize(), o.trainLimit()))
          .seed(o.seed())
          .checkpointEverySteps(o.checkpointEvery())
          .state(state)
          .listener(new ProgressReporter(System.err, o.quiet(), 2000))
          .listener(acc)
          .resume(o.resume())
          .build()
          .run(StageSupport.batches(ds, subset, c.batchSize(), t, o.seed(), len.stepsPerEpoch()), fn);
    }
    org.maect.samediff.train.ExecutionPlans.release(model.sameDiff()); // this stage's replay buffers
    log.info("[{}] done: {} steps, last loss {}, queue NN label agreement {} ({} s)", STAGE, r.lastStep(),
        r.lastLoss(), acc.mean(), Math.round(r.seconds()));
    return new StageResult(o.out(), r.lastCheckpoint(), null, r.lastStep(), r.lastLoss(), acc.mean(), r.seconds());
  }
}
