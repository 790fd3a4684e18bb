package org.maect.examples;

import org.maect.samediff.nnclr.TopKNeighbourSampler;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Weighted k-NN classification on L2-normalised features (the MAE-CT / DINO protocol): the k most
 * cosine-similar training samples vote for their class with weight {@code exp(sim / T)}, T = 0.07.
 *
 * <p>Similarities by ND4J matrix products in chunks of test rows; neighbour selection with the plain-Java
 * {@link TopKNeighbourSampler#topK}.
 */
public final class CosineKnn {

  private CosineKnn() {}

  /** Accuracy of weighted k-NN of {@code test} against {@code train}. */
  public static double accuracy(float[][] train, int[] trainLabels, float[][] test, int[] testLabels, int k,
      double temperature, int numClasses) {
    INDArray tr = normalized(train); // (N, D)
    int correct = 0;
    int chunk = 512;
    for (int from = 0; from < test.length; from += chunk) {
      int to = Math.min(test.length, from + chunk);
      float[][] part = java.util.Arrays.copyOfRange(test, from, to);
      INDArray sim = normalized(part).mmul(tr.transpose()); // (n, D) x (D, N) -> (n, N)
      float[] s = sim.dup('c').data().asFloat();
      int n = to - from;
      int[] top = TopKNeighbourSampler.topK(s, n, train.length, k);
      for (int i = 0; i < n; i++) {
        double[] votes = new double[numClasses];
        for (int j = 0; j < k; j++) {
          int idx = top[i * k + j];
          votes[trainLabels[idx]] += Math.exp(s[i * train.length + idx] / temperature);
        }
        int best = 0;
        for (int c = 1; c < numClasses; c++) if (votes[c] > votes[best]) best = c;
        if (best == testLabels[from + i]) correct++;
      }
    }
    return correct / (double) test.length;
  }

  private static INDArray normalized(float[][] x) {
    INDArray a = Nd4j.create(x);
    INDArray norms = a.norm2(1).reshape(-1, 1).addi(1e-12);
    return a.diviColumnVector(norms);
  }
}
