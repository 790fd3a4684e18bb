package org.maect.samediff.vit;

import org.maect.samediff.train.FusionScopes;
import org.nd4j.autodiff.samediff.NameScope;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * timm multi-head self-attention with a packed {@code qkv} Linear ({@code [3D, D]}) and an output
 * {@code proj}. Shapes: B batch, S tokens, D width, H heads, d = D / H.
 */
public final class Attention {
  private Attention() {}

  /**
   * @param x {@code [B*S, D]}
   * @return {@code [B*S, D]}
   */
  public static SDVariable apply(Params p, String prefix, SDVariable x, int seqLen, int dim, int heads) {
    SameDiff sd = p.sd();
    int hd = dim / heads;
    SDVariable qkv = Linear.apply(p, prefix + ".qkv", x, dim, 3L * dim); // [B*S, 3D]
    String scope = prefix + FusionScopes.attention(heads, seqLen); // execution plans run the core fused
    SDVariable merged;
    try (NameScope ns = sd.withNameScope(scope)) {
      // (B*S, 3D) -> (B, S, 3, H, d) -> (3, B, H, S, d)
      SDVariable t = qkv.reshape(-1, seqLen, 3, heads, hd).permute(2, 0, 3, 1, 4);
      SDVariable[] u = sd.unstack(t, 0, 3);
      SDVariable q = u[0].mul(1.0 / Math.sqrt(hd)); // scale q (fewer elements than the S x S scores)
      SDVariable k = u[1];
      SDVariable v = u[2];
      SDVariable scores = sd.mmul(q, k, false, true, false);   // (B, H, S, S)
      SDVariable attn = sd.nn().softmax(scores, -1);
      SDVariable ctx = sd.mmul(attn, v);                       // (B, H, S, d)
      merged = ctx.permute(0, 2, 1, 3).reshape(-1, dim)        // (B, H, S, d) -> (B*S, D)
          .rename(scope + "/" + FusionScopes.OUTPUT);
    }
    return Linear.apply(p, prefix + ".proj", merged, dim, dim);
  }
}
