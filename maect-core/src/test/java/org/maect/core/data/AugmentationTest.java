package org.maect.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Invariants of the augmentations (torchvision semantics restated by hand). */
class AugmentationTest {

  static float[] ramp(int c, int h, int w) {
    float[] x = new float[c * h * w];
    SplittableRandom r = new SplittableRandom(7);
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextDouble();
    }
    return x;
  }

  @Test
  void cropAreaAndAspectStayInRangeUpToRounding() {
    RandomResizedCrop rrc = new RandomResizedCrop(28, 0.08, 1.0);
    for (int[] hw : new int[][] {{28, 28}, {224, 160}, {32, 48}}) {
      int h = hw[0];
      int w = hw[1];
      double area = (double) h * w;
      SplittableRandom rng = new SplittableRandom(42);
      for (int t = 0; t < 2000; t++) {
        RandomResizedCrop.Box b = rrc.sample(h, w, rng);
        assertThat(b.top()).isBetween(0, h - b.height());
        assertThat(b.left()).isBetween(0, w - b.width());
        // w = round(sqrt(A r)), h = round(sqrt(A / r)): each side is within 0.5 of the exact value
        assertThat((b.width() - 0.5) * (b.height() - 0.5)).isLessThanOrEqualTo(1.0 * area);
        assertThat((b.width() + 0.5) * (b.height() + 0.5)).isGreaterThanOrEqualTo(0.08 * area);
        assertThat((b.width() + 0.5) / (b.height() - 0.5)).isGreaterThanOrEqualTo(3.0 / 4.0);
        assertThat((b.width() - 0.5) / (b.height() + 0.5)).isLessThanOrEqualTo(4.0 / 3.0);
      }
    }
  }

  @Test
  void narrowScaleRangeGivesCropsOfThatArea() {
    RandomResizedCrop rrc = new RandomResizedCrop(16, 0.5, 0.5, 1.0, 1.0);
    RandomResizedCrop.Box b = rrc.sample(200, 200, new SplittableRandom(1));
    assertThat(b.width()).isEqualTo(141); // round(sqrt(0.5 * 40000))
    assertThat(b.height()).isEqualTo(141);
  }

  @Test
  void fallbackAfterTenAttemptsIsTorchvisionCentreCrop() {
    RandomResizedCrop rrc = new RandomResizedCrop(8, 0.9, 1.0);
    // a 4x200 strip: no box of area >= 0.9 * 800 with ratio <= 4/3 fits in 4 rows
    RandomResizedCrop.Box b = rrc.sample(4, 200, new SplittableRandom(3));
    assertThat(b).isEqualTo(new RandomResizedCrop.Box(0, 97, 4, 5)); // h = 4, w = round(4 * 4/3), centred
    // tall strip: w = width, h = round(w / (3/4))
    assertThat(rrc.fallback(200, 6)).isEqualTo(new RandomResizedCrop.Box(96, 0, 8, 6));
    // in-range aspect: the whole image
    assertThat(rrc.fallback(30, 30)).isEqualTo(new RandomResizedCrop.Box(0, 0, 30, 30));
  }

  @Test
  void flipIsExactMirrorAndInvolution() {
    float[] x = ramp(3, 5, 7);
    float[] y = new float[x.length];
    new RandomHorizontalFlip(1.0).apply(x, 3, 5, 7, y, 0, new SplittableRandom(0));
    for (int k = 0; k < 3; k++) {
      for (int r = 0; r < 5; r++) {
        for (int c = 0; c < 7; c++) {
          assertThat(y[(k * 5 + r) * 7 + c]).isEqualTo(x[(k * 5 + r) * 7 + 6 - c]);
        }
      }
    }
    float[] z = new float[x.length];
    RandomHorizontalFlip.flip(y, 3, 5, 7, z, 0);
    assertThat(z).containsExactly(x);
    float[] same = new float[x.length];
    new RandomHorizontalFlip(0.0).apply(x, 3, 5, 7, same, 0, new SplittableRandom(0));
    assertThat(same).containsExactly(x);
  }

  @Test
  void flipHappensAboutHalfTheTime() {
    SplittableRandom rng = new SplittableRandom(11);
    float[] x = {0, 1};
    float[] y = new float[2];
    int flips = 0;
    for (int t = 0; t < 4000; t++) {
      new RandomHorizontalFlip().apply(x, 1, 1, 2, y, 0, rng);
      flips += y[0] == 1 ? 1 : 0;
    }
    assertThat(flips / 4000.0).isCloseTo(0.5, within(0.03)); // 4.7 sigma
  }

  @Test
  void sameSeedGivesSameViewsAndDifferentSeedsDiffer() {
    float[] x = ramp(3, 32, 32);
    for (ImageTransform t : new ImageTransform[] {Augmentations.maeCtMin(24), Augmentations.maeCtAug(24)}) {
      float[] a = new float[3 * 24 * 24];
      float[] b = new float[a.length];
      float[] c = new float[a.length];
      t.apply(x, 3, 32, 32, a, 0, new SplittableRandom(5));
      t.apply(x, 3, 32, 32, b, 0, new SplittableRandom(5));
      t.apply(x, 3, 32, 32, c, 0, new SplittableRandom(6));
      assertThat(b).containsExactly(a);
      assertThat(c).isNotEqualTo(a);
    }
  }

  @Test
  void presetsProduceTheRequestedShapeInUnitRange() {
    float[] grey = ramp(1, 28, 28);
    float[] rgb = ramp(3, 28, 28);
    for (ImageTransform t : new ImageTransform[] {
        Augmentations.maeCtMin(20), Augmentations.maeCtAug(20), Augmentations.maeCtAugViews(20).get(0),
        Augmentations.maeCtAugViews(20).get(1), Augmentations.evalTransform(20), Augmentations.maePretrain(20)}) {
      for (int ch : new int[] {1, 3}) {
        assertThat(t.outShape(ch, 28, 28)).containsExactly(ch, 20, 20);
        float[] out = new float[ch * 400];
        SplittableRandom rng = new SplittableRandom(9);
        for (int rep = 0; rep < 50; rep++) {
          t.apply(ch == 1 ? grey : rgb, ch, 28, 28, out, 0, rng);
          for (float v : out) {
            assertThat(v).isBetween(0f, 1f);
          }
        }
      }
    }
  }

  @Test
  void evalTransformOfSameSizeIsIdentityAndCentreCropsOtherwise() {
    float[] x = ramp(1, 28, 28);
    float[] y = new float[784];
    Augmentations.evalTransform(28).apply(x, 1, 28, 28, y, 0, null);
    assertThat(y).containsExactly(x);
    // 28x40 -> shorter side already 28 -> centre 28x28 at left = 6
    float[] wide = ramp(1, 28, 40);
    Augmentations.evalTransform(28).apply(wide, 1, 28, 40, y, 0, null);
    assertThat(y[0]).isEqualTo(wide[6]);
    assertThat(y[27 * 28 + 27]).isEqualTo(wide[27 * 40 + 33]);
  }

  @Test
  void normalizeIsPerChannelAndInvertible() {
    float[] x = {0.5f, 0.5f, 0.2f, 0.2f};
    float[] y = new float[4];
    Normalize n = new Normalize(new double[] {0.5, 0.1}, new double[] {0.25, 0.5});
    n.apply(x, 2, 1, 2, y, 0, null);
    assertThat(y).containsExactly(0f, 0f, 0.2f, 0.2f);
    n.invert(y, 0, 2, 1, 2);
    assertThat(y[2]).isCloseTo(0.2f, within(1e-6f));
    float[] g = new float[1];
    Normalize.forDataset("fashion-mnist").apply(new float[] {0.2860f}, 1, 1, 1, g, 0, null);
    assertThat(g[0]).isCloseTo(0f, within(1e-6f));
  }

  @Test
  void brightnessJitterScalesEveryPixelByOneFactor() {
    float[] x = ramp(3, 4, 4);
    for (int i = 0; i < x.length; i++) {
      x[i] *= 0.5f; // stay below the clamp
    }
    float[] y = new float[x.length];
    new ColorJitter(0.4, 0, 0, 0).apply(x, 3, 4, 4, y, 0, new SplittableRandom(3));
    double f = y[0] / x[0];
    assertThat(f).isBetween(0.6, 1.4);
    for (int i = 0; i < x.length; i++) {
      assertThat((double) y[i]).isCloseTo(f * x[i], within(1e-6));
    }
  }

  @Test
  void contrastBlendsTowardsTheGreyMean() {
    float[] x = {0.3f, 0.35f, 0.45f, 0.5f};
    float[] y = new float[4];
    // mean 0.4; factor f: y = f x + (1 - f) 0.4 keeps the mean and scales deviations by f (no clamping here)
    new ColorJitter(0, 0.5, 0, 0).apply(x, 1, 2, 2, y, 0, new SplittableRandom(4));
    double f = (y[3] - y[0]) / 0.2;
    assertThat(f).isBetween(0.5, 1.5);
    assertThat((y[0] + y[1] + y[2] + y[3]) / 4.0).isCloseTo(0.4, within(1e-6));
  }

  @Test
  void saturationHueAndGrayscaleLeaveGreyImagesUnchanged() {
    float[] x = ramp(1, 6, 6);
    float[] y = new float[x.length];
    new ColorJitter(0, 0, 0.9, 0.5).apply(x, 1, 6, 6, y, 0, new SplittableRandom(1));
    assertThat(y).containsExactly(x);
    new RandomGrayscale(1.0).apply(x, 1, 6, 6, y, 0, new SplittableRandom(1));
    assertThat(y).containsExactly(x);
  }

  @Test
  void grayscaleUsesItuWeightsInAllChannels() {
    float[] x = {1f, 0f, 0f}; // one pure red pixel, CHW
    float[] y = new float[3];
    new RandomGrayscale(1.0).apply(x, 3, 1, 1, y, 0, new SplittableRandom(0));
    assertThat(y).containsExactly(0.299f, 0.299f, 0.299f);
  }

  @Test
  void hueShiftOfAThirdTurnsRedIntoGreen() {
    float[] x = {0.8f, 0.2f, 0.2f}; // reddish pixel: H = 0, S = 0.75, V = 0.8
    ColorOps.hue(x, 0, 1, 1, 1.0 / 3);
    assertThat(x[0]).isCloseTo(0.2f, within(1e-6f));
    assertThat(x[1]).isCloseTo(0.8f, within(1e-6f));
    assertThat(x[2]).isCloseTo(0.2f, within(1e-6f));
    float[] z = {0.3f, 0.6f, 0.9f};
    ColorOps.hue(z, 0, 1, 1, 0.0);
    assertThat(z).containsExactly(new float[] {0.3f, 0.6f, 0.9f}, within(1e-6f));
  }

  @Test
  void solariseInvertsValuesAtOrAboveThreshold() {
    float[] x = {0.1f, 0.5f, 0.9f};
    float[] y = new float[3];
    new Solarize(0.5, 1.0).apply(x, 1, 1, 3, y, 0, new SplittableRandom(0));
    assertThat(y).containsExactly(new float[] {0.1f, 0.5f, 0.1f}, within(1e-7f));
  }

  @Test
  void blurKeepsConstantImagesAndKernelSumsToOne() {
    float[] x = new float[3 * 10 * 10];
    java.util.Arrays.fill(x, 0.37f);
    float[] y = new float[x.length];
    GaussianBlur.forImageSize(28, 1.0).apply(x, 3, 10, 10, y, 0, new SplittableRandom(2));
    for (float v : y) {
      assertThat(v).isCloseTo(0.37f, within(1e-6f));
    }
    assertThat(GaussianBlur.forImageSize(224, 1.0).kernelSize()).isEqualTo(23); // BYOL's kernel at 224
    assertThat(GaussianBlur.forImageSize(28, 1.0).kernelSize()).isEqualTo(3);
    assertThat(GaussianBlur.reflect(-1, 5)).isEqualTo(1);
    assertThat(GaussianBlur.reflect(5, 5)).isEqualTo(3);
  }

  @Test
  void byolViewProbabilitiesMatchThePaper() {
    // view 2 solarises with p = 0.2: count how often a bright constant image comes out dark
    ImageTransform solar = new Solarize(0.5, 0.2);
    SplittableRandom rng = new SplittableRandom(8);
    float[] y = new float[1];
    int n = 0;
    for (int t = 0; t < 5000; t++) {
      solar.apply(new float[] {0.9f}, 1, 1, 1, y, 0, rng);
      n += y[0] < 0.5f ? 1 : 0;
    }
    assertThat(n / 5000.0).isCloseTo(0.2, within(0.025)); // ~4.4 sigma
  }
}
