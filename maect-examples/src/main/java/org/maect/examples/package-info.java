/** Example mains (each {@code main -> run(...) -> Result}) and the {@code ./maect} CLI. */
package org.maect.examples;
