package org.maect.examples.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.maect.samediff.io.EncoderExport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./maect export}: a checkpoint's ViT encoder -> safetensors in the timm/MAE key layout. */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    description = {
      "Export the ViT encoder of a maect checkpoint as safetensors with timm/MAE keys (cls_token, pos_embed,",
      "patch_embed.proj.*, blocks.i.*, norm.*), loadable in PyTorch with load_state_dict(strict=True)."
    })
public final class ExportCommand implements Callable<Integer> {

  @Option(names = "--from", required = true, description = "run directory (uses checkpoints/last.ckpt) or checkpoint file")
  Path from;

  @Option(names = "--to", required = true, description = "output .safetensors file")
  Path to;

  @Option(names = "--state-prefix",
      description = "export the encoder stored as state arrays under this name prefix (e.g. an EMA copy) instead of the weights")
  String statePrefix;

  @Override
  public Integer call() throws Exception {
    EncoderExport.Result r = EncoderExport.write(from, to, statePrefix);
    System.out.printf("exported %d tensors (%,d parameters) of %s%n  from %s%n  to %s%n", r.tensors(), r.parameters(),
        r.encoder(), r.checkpoint(), r.file());
    return 0;
  }
}
