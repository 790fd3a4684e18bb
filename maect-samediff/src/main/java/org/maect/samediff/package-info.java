/**
 * SameDiff graphs and training: ViT encoder, MAE decoder, NNCLR head, losses, masking and top-k ops,
 * optimiser with parameter groups and EMA, the three stage trainers, checkpoint IO, weight import/export.
 */
package org.maect.samediff;
