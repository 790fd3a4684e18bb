package org.maect.samediff.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maect.core.config.OptimConfig;
import org.maect.core.train.LrSchedule;
import org.maect.core.train.RunDirectory;
import org.maect.samediff.optim.AdamW;
import org.nd4j.autodiff.samediff.SameDiff;

class TrainLoopTest {
  static final OptimConfig OC = new OptimConfig(0.2 * 256 / 8, 1e-3, 0.05, 0.9, 0.95, 1e-8, 1, 0, 4, 8);

  private final LinearRegressionFixture fx = new LinearRegressionFixture();

  private TrainLoop.Builder loop(SameDiff sd, Path dir) {
    int spe = fx.source().stepsPerEpoch();
    return TrainLoop.builder("test", sd)
        .optimizer(AdamW.of(OC))
        .schedule(LrSchedule.of(OC, spe, 1))
        .epochs(OC.epochs())
        .runDirectory(dir == null ? null : RunDirectory.open(dir))
        .config(OC)
        .seed(11);
  }

  @Test
  void lossFallsOnLinearRegression() {
    SameDiff sd = LinearRegressionFixture.graph(3);
    TrainLoop.Result r = loop(sd, null).build().run(fx.source(), LinearRegressionFixture.step(sd));
    assertThat(r.losses()).hasSize(24);
    assertThat(r.losses().get(23)).isLessThan(r.losses().get(0) / 5);
  }

  @Test
  void resumedRunRepeatsTheUninterruptedLossCurve(@TempDir Path tmp) throws Exception {
    SameDiff a = LinearRegressionFixture.graph(3);
    TrainLoop.Result full = loop(a, tmp.resolve("a")).build().run(fx.source(), LinearRegressionFixture.step(a));

    SameDiff b = LinearRegressionFixture.graph(3);
    TrainLoop.Result first = loop(b, tmp.resolve("b")).checkpointEverySteps(4).stopAfterStep(9).build()
        .run(fx.source(), LinearRegressionFixture.step(b));
    assertThat(first.stoppedEarly()).isTrue();
    assertThat(first.lastStep()).isEqualTo(9);
    // A fresh process: different initial weights, everything must come from the checkpoint.
    SameDiff c = LinearRegressionFixture.graph(99);
    TrainLoop.Result rest = loop(c, tmp.resolve("b")).checkpointEverySteps(4).resume(true).build()
        .run(fx.source(), LinearRegressionFixture.step(c));
    assertThat(rest.firstStep()).isEqualTo(9);
    List<Double> joined = new java.util.ArrayList<>(first.losses());
    joined.addAll(rest.losses());
    assertThat(joined).containsExactlyElementsOf(full.losses());
    assertThat(LinearRegressionFixture.arr(c, "fc.weight").data().asFloat())
        .containsExactly(LinearRegressionFixture.arr(a, "fc.weight").data().asFloat());
    // metrics.jsonl has one step line per step over both invocations, plus epoch lines
    List<String> lines = Files.readAllLines(tmp.resolve("b").resolve("metrics.jsonl"));
    assertThat(lines.stream().filter(l -> l.contains("\"type\":\"step\""))).hasSize(24);
    assertThat(lines.stream().filter(l -> l.contains("\"type\":\"epoch\""))).hasSize(4); // the interrupted epoch is logged once, when it completes
    assertThat(Files.readString(tmp.resolve("b").resolve("run.json"))).contains("\"seed\" : 11", "\"nd4j\" : \"1.0.0-M2.1\"");
  }

  @Test
  void nonFiniteLossStopsWithStepAndKeepsLastGoodCheckpoint(@TempDir Path tmp) throws Exception {
    SameDiff sd = LinearRegressionFixture.graph(3);
    StepFunction<LinearRegressionFixture.Batch> real = LinearRegressionFixture.step(sd);
    StepFunction<LinearRegressionFixture.Batch> poisoned = (b, ctx) -> {
      StepFunction.Result r = real.step(b, ctx);
      return ctx.step() == 4 ? new StepFunction.Result(Double.NaN, r.gradients(), r.images()) : r;
    };
    TrainLoop loop = loop(sd, tmp).checkpointEverySteps(4).build();
    assertThatThrownBy(() -> loop.run(fx.source(), poisoned))
        .isInstanceOf(NonFiniteLossException.class)
        .hasMessageContaining("non-finite loss NaN at step 5 (epoch 1, batch 5)")
        .hasMessageContaining("last good checkpoint")
        .hasMessageContaining("(after step 4) is intact");
    assertThat(Files.readString(tmp.resolve("metrics.jsonl"))).contains("\"type\":\"error\"");
    Checkpoint c = Checkpoint.read(tmp.resolve("checkpoints/last.ckpt"));
    assertThat(c.step()).isEqualTo(4);
    // step 5 was not applied: the live weights are those saved after step 4
    assertThat(c.weights().get("fc.weight").data().asFloat())
        .containsExactly(LinearRegressionFixture.arr(sd, "fc.weight").data().asFloat());
  }

  @Test
  void infiniteGradientNamesTheVariable() {
    SameDiff sd = LinearRegressionFixture.graph(3);
    StepFunction<LinearRegressionFixture.Batch> real = LinearRegressionFixture.step(sd);
    StepFunction<LinearRegressionFixture.Batch> poisoned = (b, ctx) -> {
      StepFunction.Result r = real.step(b, ctx);
      if (ctx.step() == 2) r.gradients().get("fc.bias").putScalar(0, Double.POSITIVE_INFINITY);
      return r;
    };
    assertThatThrownBy(() -> loop(sd, null).build().run(fx.source(), poisoned))
        .isInstanceOf(NonFiniteLossException.class)
        .hasMessageContaining("'fc.bias' at step 3")
        .hasMessageContaining("No checkpoint");
  }

  @Test
  void stateArraysAreCheckpointedAndRestored(@TempDir Path tmp) {
    SameDiff sd = LinearRegressionFixture.graph(3);
    org.nd4j.linalg.api.ndarray.INDArray counter = org.nd4j.linalg.factory.Nd4j.zeros(2);
    StepFunction<LinearRegressionFixture.Batch> real = LinearRegressionFixture.step(sd);
    StepFunction<LinearRegressionFixture.Batch> counting = new StepFunction<>() {
      @Override
      public Result step(LinearRegressionFixture.Batch b, Context ctx) {
        return real.step(b, ctx);
      }

      @Override
      public void afterUpdate(Context ctx) {
        counter.addi(1);
      }
    };
    loop(sd, tmp).state(Map.of("counter", counter)).stopAfterStep(7).build().run(fx.source(), counting);
    counter.assign(-5);
    SameDiff sd2 = LinearRegressionFixture.graph(3);
    loop(sd2, tmp).state(Map.of("counter", counter)).stopAfterStep(8).resume(true).build()
        .run(fx.source(), LinearRegressionFixture.step(sd2));
    assertThat(counter.getDouble(0)).isEqualTo(7.0);
  }

  @Test
  void frozenConstantsStayBitIdenticalAndAreCheckpointed(@TempDir Path tmp) {
    SameDiff sd = LinearRegressionFixture.graph(3);
    sd.convertToConstant(sd.getVariable("fc.bias"));
    sd.getArrForVarName("fc.bias").assign(0.3);
    float[] before = sd.getArrForVarName("fc.bias").dup().data().asFloat();
    float[] w0 = sd.getArrForVarName("fc.weight").dup().data().asFloat();
    loop(sd, tmp).stopAfterStep(3).build().run(fx.source(), LinearRegressionFixture.step(sd));
    assertThat(sd.getArrForVarName("fc.bias").data().asFloat()).containsExactly(before);
    assertThat(sd.getArrForVarName("fc.weight").data().asFloat()).isNotEqualTo(w0);
    Checkpoint c = Checkpoint.read(tmp.resolve("checkpoints/last.ckpt"));
    assertThat(c.weights()).containsKeys("fc.weight", "fc.bias");
    assertThat(c.adam()).containsOnlyKeys("fc.weight");
  }

  @Test
  void totalStepsOverrideEndsInAPartialEpoch(@TempDir Path tmp) throws Exception {
    SameDiff sd = LinearRegressionFixture.graph(3);
    TrainLoop.Result r = TrainLoop.builder("test", sd)
        .optimizer(AdamW.of(OC))
        .schedule(new LrSchedule(0.1, 0, 2, 9))
        .totalSteps(9)
        .runDirectory(RunDirectory.open(tmp))
        .build()
        .run(fx.source(), LinearRegressionFixture.step(sd));
    assertThat(r.losses()).hasSize(9);
    List<String> epochs = Files.readAllLines(tmp.resolve("metrics.jsonl")).stream()
        .filter(l -> l.contains("\"type\":\"epoch\"")).toList();
    assertThat(epochs).hasSize(2);
    assertThat(epochs.get(1)).contains("\"step\":9");
    assertThat(Checkpoint.read(tmp.resolve("checkpoints/last.ckpt")).step()).isEqualTo(9);
  }

  @Test
  void freshStartRefusesToOverwriteAFinishedRunAndKeepsSnapshots(@TempDir Path tmp) throws Exception {
    SameDiff sd = LinearRegressionFixture.graph(3);
    loop(sd, tmp).checkpointEverySteps(6).keepEverySteps(12).build().run(fx.source(), LinearRegressionFixture.step(sd));
    try (var files = Files.list(tmp.resolve("checkpoints"))) {
      assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
          .containsExactly("last.ckpt", "step-00000012.ckpt", "step-00000024.ckpt");
    }
    assertThat(Checkpoint.read(tmp.resolve("checkpoints/step-00000012.ckpt")).step()).isEqualTo(12);
    SameDiff again = LinearRegressionFixture.graph(3);
    assertThatThrownBy(() -> loop(again, tmp).build().run(fx.source(), LinearRegressionFixture.step(again)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("already holds a checkpoint")
        .hasMessageContaining("--resume");
    loop(again, tmp).overwrite(true).stopAfterStep(2).build().run(fx.source(), LinearRegressionFixture.step(again));
    assertThat(Files.readAllLines(tmp.resolve("metrics.jsonl"))).hasSize(2);
  }

  @Test
  void listenersSeeStepsEpochsCheckpointsAndEnd(@TempDir Path tmp) {
    SameDiff sd = LinearRegressionFixture.graph(3);
    List<String> events = new java.util.ArrayList<>();
    org.maect.core.train.TrainingListener l = new org.maect.core.train.TrainingListener() {
      @Override
      public void onStart(org.maect.core.train.TrainingStatus s) {
        events.add("start " + s.step());
      }

      @Override
      public void onStep(org.maect.core.train.TrainingStatus s) {
        events.add("step " + s.step() + " lr>0=" + (s.lr() > 0) + " gn=" + s.metrics().containsKey("grad_norm"));
      }

      @Override
      public void onEpochEnd(org.maect.core.train.TrainingStatus s) {
        events.add("epoch " + s.epoch() + "/" + s.epochs());
      }

      @Override
      public void onCheckpoint(Path file, org.maect.core.train.TrainingStatus s) {
        events.add("ckpt " + s.step() + " " + file.getFileName());
      }

      @Override
      public void onEnd(org.maect.core.train.TrainingStatus s) {
        events.add("end " + s.step());
      }
    };
    loop(sd, tmp).checkpointEverySteps(6).listener(l).build().run(fx.source(), LinearRegressionFixture.step(sd));
    assertThat(events.get(0)).isEqualTo("start 0");
    assertThat(events.get(1)).isEqualTo("step 1 lr>0=false gn=true"); // warm-up step 0 has lr 0
    assertThat(events.get(2)).isEqualTo("step 2 lr>0=true gn=true");
    assertThat(events).containsSubsequence("step 6 lr>0=true gn=true", "ckpt 6 last.ckpt", "epoch 0/4",
        "step 24 lr>0=true gn=true", "ckpt 24 last.ckpt", "epoch 3/4", "end 24");
    assertThat(events.stream().filter(e -> e.startsWith("ckpt"))).hasSize(4);
  }
}
