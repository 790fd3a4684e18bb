package org.maect.examples;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.maect.core.config.ViTConfig;

/** The library walk-through on a tiny random encoder and a few hundred images. */
class LibraryUsageExampleTest {

  @Test
  void embedsAndClassifiesWithARandomEncoder() {
    ViTConfig tiny = new ViTConfig(28, 7, 1, 16, 1, 2, 2.0);
    LibraryUsageExample.Result r = LibraryUsageExample.run(new LibraryUsageExample.Config(null, tiny, 300, 100, 10));
    assertThat(r.dim()).isEqualTo(16);
    assertThat(r.firstTestFeature()).hasSize(16);
    // even random ViT features carry pixel statistics: well above chance (0.1) on Fashion-MNIST
    assertThat(r.knnAccuracy()).isGreaterThan(0.3).isLessThanOrEqualTo(1.0);
  }
}
