package org.maect.samediff.nnclr;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.maect.core.config.NnclrHeadConfig;
import org.maect.core.config.ViTConfig;
import org.maect.core.train.RunDirectory;
import org.maect.samediff.train.Checkpoint;
import org.maect.samediff.vit.VitEncoder;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The encoder of a run: its {@link ViTConfig} and weights by timm key, read from a stage-1, -2 or -3 run
 * directory (or a checkpoint file).
 *
 * <p>A directory resolves to {@code checkpoints/encoder.ckpt} (the encoder EMA that contrastive tuning keeps)
 * if present, else {@code checkpoints/last.ckpt}. The ViT configuration is found in the checkpoint's config JSON
 * as the first object with {@code imageSize}, {@code patchSize}, {@code dim}, {@code depth} and {@code heads}.
 *
 * @param vit encoder configuration
 * @param weights encoder arrays by timm key ({@link VitEncoder#parameterNames})
 * @param checkpoint the checkpoint they came from (other weights, state, config)
 * @param file the checkpoint file
 */
public record EncoderCheckpoint(ViTConfig vit, Map<String, INDArray> weights, Checkpoint checkpoint, Path file) {

  /** File name of the final (EMA) encoder written by contrastive tuning. */
  public static final String ENCODER_FILE = "encoder.ckpt";

  /** The checkpoint file a run directory (or file) stands for. */
  public static Path resolve(Path dirOrFile) {
    if (Files.isRegularFile(dirOrFile)) return dirOrFile;
    if (!Files.isDirectory(dirOrFile)) {
      throw new IllegalArgumentException("No run directory or checkpoint at " + dirOrFile);
    }
    Path enc = dirOrFile.resolve("checkpoints").resolve(ENCODER_FILE);
    if (Files.isRegularFile(enc)) return enc;
    Path last = dirOrFile.resolve("checkpoints").resolve("last.ckpt");
    if (Files.isRegularFile(last)) return last;
    throw new IllegalArgumentException(
        "Run directory " + dirOrFile + " has no checkpoints/" + ENCODER_FILE + " or checkpoints/last.ckpt");
  }

  /** Reads the encoder of a run directory or checkpoint file. */
  public static EncoderCheckpoint load(Path dirOrFile) {
    Path file = resolve(dirOrFile);
    Checkpoint c = Checkpoint.read(file);
    ViTConfig vit = findVit(c.config());
    if (vit == null) {
      throw new IllegalArgumentException("Checkpoint " + file + ": no ViT configuration in its config JSON");
    }
    Map<String, INDArray> w = new LinkedHashMap<>();
    for (String n : VitEncoder.parameterNames(vit)) {
      INDArray a = c.weights().get(n);
      if (a == null) throw new IllegalArgumentException("Checkpoint " + file + " lacks encoder weight '" + n + "'");
      w.put(n, a);
    }
    return new EncoderCheckpoint(vit, w, c, file);
  }

  /** The first object in {@code node} (depth-first) that reads as a {@link ViTConfig}, or null. */
  public static ViTConfig findVit(JsonNode node) {
    if (node == null || !node.isContainerNode()) return null;
    if (node.isObject() && node.has("imageSize") && node.has("patchSize") && node.has("dim")
        && node.has("depth") && node.has("heads")) {
      try {
        return RunDirectory.JSON.treeToValue(node, ViTConfig.class);
      } catch (Exception e) {
        throw new IllegalArgumentException("Invalid ViT configuration " + node + ": " + e.getMessage(), e);
      }
    }
    for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
      ViTConfig v = findVit(it.next());
      if (v != null) return v;
    }
    return null;
  }

  /** What {@link #write} stores as config: the encoder and the pooling its features are meant to use. */
  public record EncoderInfo(ViTConfig encoder, NnclrHeadConfig.Pooling pooling, String source) {}

  /** Writes an encoder-only checkpoint (atomically). */
  public static void write(Path file, ViTConfig vit, NnclrHeadConfig.Pooling pooling, Map<String, INDArray> weights,
      String source) {
    Map<String, INDArray> w = new LinkedHashMap<>();
    for (String n : VitEncoder.parameterNames(vit)) {
      INDArray a = weights.get(n);
      if (a == null) throw new IllegalArgumentException("Encoder weights lack '" + n + "'");
      w.put(n, a);
    }
    new Checkpoint(0, 0, 0, new EncoderInfo(vit, pooling, source), Map.of("stage", "encoder"), w, Map.of(), null)
        .write(file);
  }
}
