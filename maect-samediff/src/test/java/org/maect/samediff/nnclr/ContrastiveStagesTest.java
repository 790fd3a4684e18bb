package org.maect.samediff.nnclr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maect.core.config.ContrastiveTuningConfig;
import org.maect.core.config.NnclrHeadConfig;
import org.maect.core.config.ViTConfig;
import org.maect.samediff.optim.AdamW;
import org.maect.samediff.optim.ParamGroup;
import org.maect.samediff.train.Checkpoint;
import org.maect.samediff.vit.Params;
import org.maect.samediff.vit.VitEncoder;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Stages 2 and 3 end to end on a tiny encoder and 64 Fashion-MNIST images, a handful of steps. */
class ContrastiveStagesTest {

  static final ViTConfig VIT = new ViTConfig(28, 7, 1, 16, 2, 2, 2.0);

  @TempDir static Path tmp;
  static Path stage1;

  static ContrastiveTuningConfig config(long headSteps, long tuneSteps) {
    NnclrHeadConfig h = new NnclrHeadConfig(NnclrHeadConfig.Pooling.MEAN_PATCH, 32, 48, 16, 64, 0.2, 0.9, 1e-5, 0.1);
    return ContrastiveTuningConfig.cpu().withBatchSize(16).withHead(h)
        .withHeadInit(new ContrastiveTuningConfig.HeadInit(0, headSteps, 1e-3, 1e-5, 1))
        .withTuning(new ContrastiveTuningConfig.Tuning(0, tuneSteps, 1e-3, 0.05, 0.65, -1, 1e-3, 1e-5, 3, 0.9));
  }

  static StageOptions options(Path from, Path out, ContrastiveTuningConfig c, boolean resume) {
    return new StageOptions(from, out, c, "fashion-mnist", null, 5, resume, true, 0, 64, true);
  }

  /** A stage-1 run directory with a randomly initialised encoder. */
  @BeforeAll
  static void fakeStage1() {
    stage1 = tmp.resolve("stage1");
    SameDiff sd = SameDiff.create();
    VitEncoder.build(new Params(sd, DataType.FLOAT, 3), VIT,
        sd.placeHolder("x", DataType.FLOAT, -1, 1, 28, 28), null, "");
    Map<String, INDArray> w = new LinkedHashMap<>();
    for (String n : VitEncoder.parameterNames(VIT)) w.put(n, sd.getVariable(n).getArr());
    new Checkpoint(10, 1, 0, Map.of("mae", Map.of("encoder", VIT)), Map.of(), w, Map.of(), null)
        .write(stage1.resolve("checkpoints").resolve("last.ckpt"));
  }

  @Test
  void headInitThenTuningFreezeTheLowerHalfAndKeepAnEncoderEma() throws Exception {
    Path s2 = tmp.resolve("s2");
    StageResult r2 = HeadInitializer.run(options(stage1, s2, config(3, 2), false));
    assertThat(r2.steps()).isEqualTo(3);
    assertThat(r2.lastLoss()).isFinite();
    assertThat(Files.readString(s2.resolve("metrics.jsonl"))).contains("nn_accuracy");
    EncoderCheckpoint e1 = EncoderCheckpoint.load(stage1);
    EncoderCheckpoint e2 = EncoderCheckpoint.load(s2);
    for (String n : VitEncoder.parameterNames(VIT)) {
      assertThat(e2.weights().get(n).equals(e1.weights().get(n))).as("stage 2 keeps encoder %s", n).isTrue();
    }
    Checkpoint c2 = Checkpoint.read(r2.checkpoint());
    assertThat(c2.weights()).containsKey("projector.0.weight").containsKey("predictor.3.weight");
    assertThat(c2.state()).containsKeys("projector.1.running_mean", "queue.vectors", "queue.ptr");
    assertThat(c2.state().get("queue.ptr").getLong(0)).isEqualTo(3 * 16 % 64);

    Path s3 = tmp.resolve("s3");
    StageResult r3 = ContrastiveTuner.run(options(s2, s3, config(3, 2), false));
    assertThat(r3.steps()).isEqualTo(2);
    Checkpoint c3 = Checkpoint.read(r3.checkpoint());
    // frozen: patch embedding, CLS and block 0 bit-identical; block 1 and the final norm trained
    for (String n : List.of("patch_embed.proj.weight", "cls_token", "blocks.0.attn.qkv.weight", "blocks.0.norm1.bias")) {
      assertThat(c3.weights().get(n).equals(e1.weights().get(n))).as("frozen %s", n).isTrue();
    }
    for (String n : List.of("blocks.1.attn.qkv.weight", "norm.weight", "projector.0.weight")) {
      assertThat(c3.weights().get(n).equals(c2.weights().containsKey(n) ? c2.weights().get(n) : e1.weights().get(n)))
          .as("trained %s", n).isFalse();
    }
    // the kept encoder is the EMA: between stage 2 and the online weights
    EncoderCheckpoint kept = EncoderCheckpoint.load(s3);
    assertThat(kept.file().getFileName().toString()).isEqualTo(EncoderCheckpoint.ENCODER_FILE);
    INDArray online = c3.weights().get("blocks.1.mlp.fc1.weight");
    INDArray start = e1.weights().get("blocks.1.mlp.fc1.weight");
    INDArray ema = kept.weights().get("blocks.1.mlp.fc1.weight");
    double dOnline = online.sub(start).norm2Number().doubleValue();
    double dEma = ema.sub(start).norm2Number().doubleValue();
    assertThat(dEma).isGreaterThan(0).isLessThan(dOnline);
    assertThat(c3.weights()).containsKey("target_projector.0.weight");

    // resume continues the run to a longer schedule end? Same schedule: ask for one more step from last.ckpt
    StageResult more = ContrastiveTuner.run(options(s2, s3, config(3, 3), true));
    assertThat(more.steps()).isEqualTo(3);
  }

  @Test
  void tuningNeedsAHeadUnlessHeadInitIsSkipped() {
    ContrastiveTuningConfig c = config(1, 1);
    assertThatThrownBy(() -> ContrastiveTuner.run(options(stage1, tmp.resolve("x"), c, false)))
        .hasMessageContaining("no NNCLR head");
    ContrastiveTuningConfig skip = c.withAblation(new ContrastiveTuningConfig.Ablation(0.5, true, false));
    StageResult r = ContrastiveTuner.run(options(stage1, tmp.resolve("skip"), skip, false));
    assertThat(r.steps()).isEqualTo(1);
    assertThat(r.lastLoss()).isFinite();
  }

  @Test
  void layerwiseLearningRateScalesFollowTheReference() {
    ContrastiveTuningConfig.Tuning t =
        new ContrastiveTuningConfig.Tuning(0, 1, 2e-4, 0.05, 0.65, -1, 1e-4, 1e-5, 20, 0.9999);
    List<ParamGroup> groups = ContrastiveTuner.paramGroups(t, 12);
    AdamW adam = new AdamW(0.9, 0.95, 1e-8, 0, groups, AdamW.DEFAULT_NO_DECAY);
    // encoder lr / head lr = 2; block i: 0.65^(12 - i); embeddings 0.65^13; final norm 1; head 1
    assertThat(adam.settings("blocks.11.mlp.fc1.weight").lrScale()).isCloseTo(2 * 0.65, within(1e-12));
    assertThat(adam.settings("blocks.6.attn.qkv.weight").lrScale()).isCloseTo(2 * Math.pow(0.65, 6), within(1e-12));
    assertThat(adam.settings("patch_embed.proj.weight").lrScale()).isCloseTo(2 * Math.pow(0.65, 13), within(1e-12));
    assertThat(adam.settings("norm.weight").lrScale()).isCloseTo(2.0, within(1e-12));
    assertThat(adam.settings("projector.0.weight").lrScale()).isEqualTo(1.0);
    assertThat(adam.settings("projector.0.weight").weightDecay()).isEqualTo(1e-5);
    assertThat(adam.settings("blocks.6.attn.qkv.weight").weightDecay()).isEqualTo(0.05);
    assertThat(adam.settings("blocks.6.attn.qkv.bias").weightDecay()).isEqualTo(0.0);
  }
}
