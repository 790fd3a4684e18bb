package org.maect.eval.linalg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The Vector API kernels agree with the plain-Java ones and with a naive product. */
class KernelsTest {

  @Test
  void gemmMatchesNaiveProductForOddShapes() {
    SplittableRandom r = new SplittableRandom(1);
    int m = 67, n = 45, d = 13;
    float[] a = new float[m * d], b = new float[n * d];
    for (int i = 0; i < a.length; i++) a[i] = (float) r.nextGaussian();
    for (int i = 0; i < b.length; i++) b[i] = (float) r.nextGaussian();
    FloatPanels p = FloatPanels.pack(b, n, d);
    float[] c = new float[m * p.paddedN()];
    Gemm.abt(a, m, d, p, c, p.paddedN(), true);
    double[] ad = new double[m * d], bd = new double[n * d];
    for (int i = 0; i < ad.length; i++) ad[i] = a[i];
    for (int i = 0; i < bd.length; i++) bd[i] = b[i];
    DoublePanels pd = DoublePanels.pack(bd, n, d);
    double[] cd = new double[m * pd.paddedN()];
    Gemm.abt(ad, m, d, pd, cd, pd.paddedN(), false);
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int k = 0; k < d; k++) s += (double) a[i * d + k] * b[j * d + k];
        assertThat((double) c[i * p.paddedN() + j]).isCloseTo(s, within(1e-4));
        assertThat(cd[i * pd.paddedN() + j]).isCloseTo(s, within(1e-12));
      }
      for (int j = n; j < p.paddedN(); j++) assertThat(c[i * p.paddedN() + j]).isZero();
    }
  }

  @Test
  void vectorAndScalarPathKernelsAgree() {
    PathKernel vec = PathKernel.get();
    PathKernel sc = new ScalarPathKernel();
    SplittableRandom r = new SplittableRandom(2);
    for (int trial = 0; trial < 500; trial++) {
      int m = 1 + r.nextInt(40);
      double[] cost = new double[m], v = new double[m], minv1 = new double[m], way1 = new double[m];
      boolean[] open = new boolean[m], free = new boolean[m];
      for (int j = 0; j < m; j++) {
        cost[j] = r.nextInt(4); // ties
        v[j] = r.nextInt(3) - 1;
        minv1[j] = r.nextBoolean() ? Double.POSITIVE_INFINITY : r.nextInt(5);
        way1[j] = r.nextInt(m);
        open[j] = r.nextInt(4) != 0;
        free[j] = r.nextBoolean();
      }
      double[] minv2 = minv1.clone(), way2 = way1.clone();
      int a = vec.relax(cost, 0, m, 0.5, v, minv1, way1, -1, open, free);
      int b = sc.relax(cost, 0, m, 0.5, v, minv2, way2, -1, open, free);
      assertThat(a).isEqualTo(b);
      assertThat(minv1).containsExactly(minv2);
      assertThat(way1).containsExactly(way2);
    }
  }

  @Test
  void scalarFallbackKernelMatchesTheActiveKernel() {
    DotKernel active = Kernels.get();
    DotKernel scalar = new ScalarDotKernel();
    SplittableRandom r = new SplittableRandom(3);
    int d = 37;
    float[] a = new float[4 * d];
    for (int i = 0; i < a.length; i++) a[i] = (float) r.nextGaussian();
    for (DotKernel k : new DotKernel[] {active, scalar}) {
      int w = k.floatPanelWidth();
      float[] panel = new float[d * w];
      for (int i = 0; i < panel.length; i++) panel[i] = (float) Math.sin(i);
      float[] c = new float[4 * w];
      k.dot4(a, 0, d, panel, 0, c, 0, w);
      for (int row = 0; row < 4; row++) {
        for (int j = 0; j < w; j++) {
          double s = 0;
          for (int t = 0; t < d; t++) s += (double) a[row * d + t] * panel[t * w + j];
          assertThat((double) c[row * w + j]).as(k.name()).isCloseTo(s, within(1e-4));
        }
      }
    }
  }
}
