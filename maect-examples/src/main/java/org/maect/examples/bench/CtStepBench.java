package org.maect.examples.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.maect.core.config.ContrastiveTuningConfig;
import org.maect.core.config.NnclrHeadConfig;
import org.maect.core.config.ViTConfig;
import org.maect.samediff.nnclr.ContrastiveTuner;
import org.maect.samediff.nnclr.NnQueue;
import org.maect.samediff.nnclr.NnclrHead;
import org.maect.samediff.nnclr.NnclrModel;
import org.maect.samediff.nnclr.NnclrStep;
import org.maect.samediff.nnclr.TopKNeighbourSampler;
import org.maect.samediff.optim.AdamW;
import org.maect.samediff.optim.ExponentialMovingAverage;
import org.maect.samediff.vit.VitEncoder;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A contrastive-tuning step (stage 3) as {@code ContrastiveTuner} runs it: two views through the encoder
 * (lower half frozen), NNCLR head with the EMA target projector feeding the queue lookup (top-k, positive
 * drawn among the k), loss forward + backward, AdamW with the head / layer-wise encoder groups, running
 * statistics, target EMA, enqueue, encoder EMA. Synthetic images; fresh sample ids each step.
 */
public final class CtStepBench implements BenchStep {
  private final ViTConfig vit;
  private final ContrastiveTuningConfig ct;
  private final int batch;
  private NnclrModel model;
  private NnclrStep step;
  private AdamW adamw;
  private Map<String, INDArray> params;
  private ExponentialMovingAverage encoderEma;
  private INDArray images;
  private SplittableRandom rng;
  private long nextId;

  /** @param batch images per view */
  public CtStepBench(ViTConfig vit, ContrastiveTuningConfig ct, int batch) {
    this.vit = vit;
    this.ct = ct;
    this.batch = batch;
  }

  @Override
  public String name() {
    return "ct_step";
  }

  @Override
  public void setup() {
    NnclrHeadConfig hc = ct.head();
    rng = new SplittableRandom(0);
    DataType dt = DataType.FLOAT;
    Map<String, INDArray> head = new LinkedHashMap<>();
    head.putAll(NnclrHead.initProjector(NnclrHead.PROJECTOR, vit.dim(), hc, dt, rng));
    head.putAll(NnclrHead.initPredictor(NnclrHead.PREDICTOR, hc, dt, rng));
    Map<String, INDArray> target = new LinkedHashMap<>();
    head.forEach((k, v) -> {
      if (k.startsWith(NnclrHead.PROJECTOR + ".")) {
        target.put(NnclrHead.TARGET_PROJECTOR + k.substring(NnclrHead.PROJECTOR.length()), v.dup());
      }
    });
    head.putAll(target);
    int frozen = ct.tuning().frozenBlocks(vit.depth());
    model = NnclrModel.onEncoder(vit, hc, dt, EncoderInit.weights(vit, 0), head, true, frozen, 0);
    NnQueue queue = new NnQueue(hc.queueSize(), hc.outputDim(), rng);
    step = new NnclrStep(model, queue, ct.tuning().topK(), true, hc.targetFactor());
    params = model.trainable();
    adamw = new AdamW(ct.beta1(), ct.beta2(), 1e-8, ct.tuning().headWeightDecay(),
        ContrastiveTuner.paramGroups(ct.tuning(), vit.depth()),
        AdamW.DEFAULT_NO_DECAY.or(NnclrHead.noWeightDecay(params)));
    encoderEma = new ExponentialMovingAverage();
    List<String> encNames = VitEncoder.parameterNames(vit);
    Map<String, INDArray> enc = model.arrays(encNames);
    for (String n : encNames) {
      if (params.containsKey(n)) encoderEma.blend(n, enc.get(n), enc.get(n).dup());
    }
    images = Nd4j.create(EncoderInit.images(vit, 2 * batch, 1),
        new long[] {2L * batch, vit.inChannels(), vit.imageSize(), vit.imageSize()}, 'c');
  }

  @Override
  public int run() {
    long[] ids = new long[batch];
    int[] labels = new int[batch];
    for (int i = 0; i < batch; i++) {
      ids[i] = nextId++;
      labels[i] = rng.nextInt(10);
    }
    int k = ct.tuning().topK();
    NnclrStep.Output out = step.forwardBackward(Map.of(NnclrModel.IMAGES, images), batch, ids, labels,
        TopKNeighbourSampler.dice(batch, k, rng), TopKNeighbourSampler.dice(batch, k, rng));
    adamw.step(params, out.gradients(), 1e-4);
    step.afterUpdate();
    encoderEma.update(ct.tuning().encoderEma());
    return 2 * batch;
  }

  @Override
  public org.nd4j.autodiff.samediff.SameDiff sameDiff() {
    return model.sameDiff();
  }

  @Override
  public double flopsPerStep() {
    return FlopCount.ctStep(vit, ct.head(), ct.tuning().frozenBlocks(vit.depth()), batch);
  }
}
