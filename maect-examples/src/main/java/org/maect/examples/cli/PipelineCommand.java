package org.maect.examples.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.maect.examples.MaeCtPipelineExample;
import org.maect.examples.pipeline.Pipeline;
import org.maect.examples.pipeline.PipelinePreset;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./maect pipeline}: the whole of MAE-CT end to end, with evaluation of both encoders. */
@Command(
    name = "pipeline",
    mixinStandardHelpOptions = true,
    description = {
      "The main job: stage 1 (MAE) -> evaluate the MAE encoder -> stage 2 (NNCLR head init) -> stage 3",
      "(contrastive tuning) -> evaluate the tuned encoder; writes DIR/results.json, figures/ and prints MAE vs",
      "MAE-CT. Rerunning with the same --out skips finished stages and resumes an interrupted one."
    })
public final class PipelineCommand implements Callable<Integer> {

  @Option(names = "--preset", defaultValue = "cpu-small",
      description = "cpu-small (<= 30 min on 2 cores) or cpu-large (default: ${DEFAULT-VALUE})")
  String preset;

  @Option(names = "--out", description = "output directory (default: runs/pipeline-<preset>[-aug])")
  Path out;

  @Option(names = "--aug", description = "MAE-CT_aug: BYOL augmentations in stages 2-3 (default: crop & flip, MAE-CT_min)")
  boolean aug;

  @Option(names = "--data-dir", description = "directory holding the dataset files")
  Path dataDir;

  @Option(names = "--no-figures", description = "skip the PNG figures")
  boolean noFigures;

  @Option(names = "--quiet", description = "no progress lines")
  boolean quiet;

  @Option(names = "--mae-epochs", description = "override: stage-1 epochs")
  Integer maeEpochs;

  @Option(names = "--mae-limit", description = "override: stage-1 uses the first N training images (0 = all)")
  Integer maeLimit;

  @Option(names = "--head-init-steps", description = "override: stage-2 steps")
  Long headInitSteps;

  @Option(names = "--tune-steps", description = "override: stage-3 steps")
  Long tuneSteps;

  @Option(names = "--eval-train-limit", description = "override: embed the first N training images for evaluation (0 = all)")
  Integer evalTrainLimit;

  @Option(names = "--seed", description = "run seed of all stages and the evaluation (default: the preset's, 0)")
  Long seed;

  @Override
  public Integer call() {
    PipelinePreset base = PipelinePreset.of(preset);
    if (seed != null) base = base.withSeed(seed);
    PipelinePreset p = base.withAugmentation(aug)
        .withOverrides(maeEpochs, maeLimit, headInitSteps, tuneSteps, evalTrainLimit);
    Path dir = out != null ? out : MaeCtPipelineExample.defaultOut(p);
    Pipeline.Result r = MaeCtPipelineExample.run(new Pipeline.Options(p, dir, dataDir, quiet, !noFigures));
    System.out.print(MaeCtPipelineExample.format(r));
    return 0;
  }
}
