/**
 * Configuration records with named presets; each validates its arguments in its compact constructor and
 * serialises to JSON with Jackson as is.
 */
package org.maect.core.config;
