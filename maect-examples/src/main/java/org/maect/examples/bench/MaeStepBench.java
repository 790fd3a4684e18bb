package org.maect.examples.bench;

import java.util.SplittableRandom;
import org.maect.core.config.MaeConfig;
import org.maect.core.config.OptimConfig;
import org.maect.samediff.mae.MaeModel;
import org.maect.samediff.mae.RandomMasking;
import org.maect.samediff.optim.AdamW;
import org.maect.samediff.train.SameDiffStep;
import org.maect.samediff.train.StepFunction;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * An MAE pre-training step as {@code MaePretrainer} runs it on the {@code TrainLoop}: host-side masking and
 * norm-pix targets, forward + backward ({@link SameDiffStep}), AdamW update, gradient release. Synthetic
 * Gaussian images (data loading and augmentation excluded, as in the PyTorch reference).
 */
public final class MaeStepBench implements BenchStep {
  private final MaeConfig cfg;
  private final int batch;
  private MaeModel model;
  private AdamW adamw;
  private SameDiffStep<float[]> step;
  private float[] images;
  private SplittableRandom rng;
  private long t;

  public MaeStepBench(MaeConfig cfg, int batch) {
    this.cfg = cfg;
    this.batch = batch;
  }

  @Override
  public String name() {
    return "mae_step";
  }

  @Override
  public void setup() {
    model = new MaeModel(cfg, DataType.FLOAT, 0);
    adamw = AdamW.of(OptimConfig.maePretrain().withBatchSize(batch));
    rng = new SplittableRandom(0);
    var e = cfg.encoder();
    images = new float[batch * e.inChannels() * e.imageSize() * e.imageSize()];
    for (int i = 0; i < images.length; i++) images[i] = (float) rng.nextGaussian();
    step = SameDiffStep.<float[]>of(model.sameDiff(), MaeModel.LOSS,
        (x, ctx) -> model.inputs(x, batch,
            RandomMasking.sample(batch, e.numPatches(), cfg.numKeep(), rng)).placeholders(),
        x -> batch).ownsPlaceholders();
  }

  @Override
  public int run() {
    StepFunction.Result r = step.step(images, new StepFunction.Context(t, 0, (int) t, 1e-4, null));
    adamw.step(model.parameters(), r.gradients(), 1e-4);
    step.release(r);
    t++;
    return r.images();
  }

  @Override
  public org.nd4j.autodiff.samediff.SameDiff sameDiff() {
    return model.sameDiff();
  }

  @Override
  public double flopsPerStep() {
    return FlopCount.maeStep(cfg, batch);
  }
}
