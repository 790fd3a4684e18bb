package org.maect.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maect.core.config.MaeConfig;
import org.maect.core.config.MaePretrainConfig;
import org.maect.core.config.OptimConfig;
import org.maect.core.config.ViTConfig;
import org.maect.samediff.mae.MaePretrainer;

/** A few steps of MAE pre-training on real Fashion-MNIST images with a tiny model. */
class MaePretrainExampleTest {
  // 28x28, patch 7 -> 16 patches, 4 kept; D=32, 1 block; decoder 32d1b. Base lr high so 20 steps show learning.
  static final MaeConfig TINY = new MaeConfig(new ViTConfig(28, 7, 1, 32, 1, 2, 4.0), 32, 1, 2, 0.75, true);

  static MaePretrainConfig config(int epochs) {
    OptimConfig o = OptimConfig.maePretrain().withEpochs(epochs).withBatchSize(32).withBaseLr(2e-2)
        .withWarmupFraction(0.1);
    return new MaePretrainConfig("fashion-mnist", TINY, o, 7, false, 320); // 10 steps per epoch
  }

  @Test
  void lossIsFiniteAndFallsAndArtefactsAreWritten(@TempDir Path dir) throws Exception {
    MaePretrainer.Result r = MaePretrainExample.run(config(2), new MaePretrainer.Options(dir, false, true, 0, 5, null));
    List<Double> l = r.losses();
    assertThat(l).hasSize(20).allMatch(Double::isFinite);
    double first = (l.get(0) + l.get(1) + l.get(2)) / 3;
    double last = (l.get(17) + l.get(18) + l.get(19)) / 3;
    assertThat(last).as("mean loss of the last 3 steps vs the first 3: %s", l).isLessThan(first * 0.9);
    assertThat(dir.resolve("reconstructions.png")).isNotEmptyFile();
    assertThat(dir.resolve("run.json")).isNotEmptyFile();
    assertThat(dir.resolve("checkpoints/last.ckpt")).exists();
    assertThat(Files.readAllLines(dir.resolve("metrics.jsonl"))).hasSizeGreaterThanOrEqualTo(20);
    assertThat(r.reconstructionMse()).isFinite();
  }

  @Test
  void resumeContinuesTheUninterruptedLossCurve(@TempDir Path a, @TempDir Path b) {
    MaePretrainer.Result full = MaePretrainExample.run(config(2), new MaePretrainer.Options(a, false, true, 0, 0, null));
    MaePretrainer.Result first = MaePretrainExample.run(config(2), new MaePretrainer.Options(b, false, true, 13, 0, null));
    assertThat(first.stoppedEarly()).isTrue();
    assertThat(first.lastStep()).isEqualTo(13);
    MaePretrainer.Result rest = MaePretrainExample.run(config(2), new MaePretrainer.Options(b, true, true, 0, 0, null));
    assertThat(rest.firstStep()).isEqualTo(13);
    assertThat(rest.lastStep()).isEqualTo(20);
    // same batches, masks and AdamW state: the resumed steps repeat the uninterrupted run
    for (int i = 0; i < 7; i++) {
      assertThat(rest.losses().get(i)).as("step %d", 14 + i)
          .isCloseTo(full.losses().get(13 + i), org.assertj.core.data.Percentage.withPercentage(0.1));
    }
  }
}
