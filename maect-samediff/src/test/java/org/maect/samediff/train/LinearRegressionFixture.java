package org.maect.samediff.train;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.maect.core.train.SeededRandom;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** A tiny SameDiff linear regression ({@code loss = mean((x w + b - y)^2)}) and its data, for loop tests. */
final class LinearRegressionFixture {
  static final int N = 48;
  static final int D = 3;
  static final int BATCH = 8;

  /** Batch: rows of x and y. */
  record Batch(float[] x, float[] y, int size) {}

  final float[][] xs = new float[N][D];
  final float[] ys = new float[N];

  LinearRegressionFixture() {
    SeededRandom r = SeededRandom.of(7);
    double[] w = {1.5, -2.0, 0.5};
    for (int i = 0; i < N; i++) {
      double t = 0.3;
      for (int j = 0; j < D; j++) {
        xs[i][j] = (float) r.nextGaussian();
        t += w[j] * xs[i][j];
      }
      ys[i] = (float) t;
    }
  }

  /** The graph with weights initialised from {@code initSeed}. */
  static SameDiff graph(long initSeed) {
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, D);
    SDVariable y = sd.placeHolder("y", DataType.FLOAT, -1, 1);
    SeededRandom r = SeededRandom.of(initSeed);
    float[] w0 = new float[D];
    for (int j = 0; j < D; j++) w0[j] = (float) r.nextGaussian();
    SDVariable w = sd.var("fc.weight", Nd4j.create(w0, new long[] {D, 1}, 'c'));
    SDVariable b = sd.var("fc.bias", Nd4j.zeros(DataType.FLOAT, 1));
    SDVariable diff = x.mmul(w).add(b).sub(y);
    sd.mean("loss", diff.mul(diff));
    return sd;
  }

  /** Shuffled by epoch (seeded), {@code N / BATCH} batches per epoch. */
  BatchSource<Batch> source() {
    return new BatchSource<>() {
      @Override
      public int stepsPerEpoch() {
        return N / BATCH;
      }

      @Override
      public Iterator<Batch> epoch(int epoch) {
        int[] idx = new int[N];
        for (int i = 0; i < N; i++) idx[i] = i;
        SeededRandom.of(100 + epoch).shuffle(idx);
        List<Batch> out = new ArrayList<>();
        for (int s = 0; s < N / BATCH; s++) {
          float[] x = new float[BATCH * D];
          float[] y = new float[BATCH];
          for (int k = 0; k < BATCH; k++) {
            int i = idx[s * BATCH + k];
            System.arraycopy(xs[i], 0, x, k * D, D);
            y[k] = ys[i];
          }
          out.add(new Batch(x, y, BATCH));
        }
        return out.iterator();
      }
    };
  }

  /** Step function; adds label noise drawn from the step's RNG so RNG continuity matters for the curve. */
  static StepFunction<Batch> step(SameDiff sd) {
    return SameDiffStep.of(sd, "loss", (b, ctx) -> {
      float[] y = b.y().clone();
      for (int i = 0; i < y.length; i++) y[i] += (float) (0.05 * ctx.rng().nextGaussian());
      return Map.of("x", Nd4j.create(b.x(), new long[] {b.size(), D}, 'c'),
          "y", Nd4j.create(y, new long[] {b.size(), 1}, 'c'));
    }, Batch::size);
  }

  static INDArray arr(SameDiff sd, String name) {
    return sd.getArrForVarName(name);
  }
}
