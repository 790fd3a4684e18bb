package org.maect.examples.cli;

import java.util.Locale;
import java.util.concurrent.Callable;
import org.maect.core.config.ContrastiveTuningConfig;
import org.maect.examples.ContrastiveTuningExample;
import org.maect.samediff.nnclr.ContrastiveTuner;
import org.maect.samediff.nnclr.StageOptions;
import org.maect.samediff.nnclr.StageResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./maect tune}: MAE-CT stage 3, contrastive tuning of the upper encoder half with the NNCLR head. */
@Command(
    name = "tune",
    mixinStandardHelpOptions = true,
    description = {
      "MAE-CT stage 3: contrastive tuning from a head-init run (--from). Lower half of the blocks frozen,",
      "layer-wise lr decay above, EMA target projector feeds the queue, top-k neighbours. The encoder EMA is",
      "written to OUT/checkpoints/encoder.ckpt (the model to evaluate); --knn compares its weighted k-NN",
      "accuracy with the stage-1 MAE encoder's."
    })
public final class TuneCommand implements Callable<Integer> {

  @Mixin ContrastiveOptions opt;

  @Option(names = "--mask-ratio", description = "ablation: mask this share of patches during tuning (paper: 0)")
  Double maskRatio;

  @Option(names = "--skip-head-init", description = "ablation: --from is a stage-1 run; start with a random head")
  boolean skipHeadInit;

  @Option(names = "--encoder-ema", description = "EMA factor of the kept encoder (0: keep the online encoder)")
  Double encoderEma;

  @Option(names = "--frozen-blocks", description = "lowest blocks frozen (-1: half, the paper)")
  Integer frozenBlocks;

  @Option(names = "--knn", description = "after tuning, weighted k-NN (k=20) of the MAE and the tuned encoder")
  boolean knn;

  @Option(names = "--knn-train", defaultValue = "0", description = "k-NN: first N training images (0: all)")
  int knnTrain;

  @Option(names = "--knn-test", defaultValue = "0", description = "k-NN: first N test images (0: all)")
  int knnTest;

  @Override
  public Integer call() {
    ContrastiveTuningConfig c = opt.base();
    ContrastiveTuningConfig.Tuning t = c.tuning();
    c = c.withTuning(new ContrastiveTuningConfig.Tuning(
        opt.epochs != null ? opt.epochs : t.epochs(), opt.steps != null ? opt.steps : t.steps(),
        opt.baseLr != null ? opt.baseLr : t.encoderBaseLr(), t.encoderWeightDecay(), t.layerDecay(),
        frozenBlocks != null ? frozenBlocks : t.frozenBlocks(), opt.baseLr != null ? opt.baseLr : t.headBaseLr(),
        t.headWeightDecay(), opt.topK != null ? opt.topK : t.topK(),
        encoderEma != null ? encoderEma : t.encoderEma()));
    ContrastiveTuningConfig.Ablation a = c.ablation();
    c = c.withAblation(new ContrastiveTuningConfig.Ablation(maskRatio != null ? maskRatio : a.maskRatio(),
        skipHeadInit || a.skipHeadInit(), a.nnLookup()));
    StageResult r = ContrastiveTuner.run(new StageOptions(opt.from, opt.out, c, opt.dataset, opt.dataDir, opt.seed,
        opt.resume, opt.quiet, opt.checkpointEvery, opt.trainLimit, !opt.noNormalize));
    System.out.printf(Locale.ROOT, "tune: %d steps, last loss %.4f, NN label agreement %.3f, %.0f s -> %s%n",
        r.steps(), r.lastLoss(), r.nnAccuracy(), r.seconds(), r.encoder());
    if (knn) {
      var mae = ContrastiveTuningExample.knn(ContrastiveTuningExample.stage1Of(opt.out), c, opt.dataset,
          opt.dataDir, 20, knnTrain, knnTest);
      var tuned = ContrastiveTuningExample.knn(opt.out, c, opt.dataset, opt.dataDir, 20, knnTrain, knnTest);
      System.out.print(ContrastiveTuningExample.formatKnn("MAE encoder", mae));
      System.out.print(ContrastiveTuningExample.formatKnn("MAE-CT encoder", tuned));
    }
    return 0;
  }
}
