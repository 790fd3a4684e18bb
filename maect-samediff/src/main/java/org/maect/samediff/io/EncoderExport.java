package org.maect.samediff.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.maect.core.config.ViTConfig;
import org.maect.core.io.weights.MaeWeightExport;
import org.maect.core.io.weights.StateDict;
import org.maect.core.io.weights.WeightFileException;
import org.maect.core.train.RunDirectory;
import org.maect.samediff.nnclr.EncoderCheckpoint;
import org.maect.samediff.train.Checkpoint;
import org.maect.samediff.vit.VitEncoder;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the ViT encoder of a maect checkpoint as safetensors in the timm/MAE key layout
 * ({@code cls_token, pos_embed, patch_embed.proj.*, blocks.i.*, norm.*}; float32), which PyTorch loads with
 * {@code load_state_dict(strict=True)} into a timm-style encoder.
 *
 * <p>The encoder tensors are taken from the checkpoint's weights, or from its state arrays under a prefix (e.g. an
 * EMA copy kept as state). {@code pos_embed} is the fixed sin-cos table (taken from the checkpoint when stored,
 * else computed).
 */
public final class EncoderExport {
  private static final Logger LOG = LoggerFactory.getLogger(EncoderExport.class);

  private EncoderExport() {}

  public record Result(Path file, Path checkpoint, ViTConfig encoder, int tensors, long parameters) {}

  /**
   * {@code source} may be a checkpoint file or a run directory: its {@code checkpoints/encoder.ckpt} (the EMA encoder
   * contrastive tuning keeps) if present, else {@code checkpoints/last.ckpt} (as {@link EncoderCheckpoint#resolve}).
   */
  public static Path resolveCheckpoint(Path source) throws IOException {
    try {
      return EncoderCheckpoint.resolve(source);
    } catch (IllegalArgumentException ex) {
      throw new WeightFileException(source, ex.getMessage(), ex);
    }
  }

  /** The encoder config of a checkpoint (from its config JSON, else its {@code maect.vit_config} metadata). */
  public static ViTConfig encoderConfig(Checkpoint c) {
    ViTConfig found = EncoderCheckpoint.findVit(c.config());
    if (found != null) return found;
    String meta = c.meta().get("maect.vit_config");
    if (meta == null) throw new IllegalArgumentException("checkpoint has no encoder config");
    try {
      return RunDirectory.JSON.readValue(meta, ViTConfig.class);
    } catch (IOException e) {
      throw new IllegalArgumentException("bad maect.vit_config metadata: " + e.getMessage(), e);
    }
  }

  /**
   * The encoder tensors of a checkpoint by timm name (float32 copies).
   *
   * @param statePrefix null to use the weights; else the prefix of state arrays holding the encoder
   */
  public static StateDict encoderTensors(Checkpoint c, ViTConfig enc, String statePrefix) throws WeightFileException {
    Map<String, INDArray> src = statePrefix == null ? c.weights() : c.state();
    String p = statePrefix == null ? "" : statePrefix;
    StateDict sd = new StateDict();
    StringBuilder missing = new StringBuilder();
    for (String n : PretrainedImport.encoderNames(enc)) {
      INDArray a = src.get(p + n);
      if (a == null && n.equals("pos_embed")) a = c.weights().getOrDefault(n, VitEncoder.posEmbed(enc, DataType.FLOAT));
      if (a == null) missing.append(' ').append(p).append(n);
      else sd.put(n, GraphWeights.toTensor(a));
    }
    if (missing.length() > 0) {
      throw new WeightFileException(
          "Checkpoint lacks encoder tensors" + (statePrefix == null ? "" : " (state prefix '" + statePrefix + "')") + ":" + missing);
    }
    return sd;
  }

  public static Result write(Path source, Path out, String statePrefix) throws IOException {
    Path ckptFile = resolveCheckpoint(source);
    Checkpoint c;
    try {
      c = Checkpoint.read(ckptFile);
    } catch (RuntimeException e) {
      throw new WeightFileException(ckptFile, "cannot read checkpoint: " + e.getMessage(), e);
    }
    ViTConfig enc = encoderConfig(c);
    StateDict sd = encoderTensors(c, enc, statePrefix);
    MaeWeightExport.write(
        out, sd, ModelConfigs.architecture(enc), false,
        Map.of("maect.source", ckptFile.toAbsolutePath().toString(), "maect.step", Long.toString(c.step()),
            "maect.vit_config", PretrainedImport.json(enc)));
    LOG.info("Exported {} encoder tensors ({} parameters) from {} to {}", sd.size(), sd.numel(), ckptFile, out);
    return new Result(out, ckptFile, enc, sd.size(), sd.numel());
  }
}
