package org.maect.examples.bench;

import java.util.SplittableRandom;
import org.maect.core.config.MaeConfig;
import org.maect.core.config.OptimConfig;
import org.maect.samediff.mae.MaeModel;
import org.maect.samediff.mae.RandomMasking;
import org.maect.samediff.optim.AdamW;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * An MAE pre-training step as {@code MaePretrainer} does it: host-side masking and norm-pix targets,
 * forward + backward of the SameDiff graph, AdamW update. Synthetic uniform images (data loading excluded).
 */
public final class MaePretrainStepBench implements BenchStep {
  private final String preset;
  private final int batch;
  private MaeModel model;
  private AdamW adamw;
  private float[] images;
  private SplittableRandom rng;

  public MaePretrainStepBench(String preset, int batch) {
    this.preset = preset;
    this.batch = batch;
  }

  @Override
  public String name() {
    return "mae-pretrain-step[" + preset + ", batch " + batch + "]";
  }

  @Override
  public void setup() {
    MaeConfig cfg = MaeConfig.preset(preset);
    model = new MaeModel(cfg, DataType.FLOAT, 0);
    adamw = AdamW.of(OptimConfig.maePretrain().withBatchSize(batch));
    rng = new SplittableRandom(0);
    var e = cfg.encoder();
    images = new float[batch * e.inChannels() * e.imageSize() * e.imageSize()];
    for (int i = 0; i < images.length; i++) images[i] = (float) rng.nextGaussian();
  }

  @Override
  public int run() {
    MaeConfig cfg = model.config();
    RandomMasking m = RandomMasking.sample(batch, cfg.encoder().numPatches(), cfg.numKeep(), rng);
    MaeModel.StepResult r = model.lossAndGradients(model.inputs(images, batch, m));
    adamw.step(model.parameters(), r.gradients(), 1e-4);
    return batch;
  }
}
