/**
 * Low-shot evaluation (MSN / MAE-CT recipe): a few labelled samples per class, multinomial L2 logistic
 * regression without intercept on centred and L2-normalised features, solved to convergence by L-BFGS.
 */
package org.maect.eval.lowshot;
