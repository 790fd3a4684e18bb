package org.maect.samediff.nnclr;

import java.util.Map;
import org.maect.core.config.ViTConfig;
import org.maect.core.data.Batch;
import org.maect.core.data.BatchIterator;
import org.maect.core.data.ImageDataset;
import org.maect.core.data.ImageTransform;
import org.maect.samediff.vit.Params;
import org.maect.samediff.vit.Pooling;
import org.maect.samediff.vit.VitEncoder;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A frozen encoder in inference: images {@code [N, C, H, W]} -> pooled features {@code [N, D]} (all weights
 * constants, no masking). Used by head initialisation (the encoder is frozen there) and to embed datasets for
 * evaluation.
 */
public final class EncoderFeatures {

  private static final String IMAGES = "images";
  private static final String POOLED = "pooled";

  private final SameDiff sd;
  private final ViTConfig vit;
  private final DataType dataType;

  public EncoderFeatures(ViTConfig vit, Map<String, INDArray> weights, Pooling pooling, DataType dataType) {
    this.vit = vit;
    this.dataType = dataType;
    this.sd = SameDiff.create();
    for (String n : VitEncoder.parameterNames(vit)) {
      INDArray a = weights.get(n);
      if (a == null) throw new IllegalArgumentException("Encoder weights lack '" + n + "'");
      sd.var(n, a.castTo(dataType).dup());
    }
    SDVariable images = sd.placeHolder(IMAGES, dataType, -1, vit.inChannels(), vit.imageSize(), vit.imageSize());
    VitEncoder enc = VitEncoder.build(new Params(sd, dataType, 0), vit, images, null, "");
    sd.identity(POOLED, enc.pooled(pooling));
    VitEncoder.freeze(sd, n -> true);
  }

  public ViTConfig vit() {
    return vit;
  }

  /** Pooled features of a batch of images {@code [N, C, H, W]} -> {@code [N, D]}. */
  public INDArray pooled(INDArray images) {
    org.maect.samediff.train.COrderArrayCache.install(sd);
    return org.maect.samediff.train.ExecutionPlans.output(sd, Map.of(IMAGES, images.castTo(dataType)), POOLED)
        .get(POOLED).dup(); // the plan's array is overwritten by the next batch
  }

  /**
   * Features of a whole dataset in its order.
   *
   * @param transform evaluation transform (null: raw images); must output the encoder's image size
   * @return {@code [size][D]}
   */
  public float[][] extract(ImageDataset ds, ImageTransform transform, int batchSize) {
    return extract(ds, transform, batchSize, 0);
  }

  /** Features of the first {@code limit} images ({@code 0}: all), {@code [n][D]}. */
  public float[][] extract(ImageDataset ds, ImageTransform transform, int batchSize, int limit) {
    int n = limit <= 0 ? ds.size() : Math.min(limit, ds.size());
    float[][] out = new float[n][];
    int[] subset = new int[n];
    for (int i = 0; i < n; i++) subset[i] = i;
    try (BatchIterator it = BatchIterator.builder(ds).batchSize(batchSize).views(1).transform(transform)
        .shuffle(false).dropLast(false).subset(subset).build()) {
      while (it.hasNext()) {
        Batch b = it.next();
        INDArray x = Nd4j.create(b.view(0), b.shape());
        float[] f = NnQueue.toFloats(pooled(x));
        int d = f.length / b.size();
        for (int i = 0; i < b.size(); i++) {
          out[b.indices()[i]] = java.util.Arrays.copyOfRange(f, i * d, (i + 1) * d);
        }
      }
    }
    return out;
  }
}
