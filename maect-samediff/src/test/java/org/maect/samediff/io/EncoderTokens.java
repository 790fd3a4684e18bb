package org.maect.samediff.io;

import java.util.Map;
import org.maect.core.config.ViTConfig;
import org.maect.core.io.weights.StateDict;
import org.maect.core.io.weights.WeightFileException;
import org.maect.samediff.vit.Params;
import org.maect.samediff.vit.VitEncoder;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Test helper: an unmasked encoder graph loaded with {@link GraphWeights#assign}; tokens {@code [n, 1+L, D]}. */
final class EncoderTokens {
  private final SameDiff sd = SameDiff.create();
  private final VitEncoder enc;
  private final ViTConfig cfg;

  EncoderTokens(ViTConfig cfg, StateDict weights) throws WeightFileException {
    this.cfg = cfg;
    enc = VitEncoder.build(new Params(sd, DataType.FLOAT, 0), cfg,
        sd.placeHolder("images", DataType.FLOAT, -1, cfg.inChannels(), cfg.imageSize(), cfg.imageSize()), null, "");
    GraphWeights.assign(sd, weights, VitEncoder.parameterNames(cfg));
  }

  float[] tokens(float[] images, int n) {
    INDArray x = Nd4j.create(images, new long[] {n, cfg.inChannels(), cfg.imageSize(), cfg.imageSize()}, 'c');
    String out = enc.tokens().name();
    return org.maect.samediff.train.ExecutionPlans.output(sd, Map.of("images", x), out).get(out).dup('c').data().asFloat();
  }
}
