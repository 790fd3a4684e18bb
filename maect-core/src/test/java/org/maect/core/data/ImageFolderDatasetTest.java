package org.maect.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Image folders of tiny PNGs written by the test. */
class ImageFolderDatasetTest {
  @TempDir Path tmp;

  static void png(Path f, int w, int h, int rgb) throws IOException {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, rgb + x); // blue channel ramps with x
      }
    }
    Files.createDirectories(f.getParent());
    ImageIO.write(img, "png", f.toFile());
  }

  static void greyPng(Path f, int w, int h, int value) throws IOException {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
    img.getRaster().setSample(0, 0, 0, value);
    Files.createDirectories(f.getParent());
    ImageIO.write(img, "png", f.toFile());
  }

  @Test
  void readsClassesInSortedOrderWithLabelsAndRgbChw() throws IOException {
    png(tmp.resolve("train/cat/b.png"), 6, 4, 0x102030);
    png(tmp.resolve("train/cat/a.png"), 6, 4, 0x405060);
    png(tmp.resolve("train/ant/x.png"), 6, 4, 0x708090);
    png(tmp.resolve("val/ant/y.png"), 6, 4, 0x000000);
    png(tmp.resolve("val/cat/z.png"), 6, 4, 0x000000);
    ImageDataset train = Datasets.load("folder:" + tmp, Split.TRAIN, null);
    assertThat(train.classNames()).containsExactly("ant", "cat");
    assertThat(train.size()).isEqualTo(3);
    assertThat(train.labels()).containsExactly(0, 1, 1);
    assertThat(train.channels()).isEqualTo(3);
    assertThat(train.height()).isEqualTo(4);
    assertThat(train.width()).isEqualTo(6);
    float[] img = train.image(1); // cat/a.png
    assertThat(img[0]).isEqualTo(0x40 / 255f); // R at (0,0)
    assertThat(img[24]).isEqualTo(0x50 / 255f); // G plane
    assertThat(img[48 + 5]).isEqualTo((0x60 + 5) / 255f); // B at (0,5)
    assertThat(((ImageFolderDataset) train).file(1).getFileName().toString()).isEqualTo("a.png");
    assertThat(Datasets.load("folder:" + tmp, Split.TEST, null).size()).isEqualTo(2);
  }

  @Test
  void greyImagesGiveOneChannelWithoutGammaShift() throws IOException {
    greyPng(tmp.resolve("a/1.png"), 3, 3, 100);
    greyPng(tmp.resolve("b/1.png"), 3, 3, 200);
    ImageFolderDataset ds = ImageFolderDataset.open(tmp, Split.TRAIN);
    assertThat(ds.channels()).isEqualTo(1);
    assertThat(ds.image(0)[0]).isEqualTo(100 / 255f);
    assertThat(ds.image(1)[0]).isEqualTo(200 / 255f);
  }

  @Test
  void imagesOfOtherSizesAreResizedToTheFirst() throws IOException {
    png(tmp.resolve("a/1.png"), 8, 8, 0x808080);
    png(tmp.resolve("a/2.png"), 16, 20, 0x808080);
    ImageFolderDataset ds = ImageFolderDataset.open(tmp, Split.TRAIN);
    assertThat(ds.image(1)).hasSize(3 * 64);
    assertThat(ImageFolderDataset.open(tmp, Split.TRAIN, 5).image(1)).hasSize(3 * 25);
  }

  @Test
  void emptyClassFolderIsNamed() throws IOException {
    png(tmp.resolve("a/1.png"), 4, 4, 0);
    Files.createDirectories(tmp.resolve("b"));
    Files.writeString(tmp.resolve("b/notes.txt"), "no images here");
    assertThatThrownBy(() -> ImageFolderDataset.open(tmp, Split.TRAIN))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining(tmp.resolve("b").toString())
        .hasMessageContaining("empty class folder");
  }

  @Test
  void unreadableImageIsNamed() throws IOException {
    png(tmp.resolve("a/1.png"), 4, 4, 0);
    Path bad = tmp.resolve("a/2.png");
    Files.write(bad, new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
    ImageFolderDataset ds = ImageFolderDataset.open(tmp, Split.TRAIN);
    assertThatThrownBy(() -> ds.image(1))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining(bad.toString())
        .hasMessageContaining("unreadable image");
    Path notAnImage = tmp.resolve("c/0.jpg");
    Files.createDirectories(notAnImage.getParent());
    Files.writeString(notAnImage, "plain text");
    Path other = tmp.resolve("other");
    Files.createDirectories(other.resolve("c"));
    Files.copy(notAnImage, other.resolve("c/0.jpg"));
    assertThatThrownBy(() -> ImageFolderDataset.open(other, Split.TRAIN))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining(other.resolve("c/0.jpg").toString())
        .hasMessageContaining("no decoder");
  }

  @Test
  void missingRootNoClassesAndNoTestSplitAreReported() throws IOException {
    assertThatThrownBy(() -> Datasets.load("folder:" + tmp.resolve("absent"), Split.TRAIN, null))
        .isInstanceOf(DatasetException.class).hasMessageContaining("does not exist");
    assertThatThrownBy(() -> ImageFolderDataset.open(tmp, Split.TRAIN))
        .isInstanceOf(DatasetException.class).hasMessageContaining("no class folders");
    png(tmp.resolve("a/1.png"), 4, 4, 0);
    assertThatThrownBy(() -> ImageFolderDataset.open(tmp, Split.TEST))
        .isInstanceOf(DatasetException.class).hasMessageContaining("no test split");
  }
}
