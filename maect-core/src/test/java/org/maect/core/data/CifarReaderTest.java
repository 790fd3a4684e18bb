package org.maect.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CIFAR binary batches written by the test in the documented record layout. */
class CifarReaderTest {
  @TempDir Path tmp;

  /** {@code n} records; record r has label (r * 3 + seed) % classes, pixel k = (r + k + seed) % 256. */
  static byte[] records(int n, int labelBytes, int classes, int seed) {
    int rec = labelBytes + CifarReader.PIXELS;
    byte[] b = new byte[n * rec];
    for (int r = 0; r < n; r++) {
      for (int l = 0; l < labelBytes; l++) {
        b[r * rec + l] = (byte) ((r * 3 + seed + l) % classes);
      }
      for (int k = 0; k < CifarReader.PIXELS; k++) {
        b[r * rec + labelBytes + k] = (byte) ((r + k + seed) % 256);
      }
    }
    return b;
  }

  Path cifar10Dir(int perBatch) throws IOException {
    Path dir = tmp.resolve("cifar-10-batches-bin");
    Files.createDirectories(dir);
    for (int i = 1; i <= 5; i++) {
      Files.write(dir.resolve("data_batch_" + i + ".bin"), records(perBatch, 1, 10, i));
    }
    Files.write(dir.resolve("test_batch.bin"), records(perBatch, 1, 10, 0));
    return dir;
  }

  @Test
  void cifar10ReadsAllTrainingBatchesInOrderAsChw() throws IOException {
    cifar10Dir(4);
    ImageDataset train = Datasets.load("cifar10", Split.TRAIN, tmp); // tmp holds cifar-10-batches-bin/
    assertThat(train.size()).isEqualTo(20);
    assertThat(train.channels()).isEqualTo(3);
    assertThat(train.height()).isEqualTo(32);
    assertThat(train.classNames()).containsExactlyElementsOf(CifarReader.CIFAR10_CLASSES);
    // sample 5 = batch 2 (seed 2), record 1: label (3 + 2) % 10, red channel pixel (0,0) = 1 + 0 + 2
    assertThat(train.label(5)).isEqualTo(5);
    float[] img = train.image(5);
    assertThat(img[0]).isEqualTo(3 / 255f);
    // green plane starts at 1024: pixel value (1 + 1024 + 2) % 256 = 3
    assertThat(img[1024]).isEqualTo(((1 + 1024 + 2) % 256) / 255f);
    ImageDataset test = Datasets.load("cifar10", Split.TEST, tmp.resolve("cifar-10-batches-bin"));
    assertThat(test.size()).isEqualTo(4);
  }

  @Test
  void cifar100UsesFineLabelsAndNameFile() throws IOException {
    Path dir = tmp.resolve("cifar-100-binary");
    Files.createDirectories(dir);
    Files.write(dir.resolve("train.bin"), records(6, 2, 100, 40));
    String[] names = new String[100];
    for (int i = 0; i < 100; i++) {
      names[i] = "fine" + i;
    }
    Files.write(dir.resolve("fine_label_names.txt"), Arrays.asList(names));
    ImageDataset train = Datasets.load("cifar100", Split.TRAIN, dir);
    assertThat(train.size()).isEqualTo(6);
    assertThat(train.numClasses()).isEqualTo(100);
    assertThat(train.label(2)).isEqualTo((2 * 3 + 40 + 1) % 100); // the second (fine) label byte
    assertThat(train.classNames().get(47)).isEqualTo("fine47");
  }

  @Test
  void truncatedBatchNamesFileAndRecordSize() throws IOException {
    Path dir = cifar10Dir(2);
    Path f = dir.resolve("data_batch_3.bin");
    byte[] b = Files.readAllBytes(f);
    Files.write(f, Arrays.copyOf(b, b.length - 100));
    assertThatThrownBy(() -> CifarReader.loadCifar10(Split.TRAIN, dir))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining(f.toString())
        .hasMessageContaining("not a whole number of 3073-byte records");
  }

  @Test
  void labelOutOfRangeIsReported() throws IOException {
    Path f = tmp.resolve("bad.bin");
    byte[] b = records(2, 1, 10, 0);
    b[3073] = 12;
    Files.write(f, b);
    assertThatThrownBy(() -> CifarReader.read("x", List.of(f), 1, 0, CifarReader.CIFAR10_CLASSES))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining(f.toString())
        .hasMessageContaining("label 12 of record 1");
  }

  @Test
  void emptyFileAndMissingDirectoryAreReported() throws IOException {
    Path f = tmp.resolve("empty.bin");
    Files.write(f, new byte[0]);
    assertThatThrownBy(() -> CifarReader.read("x", List.of(f), 1, 0, CifarReader.CIFAR10_CLASSES))
        .hasMessageContaining(f.toString()).hasMessageContaining("empty file");
    assertThatThrownBy(() -> CifarReader.loadCifar100(Split.TEST, tmp.resolve("nope")))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("CIFAR-100 not found")
        .hasMessageContaining("test.bin")
        .hasMessageContaining("cifar-100-binary.tar.gz");
  }
}
