package org.maect.core.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * A PNG grid of CHW images in [0,1] (values clamped; 1-channel images drawn grey), each cell enlarged by
 * an integer {@code scale} (nearest neighbour) and separated by {@code pad} white pixels. Cells may differ
 * in size up to {@code cellH x cellW}; smaller images sit in the cell's top-left corner.
 */
public final class ImageGrid {
  private final int rows;
  private final int cols;
  private final int cellH;
  private final int cellW;
  private final int scale;
  private final int pad;
  private final BufferedImage canvas;

  public ImageGrid(int rows, int cols, int cellH, int cellW, int scale, int pad) {
    if (rows <= 0 || cols <= 0 || cellH <= 0 || cellW <= 0 || scale <= 0 || pad < 0) {
      throw new IllegalArgumentException("Invalid grid: " + rows + "x" + cols + " cells of " + cellH + "x" + cellW
          + ", scale " + scale + ", pad " + pad);
    }
    this.rows = rows;
    this.cols = cols;
    this.cellH = cellH;
    this.cellW = cellW;
    this.scale = scale;
    this.pad = pad;
    int width = cols * cellW * scale + (cols + 1) * pad;
    int height = rows * cellH * scale + (rows + 1) * pad;
    this.canvas = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        canvas.setRGB(x, y, 0xffffff);
      }
    }
  }

  /** Draws {@code src[off ..]} of shape {@code [c, h, w]} (c = 1 or 3) into cell (row, col). */
  public void set(int row, int col, float[] src, int off, int c, int h, int w) {
    if (row < 0 || row >= rows || col < 0 || col >= cols) {
      throw new IndexOutOfBoundsException("cell (" + row + ", " + col + ") outside " + rows + "x" + cols);
    }
    if (h > cellH || w > cellW || (c != 1 && c != 3)) {
      throw new IllegalArgumentException("image [" + c + ", " + h + ", " + w + "] does not fit a " + cellH + "x"
          + cellW + " cell (1 or 3 channels)");
    }
    int x0 = pad + col * (cellW * scale + pad);
    int y0 = pad + row * (cellH * scale + pad);
    int hw = h * w;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int p = y * w + x;
        int r = byteOf(src[off + p]);
        int g = c == 3 ? byteOf(src[off + hw + p]) : r;
        int b = c == 3 ? byteOf(src[off + 2 * hw + p]) : r;
        int rgb = (r << 16) | (g << 8) | b;
        for (int dy = 0; dy < scale; dy++) {
          for (int dx = 0; dx < scale; dx++) {
            canvas.setRGB(x0 + x * scale + dx, y0 + y * scale + dy, rgb);
          }
        }
      }
    }
  }

  private static int byteOf(float v) {
    float t = v < 0 ? 0 : v > 1 ? 1 : v;
    return Math.round(t * 255f);
  }

  public BufferedImage image() {
    return canvas;
  }

  /** Writes the grid as PNG, creating parent directories. */
  public void write(Path png) throws IOException {
    Path parent = png.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    if (!ImageIO.write(canvas, "png", png.toFile())) {
      throw new IOException(png + ": no PNG writer available");
    }
  }
}
