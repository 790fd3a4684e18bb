package org.maect.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maect.core.config.ContrastiveTuningConfig;
import org.maect.core.config.MaeConfig;
import org.maect.core.config.MaePretrainConfig;
import org.maect.core.config.OptimConfig;
import org.maect.core.config.ViTConfig;
import org.maect.core.train.RunDirectory;
import org.maect.eval.EvalConfig;
import org.maect.eval.cluster.KMeansConfig;
import org.maect.eval.knn.KnnConfig;
import org.maect.eval.lowshot.Lbfgs;
import org.maect.eval.lowshot.LowShotConfig;
import org.maect.eval.probe.LinearProbeConfig;
import org.maect.examples.cli.MaectCli;
import org.maect.examples.pipeline.Ablations;
import org.maect.examples.pipeline.Pipeline;
import org.maect.examples.pipeline.PipelinePreset;

/** The whole pipeline with a tiny model and 2 steps per stage; rerun skips finished stages. */
class MaeCtPipelineExampleTest {

  @TempDir Path tmp;

  /** Tiny everything: 28x28 patch 7, D=16, 2 blocks; 2 steps per training stage; small eval subsets. */
  static PipelinePreset tiny() {
    MaeConfig mae = new MaeConfig(new ViTConfig(28, 7, 1, 16, 2, 2, 2.0), 16, 1, 2, 0.75, true);
    OptimConfig o = OptimConfig.maePretrain().withEpochs(1).withBatchSize(32).withBaseLr(1e-2).withWarmupFraction(0.1);
    MaePretrainConfig s1 = new MaePretrainConfig("fashion-mnist", mae, o, 3, true, 64);
    ContrastiveTuningConfig ct = ContrastiveTuningExampleTest.tiny();
    EvalConfig e = new EvalConfig(KnnConfig.of(new int[] {5, 20}, 0.07),
        new LinearProbeConfig(new double[] {0.1}, 3, 1, 32, 0.9, 0),
        new LowShotConfig(new int[] {1}, 1, 0.00025, 0, Lbfgs.Options.tight()),
        KMeansConfig.of(0, 2, 0), 100, 0);
    return new PipelinePreset("tiny", s1, ct, 64, e, 300, 100, 60, 0, 3);
  }

  @Test
  void runsAllStagesThenSkipsThemOnRerun() throws Exception {
    Path out = tmp.resolve("p");
    Pipeline.Result r = MaeCtPipelineExample.run(new Pipeline.Options(tiny(), out, null, true, true));
    assertThat(r.stages()).extracting(Pipeline.StageInfo::name)
        .containsExactly(Pipeline.MAE, Pipeline.EVAL_MAE, Pipeline.HEAD_INIT, Pipeline.TUNE, Pipeline.EVAL_MAECT);
    assertThat(r.stages()).noneMatch(Pipeline.StageInfo::skipped);
    for (String s : new String[] {Pipeline.MAE, Pipeline.EVAL_MAE, Pipeline.HEAD_INIT, Pipeline.TUNE,
        Pipeline.EVAL_MAECT}) {
      assertThat(out.resolve(s).resolve(Pipeline.DONE)).isRegularFile();
    }
    assertThat(out.resolve("3-tune/checkpoints/encoder.ckpt")).isRegularFile();
    // results.json: both evaluations with the keys of ./maect evaluate, seconds per stage, the configuration
    JsonNode res = RunDirectory.JSON.readTree(out.resolve(Pipeline.RESULTS).toFile());
    for (String enc : new String[] {"mae", "maect"}) {
      for (String key : new String[] {"knn", "linear_probe", "lowshot", "kmeans", "silhouette"}) {
        assertThat(res.get(enc).has(key)).as("%s.%s", enc, key).isTrue();
      }
      double acc = res.get(enc).get("knn").get("20").asDouble();
      assertThat(acc).isBetween(0.0, 1.0);
    }
    assertThat(res.get("seconds").get(Pipeline.TUNE).asDouble()).isPositive();
    assertThat(res.get("config").get("name").asText()).isEqualTo("tiny");
    assertThat(r.knn(false, 20)).isEqualTo(res.get("mae").get("knn").get("20").asDouble());
    assertThat(r.table()).contains("MAE-CT").contains("k-NN k=20").contains("k-means cluster acc");
    assertThat(r.figures()).allMatch(Files::isRegularFile).extracting(f -> f.getFileName().toString())
        .contains("loss-curves.png", "mae-reconstructions.png", "retrieval.png", "kmeans-confusion.png", "tsne.png");

    // second run: every stage skipped, same numbers
    Pipeline.Result again = MaeCtPipelineExample.run(new Pipeline.Options(tiny(), out, null, true, false));
    assertThat(again.stages()).allMatch(Pipeline.StageInfo::skipped);
    assertThat(again.knn(true, 20)).isEqualTo(r.knn(true, 20));

    // an interrupted stage 3 (no done marker) resumes from its checkpoint; its evaluation is redone
    Files.delete(out.resolve(Pipeline.TUNE).resolve(Pipeline.DONE));
    Files.delete(out.resolve(Pipeline.EVAL_MAECT).resolve(Pipeline.DONE));
    Pipeline.Result resumed = MaeCtPipelineExample.run(new Pipeline.Options(tiny(), out, null, true, false));
    assertThat(resumed.stage(Pipeline.MAE).skipped()).isTrue();
    assertThat(resumed.stage(Pipeline.TUNE).skipped()).isFalse();
    assertThat(resumed.stage(Pipeline.TUNE).summary().get("steps").asLong()).isEqualTo(2);
    assertThat(resumed.knn(true, 20)).isEqualTo(r.knn(true, 20));

    // ./maect ablate from the same stage 1: three variants, each evaluated like MAE-CT
    int rc = MaectCli.execute("ablate", "--from", out.toString(), "--quiet");
    assertThat(rc).isZero();
    JsonNode abl = RunDirectory.JSON.readTree(out.resolve(Ablations.RESULTS).toFile());
    for (String v : new String[] {"mae", "maect", "no-nn-lookup", "no-head-init", "mask-0.75"}) {
      assertThat(abl.get(v).get("kmeans").get("cluster_acc").asDouble()).as(v).isBetween(0.0, 1.0);
    }
    assertThat(Files.readString(out.resolve("ablations/mask-0.75/3-tune/run.json"))).contains("\"maskRatio\" : 0.75");
    assertThat(Files.readString(out.resolve("ablations/no-head-init/3-tune/run.json")))
        .contains("\"skipHeadInit\" : true");
    assertThat(out.resolve("ablations/no-head-init/2-head-init")).doesNotExist();
  }

  @Test
  void refusesToMixConfigurationsInOneDirectory() throws Exception {
    Path out = Files.createDirectories(tmp.resolve("q"));
    Files.writeString(out.resolve(Pipeline.CONFIG), "{\"name\": \"cpu-small\"}");
    assertThatThrownBy(() -> MaeCtPipelineExample.run(new Pipeline.Options(tiny(), out, null, true, false)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("another configuration");
    assertThat(PipelinePreset.of("cpu-small").withAugmentation(true).contrastive().augmentation()).isEqualTo("aug");
    assertThat(MaeCtPipelineExample.defaultOut(PipelinePreset.of("cpu-small").withAugmentation(true)))
        .isEqualTo(Path.of("runs", "pipeline-cpu-small-aug"));
    assertThatThrownBy(() -> PipelinePreset.of("nope")).hasMessageContaining("cpu-small");
  }

  @Test
  void aStageRunningElsewhereIsNotEnteredTwice() throws Exception {
    Path out = tmp.resolve("r");
    Path stage = Files.createDirectories(out.resolve(Pipeline.MAE));
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(stage.resolve(".lock"),
        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
        java.nio.channels.FileLock held = ch.lock()) {
      assertThatThrownBy(() -> MaeCtPipelineExample.run(new Pipeline.Options(tiny(), out, null, true, false)))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("another process");
    }
  }
}
