package org.maect.examples.bench;

import org.maect.core.config.MaeConfig;
import org.maect.core.config.NnclrHeadConfig;
import org.maect.core.config.ViTConfig;

/**
 * Counted FLOPs: the nominal matmul FLOPs of the model (2 per multiply-add) as a textbook count would give
 * them, the same number for our graph and for the PyTorch reference, so GFLOP/s compares like with like.
 * Elementwise ops, softmax and norms are not counted; a training step is forward + 2 x forward for the
 * backward of the parts that get gradients; frozen parts count their forward only. Extra work our graph does
 * (one-hot gather matmuls, LayerNorm reductions as matmuls, the CT query forward) is not counted.
 */
public final class FlopCount {
  private FlopCount() {}

  /** One pre-norm transformer block on {@code s} tokens of width {@code d}, MLP width {@code h}, per image. */
  public static double block(long s, long d, long h) {
    return 2.0 * s * d * 3 * d      // qkv
        + 2.0 * 2 * s * s * d        // q k^T and attn v
        + 2.0 * s * d * d            // proj
        + 2.0 * 2 * s * d * h;       // fc1, fc2
  }

  /** Encoder forward per image seeing {@code t} patches (+ CLS). */
  public static double encoder(ViTConfig v, int t) {
    return 2.0 * t * v.patchDim() * v.dim() + v.depth() * block(1 + t, v.dim(), v.mlpHidden());
  }

  /** MAE forward per image (encoder on the kept patches, decoder on all). */
  public static double maeForward(MaeConfig c) {
    ViTConfig v = c.encoder();
    int k = c.numKeep();
    int l = v.numPatches();
    long e = c.decoderDim();
    return encoder(v, k)
        + 2.0 * (1 + k) * v.dim() * e
        + c.decoderDepth() * block(1 + l, e, c.decoderMlpHidden())
        + 2.0 * (1 + l) * e * v.patchDim();
  }

  /** One MAE training step of {@code batch} images. */
  public static double maeStep(MaeConfig c, int batch) {
    return 3.0 * maeForward(c) * batch;
  }

  /** Projector forward per image. */
  public static double projector(long in, NnclrHeadConfig h) {
    return 2.0 * (in * h.projHiddenDim() + (long) h.projHiddenDim() * h.projHiddenDim()
        + (long) h.projHiddenDim() * h.outputDim());
  }

  /** Predictor forward per image. */
  public static double predictor(NnclrHeadConfig h) {
    return 2.0 * 2 * h.outputDim() * h.predHiddenDim();
  }

  /**
   * One contrastive-tuning step of {@code batch} images per view (2 views): encoder forward on all patches,
   * backward of the unfrozen blocks, online projector + predictor trained, target projector forward, queue
   * similarities of both views, loss logits.
   */
  public static double ctStep(ViTConfig v, NnclrHeadConfig h, int frozenBlocks, int batch) {
    int l = v.numPatches();
    double enc = encoder(v, l) + 2.0 * (v.depth() - frozenBlocks) * block(1 + l, v.dim(), v.mlpHidden());
    double head = 3.0 * (projector(v.dim(), h) + predictor(h)) + projector(v.dim(), h);
    double lookup = 2.0 * h.outputDim() * h.queueSize() + 2.0 * batch * h.outputDim();
    return 2.0 * batch * (enc + head + lookup);
  }

  /** Embedding (inference) of {@code batch} images on all patches. */
  public static double embed(ViTConfig v, int batch) {
    return encoder(v, v.numPatches()) * batch;
  }
}
