package org.maect.samediff.train;

/**
 * The naming contract between the composed graphs of {@code org.maect.samediff.vit.LayerNorm} /
 * {@code org.maect.samediff.vit.Gelu} and {@link SiteFusion}: such a site's ops are built in the name scope
 * {@code prefix + }{@link #LAYER_NORM} (or {@link #GELU}), its result is named {@code scope + "/" + }{@link #OUTPUT},
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

  private FusionScopes() {}
}
