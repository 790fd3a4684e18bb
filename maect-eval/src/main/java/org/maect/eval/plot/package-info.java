/**
 * Figures as PNG files with java.awt (headless): confusion-matrix heatmaps, 2-D scatter plots coloured by
 * class, and an exact t-SNE for the 2-D embedding of a few thousand points.
 */
package org.maect.eval.plot;
