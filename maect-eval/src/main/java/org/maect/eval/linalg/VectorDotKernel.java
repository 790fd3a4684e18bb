package org.maect.eval.linalg;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link DotKernel} on the JDK Vector API: a 4-row x 2-vector register block with fused multiply-add.
 * Loaded reflectively by {@link Kernels} only when the {@code jdk.incubator.vector} module is present.
 */
final class VectorDotKernel implements DotKernel {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
  private static final int FL = F.length();
  private static final int DL = D.length();

  @Override
  public int floatPanelWidth() {
    return 2 * FL;
  }

  @Override
  public int doublePanelWidth() {
    return 2 * DL;
  }

  @Override
  public void dot4(float[] a, int aOff, int d, float[] panel, int pOff, float[] c, int cOff, int ldc) {
    final int p = 2 * FL;
    FloatVector c00 = FloatVector.zero(F), c01 = FloatVector.zero(F);
    FloatVector c10 = FloatVector.zero(F), c11 = FloatVector.zero(F);
    FloatVector c20 = FloatVector.zero(F), c21 = FloatVector.zero(F);
    FloatVector c30 = FloatVector.zero(F), c31 = FloatVector.zero(F);
    int a0 = aOff, a1 = aOff + d, a2 = aOff + 2 * d, a3 = aOff + 3 * d;
    for (int k = 0, bo = pOff; k < d; k++, bo += p) {
      FloatVector b0 = FloatVector.fromArray(F, panel, bo);
      FloatVector b1 = FloatVector.fromArray(F, panel, bo + FL);
      FloatVector x = FloatVector.broadcast(F, a[a0 + k]);
      c00 = x.fma(b0, c00);
      c01 = x.fma(b1, c01);
      x = FloatVector.broadcast(F, a[a1 + k]);
      c10 = x.fma(b0, c10);
      c11 = x.fma(b1, c11);
      x = FloatVector.broadcast(F, a[a2 + k]);
      c20 = x.fma(b0, c20);
      c21 = x.fma(b1, c21);
      x = FloatVector.broadcast(F, a[a3 + k]);
      c30 = x.fma(b0, c30);
      c31 = x.fma(b1, c31);
    }
    c00.intoArray(c, cOff);
    c01.intoArray(c, cOff + FL);
    c10.intoArray(c, cOff + ldc);
    c11.intoArray(c, cOff + ldc + FL);
    c20.intoArray(c, cOff + 2 * ldc);
    c21.intoArray(c, cOff + 2 * ldc + FL);
    c30.intoArray(c, cOff + 3 * ldc);
    c31.intoArray(c, cOff + 3 * ldc + FL);
  }

  @Override
  public void dot4(double[] a, int aOff, int d, double[] panel, int pOff, double[] c, int cOff, int ldc) {
    final int p = 2 * DL;
    DoubleVector c00 = DoubleVector.zero(D), c01 = DoubleVector.zero(D);
    DoubleVector c10 = DoubleVector.zero(D), c11 = DoubleVector.zero(D);
    DoubleVector c20 = DoubleVector.zero(D), c21 = DoubleVector.zero(D);
    DoubleVector c30 = DoubleVector.zero(D), c31 = DoubleVector.zero(D);
    int a0 = aOff, a1 = aOff + d, a2 = aOff + 2 * d, a3 = aOff + 3 * d;
    for (int k = 0, bo = pOff; k < d; k++, bo += p) {
      DoubleVector b0 = DoubleVector.fromArray(D, panel, bo);
      DoubleVector b1 = DoubleVector.fromArray(D, panel, bo + DL);
      DoubleVector x = DoubleVector.broadcast(D, a[a0 + k]);
      c00 = x.fma(b0, c00);
      c01 = x.fma(b1, c01);
      x = DoubleVector.broadcast(D, a[a1 + k]);
      c10 = x.fma(b0, c10);
      c11 = x.fma(b1, c11);
      x = DoubleVector.broadcast(D, a[a2 + k]);
      c20 = x.fma(b0, c20);
      c21 = x.fma(b1, c21);
      x = DoubleVector.broadcast(D, a[a3 + k]);
      c30 = x.fma(b0, c30);
      c31 = x.fma(b1, c31);
    }
    c00.intoArray(c, cOff);
    c01.intoArray(c, cOff + DL);
    c10.intoArray(c, cOff + ldc);
    c11.intoArray(c, cOff + ldc + DL);
    c20.intoArray(c, cOff + 2 * ldc);
    c21.intoArray(c, cOff + 2 * ldc + DL);
    c30.intoArray(c, cOff + 3 * ldc);
    c31.intoArray(c, cOff + 3 * ldc + DL);
  }

  @Override
  public String name() {
    return "vector(" + FL + " floats, " + DL + " doubles)";
  }
}
