package org.maect.examples.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import org.maect.core.config.ViTConfig;
import org.maect.samediff.vit.Params;
import org.maect.samediff.vit.VitEncoder;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Freshly initialised encoder weights by timm key (MAE's initialisation), for the benchmarks. */
final class EncoderInit {
  private EncoderInit() {}

  static Map<String, INDArray> weights(ViTConfig vit, long seed) {
    SameDiff sd = SameDiff.create();
    var images = sd.placeHolder("images", DataType.FLOAT, -1, vit.inChannels(), vit.imageSize(), vit.imageSize());
    VitEncoder.build(new Params(sd, DataType.FLOAT, seed), vit, images, null, "");
    Map<String, INDArray> w = new LinkedHashMap<>();
    for (String n : VitEncoder.parameterNames(vit)) w.put(n, sd.getArrForVarName(n).dup());
    return w;
  }

  /** Synthetic N(0, 1) images {@code [n, C, H, W]} as a flat NCHW array. */
  static float[] images(ViTConfig vit, int n, long seed) {
    java.util.SplittableRandom rng = new java.util.SplittableRandom(seed);
    float[] x = new float[n * vit.inChannels() * vit.imageSize() * vit.imageSize()];
    for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
    return x;
  }
}
