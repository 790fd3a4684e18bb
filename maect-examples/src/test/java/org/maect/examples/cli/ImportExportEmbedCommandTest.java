package org.maect.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maect.core.config.ViTConfig;
import org.maect.core.config.MaeConfig;
import org.maect.core.io.Npy;
import org.maect.core.io.weights.MaeArchitecture;
import org.maect.core.io.weights.MaeWeightExport;
import org.maect.core.io.weights.MaeWeightImport;
import org.maect.core.io.weights.Safetensors;
import org.maect.core.io.weights.StateDict;
import org.maect.samediff.io.GraphWeights;
import org.maect.samediff.mae.MaeModel;
import org.maect.samediff.train.Checkpoint;
import org.maect.samediff.vit.SinCosPosEmbed;
import org.maect.samediff.vit.Params;
import org.maect.samediff.vit.VitEncoder;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** ./maect import / export / embed end to end on the committed fixtures (tools/golden/io_reference.py). */
class ImportExportEmbedCommandTest {
  @TempDir Path tmp;

  private static Path golden(String name) {
    return Path.of("..", "maect-core", "src", "test", "resources", "golden", "io", name);
  }

  private record Run(int code, String out, String err) {}

  private static Run cli(String... args) {
    PrintStream so = System.out;
    PrintStream se = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int code = MaectCli.execute(args);
      return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(so);
      System.setErr(se);
    }
  }

  /** A float32 .npy of any shape (Npy writes 2-D only; images need 4-D). */
  private static void writeNpy(Path f, long[] shape, float[] data) throws IOException {
    StringBuilder sh = new StringBuilder();
    for (long s : shape) sh.append(s).append(", ");
    String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + sh + "), }";
    int pad = (64 - (10 + dict.length() + 1) % 64) % 64;
    String header = dict + " ".repeat(pad) + "\n";
    ByteBuffer b = ByteBuffer.allocate(10 + header.length() + 4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) header.length());
    b.put(header.getBytes(StandardCharsets.ISO_8859_1));
    b.asFloatBuffer().put(data);
    Files.write(f, b.array());
  }

  @Test
  void importExportAndEmbedImagesReproduceTheReferenceClsFeatures() throws IOException {
    Path run = tmp.resolve("run");
    Run imp = cli("import", "--from", golden("tiny_mae_timm.pth").toString(), "--out", run.toString(), "--heads", "2",
        "--decoder-heads", "2");
    assertThat(imp.code()).as(imp.err()).isZero();
    assertThat(imp.out()).contains("TIMM_MAE layout").contains("decoder MaeConfig");
    assertThat(run.resolve("checkpoints/last.ckpt")).isRegularFile();
    assertThat(run.resolve("run.json")).isRegularFile();
    Run again = cli("import", "--from", golden("tiny_mae_timm.pth").toString(), "--out", run.toString(), "--heads", "2",
        "--decoder-heads", "2");
    assertThat(again.code()).isEqualTo(1);
    assertThat(again.err()).contains("already exists; choose another --out or pass --force");

    Path st = tmp.resolve("enc.safetensors");
    Run exp = cli("export", "--from", run.toString(), "--to", st.toString());
    assertThat(exp.code()).as(exp.err()).isZero();
    StateDict original = MaeWeightImport.load(golden("tiny_mae_timm.pth"), 2, 2).weights();
    StateDict exported = MaeWeightImport.load(st).weights();
    exported.names().forEach(n -> assertThat(exported.get(n)).as(n).isEqualTo(original.get(n)));

    StateDict expected = Safetensors.read(golden("tiny_mae_expected.safetensors"));
    Path x = tmp.resolve("x.npy");
    writeNpy(x, new long[] {4, 3, 16, 16}, expected.get("input").data());
    Path y = tmp.resolve("y.npy");
    Run emb = cli("embed", "--checkpoint", run.toString(), "--images", x.toString(), "--out", y.toString(), "--batch-size", "3");
    assertThat(emb.code()).as(emb.err()).isZero();
    float[][] f = Npy.readMatrix(y);
    assertThat(f).hasDimensions(4, 16);
    float[] tokens = expected.get("tokens_timm").data(); // [4, 17, 16]: CLS is token 0
    for (int b = 0; b < 4; b++) {
      for (int d = 0; d < 16; d++) {
        float ref = tokens[b * 17 * 16 + d];
        assertThat((double) f[b][d]).as("feature[%d][%d]", b, d).isCloseTo(ref, org.assertj.core.data.Offset.offset(1e-5 + 1e-4 * Math.abs(ref)));
      }
    }
  }

  @Test
  void embedDatasetWritesOneRowPerTestImageAndLabels() throws IOException {
    // a random 28x28x1 encoder, saved as a checkpoint the way the stages save theirs
    ViTConfig cfg = new ViTConfig(28, 7, 1, 16, 1, 2, 2.0);
    SameDiff sd = SameDiff.create();
    VitEncoder.build(new Params(sd, DataType.FLOAT, 1), cfg, sd.placeHolder("images", DataType.FLOAT, -1, 1, 28, 28), null, "");
    Map<String, INDArray> w = new LinkedHashMap<>();
    VitEncoder.parameterNames(cfg).forEach(n -> w.put(n, sd.getArrForVarName(n)));
    Path ckpt = tmp.resolve("c.ckpt");
    new Checkpoint(5, 1, 0L, Map.of("encoder", cfg, "pooling", "mean"), Map.of(), w, Map.of(), null).write(ckpt);
    Path y = tmp.resolve("f.npy");
    Path labels = tmp.resolve("l.npy");
    Run r = cli("embed", "--checkpoint", ckpt.toString(), "--dataset", "fashion-mnist", "--split", "test", "--out", y.toString(),
        "--labels-out", labels.toString(), "--batch-size", "1000");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("10000 x 16 features (MEAN_PATCH pooling)");
    assertThat(Npy.header(y).shape()).containsExactly(10000, 16);
    assertThat(Npy.readLabels(labels)).hasSize(10000);
  }

  @Test
  void importedWeightsAreAStageOneRunThatHeadInitAndTuneStartFrom() throws IOException {
    // a PyTorch-layout MAE for Fashion-MNIST shapes (random weights), with decoder, as safetensors
    ViTConfig vit = new ViTConfig(28, 7, 1, 16, 2, 2, 2.0);
    MaeConfig mc = new MaeConfig(vit, 8, 1, 2, 0.75, true);
    MaeModel model = new MaeModel(mc, DataType.FLOAT, 3);
    StateDict sd = new StateDict();
    model.parameters().forEach((n, a) -> sd.put(n, GraphWeights.toTensor(a)));
    sd.put("pos_embed", GraphWeights.toTensor(VitEncoder.posEmbed(vit, DataType.FLOAT)));
    double[][] dec = SinCosPosEmbed.table(8, vit.gridSize(), true);
    sd.put("decoder_pos_embed", GraphWeights.toTensor(Nd4j.create(dec).castTo(DataType.FLOAT).reshape(1, dec.length, 8)));
    MaeArchitecture arch = new MaeArchitecture(28, 7, 1, 16, 2, 2, 32, 8, 1, 2, 32, 1e-6, true);
    Path file = tmp.resolve("mae.safetensors");
    MaeWeightExport.write(file, sd, arch, true, Map.of());

    Path s1 = tmp.resolve("s1");
    Run imp = cli("import", "--from", file.toString(), "--out", s1.toString());
    assertThat(imp.code()).as(imp.err()).isZero();
    String[] common = {"--batch-size", "16", "--queue-size", "64", "--train-limit", "64", "--quiet"};
    Run head = cli(concat(new String[] {"head-init", "--from", s1.toString(), "--out", tmp.resolve("s2").toString(), "--steps", "2"}, common));
    assertThat(head.code()).as(head.err()).isZero();
    Run tune = cli(concat(new String[] {"tune", "--from", tmp.resolve("s2").toString(), "--out", tmp.resolve("s3").toString(), "--steps", "2"}, common));
    assertThat(tune.code()).as(tune.err()).isZero();
    Path out = tmp.resolve("tuned.safetensors");
    Run exp = cli("export", "--from", tmp.resolve("s3").toString(), "--to", out.toString());
    assertThat(exp.code()).as(exp.err()).isZero();
    assertThat(exp.out()).contains("encoder.ckpt"); // the EMA encoder contrastive tuning keeps
    assertThat(MaeWeightImport.load(out).architecture()).usingRecursiveComparison().ignoringFields("normPixLoss").isEqualTo(arch.encoderOnly());
  }

  private static String[] concat(String[] a, String[] b) {
    String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  @Test
  void hostileOrMismatchedInputsFailWithExitCodeOneAndAMessage() throws IOException {
    Run evil = cli("import", "--from", golden("hostile/evil_global.pth").toString(), "--out", tmp.resolve("r").toString());
    assertThat(evil.code()).isEqualTo(1);
    assertThat(evil.err()).contains("global 'posix.system' is not allowed");
    Run heads = cli("import", "--from", golden("tiny_mae_timm.pth").toString(), "--out", tmp.resolve("r").toString());
    assertThat(heads.code()).isEqualTo(1);
    assertThat(heads.err()).contains("--heads");
    Run both = cli("embed", "--checkpoint", tmp.toString(), "--dataset", "mnist", "--images", "x.npy", "--out", "y.npy");
    assertThat(both.code()).isNotZero();
    Run noRun = cli("export", "--from", tmp.toString(), "--to", tmp.resolve("z.safetensors").toString());
    assertThat(noRun.code()).isEqualTo(1);
    assertThat(noRun.err()).contains("has no checkpoints/encoder.ckpt or checkpoints/last.ckpt");
  }
}
