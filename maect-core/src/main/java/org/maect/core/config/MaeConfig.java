package org.maect.core.config;

import java.util.List;
import java.util.Locale;

/**
 * A masked autoencoder (He et al. 2022): a {@link ViTConfig} encoder that sees only the kept patches,
 * and a light decoder that reconstructs the masked ones.
 *
 * @param encoder the ViT encoder
 * @param decoderDim decoder token width (512 in the paper's "dec512d8b")
 * @param decoderDepth decoder blocks (8 in the paper)
 * @param decoderHeads decoder attention heads (16 in the paper)
 * @param maskRatio fraction of patches removed per sample, in (0, 1) (0.75 in the paper)
 * @param normPixLoss per-patch normalised pixel targets (mean / unbiased variance, eps 1e-6)
 */
public record MaeConfig(
    ViTConfig encoder,
    int decoderDim,
    int decoderDepth,
    int decoderHeads,
    double maskRatio,
    boolean normPixLoss) {

  /** Epsilon added to the per-patch variance of the normalised pixel target. */
  public static final double NORM_PIX_EPS = 1e-6;

  public MaeConfig {
    if (encoder == null) throw new IllegalArgumentException("encoder config is required");
    if (decoderDim <= 0) throw new IllegalArgumentException("Invalid decoderDim: " + decoderDim);
    if (decoderDepth <= 0) throw new IllegalArgumentException("Invalid decoderDepth: " + decoderDepth);
    if (decoderHeads <= 0 || decoderDim % decoderHeads != 0) {
      throw new IllegalArgumentException(
          "decoderDim " + decoderDim + " is not divisible by decoderHeads " + decoderHeads);
    }
    if (!(maskRatio > 0 && maskRatio < 1)) {
      throw new IllegalArgumentException("maskRatio must be in (0, 1), got " + maskRatio);
    }
    int keep = (int) (encoder.numPatches() * (1 - maskRatio));
    if (keep < 1 || keep >= encoder.numPatches()) {
      throw new IllegalArgumentException(
          "maskRatio " + maskRatio + " keeps " + keep + " of " + encoder.numPatches()
              + " patches; need at least one kept and one masked");
    }
  }

  /** Kept (visible) patches per sample, {@code int(L * (1 - maskRatio))} exactly as in MAE. */
  public int numKeep() {
    return (int) (encoder.numPatches() * (1 - maskRatio));
  }

  /** Masked patches per sample, L - numKeep. */
  public int numMasked() {
    return encoder.numPatches() - numKeep();
  }

  /** Decoder MLP hidden width (ratio 4 as in MAE). */
  public int decoderMlpHidden() {
    return decoderDim * 4;
  }

  /** Same model for another input size / channel count. */
  public MaeConfig withInput(int imageSize, int inChannels) {
    return new MaeConfig(
        encoder.withInput(imageSize, inChannels),
        decoderDim, decoderDepth, decoderHeads, maskRatio, normPixLoss);
  }

  private static MaeConfig paper(ViTConfig enc) {
    return new MaeConfig(enc, 512, 8, 16, 0.75, true);
  }

  public static final MaeConfig VIT_B16 = paper(ViTConfig.VIT_B16);
  public static final MaeConfig VIT_L16 = paper(ViTConfig.VIT_L16);
  public static final MaeConfig VIT_H16 = paper(ViTConfig.VIT_H16);
  public static final MaeConfig VIT_H14 = paper(ViTConfig.VIT_H14);
  /** Fashion-MNIST CPU preset (decoder 64d1b): a 60k-image epoch takes minutes on 2 cores (see README). */
  public static final MaeConfig CPU28 = new MaeConfig(ViTConfig.CPU28, 64, 1, 4, 0.75, true);
  /** CIFAR CPU preset. */
  public static final MaeConfig CPU32 = new MaeConfig(ViTConfig.CPU32, 64, 1, 4, 0.75, true);

  /** Preset names accepted by {@link #preset(String)} (same names as {@link ViTConfig#presetNames()}). */
  public static List<String> presetNames() {
    return ViTConfig.presetNames();
  }

  /** Named preset (case-insensitive); an unknown name lists the known ones. */
  public static MaeConfig preset(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "vit_b16" -> VIT_B16;
      case "vit_l16" -> VIT_L16;
      case "vit_h16" -> VIT_H16;
      case "vit_h14" -> VIT_H14;
      case "cpu28" -> CPU28;
      case "cpu32" -> CPU32;
      default -> throw new IllegalArgumentException(
          "Unknown MAE preset '" + name + "'; known: " + presetNames());
    };
  }
}
