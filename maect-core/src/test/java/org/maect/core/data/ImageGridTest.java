package org.maect.core.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageGridTest {
  @TempDir Path tmp;

  @Test
  void pngRoundTripKeepsPixelsScaleAndPadding() throws Exception {
    ImageGrid g = new ImageGrid(1, 2, 2, 2, 3, 1);
    g.set(0, 0, new float[] {0f, 1f, 0.5f, 2f}, 0, 1, 2, 2); // grey, 2 is clamped to 1
    g.set(0, 1, new float[] {1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0}, 0, 3, 2, 2); // red
    Path f = tmp.resolve("sub/grid.png");
    g.write(f);
    BufferedImage img = ImageIO.read(f.toFile());
    assertThat(img.getWidth()).isEqualTo(2 * 6 + 3);
    assertThat(img.getHeight()).isEqualTo(6 + 2);
    assertThat(img.getRGB(0, 0) & 0xffffff).isEqualTo(0xffffff); // padding
    assertThat(img.getRGB(1, 1) & 0xffffff).isEqualTo(0x000000);
    assertThat(img.getRGB(4, 1) & 0xffffff).isEqualTo(0xffffff); // (0,1) scaled by 3
    assertThat(img.getRGB(1, 4) & 0xffffff).isEqualTo(0x808080);
    assertThat(img.getRGB(8, 1) & 0xffffff).isEqualTo(0xff0000);
  }
}
