package org.maect.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maect.core.config.ViTConfig;
import org.maect.examples.cli.MaectCli;
import org.maect.samediff.train.Checkpoint;
import org.maect.samediff.vit.Params;
import org.maect.samediff.vit.VitEncoder;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** {@code ./maect head-init} then {@code ./maect tune} for a handful of steps on a tiny encoder. */
class ContrastiveCommandsTest {

  @TempDir Path tmp;

  @Test
  void headInitThenTuneFromTheCommandLine() throws Exception {
    ViTConfig vit = new ViTConfig(28, 7, 1, 16, 2, 2, 2.0);
    SameDiff sd = SameDiff.create();
    VitEncoder.build(new Params(sd, DataType.FLOAT, 1), vit, sd.placeHolder("x", DataType.FLOAT, -1, 1, 28, 28),
        null, "");
    Map<String, INDArray> w = new LinkedHashMap<>();
    for (String n : VitEncoder.parameterNames(vit)) w.put(n, sd.getVariable(n).getArr());
    Path s1 = tmp.resolve("s1");
    new Checkpoint(1, 0, 0, Map.of("encoder", vit), Map.of(), w, Map.of(), null)
        .write(s1.resolve("checkpoints").resolve("last.ckpt"));
    String[] common = {"--batch-size", "16", "--queue-size", "64", "--train-limit", "64", "--quiet"};
    int rc = MaectCli.execute(concat(new String[] {"head-init", "--from", s1.toString(), "--out",
        tmp.resolve("s2").toString(), "--steps", "2"}, common));
    assertThat(rc).isZero();
    rc = MaectCli.execute(concat(new String[] {"tune", "--from", tmp.resolve("s2").toString(), "--out",
        tmp.resolve("s3").toString(), "--steps", "2", "--top-k", "3"}, common));
    assertThat(rc).isZero();
    assertThat(Files.exists(tmp.resolve("s3/checkpoints/encoder.ckpt"))).isTrue();
    assertThat(ContrastiveTuningExample.stage1Of(tmp.resolve("s3"))).isEqualTo(s1);
    assertThat(Files.readString(tmp.resolve("s3/run.json"))).contains("\"topK\" : 3");
  }

  @Test
  void missingFromDirectoryIsAClearError() {
    int rc = MaectCli.execute("head-init", "--from", tmp.resolve("nope").toString(), "--out",
        tmp.resolve("o").toString(), "--quiet");
    assertThat(rc).isEqualTo(1);
  }

  private static String[] concat(String[] a, String[] b) {
    String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
