package org.maect.core.data;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Known facts of the real Fashion-MNIST files shipped in data/fashion-mnist (zalandoresearch/fashion-mnist). */
class FashionMnistTest {

  @Test
  void trainingSplitHas60000ImagesOf28x28With6000PerClass() {
    ImageDataset train = Datasets.load("fashion-mnist", Split.TRAIN, null);
    assertThat(train.size()).isEqualTo(60000);
    assertThat(train.channels()).isEqualTo(1);
    assertThat(train.height()).isEqualTo(28);
    assertThat(train.width()).isEqualTo(28);
    assertThat(train.numClasses()).isEqualTo(10);
    assertThat(Datasets.classCounts(train)).containsOnly(6000);
  }

  @Test
  void firstTrainingLabelIsAnkleBoot() {
    ImageDataset train = Datasets.load("fashion-mnist", Split.TRAIN, null);
    assertThat(train.label(0)).isEqualTo(9);
    assertThat(train.classNames().get(train.label(0))).isEqualTo("Ankle boot");
    // the first training labels as published: 9 0 0 3 0 2 7 2 5 5
    assertThat(new int[] {train.label(0), train.label(1), train.label(2), train.label(3), train.label(4),
        train.label(5), train.label(6), train.label(7), train.label(8), train.label(9)})
        .containsExactly(9, 0, 0, 3, 0, 2, 7, 2, 5, 5);
  }

  @Test
  void testSplitHas10000ImagesWith1000PerClass() {
    ImageDataset test = Datasets.load("fashion-mnist", Split.TEST, null);
    assertThat(test.size()).isEqualTo(10000);
    assertThat(Datasets.classCounts(test)).containsOnly(1000);
    assertThat(test.label(0)).isEqualTo(9); // first test image is also an ankle boot
  }

  @Test
  void pixelsAreInUnitRangeAndSampleIdsAreIndices() {
    ImageDataset train = Datasets.load("fashion-mnist", Split.TRAIN, null);
    float[] img = train.image(0);
    assertThat(img).hasSize(784);
    float max = 0;
    for (float v : img) {
      assertThat(v).isBetween(0f, 1f);
      max = Math.max(max, v);
    }
    assertThat(max).isEqualTo(1f); // the first image reaches 255
    assertThat(train.sampleId(12345)).isEqualTo(12345);
  }

  @Test
  void userDataDirWithTheFilesIsUsed() throws Exception {
    java.nio.file.Path dir = DatasetLocator.candidates("fashion-mnist", null).stream()
        .filter(p -> java.nio.file.Files.isRegularFile(p.resolve("t10k-labels-idx1-ubyte.gz")))
        .findFirst().orElseThrow();
    ImageDataset test = FashionMnist.load(Split.TEST, dir);
    assertThat(test.size()).isEqualTo(10000);
  }
}
