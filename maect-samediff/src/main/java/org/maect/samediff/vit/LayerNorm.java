package org.maect.samediff.vit;

import org.maect.core.config.ViTConfig;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.maect.samediff.train.FusionScopes;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code torch.nn.LayerNorm(D, eps=1e-6)} over the last axis of 2-D activations {@code x: [N, D]}, with
 * {@code prefix + ".weight"} and {@code prefix + ".bias"} of shape {@code [D]}.
 *
 * <p>Composed from primitives because libnd4j {@code layer_norm} standardises without an epsilon. The row
 * reductions and the broadcasts back to {@code [N, D]} are matmuls with constant ones vectors
 * ({@code x @ 1/D} and {@code m @ 1^T}), so every elementwise op and its backward is same-shape: the
 * broadcast backward kernels are the slow ones in SameDiff M2.1. Variance is the biased one, as in torch.
 */
public final class LayerNorm {
  private LayerNorm() {}

  /** @param x {@code [N, D]} @return {@code [N, D]} */
  public static SDVariable apply(Params p, String prefix, SDVariable x, long dim) {
    SameDiff sd = p.sd();
    SDVariable g = p.ones(prefix + ".weight", dim);
    SDVariable b = p.zeros(prefix + ".bias", dim);
    String scope = prefix + FusionScopes.LAYER_NORM; // execution plans run the site fused (SiteFusion)
    try (org.nd4j.autodiff.samediff.NameScope ns = sd.withNameScope(scope)) {
      return compose(p, sd, x, g, b, dim).rename(scope + "/" + FusionScopes.OUTPUT);
    }
  }

  private static SDVariable compose(Params p, SameDiff sd, SDVariable x, SDVariable g, SDVariable b, long dim) {
    SDVariable avg = sd.constant(Nd4j.ones(p.dataType(), dim, 1).divi(dim)); // [D, 1]
    SDVariable row = sd.constant(Nd4j.ones(p.dataType(), 1, dim));           // [1, D]
    SDVariable mean = x.mmul(avg);                                           // [N, 1]
    SDVariable xc = x.sub(mean.mmul(row));                                   // [N, D]
    SDVariable var = xc.mul(xc).mmul(avg);                                   // [N, 1]
    SDVariable rstd = sd.math().rsqrt(var.add(ViTConfig.LAYER_NORM_EPS));    // [N, 1]
    SDVariable ones = sd.fill(mean.shape(), p.dataType(), 1.0);              // [N, 1]
    SDVariable scale = rstd.mmul(g.reshape(1, dim));                         // [N, D]: rstd_i * g_j
    return xc.mul(scale).add(ones.mmul(b.reshape(1, dim)));
  }
}
