package org.maect.samediff.nnclr;

import java.nio.file.Path;
import java.util.ArrayList;
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
import org.maect.core.train.LayerwiseLrDecay;
import org.maect.core.train.LrSchedule;
import org.maect.core.train.ProgressReporter;
import org.maect.core.train.RunDirectory;
import org.maect.samediff.mae.RandomMasking;
import org.maect.samediff.optim.AdamW;
import org.maect.samediff.optim.ExponentialMovingAverage;
import org.maect.samediff.optim.ParamGroup;
import org.maect.samediff.train.Checkpoint;
import org.maect.samediff.train.StepFunction;
import org.maect.samediff.train.TrainLoop;
import org.maect.samediff.vit.VitEncoder;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stage 3 of MAE-CT: contrastive tuning of the upper half of the encoder with the NNCLR head.
 *
 * <p>Encoder and head in one graph, no masking (unless the ablation asks for it), the lowest
 * {@code frozenBlocks} blocks (default half) and, when block 0 is frozen, the patch embedding and CLS token as
 * constants. The target (EMA) projector's projections are looked up (top-k, positive uniform among the k)
 * and enqueued; its parameters follow the online projector with {@code head.targetFactor}. AdamW with two
 * settings: the head at {@code tuning.headBaseLr}, weight decay {@code tuning.headWeightDecay}; the encoder at
 * {@code tuning.encoderBaseLr} times the layer-wise scale {@code layerDecay^(depth - i)} for block i (1 for
 * the final norm), weight decay {@code tuning.encoderWeightDecay}; both scaled by {@code batch * views / 256}
 * and scheduled with warmup + cosine. An EMA of the encoder ({@code tuning.encoderEma}) is the model written
 * to {@code checkpoints/encoder.ckpt} and evaluated.
 *
 * <p>Starts from a head-initialisation run (head, running buffers and queue carry over, the target projector
 * starts as a copy of the projector, as in ml-jku/MAE-CT) or, with {@code ablation.skipHeadInit}, from a
 * stage-1 run with a fresh head and queue.
 */
public final class ContrastiveTuner {

  private static final Logger log = LoggerFactory.getLogger(ContrastiveTuner.class);

  public static final String STAGE = "tune";
  /** Prefix of the encoder EMA arrays in checkpoint state. */
  public static final String EMA_PREFIX = "ema.";

  /** The configuration recorded in run.json and checkpoints. */
  public record RunConfig(String stage, ContrastiveTuningConfig contrastive, ViTConfig encoder, String dataset,
      String from, boolean normalize, int trainLimit, int frozenBlocks) {}

  private ContrastiveTuner() {}

  /**
   * AdamW parameter groups of the tuning stage: the head first (scale 1, head weight decay), then one group
   * per encoder layer id with scale {@code (encoderBaseLr / headBaseLr) * layerDecay^(depth + 1 - id)} and the
   * encoder weight decay. The schedule's peak is the head's lr.
   */
  public static List<ParamGroup> paramGroups(ContrastiveTuningConfig.Tuning t, int depth) {
    List<ParamGroup> g = new ArrayList<>();
    g.add(new ParamGroup("head", n -> n.startsWith(NnclrHead.PROJECTOR + ".")
        || n.startsWith(NnclrHead.PREDICTOR + "."), 1.0, t.headWeightDecay()));
    double ratio = t.encoderBaseLr() / t.headBaseLr();
    LayerwiseLrDecay lrd = new LayerwiseLrDecay(depth, t.layerDecay());
    for (ParamGroup pg : ParamGroup.layerwise(lrd, t.encoderWeightDecay())) {
      g.add(new ParamGroup("encoder " + pg.name(), pg.selects(), pg.lrScale() * ratio, pg.weightDecay()));
    }
    return g;
  }

  /** Head arrays for tuning: from the head-init checkpoint (or fresh), plus the target projector copy. */
  static Map<String, INDArray> headArrays(Checkpoint from, NnclrHeadConfig hc, int inDim, DataType dt,
      SplittableRandom rng) {
    Map<String, INDArray> head = new LinkedHashMap<>();
    boolean has = from.weights().containsKey(NnclrHead.PROJECTOR + ".0.weight");
    if (has) {
      for (Map<String, INDArray> m : List.of(from.weights(), from.state())) {
        m.forEach((k, v) -> {
          if (k.startsWith(NnclrHead.PROJECTOR + ".") || k.startsWith(NnclrHead.PREDICTOR + ".")) head.put(k, v);
        });
      }
    } else {
      head.putAll(NnclrHead.initProjector(NnclrHead.PROJECTOR, inDim, hc, dt, rng));
      head.putAll(NnclrHead.initPredictor(NnclrHead.PREDICTOR, hc, dt, rng));
    }
    addTargetCopy(head);
    return head;
  }

  /** Adds a copy of every {@code projector.*} array as {@code target_projector.*}: the target starts as the projector. */
  static void addTargetCopy(Map<String, INDArray> head) {
    Map<String, INDArray> target = new LinkedHashMap<>();
    head.forEach((k, v) -> {
      if (k.startsWith(NnclrHead.PROJECTOR + ".")) {
        target.put(NnclrHead.TARGET_PROJECTOR + k.substring(NnclrHead.PROJECTOR.length()), v.dup());
      }
    });
    head.putAll(target);
  }

  public static StageResult run(StageOptions o) {
    ContrastiveTuningConfig c = o.config();
    ContrastiveTuningConfig.Tuning tc = c.tuning();
    NnclrHeadConfig hc = c.head();
    EncoderCheckpoint enc = EncoderCheckpoint.load(o.from().resolve("checkpoints").resolve("last.ckpt"));
    ViTConfig vit = enc.vit();
    DataType dt = DataType.FLOAT;
    boolean fromHeadInit = enc.checkpoint().weights().containsKey(NnclrHead.PROJECTOR + ".0.weight");
    if (!fromHeadInit && !c.ablation().skipHeadInit()) {
      throw new IllegalArgumentException(o.from() + " holds no NNCLR head (not a head-init run); run head-init"
          + " first or use the skip-head-init ablation");
    }
    if (fromHeadInit && c.ablation().skipHeadInit()) {
      throw new IllegalArgumentException("skip-head-init ablation, but " + o.from() + " is a head-init run");
    }
    ImageDataset ds = StageSupport.trainSet(o);
    int[] subset = StageSupport.subset(ds, o.trainLimit());
    List<ImageTransform> t = StageSupport.transform(c, o.dataset(), ds, vit.imageSize(), o.normalize());
    StageSupport.Length len = StageSupport.length(tc.epochs(), tc.steps(),
        StageSupport.fullStepsPerEpoch(ds, subset, c.batchSize()));
    int frozenBlocks = tc.frozenBlocks(vit.depth());
    int numKeep = c.ablation().maskRatio() > 0 ? (int) (vit.numPatches() * (1 - c.ablation().maskRatio())) : 0;
    if (c.ablation().maskRatio() > 0 && numKeep < 1) {
      throw new IllegalArgumentException("maskRatio " + c.ablation().maskRatio() + " keeps no patch");
    }

    SplittableRandom init = new SplittableRandom(o.seed() ^ 0x7E57L);
    Map<String, INDArray> head = headArrays(enc.checkpoint(), hc, vit.dim(), dt, init);
    NnclrModel model = NnclrModel.onEncoder(vit, hc, dt, enc.weights(), head, true, frozenBlocks, numKeep);
    NnQueue queue = new NnQueue(hc.queueSize(), hc.outputDim(), init);
    if (fromHeadInit && enc.checkpoint().state().containsKey("queue.vectors")) {
      Map<String, INDArray> qs = queue.stateArrays("queue.");
      for (Map.Entry<String, INDArray> e : qs.entrySet()) {
        INDArray saved = enc.checkpoint().state().get(e.getKey());
        if (saved != null && java.util.Arrays.equals(saved.shape(), e.getValue().shape())) {
          e.getValue().assign(saved);
        }
      }
      queue.syncFromState();
    }
    NnclrStep step = new NnclrStep(model, queue, tc.topK(), c.ablation().nnLookup(), hc.targetFactor());

    Map<String, INDArray> params = model.trainable();
    AdamW opt = new AdamW(c.beta1(), c.beta2(), 1e-8, tc.headWeightDecay(), paramGroups(tc, vit.depth()),
        AdamW.DEFAULT_NO_DECAY.or(NnclrHead.noWeightDecay(params)));
    double peak = tc.headBaseLr() * c.lrScale();
    LrSchedule schedule = new LrSchedule(peak, 0.0, Math.round(c.warmupFraction() * len.totalSteps()),
        len.totalSteps());

    List<String> encNames = VitEncoder.parameterNames(vit);
    Map<String, INDArray> encoder = model.arrays(encNames);
    Map<String, INDArray> emaArrays = new LinkedHashMap<>();
    ExponentialMovingAverage ema = new ExponentialMovingAverage();
    for (String n : encNames) {
      INDArray copy = encoder.get(n).dup();
      emaArrays.put(EMA_PREFIX + n, copy);
      if (params.containsKey(n)) ema.blend(n, encoder.get(n), copy);
    }
    log.info("[{}] encoder {} from {}: blocks 0..{} frozen{}, {} trainable encoder arrays, layer decay {};"
        + " {} steps ({} per epoch x {}), batch {} x 2 views, head peak lr {}, encoder peak lr {} (x layer scale),"
        + " top-{}, encoder EMA {}, mask ratio {}, NN lookup {}", STAGE, vit, enc.file(), frozenBlocks - 1,
        frozenBlocks > 0 ? " (with patch embedding and CLS)" : "", ema.size(), tc.layerDecay(), len.totalSteps(),
        len.stepsPerEpoch(), len.epochs(), c.batchSize(), peak, tc.encoderBaseLr() * c.lrScale(), tc.topK(),
        tc.encoderEma(), c.ablation().maskRatio(), c.ablation().nnLookup());

    Map<String, INDArray> weights = new LinkedHashMap<>(params);
    weights.putAll(encoder);
    model.constants().forEach((k, v) -> {
      if (k.startsWith(NnclrHead.TARGET_PROJECTOR + ".")) weights.put(k, v);
    });
    Map<String, INDArray> state = new LinkedHashMap<>(model.buffers());
    state.putAll(queue.stateArrays("queue."));
    state.putAll(emaArrays);
    StageSupport.NnAccuracyTail acc = new StageSupport.NnAccuracyTail();
    StepFunction<Batch> fn = new StepFunction<>() {
      boolean synced;

      @Override
      public Result step(Batch b, Context ctx) {
        if (!synced) {
          queue.syncFromState();
          synced = true;
        }
        Map<String, INDArray> in = new LinkedHashMap<>();
        in.put(NnclrModel.IMAGES, StageSupport.images(b, dt));
        if (numKeep > 0) {
          RandomMasking m = RandomMasking.sample(2 * b.size(), vit.numPatches(), numKeep,
              ctx.rng().derive(11).nextSplittable());
          in.put(NnclrModel.KEEP, m.keepOneHot(dt));
        }
        int[][] dice = StageSupport.dice(ctx, b.size(), tc.topK());
        NnclrStep.Output out = step.forwardBackward(in, b.size(), b.sampleIds(), b.labels(), dice[0], dice[1]);
        for (INDArray a : in.values()) {
          if (a.closeable()) a.close(); // this step's images (and masks): free now, not at a later GC
        }
        return new Result(out.loss(), out.gradients(), 2 * b.size(), Map.of("nn_accuracy", out.nnAccuracy()));
      }

      @Override
      public void afterUpdate(Context ctx) {
        step.afterUpdate();
        if (tc.encoderEma() > 0) ema.update(tc.encoderEma());
        else ema.update(0.0);
      }
    };
    TrainLoop.Result r;
    try (RunDirectory rd = RunDirectory.open(o.out())) {
      r = TrainLoop.builder(STAGE, params, weights)
          .optimizer(opt)
          .schedule(schedule)
          .totalSteps(len.totalSteps())
          .runDirectory(rd)
          .config(new RunConfig(STAGE, c, vit, o.dataset(), o.from().toString(), o.normalize(), o.trainLimit(),
              frozenBlocks))
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
    Map<String, INDArray> kept = new LinkedHashMap<>();
    for (String n : encNames) kept.put(n, emaArrays.get(EMA_PREFIX + n));
    Path encFile = o.out().resolve("checkpoints").resolve(EncoderCheckpoint.ENCODER_FILE);
    EncoderCheckpoint.write(encFile, vit, hc.pooling(), kept,
        "contrastive tuning EMA " + tc.encoderEma() + " after " + r.lastStep() + " steps");
    log.info("[{}] done: {} steps, last loss {}, queue NN label agreement {}; encoder EMA written to {} ({} s)",
        STAGE, r.lastStep(), r.lastLoss(), acc.mean(), encFile, Math.round(r.seconds()));
    return new StageResult(o.out(), r.lastCheckpoint(), encFile, r.lastStep(), r.lastLoss(), acc.mean(),
        r.seconds());
  }
}
