/**
 * The manual training loop ({@link org.maect.samediff.train.TrainLoop}) with a pluggable
 * {@link org.maect.samediff.train.StepFunction} (e.g. {@link org.maect.samediff.train.SameDiffStep}), NaN/Inf guard,
 * and atomic, validated {@link org.maect.samediff.train.Checkpoint}s for resume.
 */
package org.maect.samediff.train;
