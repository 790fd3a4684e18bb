package org.maect.core.io.weights;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps checkpoint keys to the timm/facebookresearch-MAE names our graphs use, and checks them against the
 * architecture inferred from the tensors.
 *
 * <h2>Hugging Face {@code ViTMAEForPreTraining} -> timm</h2>
 *
 * <pre>
 * vit.embeddings.cls_token                                  cls_token                 [1, 1, D]
 * vit.embeddings.position_embeddings                        pos_embed                 [1, 1+L, D]
 * vit.embeddings.patch_embeddings.projection.{w,b}          patch_embed.proj.{w,b}    [D, C, p, p]
 * vit.encoder.layer.i.layernorm_before.{w,b}                blocks.i.norm1.{w,b}
 * vit.encoder.layer.i.attention.attention.{query,key,value} blocks.i.attn.qkv         packed [q; k; v] -> [3D, D]
 * vit.encoder.layer.i.attention.output.dense                blocks.i.attn.proj
 * vit.encoder.layer.i.layernorm_after                       blocks.i.norm2
 * vit.encoder.layer.i.intermediate.dense                    blocks.i.mlp.fc1
 * vit.encoder.layer.i.output.dense                          blocks.i.mlp.fc2
 * vit.layernorm                                             norm
 * decoder.mask_token / decoder.decoder_pos_embed            mask_token / decoder_pos_embed
 * decoder.decoder_embed / decoder_norm / decoder_pred       decoder_embed / decoder_norm / decoder_pred
 * decoder.decoder_layers.i.*                                decoder_blocks.i.*   (same block mapping)
 * </pre>
 *
 * ({@code ViTMAEModel} files have no {@code vit.} prefix and no decoder; both are accepted.)
 *
 * <p>Differences, handled explicitly:
 *
 * <ul>
 *   <li><b>qkv packing</b>: HF keeps separate query/key/value Linears; timm one {@code qkv} Linear whose output rows
 *       are {@code [q; k; v]}, each in (head, head_dim) order. HF splits heads the same way, so packing is a
 *       concatenation along rows.
 *   <li><b>LayerNorm eps</b>: HF {@code layer_norm_eps} defaults to 1e-12, timm/MAE use 1e-6. The source value is
 *       recorded in {@link MaeArchitecture#layerNormEps()}; the graph may use its own (the difference moves outputs
 *       by ~1e-6 relative for unit-variance activations, measured in the golden test).
 *   <li><b>GELU</b>: HF {@code hidden_act="gelu"} and timm {@code nn.GELU()} are both the exact erf form; other
 *       {@code hidden_act} values are rejected.
 *   <li><b>Positional embedding</b>: both store the fixed 2-D sin-cos table (CLS row = 0) as a parameter
 *       ({@code requires_grad=False}); HF as {@code vit.embeddings.position_embeddings}. It is imported as a tensor
 *       like any other; callers may compare it with their own table.
 *   <li><b>CLS</b>: both prepend one CLS token, {@code pos_embed} has {@code 1 + L} rows. A checkpoint without CLS
 *       is rejected.
 * </ul>
 */
public final class MaeKeyMapping {

  /** Where a state dict came from. */
  public enum Layout {
    /** facebookresearch/mae {@code .pth} / timm names (also what we export). */
    TIMM_MAE,
    /** Hugging Face {@code ViTMAEForPreTraining} / {@code ViTMAEModel}. */
    HF_VIT_MAE
  }

  private static final Pattern HF_LAYER =
      Pattern.compile("(encoder\\.layer|decoder\\.decoder_layers)\\.(\\d+)\\.(.+)");
  private static final Pattern BLOCK = Pattern.compile("(blocks|decoder_blocks)\\.(\\d+)\\..+");

  /** Standard head counts by width (ViT-Ti/S/B/L/H); MAE decoders of width 512 use 16. */
  private static final Map<Integer, Integer> ENCODER_HEADS = Map.of(192, 3, 384, 6, 768, 12, 1024, 16, 1280, 16);

  private static final Map<Integer, Integer> DECODER_HEADS = Map.of(512, 16);

  private MaeKeyMapping() {}

  /** Detects the layout from key names. */
  public static Layout detect(StateDict sd) {
    for (String k : sd.names()) {
      if (k.startsWith("vit.embeddings.") || k.startsWith("embeddings.") || k.contains(".attention.attention.")) {
        return Layout.HF_VIT_MAE;
      }
    }
    return Layout.TIMM_MAE;
  }

  /** Renames HF keys to timm and packs q/k/v; every key must be known, else an exception names it. */
  public static StateDict hfToTimm(StateDict hf) throws WeightFileException {
    boolean prefixed = hf.names().stream().anyMatch(k -> k.startsWith("vit."));
    StateDict out = new StateDict();
    Map<String, Tensor[]> qkv = new LinkedHashMap<>(); // timm qkv name -> [q, k, v]
    List<String> unknown = new ArrayList<>();
    for (Map.Entry<String, Tensor> e : hf.tensors().entrySet()) {
      String k = e.getKey();
      if (prefixed && k.startsWith("vit.")) k = k.substring(4);
      else if (prefixed && !k.startsWith("decoder.")) {
        unknown.add(e.getKey());
        continue;
      }
      String t = renameHf(k, e.getValue(), qkv);
      if (t == null) unknown.add(e.getKey());
      else if (!t.isEmpty()) put(out, t, e.getValue(), e.getKey());
    }
    if (!unknown.isEmpty()) {
      throw new WeightFileException("Unexpected tensors for a Hugging Face ViT-MAE checkpoint: " + unknown);
    }
    for (Map.Entry<String, Tensor[]> q : qkv.entrySet()) {
      out.put(q.getKey(), pack(q.getKey(), q.getValue()));
    }
    return out;
  }

  /** Returns the timm name, "" if the tensor went into a qkv group, or null if unknown. */
  private static String renameHf(String k, Tensor t, Map<String, Tensor[]> qkv) {
    switch (k) {
      case "embeddings.cls_token":
        return "cls_token";
      case "embeddings.position_embeddings":
        return "pos_embed";
      case "embeddings.patch_embeddings.projection.weight":
        return "patch_embed.proj.weight";
      case "embeddings.patch_embeddings.projection.bias":
        return "patch_embed.proj.bias";
      case "layernorm.weight":
        return "norm.weight";
      case "layernorm.bias":
        return "norm.bias";
      case "decoder.mask_token":
        return "mask_token";
      case "decoder.decoder_pos_embed":
        return "decoder_pos_embed";
      default:
        break;
    }
    for (String p : new String[] {"decoder_embed.", "decoder_norm.", "decoder_pred."}) {
      if (k.startsWith("decoder." + p) && (k.endsWith(".weight") || k.endsWith(".bias"))
          && k.indexOf('.', ("decoder." + p).length()) < 0) {
        return k.substring("decoder.".length());
      }
    }
    Matcher m = HF_LAYER.matcher(k);
    if (!m.matches()) return null;
    String block = (m.group(1).startsWith("decoder") ? "decoder_blocks." : "blocks.") + m.group(2) + ".";
    String rest = m.group(3);
    int dot = rest.lastIndexOf('.');
    if (dot < 0) return null;
    String module = rest.substring(0, dot);
    String param = rest.substring(dot + 1);
    if (!param.equals("weight") && !param.equals("bias")) return null;
    String timm =
        switch (module) {
          case "layernorm_before" -> "norm1";
          case "layernorm_after" -> "norm2";
          case "attention.output.dense" -> "attn.proj";
          case "intermediate.dense" -> "mlp.fc1";
          case "output.dense" -> "mlp.fc2";
          case "attention.attention.query", "attention.attention.key", "attention.attention.value" -> "qkv";
          default -> null;
        };
    if (timm == null) return null;
    if (timm.equals("qkv")) {
      int slot = module.endsWith("query") ? 0 : module.endsWith("key") ? 1 : 2;
      qkv.computeIfAbsent(block + "attn.qkv." + param, x -> new Tensor[3])[slot] = t;
      return "";
    }
    return block + timm + "." + param;
  }

  private static Tensor pack(String name, Tensor[] qkv) throws WeightFileException {
    String[] parts = {"query", "key", "value"};
    for (int i = 0; i < 3; i++) {
      if (qkv[i] == null) throw new WeightFileException("Missing attention " + parts[i] + " tensor for " + name);
    }
    int[] s = qkv[0].shape();
    for (int i = 1; i < 3; i++) {
      if (!Arrays.equals(s, qkv[i].shape())) {
        throw new WeightFileException(
            "Attention query/key/value shapes differ for " + name + ": " + qkv[0].shapeString() + " vs " + qkv[i].shapeString());
      }
    }
    int[] packed = s.clone();
    packed[0] = 3 * s[0];
    float[] d = new float[3 * qkv[0].numel()];
    for (int i = 0; i < 3; i++) System.arraycopy(qkv[i].data(), 0, d, i * qkv[0].numel(), qkv[0].numel());
    return new Tensor(packed, d);
  }

  private static void put(StateDict out, String name, Tensor t, String source) throws WeightFileException {
    if (out.contains(name)) throw new WeightFileException("Two tensors map to '" + name + "' (second: '" + source + "')");
    out.put(name, t);
  }

  // ---- architecture inference and validation --------------------------------------------------------------

  /**
   * Infers the architecture from timm-named tensors. Head counts come from {@code hfConfig}
   * ({@code num_attention_heads}, {@code decoder_num_attention_heads}) or {@code maectMeta} if given, else the
   * standard table (width 192/384/768/1024/1280 -> 3/6/12/16/16 heads; MAE decoder width 512 -> 16); any other
   * width needs an explicit head count ({@code headsOverride}/{@code decoderHeadsOverride}, 0 = not given).
   */
  public static MaeArchitecture infer(
      StateDict sd, Layout layout, JsonNode hfConfig, int headsOverride, int decoderHeadsOverride) throws WeightFileException {
    Tensor pe = need(sd, "patch_embed.proj.weight");
    if (pe.rank() != 4 || pe.shape()[2] != pe.shape()[3]) {
      throw new WeightFileException("patch_embed.proj.weight has shape " + pe.shapeString() + ", expected [D, C, p, p]");
    }
    int dim = pe.shape()[0];
    int channels = pe.shape()[1];
    int patch = pe.shape()[2];
    need(sd, "cls_token");
    Tensor pos = need(sd, "pos_embed");
    if (pos.rank() != 3 || pos.shape()[0] != 1 || pos.shape()[2] != dim) {
      throw new WeightFileException("pos_embed has shape " + pos.shapeString() + ", expected [1, 1+L, " + dim + "]");
    }
    int l = pos.shape()[1] - 1;
    int grid = (int) Math.round(Math.sqrt(l));
    if (l <= 0 || grid * grid != l) {
      throw new WeightFileException("pos_embed has " + pos.shape()[1] + " rows: not 1 (CLS) + a square number of patches");
    }
    int depth = countBlocks(sd, "blocks");
    if (depth == 0) throw new WeightFileException("No encoder blocks (blocks.0.*) found");
    int mlp = need(sd, "blocks.0.mlp.fc1.weight").shape()[0];
    int decDepth = countBlocks(sd, "decoder_blocks");
    int decDim = 0;
    int decMlp = 0;
    if (sd.contains("decoder_embed.weight") || decDepth > 0) {
      decDim = need(sd, "decoder_embed.weight").shape()[0];
      if (decDepth == 0) throw new WeightFileException("decoder_embed is present but no decoder_blocks.0.*");
      decMlp = need(sd, "decoder_blocks.0.mlp.fc1.weight").shape()[0];
    }
    double eps = layout == Layout.HF_VIT_MAE ? 1e-12 : 1e-6;
    Boolean normPix = null;
    int heads = headsOverride;
    int decHeads = decoderHeadsOverride;
    if (hfConfig != null) {
      if (heads == 0 && hfConfig.has("num_attention_heads")) heads = hfConfig.get("num_attention_heads").asInt();
      if (decHeads == 0 && hfConfig.has("decoder_num_attention_heads")) decHeads = hfConfig.get("decoder_num_attention_heads").asInt();
      if (hfConfig.has("layer_norm_eps")) eps = hfConfig.get("layer_norm_eps").asDouble();
      if (hfConfig.has("norm_pix_loss")) normPix = hfConfig.get("norm_pix_loss").asBoolean();
      if (hfConfig.has("hidden_act") && !hfConfig.get("hidden_act").asText().equals("gelu")) {
        throw new WeightFileException(
            "hidden_act '" + hfConfig.get("hidden_act").asText() + "' is not supported (only the exact erf GELU, \"gelu\")");
      }
      if (hfConfig.has("qkv_bias") && !hfConfig.get("qkv_bias").asBoolean()) {
        throw new WeightFileException("qkv_bias=false is not supported");
      }
    }
    if (heads == 0) heads = ENCODER_HEADS.getOrDefault(dim, 0);
    if (heads == 0) {
      throw new WeightFileException(
          "Cannot infer the number of attention heads for width " + dim + " (no config); give it explicitly (--heads)");
    }
    if (decDepth > 0 && decHeads == 0) decHeads = DECODER_HEADS.getOrDefault(decDim, 0);
    if (decDepth > 0 && decHeads == 0) {
      throw new WeightFileException(
          "Cannot infer the number of decoder heads for decoder width " + decDim + " (no config); give it explicitly (--decoder-heads)");
    }
    if (hfConfig != null) {
      checkConfig(hfConfig, "hidden_size", dim);
      checkConfig(hfConfig, "num_hidden_layers", depth);
      checkConfig(hfConfig, "intermediate_size", mlp);
      checkConfig(hfConfig, "patch_size", patch);
      checkConfig(hfConfig, "image_size", grid * patch);
      checkConfig(hfConfig, "num_channels", channels);
      if (decDepth > 0) {
        checkConfig(hfConfig, "decoder_hidden_size", decDim);
        checkConfig(hfConfig, "decoder_num_hidden_layers", decDepth);
        checkConfig(hfConfig, "decoder_intermediate_size", decMlp);
      }
    }
    try {
      return new MaeArchitecture(grid * patch, patch, channels, dim, depth, heads, mlp, decDim, decDepth, decHeads, decMlp, eps, normPix);
    } catch (IllegalArgumentException ex) {
      throw new WeightFileException("Inconsistent architecture: " + ex.getMessage());
    }
  }

  /** A config.json value that disagrees with the tensors means the config belongs to another model. */
  private static void checkConfig(JsonNode cfg, String key, int fromTensors) throws WeightFileException {
    JsonNode v = cfg.get(key);
    if (v != null && v.isNumber() && v.asInt() != fromTensors) {
      throw new WeightFileException(
          "config.json says " + key + " = " + v.asInt() + " but the tensors say " + fromTensors + " (config of another model?)");
    }
  }

  private static int countBlocks(StateDict sd, String prefix) {
    TreeSet<Integer> idx = new TreeSet<>();
    for (String k : sd.names()) {
      Matcher m = BLOCK.matcher(k);
      if (m.matches() && m.group(1).equals(prefix)) idx.add(Integer.parseInt(m.group(2)));
    }
    // blocks must be numbered 0..n-1; a gap shows up as "missing" in validate()
    return idx.isEmpty() ? 0 : idx.last() + 1;
  }

  private static Tensor need(StateDict sd, String name) throws WeightFileException {
    if (!sd.contains(name)) throw new WeightFileException("Missing tensor '" + name + "'");
    return sd.get(name);
  }

  /** Every timm/MAE tensor name of {@code a} with its PyTorch shape, in state-dict order. */
  public static Map<String, int[]> expectedShapes(MaeArchitecture a) {
    Map<String, int[]> m = new LinkedHashMap<>();
    int d = a.dim();
    m.put("cls_token", new int[] {1, 1, d});
    m.put("pos_embed", new int[] {1, 1 + a.numPatches(), d});
    m.put("patch_embed.proj.weight", new int[] {d, a.channels(), a.patchSize(), a.patchSize()});
    m.put("patch_embed.proj.bias", new int[] {d});
    for (int i = 0; i < a.depth(); i++) blockShapes(m, "blocks." + i + ".", d, a.mlpHidden());
    m.put("norm.weight", new int[] {d});
    m.put("norm.bias", new int[] {d});
    if (a.hasDecoder()) {
      int e = a.decoderDim();
      m.put("mask_token", new int[] {1, 1, e});
      m.put("decoder_pos_embed", new int[] {1, 1 + a.numPatches(), e});
      m.put("decoder_embed.weight", new int[] {e, d});
      m.put("decoder_embed.bias", new int[] {e});
      for (int i = 0; i < a.decoderDepth(); i++) blockShapes(m, "decoder_blocks." + i + ".", e, a.decoderMlpHidden());
      m.put("decoder_norm.weight", new int[] {e});
      m.put("decoder_norm.bias", new int[] {e});
      int out = a.patchSize() * a.patchSize() * a.channels();
      m.put("decoder_pred.weight", new int[] {out, e});
      m.put("decoder_pred.bias", new int[] {out});
    }
    return m;
  }

  private static void blockShapes(Map<String, int[]> m, String p, int d, int h) {
    m.put(p + "norm1.weight", new int[] {d});
    m.put(p + "norm1.bias", new int[] {d});
    m.put(p + "attn.qkv.weight", new int[] {3 * d, d});
    m.put(p + "attn.qkv.bias", new int[] {3 * d});
    m.put(p + "attn.proj.weight", new int[] {d, d});
    m.put(p + "attn.proj.bias", new int[] {d});
    m.put(p + "norm2.weight", new int[] {d});
    m.put(p + "norm2.bias", new int[] {d});
    m.put(p + "mlp.fc1.weight", new int[] {h, d});
    m.put(p + "mlp.fc1.bias", new int[] {h});
    m.put(p + "mlp.fc2.weight", new int[] {d, h});
    m.put(p + "mlp.fc2.bias", new int[] {d});
  }

  /**
   * Checks {@code sd} holds exactly the tensors of {@code a} with the right shapes; the exception lists every
   * missing, extra and mis-shaped tensor by name. Returns the tensors in canonical order.
   */
  public static StateDict validate(StateDict sd, MaeArchitecture a) throws WeightFileException {
    Map<String, int[]> want = expectedShapes(a);
    List<String> missing = new ArrayList<>();
    List<String> wrong = new ArrayList<>();
    StateDict out = new StateDict();
    for (Map.Entry<String, int[]> w : want.entrySet()) {
      if (!sd.contains(w.getKey())) {
        missing.add(w.getKey());
        continue;
      }
      Tensor t = sd.get(w.getKey());
      if (!Arrays.equals(t.shape(), w.getValue())) {
        wrong.add(w.getKey() + " " + t.shapeString() + " (expected " + Arrays.toString(w.getValue()) + ")");
      }
      out.put(w.getKey(), t);
    }
    List<String> extra = new ArrayList<>();
    for (String k : sd.names()) if (!want.containsKey(k)) extra.add(k);
    if (!missing.isEmpty() || !extra.isEmpty() || !wrong.isEmpty()) {
      StringBuilder sb = new StringBuilder("Checkpoint does not match the inferred architecture " + a + ":");
      if (!missing.isEmpty()) sb.append("\n  missing: ").append(missing);
      if (!extra.isEmpty()) sb.append("\n  unexpected: ").append(extra);
      if (!wrong.isEmpty()) sb.append("\n  wrong shape: ").append(wrong);
      throw new WeightFileException(sb.toString());
    }
    out.metadata().putAll(sd.metadata());
    return out;
  }
}
