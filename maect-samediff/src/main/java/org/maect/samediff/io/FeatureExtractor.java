package org.maect.samediff.io;

import java.util.List;
import java.util.Map;
import org.maect.core.config.ViTConfig;
import org.maect.core.io.weights.StateDict;
import org.maect.core.io.weights.WeightFileException;
import org.maect.samediff.vit.Params;
import org.maect.samediff.vit.Pooling;
import org.maect.samediff.vit.VitEncoder;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runs a ViT encoder (no masking) on already-normalised images and returns pooled features.
 *
 * <p>Shapes: images {@code [B, C, H, W]} (flattened NCHW float32) -> tokens {@code [B, 1+L, D]} -> features
 * {@code [B, D]} (CLS token, or mean of the patch tokens, after the final LayerNorm).
 */
public final class FeatureExtractor {
  private static final String IMAGES = "images";
  private static final String FEATURES = "features";

  private final ViTConfig cfg;
  private final SameDiff sd;
  private final VitEncoder enc;

  /** Builds the encoder graph and loads {@code weights} (timm names; every encoder parameter must be there). */
  public FeatureExtractor(ViTConfig cfg, StateDict weights, Pooling pooling) throws WeightFileException {
    this.cfg = cfg;
    this.sd = SameDiff.create();
    SDVariable images = sd.placeHolder(IMAGES, DataType.FLOAT, -1, cfg.inChannels(), cfg.imageSize(), cfg.imageSize());
    this.enc = VitEncoder.build(new Params(sd, DataType.FLOAT, 0L), cfg, images, null, "");
    sd.identity(FEATURES, enc.pooled(pooling));
    List<String> names = VitEncoder.parameterNames(cfg);
    GraphWeights.assign(sd, weights, names);
    if (weights.contains("pos_embed")) {
      GraphWeights.checkFixedTable("pos_embed", weights.get("pos_embed"), VitEncoder.posEmbed(cfg, DataType.FLOAT));
    }
  }

  public ViTConfig config() {
    return cfg;
  }

  /** Feature width D. */
  public int dim() {
    return cfg.dim();
  }

  /** @param images {@code n} images, NCHW float32, normalised as in training; returns {@code [n * D]}. */
  public float[] features(float[] images, int n) {
    return run(images, n, FEATURES).data().asFloat();
  }

  /** The full encoder output {@code [n, 1+L, D]} flattened. */
  public float[] tokens(float[] images, int n) {
    return run(images, n, enc.tokens().name()).data().asFloat();
  }

  private INDArray run(float[] images, int n, String out) {
    int per = cfg.inChannels() * cfg.imageSize() * cfg.imageSize();
    if (images.length != (long) n * per) {
      throw new IllegalArgumentException("Expected " + n + " x " + per + " image values, got " + images.length);
    }
    INDArray x = Nd4j.create(images, new long[] {n, cfg.inChannels(), cfg.imageSize(), cfg.imageSize()}, 'c');
    return sd.output(Map.of(IMAGES, x), out).get(out).castTo(DataType.FLOAT).dup('c');
  }
}
