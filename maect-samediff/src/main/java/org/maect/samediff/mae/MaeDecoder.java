package org.maect.samediff.mae;

import java.util.ArrayList;
import java.util.List;
import org.maect.core.config.MaeConfig;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.factory.Nd4j;
import org.maect.samediff.vit.LayerNorm;
import org.maect.samediff.vit.Linear;
import org.maect.samediff.vit.Params;
import org.maect.samediff.vit.SinCosPosEmbed;
import org.maect.samediff.vit.TransformerBlock;

/**
 * MAE decoder ({@code forward_decoder}): B batch, K kept, L patches, D encoder width, E decoder width,
 * P = p*p*C pixels per patch.
 *
 * <pre>
 *   latent [B, 1+K, D] -> decoder_embed -> [B, 1+K, E]
 *   un-shuffle: scatter(keep, visible) + removed * mask_token  -> [B, L, E] in original patch order
 *   concat CLS, + decoder_pos_embed (fixed sin-cos) -> decoder_blocks -> decoder_norm -> decoder_pred
 *   drop CLS -> pred [B, L, P]
 * </pre>
 * The un-shuffle equals MAE's {@code cat(x, mask_tokens)} + {@code gather(ids_restore)}.
 */
public final class MaeDecoder {
  private MaeDecoder() {}

  /**
   * @param latent encoder tokens {@code [B, 1+K, D]}
   * @param keep one-hot {@code [B, K, L]} used by the encoder
   * @return pred {@code [B, L, P]}
   */
  public static SDVariable build(Params p, MaeConfig cfg, SDVariable latent, SDVariable keep) {
    SameDiff sd = p.sd();
    int k = cfg.numKeep();
    int l = cfg.encoder().numPatches();
    int d = cfg.encoder().dim();
    int e = cfg.decoderDim();
    int pp = cfg.encoder().patchDim();
    SDVariable x = Linear.apply(p, "decoder_embed", latent.reshape(-1, d), d, e).reshape(-1, 1 + k, e);
    SDVariable cls = x.get(SDIndex.all(), SDIndex.interval(0, 1), SDIndex.all());     // [B, 1, E]
    SDVariable vis = x.get(SDIndex.all(), SDIndex.interval(1, 1 + k), SDIndex.all()); // [B, K, E]
    SDVariable maskToken = p.normal("mask_token", 0.02, 1, 1, e);
    SDVariable removed = PerSampleGather.removedColumn(keep);                          // [B*L, 1]
    SDVariable full = PerSampleGather.scatter(keep, vis)                               // [B, L, E]
        .add(removed.mmul(maskToken.reshape(1, e)).reshape(-1, l, e));
    x = sd.concat(1, cls, full);                                                       // [B, 1+L, E]
    double[][] table = SinCosPosEmbed.table(e, cfg.encoder().gridSize(), true);
    SDVariable pos = sd.constant(Nd4j.create(table).castTo(p.dataType()).reshape(1, 1 + l, e));
    x = x.add(pos).reshape(-1, e);                                                     // [B*(1+L), E]
    for (int i = 0; i < cfg.decoderDepth(); i++) {
      x = TransformerBlock.apply(
          p, "decoder_blocks." + i, x, 1 + l, e, cfg.decoderHeads(), cfg.decoderMlpHidden());
    }
    x = LayerNorm.apply(p, "decoder_norm", x, e);
    x = Linear.apply(p, "decoder_pred", x, e, pp).reshape(-1, 1 + l, pp);
    return x.get(SDIndex.all(), SDIndex.interval(1, 1 + l), SDIndex.all());           // [B, L, P]
  }

  /** Trainable decoder parameter names. */
  public static List<String> parameterNames(MaeConfig cfg) {
    List<String> n = new ArrayList<>(List.of("mask_token", "decoder_embed.weight", "decoder_embed.bias"));
    for (int i = 0; i < cfg.decoderDepth(); i++) {
      n.addAll(org.maect.samediff.vit.VitEncoder.blockParameterNames("decoder_blocks." + i));
    }
    n.addAll(List.of("decoder_norm.weight", "decoder_norm.bias", "decoder_pred.weight", "decoder_pred.bias"));
    return n;
  }
}
