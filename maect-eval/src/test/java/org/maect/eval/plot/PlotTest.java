package org.maect.eval.plot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maect.eval.metrics.ConfusionMatrix;

class PlotTest {
  @TempDir Path tmp;

  private static float[][] blobs(int perClass, int classes, int d, int[] y, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[][] x = new float[perClass * classes][d];
    for (int i = 0; i < x.length; i++) {
      y[i] = i % classes;
      for (int j = 0; j < d; j++) x[i][j] = (float) ((j == y[i] ? 8 : 0) + r.nextDouble() - 0.5);
    }
    return x;
  }

  @Test
  void confusionMatrixAndScatterAreWrittenAsPng() throws Exception {
    int[] y = {0, 0, 1, 1, 2, 2, 2};
    int[] p = {0, 1, 1, 1, 2, 2, 0};
    ConfusionMatrix cm = ConfusionMatrix.of(y, p);
    assertThat(cm.counts()[0]).containsExactly(1, 1, 0);
    assertThat(cm.counts()[2]).containsExactly(1, 0, 2);
    Path png = tmp.resolve("cm.png");
    ConfusionMatrixPlot.write(png, cm.counts(), new String[] {"a", "b", "c"}, null, "test");
    BufferedImage img = ImageIO.read(png.toFile());
    assertThat(img.getWidth()).isGreaterThan(100);
    Path sc = tmp.resolve("s.png");
    ScatterPlot.write(sc, new float[][] {{0, 0}, {1, 1}, {2, 0}}, new int[] {5, 5, 9}, null, "scatter");
    assertThat(ImageIO.read(sc.toFile()).getHeight()).isGreaterThan(100);
    assertThatThrownBy(() -> ScatterPlot.write(sc, new float[][] {{0, 0}}, new int[] {1, 2}, null, ""))
        .hasMessageContaining("1 points but 2 labels");
  }

  @Test
  void affinitiesHaveTheRequestedPerplexityAndSumToOne() {
    int[] y = new int[60];
    float[][] x = blobs(20, 3, 5, y, 1);
    float[] p = Tsne.affinities(x, 60, 5, 10);
    double total = 0;
    for (float v : p) total += v;
    assertThat(total).isCloseTo(1.0, within(1e-4));
    assertThat(p[0]).isZero();
    assertThat(p[1 * 60 + 2]).isEqualTo(p[2 * 60 + 1]);
  }

  @Test
  void tsneKeepsSeparatedClustersApart() {
    int[] y = new int[150];
    float[][] x = blobs(50, 3, 10, y, 2);
    float[][] e = Tsne.embed(x, new Tsne.Config(15, 400, 100, 12, 0, 3L));
    // leave-one-out 1-NN (euclidean) in the 2-D embedding recovers every class
    for (int i = 0; i < e.length; i++) {
      int best = -1;
      double bd = Double.POSITIVE_INFINITY;
      for (int j = 0; j < e.length; j++) {
        if (j == i) continue;
        double dx = e[i][0] - e[j][0], dy = e[i][1] - e[j][1], dd = dx * dx + dy * dy;
        if (dd < bd) {
          bd = dd;
          best = j;
        }
      }
      assertThat(y[best]).as("nearest neighbour of " + i).isEqualTo(y[i]);
    }
    // and the classes are far apart relative to their spread: silhouette of the embedding is high
    assertThat(org.maect.eval.metrics.Silhouette.score(e, y, org.maect.eval.metrics.Silhouette.Metric.EUCLIDEAN)).isGreaterThan(0.7);
  }

  @Test
  void tsneGradientMatchesFiniteDifferencesOfKl() {
    int[] y = new int[12];
    float[][] x = blobs(4, 3, 4, y, 5);
    int n = x.length;
    float[] p = Tsne.affinities(x, n, 4, 3);
    SplittableRandom r = new SplittableRandom(9);
    double[] e = new double[2 * n];
    for (int i = 0; i < e.length; i++) e[i] = r.nextGaussian();
    double[] g = new double[2 * n], dummy = new double[2 * n];
    Tsne.gradient(p, e, n, 1.0, g, false);
    for (int i = 0; i < e.length; i++) {
      double h = 1e-6, o = e[i];
      e[i] = o + h;
      double fp = Tsne.gradient(p, e, n, 1.0, dummy, true);
      e[i] = o - h;
      double fm = Tsne.gradient(p, e, n, 1.0, dummy, true);
      e[i] = o;
      assertThat(g[i]).isCloseTo((fp - fm) / (2 * h), within(1e-5));
    }
  }
}
