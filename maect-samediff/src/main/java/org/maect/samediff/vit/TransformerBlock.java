package org.maect.samediff.vit;

import org.nd4j.autodiff.samediff.SDVariable;

/**
 * timm pre-norm transformer {@code Block}: {@code x + attn(norm1(x))}, then {@code x + mlp(norm2(x))}
 * with {@code mlp = fc2(GELU(fc1(.)))}; no dropout / drop-path (MAE pre-training uses none).
 * Parameters {@code prefix.norm1.*, prefix.attn.qkv.*, prefix.attn.proj.*, prefix.norm2.*,
 * prefix.mlp.fc1.*, prefix.mlp.fc2.*} (prefix e.g. {@code blocks.3} or {@code decoder_blocks.0}).
 */
public final class TransformerBlock {
  private TransformerBlock() {}

  /**
   * @param x {@code [B*S, D]}
   * @return {@code [B*S, D]}
   */
  public static SDVariable apply(
      Params p, String prefix, SDVariable x, int seqLen, int dim, int heads, int mlpHidden) {
    SDVariable h = LayerNorm.apply(p, prefix + ".norm1", x, dim);
    x = x.add(Attention.apply(p, prefix + ".attn", h, seqLen, dim, heads));
    SDVariable m = LayerNorm.apply(p, prefix + ".norm2", x, dim);
    m = Gelu.apply(prefix + ".mlp.act", Linear.apply(p, prefix + ".mlp.fc1", m, dim, mlpHidden));
    m = Linear.apply(p, prefix + ".mlp.fc2", m, mlpHidden, dim);
    return x.add(m);
  }
}
