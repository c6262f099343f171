/**
 * The engine's application services for the inventory and job history. Each operation
 * validates, calls the platform through the driver SPI, records in the inventory, audits, and
 * undoes its own half-done work; the CLI and the server only parse, call one method and render.
 */
package dev.duplex.engine.service;
