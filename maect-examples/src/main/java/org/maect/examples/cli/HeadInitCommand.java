package org.maect.examples.cli;

import java.util.Locale;
import java.util.concurrent.Callable;
import org.maect.core.config.ContrastiveTuningConfig;
import org.maect.samediff.nnclr.HeadInitializer;
import org.maect.samediff.nnclr.StageOptions;
import org.maect.samediff.nnclr.StageResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code ./maect head-init}: MAE-CT stage 2, the NNCLR head trained on the frozen MAE encoder. */
@Command(
    name = "head-init",
    mixinStandardHelpOptions = true,
    description = {
      "MAE-CT stage 2: train the NNCLR head (projector + predictor, top-1 neighbours from the queue) on the",
      "frozen encoder of a stage-1 run. Writes OUT/run.json, OUT/metrics.jsonl, OUT/checkpoints/last.ckpt."
    })
public final class HeadInitCommand implements Callable<Integer> {

  @Mixin ContrastiveOptions opt;

  @Override
  public Integer call() {
    ContrastiveTuningConfig c = opt.base();
    ContrastiveTuningConfig.HeadInit h = c.headInit();
    c = c.withHeadInit(new ContrastiveTuningConfig.HeadInit(
        opt.epochs != null ? opt.epochs : h.epochs(), opt.steps != null ? opt.steps : h.steps(),
        opt.baseLr != null ? opt.baseLr : h.baseLr(), h.weightDecay(), opt.topK != null ? opt.topK : h.topK()));
    StageResult r = HeadInitializer.run(new StageOptions(opt.from, opt.out, c, opt.dataset, opt.dataDir, opt.seed,
        opt.resume, opt.quiet, opt.checkpointEvery, opt.trainLimit, !opt.noNormalize));
    System.out.printf(Locale.ROOT, "head-init: %d steps, last loss %.4f, NN label agreement %.3f, %.0f s -> %s%n",
        r.steps(), r.lastLoss(), r.nnAccuracy(), r.seconds(), r.runDir());
    return 0;
  }
}
