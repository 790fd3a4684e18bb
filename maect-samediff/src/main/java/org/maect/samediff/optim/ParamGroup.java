package org.maect.samediff.optim;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import org.maect.core.train.LayerwiseLrDecay;

/**
 * A set of parameters (selected by name) with its own learning-rate scale and weight decay, like a
 * {@code torch.optim} param group. {@link AdamW} gives each variable the first group whose {@code selects}
 * accepts its name; the effective lr is {@code scheduleLr * lrScale}. Names excluded by the optimiser's
 * no-decay rule (bias, norm, tokens, positional tables) get weight decay 0 whatever the group says.
 *
 * @param name label used in logs and errors
 * @param selects which variable names belong to the group
 * @param lrScale multiplier on the scheduled lr, {@code >= 0}
 * @param weightDecay decoupled weight decay of the group, {@code >= 0}
 */
public record ParamGroup(String name, Predicate<String> selects, double lrScale, double weightDecay) {

  public ParamGroup {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(selects, "selects");
    if (!(lrScale >= 0) || !Double.isFinite(lrScale)) {
      throw new IllegalArgumentException("Param group '" + name + "': invalid lrScale " + lrScale);
    }
    if (!(weightDecay >= 0) || !Double.isFinite(weightDecay)) {
      throw new IllegalArgumentException("Param group '" + name + "': invalid weightDecay " + weightDecay);
    }
  }

  /** All parameters, lr scale 1. */
  public static ParamGroup all(double weightDecay) {
    return new ParamGroup("all", n -> true, 1.0, weightDecay);
  }

  /** Parameters whose name starts with {@code prefix}. */
  public static ParamGroup prefix(String prefix, double lrScale, double weightDecay) {
    return new ParamGroup(prefix + "*", n -> n.startsWith(prefix), lrScale, weightDecay);
  }

  /**
   * Groups for layer-wise lr decay (one per layer id of {@link LayerwiseLrDecay}): embeddings, each block, and
   * a last group for everything else (final norm, heads) with scale 1.
   */
  public static List<ParamGroup> layerwise(LayerwiseLrDecay lrd, double weightDecay) {
    List<ParamGroup> groups = new ArrayList<>(lrd.depth() + 2);
    for (int id = 0; id <= lrd.depth() + 1; id++) {
      final int layer = id;
      double scale = Math.pow(lrd.decay(), lrd.depth() + 1 - id);
      String label = id == 0 ? "embed" : id <= lrd.depth() ? "blocks." + (id - 1) : "rest";
      groups.add(new ParamGroup(label, n -> lrd.layerId(n) == layer, scale, weightDecay));
    }
    return groups;
  }
}
