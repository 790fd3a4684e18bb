package org.maect.examples.pipeline;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.maect.core.io.Npy;
import org.maect.eval.metrics.ClusterAccuracy;
import org.maect.eval.metrics.ConfusionMatrix;
import org.maect.eval.plot.ConfusionMatrixPlot;
import org.maect.eval.plot.ScatterPlot;
import org.maect.eval.plot.Tsne;

/**
 * Figures from the cached evaluation outputs of both encoders, MAE left and MAE-CT right: a t-SNE of test
 * features coloured by class (paper Figure 8) and the k-means confusion matrices with clusters in Hungarian
 * order (Figure 9). Uses maect-eval's {@code plot} package; each panel is also kept as its own PNG.
 */
final class EmbeddingFigures {
  /** One encoder's evaluation directory and display name. */
  record Encoder(String name, Path evalDir) {}

  private EmbeddingFigures() {}

  static Path tsne(Path png, List<Encoder> encoders, String[] classNames, int points, long seed) throws IOException {
    List<Path> panels = new ArrayList<>();
    for (Encoder e : encoders) {
      float[][] x = Npy.readMatrix(e.evalDir().resolve("test-features.npy"));
      int[] y = Npy.readLabels(e.evalDir().resolve("test-labels.npy"));
      int m = Math.min(points, x.length);
      Path cache = e.evalDir().resolve("tsne-" + m + ".npy");
      float[][] xy;
      if (Files.isRegularFile(cache)) {
        xy = Npy.readMatrix(cache);
      } else {
        xy = Tsne.embed(Arrays.copyOf(x, m), Tsne.Config.defaults(seed));
        Npy.write(cache, xy);
      }
      Path p = png.resolveSibling(stem(png) + "-" + slug(e.name()) + ".png");
      ScatterPlot.write(p, xy, Arrays.copyOf(y, m), classNames, "t-SNE of " + m + " test images: " + e.name());
      panels.add(p);
    }
    return sideBySide(png, panels);
  }

  static Path confusion(Path png, List<Encoder> encoders, String[] classNames) throws IOException {
    List<Path> panels = new ArrayList<>();
    for (Encoder e : encoders) {
      Path km = e.evalDir().resolve("kmeans-labels.npy");
      if (!Files.isRegularFile(km)) continue;
      int[] y = Npy.readLabels(e.evalDir().resolve("test-labels.npy"));
      int[] c = Npy.readLabels(km);
      ConfusionMatrix cm = ConfusionMatrix.matchedClusters(y, c);
      double acc = ClusterAccuracy.of(y, c);
      Path p = png.resolveSibling(stem(png) + "-" + slug(e.name()) + ".png");
      ConfusionMatrixPlot.write(p, cm.counts(), classNames, null,
          String.format(Locale.ROOT, "%s: k-means clusters (Hungarian order), acc %.3f", e.name(), acc));
      panels.add(p);
    }
    return panels.isEmpty() ? null : sideBySide(png, panels);
  }

  /** Pastes PNGs left to right on a white canvas. */
  static Path sideBySide(Path png, List<Path> parts) throws IOException {
    List<BufferedImage> imgs = new ArrayList<>();
    for (Path p : parts) imgs.add(ImageIO.read(p.toFile()));
    int w = 0, h = 0;
    for (BufferedImage i : imgs) {
      w += i.getWidth();
      h = Math.max(h, i.getHeight());
    }
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, w, h);
    int x = 0;
    for (BufferedImage i : imgs) {
      g.drawImage(i, x, 0, null);
      x += i.getWidth();
    }
    g.dispose();
    ImageIO.write(out, "png", png.toFile());
    return png;
  }

  private static String stem(Path png) {
    String n = png.getFileName().toString();
    return n.endsWith(".png") ? n.substring(0, n.length() - 4) : n;
  }

  private static String slug(String name) {
    return name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "");
  }
}
