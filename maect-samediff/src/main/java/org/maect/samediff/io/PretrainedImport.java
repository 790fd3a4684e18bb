package org.maect.samediff.io;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.maect.core.config.MaeConfig;
import org.maect.core.config.ViTConfig;
import org.maect.core.io.weights.MaeArchitecture;
import org.maect.core.io.weights.MaeWeightImport.ImportedMae;
import org.maect.core.io.weights.WeightFileException;
import org.maect.core.train.RunDirectory;
import org.maect.samediff.train.Checkpoint;
import org.maect.samediff.vit.SinCosPosEmbed;
import org.maect.samediff.vit.VitEncoder;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes an imported public MAE as a stage-1 (MAE pre-training) run directory, so later stages start from it:
 *
 * <pre>
 * DIR/run.json               stage "mae-pretrain" (as MaePretrainer), the config, "importedFrom" and "layout"
 * DIR/checkpoints/last.ckpt  {@link Checkpoint} at step 0: every tensor by its timm/MAE name (float32),
 *                            config = the {@link MaeConfig} (or {"encoder": ViTConfig} for an encoder-only file),
 *                            meta maect.vit_config / maect.mae_config (JSON), source, layout
 * </pre>
 *
 * The fixed sin-cos tables ({@code pos_embed}, {@code decoder_pos_embed}) are checked against ours (our graphs
 * compute them) and kept in the checkpoint as named tensors like the rest.
 */
public final class PretrainedImport {
  private static final Logger LOG = LoggerFactory.getLogger(PretrainedImport.class);

  /** The stage name MAE pre-training writes into run.json; an import stands in for that stage. */
  public static final String STAGE = "mae-pretrain";

  private PretrainedImport() {}

  /**
   * @param mae the full MAE config, or null for an encoder-only checkpoint
   * @param posEmbedDiff largest |stored - ours| over the fixed tables
   */
  public record Result(Path runDir, Path checkpoint, ViTConfig encoder, MaeConfig mae, int tensors, double posEmbedDiff) {}

  /** As {@link #write(ImportedMae, Path, boolean)} without overwriting. */
  public static Result write(ImportedMae m, Path outDir) throws WeightFileException {
    return write(m, outDir, false);
  }

  /** @param overwrite replace an existing {@code checkpoints/last.ckpt} in {@code outDir} (else that is an error) */
  public static Result write(ImportedMae m, Path outDir, boolean overwrite) throws WeightFileException {
    Path existing = outDir.resolve("checkpoints").resolve("last.ckpt");
    if (!overwrite && java.nio.file.Files.exists(existing)) {
      throw new WeightFileException(existing, "already exists; choose another --out or pass --force to replace it");
    }
    MaeArchitecture a = m.architecture();
    ViTConfig enc = ModelConfigs.encoder(a);
    MaeConfig mae = a.hasDecoder() ? ModelConfigs.mae(a) : null;
    double diff = GraphWeights.checkFixedTable("pos_embed", m.weights().get("pos_embed"), VitEncoder.posEmbed(enc, DataType.FLOAT));
    if (mae != null) {
      double[][] t = SinCosPosEmbed.table(mae.decoderDim(), enc.gridSize(), true);
      diff = Math.max(diff, GraphWeights.checkFixedTable(
          "decoder_pos_embed", m.weights().get("decoder_pos_embed"),
          Nd4j.create(t).castTo(DataType.FLOAT).reshape(1, t.length, mae.decoderDim())));
    }
    Object config = mae != null ? mae : Map.of("encoder", enc);
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("stage", STAGE);
    meta.put("importedFrom", m.file().toAbsolutePath().toString());
    meta.put("layout", m.layout().name());
    meta.put("maect.vit_config", json(enc));
    if (mae != null) meta.put("maect.mae_config", json(mae));
    Checkpoint ckpt =
        new Checkpoint(0, 0, 0L, config, meta, GraphWeights.toArrays(m.weights(), null, DataType.FLOAT), Map.of(), null);
    try (RunDirectory run = RunDirectory.open(outDir)) {
      run.writeRunJson(STAGE, 0L, config, Map.of("importedFrom", meta.get("importedFrom"), "layout", meta.get("layout")));
      ckpt.write(run.lastCheckpoint());
      LOG.info("Wrote {} ({} tensors; fixed tables match to {})", run.lastCheckpoint(), m.weights().size(), diff);
      return new Result(outDir, run.lastCheckpoint(), enc, mae, m.weights().size(), diff);
    }
  }

  static String json(Object o) {
    try {
      return RunDirectory.JSON.writeValueAsString(o);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Names of the encoder tensors in timm order, including the fixed {@code pos_embed}. */
  static List<String> encoderNames(ViTConfig enc) {
    List<String> n = new java.util.ArrayList<>(VitEncoder.parameterNames(enc));
    n.add(1, "pos_embed");
    return n;
  }
}
