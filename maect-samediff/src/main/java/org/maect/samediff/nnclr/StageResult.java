package org.maect.samediff.nnclr;

import java.nio.file.Path;

/**
 * What a contrastive stage did.
 *
 * @param runDir the stage's run directory (give it as {@code from} to the next stage or to evaluation)
 * @param checkpoint {@code checkpoints/last.ckpt}
 * @param encoder the encoder to evaluate ({@code checkpoints/encoder.ckpt} after tuning: the encoder EMA;
 *     null after head initialisation, whose encoder is stage 1's)
 * @param steps optimiser steps done in total
 * @param lastLoss loss of the last step
 * @param nnAccuracy mean label agreement of view 0's neighbours over the last 10% of the steps run here
 * @param seconds wall time of this run
 */
public record StageResult(
    Path runDir, Path checkpoint, Path encoder, long steps, double lastLoss, double nnAccuracy, double seconds) {}
