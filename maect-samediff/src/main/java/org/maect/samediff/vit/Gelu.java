package org.maect.samediff.vit;

import org.maect.samediff.train.FusionScopes;
import org.nd4j.autodiff.samediff.NameScope;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Exact GELU, {@code x (0.5 + 0.5 erf(x / sqrt 2))}, as PyTorch's default {@code nn.GELU()} in timm / MAE
 * blocks. libnd4j's {@code gelu} is the sigmoid approximation and {@code precise_gelu} the tanh one.
 * The gradient comes from SameDiff's {@code erf} derivative {@code 2/sqrt(pi) exp(-z^2)} (checked by
 * finite differences in DOUBLE).
 */
public final class Gelu {
  private Gelu() {}

  /**
   * @param prefix names the site (its ops are built in the scope {@code prefix + }{@link FusionScopes#GELU}, which
   *     execution plans run fused)
   */
  public static SDVariable apply(String prefix, SDVariable x) {
    String scope = prefix + FusionScopes.GELU;
    try (NameScope ns = x.getSameDiff().withNameScope(scope)) {
      // x Phi(x), Phi = 0.5 + 0.5 erf(x / sqrt 2): the last op reads Phi, so its gradient op reads the site
      SDVariable phi = x.getSameDiff().math().erf(x.mul(1.0 / Math.sqrt(2.0))).mul(0.5).add(0.5);
      return x.mul(phi).rename(scope + "/" + FusionScopes.OUTPUT);
    }
  }
}
