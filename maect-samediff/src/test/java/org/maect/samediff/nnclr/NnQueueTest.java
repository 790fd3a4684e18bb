package org.maect.samediff.nnclr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NnQueueTest {

  private static float[] rows(float... v) {
    return v;
  }

  @Test
  void initialEntriesAreRandomUnitVectorsWithoutIds() {
    NnQueue q = new NnQueue(64, 8, new SplittableRandom(1));
    float[] v = q.vectorsCopy();
    for (int r = 0; r < 64; r++) {
      double s = 0;
      for (int c = 0; c < 8; c++) s += v[r * 8 + c] * v[r * 8 + c];
      assertThat(s).isCloseTo(1.0, within(1e-5));
    }
    assertThat(q.idsCopy()).containsOnly(-1L);
    assertThat(q.labelsCopy()).containsOnly(-1);
    assertThat(v[0]).isNotEqualTo(v[8]);
  }

  @Test
  void enqueueIsFifoAndWrapsAround() {
    NnQueue q = new NnQueue(5, 2, new SplittableRandom(2));
    q.enqueue(rows(1, 0, 0, 1, 1, 0), 3, new long[] {10, 11, 12}, new int[] {0, 1, 2});
    assertThat(q.pointer()).isEqualTo(3);
    assertThat(q.idsCopy()).containsExactly(10, 11, 12, -1, -1);
    q.enqueue(rows(0, 1, 1, 0, 0, 1), 3, new long[] {13, 14, 15}, new int[] {3, 4, 5});
    // 13, 14 fill slots 3, 4; 15 overwrites the oldest entry (slot 0)
    assertThat(q.idsCopy()).containsExactly(15, 11, 12, 13, 14);
    assertThat(q.labelsCopy()).containsExactly(5, 1, 2, 3, 4);
    assertThat(q.pointer()).isEqualTo(1);
    float[] v = q.vectorsCopy();
    assertThat(new float[] {v[0], v[1], v[6], v[7], v[8], v[9]}).containsExactly(0, 1, 0, 1, 1, 0);
  }

  @Test
  void ownSampleGetsSimilarityMinusOneAndIsNotPicked() {
    NnQueue q = new NnQueue(new float[] {1, 0, 0.8f, 0.6f, 0, 1}, new long[] {7, 8, 9}, new int[] {0, 1, 2}, 0);
    float[] query = {1, 0};
    float[] sim = q.similarities(query, 1, new long[] {7});
    assertThat(sim).containsExactly(-1f, 0.8f, 0f);
    NnQueue.Lookup nn = q.lookup(query, 1, new long[] {7}, 1, new int[] {0});
    assertThat(nn.indices()).containsExactly(1);
    assertThat(nn.neighbours()).containsExactly(0.8f, 0.6f);
    // another sample id: its exact match wins
    assertThat(q.lookup(query, 1, new long[] {99}, 1, new int[] {0}).indices()).containsExactly(0);
  }

  @Test
  void streamedLookupPicksWhatTheSamplerPicksOnTheFullSimilarities() {
    int size = 300;
    int dim = 8;
    int n = 256; // n x size above the parallel threshold (rows in parallel when ND4J has more than one thread)
    SplittableRandom rng = new SplittableRandom(4);
    NnQueue q = new NnQueue(size, dim, rng);
    float[] v = new float[n * dim];
    for (int i = 0; i < v.length; i++) v[i] = (float) rng.nextGaussian();
    long[] ids = new long[n];
    for (int r = 0; r < n; r++) ids[r] = r % 40; // repeated ids: several own entries per query, one identical
    NnQueue.l2NormalizeRows(v, n, dim);
    q.enqueue(java.util.Arrays.copyOf(v, size * dim), size, java.util.Arrays.copyOf(ids, size), new int[size]);
    for (int k : new int[] {1, 5, 20}) {
      int[] dice = TopKNeighbourSampler.dice(n, k, new SplittableRandom(k));
      // the reference: all similarities (own entries at -1), then the sampler's top k
      int[] want = TopKNeighbourSampler.sample(q.similarities(v, n, ids), n, size, k, dice);
      NnQueue.Lookup got = q.lookup(v, n, ids, k, dice);
      assertThat(got.indices()).as("k=%d", k).containsExactly(want);
      for (int r = 0; r < n; r++) assertThat(q.idsCopy()[got.indices()[r]]).isNotEqualTo(ids[r]);
      assertThat(got.neighbours()).containsExactly(q.gatherRows(want));
    }
  }

  @Test
  void labelAgreementCountsMatchingQueueLabels() {
    NnQueue q = new NnQueue(new float[] {1, 0, 0, 1, 1, 0}, new long[] {1, 2, 3}, new int[] {4, 5, -1}, 0);
    assertThat(q.labelAgreement(new int[] {0, 1, 2, 0}, new int[] {4, 4, -2, 4})).isEqualTo(0.5);
  }

  @Test
  void stateArraysRoundTripIntoAnotherQueue() {
    NnQueue a = new NnQueue(4, 2, new SplittableRandom(3));
    a.enqueue(rows(1, 0, 0, 1, 0.6f, 0.8f), 3, new long[] {5, 6, 7}, new int[] {1, 2, 3});
    NnQueue b = new NnQueue(4, 2, new SplittableRandom(9));
    java.util.Map<String, org.nd4j.linalg.api.ndarray.INDArray> sa = a.stateArrays("q.");
    java.util.Map<String, org.nd4j.linalg.api.ndarray.INDArray> sb = b.stateArrays("q.");
    sa.forEach((k, v) -> sb.get(k).assign(v)); // what a checkpoint restore does
    b.syncFromState();
    assertThat(b.pointer()).isEqualTo(3);
    assertThat(b.idsCopy()).containsExactly(a.idsCopy());
    assertThat(b.labelsCopy()).containsExactly(a.labelsCopy());
    assertThat(b.vectorsCopy()).containsExactly(a.vectorsCopy());
  }

  @Test
  void l2NormalizeRowsMatchesTorchNormalize() {
    float[] x = {3, 4, 0, 0};
    NnQueue.l2NormalizeRows(x, 2, 2);
    assertThat(x).containsExactly(0.6f, 0.8f, 0f, 0f);
  }
}
