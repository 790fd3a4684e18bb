package org.maect.samediff.io;

import org.maect.core.config.MaeConfig;
import org.maect.core.config.ViTConfig;
import org.maect.core.io.weights.MaeArchitecture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Converts between the architecture inferred from a weight file ({@link MaeArchitecture}) and our configs.
 *
 * <p>What the configs cannot express is rejected or stated: our LayerNorm eps is fixed at
 * {@link ViTConfig#LAYER_NORM_EPS} (1e-6), so a Hugging Face model (1e-12) runs with 1e-6 (logged; the golden test
 * measures the effect); the decoder MLP ratio is fixed at 4; a mask ratio is not stored in weight files, so
 * 0.75 (the paper's) is used; norm-pix loss defaults to true (the released MAE models used it) unless the source
 * config says otherwise.
 */
public final class ModelConfigs {
  private static final Logger LOG = LoggerFactory.getLogger(ModelConfigs.class);

  /** Mask ratio of every released MAE model; weight files do not record it. */
  public static final double DEFAULT_MASK_RATIO = 0.75;

  private ModelConfigs() {}

  public static ViTConfig encoder(MaeArchitecture a) {
    if (a.layerNormEps() != ViTConfig.LAYER_NORM_EPS) {
      LOG.warn(
          "Source model used LayerNorm eps {}; maect graphs use {} (output change ~1e-5 absolute, see README)",
          a.layerNormEps(), ViTConfig.LAYER_NORM_EPS);
    }
    return new ViTConfig(a.imageSize(), a.patchSize(), a.channels(), a.dim(), a.depth(), a.heads(), (double) a.mlpHidden() / a.dim());
  }

  /** The full MAE; the architecture must have a decoder with MLP ratio 4. */
  public static MaeConfig mae(MaeArchitecture a) {
    if (!a.hasDecoder()) throw new IllegalArgumentException("The checkpoint has no decoder: it is an encoder only");
    if (a.decoderMlpHidden() != 4 * a.decoderDim()) {
      throw new IllegalArgumentException(
          "Decoder MLP width " + a.decoderMlpHidden() + " is not 4 x " + a.decoderDim() + " (the only ratio maect supports)");
    }
    boolean normPix = a.normPixLoss() == null || a.normPixLoss();
    return new MaeConfig(encoder(a), a.decoderDim(), a.decoderDepth(), a.decoderHeads(), DEFAULT_MASK_RATIO, normPix);
  }

  /** Back to an architecture (for export metadata). */
  public static MaeArchitecture architecture(ViTConfig e) {
    return new MaeArchitecture(
        e.imageSize(), e.patchSize(), e.inChannels(), e.dim(), e.depth(), e.heads(), e.mlpHidden(), 0, 0, 0, 0,
        ViTConfig.LAYER_NORM_EPS, null);
  }
}
