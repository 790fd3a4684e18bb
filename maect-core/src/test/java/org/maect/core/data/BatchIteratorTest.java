package org.maect.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BatchIteratorTest {

  /** n images of 1x4x4; pixel values encode the index so tests can check which image landed where. */
  static ByteImageDataset tiny(int n) {
    byte[] px = new byte[n * 16];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < 16; k++) {
        px[i * 16 + k] = (byte) ((i * 7 + k * 13) % 256);
      }
      labels[i] = i % 3;
    }
    return new ByteImageDataset("tiny", 1, 4, 4, px, labels, List.of("a", "b", "c"));
  }

  static List<Batch> drain(BatchIterator it) {
    List<Batch> out = new ArrayList<>();
    try (it) {
      while (it.hasNext()) {
        out.add(it.next());
      }
    }
    return out;
  }

  @Test
  void everyIndexExactlyOncePerEpochWithPartialLastBatch() {
    ByteImageDataset ds = tiny(103);
    BatchIterator it = BatchIterator.builder(ds).batchSize(10).dropLast(false).seed(3).epoch(1).build();
    assertThat(it.numBatches()).isEqualTo(11);
    List<Batch> batches = drain(it);
    assertThat(batches).hasSize(11);
    assertThat(batches.get(10).size()).isEqualTo(3);
    List<Integer> seen = new ArrayList<>();
    for (Batch b : batches) {
      for (int k = 0; k < b.size(); k++) {
        int i = b.indices()[k];
        seen.add(i);
        assertThat(b.labels()[k]).isEqualTo(ds.label(i));
        assertThat(b.sampleIds()[k]).isEqualTo(ds.sampleId(i));
        float[] expected = ds.image(i);
        float[] got = java.util.Arrays.copyOfRange(b.view(0), k * 16, k * 16 + 16);
        assertThat(got).containsExactly(expected); // no transform: raw images
      }
    }
    assertThat(seen).hasSize(103).doesNotHaveDuplicates();
    assertThat(seen).isNotEqualTo(java.util.stream.IntStream.range(0, 103).boxed().toList()); // shuffled
  }

  @Test
  void dropLastGivesOnlyFullBatchesOfDistinctIndices() {
    List<Batch> batches = drain(BatchIterator.ofEpoch(tiny(103), 10, 1, null, 3, 0));
    assertThat(batches).hasSize(10).allMatch(b -> b.size() == 10);
    Set<Integer> seen = new HashSet<>();
    batches.forEach(b -> java.util.Arrays.stream(b.indices()).forEach(seen::add));
    assertThat(seen).hasSize(100);
  }

  @Test
  void deterministicGivenSeedAndEpochWhateverTheThreading() {
    ByteImageDataset ds = tiny(64);
    ImageTransform aug = Augmentations.maeCtAug(6);
    List<Batch> a = drain(BatchIterator.builder(ds).batchSize(8).views(2).transform(aug).seed(9).epoch(2).build());
    List<Batch> b = drain(BatchIterator.builder(ds).batchSize(8).views(2).transform(aug).seed(9).epoch(2)
        .workers(3).prefetch(5).build());
    assertThat(b).hasSameSizeAs(a);
    for (int i = 0; i < a.size(); i++) {
      assertThat(b.get(i).indices()).containsExactly(a.get(i).indices());
      assertThat(b.get(i).view(0)).containsExactly(a.get(i).view(0));
      assertThat(b.get(i).view(1)).containsExactly(a.get(i).view(1));
      assertThat(a.get(i).view(1)).isNotEqualTo(a.get(i).view(0)); // two independent views
    }
    List<Batch> otherEpoch = drain(BatchIterator.builder(ds).batchSize(8).views(2).transform(aug).seed(9).epoch(3).build());
    assertThat(otherEpoch.get(0).indices()).isNotEqualTo(a.get(0).indices());
    List<Batch> otherSeed = drain(BatchIterator.builder(ds).batchSize(8).views(2).transform(aug).seed(10).epoch(2).build());
    assertThat(otherSeed.get(0).indices()).isNotEqualTo(a.get(0).indices());
  }

  @Test
  void perViewTransformsAndShape() {
    ByteImageDataset ds = tiny(20);
    List<Batch> batches = drain(BatchIterator.builder(ds).batchSize(5)
        .viewTransforms(Augmentations.maeCtAugViews(3)).build());
    assertThat(batches).hasSize(4);
    Batch b = batches.get(0);
    assertThat(b.views()).isEqualTo(2);
    assertThat(b.shape()).containsExactly(5, 1, 3, 3);
    assertThat(b.view(1)).hasSize(5 * 9);
  }

  @Test
  void sequentialKeepsDatasetOrderAndSubsetRestricts() {
    ByteImageDataset ds = tiny(10);
    List<Batch> batches = drain(BatchIterator.sequential(ds, 4, null));
    assertThat(batches.get(0).indices()).containsExactly(0, 1, 2, 3);
    assertThat(batches.get(2).indices()).containsExactly(8, 9);
    List<Batch> sub = drain(BatchIterator.builder(ds).subset(new int[] {7, 2, 5}).batchSize(2).dropLast(false).build());
    Set<Integer> seen = new HashSet<>();
    sub.forEach(b -> java.util.Arrays.stream(b.indices()).forEach(seen::add));
    assertThat(seen).containsExactlyInAnyOrder(7, 2, 5);
  }

  @Test
  void producerExceptionReachesTheConsumer() {
    ByteImageDataset good = tiny(40);
    ImageDataset broken = new ImageDataset() {
      @Override public int size() { return good.size(); }
      @Override public int channels() { return 1; }
      @Override public int height() { return 4; }
      @Override public int width() { return 4; }
      @Override public int numClasses() { return 3; }
      @Override public List<String> classNames() { return good.classNames(); }
      @Override public int label(int i) { return good.label(i); }
      @Override public long sampleId(int i) { return i; }
      @Override public void image(int i, float[] dst, int off) {
        if (i == 17) {
          throw DatasetException.of(java.nio.file.Path.of("cls/img17.png"), "unreadable image");
        }
        good.image(i, dst, off);
      }
    };
    BatchIterator it = BatchIterator.builder(broken).batchSize(4).shuffle(false).build();
    assertThatThrownBy(() -> drain(it))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("batch preparation failed")
        .hasMessageContaining("cls/img17.png: unreadable image")
        .hasCauseInstanceOf(DatasetException.class);
    assertThat(it.delivered()).isEqualTo(4); // batches before the failing one were delivered
  }

  @Test
  void batchLargerThanDatasetWithDropLastIsRejected() {
    assertThatThrownBy(() -> BatchIterator.ofEpoch(tiny(5), 8, 1, null, 0, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("epoch would be empty");
    assertThat(drain(BatchIterator.sequential(tiny(5), 8, null))).hasSize(1);
  }

  @Test
  void closeEarlyStopsTheBackgroundThread() throws Exception {
    ByteImageDataset ds = tiny(1000);
    Set<Thread> before = Thread.getAllStackTraces().keySet();
    BatchIterator it = BatchIterator.builder(ds).batchSize(2).prefetch(1).transform(Augmentations.maeCtMin(4)).build();
    assertThat(it.next().size()).isEqualTo(2);
    it.close();
    it.close(); // idempotent
    Thread.sleep(50);
    assertThat(Thread.getAllStackTraces().keySet().stream()
        .filter(t -> !before.contains(t) && t.getName().startsWith("maect-batches") && t.isAlive()))
        .isEmpty();
  }
}
