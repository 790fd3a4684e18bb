package org.maect.eval.knn;

import java.util.Arrays;
import org.maect.eval.linalg.DotKernel;
import org.maect.eval.linalg.FloatPanels;
import org.maect.eval.linalg.Kernels;
import org.maect.eval.linalg.Parallel;

/**
 * Exact top-k cosine neighbours by blocked brute force: training rows are L2-normalised and packed
 * {@code trainBlock} at a time; each block of queries multiplies against the packed block and folds the
 * similarities into a per-query min-heap of size k. Memory is O(trainBlock · d + nQuery · k): the full
 * similarity matrix never exists. Parallel over query blocks.
 */
public final class NeighbourSearch {
  private NeighbourSearch() {}

  /** Inverse L2 norms ({@code 0} for zero rows, as {@code F.normalize} leaves them at zero). */
  static float[] inverseNorms(float[][] x) {
    float[] inv = new float[x.length];
    Parallel.forRange(
        x.length,
        Parallel.grain(x.length, 4),
        (a, b) -> {
          for (int i = a; i < b; i++) {
            double s = 0;
            for (float v : x[i]) s += (double) v * v;
            double n = Math.sqrt(s);
            inv[i] = n > 1e-12 ? (float) (1.0 / n) : 0f;
          }
        });
    return inv;
  }

  public static Neighbours search(float[][] train, float[][] queries, int k, int queryBlock, int trainBlock) {
    int n = train.length, nq = queries.length, d = train[0].length;
    if (k > n) {
      throw new IllegalArgumentException("k = " + k + " but there are only " + n + " training samples");
    }
    float[] invTrain = inverseNorms(train);
    float[] invQuery = inverseNorms(queries);
    float[][] heapSim = new float[nq][k];
    int[][] heapIdx = new int[nq][k];
    int[] heapSize = new int[nq];
    DotKernel kernel = Kernels.get();
    int qBlocks = (nq + queryBlock - 1) / queryBlock;
    float[] packBuf = null;
    for (int t0 = 0; t0 < n; t0 += trainBlock) {
      int t1 = Math.min(n, t0 + trainBlock);
      FloatPanels panels = FloatPanels.pack(train, t0, t1, invTrain, packBuf);
      packBuf = panels.data;
      final int base = t0;
      Parallel.forRange(
          qBlocks,
          1,
          (b0, b1) -> {
            float[] a = new float[queryBlock * d];
            float[] c = new float[4 * panels.width];
            for (int b = b0; b < b1; b++) {
              int q0 = b * queryBlock, q1 = Math.min(nq, q0 + queryBlock);
              int rowsPadded = (q1 - q0 + 3) / 4 * 4;
              java.util.Arrays.fill(a, 0, rowsPadded * d, 0f);
              for (int r = 0; r < q1 - q0; r++) {
                float[] q = queries[q0 + r];
                float s = invQuery[q0 + r];
                for (int j = 0; j < d; j++) a[r * d + j] = q[j] * s;
              }
              // panel outer, 4-row groups inner: the panel stays in L2 for the whole query block
              for (int p = 0; p < panels.panels; p++) {
                int col0 = p * panels.width;
                int cols = Math.min(panels.width, panels.n - col0);
                for (int g = 0; g < rowsPadded; g += 4) {
                  kernel.dot4(a, g * d, d, panels.data, p * d * panels.width, c, 0, panels.width);
                  int rows = Math.min(4, q1 - q0 - g);
                  for (int r = 0; r < rows; r++) {
                    int qi = q0 + g + r;
                    offer(heapSim[qi], heapIdx[qi], heapSize, qi, c, r * panels.width, cols, base + col0);
                  }
                }
              }
            }
          });
    }
    // Sort each heap: similarity descending, index ascending.
    Parallel.forRange(
        nq,
        Parallel.grain(nq, 4),
        (a, b) -> {
          for (int i = a; i < b; i++) sortDescending(heapSim[i], heapIdx[i]);
        });
    return new Neighbours(heapIdx, heapSim);
  }

  /** Folds {@code cols} similarities into a min-heap ordered by (sim asc, index desc). */
  private static void offer(float[] hs, int[] hi, int[] size, int q, float[] c, int off, int cols, int idx0) {
    int k = hs.length;
    int sz = size[q];
    for (int j = 0; j < cols; j++) {
      float s = c[off + j];
      if (sz < k) {
        // sift up
        int pos = sz++;
        while (pos > 0) {
          int parent = (pos - 1) >>> 1;
          if (less(s, idx0 + j, hs[parent], hi[parent])) {
            hs[pos] = hs[parent];
            hi[pos] = hi[parent];
            pos = parent;
          } else break;
        }
        hs[pos] = s;
        hi[pos] = idx0 + j;
      } else if (s > hs[0]) { // indices only grow, so an equal similarity never displaces
        siftDown(hs, hi, k, s, idx0 + j);
      }
    }
    size[q] = sz;
  }

  /** Heap order: a is "smaller" (worse) when its similarity is lower, or equal with a higher index. */
  private static boolean less(float s1, int i1, float s2, int i2) {
    return s1 < s2 || (s1 == s2 && i1 > i2);
  }

  private static void siftDown(float[] hs, int[] hi, int k, float s, int idx) {
    int pos = 0;
    while (true) {
      int l = 2 * pos + 1;
      if (l >= k) break;
      int r = l + 1;
      int m = (r < k && less(hs[r], hi[r], hs[l], hi[l])) ? r : l;
      if (less(hs[m], hi[m], s, idx)) {
        hs[pos] = hs[m];
        hi[pos] = hi[m];
        pos = m;
      } else break;
    }
    hs[pos] = s;
    hi[pos] = idx;
  }

  private static void sortDescending(float[] s, int[] idx) {
    int k = s.length;
    Integer[] order = new Integer[k];
    for (int i = 0; i < k; i++) order[i] = i;
    Arrays.sort(order, (x, y) -> s[x] != s[y] ? Float.compare(s[y], s[x]) : Integer.compare(idx[x], idx[y]));
    float[] s2 = new float[k];
    int[] i2 = new int[k];
    for (int i = 0; i < k; i++) {
      s2[i] = s[order[i]];
      i2[i] = idx[order[i]];
    }
    System.arraycopy(s2, 0, s, 0, k);
    System.arraycopy(i2, 0, idx, 0, k);
  }
}
