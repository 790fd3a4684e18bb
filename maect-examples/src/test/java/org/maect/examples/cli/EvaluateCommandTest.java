package org.maect.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maect.core.io.Npy;

/** The CLI contract of {@code ./maect evaluate} on CSV and on .npy inputs. */
class EvaluateCommandTest {
  @TempDir Path tmp;

  /** Two well-separated classes with labels 3 and 7. */
  private static float[][] blobs(int n, int[] y, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[][] x = new float[n][4];
    for (int i = 0; i < n; i++) {
      y[i] = i % 2 == 0 ? 3 : 7;
      for (int j = 0; j < 4; j++) x[i][j] = (float) ((y[i] == 3 ? 2 : -2) + r.nextDouble() - 0.5);
    }
    return x;
  }

  private static String csv(float[][] x, int[] y) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < x.length; i++) {
      b.append(y[i]);
      for (float v : x[i]) b.append(',').append(v);
      b.append('\n');
    }
    return b.toString();
  }

  private static final String[] FAST = {
    "--k", "1,5", "--probe-epochs", "3", "--probe-warmup", "1", "--probe-batch", "16", "--restarts", "2", "--silhouette-sample", "0"
  };

  @Test
  void csvInputWritesEveryContractKey() throws Exception {
    int[] ytr = new int[80], yte = new int[40];
    float[][] xtr = blobs(80, ytr, 1), xte = blobs(40, yte, 2);
    Path tr = Files.writeString(tmp.resolve("train.csv"), csv(xtr, ytr));
    Path te = Files.writeString(tmp.resolve("test.csv"), csv(xte, yte));
    Path out = tmp.resolve("r.json");
    String[] args = concat(new String[] {"evaluate", "--train", tr.toString(), "--test", te.toString(), "--json", out.toString()}, FAST);
    assertThat(MaectCli.execute(args)).isZero();
    JsonNode j = new ObjectMapper().readTree(out.toFile());
    assertThat(j.get("knn").get("1").asDouble()).isEqualTo(1.0);
    assertThat(j.get("linear_probe").asDouble()).isEqualTo(1.0);
    assertThat(j.get("lowshot").get("5").asDouble()).isEqualTo(1.0);
    assertThat(j.get("kmeans").get("cluster_acc").asDouble()).isEqualTo(1.0);
    assertThat(j.get("kmeans").get("k").asInt()).isEqualTo(2);
    assertThat(j.get("silhouette").get("euclidean").asDouble()).isGreaterThan(0.5);
  }

  @Test
  void npyInputWithLabelFiles() throws Exception {
    int[] ytr = new int[80], yte = new int[40];
    float[][] xtr = blobs(80, ytr, 3), xte = blobs(40, yte, 4);
    Path ftr = tmp.resolve("tr.npy"), fte = tmp.resolve("te.npy"), ltr = tmp.resolve("ltr.npy"), lte = tmp.resolve("lte.npy");
    Npy.write(ftr, xtr);
    Npy.write(fte, xte);
    Npy.write(ltr, ytr);
    Npy.write(lte, java.util.Arrays.stream(yte).asLongStream().toArray());
    Path out = tmp.resolve("r.json");
    String[] args = concat(new String[] {"evaluate", "--train", ftr.toString(), "--train-labels", ltr.toString(),
        "--test", fte.toString(), "--test-labels", lte.toString(), "--json", out.toString(), "--skip", "probe,lowshot"}, FAST);
    assertThat(MaectCli.execute(args)).isZero();
    JsonNode j = new ObjectMapper().readTree(out.toFile());
    assertThat(j.has("linear_probe")).isFalse();
    assertThat(j.get("knn").get("5").asDouble()).isEqualTo(1.0);
  }

  @Test
  void badInputsFailWithExitCodeOne() throws Exception {
    Path tr = Files.writeString(tmp.resolve("train.csv"), "0,1,2\n1,3,4\n");
    Path te = Files.writeString(tmp.resolve("test.csv"), "0,1,2\n5,3,4\n"); // label 5 not in train
    assertThat(MaectCli.execute("evaluate", "--train", tr.toString(), "--test", te.toString(), "--k", "1")).isEqualTo(1);
    Path ragged = Files.writeString(tmp.resolve("r.csv"), "0,1,2\n1,3\n");
    assertThat(MaectCli.execute("evaluate", "--train", ragged.toString(), "--test", tr.toString())).isEqualTo(1);
    Path nan = Files.writeString(tmp.resolve("n.csv"), "0,NaN,2\n1,3,4\n");
    assertThat(MaectCli.execute("evaluate", "--train", nan.toString(), "--test", tr.toString(), "--k", "1")).isEqualTo(1);
  }

  private static String[] concat(String[] a, String[] b) {
    String[] o = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, o, a.length, b.length);
    return o;
  }
}
