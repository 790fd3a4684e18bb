package org.maect.core.io.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.maect.core.io.weights.MaeKeyMapping.Layout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a public MAE checkpoint (either layout, either file format) into timm/MAE names with its architecture.
 *
 * <p>{@code source} may be a file ({@code .safetensors}, {@code .pth}/{@code .bin}; the format is told by its first
 * bytes, not its name) or a Hugging Face model directory holding {@code model.safetensors} (or a sharded
 * {@code model.safetensors.index.json} + shards, or {@code pytorch_model.bin}) and {@code config.json}. A {@code config.json} beside a file is used too. Our own
 * exports carry the architecture in the safetensors metadata key {@value #ARCHITECTURE_METADATA_KEY}.
 */
public final class MaeWeightImport {
  private static final Logger LOG = LoggerFactory.getLogger(MaeWeightImport.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Safetensors metadata key under which {@link MaeWeightExport} stores the {@link MaeArchitecture} JSON. */
  public static final String ARCHITECTURE_METADATA_KEY = "maect.architecture";

  private MaeWeightImport() {}

  /**
   * @param weights timm/MAE-named tensors, validated against {@code architecture} (canonical order)
   * @param architecture inferred from the tensors (heads from config/metadata/table, see {@link MaeKeyMapping#infer})
   * @param layout the layout the file used
   * @param file the weight file actually read
   */
  public record ImportedMae(StateDict weights, MaeArchitecture architecture, Layout layout, Path file) {}

  /** Loads with head counts from config/metadata/table only. */
  public static ImportedMae load(Path source) throws IOException {
    return load(source, 0, 0);
  }

  /**
   * @param heads encoder heads if the file and its config do not say (0 = infer)
   * @param decoderHeads decoder heads likewise (0 = infer)
   */
  public static ImportedMae load(Path source, int heads, int decoderHeads) throws IOException {
    Path file = source;
    StateDict raw;
    if (Files.isDirectory(source) && Files.isRegularFile(source.resolve(SHARD_INDEX))) {
      file = source.resolve(SHARD_INDEX);
      raw = readShards(file);
    } else {
      if (Files.isDirectory(source)) {
        file = source.resolve("model.safetensors");
        if (!Files.isRegularFile(file)) file = source.resolve("pytorch_model.bin");
        if (!Files.isRegularFile(file)) {
          throw new WeightFileException(
              source, "directory holds none of model.safetensors, " + SHARD_INDEX + ", pytorch_model.bin");
        }
      }
      if (!Files.isRegularFile(file)) throw new WeightFileException(file, "no such file");
      raw = isZip(file) ? TorchCheckpoint.read(file) : Safetensors.read(file);
    }
    Path cfgPath = file.toAbsolutePath().getParent().resolve("config.json");
    JsonNode config = null;
    if (Files.isRegularFile(cfgPath)) {
      config = JSON.readTree(cfgPath.toFile());
      LOG.info("Using {} for head counts and LayerNorm eps", cfgPath);
    } else if (raw.metadata().containsKey(ARCHITECTURE_METADATA_KEY)) {
      JsonNode arch = JSON.readTree(raw.metadata().get(ARCHITECTURE_METADATA_KEY));
      if (heads == 0) heads = arch.path("heads").asInt(0);
      if (decoderHeads == 0) decoderHeads = arch.path("decoderHeads").asInt(0);
    }
    Layout layout = MaeKeyMapping.detect(raw);
    StateDict timm = layout == Layout.HF_VIT_MAE ? MaeKeyMapping.hfToTimm(raw) : raw;
    MaeArchitecture arch;
    StateDict valid;
    try {
      arch = MaeKeyMapping.infer(timm, layout, config, heads, decoderHeads);
      valid = MaeKeyMapping.validate(timm, arch);
    } catch (WeightFileException ex) {
      throw new WeightFileException(file, ex.getMessage(), ex);
    }
    LOG.info("Imported {} ({} layout): {} tensors, {} parameters, {}", file, layout, valid.size(), valid.numel(), arch);
    return new ImportedMae(valid, arch, layout, file);
  }

  /** Hugging Face's index of a sharded checkpoint: {@code {"weight_map": {tensor: shard file}}}. */
  public static final String SHARD_INDEX = "model.safetensors.index.json";

  /** Reads every shard named in the index (plain file names in the same directory only) and checks the map. */
  static StateDict readShards(Path index) throws IOException {
    JsonNode map = JSON.readTree(index.toFile()).get("weight_map");
    if (map == null || !map.isObject()) throw new WeightFileException(index, "no weight_map object");
    java.util.Map<String, String> want = new java.util.LinkedHashMap<>();
    map.fields().forEachRemaining(e -> want.put(e.getKey(), e.getValue().asText()));
    StateDict all = new StateDict();
    for (String shard : new java.util.LinkedHashSet<>(want.values())) {
      if (!shard.matches("[A-Za-z0-9._-]+") || shard.startsWith(".")) {
        throw new WeightFileException(index, "shard name '" + shard + "' is not a plain file name");
      }
      StateDict part = Safetensors.read(index.resolveSibling(shard));
      for (var e : part.tensors().entrySet()) {
        if (!shard.equals(want.get(e.getKey()))) {
          throw new WeightFileException(index, "tensor '" + e.getKey() + "' in " + shard + " is not mapped to that shard");
        }
        all.put(e.getKey(), e.getValue());
      }
      all.metadata().putAll(part.metadata());
    }
    for (String k : want.keySet()) {
      if (!all.contains(k)) throw new WeightFileException(index, "tensor '" + k + "' is missing from " + want.get(k));
    }
    return all;
  }

  /** Torch zip ("PK"), safetensors (JSON '{' after the 8-byte length), or a legacy torch pickle (0x80 first). */
  private static boolean isZip(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] h = in.readNBytes(9);
      if (h.length >= 2 && h[0] == 'P' && h[1] == 'K') return true;
      if (h.length == 9 && h[8] == '{') return false;
      return h.length >= 2 && (h[0] & 0xFF) == 0x80; // legacy torch pickle: let TorchCheckpoint explain
    }
  }
}
