package org.maect.examples.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.maect.core.io.weights.MaeWeightImport;
import org.maect.core.io.weights.MaeWeightImport.ImportedMae;
import org.maect.samediff.io.PretrainedImport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./maect import}: a public MAE checkpoint (HF safetensors or facebookresearch .pth) -> stage-1 run dir. */
@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    description = {
      "Import pre-trained MAE weights: a Hugging Face facebook/vit-mae-* directory or model.safetensors,",
      "or a facebookresearch/mae .pth. Writes DIR/checkpoints/last.ckpt + DIR/run.json as a stage-1 (MAE)",
      "result that the later stages start from."
    })
public final class ImportCommand implements Callable<Integer> {

  @Option(names = "--from", required = true, description = "weight file (.safetensors/.pth/.bin) or HF model directory")
  Path from;

  @Option(names = "--out", required = true, description = "run directory to write")
  Path out;

  @Option(names = "--heads", defaultValue = "0",
      description = "encoder attention heads when neither config.json nor a standard width tells (0 = infer)")
  int heads;

  @Option(names = "--decoder-heads", defaultValue = "0", description = "decoder attention heads likewise (0 = infer)")
  int decoderHeads;

  @Option(names = "--force", description = "replace an existing checkpoint in --out")
  boolean force;

  @Override
  public Integer call() throws Exception {
    ImportedMae m = MaeWeightImport.load(from, heads, decoderHeads);
    PretrainedImport.Result r = PretrainedImport.write(m, out, force);
    System.out.printf(
        "imported %s (%s layout): %d tensors, %,d parameters%n  encoder %s%n  %s%n  fixed sin-cos tables match ours to %.2g%n  wrote %s%n",
        m.file(), m.layout(), r.tensors(), m.weights().numel(), r.encoder(),
        r.mae() == null ? "no decoder (encoder-only checkpoint)" : "decoder " + r.mae(), r.posEmbedDiff(), r.checkpoint());
    if (m.architecture().layerNormEps() != org.maect.core.config.ViTConfig.LAYER_NORM_EPS) {
      System.out.printf("  note: source LayerNorm eps %g, maect uses %g%n", m.architecture().layerNormEps(),
          org.maect.core.config.ViTConfig.LAYER_NORM_EPS);
    }
    return 0;
  }
}
