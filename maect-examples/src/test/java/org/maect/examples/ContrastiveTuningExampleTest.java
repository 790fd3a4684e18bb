package org.maect.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maect.core.config.ContrastiveTuningConfig;
import org.maect.core.config.NnclrHeadConfig;
import org.maect.core.config.ViTConfig;
import org.maect.samediff.train.Checkpoint;

/** Stages 2-3 after a (random, tiny) stage-1 encoder, 2 steps each, and the k-NN of both encoders. */
class ContrastiveTuningExampleTest {

  @TempDir Path tmp;

  private Path stage1() {
    ViTConfig vit = new ViTConfig(28, 7, 1, 16, 2, 2, 2.0);
    Path s1 = tmp.resolve("mae");
    new Checkpoint(1, 0, 0, java.util.Map.of("encoder", vit), java.util.Map.of(),
        LibraryUsageExample.randomWeights(vit, 1), java.util.Map.of(), null)
        .write(s1.resolve("checkpoints").resolve("last.ckpt"));
    return s1;
  }

  /** Stages 2-3 in a few seconds: batch 16, small head, queue 64, 2 steps each (also the pipeline tests' config). */
  static ContrastiveTuningConfig tiny() {
    ContrastiveTuningConfig base = ContrastiveTuningConfig.cpu();
    ContrastiveTuningConfig.Tuning t = base.tuning();
    ContrastiveTuningConfig cfg = base.withBatchSize(16)
        .withHead(NnclrHeadConfig.cpu().withSizes(32, 32, 16).withQueueSize(64))
        .withHeadInit(new ContrastiveTuningConfig.HeadInit(0, 2, 1e-3, 1e-5, 1))
        .withTuning(new ContrastiveTuningConfig.Tuning(0, 2, 1e-3, 0.05, 0.65, -1, 1e-3, 1e-5, 3, t.encoderEma()));
    return cfg;
  }

  @Test
  void runsBothStagesAndComparesTheEncoders() {
    Path s1 = stage1();
    ContrastiveTuningConfig cfg = tiny();
    ContrastiveTuningExample.Result r = ContrastiveTuningExample.run(new ContrastiveTuningExample.Config(s1,
        tmp.resolve("ct"), cfg, "fashion-mnist", null, 5, true, 64, true));
    assertThat(r.headInit().steps()).isEqualTo(2);
    assertThat(r.tune().steps()).isEqualTo(2);
    assertThat(r.tune().encoder()).isRegularFile();
    assertThat(r.maeKnn().trainSize()).isEqualTo(64);
    assertThat(r.maeKnn().accuracy()).isBetween(0.0, 1.0);
    assertThat(r.tunedKnn().accuracy()).isBetween(0.0, 1.0);
    assertThat(ContrastiveTuningExample.format(r)).contains("MAE-CT encoder");
  }

  @Test
  void byolAugmentationsRunToo() throws Exception {
    Path s1 = stage1();
    ContrastiveTuningConfig c = tiny();
    ContrastiveTuningConfig aug = new ContrastiveTuningConfig(c.head(), c.batchSize(), c.views(), "aug",
        c.cropScaleMin(), c.warmupFraction(), c.beta1(), c.beta2(), c.headInit(), c.tuning(), c.ablation());
    ContrastiveTuningExample.Result r = ContrastiveTuningExample.run(new ContrastiveTuningExample.Config(s1,
        tmp.resolve("ct-aug"), aug, "fashion-mnist", null, 5, true, 64, false));
    assertThat(r.tune().steps()).isEqualTo(2);
    assertThat(java.nio.file.Files.readString(tmp.resolve("ct-aug/tune/run.json"))).contains("\"augmentation\" : \"aug\"");
  }
}
