/**
 * Finding drivers (class path and plugin folders, one class loader per plugin) and opening
 * connections to endpoints through them.
 */
package dev.duplex.engine.driver;
