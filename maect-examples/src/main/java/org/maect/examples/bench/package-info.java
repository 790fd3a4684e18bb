/** Benchmarked training steps for {@code ./maect bench}, one class per step kind. */
package org.maect.examples.bench;
