package org.maect.samediff.vit;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.maect.core.config.ViTConfig;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The MAE Vision Transformer encoder as a SameDiff graph ({@code forward_encoder} of facebookresearch/mae).
 *
 * <p>Shape legend: B batch, C channels, H = W image side, p patch side, L = (H/p)^2 patches, K kept
 * patches, T tokens the encoder sees (K when masked, L otherwise), D width.
 *
 * <pre>
 *   images [B, C, H, W] -> patches [B, L, C*p*p]            (conv weight order c, i, j)
 *   masked:   keep [B, K, L] (one-hot rows, in MAE's ids_keep order) @ patches -> [B, K, C*p*p]
 *   x = patches @ W_pe^T + b_pe + pos_embed[1:] (gathered the same way)   -> [B*T, D]
 *   x = concat(cls_token + pos_embed[0], x) -> [B, 1+T, D] -> blocks -> norm
 * </pre>
 * Gathering the raw patches before the (linear, per-patch) patch embedding equals MAE's gather after it
 * and needs no gradient through the gather: the images and the one-hot matrix are inputs.
 *
 * <p>Parameters are named by timm keys ({@code patch_embed.proj.weight [D, C, p, p]}, {@code cls_token},
 * {@code blocks.i.*}, {@code norm.*}); {@code pos_embed} is the fixed sin-cos table, a constant. Building
 * a second encoder in the same {@link SameDiff} re-uses the existing variables (shared weights); pass a
 * distinct {@code scope} so the named outputs do not clash. The graph has no dropout, so training and
 * inference differ only in whether gradients are requested; {@link #freezeBlocks} turns parameters into
 * constants (no gradient, no update).
 */
public final class VitEncoder {
  private final ViTConfig cfg;
  private final SDVariable tokens;
  private final int seqLen;

  private VitEncoder(ViTConfig cfg, SDVariable tokens, int seqLen) {
    this.cfg = cfg;
    this.tokens = tokens;
    this.seqLen = seqLen;
  }

  /**
   * Builds the encoder.
   *
   * @param p parameter factory (graph, data type, init seed)
   * @param cfg encoder configuration
   * @param images {@code [B, C, H, W]} input (normally a placeholder)
   * @param keep {@code [B, K, L]} one-hot rows selecting the visible patches (see
   *     {@code org.maect.samediff.mae.RandomMasking}), or {@code null} for the full image
   * @param scope prefix of the output name ({@code scope + "tokens"}), e.g. {@code ""} or {@code "view1/"}
   */
  public static VitEncoder build(
      Params p, ViTConfig cfg, SDVariable images, SDVariable keep, String scope) {
    Embedded e = embed(p, cfg, images, keep);
    SDVariable x = blocks(p, cfg, e.x(), e.seqLen(), 0, cfg.depth());
    return top(p, cfg, x, e.seqLen(), cfg.depth(), scope);
  }

  /**
   * Token rows after the patch embedding (+ pos embed, masking) and CLS: {@code x: [B*(1+T), D]}, sample-major,
   * token 0 of each sample is CLS.
   */
  public record Embedded(SDVariable x, int seqLen) {}

  /** The embedding part of {@link #build}: patches (gathered by {@code keep} if given), pos embed, CLS. */
  public static Embedded embed(Params p, ViTConfig cfg, SDVariable images, SDVariable keep) {
    SameDiff sd = p.sd();
    int c = cfg.inChannels();
    int g = cfg.gridSize();
    int ps = cfg.patchSize();
    int l = cfg.numPatches();
    int d = cfg.dim();
    int cpp = c * ps * ps;
    // (B, C, H, W) -> (B, C, g, p, g, p) -> (B, g, g, C, p, p) -> (B, L, C*p*p)
    SDVariable patches = images.reshape(-1, c, g, ps, g, ps).permute(0, 2, 4, 1, 3, 5).reshape(-1, l, cpp);
    double[][] table = SinCosPosEmbed.table(d, g, true);
    double[][] patchRows = java.util.Arrays.copyOfRange(table, 1, table.length);
    SDVariable pos = sd.constant(Nd4j.create(patchRows).castTo(p.dataType()));       // [L, D]
    SDVariable w = p.xavier("patch_embed.proj.weight", d, c, ps, ps).reshape(d, cpp); // [D, C*p*p]
    SDVariable b = p.zeros("patch_embed.proj.bias", d);
    SDVariable x;
    int t;
    if (keep != null) {
      t = Math.toIntExact(keep.getShape() != null && keep.getShape().length == 3 ? keep.getShape()[1] : -1);
      if (t <= 0) throw new IllegalArgumentException("keep must have a static shape [B, K, L]");
      SDVariable vis = sd.mmul(keep, patches).reshape(-1, cpp);        // (B, K, L) @ (B, L, Cpp) -> (B*K, Cpp)
      SDVariable posVis = keep.reshape(-1, l).mmul(pos);              // (B*K, L) @ (L, D) -> (B*K, D)
      x = sd.nn().linear(vis, w.permute(1, 0), b).add(posVis);       // (B*K, D)
    } else {
      t = l;
      x = sd.nn().linear(patches.reshape(-1, cpp), w.permute(1, 0), b) // (B*L, D)
          .reshape(-1, l, d).add(pos.reshape(1, l, d)).reshape(-1, d);
    }
    // CLS token; pos_embed[0] is the all-zero row of the table, so cls_token + pos_embed[0] = cls_token.
    SDVariable cls = p.normal("cls_token", 0.02, 1, 1, d);
    SDVariable onesB = sd.fill(images.sum(true, 1, 2, 3).reshape(-1, 1).shape(), p.dataType(), 1.0); // [B, 1]
    SDVariable clsRows = onesB.mmul(cls.reshape(1, d)).reshape(-1, 1, d);          // [B, 1, D]
    x = sd.concat(1, clsRows, x.reshape(-1, t, d)).reshape(-1, d);                // [B*(1+T), D]
    return new Embedded(x, 1 + t);
  }

  /** Blocks {@code from..to-1} on token rows {@code x: [B*S, D]} ({@code S = seqLen}) -> {@code [B*S, D]}. */
  public static SDVariable blocks(Params p, ViTConfig cfg, SDVariable x, int seqLen, int from, int to) {
    if (from < 0 || from > to || to > cfg.depth()) {
      throw new IllegalArgumentException("blocks " + from + ".." + (to - 1) + " of " + cfg.depth());
    }
    for (int i = from; i < to; i++) {
      x = TransformerBlock.apply(p, "blocks." + i, x, seqLen, cfg.dim(), cfg.heads(), cfg.mlpHidden());
    }
    return x;
  }

  /**
   * The encoder's upper part on the token rows {@code x: [B*S, D]} that blocks {@code 0..from-1} produced (a
   * placeholder when the lower part runs in another graph): blocks {@code from..depth-1}, final norm, output
   * {@code scope + "tokens"} {@code [B, S, D]}. {@code from = 0} on {@link #embed}'s rows is {@link #build}.
   */
  public static VitEncoder top(Params p, ViTConfig cfg, SDVariable x, int seqLen, int from, String scope) {
    int d = cfg.dim();
    x = blocks(p, cfg, x, seqLen, from, cfg.depth());
    x = LayerNorm.apply(p, "norm", x, d);
    SDVariable tokens = p.sd().identity(scope + "tokens", x.reshape(-1, seqLen, d));
    return new VitEncoder(cfg, tokens, seqLen);
  }

  /** Encoder output after the final norm, {@code [B, 1+T, D]} (token 0 is CLS). */
  public SDVariable tokens() {
    return tokens;
  }

  /** Tokens per sample including CLS, 1 + T. */
  public int seqLen() {
    return seqLen;
  }

  public ViTConfig config() {
    return cfg;
  }

  /** One feature vector per image, {@code [B, D]}. */
  public SDVariable pooled(Pooling pooling) {
    return switch (pooling) {
      case CLS -> tokens.get(SDIndex.all(), SDIndex.point(0), SDIndex.all());
      case MEAN_PATCH -> tokens.get(SDIndex.all(), SDIndex.interval(1, seqLen), SDIndex.all()).mean(1);
    };
  }

  /** The fixed {@code pos_embed} table {@code [1, 1+L, D]} (for export; it is not a trainable variable). */
  public static INDArray posEmbed(ViTConfig cfg, DataType type) {
    double[][] t = SinCosPosEmbed.table(cfg.dim(), cfg.gridSize(), true);
    return Nd4j.create(t).castTo(type).reshape(1, t.length, cfg.dim());
  }

  /** Names of the trainable parameters of a block, {@code blocks.i.*}. */
  public static List<String> blockParameterNames(String prefix) {
    List<String> n = new ArrayList<>();
    for (String m : List.of("norm1", "attn.qkv", "attn.proj", "norm2", "mlp.fc1", "mlp.fc2")) {
      n.add(prefix + "." + m + ".weight");
      n.add(prefix + "." + m + ".bias");
    }
    return n;
  }

  /** All trainable encoder parameter names in timm order. */
  public static List<String> parameterNames(ViTConfig cfg) {
    List<String> n = new ArrayList<>(List.of("cls_token", "patch_embed.proj.weight", "patch_embed.proj.bias"));
    for (int i = 0; i < cfg.depth(); i++) n.addAll(blockParameterNames("blocks." + i));
    n.add("norm.weight");
    n.add("norm.bias");
    return n;
  }

  /**
   * Freezes (converts to constants) the patch embedding, CLS token and blocks {@code 0..n-1}, as the
   * contrastive-tuning stage does for the lower half of the encoder. {@code n = 0} freezes nothing.
   *
   * @return the names frozen
   */
  public static List<String> freezeBlocks(SameDiff sd, ViTConfig cfg, int n) {
    if (n < 0 || n > cfg.depth()) {
      throw new IllegalArgumentException("Cannot freeze " + n + " of " + cfg.depth() + " blocks");
    }
    List<String> names = lowerParameterNames(cfg, n);
    freeze(sd, names::contains);
    return names;
  }

  /**
   * Parameter names of the encoder's lower part: patch embedding and CLS token (if {@code n > 0}) and blocks
   * {@code 0..n-1}, in timm order (what {@link #freezeBlocks} freezes).
   */
  public static List<String> lowerParameterNames(ViTConfig cfg, int n) {
    if (n < 0 || n > cfg.depth()) {
      throw new IllegalArgumentException("Lower part of " + n + " blocks of " + cfg.depth());
    }
    List<String> names = new ArrayList<>();
    if (n > 0) names.addAll(List.of("cls_token", "patch_embed.proj.weight", "patch_embed.proj.bias"));
    for (int i = 0; i < n; i++) names.addAll(blockParameterNames("blocks." + i));
    return names;
  }

  /** Converts every trainable variable whose name matches to a constant. */
  public static void freeze(SameDiff sd, Predicate<String> names) {
    for (SDVariable v : new ArrayList<>(sd.variables())) {
      if (v.getVariableType() == org.nd4j.autodiff.samediff.VariableType.VARIABLE && names.test(v.name())) {
        sd.convertToConstant(v);
      }
    }
  }
}
