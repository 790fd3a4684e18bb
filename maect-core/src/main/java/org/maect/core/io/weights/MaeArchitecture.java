package org.maect.core.io.weights;

/**
 * The ViT/MAE shape read off a checkpoint's tensors (plus the head counts, which tensors cannot show).
 *
 * <p>Encoder: {@code imageSize x imageSize x channels} images cut into {@code patchSize} patches
 * ({@code L = (imageSize/patchSize)^2} tokens plus CLS), width {@code dim}, {@code depth} blocks of {@code heads}
 * heads and MLP width {@code mlpHidden}. Decoder (MAE pre-training only; {@code decoderDepth == 0} when the
 * checkpoint has none): width {@code decoderDim}, {@code decoderDepth} blocks, {@code decoderHeads} heads.
 *
 * @param layerNormEps the LayerNorm epsilon the source model used: 1e-6 in timm/facebookresearch-mae, 1e-12 in
 *     Hugging Face {@code ViTMAEConfig} (its {@code layer_norm_eps} default)
 * @param normPixLoss whether the source was trained with normalised-pixel targets, when the source says so
 *     ({@code null} if unknown: a {@code .pth} state dict does not record it)
 */
public record MaeArchitecture(
    int imageSize,
    int patchSize,
    int channels,
    int dim,
    int depth,
    int heads,
    int mlpHidden,
    int decoderDim,
    int decoderDepth,
    int decoderHeads,
    int decoderMlpHidden,
    double layerNormEps,
    Boolean normPixLoss) {

  public MaeArchitecture {
    if (patchSize <= 0 || imageSize <= 0 || imageSize % patchSize != 0) {
      throw new IllegalArgumentException("Invalid image/patch size: " + imageSize + "/" + patchSize);
    }
    if (channels <= 0 || dim <= 0 || depth <= 0 || mlpHidden <= 0) {
      throw new IllegalArgumentException("Invalid encoder shape: channels " + channels + ", dim " + dim + ", depth " + depth);
    }
    if (heads <= 0 || dim % heads != 0) throw new IllegalArgumentException("Invalid number of heads " + heads + " for width " + dim);
    if (decoderDepth < 0) throw new IllegalArgumentException("Invalid decoder depth: " + decoderDepth);
    if (decoderDepth > 0 && (decoderHeads <= 0 || decoderDim % decoderHeads != 0 || decoderMlpHidden <= 0)) {
      throw new IllegalArgumentException("Invalid decoder: dim " + decoderDim + ", heads " + decoderHeads);
    }
    if (!(layerNormEps > 0)) throw new IllegalArgumentException("Invalid LayerNorm eps: " + layerNormEps);
  }

  /** Patches per image side. */
  public int gridSize() {
    return imageSize / patchSize;
  }

  /** Patch tokens per image (without CLS). */
  public int numPatches() {
    return gridSize() * gridSize();
  }

  public boolean hasDecoder() {
    return decoderDepth > 0;
  }

  /** The same architecture without the decoder (what an exported, tuned encoder has). */
  public MaeArchitecture encoderOnly() {
    return new MaeArchitecture(imageSize, patchSize, channels, dim, depth, heads, mlpHidden, 0, 0, 0, 0, layerNormEps, normPixLoss);
  }
}
