package org.maect.examples.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.maect.examples.pipeline.Ablations;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./maect ablate}: the paper's Table 3 at CPU scale from a pipeline's stage-1 checkpoint. */
@Command(
    name = "ablate",
    mixinStandardHelpOptions = true,
    description = {
      "Paper Table 3 from the same stage-1 checkpoint: MAE-CT without the NN lookup, without head",
      "initialisation, and with 75% masking during contrastive tuning; each trained and evaluated like the",
      "pipeline's MAE-CT. Writes PIPELINE_DIR/ablations.json and prints a table (delta vs MAE-CT)."
    })
public final class AblateCommand implements Callable<Integer> {

  @Option(names = "--from", defaultValue = "runs/pipeline-cpu-small",
      description = "a pipeline output directory (default: ${DEFAULT-VALUE})")
  Path from;

  @Option(names = "--variants", split = ",", defaultValue = "no-head-init,no-nn-lookup,mask-0.75",
      description = "which ablations (default: ${DEFAULT-VALUE})")
  List<String> variants;

  @Option(names = "--data-dir", description = "directory holding the dataset files")
  Path dataDir;

  @Option(names = "--quiet", description = "no progress lines")
  boolean quiet;

  @Override
  public Integer call() {
    Ablations.Result r = Ablations.run(new Ablations.Options(from, variants, dataDir, quiet));
    System.out.println();
    System.out.println("ablations: " + r.results());
    System.out.print(r.table());
    return 0;
  }
}
