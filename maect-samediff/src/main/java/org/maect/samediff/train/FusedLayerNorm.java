package org.maect.samediff.train;

/**
 * The naming contract between a composed LayerNorm graph ({@code org.maect.samediff.vit.LayerNorm}) and
 * {@link LayerNormFusion}: the LayerNorm's ops are built in the name scope {@link #scope(String) scope(prefix)},
 * its result is named {@code scope(prefix) + "/" + }{@link #OUTPUT}, and its parameters are
 * {@code prefix + ".weight"} and {@code prefix + ".bias"} (created outside the scope, so their names stay those of
 * the PyTorch state dict). An execution plan finds the site by these names and runs it fused; SameDiff's session
 * runs the composed ops.
 */
public final class FusedLayerNorm {
  /** Name of the LayerNorm's result inside its scope. */
  public static final String OUTPUT = "out";
  /** Appended to the LayerNorm's prefix to form its name scope. */
  public static final String SCOPE_SUFFIX = ".fused_ln";

  private FusedLayerNorm() {}

  /** The name scope of the LayerNorm with parameters {@code prefix.weight} / {@code prefix.bias}. */
  public static String scope(String prefix) {
    return prefix + SCOPE_SUFFIX;
  }
}
