package org.maect.examples;

import java.nio.file.Path;
import java.util.Locale;
import org.maect.examples.pipeline.Pipeline;
import org.maect.examples.pipeline.PipelinePreset;

/**
 * The whole of MAE-CT on Fashion-MNIST: MAE pre-training, evaluation of the MAE encoder, NNCLR head
 * initialisation, contrastive tuning, evaluation of the tuned encoder, and a MAE vs MAE-CT table
 * ({@code ./maect pipeline} is the command-line front end).
 *
 * <pre>
 *   MaeCtPipelineExample [preset] [outDir]      (defaults: cpu-small, runs/pipeline-cpu-small)
 * </pre>
 */
public final class MaeCtPipelineExample {
  private MaeCtPipelineExample() {}

  public static void main(String[] args) {
    PipelinePreset p = PipelinePreset.of(args.length > 0 ? args[0] : "cpu-small");
    Path out = args.length > 1 ? Path.of(args[1]) : defaultOut(p);
    System.out.print(format(run(new Pipeline.Options(p, out, null, false, true))));
  }

  /** Runs (or resumes) the pipeline; tests call this with a tiny preset. */
  public static Pipeline.Result run(Pipeline.Options options) {
    return Pipeline.run(options);
  }

  /** {@code runs/pipeline-<preset>}, with {@code -aug} for MAE-CT_aug. */
  public static Path defaultOut(PipelinePreset p) {
    boolean aug = "aug".equals(p.contrastive().augmentation());
    return Path.of("runs", "pipeline-" + p.name() + (aug ? "-aug" : ""));
  }

  /** The console report: where things are, then the MAE vs MAE-CT table. */
  public static String format(Pipeline.Result r) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "%npipeline: %s (%.1f min in this run)%n", r.out().toAbsolutePath(),
        r.seconds() / 60));
    b.append("results: ").append(r.results()).append(System.lineSeparator());
    if (!r.figures().isEmpty()) {
      b.append("figures: ").append(r.figures().get(0).getParent()).append(System.lineSeparator());
    }
    b.append(System.lineSeparator()).append(r.table());
    return b.toString();
  }
}
