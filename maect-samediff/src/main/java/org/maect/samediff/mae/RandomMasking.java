package org.maect.samediff.mae;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * MAE's per-sample random masking ({@code random_masking} in facebookresearch/mae), done on the host:
 * per-sample uniform noise, {@code ids_shuffle = argsort(noise)} (ascending: small is kept),
 * {@code ids_restore = argsort(ids_shuffle)}, keep the first {@code K = int(L * (1 - ratio))}.
 *
 * <p>Shapes: B batch, L patches, K kept. The graph consumes {@link #keepOneHot}: {@code [B, K, L]} with
 * row k of sample b the one-hot of {@code ids_keep[b, k]}; multiplying by it is MAE's
 * {@code torch.gather(x, 1, ids_keep)}, its transpose scatters back (the un-shuffle), and both have exact
 * matmul gradients (SameDiff's own gather backward is broken, DESIGN.md). The argsort is done here because
 * ND4J's {@code top_k} is broken and slow; the noise can be given (golden tests feed PyTorch's).
 *
 * @param idsShuffle {@code [B][L]} patch indices sorted by noise
 * @param idsRestore {@code [B][L]} inverse permutation
 * @param numKeep K
 */
public record RandomMasking(int[][] idsShuffle, int[][] idsRestore, int numKeep) {

  /** Masks from per-sample noise {@code [B][L]}. */
  public static RandomMasking fromNoise(double[][] noise, int numKeep) {
    int b = noise.length;
    int l = noise[0].length;
    if (numKeep < 1 || numKeep > l) {
      throw new IllegalArgumentException("numKeep must be in [1, " + l + "], got " + numKeep);
    }
    int[][] shuffle = new int[b][];
    int[][] restore = new int[b][l];
    for (int s = 0; s < b; s++) {
      double[] n = noise[s];
      if (n.length != l) throw new IllegalArgumentException("noise rows differ in length at " + s);
      shuffle[s] = argsort(n);
      for (int i = 0; i < l; i++) restore[s][shuffle[s][i]] = i;
    }
    return new RandomMasking(shuffle, restore, numKeep);
  }

  /** Masks from fresh uniform noise. */
  public static RandomMasking sample(int batch, int numPatches, int numKeep, SplittableRandom rng) {
    double[][] noise = new double[batch][numPatches];
    for (double[] row : noise) for (int i = 0; i < row.length; i++) row[i] = rng.nextDouble();
    return fromNoise(noise, numKeep);
  }

  /** Stable ascending argsort. */
  static int[] argsort(double[] v) {
    Integer[] idx = new Integer[v.length];
    for (int i = 0; i < idx.length; i++) idx[i] = i;
    Arrays.sort(idx, (a, c) -> Double.compare(v[a], v[c]));
    int[] out = new int[v.length];
    for (int i = 0; i < out.length; i++) out[i] = idx[i];
    return out;
  }

  public int batch() {
    return idsShuffle.length;
  }

  public int numPatches() {
    return idsShuffle[0].length;
  }

  /** {@code ids_keep[b][k] = ids_shuffle[b][k]} for k < K. */
  public int keptPatch(int b, int k) {
    return idsShuffle[b][k];
  }

  /** MAE's binary mask in original patch order: 0 kept, 1 removed. */
  public boolean removed(int b, int patch) {
    return idsRestore[b][patch] >= numKeep;
  }

  /** {@code [B, K, L]} one-hot rows of ids_keep. */
  public INDArray keepOneHot(DataType type) {
    int b = batch();
    int l = numPatches();
    float[] buf = new float[b * numKeep * l];
    for (int s = 0; s < b; s++) {
      for (int k = 0; k < numKeep; k++) buf[(s * numKeep + k) * l + idsShuffle[s][k]] = 1f;
    }
    return Nd4j.create(buf, new long[] {b, numKeep, l}, DataType.FLOAT).castTo(type);
  }

  /** {@code [B, L]} mask, 0 kept, 1 removed (MAE's {@code mask}). */
  public float[][] mask() {
    float[][] m = new float[batch()][numPatches()];
    for (int s = 0; s < m.length; s++) for (int i = 0; i < m[s].length; i++) m[s][i] = removed(s, i) ? 1f : 0f;
    return m;
  }
}
