/**
 * Core of maect without ND4J: configuration records and presets, datasets and augmentation,
 * schedules, layer-wise learning-rate scales, seeded randomness, training status and listener types,
 * checkpoint metadata.
 */
package org.maect.core;
