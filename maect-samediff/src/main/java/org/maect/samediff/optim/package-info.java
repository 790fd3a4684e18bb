/**
 * Optimisation on SameDiff variable arrays, outside {@code sd.fit} (which in M2.1 reports loss 0 and has one
 * updater for all variables): {@link org.maect.samediff.optim.AdamW} with
 * {@link org.maect.samediff.optim.ParamGroup}s (per-group lr scale and weight decay, default no-decay rule) equal to
 * {@code torch.optim.AdamW}, and {@link org.maect.samediff.optim.ExponentialMovingAverage}.
 */
package org.maect.samediff.optim;
