package org.maect.samediff.train;

/**
 * The naming contract between the composed graphs of {@code org.maect.samediff.vit.LayerNorm} /
 * {@code org.maect.samediff.vit.Gelu} / {@code org.maect.samediff.vit.Attention} and {@link SiteFusion}: such a
 * site's ops are built in the name scope {@code prefix + }{@link #LAYER_NORM} (or {@link #GELU}, {@link #attention}), its result is named {@code scope + "/" + }{@link #OUTPUT},
 * and a LayerNorm's parameters are {@code prefix + ".weight"} and {@code prefix + ".bias"} (created outside the
 * scope, so their names stay those of the PyTorch state dict). An execution plan finds a site by these names and
 * runs it fused; SameDiff's session runs the composed ops.
 */
public final class FusionScopes {
  /** Name of a site's result inside its scope. */
  public static final String OUTPUT = "out";
  /** Appended to a LayerNorm's prefix to form its name scope. */
  public static final String LAYER_NORM = ".fused_ln";
  /** Appended to a GELU's prefix to form its name scope. */
  public static final String GELU = ".fused_gelu";
  /** Start of the suffix of an attention core's name scope ({@link #attention}). */
  public static final String ATTENTION = ".fused_attn_h";

  /**
   * Appended to an attention's prefix to form the name scope of its core (packed qkv to merged heads), which
   * carries the shape the fused kernel needs: {@code .fused_attn_h<heads>_s<tokens>}.
   */
  public static String attention(int heads, int tokens) {
    return ATTENTION + heads + "_s" + tokens;
  }

  private FusionScopes() {}
}
