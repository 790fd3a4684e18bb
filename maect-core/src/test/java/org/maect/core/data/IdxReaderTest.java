package org.maect.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** IDX files written by the test: good ones (raw and gzip) and each kind of bad input. */
class IdxReaderTest {
  @TempDir Path tmp;

  static byte[] idx(int magic, int[] dims, byte[] data) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bos);
    out.writeInt(magic);
    for (int d : dims) {
      out.writeInt(d);
    }
    out.write(data);
    out.flush();
    return bos.toByteArray();
  }

  static byte[] gzip(byte[] b) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(bos)) {
      gz.write(b);
    }
    return bos.toByteArray();
  }

  /** Writes a 3-image 2x2 dataset; returns {images, labels}. */
  Path[] writeTiny(boolean gz) throws IOException {
    byte[] pixels = new byte[3 * 4];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (byte) (i * 20);
    }
    byte[] img = idx(IdxReader.MAGIC_IMAGES, new int[] {3, 2, 2}, pixels);
    byte[] lab = idx(IdxReader.MAGIC_LABELS, new int[] {3}, new byte[] {2, 0, 1});
    Path pi = tmp.resolve(gz ? "img.gz" : "img");
    Path pl = tmp.resolve(gz ? "lab.gz" : "lab");
    Files.write(pi, gz ? gzip(img) : img);
    Files.write(pl, gz ? gzip(lab) : lab);
    return new Path[] {pi, pl};
  }

  @Test
  void readsRawAndGzipIdentically() throws IOException {
    Path[] raw = writeTiny(false);
    Path[] gz = writeTiny(true);
    ByteImageDataset a = IdxReader.readDataset("raw", raw[0], raw[1], FashionMnist.DIGIT_CLASSES);
    ByteImageDataset b = IdxReader.readDataset("gz", gz[0], gz[1], FashionMnist.DIGIT_CLASSES);
    assertThat(a.size()).isEqualTo(3);
    assertThat(a.height()).isEqualTo(2);
    assertThat(a.labels()).containsExactly(2, 0, 1);
    assertThat(b.labels()).containsExactly(2, 0, 1);
    for (int i = 0; i < 3; i++) {
      assertThat(b.image(i)).containsExactly(a.image(i));
    }
    assertThat(a.pixel(2, 0, 1, 1)).isEqualTo(11 * 20);
    assertThat(a.image(2)[3]).isEqualTo(220 / 255f);
  }

  @Test
  void wrongMagicNamesFileAndNumbers() throws IOException {
    Path[] raw = writeTiny(false);
    // labels file given where images are expected
    assertThatThrownBy(() -> IdxReader.read(raw[1], IdxReader.MAGIC_IMAGES))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining(raw[1].toString())
        .hasMessageContaining("wrong magic number 0x00000801, expected 0x00000803");
  }

  @Test
  void truncatedDataIsReported() throws IOException {
    Path[] raw = writeTiny(false);
    byte[] all = Files.readAllBytes(raw[0]);
    Path cut = tmp.resolve("cut");
    Files.write(cut, Arrays.copyOf(all, all.length - 5));
    assertThatThrownBy(() -> IdxReader.read(cut, IdxReader.MAGIC_IMAGES))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining(cut.toString())
        .hasMessageContaining("truncated: expected 12 data bytes for [3, 2, 2], found 7");
  }

  @Test
  void truncatedHeaderIsReported() throws IOException {
    Path f = tmp.resolve("hdr");
    Files.write(f, new byte[] {0, 0, 8, 3, 0, 0});
    assertThatThrownBy(() -> IdxReader.read(f, IdxReader.MAGIC_IMAGES))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining(f.toString())
        .hasMessageContaining("truncated: file ends inside the dimension 0");
  }

  @Test
  void truncatedGzipIsReported() throws IOException {
    Path[] gz = writeTiny(true);
    byte[] all = Files.readAllBytes(gz[0]);
    Path cut = tmp.resolve("cut.gz");
    Files.write(cut, Arrays.copyOf(all, all.length / 2));
    assertThatThrownBy(() -> IdxReader.read(cut, IdxReader.MAGIC_IMAGES))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining(cut.toString())
        .hasMessageMatching("(?s).*(truncated|corrupt).*");
  }

  @Test
  void corruptGzipIsReported() throws IOException {
    Path[] gz = writeTiny(true);
    byte[] all = Files.readAllBytes(gz[0]);
    for (int i = 12; i < all.length - 8; i++) {
      all[i] = (byte) 0xff; // garbage deflate stream, valid gzip header
    }
    Path bad = tmp.resolve("bad.gz");
    Files.write(bad, all);
    assertThatThrownBy(() -> IdxReader.read(bad, IdxReader.MAGIC_IMAGES))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining(bad.toString())
        .hasMessageContaining("gzip");
  }

  @Test
  void trailingBytesAreReported() throws IOException {
    Path[] raw = writeTiny(false);
    byte[] all = Files.readAllBytes(raw[1]);
    Path longer = tmp.resolve("longer");
    Files.write(longer, Arrays.copyOf(all, all.length + 2));
    assertThatThrownBy(() -> IdxReader.read(longer, IdxReader.MAGIC_LABELS))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining(longer.toString())
        .hasMessageContaining("trailing bytes");
  }

  @Test
  void labelImageCountMismatchNamesBothFiles() throws IOException {
    Path[] raw = writeTiny(false);
    Path lab = tmp.resolve("lab4");
    Files.write(lab, idx(IdxReader.MAGIC_LABELS, new int[] {4}, new byte[] {1, 2, 3, 4}));
    assertThatThrownBy(() -> IdxReader.readDataset("x", raw[0], lab, FashionMnist.DIGIT_CLASSES))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("label/image count mismatch")
        .hasMessageContaining(lab.toString())
        .hasMessageContaining(raw[0].toString())
        .hasMessageContaining("4 labels")
        .hasMessageContaining("3 images");
  }

  @Test
  void emptyImageFileIsReported() throws IOException {
    Path img = tmp.resolve("img0");
    Path lab = tmp.resolve("lab0");
    Files.write(img, idx(IdxReader.MAGIC_IMAGES, new int[] {0, 28, 28}, new byte[0]));
    Files.write(lab, idx(IdxReader.MAGIC_LABELS, new int[] {0}, new byte[0]));
    assertThatThrownBy(() -> IdxReader.readDataset("x", img, lab, FashionMnist.DIGIT_CLASSES))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining(img.toString())
        .hasMessageContaining("contains no images");
  }

  @Test
  void labelOutOfRangeIsReported() throws IOException {
    Path[] raw = writeTiny(false);
    Path lab = tmp.resolve("lab-big");
    Files.write(lab, idx(IdxReader.MAGIC_LABELS, new int[] {3}, new byte[] {1, 10, 3}));
    assertThatThrownBy(() -> IdxReader.readDataset("x", raw[0], lab, FashionMnist.DIGIT_CLASSES))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining(lab.toString())
        .hasMessageContaining("label 10 of sample 1");
  }

  @Test
  void missingFilesListEveryPlaceLookedAndHowToProvide() {
    Path empty = tmp.resolve("nothing-here");
    String saved = System.getProperty(DatasetLocator.HOME_PROPERTY);
    try {
      System.setProperty(DatasetLocator.HOME_PROPERTY, tmp.toString());
      assertThatThrownBy(() -> FashionMnist.loadMnist(Split.TRAIN, empty))
          .isInstanceOf(DatasetException.class)
          .hasMessageContaining("MNIST not found")
          .hasMessageContaining("train-images-idx3-ubyte.gz")
          .hasMessageContaining(empty.toString())
          .hasMessageContaining(tmp.resolve("data").resolve("mnist").toString())
          .hasMessageContaining("/usr/share/datasets/mnist")
          .hasMessageContaining("--data-dir");
    } finally {
      if (saved == null) {
        System.clearProperty(DatasetLocator.HOME_PROPERTY);
      } else {
        System.setProperty(DatasetLocator.HOME_PROPERTY, saved);
      }
    }
  }

  @Test
  void unknownDatasetNameListsKnownNames() {
    assertThatThrownBy(() -> Datasets.load("imagenet-22k", Split.TRAIN, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("fashion-mnist")
        .hasMessageContaining("folder:<root>");
  }
}
