package org.maect.examples.bench;

import org.maect.core.config.ViTConfig;
import org.maect.samediff.nnclr.EncoderFeatures;
import org.maect.samediff.vit.Pooling;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The embedding pass of evaluation ({@link EncoderFeatures}, as k-NN / probes use it): a frozen encoder on
 * all patches, mean of the patch tokens, one batch of synthetic images.
 */
public final class EmbedBench implements BenchStep {
  private final ViTConfig vit;
  private final int batch;
  private EncoderFeatures features;
  private INDArray images;

  public EmbedBench(ViTConfig vit, int batch) {
    this.vit = vit;
    this.batch = batch;
  }

  @Override
  public String name() {
    return "embed";
  }

  @Override
  public void setup() {
    features = new EncoderFeatures(vit, EncoderInit.weights(vit, 0), Pooling.MEAN_PATCH, DataType.FLOAT);
    images = Nd4j.create(EncoderInit.images(vit, batch, 1),
        new long[] {batch, vit.inChannels(), vit.imageSize(), vit.imageSize()}, 'c');
  }

  @Override
  public int run() {
    INDArray f = features.pooled(images);
    if (f.size(0) != batch) throw new IllegalStateException("embedding gave " + f.size(0) + " rows");
    if (f.closeable()) f.close();
    return batch;
  }

  @Override
  public double flopsPerStep() {
    return FlopCount.embed(vit, batch);
  }
}
