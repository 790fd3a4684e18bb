package org.maect.core.io.weights;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes a ViT encoder as safetensors in the timm/MAE key layout, so PyTorch code can
 * {@code model.load_state_dict(tensors, strict=True)} it into a timm {@code VisionTransformer}-style encoder
 * (the encoder half of facebookresearch/mae {@code MaskedAutoencoderViT}).
 *
 * <p>The tensors are checked against {@link MaeKeyMapping#expectedShapes} first (exactly the encoder set unless
 * {@code withDecoder}); metadata records {@code format=pt} and the architecture as JSON
 * ({@value MaeWeightImport#ARCHITECTURE_METADATA_KEY}) so {@link MaeWeightImport} can read the head count back.
 */
public final class MaeWeightExport {
  private static final ObjectMapper JSON = new ObjectMapper();

  private MaeWeightExport() {}

  public static void write(Path file, StateDict weights, MaeArchitecture arch, boolean withDecoder, Map<String, String> extraMetadata)
      throws IOException {
    MaeArchitecture a = withDecoder ? arch : arch.encoderOnly();
    StateDict subset = new StateDict();
    for (String k : MaeKeyMapping.expectedShapes(a).keySet()) {
      if (weights.contains(k)) subset.put(k, weights.get(k));
    }
    StateDict checked = MaeKeyMapping.validate(subset, a);
    checked.metadata().put("format", "pt");
    checked.metadata().put(MaeWeightImport.ARCHITECTURE_METADATA_KEY, toJson(a));
    checked.metadata().putAll(extraMetadata);
    Safetensors.write(file, checked);
  }

  private static String toJson(MaeArchitecture a) {
    try {
      return JSON.writeValueAsString(a);
    } catch (JsonProcessingException ex) {
      throw new IllegalStateException(ex);
    }
  }
}
