/**
 * Training infrastructure without ND4J: learning-rate schedule ({@link org.maect.core.train.LrSchedule}),
 * layer-wise lr decay ({@link org.maect.core.train.LayerwiseLrDecay}), run directory with {@code run.json} and
 * {@code metrics.jsonl} ({@link org.maect.core.train.RunDirectory}), atomic file writes, progress lines,
 * status/listener types and a reproducible RNG whose state fits in a checkpoint
 * ({@link org.maect.core.train.SeededRandom}). The SameDiff side (AdamW, checkpoints, the loop) is in
 * {@code org.maect.samediff.optim} and {@code org.maect.samediff.train}.
 */
package org.maect.core.train;
