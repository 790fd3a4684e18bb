package org.maect.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maect.core.data.Split;

class DatasetSummaryExampleTest {
  @TempDir Path tmp;

  @Test
  void fashionMnistSummaryHasPublishedCountsAndStatistics() throws Exception {
    Path png = tmp.resolve("grid.png");
    DatasetSummaryExample.Result r =
        DatasetSummaryExample.run(new DatasetSummaryExample.Config("fashion-mnist", null, png, 10, 2, 0));
    DatasetSummaryExample.SplitSummary train = r.split(Split.TRAIN);
    assertThat(train.size()).isEqualTo(60000);
    assertThat(train.classCounts()).containsOnly(6000);
    assertThat(r.split(Split.TEST).classCounts()).containsOnly(1000);
    // widely quoted Fashion-MNIST training statistics: mean 0.2860, std 0.3530
    assertThat(train.mean()[0]).isCloseTo(0.2860, within(5e-4));
    assertThat(train.std()[0]).isCloseTo(0.3530, within(5e-4));
    BufferedImage img = ImageIO.read(png.toFile());
    // 10 rows x (1 + 2 + 2) columns of 28 px cells scaled x3, 2 px gaps
    assertThat(img.getWidth()).isEqualTo(5 * 84 + 6 * 2);
    assertThat(img.getHeight()).isEqualTo(10 * 84 + 11 * 2);
    String text = DatasetSummaryExample.format(r);
    assertThat(text).contains("train: 60000 images, shape [1, 28, 28]").contains("Ankle boot").contains("grid ");
  }
}
