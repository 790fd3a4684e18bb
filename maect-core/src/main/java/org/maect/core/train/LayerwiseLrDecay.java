package org.maect.core.train;

/**
 * Layer-wise learning-rate decay of BEiT / MAE fine-tuning, used by MAE-CT's contrastive tuning.
 *
 * <p>With encoder depth {@code d} and decay {@code r}, parameter names (timm/MAE state-dict keys) get a layer id:
 * embeddings ({@code patch_embed.*}, {@code cls_token}, {@code pos_embed}) 0, {@code blocks.i.*} i + 1, everything
 * else (final {@code norm.*}, heads such as {@code projector.*}) d + 1; the scale is {@code r^(d + 1 - id)}:
 * embeddings {@code r^(d+1)}, block i {@code r^(d-i)}, final norm and heads 1. Matches facebookresearch/mae
 * {@code util/lr_decay.py}. Freezing the lower half is the caller's business (frozen variables get no update).
 */
public record LayerwiseLrDecay(int depth, double decay) {

  public LayerwiseLrDecay {
    if (depth < 1) throw new IllegalArgumentException("Invalid depth (must be >= 1): " + depth);
    if (!(decay > 0 && decay <= 1)) throw new IllegalArgumentException("Invalid decay (must be in (0, 1]): " + decay);
  }

  /** Layer id of a parameter: 0 for embeddings, i + 1 for {@code blocks.i.*}, depth + 1 otherwise. */
  public int layerId(String name) {
    if (name.equals("cls_token") || name.equals("pos_embed") || name.startsWith("patch_embed.")) return 0;
    if (name.startsWith("blocks.")) {
      int end = name.indexOf('.', 7);
      String idx = end < 0 ? name.substring(7) : name.substring(7, end);
      int i;
      try {
        i = Integer.parseInt(idx);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("Parameter name '" + name + "': block index is not a number");
      }
      if (i < 0 || i >= depth) {
        throw new IllegalArgumentException(
            "Parameter name '" + name + "': block index " + i + " outside the encoder depth " + depth);
      }
      return i + 1;
    }
    return depth + 1;
  }

  /** Learning-rate scale of a parameter: {@code decay^(depth + 1 - layerId(name))}. */
  public double scale(String name) {
    return Math.pow(decay, depth + 1 - layerId(name));
  }
}
