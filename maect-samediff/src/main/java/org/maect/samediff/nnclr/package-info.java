/**
 * The NNCLR head of MAE-CT: projector and predictor with per-view BatchNorm composed from primitive ops
 * ({@link org.maect.samediff.nnclr.ComposedBatchNorm}), the symmetric NNCLR InfoNCE loss
 * ({@link org.maect.samediff.nnclr.NnclrLoss}), the FIFO neighbour queue ({@link org.maect.samediff.nnclr.NnQueue})
 * and top-k neighbour sampling done outside the graph in plain Java
 * ({@link org.maect.samediff.nnclr.TopKNeighbourSampler}).
 *
 * <p>Shape legend: V views (2), B images per view, E encoder width, H hidden width, O projection width,
 * Q queue length. Rows of a {@code [V*B, ...]} tensor are view-major (all of view 0, then view 1).
 */
package org.maect.samediff.nnclr;
