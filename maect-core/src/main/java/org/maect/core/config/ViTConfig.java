package org.maect.core.config;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A Vision Transformer encoder as used by MAE (timm {@code VisionTransformer}, pre-norm blocks,
 * LayerNorm eps 1e-6, exact-erf GELU, fixed 2-D sin-cos positional embedding, CLS token).
 *
 * <p>Shape legend: B batch, C channels, H = W = {@code imageSize}, p = {@code patchSize}, L = (H/p)^2
 * patch tokens, D = {@code dim}, heads h with head width D/h.
 *
 * @param imageSize input height = width in pixels
 * @param patchSize patch side p (patch embedding is a stride-p convolution with a p x p kernel)
 * @param inChannels C
 * @param dim token width D
 * @param depth number of transformer blocks
 * @param heads attention heads (must divide {@code dim})
 * @param mlpRatio MLP hidden width / D (4 in all paper models)
 */
public record ViTConfig(
    int imageSize, int patchSize, int inChannels, int dim, int depth, int heads, double mlpRatio) {

  /** LayerNorm epsilon of all MAE / MAE-CT models. */
  public static final double LAYER_NORM_EPS = 1e-6;

  public ViTConfig {
    if (imageSize <= 0) throw new IllegalArgumentException("Invalid imageSize: " + imageSize);
    if (patchSize <= 0) throw new IllegalArgumentException("Invalid patchSize: " + patchSize);
    if (imageSize % patchSize != 0) {
      throw new IllegalArgumentException(
          "imageSize " + imageSize + " is not divisible by patchSize " + patchSize);
    }
    if (inChannels <= 0) throw new IllegalArgumentException("Invalid inChannels: " + inChannels);
    if (dim <= 0) throw new IllegalArgumentException("Invalid dim: " + dim);
    if (depth <= 0) throw new IllegalArgumentException("Invalid depth: " + depth);
    if (heads <= 0 || dim % heads != 0) {
      throw new IllegalArgumentException("dim " + dim + " is not divisible by heads " + heads);
    }
    if (!(mlpRatio > 0) || Math.round(dim * mlpRatio) != dim * mlpRatio) {
      throw new IllegalArgumentException(
          "Invalid mlpRatio " + mlpRatio + " (dim * mlpRatio must be a positive integer)");
    }
  }

  /** Patches per side, H / p. */
  public int gridSize() {
    return imageSize / patchSize;
  }

  /** Patch tokens L = (H / p)^2 (without the CLS token). */
  public int numPatches() {
    return gridSize() * gridSize();
  }

  /** Values in one flattened patch, p * p * C. */
  public int patchDim() {
    return patchSize * patchSize * inChannels;
  }

  /** Width of one attention head, D / h. */
  public int headDim() {
    return dim / heads;
  }

  /** MLP hidden width, D * mlpRatio. */
  public int mlpHidden() {
    return (int) Math.round(dim * mlpRatio);
  }

  /** Trainable parameters (the positional embedding is a fixed table and not counted). */
  public long parameterCount() {
    long d = dim;
    long h = mlpHidden();
    long block = 2 * 2 * d + (3 * d * d + 3 * d) + (d * d + d) + (d * h + h) + (h * d + d);
    return d * patchDim() + d + d + depth * block + 2 * d;
  }

  /** The same encoder for another input resolution/channel count (for datasets other than the preset's). */
  public ViTConfig withInput(int newImageSize, int newInChannels) {
    return new ViTConfig(newImageSize, patchSize, newInChannels, dim, depth, heads, mlpRatio);
  }

  // Paper encoders (Dosovitskiy et al.; MAE / MAE-CT use B/16, L/16, H/14 and H/16 at 224px).
  public static final ViTConfig VIT_B16 = new ViTConfig(224, 16, 3, 768, 12, 12, 4.0);
  public static final ViTConfig VIT_L16 = new ViTConfig(224, 16, 3, 1024, 24, 16, 4.0);
  public static final ViTConfig VIT_H16 = new ViTConfig(224, 16, 3, 1280, 32, 16, 4.0);
  public static final ViTConfig VIT_H14 = new ViTConfig(224, 14, 3, 1280, 32, 16, 4.0);
  /**
   * CPU preset for 28x28 grey images (Fashion-MNIST / MNIST): 7x7 patches of 4x4, D=64, 4 blocks.
   * Measured ~1.5 s CPU per MAE step of 256 images on one core (SameDiff M2.1), so one 60k epoch ~6 min.
   */
  public static final ViTConfig CPU28 = new ViTConfig(28, 4, 1, 64, 4, 4, 4.0);
  /** CPU preset for 32x32 RGB images (CIFAR): 8x8 patches of 4x4. */
  public static final ViTConfig CPU32 = new ViTConfig(32, 4, 3, 64, 4, 4, 4.0);

  private static final Map<String, ViTConfig> PRESETS =
      Map.of(
          "vit_b16", VIT_B16,
          "vit_l16", VIT_L16,
          "vit_h16", VIT_H16,
          "vit_h14", VIT_H14,
          "cpu28", CPU28,
          "cpu32", CPU32);

  /** Preset names accepted by {@link #preset(String)}. */
  public static List<String> presetNames() {
    return List.of("vit_b16", "vit_l16", "vit_h16", "vit_h14", "cpu28", "cpu32");
  }

  /** Named preset (case-insensitive); an unknown name lists the known ones. */
  public static ViTConfig preset(String name) {
    ViTConfig c = PRESETS.get(name.toLowerCase(Locale.ROOT));
    if (c == null) {
      throw new IllegalArgumentException(
          "Unknown ViT preset '" + name + "'; known: " + presetNames());
    }
    return c;
  }
}
